"""``yreb sweep`` and ``yreb sweep-report``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from yreb.cli.common import DEFAULT_RESULTS, check_choice, clear_interrupt_mark, positive_int


def cmd_sweep(args) -> int:
    """Plan a sweep, then run (or resume) it into its folder."""
    import concurrent.futures as cf

    from yreb.sweep.execute import check_scheduler, run_sweep
    from yreb.sweep.plan import plan_sweep

    if args.scheduler:
        check_scheduler(args.scheduler)  # before the (possibly long) planning
    plan = plan_sweep(args.sweep)
    spec = plan.spec
    distinct = plan.design["key"].nunique()
    print(
        f"sweep {spec.name}: {spec.design} design, {plan.n_points} points x {spec.replications} replications "
        f"= {len(plan.design)} runs ({distinct} distinct)"
    )
    if args.dry_run:
        return 0
    folder = plan.output_folder(args.out)
    try:
        outcome = run_sweep(
            plan,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            force=args.force,
            batch_size=args.batch_size,
            progress=not args.quiet,
        )
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the workers were stopped, completed runs are kept
        clear_interrupt_mark()
        what = "terminated (SIGTERM)" if getattr(exc, "exit_code", 130) == 143 else "interrupted"
        kept = "completed runs are kept in" if not args.force else "the previous sweep is kept in"
        print(f"{what}; {kept} {folder}; run the same command again to resume", file=sys.stderr)
        return getattr(exc, "exit_code", 130)
    except cf.BrokenExecutor as exc:
        print(
            f"error: a worker process died ({exc}); completed runs are kept in {folder}; run the same command "
            "again to resume",
            file=sys.stderr,
        )
        return 1
    for damaged in outcome.damaged:
        print(f"warning: damaged shard {damaged}; moved to shards/damaged/, its runs were run again", file=sys.stderr)
    print(
        f"wrote {outcome.folder}: {outcome.completed}/{outcome.runs} runs complete "
        f"({outcome.completed_before} before this invocation), {outcome.failed} failed; "
        f"ran {outcome.ran} with {outcome.executor} in {outcome.seconds:.1f} s"
    )
    if outcome.failed:
        print(f"error: {outcome.failed} runs failed; see {outcome.folder / 'failures.csv'}", file=sys.stderr)
        return 1
    return 0


def cmd_sweep_report(args) -> int:
    """Write the report of a finished sweep."""
    from yreb.analysis.metrics import METRICS
    from yreb.sweep.schema import check_reportable
    from yreb.sweep.store import verify_sweep_folder
    from yreb.viz.sweep_report import write_report

    if args.outcomes:
        check_choice(args.outcomes, list(METRICS), "--outcomes")
    meta = verify_sweep_folder(args.folder)  # checksums, rows and schemas of every table, before reading them
    check_reportable(meta.get("sweep"), meta.get("design_points"), str(args.folder / "metadata.json"))
    folder, warnings = write_report(
        args.folder, out=args.out, outcomes=args.outcomes, year=args.year, years=args.years, force=args.force
    )
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote {folder}")
    return 0


def add_commands(subparsers) -> None:
    """Add ``sweep`` and ``sweep-report``."""
    p = subparsers.add_parser("sweep", help="run a parameter sweep file (resumable; local processes or Dask)")
    p.add_argument(
        "sweep", type=Path, help="sweep file (TOML) or the name of a shipped sweep, e.g. enclave_barrier_grid"
    )
    p.add_argument("--out", type=Path, default=DEFAULT_RESULTS / "sweeps", help="parent folder of the sweep folder")
    p.add_argument(
        "--workers",
        type=positive_int,
        default=len(os.sched_getaffinity(0)),
        help="local worker processes (default: the usable cores; 1 runs in this process)",
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue in an existing folder even if the sweep changed (completed runs are reused)",
    )
    p.add_argument("--force", action="store_true", help="discard the existing sweep folder and start over")
    p.add_argument("--batch-size", type=positive_int, help="runs per task (default: automatic, at most 25)")
    p.add_argument("--dry-run", action="store_true", help="validate the sweep and print its size; run nothing")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sweep)

    r = subparsers.add_parser("sweep-report", help="plots, sensitivity indices and influence table of a sweep")
    r.add_argument("folder", type=Path, help="sweep folder written by 'yreb sweep'")
    r.add_argument("--outcomes", nargs="+", metavar="OUTCOME", help="outcomes (default: all the sweep recorded)")
    r.add_argument("--year", type=int, help="year of the indices and response plots (default: the last year)")
    r.add_argument(
        "--years",
        nargs="+",
        type=int,
        metavar="YEAR",
        help="years of the indices (default: from the earliest policy start, or every year after the base year "
        "when model parameters are varied)",
    )
    r.add_argument("--out", type=Path, help="report folder (default: FOLDER/report)")
    r.add_argument("--force", action="store_true", help="replace an existing report folder")
    r.set_defaults(func=cmd_sweep_report)
