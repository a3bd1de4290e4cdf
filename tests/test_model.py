"""The model: base-year calibration, accounting identities, conservation and reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import ROOT, scenario_from
from yreb.inputs.regions import load_region_table
from yreb.inputs.scenario import default_scenario
from yreb.model import kernels as k
from yreb.model.model import YREBModel, replication_seed


def test_model_builds_with_defaults_and_runs():
    model = YREBModel()
    assert len(model.agents) == 12  # 11 provinces + rest of China
    model.step()
    assert model.year == 2016
    assert model.regions[0].gdp_100m_yuan > 0


def test_base_year_reproduces_2015_data():
    table = load_region_table()
    frame = YREBModel(default_scenario(end_year=2016)).run().results_frame()
    first = frame[frame.year == 2015].pivot(index="region", columns="variable", values="value").loc[list(table.names)]
    np.testing.assert_allclose(first.gdp_100m_yuan, table.gdp_100m_yuan, rtol=1e-9)
    np.testing.assert_allclose(first.gdp_nominal_100m_yuan, table.gdp_100m_yuan, rtol=1e-9)
    for s, sector in enumerate(("primary", "secondary", "tertiary")):
        np.testing.assert_allclose(first[f"va_{sector}_100m_yuan"], table.value_added_100m_yuan[s], rtol=1e-9)
    np.testing.assert_allclose(first.population_persons, table.population_persons, rtol=1e-6)
    # whole-person rounding of the registration x residence matrix moves a few persons at most
    np.testing.assert_allclose(first.talent_persons, table.talent_persons, atol=12)
    np.testing.assert_allclose(first.capital_installed_100m_yuan, table.capital_stock_100m_yuan, rtol=1e-9)


def test_shipped_data_match_reference_panel():
    """2015 GDP and population in the embedded table are the reference data's (within 0.5%)."""
    import pandas as pd

    panel = pd.read_csv(ROOT / "simulation" / "yreb" / "data" / "observed_provinces.csv")
    table = load_region_table()
    for name, gdp, pop in zip(table.names, table.gdp_100m_yuan, table.population_persons):
        if name == "RestOfChina":
            continue
        row = panel[(panel.region == name) & (panel.year == 2015)].set_index("variable").value
        assert gdp == pytest.approx(row["gdp_current"], rel=5e-3)
        assert pop == pytest.approx(row["population_resident_yearend"] * 1e4, rel=5e-3)


def test_base_year_net_migration_is_the_census_one():
    """Amenities are calibrated so that base-year net migration (talent + labour) is the 2010-15 census flow
    (the calibration alone: without fitted years, whose 2015 moves give the observed 2016 residents instead)."""
    table = load_region_table()
    scenario = default_scenario(end_year=2016, parameters={"stochastic": False}, history={"fit_until": 2015})
    frame = YREBModel(scenario).run().results_frame()
    first = frame[frame.year == 2015].pivot(index="region", columns="variable", values="value").loc[list(table.names)]
    net = first.net_migration_talent_persons + first.net_migration_labour_persons
    np.testing.assert_allclose(net, table.net_migration_persons_per_year, atol=20)  # whole-person rounding


def test_same_seed_identical_different_seed_differs():
    scenario = default_scenario(end_year=2025)
    a = YREBModel(scenario, replication=3).run().results_frame()
    b = YREBModel(scenario, replication=3).run().results_frame()
    c = YREBModel(scenario, replication=4).run().results_frame()
    assert a.equals(b)
    assert not np.array_equal(a.value.to_numpy(), c.value.to_numpy())
    assert replication_seed(1, 0) != replication_seed(1, 1)
    assert replication_seed(1, 0) == replication_seed(1, 0)


POLICY = st.fixed_dictionaries(
    {
        "type": st.just("barrier"),
        "start": st.integers(2015, 2019),
        "regions": st.sampled_from(["belt", "all", "upstream"]),
        "goods": st.floats(0, 3),
        "talent": st.floats(0, 3),
        "labour": st.floats(0, 3),
        "capital": st.floats(0, 3),
        "technology": st.floats(0, 2),
        "settlement_rate": st.floats(0, 0.5),
    }
)
PARAMS = st.fixed_dictionaries(
    {
        "migration_elasticity_talent": st.floats(0.5, 4),
        "migration_elasticity_labour": st.floats(0.5, 4),
        "rechoice_rate": st.floats(0.05, 0.5),
        "settlement_rate": st.floats(0, 0.3),
        "investment_elasticity": st.floats(0.5, 3),
        "tfp_shock_sd": st.floats(0, 0.05),
        "stochastic": st.booleans(),
    }
)


