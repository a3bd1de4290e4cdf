"""Outcome metrics: pure functions over numpy arrays and over the tidy results/flows tables, and the registry
of belt metrics (``METRICS``) that ``yreb compare`` and ``yreb sweep`` both compute.

Array functions take the regions on the last axis and work for any leading axes (years, replications).
Belt metrics exclude regions outside the belt (RestOfChina) except the belt's share of national GDP.

The registry: each ``Metric`` has a name (the ``variable`` of its rows, region ``Belt``), a label, a unit and
one function over a ``RegionArrays`` (years x regions arrays of model variables, with the regions' belt
membership and sub-regions). Sweeps call it on the arrays of each run; compare turns its tidy tables into
arrays (runs x years x regions) and calls the same function. Adding a metric = one ``@metric`` function here,
one row in docs/compare.md and one test in tests/test_metrics.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from yreb.model.outputs import TONNES_PER_10K_YUAN, VARIABLES

BAND = (0.05, 0.95)  # quantiles of the spread shown across replications
BELT = "Belt"  # region label of belt aggregates and belt metrics
NATION = "Nation"  # region label of national aggregates (every region of the table)
OUTSIDE = "OutsideBelt"  # region label of the aggregate of the regions outside the belt, when there are several


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
    # Student's t quantile as scipy.stats.t.ppf computes it (special.stdtrit, the same numbers), without
    # importing scipy.stats (about 0.8 s); here, not at the top: reading result folders stays fast
    from scipy.special import stdtrit

    n = np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stdtrit(n - 1, 0.5 + level / 2) * np.asarray(sd, float) / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return np.asarray(mean) - half, np.asarray(mean) + half


# --- the metric registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionArrays:
    """What the registered metrics are computed from: model variables as years x regions arrays.

    ``variables`` maps names of model variables (``yreb.model.model.VARIABLES``) to arrays with the years on
    the second-last axis and every region of the run on the last (RestOfChina too), in the order of ``in_belt``
    and ``subregion``; leading axes (e.g. runs) are allowed. ``years`` are the calendar years of that axis, in
    increasing order.
    """

    variables: Mapping[str, np.ndarray]
    in_belt: np.ndarray
    subregion: np.ndarray
    years: np.ndarray

    def __getitem__(self, variable: str) -> np.ndarray:
        """A variable for every region."""
        return np.asarray(self.variables[variable], float)

    def belt(self, variable: str) -> np.ndarray:
        """A variable for the belt's regions only."""
        return self[variable][..., np.asarray(self.in_belt, bool)]

    @property
    def groups(self) -> np.ndarray:
        """Sub-region of each belt region (the groups of the between/within decompositions)."""
        return np.asarray(self.subregion)[np.asarray(self.in_belt, bool)]


@dataclass(frozen=True)
class Metric:
    """A registered belt metric: rows (region ``Belt``, variable ``name``, ``unit``) computed by ``compute``.

    ``belt_total``: the metric is the belt aggregate of the model variable of the same name (by its rule);
    ``yreb compare`` has those with its belt aggregates (``group_aggregates``) of every variable.
    ``requires``: model variables it needs that not every run records (the CO2 variables).
    """

    name: str
    label: str
    unit: str
    compute: Callable[[RegionArrays], np.ndarray]
    belt_total: bool = False
    requires: tuple[str, ...] = ()


METRICS: dict[str, Metric] = {}  # name -> Metric, in the order of the tables


def metric(label: str, unit: str, *, belt_total: bool = False, requires: tuple[str, ...] = ()):
    """Register the decorated function (RegionArrays -> array over the leading axes and years) as the metric
    named after it."""

    def register(compute: Callable[[RegionArrays], np.ndarray]) -> Callable[[RegionArrays], np.ndarray]:
        name = compute.__name__
        if name in METRICS:
            raise ValueError(f"metric '{name}' is registered twice")
        METRICS[name] = Metric(name, label, unit, compute, belt_total, requires)
        return compute

    return register


def compute_metrics(arrays: RegionArrays, names: Iterable[str]) -> dict[str, np.ndarray]:
    """The named registered metrics of ``arrays``: name -> array over the leading axes and years."""
    return {name: METRICS[name].compute(arrays) for name in names}


def _belt_per_capita(a: RegionArrays) -> np.ndarray:
    """GDP per resident of the belt regions (100m yuan per person: the unit cancels in the indices below)."""
    return a.belt("gdp_100m_yuan") / a.belt("population_persons")


