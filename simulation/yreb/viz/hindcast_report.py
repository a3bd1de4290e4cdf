"""Hindcast figures, report.md and the hindcast folder (written atomically)."""

from __future__ import annotations

from pathlib import Path

from yreb.analysis.hindcast import BELT_SHARE, FORECASTS, TITLES, Hindcast, errors_wide, verdict
from yreb.analysis.metrics import BAND
from yreb.model.model import replication_seed
from yreb.runs.integrity import manifest, seal
from yreb.runs.provenance import provenance as code_provenance
from yreb.runs.storage import atomic_folder, write_csv, write_json, write_text
from yreb.viz.compare_plots import panel_grid
from yreb.viz.plotting import format_year_axis, scenario_colour
from yreb.viz.report import save_figure
from yreb.viz.tables import markdown_table


def plot_shares(h: Hindcast, variable: str, path: Path) -> Path:
    """Small multiples per region: observed vs model median (band across replications) and naive forecasts."""

    data = h.comparison[h.comparison.variable == variable]
    regions = list(dict.fromkeys(data.region))
    single = len(regions) == 1
    fig, axes = panel_grid(
        len(regions), ncols=min(len(regions), 4), width=9.0 if single else 3.8, height=4.5 if single else 2.9
    )
    colour = scenario_colour(h.scenario.spec.name)
    for ax, region in zip(axes, regions):
        d = data[data.region == region]
        base = d.no_change.iloc[0]
        years = [h.base_year] + list(d.year)
        ax.fill_between(
            years,
            [base] + list(d.model_low),
            [base] + list(d.model_high),
            color=colour,
            alpha=0.15,
            lw=0,
            label=f"model {int(BAND[0] * 100)}-{int(BAND[1] * 100)}% of replications",
        )
        ax.plot(years, [base] + list(d.model_median), color=colour, lw=1.8, label="model median")
        ax.plot(years, [base] + list(d.no_change), color="#888888", ls="--", lw=1.2, label=FORECASTS["no_change"])
        if d.trend.notna().all():
            ax.plot(years, [base] + list(d.trend), color="#888888", ls=":", lw=1.4, label=FORECASTS["trend"])
        ax.plot(years, [base] + list(d.observed), color="#d62728", marker="o", ms=4, lw=1.5, label="observed")
        ax.set_title(region, fontsize=10)
        ax.set_ylabel("% " if variable != BELT_SHARE else "% of national GDP", fontsize=8)
        format_year_axis(ax)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.suptitle(
        f"{TITLES[variable]}: hindcast from {h.base_year}, scenario '{h.scenario.spec.name}' "
        f"({h.replications} replications)",
        fontsize=12,
    )
    fig.legend(handles, labels, loc="lower center", ncol=3 if single else 5, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.14 if single else 0.06, 1, 0.95))
    return save_figure(fig, path)


def report_markdown(h: Hindcast, text: str) -> str:
    """The hindcast's report.md: verdict, error table, notes and data."""
    lines = [
        f"# Hindcast {h.base_year}-{h.to_year}",
        "",
        "## Verdict",
        "",
        text,
        "",
        "## Mean absolute error of shares (percentage points)",
        "",
        markdown_table(errors_wide(h)),
        "",
    ]
    if h.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in h.notes] + [""]
    lines += [
        "## Data",
        "",
        "Observed: " + ", ".join(f"`{p}`" for p in h.observed_files) + ".",
        f"Region table: `{h.scenario.table.source_file}`. Compared provinces: "
        + "; ".join(f"{v}: {', '.join(r)}" for v, r in h.compared.items())
        + ".",
        f"Trend forecast: share change over the {h.trend_years} year(s) before {h.base_year}, continued.",
        "",
        "Figures: "
        + ", ".join(f"`{v}.png`" for v in h.comparison.variable.unique())
        + "; year-by-year values in `shares.csv`.",
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
        write_csv(h.comparison.round(4), tmp / "shares.csv")
        for variable in h.comparison.variable.unique():
            plot_shares(h, variable, tmp / f"{variable}.png")
        write_text(tmp / "report.md", report_markdown(h, text))
        spec = h.scenario.spec
        written = [tmp / name for name in ("errors.csv", "errors.md", "shares.csv", "report.md")]
        write_json(
            tmp / "metadata.json",
            seal(
                {
                    "base_year": h.base_year,
                    "to_year": h.to_year,
                    "replications": h.replications,
                    "scenario": h.scenario.canonical(),
                    "scenario_file": h.scenario.source,
                    "seeds": {str(r): replication_seed(spec.seed, r) for r in range(spec.replications)},
                    "observed_files": h.observed_files,
                    "compared_regions": h.compared,
                    "trend_years": h.trend_years,
                    "notes": h.notes,
                    **code_provenance(),
                    "integrity": manifest(tmp, written),
                }
            ),
        )
    return out
