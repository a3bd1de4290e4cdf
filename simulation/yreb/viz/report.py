"""Self-contained HTML reports (plots embedded as base64 PNG, no external files): for a run and a comparison.

The comparison report reads in the order a policy analyst hands it on: the summary first (one sentence and
one table per scenario), where the effect comes from (decomposition by channel), how sure it is (tornado over
the unpinned assumptions; the seed interval named as such), then the detail (differences by region, map,
inequality, tables), then method and provenance. A print stylesheet lays it out on A4 (report.pdf, printed
by a headless Chromium, ``yreb.viz.pdf``); what only a screen can use (long tables, more figures, metadata)
is collapsed there and left out of print.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import pandas as pd

from yreb.analysis.compare import (
    HEADLINE_OUTCOMES,
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
    headline_table,
    load_run,
    moved_share,
    net_flow_change,
    od_matrix,
    tornado_table,
    version_warnings,
)
from yreb.analysis.metrics import BELT, NATION
from yreb.errors import render_argument
from yreb.runs.integrity import manifest, seal
from yreb.runs.provenance import provenance
from yreb.runs.storage import atomic_folder, write_json, write_table, write_text
from yreb.viz.charts import Chart, difference_chart, level_chart, scripts_html
from yreb.viz.compare_plots import plot_difference_panels, plot_level_panels
from yreb.viz.i18n import ENGLISH, Words
from yreb.viz.maps import ARROW_THRESHOLD, load_boundaries, plot_flow_map
from yreb.viz.pdf import print_pdf
from yreb.viz.plotting import RUN_PLOTS, font_fallback_rc, plot_run, region_labels, save_figure, scenario_colour
from yreb.viz.render import parallel_figures, wait_for_figures
from yreb.viz.summary_plots import plot_decomposition, plot_tornado

if TYPE_CHECKING:
    from yreb.analysis.decompose import Decomposition

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
.sentence { font-size: 1.08em; } .desc { color: #444; font-style: italic; margin: .2em 0; }
table.summary td, table.summary th { padding: .3em .6em; } table.summary .ci { color: #666; font-size: .85em; }
table.summary tr.headline td { font-weight: 600; } table.summary tr.first-region td { border-top: 2px solid #888; }
table.scenarios, table.fixed { table-layout: fixed; width: 100%; }
table.scenarios td, table.fixed td, table.fixed th { overflow-wrap: anywhere; }
td.pos { color: #14532d; } td.neg { color: #7f1d1d; }
figure { margin: .5em 0 1.2em; } figcaption { margin-top: -.8em; }
figure.chart { overflow-x: auto; margin: 1em 0 2em; } .chart-error { color: #a00; }
@page { size: A4; margin: 13mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; line-height: 1.3; }
  h1 { font-size: 15pt; margin: 0 0 .3em; } h2 { font-size: 12.5pt; margin-top: 1em; break-after: avoid; }
  h3 { font-size: 10.5pt; break-after: avoid; margin: .6em 0 .2em; }
  .no-print, details { display: none !important; }
  section.page { break-before: page; }
  figure, table, img { break-inside: avoid; }
  img { max-height: 23.5cm; max-width: 100%; margin: .2em 0 .6em; border: 0; }
  figure.half img { max-height: 11cm; }
  table { font-size: 7.5pt; margin: .3em 0 .8em; width: 100%; } th, td { padding: .12em .3em; }
  tr:nth-child(even) { background: #f3f3f3; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def image_html(path: Path, caption: str = "") -> str:
    """An <img> with the PNG embedded as base64 (the report works offline and alone)."""
    wait_for_figures()  # the figure may still be being drawn by a child process
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


def page(title: str, sections: list[tuple], intro: str = "", lang: str = "en", scripts: str = "") -> str:
    """A complete HTML document: title, intro, then sections, each (heading, inner HTML) or (heading, inner
    HTML, id, CSS class); a section of class ``page`` starts a new printed page; ``scripts`` end the body."""
    parts = []
    for section in sections:
        heading, inner, ident, cls = (*section, "", "")[:4]
        attrs = (f" id='{ident}'" if ident else "") + (f" class='{cls}'" if cls else "")
        parts.append(f"<section{attrs}><h2>{html.escape(heading)}</h2>\n{inner}</section>")
    body = "\n".join(parts)
    return (
        f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head>\n<body><h1>{html.escape(title)}</h1>\n{intro}\n{body}\n{scripts}</body></html>\n"
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


RUN_MORE_FIGURES = "'yreb run --more-figures' (in Python: save(more_figures=True))"


@contextmanager
def write_run_figures(results: pd.DataFrame, folder: Path, scenario, *, more_figures: bool = False) -> Iterator[None]:
    """The run plots and report.html of a result folder being written (``run_to_folder(figures=...)``): the
    plots are drawn from ``results`` by child processes (``parallel_figures``) while the block writes the
    tables; report.html (``write_run_report``) is written from the folder when the block ends."""
    with parallel_figures():
        plot_run(results, folder, scenario)
        yield
        write_run_report(folder, more_figures=more_figures)


def write_run_report(folder: str | Path, *, more_figures: bool = False) -> Path:
    """``folder/report.html`` for one result folder: its description, its plots, the belt's inequality metrics as
    a chart the browser draws (and as inequality.png with ``more_figures``), end-year belt outcomes, GDP
    concepts and metadata."""
    folder = Path(folder)
    run = load_run(folder, flows=False)
    end = run.years[1]
    metrics = run.belt_metrics()
    outcomes = run.outcomes(year=end)  # the tables show the last year only
    panels = [(BELT, m, OUTCOME_LABELS[m]) for m in INEQUALITY_METRICS]
    title = f"Inequality, convergence and concentration in the belt: scenario '{run.name}'"
    if more_figures:
        save_figure(plot_level_panels(metrics, panels, [run.name], title), folder / "inequality.png")
    inequality = level_chart(metrics, panels, [run.name], title, ident="inequality")
    images = [folder / f"{v}.png" for v in RUN_PLOTS]
    intro = (
        f"<p>{html.escape(run.description or '(no description)')}</p><p class='note'>{run.years[0]}-{end}, "
        f"{run.results.replication.nunique()} replication(s), root seed {esc(run.metadata['scenario'].get('seed'))}; "
        f"policies: {html.escape(policies_text(run))}.</p>"
    )
    sections = [
        ("Plots", "\n".join(image_html(p) for p in images)),
        (
            "Inequality, convergence and concentration in the belt",
            f"<p class='note'>{_e(ENGLISH.t('more_figures_note', more_figures=RUN_MORE_FIGURES))}</p>"
            + inequality.html(),
        ),
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
    write_text_atomic(path, page(f"Run report: {run.name}", sections, intro, scripts=scripts_html()))
    return path


def _formatted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda col: col.map(format_number) if pd.api.types.is_float_dtype(col) else col)


# --- the comparison report --------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def fmt_pct(x: float, sign: bool = True) -> str:
    """A change in %: +3.4%, -0.12%, +0.004% (n/a for NaN)."""
    if pd.isna(x):
        return "n/a"
    digits = 1 if abs(x) >= 10 else 2 if abs(x) >= 0.1 else 3
    return f"{x:+.{digits}f}%" if sign else f"{x:.{digits}f}%"


def fmt_abs(x: float) -> str:
    """A change in units, signed: +1,234 or +0.56."""
    if pd.isna(x):
        return "n/a"
    return f"{x:+,.0f}" if abs(x) >= 100 else f"{x:+.3g}"


def _interval(lo: float, hi: float, fmt) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return ""
    return f"<br><span class='ci'>[{fmt(lo)}, {fmt(hi)}]</span>"


def _sign_class(x: float) -> str:
    return "" if pd.isna(x) or x == 0 else " class='pos'" if x > 0 else " class='neg'"


CONCEPT_COLUMNS = (
    "scenario",
    "region",
    "gdp_100m_yuan",
    "gdp_attributed_100m_yuan",
    "gdp_nominal_100m_yuan",
    "income_100m_yuan",
    "attributed_minus_location_100m_yuan",
    "income_minus_nominal_gdp_100m_yuan",
)
SUMMARY_COLUMNS = (  # (outcome, in %, header key)
    ("gdp_100m_yuan", True, "col_gdp_pct"),
    ("gdp_100m_yuan", False, "col_gdp_abs"),
    ("real_income_per_capita_yuan", True, "col_income_pct"),
    ("real_income_per_capita_yuan", False, "col_income_abs"),
    ("welfare_yuan", True, "col_welfare_pct"),
)


def summary_table_html(table: pd.DataFrame, labels: dict[str, str], words: Words) -> str:
    """The summary table of one scenario: headline rows, then the largest regional gains and losses; each cell
    the effect with its seed interval below."""
    head = "".join(f"<th>{_e(words.t(key))}</th>" for _, _, key in SUMMARY_COLUMNS)
    rows, previous = [], "headline"
    for r in table.itertuples(index=False):
        record = dict(zip(table.columns, r))
        cls = "headline" if record["role"] == "headline" else "region"
        if record["role"] != "headline" and previous == "headline":
            cls += " first-region"
        previous = record["role"]
        role = words.t(f"role_{record['role']}")
        name = _e(labels.get(record["region"], record["region"])) + (
            f" <span class='ci'>({_e(role)})</span>" if role else ""
        )
        cells = []
        for outcome, pct, _ in SUMMARY_COLUMNS:
            if outcome not in record or pd.isna(record.get(outcome)):
                cells.append("<td>n/a</td>")
                continue
            if pct:
                value = record[f"{outcome}:pct"]
                text = fmt_pct(value) + _interval(record[f"{outcome}:pct_low"], record[f"{outcome}:pct_high"], fmt_pct)
            else:
                value = record[outcome]
                text = fmt_abs(value) + _interval(record[f"{outcome}:low"], record[f"{outcome}:high"], fmt_abs)
            cells.append(f"<td{_sign_class(value)}>{text}</td>")
        rows.append(f"<tr class='{cls}'><td>{name}</td>{''.join(cells)}</tr>")
    return (
        f"<table class='summary'><thead><tr><th>{_e(words.t('col_region'))}</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def summary_sentence(table: pd.DataFrame, scenario: str, year: int, headline: list[str], words: Words) -> str:
    """One sentence: national, belt and rest-of-China real GDP, how much of the belt's gain is moved, welfare."""
    rows = table.set_index("region")
    nation, belt, rest = headline[0], headline[1], headline[2] if len(headline) > 2 else None

    def gdp(region: str) -> str:
        r = rows.loc[region]
        return f"{fmt_pct(r['gdp_100m_yuan:pct'])} ({fmt_abs(r['gdp_100m_yuan'])} 100m yuan)"

    welfare = fmt_pct(rows.loc[nation].get("welfare_yuan:pct", float("nan")))
    values = dict(year=year, scenario=scenario, nation=gdp(nation), belt=gdp(belt), welfare=welfare)
    values["rest"] = gdp(rest) if rest is not None else "n/a"
    moved = moved_share(table, belt, rest) if rest is not None else None
    if moved is not None:
        return words.t("sentence_moved", moved=moved, **values)
    return words.t("sentence", **values)


