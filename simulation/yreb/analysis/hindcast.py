"""Hindcast: fit the baseline to history through an origin year, forecast the years after it, score the forecast.

``yreb hindcast`` fits the baseline's fundamentals to the observed years up to ``fit_until`` (docs/MODEL.md
section 7.12), runs the scenario's replications to the last observed year (or ``to_year``) and compares,
year by year,

- each belt province's share of the compared provinces' GDP (at constant prices where every compared year
  has real value added, ``va_const2015_100m_yuan``; otherwise current-price GDP shares, said so in the notes),
- each belt province's share of their residents,
- the belt's share of national GDP (belt / (belt + rest of China)),

in-sample (years up to ``fit_until``, which the fit reproduces) and out of sample by horizon h = year -
fit_until, with three naive forecasts from the observed shares: *no change from the last fitted year*, *the
trend over the fitted years continued* and *half that trend*. Without ``fit_until`` it is a rolling-origin
evaluation: every year from the base year + 1 to the last observed year - 1 is an origin in turn. Errors are
mean absolute errors of shares in percentage points over the compared regions, years and origins.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from yreb.analysis.metrics import BAND
from yreb.errors import UserInputError
from yreb.inputs.history import REAL_VALUE_ADDED, REST, default_history_paths, load_history
from yreb.inputs.observed import BELT_TOTAL, GDP, NATIONAL_TOTAL, POPULATION, observed_panel
from yreb.inputs.scenario import (
    MAX_REPLICATIONS,
    MAX_SIMULATED_YEARS,
    find_scenario_file,
    parse_scenario,
    read_toml,
    resolve,
)
from yreb.runs.runner import simulate

DEFAULT_SCENARIO = "baseline"  # the shipped baseline scenario (by name)
DEFAULT_REPLICATIONS = 10
MAX_HORIZON = 5
FORECASTS = {
    "model": "model (median of replications)",
    "no_change": "no change from the last fitted year",
    "trend": "trend over the fitted years continued",
    "half_trend": "half that trend",
}
NAIVE = ("no_change", "trend", "half_trend")
BELT_SHARE = "belt_share_national_gdp"
SHARE_VARIABLES = {"gdp_share": "gdp_100m_yuan", "population_share": "population_persons"}
TITLES = {
    "gdp_share": "Provincial GDP share (% of the belt provinces' GDP)",
    "population_share": "Provincial population share (% of the belt provinces' residents)",
    BELT_SHARE: "Belt share of national GDP (%)",
}


# --- pure functions ------------------------------------------------------------------------------


def shares(values: np.ndarray) -> np.ndarray:
    """s_i = x_i / sum_k x_k over the last axis."""
    values = np.asarray(values, float)
    return values / values.sum(axis=-1, keepdims=True)


def naive_forecasts(fitted_shares: np.ndarray, horizons: np.ndarray) -> dict[str, np.ndarray]:
    """Naive forecasts from the observed shares of the fitted years (rows: years base .. fit_until).

    no change: s(T); trend: s(T) + h (s(T) - s(0)) / T; half trend: s(T) + h (s(T) - s(0)) / (2 T), for the
    horizons h (rows of the result); the trends are NaN when only the base year was fitted.
    """
    fitted_shares = np.asarray(fitted_shares, float)
    last = fitted_shares[-1]
    fitted_years = len(fitted_shares) - 1
    slope = (last - fitted_shares[0]) / fitted_years if fitted_years else np.full(last.shape, np.nan)
    h = np.asarray(horizons, float).reshape(-1, *([1] * last.ndim))
    return {"no_change": last + 0 * h, "trend": last + h * slope, "half_trend": last + h * slope / 2}


def mean_absolute_error_pp(forecast, observed) -> float:
    """MAE = mean |s_hat - s| x 100 (percentage points; shares given as fractions)."""
    return float(100.0 * np.mean(np.abs(np.asarray(forecast, float) - np.asarray(observed, float))))


# --- observed shares ---------------------------------------------------------------------------------


@dataclass
class ObservedShares:
    """Observed shares (fractions) by variable: a year x region table, and what they were computed from."""

    tables: dict[str, pd.DataFrame]
    basis: dict[str, str]


def observed_shares(observed: pd.DataFrame, table, years: list[int]) -> ObservedShares:
    """GDP shares (real where every year has real value added, else current prices), population shares and the
    belt's share of national GDP, for the belt provinces with data in every one of ``years``."""
    belt = [n for n, b in zip(table.names, table.in_belt) if b]
    tables, basis = {}, {}
    real = observed_panel(observed, REAL_VALUE_ADDED, belt + [REST]).reindex(index=years)
    nominal = observed_panel(observed, GDP, belt + [BELT_TOTAL, NATIONAL_TOTAL]).reindex(index=years)
    use_real = real.reindex(columns=belt).notna().all().all()
    gdp = real if use_real else nominal
    basis["gdp_share"] = "real value added (constant prices)" if use_real else "GDP at current prices"
    population = observed_panel(observed, POPULATION, belt).reindex(index=years)
    for name, panel in (("gdp_share", gdp), ("population_share", population)):
        regions = [r for r in belt if r in panel.columns and panel[r].notna().all()]
        if len(regions) >= 2:
            tables[name] = pd.DataFrame(shares(panel[regions].to_numpy()), index=years, columns=regions)
            basis.setdefault(name, "residents at year end")
    if len(tables.get("gdp_share", {}).columns if "gdp_share" in tables else []) == len(belt):
        if use_real and REST in real.columns and real[REST].notna().all():
            belt_gdp = real[belt].sum(axis=1)
            tables[BELT_SHARE] = (belt_gdp / (belt_gdp + real[REST])).to_frame("Belt")
            basis[BELT_SHARE] = "real value added: belt / (belt + rest of China)"
        elif {BELT_TOTAL, NATIONAL_TOTAL} <= set(nominal.columns) and nominal[
            [BELT_TOTAL, NATIONAL_TOTAL]
        ].notna().all().all():
            tables[BELT_SHARE] = (nominal[BELT_TOTAL] / nominal[NATIONAL_TOTAL]).to_frame("Belt")
            basis[BELT_SHARE] = "GDP at current prices: belt / sum of 31 provinces"
    return ObservedShares(tables, basis)


