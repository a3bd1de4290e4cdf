"""Solvers for large region sets: the fixed points of ``kernels``' iterations, reached in fewer, cheaper steps.

For N > ``LARGE_N`` regions (the size above which ``kernels.solve_trade_equilibrium`` leaves Newton for damped
tatonnement), the model's fixed points are found with the same equations but another method:

- ``armington_weights`` (calibration, 5.5) and the amenities' ``balanced_weights`` (5.6): the balancing sweeps
  a_i <- a_i target_i / demand_i, accelerated (Anderson mixing on log a), with demand evaluated by
  matrix-vector products instead of the S x N x N share array or the reference's Newton steps on N x N
  Jacobians;
- ``solve_trade_equilibrium`` (7.3): the damped tatonnement on log factor costs, accelerated the same way,
  with the excess demand evaluated by matrix-vector products;

the calibration's investment wedges (5.4, balanced the same way), own-trade shares (5.5) and stationary
residence (5.6) are evaluated by matrix-vector products, and the residents' income matrix of 7.4 is kept as a
``ResidentIncome`` (the same linear map, factored), so that no N x N x N product is formed.

Both stop at the reference's tolerance on the same residual, so they return the reference's fixed point to
within that tolerance (tests/test_benchmarks.py compares them with the kernels). At N <= ``LARGE_N`` every
hook (here, or in ``calibration``, which calls ``balanced_weights`` and ``investment_wedges`` only above it) uses
the reference method itself: results there are bit-for-bit those of ``kernels`` and ``calibration``.

Anderson mixing (Walker & Ni 2011, type II): with residuals r_k = G(x_k) - x_k of the fixed-point map G and the
last m differences dX, dR, the next iterate is x_k + r_k - (dX + dR) gamma, gamma minimising
|r_k - dR gamma|. A step whose residual is more than ``RESTART_GROWTH`` times the best one so far is discarded:
the history is cleared and the plain (damped) step taken from the best iterate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from yreb.model import kernels as k

LARGE_N = k.NEWTON_MAX_REGIONS
MEMORY = 8  # Anderson history length
BALANCING_MEMORY = 16  # for ``balanced_weights``: at N = 2,000 the primary sector's Armington weights take 57
# evaluations with 16, 111 with 8 and 206 with 3 (the other sectors 25-39; 16 -> 24 changes little)
RESTART_GROWTH = 10.0


class Anderson:
    """Anderson mixing for a fixed point x = x + r(x) (vectors; one instance per solve)."""

    def __init__(self, memory: int = MEMORY):
        self.memory = memory
        self.dx: list[np.ndarray] = []
        self.dr: list[np.ndarray] = []
        self.last: tuple[np.ndarray, np.ndarray] | None = None

    def reset(self) -> None:
        """Forget the history (the next step is the plain one)."""
        self.dx.clear()
        self.dr.clear()
        self.last = None

    def step(self, x: np.ndarray, r: np.ndarray) -> np.ndarray:
        """The next iterate from the current one and its residual."""
        if self.last is not None:
            self.dx.append(x - self.last[0])
            self.dr.append(r - self.last[1])
            if len(self.dx) > self.memory:
                self.dx.pop(0)
                self.dr.pop(0)
        self.last = (x, r)
        if not self.dx:
            return x + r
        dr = np.stack(self.dr, axis=1)
        gram = dr.T @ dr
        gram[np.diag_indices_from(gram)] *= 1.0 + 1e-12
        try:
            gamma = np.linalg.solve(gram + 1e-300 * np.eye(len(gram)), dr.T @ r)
        except np.linalg.LinAlgError:
            self.reset()
            return x + r
        return x + r - (np.stack(self.dx, axis=1) + dr) @ gamma


@dataclass(frozen=True)
class ResidentIncome:
    """Residents' income per unit of each unit's value added (7.4), R = L + W^T O + F P, as a linear map.

    L (N x U) holds one entry per unit, its labour share ``labour_per_va`` in the unit's region; W (N x N) is
    where the people registered in o live; O (N x U) the owners' shares; F (N x N) the net transfers per unit
    of a region's value added and P (N x U) the unit-to-region indicator. ``R @ v`` is evaluated as
    L v + W^T (O v) + F (P v): O(N U) work instead of the N x N x U product W^T O. With ``bundle_unit`` b set
    (``of_costs``), the map takes factor costs C (N) instead: R @ (b * C[region of unit]).
    """

    labour_per_va: np.ndarray
    unit_region: np.ndarray
    where_they_live: np.ndarray
    owners: np.ndarray
    fiscal: np.ndarray
    bundle_unit: np.ndarray | None = None

    def of_costs(self, bundle_unit: np.ndarray) -> ResidentIncome:
        """The map from factor costs C to residents' incomes: E = R (b * C[region of unit])."""
        return replace(self, bundle_unit=bundle_unit)

    def __matmul__(self, vector: np.ndarray) -> np.ndarray:
        value_added = vector if self.bundle_unit is None else self.bundle_unit * vector[self.unit_region]
        n = len(self.fiscal)
        by_region = np.bincount(self.unit_region, weights=value_added, minlength=n)
        labour = np.bincount(self.unit_region, weights=self.labour_per_va * value_added, minlength=n)
        return labour + self.where_they_live.T @ (self.owners @ value_added) + self.fiscal @ by_region


