"""Parameter sweeps: sweep files, designs (grid, LHS, Sobol, Morris), keyed runs streamed to Parquet shards,
local-process or Dask execution, and resume.

A sweep file (TOML) names a base scenario, the settings held fixed, the parameters to vary (dotted paths into
the scenario document, e.g. ``parameters.rechoice_rate`` or ``policies.0.researchers``) with a range or a
value list, a design, its sample size, replications and a root seed. Each run (design point x replication)
is keyed by the SHA-256 of its resolved scenario, its seed, the kept outputs and the model code fingerprint,
so completed runs are recognised whatever process, machine or invocation produced them.

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

import concurrent.futures as cf
import copy
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import re
import shutil
import threading
import time
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from tqdm import tqdm

from yreb.analysis.metrics import BELT, METRICS, RegionArrays, compute_metrics
from yreb.errors import UserInputError
from yreb.inputs.scenario import (
    MAX_REPLICATIONS,
    NAME_RE,
    ResolvedScenario,
    find_scenario_file,
    parse_scenario,
    raise_validation_error,
    read_toml,
    resolve,
)
from yreb.model.model import YREBModel, replication_seed
from yreb.runs.provenance import code_fingerprint, provenance
from yreb.runs.storage import TMP_PREFIX, write_json, write_table

DESIGNS = ("grid", "lhs", "sobol", "morris")
PATH_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|[0-9]+))*$")
COLUMN_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")
RESERVED_FIELDS = ("name", "description", "seed", "replications")  # set by the sweep file itself
DESIGN_STREAM = 2**32 - 1  # SeedSequence spawn key of the design sampler; replications use keys 0..999
RUN_COLUMNS = ["key", "region", "variable", "unit", "year", "value"]
FAILURE_COLUMNS = ["key", "error", "traceback"]
# summary rows (region BELT = "Belt"): registered metrics (yreb.analysis.metrics.METRICS) -> unit
SUMMARY_METRICS: dict[str, str] = {
    name: METRICS[name].unit for name in ("gdp_100m_yuan", "belt_share_national_gdp", "theil_t_between")
}


# --- sweep file schema ---------------------------------------------------------------------------


class VaryParameter(BaseModel):
    """One parameter to vary: where it goes in the scenario document and which values it takes."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    path: str | list[str] = Field(
        description="dotted path into the scenario document; a list of paths all "
        "receive the same value (e.g. one barrier level for every factor)"
    )
    name: str | None = Field(None, description="column name in tables and plots (default: the path)")
    label: str | None = Field(None, max_length=200, description="axis label with unit, for plots")
    range: tuple[float, float] | None = Field(None, description="[low, high] for continuous values")
    values: list[Any] | None = Field(None, min_length=2, description="explicit values (numbers, strings or booleans)")
    levels: int | None = Field(None, ge=2, le=10_000, description="grid design: evenly spaced values across range")
    integer: bool = Field(False, description="round values drawn from range to whole numbers")

    @field_validator("path")
    @classmethod
    def _paths(cls, v):
        for path in [v] if isinstance(v, str) else v:
            if not PATH_RE.match(path):
                raise ValueError(
                    f"'{path}' is not a dotted path like 'parameters.rechoice_rate' or 'policies.0.researchers'"
                )
            if path.split(".")[0] in RESERVED_FIELDS:
                raise ValueError(f"'{path}' is set by the sweep file itself (name, seed, replications)")
        if isinstance(v, list) and (not v or len(set(v)) != len(v)):
            raise ValueError("a list of paths must be non-empty and without repeats")
        return v

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.range is None) == (self.values is None):
            raise ValueError("give exactly one of 'range' ([low, high]) and 'values' (a list)")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range low ({self.range[0]}) must be below high ({self.range[1]})")
        if self.values is not None:
            if self.levels is not None or self.integer:
                raise ValueError("'levels' and 'integer' apply to 'range' only")
            _check_values(self.values)
        if self.name is None:
            if not isinstance(self.path, str):
                raise ValueError("a parameter with several paths needs a 'name'")
            self.name = self.path
        if not COLUMN_RE.match(self.name):
            raise ValueError(f"name '{self.name}' must be 1-100 letters, digits, '_', '.' or '-'")
        return self

    @property
    def paths(self) -> list[str]:
        return [self.path] if isinstance(self.path, str) else list(self.path)

    @property
    def axis_label(self) -> str:
        return self.label or self.name

    def bounds(self) -> list[float]:
        """Bounds in the sampler's space: the range, or [0, number of values] (value i covers [i, i+1))."""
        return list(self.range) if self.range is not None else [0.0, float(len(self.values))]

    def value_at(self, x: float):
        """The value written into the scenario for sample coordinate x."""
        if self.values is not None:
            return self.values[min(int(math.floor(x)), len(self.values) - 1)]
        return int(round(x)) if self.integer else float(x)


