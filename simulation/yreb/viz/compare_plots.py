"""Comparison plots: small multiples of paired differences from the baseline and of levels per scenario."""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd

from yreb.viz.i18n import ENGLISH, Words
from yreb.viz.plotting import (
    fit_suptitle,
    fit_title,
    format_year_axis,
    quantile_band,
    save_figure,
    scenario_colour,
    wrap_to_width,
)

Panel = tuple[str, str, str]  # (region, variable, panel title)
__all__ = [
    "Panel",
    "difference_axis_title",
    "difference_axis_titles",
    "difference_bands",
    "level_axis_titles",
    "level_bands",
    "panel_grid",
    "plot_difference_panels",
    "plot_level_panels",
    "replication_count",
    "save_figure",
]


def panel_grid(n: int, ncols: int = 3, width: float = 5.0, height: float = 3.4):
    """A figure with n panels in rows of ``ncols`` (unused axes hidden); returns (figure, list of axes)."""
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows + 1.0), squeeze=False)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _finish(fig, axes, suptitle: str, handles_from, note: str, words: Words) -> None:
    """Suptitle and panel titles wrapped to fit, one legend for all panels below them (titled with ``note``),
    year axes and grids."""
    handles, labels = handles_from.get_legend_handles_labels()
    rows = math.ceil(len(labels) / 4)
    title = fit_suptitle(fig, suptitle, 13)
    note = wrap_to_width(note, fig, 9, 0.9)
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=min(len(labels), 4),
        fontsize=9,
        title=note,
        title_fontsize=9,
        frameon=False,
    )
    for ax in axes:
        format_year_axis(ax)
        ax.set_xlabel(words.t("year"))
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=PANEL_Y_BINS, steps=PANEL_Y_STEPS))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_tick_label))
        ax.grid(alpha=0.3)
        fit_title(ax, ax.get_title(), 10)
    for ax in _with_a_panel_below(axes):  # the panels share their years: labelled once per column, at the bottom
        ax.tick_params(axis="x", labelbottom=False)
        ax.set_xlabel("")
    height = fig.get_figheight()
    title_lines = title.get_text().count("\n") + 1
    legend_lines = rows + note.count("\n") + 1
    rect = (0, (0.35 + 0.2 * legend_lines) / height, 1, 1 - (0.12 + 0.25 * title_lines) / height)
    fig.set_layout_engine("tight", rect=rect)  # laid out when drawn (by a child process in parallel_figures)


PANEL_Y_BINS, PANEL_Y_STEPS = 5, [1, 2, 2.5, 5, 10]  # at most five round intervals on a panel's value axis


def _with_a_panel_below(axes) -> list:
    """The panels of a grid that have another visible panel below them in their column."""
    lowest = {}
    for ax in axes:
        spec = ax.get_subplotspec()
        column, row = spec.colspan.start, spec.rowspan.start
        lowest[column] = max(lowest.get(column, row), row)
    return [ax for ax in axes if ax.get_subplotspec().rowspan.start < lowest[ax.get_subplotspec().colspan.start]]


def _tick_label(x: float, _pos=None) -> str:
    """Plain tick labels (no offset or 1e6 factor): thousands separators for large values."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.6g}"


def _unit_label(prefix: str, unit: str) -> str:
    return "\n".join(textwrap.wrap(f"{prefix}{unit}", 38))


def _panel_rows(table: pd.DataFrame, panels: list[Panel]) -> pd.DataFrame:
    """The rows of ``table`` shown in each panel, with the panel's position k in a column ``panel``."""
    keys = pd.DataFrame({"region": [r for r, _, _ in panels], "variable": [v for _, v, _ in panels]})
    keys["panel"] = range(len(panels))
    selected = table[table.region.isin(set(keys.region)) & table.variable.isin(set(keys.variable))]
    return selected.merge(keys, on=["region", "variable"])


def difference_bands(summary: pd.DataFrame, panels: list[Panel], *, pct: bool) -> pd.DataFrame:
    """Per panel, scenario and year: the mean paired difference (``mid``) and its 90% seed interval (``low``,
    ``high``), in % of the baseline with ``pct``; and the variable's unit."""
    mean, low, high = (
        ("pct_of_baseline", "pct_low", "pct_high") if pct else ("mean_difference", "ci90_low", "ci90_high")
    )
    rows = _panel_rows(summary, panels)
    bands = rows[["panel", "scenario", "year", mean, low, high, "unit"]]
    bands = bands.rename(columns={mean: "mid", low: "low", high: "high"})
    return bands.sort_values(["panel", "scenario", "year"], ignore_index=True)


