"""The ``yreb`` command line: argument parsing only; each subcommand module calls library functions.

Exit codes: 0 success; 1 the model stopped on a broken invariant (or runs failed, or an unexpected file-system
error); 2 bad input (file, field, expected value are printed, nothing is written) or a problem of the
environment (disk full, read-only folder, name too long, standard output closed); 130 interrupted by SIGINT
(Ctrl-C), 143 by SIGTERM. Every error is one ``error:`` line on standard error, without a traceback unless
``--debug``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading

from yreb import __version__
from yreb.cli import app, compare, export, hindcast, run, scenarios, sweep
from yreb.cli.common import FLAG_NAMES, Parser, clear_interrupt_mark
from yreb.errors import (
    ENVIRONMENT_ERRNOS,
    EXIT_FAILURE,
    EXIT_USER_ERROR,
    FilesystemError,
    Interrupted,
    ModelInvariantError,
    UserInputError,
    describe_os_error,
    short_repr,
)

SUBCOMMAND_MODULES = (run, scenarios, compare, sweep, hindcast, export, app)


def build_parser() -> Parser:
    """The ``yreb`` parser with every subcommand."""
    parser = Parser(prog="yreb", description="Factor flows among the regions of the Yangtze River Economic Belt.")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"yreb {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in SUBCOMMAND_MODULES:
        module.add_commands(sub)
    return parser


class GuardedStream:
    """Standard output that never stops the command: a write that fails (closed pipe, full device) is
    remembered, later writes are dropped, and the command reports it at the end (its results are kept)."""

    def __init__(self, stream):
        self._stream, self.failure = stream, None

    def write(self, text: str) -> int:
        """Write ``text`` unless an earlier write failed."""
        if self.failure is None:
            try:
                return self._stream.write(text)
            except (OSError, ValueError) as exc:
                self._failed(exc)
        return len(text)

    def flush(self) -> None:
        """Flush, remembering a failure."""
        if self.failure is None:
            try:
                self._stream.flush()
            except (OSError, ValueError) as exc:
                self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        self.failure = exc
        with contextlib.suppress(Exception):  # the interpreter's last flush at exit must not fail again
            if self._stream.fileno() == 1:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.close(devnull)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _terminate(signum, frame):
    raise Interrupted(signum)


@contextlib.contextmanager
def _signals() -> object:
    """SIGTERM raises ``Interrupted`` like Ctrl-C does (the same clean-up runs), in the main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check_argv(argv: list[str]) -> None:
    """Arguments must be UTF-8 text (undecodable bytes in a path would fail later, half-way)."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise UserInputError(
                "an argument holds bytes that are not UTF-8 text",
                field="command line",
                value=shown,
                expected="file and folder names in UTF-8",
            ) from None


def _error(text: str) -> None:
    with contextlib.suppress(Exception):
        print(f"error: {text}", file=sys.stderr)


def _interrupted(exc: BaseException) -> int:
    clear_interrupt_mark()
    code = getattr(exc, "exit_code", 130)
    what = "terminated (SIGTERM)" if code == 143 else "interrupted"
    with contextlib.suppress(Exception):
        print(f"{what}; no results were written (a previous result is kept); run the command again", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    with contextlib.suppress(AttributeError, ValueError):
        sys.stderr.reconfigure(errors="backslashreplace")
    stdout = GuardedStream(sys.stdout)
    sys.stdout = stdout
    try:
        with _signals():
            code = _main(argv, debug)
            stdout.flush()
    finally:
        sys.stdout = stdout._stream
    if stdout.failure is not None:
        _error(
            f"cannot write to standard output ({describe_os_error(stdout.failure)}); "
            + ("the command's files were written" if code == 0 else "the command had already failed")
        )
        return code or EXIT_USER_ERROR
    return code


def _main(argv: list[str], debug: bool) -> int:
    try:
        _check_argv(argv)
        args = build_parser().parse_args(argv)
        return args.func(args)
    except UserInputError as exc:
        if debug:
            raise
        _error(exc.render(flags=FLAG_NAMES))
        return EXIT_USER_ERROR
    except FilesystemError as exc:
        if debug:
            raise
        _error(str(exc))
        return exc.exit_code
    except ModelInvariantError as exc:
        if debug:
            raise
        _error(f"{exc}; no results were written")
        return 1
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Interrupted)
        return _interrupted(exc)
    except OSError as exc:
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{describe_os_error(exc)}; nothing was written")
        return EXIT_USER_ERROR if exc.errno in ENVIRONMENT_ERRNOS else EXIT_FAILURE
    except RecursionError:
        if debug:
            raise
        _error("an input is nested too deeply to be read")
        return EXIT_USER_ERROR
    except UnicodeEncodeError as exc:
        if debug:
            raise
        _error(f"a name is not valid UTF-8 text ({short_repr(exc.object)})")
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