def _check_values(values: list) -> None:
    kinds = {bool if isinstance(v, bool) else (float if isinstance(v, (int, float)) else type(v)) for v in values}
    if len(kinds) != 1 or kinds.pop() not in (bool, float, str):
        raise ValueError("values must be all numbers, all strings or all booleans")
    if any(isinstance(v, float) and not math.isfinite(v) for v in values):
        raise ValueError("values must be finite numbers")
    if len(set(values)) != len(values):
        raise ValueError("values must not repeat")


class SweepFile(BaseModel):
    """The contents of a sweep file, as typed by the user."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str = Field(description="identifier; also the sweep's result folder name")
    description: str = Field("", max_length=4000)
    base: str = Field(description="base scenario file, relative to the sweep file")
    design: Literal["grid", "lhs", "sobol", "morris"]
    samples: int | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description="lhs: points; sobol: base sample N "
        "(power of 2; N x (D + 2) points); morris: trajectories (N x (D + 1) points)",
    )
    morris_levels: int = Field(4, ge=2, le=100, description="morris: grid levels of each parameter")
    replications: int = Field(1, ge=1, le=MAX_REPLICATIONS, description="replications of every design point")
    seed: int | None = Field(None, ge=0, lt=2**63, description="root seed (default: the base scenario's)")
    keep_regions: bool = Field(False, description="also keep every region-year variable (large)")
    fixed: dict[str, Any] = Field(default_factory=dict, description="settings held fixed, by dotted path")
    vary: list[VaryParameter] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        if not NAME_RE.match(v):
            raise ValueError("must be 1-64 letters, digits, '_' or '-', starting with a letter or digit")
        return v

    @model_validator(mode="after")
    def _design_settings(self):
        names = [v.name for v in self.vary]
        if len(set(names)) != len(names):
            raise ValueError("each varied parameter needs a distinct name")
        paths = [p for v in self.vary for p in v.paths]
        if len(set(paths)) != len(paths):
            raise ValueError("a path is varied twice")
        if self.design == "grid":
            if self.samples is not None:
                raise ValueError("a grid design takes no 'samples' (its size is the product of the levels)")
            for v in self.vary:
                if v.range is not None and v.levels is None:
                    raise ValueError(f"grid design: give 'levels' (or 'values') for '{v.name}'")
        else:
            if self.samples is None:
                raise ValueError(f"a {self.design} design needs 'samples'")
            if any(v.levels is not None for v in self.vary):
                raise ValueError("'levels' applies to grid designs only")
            if self.design == "sobol" and self.samples & (self.samples - 1):
                raise ValueError(f"sobol 'samples' must be a power of 2 (got {self.samples}), e.g. 64 or 128")
        return self

    def salib_problem(self) -> dict:
        return {
            "num_vars": len(self.vary),
            "names": [v.name for v in self.vary],
            "bounds": [v.bounds() for v in self.vary],
        }


def parse_sweep(data: dict, name: str = "<sweep>", text: str = "") -> SweepFile:
    try:
        return SweepFile.model_validate(data)
    except ValidationError as exc:
        raise_validation_error(exc, name, text)


# --- designs -------------------------------------------------------------------------------------


def design_sample(spec: SweepFile, seed: int) -> np.ndarray:
    """Points x parameters matrix of sample coordinates (in each parameter's ``bounds``).

    grid: Cartesian product (first parameter varies slowest); lhs: scipy.stats.qmc.LatinHypercube;
    sobol: SALib.sample.sobol (Saltelli scheme, first and total order); morris: SALib.sample.morris.
    Samplers are seeded from SeedSequence(seed, spawn_key=(DESIGN_STREAM,)).
    """
    problem = spec.salib_problem()
    stream = np.random.SeedSequence(seed, spawn_key=(DESIGN_STREAM,))
    if spec.design == "grid":
        axes = [
            np.linspace(*v.range, v.levels) if v.range is not None else np.arange(len(v.values), dtype=float)
            for v in spec.vary
        ]
        return np.array(list(itertools.product(*axes)), dtype=float)
    if spec.design == "lhs":
        from scipy.stats import qmc

        bounds = np.array(problem["bounds"])
        unit = qmc.LatinHypercube(d=problem["num_vars"], rng=np.random.default_rng(stream)).random(spec.samples)
        return qmc.scale(unit, bounds[:, 0], bounds[:, 1])
    salib_seed = int(stream.generate_state(1)[0])
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, spec.samples, calc_second_order=False, seed=salib_seed)
    from SALib.sample import morris

    return morris.sample(problem, spec.samples, num_levels=spec.morris_levels, seed=salib_seed)


# --- scenario documents by dotted path -------------------------------------------------------------


def set_path(doc: dict, path: str, value) -> None:
    """Set ``value`` at a dotted path of a scenario document (list entries by index); LookupError if absent.

    Missing tables are created (a base without a [parameters] table can still have a parameter varied);
    list entries must exist (a policy is addressed by its position in the base scenario).
    """
    parts = path.split(".")
    node: Any = doc
    for depth, part in enumerate(parts):
        where = ".".join(parts[:depth]) or "the scenario"
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise LookupError(f"'{where}' has {len(node)} entries (indices 0 to {len(node) - 1})")
            key: Any = int(part)
        elif isinstance(node, dict):
            if part.isdigit():
                raise LookupError(f"'{where}' is a table, not a list")
            key = part
            if depth < len(parts) - 1 and key not in node:
                node[key] = {}
        else:
            raise LookupError(f"'{where}' is a single value, not a table or a list")
        if depth == len(parts) - 1:
            node[key] = value
        else:
            node = node[key]


def flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables to dotted paths: {'parameters': {'stochastic': False}} -> {'parameters.stochastic': False}."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten(value, path))
        else:
            out[path] = value
    return out


# --- summary metrics (pure) ----------------------------------------------------------------------


def summary_metrics(
    gdp_100m_yuan: np.ndarray, population_persons: np.ndarray, in_belt: np.ndarray, subregion: np.ndarray
) -> dict[str, np.ndarray]:
    """SUMMARY_METRICS per year from years x regions arrays of GDP (by location) and resident population,
    computed by the registered metrics (yreb.analysis.metrics.METRICS)."""
    variables = {"gdp_100m_yuan": gdp_100m_yuan, "population_persons": population_persons}
    years = np.arange(len(gdp_100m_yuan))  # not used by these three metrics
    return compute_metrics(RegionArrays(variables, in_belt, subregion, years), SUMMARY_METRICS)


# --- plan: validated design with run keys ----------------------------------------------------------


def run_key(scenario: ResolvedScenario, seed: int, keep_regions: bool) -> str:
    """SHA-256 of what determines a run's rows: the resolved scenario (without its name, description, root seed
    and replication count), the run's seed, the kept outputs and the model code fingerprint."""
    canonical = scenario.canonical()
    for field in RESERVED_FIELDS:
        canonical.pop(field)
    payload = {"scenario": canonical, "seed": seed, "keep_regions": keep_regions, "code": code_fingerprint()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass
class SweepPlan:
    """A validated sweep: every design point resolved to a valid scenario, every run keyed."""

    spec: SweepFile
    file: Path
    base_file: Path
    base_doc: dict  # base scenario with the sweep's name, seed, replications and fixed settings
    sample: np.ndarray  # points x parameters, sample coordinates
    design: pd.DataFrame  # one row per run: point, replication, seed, key, parameter values, sample coordinates

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.spec.vary]

    @property
    def n_points(self) -> int:
        return len(self.sample)

    def point_values(self, point: int) -> dict[str, Any]:
        return {v.name: v.value_at(x) for v, x in zip(self.spec.vary, self.sample[point])}

    def point_doc(self, point: int) -> dict:
        doc = copy.deepcopy(self.base_doc)
        values = self.point_values(point)
        for v in self.spec.vary:
            for path in v.paths:
                set_path(doc, path, values[v.name])
        return doc

    def output_folder(self, out_dir: Path) -> Path:
        return Path(out_dir) / self.spec.name


