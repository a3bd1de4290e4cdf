"""CO2 outcomes (docs/MODEL.md 7.13): intensities from CEADs, the trend rule, and the model's emissions."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from helpers import BELT, ROOT, scenario_from
from yreb.analysis.metrics import METRICS, RegionArrays, available_metrics
from yreb.inputs import carbon
from yreb.model import kernels as k
from yreb.model.model import YREBModel
from yreb.model.outputs import CO2_VARIABLES
from yreb.policies import EMITTERS, SECTORS

DATA = ROOT / "simulation" / "yreb" / "data"
OBSERVED = range(2015, 2020)


@pytest.fixture(scope="module")
def baseline():
    return YREBModel(scenario_from({"end_year": 2025, "parameters": {"stochastic": False}})).run()


def ceads(sector: str = "total") -> pd.DataFrame:
    co2 = pd.read_csv(DATA / "observed_co2.csv")
    rows = co2[(co2.variable == carbon.CO2) & (co2.sector == sector) & (co2.region != "China")]
    return rows.pivot(index="year", columns="region", values="value")


def recorded(model: YREBModel, variable: str) -> pd.DataFrame:
    return pd.DataFrame(model.records[variable], index=model.years, columns=model.table.names)


def test_2015_belt_share_of_national_co2_is_ceads_within_1_pp(baseline):
    target = pd.read_csv(DATA / "calibration_targets.csv").set_index("target").loc["belt_co2_share", "value"]
    co2 = recorded(baseline, "co2_Mt").loc[2015]
    share = co2[BELT].sum() / co2.sum()
    print(f"\n2015 belt share of national CO2: model {share:.4f}, CEADs {target:.4f} (30 provinces, no Tibet)")
    assert abs(share - target) < 0.01


def test_co2_from_observed_value_added_reproduces_ceads_in_sample():
    """The accounting: intensity x observed real value added (residents for households) = CEADs, 2015-2019."""
    h = carbon.intensity_history()
    paths, _ = carbon.carbon_paths(h.names, list(OBSERVED))
    va = pd.read_csv(DATA / "observed_sectors.csv")
    for i, sector in enumerate(SECTORS):
        rows = va[(va.variable == carbon.REAL_VA) & (va.sector == sector)]
        observed_va = rows.pivot(index="year", columns="region", values="value").loc[list(OBSERVED), list(h.names)]
        co2 = paths.sector_Mt_per_100m_yuan[:, i] * observed_va.to_numpy()
        np.testing.assert_allclose(co2, ceads(sector).loc[list(OBSERVED), list(h.names)], rtol=1e-12)
    np.testing.assert_allclose(
        paths.household_Mt_per_person * residents().loc[list(OBSERVED), list(h.names)].to_numpy(),
        ceads("households").loc[list(OBSERVED), list(h.names)],
        rtol=1e-12,
    )


def residents() -> pd.DataFrame:
    """Year-end residents (persons) by year and region; RestOfChina = 31 provinces - belt."""
    provinces = pd.read_csv(DATA / "observed_provinces.csv")
    rows = provinces[provinces.variable == carbon.POPULATION]
    table = rows.pivot(index="year", columns="region", values="value")
    national = pd.read_csv(DATA / "observed_national.csv")
    national = national[national.variable == carbon.POPULATION].pivot(index="year", columns="region", values="value")
    table["RestOfChina"] = national["Sum of 31 provinces"] - national["YREB (11 provinces)"]
    return table * 1e4


def test_model_co2_is_intensity_times_the_models_own_value_added(baseline):
    """Every year and emitter: recorded CO2 = the intensity path x the model's real value added (residents)."""
    paths = baseline.carbon
    for i, sector in enumerate(SECTORS):
        expected = paths.sector_Mt_per_100m_yuan[:, i] * baseline.records[f"va_{sector}_100m_yuan"]
        np.testing.assert_allclose(baseline.records[f"co2_{sector}_Mt"], expected, rtol=1e-13)
    households = paths.household_Mt_per_person * baseline.records["population_persons"]
    np.testing.assert_allclose(baseline.records["co2_households_Mt"], households, rtol=1e-13)
    total = sum(baseline.records[f"co2_{e}_Mt"] for e in EMITTERS)
    np.testing.assert_allclose(baseline.records["co2_Mt"], total, rtol=1e-13)
    intensity = 100 * baseline.records["co2_Mt"] / baseline.records["gdp_100m_yuan"]
    np.testing.assert_allclose(baseline.records["co2_per_10k_yuan_gdp"], intensity, rtol=1e-13)
    np.testing.assert_allclose(recorded(baseline, "co2_Mt").loc[2015], ceads().loc[2015, list(baseline.table.names)])


