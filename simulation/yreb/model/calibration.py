"""Base-year calibration (docs/MODEL.md section 5): back out what the data do not give.

Given the region table (value added by sector, residents, talent, capital, land, investment rates, net
migration) and the parameters, the calibration sets

1. the talent and labour exponents (talent earns ``skill_premium`` x the average wage);
2. base-year TFP A_j0 = Y_j / F_j, with every sector's price 1 in the base year (units of 2015 yuan);
3. the initial registration x residence stocks: the cross-region migrant stock (``migrant_stock_share`` of
   residents) spread over pairs by the 2010 census pattern (shipped regions) or by gravity (other tables);
4. capital: every region saves what it invests; destination wedges (local steering of investment) at which
   every region receives its observed investment (investment_rate x GDP); ownership = the owners' shares
   of each region's base-year investment inflow;
5. the goods-trade weights a_is at which every region sells its observed value added by sector;
6. amenities B_j at which the base year's net migration is the observed one (2010-15 census flows);
7. knowledge at the steady state of base-year R&D.

``calibrate_border_costs`` re-derives the calibrated border costs (goods by sector, labour, talent, capital)
from their data targets; the defaults in parameters.py are its result for the shipped table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from yreb.errors import UserInputError
from yreb.inputs.economy import SECTORS, calibration_targets, migration_pattern
from yreb.inputs.regions import RegionTable
from yreb.model import kernels as k
from yreb.model import solvers
from yreb.model.parameters import ModelParameters

TOLERANCE = 1e-11
MAX_NEWTON_STEPS = 100
MAX_CAPITAL_ITERATIONS = 10_000


@dataclass(frozen=True)
class Calibration:
    """The calibrated base year: everything the model starts from besides the region table."""

    beta_talent: float
    beta_labour: float
    base_tfp: np.ndarray  # N, A_j0 (every sector)
    spending_share: np.ndarray  # S x N, mu_sj
    trade_weight: np.ndarray  # S x N, a_is
    internal_distance_km: np.ndarray  # N
    base_goods_price: np.ndarray  # N, P_j0
    amenity_talent: np.ndarray  # N, B^H
    amenity_labour: np.ndarray  # N, B^L
    welfare_scale_talent: np.ndarray  # N, base real income / base expected utility (money-metric welfare)
    welfare_scale_labour: np.ndarray
    talent_stock: np.ndarray  # N x N int64, registration x residence
    labour_stock: np.ndarray  # N x N int64
    capital: np.ndarray  # N x N, owner x region, 100m yuan (2015 prices)
    saving_rate: np.ndarray  # N
    investment_wedge: np.ndarray  # N, omega_j
    knowledge: np.ndarray  # N
    accessible_knowledge: np.ndarray  # N
    diagnostics: dict = field(default_factory=dict)


def labour_exponents(params: ModelParameters, talent: np.ndarray, labour: np.ndarray) -> tuple[float, float]:
    """beta_H = beta (p H)/(p H + L), beta_L = beta - beta_H: talent earns p times a worker's wage (5.1)."""
    total_talent, total_labour = talent.sum(), labour.sum()
    share = params.skill_premium * total_talent / (params.skill_premium * total_talent + total_labour)
    beta_h = params.labour_income_share * share
    return beta_h, params.labour_income_share - beta_h


# --- cost matrices under status-quo barriers -----------------------------------------------------------


def scaled_distance_km(table: RegionTable, distance_factor: float) -> np.ndarray:
    """The table's (read-only) distances times ``distance_factor``; the array itself when the factor is 1."""
    distance_km = table.distance_km()
    return distance_km if distance_factor == 1.0 else distance_km * distance_factor


def trade_deterrence(table: RegionTable, params: ModelParameters, level=1.0, distance_factor=1.0) -> np.ndarray:
    """tau^-theta (S x N x N) under barrier level ``level`` (7.3)."""
    return k.trade_deterrence(
        scaled_distance_km(table, distance_factor),
        k.internal_distance_km(table.land_area_km2),
        table.border(),
        np.array(params.border_cost_goods),
        level,
        params.trade_distance_elasticity,
        params.trade_elasticity,
    )