def model_shares(results: pd.DataFrame, table, variable: str, regions: list[str], years: list[int]) -> np.ndarray:
    """Model shares (replications x years x regions) of one compared variable."""
    if variable == BELT_SHARE:
        gdp = _simulated(results, "gdp_100m_yuan", list(table.names), years)
        return (gdp[..., table.in_belt].sum(axis=-1) / gdp.sum(axis=-1))[..., None]
    return shares(_simulated(results, SHARE_VARIABLES[variable], regions, years))


def _simulated(results: pd.DataFrame, variable: str, regions: list[str], years: list[int]) -> np.ndarray:
    """Model values as an array (replications, years, regions)."""
    data = results[(results.variable == variable) & results.year.isin(years) & results.region.isin(regions)]
    wide = data.pivot_table(index=["replication", "year"], columns="region", values="value").sort_index()
    return wide[regions].to_numpy().reshape(-1, len(years), len(regions))


# --- one origin -----------------------------------------------------------------------------------------


def scenario_for(path: Path, fit_until: int, to_year: int, replications: int, observed_files, parameters=None):
    """The scenario file fitted through ``fit_until`` to the observed files, run to ``to_year`` (with parameter
    overrides, validated like the file's own)."""
    data, text = read_toml(path)
    data["end_year"] = to_year
    data["replications"] = replications
    data["parameters"] = {**data.get("parameters", {}), **(parameters or {})}
    data["history"] = {"fit_until": fit_until, "observed": [str(Path(f).resolve()) for f in observed_files]}
    return resolve(parse_scenario(data, str(path), text), path.parent, str(path))


