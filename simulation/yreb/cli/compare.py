"""``yreb compare``."""

from __future__ import annotations

import sys
from pathlib import Path

from yreb.cli.common import DEFAULT_RESULTS, FLAG_NAMES, check_choice
from yreb.errors import UserInputError


def cmd_compare(args) -> int:
    """Compare result folders with a baseline and write the comparison folder."""
    from yreb.analysis.compare import (
        DEFAULT_OUTCOMES,
        OUTCOMES,
        SIGNED_OUTCOMES,
        VARIABLES,
        choose_baseline,
        compare_runs,
        default_out_dir,
        load_run,
    )

    # the folders and options first: bad ones are reported before the model and the plots are imported (fast)
    runs = choose_baseline([load_run(f) for f in args.result_dirs], args.baseline)
    outcomes = list(args.metrics) if args.metrics else list(DEFAULT_OUTCOMES)
    check_choice(outcomes, list(OUTCOMES), "--metrics")
    check_choice([args.map_outcome], [v for v in VARIABLES if v not in SIGNED_OUTCOMES], "--map-outcome")
    regions = list(args.regions) if args.regions else runs[0].belt
    check_choice(regions, list(runs[0].regions.index), "--regions")

    from yreb.viz.report import write_comparison

    comparison = compare_runs(runs)
    out = Path(args.out) if args.out else default_out_dir(comparison.order, DEFAULT_RESULTS)
    if out.exists() and not args.force:  # refuse before the (possibly long) decomposition and sensitivity runs
        raise UserInputError("result folder already exists", file=str(out), expected="a new --out folder, or --force")
    cache = out.parent / ".cache"  # variants run by --decompose and --sensitivity, kept across --force
    say = (lambda text: print(f"  {text}", file=sys.stderr)) if not args.quiet else None
    parts = effects = None
    if args.decompose:  # these run the model: imported only when asked for (Mesa alone takes about 0.5 s)
        from yreb.analysis.decompose import decompose

        parts = decompose(comparison, cache_dir=cache, progress=say)
    if args.sensitivity:
        from yreb.analysis.sensitivity import sensitivity

        effects = sensitivity(comparison, cache_dir=cache, progress=say)
    folder, warnings = write_comparison(
        comparison,
        out,
        outcomes=outcomes,
        regions=regions,
        map_outcome=args.map_outcome,
        chinese=args.chinese,
        force=args.force,
        formats=tuple(args.format),
        decomposition=parts,
        sensitivity=effects,
        pdf=not args.no_pdf,
        flags=FLAG_NAMES,
        more_figures=args.more_figures,
    )
    for name, reps in comparison.pairs.items():
        print(f"{name} vs {comparison.baseline.name}: {len(reps)} paired replications")
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote {folder} (open {folder / 'report.html'})")
    return 0


def add_commands(subparsers) -> None:
    """Add ``compare``."""
    p = subparsers.add_parser(
        "compare",
        help="compare result folders with a baseline: differences with "
        "90%% intervals, inequality metrics, map, table, report.html",
    )
    p.add_argument(
        "result_dirs",
        nargs="+",
        type=Path,
        metavar="RESULT_DIR",
        help="result folders written by 'yreb run' (the baseline and the scenarios)",
    )
    p.add_argument(
        "--baseline", help="scenario name of the baseline (default: the folder whose scenario is 'baseline')"
    )
    p.add_argument(
        "--out",
        type=Path,
        help="output folder (default results/compare-<names joined by '-'>; past 200 characters "
        "results/compare-<baseline>-and-<n>-more-<hash>)",
    )
    p.add_argument(
        "--metrics",
        nargs="+",
        metavar="OUTCOME",
        help="outcomes in the table and plots: model variables (belt total and per region) and belt "
        "metrics (default: GDP, GDP per capita, talent, capital, GNI and the belt's inequality metrics)",
    )
    p.add_argument(
        "--regions",
        nargs="+",
        metavar="REGION",
        help="regions in the per-region plots and the table (default: the belt's regions)",
    )
    p.add_argument(
        "--map-outcome",
        default="gdp_per_capita_yuan",
        help="variable whose end-year change (%% of baseline) colours the map (default gdp_per_capita_yuan)",
    )
    p.add_argument(
        "--decompose",
        action="store_true",
        help="also run each component of every scenario alone (barrier factors, policies) and report the parts "
        "and their interaction (cached in <out>/../.cache)",
    )
    p.add_argument(
        "--sensitivity",
        action="store_true",
        help="also run scenario and baseline at both ends of every unpinned assumption's range (tornado chart)",
    )
    p.add_argument(
        "--format",
        nargs="+",
        choices=["png", "svg", "pdf"],
        default=["png"],
        help="figure formats besides the PNG the report embeds (default png)",
    )
    p.add_argument(
        "--more-figures",
        action="store_true",
        help="also write the report's screen-only charts (per-region absolute differences, levels) as figure files "
        "(slower: the report draws them in the browser)",
    )
    p.add_argument("--no-pdf", action="store_true", help="do not print report.pdf (needs Chromium)")
    p.add_argument("--quiet", action="store_true", help="no progress messages")
    p.add_argument(
        "--chinese",
        action="store_true",
        help="Chinese titles, axes, legends, table headers and region names (needs a font with Chinese glyphs)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing output folder")
    p.set_defaults(func=cmd_compare)
