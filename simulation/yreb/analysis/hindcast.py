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

from yreb.analysis.hindcast_inputs import (
    BELT_SHARE,
    DEFAULT_REPLICATIONS,
    DEFAULT_SCENARIO,
    SHARE_VARIABLES,
    TITLES,
    HindcastRequest,
    ObservedShares,
    prepare_hindcast,
    scenario_for,
    shares,
)
from yreb.analysis.metrics import BAND
from yreb.runs.runner import simulate

MAX_HORIZON = 5
FORECASTS = {
    "model": "model (median of replications)",
    "no_change": "no change from the last fitted year",
    "trend": "trend over the fitted years continued",
    "half_trend": "half that trend",
}
NAIVE = ("no_change", "trend", "half_trend")
# --- pure functions ------------------------------------------------------------------------------


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
    return hindcast_from(
        prepare_hindcast(
            scenario_path=scenario_path,
            observed_paths=observed_paths,
            fit_until=fit_until,
            to_year=to_year,
            replications=replications,
            parameters=parameters,
        )
    )


def hindcast_from(request: HindcastRequest) -> Hindcast:
    """Run a checked hindcast: one fitted scenario per origin, compared with the observed shares."""
    frames, scenario = [], request.probe
    for origin in request.origins:
        scenario = scenario_for(
            request.path, origin, request.to_year, request.replications, request.extra_files, request.parameters
        )
        frames.append(origin_comparison(scenario, request.observed, request.base_year, origin, request.to_year))
    comparison = pd.concat(frames, ignore_index=True)
    return Hindcast(
        comparison,
        error_table(comparison),
        request.base_year,
        request.origins,
        request.to_year,
        request.replications,
        scenario,
        request.observed_files,
        request.observed.basis,
        request.notes,
    )


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
