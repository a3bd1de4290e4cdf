"""Patterns model 2 must reproduce (docs/validation.md), and the sensitivity of policy effects to assumptions.

Every experiment compares a scenario with the baseline under the same parameters, in the mean-field
variant (``stochastic = false``: deterministic, so one run is the expected path) unless it says otherwise.
The tables of docs/validation.md are generated from these functions by ``tools/validation_docs.py``; the
tests in tests/test_patterns.py print each figure next to its target.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from yreb.inputs.economy import calibration_targets
from yreb.inputs.regions import load_region_table
from yreb.inputs.scenario import ResolvedScenario, parse_scenario, read_toml, resolve, shipped_folder, shipped_scenarios
from yreb.model.calibration import calibrate, calibrate_border_costs
from yreb.model.model import YREBModel
from yreb.model.parameters import ModelParameters, parameter_table
from yreb.policies import FACTORS

END_YEAR = 2035
START = 2020  # policies of the experiments start here, as in the shipped scenarios
DATA_START = 2015  # the base year of the shipped region table: fit_until = DATA_START is the unfitted baseline
REPLICATIONS = 10
COST_CUT = 0.18  # Tombe & Zhu (2019): inter-provincial migration costs fell about 18% in 2000-05 (model 1's figure)
# Alder, Shao & Zilibotti (2016): a state-level zone raises its city's GDP by about 20% (a level effect)
ZONE_CITY_EFFECT = 0.20
PARK_YEARS = 10
# the host city's share of its province: Anhui has 16 prefecture-level units in the reference city list
HOST_PREFECTURES = 16
ENCLAVE_STAFF = (1, 500, 1000, 2000, 4000, 8000)
NET_MIGRATION_TOLERANCE = 0.25  # MODEL_V2 pattern: the belt's base-year net migration within 25% of the census
# published range of capital-output ratios: China's 2010 capital stock 82-93 trillion yuan (Dragonomics, HSBC)
# over GDP of about 41 trillion gives 2.0-2.3; the all-asset perpetual-inventory stock reaches about 3 by 2015
CAPITAL_OUTPUT_RANGE = (2.0, 3.5)


# --- runs ------------------------------------------------------------------------------------------------


def shipped_document(name: str) -> dict:
    """The document of a shipped scenario (a copy to edit)."""
    data, _ = read_toml(shipped_folder() / f"{name}.toml")
    return data


def resolve_document(doc: dict, parameters: dict | None = None, end_year: int = END_YEAR, stochastic=False):
    """A scenario document resolved with parameter overrides, its horizon and the mean-field switch."""
    doc = copy.deepcopy(doc)
    doc.setdefault("name", "pattern")
    doc["end_year"] = end_year
    doc["parameters"] = {**doc.get("parameters", {}), **(parameters or {}), "stochastic": stochastic}
    return resolve(parse_scenario(doc), shipped_folder())


def run(scenario: ResolvedScenario, replication: int = 0) -> YREBModel:
    """One replication of a resolved scenario (flows not recorded)."""
    return YREBModel(scenario, replication=replication, record_flows=False).run()


def baseline_document() -> dict:
    """The shipped baseline."""
    return shipped_document("baseline")


def with_policies(*policies: dict) -> dict:
    """The baseline document with these policies."""
    return {**baseline_document(), "name": "experiment", "policies": list(policies)}


@dataclass(frozen=True)
class Effects:
    """Effects of a scenario against the baseline, by year (percent of the baseline)."""

    years: np.ndarray
    national_gdp_pct: np.ndarray
    belt_gdp_pct: np.ndarray
    rest_gdp_pct: np.ndarray
    national_welfare_pct: np.ndarray
    national_real_income_pct: np.ndarray
    region_gdp_pct: pd.DataFrame  # year x region


def _weighted(model: YREBModel, variable: str, weight: str) -> np.ndarray:
    values, weights = model.records[variable], model.records[weight]
    return (values * weights).sum(axis=1) / weights.sum(axis=1)


def effects(policy: YREBModel, base: YREBModel) -> Effects:
    """Percent effects of ``policy`` against ``base`` on national, belt and rest-of-China totals, every year."""
    belt = base.table.in_belt

    def pct(variable: str, members: np.ndarray | None = None) -> np.ndarray:
        a, b = policy.records[variable], base.records[variable]
        if members is not None:
            a, b = a[:, members], b[:, members]
        return 100 * (a.sum(axis=1) / b.sum(axis=1) - 1)

    welfare = 100 * (
        _weighted(policy, "welfare_yuan", "registered_persons") / _weighted(base, "welfare_yuan", "registered_persons")
        - 1
    )
    regions = pd.DataFrame(
        100 * (policy.records["gdp_100m_yuan"] / base.records["gdp_100m_yuan"] - 1),
        index=pd.Index(base.years, name="year"),
        columns=list(base.table.names),
    )
    return Effects(
        np.array(base.years),
        pct("gdp_100m_yuan"),
        pct("gdp_100m_yuan", belt),
        pct("gdp_100m_yuan", ~belt),
        welfare,
        pct("real_income_100m_yuan"),
        regions,
    )


# --- pattern 1: removing a barrier does not lower national output or welfare ------------------------------------


@dataclass(frozen=True)
class BarrierRemoval:
    """The worst year's national effects of removing one barrier factor (or all) inside the belt."""

    factor: str
    mean_field_gdp_min_pct: float
    mean_field_welfare_min_pct: float
    stochastic_gdp_min_pct: float  # the mean over replications, its worst year
    stochastic_welfare_min_pct: float
    end_gdp_pct: float  # mean-field, END_YEAR
    end_belt_gdp_pct: float
    end_rest_gdp_pct: float
    end_welfare_pct: float


