"""Numeric kernels of the model: small pure functions over numpy arrays (docs/MODEL.md section 7).

Conventions: ``N`` regions, ``U >= N`` production units (the regions' own economies first, then parks),
``S`` sectors (primary, secondary, tertiary). Money in 100 million yuan (1e8 yuan), people in persons,
land in km2, distances in km. Matrices are indexed ``[origin, destination]`` (people: registration,
residence; capital: owner, installed unit; goods: exporter, importer) and sector arrays ``[sector, ...]``.
No function here reads files, draws plots or keeps state.
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088
YUAN_PER_100M = 1e8  # money is in 100 million yuan


def haversine_km(lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """Great-circle distances d[i, j] = 2 R asin(sqrt(hav(dlat) + cos lat_i cos lat_j hav(dlon)))."""
    lon, lat = np.radians(lon_deg), np.radians(lat_deg)
    cos_lat = np.cos(lat)
    h = _half_angle_sine_squared(lat)  # in place from here: three N x N arrays (32 MB each at N = 2,000)
    lon_term = np.multiply.outer(cos_lat, cos_lat)
    lon_term *= _half_angle_sine_squared(lon)
    h += lon_term
    del lon_term
    np.clip(h, 0.0, 1.0, out=h)
    np.sqrt(h, out=h)
    np.arcsin(h, out=h)
    h *= 2.0 * EARTH_RADIUS_KM
    return h


def _half_angle_sine_squared(angle: np.ndarray) -> np.ndarray:
    """sin((angle_j - angle_i) / 2)^2 for every pair (i, j), in place in one new N x N array."""
    out = np.subtract(angle[None, :], angle[:, None])
    out /= 2
    np.sin(out, out=out)
    out **= 2
    return out


def internal_distance_km(land_area_km2: np.ndarray) -> np.ndarray:
    """d_jj = (2/3) sqrt(area_j / pi): mean distance within a disc of the region's area (7.3; Head & Mayer 2002)."""
    return (2.0 / 3.0) * np.sqrt(land_area_km2 / np.pi)


# --- production (7.3) -------------------------------------------------------------------------------


def factor_bundle(capital, talent, labour, land_km2, alpha, beta_talent, beta_labour, gamma):
    """F = K^alpha H^beta_H L^beta_L Z^gamma, the Cobb-Douglas bundle of a unit's factors (7.3)."""
    return capital**alpha * talent**beta_talent * labour**beta_labour * land_km2**gamma


def unit_fixed_factor(value_tfp: np.ndarray, capital: np.ndarray, land_km2: np.ndarray, alpha: float, gamma: float):
    """X_u = (A_u K_u^alpha Z_u^gamma)^(1/(alpha+gamma)): a unit's weight in its region's labour market (7.3).

    ``value_tfp`` is the unit's output value per factor bundle relative to its region's own economy (1 for
    the own economy, rho_p for a park), so that equal weights mean equal marginal value products.
    """
    return (value_tfp * capital**alpha * land_km2**gamma) ** (1.0 / (alpha + gamma))


