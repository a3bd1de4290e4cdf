"""Outcome metrics: pure functions over numpy arrays and over the tidy results/flows tables.

Array functions take the regions on the last axis and work for any leading axes (years, replications).
Belt metrics exclude regions outside the belt (RestOfChina) except the belt's share of national GDP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from yreb.model.kernels import YUAN_PER_100M

# variables whose belt value is not a sum over regions (per-capita values, prices, indices)
BAND = (0.05, 0.95)  # quantiles of the spread shown across replications
NON_ADDITIVE = ("gdp_per_capita_yuan", "tfp", "knowledge_stock", "wage_talent_yuan", "wage_labour_yuan")
BELT = "Belt"  # region label of belt aggregates and belt metrics
BELT_METRICS: dict[str, tuple[str, str]] = {
    "belt_share_national_gdp": ("Belt share of national GDP", "fraction of belt + rest-of-China GDP"),
    "theil_t_total": ("Theil T of GDP per capita (GDP-weighted)", "Theil index, 0 = equal"),
    "theil_t_between": ("Theil T between sub-regions", "Theil index, 0 = equal"),
    "theil_t_within": ("Theil T within sub-regions", "Theil index, 0 = equal"),
    "theil_l_total": ("Theil L of GDP per capita (population-weighted)", "Theil index, 0 = equal"),
    "theil_l_between": ("Theil L between sub-regions", "Theil index, 0 = equal"),
    "theil_l_within": ("Theil L within sub-regions", "Theil index, 0 = equal"),
    "cv_gdp_per_capita": ("Coefficient of variation of GDP per capita", "std / mean, unweighted"),
    "williamson_cv_gdp_per_capita": ("Williamson CV of GDP per capita", "population-weighted std / mean"),
    "beta_convergence_per_year": ("Beta-convergence speed since the start year", "fraction of gap closed per year"),
    "talent_herfindahl": ("Talent concentration (Herfindahl of talent shares)", "index, 1/regions = even"),
    "talent_top3_share": ("Talent share of the top-3 regions", "fraction of belt talent"),
}


# --- inequality -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TheilDecomposition:
    """total = between + within (exactly, up to rounding)."""

    total: np.ndarray
    between: np.ndarray
    within: np.ndarray


def _shares(x: np.ndarray) -> np.ndarray:
    return x / x.sum(axis=-1, keepdims=True)


def _entropy_index(weight: np.ndarray, other: np.ndarray) -> np.ndarray:
    """sum_i w_i ln(w_i / o_i) with w, o the shares of ``weight`` and ``other`` over the last axis."""
    w, o = _shares(weight), _shares(other)
    return (w * np.log(w / o)).sum(axis=-1)


def _decomposed_entropy(weight: np.ndarray, other: np.ndarray, groups) -> TheilDecomposition:
    """I = sum_g W_g ln(W_g / O_g) + sum_g W_g I_g, with W_g, O_g the group shares and I_g the index within g."""
    weight, other, groups = np.asarray(weight, float), np.asarray(other, float), np.asarray(groups)
    w_total = weight.sum(axis=-1)
    between = np.zeros(weight.shape[:-1])
    within = np.zeros(weight.shape[:-1])
    for g in np.unique(groups):
        members = groups == g
        w_g = weight[..., members].sum(axis=-1) / w_total
        o_g = other[..., members].sum(axis=-1) / other.sum(axis=-1)
        between += w_g * np.log(w_g / o_g)
        within += w_g * _entropy_index(weight[..., members], other[..., members])
    return TheilDecomposition(_entropy_index(weight, other), between, within)


def theil_t(gdp: np.ndarray, population: np.ndarray, groups) -> TheilDecomposition:
    """GDP-weighted Theil T of GDP per capita: T = sum_i s_i ln(s_i / p_i), s = GDP shares, p = population shares.

    Decomposed over ``groups`` (one label per region): between = sum_g S_g ln(S_g / P_g),
    within = sum_g S_g T_g.
    """
    return _decomposed_entropy(gdp, population, groups)


def theil_l(gdp: np.ndarray, population: np.ndarray, groups) -> TheilDecomposition:
    """Population-weighted Theil L (mean log deviation): L = sum_i p_i ln(p_i / s_i).

    Decomposed over ``groups``: between = sum_g P_g ln(P_g / S_g), within = sum_g P_g L_g.
    """
    return _decomposed_entropy(population, gdp, groups)


def coefficient_of_variation(values: np.ndarray) -> np.ndarray:
    """CV = sqrt(mean((y - mean y)^2)) / mean y over the last axis (unweighted, population std)."""
    values = np.asarray(values, float)
    return values.std(axis=-1) / values.mean(axis=-1)


def williamson_cv(per_capita: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Williamson CV = sqrt(sum_i p_i (y_i - ybar)^2) / ybar, p = population shares, ybar = sum_i p_i y_i."""
    per_capita = np.asarray(per_capita, float)
    p = _shares(np.asarray(population, float))
    mean = (p * per_capita).sum(axis=-1)
    return np.sqrt((p * (per_capita - mean[..., None]) ** 2).sum(axis=-1)) / mean