def migration_deterrence(table: RegionTable, params: ModelParameters, factor: str, level=1.0, distance_factor=1.0):
    """mu^-kappa for ``factor`` ("talent" or "labour") under barrier level ``level`` (7.6)."""
    cost, kappa = {
        "talent": (params.border_cost_talent, params.migration_elasticity_talent),
        "labour": (params.border_cost_labour, params.migration_elasticity_labour),
    }[factor]
    mu = k.migration_cost(
        scaled_distance_km(table, distance_factor),
        table.border(),
        cost,
        level,
        params.distance_scale_km,
        params.distance_elasticity,
    )
    return k.deterrence(mu, kappa, out=mu)


def capital_friction(distance_km, border, params: ModelParameters, level) -> np.ndarray:
    """tau_K[o, u]^kappa_K with tau_K = (1 + d/d0)^-rho_K exp(-b_K level border); tau_K[o, o] = 1 (7.5)."""
    tau = k.migration_cost(
        distance_km,
        border,
        params.border_cost_capital,
        level,
        params.distance_scale_km,
        params.capital_distance_elasticity,
    )
    return tau ** (-params.investment_elasticity)


def spillover(table: RegionTable, params: ModelParameters, level=1.0, distance_factor=1.0) -> np.ndarray:
    """Spillover weights s[j, k] under barrier level ``level`` (7.7)."""
    return k.spillover_weights(
        scaled_distance_km(table, distance_factor),
        table.border(),
        params.spillover_half_distance_km,
        params.technology_barrier,
        level,
    )


# --- migration ----------------------------------------------------------------------------------------


