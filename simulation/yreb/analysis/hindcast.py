"""Hindcast: run the calibrated baseline from the base year and compare it with what was observed.

``yreb hindcast`` calibrates the model at the base year (the year of the region table), runs the baseline
scenario's replications to the last observed year and compares, year by year,

- each compared province's share of the compared provinces' GDP (with all 11 provinces: share of belt GDP),
- each compared province's share of their resident population,
- the belt's share of national GDP (observed: ``YREB (11 provinces)`` / ``Sum of 31 provinces``; model:
  belt / (belt + rest of China)),

with two naive forecasts: "no change from the base year" and "the base-year trend continued" (the share
change over the ``trend_years`` before the base year, extrapolated linearly). Observed GDP is nominal, the
model's is at constant base-year prices: shares make the common price level cancel (differences in
provincial inflation do not cancel and count as error). Errors are mean absolute errors of shares in
percentage points over the compared provinces and years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from yreb.analysis.hindcast_inputs import (
    DEFAULT_REPLICATIONS,
    DEFAULT_SCENARIO,
    SHARE_VARIABLES,
    HindcastInputs,
    prepare_hindcast,
)
from yreb.analysis.metrics import BAND, belt_share
from yreb.errors import UserInputError
from yreb.inputs.observed import BELT_TOTAL, DEFAULT_OBSERVED, GDP, NATIONAL_TOTAL, observed_panel, provenance
from yreb.runs.runner import simulate

FORECASTS = {
    "model": "model (median of replications)",
    "no_change": "no change from the base year",
    "trend": "base-year trend continued",
}
BELT_SHARE = "belt_share_national_gdp"
TITLES = {**{k: v[2] for k, v in SHARE_VARIABLES.items()}, BELT_SHARE: "Belt share of national GDP (%)"}


# --- pure error functions ------------------------------------------------------------------------


def shares(values: np.ndarray) -> np.ndarray:
    """s_i = x_i / sum_k x_k over the last axis."""
    values = np.asarray(values, float)
    return values / values.sum(axis=-1, keepdims=True)


def no_change_forecast(base_share: np.ndarray, horizons: np.ndarray) -> np.ndarray:
    """s_hat(t0 + h) = s(t0) for every horizon h (rows: horizons)."""
    return np.broadcast_to(np.asarray(base_share, float), (len(horizons),) + np.shape(base_share)).copy()


def trend_forecast(
    base_share: np.ndarray, earlier_share: np.ndarray, trend_years: int, horizons: np.ndarray
) -> np.ndarray:
    """s_hat(t0 + h) = s(t0) + h (s(t0) - s(t0 - k)) / k: the share change of the k years before t0 continued."""
    base_share, earlier_share = np.asarray(base_share, float), np.asarray(earlier_share, float)
    slope = (base_share - earlier_share) / trend_years
    return base_share + np.asarray(horizons, float).reshape(-1, *([1] * base_share.ndim)) * slope


def mean_absolute_error_pp(forecast: np.ndarray, observed: np.ndarray) -> float:
    """MAE = mean |s_hat - s| x 100 (percentage points; shares given as fractions)."""
    return float(100.0 * np.mean(np.abs(np.asarray(forecast, float) - np.asarray(observed, float))))


# --- the comparison ------------------------------------------------------------------------------


@dataclass
class Hindcast:
    """Result of a hindcast: the year-by-year comparison, the errors and the notes for the reader."""

    comparison: (
        pd.DataFrame
    )  # variable, region, year, observed, model_median, model_low, model_high, no_change, trend (%)
    errors: pd.DataFrame  # variable, forecast, year ('all' = every compared year), mae_pp
    base_year: int
    to_year: int
    replications: int
    scenario: object  # ResolvedScenario
    observed_files: list[str]
    compared: dict[str, list[str]]  # variable -> regions compared
    trend_years: int
    notes: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Errors over all compared years: one row per variable, one column per forecast (pp)."""
        overall = self.errors[self.errors.year == "all"]
        table = overall.pivot(index="variable", columns="forecast", values="mae_pp")
        table = table.reindex(index=[v for v in TITLES if v in table.index], columns=list(FORECASTS))
        return table


def _compared_years(panel: pd.DataFrame, variable: str, base_year: int, to_year: int, observed) -> list[int]:
    """Years after the base year (to ``to_year``) with observed values; each must have every compared region."""
    years = [int(y) for y in panel.index if base_year < y <= to_year]
    for year in years:
        row = panel.loc[year]
        if row.isna().any():
            region = row.index[row.isna()][0]
            have = row.index[row.notna()][0]
            raise UserInputError(
                f"observed {variable} for {region} is missing in {year} (other regions have it, "
                f"e.g. {have}: {provenance(observed, variable, have, year)})",
                option="observed_paths",
                expected="a value for every compared region in each year, or for none",
            )
    return years