def _culprit(field: str | None, spec: SweepFile) -> str | None:
    """The varied parameter whose path matches a scenario validation error's field, if any."""
    if not field:
        return None
    normalised = re.sub(r"\[(\d+)\]", r".\1", field)
    for v in spec.vary:
        for path in v.paths:
            if normalised == path or normalised.startswith(path + ".") or path.startswith(normalised + "."):
                return v.name
    return None


def plan_sweep(path: str | Path) -> SweepPlan:
    """Read and validate a sweep file: every design point must give a valid scenario (UserInputError naming
    the sweep file and the parameter otherwise). Nothing is written. ``path`` may name a shipped sweep."""
    path = find_scenario_file(path, kind="sweep")
    data, text = read_toml(path)
    spec = parse_sweep(data, str(path), text)
    base_file = path.parent / spec.base
    if not base_file.is_file():
        raise UserInputError(
            "base scenario not found",
            file=str(path),
            field="base",
            value=spec.base,
            expected="a scenario file path relative to the sweep file",
        )
    base_doc, _ = read_toml(base_file)
    base_seed = parse_scenario(base_doc, str(base_file)).seed
    seed = spec.seed if spec.seed is not None else base_seed
    base_doc.update(name=spec.name, seed=seed, replications=spec.replications)
    for fixed_path, value in flatten(spec.fixed).items():
        if not PATH_RE.match(fixed_path) or fixed_path.split(".")[0] in RESERVED_FIELDS:
            raise UserInputError(
                "not a settable dotted path",
                file=str(path),
                field=f"fixed.{fixed_path}",
                expected="a path into the scenario other than name, seed and replications",
            )
        try:
            set_path(base_doc, fixed_path, value)
        except LookupError as exc:
            raise UserInputError(str(exc), file=str(path), field=f"fixed.{fixed_path}") from None
    sample = design_sample(spec, seed)
    plan = SweepPlan(spec, path, base_file, base_doc, sample, pd.DataFrame())
    _check_paths(plan)
    seeds = [replication_seed(seed, k) for k in range(spec.replications)]
    rows = []
    for point in range(len(sample)):
        scenario = _resolve_point(plan, point)
        values = plan.point_values(point)
        coords = {f"sample:{name}": x for name, x in zip(plan.names, sample[point])}
        for k, run_seed in enumerate(seeds):
            rows.append(
                {
                    "point": point,
                    "replication": k,
                    "seed": run_seed,
                    "key": run_key(scenario, run_seed, spec.keep_regions),
                    **values,
                    **coords,
                }
            )
    plan.design = pd.DataFrame(rows)
    return plan


