"""Plots for people: titles that fit, units, legends, region names, one colour per scenario and one fixed
colour per region everywhere, readable log axes, and figures saved in several formats."""

from __future__ import annotations

import hashlib
import os
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import matplotlib.ticker

# files only, no windows: Agg, unless a backend was chosen (MPLBACKEND; Jupyter's kernel sets its inline one,
# which must stay so that plots made with the Python API in a notebook are shown)
if not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from yreb.analysis.metrics import BAND  # noqa: E402
from yreb.errors import UserInputError
from yreb.viz.render import write_figure  # noqa: E402

SCENARIO_PALETTE = [
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#1f78b4",
    "#b2df8a",
    "#fb9a99",
    "#cab2d6",
    "#666666",
]
BASELINE_COLOUR = "#222222"
# one fixed colour per region of the shipped region table, in every plot: a qualitative palette of 12 colours
# far apart in CIELAB (tests/test_plots.py checks the distances), hues placed so that neighbours along the
# river differ; regions of other tables take the EXTRA_REGION_COLOURS in table order
REGION_PALETTE = {
    "Shanghai": "#e6194b",  # red
    "Jiangsu": "#3cb44b",  # green
    "Zhejiang": "#4363d8",  # blue
    "Anhui": "#f58231",  # orange
    "Jiangxi": "#911eb4",  # purple
    "Hubei": "#42d4f4",  # cyan
    "Hunan": "#f032e6",  # magenta
    "Chongqing": "#9a6324",  # brown
    "Sichuan": "#808000",  # olive
    "Guizhou": "#000075",  # navy
    "Yunnan": "#fabed4",  # pink
    "RestOfChina": "#a9a9a9",  # grey
}
EXTRA_REGION_COLOURS = ["#469990", "#dcbeff", "#800000", "#aaffc3", "#ffd8b1", "#bfef45", "#ffe119", "#000000"]
FIGURE_FORMATS = ("png", "svg", "pdf")  # what save_figure can write (PNG always: the reports embed it)

RUN_PLOTS = {
    "gdp_100m_yuan": ("Real GDP by location", "100 million yuan, 2015 prices", True),
    "gdp_per_capita_yuan": ("GDP per capita", "yuan per resident, 2015 prices", False),
    "talent_persons": ("Resident talent (R&D personnel)", "persons", True),
    "capital_installed_100m_yuan": ("Installed capital", "100 million yuan, 2015 prices", True),
}


def scenario_colour(name: str, order: list[str] | None = None) -> str:
    """Stable colour of a scenario: the baseline is black; others by position in ``order`` or by name hash."""
    if name == "baseline":
        return BASELINE_COLOUR
    if order is not None and name in order:
        others = [s for s in order if s != "baseline"]
        return SCENARIO_PALETTE[others.index(name) % len(SCENARIO_PALETTE)]
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    return SCENARIO_PALETTE[digest % len(SCENARIO_PALETTE)]


YEAR_TICK_STEPS = [1, 2, 5, 10]  # round years: 2015, 2020, ... over two decades; every year over five


def format_year_axis(ax) -> None:
    """Whole, round-year ticks (at most six intervals) labelled 'year'."""
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=6, integer=True, steps=YEAR_TICK_STEPS))
    ax.set_xlabel("year")


