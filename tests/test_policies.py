"""Each policy type: direction and accounting of its effect against the baseline with the same seeds."""

from __future__ import annotations

import sys
from typing import Literal, get_args, get_origin

import annotated_types as at
import numpy as np
import pandas as pd
import pytest

import yreb.policies.base as policy_base
from helpers import BELT, ROOT, belt_total, run_frame, scenario_from
from yreb.inputs.scenario import load_scenario
from yreb.model import kernels as k
from yreb.model.model import YREBModel
from yreb.policies import REGISTRY, SECTORS, PolicyBase, PolicyContext, PolicyState, ResolvedPolicies, unit_field
from yreb.policies.barrier import BarrierPolicy

MEAN_FIELD = {"stochastic": False}
END = 2030


@pytest.fixture(scope="module")
def baseline():
    return run_frame({"end_year": END, "parameters": MEAN_FIELD})


def with_policies(*policies, parameters=MEAN_FIELD, **extra):
    return run_frame({"end_year": END, "parameters": parameters, "policies": list(policies), **extra})


# --- every registered policy type ------------------------------------------------------------------------


def _in_range(info, share: float = 0.3):
    """A value ``share`` of the way through a numeric field's range (whole for integer fields)."""
    lo = hi = None
    for m in info.metadata:
        if isinstance(m, at.Ge | at.Gt):
            lo = m.ge if isinstance(m, at.Ge) else m.gt
        elif isinstance(m, at.Le | at.Lt):
            hi = m.le if isinstance(m, at.Le) else m.lt
    lo = 0.0 if lo is None else lo
    hi = lo + 1.0 if hi is None else hi
    value = lo + share * (hi - lo)
    return round(value) if int in get_args(info.annotation) or info.annotation is int else value


def policy_document(kind: str, start: int = 2020, end: int = 2024, levers: bool = True) -> dict:
    """A document of policy type ``kind`` built from its declarations alone: its region fields name distinct
    belt regions, its group is the belt, choices take their last option, and every other field is either a
    value 30% into its range (``levers``: moves every lever off the status quo) or, when it has one, its
    default (required fields always get the in-range value)."""
    cls = REGISTRY[kind]
    doc = {"type": kind, "start": start, "end": end}
    regions = iter(BELT)
    for name, info in cls.model_fields.items():
        if name in PolicyBase.model_fields or name == "type":
            continue
        if name in cls.region_fields:
            doc[name] = next(regions)
        elif name == cls.group_field:
            doc[name] = "belt"
        elif get_origin(info.annotation) is Literal:
            doc[name] = get_args(info.annotation)[-1]
        elif levers or info.is_required():
            doc[name] = _in_range(info)
        else:
            doc[name] = info.default
    return doc


def _compile(policy: PolicyBase, year: int) -> PolicyState:
    n = len(BELT)
    members = [np.arange(n) if policy.group_field else None]
    index = {name: i for i, name in enumerate(BELT)}
    value_added = np.full((3, n), 1000.0) * np.arange(1, n + 1)  # regions of different sizes
    return ResolvedPolicies([policy], members).state(year, n, 0.05, 0.0125, np.full(n, 1000.0), value_added, index)


def _same(a: PolicyState, b: PolicyState) -> bool:
    arrays = lambda state: [
        array for value in vars(state).values() for array in (value.values() if isinstance(value, dict) else [value])
    ]
    return all(np.array_equal(x, y) for x, y in zip(arrays(a), arrays(b), strict=True))


@pytest.mark.parametrize("kind", list(REGISTRY))
def test_every_policy_type_validates_with_its_defaults(kind):
    """Only the required fields given: the document is accepted, and every default is inside its own range."""
    cls = REGISTRY[kind]
    required = cls.model_validate(policy_document(kind, levers=False), strict=True)
    defaults = {name: getattr(required, name) for name in cls.model_fields}
    assert cls.model_validate(defaults, strict=True) == required


@pytest.mark.parametrize("kind", list(REGISTRY))
def test_every_policy_type_moves_the_state_only_while_in_force(kind):
    """Built from its declarations, each type leaves the status quo before it starts, changes the year's
    PolicyState while in force, and leaves it again after it ends (a unit outlasting the policy stays)."""
    policy = REGISTRY[kind].model_validate(policy_document(kind, start=2020, end=2024), strict=True)
    resolved = ResolvedPolicies([policy], [None])
    status_quo = PolicyState.status_quo(len(BELT), 0.05, 0.0125, len(resolved.parks), len(resolved.enclaves))
    assert _same(_compile(policy, 2019), status_quo)
    for year in (2020, 2024):
        assert not _same(_compile(policy, year), status_quo), year
    assert _same(_compile(policy, 2025), status_quo) != policy.unit_outlasts_end