def _check_paths(plan: SweepPlan) -> None:
    for v in plan.spec.vary:
        for path in v.paths:
            try:
                set_path(copy.deepcopy(plan.base_doc), path, None)
            except LookupError as exc:
                raise UserInputError(
                    f"path '{path}' is not in the base scenario: {exc}",
                    file=str(plan.file),
                    field=f"vary '{v.name}'",
                    value=path,
                ) from None


def _resolve_point(plan: SweepPlan, point: int) -> ResolvedScenario:
    spec, sweep_file = plan.spec, str(plan.file)
    doc = plan.point_doc(point)
    try:
        return resolve(parse_scenario(doc, str(plan.base_file)), plan.base_file.parent, str(plan.base_file))
    except UserInputError as exc:
        values = plan.point_values(point)
        culprit = _culprit(exc.field, spec)
        if culprit is not None:
            raise UserInputError(
                f"the value {values[culprit]!r} (design point {point}) does not give a valid scenario: {exc}",
                file=sweep_file,
                field=f"vary '{culprit}'",
            ) from None
        setting = ", ".join(f"{k} = {v!r}" for k, v in values.items())
        raise UserInputError(
            f"design point {point} ({setting}) does not give a valid scenario with the base and fixed settings: {exc}",
            file=sweep_file,
            field="fixed",
        ) from None


# --- running -------------------------------------------------------------------------------------


def run_rows(scenario: ResolvedScenario, replication: int, keep_regions: bool) -> pd.DataFrame:
    """Simulate one replication; belt summary metrics by year (and every region-year variable if asked)."""
    model = YREBModel(scenario, replication=replication, record_flows=False).run()
    table, years = scenario.table, np.array(scenario.years)
    metrics = summary_metrics(
        model.records["gdp_100m_yuan"],
        model.records["population_persons"],
        np.asarray(table.in_belt, dtype=bool),
        np.asarray(table.subregion),
    )
    names = np.array(list(metrics), dtype=object)
    summary = pd.DataFrame(
        {
            "region": BELT,
            "variable": np.repeat(names, len(years)),
            "unit": np.repeat([SUMMARY_METRICS[n] for n in names], len(years)),
            "year": np.tile(years, len(names)),
            "value": np.concatenate(list(metrics.values())),
        }
    )
    return pd.concat([summary, model.results_frame()], ignore_index=True) if keep_regions else summary


