"""The report folder of a sweep (``yreb sweep-report``): plots, indices.csv (all years), influence.csv and
influence.md, written atomically into ``<sweep folder>/report/`` or another folder."""

from __future__ import annotations

import itertools
from pathlib import Path

from yreb.analysis.metrics import METRICS
from yreb.errors import UserInputError
from yreb.runs.storage import atomic_folder, write_csv, write_text
from yreb.sweep.analysis import index_warnings, indices_by_year, influence_table, load_sweep, relevant_years
from yreb.sweep.designs import CONF_LEVEL, DESIGNS
from yreb.viz.sweep_plots import plot_heatmap, plot_indices, plot_indices_over_time, plot_response
from yreb.viz.tables import markdown_table


def write_report(
    folder: str | Path,
    *,
    out: Path | None = None,
    outcomes: list[str] | None = None,
    year: int | None = None,
    years: list[int] | None = None,
    force: bool = False,
) -> tuple[Path, list[str]]:
    """Write plots, indices.csv, influence.csv and influence.md for a sweep folder (atomically); an existing
    report folder is replaced only with ``force``. Returns the folder and the warnings about the indices.

    ``outcomes`` default to every output the sweep recorded; ``year`` to the last simulated year; indices are
    computed for ``years`` (default: the years in which the varied inputs can matter, ``relevant_years``)."""
    sweep = load_sweep(folder)
    recorded = list(sweep.spec.outputs)
    outcomes = outcomes or recorded
    for outcome in outcomes:
        if outcome not in recorded:
            raise UserInputError(
                "outcome not recorded by this sweep",
                option="outcomes",
                value=outcome,
                expected="one of the sweep's outputs: " + ", ".join(recorded),
            )
    simulated = sweep.years
    if not simulated:
        raise UserInputError("the sweep has no completed runs", file=str(sweep.folder / "results.parquet"))
    year = simulated[-1] if year is None else year
    if year not in simulated:
        raise UserInputError(
            "year not simulated", option="year", value=year, expected=f"a year from {simulated[0]} to {simulated[-1]}"
        )
    if years is None:
        index_years = relevant_years(sweep)
    else:
        index_years = sorted(set(years))
        for y in index_years:
            if y not in sweep.years:
                raise UserInputError("year not simulated", option="years", value=y,
                                     expected=f"years from {sweep.years[0]} to {sweep.years[-1]}")  # fmt: skip
    if year not in index_years:
        raise UserInputError(
            "no sensitivity indices in this year: the varied inputs cannot matter yet",
            option="year",
            value=year,
            expected=f"a year from {index_years[0]} to {index_years[-1]}" if index_years else "a later year",
        )
    design = DESIGNS[sweep.spec.design]
    target = Path(out) if out is not None else sweep.folder / "report"
    indices = indices_by_year(sweep, outcomes, index_years)
    influence = influence_table(indices, sweep, year)
    warnings = index_warnings(indices, sweep)
    with atomic_folder(target, force=force, kind="sweep-report", inputs=[sweep.folder]) as tmp:
        write_csv(indices, tmp / "indices.csv")
        write_csv(influence, tmp / "influence.csv")
        lines = [
            f"# Most influential parameters: sweep `{sweep.spec.name}`, {year}",
            "",
            f"Design {sweep.spec.design}, {len(sweep.sample)} points x {sweep.spec.replications} replications; "
            f"ranked by {design.indices[design.main_index]}; conf = half-width of the "
            f"{int(CONF_LEVEL * 100)}% confidence interval; noise_share = share of the variance of single "
            "runs due to replication noise.",
            f"Indices for {index_years[0]}-{index_years[-1]}, the years in which the varied inputs can matter.",
            "",
            *[f"**Warning:** {w}" for w in warnings],
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
    return target, warnings
