"""Markdown table of the IAMC name and unit of every recorded variable (docs/API.md), from a short run.

The variables and their units are read from the tidy table of a two-year baseline run (its ``variable`` and
``unit`` columns), so the table follows the model's own registry of variables.

    .venv/bin/python tools/iamc_table.py           # print the table
    .venv/bin/python tools/iamc_table.py --write   # rewrite it in docs/API.md
    .venv/bin/python tools/iamc_table.py --check   # exit 1 if docs/API.md is out of date

The table sits between ``<!-- iamc-table:start -->`` and ``<!-- iamc-table:end -->``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yreb.export.iamc import iamc_mapping
from yreb.inputs.scenario import load_scenario, parse_scenario, read_toml, resolve
from yreb.runs.runner import simulate

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "docs" / "API.md"
START, END = "<!-- iamc-table:start -->", "<!-- iamc-table:end -->"


def iamc_markdown() -> str:
    """The table: model variable, its unit, the IAMC variable, the IAMC unit and the factor."""
    path = load_scenario("baseline").source
    doc, text = read_toml(Path(path))
    doc.update(replications=1, end_year=doc.get("start_year", 2015) + 1)
    scenario = resolve(parse_scenario(doc, path, text), Path(path).parent, path)
    mapping = iamc_mapping(simulate(scenario, record_flows=False).results)
    lines = ["| model variable | model unit | IAMC variable | IAMC unit | x factor |", "|---|---|---|---|---|"]
    for r in mapping.itertuples():
        cells = [f"`{r.variable}`", r.unit, f"`{r.iamc_variable}`", f"`{r.iamc_unit}`", f"{r.factor:g}"]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")  # GFM: \| in a cell
    return "\n".join(lines)


def generated_block(text: str) -> str:
    """The text between the markers (stripped)."""
    return text[text.index(START) + len(START) : text.index(END)].strip()


def main(argv: list[str] | None = None) -> int:
    """Print, write or check the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="rewrite the table in docs/API.md")
    action.add_argument("--check", action="store_true", help="exit 1 if docs/API.md's table is out of date")
    args = parser.parse_args(argv)
    table = iamc_markdown()
    if args.write:
        text = DOCUMENT.read_text(encoding="utf-8")
        start, end = text.index(START), text.index(END)
        DOCUMENT.write_text(f"{text[:start]}{START}\n{table}\n{text[end:]}", encoding="utf-8")
        print(f"updated {DOCUMENT}")
    elif args.check:
        if generated_block(DOCUMENT.read_text(encoding="utf-8")) != table:
            print(
                f"out of date: {DOCUMENT}; regenerate with '.venv/bin/python tools/iamc_table.py --write'",
                file=sys.stderr,
            )
            return 1
        print("IAMC table is current")
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