def _error_record(key: str, exc: BaseException) -> dict:
    return {
        "key": key,
        "error": f"{type(exc).__name__}: {exc}",
        "traceback": "".join(traceback.format_exception(exc))[-4000:],
    }


def run_batch(groups: list[tuple[dict, list[tuple[str, int]]]], base_dir: str, source: str, keep_regions: bool) -> dict:
    """Worker task: ``groups`` of (scenario document, [(key, replication), ...]).

    Returns the rows of the runs that completed, a record per run that raised (the batch goes on), and the
    worker's code fingerprint (the caller checks that every worker runs the same model code).
    """
    frames, failures = [], []
    for doc, runs in groups:
        try:
            scenario = resolve(parse_scenario(doc, source), Path(base_dir), source)
        except Exception as exc:  # validated by plan_sweep; anything raised here fails these runs only
            failures.extend(_error_record(key, exc) for key, _ in runs)
            continue
        for key, replication in runs:
            try:
                frame = run_rows(scenario, replication, keep_regions)
            except Exception as exc:  # a failed run is recorded and the sweep continues
                failures.append(_error_record(key, exc))
                continue
            frame.insert(0, "key", key)
            frames.append(frame)
    rows = pd.concat(frames, ignore_index=True) if frames else None
    return {"rows": rows, "failures": failures, "code": code_fingerprint()}


class InlineExecutor(cf.Executor):
    """Runs each task in this process when it is submitted (--workers 1): no start-up or pickling cost."""

    def submit(self, fn, /, *args, **kwargs):
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise UserInputError(
            "--scheduler needs the optional 'distributed' package",
            field="--scheduler",
            value=address,
            expected="pip install 'yreb-flows[dask]'",
        ) from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise UserInputError(
            f"cannot connect to the Dask scheduler: {exc}",
            field="--scheduler",
            value=address,
            expected="the address of a running scheduler, e.g. tcp://127.0.0.1:8786",
        ) from None


def _end_with(sweep_pid: int) -> None:
    """Worker initializer: exit when the sweep process is gone (pool workers outlive a SIGKILLed parent)."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(sweep_pid, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


@contextmanager
def open_executor(workers: int, scheduler: str | None):
    """Yield (executor, task slots, description, remote): Dask, local processes, or this process.

    ``remote`` executors may run another installation of the package, so their results are checked against
    this process's code fingerprint; local workers import the same files as this process."""
    if scheduler:
        client = _dask_client(scheduler)
        try:
            slots = max(1, sum(client.nthreads().values()))
            yield client.get_executor(pure=False), slots, f"dask {scheduler} ({slots} threads)", True
        finally:
            client.close()
    elif workers == 1:
        yield InlineExecutor(), 1, "this process", False
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["yreb.sweep.core"])
        executor = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_end_with, initargs=(os.getpid(),))
        try:
            yield executor, workers, f"{workers} local processes", False
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


def shard_files(folder: Path, kind: str) -> list[Path]:
    """Completed shard files of a kind ('runs' or 'failures'), oldest first (names start with a timestamp)."""
    return sorted((folder / "shards").glob(f"{kind}-*.parquet"))


def completed_keys(folder: Path) -> set[str]:
    """Keys of the runs whose rows are in the folder's run shards."""
    keys: set[str] = set()
    for path in shard_files(folder, "runs"):
        keys.update(pc.unique(pq.read_table(path, columns=["key"]).column("key")).to_pylist())
    return keys


def _write_shard(folder: Path, kind: str, frame: pd.DataFrame) -> None:
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


@dataclass
class SweepOutcome:
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
        return self.ran / self.seconds if self.seconds > 0 else float("nan")


def _check_folder(plan: SweepPlan, folder: Path, resume: bool, force: bool) -> None:
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


def _init_folder(plan: SweepPlan, folder: Path, force: bool) -> None:
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