def level_bands(outcomes: pd.DataFrame, panels: list[Panel]) -> pd.DataFrame:
    """Per panel, scenario and year: the median across replications (``mid``) and the 5-95% band (``low``,
    ``high``); and the variable's unit."""
    rows = _panel_rows(outcomes, panels)
    bands = quantile_band(rows, ["panel", "scenario", "year"]).rename(columns={"median": "mid"})
    units = rows.groupby("panel").unit.first()
    return bands.assign(unit=bands.panel.map(units)).sort_values(["panel", "scenario", "year"], ignore_index=True)


def difference_axis_title(unit: str, pct: bool, words: Words) -> str:
    """The y-axis title of a difference panel."""
    return words.t("difference_pct") if pct else words.t("difference") + words.unit(unit)


def replication_count(outcomes: pd.DataFrame) -> str:
    """Replications per scenario: '10', or '8-10' when the scenarios differ."""
    counts = outcomes.groupby("scenario").replication.nunique()
    return f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()}-{counts.max()}"


def _draw_bands(
    axes, bands, panels: list[Panel], order: list[str], y_titles: list[str], alpha: float, above_grid: bool
):
    """Each scenario's line with its band in its colour, panel by panel (``above_grid``: bands over the grid)."""
    line_z, band_z = (3, 2) if above_grid else (2, 1)
    for k, (ax, (_, _, title)) in enumerate(zip(axes, panels)):
        rows = bands[bands.panel == k]
        for scenario in [s for s in order if s in set(rows.scenario)]:
            s = rows[rows.scenario == scenario]
            colour = scenario_colour(scenario, order)
            ax.plot(s.year, s.mid, color=colour, lw=1.8, label=scenario, zorder=line_z)
            ax.fill_between(s.year, s.low, s.high, color=colour, alpha=alpha, lw=0, zorder=band_z)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(_unit_label("", y_titles[k]), fontsize=8)


def _units(bands: pd.DataFrame, n: int) -> list[str]:
    units = bands.groupby("panel").unit.first()
    return [str(units.get(k, "")) for k in range(n)]


def difference_axis_titles(bands: pd.DataFrame, n: int, pct: bool, words: Words) -> list[str]:
    """The y-axis title of each of the n panels of ``difference_bands``."""
    return [difference_axis_title(u, pct, words) for u in _units(bands, n)]


def level_axis_titles(bands: pd.DataFrame, n: int, words: Words) -> list[str]:
    """The y-axis title (the unit) of each of the n panels of ``level_bands``."""
    return [words.unit(u) for u in _units(bands, n)]


def plot_difference_panels(
    summary: pd.DataFrame,
    panels: list[Panel],
    order: list[str],
    suptitle: str,
    n_pairs: int,
    *,
    pct: bool = False,
    words: Words = ENGLISH,
    ncols: int = 3,
):
    """One panel per (region, variable): the mean paired difference (scenario - baseline) over time for each
    scenario, with its 90% seed-interval band and a zero line drawn beneath; ``pct``: in % of the baseline
    (so small regions' changes are as visible as large ones')."""
    fig, axes = panel_grid(len(panels), ncols=ncols)
    bands = difference_bands(summary, panels, pct=pct)
    for ax in axes:
        ax.axhline(0, color="#555555", lw=0.7, ls="--", zorder=1)
    y_titles = difference_axis_titles(bands, len(panels), pct, words)
    _draw_bands(axes, bands, panels, order, y_titles, 0.22, above_grid=True)
    _finish(fig, axes, suptitle, axes[0], words.t("diff_legend", n=n_pairs), words)
    return fig


def plot_level_panels(
    outcomes: pd.DataFrame, panels: list[Panel], order: list[str], suptitle: str, *, words: Words = ENGLISH
):
    """One panel per (region, variable): the median across replications for each scenario with the 5-95%
    band of the replications."""
    fig, axes = panel_grid(len(panels))
    bands = level_bands(outcomes, panels)
    _draw_bands(axes, bands, panels, order, level_axis_titles(bands, len(panels), words), 0.2, above_grid=False)
    n_rep = replication_count(outcomes)
    _finish(fig, axes, suptitle, axes[0], words.t("level_legend", n=n_rep), words)
    return fig
