"""Interruptions lose nothing: SIGKILL of `yreb run` at any stage, leftovers of killed runs, a Dask worker killed
mid-sweep, and a killed `yreb sweep --resume` (the plain SIGKILL-then-resume of `yreb sweep` is in
test_sweep.py and not repeated here).

`yreb run` is killed at random moments inside each stage of its life (starting, simulating, tables written,
metadata written, plotting, report written) while a previous complete result sits in the results folder; the
folder must afterwards hold that previous result byte for byte, the new complete result (when the kill came
after the final rename), or nothing - never a partial folder; left-over temporary folders must be refused by
load_results.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from helpers import ROOT
from test_sweep import KILL_SWEEP, write_sweep
from yreb.cli import main
from yreb.errors import UserInputError
from yreb.runs.provenance import code_fingerprint
from yreb.runs.results import load_results
from yreb.runs.storage import TMP_PREFIX
from yreb.sweep.analysis import load_sweep
from yreb.sweep.execute import run_sweep
from yreb.sweep.plan import plan_sweep
from yreb.sweep.store import completed_keys, shard_files

BASELINE = ROOT / "scenarios" / "baseline.toml"
RUN = ["run", str(BASELINE), "--replications", "6", "--quiet"]


def _tmp_folders(out: Path) -> list[Path]:
    return sorted(out.glob(f"{TMP_PREFIX}*"))


def _stage(out: Path, stage: str) -> bool:
    """True once the run writing into ``out`` has reached ``stage`` (its temporary folder shows it)."""
    if stage == "starting":
        return True
    folders = [p for p in _tmp_folders(out) if not p.name.startswith(f"{TMP_PREFIX}old-")]
    marker = {
        "simulating": None,
        "tables written": "results.parquet",
        "metadata written": "metadata.json",
        "plotting": "gdp_100m_yuan.png",
        "report written": "report.html",
    }[stage]
    return any(marker is None or (f / marker).exists() for f in folders)


def kill_during(out: Path, stage: str, delay_s: float, *extra: str) -> bool:
    """Start `yreb run`, SIGKILL it ``delay_s`` after it reaches ``stage``; True if it was still running."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "yreb", *RUN, "--out", str(out), *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not _stage(out, stage) and proc.poll() is None:
        assert time.monotonic() < deadline, f"the run never reached '{stage}'"
        time.sleep(0.002)
    time.sleep(delay_s)
    running = proc.poll() is None
    if running:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return running


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_leftovers_refused(out: Path) -> None:
    for leftover in _tmp_folders(out):
        with pytest.raises(UserInputError, match="unfinished temporary folder"):
            load_results(leftover)


# stage -> whether the run draws plots (the last two stages exist only then)
STAGES = {
    "starting": False,
    "simulating": False,
    "tables written": False,
    "metadata written": False,
    "plotting": True,
    "report written": True,
}
CORE_FILES = {"results.parquet", "results.csv", "flows.parquet", "metadata.json", "scenario.toml"}
# extra kills at uniformly random moments of a whole run with plots (docs/reliability.md used 40)
RANDOM_KILLS = int(os.environ.get("YREB_RANDOM_KILLS", "0"))


