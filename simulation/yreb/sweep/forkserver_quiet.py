"""Preloaded by the sweep's forkserver only (never imported by the sweep process itself).

A worker that is being started when the sweep is interrupted finds the pool's semaphores or pipes already gone
and fails while unpickling its start-up data; Python's forkserver then prints that child's traceback on the
user's terminal, after the sweep's own one-line "interrupted" message. This hook keeps exactly those start-up
failures (a vanished semaphore, pipe or parent: ``FileNotFoundError``, ``EOFError``, ``BrokenPipeError``,
``ConnectionError``) silent in the forkserver's children; any other error is printed as usual, and the sweep
process reports a pool that could not start as a broken pool.
"""

from __future__ import annotations

import sys

VANISHED = (FileNotFoundError, EOFError, BrokenPipeError, ConnectionError)
_default_hook = sys.excepthook


def _quiet_when_the_sweep_is_gone(kind, value, trace) -> None:
    """sys.excepthook of the forkserver's children: silent for the start-up failures of an interrupted sweep."""
    if issubclass(kind, VANISHED):
        return
    _default_hook(kind, value, trace)


sys.excepthook = _quiet_when_the_sweep_is_gone