def test_every_policy_type_has_a_behaviour_test():
    """Each registered type has its own test of its effect on the model's outputs, named test_<type>_..."""
    names = [name for name in vars(sys.modules[__name__]) if name.startswith("test_")]
    missing = [kind for kind in REGISTRY if not any(name.startswith(f"test_{kind}_") for name in names)]
    assert missing == [], f"no test_<type>_... behaviour test for {missing}"


def test_a_new_policy_class_registers_itself_and_declarations_are_checked(monkeypatch):
    """Defining a PolicyBase subclass registers it under its type; a field without a unit, a duplicate type or
    a declared region field it does not have is an error at import time."""
    monkeypatch.setattr(policy_base, "REGISTRY", dict(REGISTRY))

    class CurfewPolicy(PolicyBase):
        type: Literal["curfew"]
        group_field = "regions"
        regions: str = unit_field("belt", "group or regions", "where")
        share: float = unit_field(0.5, "1", "share of the distance added", ge=0, le=1)

        def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
            state.distance_factor[np.ix_(ctx.members, ctx.members)] *= 1.0 + s * self.share

    assert policy_base.REGISTRY["curfew"] is CurfewPolicy and "curfew" not in REGISTRY
    curfew = CurfewPolicy.model_validate({"type": "curfew", "start": 2020})
    assert _compile(curfew, 2020).distance_factor.max() == 1.5
    with pytest.raises(TypeError, match="without a unit"):

        class NoUnit(PolicyBase):
            type: Literal["no_unit"]
            level: float = 1.0

            def apply(self, state, s, ctx):
                pass

    with pytest.raises(TypeError, match="already"):

        class Twice(PolicyBase):
            type: Literal["curfew"]

            def apply(self, state, s, ctx):
                pass

    with pytest.raises(TypeError, match="does not have: hub"):

        class Missing(PolicyBase):
            type: Literal["missing"]
            region_fields = ("hub",)

            def apply(self, state, s, ctx):
                pass


def test_strength_ramps_linearly_and_ends():
    policy = BarrierPolicy(type="barrier", start=2020, end=2032, ramp_years=10)
    assert [policy.strength(y) for y in (2019, 2020, 2025, 2030, 2032, 2033)] == [0, 0, 0.5, 1, 1, 0]


def test_policy_starting_2025_leaves_earlier_years_identical():
    """Stochastic runs, same seed: every output before 2025 is bit-identical to the baseline."""
    doc = {"end_year": 2028}
    base = YREBModel(scenario_from(doc), replication=2).run().results_frame()
    full = [
        {"type": "barrier", "start": 2025, "talent": 0, "labour": 0, "capital": 0, "technology": 0},
        {"type": "co_built_park", "start": 2025, "sponsor": "Jiangsu", "host": "Anhui"},
        {"type": "innovation_enclave", "start": 2025, "home": "Jiangxi", "hub": "Shanghai"},
        {"type": "east_west_pairing", "start": 2025, "east": "Zhejiang", "west": "Sichuan"},
        {"type": "talent_recognition", "start": 2025, "regions": "downstream"},
        {"type": "transport_link", "start": 2025, "regions": ["Hubei", "Hunan"]},
        {"type": "land_quota", "start": 2025, "regions": "upstream", "growth_rate": 0.05},
        {"type": "industrial_chain", "start": 2025, "regions": CHAIN, "lead": "Chongqing", "scale_elasticity": 0.02},
        {"type": "green_cooperation_zone", "start": 2025, "regions": ZONE},
        {"type": "emission_intensity_target", "start": 2025, "regions": "belt"},
    ]
    policy = YREBModel(scenario_from({**doc, "policies": full}), replication=2).run().results_frame()
    early = base.year < 2025
    assert base[early].equals(policy[early])
    assert not np.allclose(base[base.year == 2026].value, policy[policy.year == 2026].value)