def allocate_workers(
    fixed_factor: np.ndarray, unit_region: np.ndarray, region_workers: np.ndarray, unit_cap: np.ndarray | None = None
) -> np.ndarray:
    """Workers of each unit when wages equalise across the units of a region (7.3).

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


# --- goods trade and prices (7.3) ---------------------------------------------------------------------


def trade_deterrence(
    distance_km: np.ndarray,
    internal_km: np.ndarray,
    border: np.ndarray,
    border_cost: np.ndarray,
    barrier_level: np.ndarray | float,
    distance_elasticity: float,
    trade_elasticity: float,
) -> np.ndarray:
    """D[s, i, j] = tau[s, i, j]^-theta with tau = d_ij^delta exp(b_s level_ij border_ij), d_ii internal.

    ``border_cost`` holds b_s per sector; the result has shape (S, N, N).
    """
    distance_term = distance_km.copy()
    np.fill_diagonal(distance_term, internal_km)
    np.log(distance_term, out=distance_term)
    distance_term *= distance_elasticity
    log_tau = np.empty((len(border_cost), *border.shape))  # in place from here: S x N x N is 96 MB at N = 2,000
    level_border = np.broadcast_to(np.multiply(barrier_level, border), log_tau.shape)  # a level per sector or not
    for s, cost in enumerate(np.asarray(border_cost, dtype=float)):
        np.multiply(cost, level_border[s], out=log_tau[s])
        log_tau[s] += distance_term
    log_tau *= -trade_elasticity
    return np.exp(log_tau, out=log_tau)


def trade_shares(weight: np.ndarray, price: np.ndarray, deterrence: np.ndarray, theta: float) -> np.ndarray:
    """pi[s, i, j] = a_is (p_is tau_sij)^-theta / sum_k a_ks (p_ks tau_skj)^-theta: j's spending on s from i.

    ``weight`` a (S, N), ``price`` p (S, N) at the exporter's gate, ``deterrence`` tau^-theta (S, N, N);
    every column (importer) of every sector sums to 1.
    """
    numerator = (weight * price**-theta)[:, :, None] * deterrence
    numerator /= numerator.sum(axis=1, keepdims=True)
    return numerator


def price_index(weight: np.ndarray, price: np.ndarray, deterrence: np.ndarray, theta: float) -> np.ndarray:
    """P[s, j] = (sum_i a_is (p_is tau_sij)^-theta)^(-1/theta): the importer's CES price of sector s."""
    return np.einsum("si,sij->sj", weight * price**-theta, deterrence) ** (-1.0 / theta)


MAX_BALANCING_SWEEPS = 20_000  # balancing sweeps before a calibration is declared not to converge


def armington_weights(
    sales: np.ndarray,
    spending: np.ndarray,
    deterrence: np.ndarray,
    tolerance: float = 1e-13,
    max_sweeps: int = MAX_BALANCING_SWEEPS,
) -> np.ndarray:
    """Weights a (S, N) with sum_j pi[s, i, j] spending[s, j] = sales[s, i] at unit prices (calibration, 7.3).

    Balancing sweeps a_i <- a_i sales_i / demand_i (the scale is free: max a = 1 per sector). Needs
    sum_i sales = sum_j spending in every sector.
    """
    a = np.ones_like(sales, dtype=float)
    for _ in range(max_sweeps):
        demand = np.einsum("sij,sj->si", trade_shares(a, np.ones_like(a), deterrence, 1.0), spending)
        gap = sales / demand
        a *= gap
        a /= a.max(axis=1, keepdims=True)
        if np.abs(gap - 1.0).max() < tolerance:
            return a
    raise RuntimeError(f"trade calibration did not converge (max relative gap {np.abs(gap - 1).max():.2e})")


NEWTON_MAX_REGIONS = 300  # above this the Newton step's N x N x N work costs more than damped iterations