@pytest.mark.slow
def test_sigkill_of_yreb_run_leaves_the_previous_result_or_the_new_one_never_a_partial_folder(tmp_path):
    previous = tmp_path / "previous"
    assert main([*RUN, "--out", str(previous), "--seed", "1", "--no-plots"]) == 0
    before = files(previous / "baseline")
    rng = random.Random(20150101)
    # (stage, seconds after reaching it, whether a previous result is there, plots); two kills at a time
    delays = {"starting": (0.2, 1.5), "plotting": (0.0, 1.0)}
    kills = [(stage, rng.uniform(*delays.get(stage, (0.0, 0.05))), True, plots) for stage, plots in STAGES.items()]
    kills += [
        ("simulating", rng.uniform(0.0, 0.05), False, False),
        ("metadata written", rng.uniform(0.0, 0.05), False, False),
    ]
    kills += [("starting", rng.uniform(0.0, 12.0), True, True) for _ in range(RANDOM_KILLS)]

    def kill(index: int) -> bool:
        stage, delay, over_previous, plots = kills[index]
        out = tmp_path / f"kill{index}"
        if over_previous:
            shutil.copytree(previous, out)
        return kill_during(out, stage, delay, "--force", "--seed", "2", *([] if plots else ["--no-plots"]))

    with ThreadPoolExecutor(2) as pool:
        running = list(pool.map(kill, range(len(kills))))
    outcomes = []
    for index, (_, _, _, plots) in enumerate(kills):
        out = tmp_path / f"kill{index}"
        folder = out / "baseline"
        if not folder.exists():  # before the first rename, or between moving the old folder away and the rename
            outcomes.append("none")
        elif files(folder) == before:
            outcomes.append("previous")
        else:  # the kill came after the final rename: the new result must be complete
            results, meta = load_results(folder)
            assert meta["root_seed"] == 2 and CORE_FILES | ({"report.html"} if plots else set()) <= set(files(folder))
            assert sorted(results.replication.unique()) == list(range(6)) and results.value.notna().all()
            outcomes.append("new")
        assert_leftovers_refused(out)
    print(
        "kills while running:",
        sum(running),
        "of",
        len(kills),
        "outcomes:",
        Counter(outcomes),
        "random-time outcomes:",
        Counter(outcomes[8:]),
    )
    # most kills land while the run is working, and several before its final rename (previous result kept)
    assert sum(running) >= 4 and outcomes[:6].count("previous") >= 3, (running, outcomes)
    assert "previous" not in outcomes[6:8], outcomes  # there was none
    # a fresh run into a folder with leftovers of killed runs completes and ignores them
    assert main([*RUN, "--out", str(tmp_path / "kill7"), "--seed", "3", "--no-plots", "--force"]) == 0
    assert load_results(tmp_path / "kill7" / "baseline")[1]["root_seed"] == 3


