"""Self-contained HTML reports (plots embedded as base64 PNG, no external files): for a run and a comparison."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import matplotlib
import pandas as pd

from yreb.analysis.compare import (
    INEQUALITY_METRICS,
    METHOD,
    OUTCOME_LABELS,
    VARIABLES,
    Comparison,
    belt_end_year_levels,
    effects_markdown,
    effects_table,
    flow_matrices,
    format_number,
    gdp_concepts_end_year,
    load_run,
    net_flow_change,
    version_warnings,
)
from yreb.analysis.metrics import BELT
from yreb.runs.integrity import manifest, seal
from yreb.runs.provenance import provenance
from yreb.runs.storage import atomic_folder, write_json, write_table, write_text
from yreb.viz.compare_plots import plot_difference_panels, plot_level_panels, save_figure
from yreb.viz.maps import load_boundaries, plot_flow_map
from yreb.viz.plotting import RUN_PLOTS, font_fallback_rc, plot_run, region_labels, scenario_colour

CONCEPTS_NOTE = (
    "<p class='note'>100 million yuan, mean over replications. Real GDP (2015 prices) by location: produced in "
    "the region; by attribution: co-built park GDP split between host and sponsor. Nominal GDP and income of "
    "residents (labour income, dividends of their region of registration, net transfers) at current prices.</p>"
)
STYLE = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, 'Noto Sans CJK SC', sans-serif; margin: 2em auto;
       max-width: 1200px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
img { max-width: 100%; border: 1px solid #eee; margin: .5em 0 1.5em; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ddd; padding: .25em .5em; } td { text-align: right; }
td:first-child, th { text-align: left; } tr:nth-child(even) { background: #f7f7f7; }
pre { background: #f5f5f5; padding: 1em; overflow-x: auto; font-size: .8em; }
.note { color: #555; font-size: .9em; } .warning { color: #a00; font-weight: bold; }
"""


def image_html(path: Path, caption: str = "") -> str:
    """An <img> with the PNG embedded as base64 (the report works offline and alone)."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    alt = html.escape(caption or Path(path).stem)
    figure = f'<img alt="{alt}" src="data:image/png;base64,{data}">'
    return (
        f"<figure>{figure}<figcaption class='note'>{html.escape(caption)}</figcaption></figure>" if caption else figure
    )


def esc(value: object) -> str:
    """Any value from a result folder or an input as HTML text (escaped, quotes included)."""
    return html.escape(str(value), quote=True)


def table_html(frame: pd.DataFrame, formatter=None) -> str:
    """A table as HTML, every cell escaped."""
    return frame.to_html(index=False, border=0, na_rep="n/a", float_format=formatter, escape=True)


def metadata_html(metadata: dict, summary: str) -> str:
    """metadata.json as an escaped, collapsible block."""
    text = html.escape(json.dumps(metadata, indent=2, sort_keys=True, default=str, ensure_ascii=False))
    return f"<details><summary>{html.escape(summary)}</summary><pre>{text}</pre></details>"


def page(title: str, sections: list[tuple[str, str]], intro: str = "") -> str:
    """A complete HTML document: title, intro, then (heading, inner HTML) sections."""
    body = "\n".join(f"<section><h2>{html.escape(h)}</h2>\n{inner}</section>" for h, inner in sections)
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head>\n<body><h1>{html.escape(title)}</h1>\n{intro}\n{body}\n</body></html>\n"
    )


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file atomically (``yreb.runs.storage.write_text``)."""
    write_text(path, text)


def policies_text(run) -> str:
    """The run's policies in words (plain text: escape it for HTML)."""
    policies = run.metadata["scenario"].get("policies", [])
    return (
        "; ".join(
            f"{p['type']}" + (f" '{p['name']}'" if p.get("name") else "") + f" from {p['start']}" for p in policies
        )
        or "none"
    )


def write_run_figures(results: pd.DataFrame, folder: Path, scenario) -> Path:
    """The run plots and report.html of a result folder being written (``run_to_folder(figures=...)``)."""
    plot_run(results, folder, scenario)
    return write_run_report(folder)


