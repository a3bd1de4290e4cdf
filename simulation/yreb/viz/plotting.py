"""Plots for people: titles, units, legends, region names and one colour per scenario everywhere."""

from __future__ import annotations

import hashlib
import os
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


def format_year_axis(ax) -> None:
    """Whole-year ticks labelled 'year'."""
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("year")


def region_colours(regions: list[str]) -> dict[str, str]:
    """Distinct colours per region (tab10, then the dark half of tab20b)."""
    palette = list(plt.get_cmap("tab10").colors) + list(plt.get_cmap("tab20b").colors[::2])
    return {r: matplotlib.colors.to_hex(palette[i % len(palette)]) for i, r in enumerate(regions)}


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
            ax.set_yscale("log")
        ax.set_title(
            f"{title}: scenario '{scenario.spec.name}'\n"
            f"median of {n_rep} replication(s)" + (", band 5-95%" if n_rep > 1 else "")
        )
        format_year_axis(ax)
        ax.set_ylabel(unit + (" (log scale)" if log_scale else ""))
        ax.grid(alpha=0.3)
        ax.legend(ncol=2, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="region")
        fig.tight_layout()
        path = folder / f"{variable}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
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
        "no installed font has the glyphs of the region names",
        option="chinese",
        value="".join(sorted(needed))[:12],
        expected="a font with Chinese glyphs (e.g. the fonts-noto-cjk system package)",
    )
