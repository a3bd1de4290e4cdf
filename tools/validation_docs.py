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

from yreb.analysis import patterns as P
from yreb.analysis.hindcast import errors_wide, projection_rule_table, run_hindcast, verdict
from yreb.inputs.scenario import load_scenario
from yreb.model.model import YREBModel
from yreb.model.parameters import PROJECTION_HALF_LIFE, PROJECTION_SHRINK
from yreb.policies import FACTORS
from yreb.viz.tables import markdown_table

VALIDATION_DOC = Path(__file__).resolve().parents[1] / "docs" / "validation.md"


def calibration_markdown() -> str:
    """Calibration targets next to what the calibrated defaults achieve."""
    fit = P.calibration_fit()
    lines = ["| target | data | model |", "|---|---|---|"]
    lines += [f"| {row.target} | {row.data:.6g} | {row.model:.6g} |" for row in fit.itertuples()]
    return "\n".join(lines)


def patterns_markdown() -> str:
    """One row per pattern: target, what the model gives, met or not."""
    rows = []
    for factor in [*FACTORS, "all"]:
        r = P.barrier_removal(factor)
        met = (
            min(r.mean_field_gdp_min_pct, r.stochastic_gdp_min_pct) >= -1e-9
            and min(r.mean_field_welfare_min_pct, r.stochastic_welfare_min_pct) >= -1e-9
        )
        rows.append(
            (
                f"1 remove {'all' if factor == 'all' else 'the ' + factor} "
                f"barrier{'s' if factor == 'all' else ''} in the belt",
                "national real GDP and welfare not lower in any year (mean-field and mean of 10 replications)",
                f"worst year: GDP {r.mean_field_gdp_min_pct:+.4f}% / {r.stochastic_gdp_min_pct:+.4f}%, welfare "
                f"{r.mean_field_welfare_min_pct:+.3f}% / {r.stochastic_welfare_min_pct:+.3f}%; {P.END_YEAR}: nation "
                f"{r.end_gdp_pct:+.2f}%, belt {r.end_belt_gdp_pct:+.2f}%, rest of China {r.end_rest_gdp_pct:+.2f}%, "
                f"welfare {r.end_welfare_pct:+.2f}%",
                "met" if met else "**not met** (see below)",
            )
        )
    for horizon in (5, P.END_YEAR - P.START):
        trade, migration = P.cost_cut("trade", horizon), P.cost_cut("migration", horizon)
        met = (
            trade.real_income_pct > migration.real_income_pct
            and migration.dispersion_policy < migration.dispersion_base
        )
        rows.append(
            (
                f"2 Tombe & Zhu: 18% cost cuts, {horizon} years",
                "trade cut raises national real income more than the migration cut; the migration cut lowers the "
                "dispersion of real income per person",
                f"trade: real income {trade.real_income_pct:+.2f}%, GDP {trade.gdp_pct:+.2f}%, welfare "
                f"{trade.welfare_pct:+.2f}%; migration: {migration.real_income_pct:+.2f}%, {migration.gdp_pct:+.2f}%, "
                f"{migration.welfare_pct:+.2f}%; dispersion {migration.dispersion_base:.4f} -> "
                f"{migration.dispersion_policy:.4f}",
                "met" if met else "**not met**",
            )
        )
    net = P.base_year_net_migration()
    belt = net[net.in_belt]
    signs = int((belt.model.apply(lambda x: x > 0) == belt.census.apply(lambda x: x > 0)).sum())
    rows.append(
        (
            "3 base-year net migration",
            "every belt province's sign as in the 2010-15 census; belt within 25%",
            f"{signs} of {len(belt)} signs; belt {belt.model.sum():+,.0f} vs census {belt.census.sum():+,.0f} "
            "persons/year (calibrated); the fitted baseline's 2015 moves, set by the observed 2016 residents "
            f"instead: belt {belt.fitted.sum():+,.0f}",
            "met" if signs == len(belt) else "**not met**",
        )
    )
    enclave = P.enclave_scaling()
    values = [enclave[s] for s in P.ENCLAVE_STAFF[1:]]
    rows.append(
        (
            "4 enclave scales with staff",
            "1 researcher < 1% of the effect at 2,000; rising over 500-8,000",
            "Jiangxi TFP %: " + ", ".join(f"{s}: {v:+.4f}" for s, v in enclave.items()),
            "met"
            if enclave[1] < 0.01 * enclave[2000] and all(a < b for a, b in zip(values, values[1:]))
            else "**not met**",
        )
    )
    park = P.park_effect()
    lo, hi = park.target_range_pct
    rows.append(
        (
            "5 co-built park on its host",
            f"Alder, Shao & Zilibotti (2016) +20% for a zone's city x 1/{P.HOST_PREFECTURES} = {park.target_pct:.2f}% "
            f"(range {lo:.2f}-{hi:.2f}%); capital the larger channel",
            f"{park.host} GDP {park.host_gdp_pct:+.2f}%, capital {park.host_capital_pct:+.2f}% ({park.year}); capital "
            f"explains {100 * park.capital_contribution:.0f}%",
            "met" if lo < park.host_gdp_pct < hi and park.capital_contribution > 0.5 else "**not met**",
        )
    )
    ratio = P.capital_output()
    lo, hi = P.CAPITAL_OUTPUT_RANGE
    belt_ratio = ratio.capital_output_ratio.drop("RestOfChina")
    rows.append(
        (
            "6 capital-output ratios",
            f"{lo}-{hi} at 2015 prices (national estimates 2.0-2.3 in 2010, about 3 by 2015); "
            "returns about 20% (BHQ 2006)",
            f"belt K/Y {belt_ratio.min():.2f} ({belt_ratio.idxmin()}) to "
            f"{belt_ratio.max():.2f} ({belt_ratio.idxmax()}); "
            f"gross returns {ratio.gross_return.min():.3f}-{ratio.gross_return.max():.3f}",
            "met" if belt_ratio.between(lo, hi).all() else "**not met**",
        )
    )
    lines = ["| pattern | target | model | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def sensitivity_markdown() -> str:
    """Effects on national real GDP in END_YEAR (%), per scenario, at the default and each assumption's ends."""
    table = P.sensitivity_table()
    nation = table[["assumption", "value"] + [f"{s}|nation" for s in P.SENSITIVITY_SCENARIOS]]
    nation.columns = ["assumption", "value"] + list(P.SENSITIVITY_SCENARIOS)
    belt = table[[f"{s}|belt" for s in P.SENSITIVITY_SCENARIOS]]
    belt.columns = list(P.SENSITIVITY_SCENARIOS)
    cell = lambda n, b: f"{n:+.2f} / {b:+.2f}"  # noqa: E731
    header = "| assumption | value | " + " | ".join(f"`{s}`" for s in P.SENSITIVITY_SCENARIOS) + " |"
    lines = [header, "|---|---|" + "---|" * len(P.SENSITIVITY_SCENARIOS)]
    for i, row in nation.iterrows():
        value = "" if pd.isna(row.value) else f"{row.value:g}"
        cells = " | ".join(cell(row[s], belt.loc[i, s]) for s in P.SENSITIVITY_SCENARIOS)
        lines.append(f"| {row.assumption} | {value} | {cells} |")
    spread = nation[list(P.SENSITIVITY_SCENARIOS)].iloc[1:].sub(nation[list(P.SENSITIVITY_SCENARIOS)].iloc[0])
    lines.append("")
    for scenario in P.SENSITIVITY_SCENARIOS:
        swing = spread[scenario].abs()
        top = nation.assumption.iloc[1:][swing.idxmax()] if swing.max() > 0 else "none"
        lines.append(
            f"- `{scenario}`: national effect {nation[scenario].iloc[0]:+.2f}% at the defaults, "
            f"{nation[scenario].min():+.2f}% to {nation[scenario].max():+.2f}% over the ranges; the largest swing "
            f"comes from `{top}`."
        )
    return "\n".join(lines)


def hindcast_markdown() -> str:
    """The default hindcast (rolling origin, 10 replications): errors by horizon and verdict, as printed."""
    h = run_hindcast()
    return markdown_table(errors_wide(h)) + "\n\n" + verdict(h)


SOLVER_NOISE_PCT = 1e-9  # gaps below this are the fit's solver tolerance; their digits differ between CPUs


def _gap_pct(gap: float) -> str:
    """A fit gap in %: its value, or "< 1e-9" where it is at solver precision (machine-dependent last bits)."""
    return f"< {SOLVER_NOISE_PCT:.0e}" if gap < SOLVER_NOISE_PCT else f"{gap:.2e}"


def history_markdown() -> str:
    """In-sample fit of the shipped baseline (mean-field) and the projection rules of the rolling-origin evaluation."""
    scenario = load_scenario("baseline")
    targets = scenario.history.targets
    frame = YREBModel(scenario.baseline(), record_flows=False).run().results_frame()
    lines = ["| year | largest gap, real GDP (%) | largest gap, residents (%) |", "|---|---|---|"]
    gaps = {}
    for variable, target in (
        ("gdp_100m_yuan", targets.gdp_100m_yuan),
        ("population_persons", targets.population_persons),
    ):
        wide = frame[frame.variable == variable].pivot(index="year", columns="region", values="value")
        gaps[variable] = 100 * (wide.loc[targets.years, list(scenario.table.names)].to_numpy() / target - 1)
    for y, year in enumerate(targets.years):
        gdp, pop = (abs(gaps[v][y]).max() for v in ("gdp_100m_yuan", "population_persons"))
        lines.append(f"| {year} | {_gap_pct(gdp)} | {_gap_pct(pop)} |")
    rules = projection_rule_table()
    lines += [
        "",
        "| half-life (years) | shrink | GDP shares: model / no change (pp) | population shares | belt share | score |",
        "|---|---|---|---|---|---|",
    ]
    for _, row in rules.iterrows():
        cells = [
            f"{row[f'{v}:model']:.4f} / {row[f'{v}:no_change']:.4f}"
            for v in ("gdp_share", "population_share", "belt_share_national_gdp")
        ]
        lines.append(
            f"| {row.half_life_years:g} | {row.shrink_to_mean:g} | " + " | ".join(cells) + f" | {row.score:.4f} |"
        )
    best = rules.iloc[0]
    lines += [
        "",
        f"Best rule: half-life {best.half_life_years:g} years, shrink {best.shrink_to_mean:g} (the shipped defaults "
        f"`projection_half_life_years` = {PROJECTION_HALF_LIFE:g}, "
        f"`projection_shrink_to_mean` = {PROJECTION_SHRINK:g}).",
    ]
    return "\n".join(lines)


def effects_markdown() -> str:
    """2035 effects on real GDP (%) against the unfitted and the fitted baseline, every shipped policy scenario."""
    unfitted, fitted = P.baseline_effects(P.DATA_START), P.baseline_effects(None)
    columns = list(fitted.columns)
    lines = ["| scenario | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for name in fitted.index:
        cells = [f"{unfitted.loc[name, c]:+.2f} / {fitted.loc[name, c]:+.2f}" for c in columns]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


GENERATED = {
    "calibration": calibration_markdown,
    "patterns": patterns_markdown,
    "sensitivity": sensitivity_markdown,
    "hindcast": hindcast_markdown,
    "history": history_markdown,
    "effects": effects_markdown,
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
