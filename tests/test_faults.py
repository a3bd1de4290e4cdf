"""Nothing lost, nothing half-written (issue #18, families 1, 3 and 6): the safe output routine, file-system
faults and sweep shards. Commands run as subprocesses, as a user meets them.

Disk-full and read-only cases mount a small tmpfs (skipped, with the reason, where mounting is not allowed).
Tests marked `faults` are the longer fault suite (`pytest -m faults`, run in CI by .ci/run); the rest run in
`make test`."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from helpers import ROOT
from test_integrity import one_error, yreb
from test_sweep import GRID, write_sweep
from yreb.runs.integrity import manifest
from yreb.runs.results import load_results
from yreb.runs.storage import KILL_POINT_VARIABLE, MARKER, TMP_PREFIX, neutralise_formulas, write_table
from yreb.sweep.store import shard_files

QUICK = 'name = "quick"\nreplications = 2\nend_year = 2017\n'
RUN = ["--quiet", "--no-plots"]


def scenario(folder: Path, body: str = QUICK, name: str = "quick.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body)
    return path


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob(f"{TMP_PREFIX}*")]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@contextlib.contextmanager
def small_disk(tmp_path: Path, size: str, *options: str):
    """A tmpfs of ``size`` mounted at tmp_path/disk (skip if this machine does not allow mounting)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    opts = ",".join([f"size={size}", *options])
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(mount)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {proc.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill the disk, leaving about ``leave`` bytes free; returns the filler file."""
    filler = disk / "filler"
    with open(filler, "wb") as fh:
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


# --- family 1: data loss through --out ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory) -> Path:
    """A complete 6-point grid sweep with a report's worth of data."""
    root = tmp_path_factory.mktemp("sweep")
    path = write_sweep(root, GRID.replace("replications = 2", "replications = 1"), end_year=2016)
    proc = yreb("sweep", str(path), "--out", str(root / "out"), "--workers", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    return root / "out" / "s"


def test_sweep_report_never_deletes_a_users_folder(sweep_folder, tmp_path):
    thesis = tmp_path / "my_thesis"
    thesis.mkdir()
    (thesis / "chapter1.tex").write_text("\\chapter{One}")
    one_error(
        yreb("sweep-report", str(sweep_folder), "--out", str(thesis)), str(thesis), "files that yreb did not write"
    )
    assert (thesis / "chapter1.tex").read_text() == "\\chapter{One}"
    # the current folder, and the sweep folder itself
    (tmp_path / "notes.txt").write_text("mine")
    one_error(yreb("sweep-report", str(sweep_folder), "--out", ".", cwd=tmp_path), "current folder")
    assert (tmp_path / "notes.txt").exists()
    before = tree(sweep_folder)
    one_error(yreb("sweep-report", str(sweep_folder), "--out", str(sweep_folder)), "holds an input")
    one_error(yreb("sweep-report", str(sweep_folder), "--out", str(sweep_folder.parent)), "holds an input")
    assert tree(sweep_folder) == before
    # its own report folder is replaced with --force only (every writing command refuses to overwrite without it)
    proc = yreb("sweep-report", str(sweep_folder), "--out", str(tmp_path / "report"))
    assert proc.returncode == 0, proc.stderr
    one_error(yreb("sweep-report", str(sweep_folder), "--out", str(tmp_path / "report")), "already exists")
    proc = yreb("sweep-report", str(sweep_folder), "--out", str(tmp_path / "report"), "--force")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "report" / MARKER).read_text()) == {"kind": "sweep-report"}
    assert not leftovers(tmp_path)


def test_run_force_replaces_only_its_own_result_folders(tmp_path):
    path = scenario(tmp_path)
    mine = tmp_path / "out" / "quick"
    mine.mkdir(parents=True)
    (mine / "data.csv").write_text("precious")
    one_error(yreb("run", str(path), "--out", str(tmp_path / "out"), "--force", *RUN), "files that yreb did not write")
    assert (mine / "data.csv").read_text() == "precious"
    # the scenario's own folder as the result folder: refused (it holds the input)
    inside = scenario(tmp_path / "quick", name="s.toml")
    one_error(yreb("run", str(inside), "--out", str(tmp_path), "--force", *RUN), "holds an input")
    assert inside.exists()


def test_a_link_at_the_result_folder_is_refused(tmp_path):
    path = scenario(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "quick").symlink_to(tmp_path / "nowhere")  # dangling
    one_error(yreb("run", str(path), "--out", str(out), *RUN), "symbolic link")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "quick").unlink()
    (out / "quick").symlink_to(elsewhere)
    one_error(yreb("run", str(path), "--out", str(out), "--force", *RUN), "symbolic link")
    assert list(elsewhere.iterdir()) == [] and not leftovers(tmp_path)


