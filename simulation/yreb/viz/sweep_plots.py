"""Plots of a sweep folder: responses of an outcome to each parameter, two-parameter heatmaps (grid designs)
and sensitivity indices with confidence intervals, for one year and over the years (``yreb sweep-report``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.ticker
import numpy as np
import pandas as pd

from yreb.analysis.metrics import BAND, METRICS
from yreb.sweep.analysis import SweepResults, outcome_values
from yreb.sweep.designs import CONF_LEVEL, DESIGNS
from yreb.viz.plotting import fit_suptitle, fit_title, format_year_axis, plt, quantile_band

MAX_LEVELS = 12  # response plots: parameters with more distinct values are binned
BINS = 8


def _fit_titles(fig) -> None:
    """Wrap the figure's and every axes' title to fit (no title clipped at the edges), then lay out again."""
    if fig._suptitle is not None:
        fit_suptitle(fig, fig._suptitle.get_text(), fig._suptitle.get_fontsize())
    for ax in fig.axes:
        if ax.get_visible() and ax.get_title():
            fit_title(ax, ax.get_title(), ax.title.get_fontsize())
    fig.tight_layout()


def _wrap(text: str) -> str:
    """An axis label broken into lines of at most 40 characters (metric units can be long)."""
    return textwrap.fill(text, 40)


def _positions(series: pd.Series, parameter) -> tuple[pd.Series, list | None]:
    """Numeric x positions of a parameter column, and tick labels (in the sweep file's order) for strings and
    booleans."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype(float), None
    labels = list(parameter.values)
    return series.map({v: i for i, v in enumerate(labels)}).astype(float), [str(v) for v in labels]


def plot_response(sweep: SweepResults, outcome: str, year: int, path: Path) -> Path:
    """Outcome at ``year`` against each parameter: median with a 5-95% band (grid: per level; sampled: in
    quantile bins of the parameter), points = design-point means. A two-parameter grid has one line per level
    of the other parameter."""
    values = outcome_values(sweep, outcome, year).dropna(subset=["value"])
    names, title, unit = sweep.names, METRICS[outcome].label, _wrap(METRICS[outcome].unit)
    labels = {v.name: v.axis_label for v in sweep.spec.vary}
    grid = sweep.spec.design == "grid"
    ncols = min(4, len(names))
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.8 * ncols, 4.2 * nrows + 0.8), squeeze=False, sharey=True)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    for ax, parameter in zip(axes.flat, sweep.spec.vary):
        name = parameter.name
        x, ticks = _positions(values[name], parameter)
        frame = values.assign(x=x)
        others = [n for n in names if n != name]
        if grid and len(others) == 1:
            other = others[0]
            levels = list(dict.fromkeys(sorted(frame[other].tolist())))
            cmap = plt.get_cmap("viridis")
            for i, level in enumerate(levels):
                band = quantile_band(frame[frame[other] == level], ["x"])
                colour = cmap(i / max(1, len(levels) - 1))
                ax.plot(
                    band.x,
                    band["median"],
                    color=colour,
                    marker="o",
                    lw=1.6,
                    label=f"{level:g}" if isinstance(level, float) else str(level),
                )
                ax.fill_between(band.x, band.low, band.high, color=colour, alpha=0.15, lw=0)
            ax.legend(title=labels[other], fontsize=7, title_fontsize=8, loc="best")
            band_text = "across replications"
        else:
            if frame.x.nunique() > MAX_LEVELS:  # continuous samples: quantile bins placed at their median
                bins = pd.qcut(frame.x, q=BINS, duplicates="drop")
                frame = frame.assign(bin=frame.groupby(bins, observed=True).x.transform("median"))
            else:
                frame = frame.assign(bin=frame.x)
            means = frame.groupby("point").agg(x=("x", "first"), value=("value", "mean"))
            ax.scatter(means.x, means.value, s=8, color="#999999", alpha=0.6, label="design point (mean)")
            band = quantile_band(frame, ["bin"])
            ax.plot(band["bin"], band["median"], color="#1f78b4", lw=2, label="median")
            ax.fill_between(
                band["bin"],
                band.low,
                band.high,
                color="#1f78b4",
                alpha=0.2,
                lw=0,
                label=f"{int(BAND[0] * 100)}-{int(BAND[1] * 100)}% of runs",
            )
            ax.legend(fontsize=7)
            band_text = "across replications" + (" and the other parameters" if others else "")
        if ticks is not None:
            ax.set_xticks(range(len(ticks)), ticks)
        elif pd.api.types.is_integer_dtype(values[name]):
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_xlabel(labels[name])
        ax.grid(alpha=0.3)
    for row in axes:
        row[0].set_ylabel(unit)
    fig.suptitle(
        f"{title} in {year} against each parameter: sweep '{sweep.spec.name}'\n"
        f"median, band {int(BAND[0] * 100)}-{int(BAND[1] * 100)}% {band_text}"
    )
    fig.tight_layout()
    _fit_titles(fig)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_heatmap(sweep: SweepResults, outcome: str, year: int, pair: tuple[str, str], path: Path) -> Path:
    """Mean outcome (over replications and any other parameters) for each cell of a two-parameter grid."""
    a, b = pair
    values = outcome_values(sweep, outcome, year)
    cells = values.groupby([b, a])["value"].mean().unstack(a)
    labels = {v.name: v.axis_label for v in sweep.spec.vary}
    title, unit = METRICS[outcome].label, _wrap(METRICS[outcome].unit)
    fig, ax = plt.subplots(figsize=(7.5, 5.8))
    image = ax.imshow(cells.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
    for (i, j), v in np.ndenumerate(cells.to_numpy()):
        ax.text(
            j,
            i,
            f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if v < np.nanmean(cells.to_numpy()) else "black",
        )
    ax.set_xticks(range(cells.shape[1]), [f"{c:g}" if isinstance(c, float) else str(c) for c in cells.columns])
    ax.set_yticks(range(cells.shape[0]), [f"{r:g}" if isinstance(r, float) else str(r) for r in cells.index])
    ax.set_xlabel(labels[a])
    ax.set_ylabel(labels[b])
    fig.colorbar(image, ax=ax, label=unit)
    reps = sweep.spec.replications
    ax.set_title(f"{title} in {year}: sweep '{sweep.spec.name}'\nmean of {reps} replication(s) per cell")
    fig.tight_layout()
    _fit_titles(fig)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_indices(indices: pd.DataFrame, sweep: SweepResults, outcome: str, year: int, path: Path) -> Path:
    """Bars of each index per parameter with 95% confidence intervals."""
    rows = indices[(indices.outcome == outcome) & (indices.year == year)]
    labels = {v.name: v.axis_label for v in sweep.spec.vary}
    design = DESIGNS[sweep.spec.design]
    kinds = list(dict.fromkeys(rows["index"]))
    order = rows[rows["index"] == design.main_index].sort_values("value", ascending=False)["parameter"].tolist()
    fig, ax = plt.subplots(figsize=(max(7.0, 1.1 * len(order) + 3), 5.2))
    width = 0.8 / len(kinds)
    colours = ["#1f78b4", "#e31a1c", "#33a02c"]
    for k, kind in enumerate(kinds):
        data = rows[rows["index"] == kind].set_index("parameter").loc[order]
        ax.bar(
            np.arange(len(order)) + (k - (len(kinds) - 1) / 2) * width,
            data["value"],
            width,
            yerr=data["conf"].fillna(0),
            capsize=3,
            color=colours[k % len(colours)],
            label=design.indices[kind],
        )
    ax.set_xticks(range(len(order)), [labels[p] for p in order], rotation=30, ha="right", fontsize=8)
    title = METRICS[outcome].label
    ax.set_ylabel(_wrap(design.index_axis(METRICS[outcome].unit)))
    noise = rows["noise_share"].iloc[0]
    ax.set_title(
        f"Sensitivity of {title} in {year}: sweep '{sweep.spec.name}' ({sweep.spec.design}, "
        f"{sweep.spec.replications} replication(s))\nerror bars: {int(CONF_LEVEL * 100)}% CI; "
        f"replication noise = {noise:.1%} of the variance of single runs"
    )
    ax.axhline(0, color="black", lw=0.6)
    ax.grid(alpha=0.3, axis="y")
    ax.legend()
    fig.tight_layout()
    _fit_titles(fig)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_indices_over_time(indices: pd.DataFrame, sweep: SweepResults, outcome: str, path: Path) -> Path:
    """The design's main index of every parameter over the simulated years, with 95% CI bands."""
    design = DESIGNS[sweep.spec.design]
    main = design.main_index
    rows = indices[(indices.outcome == outcome) & (indices["index"] == main)]
    labels = {v.name: v.axis_label for v in sweep.spec.vary}
    palette = plt.get_cmap("tab10").colors
    fig, ax = plt.subplots(figsize=(10, 5.5))
    for i, name in enumerate(sweep.names):
        data = rows[rows.parameter == name].sort_values("year")
        colour = palette[i % len(palette)]
        ax.plot(data.year, data.value, color=colour, lw=1.8, label=labels[name])
        ax.fill_between(
            data.year,
            data.value - data.conf.fillna(0),
            data.value + data.conf.fillna(0),
            color=colour,
            alpha=0.15,
            lw=0,
        )
    format_year_axis(ax)
    ax.set_ylabel(design.indices[main])
    ax.set_title(
        f"{METRICS[outcome].label}: {design.indices[main]} of each parameter by year\n"
        f"sweep '{sweep.spec.name}', band: {int(CONF_LEVEL * 100)}% CI (gaps: no variation across points)"
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="parameter")
    fig.tight_layout()
    _fit_titles(fig)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
