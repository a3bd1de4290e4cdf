"""Analysis of a sweep folder: its results read back, sensitivity indices with confidence intervals for every
outcome and year, and the table of the most influential parameters (``yreb sweep-report``; the plots and the
report folder are in ``yreb.viz.sweep_plots`` and ``yreb.viz.sweep_report``).

Indices are computed on the mean over replications of each design point (common random numbers make the
replications of all points share their seeds), for one outcome and year, by the sweep's design
(``yreb.sweep.designs``: grid main-effect shares, LHS Borgonovo delta, Sobol S1/ST, Morris mu*/sigma).

The share of the variance of single runs due to replication noise, mean_p Var_k(Y_pk) / Var(Y), is reported
next to the indices (it is what averaging over replications removes).

Indices are computed only for the years in which the varied inputs can matter (``relevant_years``): from the
earliest start of the base scenario's policies when every varied path is a policy setting, from the first
year after the base year otherwise (a model parameter acts from the first step); before that every design
point gives the same value up to noise, and indices of noise would read as signal. ``index_warnings`` says
when estimates cannot be trusted: S1 above ST, an interval leaving [0, 1], or too few samples (with the
number of samples that would do).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from yreb.analysis.metrics import BELT
from yreb.errors import UserInputError
from yreb.inputs.scenario import read_toml
from yreb.sweep.designs import DESIGNS, varies
from yreb.sweep.paths import flatten, set_path
from yreb.sweep.schema import SweepFile

BOUNDED_INDICES = {"S1", "ST", "delta", "main_effect"}  # indices that are shares: their true value is in [0, 1]
TARGET_CONF = 0.1  # half-width of the 95% interval that a sample size should reach


@dataclass
class SweepResults:
    """A sweep folder read back: the sweep spec, its design (one row per run) and the results table."""

    folder: Path
    spec: SweepFile
    design: pd.DataFrame
    results: pd.DataFrame
    meta: dict

    @property
    def names(self) -> list[str]:
        """Names of the varied parameters."""
        return [v.name for v in self.spec.vary]

    @property
    def sample(self) -> np.ndarray:
        """Points x parameters sample coordinates, in design order."""
        points = self.design.drop_duplicates("point").sort_values("point")
        return points[[f"sample:{n}" for n in self.names]].to_numpy(dtype=float)

    @property
    def years(self) -> list[int]:
        """The simulated years present in the results."""
        return sorted(self.results["year"].unique().tolist())


def load_sweep(folder: str | Path) -> SweepResults:
    """Read a complete sweep folder (metadata.json, design.parquet, results.parquet)."""
    folder = Path(folder)
    paths = [folder / name for name in ("metadata.json", "design.parquet", "results.parquet")]
    if not all(p.is_file() for p in paths):
        raise UserInputError(
            "not a complete sweep folder (metadata.json, design.parquet and results.parquet expected)",
            file=str(folder),
            expected="a folder written by 'yreb sweep'",
        )
    meta = json.loads(paths[0].read_text(encoding="utf-8"))
    return SweepResults(
        folder, SweepFile.model_validate(meta["sweep"]), pd.read_parquet(paths[1]), pd.read_parquet(paths[2]), meta
    )


def outcome_values(sweep: SweepResults, outcome: str, year: int) -> pd.DataFrame:
    """One row per run (point, replication, parameter values, value); value is NaN for failed runs."""
    rows = sweep.results[
        (sweep.results.region == BELT) & (sweep.results.variable == outcome) & (sweep.results.year == year)
    ]
    runs = sweep.design[["point", "replication", *sweep.names]]
    return runs.merge(rows[["point", "replication", "value"]], on=["point", "replication"], how="left")


def noise_share(values: pd.DataFrame) -> float:
    """mean over points of the variance across replications / variance of all runs (population variances, so
    that total = within + between for a balanced design; 0 with one replication)."""
    within = values.groupby("point")["value"].var(ddof=0).mean()
    total = values["value"].var(ddof=0)
    return float(within / total) if total > 0 else float("nan")


# --- sensitivity indices -------------------------------------------------------------------------


def sensitivity_indices(sweep: SweepResults, values: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Indices of every varied parameter for one outcome and year: parameter, index, value, conf (95% half-width)."""
    spec, names = sweep.spec, sweep.names
    design = DESIGNS[spec.design]
    y = values.groupby("point")["value"].mean().sort_index()
    if y.isna().any():
        missing = y.index[y.isna()].tolist()
        raise UserInputError(
            f"{len(missing)} design points have no completed run (first: point {missing[0]}); indices need every point",
            file=str(sweep.folder / "failures.csv"),
            expected="a sweep without failed points (rerun, or narrow the ranges)",
        )
    y_arr = y.to_numpy()
    if not varies(y_arr):  # e.g. years before the varied policies start: every point gives the same value
        indices = list(design.indices)
        return pd.DataFrame(
            {
                "parameter": names * len(indices),
                "index": np.repeat(indices, len(names)),
                "value": np.nan,
                "conf": np.nan,
                "note": "no variation across design points",
            }
        )
    return design.analyse(spec, sweep.sample, y_arr, values, seed)


