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
__all__ = ["Panel", "panel_grid", "plot_difference_panels", "plot_level_panels", "save_figure"]


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
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_tick_label))
        ax.grid(alpha=0.3)
        fit_title(ax, ax.get_title(), 10)
    height = fig.get_figheight()
    title_lines = title.get_text().count("\n") + 1
    legend_lines = rows + note.count("\n") + 1
    rect = (0, (0.35 + 0.2 * legend_lines) / height, 1, 1 - (0.12 + 0.25 * title_lines) / height)
    fig.set_layout_engine("tight", rect=rect)  # laid out when drawn (by a child process in parallel_figures)


def _tick_label(x: float, _pos=None) -> str:
    """Plain tick labels (no offset or 1e6 factor): thousands separators for large values."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.6g}"


def _unit_label(prefix: str, unit: str) -> str:
    return "\n".join(textwrap.wrap(f"{prefix}{unit}", 38))


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
    mean, low, high = (
        ("pct_of_baseline", "pct_low", "pct_high") if pct else ("mean_difference", "ci90_low", "ci90_high")
    )
    for ax, (region, variable, title) in zip(axes, panels):
        rows = summary[(summary.region == region) & (summary.variable == variable)]
        ax.axhline(0, color="#555555", lw=0.7, ls="--", zorder=1)
        for scenario in [s for s in order if s in set(rows.scenario)]:
            s = rows[rows.scenario == scenario].sort_values("year")
            colour = scenario_colour(scenario, order)
            ax.plot(s.year, s[mean], color=colour, lw=1.8, label=scenario, zorder=3)
            ax.fill_between(s.year, s[low], s[high], color=colour, alpha=0.22, lw=0, zorder=2)
        ax.set_title(title, fontsize=10)
        unit = words.t("difference_pct") if pct else words.t("difference") + words.unit(rows.unit.iloc[0])
        ax.set_ylabel(_unit_label("", unit), fontsize=8)
    _finish(fig, axes, suptitle, axes[0], words.t("diff_legend", n=n_pairs), words)
    return fig


def plot_level_panels(
    outcomes: pd.DataFrame, panels: list[Panel], order: list[str], suptitle: str, *, words: Words = ENGLISH
):
    """One panel per (region, variable): the median across replications for each scenario with the 5-95%
    band of the replications."""
    fig, axes = panel_grid(len(panels))
    for ax, (region, variable, title) in zip(axes, panels):
        rows = outcomes[(outcomes.region == region) & (outcomes.variable == variable)]
        band = quantile_band(rows, ["scenario", "year"])
        for scenario in [s for s in order if s in set(band.scenario)]:
            b = band[band.scenario == scenario]
            colour = scenario_colour(scenario, order)
            ax.plot(b.year, b["median"], color=colour, lw=1.8, label=scenario)
            ax.fill_between(b.year, b.low, b.high, color=colour, alpha=0.2, lw=0)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(_unit_label("", words.unit(rows.unit.iloc[0])), fontsize=8)
    counts = outcomes.groupby("scenario").replication.nunique()
    n_rep = f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()}-{counts.max()}"
    _finish(fig, axes, suptitle, axes[0], words.t("level_legend", n=n_rep), words)
    return fig