def origin_comparison(scenario, observed: ObservedShares, base_year: int, fit_until: int, to_year: int) -> pd.DataFrame:
    """Long table for one origin: variable, region, year, horizon, sample, observed and forecasts (shares, %)."""
    results = simulate(scenario, record_flows=False).results
    years = list(range(base_year + 1, to_year + 1))
    fitted = list(range(base_year, fit_until + 1))
    frames = []
    for variable, obs in observed.tables.items():
        regions = list(obs.columns)
        model = model_shares(results, scenario.table, variable, regions, years)
        horizons = np.array(years) - fit_until
        naive = naive_forecasts(obs.loc[fitted].to_numpy(), horizons)
        columns = {
            "observed": obs.loc[years].to_numpy(),
            "model_median": np.median(model, axis=0),
            "model_low": np.quantile(model, BAND[0], axis=0),
            "model_high": np.quantile(model, BAND[1], axis=0),
            **{name: np.where(horizons[:, None] > 0, values, np.nan) for name, values in naive.items()},
        }
        grid_year, grid_region = np.meshgrid(years, regions, indexing="ij")
        frame = pd.DataFrame(
            {"variable": variable, "origin": fit_until, "region": grid_region.ravel(), "year": grid_year.ravel()}
        )
        frame["horizon"] = frame.year - fit_until
        frame["sample"] = np.where(frame.horizon > 0, "out", "in")
        for name, values in columns.items():
            frame[name] = 100.0 * np.asarray(values).ravel()
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def error_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """MAE (pp) per variable, forecast and horizon (out of sample, pooled over origins and regions), with
    'all' horizons, and the model's in-sample MAE (horizon 'in-sample')."""
    rows = []
    for variable, block in comparison.groupby("variable", sort=False):
        inside = block[block["sample"] == "in"]
        if len(inside):
            rows.append(
                {
                    "variable": variable,
                    "forecast": "model",
                    "horizon": "in-sample",
                    "mae_pp": mean_absolute_error_pp(inside.model_median / 100, inside.observed / 100),
                }
            )
        outside = block[block["sample"] == "out"]
        for forecast in FORECASTS:
            column = "model_median" if forecast == "model" else forecast
            for horizon, part in [*outside.groupby("horizon"), ("all", outside)]:
                if len(part) and part[column].notna().all():
                    rows.append(
                        {
                            "variable": variable,
                            "forecast": forecast,
                            "horizon": str(horizon),
                            "mae_pp": mean_absolute_error_pp(part[column] / 100, part.observed / 100),
                        }
                    )
    return pd.DataFrame(rows, columns=["variable", "forecast", "horizon", "mae_pp"])


# --- the hindcast -----------------------------------------------------------------------------------------


@dataclass
class Hindcast:
    """A hindcast: the comparison of every origin, the errors and the notes for the reader."""

    comparison: pd.DataFrame  # variable, origin, region, year, horizon, sample, observed, model_*, naive (%)
    errors: pd.DataFrame  # variable, forecast, horizon ('1'.., 'all', 'in-sample'), mae_pp
    base_year: int
    origins: list[int]
    to_year: int
    replications: int
    scenario: object  # ResolvedScenario of the last origin
    observed_files: list[str]
    basis: dict[str, str]  # variable -> what its observed shares are computed from
    notes: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Out-of-sample errors (pp), rows variable x horizon, one column per forecast."""
        out = self.errors[self.errors.horizon != "in-sample"]
        table = out.pivot_table(index=["variable", "horizon"], columns="forecast", values="mae_pp", sort=False)
        return table.reindex(columns=list(FORECASTS))

    def in_sample(self) -> pd.Series:
        """The model's in-sample error (pp) by variable."""
        rows = self.errors[self.errors.horizon == "in-sample"]
        return rows.set_index("variable").mae_pp