@metric("Belt GDP", "100m yuan (2015 prices), by location, sum over belt regions", belt_total=True)
def gdp_100m_yuan(a: RegionArrays) -> np.ndarray:
    """Belt GDP = sum over the belt's regions of GDP by location."""
    return a.belt("gdp_100m_yuan").sum(axis=-1)


@metric("Belt share of national GDP", "fraction of belt + rest-of-China GDP")
def belt_share_national_gdp(a: RegionArrays) -> np.ndarray:
    """Belt GDP / GDP of all regions (belt + RestOfChina)."""
    return belt_share(a["gdp_100m_yuan"], a.in_belt)


@metric("Belt CO2", "Mt CO2/year, sum over belt regions", belt_total=True, requires=("co2_Mt",))
def co2_Mt(a: RegionArrays) -> np.ndarray:
    """Belt CO2 = sum over the belt's regions of their sectors' and households' CO2."""
    return a.belt("co2_Mt").sum(axis=-1)


@metric(
    "Belt share of national CO2",
    "fraction of belt + rest-of-China CO2 (CEADs scope 1, 30 provinces: no Tibet)",
    requires=("co2_Mt",),
)
def belt_share_national_co2(a: RegionArrays) -> np.ndarray:
    """Belt CO2 / CO2 of all regions (belt + RestOfChina)."""
    return belt_share(a["co2_Mt"], a.in_belt)


@metric(
    "Belt CO2 per 10,000 yuan of GDP",
    "t CO2 per 10,000 yuan (2015 prices), belt CO2 / belt GDP",
    belt_total=True,
    requires=("co2_Mt",),
)
def co2_per_10k_yuan_gdp(a: RegionArrays) -> np.ndarray:
    """Belt CO2 intensity of GDP = sum of belt CO2 / sum of belt real GDP (t per 10,000 yuan)."""
    return TONNES_PER_10K_YUAN * a.belt("co2_Mt").sum(axis=-1) / a.belt("gdp_100m_yuan").sum(axis=-1)


def available_metrics(names: Iterable[str], variables: Iterable[str]) -> list[str]:
    """The metrics of ``names`` whose required variables are among ``variables`` (those a run recorded)."""
    recorded = set(variables)
    return [name for name in names if set(METRICS[name].requires) <= recorded]


@metric("Theil T of GDP per capita (GDP-weighted)", "Theil index, 0 = equal")
def theil_t_total(a: RegionArrays) -> np.ndarray:
    """Theil T over the belt's regions: sum_i s_i ln(s_i / p_i), s = GDP shares, p = population shares."""
    return theil_t(a.belt("gdp_100m_yuan"), a.belt("population_persons"), a.groups).total


@metric("Theil T between sub-regions", "Theil index, 0 = equal")
def theil_t_between(a: RegionArrays) -> np.ndarray:
    """Between-sub-region part of Theil T: sum_g S_g ln(S_g / P_g) over downstream, midstream, upstream."""
    return theil_t(a.belt("gdp_100m_yuan"), a.belt("population_persons"), a.groups).between


@metric("Theil T within sub-regions", "Theil index, 0 = equal")
def theil_t_within(a: RegionArrays) -> np.ndarray:
    """Within-sub-region part of Theil T: sum_g S_g T_g."""
    return theil_t(a.belt("gdp_100m_yuan"), a.belt("population_persons"), a.groups).within


@metric("Theil L of GDP per capita (population-weighted)", "Theil index, 0 = equal")
def theil_l_total(a: RegionArrays) -> np.ndarray:
    """Theil L (mean log deviation) over the belt's regions: sum_i p_i ln(p_i / s_i)."""
    return theil_l(a.belt("gdp_100m_yuan"), a.belt("population_persons"), a.groups).total


@metric("Theil L between sub-regions", "Theil index, 0 = equal")
def theil_l_between(a: RegionArrays) -> np.ndarray:
    """Between-sub-region part of Theil L: sum_g P_g ln(P_g / S_g)."""
    return theil_l(a.belt("gdp_100m_yuan"), a.belt("population_persons"), a.groups).between


@metric("Theil L within sub-regions", "Theil index, 0 = equal")
def theil_l_within(a: RegionArrays) -> np.ndarray:
    """Within-sub-region part of Theil L: sum_g P_g L_g."""
    return theil_l(a.belt("gdp_100m_yuan"), a.belt("population_persons"), a.groups).within


