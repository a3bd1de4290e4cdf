"""Writing figures: in line, or in forked child processes while the parent builds the next figure.

Drawing dominates the cost of a figure (text layout and rasterising; the figures lay themselves out when they
are drawn), so ``parallel_figures()`` forks one child per figure, at most one per CPU at a time; the child
draws and writes the files and exits. The files are the same bytes either way (the same code draws them).
Forking needs Linux (where the child is a copy-on-write image of the parent) and a parent running one Python
thread (a lock held by another thread would stay locked in the child; OpenBLAS's native threads re-initialise
after a fork); elsewhere, in threaded hosts (the explorer, Dask workers) and with one CPU, figures are written
in line. Errors in a child are raised in the parent, naming the file; on any error or
interruption the remaining children are killed before the block's caller cleans up.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

_ACTIVE: list[FigureWriter] = []


def available_cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# no creation date in the files, and fixed SVG element ids: the same figure gives the same bytes on every run
REPRODUCIBLE_METADATA = {".svg": {"Date": None}, ".pdf": {"CreationDate": None, "ModDate": None}}
SVG_HASH_SALT = "yreb"


def draw_and_write(fig, paths: Sequence[Path], dpi: int) -> None:
    """Draw ``fig`` into each of ``paths`` (format from the suffix), without dates or random ids."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": SVG_HASH_SALT}):
        for path in paths:
            fig.savefig(path, dpi=dpi, metadata=REPRODUCIBLE_METADATA.get(Path(path).suffix.lower()))


class FigureWriter:
    """Children drawing figures: at most ``workers`` at a time; ``close()`` waits for all of them."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.children: dict[int, tuple[Path, int]] = {}  # pid -> (first file, read end of its error pipe)

    def submit(self, fig, paths: Sequence[Path], dpi: int) -> None:
        """Fork a child that draws ``fig`` into ``paths``; the parent's copy is closed by the caller."""
        while len(self.children) >= self.workers:
            self._wait(self._finished())
        read_end, write_end = os.pipe()
        with warnings.catch_warnings():  # one Python thread (parallel_figures checks): the others are OpenBLAS's,
            warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)  # fork-safe
            pid = os.fork()
        if pid == 0:  # the child: draw, report an error through the pipe, never return into the caller
            os.close(read_end)
            code = 0
            try:
                draw_and_write(fig, paths, dpi)
            except BaseException as exc:  # noqa: BLE001  (every failure goes back to the parent)
                os.write(write_end, f"{type(exc).__name__}: {exc}".encode()[:4000])
                code = 1
            finally:
                os._exit(code)
        os.close(write_end)
        self.children[pid] = (Path(paths[0]), read_end)

    def _finished(self) -> int:
        """A child that has finished (or is finishing): its error pipe is readable (a message, or end of file
        once it exits); blocks until there is one."""
        ready, _, _ = select.select([read_end for _, read_end in self.children.values()], [], [])
        return next(pid for pid, (_, read_end) in self.children.items() if read_end in ready)

    def _wait(self, pid: int) -> None:
        path, read_end = self.children.pop(pid)
        _, status = os.waitpid(pid, 0)
        with os.fdopen(read_end, "rb") as pipe:
            message = pipe.read().decode(errors="replace")
        if status != 0:
            raise RuntimeError(f"figure {path} could not be written: {message or f'child exit status {status}'}")

    def close(self) -> None:
        """Wait for every child; raises the first child's error."""
        while self.children:
            self._wait(next(iter(self.children)))

    def kill(self) -> None:
        """Stop every child now (after an error or an interruption in the parent)."""
        for pid, (_, read_end) in list(self.children.items()):
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            os.close(read_end)
        self.children.clear()


def warm_up() -> None:
    """Draw a small figure with text here, so that the children inherit loaded fonts instead of each loading
    them again."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.set_title("warm-up 0123456789")
    fig.canvas.draw()
    plt.close(fig)


@contextmanager
def parallel_figures(workers: int | None = None) -> Iterator[None]:
    """Figures saved with ``write_figure`` in the block are drawn by child processes (``workers``, default one
    per CPU); they are all written when the block ends. With one worker or without fork: in line."""
    workers = available_cpus() if workers is None else workers
    if workers < 2 or not sys.platform.startswith("linux") or _ACTIVE or threading.active_count() > 1:
        yield
        return
    warm_up()
    writer = FigureWriter(workers)
    _ACTIVE.append(writer)
    try:
        yield
        writer.close()
    except BaseException:
        writer.kill()
        raise
    finally:
        _ACTIVE.remove(writer)


def wait_for_figures() -> None:
    """Block until every figure submitted so far is written (before a figure file is read)."""
    if _ACTIVE:
        _ACTIVE[-1].close()


def write_figure(fig, paths: Sequence[Path], dpi: int) -> None:
    """Draw ``fig`` into ``paths`` and close it: in a child inside ``parallel_figures``, else here."""
    import matplotlib.pyplot as plt

    try:
        if _ACTIVE:
            _ACTIVE[-1].submit(fig, paths, dpi)
        else:
            draw_and_write(fig, paths, dpi)
    finally:
        plt.close(fig)