def region_colours(regions: list[str]) -> dict[str, str]:
    """The fixed colour of each region (REGION_PALETTE); other regions take EXTRA_REGION_COLOURS in order."""
    extra = iter(EXTRA_REGION_COLOURS * (1 + len(regions) // len(EXTRA_REGION_COLOURS)))
    return {r: REGION_PALETTE[r] if r in REGION_PALETTE else next(extra) for r in regions}


def wrap_to_width(text: str, fig, fontsize: float, width_fraction: float = 0.96) -> str:
    """``text`` broken into lines (at spaces; existing line breaks kept) that each fit ``width_fraction`` of the
    figure's width at ``fontsize`` (measured with the figure's renderer, so CJK text fits too)."""
    renderer = fig.canvas.get_renderer()
    limit = fig.get_figwidth() * fig.dpi * width_fraction

    def fits(line: str) -> bool:
        probe = fig.text(0, 0, line, fontsize=fontsize)
        width = probe.get_window_extent(renderer).width
        probe.remove()
        return width <= limit

    out = []
    for paragraph in text.split("\n"):
        if fits(paragraph):
            out.append(paragraph)
            continue
        chars, lines = len(paragraph), [paragraph]
        while chars > 10:
            chars = int(chars * 0.9)
            lines = textwrap.wrap(paragraph, chars)  # long words (and text without spaces, e.g. CJK) are split
            if all(fits(line) for line in lines):
                break
        out.extend(lines)
    return "\n".join(out)


def fit_suptitle(fig, text: str, fontsize: float = 12):
    """A figure title wrapped to the figure's width (never clipped at its edges)."""
    return fig.suptitle(wrap_to_width(text, fig, fontsize), fontsize=fontsize)


def fit_title(ax, text: str, fontsize: float = 10):
    """An axes title wrapped to the axes' width."""
    fig = ax.figure
    fraction = ax.get_position().width * 0.98
    return ax.set_title(wrap_to_width(text, fig, fontsize, fraction), fontsize=fontsize)


def _plain_number(x: float, _pos=None) -> str:
    """10000 -> '10,000'; 0.5 -> '0.5' (no powers of ten on axes people read)."""
    if x == 0:
        return "0"
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.3g}"


def readable_log_axis(ax, axis: str = "y") -> None:
    """Log scale with ticks at 1, 2 and 5 times the powers of ten, labelled as plain numbers."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    target.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    target.set_major_formatter(matplotlib.ticker.FuncFormatter(_plain_number))
    target.set_minor_locator(matplotlib.ticker.LogLocator(base=10, subs=tuple(range(1, 10))))
    target.set_minor_formatter(matplotlib.ticker.NullFormatter())


def save_figure(fig, path: Path, formats: Sequence[str] = ("png",), dpi: int = 110) -> Path:
    """Write a figure as PNG (``path``, whose suffix is replaced by .png) and in the other ``formats`` (svg,
    pdf) beside it, then close it; returns the PNG's path."""
    path = Path(path).with_suffix(".png")
    write_figure(fig, [path.with_suffix(f".{fmt}") for fmt in dict.fromkeys(["png", *formats])], dpi)
    return path


def region_labels(names: list[str], names_zh: list[str] | None = None, chinese: bool = False) -> dict[str, str]:
    """Region name -> plot label: the English name, followed by the Chinese one with ``chinese``."""
    if chinese and names_zh:
        return {n: f"{n} {z}" for n, z in zip(names, names_zh)}
    return {n: n for n in names}


def quantile_band(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Median and the BAND quantiles of ``value`` across replications, per ``by`` group."""
    grouped = frame.groupby(by)["value"]
    return pd.DataFrame(
        {"median": grouped.median(), "low": grouped.quantile(BAND[0]), "high": grouped.quantile(BAND[1])}
    ).reset_index()


def plot_run(results: pd.DataFrame, folder: Path, scenario) -> list[Path]:
    """One figure per RUN_PLOTS variable: a line per belt region (median) with its 5-95% band."""
    belt = [n for n, b in zip(scenario.table.names, scenario.table.in_belt) if b]
    colours = region_colours(list(scenario.table.names))
    n_rep = results["replication"].nunique()
    paths = []
    for variable, (title, unit, log_scale) in RUN_PLOTS.items():
        data = results[(results.variable == variable) & results.region.isin(belt)]
        band = quantile_band(data, ["region", "year"])
        fig, ax = plt.subplots(figsize=(10, 6))
        for region in belt:
            b = band[band.region == region]
            ax.plot(b.year, b["median"], color=colours[region], label=region, lw=1.8)
            if n_rep > 1:
                ax.fill_between(b.year, b.low, b.high, color=colours[region], alpha=0.2, lw=0)
        if log_scale:
            readable_log_axis(ax)
        ax.set_title(
            f"{title}: scenario '{scenario.spec.name}'\n"
            f"median of {n_rep} replication(s)" + (", band 5-95%" if n_rep > 1 else "")
        )
        format_year_axis(ax)
        ax.set_ylabel(unit + (" (log scale)" if log_scale else ""))
        ax.grid(alpha=0.3)
        ax.legend(ncol=2, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="region")
        fig.set_layout_engine("tight")  # laid out when drawn (by a child process in parallel_figures)
        paths.append(save_figure(fig, folder / f"{variable}.png"))
    return paths


def font_fallback_rc(text: str) -> dict:
    """Matplotlib rc settings that render every character of ``text`` (e.g. Chinese region names): the default
    font with, as fallback, an installed font that has all the glyphs (sans-serif regular preferred).

    Raises UserInputError when no installed font has them (e.g. install the fonts-noto-cjk system package).
    """
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    needed = {ch for ch in text if ord(ch) > 0x2FF}
    paths = sorted(
        {f.fname for f in font_manager.fontManager.ttflist} | set(font_manager.findSystemFonts()),
        key=lambda p: ("Sans" not in p, "Regular" not in p, p),
    )
    for path in paths:
        try:
            font = FT2Font(path)
        except (OSError, RuntimeError):
            continue
        if "Last Resort" not in font.family_name and all(font.get_char_index(ord(ch)) for ch in needed):
            font_manager.fontManager.addfont(path)
            return {"font.family": [plt.rcParams["font.family"][0], font.family_name]}
    raise UserInputError(
        "no installed font has the glyphs of the Chinese labels",
        option="chinese",
        value="".join(sorted(needed))[:12],
        expected="a font with Chinese glyphs (e.g. the fonts-noto-cjk system package)",
    )
