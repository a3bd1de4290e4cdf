"""Hindcast figures, report.md and the hindcast folder (written atomically)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from yreb.analysis.hindcast import FORECASTS, NAIVE, TITLES, Hindcast, errors_wide, verdict
from yreb.analysis.metrics import BAND
from yreb.model.model import replication_seed
from yreb.runs.integrity import manifest, seal
from yreb.runs.provenance import provenance as code_provenance
from yreb.runs.storage import atomic_folder, write_csv, write_json, write_text
from yreb.viz.compare_plots import panel_grid
from yreb.viz.plotting import format_year_axis, scenario_colour
from yreb.viz.report import save_figure
from yreb.viz.tables import markdown_table

NAIVE_STYLE = {"no_change": "--", "trend": ":", "half_trend": "-."}
FORECAST_COLOURS = {"no_change": "#7f7f7f", "trend": "#bcbd22", "half_trend": "#17becf"}


def plot_shares(h: Hindcast, variable: str, origin: int, path: Path) -> Path:
    """One panel per region: observed path, fitted path and projection (band across replications), the naive
    forecasts from the last fitted year, and the fit/forecast boundary."""
    data = h.comparison[(h.comparison.variable == variable) & (h.comparison.origin == origin)]
    regions = list(dict.fromkeys(data.region))
    single = len(regions) == 1
    fig, axes = panel_grid(
        len(regions), ncols=min(len(regions), 4), width=9.0 if single else 3.8, height=4.5 if single else 2.9
    )
    colour = scenario_colour(h.scenario.spec.name)
    for ax, region in zip(axes, regions):
        d = data[data.region == region]
        ax.axvspan(h.base_year, origin, color="#eeeeee", lw=0, label=f"fitted years {h.base_year}-{origin}")
        ax.axvline(origin, color="#555555", lw=0.8)
        ax.fill_between(
            d.year,
            d.model_low,
            d.model_high,
            color=colour,
            alpha=0.2,
            lw=0,
            label=f"model {int(BAND[0] * 100)}-{int(BAND[1] * 100)}% of replications",
        )
        ax.plot(d.year, d.model_median, color=colour, lw=1.8, label="model: fitted, then projected (median)")
        ahead = d[d.horizon >= 0]
        last = d[d.horizon == 0].observed.to_numpy()
        for name in NAIVE:
            values = d[d.horizon > 0][name]
            if values.notna().all() and len(values):
                ax.plot(
                    ahead.year,
                    np.concatenate([last, values.to_numpy()]),
                    color=FORECAST_COLOURS[name],
                    ls=NAIVE_STYLE[name],
                    lw=1.3,
                    label=FORECASTS[name],
                )
        ax.plot(d.year, d.observed, color="#d62728", marker="o", ms=3.5, lw=1.2, label="observed")
        ax.set_title(region, fontsize=10)
        ax.set_ylabel("% of national GDP" if single else "%", fontsize=8)
        format_year_axis(ax)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.suptitle(
        f"{TITLES[variable]}\nfitted to {h.base_year}-{origin}, forecast to {h.to_year}, '{h.scenario.spec.name}' "
        f"({h.replications} replications)",
        fontsize=11,
    )
    fig.legend(handles, labels, loc="lower center", ncol=3 if single else 4, fontsize=8.5, frameon=False)
    fig.tight_layout(rect=(0, 0.16 if single else 0.07, 1, 0.93))
    return save_figure(fig, path)


def plot_errors_by_horizon(h: Hindcast, path: Path) -> Path:
    """Out-of-sample mean absolute error by horizon: the model next to the three naive forecasts."""
    summary = h.summary()
    variables = list(summary.index.get_level_values(0).unique())
    fig, axes = panel_grid(len(variables), ncols=len(variables), width=4.3, height=3.4)
    forecasts = list(FORECASTS)
    colours = {"model": scenario_colour(h.scenario.spec.name), **FORECAST_COLOURS}
    for ax, variable in zip(axes, variables):
        block = summary.loc[variable]
        block = block[block.index != "all"]
        horizons = [int(x) for x in block.index]
        width = 0.8 / len(forecasts)
        for i, name in enumerate(forecasts):
            ax.bar(
                np.array(horizons) + (i - (len(forecasts) - 1) / 2) * width,
                block[name].to_numpy(),
                width=width,
                color=colours[name],
                label=FORECASTS[name],
            )
        ax.set_xticks(horizons)
        ax.set_xlabel("years after the last fitted year")
        ax.set_ylabel("mean absolute error (pp)")
        ax.set_title(TITLES[variable].split(" (")[0], fontsize=10)
        ax.grid(alpha=0.3, axis="y")
    handles, labels = axes[0].get_legend_handles_labels()
    origins = ", ".join(str(o) for o in h.origins)
    fig.suptitle(f"Out-of-sample errors of shares by horizon (origins {origins}, to {h.to_year})", fontsize=11)
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8.5, frameon=False)
    fig.tight_layout(rect=(0, 0.12, 1, 0.92))
    return save_figure(fig, path)


def report_markdown(h: Hindcast, text: str) -> str:
    """The hindcast's report.md: verdict, error table, notes and data."""
    lines = [
        f"# Hindcast: fitted {h.base_year}-{', '.join(map(str, h.origins))}, forecast to {h.to_year}",
        "",
        "## Verdict",
        "",
        text,
        "",
        "## Mean absolute error of shares (percentage points), by years ahead of the last fitted year",
        "",
        markdown_table(errors_wide(h)),
        "",
    ]
    if h.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in h.notes] + [""]
    lines += [
        "## Data",
        "",
        "Observed: " + ", ".join(f"`{p}`" for p in h.observed_files) + " (later files replace earlier rows).",
        f"Region table: `{h.scenario.table.source_file}`.",
        "",
        "Figures: `errors_by_horizon.png` and one `shares_<variable>.png` per compared variable (origin "
        f"{min(h.origins)}); year-by-year values of every origin in `shares.csv`.",
        "",
    ]
    return "\n".join(lines)


