"""Analysis of a sweep folder: its results read back, sensitivity indices with confidence intervals for every
outcome and year, and the table of the most influential parameters (``yreb sweep-report``; the plots and the
report folder are in ``yreb.viz.sweep_plots`` and ``yreb.viz.sweep_report``).

Indices are computed on the mean over replications of each design point (common random numbers make the
replications of all points share their seeds), for one outcome and year, by the sweep's design
(``yreb.sweep.designs``: grid main-effect shares, LHS Borgonovo delta, Sobol S1/ST, Morris mu*/sigma).

The share of the variance of single runs due to replication noise, mean_p Var_k(Y_pk) / Var(Y), is reported
next to the indices (it is what averaging over replications removes).
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
from yreb.sweep.designs import DESIGNS, varies
from yreb.sweep.schema import SweepFile


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
