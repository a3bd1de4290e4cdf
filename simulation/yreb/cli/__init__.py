"""The ``yreb`` command line: argument parsing only; each subcommand module calls library functions.

Exit codes: 0 success; 1 the model stopped on a broken invariant (or runs failed); 2 bad input (file, field,
expected value are printed, nothing is written); 130 interrupted.
"""

from __future__ import annotations

import sys

from yreb import __version__
from yreb.cli import compare, export, hindcast, run, scenarios, sweep
from yreb.cli.common import FLAG_NAMES, Parser
from yreb.errors import EXIT_USER_ERROR, ModelInvariantError, UserInputError

SUBCOMMAND_MODULES = (run, scenarios, compare, sweep, hindcast, export)


def build_parser() -> Parser:
    """The ``yreb`` parser with every subcommand."""
    parser = Parser(prog="yreb", description="Factor flows among the regions of the Yangtze River Economic Belt.")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"yreb {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in SUBCOMMAND_MODULES:
        module.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except UserInputError as exc:
        if debug:
            raise
        print(f"error: {exc.render(flags=FLAG_NAMES)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except ModelInvariantError as exc:
        if debug:
            raise
        print(f"error: {exc}; no results were written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; no results were written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