def write_run_report(folder: str | Path) -> Path:
    """``folder/report.html`` for one result folder: its description, plots (incl. a new inequality.png),
    end-year belt outcomes, GDP concepts and metadata."""
    folder = Path(folder)
    run = load_run(folder, flows=False)
    outcomes = run.outcomes()
    end = run.years[1]
    panels = [(BELT, m, OUTCOME_LABELS[m]) for m in INEQUALITY_METRICS]
    save_figure(
        plot_level_panels(
            outcomes,
            panels,
            [run.name],
            f"Inequality, convergence and concentration in the belt: scenario '{run.name}'",
        ),
        folder / "inequality.png",
    )
    images = [folder / f"{v}.png" for v in RUN_PLOTS] + [folder / "inequality.png"]
    intro = (
        f"<p>{html.escape(run.description or '(no description)')}</p><p class='note'>{run.years[0]}-{end}, "
        f"{run.results.replication.nunique()} replication(s), root seed {esc(run.metadata['scenario'].get('seed'))}; "
        f"policies: {html.escape(policies_text(run))}.</p>"
    )
    sections = [
        ("Plots", "\n".join(image_html(p) for p in images)),
        (
            f"Nation, belt and rest of China in {end}",
            "<p class='note'>Median and 5-95% quantiles across replications; totals over the regions of each "
            "group; belt metrics over the belt's regions.</p>"
            + table_html(
                _formatted(belt_end_year_levels(outcomes, end, run.headline_regions).drop(columns="scenario"))
            ),
        ),
        (
            f"GDP by location and by statistical attribution, and income of residents, {end}",
            CONCEPTS_NOTE + table_html(_formatted(gdp_concepts_end_year(outcomes, end).drop(columns="scenario"))),
        ),
        ("Metadata", metadata_html(run.metadata, "metadata.json (scenario, seeds, versions, timings)")),
    ]
    path = folder / "report.html"
    write_text_atomic(path, page(f"Run report: {run.name}", sections, intro))
    return path


def _formatted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda col: col.map(format_number) if pd.api.types.is_float_dtype(col) else col)


def comparison_html(
    c, figures: list[tuple[Path, str]], effects: pd.DataFrame, concepts: pd.DataFrame, labels: dict[str, str]
) -> str:
    """The comparison report: scenarios, method, plots (differences first), effects, GDP concepts, metadata."""
    base, order = c.baseline, c.order
    rows = "".join(
        f"<tr><td><span style='color:{scenario_colour(r.name, order)}'>&#9632;</span> {html.escape(r.name)}"
        f"{' (baseline)' if r is base else ''}</td><td style='text-align:left'>{html.escape(r.description)}</td>"
        f"<td>{r.results.replication.nunique()}</td><td>{len(c.pairs.get(r.name, [])) or '-'}</td>"
        f"<td style='text-align:left'>{html.escape(policies_text(r))}</td>"
        f"<td>{esc(r.metadata['scenario'].get('seed'))}</td><td>{r.years[0]}-{r.years[1]}</td>"
        f"<td style='text-align:left'><code>{html.escape(str(r.folder))}</code></td></tr>"
        for r in c.runs
    )
    scenarios = (
        "<table><tr><th>scenario</th><th>description</th><th>replications</th><th>pairs with baseline</th>"
        f"<th>policies</th><th>root seed</th><th>years</th><th>folder</th></tr>{rows}</table>"
    )
    concepts = concepts.assign(region=concepts.region.map(labels))
    warnings = version_warnings(c.runs)
    sections = [("Warnings", "".join(f"<p class='warning'>{esc(w)}</p>" for w in warnings))] if warnings else []
    sections += [
        ("Scenarios", scenarios),
        ("Method", f"<p>{html.escape(METHOD)}</p>"),
        ("Plots", "\n".join(image_html(path, caption) for path, caption in figures)),
        (
            f"Effects in {base.years[1]} (also effects.csv, effects.md)",
            table_html(_formatted(effects.assign(region=effects.region.map(labels)))),
        ),
        (
            f"GDP by location and by statistical attribution, and income of residents, {base.years[1]}",
            CONCEPTS_NOTE + table_html(_formatted(concepts)),
        ),
        ("Metadata", "\n".join(metadata_html(r.metadata, f"{r.name}: metadata.json") for r in c.runs)),
    ]
    title = f"Scenario comparison: {', '.join(order[1:])} vs {base.name}"
    return page(title, sections)