def _batches(plan: SweepPlan, pending: list[tuple[str, int, int]], batch_size: int):
    """Tasks of up to ``batch_size`` runs, grouped by design point (one scenario resolution per point)."""
    for start in range(0, len(pending), batch_size):
        chunk = pending[start : start + batch_size]
        groups = [
            (plan.point_doc(point), [(key, rep) for key, _, rep in runs])
            for point, runs in itertools.groupby(chunk, key=lambda r: r[1])
        ]
        yield [key for key, _, _ in chunk], groups


def run_sweep(
    plan: SweepPlan,
    out_dir: Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    batch_size: int | None = None,
    progress: bool = True,
) -> SweepOutcome:
    """Run the design's missing runs and write the sweep folder (see the module docstring)."""
    folder = plan.output_folder(out_dir)
    _check_folder(plan, folder, resume, force)
    first = plan.design.drop_duplicates("key")  # a key shared by several points runs once
    done = set() if force or not folder.exists() else completed_keys(folder) & set(first["key"])
    pending = [
        (key, point, rep)
        for key, point, rep in first[["key", "point", "replication"]].itertuples(index=False)
        if key not in done
    ]
    start = time.perf_counter()
    failed: set[str] = set()
    description = "nothing to run"
    if not pending:
        _init_folder(plan, folder, force)
    else:
        with open_executor(workers, scheduler) as (executor, slots, description, remote):
            _init_folder(plan, folder, force)  # after the executor is up: a bad --scheduler writes nothing
            size = batch_size or max(1, min(25, math.ceil(len(pending) / (4 * slots))))
            failed = _execute(
                plan,
                folder,
                executor,
                slots,
                _batches(plan, pending, size),
                len(first),
                len(done),
                progress,
                code_fingerprint() if remote else None,
            )
    seconds = time.perf_counter() - start
    completed = _write_tables(plan, folder)
    outcome = SweepOutcome(folder, len(first), len(done), completed, len(failed), len(pending), seconds, description)
    _write_metadata(plan, folder, outcome)
    return outcome


def _execute(
    plan: SweepPlan,
    folder: Path,
    executor,
    slots: int,
    batches,
    total: int,
    done: int,
    progress: bool,
    expected_code: str | None,
) -> set[str]:
    """Keep 2 x slots batches in flight; write each finished batch's rows and failures as shards.

    With ``expected_code``, a batch computed by a worker with another code fingerprint stops the sweep (its rows
    would be stored under keys that name this process's code)."""
    args = (str(plan.base_file.parent.resolve()), str(plan.base_file), plan.spec.keep_regions)
    in_flight: dict[cf.Future, list[str]] = {}
    failed: set[str] = set()
    bar = tqdm(total=total, initial=done, desc=f"sweep {plan.spec.name}", unit="run", disable=not progress)

    def submit_next() -> None:
        batch = next(batches, None)
        if batch is not None:
            keys, groups = batch
            in_flight[executor.submit(run_batch, groups, *args)] = keys

    try:
        for _ in range(2 * slots):
            submit_next()
        while in_flight:
            finished, _ = cf.wait(list(in_flight), return_when=cf.FIRST_COMPLETED)
            for future in finished:
                keys = in_flight.pop(future)
                try:
                    result = future.result()
                except cf.BrokenExecutor:  # the local pool is unusable: stop (completed shards are kept)
                    raise
                except Exception as exc:  # the task itself was lost (e.g. a Dask worker died): fail its runs
                    result = {
                        "rows": None,
                        "failures": [_error_record(key, exc) for key in keys],
                        "code": expected_code,
                    }
                if expected_code is not None and result["code"] != expected_code:
                    raise UserInputError(
                        "a worker runs different model code than this process",
                        field="--scheduler",
                        expected="workers with the same version of the simulation package",
                    )
                if result["failures"]:
                    _write_shard(folder, "failures", pd.DataFrame(result["failures"], columns=FAILURE_COLUMNS))
                    failed.update(r["key"] for r in result["failures"])
                if result["rows"] is not None:
                    _write_shard(folder, "runs", result["rows"][RUN_COLUMNS])
                bar.set_postfix(completed=bar.n + len(keys) - len(failed), failed=len(failed), refresh=False)
                bar.update(len(keys))
                submit_next()
    finally:
        bar.close()
    return failed


def _write_tables(plan: SweepPlan, folder: Path) -> int:
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


def _write_metadata(plan: SweepPlan, folder: Path, outcome: SweepOutcome) -> None:
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
            "summary_metrics": SUMMARY_METRICS,
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


# --- command line --------------------------------------------------------------------------------