def solve_trade_equilibrium(
    cost: np.ndarray,
    bundle: np.ndarray,
    tfp: np.ndarray,
    weight: np.ndarray,
    deterrence: np.ndarray,
    theta: float,
    spending_share: np.ndarray,
    income_matrix: np.ndarray,
    tolerance: float = 1e-12,
    max_iterations: int = 5000,
) -> tuple[np.ndarray, np.ndarray]:
    """Factor-cost indices C (N) clearing every region's market: C_j F_j = sum_s sum_i pi[s, j, i] mu_si E_i (7.3).

    Prices p_sj = C_j / A_sj (``tfp`` A has shape (S, N)); spending E = ``income_matrix`` @ C (incomes are
    proportional to each region's value added C_j F_j), of which the share mu_sj (``spending_share``,
    S x N) goes to sector s. Newton steps on log C with the analytic Jacobian of log sales - log(C F)
    (backtracking; damped tatonnement C <- C (sales / (C F))^(1/(1 + theta)) for large N); after each step C
    is scaled so that national value added at current prices equals national output valued at base-year
    prices, sum_sj sales_sj / p_sj (the national GDP deflator is 1). Returns (C, sales by sector and region).
    """
    c = cost.copy()
    newton = c.size <= NEWTON_MAX_REGIONS

    def excess(c):
        spending = income_matrix @ c
        pi = trade_shares(weight, c[None, :] / tfp, deterrence, theta)
        spend = spending_share * spending[None, :]
        sales = np.einsum("sij,sj->si", pi, spend)
        return np.log(sales.sum(axis=0) / (c * bundle)), sales, pi, spend

    gap, sales, pi, spend = excess(c)
    for _ in range(max_iterations):
        if np.abs(gap).max() < tolerance:
            scale = ((sales * tfp).sum(axis=0) / c).sum() / (c * bundle).sum()  # exact: sales scale with C
            return c * scale, sales * scale
        total = sales.sum(axis=0)
        real = ((sales * tfp).sum(axis=0) / c).sum()  # national output at base-year prices
        result = None
        if newton:
            # d sales_i / d ln C_k = -theta (delta_ik sales_i - sum_s (pi_s diag(spend_s) pi_s')_ik)
            #                        + sum_s (pi_s diag(mu_s))_ij H_jk C_k
            own = np.einsum("sij,sj,skj->ik", pi, spend, pi)
            income_effect = np.einsum("sij,sj->ij", pi, spending_share) @ (income_matrix * c[None, :])
            jacobian = (-theta * (np.diag(total) - own) + income_effect) / total[:, None] - np.eye(c.size)
            step = np.linalg.lstsq(jacobian, -gap, rcond=None)[0]
            step *= min(1.0, 0.5 / max(np.abs(step).max(), 1e-300))  # at most a 65% change per step
            size = 1.0
            while size > 1e-3:
                trial = c * np.exp(size * step)
                trial *= real / (trial * bundle).sum()
                candidate = excess(trial)
                if np.abs(candidate[0]).max() < np.abs(gap).max():  # NaN never passes
                    c, result = trial, candidate
                    break
                size /= 2
        if result is None:  # damped tatonnement (large N, or a Newton step that does not help)
            c = c * (total / (c * bundle)) ** (1.0 / (1.0 + theta))
            c *= real / (c * bundle).sum()
            result = excess(c)
        gap, sales, pi, spend = result
    raise RuntimeError(f"goods-market equilibrium did not converge (max gap {np.abs(gap).max():.2e})")


def spending_shares(use_share: np.ndarray, spending: np.ndarray, sector_output: np.ndarray, sweeps: int = 500):
    """mu (S x N): each region's observed use shares rescaled by sector so that national spending on every
    sector equals national output, sum_j mu_sj E_j = sum_j Y_sj, with sum_s mu_sj = 1 (biproportional, 5.5)."""
    mu = use_share.T.copy()
    target = sector_output.sum(axis=1)
    for _ in range(sweeps):
        mu *= (target / (mu * spending[None, :]).sum(axis=1))[:, None]
        mu /= mu.sum(axis=0, keepdims=True)
    return mu


def transfer_coefficients(net_outflow_share: np.ndarray, value_added: np.ndarray) -> np.ndarray:
    """Tm (N x N) with net transfers T = Tm @ VA: regions with observed net outflows pay t_r of their value
    added into a pool shared among net-inflow regions in fixed proportions sigma_j (7.4).

    Shares are centred so that they sum to zero at base-year value added (the provincial accounts do not
    add up nationally); then Tm[j, r] = sigma_j t_r - [j = r] t_r, so that transfers always sum to zero.
    """
    share = net_outflow_share - (net_outflow_share * value_added).sum() / value_added.sum()
    pay = np.maximum(share, 0.0)
    receive = np.maximum(-share, 0.0) * value_added
    sigma = receive / receive.sum() if receive.sum() > 0 else np.zeros_like(receive)
    out = np.multiply.outer(sigma, pay)
    out[np.diag_indices_from(out)] -= pay  # what subtracting diag(pay) gives, without a second N x N matrix
    return out


# --- migration (7.6) --------------------------------------------------------------------------------


def migration_cost(
    distance_km: np.ndarray,
    border: np.ndarray,
    border_cost: float,
    barrier_level: np.ndarray | float,
    distance_scale_km: float,
    distance_elasticity: float,
) -> np.ndarray:
    """mu[o, j] = (1 + d/d0)^rho * exp(b * level[o, j] * border[o, j]), with mu[o, o] = 1."""
    mu = distance_km / distance_scale_km  # in place from here: two N x N arrays
    mu += 1.0
    mu **= distance_elasticity
    border_term = np.multiply(border_cost * barrier_level, border)
    mu *= np.exp(border_term, out=border_term)
    np.fill_diagonal(mu, 1.0)
    return mu