@metric("Coefficient of variation of GDP per capita", "std / mean, unweighted")
def cv_gdp_per_capita(a: RegionArrays) -> np.ndarray:
    """CV of the belt regions' GDP per capita (unweighted, population standard deviation)."""
    return coefficient_of_variation(_belt_per_capita(a))


@metric("Williamson CV of GDP per capita", "population-weighted std / mean")
def williamson_cv_gdp_per_capita(a: RegionArrays) -> np.ndarray:
    """Williamson CV of the belt regions' GDP per capita, weighted by population shares."""
    return williamson_cv(_belt_per_capita(a), a.belt("population_persons"))


@metric("Beta-convergence speed since the start year", "fraction of gap closed per year")
def beta_convergence_per_year(a: RegionArrays) -> np.ndarray:
    """Beta-convergence speed of the belt regions' GDP per capita over the window from the first year to each
    year (NaN in the first year, which has no window)."""
    per_capita = _belt_per_capita(a)
    years = np.asarray(a.years)
    elapsed = (years - years[0]).astype(float)
    elapsed[0] = np.nan  # no window in the first year
    _, speed = beta_convergence(np.broadcast_to(per_capita[..., :1, :], per_capita.shape), per_capita, elapsed)
    return speed


@metric("Talent concentration (Herfindahl of talent shares)", "index, 1/regions = even")
def talent_herfindahl(a: RegionArrays) -> np.ndarray:
    """Herfindahl index of the belt regions' shares of belt talent."""
    return herfindahl(a.belt("talent_persons"))


@metric("Talent share of the top-3 regions", "fraction of belt talent")
def talent_top3_share(a: RegionArrays) -> np.ndarray:
    """Combined share of belt talent of the three belt regions with most talent."""
    return top_share(a.belt("talent_persons"), 3)


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


class _Panels(Mapping):
    """The variables of a tidy results table as (runs, years, regions) arrays, each pivoted when first used."""

    def __init__(self, results: pd.DataFrame, regions: list[str], arrays: dict[str, np.ndarray]):
        self._results, self._regions, self._arrays = results, list(regions), dict(arrays)

    def __getitem__(self, variable: str) -> np.ndarray:
        if variable not in self._arrays:
            if not (self._results.variable == variable).any():
                raise KeyError(variable)
            self._arrays[variable] = panel(self._results, variable, self._regions)[1]
        return self._arrays[variable]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(self._results.variable))

    def __len__(self) -> int:
        return self._results.variable.nunique()


def aggregate_groups(regions: list[str], in_belt: list[bool]) -> dict[str, list[str]]:
    """The groups every comparison reports besides the regions: the nation, the belt and, when more than one
    region lies outside the belt, their aggregate (one outside region, e.g. RestOfChina, is reported as itself)."""
    outside = [r for r, b in zip(regions, in_belt) if not b]
    groups = {NATION: list(regions), BELT: [r for r, b in zip(regions, in_belt) if b]}
    if len(outside) > 1:
        groups[OUTSIDE] = outside
    return groups


@dataclass(frozen=True)
class RegionCube:
    """A tidy table's values as an array (run-year rows, variables, regions), for sums over groups of regions.

    ``index`` holds the rows' keys, sorted (as a grouped table's index); ``recorded`` marks the (row, variable,
    region) cells the table has. A NaN value counts as 0 in sums, as in a grouped pandas sum; a sum over regions
    none of which has the cell is NaN.
    """

    index: pd.MultiIndex
    variables: dict[str, int]
    region_names: list[str]
    values: np.ndarray
    recorded: np.ndarray

    @classmethod
    def of(cls, results: pd.DataFrame, keys: list[str]) -> RegionCube:
        """The cube of ``results`` (columns ``keys``, region, variable, value)."""
        rows = results.groupby(keys, sort=True).ngroup().to_numpy()
        index = pd.MultiIndex.from_frame(results[keys].drop_duplicates().sort_values(keys, ignore_index=True))
        variable_codes, variables = pd.factorize(results["variable"])
        region_codes, regions = pd.factorize(results["region"])
        values = np.full((len(index), len(variables), len(regions)), np.nan)
        values[rows, variable_codes, region_codes] = results["value"].to_numpy(dtype=float)
        recorded = np.zeros(values.shape, dtype=bool)
        recorded[rows, variable_codes, region_codes] = True
        names = {str(v): k for k, v in enumerate(variables)}
        return cls(index, names, [str(r) for r in regions], values, recorded)

    def regions(self, members: Iterable[str]) -> np.ndarray:
        """Positions of ``members`` on the region axis (those the table has), in the table's order."""
        wanted = set(members)
        return np.array([k for k, name in enumerate(self.region_names) if name in wanted], dtype=int)

    def total(self, variable: str, regions: np.ndarray, weight: str | None = None) -> np.ndarray:
        """Per row, sum_r x_r over ``regions`` (NaN counted as 0), or sum_r x_r w_r with ``weight`` w."""
        v = self.variables[variable]
        x = self.values[:, v, regions]
        if weight is not None:
            x = x * self.values[:, self.variables[weight], regions]
        return np.where(self.recorded[:, v, regions].any(axis=1), np.nansum(x, axis=1), np.nan)

    def rows_of(self, regions: np.ndarray) -> np.ndarray:
        """The rows in which at least one of ``regions`` has a cell."""
        return self.recorded[:, :, regions].any(axis=(1, 2))


