"""Figures drawn by forked child processes (yreb.viz.render): the same files as in line, errors named, children
gone after an interruption (issue 17: plots that do not dominate a run)."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
import time

import matplotlib.pyplot as plt
import pytest

from yreb.viz import render
from yreb.viz.plotting import save_figure

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="figures are forked on Linux only")


FRESH = "YREB_TEST_IN_FRESH_PROCESS"


def in_fresh_process(test):
    """Run ``test`` in a new pytest process: figures are forked only from a single-threaded process, and other
    test files in the same xdist worker leave threads behind (progress monitors, sweep watchers, Dask)."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        if os.environ.get(FRESH):
            return test(*args, **kwargs)
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{__file__}::{test.__name__}"]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, FRESH: "1"})
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
        assert "1 passed" in done.stdout, done.stdout[-2000:]

    return wrapper


def _figure(k: int):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot(range(10), [k * x**0.5 for x in range(10)], label=f"line {k}")
    ax.set_title(f"figure {k}: a title that the layout has to make room for")
    ax.legend()
    fig.set_layout_engine("tight")
    return fig


def _write_all(folder, workers: int) -> list:
    folder.mkdir()
    with render.parallel_figures(workers):
        return [save_figure(_figure(k), folder / f"f{k}.png", ("png", "svg")) for k in range(5)]


@in_fresh_process
def test_forked_figures_are_the_same_bytes_as_figures_drawn_in_line(tmp_path, monkeypatch):
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    forked = _write_all(tmp_path / "forked", workers=2)
    assert len(forks) == 5, "one child per figure"
    forks.clear()
    in_line = _write_all(tmp_path / "in_line", workers=1)
    assert not forks
    for a, b in zip(forked, in_line):
        assert a.read_bytes() == b.read_bytes(), a.name  # (SVG files carry their creation date)
        assert a.with_suffix(".svg").read_bytes().startswith(b"<?xml"), a.name
    assert plt.get_fignums() == [], "the parent closes its copy of every figure"


@in_fresh_process
def test_a_figure_that_cannot_be_written_is_an_error_naming_its_file(tmp_path):
    missing = tmp_path / "no such folder" / "f.png"
    with pytest.raises(RuntimeError, match=r"figure .*no such folder.*f\.png could not be written: FileNotFoundError"):
        with render.parallel_figures(2):
            save_figure(_figure(1), missing)
    assert render._ACTIVE == []


def test_a_threaded_host_draws_figures_in_line(tmp_path, monkeypatch):
    """A lock held by another Python thread would stay locked in a forked child: no fork then."""
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked beside another thread"))
    done = threading.Event()
    helper = threading.Thread(target=done.wait)
    helper.start()
    try:
        assert _write_all(tmp_path / "threaded", workers=2)[0].read_bytes().startswith(b"\x89PNG")
    finally:
        done.set()
        helper.join()


@in_fresh_process
def test_waiting_makes_every_submitted_figure_readable(tmp_path):
    with render.parallel_figures(2):
        paths = [save_figure(_figure(k), tmp_path / f"f{k}.png") for k in range(3)]
        render.wait_for_figures()
        assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)


@in_fresh_process
def test_an_interruption_in_the_parent_kills_the_children(tmp_path, monkeypatch):
    monkeypatch.setattr(render, "draw_and_write", lambda fig, paths, dpi: time.sleep(60))  # a child that hangs
    children = []
    with pytest.raises(KeyboardInterrupt):
        with render.parallel_figures(2):
            save_figure(_figure(1), tmp_path / "f.png")
            children = list(render._ACTIVE[-1].children)
            raise KeyboardInterrupt
    assert len(children) == 1
    with pytest.raises(ChildProcessError):  # killed and reaped: no such child any more
        os.waitpid(children[0], os.WNOHANG)
    assert not (tmp_path / "f.png").exists()


@pytest.mark.skipif(render.available_cpus() < 2, reason="figures are forked with two CPUs or more")
def test_a_run_forks_its_figures(tmp_path):
    """`yreb run` draws its four figures in children (a progress-bar monitor thread once kept them in line); the
    inequality metrics are a chart in report.html unless --more-figures."""
    script = (
        "import os, sys\n"
        "from yreb.cli import main\n"
        "forks, fork = [], os.fork\n"
        "os.fork = lambda: forks.append(1) or fork()\n"
        "code = main(['run', 'baseline', '--replications', '1', '--quiet', '--out', sys.argv[1]])\n"
        "print('FORKS', len(forks))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "FORKS 4" in done.stdout, done.stdout
    assert len(list((tmp_path / "baseline").glob("*.png"))) == 4


FIGURE_SCRIPT = """
import sys
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from yreb.viz.plotting import save_figure
fig, ax = plt.subplots()
ax.plot([2015, 2020, 2035], [1.0, 1.4, 2.1], label="Anhui")
ax.set_title("GDP")
ax.legend()
save_figure(fig, Path(sys.argv[1]) / "gdp.png", formats=("svg", "pdf"))
"""


def test_svg_and_pdf_figures_are_the_same_bytes_in_every_run(tmp_path):
    """No creation date and no random element ids: the same figure saved by two processes a second apart gives
    identical PNG, SVG and PDF files."""
    folders = [tmp_path / "first", tmp_path / "second"]
    for k, folder in enumerate(folders):
        folder.mkdir()
        if k:
            time.sleep(1.1)  # the dates matplotlib would write have a resolution of one second
        subprocess.run([sys.executable, "-c", FIGURE_SCRIPT, str(folder)], check=True)
    for suffix in ("png", "svg", "pdf"):
        first, second = ((folder / f"gdp.{suffix}").read_bytes() for folder in folders)
        assert first == second, suffix
    assert b"<dc:date>" not in (folders[0] / "gdp.svg").read_bytes()
    assert b"CreationDate" not in (folders[0] / "gdp.pdf").read_bytes()