def income_of_costs(residents, bundle_unit: np.ndarray, unit_region: np.ndarray, n: int):
    """The goods-market solver's income matrix (N x N, E = matrix @ C): residents' income per unit of value
    added times each unit's factor bundle, summed by region; for a ``ResidentIncome``, the same map unformed."""
    if isinstance(residents, ResidentIncome):
        return residents.of_costs(bundle_unit)
    return units_to_regions(residents * bundle_unit[None, :], unit_region, n)


def units_to_regions(per_unit: np.ndarray, unit_region: np.ndarray, n: int) -> np.ndarray:
    """Columns of ``per_unit`` (rows x U units) summed by region (rows x N): ``per_unit @ R`` with R[u, j] = 1 where
    unit u lies in region j.

    Without parks (U = N, unit j is region j) R is the identity and the matrix is returned as it is (what the
    product gives, bit for bit, without its N x N x N work); otherwise the product itself.
    """
    units = per_unit.shape[1]
    if units == n:
        return per_unit
    region_of_unit = np.zeros((units, n))
    region_of_unit[np.arange(units), unit_region] = 1.0
    return per_unit @ region_of_unit


# --- calibration: balancing weights (Armington weights 5.5, amenities 5.6), investment (5.4) ------------------


def _demand(log_a: np.ndarray, deterrence_s: np.ndarray, spending_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a, demand) for one sector at unit prices: demand_i = a_i sum_j D_ij E_j / sum_k a_k D_kj."""
    a = np.exp(log_a - log_a.max())
    return a, a * (deterrence_s @ (spending_s / (a @ deterrence_s)))


def armington_weights(
    sales: np.ndarray,
    spending: np.ndarray,
    deterrence: np.ndarray,
    tolerance: float = 1e-13,
    max_sweeps: int = k.MAX_BALANCING_SWEEPS,
) -> np.ndarray:
    """``kernels.armington_weights``: weights a (S, N), max a = 1 per sector, with sales = demand at unit prices.

    At N <= LARGE_N the reference kernel; above, Anderson-accelerated balancing per sector, stopping when
    max |sales / demand - 1| < ``tolerance`` as the reference does.
    """
    if sales.shape[1] <= LARGE_N:
        return k.armington_weights(sales, spending, deterrence, tolerance, max_sweeps)
    return np.stack(
        [
            balanced_weights(sales[s], spending[s], deterrence[s], tolerance, "trade calibration", max_sweeps)
            for s in range(sales.shape[0])
        ]
    )


def balanced_weights(
    target: np.ndarray,
    spending: np.ndarray,
    deterrence: np.ndarray,
    tolerance: float,
    what: str,
    max_sweeps: int = k.MAX_BALANCING_SWEEPS,
) -> np.ndarray:
    """Weights a (max 1) with demand_i = a_i sum_j D_ij E_j / sum_k a_k D_kj equal to ``target``: the balancing
    sweeps log a <- log a + log(target / demand), Anderson-mixed, until max |target / demand - 1| < ``tolerance``.

    The same problem as the Armington weights (5.5, D the sector's deterrence, E its spending) and as the
    amenities (5.6, D = W^T the migration weights transposed, E the re-choosers of each origin).
    """
    log_target = np.log(target)
    mixer = Anderson(BALANCING_MEMORY)
    log_a = np.zeros(len(target))
    best = (np.inf, log_a)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # a wild step is discarded, not fatal
        for _ in range(max_sweeps):
            a, demand = _demand(log_a, deterrence, spending)
            worst = np.abs(target / demand - 1.0).max()
            if worst < tolerance:
                return a
            residual = log_target - np.log(demand)
            if worst < best[0]:
                best = (worst, log_a)
            elif not np.isfinite(worst) or worst > RESTART_GROWTH * best[0]:
                mixer.reset()
                log_a = best[1]
                a, demand = _demand(log_a, deterrence, spending)
                residual = log_target - np.log(demand)
            log_a = mixer.step(np.log(a), residual)
    raise RuntimeError(f"{what} did not converge (max relative gap {best[0]:.2e})")


def investment_wedges(
    friction: np.ndarray,
    gross_return: np.ndarray,
    size: np.ndarray,
    elasticity: float,
    investment: np.ndarray,
    tolerance: float,
) -> np.ndarray:
    """Destination wedges omega (max 1) at which every unit receives ``investment`` I when every owner invests
    it, with the shares of ``kernels.investment_shares`` (5.4, 7.5).

    The balancing problem of ``balanced_weights`` for w_u = M_u (omega_u R_u)^kappa_K, with D = (tau^kappa_K)^T
    and E = I, so omega_u is proportional to (w_u / M_u)^(1 / kappa_K) / R_u. Used above LARGE_N regions
    instead of ``calibration.capital_wedges``' plain sweeps (47 of them at N = 2,000, about twice as many
    evaluations); stops at max |I / inflow - 1| < ``tolerance``.
    """
    weight = balanced_weights(investment, investment, friction.T, tolerance, "capital calibration")
    wedge = (weight / size) ** (1.0 / elasticity) / gross_return
    return wedge / wedge.max()


def own_trade_shares(weight: np.ndarray, deterrence: np.ndarray) -> np.ndarray:
    """pi[s, j, j] of ``kernels.trade_shares`` at unit prices (S x N): the share of j's spending on s that j
    buys from itself. At N <= LARGE_N the diagonal of the reference array; above, a_sj D_sjj / sum_i a_si D_sij
    without the S x N x N array."""
    if weight.shape[1] <= LARGE_N:
        return np.einsum("sjj->sj", k.trade_shares(weight, np.ones_like(weight), deterrence, 1.0))
    return weight * np.einsum("sjj->sj", deterrence) / np.matmul(weight[:, None, :], deterrence)[:, 0, :]


def stationary_migrant_share(shares: np.ndarray, rechoice_rate: float, settlement_rate: float) -> float:
    """``kernels.stationary_migrant_share`` (5.6). At N <= LARGE_N the kernel's own power iteration; above, the
    same fixed point P = P m Anderson-mixed, stopped at the kernel's tolerance on max |P m - P|."""
    if shares.shape[0] <= LARGE_N:
        return k.stationary_migrant_share(shares, rechoice_rate, settlement_rate)
    mixer = Anderson()
    residence = np.full(shares.shape[0], 1.0 / shares.shape[0])
    for _ in range(10_000):
        residual = residence @ shares - residence
        if np.abs(residual).max() < k.STATIONARY_TOLERANCE:
            break
        residence = mixer.step(residence, residual)
        residence /= residence.sum()
    else:
        raise RuntimeError("the stationary residence shares did not converge")
    return k.stationary_migrant_share(shares, rechoice_rate, settlement_rate, residence)