LARGE_MOVE_PCT = 10.0  # a region whose real GDP moves more than this (%) is named in the summary with its channel


def large_moves_note(
    c: Comparison, scenario: str, year: int, labels: dict, words: Words, decomposition: Decomposition | None, flags
) -> str:
    """The regions whose real GDP moves by more than LARGE_MOVE_PCT in ``year``, each with the component that
    moves it most (from the decomposition; without one, how to compute it). Empty when none moves that much."""
    s = c.summary
    rows = s[(s.scenario == scenario) & (s.variable == "gdp_100m_yuan") & (s.year == year)]
    rows = rows[rows.region.isin(c.baseline.regions.index) & (rows.pct_of_baseline.abs() > LARGE_MOVE_PCT)]
    if rows.empty:
        return ""
    items = []
    for row in rows.itertuples():
        item = f"{labels.get(row.region, row.region)} {fmt_pct(row.pct_of_baseline)}"
        if decomposition is not None:
            d = decomposition.table
            parts = d[
                (d.scenario == scenario)
                & (d.region == row.region)
                & (d.variable == "gdp_100m_yuan")
                & (d.year == year)
                & ~d.component.isin(["interaction", "total"])
            ]
            top = parts.loc[parts.pct_of_baseline.abs().idxmax()]
            item += " " + words.t(
                "large_channel",
                component=top.component,
                channel=words.channel(top.channel),
                pct=fmt_pct(top.pct_of_baseline),
            )
        items.append(item)
    note = words.t("large_moves", limit=f"{LARGE_MOVE_PCT:g}", year=year, items="; ".join(items))
    if decomposition is None:
        note += " " + words.t("large_moves_decompose", decompose=_how_to("decompose", flags))
    return f"<p class='sentence'>{_e(note)}</p>"


