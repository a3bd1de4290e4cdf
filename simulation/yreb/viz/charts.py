"""Charts the browser draws: Vega-Lite specifications of band panels, inlined with the vendored Vega scripts.

The report's screen-only figures are small multiples of many panels; matplotlib spends about 0.1 s of CPU on
each panel, the browser a few milliseconds. A chart here is a specification (data included) in the HTML, drawn
when the page is opened; the Vega, Vega-Lite and vega-embed scripts (``yreb/viz/vendor``, written by
``tools/vendor_vega.py``) are inlined once per page, so the report stays one file that works offline. Each
chart's menu saves it as PNG or SVG; ``--more-figures`` writes the same panels as files (matplotlib) too.
"""

from __future__ import annotations

import json
import math
import textwrap
import unicodedata
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import pandas as pd

from yreb.viz.compare_plots import (
    Panel,
    difference_axis_titles,
    difference_bands,
    level_axis_titles,
    level_bands,
    replication_count,
)
from yreb.viz.i18n import ENGLISH, Words
from yreb.viz.plotting import scenario_colour

SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")  # in this order (each needs the previous)
REPORT_WIDTH_PX = 1150  # the report's text width (max-width 1200px) less padding
SIGNIFICANT_DIGITS = 6  # of the values in a chart's data (what a tooltip shows; the tables keep full precision)