def test_barrier_removal_raises_belt_gdp_and_migrant_stocks(baseline):
    frame = with_policies(
        {
            "type": "barrier",
            "start": 2020,
            "regions": "belt",
            "goods": 0,
            "talent": 0,
            "labour": 0,
            "capital": 0,
            "technology": 0,
        }
    )
    gdp_gain = belt_total(frame, "gdp_100m_yuan") / belt_total(baseline, "gdp_100m_yuan") - 1
    migrants = belt_total(frame, "migrant_stock_persons") / belt_total(baseline, "migrant_stock_persons") - 1
    imports = (
        belt_total(frame, "imports_from_regions_100m_yuan") / belt_total(baseline, "imports_from_regions_100m_yuan") - 1
    )
    print(
        f"\nbarriers removed, {END}: belt GDP {gdp_gain.loc[END]:+.2%}, migrants {migrants.loc[END]:+.2%}, "
        f"imports from other regions {imports.loc[END]:+.2%}"
    )
    assert gdp_gain.loc[2019] == 0 and migrants.loc[2019] == 0
    assert gdp_gain.loc[END] > 0.005
    assert migrants.loc[END] > 0.05  # slow: 2% of people re-choose a year (calibrated to census moves)
    assert imports.loc[END] > 0.05


def test_barrier_on_subregion_only_changes_pairs_inside_it(baseline):
    scenario = scenario_from(
        {"end_year": 2021, "policies": [{"type": "barrier", "start": 2016, "regions": "downstream", "labour": 0.0}]}
    )
    state = scenario.policies.state(
        2016,
        scenario.table.n,
        0.05,
        0.0125,
        scenario.table.land_area_km2,
        scenario.table.value_added_100m_yuan,
        {n: i for i, n in enumerate(scenario.table.names)},
    )
    down = scenario.groups["downstream"]
    level = state.barrier_level["labour"]
    assert (level[np.ix_(down, down)] == 0).all()
    assert level.sum() == level.size - len(down) ** 2
    assert (state.barrier_level["talent"] == 1).all()


def test_co_built_park_raises_host_gdp_mostly_through_capital_and_split_reverts(baseline):
    park = {
        "type": "co_built_park",
        "start": 2018,
        "sponsor": "Jiangsu",
        "host": "Anhui",
        "land_km2": 200,
        "statistical_split": 0.3,
        "split_years": 5,
    }
    frame = with_policies(park)
    gdp = frame["gdp_100m_yuan"]["Anhui"] / baseline["gdp_100m_yuan"]["Anhui"] - 1
    capital = frame["capital_installed_100m_yuan"]["Anhui"] / baseline["capital_installed_100m_yuan"]["Anhui"] - 1
    assert gdp.loc[2017] == 0
    assert gdp.loc[END] > 0.002 and capital.loc[END] > 0.002
    # growth accounting: alpha dlnK explains a large part of the host's gain (the rest: management transplant)
    capital_part = 0.45 * np.log1p(capital.loc[END]) / np.log1p(gdp.loc[END])
    print(
        f"\npark: host GDP {gdp.loc[END]:+.2%}, capital {capital.loc[END]:+.2%},",
        f"capital share of gain {capital_part:.0%}",
    )
    assert capital_part > 1 / 3
    park_gdp = frame["park_gdp_100m_yuan"]["Anhui"]
    split = frame["gdp_100m_yuan"]["Anhui"] - frame["gdp_attributed_100m_yuan"]["Anhui"]
    np.testing.assert_allclose(split.loc[2018:2022], 0.3 * park_gdp.loc[2018:2022], rtol=1e-9)
    np.testing.assert_allclose(split.loc[2023:], 0.0, atol=1e-6)
    sponsor_split = frame["gdp_attributed_100m_yuan"]["Jiangsu"] - frame["gdp_100m_yuan"]["Jiangsu"]
    np.testing.assert_allclose(sponsor_split, split, atol=1e-6)
    assert frame["construction_land_km2"]["Anhui"].loc[2018] == pytest.approx(
        baseline["construction_land_km2"]["Anhui"].loc[2018], rel=1e-12
    )  # land moves into the park


