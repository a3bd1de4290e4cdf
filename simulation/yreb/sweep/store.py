"""Where a sweep's results go: the sweep folder, its shards, its final tables and its metadata.

Layout of a sweep folder ``<out>/<sweep name>/`` (docs/sweeps.md):

- ``sweep.toml``, ``base_scenario.toml``: copies of the inputs of the last invocation;
- ``design.parquet``: one row per run: point, replication, seed, key, parameter values, sample coordinates;
- ``shards/runs-<time>-<sha256>.parquet``: rows of completed runs, one file per finished batch, each written
  atomically and named after the SHA-256 of its bytes; the set of completed keys is read from these files
  (there is no other state that could disagree). A shard whose bytes do not match its name, that cannot be
  read, has other columns or holds an incomplete run is damaged: it is moved to ``shards/damaged/`` and
  reported, and its runs are run again (``scan_shards``);
- ``shards/failures-<time>-<sha256>.parquet``: runs that raised (key, error, traceback);
- ``results.parquet``/``.csv``: the final table (design columns joined with run rows, one copy per key,
  sorted by point, replication, region, variable, year); ``failures.parquet``/``.csv``; ``metadata.json``,
  sealed and recording the SHA-256, rows and schema of every table (``yreb.runs.integrity``), verified by
  ``verify_sweep_folder`` before a report is made.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yreb.analysis.metrics import METRICS
from yreb.errors import UserInputError
from yreb.runs.integrity import manifest, read_metadata, seal, sha256_file, verify
from yreb.runs.provenance import provenance
from yreb.runs.storage import MARKER, TMP_PREFIX, copy_file, exclusive_file, output_kind, write_json, write_table
from yreb.sweep.designs import DESIGN_STREAM
from yreb.sweep.plan import SweepPlan

RUN_COLUMNS = ["key", "region", "variable", "unit", "year", "value"]
FAILURE_COLUMNS = ["key", "error", "traceback"]
SHARD_COLUMNS = {"runs": RUN_COLUMNS, "failures": FAILURE_COLUMNS}
SHARD_NAME = re.compile(r"^(runs|failures)-(\d{20})-([0-9a-f]{64})\.parquet$")
DAMAGED = "damaged"
SWEEP_EXPECTED = "a folder written by 'yreb sweep' and not changed since (run the sweep again)"


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
    damaged: list[str] = field(default_factory=list)  # shards found damaged: "<file>: <reason>"

    @property
    def runs_per_second(self) -> float:
        """Runs attempted per second of this invocation."""
        return self.ran / self.seconds if self.seconds > 0 else float("nan")


def shard_files(folder: Path, kind: str) -> list[Path]:
    """Shard files of a kind ('runs' or 'failures'), oldest first (names start with a timestamp)."""
    return sorted((Path(folder) / "shards").glob(f"{kind}-*.parquet"))


def shard_problem(path: Path, kind: str) -> str | None:
    """Why a shard cannot be trusted (None if it can): its bytes do not match the SHA-256 in its name, it is
    empty, unreadable or has other columns."""
    match = SHARD_NAME.match(path.name)
    if not match or match.group(1) != kind:
        return "its name carries no checksum (not written by this version of yreb)"
    try:
        if path.stat().st_size == 0:
            return "the file is empty"
        if sha256_file(path) != match.group(3):
            try:
                pq.read_table(path)
            except Exception as exc:  # pyarrow raises several kinds for truncated or garbled files
                return f"unreadable (truncated or garbled: {str(exc).splitlines()[0][:100]})"
            return "its content was changed after it was written (its SHA-256 differs from its name)"
        columns = pq.read_schema(path).names
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    except Exception as exc:
        return f"unreadable ({type(exc).__name__})"
    if columns != SHARD_COLUMNS[kind]:
        return f"it has the columns {columns}, expected {SHARD_COLUMNS[kind]}"
    return None


def _incomplete_runs(table: pa.Table, years: dict[str, tuple[int, int]] | None) -> str | None:
    """A run shard's problem as a whole: a run without all its years, or with a (region, variable) that lacks
    some of them. ``years`` maps keys to their (first, last) simulated year (None: not checked)."""
    if table.num_rows == 0:
        return "it holds no rows"
    frame = table.select(["key", "region", "variable", "year"]).to_pandas()
    per_key = frame.groupby("key").agg(
        rows=("year", "size"), first=("year", "min"), last=("year", "max"), years=("year", "nunique")
    )
    series = frame.drop_duplicates(["key", "region", "variable"]).groupby("key").size()
    per_key["series"] = series
    for key, row in per_key.iterrows():
        expected_years = row.last - row.first + 1
        if years is not None and key in years:
            first, last = years[key]
            if (row.first, row.last) != (first, last):
                return f"run {key[:12]} covers {row.first}-{row.last}, expected {first}-{last}"
            expected_years = last - first + 1
        if row.rows != row.series * expected_years or row.years != expected_years:
            return f"run {key[:12]} has {row.rows} rows, expected {row.series * expected_years}"
    return None


def scan_shards(folder: Path, years: dict[str, tuple[int, int]] | None = None) -> list[str]:
    """Move every damaged shard of a sweep folder to ``shards/damaged/``; returns "<file>: <reason>" for each.

    Their runs are then not counted as completed, so the next invocation runs them again."""
    damaged = []
    for kind in ("runs", "failures"):
        for path in shard_files(folder, kind):
            problem = shard_problem(path, kind)
            if problem is None and kind == "runs":
                problem = _incomplete_runs(pq.read_table(path), years)
            if problem is not None:
                target = path.parent / DAMAGED
                target.mkdir(exist_ok=True)
                path.rename(target / path.name)
                damaged.append(f"{path}: {problem}")
    return damaged


def completed_keys(folder: Path) -> set[str]:
    """Keys of the runs whose rows are in the folder's run shards."""
    keys: set[str] = set()
    for path in shard_files(folder, "runs"):
        keys.update(pc.unique(pq.read_table(path, columns=["key"]).column("key")).to_pylist())
    return keys


