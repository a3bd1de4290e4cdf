"""Markdown table of every policy type's fields from the registry in yreb.policies (keeps the docs in sync).

    .venv/bin/python tools/policy_table.py           # print the table
    .venv/bin/python tools/policy_table.py --write   # rewrite it in docs/MODEL.md (7.1) and README.md
    .venv/bin/python tools/policy_table.py --check   # exit 1 naming the documents that are out of date

The table sits between ``<!-- policy-table:start -->`` and ``<!-- policy-table:end -->`` in each document.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yreb.policies import policy_field_rows

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = (ROOT / "docs" / "MODEL.md", ROOT / "README.md")
START, END = "<!-- policy-table:start -->", "<!-- policy-table:end -->"


def policy_table() -> str:
    """The table: the fields every policy type takes, then each type's own fields (type on its first row)."""
    lines = ["| type | field | default | unit | meaning |", "|---|---|---|---|---|"]
    previous = object()
    for row in policy_field_rows():
        kind = row["type"]
        label = "" if kind == previous else ("every type" if kind is None else f"`{kind}`")
        previous = kind
        meaning = row["meaning"].replace("|", "\\|")
        lines.append(f"| {label} | `{row['field']}` | {row['default']} | {row['unit']} | {meaning} |")
    return "\n".join(lines)


def generated_block(text: str) -> str:
    """The text between the policy-table markers (stripped)."""
    return text[text.index(START) + len(START) : text.index(END)].strip()


def write_docs(paths: tuple[Path, ...] = DOCUMENTS) -> None:
    """Replace the policy table of every document with a freshly generated one."""
    table = policy_table()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        start, end = text.index(START), text.index(END)
        path.write_text(f"{text[:start]}{START}\n{table}\n{text[end:]}", encoding="utf-8")


def stale_documents(paths: tuple[Path, ...] = DOCUMENTS) -> list[Path]:
    """Documents whose policy table differs from the generated one."""
    table = policy_table()
    return [path for path in paths if generated_block(path.read_text(encoding="utf-8")) != table]


def main(argv: list[str] | None = None) -> int:
    """Print, write or check the policy table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="rewrite the table in docs/MODEL.md and README.md")
    action.add_argument("--check", action="store_true", help="exit 1 if a document's table is out of date")
    args = parser.parse_args(argv)
    if args.write:
        write_docs()
        print("updated " + ", ".join(str(p) for p in DOCUMENTS))
    elif args.check:
        stale = stale_documents()
        if stale:
            print(
                f"out of date: {', '.join(str(p) for p in stale)}; regenerate with "
                "'.venv/bin/python tools/policy_table.py --write'",
                file=sys.stderr,
            )
            return 1
        print("policy tables are current")
    else:
        print(policy_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
