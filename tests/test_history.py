"""The history-fitted baseline (docs/MODEL.md 7.12): in-sample fit, projection rule, scenarios on top of it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from yreb.errors import UserInputError
from yreb.inputs.scenario import load_scenario, parse_scenario, resolve
from yreb.model.fundamentals import damped_trend, shrunk_toward_mean
from yreb.model.model import YREBModel, history_fundamentals
from yreb.runs.runner import simulate

ROOT = Path(__file__).resolve().parents[1]


def scenario_with(**fields):
    spec = parse_scenario({"name": "t", "replications": 2, **fields}, "<test>", "")
    return resolve(spec, ROOT, "<test>")


def table_of(scenario, variable, mean_field=True):
    frame = YREBModel(scenario.baseline() if mean_field else scenario, record_flows=False).run().results_frame()
    wide = frame[frame.variable == variable].pivot(index="year", columns="region", values="value")
    return wide[list(scenario.table.names)]


# --- projection rule -------------------------------------------------------------------------------------


def test_damped_trend_and_shrinkage():
    assert damped_trend(0.05, 0.02, 2.0, 0) == pytest.approx(0.05)
    assert damped_trend(0.05, 0.02, 2.0, 2) == pytest.approx(0.035)  # one half-life: half the gap left
    assert damped_trend(0.05, 0.02, 0.0, 0) == pytest.approx(0.02)  # no trend at all
    np.testing.assert_allclose(shrunk_toward_mean(np.array([1.0, 3.0]), np.array([1.0, 1.0]), 0.5), [1.5, 2.5])
    np.testing.assert_allclose(shrunk_toward_mean(np.array([1.0, 3.0]), np.array([3.0, 1.0]), 1.0), [1.5, 1.5])


def test_without_fitted_years_the_fundamentals_are_the_parameters():
    scenario = scenario_with(history={"fit_until": 2015})
    f = history_fundamentals(scenario)
    assert f.fitted_years == [] and f.amenity_shift(2030) is None
    assert f.tfp_growth(2016) == scenario.params.tfp_growth
    assert f.natural_growth(2016) == scenario.params.natural_growth_rate


# --- the fit ------------------------------------------------------------------------------------------------


def test_the_baseline_reproduces_observed_gdp_and_residents_2015_2019():
    scenario = load_scenario("baseline")
    assert scenario.fit_until == 2019
    targets = scenario.history.targets
    for variable, target in (
        ("gdp_100m_yuan", targets.gdp_100m_yuan),
        ("population_persons", targets.population_persons),
    ):
        model = table_of(scenario, variable).loc[targets.years].to_numpy()
        error = np.abs(model / target - 1).max()
        print(f"\n{variable}: largest in-sample gap 2015-2019 (mean-field) {100 * error:.2e}%")
        assert error < 1e-6
        median = simulate(scenario, record_flows=False).results
        wide = median[median.variable == variable].groupby(["year", "region"]).value.median().unstack()
        stochastic = np.abs(wide.loc[targets.years, list(scenario.table.names)].to_numpy() / target - 1).max()
        print(
            f"{variable}: largest in-sample gap, median of {scenario.spec.replications} replications "
            f"{100 * stochastic:.4f}%"
        )
        assert stochastic < 0.005  # acceptance: within 0.5% of the data


def test_sector_value_added_follows_the_observed_mix():
    scenario = load_scenario("baseline")
    targets = scenario.history.targets
    for s, sector in enumerate(("primary", "secondary", "tertiary")):
        model = table_of(scenario, f"va_{sector}_100m_yuan").loc[targets.years].to_numpy()
        np.testing.assert_allclose(model, targets.value_added_100m_yuan[:, s], rtol=1e-6)


def test_the_fitted_baseline_follows_the_belt_share_and_the_unfitted_one_does_not():
    """Unfitted, the belt's share of real GDP moves by the model's own dynamics; fitted, it is the observed one."""
    scenario = load_scenario("baseline")
    fitted = table_of(scenario, "gdp_100m_yuan")
    unfitted = table_of(scenario_with(history={"fit_until": 2015}), "gdp_100m_yuan")
    target = scenario.history.targets.gdp_100m_yuan
    belt = np.asarray(scenario.table.in_belt)
    observed = target[-1, belt].sum() / target[-1].sum()
    share = lambda t: t.loc[2019].to_numpy()[belt].sum() / t.loc[2019].sum()  # noqa: E731
    print(
        f"\nbelt share of real GDP 2019: observed {observed:.4%}, fitted {share(fitted):.4%}, "
        f"unfitted {share(unfitted):.4%}"
    )
    assert share(fitted) == pytest.approx(observed, abs=1e-8)
    assert abs(share(unfitted) - observed) > 0.001


def test_a_policy_from_2020_leaves_the_fitted_years_as_observed():
    policy = {"type": "barrier", "name": "goods", "regions": "belt", "start": 2020, "goods": 0.0}
    base = scenario_with()
    policy_scenario = scenario_with(policies=[policy])
    a = simulate(base, record_flows=False).results
    b = simulate(policy_scenario, record_flows=False).results
    early_a, early_b = a[a.year < 2020].value.to_numpy(), b[b.year < 2020].value.to_numpy()
    np.testing.assert_array_equal(early_a, early_b)
    assert not np.array_equal(a[a.year >= 2021].value.to_numpy(), b[b.year >= 2021].value.to_numpy())


def test_a_later_fit_until_needs_data_that_cover_it(tmp_path):
    with pytest.raises(UserInputError) as err:
        scenario_with(history={"fit_until": 2021}, end_year=2030)
    assert "history.fit_until" in str(err.value) and "2015-2019" in str(err.value)
    with pytest.raises(UserInputError) as err:
        scenario_with(history={"fit_until": 2040})
    assert "fit_until" in str(err.value)


def newer_statistics(path: Path, years=range(2020, 2025), growth=None) -> Path:
    """A tidy file with real GDP and residents of every region for ``years``: 2019 moved by invented growth."""
    from yreb.inputs.history import DEFAULT_HISTORY, load_history
    from yreb.inputs.regions import load_region_table

    names = list(load_region_table().names)
    observed = load_history(DEFAULT_HISTORY, names)
    rows = []
    gdp19 = observed[
        (observed.variable == "va_const2015_100m_yuan") & (observed.sector == "total") & (observed.year == 2019)
    ]
    pop19 = observed[(observed.variable == "population_resident_yearend") & (observed.year == 2019)]
    rng = np.random.default_rng(7)
    for region in names:
        g = 0.05 + 0.02 * rng.standard_normal() if growth is None else growth
        v = float(gdp19[gdp19.region == region].value.iloc[0])
        for k, year in enumerate(years, 1):
            rows.append((region, year, "va_const2015_100m_yuan", "total", v * (1 + g) ** k))
        if region != "RestOfChina":
            p = float(pop19[pop19.region == region].value.iloc[0])
            for k, year in enumerate(years, 1):
                rows.append(
                    (
                        region,
                        year,
                        "population_resident_yearend",
                        "total",
                        p * (1.004 + 0.002 * rng.standard_normal()) ** k,
                    )
                )
    national = observed[
        (observed.variable == "population_resident_yearend") & (observed.region == "Sum of 31 provinces")
    ]
    n19 = float(national[national.year == 2019].value.iloc[0])
    for k, year in enumerate(years, 1):
        rows.append(("Sum of 31 provinces", year, "population_resident_yearend", "total", n19 * 1.003**k))
    frame = pd.DataFrame(rows, columns=["region", "year", "variable", "sector", "value"])
    frame.to_csv(path, index=False)
    return path


def test_newer_statistics_extend_the_fitted_years(tmp_path):
    newer = newer_statistics(tmp_path / "newer.csv", years=range(2020, 2022))
    scenario = scenario_with(history={"observed": [str(newer)]})
    assert scenario.fit_until == 2021
    target = scenario.history.targets.gdp_100m_yuan[-1]
    model = table_of(scenario, "gdp_100m_yuan").loc[2021].to_numpy()
    np.testing.assert_allclose(model, target, rtol=1e-6)


def test_hindcast_beyond_the_shipped_data_reports_out_of_sample_errors(tmp_path):
    newer = newer_statistics(tmp_path / "newer.csv")
    out = tmp_path / "hindcast"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "yreb",
            "hindcast",
            "--fit-until",
            "2019",
            "--to",
            "2024",
            "--observed",
            str(newer),
            "--replications",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    for label in ("no change from the last fitted year", "trend over the fitted years continued", "half that trend"):
        assert label in proc.stdout
    errors = pd.read_csv(out / "errors.csv")
    assert {"h=1", "h=5", "in-sample"} <= set(errors.columns)
    assert (out / "shares_gdp_share.png").is_file() and (out / "errors_by_horizon.png").is_file()


def test_hindcast_with_a_fit_until_the_data_do_not_cover_is_a_clear_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "yreb", "hindcast", "--fit-until", "2019", "--to", "2024", "--out", str(tmp_path / "h")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--to" in proc.stderr and "2019" in proc.stderr
    assert not (tmp_path / "h").exists()


# --- the shipped table and the chosen rule --------------------------------------------------------------


def test_the_shipped_fundamentals_table_is_a_fresh_fit():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "fit_history.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_the_default_projection_rule_wins_the_rolling_origin_evaluation():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "rolling_origin.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_observed_history_is_read_once_per_inputs_and_again_when_they_differ(tmp_path):
    """Resolving one scenario twice shares one reading of the observed files (a sweep's points); a table that
    differs only in which regions are in the belt, or an observed file with other content, is read again."""
    from dataclasses import replace

    from yreb.inputs.scenario import resolve_history

    scenario = load_scenario("baseline")
    spec, table = scenario.spec, scenario.table
    first = resolve_history(spec, table, tmp_path, "baseline")
    assert resolve_history(spec, table, tmp_path, "baseline") is first
    with pytest.raises(ValueError, match="read-only"):
        first.targets.population_persons[0, 0] = 0.0
    outside = replace(table, in_belt=np.where(np.asarray(table.names) == "Anhui", False, table.in_belt))
    assert outside.fingerprint() != table.fingerprint()  # belt membership is part of the data
    other = resolve_history(spec, outside, tmp_path, "baseline")
    # without the 11 belt provinces the rest of China's residents are not observed: no year is fitted
    assert first.targets is not None and other.targets is None and other.fit_until == spec.start_year
    extra = tmp_path / "extra.csv"
    extra.write_text("region,year,variable,value\nAnhui,2019,population_resident_yearend,6200\n", encoding="utf-8")
    revised_spec = parse_scenario({"name": "t", "history": {"observed": ["extra.csv"]}}, "<test>", "")
    revised = resolve_history(revised_spec, table, tmp_path, "<test>")
    anhui = table.names.index("Anhui")
    assert revised.targets.population_persons[-1, anhui] == 62_000_000
    assert first.targets.population_persons[-1, anhui] != 62_000_000
