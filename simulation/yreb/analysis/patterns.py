"""Pattern experiments (docs/validation.md) and a one-at-a-time robustness scan of unpinned choices.

Every experiment compares a shipped scenario with the baseline under the same parameters, in the mean-field
variant (``stochastic = false``: deterministic, so one run per scenario is the expected path), except the
capital-flow check, which uses stochastic replications. The tables of docs/validation.md are generated from
these functions by ``tools/validation_docs.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from yreb.analysis.metrics import beta_convergence, theil_t
from yreb.inputs.regions import load_region_table
from yreb.inputs.scenario import ResolvedScenario, parse_scenario, read_toml, resolve, shipped_folder
from yreb.model import kernels as k
from yreb.model.calibration import achieved_targets
from yreb.model.model import YREBModel
from yreb.model.parameters import ModelParameters

END_YEAR = 2035
MIGRATION_COST_CUT = 0.18  # Tombe & Zhu (2019): inter-provincial migration costs fell about 18% in 2000-05
CUT_WINDOW_YEARS = 5  # the 2000-05 window
SEZ_HOST_CITY_EFFECT = 0.20  # Alder, Shao & Zilibotti (2016): host-city GDP about +20% (level) over a decade
PARK_HORIZON_YEARS = 10
# prefecture-level units of Anhui in the reference city list (shared data city_list_coordinates.csv); an
# average host city's share of provincial GDP is taken as 1/16 (Chuzhou's own share is not in the data)
HOST_PROVINCE_PREFECTURES = 16
CALIBRATED_CROSS_BORDER_INVESTMENT = 0.15  # calibration target (docs/MODEL.md section 5)
CAPITAL_REPLICATIONS = 3


# --- scenarios and runs --------------------------------------------------------------------------


def shipped_scenario(
    name: str,
    parameters: dict | None = None,
    policy: dict | None = None,
    stochastic: bool = False,
    replications: int = 1,
    end_year: int = END_YEAR,
    extra_policies: list[dict] | None = None,
) -> ResolvedScenario:
    """A shipped scenario file with parameter overrides, field overrides of its first policy, extra policies."""
    path = shipped_folder() / f"{name}.toml"
    data, text = read_toml(path)
    data["parameters"] = {**data.get("parameters", {}), **(parameters or {}), "stochastic": stochastic}
    data["replications"], data["end_year"] = replications, end_year
    if policy:
        data["policies"][0] = {**data["policies"][0], **policy}
    data["policies"] = data.get("policies", []) + list(extra_policies or [])
    return resolve(parse_scenario(data, str(path), text), path.parent, str(path))


def run_wide(scenario: ResolvedScenario, replication: int = 0) -> pd.DataFrame:
    """One run as a year x (variable, region) table."""
    frame = YREBModel(scenario, replication=replication, record_flows=False).run().results_frame()
    return frame.pivot_table(index="year", columns=["variable", "region"], values="value")


def belt_names(scenario: ResolvedScenario) -> list[str]:
    return [n for n, b in zip(scenario.table.names, scenario.table.in_belt) if b]


def percent_change(policy: float, baseline: float) -> float:
    """100 (x_policy / x_baseline - 1)."""
    return 100.0 * (policy / baseline - 1.0)


# --- pattern 1: migration-cost cut ------------------------------------------------------------------


def barrier_level_for_cost_cut(border_cost: float, cut: float) -> float:
    """Barrier level lv with exp(b lv) = (1 - cut) exp(b): every cross-border mu falls by ``cut``.

    mu = (1 + d/d0)^rho exp(b lv border), so mu_new / mu_old = exp(b (lv - 1)) and lv = 1 + ln(1 - cut) / b.
    """
    level = 1.0 + np.log(1.0 - cut) / border_cost
    if level < 0:
        raise ValueError(f"a border cost of {border_cost} cannot produce a {cut:.0%} cut in migration costs")
    return float(level)


@dataclass
class MigrationCut:
    talent_level: float
    labour_level: float
    mean_cost_ratio: float  # mean over cross-border pairs of mu_new / mu_old (both factors)
    migrant_stock_pct: dict[int, float]  # year -> % change of the inter-provincial migrant stock
    belt_gdp_pct: dict[int, float]
    national_gdp_pct: dict[int, float]


def migration_cost_cut(cut: float = MIGRATION_COST_CUT) -> MigrationCut:
    """Cut talent and labour migration costs between all provinces by ``cut`` from the base year."""
    p = ModelParameters()
    levels = {f: barrier_level_for_cost_cut(getattr(p, f"border_cost_{f}"), cut) for f in ("talent", "labour")}
    policy = {"type": "barrier", "name": "migration-cost cut", "regions": "all", "start": 2015, **levels}
    base = shipped_scenario("baseline")
    runs = {"base": run_wide(base), "cut": run_wide(shipped_scenario("baseline", extra_policies=[policy]))}
    table = base.table
    d, border = table.distance_km(), table.border()
    ratios = [
        k.migration_cost(
            d, border, getattr(p, f"border_cost_{f}"), levels[f], p.distance_scale_km, p.distance_elasticity
        )
        / k.migration_cost(d, border, getattr(p, f"border_cost_{f}"), 1.0, p.distance_scale_km, p.distance_elasticity)
        for f in levels
    ]
    cross = border.astype(bool)
    belt = belt_names(base)
    years = (base.spec.start_year + CUT_WINDOW_YEARS, END_YEAR)

    def change(variable, regions):
        return {
            y: percent_change(runs["cut"][variable][regions].loc[y].sum(), runs["base"][variable][regions].loc[y].sum())
            for y in years
        }

    return MigrationCut(
        levels["talent"],
        levels["labour"],
        float(np.mean([r[cross].mean() for r in ratios])),
        change("migrant_stock_persons", list(table.names)),
        change("gdp_100m_yuan", belt),
        change("gdp_100m_yuan", list(table.names)),
    )


# --- patterns 2 and 4: integration versus convergence --------------------------------------------


@dataclass
class Integration:
    belt_gdp_pct: float  # barriers removed vs baseline, END_YEAR
    theil_between: tuple[float, float]  # (baseline, barriers removed), END_YEAR
    beta_speed: tuple[float, float]  # (baseline, barriers removed), per year, from the policy start to END_YEAR
    start: int


def belt_inequality(wide: pd.DataFrame, scenario: ResolvedScenario, start: int) -> tuple[float, float]:
    """(between-sub-region Theil T at END_YEAR, beta-convergence speed from ``start`` to END_YEAR)."""
    belt = belt_names(scenario)
    groups = np.asarray(scenario.table.subregion)[scenario.table.in_belt]
    gdp, pop = wide["gdp_100m_yuan"][belt], wide["population_persons"][belt]
    between = float(theil_t(gdp.loc[END_YEAR].to_numpy(), pop.loc[END_YEAR].to_numpy(), groups).between)
    per_capita = gdp / pop
    _, speed = beta_convergence(
        per_capita.loc[start].to_numpy(), per_capita.loc[END_YEAR].to_numpy(), float(END_YEAR - start)
    )
    return between, float(np.round(speed, 6)) + 0.0  # + 0.0: no '-0.00' for a zero speed


def integration(parameters: dict | None = None) -> Integration:
    """Shipped 'barriers_removed' (all belt barriers to zero in 2020) against the baseline."""
    base, removed = shipped_scenario("baseline", parameters), shipped_scenario("barriers_removed", parameters)
    start = removed.spec.policies[0].start
    wide = {"base": run_wide(base), "removed": run_wide(removed)}
    belt = belt_names(base)
    gdp = {s: w["gdp_100m_yuan"][belt].loc[END_YEAR].sum() for s, w in wide.items()}
    ineq = {s: belt_inequality(w, base, start) for s, w in wide.items()}
    return Integration(
        percent_change(gdp["removed"], gdp["base"]),
        (ineq["base"][0], ineq["removed"][0]),
        (ineq["base"][1], ineq["removed"][1]),
        start,
    )


# --- pattern 3: a park's effect on its host ----------------------------------------------------------


@dataclass
class ParkEffect:
    host: str
    year: int
    host_gdp_pct: float
    host_capital_pct: float
    capital_contribution: float  # alpha dlnK / dlnY: share of the host's GDP change due to its capital
    target_pct: float  # SEZ_HOST_CITY_EFFECT x host-city share of the province


def park_effect(parameters: dict | None = None, policy: dict | None = None) -> ParkEffect:
    """Shipped 'co_built_park_jiangsu_anhui' against the baseline: the host's GDP a decade after opening."""
    base = shipped_scenario("baseline", parameters)
    park = shipped_scenario("co_built_park_jiangsu_anhui", parameters, policy)
    spec = park.spec.policies[0]
    year = spec.start + PARK_HORIZON_YEARS
    wb, wp = run_wide(base), run_wide(park)
    gdp = np.log(wp["gdp_100m_yuan"][spec.host].loc[year] / wb["gdp_100m_yuan"][spec.host].loc[year])
    cap = np.log(
        wp["capital_installed_100m_yuan"][spec.host].loc[year] / wb["capital_installed_100m_yuan"][spec.host].loc[year]
    )
    return ParkEffect(
        spec.host,
        year,
        100 * np.expm1(gdp),
        100 * np.expm1(cap),
        base.params.capital_share * cap / gdp,
        100 * SEZ_HOST_CITY_EFFECT / HOST_PROVINCE_PREFECTURES,
    )