def run_hindcast(
    *,
    scenario_path: str | Path = DEFAULT_SCENARIO,
    observed_paths=(),
    fit_until: int | None = None,
    to_year: int | None = None,
    replications: int = DEFAULT_REPLICATIONS,
    parameters: dict | None = None,
) -> Hindcast:
    """Fit through ``fit_until`` (every origin when None), forecast to ``to_year``, score against the data."""
    path = find_scenario_file(scenario_path)
    if not path.is_file():
        raise UserInputError(
            "scenario file not found",
            file=str(path),
            option="scenario_path",
            expected="a scenario file, or the name of a shipped scenario such as 'baseline'",
        )
    if replications > MAX_REPLICATIONS:
        raise UserInputError(
            "too many replications", option="replications", value=replications, expected=f"at most {MAX_REPLICATIONS}"
        )
    files = default_history_paths(list(observed_paths))
    probe = scenario_for(path, _start_year(path), _start_year(path) + 1, 1, files[len(default_history_paths()) :])
    table, base_year = probe.table, probe.spec.start_year
    observed = load_history(files, list(table.names))
    used = observed[observed.variable.isin([GDP, REAL_VALUE_ADDED, POPULATION])]
    last_observed = int(used.year.max())
    if min(last_observed, to_year or last_observed) - base_year > MAX_SIMULATED_YEARS:
        row = used.loc[used.year.idxmax()]
        raise UserInputError(
            f"observed year too far after the base year {base_year}: the model simulates at most "
            f"{MAX_SIMULATED_YEARS} years",
            file=str(row.file),
            line=int(row.line),
            field="year",
            value=int(row.year),
            expected=f"years up to {base_year + MAX_SIMULATED_YEARS}, or {{to_year}} to stop earlier",
        )
    if to_year is not None and to_year > last_observed:
        raise UserInputError(
            f"no observed data after {last_observed} to compare with",
            option="to_year",
            value=to_year,
            expected=f"a year up to {last_observed}, or observed files that reach {to_year}",
        )
    to_year = last_observed if to_year is None else to_year
    origins = list(range(base_year + 1, to_year)) if fit_until is None else [fit_until]
    if not origins or min(origins) < base_year or max(origins) >= to_year:
        raise UserInputError(
            "nothing to forecast: the last fitted year must be from the base year to the year before the last "
            "compared one",
            option="fit_until",
            value=fit_until,
            expected=f"a year from {base_year} to {to_year - 1}",
        )
    years = list(range(base_year, to_year + 1))
    shares_observed = observed_shares(observed, table, years)
    if "gdp_share" not in shares_observed.tables:
        raise UserInputError(
            f"fewer than two belt provinces have observed GDP in every year {base_year}-{to_year}",
            option="observed_paths",
            expected=f"{REAL_VALUE_ADDED} or {GDP} rows for the belt provinces in each year",
        )
    notes = [f"{TITLES[v].split(' (')[0]}: observed shares of {b}." for v, b in shares_observed.basis.items()]
    notes += [
        f"{TITLES[v].split(' (')[0]}: not enough observed data; not compared."
        for v in TITLES
        if v not in shares_observed.tables
    ]
    frames, scenario = [], probe
    extra = files[len(default_history_paths()) :]
    for origin in origins:
        scenario = scenario_for(path, origin, to_year, replications, extra, parameters)
        frames.append(origin_comparison(scenario, shares_observed, base_year, origin, to_year))
    comparison = pd.concat(frames, ignore_index=True)
    return Hindcast(
        comparison,
        error_table(comparison),
        base_year,
        origins,
        to_year,
        replications,
        scenario,
        [str(f) for f in files],
        shares_observed.basis,
        notes,
    )


def _start_year(path: Path) -> int:
    """The scenario file's start year (the base year of its region table)."""
    data, _ = read_toml(path)
    return int(data.get("start_year", 2015))


# --- choosing the projection rule ---------------------------------------------------------------------

RULE_HALF_LIVES = (0.0, 1.0, 2.0, 4.0, 8.0, 1000.0)  # years; 0 drops the fitted trends, 1000 keeps them
RULE_SHRINKS = (0.0, 0.5, 1.0)
SCORED = ("gdp_share", "population_share", BELT_SHARE)