def test_innovation_enclave_raises_home_knowledge_and_lowers_hub_production_talent(baseline):
    enclave = {"type": "innovation_enclave", "start": 2020, "home": "Jiangxi", "hub": "Shanghai", "researchers": 3000}
    frame = with_policies(enclave)
    for variable in ("knowledge_stock", "tfp"):
        change = frame[variable]["Jiangxi"] / baseline[variable]["Jiangxi"] - 1
        assert change.loc[2019] == 0 and change.loc[END] > 0.005, variable
    researchers_hub = frame["researchers_persons"]["Shanghai"] - baseline["researchers_persons"]["Shanghai"]
    researchers_home = frame["researchers_persons"]["Jiangxi"] - baseline["researchers_persons"]["Jiangxi"]
    assert researchers_hub.loc[2020] == pytest.approx(-3000, abs=30)
    assert researchers_home.loc[2020] == pytest.approx(3000, abs=30)
    # the home region pays: its income falls relative to its output
    ratio = frame["income_100m_yuan"]["Jiangxi"] / frame["gdp_nominal_100m_yuan"]["Jiangxi"]
    base_ratio = baseline["income_100m_yuan"]["Jiangxi"] / baseline["gdp_nominal_100m_yuan"]["Jiangxi"]
    assert ratio.loc[2020] < base_ratio.loc[2020]


def test_enclave_ends_and_is_removed():
    scenario = scenario_from(
        {
            "end_year": 2024,
            "parameters": MEAN_FIELD,
            "policies": [
                {"type": "innovation_enclave", "start": 2017, "end": 2019, "home": "Jiangxi", "hub": "Shanghai"}
            ],
        }
    )
    model = YREBModel(scenario)
    counts = []
    for _ in model.years:
        model.step()
        counts.append(len(model.enclaves))
    assert counts == [0, 0, 1, 1, 1, 0, 0, 0, 0, 0]


def test_east_west_pairing_moves_committed_investment_west(baseline):
    pairing = {
        "type": "east_west_pairing",
        "start": 2020,
        "east": "Zhejiang",
        "west": "Sichuan",
        "investment_100m_yuan_per_year": 300,
        "barrier_level": 1.0,
    }
    frame = with_policies(pairing)
    inflow = (
        frame["investment_from_outside_100m_yuan"]["Sichuan"] - baseline["investment_from_outside_100m_yuan"]["Sichuan"]
    )
    assert inflow.loc[2019] == 0
    assert inflow.loc[2020] == pytest.approx(300, rel=0.05)
    assert (
        frame["capital_installed_100m_yuan"]["Sichuan"].loc[END]
        > baseline["capital_installed_100m_yuan"]["Sichuan"].loc[END]
    )


def test_talent_recognition_raises_talent_flows_inside_the_group(baseline):
    policy = {
        "type": "talent_recognition",
        "start": 2020,
        "regions": "g60",
        "talent_barrier_cut": 0.8,
        "settlement_increase": 0.0,
    }
    frame = with_policies(policy, groups={"g60": ["Shanghai", "Jiangsu", "Zhejiang", "Anhui"]})
    g60 = ["Shanghai", "Jiangsu", "Zhejiang", "Anhui"]
    stock = frame["talent_migrant_stock_persons"][g60].sum(axis=1)
    base = baseline["talent_migrant_stock_persons"][g60].sum(axis=1)
    print(f"\ntalent recognition: G60 talent migrant stock {stock.loc[END] / base.loc[END] - 1:+.2%} ({END})")
    assert stock.loc[2019] == base.loc[2019] and stock.loc[END] > 1.02 * base.loc[END]
    labour = frame["migrant_stock_persons"][g60].sum(axis=1) - stock
    base_labour = baseline["migrant_stock_persons"][g60].sum(axis=1) - base
    assert abs(labour.loc[END] / base_labour.loc[END] - 1) < 0.01  # labour barriers untouched


def test_cost_cut_of_trade_costs_raises_trade_and_real_income(baseline):
    """Tombe & Zhu's experiment: every component of the trade cost among the belt's regions falls by 18%."""
    frame = with_policies({"type": "cost_cut", "start": 2020, "regions": "belt", "goods": 0.18})
    imports = (
        belt_total(frame, "imports_from_regions_100m_yuan") / belt_total(baseline, "imports_from_regions_100m_yuan") - 1
    )
    real_income = belt_total(frame, "real_income_100m_yuan") / belt_total(baseline, "real_income_100m_yuan") - 1
    assert imports.loc[2019] == 0 and real_income.loc[2019] == 0
    assert imports.loc[2020] > 0.05 and real_income.loc[2020] > 0
    weights = baseline["population_persons"][BELT].loc[2020]
    price = lambda f: (f["goods_price_index"][BELT].loc[2020] * weights).sum() / weights.sum()  # noqa: E731
    assert price(frame) < price(baseline)  # cheaper imports lower the belt's goods prices on average