def deterrence(cost: np.ndarray, elasticity: float, out: np.ndarray | None = None) -> np.ndarray:
    """D[o, j] = mu[o, j]^(-kappa): the cost part of a logit weight, computed once per policy state (into ``out``
    if given, which may be ``cost``)."""
    return np.power(cost, -elasticity, out=out)


def logit_shares(deterrence_matrix: np.ndarray, attractiveness: np.ndarray, elasticity: float) -> np.ndarray:
    """m[o, j] = D[o, j] V[o, j]^kappa / sum_k D[o, k] V[o, k]^kappa; every row sums to 1.

    ``attractiveness`` V is a vector (one value per destination) or an (N, N) matrix.
    """
    weights = attractiveness / attractiveness.max()
    weights **= elasticity
    weights = _times_deterrence(deterrence_matrix, weights)
    weights /= weights.sum(axis=1, keepdims=True)
    return weights


def expected_utility(deterrence_matrix: np.ndarray, attractiveness: np.ndarray, elasticity: float) -> np.ndarray:
    """W_o = (sum_j D[o, j] V[o, j]^kappa)^(1/kappa): expected utility of a chooser registered in o (7.4).

    Up to the constant Gamma(1 - 1/kappa) of the Frechet (logit) choice, this is the welfare of the
    location choice in units of real income: migration costs (in D) lower it.
    """
    return _times_deterrence(deterrence_matrix, attractiveness**elasticity).sum(axis=1) ** (1.0 / elasticity)


