"""Metrics against hand-computed values, exact decompositions, and recovery of known values on constructed data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import ROOT
from yreb.analysis.compare import BELT_METRICS, OUTCOME_LABELS, OUTCOMES
from yreb.analysis.metrics import (
    BELT,
    METRICS,
    RegionArrays,
    belt_metrics,
    belt_share,
    beta_convergence,
    coefficient_of_variation,
    compute_metrics,
    gdp_concepts,
    group_aggregates,
    herfindahl,
    metric,
    net_bilateral,
    od_matrix,
    ols_slope,
    t_interval,
    theil_l,
    theil_t,
    top_share,
    williamson_cv,
)
from yreb.sweep.schema import SweepFile

GDP = np.array([1.0, 2.0, 3.0, 4.0])
POP = np.array([1.0, 1.0, 2.0, 4.0])
GROUPS = np.array(["a", "a", "b", "b"])


def test_theil_t_hand_computed():
    # s = GDP shares (.1 .2 .3 .4), p = population shares (.125 .125 .25 .5)
    total = (
        0.1 * math.log(0.1 / 0.125)
        + 0.2 * math.log(0.2 / 0.125)
        + 0.3 * math.log(0.3 / 0.25)
        + 0.4 * math.log(0.4 / 0.5)
    )
    between = 0.3 * math.log(0.3 / 0.25) + 0.7 * math.log(0.7 / 0.75)
    within_a = (1 / 3) * math.log((1 / 3) / 0.5) + (2 / 3) * math.log((2 / 3) / 0.5)
    within_b = (3 / 7) * math.log((3 / 7) / (1 / 3)) + (4 / 7) * math.log((4 / 7) / (2 / 3))
    t = theil_t(GDP, POP, GROUPS)
    assert t.total == pytest.approx(total, rel=1e-13)
    assert t.between == pytest.approx(between, rel=1e-13)
    assert t.within == pytest.approx(0.3 * within_a + 0.7 * within_b, rel=1e-13)


def test_theil_l_hand_computed():
    total = (
        0.125 * math.log(0.125 / 0.1)
        + 0.125 * math.log(0.125 / 0.2)
        + 0.25 * math.log(0.25 / 0.3)
        + 0.5 * math.log(0.5 / 0.4)
    )
    between = 0.25 * math.log(0.25 / 0.3) + 0.75 * math.log(0.75 / 0.7)
    within_a = 0.5 * math.log(0.5 / (1 / 3)) + 0.5 * math.log(0.5 / (2 / 3))
    within_b = (1 / 3) * math.log((1 / 3) / (3 / 7)) + (2 / 3) * math.log((2 / 3) / (4 / 7))
    t = theil_l(GDP, POP, GROUPS)
    assert t.total == pytest.approx(total, rel=1e-13)
    assert t.between == pytest.approx(between, rel=1e-13)
    assert t.within == pytest.approx(0.25 * within_a + 0.75 * within_b, rel=1e-13)


@pytest.mark.parametrize("index", [theil_t, theil_l])
def test_theil_between_plus_within_is_total_on_random_data(index):
    rng = np.random.default_rng(3)
    gdp = rng.lognormal(10, 1, size=(200, 11))
    pop = rng.lognormal(15, 1, size=(200, 11))
    groups = np.array(["down"] * 4 + ["mid"] * 3 + ["up"] * 4)
    t = index(gdp, pop, groups)
    assert t.total.shape == (200,)
    assert np.max(np.abs(t.between + t.within - t.total)) < 1e-12
    assert (t.total > 0).all() and (t.between >= 0).all() and (t.within >= 0).all()


@pytest.mark.parametrize("index", [theil_t, theil_l])
def test_theil_zero_when_income_per_head_is_equal_and_between_zero_when_groups_equal(index):
    t = index(np.array([2.0, 4.0, 6.0]), np.array([1.0, 2.0, 3.0]), np.array(["a", "b", "b"]))
    assert t.total == pytest.approx(0, abs=1e-15) and t.between == pytest.approx(0, abs=1e-15)
    # two groups with the same GDP per capita: all inequality is within
    t = index(np.array([1.0, 3.0, 3.0, 1.0]), np.array([1.0, 1.0, 1.0, 1.0]), np.array(["a", "a", "b", "b"]))
    assert t.between == pytest.approx(0, abs=1e-15) and t.within == pytest.approx(t.total, rel=1e-14)


def test_cv_and_williamson_hand_computed():
    assert coefficient_of_variation(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(math.sqrt(1.25) / 2.5, rel=1e-14)
    # y = (1, 3), population shares (.75, .25): mean 1.5, variance .75 -> sqrt(.75) / 1.5 = 1/sqrt(3)
    assert williamson_cv(np.array([1.0, 3.0]), np.array([300.0, 100.0])) == pytest.approx(1 / math.sqrt(3), rel=1e-14)
    y = np.array([[5.0, 7.0, 12.0], [1.0, 1.0, 1.0]])
    assert williamson_cv(y, np.full((2, 3), 9.0)) == pytest.approx(coefficient_of_variation(y), rel=1e-14)
    assert coefficient_of_variation(y)[1] == 0


@pytest.mark.parametrize("speed", [0.02, 0.005, -0.01])
def test_beta_convergence_recovers_the_speed_of_constructed_data(speed):
    years = 10.0
    b = -(1 - math.exp(-speed * years)) / years
    initial = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 3.0]) * 1e4
    final = initial * np.exp(years * (0.03 + b * np.log(initial)))  # annual growth = 0.03 + b ln y0 exactly
    slope, recovered = beta_convergence(initial, final, years)
    assert slope == pytest.approx(b, rel=1e-10)
    assert recovered == pytest.approx(speed, rel=1e-9)


def test_beta_convergence_edge_cases_and_broadcasting():
    initial = np.array([1.0, 2.0, 4.0])
    _, speed = beta_convergence(initial, initial * 1.5, 5.0)  # equal growth: no convergence
    assert speed == pytest.approx(0, abs=1e-12)
    _, speed = beta_convergence(initial, np.array([40.0, 4.0, 1.0]), 1.0)  # overshooting: 1 + bT <= 0
    assert np.isnan(speed)
    # per-row windows: years broadcast over the leading axis
    finals = np.stack([initial * 2, initial**0.5 * 3])
    _, speeds = beta_convergence(np.stack([initial, initial]), finals, np.array([4.0, 8.0]))
    assert speeds[0] == pytest.approx(0, abs=1e-12)
    assert speeds[1] == pytest.approx(-math.log(1 + (-0.5 / 8) * 8) / 8, rel=1e-12)


def test_ols_slope_matches_numpy_polyfit():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=30), rng.normal(size=30)
    assert ols_slope(x, y) == pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-12)


def test_shares_and_concentration():
    assert belt_share(np.array([1.0, 2.0, 3.0]), np.array([True, True, False])) == pytest.approx(0.5)
    assert herfindahl(np.array([1.0, 1.0, 2.0])) == pytest.approx(0.375)
    assert herfindahl(np.full(8, 5.0)) == pytest.approx(1 / 8)
    assert top_share(np.array([5.0, 1.0, 3.0, 1.0]), 3) == pytest.approx(0.9)
    assert top_share(np.array([[1.0, 1.0], [3.0, 1.0]]), 1) == pytest.approx([0.5, 0.75])


def test_t_interval_hand_computed():
    low, high = t_interval(np.array([1.0]), np.array([2.0]), np.array([5]))
    half = 2.131846786326649 * 2 / math.sqrt(5)  # t(0.95, 4 degrees of freedom)
    assert low[0] == pytest.approx(1 - half, rel=1e-12) and high[0] == pytest.approx(1 + half, rel=1e-12)
    low, high = t_interval(np.array([1.0]), np.array([np.nan]), np.array([1]))
    assert np.isnan(low[0]) and np.isnan(high[0])


# --- tidy-table metrics ---------------------------------------------------------------------------

REGIONS = ["A", "B", "C", "Out"]
IN_BELT = [True, True, True, False]
SUBREGION = ["downstream", "downstream", "upstream", "outside"]


def tidy(values: dict[str, np.ndarray], years=(2015, 2016, 2017)) -> pd.DataFrame:
    """values[variable] has shape (replications, years, regions)."""
    rows = []
    for variable, array in values.items():
        for r in range(array.shape[0]):
            for t, year in enumerate(years):
                for i, region in enumerate(REGIONS):
                    rows.append(("s", r, 100 + r, region, variable, "u", year, array[r, t, i]))
    return pd.DataFrame(
        rows, columns=["scenario", "replication", "seed", "region", "variable", "unit", "year", "value"]
    )


@pytest.fixture
def small_run():
    rng = np.random.default_rng(5)
    gdp = rng.uniform(1, 10, size=(2, 3, 4))
    pop = rng.uniform(1e7, 5e7, size=(2, 3, 4))
    talent = rng.uniform(1e3, 1e4, size=(2, 3, 4))
    per_capita = gdp * 1e8 / pop
    co2 = rng.uniform(0.1, 1, size=(2, 3, 4))
    results = tidy(
        {
            "gdp_100m_yuan": gdp,
            "population_persons": pop,
            "talent_persons": talent,
            "gdp_per_capita_yuan": per_capita,
            "co2_Mt": co2,
        }
    )
    return results, gdp, pop, talent, co2


def test_belt_metrics_match_direct_formulas(small_run):
    results, gdp, pop, talent, co2 = small_run
    m = belt_metrics(results, REGIONS, IN_BELT, SUBREGION)
    assert set(m.variable) == set(METRICS) and (m.region == BELT).all()
    value = m.set_index(["replication", "year", "variable"]).value
    r, t = 1, 2  # replication 1, 2017
    y, n = gdp[r, t, :3], pop[r, t, :3]
    s, p = y / y.sum(), n / n.sum()
    assert value[(r, 2017, "theil_t_total")] == pytest.approx((s * np.log(s / p)).sum(), rel=1e-12)
    assert value[(r, 2017, "theil_l_total")] == pytest.approx((p * np.log(p / s)).sum(), rel=1e-12)
    assert value[(r, 2017, "belt_share_national_gdp")] == pytest.approx(y.sum() / gdp[r, t].sum(), rel=1e-12)
    c = co2[r, t, :3]
    assert value[(r, 2017, "belt_share_national_co2")] == pytest.approx(c.sum() / co2[r, t].sum(), rel=1e-12)
    assert value[(r, 2017, "co2_per_10k_yuan_gdp")] == pytest.approx(100 * c.sum() / y.sum(), rel=1e-12)
    shares = talent[r, t, :3] / talent[r, t, :3].sum()
    assert value[(r, 2017, "talent_herfindahl")] == pytest.approx((shares**2).sum(), rel=1e-12)
    pc = y / n
    assert value[(r, 2017, "cv_gdp_per_capita")] == pytest.approx(pc.std() / pc.mean(), rel=1e-12)
    pc0 = gdp[r, 0, :3] / pop[r, 0, :3]
    b = np.polyfit(np.log(pc0), np.log(pc / pc0) / 2, 1)[0]
    assert value[(r, 2017, "beta_convergence_per_year")] == pytest.approx(-math.log(1 + 2 * b) / 2, rel=1e-9)
    assert np.isnan(value[(r, 2015, "beta_convergence_per_year")])
    within_between = value[(r, 2016, "theil_t_between")] + value[(r, 2016, "theil_t_within")]
    assert within_between == pytest.approx(value[(r, 2016, "theil_t_total")], abs=1e-12)


def test_group_aggregates_follow_each_variables_rule(small_run):
    """Sums for extensive variables, ratios of sums for per-capita values, weighted means for indices."""
    results, gdp, pop, talent, co2 = small_run
    tfp = results[results.variable == "gdp_100m_yuan"].assign(
        variable="tfp", unit="index", value=lambda f: f.value / 1e3
    )
    agg = group_aggregates(pd.concat([results, tfp]), {"Belt": ["A", "B", "C"]})
    value = agg.set_index(["replication", "year", "variable"]).value
    assert (agg.region == "Belt").all()
    assert value[(0, 2016, "gdp_100m_yuan")] == pytest.approx(gdp[0, 1, :3].sum(), rel=1e-12)
    assert value[(0, 2016, "population_persons")] == pytest.approx(pop[0, 1, :3].sum(), rel=1e-12)
    assert value[(0, 2016, "gdp_per_capita_yuan")] == pytest.approx(
        gdp[0, 1, :3].sum() * 1e8 / pop[0, 1, :3].sum(), rel=1e-12
    )
    y = gdp[0, 1, :3]  # tfp is a GDP-weighted mean
    assert value[(0, 2016, "tfp")] == pytest.approx((y / 1e3 * y).sum() / y.sum(), rel=1e-12)


def test_group_aggregates_leave_gaps_where_the_group_has_no_rows(small_run):
    """A cell none of the group's regions has is missing (NaN), not 0; a run-year without rows for the group
    has no aggregate rows; a NaN value counts as 0 within a sum, as in a grouped pandas sum."""
    results, gdp, pop, talent, co2 = small_run
    belt = ["A", "B", "C"]
    no_co2 = (results.variable == "co2_Mt") & results.region.isin(belt) & (results.year == 2017)
    no_year = results.region.isin(belt) & (results.replication == 1) & (results.year == 2016)
    nan_gdp = (results.variable == "gdp_100m_yuan") & (results.region == "A") & (results.year == 2015)
    data = results[~no_co2 & ~no_year].copy()
    data.loc[nan_gdp, "value"] = np.nan
    agg = group_aggregates(data, {"Belt": belt})
    value = agg.set_index(["replication", "year", "variable"]).value
    assert np.isnan(value[(0, 2017, "co2_Mt")]) and np.isnan(value[(1, 2017, "co2_Mt")])
    assert value[(0, 2017, "gdp_100m_yuan")] == pytest.approx(gdp[0, 2, :3].sum(), rel=1e-12)
    assert not ((agg.replication == 1) & (agg.year == 2016)).any()
    assert ((agg.replication == 0) & (agg.year == 2016)).any()
    assert value[(0, 2015, "gdp_100m_yuan")] == pytest.approx(gdp[0, 0, 1:3].sum(), rel=1e-12)


def test_gdp_concepts_gaps():
    results = pd.DataFrame(
        {
            "scenario": "s",
            "replication": 0,
            "seed": 1,
            "region": "A",
            "unit": "u",
            "year": 2020,
            "variable": ["gdp_100m_yuan", "gdp_attributed_100m_yuan", "gdp_nominal_100m_yuan", "income_100m_yuan"],
            "value": [100.0, 90.0, 110.0, 130.0],
        }
    )
    row = gdp_concepts(results).iloc[0]
    assert row.attributed_minus_location_100m_yuan == -10 and row.income_minus_nominal_gdp_100m_yuan == 20


def test_od_matrix_sums_years_averages_replications_and_net_is_antisymmetric():
    flows = pd.DataFrame(
        {
            "replication": [0, 0, 0, 1, 1],
            "factor": ["talent", "talent", "talent", "talent", "capital"],
            "origin": ["A", "A", "B", "A", "A"],
            "destination": ["B", "B", "A", "B", "B"],
            "year": [2015, 2016, 2015, 2015, 2015],
            "value": [10.0, 20.0, 4.0, 30.0, 99.0],
        }
    )
    m = od_matrix(flows, "talent", ["A", "B", "C"])
    assert m.loc["A", "B"] == pytest.approx((10 + 20 + 30) / 2) and m.loc["B", "A"] == pytest.approx(2)
    assert m.loc["C"].sum() == 0 and list(m.index) == ["A", "B", "C"]
    assert od_matrix(flows, "talent", ["A", "B"], years=(2016, 2016)).loc["A", "B"] == pytest.approx(10)
    net = net_bilateral(m)
    assert net.loc["A", "B"] == pytest.approx(28) and net.loc["B", "A"] == pytest.approx(-28)
    assert np.allclose(net.to_numpy(), -net.to_numpy().T)


# --- the metric registry --------------------------------------------------------------------------


def region_arrays(gdp, pop, talent, co2, years=(2015, 2016, 2017)) -> RegionArrays:
    return RegionArrays(
        {"gdp_100m_yuan": gdp, "population_persons": pop, "talent_persons": talent, "co2_Mt": co2},
        np.array(IN_BELT),
        np.array(SUBREGION),
        np.array(years),
    )


def test_every_registered_metric_is_documented():
    doc = (ROOT / "docs" / "compare.md").read_text(encoding="utf-8")
    table = doc[doc.index("## Metrics") : doc.index("**Adding a metric**")]
    for name, registered in METRICS.items():
        assert f"| `{name}` |" in table, name
        assert registered.label and registered.unit, name


def test_every_metric_is_a_compare_outcome_and_can_be_a_sweep_output():
    assert set(METRICS) <= set(OUTCOMES) and set(METRICS) <= set(OUTCOME_LABELS)
    # belt totals of model variables come with compare's belt aggregates, the others with its belt metrics
    assert set(BELT_METRICS) == {name for name, m in METRICS.items() if not m.belt_total}
    spec = SweepFile.model_validate(
        {
            "name": "s",
            "base": "b.toml",
            "design": "grid",
            "outputs": list(METRICS),
            "vary": [{"path": "parameters.rechoice_rate", "values": [0.1, 0.2]}],
        }
    )
    assert spec.outputs == list(METRICS)


def test_arrays_of_one_run_and_the_tidy_table_give_identical_metrics(small_run):
    """Sweeps call each metric on the arrays of one run, compare on the runs x years x regions arrays of its
    tidy table: the same function, bit-identical values."""
    results, gdp, pop, talent, co2 = small_run
    tidy = belt_metrics(results, REGIONS, IN_BELT, SUBREGION)
    for r in range(gdp.shape[0]):
        for name, values in compute_metrics(region_arrays(gdp[r], pop[r], talent[r], co2[r]), METRICS).items():
            rows = tidy[(tidy.replication == r) & (tidy.variable == name)].sort_values("year")
            np.testing.assert_array_equal(values, rows.value.to_numpy(), err_msg=name)
            assert (rows.unit == METRICS[name].unit).all()


def test_belt_gdp_is_the_sum_over_belt_regions(small_run):
    results, gdp, pop, talent, co2 = small_run
    values = METRICS["gdp_100m_yuan"].compute(region_arrays(gdp[1], pop[1], talent[1], co2[1]))
    np.testing.assert_allclose(values, gdp[1, :, :3].sum(axis=-1), rtol=1e-14)
    assert METRICS["gdp_100m_yuan"].belt_total
    agg = group_aggregates(results, {"Belt": ["A", "B", "C"]})
    compare = agg[(agg.replication == 1) & (agg.variable == "gdp_100m_yuan")].sort_values("year").value
    np.testing.assert_allclose(values, compare.to_numpy(), rtol=1e-14)  # compare's belt total agrees


def test_metrics_take_any_leading_axes(small_run):
    _, gdp, pop, talent, co2 = small_run
    stacked = compute_metrics(region_arrays(gdp, pop, talent, co2), METRICS)
    for name, values in stacked.items():
        assert values.shape == (2, 3), name
        single = METRICS[name].compute(region_arrays(gdp[0], pop[0], talent[0], co2[0]))
        np.testing.assert_array_equal(values[0], single, err_msg=name)


def test_a_metric_name_is_registered_once():
    before = dict(METRICS)
    with pytest.raises(ValueError, match="registered twice"):

        @metric("again", "none")
        def theil_t_total(a):
            return a.belt("gdp_100m_yuan").sum(axis=-1)

    assert METRICS == before