def enclave_home_tfp_pct(parameters: dict | None = None, policy: dict | None = None) -> float:
    """Shipped 'innovation_enclave_jiangxi_shanghai' against the baseline: % change of the home's TFP at END_YEAR."""
    enclave = shipped_scenario("innovation_enclave_jiangxi_shanghai", parameters, policy)
    home = enclave.spec.policies[0].home
    return percent_change(
        run_wide(enclave)["tfp"][home].loc[END_YEAR],
        run_wide(shipped_scenario("baseline", parameters))["tfp"][home].loc[END_YEAR],
    )


# --- pattern 5: capital flows in the baseline --------------------------------------------------------


@dataclass
class CapitalFlows:
    cross_border_share: tuple[float, float]  # min, max over years and replications of outside-owned investment share
    net_position_share: pd.Series  # (owned - installed) / GDP at END_YEAR, mean-field, by region
    rank_correlation: float  # Spearman: net position / GDP vs GDP per capita, belt regions, END_YEAR


def capital_flows() -> CapitalFlows:
    """Cross-border investment share (stochastic replications) and net capital positions (mean-field)."""
    stochastic = shipped_scenario("baseline", stochastic=True, replications=CAPITAL_REPLICATIONS)
    shares = []
    for r in range(CAPITAL_REPLICATIONS):
        w = run_wide(stochastic, r)
        shares.append(
            w["investment_from_outside_100m_yuan"].sum(axis=1) / w["investment_received_100m_yuan"].sum(axis=1)
        )
    shares = pd.concat(shares)
    scenario = shipped_scenario("baseline")
    w = run_wide(scenario).loc[END_YEAR]
    names = list(scenario.table.names)
    position = ((w["capital_owned_100m_yuan"] - w["capital_installed_100m_yuan"]) / w["gdp_100m_yuan"])[names]
    belt = belt_names(scenario)
    rho = stats.spearmanr(position[belt], w["gdp_per_capita_yuan"][belt]).statistic
    return CapitalFlows((float(shares.min()), float(shares.max())), position.sort_values(ascending=False), float(rho))