def barrier_removal(factor: str, replications: int = REPLICATIONS) -> BarrierRemoval:
    """Remove ``factor`` (a barrier factor, or "all") between the belt's provinces from 2020."""
    levels = {f: 0.0 for f in FACTORS} if factor == "all" else {factor: 0.0}
    policy_doc = with_policies({"type": "barrier", "start": START, "regions": "belt", **levels})
    mean_field = effects(run(resolve_document(policy_doc)), run(resolve_document(baseline_document())))
    gdp, welfare = [], []
    for r in range(replications):
        e = effects(
            run(resolve_document(policy_doc, stochastic=True), r),
            run(resolve_document(baseline_document(), stochastic=True), r),
        )
        gdp.append(e.national_gdp_pct)
        welfare.append(e.national_welfare_pct)
    after = mean_field.years >= START
    return BarrierRemoval(
        factor,
        float(mean_field.national_gdp_pct[after].min()),
        float(mean_field.national_welfare_pct[after].min()),
        float(np.mean(gdp, axis=0)[after].min()),
        float(np.mean(welfare, axis=0)[after].min()),
        float(mean_field.national_gdp_pct[-1]),
        float(mean_field.belt_gdp_pct[-1]),
        float(mean_field.rest_gdp_pct[-1]),
        float(mean_field.national_welfare_pct[-1]),
    )


# --- pattern 2: Tombe & Zhu, trade costs vs migration costs -------------------------------------------------


@dataclass(frozen=True)
class CostCut:
    """National effects of an 18% cut of trade or migration costs between all regions from 2020."""

    kind: str
    horizon_years: int
    real_income_pct: float
    gdp_pct: float
    welfare_pct: float
    dispersion_base: float  # population-weighted CV of real income per person across regions
    dispersion_policy: float


def real_income_dispersion(model: YREBModel, row: int) -> float:
    """Population-weighted coefficient of variation of real income per person across regions in a year."""
    income, population = model.records["real_income_per_capita_yuan"][row], model.records["population_persons"][row]
    mean = (income * population).sum() / population.sum()
    return float(np.sqrt((population * (income - mean) ** 2).sum() / population.sum()) / mean)


def cost_cut(kind: str, horizon_years: int, cut: float = COST_CUT) -> CostCut:
    """Cut every component of the trade (``kind="trade"``) or migration cost between every pair by ``cut``."""
    fields = {"goods": cut} if kind == "trade" else {"talent": cut, "labour": cut}
    end = START + horizon_years
    base = run(resolve_document(baseline_document(), end_year=end))
    policy = run(
        resolve_document(with_policies({"type": "cost_cut", "start": START, "regions": "all", **fields}), end_year=end)
    )
    e = effects(policy, base)
    return CostCut(
        kind,
        horizon_years,
        float(e.national_real_income_pct[-1]),
        float(e.national_gdp_pct[-1]),
        float(e.national_welfare_pct[-1]),
        real_income_dispersion(base, -1),
        real_income_dispersion(policy, -1),
    )


# --- pattern 3: base-year net migration -------------------------------------------------------------------


def base_year_net_migration() -> pd.DataFrame:
    """Net in-migration of every region in 2015 (persons/year, mean-field): the calibrated base year
    (``model``: no fitted years, 5.6), the census 2010-15 average it is calibrated to, and the history-fitted
    baseline (``fitted``: its 2015 moves give the observed 2016 residents, 7.12)."""

    def net_2015(history: dict):
        model = run(resolve_document({**baseline_document(), "history": history}, end_year=START))
        return model, model.records["net_migration_talent_persons"][0] + model.records["net_migration_labour_persons"][
            0
        ]

    model, calibrated = net_2015({"fit_until": DATA_START})
    _, fitted = net_2015({})
    table = model.table
    return pd.DataFrame(
        {
            "model": calibrated,
            "census": table.net_migration_persons_per_year,
            "fitted": fitted,
            "in_belt": table.in_belt,
        },
        index=pd.Index(table.names, name="region"),
    )


