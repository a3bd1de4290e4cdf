"""The plots of the report's first pages: where an effect comes from (decomposition by channel) and how sure
it is (tornado over the unpinned assumptions, with the seed interval named as such)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from yreb.analysis.compare import INTERACTION, TOTAL
from yreb.viz.i18n import ENGLISH, Words
from yreb.viz.plotting import fit_suptitle, fit_title, plt

# (region, variable) panels of the decomposition chart
DECOMPOSITION_PANELS = (
    ("Nation", "gdp_100m_yuan"),
    ("Belt", "gdp_100m_yuan"),
    ("RestOfChina", "gdp_100m_yuan"),
    ("Nation", "welfare_yuan"),
)
CHANNEL_COLOURS = {
    "goods": "#1b9e77",
    "talent": "#7570b3",
    "labour": "#d95f02",
    "capital": "#a6761d",
    "technology": "#e7298a",
    "settlement": "#66a61e",
    INTERACTION: "#bbbbbb",
    TOTAL: "#222222",
}
OTHER_COLOUR = "#1f78b4"


def _panel_title(words: Words, labels: dict[str, str], region: str, variable: str) -> str:
    return f"{labels.get(region, region)}: {words.outcome(variable)}"


def plot_decomposition(
    table: pd.DataFrame, scenario: str, baseline: str, year: int, labels: dict[str, str], words: Words = ENGLISH
):
    """Horizontal bars: each component's effect alone, the interaction and the total (% of baseline) with
    their seed intervals, one panel per (region, variable) of DECOMPOSITION_PANELS present in ``table``."""
    rows = table[(table.scenario == scenario) & (table.year == year)]
    panels = [(r, v) for r, v in DECOMPOSITION_PANELS if ((rows.region == r) & (rows.variable == v)).any()]
    order = list(dict.fromkeys(rows.component))
    n = len(order)
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels) + 2.2, 0.42 * n + 2.4), squeeze=False)
    for i, (ax, (region, variable)) in enumerate(zip(axes[0], panels)):
        data = rows[(rows.region == region) & (rows.variable == variable)].set_index("component").loc[order]
        y = np.arange(n)[::-1]
        colours = [CHANNEL_COLOURS.get(ch, OTHER_COLOUR) for ch in data.channel]
        err = np.vstack([data.pct_of_baseline - data.pct_low, data.pct_high - data.pct_of_baseline])
        ax.barh(y, data.pct_of_baseline, color=colours, height=0.7, zorder=3)
        ax.errorbar(data.pct_of_baseline, y, xerr=np.nan_to_num(err), fmt="none", ecolor="#333333", lw=0.9, zorder=4)
        ax.axvline(0, color="#555555", lw=0.7, zorder=2)
        ax.axhline(0.5, color="#999999", lw=0.6, ls=":", zorder=1)  # the total below, the parts above
        ax.set_yticks(y, [words.channel(c) if c in (INTERACTION, TOTAL) else c for c in order] if i == 0 else [])
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlabel(words.t("decomp_axis"), fontsize=8)
        ax.grid(alpha=0.3, axis="x", zorder=0)
        for yy, value in zip(y, data.pct_of_baseline):
            ax.annotate(
                f"{value:+.2f}",
                (value, yy),
                xytext=(3 if value >= 0 else -3, 0),
                textcoords="offset points",
                ha="left" if value >= 0 else "right",
                va="center",
                fontsize=7,
                zorder=5,
            )
        lo, hi = ax.get_xlim()
        pad = 0.18 * (hi - lo)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_title(_panel_title(words, labels, region, variable), fontsize=9)
    fig.set_layout_engine("tight", rect=(0, 0, 1, 0.86))  # laid out when drawn
    for ax in axes[0]:
        fit_title(ax, ax.get_title(), 9)
    fit_suptitle(fig, words.t("decomp_title", scenario=scenario, baseline=baseline, year=year), 11)
    return fig


def plot_tornado(
    tornado: pd.DataFrame,
    seed_interval: pd.DataFrame,
    scenario: str,
    baseline: str,
    year: int,
    labels: dict[str, str],
    words: Words = ENGLISH,
    top: int = 12,
):
    """One panel per outcome of ``tornado`` (``yreb.analysis.sensitivity.tornado_table``): a bar per assumption
    from the effect at the low end to the effect at the high end of its range (two colours), the effect at
    the defaults as a line and its seed interval as a band; the ``top`` largest swings, largest on top."""
    rows = tornado[tornado.scenario == scenario]
    panels = list(dict.fromkeys(zip(rows.region, rows.variable)))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels) + 1.5, 0.36 * top + 2.6), squeeze=False)
    for ax, (region, variable) in zip(axes[0], panels):
        data = rows[(rows.region == region) & (rows.variable == variable)].head(top)
        y = np.arange(len(data))[::-1]
        default = data["default"].iloc[0]
        seed = seed_interval[(seed_interval.region == region) & (seed_interval.variable == variable)]
        if not seed.empty:
            ax.axvspan(
                seed.pct_low.iloc[0], seed.pct_high.iloc[0], color="#cccccc", alpha=0.6, lw=0, zorder=1,
                label=words.t("tornado_seed"),
            )  # fmt: skip
        ax.barh(y, data["low"] - default, left=default, color="#4393c3", height=0.7, zorder=3,
                label=words.t("tornado_low"))  # fmt: skip
        ax.barh(y, data["high"] - default, left=default, color="#f4a582", height=0.7, zorder=3,
                label=words.t("tornado_high"))  # fmt: skip
        ax.axvline(default, color="#222222", lw=1.2, zorder=4, label=words.t("tornado_default"))
        ax.axvline(0, color="#555555", lw=0.6, ls="--", zorder=2)
        ax.set_yticks(y, [f"{p} ({lo:g}-{hi:g})" for p, lo, hi in zip(data.parameter, data.low_value, data.high_value)])
        ax.tick_params(axis="y", labelsize=7)
        ax.set_xlabel(words.t("tornado_axis"), fontsize=8)
        ax.grid(alpha=0.3, axis="x", zorder=0)
        ax.set_title(_panel_title(words, labels, region, variable), fontsize=9)
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.set_layout_engine("tight", rect=(0, 0.07, 1, 0.88))  # laid out when drawn
    for ax in axes[0]:
        fit_title(ax, ax.get_title(), 9)
    fit_suptitle(fig, words.t("tornado_title", scenario=scenario, baseline=baseline, year=year), 11)
    return fig