class _Accounting(YREBModel):
    """Records the quantities needed to check the capital identity each year."""

    def step(self):
        before = self.capital.copy()
        super().step()
        self.last_identity = (before, self.capital.copy())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy=POLICY, params=PARAMS, park=st.booleans(), enclave=st.booleans())
def test_conservation_under_random_barriers_and_parameters(policy, params, park, enclave):
    policies = [policy]
    if park:
        policies.append({"type": "co_built_park", "start": 2016, "sponsor": "Shanghai", "host": "Anhui"})
    if enclave:
        policies.append({"type": "innovation_enclave", "start": 2016, "home": "Guizhou", "hub": "Zhejiang"})
    scenario = scenario_from({"end_year": 2021, "parameters": params, "policies": policies})
    model = _Accounting(scenario, replication=1)
    people = model.talent_stock.sum() + model.labour_stock.sum()
    for _ in model.years:
        row = model.year - model.years[0]
        model.step()
        out = model.last_outputs
        # people exactly: the year's natural change is the only source or sink
        people += int(model.records["natural_change_persons"][row].sum())
        assert model.talent_stock.sum() + model.labour_stock.sum() == people
        assert (model.talent_stock >= 0).all() and (model.labour_stock >= 0).all()
        # capital identity K' = (1 - delta) K + I (real investment)
        before, after = model.last_identity
        investment = out["investment_100m_yuan"].sum()
        np.testing.assert_allclose(after.sum(), (1 - model.params.depreciation) * before.sum() + investment, rtol=1e-10)
        # national accounts: income of residents = value added; the national GDP deflator is 1
        np.testing.assert_allclose(out["income_100m_yuan"].sum(), out["gdp_nominal_100m_yuan"].sum(), rtol=1e-9)
        np.testing.assert_allclose(out["gdp_nominal_100m_yuan"].sum(), out["gdp_100m_yuan"].sum(), rtol=1e-9)
        np.testing.assert_allclose(out["gdp_attributed_100m_yuan"].sum(), out["gdp_100m_yuan"].sum(), rtol=1e-10)
        # each region's spending minus its output is its trade deficit with the other regions
        np.testing.assert_allclose(
            out["income_100m_yuan"] - out["gdp_nominal_100m_yuan"],
            out["imports_from_regions_100m_yuan"] - out["exports_to_regions_100m_yuan"],
            rtol=1e-8,
            atol=1e-6 * out["gdp_nominal_100m_yuan"].max(),
        )


def test_logit_shares_rows_sum_to_one_and_follow_attractiveness():
    deterrence = np.array([[1.0, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 1.0]])
    shares = k.logit_shares(deterrence, np.array([1.0, 2.0, 1.0]), 1.0)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    np.testing.assert_allclose(shares[0], np.array([1.0, 1.0, 0.25]) / 2.25)


def test_rounding_keeps_row_sums_exact():
    rng = np.random.default_rng(0)
    target = rng.random((7, 7)) * 1e6
    target *= np.round(target.sum(axis=1, keepdims=True)) / target.sum(axis=1, keepdims=True)
    rounded = k.round_rows_preserving_sums(target)
    assert (rounded.sum(axis=1) == np.round(target.sum(axis=1))).all()
    assert np.abs(rounded - target).max() <= 1.0


def test_settlement_keeps_residents_and_total():
    stock = np.array([[100, 20, 5], [10, 200, 0], [3, 7, 50]], dtype=np.int64)
    settled = k.settle(stock, 0.5, None)
    assert (settled.sum(axis=0) == stock.sum(axis=0)).all()
    assert settled[0, 1] == 10 and settled[2, 1] == 3 and settled[1, 1] == 214  # rint(3.5) = 4