# --- robustness scan ------------------------------------------------------------------------------

# name -> (where it lives, low, default, high, source of the range)
SCAN: dict[str, tuple[str, float, float, float, str]] = {
    "migration_elasticity_talent": ("parameters", 1.5, 2.0, 3.0, "MODEL.md s.3: test 1.5-3 for talent"),
    "spillover_half_distance_km": ("parameters", 300.0, 500.0, 1200.0, "MODEL.md s.5: test 300-1200 km"),
    "management_transfer": ("park", 0.3, 0.4, 0.5, "MODEL.md s.7: theta_m 0.3-0.5"),
    "researchers": ("enclave", 500.0, 2000.0, 8000.0, "shipped enclave sweep (enclave_barrier_grid.toml): 500-8000"),
}
HEADLINES = {
    "belt_gdp_barriers_removed_pct": "belt GDP, barriers removed (% vs baseline, 2035)",
    "host_gdp_park_pct": "host (Anhui) GDP, park (% vs baseline, 2030)",
    "home_tfp_enclave_pct": "home (Jiangxi) TFP, enclave (% vs baseline, 2035)",
}


def headline_effects(parameters: dict | None = None, park: dict | None = None, enclave: dict | None = None) -> dict:
    """The three headline effects under one parameter setting, and the talent migrant share it implies."""
    params = ModelParameters(**(parameters or {}))
    table = load_region_table()
    return {
        "belt_gdp_barriers_removed_pct": integration(parameters).belt_gdp_pct,
        "host_gdp_park_pct": park_effect(parameters, park).host_gdp_pct,
        "home_tfp_enclave_pct": enclave_home_tfp_pct(parameters, enclave),
        "talent_migrant_share_pct": 100 * achieved_targets(table, params)["border_cost_talent"],
    }


def robustness_scan() -> pd.DataFrame:
    """One at a time: each SCAN entry at its low, default and high value, everything else at defaults."""
    rows = []
    for name, (where, *values, _) in SCAN.items():
        for value in values:
            override = {name: value}
            effects = headline_effects(
                parameters=override if where == "parameters" else None,
                park=override if where == "park" else None,
                enclave=override if where == "enclave" else None,
            )
            rows.append({"parameter": name, "value": value, **effects})
    return pd.DataFrame(rows)


def robust_signs(scan: pd.DataFrame) -> dict[str, bool]:
    """Whether each headline effect keeps one sign over every scanned value."""
    return {h: bool((np.sign(scan[h]) == np.sign(scan[h].iloc[0])).all() and scan[h].iloc[0] != 0) for h in HEADLINES}
