"""``yreb scenarios``."""

from __future__ import annotations

import shutil
import textwrap


def cmd_scenarios(args) -> int:
    """List the shipped scenarios and sweeps with their descriptions."""
    from yreb.inputs.library import library, shipped_folder

    entries = library()
    width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 120))
    for kind, title, run in (
        ("scenario", "Scenarios", "yreb run NAME"),
        ("sweep", "Sweeps", "yreb sweep NAME"),
    ):
        chosen = [e for e in entries if e.kind == kind]
        if args.names:
            print("\n".join(e.name for e in chosen))
            continue
        print(f"{title} ({run}):")
        for e in chosen:
            print(f"  {e.name}")
            print(
                textwrap.fill(
                    e.description or "(no description)",
                    width,
                    initial_indent=" " * 6,
                    subsequent_indent=" " * 6,
                    break_on_hyphens=False,  # place names such as Tongcheng-Pingjiang-Xiushui stay whole
                )
            )
        print()
    if not args.names:
        print(f"Files in {shipped_folder()} (copy one to start your own; 'yreb validate FILE' checks it).")
    return 0


def add_commands(subparsers) -> None:
    """Add ``scenarios``."""
    p = subparsers.add_parser("scenarios", help="list the shipped scenarios and sweeps with their descriptions")
    p.add_argument("--names", action="store_true", help="names only, one a line (scenarios, then sweeps)")
    p.set_defaults(func=cmd_scenarios)