def decomposition_table_html(table: pd.DataFrame, scenario: str, year: int, labels: dict, words: Words) -> str:
    """Components x (nation, belt, rest of China real GDP; national welfare), % of baseline with seed
    intervals."""
    rows = table[(table.scenario == scenario) & (table.year == year)]
    wanted = [
        (NATION, "gdp_100m_yuan"),
        (BELT, "gdp_100m_yuan"),
        ("RestOfChina", "gdp_100m_yuan"),
        (NATION, "welfare_yuan"),
    ]
    columns = [(r, v) for r, v in wanted if ((rows.region == r) & (rows.variable == v)).any()]
    head = "".join(f"<th>{_e(labels.get(r, r))}: {_e(words.outcome(v))}, %</th>" for r, v in columns)
    body = []
    for component in dict.fromkeys(rows.component):
        part = rows[rows.component == component]
        channel = part.channel.iloc[0]
        cells = []
        for region, variable in columns:
            x = part[(part.region == region) & (part.variable == variable)].iloc[0]
            cells.append(f"<td{_sign_class(x.pct_of_baseline)}>{fmt_pct(x.pct_of_baseline)}"
                         f"{_interval(x.pct_low, x.pct_high, fmt_pct)}</td>")  # fmt: skip
        name = words.channel(component) if component in ("interaction", "total") else component
        style = " class='headline'" if component == "total" else ""
        body.append(f"<tr{style}><td>{_e(name)}</td><td>{_e(words.channel(channel))}</td>{''.join(cells)}</tr>")
    return (
        f"<table class='summary'><thead><tr><th>{_e(words.t('col_component'))}</th>"
        f"<th>{_e(words.t('col_channel'))}</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def tornado_table_html(tornado: pd.DataFrame, scenario: str, labels: dict, words: Words, top: int = 8) -> str:
    """The largest swings per outcome: assumption (range), effect at the low end, at the defaults, at the high
    end (% of baseline)."""
    rows = tornado[tornado.scenario == scenario]
    out = []
    for (region, variable), part in rows.groupby(["region", "variable"], sort=False):
        body = "".join(
            f"<tr><td>{_e(r.parameter)} ({r.low_value:g}-{r.high_value:g})</td><td>{fmt_pct(r.low)}</td>"
            f"<td>{fmt_pct(r.default)}</td><td>{fmt_pct(r.high)}</td><td>{fmt_pct(r.swing, sign=False)}</td></tr>"
            for r in part.head(top).itertuples()
        )
        out.append(
            f"<h4>{_e(labels.get(region, region))}: {_e(words.outcome(variable))}</h4><table><thead><tr>"
            + "".join(
                f"<th>{_e(words.t(k))}</th>"
                for k in ("col_parameter", "col_low", "col_default", "col_high", "col_swing")
            )
            + f"</tr></thead><tbody>{body}</tbody></table>"
        )
    return "<div class='no-print'>" + "".join(out) + "</div>"


def regional_pct_table_html(
    c: Comparison, scenario: str, outcomes: list[str], regions: list[str], labels, words
) -> str:
    """Regions (headline first) x model variables: the end-year effect in % of the baseline."""
    rows = c.summary[(c.summary.scenario == scenario) & (c.summary.year == c.end_year)]
    variables = [o for o in outcomes if o in VARIABLES]
    order = list(dict.fromkeys([*c.baseline.headline_regions, *regions]))
    wide = rows[rows.variable.isin(variables)].pivot_table(index="region", columns="variable", values="pct_of_baseline")
    head = "".join(f"<th>{_e(words.outcome(v))}, %</th>" for v in variables)
    body = "".join(
        f"<tr><td>{_e(labels.get(r, r))}</td>"
        + "".join(f"<td{_sign_class(wide.loc[r, v])}>{fmt_pct(wide.loc[r, v])}</td>" for v in variables)
        + "</tr>"
        for r in order
        if r in wide.index
    )
    return f"<table><thead><tr><th>{_e(words.t('col_region'))}</th>{head}</tr></thead><tbody>{body}</tbody></table>"


def effects_html(effects: pd.DataFrame, labels: dict, words: Words) -> str:
    """The long effects table with readable headers (outcome names and units, not column names)."""
    body = "".join(
        f"<tr><td>{_e(labels.get(r.region, r.region))}</td><td>{_e(words.outcome(r.variable))}</td>"
        f"<td>{_e(words.unit(r.unit))}</td><td>{format_number(r.baseline_mean)}</td>"
        f"<td>{format_number(r.scenario_mean)}</td><td{_sign_class(r.mean_difference)}>{fmt_abs(r.mean_difference)}</td>"
        f"<td>[{fmt_abs(r.ci90_low)}, {fmt_abs(r.ci90_high)}]</td><td>{fmt_pct(r.pct_of_baseline)}</td></tr>"
        for r in effects.itertuples()
    )
    keys = (
        "col_region",
        "col_outcome",
        "col_unit",
        "col_baseline",
        "col_scenario",
        "col_effect",
        "col_interval",
        "col_pct",
    )
    head = "".join(f"<th>{_e(words.t(k))}</th>" for k in keys)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def scenarios_html(c: Comparison, words: Words) -> str:
    """The compared runs: description, replications, pairs, policies, seed, years, folder."""
    base, order = c.baseline, c.order
    rows = "".join(
        f"<tr><td><span style='color:{scenario_colour(r.name, order)}'>&#9632;</span> {_e(r.name)}"
        f"{_e(words.t('baseline_tag')) if r is base else ''}</td><td style='text-align:left'>{_e(r.description)}</td>"
        f"<td>{r.results.replication.nunique()}</td><td>{len(c.pairs.get(r.name, [])) or '-'}</td>"
        f"<td style='text-align:left'>{_e(policies_text(r))}</td>"
        f"<td>{_e(r.metadata['scenario'].get('seed'))}</td><td>{r.years[0]}-{r.years[1]}</td>"
        f"<td style='text-align:left'><code>{_e(r.folder)}</code></td></tr>"
        for r in c.runs
    )
    keys = ("col_scenario", "col_description", "col_replications", "col_pairs", "col_policies", "col_seed",
            "col_years", "col_folder")  # fmt: skip
    return f"<table class='scenarios'><tr>{''.join(f'<th>{_e(words.t(k))}</th>' for k in keys)}</tr>{rows}</table>"


def display_labels(c: Comparison, chinese: bool) -> dict[str, str]:
    """Display names of the regions and the aggregates (nation, belt, rest of China) in the report's language."""
    base, words = c.baseline, Words(chinese)
    labels = region_labels(list(base.regions.index), list(base.regions.region_zh), chinese)
    labels[NATION] = words.t(NATION)
    labels[BELT] = words.t(BELT, n=len(base.belt))
    labels["OutsideBelt"] = words.t("OutsideBelt")
    if "RestOfChina" in labels:
        labels["RestOfChina"] = words.t("RestOfChina")
    return labels


@dataclass
class Figures:
    """The comparison's figures by part of the report: (PNG path, caption) lists, and charts."""

    summary: dict[str, dict[str, tuple[Path, str]]]  # scenario -> {"decomposition"|"tornado": figure}
    detail: list[tuple[Path, str]]
    more: list[Chart]  # screen only, drawn by the browser
    carbon: list[tuple[Path, str]] = field(default_factory=list)  # when the runs recorded CO2


def has_carbon(c: Comparison) -> bool:
    """Whether the compared runs recorded CO2 (docs/MODEL.md 7.13)."""
    return bool((c.summary.variable == "co2_Mt").any())


def carbon_table_html(c: Comparison, scenario: str, labels: dict[str, str], words: Words) -> str:
    """Nation, belt, rest of China, then every belt region: end-year CO2 of the baseline, its change (Mt and %)
    and the change of CO2 per 10,000 yuan of GDP (%)."""
    rows = c.summary[(c.summary.scenario == scenario) & (c.summary.year == c.end_year)]
    co2 = rows[rows.variable == "co2_Mt"].set_index("region")
    intensity = rows[rows.variable == "co2_per_10k_yuan_gdp"].set_index("region")
    order = [r for r in dict.fromkeys([*c.baseline.headline_regions, *c.baseline.belt]) if r in co2.index]
    keys = ("col_region", "col_co2_base", "col_co2_change", "col_co2_pct", "col_intensity_base", "col_intensity_pct")
    head = "".join(f"<th>{_e(words.t(k))}</th>" for k in keys)
    body = "".join(
        f"<tr><td>{_e(labels.get(r, r))}</td><td>{format_number(co2.baseline_mean[r])}</td>"
        f"<td{_sign_class(co2.mean_difference[r])}>{fmt_abs(co2.mean_difference[r])}</td>"
        f"<td{_sign_class(co2.pct_of_baseline[r])}>{fmt_pct(co2.pct_of_baseline[r])}</td>"
        f"<td>{format_number(intensity.baseline_mean[r])}</td>"
        f"<td{_sign_class(intensity.pct_of_baseline[r])}>{fmt_pct(intensity.pct_of_baseline[r])}</td></tr>"
        for r in order
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    share = rows[(rows.variable == "belt_share_national_co2") & (rows.region == BELT)]
    if share.empty:
        return table
    s = share.iloc[0]
    sentence = words.t(
        "carbon_share", year=c.end_year, baseline=fmt_pct(100 * s.baseline_mean, sign=False),
        scenario=fmt_pct(100 * s.scenario_mean, sign=False),
    )  # fmt: skip
    return f"<p class='sentence'>{_e(sentence)}</p>" + table


def carbon_html(c: Comparison, figures: Figures, labels: dict[str, str], words: Words) -> str:
    """The carbon section: its note, the CO2 figure, and one table per scenario."""
    parts = [f"<p class='note'>{_e(words.t('carbon_note', year=c.end_year))}</p>"]
    parts += [image_html(path, caption) for path, caption in figures.carbon]
    for run in c.runs[1:]:
        parts.append(f"<h3>{_e(run.name)}</h3>" + carbon_table_html(c, run.name, labels, words))
    return "\n".join(parts)


def comparison_figures(
    c: Comparison,
    folder: Path,
    outcomes: list[str],
    regions: list[str],
    map_outcome: str,
    labels: dict[str, str],
    *,
    words: Words = ENGLISH,
    formats: tuple[str, ...] = ("png",),
    decomposition: Decomposition | None = None,
    tornado: pd.DataFrame | None = None,
    more_figures: bool = False,
) -> Figures:
    """Write the comparison's plots into ``folder`` (PNG and ``formats``), grouped as the report shows them; the
    screen-only ones as charts for the browser (and as files too with ``more_figures``)."""
    base, order, end = c.baseline, c.order, c.end_year
    vs = f"{', '.join(order[1:])} vs {base.name}"
    headline = base.headline_regions
    figures = Figures({run.name: {} for run in c.runs[1:]}, [], [])

    def save(fig, name: str) -> Path:
        return save_figure(fig, folder / f"{name}.png", formats)

    n_pairs = min(len(p) for p in c.pairs.values())
    for run in c.runs[1:]:
        if decomposition is not None:
            fig = plot_decomposition(decomposition.table, run.name, base.name, end, labels, words)
            figures.summary[run.name]["decomposition"] = (save(fig, f"decomposition_{run.name}"), "")
        if tornado is not None:
            seed = c.summary[(c.summary.scenario == run.name) & (c.summary.year == end)]
            fig = plot_tornado(tornado, seed, run.name, base.name, end, labels, words)
            figures.summary[run.name]["tornado"] = (save(fig, f"tornado_{run.name}"), "")
    head_panels = [(r, o, f"{labels.get(r, r)}: {words.outcome(o)}") for o in HEADLINE_OUTCOMES for r in headline]
    figures.detail.append(
        (
            save(
                plot_difference_panels(
                    c.summary, head_panels, order, words.t("diff_belt_title", vs=vs), n_pairs, pct=True, words=words
                ),
                "differences_belt",
            ),
            words.t("cap_headline"),
        )
    )
    region_panels = lambda o: [(r, o, labels.get(r, r)) for r in [*headline, *regions]]  # noqa: E731
    figures.detail.append(
        (
            save(
                plot_difference_panels(
                    c.summary,
                    region_panels("gdp_100m_yuan"),
                    order,
                    words.t("diff_region_pct_title", outcome=words.outcome("gdp_100m_yuan"), vs=vs),
                    n_pairs,
                    pct=True,
                    words=words,
                    ncols=5,
                ),
                "differences_by_region_gdp_100m_yuan_pct",
            ),
            words.t("cap_regions"),
        )
    )
    if has_carbon(c):
        fig = plot_difference_panels(
            c.summary, region_panels("co2_Mt"), order,
            words.t("diff_region_pct_title", outcome=words.outcome("co2_Mt"), vs=vs), n_pairs, pct=True, words=words,
            ncols=5,
        )  # fmt: skip
        figures.carbon.append((save(fig, "differences_by_region_co2_Mt_pct"), words.t("cap_carbon")))
    belt = base.belt
    boundaries, reason = load_boundaries(base.regions.region_zh[belt].to_dict())
    change = c.summary[(c.summary.year == end) & (c.summary.variable == map_outcome) & c.summary.region.isin(belt)]
    for run in c.runs[1:]:
        pct = change[change.scenario == run.name].set_index("region").pct_of_baseline.reindex(belt)
        nets, thresholds = {}, {}
        for factor in ("talent", "capital"):
            nets[factor] = net_flow_change(run, base, factor, c.pairs[run.name], belt)
            gross = od_matrix(base.flows[base.flows.replication.isin(c.pairs[run.name])], factor, belt)
            gross = gross + gross.T.to_numpy()
            thresholds[factor] = ARROW_THRESHOLD * float(gross.to_numpy().max())
        fig = plot_flow_map(
            base.regions.loc[belt],
            pct,
            nets,
            labels,
            words.t(
                "map_title",
                scenario=run.name,
                baseline=base.name,
                outcome=words.outcome(map_outcome),
                year=end,
                start=base.years[0],
            ),  # fmt: skip
            words.t("map_colour", outcome=words.outcome(map_outcome), year=end),
            boundaries,
            reason,
            thresholds=thresholds,
            words=words,
        )
        figures.detail.append((save(fig, f"map_{run.name}"), words.t("cap_map", scenario=run.name, baseline=base.name)))
    figures.detail.append(
        (
            save(
                plot_level_panels(
                    c.outcomes,
                    [(BELT, m, words.outcome(m)) for m in INEQUALITY_METRICS],
                    order,
                    words.t("inequality_title"),
                    words=words,
                ),
                "inequality",
            ),
            words.t("cap_inequality"),
        )
    )
    # more figures (screen only, drawn by the browser; as files too with ``more_figures``): absolute differences
    # per region of every variable (% for real GDP is above) and the levels
    for o in [o for o in outcomes if o in VARIABLES]:
        title = words.t("diff_region_title", outcome=words.outcome(o), vs=vs)
        name = f"differences_by_region_{o}"
        args = (c.summary, region_panels(o), order, title, n_pairs)
        figures.more.append(difference_chart(*args, words=words, ident=name))
        if more_figures:
            save(plot_difference_panels(*args, words=words, ncols=5), name)
    belt_outcomes = [o for o in outcomes if o in set(c.summary.loc[c.summary.region == BELT, "variable"])]
    level_panels = [(r, o, f"{labels.get(r, r)}: {words.outcome(o)}") for o in HEADLINE_OUTCOMES for r in headline]
    level_panels += [(BELT, o, words.outcome(o)) for o in belt_outcomes if o not in VARIABLES]
    title = words.t("levels_title")
    figures.more.append(level_chart(c.outcomes, level_panels, order, title, words=words, ident="levels_belt"))
    if more_figures:
        save(plot_level_panels(c.outcomes, level_panels, order, title, words=words), "levels_belt")
    return figures


def _how_to(argument: str, flags: dict[str, str] | None) -> str:
    """How to switch an optional part on: ``--decompose`` on the command line, ``decompose=True`` in Python."""
    return render_argument(argument, flags)


def comparison_html(
    c: Comparison,
    figures: Figures,
    effects: pd.DataFrame,
    concepts: pd.DataFrame,
    labels: dict[str, str],
    *,
    outcomes: list[str],
    regions: list[str],
    words: Words = ENGLISH,
    decomposition: Decomposition | None = None,
    tornado: pd.DataFrame | None = None,
    warnings: list[str] = (),
    flags: dict[str, str] | None = None,
) -> str:
    """The comparison report: summary, where the effect comes from, how sure, detail, method and provenance."""
    base, end = c.baseline, c.end_year
    headline = base.headline_regions
    n_pairs = min(len(p) for p in c.pairs.values())
    sections = []
    if warnings:
        sections.append((words.t("warnings"), "".join(f"<p class='warning'>{_e(w)}</p>" for w in warnings), "warnings"))
    summary = []
    for run in c.runs[1:]:
        table = headline_table(c.summary, run.name, end, headline, base.belt)
        summary.append(
            f"<h3>{_e(run.name)}</h3>"
            + (f"<p class='desc'>{_e(run.description)}</p>" if run.description else "")
            + f"<p class='sentence'>{_e(summary_sentence(table, run.name, end, headline, words))}</p>"
            + large_moves_note(c, run.name, end, labels, words, decomposition, flags)
            + summary_table_html(table, labels, words)
        )
    summary.append(f"<p class='note'>{_e(words.t('summary_note', year=end, n=n_pairs))}</p>")
    sections.append((words.t("summary"), "\n".join(summary), "summary"))
    where = [f"<p class='note'>{_e(words.t('where_note'))}</p>"] if decomposition is not None else []
    if decomposition is None:
        where.append(f"<p>{_e(words.t('where_missing', decompose=_how_to('decompose', flags)))}</p>")
    else:
        for run in c.runs[1:]:
            path, caption = figures.summary[run.name]["decomposition"]
            where.append(
                f"<h3>{_e(run.name)}</h3>"
                + image_html(path, caption)
                + decomposition_table_html(decomposition.table, run.name, end, labels, words)
            )
    sections.append((words.t("where"), "\n".join(where), "where", "page"))
    sure = []
    if tornado is None:
        sure.append(f"<p>{_e(words.t('tornado_missing', sensitivity=_how_to('sensitivity', flags)))}</p>")
    else:
        sure.append(f"<p class='note'>{_e(words.t('tornado_note', year=end))}</p>")
        for run in c.runs[1:]:
            path, caption = figures.summary[run.name]["tornado"]
            sure.append(
                f"<h3>{_e(run.name)}</h3>"
                + image_html(path, caption)
                + tornado_table_html(tornado, run.name, labels, words)
            )
    sure.append(f"<p>{_e(words.t('seed_note', n=n_pairs))}</p>")
    sections.append((words.t("how_sure"), "\n".join(sure), "how-sure"))
    detail = [image_html(path, caption) for path, caption in figures.detail]
    for run in c.runs[1:]:
        detail.append(
            f"<h3>{_e(run.name)}: {_e(words.t('col_pct'))}, {end}</h3>"
            + regional_pct_table_html(c, run.name, outcomes, regions, labels, words)
        )
    detail.append(
        f"<details><summary>{_e(words.t('effects_table', year=end))}</summary>"
        f"{effects_html(effects, labels, words)}</details>"
    )
    concepts = _formatted(concepts.assign(region=concepts.region.map(lambda r: labels.get(r, r))))
    concepts = concepts.rename(columns={k: words.t(f"concept_{k}") for k in CONCEPT_COLUMNS})
    detail.append(
        f"<details><summary>{_e(words.t('concepts', year=end))}</summary>"
        f"{CONCEPTS_NOTE}{concepts.to_html(index=False, border=0, na_rep='n/a', classes='fixed')}</details>"
    )
    detail.append(
        f"<details class='no-print'><summary>{_e(words.t('more_figures'))}</summary>"
        f"<p class='note'>{_e(words.t('more_figures_note', more_figures=_how_to('more_figures', flags)))}</p>"
        + "\n".join(chart.html() for chart in figures.more)
        + "</details>"
    )
    sections.append((words.t("detail"), "\n".join(detail), "detail", "page"))
    if has_carbon(c):
        sections.append((words.t("carbon"), carbon_html(c, figures, labels, words), "carbon"))
    method = (
        f"<p>{_e(METHOD)}</p>"
        + scenarios_html(c, words)
        + f"<p class='note'>yreb {_e(provenance().get('versions', {}).get('yreb-flows', ''))}, code "
        f"{_e(str(provenance().get('code_sha256', ''))[:12])}</p>"
        + f"<details><summary>{_e(words.t('metadata'))}</summary>"
        + "\n".join(metadata_html(r.metadata, f"{r.name}: metadata.json") for r in c.runs)
        + "</details>"
    )
    sections.append((words.t("method"), method, "method", "page"))
    title = words.t("title", scenarios=", ".join(c.order[1:]), baseline=base.name)
    return page(title, sections, lang="zh" if words.chinese else "en", scripts=scripts_html() if figures.more else "")


def write_comparison(
    c: Comparison,
    out: Path,
    *,
    outcomes: list[str],
    regions: list[str],
    map_outcome: str,
    chinese: bool = False,
    force: bool = False,
    formats: tuple[str, ...] = ("png",),
    decomposition: Decomposition | None = None,
    sensitivity: pd.DataFrame | None = None,
    pdf: bool = True,
    flags: dict[str, str] | None = None,
    more_figures: bool = False,
) -> tuple[Path, list[str]]:
    """Write plots (PNG and ``formats``; the screen-only ones as browser-drawn charts, and as files too with
    ``more_figures``), effects.csv/.md, the full difference table, flow matrices, the
    decomposition and sensitivity tables when given, report.html and (``pdf``, with a Chromium) report.pdf,
    atomically. Returns the folder and the warnings (unpaired replications; a PDF that could not be made)."""
    base = c.baseline
    words = Words(chinese)
    labels = display_labels(c, chinese)
    rc = (
        font_fallback_rc("".join(labels.values()) + "".join(words.t(k) for k in ("summary", "where")))
        if chinese
        else {}
    )
    end = c.end_year
    table = effects_table(c.summary, end, outcomes, regions, base.headline_regions)
    tornado = tornado_table(sensitivity, c.summary, end) if sensitivity is not None else None
    warnings = [*version_warnings(c.runs), *c.pairing_warnings()]
    inputs = [r.folder for r in c.runs]
    with matplotlib.rc_context(rc), atomic_folder(Path(out), force, kind="comparison", inputs=inputs) as tmp:
        with parallel_figures():  # drawn by child processes while the tables are written; all done when it ends
            figures = comparison_figures(
                c, tmp, outcomes, regions, map_outcome, labels, words=words, formats=formats,
                decomposition=decomposition, tornado=tornado, more_figures=more_figures,
            )  # fmt: skip
            written = write_table(table, tmp / "effects", csv=True)
            write_text_atomic(tmp / "effects.md", effects_markdown(table, base.name))
            written += write_table(c.summary, tmp / "differences_over_time")
            written += write_table(flow_matrices(c.runs), tmp / "flow_matrices")
            summaries = [
                headline_table(c.summary, run.name, end, base.headline_regions, base.belt).assign(scenario=run.name)
                for run in c.runs[1:]
            ]
            written += write_table(pd.concat(summaries, ignore_index=True), tmp / "summary", csv=True)
            if decomposition is not None:
                written += write_table(decomposition.table, tmp / "decomposition", csv=True)
            if sensitivity is not None:
                written += write_table(sensitivity, tmp / "sensitivity", csv=True)
                written += write_table(tornado, tmp / "tornado", csv=True)
        html_text = comparison_html(
            c, figures, table, gdp_concepts_end_year(c.outcomes, end), labels, outcomes=outcomes, regions=regions,
            words=words, decomposition=decomposition, tornado=tornado, warnings=warnings, flags=flags,
        )  # fmt: skip
        write_text_atomic(tmp / "report.html", html_text)
        if pdf:
            reason = print_pdf(tmp / "report.html", tmp / "report.pdf")
            if reason:
                warnings = [*warnings, f"report.pdf not written: {reason}"]
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
                    "decomposition": decomposition is not None,
                    "sensitivity": sensitivity is not None,
                    "formats": ["png", *[f for f in formats if f != "png"]],
                    "more_figures": more_figures,
                    "warnings": warnings,
                    **provenance(),
                    "integrity": manifest(tmp, [*written, tmp / "effects.md"]),
                }
            ),
        )
    return Path(out), warnings