def group_aggregates(results: pd.DataFrame, groups: Mapping[str, list[str]]) -> pd.DataFrame:
    """Every recorded variable aggregated over each group of regions (region = the group's label), by the
    variable's rule in ``yreb.model.outputs.VARIABLES``: sums, ratios of sums, or weighted means (numpy sums over
    the group's regions of a ``RegionCube``)."""
    keys = RUN_KEYS + ["year"]
    cube = RegionCube.of(results, keys)
    frames = []
    for label, members in groups.items():
        data = results[results.region.isin(members)]
        units = data.groupby("variable", sort=False)["unit"].first()
        group = cube.regions(members)
        rows = cube.rows_of(group)
        values = {}
        for name in units.index:
            rule = VARIABLES[name] if name in VARIABLES else None
            with np.errstate(divide="ignore", invalid="ignore"):  # 0 / 0 is NaN, as in pandas
                if rule is None or rule.rule == "sum":
                    total = cube.total(name, group)
                elif rule.rule == "ratio":
                    total = cube.total(rule.numerator, group) / cube.total(rule.denominator, group) * rule.factor
                else:
                    total = cube.total(name, group, weight=rule.weight) / cube.total(rule.weight, group)
            values[name] = pd.Series(total[rows], index=cube.index[rows])
        table = pd.DataFrame(values).reset_index().melt(id_vars=keys, var_name="variable", value_name="value")
        table["unit"] = table.variable.map(units)
        table["region"] = label
        frames.append(table[[*RUN_KEYS, "region", "variable", "unit", "year", "value"]])
    return pd.concat(frames, ignore_index=True)


def belt_metrics(
    results: pd.DataFrame,
    regions: list[str],
    in_belt: list[bool],
    subregion: list[str],
    names: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Registered metrics (``names``, default all the results can give) per scenario, replication and year as a
    tidy table (region
    'Belt', variable = metric name, the metric's unit).

    ``regions``, ``in_belt`` and ``subregion`` describe every region of the run (same order). The tidy table is
    turned into (runs, years, regions) arrays of the variables the metrics use, and each metric's function is
    called on them (the same function a sweep calls on the arrays of one run).
    """
    names = available_metrics(METRICS, results.variable.unique()) if names is None else list(names)
    keys, gdp = panel(results, "gdp_100m_yuan", regions)
    arrays = RegionArrays(
        _Panels(results, regions, {"gdp_100m_yuan": gdp}),
        np.asarray(in_belt, bool),
        np.asarray(subregion),
        np.sort(keys.year.unique()),
    )
    frames = [
        keys.assign(region=BELT, variable=name, unit=METRICS[name].unit, value=array.reshape(-1))
        for name, array in compute_metrics(arrays, names).items()
    ]
    return pd.concat(frames, ignore_index=True)


def gdp_concepts(results: pd.DataFrame) -> pd.DataFrame:
    """GDP by location vs statistical attribution (real), and nominal GDP vs income of residents, with gaps."""
    columns = ["gdp_100m_yuan", "gdp_attributed_100m_yuan", "gdp_nominal_100m_yuan", "income_100m_yuan"]
    wide = (
        results[results.variable.isin(columns)]
        .pivot_table(index=RUN_KEYS + ["region", "year"], columns="variable", values="value")
        .reset_index()
    )
    wide.columns.name = None
    return wide.assign(
        attributed_minus_location_100m_yuan=wide.gdp_attributed_100m_yuan - wide.gdp_100m_yuan,
        income_minus_nominal_gdp_100m_yuan=wide.income_100m_yuan - wide.gdp_nominal_100m_yuan,
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