def balance_attractiveness(row_totals: np.ndarray, targets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """v > 0 (max 1) with sum_o R_o m[o, j] = T_j, m[o, j] = W[o, j] v_j / sum_l W[o, l] v_l (5.6).

    Balancing sweeps v_j <- v_j T_j / demand_j, then Newton steps on u = log v with the Jacobian
    d demand / du = diag(demand) - m' diag(R) m (u_N fixed: shares are scale-free); above ``solvers.LARGE_N``
    regions the same sweeps Anderson-mixed (``solvers.balanced_weights``), without the N x N Jacobians.
    Needs sum T = sum R and T > 0.
    """
    r, t = row_totals.astype(float), targets.astype(float)
    if (t <= 0).any():
        raise RuntimeError("the observed net out-migration exceeds what the re-choosers can carry")
    if len(t) > solvers.LARGE_N:
        return solvers.balanced_weights(t, r, weights.T, TOLERANCE, "migration calibration")
    v = np.ones_like(t)

    def demand_and_shares(u):
        m = weights * np.exp(u - u.max())[None, :]
        m /= m.sum(axis=1, keepdims=True)
        return r @ m, m

    for _ in range(200):  # demand_j = v_j sum_o R_o W[o, j] / (W v)_o: two matrix-vector products, no N x N temporary
        demand = v * ((r / (weights @ v)) @ weights)
        v = v * t / demand
        v /= v.max()
    u = np.log(v)
    d, m = demand_and_shares(u)
    f = d - t
    for _ in range(MAX_NEWTON_STEPS):
        if np.abs(f / t).max() < TOLERANCE:
            return np.exp(u - u.max())
        jac = np.diag(d) - m.T @ (r[:, None] * m)
        step = np.zeros_like(u)
        step[:-1] = np.linalg.solve(jac[:-1, :-1], -f[:-1])
        size = 1.0
        while True:
            d_new, m_new = demand_and_shares(u + size * step)
            if np.abs(d_new - t).max() < np.abs(f).max() or size < 1e-6:
                break
            size /= 2
        u, d, m = u + size * step, d_new, m_new
        f = d - t
    raise RuntimeError(f"migration calibration did not converge (max relative gap {np.abs(f / t).max():.2e})")


def initial_stocks(
    table: RegionTable, params: ModelParameters, labour_deterrence: np.ndarray
) -> tuple[np.ndarray, np.ndarray, str]:
    """Registration x residence stocks of talent and labour (whole persons, residents exact) (5.3).

    Cross-region migrants (``migrant_stock_share`` x residents) are spread over pairs by the shipped 2010
    census pattern, or, for region sets it does not cover, by gravity P_o P_j mu[o, j]^-kappa_L (the
    ``labour_deterrence`` of ``migration_deterrence``); talent
    residents of j have the same origins as all residents of j. Returns (talent, labour, pattern source).
    """
    residents = table.population_persons
    pattern = migration_pattern(table.names)
    source = "2010 census origin-destination shares (migration_od_2010.csv)"
    if pattern is None:
        pattern = np.multiply.outer(residents, residents)  # P_o P_j, then in place
        pattern *= labour_deterrence
        np.fill_diagonal(pattern, 0.0)
        pattern /= pattern.sum()
        source = "gravity P_o P_j mu^-kappa (no origin-destination data for these regions)"
    stock = params.migrant_stock_share * residents.sum() * pattern
    stayers = residents - stock.sum(axis=0)
    if (stayers <= 0).any():
        j = int(np.argmin(stayers))
        raise RuntimeError(f"the migrant stock exceeds the residents of {table.names[j]}")
    np.fill_diagonal(stock, stayers)
    talent = stock * (table.talent_persons / residents)[None, :]
    labour = stock - talent
    as_int = lambda x: k.round_rows_preserving_sums(x.T).T  # noqa: E731  (columns = residents stay exact)
    return as_int(talent), as_int(labour), source


def movers_per_year(stock: np.ndarray, shares: np.ndarray, rechoice_rate: float) -> float:
    """Expected persons changing region of residence in a year: psi sum_oj X[o, j] (1 - m[o, j]) (5.6)."""
    leaving = 1.0 - shares
    leaving *= stock  # in place: one N x N temporary
    return float(rechoice_rate * leaving.sum())


# --- incomes and capital ------------------------------------------------------------------------------


def dividends_and_incomes(
    table: RegionTable, capital_owned: np.ndarray, stock: np.ndarray, params: ModelParameters
) -> tuple[np.ndarray, np.ndarray]:
    """Base-year non-labour income per registered person d_o and income of residents E_j (7.4).

    Non-labour income of o: returns on the capital it owns anywhere plus its own land rent; it is paid
    to o's registered people wherever they live. E_j = labour income earned in j + dividends of j's residents
    + net transfers (the observed net inflow of goods and services).
    """
    value_added = table.gdp_100m_yuan
    gross_return = params.capital_share * value_added / capital_owned.sum(axis=0)
    non_labour = capital_owned @ gross_return + params.land_share * value_added
    registered = stock.sum(axis=1)
    dividend = non_labour / registered
    transfers = k.transfer_coefficients(table.net_outflow_share, value_added) @ value_added
    income = params.labour_income_share * value_added + stock.T @ dividend + transfers
    return dividend, income


def capital_wedges(
    friction: np.ndarray, gross_return: np.ndarray, size: np.ndarray, elasticity: float, investment: np.ndarray
) -> np.ndarray:
    """Destination wedges omega (max 1) at which every region receives its observed investment I when every
    owner invests it (5.4): sweeps omega <- omega (I / inflow)^(1 / kappa_K); above ``solvers.LARGE_N`` regions
    the same fixed point by ``solvers.investment_wedges``."""
    if len(investment) > solvers.LARGE_N:
        return solvers.investment_wedges(friction, gross_return, size, elasticity, investment, TOLERANCE)
    wedge = np.ones_like(investment)
    for _ in range(MAX_CAPITAL_ITERATIONS):
        inflow = investment @ k.investment_shares(friction, wedge * gross_return, size, elasticity)
        previous = wedge
        wedge = wedge * (investment / inflow) ** (1.0 / elasticity)
        wedge /= wedge.max()
        if np.abs(wedge / previous - 1).max() < TOLERANCE and np.abs(inflow / investment - 1).max() < TOLERANCE:
            return wedge
    raise RuntimeError("capital calibration did not converge")


def calibrate_capital(
    table: RegionTable, params: ModelParameters, stock: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ownership K[o, j], saving rates s_o, investment wedges omega_j, base-year flows I[o, j], dividends per
    registered person d_o and incomes E (5.4).

    Every region saves what it invests (s_o = observed investment / income); investment is allocated by
    returns, frictions and a destination wedge omega_j (local governments' steering of investment: land,
    subsidies, state lending) set so that every region receives its observed investment; ownership = the
    owners' shares of each region's inflow. The wedge is part of the administrative barrier: removing the
    capital barrier between two regions removes it for their flows (7.5).
    """
    value_added, installed = table.gdp_100m_yuan, table.capital_stock_100m_yuan
    observed_investment = table.investment_rate * value_added
    gross_return = params.capital_share * value_added / installed
    friction = capital_friction(table.distance_km(), table.border(), params, 1.0)
    size = installed  # opportunities in proportion to the economy's capital (gravity)
    wedge = capital_wedges(friction, gross_return, size, params.investment_elasticity, observed_investment)
    flows = observed_investment[:, None] * k.investment_shares(
        friction, wedge * gross_return, size, params.investment_elasticity
    )
    ownership = installed[None, :] * flows / flows.sum(axis=0)[None, :]
    dividend, income = dividends_and_incomes(table, ownership, stock, params)
    saving = observed_investment / income
    if not ((saving > 0) & (saving < 1)).all():
        j = int(np.argmax((saving <= 0) | (saving >= 1)))
        raise RuntimeError(
            f"the observed investment of {table.names[j]} exceeds its income (saving rate {saving[j]:.3g})"
        )
    return ownership, saving, wedge, flows, dividend, income


def cross_border_share(flows: np.ndarray, border: np.ndarray) -> float:
    """Share of investment installed in another province than its owner's (5.4)."""
    return float((flows * border).sum() / flows.sum())


# --- the calibration ------------------------------------------------------------------------------------


_CACHE: dict[tuple[str, str], Calibration] = {}


def calibrate(table: RegionTable, params: ModelParameters) -> Calibration:
    """Calibrate the base year; cached for identical tables and parameters (arrays are read-only)."""
    key = (table.fingerprint(), params.model_dump_json())
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = _calibrate(table, params)
    return _CACHE[key]


def calibrate_checked(table: RegionTable, params: ModelParameters, source: str) -> Calibration:
    """``calibrate``, with inputs that admit no calibrated base year reported as bad input of scenario ``source``
    (UserInputError); ``yreb validate`` checks scenarios with it without importing the model."""
    try:
        return calibrate(table, params)
    except (RuntimeError, np.linalg.LinAlgError) as exc:
        raise UserInputError(
            f"the base year cannot be calibrated from region table {table.source_file} with these parameters: {exc}",
            file=source,
            field="parameters",
            expected="less extreme parameters or region data",
        ) from None


def _calibrate(table: RegionTable, params: ModelParameters) -> Calibration:
    alpha, gamma = params.capital_share, params.land_share
    talent = table.talent_persons
    labour = table.population_persons - talent
    value_added, land = table.gdp_100m_yuan, table.construction_land_km2
    beta_h, beta_l = labour_exponents(params, talent, labour)
    bundle = k.factor_bundle(table.capital_stock_100m_yuan, talent, labour, land, alpha, beta_h, beta_l, gamma)
    base_tfp = value_added / bundle
    labour_deterrence = migration_deterrence(table, params, "labour")
    talent_stock, labour_stock, pattern_source = initial_stocks(table, params, labour_deterrence)
    people = talent_stock + labour_stock
    ownership, saving, wedge, flows, dividend, income = calibrate_capital(table, params, people)
    # goods trade: every region sells its observed value added by sector at unit prices
    sector_va = table.value_added_100m_yuan
    spending_share = k.spending_shares(table.use_share, income, sector_va)
    deterrence = trade_deterrence(table, params)
    weight = solvers.armington_weights(sector_va, spending_share * income[None, :], deterrence)
    goods_price = np.exp(
        (spending_share * np.log(k.price_index(weight, np.ones_like(weight), deterrence, params.trade_elasticity))).sum(
            0
        )
    )
    # amenities: base-year net migration as observed (talent: the same rate per resident)
    net = table.net_migration_persons_per_year
    net_talent = net * talent / table.population_persons
    net_talent -= net_talent.sum() * talent / talent.sum()  # re-centred: talent moves sum to zero too
    net_by_factor = {"talent": net_talent, "labour": net - net_talent}
    amenities, movers, stationary, welfare_scale = {}, {}, {}, {}
    for factor, stock, residents, beta, kappa in (
        ("talent", talent_stock, talent, beta_h, params.migration_elasticity_talent),
        ("labour", labour_stock, labour, beta_l, params.migration_elasticity_labour),
    ):
        wage = beta * value_added / residents
        real_income = wage[None, :] + dividend[:, None]  # cost of living is 1 in the base year
        deterrence_x = labour_deterrence if factor == "labour" else migration_deterrence(table, params, factor)
        weights = real_income**kappa
        weights *= deterrence_x
        target = residents + net_by_factor[factor] / max(params.rechoice_rate, 1e-12)
        v = balance_attractiveness(stock.sum(axis=1), target, weights)
        amenities[factor] = v ** (1.0 / kappa)
        amenities[factor] /= amenities[factor].max()
        shares = k.logit_shares(deterrence_x, amenities[factor] * real_income, kappa)
        income_per_person = (stock * real_income).sum(axis=1) / stock.sum(axis=1)
        welfare_scale[factor] = income_per_person / k.expected_utility(
            deterrence_x, amenities[factor][None, :] * real_income, kappa
        )
        movers[factor] = movers_per_year(stock, shares, params.rechoice_rate)
        stationary[factor] = solvers.stationary_migrant_share(shares, params.rechoice_rate, params.settlement_rate)
    knowledge = talent**params.knowledge_returns / params.knowledge_decay
    border = table.border()
    diagnostics = {
        "migration_pattern": pattern_source,
        "migrant_share_talent": float(1 - np.trace(talent_stock) / talent_stock.sum()),
        "migrant_share_labour": float(1 - np.trace(labour_stock) / labour_stock.sum()),
        "stationary_migrant_share_talent": stationary["talent"],
        "stationary_migrant_share_labour": stationary["labour"],
        "movers_per_year_talent": movers["talent"],
        "movers_per_year_labour": movers["labour"],
        "cross_border_investment_share": cross_border_share(flows, border),
        "trade_inflow_share_belt": belt_inflow_shares(weight, deterrence, spending_share, income, table.in_belt),
        "saving_rate": dict(zip(table.names, saving.round(4).tolist())),
        "investment_wedge": dict(zip(table.names, wedge.round(4).tolist())),
        "return_on_capital": dict(
            zip(table.names, (alpha * value_added / table.capital_stock_100m_yuan).round(4).tolist())
        ),
    }
    out = Calibration(
        beta_h,
        beta_l,
        base_tfp,
        spending_share,
        weight,
        k.internal_distance_km(table.land_area_km2),
        goods_price,
        amenities["talent"],
        amenities["labour"],
        welfare_scale["talent"],
        welfare_scale["labour"],
        talent_stock,
        labour_stock,
        ownership,
        saving,
        wedge,
        knowledge,
        spillover(table, params) @ knowledge,
        diagnostics,
    )
    for value in vars(out).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    return out


def inflow_shares(weight: np.ndarray, deterrence: np.ndarray) -> np.ndarray:
    """Share of each region's spending on each sector bought from other regions at unit prices (S x N)."""
    return 1.0 - solvers.own_trade_shares(weight, deterrence)


def belt_inflow_shares(weight, deterrence, spending_share, income, in_belt) -> dict[str, float]:
    """Spending-weighted share bought from other regions over the belt's regions, by sector (5.5)."""
    shares = inflow_shares(weight, deterrence)
    spend = spending_share * income[None, :]
    belt = (shares * spend)[:, in_belt].sum(axis=1) / spend[:, in_belt].sum(axis=1)
    return dict(zip(SECTORS, belt.round(6).tolist()))


# --- targets behind the calibrated defaults (run `calibrate_border_costs` to re-derive them) -------------


def achieved_targets(table: RegionTable, params: ModelParameters) -> dict[str, float]:
    """What the calibrated parameters aim at, as the calibration achieves it with ``params``."""
    d = calibrate(table, params).diagnostics
    belt_share = d["trade_inflow_share_belt"]
    return {
        "border_cost_goods_primary": belt_share["primary"],
        "border_cost_goods_secondary": belt_share["secondary"],
        "border_cost_goods_tertiary": belt_share["tertiary"],
        "border_cost_labour": d["stationary_migrant_share_labour"],
        "border_cost_talent": d["stationary_migrant_share_talent"],
        "border_cost_capital": d["cross_border_investment_share"],
    }


def target_values(table: RegionTable, params: ModelParameters) -> dict[str, float]:
    """The data targets of the calibrated parameters (5.5-5.6): the 2007 trade inflow shares of the belt by
    sector; for migration, that the base-year migrant shares are the long-run ones under base-year conditions
    (the stock is in steady state); the assumed cross-border investment share."""
    targets = calibration_targets()
    d = calibrate(table, params).diagnostics
    return {
        "border_cost_capital": params.cross_border_investment_share,
        "border_cost_goods_primary": targets.trade_inflow_share["primary"],
        "border_cost_goods_secondary": targets.trade_inflow_share["secondary"],
        "border_cost_goods_tertiary": targets.trade_inflow_share["tertiary"],
        "border_cost_labour": d["migrant_share_labour"],
        "border_cost_talent": d["migrant_share_talent"],
    }


CALIBRATION_GROUPS = ("capital", "goods", "migration")


def calibrate_border_costs(
    table: RegionTable, params: ModelParameters, only: tuple[str, ...] = CALIBRATION_GROUPS
) -> tuple[dict[str, float], list[str]]:
    """The calibrated parameters that hit their data targets (5.5-5.6), rounded to 4 decimals, and notes.

    ``only`` restricts the work to some of the groups (capital: b_K; goods: b_G by sector; migration: psi,
    b_L and b_H); the others keep their values in ``params``.

    Root finding on each border cost in turn (capital first: the other calibrations use its incomes).
    The re-choice rate psi and the labour border cost are found together: b_L makes the base-year migrant
    share the long-run one, psi makes cross-region movers per year equal the 2010-15 census count; talent
    gets labour's border cost (an assumption: there are no provincial data on talent migration). A target
    below what any border cost can reach (trade that sector specialisation forces) is reported in the notes,
    and the border cost is set where the share comes within 1% of its floor.
    """
    from scipy.optimize import brentq, root

    notes: list[str] = []
    out: dict[str, float] = {}
    hi = 12.0

    def achieved(name: str, value: float, base: ModelParameters) -> float:
        try:
            result = achieved_targets(table, base.model_copy(update={name: value}))[name]
        except RuntimeError:  # no calibrated base year at so low a cost: flows far above any target
            return np.inf
        return result if np.isfinite(result) else np.inf

    def solve(name: str, target: float, base: ModelParameters, hi: float = hi) -> float:
        while not np.isfinite(achieved(name, hi, base)) and hi > 1.0:  # a cost so high the calibration breaks
            hi -= 0.5
        ceiling = achieved(name, 0.0, base)
        if ceiling < target:
            notes.append(
                f"{name}: target {target:.4g} above what the model reaches without a border cost "
                f"({ceiling:.4g}); set to 0"
            )
            return 0.0
        floor = achieved(name, hi, base)
        if floor > target:
            notes.append(
                f"{name}: target {target:.4g} below the reachable floor {floor:.4g}; set where the "
                "share is within 1% of the floor"
            )
            target = 1.01 * floor
        return round(brentq(lambda b: achieved(name, b, base) / target - 1.0, 0.0, hi, xtol=1e-7), 4)

    targets = target_values(table, params)
    for name in (
        "border_cost_capital",
        "border_cost_goods_primary",
        "border_cost_goods_secondary",
        "border_cost_goods_tertiary",
    ):
        out[name] = solve(name, targets[name], params, hi=5.0 if name == "border_cost_capital" else hi)
        params = params.model_copy(update={name: out[name]})
    movers_target = calibration_targets().cross_region_movers_per_year
    labour_share = 1.0 - table.talent_persons.sum() / table.population_persons.sum()

    def gaps(x: np.ndarray) -> np.ndarray:
        psi, b = float(np.exp(x[0])), float(x[1])
        try:
            d = calibrate(table, params.model_copy(update={"rechoice_rate": psi, "border_cost_labour": b})).diagnostics
        except RuntimeError:
            return np.array([1.0, 1.0])
        return np.array(
            [
                d["movers_per_year_labour"] / (movers_target * labour_share) - 1.0,
                d["stationary_migrant_share_labour"] / targets["border_cost_labour"] - 1.0,
            ]
        )

    start = np.array([np.log(params.rechoice_rate), params.border_cost_labour])
    solution = root(gaps, start, method="hybr", options={"xtol": 1e-9})
    psi, b = float(np.exp(solution.x[0])), float(solution.x[1])
    if b < 0:  # the long-run target needs a negative border cost: keep b_L = 0 and fit psi to the movers alone
        notes.append(f"border_cost_labour: the migrant-share target needs b_L = {b:.3g} < 0; set to 0")
        b = 0.0
        psi = brentq(lambda x: gaps(np.array([np.log(x), 0.0]))[0], 0.011, 0.5, xtol=1e-7)
    elif not solution.success or np.abs(gaps(solution.x)).max() > 1e-6:
        raise RuntimeError(f"no re-choice rate and labour border cost hit the migration targets ({solution.message})")
    out["rechoice_rate"] = round(psi, 6)  # 4 decimals would move the movers by 0.2%
    out["border_cost_labour"] = round(b, 4)
    out["border_cost_talent"] = out["border_cost_labour"]  # assumption: the same cost per unit of real income
    return out, notes