@dataclass(frozen=True)
class Chart:
    """One chart: its Vega-Lite specification; ``html()`` is where it appears in the page."""

    ident: str
    spec: dict

    def html(self) -> str:
        """A container and the specification (JSON inside a script element, '<' escaped); drawn by
        ``scripts_html``'s loader."""
        text = json.dumps(self.spec, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        text = text.replace("<", "\\u003c")
        return (
            f"<figure class='chart'><div id='{self.ident}' class='vega-chart'></div>"
            f"<script type='application/json' data-chart='{self.ident}'>{text}</script></figure>"
        )


LOADER = """
document.querySelectorAll("script[data-chart]").forEach(function (node) {
  vegaEmbed("#" + node.dataset.chart, JSON.parse(node.textContent),
            {renderer: "svg", actions: {export: true, source: false, compiled: false, editor: false}})
    .catch(function (error) {
      var box = document.getElementById(node.dataset.chart);
      box.className = "vega-chart chart-error";
      box.textContent = "This chart could not be drawn: " + error;
    });
});
"""


def scripts_html() -> str:
    """The vendored Vega scripts and the loader that draws every chart of the page (once, at its end)."""
    vendor = files("yreb.viz.vendor")
    inline = [vendor.joinpath(name).read_text(encoding="utf-8") for name in SCRIPTS]
    return "".join(f"<script>{source}</script>" for source in [*inline, LOADER])


def text_lines(text: str, width_px: float, font_px: float) -> list[str]:
    """``text`` broken at spaces into lines about ``width_px`` wide at ``font_px`` (wide CJK characters count
    about twice a Latin one): Vega draws titles on one line and cuts what does not fit, so they are wrapped here."""
    wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    average_px = font_px * (0.56 * (len(text) - wide) + 1.0 * wide) / max(len(text), 1)
    per_line = max(8, int(width_px / average_px))
    if wide:  # CJK text has no spaces to break at: cut it into pieces
        return [text[i : i + per_line] for i in range(0, len(text), per_line)] or [""]
    return textwrap.wrap(text, per_line) or [""]


def _rounded(values: np.ndarray) -> list:
    """Values to SIGNIFICANT_DIGITS digits; NaN as null (JSON has no NaN)."""
    out = []
    for v in np.asarray(values, dtype=float):
        out.append(None if not math.isfinite(v) else float(f"{v:.{SIGNIFICANT_DIGITS}g}"))
    return out


def band_panels(
    bands: pd.DataFrame,
    panels: list[tuple[str, str]],
    order: list[str],
    title: str,
    legend_title: str,
    *,
    words: Words,
    zero_line: bool,
    columns: int,
    ident: str,
) -> Chart:
    """Small multiples: panel k shows, for each scenario, its line ``mid`` over ``year`` with the band ``low``
    to ``high`` (and a dashed zero line when ``zero_line``). ``bands`` has the columns panel (k), scenario, year,
    mid, low, high; ``panels`` gives each panel's (title, y-axis title). Scenario colours as in every figure
    (``scenario_colour``); y scales per panel."""
    columns = max(1, min(columns, len(panels)))
    shared_unit = len({y for _, y in panels}) == 1  # then in the chart's subtitle, not beside every panel
    width = max(120, REPORT_WIDTH_PX // columns - (75 if shared_unit else 100))
    data = {
        "k": [int(k) for k in bands.panel],
        "s": [str(s) for s in bands.scenario],
        "t": [int(y) for y in bands.year],
        "m": _rounded(bands.mid),
        "lo": _rounded(bands.low),
        "hi": _rounded(bands.high),
    }
    rows = [dict(zip(data, values)) for values in zip(*data.values())]
    present = [s for s in order if s in set(data["s"])]
    colour = {
        "field": "s",
        "type": "nominal",
        "title": text_lines(legend_title, REPORT_WIDTH_PX * 0.8, 11),
        "scale": {"domain": present, "range": [scenario_colour(s, order) for s in present]},
        "legend": {
            "orient": "bottom",
            "direction": "horizontal",
            "titleLimit": 0,
            "labelLimit": 0,
            "symbolType": "stroke",
            "symbolStrokeWidth": 2.5,
        },
    }
    band_colour = {**colour, "legend": None}  # the legend shows the lines
    year_label = words.t("year")
    x = {
        "field": "t",
        "type": "quantitative",
        "title": year_label,
        "axis": {"format": "d", "tickMinStep": 1},
        "scale": {"zero": False, "nice": False},
    }
    tooltip = [
        {"field": "s", "title": words.t("chart_scenario")},
        {"field": "t", "title": year_label},
        {"field": "m", "title": words.t("chart_line"), "format": ",.4~r"},
        {"field": "lo", "title": words.t("chart_band_low"), "format": ",.4~r"},
        {"field": "hi", "title": words.t("chart_band_high"), "format": ",.4~r"},
    ]

    def panel(k: int, panel_title: str, y_title: str) -> dict:
        y = {
            "type": "quantitative",
            "title": None if shared_unit else text_lines(y_title, round(width * 0.62), 11),
            "scale": {"zero": False},
            "axis": {"format": ",.4~r", "titleLimit": 0},
        }
        layers = [
            {
                "mark": {"type": "area", "opacity": 0.22},
                "encoding": {"x": x, "y": {**y, "field": "lo"}, "y2": {"field": "hi"}, "color": band_colour},
            },
            {
                "mark": {"type": "line", "strokeWidth": 1.8, "point": False},
                "encoding": {"x": x, "y": {**y, "field": "m"}, "color": colour, "tooltip": tooltip},
            },
        ]
        if zero_line:
            zero = {"mark": {"type": "rule", "strokeDash": [4, 3], "color": "#555555"}, "encoding": {"y": {"datum": 0}}}
            layers.insert(0, zero)
        return {
            "title": {"text": text_lines(panel_title, width + 50, 12), "fontSize": 12, "limit": 0},
            "width": width,
            "height": round(width * 0.62),
            "transform": [{"filter": f"datum.k == {k}"}],
            "layer": layers,
        }

    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": {
            "text": text_lines(title, REPORT_WIDTH_PX, 15),
            "subtitle": text_lines(panels[0][1], REPORT_WIDTH_PX, 12) if shared_unit and panels[0][1] else "",
            "anchor": "start",
            "fontSize": 15,
            "subtitleFontSize": 12,
            "limit": 0,
            "offset": 12,
        },
        "data": {"values": rows},
        "columns": columns,
        "concat": [panel(k, t, y) for k, (t, y) in enumerate(panels)],
        "resolve": {"scale": {"y": "independent"}},
        "config": {"view": {"stroke": "#dddddd"}, "axis": {"grid": True, "gridOpacity": 0.3}},
    }
    return Chart(ident, spec)


def difference_chart(
    summary: pd.DataFrame,
    panels: list[Panel],
    order: list[str],
    title: str,
    n_pairs: int,
    *,
    pct: bool = False,
    words: Words = ENGLISH,
    columns: int = 5,
    ident: str,
) -> Chart:
    """``compare_plots.plot_difference_panels`` drawn by the browser: the same panels, bands and colours."""
    bands = difference_bands(summary, panels, pct=pct)
    axes = list(zip([t for _, _, t in panels], difference_axis_titles(bands, len(panels), pct, words)))
    return band_panels(
        bands, axes, order, title, words.t("diff_legend", n=n_pairs), words=words, zero_line=True, columns=columns,
        ident=ident,
    )  # fmt: skip


def level_chart(
    outcomes: pd.DataFrame, panels: list[Panel], order: list[str], title: str, *, words: Words = ENGLISH, ident: str
) -> Chart:
    """``compare_plots.plot_level_panels`` drawn by the browser: the same panels, bands and colours."""
    bands = level_bands(outcomes, panels)
    axes = list(zip([t for _, _, t in panels], level_axis_titles(bands, len(panels), words)))
    legend = words.t("level_legend", n=replication_count(outcomes))
    return band_panels(bands, axes, order, title, legend, words=words, zero_line=False, columns=3, ident=ident)
