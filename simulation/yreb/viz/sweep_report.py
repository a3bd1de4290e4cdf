"""The report folder of a sweep (``yreb sweep-report``): plots, indices.csv (all years), influence.csv and
influence.md, written atomically into ``<sweep folder>/report/`` or another folder."""

from __future__ import annotations

import itertools
from pathlib import Path

from yreb.analysis.metrics import METRICS
from yreb.errors import UserInputError
from yreb.runs.storage import atomic_folder, write_csv, write_text
from yreb.sweep.analysis import indices_by_year, influence_table, load_sweep
from yreb.sweep.designs import CONF_LEVEL, DESIGNS
from yreb.viz.sweep_plots import plot_heatmap, plot_indices, plot_indices_over_time, plot_response
from yreb.viz.tables import markdown_table


def write_report(
    folder: str | Path, *, out: Path | None = None, outcomes: list[str] | None = None, year: int | None = None
) -> Path:
    """Write plots, indices.csv (all years), influence.csv and influence.md for a sweep folder (atomically).

    ``outcomes`` default to every output the sweep recorded; ``year`` to the last simulated year."""
    sweep = load_sweep(folder)
    recorded = list(sweep.spec.outputs)
    outcomes = outcomes or recorded
    for outcome in outcomes:
        if outcome not in recorded:
            raise UserInputError(
                "outcome not recorded by this sweep",
                field="--outcomes",
                value=outcome,
                expected="one of the sweep's outputs: " + ", ".join(recorded),
            )
    years = sweep.years
    if not years:
        raise UserInputError("the sweep has no completed runs", file=str(sweep.folder / "results.parquet"))
    year = years[-1] if year is None else year
    if year not in years:
        raise UserInputError(
            "year not simulated", field="--year", value=year, expected=f"a year from {years[0]} to {years[-1]}"
        )
    design = DESIGNS[sweep.spec.design]
    target = Path(out) if out is not None else sweep.folder / "report"
    indices = indices_by_year(sweep, outcomes, years)
    influence = influence_table(indices, sweep, year)
    with atomic_folder(target, force=True, kind="sweep-report", inputs=[sweep.folder]) as tmp:
        write_csv(indices, tmp / "indices.csv")
        write_csv(influence, tmp / "influence.csv")
        lines = [
            f"# Most influential parameters: sweep `{sweep.spec.name}`, {year}",
            "",
            f"Design {sweep.spec.design}, {len(sweep.sample)} points x {sweep.spec.replications} replications; "
            f"ranked by {design.indices[design.main_index]}; conf = half-width of the "
            f"{int(CONF_LEVEL * 100)}% confidence interval; noise_share = share of the variance of single "
            "runs due to replication noise.",
            "",
        ]
        for outcome in outcomes:
            rows = influence[influence.outcome == outcome]
            lines += [
                f"## {METRICS[outcome].label}",
                "",
                markdown_table(rows.drop(columns=["outcome", "year", "note"])),
                "",
            ]
            lines += [f"Note on {p}: {note}" for p, note in zip(rows["parameter"], rows["note"]) if note] + [""]
        write_text(tmp / "influence.md", "\n".join(lines))
        for outcome in outcomes:
            plot_response(sweep, outcome, year, tmp / f"response_{outcome}.png")
            plot_indices(indices, sweep, outcome, year, tmp / f"indices_{outcome}.png")
            plot_indices_over_time(indices, sweep, outcome, tmp / f"indices_over_time_{outcome}.png")
            if sweep.spec.design == "grid":
                for pair in itertools.combinations(sweep.names, 2):
                    plot_heatmap(sweep, outcome, year, pair, tmp / f"heatmap_{outcome}__{pair[0]}__{pair[1]}.png")
    return target