def write_hindcast(h: Hindcast, out: Path, *, force: bool = False) -> Path:
    """Write tables, figures, report.md and metadata.json into ``out`` atomically."""
    text = verdict(h)
    out = Path(out)
    inputs = [h.scenario.source, h.scenario.table.source_file, *h.observed_files]
    with atomic_folder(out, force, kind="hindcast", inputs=[p for p in inputs if Path(p).exists()]) as tmp:
        wide = errors_wide(h)
        write_csv(wide, tmp / "errors.csv")
        write_text(tmp / "errors.md", markdown_table(wide) + "\n")
        write_csv(h.comparison.round(5), tmp / "shares.csv")
        for variable in h.comparison.variable.unique():
            plot_shares(h, variable, min(h.origins), tmp / f"shares_{variable}.png")
        plot_errors_by_horizon(h, tmp / "errors_by_horizon.png")
        write_text(tmp / "report.md", report_markdown(h, text))
        spec = h.scenario.spec
        written = [tmp / name for name in ("errors.csv", "errors.md", "shares.csv", "report.md")]
        write_json(
            tmp / "metadata.json",
            seal(
                {
                    "base_year": h.base_year,
                    "fit_until": h.origins,
                    "to_year": h.to_year,
                    "replications": h.replications,
                    "scenario": h.scenario.canonical(),
                    "scenario_file": h.scenario.source,
                    "seeds": {str(r): replication_seed(spec.seed, r) for r in range(spec.replications)},
                    "observed_files": h.observed_files,
                    "observed_basis": h.basis,
                    "notes": h.notes,
                    **code_provenance(),
                    "integrity": manifest(tmp, written),
                }
            ),
        )
    return out