def test_two_concurrent_force_runs_one_wins_the_other_exits_2(tmp_path):
    out = tmp_path / "out"
    assert yreb("run", str(scenario(tmp_path)), "--out", str(out), *RUN).returncode == 0  # a previous result
    path = scenario(
        tmp_path, QUICK.replace("replications = 2", "replications = 100").replace("2017", "2030"), "big.toml"
    )

    def start(seed: int) -> subprocess.Popen:
        command = [sys.executable, "-m", "yreb", "run", str(path), "--out", str(out), "--force", "--seed", str(seed)]
        return subprocess.Popen([*command, *RUN], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    first = start(1)
    deadline = time.monotonic() + 120
    while not (out / ".yreb-lock-quick").exists():  # the first one is writing
        assert first.poll() is None and time.monotonic() < deadline, first.stderr.read()
        time.sleep(0.01)
    second = start(2)
    results = [(p.wait(timeout=300), p.stderr.read()) for p in (first, second)]
    assert [code for code, _ in results] == [0, 2], results
    assert "another yreb command (process" in results[1][1] and "Traceback" not in results[1][1]
    _, meta = load_results(out / "quick")
    assert meta["root_seed"] == 1 and not leftovers(tmp_path)


@pytest.mark.parametrize("point", ["journal written", "between renames", "renamed"])
def test_sigkill_during_force_never_loses_both_results(tmp_path, point):
    path = scenario(tmp_path)
    out = tmp_path / "out"
    assert yreb("run", str(path), "--out", str(out), "--seed", "1", *RUN).returncode == 0
    before = tree(out / "quick")
    proc = yreb(
        "run",
        str(path),
        "--out",
        str(out),
        "--force",
        "--seed",
        "2",
        *RUN,
        env={**os.environ, KILL_POINT_VARIABLE: point},
    )
    assert proc.returncode == -9, proc.stderr
    # whatever the kill left, the next reader finds a complete result: the previous or the new one
    results, meta = load_results(out / "quick")
    assert meta["root_seed"] in (1, 2)
    if meta["root_seed"] == 1:
        assert tree(out / "quick") == before
    assert sorted(results.replication.unique()) == [0, 1]
    assert not leftovers(out)


# --- family 3: file-system faults ------------------------------------------------------------------------


def test_out_under_a_plain_file_or_too_long_or_undecodable(tmp_path):
    path = write_sweep(tmp_path, GRID)
    (tmp_path / "plain").write_text("x")
    one_error(yreb("sweep", str(path), "--out", str(tmp_path / "plain" / "sub"), "--workers", "1"), "plain")
    long = tmp_path / ("d" * 250) / ("e" * 300)
    one_error(yreb("run", str(scenario(tmp_path)), "--out", str(long), *RUN), "name too long")
    deep = tmp_path.joinpath(*(["a" * 200] * 25))  # beyond PATH_MAX
    one_error(yreb("run", str(scenario(tmp_path)), "--out", str(deep), *RUN))
    proc = subprocess.run(
        [sys.executable, "-m", "yreb", "run", str(scenario(tmp_path)), "--out", os.fsencode(tmp_path) + b"/bad\xff"],
        capture_output=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr and b"not UTF-8" in proc.stderr, proc.stderr
    assert not leftovers(tmp_path) and not (tmp_path / "plain").is_dir()


def test_stdout_to_a_full_device_or_a_closed_pipe_keeps_the_result(tmp_path):
    path = scenario(tmp_path)
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "yreb", "run", str(path), "--out", str(tmp_path / "out"), *RUN],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
    one_error(proc, "cannot write to standard output", "No space left", "files were written")
    load_results(tmp_path / "out" / "quick")
    scenarios = sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml"))
    proc = subprocess.run(
        f"{sys.executable} -m yreb validate {' '.join(scenarios)} | head -c 0",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr, proc.stderr


def test_read_only_folder(tmp_path):
    path = scenario(tmp_path)
    with small_disk(tmp_path, "1m", "ro") as disk:
        one_error(yreb("run", str(path), "--out", str(disk / "out"), *RUN), str(disk), "Read-only file system")
        sweep = write_sweep(tmp_path / "sw", GRID)
        one_error(yreb("sweep", str(sweep), "--out", str(disk), "--workers", "1"), "Read-only file system")


@pytest.mark.faults
def test_a_full_disk_during_run_hindcast_and_sweep_report(tmp_path, sweep_folder):
    path = scenario(tmp_path)
    with small_disk(tmp_path, "8m") as disk:
        assert yreb("run", str(path), "--out", str(disk), "--seed", "1", *RUN).returncode == 0
        before = tree(disk / "quick")
        filler = fill(disk, leave=20_000)
        one_error(
            yreb("run", str(path), "--out", str(disk), "--force", *RUN), str(disk / "quick"), "No space left on device"
        )
        assert tree(disk / "quick") == before and not leftovers(disk)
        proc = yreb("hindcast", "--out", str(disk / "hindcast"), "--replications", "1")
        one_error(proc, "No space left on device")
        assert not (disk / "hindcast").exists() and not leftovers(disk)
        one_error(yreb("sweep-report", str(sweep_folder), "--out", str(disk / "report")), "No space left on device")
        assert not (disk / "report").exists() and not leftovers(disk)
        filler.unlink()
        assert yreb("run", str(path), "--out", str(disk), "--force", *RUN).returncode == 0


@pytest.mark.faults
def test_a_full_disk_during_a_sweep_then_resume_after_space_is_freed(tmp_path):
    path = write_sweep(tmp_path, GRID, end_year=2017)
    reference = yreb("sweep", str(path), "--out", str(tmp_path / "ref"), "--workers", "1", "--quiet")
    assert reference.returncode == 0
    with small_disk(tmp_path, "4m") as disk:
        filler = fill(disk, leave=120_000)  # room for the design and a few shards
        proc = yreb("sweep", str(path), "--out", str(disk), "--workers", "2", "--batch-size", "1", "--quiet")
        one_error(proc, "No space left on device", "run the same command again to resume")
        assert not (disk / "s" / "results.parquet").exists()
        filler.unlink()
        proc = yreb("sweep", str(path), "--out", str(disk), "--workers", "1", "--quiet")
        assert proc.returncode == 0, proc.stderr
        pd.testing.assert_frame_equal(
            pd.read_parquet(disk / "s" / "results.parquet"), pd.read_parquet(tmp_path / "ref" / "s" / "results.parquet")
        )
        assert not leftovers(disk)


# --- sweep shards ---------------------------------------------------------------------------------------------


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbled":
        path.write_bytes(data[:200] + bytes(b ^ 0x5A for b in data[200:400]) + data[400:])
    elif how == "missing a year":
        table = pq.read_table(path).to_pandas()
        table[table.year != table.year.max()].to_parquet(path, index=False)


@pytest.mark.parametrize("how", ["truncated", "empty", "garbled", "missing a year"])
def test_a_damaged_shard_is_reported_and_its_runs_run_again(tmp_path, how):
    path = write_sweep(tmp_path, GRID.replace("replications = 2", "replications = 1"), end_year=2018)
    out = tmp_path / "out"
    assert yreb("sweep", str(path), "--out", str(out), "--workers", "1", "--batch-size", "2", "--quiet").returncode == 0
    folder = out / "s"
    reference = pd.read_parquet(folder / "results.parquet")
    victim = shard_files(folder, "runs")[1]
    _damage(victim, how)
    proc = yreb("sweep", str(path), "--out", str(out), "--resume", "--workers", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning: damaged shard")]
    assert len(warnings) == 1 and victim.name in warnings[0], proc.stderr
    assert "6/6 runs complete (4 before this invocation)" in proc.stdout and "ran 2 " in proc.stdout
    assert (folder / "shards" / "damaged" / victim.name).exists()
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "results.parquet"), reference)


@pytest.mark.parametrize("edit", ["truncated", "lost a run", "results.csv"])
def test_sweep_report_refuses_damaged_final_tables(sweep_folder, tmp_path, edit):
    folder = tmp_path / "s"
    shutil.copytree(sweep_folder, folder)
    if edit == "truncated":
        data = (folder / "results.parquet").read_bytes()
        (folder / "results.parquet").write_bytes(data[: len(data) // 2])
        needles = ["results.parquet", "unreadable result file"]
    elif edit == "lost a run":
        table = pd.read_parquet(folder / "results.parquet")
        table[table.point != 3].to_parquet(folder / "results.parquet", index=False)
        needles = ["results.parquet", "rows"]
    else:
        (folder / "results.csv").write_text((folder / "results.csv").read_text()[:-200])
        needles = ["results.csv"]
    one_error(yreb("sweep-report", str(folder), "--out", str(tmp_path / "report")), *needles)
    assert not (tmp_path / "report").exists()


def test_a_planted_link_at_a_temporary_name_is_never_written_through(tmp_path):
    path = write_sweep(tmp_path, GRID.replace("replications = 2", "replications = 1"), end_year=2016)
    out = tmp_path / "out"
    assert yreb("sweep", str(path), "--out", str(out), "--workers", "1", "--quiet").returncode == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    folder = out / "s"
    for name in (".yreb-tmp-sweep.toml", ".yreb-tmp-base_scenario.toml", "sweep.toml", "metadata.json"):
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to(victim)
    proc = yreb("sweep", str(path), "--out", str(out), "--resume", "--workers", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert victim.read_text() == "untouched"
    assert not (folder / "sweep.toml").is_symlink() and not (folder / "metadata.json").is_symlink()


# --- spreadsheet formulas -------------------------------------------------------------------------------------


def test_formula_like_text_is_neutralised_in_csv_output(tmp_path):
    frame = pd.DataFrame(
        {"region": ["-2-3", "Anhui", "=1+1"], "value": [-8766.6, 1.0, 2.0], "v": ["@SUM(1+1)", "+", "x"]}
    )
    out = neutralise_formulas(frame)
    assert out.region.tolist() == ["'-2-3", "Anhui", "'=1+1"] and out.v.tolist() == ["'@SUM(1+1)", "'+", "x"]
    assert out.value.tolist() == [-8766.6, 1.0, 2.0] and frame.region[0] == "-2-3"
    categorical = neutralise_formulas(frame.astype({"region": "category"}))  # categories are text cells too
    assert categorical.region.tolist() == ["'-2-3", "Anhui", "'=1+1"]


def test_a_table_csv_reads_back_to_the_values_written_and_quotes_only_when_a_cell_needs_it(tmp_path):
    awkward = [0.1 + 0.2, 1e-7, 1e16, 123456789.12345679, -0.0, 26887.0, float("nan"), float("inf"), 5e-324]
    rows = len(awkward)
    frame = pd.DataFrame(
        {
            "region": pd.Categorical(["Anhui", "=1+1"] * 4 + ["Anhui"]),
            "scenario": "baseline",
            "year": range(2015, 2015 + rows),
            "value": awkward,
            "people": pd.array([1, None] + [3] * (rows - 2), dtype="Int64"),
            "flag": [True, False] * 4 + [True],
            "=sum": 1.5,
        }
    )
    write_table(frame, tmp_path / "plain")
    text = (tmp_path / "plain.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "region,scenario,year,value,people,flag,'=sum" and '"' not in text
    back = pd.read_csv(tmp_path / "plain.csv")
    assert back.value.to_numpy().tobytes() == frame.value.to_numpy().tobytes()  # bit for bit, -0.0 and NaN too
    assert back.region.tolist() == ["Anhui", "'=1+1"] * 4 + ["Anhui"] and back.flag.tolist() == frame.flag.tolist()
    assert back.people.isna().tolist() == frame.people.isna().tolist() and back.year.tolist() == frame.year.tolist()

    awkward_text = frame.assign(scenario=['a, "quoted"\nname', "", "x"] * 3)
    write_table(awkward_text, tmp_path / "quoted")
    back = pd.read_csv(tmp_path / "quoted.csv", keep_default_na=False)
    assert back.scenario.tolist() == awkward_text.scenario.tolist()
    assert manifest(tmp_path, [tmp_path / "quoted.csv"])["files"]["quoted.csv"]["rows"] == rows


def test_a_region_named_like_a_formula_and_formula_sweep_values_reach_csv_neutralised(tmp_path):
    lines = (ROOT / "simulation" / "yreb" / "data" / "regions_2015.csv").read_text(encoding="utf-8").splitlines()
    lines = [line.replace("RestOfChina", "-2-3") for line in lines]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = scenario(tmp_path, QUICK + 'region_table = "t.csv"\n')
    assert yreb("run", str(path), "--out", str(tmp_path / "out"), *RUN).returncode == 0
    csv = (tmp_path / "out" / "quick" / "results.csv").read_text()
    assert ",'-2-3," in csv and ",-2-3," not in csv
    assert "-2-3" in set(pd.read_parquet(tmp_path / "out" / "quick" / "results.parquet").region)
    body = GRID.replace("replications = 2", "replications = 1").replace(
        'path = "policies.0.researchers"\nvalues = [500.0, 4000.0]',
        'path = "policies.0.name"\nvalues = ["=1+1", "@SUM(1+1)"]',
    )
    sweep = write_sweep(tmp_path / "sw", body, end_year=2016)
    assert yreb("sweep", str(sweep), "--out", str(tmp_path / "sw"), "--workers", "1", "--quiet").returncode == 0
    table = pd.read_csv(tmp_path / "sw" / "s" / "results.csv")
    assert set(table["policies.0.name"]) == {"'=1+1", "'@SUM(1+1)"}
