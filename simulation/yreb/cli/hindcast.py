"""``yreb hindcast``."""

from __future__ import annotations

from pathlib import Path

from yreb.cli.common import DEFAULT_RESULTS, positive_int

DEFAULT_REPLICATIONS = 10


def cmd_hindcast(args) -> int:
    """Run the baseline from the base year and compare it with observed shares."""
    from yreb.analysis.hindcast_inputs import prepare_hindcast
    from yreb.inputs.observed import DEFAULT_OBSERVED

    # the inputs first: bad files are reported before the model and the plots are imported (fast errors)
    inputs = prepare_hindcast(
        scenario_path=args.scenario,
        observed_paths=args.observed or DEFAULT_OBSERVED,
        base_year=args.base_year,
        to_year=args.to,
        replications=args.replications,
    )

    from yreb.analysis.hindcast import FORECASTS, hindcast_from, verdict
    from yreb.viz.hindcast_report import write_hindcast

    h = hindcast_from(inputs, args.trend_years)
    folder = write_hindcast(h, args.out, force=args.force)
    summary = h.summary()
    print(f"mean absolute error of shares, percentage points ({h.base_year + 1}-{h.to_year}):")
    print(summary.rename(columns=FORECASTS).round(3).to_string(na_rep="n/a"))
    for note in h.notes:
        print(f"note: {note}")
    print()
    print(verdict(h))
    print(f"\nwrote {folder}")
    return 0


def add_commands(subparsers) -> None:
    """Add ``hindcast``."""
    p = subparsers.add_parser("hindcast", help="compare the baseline from the base year with observed shares")
    p.add_argument(
        "--base-year",
        type=int,
        help="base year (default: the scenario's start year, 2015); the region table must hold this year's data",
    )
    p.add_argument("--to", type=int, help="last year compared (default: the last observed year)")
    p.add_argument(
        "--observed",
        type=Path,
        action="append",
        metavar="FILE",
        help="tidy observed-data CSV (region, year, variable, value); repeat for several files "
        "(default: the shipped observed_provinces.csv and observed_national.csv)",
    )
    p.add_argument(
        "--out", type=Path, default=DEFAULT_RESULTS / "hindcast", help="output folder (default: results/hindcast)"
    )
    p.add_argument(
        "--replications",
        type=positive_int,
        default=DEFAULT_REPLICATIONS,
        help=f"replications of the baseline (default {DEFAULT_REPLICATIONS})",
    )
    p.add_argument(
        "--scenario",
        type=Path,
        default=Path("baseline"),
        help="scenario run from the base year: a file or the name of a shipped one (default: baseline)",
    )
    p.add_argument(
        "--trend-years",
        type=positive_int,
        default=1,
        help="years before the base year whose share change the trend forecast continues (default 1)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing output folder")
    p.set_defaults(func=cmd_hindcast)