def test_ctrl_c_cleans_up_and_keeps_the_previous_result(tmp_path):
    assert main([*RUN, "--out", str(tmp_path), "--seed", "1", "--no-plots"]) == 0
    before = files(tmp_path / "baseline")
    proc = subprocess.Popen(
        [sys.executable, "-m", "yreb", *RUN, "--out", str(tmp_path), "--force"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not _stage(tmp_path, "metadata written"):
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before it could be interrupted"
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted; no results were written" in err and "Traceback" not in err, err
    assert files(tmp_path / "baseline") == before and not _tmp_folders(tmp_path), err


KILL_SELF = """
import os, signal, sys
from pathlib import Path
from yreb.runs.runner import simulate
from yreb.runs.storage import write_json, write_table
from yreb.inputs.scenario import default_scenario
from yreb.runs.storage import atomic_folder
scenario = default_scenario(end_year=2017, replications=1)
with atomic_folder(Path(sys.argv[1]) / "default", force=False) as tmp:
    output = simulate(scenario)
    write_table(output.results, tmp / "results")
    write_json(tmp / "metadata.json", {"scenario": "default"})
    os.kill(os.getpid(), signal.SIGKILL)  # killed with a complete-looking table in the temporary folder
"""


def test_a_complete_looking_leftover_is_never_taken_for_a_result(tmp_path, capsys):
    proc = subprocess.run([sys.executable, "-c", KILL_SELF, str(tmp_path)], cwd=ROOT, capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    (leftover,) = _tmp_folders(tmp_path)
    assert {"results.parquet", "metadata.json"} <= {p.name for p in leftover.iterdir()}
    assert not (tmp_path / "default").exists()
    assert_leftovers_refused(tmp_path)
    code = main(["compare", str(leftover), str(leftover), "--out", str(tmp_path / "cmp")])
    assert code == 2 and "unfinished temporary folder" in capsys.readouterr().err
    assert not (tmp_path / "cmp").exists()


def test_a_truncated_result_file_is_reported_not_read(tmp_path):
    assert main([*RUN, "--out", str(tmp_path), "--no-plots"]) == 0
    table = tmp_path / "baseline" / "results.parquet"
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    with pytest.raises(UserInputError, match="unreadable result file"):
        load_results(tmp_path / "baseline")


# --- sweeps ------------------------------------------------------------------------------------------------


def lhs_sweep(folder: Path, samples: int) -> Path:
    """test_sweep's SIGKILL sweep (rechoice rate x a barrier level, 3 replications) with ``samples`` points."""
    return write_sweep(folder, KILL_SWEEP.replace("samples = 16", f"samples = {samples}"), end_year=2019)


@pytest.fixture
def current_code():
    code_fingerprint.cache_clear()  # run keys name the code as workers will compute it


@pytest.mark.slow
def test_a_dask_worker_killed_mid_sweep_loses_no_runs(tmp_path, current_code):
    distributed = pytest.importorskip("distributed")
    plan = plan_sweep(lhs_sweep(tmp_path, 16))
    reference = run_sweep(plan, tmp_path / "reference", workers=1, progress=False)
    assert reference.completed == 48
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        outcome: dict = {}
        sweep = threading.Thread(
            target=lambda: outcome.update(
                result=run_sweep(
                    plan, tmp_path / "dask", scheduler=cluster.scheduler_address, batch_size=2, progress=False
                )
            )
        )
        sweep.start()
        folder = tmp_path / "dask" / "s"
        deadline = time.monotonic() + 120
        while len(shard_files(folder, "runs")) < 2:
            assert sweep.is_alive() and time.monotonic() < deadline, "the sweep ended before a worker was killed"
            time.sleep(0.005)
        victim = next(iter(client.run(os.getpid).values()))
        os.kill(victim, signal.SIGKILL)  # mid-task; the nanny restarts it and the scheduler reassigns its tasks
        assert sweep.is_alive() and len(completed_keys(folder)) < 48  # killed mid-sweep
        sweep.join(timeout=300)
    result = outcome["result"]
    assert len(completed_keys(folder)) + result.failed == 48  # every run is either complete or recorded
    if result.failed:  # tasks that died with the worker are recorded as failed: running again completes them
        result = run_sweep(plan_sweep(tmp_path / "s.toml"), tmp_path / "dask", workers=1, progress=False)
    assert result.completed == 48 and result.failed == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(folder / "results.parquet"), pd.read_parquet(reference.folder / "results.parquet")
    )


def test_an_interrupted_resume_of_a_changed_sweep_is_not_taken_for_complete(tmp_path, current_code):
    path = lhs_sweep(tmp_path, 4)
    run_sweep(plan_sweep(path), tmp_path / "out", workers=1, progress=False)  # a complete sweep
    lhs_sweep(tmp_path, 24)  # changed: a resume keeps what it can and runs the rest
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "yreb",
            "sweep",
            str(path),
            "--out",
            str(tmp_path / "out"),
            "--resume",
            "--workers",
            "1",
            "--batch-size",
            "2",
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = tmp_path / "out" / "s"
    before = len(shard_files(folder, "runs"))
    deadline = time.monotonic() + 120
    while len(shard_files(folder, "runs")) < before + 2:
        assert proc.poll() is None and time.monotonic() < deadline, "the sweep ended before it could be killed"
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with pytest.raises(UserInputError, match="not a complete sweep folder"):  # half-way between two sweeps
        load_sweep(folder)
    resumed = run_sweep(plan_sweep(path), tmp_path / "out", workers=1, resume=True, progress=False)
    assert resumed.completed == 72 and len(load_sweep(folder).design) == 72
