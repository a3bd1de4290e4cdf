"""Generated tables of docs/validation.md: print them, rewrite them, or check that the document is current.

    .venv/bin/python tools/validation_docs.py           # print every generated table
    .venv/bin/python tools/validation_docs.py --write   # rewrite the generated blocks of docs/validation.md
    .venv/bin/python tools/validation_docs.py --check   # exit 1 naming the blocks that are out of date

The numbers come from ``yreb.analysis.patterns`` and ``yreb.analysis.hindcast``; this file only formats them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from yreb.analysis.patterns import (
    CALIBRATED_CROSS_BORDER_INVESTMENT,
    CAPITAL_REPLICATIONS,
    CUT_WINDOW_YEARS,
    END_YEAR,
    HEADLINES,
    HOST_PROVINCE_PREFECTURES,
    SCAN,
    capital_flows,
    integration,
    migration_cost_cut,
    park_effect,
    robust_signs,
    robustness_scan,
)

VALIDATION_DOC = Path(__file__).resolve().parents[1] / "docs" / "validation.md"


def patterns_markdown() -> str:
    """Table of every pattern: source, target, what the model gives."""
    cut, integ, park, flows = migration_cost_cut(), integration(), park_effect(), capital_flows()
    y5, ye = sorted(cut.migrant_stock_pct)
    exporters = [f"{r} {round(v, 2) + 0.0:+.2f}" for r, v in flows.net_position_share.items()]
    rows = [
        (
            "1 migration-cost cut",
            "Tombe & Zhu (2019): migration costs about -18% in 2000-05",
            "migrant stock +tens of %; belt GDP +a few %",
            f"cut = barrier level {cut.talent_level:.3f} (talent), {cut.labour_level:.3f} (labour) between all "
            f"regions from 2015 (cross-border mu x{cut.mean_cost_ratio:.3f}): migrant stock "
            f"{cut.migrant_stock_pct[y5]:+.1f}% after {CUT_WINDOW_YEARS} years ({y5}), "
            f"{cut.migrant_stock_pct[ye]:+.1f}% "
            f"by {ye}; belt GDP {cut.belt_gdp_pct[y5]:+.2f}% ({y5}), {cut.belt_gdp_pct[ye]:+.2f}% ({ye}); "
            f"national GDP {cut.national_gdp_pct[ye]:+.3f}% ({ye})",
        ),
        (
            "2 integration vs convergence",
            "MODEL.md s.11 (Dawid et al. 2012: integration can slow convergence)",
            "belt GDP rises; Theil sign reported, not assumed",
            f"barriers_removed: belt GDP {integ.belt_gdp_pct:+.2f}% ({END_YEAR}); between-sub-region Theil T "
            f"{integ.theil_between[0]:.4f} -> {integ.theil_between[1]:.4f} "
            f"({'falls' if integ.theil_between[1] < integ.theil_between[0] else 'rises'}); beta-convergence "
            f"{integ.start}-{END_YEAR} {100 * integ.beta_speed[0]:.2f} -> {100 * integ.beta_speed[1]:.2f} %/yr",
        ),
        (
            "3 park on its host",
            "Alder, Shao & Zilibotti (2016): host-city GDP about +20% over a decade",
            f"host province +{park.target_pct:.2f}% (= 20% x host-city share 1/{HOST_PROVINCE_PREFECTURES})",
            f"{park.host} GDP {park.host_gdp_pct:+.2f}%, installed capital {park.host_capital_pct:+.2f}% "
            f"({park.year}); "
            f"capital accounts for {100 * park.capital_contribution:.0f}% of the GDP change",
        ),
        (
            "4 baseline capital flows",
            "calibration target (assumption, no data)",
            f"cross-border share of investment near {CALIBRATED_CROSS_BORDER_INVESTMENT:.0%}",
            f"{100 * flows.cross_border_share[0]:.2f}-{100 * flows.cross_border_share[1]:.2f}% over 2015-{END_YEAR} "
            f"({CAPITAL_REPLICATIONS} stochastic replications); net capital position (owned - installed) / GDP in "
            f"{END_YEAR}: " + ", ".join(exporters) + f"; Spearman rank correlation with GDP per capita (belt) "
            f"{flows.rank_correlation:+.2f}",
        ),
    ]
    lines = ["| pattern | source | target | model (mean-field unless stated) |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def scan_markdown(scan: pd.DataFrame) -> str:
    """Scan table plus a robustness line per headline effect."""
    lines = [
        "| parameter (range source) | value | " + " | ".join(HEADLINES.values()) + " | talent migrant share (%) |",
        "|---|---|---|---|---|---|",
    ]
    for row in scan.itertuples(index=False):
        source = SCAN[row.parameter][4]
        default = " (default)" if row.value == SCAN[row.parameter][2] else ""
        lines.append(
            f"| `{row.parameter}` ({source}) | {row.value:g}{default} | {row.belt_gdp_barriers_removed_pct:+.2f} "
            f"| {row.host_gdp_park_pct:+.3f} | {row.home_tfp_enclave_pct:+.3f} | {row.talent_migrant_share_pct:.1f} |"
        )
    lines.append("")
    for headline, robust in robust_signs(scan).items():
        values = scan[headline]
        lines.append(
            f"- {HEADLINES[headline]}: sign {'robust' if robust else 'NOT robust'} across the scan "
            f"(from {values.min():+.3f} to {values.max():+.3f})."
        )
    return "\n".join(lines)


def hindcast_markdown() -> str:
    """The default hindcast's error table and verdict (as `yreb hindcast` prints them)."""
    from yreb.analysis.hindcast import errors_wide, run_hindcast, verdict
    from yreb.viz.tables import markdown_table

    h = run_hindcast()
    return markdown_table(errors_wide(h)) + "\n\n" + verdict(h)


