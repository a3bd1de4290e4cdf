"""How a sweep runs: the design's missing runs in batches, in this process, in local worker processes or on a
Dask cluster, each finished batch streamed to a shard of the sweep folder (``yreb.sweep.store``).

Local worker processes are started with the ``forkserver`` method and preload this module (the one whose
``run_batch`` they execute). They ignore Ctrl-C (the forkserver is started with SIGINT ignored, so a Ctrl-C
that reaches the whole process group interrupts the sweep process only); when the sweep process is
interrupted (SIGINT, SIGTERM) or fails it kills its workers before it exits, and each worker also exits by
itself when the sweep process is gone or a zombie (``_end_with``). Results are identical whatever the
executor, the number of workers and the batch size: each run depends only on its scenario and seed.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import itertools
import math
import multiprocessing
import multiprocessing.forkserver
import os
import re
import shutil
import signal
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
from yreb.errors import FilesystemError, UserInputError
from yreb.inputs.scenario import ResolvedScenario, parse_scenario, resolve
from yreb.model.model import YREBModel
from yreb.runs.provenance import code_fingerprint
from yreb.runs.storage import check_target, fresh_folder, install_folder, prepared_parent, recover, target_lock
from yreb.sweep.plan import SweepPlan
from yreb.sweep.schema import DEFAULT_OUTPUTS
from yreb.sweep.store import (
    FAILURE_COLUMNS,
    RUN_COLUMNS,
    SweepOutcome,
    check_folder,
    completed_keys,
    init_folder,
    scan_shards,
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


SCHEDULER_SCHEMES = ("tcp",)  # what yreb can connect to without further configuration
_ADDRESS = re.compile(r"^(?:([A-Za-z][A-Za-z0-9+.-]*)://)?([^\s/]+)$")


def check_scheduler(address: str) -> None:
    """Refuse a Dask scheduler address yreb cannot use before anything starts: a scheme other than tcp://
    (tls:// needs certificates and ucx:// the UCX libraries, which yreb does not configure), or no address."""
    match = _ADDRESS.match(address or "")
    scheme = match.group(1) if match else None
    if match is None or (scheme is not None and scheme.lower() not in SCHEDULER_SCHEMES):
        reason = {
            "tls": "tls:// needs certificates and a security configuration, which yreb does not set up",
            "ucx": "ucx:// needs the UCX libraries (ucx-py), which yreb does not use",
        }.get((scheme or "").lower(), "not a scheduler address yreb can use")
        raise UserInputError(
            reason,
            option="scheduler",
            value=address,
            expected="tcp://HOST:PORT of a running Dask scheduler, e.g. tcp://127.0.0.1:8786",
        )


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
    check_scheduler(address)
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError, TypeError, RuntimeError) as exc:
        raise UserInputError(
            f"cannot connect to the Dask scheduler: {exc}",
            field="--scheduler",
            value=address,
            expected="the address of a running scheduler, e.g. tcp://127.0.0.1:8786",
        ) from None


def _alive(pid: int) -> bool:
    """Whether a process runs: it exists and is not a zombie (a killed parent that its own caller has not yet
    waited for still exists, as a zombie, and must count as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True  # no /proc: existence is all we can tell


def _end_with(sweep_pid: int) -> None:
    """Worker initializer: ignore Ctrl-C (the sweep process handles it) and exit when the sweep process is gone
    or a zombie (pool workers outlive a SIGKILLed parent)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if not _alive(sweep_pid):
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _start_forkserver(context) -> None:
    """Start the forkserver with SIGINT ignored: it and the workers forked from it inherit that, so a Ctrl-C
    while they import the model never prints a traceback from them."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def _kill_workers(executor: cf.ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes now (their batches are not waited for: the runs are redone later)."""
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.kill()


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
        # the module whose run_batch the workers run, and the hook that keeps interrupted worker starts quiet
        context.set_forkserver_preload([run_batch.__module__, "yreb.sweep.forkserver_quiet"])
        _start_forkserver(context)
        executor = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_end_with, initargs=(os.getpid(),))
        try:
            yield executor, workers, f"{workers} local processes", False
        except BaseException:  # interrupted or failed: stop the workers now rather than after their batches
            _kill_workers(executor)
            raise
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


def _run_years(plan: SweepPlan) -> dict[str, tuple[int, int]]:
    """Key -> (first, last) simulated year of each run (for the completeness check of shards)."""
    defaults = {"start_year": 2015, "end_year": 2035}
    paths = [p for v in plan.spec.vary for p in v.paths]
    first = plan.design.drop_duplicates("key")
    if not any(p.split(".")[0] in defaults for p in paths):
        doc = plan.base_doc
        years = (doc.get("start_year", defaults["start_year"]), doc.get("end_year", defaults["end_year"]))
        return dict.fromkeys(first["key"], years)
    out = {}
    for key, point in first[["key", "point"]].itertuples(index=False):
        doc = plan.point_doc(point)
        out[key] = (doc.get("start_year", defaults["start_year"]), doc.get("end_year", defaults["end_year"]))
    return out


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
    """Run the design's missing runs and write the sweep folder (see ``yreb.sweep.store``).

    One sweep at a time writes a folder (a second one stops with UserInputError). Damaged shards are moved
    aside and their runs run again. With ``force`` the new sweep is built in a temporary folder that replaces
    the old one only when it is complete. A file-system failure (disk full, ...) stops the sweep with a
    FilesystemError; the completed runs are kept for the next invocation."""
    if scheduler:
        check_scheduler(scheduler)
    folder = plan.output_folder(out_dir)
    inputs = [plan.file, plan.base_file]
    check_target(folder, "sweep", True, inputs)
    check_folder(plan, folder, resume, force)
    try:
        with prepared_parent(folder), target_lock(folder):
            recover(folder)
            check_folder(plan, folder, resume, force)
            if force and folder.exists():
                work = fresh_folder(folder.parent, folder.name)
                try:
                    outcome = _run_into(plan, work, workers, scheduler, batch_size, progress, fresh=True)
                    install_folder(work, folder, force=True, kind="sweep")
                except BaseException:
                    shutil.rmtree(work, ignore_errors=True)
                    raise
                outcome.folder = folder
                return outcome
            fresh = not folder.exists() or not any(folder.iterdir())
            return _run_into(plan, folder, workers, scheduler, batch_size, progress, fresh=fresh)
    except OSError as exc:
        raise FilesystemError(
            "cannot write the sweep folder",
            str(folder),
            exc,
            hint="completed runs are kept; fix the cause (e.g. free space) and run the same command again to resume",
        ) from None


def _run_into(
    plan: SweepPlan, folder: Path, workers: int, scheduler: str | None, batch_size: int | None, progress: bool, fresh
) -> SweepOutcome:
    first = plan.design.drop_duplicates("key")  # a key shared by several points runs once
    damaged = [] if fresh else scan_shards(folder, _run_years(plan))
    done = set() if fresh else completed_keys(folder) & set(first["key"])
    pending = [
        (key, point, rep)
        for key, point, rep in first[["key", "point", "replication"]].itertuples(index=False)
        if key not in done
    ]
    start = time.perf_counter()
    failed: set[str] = set()
    description = "nothing to run"
    if not pending:
        init_folder(plan, folder)
    else:
        with open_executor(workers, scheduler) as (executor, slots, description, remote):
            init_folder(plan, folder)  # after the executor is up: a bad --scheduler writes nothing
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
    outcome = SweepOutcome(
        folder, len(first), len(done), completed, len(failed), len(pending), seconds, description, damaged
    )
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