def test_worker_cap_sends_excess_to_host_economy():
    workers = k.allocate_workers(
        np.array([1.0, 1.0, 2.0]), np.array([0, 1, 0]), np.array([30.0, 10.0]), np.array([np.inf, np.inf, 5.0])
    )
    np.testing.assert_allclose(workers, [25.0, 10.0, 5.0])


def test_haversine_matches_reference_distance():
    """Shanghai-Nanjing 269.7 km in the reference data (capital_distances.csv)."""
    d = k.haversine_km(np.array([121.473662, 118.796682]), np.array([31.230372, 32.05957]))
    assert d[0, 1] == pytest.approx(269.7, abs=0.1)


def test_in_place_cost_kernels_equal_their_equations_bit_for_bit():
    """haversine_km, trade_deterrence, migration_cost, deterrence, round_rows_preserving_sums, logit_shares,
    expected_utility and transfer_coefficients work in place to keep few N x N arrays alive at large N; each
    equals its MODEL.md equation written as plain numpy expressions, bit for bit (scalar barrier level, and
    one level per sector; attractiveness per destination and per pair)."""
    rng = np.random.default_rng(3)
    n = 9
    lon, lat = rng.uniform(100, 122, n), rng.uniform(24, 34, n)
    rlon, rlat = np.radians(lon), np.radians(lat)
    hav = (
        np.sin((rlat[None, :] - rlat[:, None]) / 2) ** 2
        + np.cos(rlat)[:, None] * np.cos(rlat)[None, :] * np.sin((rlon[None, :] - rlon[:, None]) / 2) ** 2
    )
    assert np.array_equal(k.haversine_km(lon, lat), 2.0 * k.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(hav, 0, 1))))
    distance = k.haversine_km(lon, lat)
    border = (rng.random((n, n)) < 0.5).astype(float)
    internal, costs = rng.uniform(10, 50, n), np.array([0.4, 0.9, 1.3])
    for level in (0.7, rng.uniform(0, 1, (3, 1, 1)), rng.uniform(0, 1, (1, n, n))):
        d = distance.copy()
        np.fill_diagonal(d, internal)
        expected = np.exp(-4.3 * (1.1 * np.log(d)[None] + costs[:, None, None] * (level * border)))
        assert np.array_equal(k.trade_deterrence(distance, internal, border, costs, level, 1.1, 4.3), expected)
    level = rng.uniform(0, 1, (n, n))
    mu = (1.0 + distance / 300.0) ** 1.3 * np.exp(0.8 * level * border)
    np.fill_diagonal(mu, 1.0)
    assert np.array_equal(k.migration_cost(distance, border, 0.8, level, 300.0, 1.3), mu)
    cost = k.migration_cost(distance, border, 0.8, level, 300.0, 1.3)
    assert np.array_equal(k.deterrence(cost.copy(), 2.5, out=cost), mu ** (-2.5))
    target = rng.random((n, n)) * 1e4
    running = np.rint(np.cumsum(target, axis=1)).astype(np.int64)
    assert np.array_equal(k.round_rows_preserving_sums(target), np.diff(running, axis=1, prepend=0))
    assert np.array_equal(
        k.round_rows_preserving_sums(target.T),
        np.diff(np.rint(np.cumsum(target.T, axis=1)).astype(np.int64), axis=1, prepend=0),
    )
    for attractiveness in (rng.uniform(0.5, 2, n), rng.uniform(0.5, 2, (n, n))):
        for kappa in (1.5, 2.0):  # 2.0 takes numpy's squaring shortcut
            weights = mu * (attractiveness / attractiveness.max()) ** kappa
            assert np.array_equal(k.logit_shares(mu, attractiveness, kappa), weights / weights.sum(1, keepdims=True))
            utility = (mu * attractiveness**kappa).sum(axis=1) ** (1.0 / kappa)
            assert np.array_equal(k.expected_utility(mu, attractiveness, kappa), utility)
    net_outflow, value_added = rng.uniform(-0.2, 0.2, n), rng.uniform(1e3, 1e5, n)
    share = net_outflow - (net_outflow * value_added).sum() / value_added.sum()
    pay, receive = np.maximum(share, 0.0), np.maximum(-share, 0.0) * value_added
    expected = (receive / receive.sum())[:, None] * pay[None, :] - np.diag(pay)
    assert np.array_equal(k.transfer_coefficients(net_outflow, value_added), expected)
