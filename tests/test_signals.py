"""Signals (issue #18, family 4): every long command handles SIGINT and SIGTERM: stops its workers, writes
nothing partial, says how to resume and exits 130 or 143. The caller captures the output, as CI runners do:
it must get EOF (every process holding the pipes gone) promptly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import ROOT
from test_faults import QUICK, RUN, leftovers, scenario, tree
from test_sweep import write_sweep
from yreb.runs.results import load_results
from yreb.sweep.store import shard_files

SLOW_SWEEP = """
design = "lhs"
samples = 40
replications = 2
[[vary]]
path = "parameters.rechoice_rate"
range = [0.05, 0.3]
"""


def start(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "yreb", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def wait_for(condition, proc: subprocess.Popen, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the command ended before {what}: {proc.stderr.read()}"
        assert time.monotonic() < deadline, f"never reached: {what}"
        time.sleep(0.01)


def children_of(pid: int) -> list[int]:
    """Processes whose parent chain leads to ``pid`` (Linux /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier}
        found += sorted(frontier)
    return found


@pytest.mark.parametrize(
    "signum, code", [(signal.SIGTERM, 143), pytest.param(signal.SIGINT, 130, marks=pytest.mark.faults)]
)
def test_a_signal_to_a_sweep_with_workers_stops_everything_and_says_how_to_resume(tmp_path, signum, code):
    path = write_sweep(tmp_path, SLOW_SWEEP, end_year=2030)
    out = tmp_path / "out"
    proc = start("sweep", str(path), "--out", str(out), "--workers", "2", "--batch-size", "1", "--quiet")
    wait_for(lambda: len(shard_files(out / "s", "runs")) >= 2, proc, "two shards were written")
    workers = children_of(proc.pid)
    assert workers, "the sweep runs worker processes"
    proc.send_signal(signum)
    started = time.monotonic()
    _, err = proc.communicate(timeout=30)  # EOF on the pipes: nobody holds them any more
    assert time.monotonic() - started < 15
    assert proc.returncode == code and "Traceback" not in err, err
    assert "run the same command again to resume" in err, err
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    assert not alive, f"processes still running: {alive}"
    assert not (out / "s" / "results.parquet").exists()
    resumed = subprocess.run(
        [sys.executable, "-m", "yreb", "sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert resumed.returncode == 0 and "before this invocation" in resumed.stdout, resumed.stderr


def test_a_sigkilled_sweep_leaves_no_workers_even_while_its_caller_has_not_reaped_it(tmp_path):
    """The parent stays a zombie until its caller waits; the workers must not take a zombie for alive."""
    path = write_sweep(tmp_path, SLOW_SWEEP, end_year=2030)
    out = tmp_path / "out"
    proc = start("sweep", str(path), "--out", str(out), "--workers", "2", "--batch-size", "1", "--quiet")
    wait_for(lambda: len(shard_files(out / "s", "runs")) >= 1, proc, "a shard was written")
    workers = children_of(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)  # not waited for: a zombie
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{p}").exists() for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [p for p in workers if Path(f"/proc/{p}").exists()]
    proc.communicate(timeout=30)
    assert not alive, f"workers outlived their zombie parent: {alive}"


@pytest.mark.faults
@pytest.mark.parametrize("delay", [0.3, 0.8, 1.3, 1.8, 2.3, 2.8, 3.5, 4.5, 6.0, 8.0])
def test_ctrl_c_at_any_moment_of_a_sweep_prints_one_clean_message(tmp_path, delay):
    """Ctrl-C reaches the whole process group (the sweep, the forkserver and the workers)."""
    path = write_sweep(tmp_path, SLOW_SWEEP, end_year=2025)
    proc = start(
        "sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "2", "--quiet", start_new_session=True
    )
    time.sleep(delay)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    if proc.returncode != 0:
        assert proc.returncode == 130 and "interrupted" in err, (proc.returncode, err)


def test_sigterm_to_run_keeps_the_previous_result(tmp_path):
    path = scenario(tmp_path)
    out = tmp_path / "out"
    assert (
        subprocess.run([sys.executable, "-m", "yreb", "run", str(path), "--out", str(out), *RUN], cwd=ROOT).returncode
        == 0
    )
    before = tree(out / "quick")
    big = scenario(tmp_path, QUICK.replace("replications = 2", "replications = 200").replace("2017", "2035"), "b.toml")
    proc = start("run", str(big), "--out", str(out), "--force", *RUN)
    wait_for(lambda: (out / ".yreb-lock-quick").exists(), proc, "the run is writing")
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and "terminated (SIGTERM); no results were written" in err, err
    assert tree(out / "quick") == before and not leftovers(out)
    load_results(out / "quick")