def indices_by_year(sweep: SweepResults, outcomes: list[str], years: list[int]) -> pd.DataFrame:
    """Indices for every outcome and year: outcome, year, parameter, index, value, conf, noise_share."""
    seed = int(sweep.meta["root_seed"]) % 2**32
    frames = []
    for outcome, year in itertools.product(outcomes, years):
        values = outcome_values(sweep, outcome, year)
        frame = sensitivity_indices(sweep, values, seed)
        frame.insert(0, "outcome", outcome)
        frame.insert(1, "year", year)
        frame["noise_share"] = noise_share(values)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def influence_table(indices: pd.DataFrame, sweep: SweepResults, year: int) -> pd.DataFrame:
    """Parameters ranked by the design's main index (ST, mu*, delta or main-effect share) per outcome."""
    main = DESIGNS[sweep.spec.design].main_index
    labels = {v.name: v.axis_label for v in sweep.spec.vary}
    rows = indices[(indices.year == year) & (indices["index"] == main)].copy()
    rows = rows.sort_values(["outcome", "value"], ascending=[True, False])
    rows["rank"] = rows.groupby("outcome").cumcount() + 1
    rows["label"] = rows["parameter"].map(labels)
    return rows[["outcome", "year", "rank", "parameter", "label", "index", "value", "conf", "noise_share", "note"]]


# --- which years, and can the estimates be trusted -------------------------------------------------


def relevant_years(sweep: SweepResults) -> list[int]:
    """The simulated years in which the varied inputs can change the outcomes: from the earliest policy start
    of the base scenario (with the sweep's fixed settings, and the lowest start a varied ``.start`` takes)
    when every varied path is under ``policies``; else every year after the base year."""
    years = sweep.years
    paths = [p for v in sweep.spec.vary for p in v.paths]
    if not years or any(not p.startswith("policies") for p in paths):
        return years[1:]
    doc, _ = read_toml(Path(sweep.meta["base_scenario_file"]))
    for path, value in flatten(sweep.spec.fixed).items():
        set_path(doc, path, value)
    starts = [p["start"] for p in doc.get("policies", []) if isinstance(p, dict) and "start" in p]
    for v in sweep.spec.vary:
        if any(p.endswith(".start") for p in v.paths) and v.name in sweep.design:
            starts.append(int(sweep.design[v.name].min()))
    first = min(starts) if starts else years[1]
    return [y for y in years if y >= first]


def _power_of_two_at_least(x: float) -> int:
    return int(2 ** np.ceil(np.log2(max(x, 1.0))))


def index_warnings(indices: pd.DataFrame, sweep: SweepResults) -> list[str]:
    """Warnings about the indices of one sweep (all outcomes and years in ``indices``): S1 above ST (Sobol), an
    interval leaving [0, 1] (share indices), and too few samples for intervals of +-TARGET_CONF, with the
    number of samples that would give them (intervals shrink as 1/sqrt(N))."""
    out = []
    ok = indices.dropna(subset=["value"])
    if ok.empty:
        return out
    n = sweep.spec.samples if getattr(sweep.spec, "samples", None) else len(sweep.sample)
    if sweep.spec.design == "sobol":
        wide = ok.pivot_table(index=["outcome", "year", "parameter"], columns="index", values="value")
        conf = ok.pivot_table(index=["outcome", "year", "parameter"], columns="index", values="conf")
        if {"S1", "ST"} <= set(wide.columns):
            bad = wide[wide.S1 > wide.ST + conf.ST.fillna(0)]  # above ST's interval: not rounding
            if len(bad):
                o, y, p = bad.index[0]
                out.append(
                    f"S1 > ST in {len(bad)} of {len(wide)} estimates (first: {p}, {o}, {y}: S1 = "
                    f"{bad.S1.iloc[0]:.3f}, ST = {bad.ST.iloc[0]:.3f}, beyond ST's interval); the true S1 is never "
                    "above ST: the sample "
                    "is too small for these estimates"
                )
    bounded = ok[ok["index"].isin(BOUNDED_INDICES)]
    leaving = bounded[(bounded.value - bounded.conf < 0) | (bounded.value + bounded.conf > 1)]
    if len(leaving):
        r = leaving.iloc[0]
        out.append(
            f"{len(leaving)} of {len(bounded)} intervals leave [0, 1] (first: {r['index']} of {r.parameter}, "
            f"{r.outcome}, {r.year}: {r.value:.3f} +- {r.conf:.3f}); indices are shares, so the sample is too small"
        )
    widest = float(bounded.conf.max()) if len(bounded) else float("nan")
    if np.isfinite(widest) and widest > TARGET_CONF:
        needed = n * (widest / TARGET_CONF) ** 2
        suggestion = _power_of_two_at_least(needed) if sweep.spec.design == "sobol" else int(np.ceil(needed))
        out.append(
            f"N = {n} samples is too small: the widest 95% interval is +-{widest:.2f}; for +-{TARGET_CONF} use "
            f"samples = {suggestion} (intervals shrink as 1/sqrt(N))"
        )
    return out
