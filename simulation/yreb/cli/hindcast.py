"""``yreb hindcast``."""

from __future__ import annotations

from pathlib import Path

from yreb.cli.common import DEFAULT_RESULTS, positive_int

DEFAULT_REPLICATIONS = 10


def cmd_hindcast(args) -> int:
    """Fit the baseline to history through --fit-until (or every origin in turn), forecast, score."""
    from yreb.analysis.hindcast_inputs import prepare_hindcast

    # the inputs first: bad files are reported before the model and the plots are imported (fast errors)
    request = prepare_hindcast(
        scenario_path=args.scenario,
        observed_paths=args.observed or (),
        fit_until=args.fit_until,
        to_year=args.to,
        replications=args.replications,
    )

    from yreb.analysis.hindcast import FORECASTS, hindcast_from, verdict
    from yreb.viz.hindcast_report import write_hindcast

    h = hindcast_from(request)
    folder = write_hindcast(h, args.out, force=args.force)
    inside = h.in_sample()
    if len(inside):
        print(f"in-sample mean absolute error of shares, percentage points ({h.base_year + 1}-{max(h.origins)}):")
        print(inside.round(5).to_string())
    print(f"\nout-of-sample mean absolute error of shares, percentage points, by years ahead (origins {h.origins}):")
    print(h.summary().rename(columns=FORECASTS).round(4).to_string(na_rep="n/a"))
    for note in h.notes:
        print(f"note: {note}")
    print()
    print(verdict(h))
    print(f"\nwrote {folder}")
    return 0


def add_commands(subparsers) -> None:
    """Add ``hindcast``."""
    p = subparsers.add_parser(
        "hindcast", help="fit the baseline to observed years, forecast the later ones, compare with naive forecasts"
    )
    p.add_argument(
        "--fit-until",
        type=int,
        metavar="YEAR",
        help="last year the baseline is fitted to (in-sample up to it); default: every year from the base year + 1 "
        "to the year before the last observed one in turn (rolling-origin evaluation)",
    )
    p.add_argument("--to", type=int, metavar="YEAR", help="last year compared (default: the last observed year)")
    p.add_argument(
        "--observed",
        type=Path,
        action="append",
        metavar="FILE",
        help="tidy observed-data CSV (region, year, variable, value[, sector]) added to the shipped ones, whose rows "
        "it replaces where region, year, variable and sector agree; repeat for several files",
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
        help="scenario fitted and run: a file or the name of a shipped one (default: baseline)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing output folder")
    p.set_defaults(func=cmd_hindcast)