# --- the goods-market equilibrium -----------------------------------------------------------------------------


def excess_demand(cost, bundle, tfp, weight, deterrence, theta, spending_share, income_matrix):
    """(log gaps log(sales / (C F)), sales S x N) of ``kernels.solve_trade_equilibrium`` by matrix-vector products:
    with x_si = a_si p_si^-theta, sales_si = x_si sum_j D_sij mu_sj E_j / (sum_k x_sk D_skj)."""
    spending = income_matrix @ cost
    x = weight * (cost[None, :] / tfp) ** -theta
    sales = np.empty_like(x)
    for s in range(x.shape[0]):
        sales[s] = x[s] * (deterrence[s] @ (spending_share[s] * spending / (x[s] @ deterrence[s])))
    return np.log(sales.sum(axis=0) / (cost * bundle)), sales


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
    stats: dict | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``kernels.solve_trade_equilibrium``: factor-cost indices C (N) and sales (S x N) clearing every market.

    At N <= LARGE_N the reference kernel (Newton). Above, the reference's damped tatonnement
    C <- C (sales / (C F))^(1/(1 + theta)) with Anderson mixing on log C, stopping at the same tolerance on the
    same log gaps and scaled as the reference scales its result (national value added at current prices =
    national output at base-year prices). ``stats``, if given, receives the number of excess-demand evaluations.
    """
    if cost.size <= LARGE_N:
        return k.solve_trade_equilibrium(
            cost, bundle, tfp, weight, deterrence, theta, spending_share, income_matrix, tolerance, max_iterations
        )
    args = (bundle, tfp, weight, deterrence, theta, spending_share, income_matrix)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # a wild step is discarded, not fatal
        return _solve(cost, args, theta, tolerance, max_iterations, stats)


def _solve(cost, args, theta, tolerance, max_iterations, stats):
    bundle, tfp = args[0], args[1]
    damping = 1.0 / (1.0 + theta)
    log_c = np.log(cost)
    mixer = Anderson()
    best = (np.inf, log_c)
    for iteration in range(max_iterations):
        c = np.exp(log_c - log_c.mean())  # gaps are homogeneous of degree 0 in C: the level is free until the end
        gap, sales = excess_demand(c, *args)
        worst = np.abs(gap).max()
        if worst < tolerance:
            if stats is not None:
                stats["evaluations"] = iteration + 1
            scale = ((sales * tfp).sum(axis=0) / c).sum() / (c * bundle).sum()  # as the reference: exact
            return c * scale, sales * scale
        if not np.isfinite(worst) or worst > RESTART_GROWTH * best[0]:
            mixer.reset()
            log_c = best[1]
            c = np.exp(log_c - log_c.mean())
            gap, sales = excess_demand(c, *args)
        elif worst < best[0]:
            best = (worst, log_c)
        log_c = mixer.step(np.log(c), damping * gap)
    raise RuntimeError(f"goods-market equilibrium did not converge (max gap {best[0]:.2e})")
