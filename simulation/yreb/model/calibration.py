"""Base-year calibration: back out what the data do not give so that the base year is the reference path.

- exponents beta_H, beta_L split the labour share so that talent earns ``skill_premium`` x the average wage;
- fundamental TFP Abar_j is the production residual, so base-year GDP equals the data exactly;
- amenities B_j (talent and labour) make the observed residents the stationary distribution of the
  migration process (logit re-choice + settlement) under status-quo barriers;
- investment-promotion wedges omega_j make the base-year allocation of investment proportional to
  installed capital (capital shares stationary), with owner-by-location capital consistent with it;
- knowledge stocks are at their steady state S_j0 = RD_j^lambda / delta_S (chi normalised to 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yreb.inputs.regions import RegionTable
from yreb.model import kernels as k
from yreb.model.parameters import ModelParameters

MAX_ITERATIONS = 20_000
MAX_NEWTON_STEPS = 100
TOLERANCE = 1e-11


@dataclass(frozen=True)
class Calibration:
    beta_talent: float
    beta_labour: float
    fundamental_tfp: np.ndarray
    amenity_talent: np.ndarray
    amenity_labour: np.ndarray
    promotion: np.ndarray
    talent_stock: np.ndarray  # N x N int64, registration x residence
    labour_stock: np.ndarray
    capital: np.ndarray  # N x N, owner x location, 100m yuan
    knowledge: np.ndarray
    accessible_knowledge: np.ndarray


def labour_exponents(params: ModelParameters, talent: np.ndarray, labour: np.ndarray) -> tuple[float, float]:
    """beta_H = beta (p H)/(p H + L), beta_L = beta - beta_H: talent earns p times a worker's wage."""
    h, l = talent.sum(), labour.sum()
    beta_h = params.labour_income_share * params.skill_premium * h / (params.skill_premium * h + l)
    return beta_h, params.labour_income_share - beta_h


def status_quo_costs(table: RegionTable, params: ModelParameters) -> dict[str, np.ndarray]:
    """Deterrence matrices D = mu^-kappa for talent and labour, capital frictions tau, spillover weights."""
    d, border = table.distance_km(), table.border()
    return {
        "talent": k.deterrence(
            k.migration_cost(
                d, border, params.border_cost_talent, 1.0, params.distance_scale_km, params.distance_elasticity
            ),
            params.migration_elasticity_talent,
        ),
        "labour": k.deterrence(
            k.migration_cost(
                d, border, params.border_cost_labour, 1.0, params.distance_scale_km, params.distance_elasticity
            ),
            params.migration_elasticity_labour,
        ),
        "capital": capital_friction(d, border, params, 1.0),
        "spillover": k.spillover_weights(d, border, params.spillover_half_distance_km, params.technology_barrier, 1.0),
    }


def capital_friction(distance_km, border, params: ModelParameters, level) -> np.ndarray:
    """tau[o, u]^kappa_K with tau = (1 + d/d0)^-rho_K exp(-b_K level border); tau[o, o] = 1."""
    tau = k.migration_cost(
        distance_km,
        border,
        params.border_cost_capital,
        level,
        params.distance_scale_km,
        params.capital_distance_elasticity,
    )
    return tau ** (-params.investment_elasticity)


def stationary_migration(
    residents: np.ndarray, deterrence: np.ndarray, rechoice: float, settlement: float, elasticity: float
) -> tuple[np.ndarray, np.ndarray]:
    """Attractiveness v = V^kappa and stock X[o, j] that is a fixed point of migrate-then-settle with
    column sums (residents) P.

    At a fixed point registration equals residence (in-stock = out-stock for every region), and
    X[o, j] = c P_o m[o, j] for j != o, X[o, o] = P_o - sum_{j != o} X[o, j], with
    c = (1 - varsigma) psi / (1 - (1 - varsigma)(1 - psi)) (0 when nobody moves or settles); columns sum to P iff P m = P, which the
    balancing iteration v_j <- P_j / sum_k P_k D[k, j] / Z_k (Z_k = sum_l D[k, l] v_l) solves.
    Returns (v, X) with X in floats.
    """
    p = residents.astype(float)
    v = balance_attractiveness(p, deterrence)
    shares = deterrence * v[None, :]
    shares /= shares.sum(axis=1, keepdims=True)
    turnover = rechoice + settlement - rechoice * settlement  # = 1 - (1 - varsigma)(1 - psi)
    c = (1 - settlement) * rechoice / turnover if turnover > 0 else 0.0
    x = c * p[:, None] * shares
    np.fill_diagonal(x, 0.0)
    x[np.diag_indices_from(x)] = p - x.sum(axis=1)
    return v, x


def balance_attractiveness(residents: np.ndarray, deterrence: np.ndarray) -> np.ndarray:
    """v > 0 (max 1) with P m(v) = P, m[k, j] = D[k, j] v_j / sum_l D[k, l] v_l.

    A few balancing sweeps v_j <- P_j / sum_k P_k D[k, j] / Z_k, then Newton steps on u = log v with the
    Jacobian dr/du = diag(r) - m' diag(P) m of r = P m (u_N fixed: shares are scale-free).
    """
    p = residents
    v = np.ones_like(p)
    for _ in range(200):
        v = p / ((p / (deterrence @ v)) @ deterrence)
        v /= v.max()

    def residual(u):
        m = deterrence * np.exp(u - u.max())[None, :]
        m /= m.sum(axis=1, keepdims=True)
        return p @ m - p, m

    u = np.log(v)
    f, m = residual(u)
    for _ in range(MAX_NEWTON_STEPS):
        if np.abs(f / p).max() < TOLERANCE:
            return np.exp(u - u.max())
        jac = np.diag(p @ m) - m.T @ (p[:, None] * m)
        step = np.zeros_like(u)
        step[:-1] = np.linalg.solve(jac[:-1, :-1], -f[:-1])
        size = 1.0
        while True:
            f_new, m_new = residual(u + size * step)
            if np.abs(f_new).max() < np.abs(f).max() or size < 1e-6:
                break
            size /= 2
        u, f, m = u + size * step, f_new, m_new
    raise RuntimeError(f"migration calibration did not converge (max relative gap {np.abs(f / p).max():.2e})")