@functools.cache
def baseline_2019() -> YREBModel:
    return YREBModel(scenario_from({"end_year": 2019, "parameters": {"stochastic": False}})).run()


def _worst_va_gap(model: YREBModel) -> float:
    va = pd.read_csv(DATA / "observed_sectors.csv")
    rows = va[(va.variable == carbon.REAL_VA) & (va.sector == "total")]
    observed = rows.pivot(index="year", columns="region", values="value").loc[list(OBSERVED), list(model.table.names)]
    return float((recorded(model, "gdp_100m_yuan").loc[list(OBSERVED)] / observed - 1).abs().max().max())


def test_2015_2019_co2_by_province_within_2_percent_of_ceads():
    model = baseline_2019()
    gap = recorded(model, "co2_Mt").loc[list(OBSERVED)] / ceads().loc[list(OBSERVED), list(model.table.names)] - 1
    print(f"\nCO2 vs CEADs 2015-2019, largest gap by province:\n{gap.abs().max().round(4).to_string()}")
    print(f"largest real GDP gap to observed: {_worst_va_gap(model):.4f}")
    assert gap.abs().max().max() < 0.02


def test_trend_rule_is_the_rolling_origin_choice_and_continues_the_observed_path():
    errors = carbon.rolling_origin_errors()
    print(
        "\nrolling-origin error (CO2-weighted mean |ln error|) by damping:", {d: round(e, 4) for d, e in errors.items()}
    )
    assert carbon.chosen_damping() == min(errors, key=errors.get)
    h = carbon.intensity_history()
    paths, note = carbon.carbon_paths(h.names, list(range(2015, 2036)))
    assert f"damping {carbon.chosen_damping():g}" in note
    assert paths.sector_Mt_per_100m_yuan[4] == pytest.approx(np.exp(h.sector_log[..., -1]), rel=1e-12)  # 2019
    slope = np.polyfit(h.sector_years, h.sector_log.reshape(-1, len(h.sector_years)).T, 1)[0].reshape(3, -1)
    step = np.log(paths.sector_Mt_per_100m_yuan[5] / paths.sector_Mt_per_100m_yuan[4])
    np.testing.assert_allclose(step, carbon.chosen_damping() * slope, rtol=1e-9)


def test_damped_trend_kernel_holds_at_zero_and_extends_a_line_at_one():
    years = np.arange(2010, 2015)
    line = np.array([[0.1 * (y - 2010) + 2.0 for y in years]])
    np.testing.assert_allclose(k.damped_trend(line, years, 3, 1.0), [[2.5, 2.6, 2.7]])
    np.testing.assert_allclose(k.damped_trend(line, years, 3, 0.0), [[2.4, 2.4, 2.4]])
    np.testing.assert_allclose(k.damped_trend(line, years, 2, 0.5), [[2.45, 2.475]])


def test_no_co2_for_regions_without_ceads_intensities(tmp_path):
    """A user region table with other names: CO2 not recorded, the note says why, CO2 metrics unavailable."""
    table = pd.read_csv(DATA / "regions_2015.csv")
    table["region"] = [f"Area{i}" for i in range(len(table))]
    table.to_csv(tmp_path / "regions.csv", index=False)
    model = YREBModel(scenario_from({"end_year": 2016, "region_table": "regions.csv"}, base_dir=tmp_path))
    assert model.carbon is None and "Area0" in model.carbon_note
    assert not set(CO2_VARIABLES) & set(model.records)
    assert "belt_share_national_co2" not in available_metrics(METRICS, model.records)


def test_co2_metrics_of_a_run(baseline):
    arrays = RegionArrays(
        baseline.records, baseline.table.in_belt, np.asarray(baseline.table.subregion), baseline.years
    )
    co2 = recorded(baseline, "co2_Mt")
    np.testing.assert_allclose(METRICS["co2_Mt"].compute(arrays), co2[BELT].sum(axis=1))
    np.testing.assert_allclose(
        METRICS["belt_share_national_co2"].compute(arrays), co2[BELT].sum(axis=1) / co2.sum(axis=1)
    )
    gdp = recorded(baseline, "gdp_100m_yuan")[BELT].sum(axis=1)
    np.testing.assert_allclose(METRICS["co2_per_10k_yuan_gdp"].compute(arrays), 100 * co2[BELT].sum(axis=1) / gdp)