def test_transport_link_raises_migration_between_linked_regions(baseline):
    frame = with_policies(
        {"type": "transport_link", "start": 2020, "regions": ["Hubei", "Hunan", "Jiangxi"], "distance_reduction": 0.5}
    )
    linked = ["Hubei", "Hunan", "Jiangxi"]
    assert (
        frame["migrant_stock_persons"][linked].sum(axis=1).loc[END]
        > 1.05 * baseline["migrant_stock_persons"][linked].sum(axis=1).loc[END]
    )


def test_land_quota_paths_and_cap(baseline):
    frame = with_policies(
        {"type": "land_quota", "start": 2020, "regions": ["Sichuan"], "growth_rate": 0.03},
        {"type": "land_quota", "start": 2020, "regions": ["Jiangsu"], "growth_rate": 0.05, "cap_share_of_area": 0.26},
    )
    land = frame["construction_land_km2"]
    assert land["Sichuan"].loc[2021] / land["Sichuan"].loc[2020] == pytest.approx(1.03)
    assert land["Jiangsu"].loc[END] == pytest.approx(0.26 * 102600, rel=1e-9)  # cap binds
    assert (land["Jiangsu"] <= 0.26 * 102600 * (1 + 1e-12)).all()
    assert land["Yunnan"].equals(baseline["construction_land_km2"]["Yunnan"])


def test_every_policy_type_keeps_accounts_closed():
    """People exactly, income = output, attribution = output, with all policy types at once (stochastic)."""
    scenario = scenario_from(
        {
            "end_year": 2026,
            "groups": {"corner": ["Hubei", "Hunan", "Jiangxi"]},
            "policies": [
                {"type": "barrier", "start": 2016, "ramp_years": 4, "talent": 0, "labour": 0.5, "capital": 0.2},
                {"type": "co_built_park", "start": 2017, "sponsor": "Shanghai", "host": "Anhui", "split_years": 3},
                {"type": "co_built_park", "start": 2018, "sponsor": "Jiangsu", "host": "Anhui", "end": 2022},
                {
                    "type": "innovation_enclave",
                    "start": 2016,
                    "home": "Guizhou",
                    "hub": "Zhejiang",
                    "wages_paid_by": "hub",
                },
                {"type": "east_west_pairing", "start": 2019, "east": "Zhejiang", "west": "Sichuan"},
                {"type": "talent_recognition", "start": 2016, "regions": "corner"},
                {"type": "transport_link", "start": 2016, "regions": "corner"},
                {
                    "type": "industrial_chain",
                    "start": 2017,
                    "regions": CHAIN,
                    "lead": "Sichuan",
                    "scale_elasticity": 0.02,
                },
                {"type": "green_cooperation_zone", "start": 2016, "regions": "corner", "compensation_share": 0.002},
                {"type": "emission_intensity_target", "start": 2018, "regions": "downstream", "until": 2022},
                {
                    "type": "land_quota",
                    "start": 2016,
                    "regions": "upstream",
                    "growth_rate": 0.02,
                    "cap_share_of_area": 0.05,
                },
            ],
        }
    )
    model = YREBModel(scenario, replication=5)
    people = model.total_people
    for _ in model.years:
        row = model.year - model.years[0]
        model.step()
        out = model.last_outputs
        people += int(model.records["natural_change_persons"][row].sum())
        assert model.talent_stock.sum() + model.labour_stock.sum() == people
        np.testing.assert_allclose(out["income_100m_yuan"].sum(), out["gdp_nominal_100m_yuan"].sum(), rtol=1e-9)
        np.testing.assert_allclose(out["gdp_attributed_100m_yuan"].sum(), out["gdp_100m_yuan"].sum(), rtol=1e-10)
        assert abs(out["policy_transfer_100m_yuan"].sum()) < 1e-9 * out["gdp_nominal_100m_yuan"].sum()
    assert len(model.parks) == 2 and all(p.gdp_100m_yuan > 0 for p in model.parks.values())


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_runs(path):
    scenario = load_scenario(path, replications=1)
    model = YREBModel(scenario).run()
    assert model.year == scenario.spec.end_year + 1
    gdp = model.records["gdp_100m_yuan"]
    assert np.isfinite(gdp).all() and (gdp > 0).all()


# --- chain, green zone, intensity target ---------------------------------------------------------------------