def migrant_share(stock: np.ndarray) -> float:
    """Share of people living outside their region of registration."""
    return float((stock.sum() - np.trace(stock)) / stock.sum())


_CACHE: dict[tuple[str, str], Calibration] = {}


def calibrate(table: RegionTable, params: ModelParameters) -> Calibration:
    """Calibrate the base year; cached for identical tables and parameters (arrays are read-only)."""
    key = (table.fingerprint(), params.model_dump_json())
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = _calibrate(table, params)
    return _CACHE[key]


def _calibrate(table: RegionTable, params: ModelParameters) -> Calibration:
    alpha, gamma = params.capital_share, params.land_share
    talent = table.talent_persons
    labour = table.population_persons - talent
    gdp, capital, land = table.gdp_100m_yuan, table.capital_stock_100m_yuan, table.construction_land_km2
    beta_h, beta_l = labour_exponents(params, talent, labour)
    abar = gdp / k.cobb_douglas(1.0, capital, talent, labour, land, alpha, beta_h, beta_l, gamma)
    wage_h, wage_l = beta_h * gdp / talent, beta_l * gdp / labour
    price = k.housing_price(gdp, land, params.housing_share)
    costs = status_quo_costs(table, params)
    stocks, amenities = {}, {}
    for factor, residents, wage, kappa in (
        ("talent", talent, wage_h, params.migration_elasticity_talent),
        ("labour", labour, wage_l, params.migration_elasticity_labour),
    ):
        v, x = stationary_migration(residents, costs[factor], params.rechoice_rate, params.settlement_rate, kappa)
        stocks[factor] = k.round_rows_preserving_sums(x)
        amenities[factor] = v ** (1.0 / kappa) * price / wage
        amenities[factor] /= amenities[factor].max()
    # capital: stationary investment shares and owner-by-location stocks
    gross_return = alpha * gdp / capital
    rent = gamma * gdp
    wages_by_owner = stocks["talent"] @ wage_h + stocks["labour"] @ wage_l
    promotion = np.ones(table.n)
    ownership = np.diag(capital)
    for _ in range(MAX_ITERATIONS):
        income = wages_by_owner + rent + ownership @ gross_return
        investment = params.saving_rate * income
        # N x N steps in place (one matrix per iteration): flows I[o, u] = investment_o x share[o, u],
        # then new ownership K_u I[o, u] / inflow_u, and the change |old - new| in the old matrix
        flows = k.investment_shares(costs["capital"], promotion, gross_return, params.investment_elasticity)
        flows *= investment[:, None]
        inflow = flows.sum(axis=0)
        target = capital * inflow.sum() / capital.sum()
        promotion *= (target / inflow) ** (1.0 / params.investment_elasticity)
        promotion /= promotion.max()
        new_ownership = flows
        new_ownership *= capital[None, :]
        new_ownership /= inflow[None, :]
        ownership -= new_ownership
        change = np.abs(ownership, out=ownership).max() / capital.max()
        ownership = new_ownership
        if change < TOLERANCE and np.abs(inflow / target - 1).max() < TOLERANCE:
            break
    else:
        raise RuntimeError("capital calibration did not converge")
    knowledge = talent**params.knowledge_returns / params.knowledge_decay
    out = Calibration(
        beta_h,
        beta_l,
        abar,
        amenities["talent"],
        amenities["labour"],
        promotion,
        stocks["talent"],
        stocks["labour"],
        ownership,
        knowledge,
        costs["spillover"] @ knowledge,
    )
    for value in vars(out).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    return out


# --- targets behind the default border costs (run `calibrate_border_costs` to re-derive them) ---------
TARGET_MIGRANT_SHARE = 0.064  # 2010 census: 85.9 million inter-provincial migrants / 1,340 million residents
TARGET_OUTSIDE_OWNED_CAPITAL_SHARE = 0.15  # assumption: no provincial data on capital ownership by origin


def achieved_targets(table: RegionTable, params: ModelParameters) -> dict[str, float]:
    """Migrant shares and outside-owned capital share implied by the calibration."""
    cal = calibrate(table, params)
    return {
        "border_cost_talent": migrant_share(cal.talent_stock),
        "border_cost_labour": migrant_share(cal.labour_stock),
        "border_cost_capital": 1.0 - float(np.trace(cal.capital) / cal.capital.sum()),
    }


def calibrate_border_costs(table: RegionTable, params: ModelParameters) -> dict[str, float]:
    """Border costs b_H, b_L, b_K that hit the targets above (root finding on each in turn)."""
    from scipy.optimize import brentq

    targets = {
        "border_cost_talent": TARGET_MIGRANT_SHARE,
        "border_cost_labour": TARGET_MIGRANT_SHARE,
        "border_cost_capital": TARGET_OUTSIDE_OWNED_CAPITAL_SHARE,
    }
    out = {}
    for name, target in targets.items():

        def gap(b, name=name, target=target):
            return achieved_targets(table, params.model_copy(update={name: b}))[name] - target

        out[name] = round(brentq(gap, 0.0, 8.0, xtol=1e-6), 4)
        params = params.model_copy(update={name: out[name]})
    return out