def _times_deterrence(deterrence_matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """D[o, j] w[o, j] (or w[j]), into ``weights`` when it is a fresh (N, N) array: no N x N temporary."""
    if weights.shape == deterrence_matrix.shape:
        weights *= deterrence_matrix
        return weights
    return deterrence_matrix * weights


STATIONARY_TOLERANCE = 1e-15  # max |P m - P| of the stationary residence shares (sum 1)


def stationary_migrant_share(
    shares: np.ndarray, rechoice_rate: float, settlement_rate: float, residence: np.ndarray | None = None
) -> float:
    """Migrant share the stock tends to when the destination shares m stay as they are (5.6).

    At the fixed point of re-choice then settlement, registration equals residence P* with P* m = P*, and
    X*[o, j] = c P*_o m[o, j] off the diagonal, c = (1 - varsigma) psi / (1 - (1 - varsigma)(1 - psi)).
    P* is ``residence`` when given, otherwise found by power iteration from equal shares.
    """
    p = residence
    if p is None:
        p = np.full(shares.shape[0], 1.0 / shares.shape[0])
        for _ in range(10_000):
            new = p @ shares
            if np.abs(new - p).max() < STATIONARY_TOLERANCE:
                break
            p = new
    turnover = rechoice_rate + settlement_rate - rechoice_rate * settlement_rate
    c = (1 - settlement_rate) * rechoice_rate / turnover if turnover > 0 else 0.0
    return float(c * (p * (1.0 - np.diag(shares))).sum() / p.sum())


def round_rows_preserving_sums(target: np.ndarray) -> np.ndarray:
    """Integer matrix close to ``target`` whose row sums equal round(row sums of target).

    Cumulative rounding: n[o, :] = diff(round(cumsum(target[o, :]))).
    """
    running = np.cumsum(target, axis=1, dtype=np.float64)  # 8-byte floats: the buffer is reused as int64
    cumulative = np.empty(running.shape, dtype=np.int64)
    np.rint(running, out=cumulative, casting="unsafe")  # whole numbers, cast as astype(int64) casts them
    out = running.view(np.int64)  # the float buffer is free now: two N x N arrays instead of four
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


def natural_change(stock: np.ndarray, rate: np.ndarray | float, rng: np.random.Generator | None) -> np.ndarray:
    """Births net of deaths in each (registration, residence) cell: round(X n) (mean-field) or draws (7.6).

    Children take their parents' registration and residence. Stochastic: Poisson(X n) for n > 0,
    minus Binomial(X, -n) for n < 0.
    """
    rate = np.broadcast_to(np.asarray(rate, dtype=float), stock.shape)
    if rng is None:
        return np.rint(stock * rate).astype(np.int64)
    alive = np.maximum(stock, 0)  # a corrupted (negative) cell is reported by the invariant checks, not here
    births = rng.poisson(alive * np.maximum(rate, 0.0))
    deaths = rng.binomial(alive, np.maximum(-rate, 0.0))
    return births - deaths


# --- capital (7.5) ----------------------------------------------------------------------------------


def investment_shares(friction: np.ndarray, attractiveness: np.ndarray, size: np.ndarray, elasticity: float):
    """share[o, u] = M_u tau[o, u]^kappa_K V[o, u]^kappa_K / sum_v (...) (7.5).

    ``friction`` is tau^kappa_K (owner x unit); ``attractiveness`` V = omega_u^lv[o, u] R_u, the gross return
    times the destination's investment wedge where the administrative barrier of the pair is in force (a
    vector of returns, or an owner x unit matrix); M_u is the unit's size as an opportunity: its installed
    capital for a region's own economy (gravity), the zoned capacity share times the host's capital for a
    park, so that a small park's high return does not draw a region-sized share of investment.
    """
    attractiveness = np.asarray(attractiveness)
    weights = friction * size[None, :] * (attractiveness / attractiveness.max()) ** elasticity
    weights /= weights.sum(axis=1, keepdims=True)
    return weights


def accumulate_capital(capital: np.ndarray, investment: np.ndarray, depreciation: float) -> np.ndarray:
    """K'[o, u] = (1 - delta) K[o, u] + I[o, u] (I in real terms)."""
    return (1.0 - depreciation) * capital + investment


# --- knowledge (7.7) --------------------------------------------------------------------------------


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


def enclave_link(staff: np.ndarray, home_researchers: np.ndarray, link_scale: float, link_max: np.ndarray):
    """l_e = l_max (1 - exp(-R_e / (phi RD_home))): an enclave's knowledge link grows with its staff (7.7).

    Saturating in the staff relative to the home's own R&D personnel: one researcher gives a link of order
    1e-4 of its maximum, a staff of phi RD_home about 63% of it.
    """
    return link_max * -np.expm1(-staff / (link_scale * np.maximum(home_researchers, 1.0)))


def linked_weight(base_weight: np.ndarray, link: np.ndarray) -> np.ndarray:
    """s' = s + l (1 - s): a link l in [0, 1] closes that share of the gap between s and full access (7.7)."""
    return base_weight + link * (1.0 - base_weight)


def accumulate_knowledge(
    knowledge: np.ndarray, researchers: np.ndarray, decay: float, efficiency: float, returns: float
) -> np.ndarray:
    """S' = (1 - delta_S) S + chi RD^lambda."""
    return (1.0 - decay) * knowledge + efficiency * np.maximum(researchers, 0.0) ** returns


def productivity_multiplier(
    accessible_knowledge, accessible_knowledge_base, population, population_base, knowledge_elasticity, agglomeration
):
    """(S~_j / S~_j0)^nu (N_j / N_j0)^eps: knowledge and agglomeration terms of TFP (7.2)."""
    return (accessible_knowledge / accessible_knowledge_base) ** knowledge_elasticity * (
        population / population_base
    ) ** agglomeration


# --- energy and carbon (7.13) -----------------------------------------------------------------------


def damped_trend(log_values: np.ndarray, years: np.ndarray, horizon: int, damping: float) -> np.ndarray:
    """ln I(T + h) = ln I(T) + b sum_{k=1..h} phi^k, h = 1..horizon: a damped log-linear trend (7.13).

    ``log_values`` (series x observed years) holds ln I over ``years``; b is each series' least-squares slope
    of ln I on the year, T the last observed year, phi = ``damping`` (0 holds the last value, 1 is the
    undamped trend). Returns series x horizon.
    """
    centred = years - years.mean()
    slope = (log_values * centred).sum(axis=-1) / (centred**2).sum()
    steps = np.cumsum(damping ** np.arange(1, horizon + 1))
    return log_values[..., -1:] + slope[..., None] * steps
