"""Back out the fundamentals of the fitted years from observed history (docs/MODEL.md section 7.12).

The baseline (the scenario without its policies, mean-field) is stepped through its phases year by year.
In each year t after the base year, fundamental TFP by sector and region is set so that real value added
equals the target Y*_sjt; in each year t before ``fit_until``, the natural change rate n_t makes the
national residents of t+1 equal the target, and the amenity shift a_jt places them across regions as
observed (the same shift of the log-odds of choosing j for talent and labour). The growth of fundamental
TFP from t to t+1, a_jt and n_t are the fitted fundamentals.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from yreb.inputs.history import HistoryTargets
from yreb.model.calibration import balance_attractiveness
from yreb.model.fundamentals import Fundamentals

TFP_TOLERANCE = 1e-9  # max |log Y / Y*| of real value added by sector and region


def solve_fundamental_tfp(model, state, target_value_added: np.ndarray) -> np.ndarray:
    """Fundamental TFP (S x N) at which the equilibrium of the model's year gives real value added Y*_sj.

    Solves log Y(A) = log Y* for log A with MINPACK's hybrid Powell method (``scipy.optimize.root``):
    the sectors of a region share its factor bundle, so their outputs respond strongly to each other's TFP
    and a step per element would not converge; the Jacobian is estimated once and updated (Broyden).
    """
    tfp, talent_res, labour_res, talent_prod = model.productivity(state)
    multiplier = tfp / model.fundamental_tfp
    log_target = np.log(target_value_added)

    def gap(log_a: np.ndarray) -> np.ndarray:
        a = np.exp(log_a.reshape(tfp.shape))
        economy = model.market_equilibrium(state, a, talent_res, labour_res, talent_prod)
        return (np.log(economy.real_output) - log_target).ravel()

    start = np.log(tfp) - gap(np.log(tfp).ravel()).reshape(tfp.shape)  # proportional first guess
    solution = optimize.root(gap, start.ravel(), method="hybr", options={"xtol": 1e-13})
    worst = np.abs(gap(solution.x)).max()
    if not np.isfinite(worst) or worst > TFP_TOLERANCE:
        raise RuntimeError(f"TFP fit did not converge in year {model.year} (max gap {worst:.2e}, {solution.message})")
    return np.exp(solution.x.reshape(tfp.shape)) / multiplier


def migration_weights(model, economy, amenity_shift=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stacked choice weights D_f[o, j] V_f[o, j]^kappa_f of talent then labour (2N x N), re-choosers per row
    (psi x registered) and residents per region, as in phase 5 (7.6)."""
    p, cal = model.params, model.calibration
    rows, movers = [], []
    for stock, wage, amenity, kappa, factor in (
        (model.talent_stock, economy.wage_talent, cal.amenity_talent, p.migration_elasticity_talent, "talent"),
        (model.labour_stock, economy.wage_labour, cal.amenity_labour, p.migration_elasticity_labour, "labour"),
    ):
        attractiveness = amenity[None, :] * (wage[None, :] + economy.dividend[:, None]) / economy.cost_of_living
        if amenity_shift is not None:
            attractiveness = attractiveness * np.exp(amenity_shift / kappa)[None, :]
        rows.append(model._costs[factor] * (attractiveness / attractiveness.max()) ** kappa)
        movers.append(p.rechoice_rate * stock.sum(axis=1))
    residents = model.talent_stock.sum(axis=0) + model.labour_stock.sum(axis=0)
    return np.vstack(rows), np.concatenate(movers), residents.astype(float)


def solve_amenity_shift(model, economy, next_residents: np.ndarray) -> tuple[np.ndarray, float]:
    """(a_j, n): natural change n gives next year's national residents; a_j places them across regions.

    Expected residents of j next year are (1 + n) [(1 - psi) P_j + sum_o R_o m[o, j](a)] (mean-field moves,
    settlement does not change residence); a_j has residents-weighted mean 0 (shares are scale-free).
    """
    weights, movers, residents = migration_weights(model, economy)
    natural = next_residents.sum() / residents.sum() - 1.0
    stayers = (1.0 - model.params.rechoice_rate) * residents
    target = next_residents / (1.0 + natural) - stayers
    target *= movers.sum() / target.sum()  # exact balance (the totals agree up to rounding)
    shift = np.log(balance_attractiveness(movers, target, weights))
    shift -= (shift * residents).sum() / residents.sum()
    return shift, float(natural)


def fit_fundamentals(model, targets: HistoryTargets, fit_until: int) -> Fundamentals:
    """Fitted fundamentals of years base .. fit_until - 1 for ``model`` (a baseline at its base year)."""
    base = model.year
    sectors, n = model.fundamental_tfp.shape
    p = model.params
    growth = np.zeros((fit_until - base, sectors, n))
    shifts = np.zeros((fit_until - base, n))
    natural = np.zeros(fit_until - base)

    def fundamentals(fitted_rows: int) -> Fundamentals:
        return Fundamentals(
            base,
            base + fitted_rows,
            growth[:fitted_rows].copy(),
            shifts[:fitted_rows].copy(),
            natural[:fitted_rows].copy(),
            targets.gdp_100m_yuan[min(fit_until - base, len(targets.years) - 1)],
            p.tfp_growth,
            p.natural_growth_rate,
            p.projection_half_life_years,
            p.projection_shrink_to_mean,
        )

    previous = model.fundamental_tfp.copy()
    for year in range(base, fit_until + 1):
        row = year - base
        model.check_stocks(year)
        state = model.apply_policies(year)
        if year > base:
            model.fundamental_tfp = solve_fundamental_tfp(model, state, targets.value_added_100m_yuan[row])
            growth[row - 1] = np.log(model.fundamental_tfp / previous)
        previous = model.fundamental_tfp.copy()
        if year == fit_until:
            break
        tfp, talent_res, labour_res, talent_prod = model.productivity(state)
        economy = model.market_equilibrium(state, tfp, talent_res, labour_res, talent_prod)
        shifts[row], natural[row] = solve_amenity_shift(model, economy, targets.population_persons[row + 1])
        model.fundamentals = fundamentals(row + 1)
        investment = model.invest(state, economy)
        moves = model.migrate(economy, None, None)
        model.record(state, economy, investment, moves)
        model.advance(state, economy, investment, moves, (None, None, None, None))
        model.year += 1
    return fundamentals(fit_until - base)