def projection_rule_table() -> pd.DataFrame:
    """Every candidate projection rule (7.12) scored by the rolling-origin evaluation, best first.

    Each rule is a mean-field hindcast of the shipped baseline over every origin inside the shipped observed
    years; its score is the mean over the three compared variables of (model MAE / no-change MAE), pooled
    over origins and horizons (below 1: better than no change). Ties keep the simpler rule (listed first).
    """
    rows = []
    for half_life, shrink in itertools.product(RULE_HALF_LIVES, RULE_SHRINKS):
        if half_life == 0.0 and shrink > 0.0:
            continue  # without trends there is nothing to shrink
        h = run_hindcast(
            replications=1,
            parameters={
                "stochastic": False,
                "projection_half_life_years": half_life,
                "projection_shrink_to_mean": shrink,
            },
        )
        errors = h.errors[h.errors.horizon == "all"].set_index(["variable", "forecast"]).mae_pp
        row = {"half_life_years": half_life, "shrink_to_mean": shrink}
        for variable in SCORED:
            row[f"{variable}:model"] = errors[variable, "model"]
            row[f"{variable}:no_change"] = errors[variable, "no_change"]
        row["score"] = sum(row[f"{v}:model"] / row[f"{v}:no_change"] for v in SCORED) / len(SCORED)
        rows.append(row)
    return pd.DataFrame(rows).sort_values("score", kind="stable").reset_index(drop=True)


# --- the verdict ---------------------------------------------------------------------------------------


def verdict(h: Hindcast, horizons=(1, 2, 3)) -> str:
    """A short paragraph: in-sample fit, and at each horizon which naive forecasts the model beats and by how much."""
    if len(h.origins) == 1:
        fitted = f"fitted to {h.base_year}-{h.origins[0]}"
    else:
        fitted = f"fitted to {h.base_year} through each of {h.origins[0]}-{h.origins[-1]} in turn (rolling origin)"
    parts = [f"Hindcast of '{h.scenario.spec.name}' {fitted}, forecast to {h.to_year} ({h.replications} replications)."]
    inside = h.in_sample()
    if len(inside):
        parts.append(
            "In-sample error: " + ", ".join(f"{TITLES[v].split(' (')[0]} {e:.4f} pp" for v, e in inside.items()) + "."
        )
    summary = h.summary()
    for variable in summary.index.get_level_values(0).unique():
        label = TITLES[variable].split(" (")[0]
        for horizon in horizons:
            if (variable, str(horizon)) not in summary.index:
                continue
            row = summary.loc[(variable, str(horizon))]
            beaten = [FORECASTS[n] for n in NAIVE if pd.notna(row[n]) and row["model"] < row[n]]
            not_beaten = [FORECASTS[n] for n in NAIVE if pd.notna(row[n]) and row["model"] >= row[n]]
            text = f"{label}, {horizon} year(s) ahead: model {row['model']:.3f} pp vs no change {row['no_change']:.3f}"
            if pd.notna(row["trend"]):
                text += f", trend {row['trend']:.3f}, half trend {row['half_trend']:.3f}"
            text += " pp; the model beats " + (", ".join(f"'{b}'" for b in beaten) if beaten else "none of them")
            if beaten and not_beaten:
                text += " but not " + ", ".join(f"'{b}'" for b in not_beaten)
            parts.append(text + ".")
    return " ".join(parts)


def errors_wide(h: Hindcast) -> pd.DataFrame:
    """Errors (pp) as a readable table: variable, forecast, one column per horizon, 'all' and 'in-sample'."""
    table = h.errors.pivot_table(index=["variable", "forecast"], columns="horizon", values="mae_pp", sort=False)
    order = sorted((c for c in table.columns if c.isdigit()), key=int) + [
        c for c in ("all", "in-sample") if c in table.columns
    ]
    table = table[order].rename(columns={c: f"h={c}" for c in order if c.isdigit()}).reset_index()
    table["forecast"] = table["forecast"].map(FORECASTS)
    table.columns.name = None
    return table.round(4)
