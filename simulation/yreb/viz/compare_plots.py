"""Comparison plots: small multiples of paired differences from the baseline and of levels per scenario."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd

from yreb.viz.plotting import BAND, format_year_axis, quantile_band, scenario_colour

Panel = tuple[str, str, str]  # (region, variable, panel title)


def save_figure(fig, path: Path) -> Path:
    """Write a figure as PNG and close it."""
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def panel_grid(n: int, ncols: int = 3, width: float = 5.0, height: float = 3.4):
    """A figure with n panels in rows of ``ncols`` (unused axes hidden); returns (figure, list of axes)."""
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows + 1.0), squeeze=False)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _finish(fig, axes, suptitle: str, handles_from, note: str) -> None:
    """Suptitle, one legend for all panels below them (titled with ``note``), year axes and grids."""
    handles, labels = handles_from.get_legend_handles_labels()
    rows = math.ceil(len(labels) / 4)
    fig.suptitle(suptitle, fontsize=13)
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
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_tick_label))
        ax.grid(alpha=0.3)
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, (0.55 + 0.25 * rows) / height, 1, 1 - 0.3 / height))


def _tick_label(x: float, _pos=None) -> str:
    """Plain tick labels (no offset or 1e6 factor): thousands separators for large values."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.6g}"


def _unit_label(prefix: str, unit: str) -> str:
    return "\n".join(textwrap.wrap(f"{prefix}{unit}", 38))


def plot_difference_panels(summary: pd.DataFrame, panels: list[Panel], order: list[str], suptitle: str, n_pairs: int):
    """One panel per (region, variable): the mean paired difference (scenario - baseline) over time for each
    scenario, with its 90% t-interval band and a zero line."""
    fig, axes = panel_grid(len(panels))
    for ax, (region, variable, title) in zip(axes, panels):
        rows = summary[(summary.region == region) & (summary.variable == variable)]
        for scenario in [s for s in order if s in set(rows.scenario)]:
            s = rows[rows.scenario == scenario].sort_values("year")
            colour = scenario_colour(scenario, order)
            ax.plot(s.year, s.mean_difference, color=colour, lw=1.8, label=scenario)
            ax.fill_between(s.year, s.ci90_low, s.ci90_high, color=colour, alpha=0.22, lw=0)
        ax.axhline(0, color="black", lw=0.8, ls="--")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(_unit_label("difference, ", rows.unit.iloc[0]), fontsize=8)
    _finish(
        fig,
        axes,
        suptitle,
        axes[0],
        f"line: mean of {n_pairs} paired differences (scenario - baseline, same seeds); "
        "band: 90% t-interval of the mean difference; dashed: no effect",
    )
    return fig


def plot_level_panels(outcomes: pd.DataFrame, panels: list[Panel], order: list[str], suptitle: str):
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
        ax.set_ylabel(_unit_label("", rows.unit.iloc[0]), fontsize=8)
    counts = outcomes.groupby("scenario").replication.nunique()
    n_rep = f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()}-{counts.max()}"
    _finish(
        fig,
        axes,
        suptitle,
        axes[0],
        f"line: median of {n_rep} replications; band: {BAND[0]:.0%}-{BAND[1]:.0%} of the replications",
    )
    return fig