CHAIN = ["Sichuan", "Chongqing"]
CHAIN_POLICY = {"type": "industrial_chain", "start": 2020, "regions": CHAIN, "lead": "Chongqing", "sector": "secondary"}
ZONE = ["Hubei", "Hunan", "Jiangxi"]


def sector_trade(doc: dict) -> tuple[pd.DataFrame, np.ndarray]:
    """Run a scenario (mean-field, to END) and return its outputs and its yearly trade flows by sector
    (years x S x exporter x importer, current prices), from each year's goods-market equilibrium."""
    model = YREBModel(scenario_from({"end_year": END, "parameters": MEAN_FIELD, **doc}))
    solve, flows = model.market_equilibrium, []

    def capture(*args):
        e = solve(*args)
        cal, theta = model.calibration, model.params.trade_elasticity
        pi = k.trade_shares(cal.trade_weight, e.sales / e.real_output, model._costs["goods"], theta)
        flows.append(pi * (cal.spending_share * e.income[None, :])[:, None, :])
        return e

    model.market_equilibrium = capture
    model.run()
    frame = model.results_frame().pivot_table(index="year", columns=["variable", "region"], values="value")
    return frame, np.array(flows)


def test_industrial_chain_raises_members_sector_trade_and_output(baseline):
    """Sichuan-Chongqing chain in the secondary sector led by Chongqing: members' secondary trade with each
    other and their combined secondary output rise; the lead's investment in the other member rises. (Each
    member's own output need not rise: the lead's capital moves to the other member, and cheaper trade shifts
    production between them.)"""
    base_frame, base_flows = sector_trade({})
    frame, flows = sector_trade({"policies": [CHAIN_POLICY]})
    index = {name: i for i, name in enumerate(load_scenario(ROOT / "scenarios" / "baseline.toml").table.names)}
    m = [index[r] for r in CHAIN]
    others = [i for i in range(len(index)) if i not in m]
    sec, year = SECTORS.index("secondary"), END - 2015
    pair = lambda f: f[:, sec, m[0], m[1]] + f[:, sec, m[1], m[0]]  # noqa: E731
    assert np.array_equal(pair(flows)[:5], pair(base_flows)[:5])
    members_trade = pair(flows)[year] / pair(base_flows)[year] - 1
    secondary = frame["va_secondary_100m_yuan"][CHAIN].loc[END]
    base_secondary = base_frame["va_secondary_100m_yuan"][CHAIN].loc[END]
    output = secondary / base_secondary - 1
    imports = flows[:, sec][:, m][:, :, others].sum(axis=1) / base_flows[:, sec][:, m][:, :, others].sum(axis=1) - 1
    print(
        f"\nchain {END}: members' secondary trade {members_trade:+.2%}; secondary output "
        + ", ".join(f"{r} {v:+.3%}" for r, v in output.items())
        + f" (together {secondary.sum() / base_secondary.sum() - 1:+.3%}); non-members' secondary imports from "
        f"members {imports[year].min():+.4%} to {imports[year].max():+.4%}"
    )
    assert members_trade > 0.05 and secondary.sum() > base_secondary.sum()
    assert (imports[:5] == 0).all()
    received = frame["investment_from_outside_100m_yuan"]["Sichuan"]
    assert received.loc[END] > baseline["investment_from_outside_100m_yuan"]["Sichuan"].loc[END]


@pytest.mark.xfail(
    reason="trade diversion: the chain's intra-member demand bids up members' factor costs, so with the goods "
    "lever alone non-members buy about 1% less of members' secondary goods (2020: -0.8% to -1.3%); the lead's "
    "capital lever outweighs it from about 2025 (docs/MODEL.md 7.1)",
    strict=False,
)
def test_industrial_chain_does_not_lower_non_members_sector_imports_from_members():
    names = list(load_scenario(ROOT / "scenarios" / "baseline.toml").table.names)
    m = [names.index(r) for r in CHAIN]
    others = [i for i in range(len(names)) if i not in m]
    _, base_flows = sector_trade({})
    _, flows = sector_trade({"policies": [CHAIN_POLICY]})
    sec = SECTORS.index("secondary")
    imports = flows[:, sec][:, m][:, :, others].sum(axis=1) / base_flows[:, sec][:, m][:, :, others].sum(axis=1) - 1
    assert (imports > -1e-9).all(), imports.min(axis=1).round(4)