def _model_quantiles(values: np.ndarray) -> dict[str, np.ndarray]:
    """Median and BAND quantiles across replications (axis 0)."""
    return {
        "model_median": np.median(values, axis=0),
        "model_low": np.quantile(values, BAND[0], axis=0),
        "model_high": np.quantile(values, BAND[1], axis=0),
    }


def _simulated(results: pd.DataFrame, variable: str, regions: list[str], years: list[int]) -> np.ndarray:
    """Model values as an array (replications, years, regions)."""
    data = results[(results.variable == variable) & results.year.isin(years) & results.region.isin(regions)]
    wide = data.pivot_table(index=["replication", "year"], columns="region", values="value").sort_index()
    return wide[regions].to_numpy().reshape(-1, len(years), len(regions))


def _comparison_rows(
    variable: str,
    regions: list[str],
    years: list[int],
    observed: np.ndarray,
    model: np.ndarray,
    base: np.ndarray,
    earlier: np.ndarray | None,
    trend_years: int,
    base_year: int,
) -> pd.DataFrame:
    """Long table of one compared variable (shares in %): observed, model quantiles and naive forecasts."""
    horizons = np.array(years) - base_year
    columns = {
        "observed": observed,
        **_model_quantiles(model),
        "no_change": no_change_forecast(base, horizons),
        "trend": (
            trend_forecast(base, earlier, trend_years, horizons)
            if earlier is not None
            else np.full(observed.shape, np.nan)
        ),
    }
    grid_year, grid_region = np.meshgrid(years, regions, indexing="ij")
    frame = pd.DataFrame({"variable": variable, "region": grid_region.ravel(), "year": grid_year.ravel()})
    for name, values in columns.items():
        frame[name] = 100.0 * np.asarray(values).ravel()
    return frame


def error_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """MAE (pp) per variable, forecast and year, and over all compared years ('all')."""
    rows = []
    for variable, block in comparison.groupby("variable", sort=False):
        for forecast in FORECASTS:
            column = "model_median" if forecast == "model" else forecast
            for year, part in [*block.groupby("year"), ("all", block)]:
                rows.append(
                    {
                        "variable": variable,
                        "forecast": forecast,
                        "year": str(year),
                        "mae_pp": mean_absolute_error_pp(part[column] / 100, part["observed"] / 100),
                    }
                )
    return pd.DataFrame(rows)


def run_hindcast(
    *,
    scenario_path: str | Path = DEFAULT_SCENARIO,
    observed_paths=DEFAULT_OBSERVED,
    base_year: int | None = None,
    to_year: int | None = None,
    replications: int = DEFAULT_REPLICATIONS,
    trend_years: int = 1,
) -> Hindcast:
    """Calibrate at the base year, run the scenario to the last observed year, compare shares year by year."""
    inputs = prepare_hindcast(
        scenario_path=scenario_path,
        observed_paths=observed_paths,
        base_year=base_year,
        to_year=to_year,
        replications=replications,
    )
    return hindcast_from(inputs, trend_years)


def hindcast_from(inputs: HindcastInputs, trend_years: int = 1) -> Hindcast:
    """Run the checked hindcast inputs (``prepare_hindcast``) and compare the shares year by year."""
    scenario, observed, compared, notes = inputs.scenario, inputs.observed, inputs.compared, list(inputs.notes)
    table, base_year, to_year, replications = scenario.table, inputs.base_year, inputs.to_year, inputs.replications
    observed_paths = inputs.observed_paths
    belt = [n for n, b in zip(table.names, table.in_belt) if b]
    results = simulate(scenario, record_flows=False).results
    frames = []
    for name, regions in compared.items():
        obs_var, model_var, _ = SHARE_VARIABLES[name]
        panel = observed_panel(observed, obs_var, regions)
        years = _compared_years(panel, obs_var, base_year, to_year, observed)
        if not years:
            notes.append(f"{obs_var}: no observed values after {base_year} up to {to_year}; not compared.")
            continue
        earlier_year = base_year - trend_years
        has_earlier = earlier_year in panel.index and panel.loc[earlier_year].notna().all()
        if not has_earlier:
            notes.append(
                f"{obs_var}: no observed values for every compared region in {earlier_year}; "
                f"the trend forecast is not available."
            )
        frames.append(
            _comparison_rows(
                name,
                regions,
                years,
                shares(panel.loc[years].to_numpy()),
                shares(_simulated(results, model_var, regions, years)),
                shares(panel.loc[base_year].to_numpy()),
                shares(panel.loc[earlier_year].to_numpy()) if has_earlier else None,
                trend_years,
                base_year,
            )
        )
    frames += _belt_share_rows(observed, results, table, base_year, to_year, trend_years, notes)
    comparison = pd.concat(frames, ignore_index=True)
    for name, regions in compared.items():
        if len(regions) < len(belt):
            notes.append(
                f"{name}: {len(regions)} of the {len(belt)} belt regions have observed data "
                f"({', '.join(regions)}); shares are of their total. The model still runs on the full "
                f"region table."
            )
    return Hindcast(
        comparison,
        error_table(comparison),
        base_year,
        to_year,
        replications,
        scenario,
        observed_paths,
        compared,
        trend_years,
        notes,
    )


