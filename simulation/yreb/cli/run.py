"""``yreb run`` and ``yreb validate``."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from yreb.cli.common import DEFAULT_RESULTS, positive_int, seed


def cmd_run(args) -> int:
    """Run a scenario's replications into a result folder."""
    from yreb.inputs.scenario import load_scenario

    # the scenario first: a bad file is reported before the model and the plots are imported (fast errors)
    scenario = load_scenario(
        args.scenario,
        replications=args.replications,
        seed=args.seed,
        force=args.force,
        fit_until=args.fit_until,
        observed=args.observed or (),
    )

    from yreb.runs.runner import run_to_folder

    figures = None
    if not args.no_plots:  # matplotlib only when there are plots to draw
        from yreb.viz.report import write_run_figures

        figures = functools.partial(write_run_figures, more_figures=args.more_figures)
    folder = run_to_folder(scenario, args.out, force=args.force, progress=not args.quiet, figures=figures)
    timings = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))["timings"]
    fitted = (
        f"baseline fitted to observed {scenario.spec.start_year}-{scenario.fit_until}"
        if scenario.fit_until > scenario.spec.start_year
        else "no fitted years"
    )
    print(
        f"wrote {folder}: {scenario.spec.replications} replications x {len(scenario.years)} years ({fitted}), "
        f"model time {timings['total_seconds']:.2f} s"
    )
    return 0


def cmd_validate(args) -> int:
    """Validate scenario files and calibrate their base year without running them."""
    from yreb.inputs.scenario import load_scenario
    from yreb.model.calibration import calibrate_checked  # not the model: validating needs no Mesa (fast)

    for path in args.files:
        scenario = load_scenario(path, force=True)
        calibrate_checked(scenario.table, scenario.params, scenario.source)  # inputs that admit none: as by 'run'
        spec = scenario.spec
        print(
            f"{path}: ok ({spec.name}: {scenario.table.n} regions, {spec.start_year}-{spec.end_year}, "
            f"{len(spec.policies)} policies, {spec.replications} replications)"
        )
    return 0


def add_commands(subparsers) -> None:
    """Add ``run`` and ``validate``."""
    run = subparsers.add_parser("run", help="run a scenario file and write results/<scenario>/")
    run.add_argument("scenario", type=Path, help="scenario file (TOML), or the name of a shipped scenario")
    run.add_argument("--out", type=Path, default=DEFAULT_RESULTS, help="parent folder of the result folder")
    run.add_argument("--replications", type=positive_int, help="override the scenario's replications")
    run.add_argument("--seed", type=seed, help="override the scenario's root seed")
    run.add_argument(
        "--force", action="store_true", help="replace an existing result folder; allow more than the replication limit"
    )
    run.add_argument(
        "--fit-until",
        type=int,
        metavar="YEAR",
        help="last year the baseline reproduces observed statistics (default: the scenario's, else the last "
        "observed year, 2019 for the shipped data; the start year: no fitted years)",
    )
    run.add_argument(
        "--observed",
        type=Path,
        action="append",
        metavar="FILE",
        help="newer statistics: a tidy CSV (region, year, variable, value[, sector]) whose rows replace the shipped "
        "ones; repeat for several files",
    )
    run.add_argument("--no-plots", action="store_true", help="skip the plots")
    run.add_argument(
        "--more-figures",
        action="store_true",
        help="also write the run report's browser-drawn inequality chart as inequality.png (slower)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    val = subparsers.add_parser("validate", help="check scenario files without running them")
    val.add_argument("files", type=Path, nargs="+", help="scenario files, or names of shipped scenarios")
    val.set_defaults(func=cmd_validate)