def test_industrial_chain_scale_raises_members_sector_tfp_by_the_chain_scale(baseline):
    chain = {"type": "industrial_chain", "start": 2020, "regions": CHAIN, "lead": "Chongqing"}
    off = with_policies(chain)
    on = with_policies({**chain, "scale_elasticity": 0.02})
    table = load_scenario(ROOT / "scenarios" / "baseline.toml").table
    va = table.value_added_100m_yuan[SECTORS.index("secondary"), [table.index(r) for r in CHAIN]]
    ratio = on["tfp"][CHAIN].loc[2020] / off["tfp"][CHAIN].loc[2020]
    np.testing.assert_allclose(ratio, (va.sum() / va) ** 0.02, rtol=1e-12)  # tfp is the secondary sector's


def test_green_cooperation_zone_cuts_members_intensity_by_the_policy_and_compensation_sums_to_zero(baseline):
    zone = {"type": "green_cooperation_zone", "start": 2020, "regions": ZONE, "secondary_intensity_cut": 0.1}
    frame = with_policies(zone)
    intensity = lambda f: f["co2_secondary_Mt"] / f["va_secondary_100m_yuan"]  # noqa: E731
    ratio = intensity(frame) / intensity(baseline)
    np.testing.assert_allclose(ratio[ZONE].loc[2020:], 0.9, rtol=1e-12)
    np.testing.assert_allclose(ratio.drop(columns=ZONE).loc[2020:], 1.0, rtol=1e-12)
    assert (ratio.loc[:2019] == 1).all().all()
    co2_per_gdp = frame["co2_per_10k_yuan_gdp"][ZONE] / baseline["co2_per_10k_yuan_gdp"][ZONE]
    assert (co2_per_gdp.loc[2020:] < 1).all().all()
    transfer = frame["policy_transfer_100m_yuan"]
    np.testing.assert_allclose(transfer[ZONE].sum(axis=1), 0.0, atol=1e-9)
    assert (transfer.drop(columns=ZONE) == 0).all().all() and (transfer.loc[:2019] == 0).all().all()
    # every member pays 0.05% of its value added into a pool shared by land area: Hubei (largest value added
    # per km2) pays, Jiangxi (smallest) receives
    print(f"\ngreen zone {END}: net compensation received (100m yuan) {transfer[ZONE].loc[END].round(2).to_dict()}")
    assert transfer["Hubei"].loc[END] < 0 < transfer["Jiangxi"].loc[END]
    secondary = frame["va_secondary_100m_yuan"][ZONE].loc[2020] / baseline["va_secondary_100m_yuan"][ZONE].loc[2020]
    assert (secondary < 1).all()  # the standards' output cost


def test_emission_intensity_target_follows_its_path_and_leaves_the_economy_alone(baseline):
    target = {
        "type": "emission_intensity_target",
        "start": 2020,
        "regions": ["Jiangsu", "Zhejiang"],
        "annual_cut": 0.03,
        "until": 2024,
    }
    frame = with_policies(target)
    assert frame.drop(columns=[c for c in frame.columns if c[0].startswith("co2")]).equals(
        baseline.drop(columns=[c for c in baseline.columns if c[0].startswith("co2")])
    )
    ratio = frame["co2_Mt"] / baseline["co2_Mt"]
    years = np.arange(2015, END + 1)
    expected = 0.97 ** np.clip(np.minimum(years, 2024) - 2019, 0, None)
    np.testing.assert_allclose(ratio[["Jiangsu", "Zhejiang"]].to_numpy(), np.c_[expected, expected], rtol=1e-12)
    assert (ratio.drop(columns=["Jiangsu", "Zhejiang"]) == 1).all().all()
    households = with_policies({**target, "emitter": "households"})
    assert (households["co2_secondary_Mt"] == baseline["co2_secondary_Mt"]).all().all()
    assert households["co2_households_Mt"]["Jiangsu"].loc[END] == pytest.approx(
        0.97**5 * baseline["co2_households_Mt"]["Jiangsu"].loc[END], rel=1e-12
    )


def test_a_region_listed_twice_in_a_policy_is_a_clear_error():
    """Member lists must be distinct (a repeated member made the zone's compensation pay a region to itself)."""
    from yreb.errors import UserInputError

    policy = {"type": "green_cooperation_zone", "start": 2015, "regions": ["Shanghai", "Shanghai"]}
    with pytest.raises(UserInputError, match=r"policies\[0\]\.regions.*listed more than once.*'Shanghai'"):
        scenario_from({"end_year": 2016, "policies": [policy]})
