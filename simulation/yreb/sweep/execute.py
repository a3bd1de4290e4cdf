"""How a sweep runs: the design's missing runs in batches, in this process, in local worker processes or on a
Dask cluster, each finished batch streamed to a shard of the sweep folder (``yreb.sweep.store``).

Local worker processes are started with the ``forkserver`` method and preload this module (the one whose
``run_batch`` they execute); each exits when the sweep process is gone. Results are identical whatever the
executor, the number of workers and the batch size: each run depends only on its scenario and seed.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from yreb.analysis.metrics import BELT, METRICS, RegionArrays, compute_metrics
from yreb.errors import UserInputError
from yreb.inputs.scenario import ResolvedScenario, parse_scenario, resolve
from yreb.model.model import YREBModel
from yreb.runs.provenance import code_fingerprint
from yreb.sweep.plan import SweepPlan
from yreb.sweep.schema import DEFAULT_OUTPUTS
from yreb.sweep.store import (
    FAILURE_COLUMNS,
    RUN_COLUMNS,
    SweepOutcome,
    check_folder,
    completed_keys,
    init_folder,
    write_metadata,
    write_shard,
    write_tables,
)


def run_rows(
    scenario: ResolvedScenario, replication: int, keep_regions: bool, outputs: Sequence[str] = DEFAULT_OUTPUTS
) -> pd.DataFrame:
    """Simulate one replication; the ``outputs`` (registered metrics, region 'Belt') by year, and every
    region-year variable if asked."""
    model = YREBModel(scenario, replication=replication, record_flows=False).run()
    table, years = scenario.table, np.array(scenario.years)
    arrays = RegionArrays(model.records, np.asarray(table.in_belt, dtype=bool), np.asarray(table.subregion), years)
    metrics = compute_metrics(arrays, outputs)
    names = np.array(list(metrics), dtype=object)
    summary = pd.DataFrame(
        {
            "region": BELT,
            "variable": np.repeat(names, len(years)),
            "unit": np.repeat([METRICS[n].unit for n in names], len(years)),
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


def run_batch(
    groups: list[tuple[dict, list[tuple[str, int]]]],
    base_dir: str,
    source: str,
    keep_regions: bool,
    outputs: Sequence[str] = DEFAULT_OUTPUTS,
) -> dict:
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
                frame = run_rows(scenario, replication, keep_regions, outputs)
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
        """Run ``fn`` now; return a finished future with its result or exception."""
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _dask_client(address: str):
    try:
        from distributed import Client  # optional extra 'dask'
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
        context.set_forkserver_preload([run_batch.__module__])  # the module whose run_batch the workers run
        executor = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_end_with, initargs=(os.getpid(),))
        try:
            yield executor, workers, f"{workers} local processes", False
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


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
    """Run the design's missing runs and write the sweep folder (see ``yreb.sweep.store``)."""
    folder = plan.output_folder(out_dir)
    check_folder(plan, folder, resume, force)
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
        init_folder(plan, folder, force)
    else:
        with open_executor(workers, scheduler) as (executor, slots, description, remote):
            init_folder(plan, folder, force)  # after the executor is up: a bad --scheduler writes nothing
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
    completed = write_tables(plan, folder)
    outcome = SweepOutcome(folder, len(first), len(done), completed, len(failed), len(pending), seconds, description)
    write_metadata(plan, folder, outcome)
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
    spec = plan.spec
    args = (str(plan.base_file.parent.resolve()), str(plan.base_file), spec.keep_regions, list(spec.outputs))
    in_flight: dict[cf.Future, list[str]] = {}
    failed: set[str] = set()
    bar = tqdm(total=total, initial=done, desc=f"sweep {spec.name}", unit="run", disable=not progress)

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
                    write_shard(folder, "failures", pd.DataFrame(result["failures"], columns=FAILURE_COLUMNS))
                    failed.update(r["key"] for r in result["failures"])
                if result["rows"] is not None:
                    write_shard(folder, "runs", result["rows"][RUN_COLUMNS])
                bar.set_postfix(completed=bar.n + len(keys) - len(failed), failed=len(failed), refresh=False)
                bar.update(len(keys))
                submit_next()
    finally:
        bar.close()
    return failed
