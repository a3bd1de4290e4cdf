"""Numeric kernels of the factor-flow model: small pure functions over numpy arrays.

Conventions: ``N`` regions, ``U >= N`` production units (the regions' own economies first, then parks).
Money in 100 million yuan (1e8 yuan, constant 2015 prices), people in persons, land in km2,
distances in km. Matrices indexed ``[origin, destination]`` (for people: registration, residence;
for capital: owner, installed unit). No function here reads files, draws plots or keeps state.
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088
YUAN_PER_100M = 1e8  # money is in 100 million yuan


def haversine_km(lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """Great-circle distances d[i, j] = 2 R asin(sqrt(hav(dlat) + cos lat_i cos lat_j hav(dlon)))."""
    lon, lat = np.radians(lon_deg), np.radians(lat_deg)
    dlon = lon[None, :] - lon[:, None]
    dlat = lat[None, :] - lat[:, None]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


# --- production and prices -------------------------------------------------------------------


def unit_fixed_factor(
    tfp: np.ndarray, capital: np.ndarray, land_km2: np.ndarray, alpha: float, gamma: float
) -> np.ndarray:
    """X_u = (A_u K_u^alpha Z_u^gamma)^(1/(alpha+gamma)): a unit's weight in its region's labour market."""
    return (tfp * capital**alpha * land_km2**gamma) ** (1.0 / (alpha + gamma))


def allocate_workers(
    fixed_factor: np.ndarray, unit_region: np.ndarray, region_workers: np.ndarray, unit_cap: np.ndarray | None = None
) -> np.ndarray:
    """Workers of each unit when wages equalise across the units of a region.

    With a common Cobb-Douglas technology, equal wages imply W_u = W_j X_u / sum_{v in j} X_v.
    A unit with a cap takes at most ``unit_cap[u]`` workers; the excess stays in its region's own economy
    (unit j is region j's own economy: regions come first).
    """
    totals = np.bincount(unit_region, weights=fixed_factor, minlength=region_workers.size)
    workers = region_workers[unit_region] * fixed_factor / totals[unit_region]
    if unit_cap is not None:
        excess = np.maximum(workers - unit_cap, 0.0)
        workers = workers - excess
        workers[: region_workers.size] += np.bincount(unit_region, weights=excess, minlength=region_workers.size)
    return workers


def cobb_douglas(tfp, capital, talent, labour, land_km2, alpha, beta_talent, beta_labour, gamma):
    """Y = A K^alpha H^beta_H L^beta_L Z^gamma (100m yuan), with alpha + beta_H + beta_L + gamma = 1."""
    return tfp * capital**alpha * talent**beta_talent * labour**beta_labour * land_km2**gamma


def housing_price(gdp: np.ndarray, land_km2: np.ndarray, housing_share: float) -> np.ndarray:
    """P_j = (Y_j / Z_j)^(1 - a): the price index of non-traded housing, a = share of traded goods."""
    return (gdp / land_km2) ** (1.0 - housing_share)


def real_income(amenity: np.ndarray, wage: np.ndarray, price: np.ndarray) -> np.ndarray:
    """V_j = B_j w_j / P_j."""
    return amenity * wage / price


# --- migration -------------------------------------------------------------------------------


def migration_cost(
    distance_km: np.ndarray,
    border: np.ndarray,
    border_cost: float,
    barrier_level: np.ndarray | float,
    distance_scale_km: float,
    distance_elasticity: float,
) -> np.ndarray:
    """mu[o, j] = (1 + d/d0)^rho * exp(b * level[o, j] * border[o, j]), with mu[o, o] = 1."""
    mu = (1.0 + distance_km / distance_scale_km) ** distance_elasticity
    mu = mu * np.exp(border_cost * barrier_level * border)
    np.fill_diagonal(mu, 1.0)
    return mu


def deterrence(cost: np.ndarray, elasticity: float) -> np.ndarray:
    """D[o, j] = mu[o, j]^(-kappa): the cost part of a logit weight, computed once per policy state."""
    return cost ** (-elasticity)


def logit_shares(deterrence_matrix: np.ndarray, attractiveness: np.ndarray, elasticity: float) -> np.ndarray:
    """m[o, j] = D[o, j] V_j^kappa / sum_k D[o, k] V_k^kappa; every row sums to 1."""
    weights = deterrence_matrix * (attractiveness / attractiveness.max()) ** elasticity
    weights /= weights.sum(axis=1, keepdims=True)
    return weights


def round_rows_preserving_sums(target: np.ndarray) -> np.ndarray:
    """Integer matrix close to ``target`` whose row sums equal round(row sums of target).

    Cumulative rounding: n[o, :] = diff(round(cumsum(target[o, :]))).
    """
    cumulative = np.rint(np.cumsum(target, axis=1)).astype(np.int64)
    out = np.empty_like(cumulative)
    out[:, 0] = cumulative[:, 0]
    np.subtract(cumulative[:, 1:], cumulative[:, :-1], out=out[:, 1:])
    return out


def migrate_mean_field(stock: np.ndarray, shares: np.ndarray, rechoice_rate: float) -> np.ndarray:
    """X'[o, :] = (1 - psi) X[o, :] + psi n_o m[o, :], rounded to whole persons keeping n_o exact."""
    registered = stock.sum(axis=1, dtype=np.int64)
    target = (1.0 - rechoice_rate) * stock + rechoice_rate * registered[:, None] * shares
    return round_rows_preserving_sums(target)


def migrate_stochastic(
    stock: np.ndarray, shares: np.ndarray, rechoice_rate: float, rng: np.random.Generator
) -> np.ndarray:
    """Each person re-chooses with probability psi; re-choosers of origin o pick j ~ Multinomial(m[o, :])."""
    movers = rng.binomial(stock, rechoice_rate)
    pool = movers.sum(axis=1)
    return stock - movers + rng.multinomial(pool, shares)


def settle(stock: np.ndarray, settlement_rate: np.ndarray | float, rng: np.random.Generator | None) -> np.ndarray:
    """A share varsigma[o, j] of non-local residents converts registration from o to j (settles).

    Mean-field when ``rng`` is None (rounded to whole persons), binomial draws otherwise.
    Residents of every region are unchanged; people are conserved exactly.
    """
    rate = np.broadcast_to(settlement_rate, stock.shape)
    if rng is None:
        converted = np.rint(stock * rate).astype(np.int64)
    else:
        converted = rng.binomial(stock, rate)
    np.fill_diagonal(converted, 0)
    out = stock - converted
    out[np.diag_indices_from(out)] += converted.sum(axis=0)
    return out


# --- capital ---------------------------------------------------------------------------------


def investment_shares(
    friction: np.ndarray, promotion: np.ndarray, gross_return: np.ndarray, elasticity: float
) -> np.ndarray:
    """share[o, u] = (tau[o, u] omega_u R_u)^kappa_K / sum_v (tau[o, v] omega_v R_v)^kappa_K."""
    return logit_shares(friction, promotion * gross_return, elasticity)


def accumulate_capital(capital: np.ndarray, investment: np.ndarray, depreciation: float) -> np.ndarray:
    """K'[o, u] = (1 - delta) K[o, u] + I[o, u]."""
    return (1.0 - depreciation) * capital + investment


# --- knowledge -------------------------------------------------------------------------------


def spillover_weights(
    distance_km: np.ndarray,
    border: np.ndarray,
    half_distance_km: float,
    technology_barrier: float,
    barrier_level: np.ndarray | float,
) -> np.ndarray:
    """s[j, k] = 2^(-d[j, k]/d_half) (1 - b_T level[j, k] border[j, k]), with s[j, j] = 1."""
    s = 2.0 ** (-distance_km / half_distance_km) * (1.0 - technology_barrier * barrier_level * border)
    np.fill_diagonal(s, 1.0)
    return np.clip(s, 0.0, 1.0)


def accumulate_knowledge(
    knowledge: np.ndarray, researchers: np.ndarray, decay: float, efficiency: float, returns: float
) -> np.ndarray:
    """S' = (1 - delta_S) S + chi RD^lambda."""
    return (1.0 - decay) * knowledge + efficiency * np.maximum(researchers, 0.0) ** returns


def tfp_from_knowledge(
    fundamental_tfp,
    accessible_knowledge,
    accessible_knowledge_base,
    population,
    population_base,
    knowledge_elasticity,
    agglomeration_elasticity,
):
    """A_j = Abar_j (S~_j / S~_j0)^nu (N_j / N_j0)^eps."""
    return (
        fundamental_tfp
        * (accessible_knowledge / accessible_knowledge_base) ** knowledge_elasticity
        * (population / population_base) ** agglomeration_elasticity
    )