# --- convergence --------------------------------------------------------------------------------


def ols_slope(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares slope b of y = a + b x over the last axis: cov(x, y) / var(x)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    dx = x - x.mean(axis=-1, keepdims=True)
    dy = y - y.mean(axis=-1, keepdims=True)
    return (dx * dy).sum(axis=-1) / (dx**2).sum(axis=-1)


def beta_convergence(
    initial: np.ndarray, final: np.ndarray, years: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Beta convergence over a window of ``years``: returns (b, speed).

    b is the OLS slope of the annual log growth ln(y_T / y_0) / T on ln y_0 across regions; the implied
    speed is lambda = -ln(1 + b T) / T per year (positive = convergence; NaN where 1 + b T <= 0).
    """
    initial, final = np.asarray(initial, float), np.asarray(final, float)
    years = np.asarray(years, float)
    growth = np.log(final / initial) / years[..., None]
    b = ols_slope(np.broadcast_to(np.log(initial), growth.shape), growth)
    base = 1 + b * years
    speed = np.where(base > 0, -np.log(np.where(base > 0, base, 1.0)) / years, np.nan)
    return b, speed


# --- shares and concentration -------------------------------------------------------------------


def belt_share(gdp: np.ndarray, in_belt: np.ndarray) -> np.ndarray:
    """Belt share of national GDP = belt GDP / (belt + outside regions' GDP)."""
    gdp = np.asarray(gdp, float)
    return gdp[..., np.asarray(in_belt, bool)].sum(axis=-1) / gdp.sum(axis=-1)


def herfindahl(values: np.ndarray) -> np.ndarray:
    """Herfindahl index sum_i s_i^2 of the shares s_i = x_i / sum x (1/n when even, 1 when concentrated)."""
    return (_shares(np.asarray(values, float)) ** 2).sum(axis=-1)


def top_share(values: np.ndarray, k: int) -> np.ndarray:
    """Combined share of the k largest values in their total."""
    s = np.sort(_shares(np.asarray(values, float)), axis=-1)
    return s[..., -k:].sum(axis=-1)


# --- intervals across paired replications -------------------------------------------------------


def t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, level: float = 0.90) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided t-interval of a mean: mean +/- t_{(1+level)/2, n-1} sd / sqrt(n) (NaN when n < 2)."""
    n = np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + level / 2, n - 1) * np.asarray(sd, float) / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return np.asarray(mean) - half, np.asarray(mean) + half


# --- tidy-table metrics ---------------------------------------------------------------------------

RUN_KEYS = ["scenario", "replication", "seed"]


def panel(results: pd.DataFrame, variable: str, regions: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """One variable as an array (runs, years, regions) plus the (scenario, replication, seed, year) keys
    of its rows in order (runs outer, years inner)."""
    wide = results[results.variable == variable].pivot_table(
        index=RUN_KEYS + ["year"], columns="region", values="value", aggfunc="first"
    )
    wide = wide.sort_index()[list(regions)]
    n_years = wide.index.get_level_values("year").nunique()
    return wide.index.to_frame(index=False), wide.to_numpy().reshape(-1, n_years, len(regions))


def belt_aggregates(results: pd.DataFrame, belt: list[str]) -> pd.DataFrame:
    """Belt totals (region 'Belt') of the additive variables, and belt GDP per capita = belt GDP / belt residents."""
    data = results[results.region.isin(belt)]
    additive = data[~data.variable.isin(NON_ADDITIVE)]
    totals = additive.groupby(RUN_KEYS + ["variable", "unit", "year"], sort=False)["value"].sum().reset_index()
    wide = totals.pivot_table(index=RUN_KEYS + ["year"], columns="variable", values="value").reset_index()
    per_capita = wide[RUN_KEYS + ["year"]].assign(
        variable="gdp_per_capita_yuan",
        unit=results.loc[results.variable == "gdp_per_capita_yuan", "unit"].iloc[0],
        value=wide["gdp_100m_yuan"] * YUAN_PER_100M / wide["population_persons"],
    )
    out = pd.concat([totals, per_capita], ignore_index=True)
    out.insert(3, "region", BELT)
    return out


def belt_metrics(results: pd.DataFrame, regions: list[str], in_belt: list[bool], subregion: list[str]) -> pd.DataFrame:
    """BELT_METRICS per scenario, replication and year as a tidy table (region 'Belt', variable = metric).

    ``regions``, ``in_belt`` and ``subregion`` describe every region of the run (same order). Inequality and
    concentration are over the belt regions; beta convergence uses the window from the first year to each year.
    """
    in_belt = np.asarray(in_belt, bool)
    belt = [r for r, b in zip(regions, in_belt) if b]
    groups = np.asarray(subregion)[in_belt]
    keys, gdp_all = panel(results, "gdp_100m_yuan", regions)
    _, population = panel(results, "population_persons", belt)
    _, talent = panel(results, "talent_persons", belt)
    gdp = gdp_all[..., in_belt]
    per_capita = gdp / population
    years = np.sort(keys.year.unique())
    elapsed = (years - years[0]).astype(float)
    elapsed[0] = np.nan  # no window in the first year
    _, speed = beta_convergence(np.broadcast_to(per_capita[:, :1, :], per_capita.shape), per_capita, elapsed)
    t, ll = theil_t(gdp, population, groups), theil_l(gdp, population, groups)
    values = {
        "belt_share_national_gdp": belt_share(gdp_all, in_belt),
        "theil_t_total": t.total,
        "theil_t_between": t.between,
        "theil_t_within": t.within,
        "theil_l_total": ll.total,
        "theil_l_between": ll.between,
        "theil_l_within": ll.within,
        "cv_gdp_per_capita": coefficient_of_variation(per_capita),
        "williamson_cv_gdp_per_capita": williamson_cv(per_capita, population),
        "beta_convergence_per_year": speed,
        "talent_herfindahl": herfindahl(talent),
        "talent_top3_share": top_share(talent, 3),
    }
    frames = [
        keys.assign(region=BELT, variable=name, unit=BELT_METRICS[name][1], value=array.reshape(-1))
        for name, array in values.items()
    ]
    return pd.concat(frames, ignore_index=True)


def gdp_concepts(results: pd.DataFrame) -> pd.DataFrame:
    """GDP by location vs statistical attribution vs income by owner (GNI), with the two gaps, per row."""
    columns = ["gdp_100m_yuan", "gdp_attributed_100m_yuan", "gni_100m_yuan"]
    wide = (
        results[results.variable.isin(columns)]
        .pivot_table(index=RUN_KEYS + ["region", "year"], columns="variable", values="value")
        .reset_index()
    )
    wide.columns.name = None
    return wide.assign(
        attributed_minus_location_100m_yuan=wide.gdp_attributed_100m_yuan - wide.gdp_100m_yuan,
        gni_minus_location_100m_yuan=wide.gni_100m_yuan - wide.gdp_100m_yuan,
    )


def od_matrix(
    flows: pd.DataFrame, factor: str, regions: list[str], years: tuple[int, int] | None = None
) -> pd.DataFrame:
    """Origin x destination matrix of one factor's flows, summed over ``years`` (inclusive; default all) and
    averaged over replications. Rows are origins, columns destinations, in the order of ``regions``."""
    data = flows[flows.factor == factor]
    if years is not None:
        data = data[data.year.between(*years)]
    n_rep = flows["replication"].nunique()
    summed = data.groupby(["origin", "destination"])["value"].sum() / max(n_rep, 1)
    matrix = summed.unstack("destination").reindex(index=regions, columns=regions).fillna(0.0)
    matrix.index.name, matrix.columns.name = "origin", "destination"
    return matrix


def net_bilateral(matrix: pd.DataFrame) -> pd.DataFrame:
    """Net flow from row region to column region: M - M^T (antisymmetric; positive = net from row to column)."""
    return matrix - matrix.T.to_numpy()
