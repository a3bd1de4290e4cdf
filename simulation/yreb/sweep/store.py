"""Where a sweep's results go: the sweep folder, its shards, its final tables and its metadata.

Layout of a sweep folder ``<out>/<sweep name>/`` (docs/sweeps.md):

- ``sweep.toml``, ``base_scenario.toml``: copies of the inputs of the last invocation;
- ``design.parquet``: one row per run: point, replication, seed, key, parameter values, sample coordinates;
- ``shards/runs-*.parquet``: rows of completed runs, one file per finished batch, each written atomically;
  the set of completed keys is read from these files (there is no other state that could disagree);
- ``shards/failures-*.parquet``: runs that raised (key, error, traceback);
- ``results.parquet``/``.csv``: the final table (design columns joined with run rows, one copy per key,
  sorted by point, replication, region, variable, year); ``failures.parquet``/``.csv``; ``metadata.json``.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yreb.analysis.metrics import METRICS
from yreb.errors import UserInputError
from yreb.runs.provenance import provenance
from yreb.runs.storage import TMP_PREFIX, write_json, write_table
from yreb.sweep.designs import DESIGN_STREAM
from yreb.sweep.plan import SweepPlan

RUN_COLUMNS = ["key", "region", "variable", "unit", "year", "value"]
FAILURE_COLUMNS = ["key", "error", "traceback"]


@dataclass
class SweepOutcome:
    """What an invocation of a sweep did, and the state of its folder afterwards."""

    folder: Path
    runs: int  # distinct runs (keys) of the design
    completed_before: int
    completed: int
    failed: int
    ran: int  # runs attempted by this invocation
    seconds: float
    executor: str

    @property
    def runs_per_second(self) -> float:
        """Runs attempted per second of this invocation."""
        return self.ran / self.seconds if self.seconds > 0 else float("nan")


def shard_files(folder: Path, kind: str) -> list[Path]:
    """Completed shard files of a kind ('runs' or 'failures'), oldest first (names start with a timestamp)."""
    return sorted((folder / "shards").glob(f"{kind}-*.parquet"))


def completed_keys(folder: Path) -> set[str]:
    """Keys of the runs whose rows are in the folder's run shards."""
    keys: set[str] = set()
    for path in shard_files(folder, "runs"):
        keys.update(pc.unique(pq.read_table(path, columns=["key"]).column("key")).to_pylist())
    return keys


def write_shard(folder: Path, kind: str, frame: pd.DataFrame) -> None:
    """Write one shard of a kind ('runs' or 'failures') atomically, named after the time for ordering."""
    write_table(frame, folder / "shards" / f"{kind}-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}", csv=False)


def read_runs(folder: Path, keys: set[str]) -> pd.DataFrame:
    """Rows of the given keys from the run shards, one copy per key (the oldest shard holding it)."""
    seen: set[str] = set()
    tables = []
    for path in shard_files(folder, "runs"):
        table = pq.read_table(path)
        shard_keys = set(pc.unique(table.column("key")).to_pylist())
        wanted = (shard_keys & keys) - seen
        if wanted:
            tables.append(table.filter(pc.is_in(table.column("key"), value_set=pa.array(sorted(wanted)))))
            seen |= wanted
    if not tables:
        return pd.DataFrame(
            {c: pd.Series(dtype="float64" if c == "value" else "int64" if c == "year" else "str") for c in RUN_COLUMNS}
        )
    return pa.concat_tables(tables).to_pandas()


def check_folder(plan: SweepPlan, folder: Path, resume: bool, force: bool) -> None:
    """Refuse a folder that is not a sweep folder, or holds another sweep (unless --resume or --force)."""
    if not folder.exists():
        return
    design_path = folder / "design.parquet"
    if not design_path.is_file():
        raise UserInputError(
            "the folder exists but is not a sweep folder",
            file=str(folder),
            expected="a new --out folder or a folder written by 'yreb sweep'",
        )
    if not (resume or force) and set(pd.read_parquet(design_path, columns=["key"])["key"]) != set(plan.design["key"]):
        raise UserInputError(
            "the folder holds a different sweep (the sweep file, its base scenario or the model code changed)",
            file=str(folder),
            expected="--resume to reuse the runs that are still valid, --force to start over, or another --out",
        )


def init_folder(plan: SweepPlan, folder: Path, force: bool) -> None:
    """Create (or with ``force`` recreate) the folder; write the inputs and the design."""
    if force and folder.exists():
        shutil.rmtree(folder)
    (folder / "shards").mkdir(parents=True, exist_ok=True)
    for stale in (folder / "shards").glob(f"{TMP_PREFIX}*"):
        stale.unlink(missing_ok=True)  # left by a killed writer; never counted as a shard
    for final in ("metadata.json", "results.parquet", "results.csv", "failures.parquet", "failures.csv"):
        (folder / final).unlink(missing_ok=True)  # rewritten at the end: never left beside a newer design
    for source, name in ((plan.file, "sweep.toml"), (plan.base_file, "base_scenario.toml")):
        shutil.copyfile(source, folder / f"{TMP_PREFIX}{name}")
        os.replace(folder / f"{TMP_PREFIX}{name}", folder / name)
    write_table(plan.design, folder / "design", csv=False)


def write_tables(plan: SweepPlan, folder: Path) -> int:
    """results and failures tables from the shards, for the keys of the current design; returns completed keys."""
    design = plan.design[["point", "replication", "seed", "key", *plan.names]]
    keys = set(design["key"])
    runs = read_runs(folder, keys)
    results = design.merge(runs, on="key", how="inner")
    results = results.sort_values(["point", "replication", "region", "variable", "year"]).reset_index(drop=True)
    write_table(results, folder / "results")
    completed = set(runs["key"])
    failure_frames = [pd.read_parquet(p) for p in shard_files(folder, "failures")]
    failures = pd.concat(failure_frames, ignore_index=True) if failure_frames else pd.DataFrame(columns=FAILURE_COLUMNS)
    failures = failures[failures["key"].isin(keys - completed)].drop_duplicates("key", keep="last")
    failures = design.merge(failures, on="key", how="inner").sort_values(["point", "replication"])
    write_table(failures.reset_index(drop=True), folder / "failures")
    return len(completed)


def write_metadata(plan: SweepPlan, folder: Path, outcome: SweepOutcome) -> None:
    """metadata.json: the sweep as validated, seeds, counts, the last invocation and provenance."""
    spec = plan.spec
    write_json(
        folder / "metadata.json",
        {
            "sweep": spec.model_dump(mode="json"),
            "sweep_file": str(plan.file),
            "base_scenario_file": str(plan.base_file),
            "root_seed": int(plan.base_doc["seed"]),
            "seed_method": "replication k: numpy SeedSequence(root_seed, spawn_key=(k,)), reduced to 63 bits; "
            f"design sampler: SeedSequence(root_seed, spawn_key=({DESIGN_STREAM},))",
            "design_points": plan.n_points,
            "runs": {
                "distinct": outcome.runs,
                "completed": outcome.completed,
                "failed": outcome.failed,
                "completed_before_this_invocation": outcome.completed_before,
            },
            "summary_metrics": {name: METRICS[name].unit for name in spec.outputs},
            "last_invocation": {
                "executor": outcome.executor,
                "runs_attempted": outcome.ran,
                "seconds": outcome.seconds,
                "runs_per_second": outcome.runs_per_second,
            },
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **provenance(),
        },
    )