def write_shard(folder: Path, kind: str, frame: pd.DataFrame) -> Path:
    """Write one shard of a kind ('runs' or 'failures') atomically, named after the time (for ordering) and
    the SHA-256 of its bytes (its checksum)."""
    shards = Path(folder) / "shards"
    stamp = f"{time.time_ns():020d}"
    names: list[Path] = []

    def checksummed(tmp: Path) -> Path:
        names.append(shards / f"{kind}-{stamp}-{sha256_file(tmp)}.parquet")
        return names[0]

    with exclusive_file(shards / f"{kind}-{stamp}.parquet", rename=checksummed) as fh:
        frame.to_parquet(fh, index=False)
    return names[0]


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
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
        return  # an empty folder (e.g. made by hand, or a first run killed at once)
    if folder.is_symlink() or not folder.is_dir() or output_kind(folder) != "sweep":
        raise UserInputError(
            "the folder exists but is not a sweep folder (nothing in it was changed)",
            file=str(folder),
            expected="a new --out folder or a folder written by 'yreb sweep'",
        )
    if resume or force:
        return
    try:
        keys = set(pd.read_parquet(folder / "design.parquet", columns=["key"])["key"])
    except (OSError, ValueError, KeyError):
        raise UserInputError(
            "the sweep folder's design.parquet is missing or unreadable",
            file=str(folder),
            expected="--resume to rebuild it and reuse the completed runs, --force to start over, or another --out",
        ) from None
    if keys != set(plan.design["key"]):
        raise UserInputError(
            "the folder holds a different sweep (the sweep file, its base scenario or the model code changed)",
            file=str(folder),
            expected="--resume to reuse the runs that are still valid, --force to start over, or another --out",
        )


def init_folder(plan: SweepPlan, folder: Path) -> None:
    """Prepare the folder (new or resumed): marker, inputs and design; the final tables of an earlier
    invocation are removed (rewritten at the end, never left beside a newer design)."""
    folder.mkdir(exist_ok=True)
    write_json(folder / MARKER, {"kind": "sweep"})  # first: a folder with anything in it is recognised as ours
    (folder / "shards").mkdir(exist_ok=True)
    for stale in (folder / "shards").glob(f"{TMP_PREFIX}*"):
        stale.unlink(missing_ok=True)  # left by a killed writer; never counted as a shard
    for final in ("metadata.json", "results.parquet", "results.csv", "failures.parquet", "failures.csv"):
        (folder / final).unlink(missing_ok=True)
    for source, name in ((plan.file, "sweep.toml"), (plan.base_file, "base_scenario.toml")):
        copy_file(source, folder / name)  # exclusive temporary file + rename: a planted link is replaced
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


FINAL_FILES = (
    "design.parquet",
    "results.parquet",
    "results.csv",
    "failures.parquet",
    "failures.csv",
    "sweep.toml",
    "base_scenario.toml",
)


def write_metadata(plan: SweepPlan, folder: Path, outcome: SweepOutcome) -> None:
    """metadata.json: the sweep as validated, seeds, counts, the last invocation, provenance and the records of
    every table (sealed; ``yreb.runs.integrity``)."""
    spec = plan.spec
    meta = {
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
            "damaged_shards": outcome.damaged,
        },
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **provenance(),
    }
    meta["integrity"] = manifest(folder, [folder / name for name in FINAL_FILES])
    write_json(folder / "metadata.json", seal(meta))


def verify_sweep_folder(folder: Path) -> dict:
    """Verify a complete sweep folder before it is read: sealed metadata, every table matching its SHA-256,
    rows and schema, and the results holding every run the metadata counts as completed. Returns the metadata;
    UserInputError naming the file and what differs otherwise."""
    folder = Path(folder)
    if not (folder / "metadata.json").is_file():
        raise UserInputError(
            "not a complete sweep folder (metadata.json, design.parquet and results.parquet expected)",
            file=str(folder),
            expected="a folder written by 'yreb sweep' (run or resume the sweep to complete it)",
        )
    meta = read_metadata(folder / "metadata.json", SWEEP_EXPECTED)
    verify(folder, meta, expected=SWEEP_EXPECTED)
    runs = meta.get("runs")
    completed = runs.get("completed") if isinstance(runs, dict) else None
    keys = pd.read_parquet(folder / "results.parquet", columns=["key"])["key"].nunique()
    if keys != completed:
        raise UserInputError(
            f"the results hold {keys} runs, metadata.json counts {completed} completed",
            file=str(folder / "results.parquet"),
            expected=SWEEP_EXPECTED,
        )
    return meta