def _belt_share_rows(observed, results, table, base_year, to_year, trend_years, notes) -> list[pd.DataFrame]:
    """Belt share of national GDP: observed YREB / sum of 31 provinces; model belt / all regions."""
    if table.in_belt.all():
        notes.append("belt share of national GDP: the region table has no region outside the belt; not compared.")
        return []
    panel = observed_panel(observed, GDP, [BELT_TOTAL, NATIONAL_TOTAL])
    if panel.shape[1] < 2 or base_year not in panel.dropna().index:
        notes.append(
            f"belt share of national GDP: the observed data lack '{BELT_TOTAL}' or '{NATIONAL_TOTAL}' "
            f"{GDP} for {base_year}; not compared (the shipped observed_national.csv has them)."
        )
        return []
    ratio = (panel[BELT_TOTAL] / panel[NATIONAL_TOTAL]).dropna()
    years = [int(y) for y in ratio.index if base_year < y <= to_year]
    if not years:
        notes.append(f"belt share of national GDP: no observed values after {base_year}; not compared.")
        return []
    earlier_year = base_year - trend_years
    if earlier_year not in ratio.index:
        notes.append(f"belt share of national GDP: no observed value for {earlier_year}; trend not available.")
    gdp = _simulated(results, "gdp_100m_yuan", list(table.names), years)
    model = belt_share(gdp, table.in_belt)[..., None]
    return [
        _comparison_rows(
            BELT_SHARE,
            ["Belt"],
            years,
            ratio.loc[years].to_numpy()[:, None],
            model,
            ratio.loc[[base_year]].to_numpy(),
            ratio.loc[[earlier_year]].to_numpy() if earlier_year in ratio.index else None,
            trend_years,
            base_year,
        )
    ]


# --- the verdict -------------------------------------------------------------------------------------


def verdict(h: Hindcast) -> str:
    """A short paragraph stating the errors and whether the model beats the naive forecasts."""
    summary = h.summary()
    years = sorted(h.comparison.year.unique())
    parts = [
        f"Hindcast {years[0]}-{years[-1]} from the {h.base_year} base ({h.replications} replications of "
        f"'{h.scenario.spec.name}'; {len(h.compared['gdp_share'])} provinces compared)."
    ]
    for variable, row in summary.iterrows():
        label = TITLES[variable].split(" (")[0]
        model, naive = row["model"], row[["no_change", "trend"]].dropna()
        errors = f"model {model:.3f} pp, no change {row['no_change']:.3f} pp" + (
            f", trend {row['trend']:.3f} pp" if pd.notna(row["trend"]) else ""
        )
        judgement = " and ".join(
            f"equal to '{FORECASTS[name]}' (to 0.001 pp)"
            if abs(value - model) < 5e-4
            else f"{'better' if model < value else 'worse'} than '{FORECASTS[name]}' by {abs(value - model):.3f} pp"
            for name, value in naive.items()
        )
        judgement = f"the model is {judgement}"
        parts.append(f"{label}: mean absolute error {errors}; {judgement}.")
    if not h.scenario.spec.policies:
        parts.append(
            "Without policies the calibrated model is on a balanced-growth path (its mean-field shares "
            "stay at their base-year values), so its expected forecast is 'no change' plus the spread of "
            "its random productivity shocks and migration draws: it carries no information about which "
            "provinces grew faster after the base year, and its small differences from 'no change' are "
            "replication noise."
        )
    parts.append(
        "Observed GDP is nominal and the model's is at constant base-year prices; comparing shares makes "
        "the common price level cancel, while differences in provincial inflation count as error."
    )
    return " ".join(parts)


# --- output ----------------------------------------------------------------------------------------


def errors_wide(h: Hindcast) -> pd.DataFrame:
    """Errors (pp) as a readable table: variable, forecast, one column per year and 'all years'."""
    table = h.errors.pivot_table(index=["variable", "forecast"], columns="year", values="mae_pp", sort=False)
    table = table[[c for c in table.columns if c != "all"] + ["all"]].rename(columns={"all": "all years"})
    table = table.reset_index()
    table["forecast"] = table["forecast"].map(FORECASTS)
    table.columns.name = None
    return table.round(3)