# --- pattern 4: enclave effect scales with staff ------------------------------------------------------------


def enclave_home_tfp_pct(staff: float, parameters: dict | None = None) -> float:
    """Jiangxi's TFP effect (%, END_YEAR) of an enclave of ``staff`` Jiangxi researchers in Shanghai from 2020."""
    policy = {
        "type": "innovation_enclave",
        "start": START,
        "home": "Jiangxi",
        "hub": "Shanghai",
        "researchers": float(staff),
    }
    base = run(resolve_document(baseline_document(), parameters))
    model = run(resolve_document(with_policies(policy), parameters))
    j = base.table.names.index("Jiangxi")
    return float(100 * (model.records["tfp"][-1, j] / base.records["tfp"][-1, j] - 1))


def enclave_scaling() -> dict[int, float]:
    """Home TFP effect by head-count."""
    return {staff: enclave_home_tfp_pct(staff) for staff in ENCLAVE_STAFF}


# --- pattern 5: co-built park on its host -------------------------------------------------------------------


@dataclass(frozen=True)
class ParkEffect:
    """The host's GDP and capital effects after PARK_YEARS years, and the capital channel's share."""

    host: str
    year: int
    host_gdp_pct: float
    host_capital_pct: float
    capital_contribution: float  # alpha dlnK / dlnY
    target_pct: float
    target_range_pct: tuple[float, float]


def park_effect(parameters: dict | None = None) -> ParkEffect:
    """The shipped Jiangsu-Anhui park (200 km2, from 2020) against the baseline."""
    doc = shipped_document("co_built_park_jiangsu_anhui")
    base = run(resolve_document(baseline_document(), parameters))
    model = run(resolve_document(doc, parameters))
    host = doc["policies"][0]["host"]
    j, row = base.table.names.index(host), START + PARK_YEARS - base.years[0]
    gdp = model.records["gdp_100m_yuan"][row, j] / base.records["gdp_100m_yuan"][row, j] - 1
    capital = (
        model.records["capital_installed_100m_yuan"][row, j] / base.records["capital_installed_100m_yuan"][row, j] - 1
    )
    alpha = model.params.capital_share
    target = 100 * ZONE_CITY_EFFECT / HOST_PREFECTURES
    return ParkEffect(
        host,
        START + PARK_YEARS,
        100 * gdp,
        100 * capital,
        float(alpha * np.log1p(capital) / np.log1p(gdp)),
        target,
        (target / 2, 2 * target),
    )


# --- pattern 6: capital-output ratios and returns -----------------------------------------------------------


def capital_output() -> pd.DataFrame:
    """Base-year capital-output ratio (2015 prices) and gross return alpha Y / K of every region."""
    table, params = load_region_table(), ModelParameters()
    ratio = table.capital_stock_100m_yuan / table.gdp_100m_yuan
    return pd.DataFrame(
        {"capital_output_ratio": ratio, "gross_return": params.capital_share / ratio},
        index=pd.Index(table.names, name="region"),
    )


# --- pattern 7: sensitivity of effects to the unpinned assumptions --------------------------------------------

SENSITIVITY_SCENARIOS = (
    "barriers_removed",
    "delta_integration",
    "co_built_park_jiangsu_anhui",
    "innovation_enclave_jiangxi_shanghai",
    "east_west_zhejiang_sichuan",
    "talent_recognition_g60",
    "land_quota_west_tilt",
    "trade_cost_cut_18",
    "migration_cost_cut_18",
    "full_coordination",
)
# calibrated parameters re-derived for each value of a varied parameter (5.4): the capital border cost, whose
# target is the assumed cross-border investment share. The other calibrated parameters (goods border costs,
# re-choice rate, labour border cost) stay at their defaults: each variant is the default model with one
# assumption changed, its base year re-calibrated (trade weights, amenities, wedges) but not its border costs.
RECALIBRATE = {
    "investment_elasticity": ("capital",),
    "capital_distance_elasticity": ("capital",),
    "cross_border_investment_share": ("capital",),
}
POLICY_ASSUMPTIONS = {"management_transfer": ("co_built_park", (0.3, 0.5))}  # policy fields swept like parameters
# tfp_shock_sd acts only in stochastic runs (the sensitivity runs are mean-field); the labour share is the
# complement of the capital and land shares, which are swept with it adjusting (alpha + beta + gamma = 1)
NOT_SWEPT = ("tfp_shock_sd", "labour_income_share")
COMPLEMENT = {"capital_share": "land_share", "land_share": "capital_share"}


