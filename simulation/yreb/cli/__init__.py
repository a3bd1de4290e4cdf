"""The ``yreb`` command line: thin wrappers over the package's functions.

Exit codes: 0 success; 1 the model stopped on a broken invariant; 2 bad input (file, field, expected value
are printed, nothing is written); 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from yreb.errors import EXIT_USER_ERROR, ModelInvariantError, UserInputError

DEFAULT_RESULTS = Path("results")
# modules that add subcommands: each defines add_commands(subparsers) (keeps this file thin)
COMMAND_MODULES: tuple[str, ...] = ("yreb.sweep.core", "yreb.analysis.compare", "yreb.analysis.hindcast")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as bad input (exit 2) in the tool's own format."""

    def error(self, message):
        self.print_usage(sys.stderr)
        raise UserInputError(message, field="command line")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"expected a seed from 0 to 2^63-1, got {value}")
    return value


def cmd_run(args) -> int:
    from yreb.inputs.scenario import load_scenario
    from yreb.runs.runner import run_to_folder

    scenario = load_scenario(args.scenario, replications=args.replications, seed=args.seed, force=args.force)
    folder = run_to_folder(scenario, args.out, force=args.force, progress=not args.quiet, plots=not args.no_plots)
    timings = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))["timings"]
    print(
        f"wrote {folder}: {scenario.spec.replications} replications x {len(scenario.years)} years, "
        f"model time {timings['total_seconds']:.2f} s"
    )
    return 0


def cmd_validate(args) -> int:
    from yreb.inputs.scenario import load_scenario
    from yreb.model.model import YREBModel

    for path in args.files:
        scenario = load_scenario(path, force=True)
        YREBModel(scenario)  # calibrates the base year: inputs that admit none are reported as by 'run'
        spec = scenario.spec
        print(
            f"{path}: ok ({spec.name}: {scenario.table.n} regions, {spec.start_year}-{spec.end_year}, "
            f"{len(spec.policies)} policies, {spec.replications} replications)"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="yreb", description="Factor flows among the regions of the Yangtze River Economic Belt.")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a scenario file and write results/<scenario>/")
    run.add_argument("scenario", type=Path, help="scenario file (TOML)")
    run.add_argument("--out", type=Path, default=DEFAULT_RESULTS, help="parent folder of the result folder")
    run.add_argument("--replications", type=_positive_int, help="override the scenario's replications")
    run.add_argument("--seed", type=_seed, help="override the scenario's root seed")
    run.add_argument(
        "--force", action="store_true", help="replace an existing result folder; allow more than the replication limit"
    )
    run.add_argument("--no-plots", action="store_true", help="skip the plots")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    val = sub.add_parser("validate", help="check scenario files without running them")
    val.add_argument("files", type=Path, nargs="+")
    val.set_defaults(func=cmd_validate)
    for module in COMMAND_MODULES:
        importlib.import_module(module).add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except UserInputError as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
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