GENERATED = {
    "hindcast": hindcast_markdown,
    "patterns": patterns_markdown,
    "robustness": lambda: scan_markdown(robustness_scan()),
}


def generated_block(text: str, name: str) -> str:
    """The text between <!-- name:start --> and <!-- name:end --> (stripped)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    return text[text.index(start) + len(start) : text.index(end)].strip()


def write_docs(path: Path = VALIDATION_DOC) -> None:
    """Replace every generated block of the validation document with freshly computed tables."""
    text = path.read_text(encoding="utf-8")
    for name, make in GENERATED.items():
        start, end = text.index(f"<!-- {name}:start -->"), text.index(f"<!-- {name}:end -->")
        text = f"{text[:start]}<!-- {name}:start -->\n{make()}\n{text[end:]}"
    path.write_text(text, encoding="utf-8")


def stale_blocks(path: Path = VALIDATION_DOC) -> list[str]:
    """Names of the generated blocks whose text differs from freshly computed tables."""
    text = path.read_text(encoding="utf-8")
    return [name for name, make in GENERATED.items() if generated_block(text, name) != make()]


def main(argv: list[str] | None = None) -> int:
    """Print, write or check the generated blocks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help=f"rewrite the generated blocks of {VALIDATION_DOC}")
    action.add_argument("--check", action="store_true", help="exit 1 if a generated block is out of date")
    args = parser.parse_args(argv)
    if args.write:
        write_docs()
        print(f"updated {VALIDATION_DOC}")
    elif args.check:
        stale = stale_blocks()
        if stale:
            print(
                f"{VALIDATION_DOC}: out of date: {', '.join(stale)}; regenerate with "
                "'.venv/bin/python tools/validation_docs.py --write'",
                file=sys.stderr,
            )
            return 1
        print(f"{VALIDATION_DOC}: generated blocks are current")
    else:
        for name, make in GENERATED.items():
            print(f"## {name}\n\n{make()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