def sensitivity_parameters() -> dict[str, tuple[float, float]]:
    """The unpinned assumptions and elasticities with a documented range, in the order of parameters.py."""
    return {
        row["name"]: tuple(row["range"])
        for row in parameter_table()
        if row["basis"] in ("assumption", "literature") and row["range"] and row["name"] not in NOT_SWEPT
    }


@lru_cache(maxsize=64)
def _recalibrated(name: str, value: float) -> tuple[tuple[str, float], ...]:
    """Parameter overrides for ``name = value``, with the calibrated parameters it moves re-derived."""
    overrides = {name: value}
    if name in COMPLEMENT:
        defaults = ModelParameters()
        overrides["labour_income_share"] = 1.0 - value - getattr(defaults, COMPLEMENT[name])
    if name in RECALIBRATE:
        values, _ = calibrate_border_costs(load_region_table(), ModelParameters(**overrides), only=RECALIBRATE[name])
        overrides.update(values)
    return tuple(sorted(overrides.items()))


def _policy_document(scenario: str, field: str | None = None, value: float | None = None) -> dict:
    doc = shipped_document(scenario)
    if field is not None:
        kind = POLICY_ASSUMPTIONS[field][0]
        for policy in doc.get("policies", []):
            if policy["type"] == kind:
                policy[field] = value
    return doc


def sensitivity_table() -> pd.DataFrame:
    """Effects in END_YEAR (national and belt real GDP, %) of every scenario at the default, low and high end of
    every unpinned assumption; one row per (assumption, value), one column pair per scenario."""
    rows = []

    def measure(label: str, value, parameters: dict, field: str | None = None) -> None:
        base = run(resolve_document(baseline_document(), parameters))
        row = {"assumption": label, "value": value}
        for scenario in SENSITIVITY_SCENARIOS:
            doc = _policy_document(scenario, field, value if field else None)
            e = effects(run(resolve_document(doc, parameters)), base)
            row[f"{scenario}|nation"] = float(e.national_gdp_pct[-1])
            row[f"{scenario}|belt"] = float(e.belt_gdp_pct[-1])
        rows.append(row)

    measure("default", None, {})
    for name, (lo, hi) in sensitivity_parameters().items():
        for value in (lo, hi):
            measure(name, value, dict(_recalibrated(name, float(value))))
    for field, (_, (lo, hi)) in POLICY_ASSUMPTIONS.items():
        for value in (lo, hi):
            measure(field, value, {}, field)
    return pd.DataFrame(rows)


def calibration_fit() -> pd.DataFrame:
    """The calibration targets next to what the calibrated defaults achieve (5.5-5.6)."""
    table, params = load_region_table(), ModelParameters()
    d = calibrate(table, params).diagnostics
    targets = calibration_targets()
    rows = [
        (f"trade inflow share, belt, {s}", targets.trade_inflow_share[s], d["trade_inflow_share_belt"][s])
        for s in ("primary", "secondary", "tertiary")
    ]
    rows += [
        (
            "cross-region movers per year (labour)",
            targets.cross_region_movers_per_year * (1 - table.talent_persons.sum() / table.population_persons.sum()),
            d["movers_per_year_labour"],
        ),
        ("labour migrant share, base year = long run", d["migrant_share_labour"], d["stationary_migrant_share_labour"]),
        (
            "cross-border investment share (assumption)",
            params.cross_border_investment_share,
            d["cross_border_investment_share"],
        ),
    ]
    return pd.DataFrame(rows, columns=["target", "data", "model"])


# --- effects against the unfitted and the history-fitted baseline -------------------------------------------


def baseline_effects(fit_until: int | None) -> pd.DataFrame:
    """Mean-field effects on real GDP in END_YEAR (%) of every shipped policy scenario against its baseline.

    ``fit_until`` = START of the data (2015): model 2's unfitted baseline; None: the default, fitted through
    the last observed year (docs/MODEL.md 7.12). Rows: scenario; columns: Nation, Belt, RestOfChina, regions.
    """
    history = {} if fit_until is None else {"fit_until": fit_until}
    base_doc = {**baseline_document(), "history": history}
    base = run(resolve_document(base_doc))
    rows = {}
    for name in shipped_scenarios():
        doc = shipped_document(name)
        if not doc.get("policies"):
            continue
        e = effects(run(resolve_document({**doc, "history": history})), base)
        row = {"Nation": e.national_gdp_pct[-1], "Belt": e.belt_gdp_pct[-1], "RestOfChina": e.rest_gdp_pct[-1]}
        row.update(e.region_gdp_pct.iloc[-1].drop("RestOfChina").to_dict())
        rows[name] = row
    return pd.DataFrame(rows).T