def comparison_figures(
    c: Comparison, folder: Path, outcomes: list[str], regions: list[str], map_outcome: str, labels: dict[str, str]
) -> list[tuple[Path, str]]:
    """Write the comparison's plots into ``folder``: (path, caption) in report order, differences first."""
    base, order, end = c.baseline, c.order, c.baseline.years[1]
    vs = f"{', '.join(order[1:])} vs {base.name}"
    belt_outcomes = [o for o in outcomes if o in set(c.summary.loc[c.summary.region == BELT, "variable"])]
    out = []

    def add(fig, name: str, caption: str) -> None:
        out.append((save_figure(fig, folder / f"{name}.png"), caption))

    n_pairs = min(len(p) for p in c.pairs.values())
    belt_panels = [(BELT, o, OUTCOME_LABELS[o]) for o in belt_outcomes]
    if belt_panels:  # outcomes without a belt value (e.g. only tfp) have regional plots only
        add(
            plot_difference_panels(
                c.summary, belt_panels, order, f"Difference from the baseline, whole belt: {vs}", n_pairs
            ),
            "differences_belt",
            "Belt totals and belt metrics: scenario minus baseline, paired by seed.",
        )
    for o in [o for o in outcomes if o in VARIABLES]:
        add(
            plot_difference_panels(
                c.summary,
                [(r, o, labels[r]) for r in regions],
                order,
                f"Difference from the baseline by region: {OUTCOME_LABELS[o]} ({vs})",
                n_pairs,
            ),
            f"differences_by_region_{o}",
            f"{OUTCOME_LABELS[o]} by region: scenario minus baseline.",
        )
    if belt_panels:
        add(
            plot_level_panels(c.outcomes, belt_panels, order, "Levels, whole belt, per scenario"),
            "levels_belt",
            "Levels of the belt outcomes.",
        )
    add(
        plot_level_panels(
            c.outcomes,
            [(BELT, m, OUTCOME_LABELS[m]) for m in INEQUALITY_METRICS],
            order,
            "Inequality, convergence and concentration in the belt, per scenario",
        ),
        "inequality",
        "Inequality across the belt's regions (RestOfChina excluded), beta convergence since the "
        "start year, talent concentration and the belt's share of national GDP.",
    )
    belt = base.belt
    boundaries, reason = load_boundaries(base.regions.region_zh[belt].to_dict())
    change = c.summary[(c.summary.year == end) & (c.summary.variable == map_outcome) & c.summary.region.isin(belt)]
    for run in c.runs[1:]:
        pct = change[change.scenario == run.name].set_index("region").pct_of_baseline.reindex(belt)
        nets = {f: net_flow_change(run, base, f, c.pairs[run.name], belt) for f in ("talent", "capital")}
        fig = plot_flow_map(
            base.regions.loc[belt],
            pct,
            nets,
            labels,
            f"{run.name} vs {base.name}: {OUTCOME_LABELS[map_outcome]} in {end} (colour) and change "
            f"in cumulative net flows {base.years[0]}-{end} among belt regions (arrows)",
            f"change in {OUTCOME_LABELS[map_outcome]}, % of baseline ({end}, mean of pairs)",
            boundaries,
            reason,
        )
        add(
            fig,
            f"map_{run.name}",
            f"Map: {run.name} minus {base.name}. Arrows point from a to b where the "
            "scenario moves more net talent or capital from a to b than the baseline.",
        )
    return out


def write_comparison(
    c: Comparison,
    out: Path,
    *,
    outcomes: list[str],
    regions: list[str],
    map_outcome: str,
    chinese: bool = False,
    force: bool = False,
) -> Path:
    """Write plots, effects.csv/.md, the full difference table, flow matrices and report.html atomically."""
    base = c.baseline
    labels = region_labels(list(base.regions.index), list(base.regions.region_zh), chinese)
    labels[BELT] = f"Belt ({len(base.belt)} regions)"
    rc = font_fallback_rc("".join(labels.values())) if chinese else {}
    end = base.years[1]
    table = effects_table(c.summary, end, outcomes, regions, c.baseline.headline_regions)
    inputs = [r.folder for r in c.runs]
    with matplotlib.rc_context(rc), atomic_folder(Path(out), force, kind="comparison", inputs=inputs) as tmp:
        figures = comparison_figures(c, tmp, outcomes, regions, map_outcome, labels)
        written = write_table(table, tmp / "effects", csv=True)
        write_text_atomic(tmp / "effects.md", effects_markdown(table, base.name))
        written += write_table(c.summary, tmp / "differences_over_time")
        written += write_table(flow_matrices(c.runs), tmp / "flow_matrices")
        write_json(
            tmp / "comparison.json",
            seal(
                {
                    "baseline": base.name,
                    "scenarios": c.order[1:],
                    "folders": {r.name: str(r.folder) for r in c.runs},
                    "paired_replications": c.pairs,
                    "end_year": end,
                    "outcomes": outcomes,
                    "regions": regions,
                    "method": METHOD,
                    "warnings": version_warnings(c.runs),
                    **provenance(),
                    "integrity": manifest(tmp, [*written, tmp / "effects.md"]),
                }
            ),
        )
        write_text_atomic(
            tmp / "report.html", comparison_html(c, figures, table, gdp_concepts_end_year(c.outcomes, end), labels)
        )
    return Path(out)
