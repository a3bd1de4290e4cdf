"""Analysis of a sweep folder: response plots, heatmaps, sensitivity indices with confidence intervals and a
table of the most influential parameters (``yreb sweep-report``).

Indices are computed on the mean over replications of each design point (common random numbers make the
replications of all points share their seeds), for one outcome and year:

- sobol: first-order S1 and total ST (SALib.analyze.sobol, Saltelli/Jansen estimators, bootstrap CIs);
- morris: mu* (mean absolute elementary effect, bootstrap CI) and sigma (SALib.analyze.morris);
- lhs: Borgonovo's moment-independent delta and S1 (SALib.analyze.delta, bootstrap CIs);
- grid: main-effect share S_i = Var(E[Y | x_i]) / Var(Y) over the full-factorial grid, with a bootstrap
  over replications for the CI.

The share of the variance of single runs due to replication noise, mean_p Var_k(Y_pk) / Var(Y), is reported
next to the indices (it is what averaging over replications removes).
"""

from __future__ import annotations

import itertools
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import matplotlib.ticker
import numpy as np
import pandas as pd
from scipy.stats import norm

from yreb.analysis.metrics import BELT, METRICS
from yreb.errors import UserInputError
from yreb.runs.storage import atomic_folder
from yreb.sweep.core import SUMMARY_METRICS, SweepFile
from yreb.viz.plotting import BAND, format_year_axis, plt, quantile_band

OUTCOMES: dict[str, tuple[str, str]] = {  # title, axis unit
    "gdp_100m_yuan": ("Belt GDP", "100 million yuan, 2015 prices"),
    "belt_share_national_gdp": (METRICS["belt_share_national_gdp"].label, METRICS["belt_share_national_gdp"].unit),
    "theil_t_between": (METRICS["theil_t_between"].label, "Theil index, 0 = equal"),
}
MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "lhs": "delta", "grid": "main_effect"}
SECOND_INDEX = {"sobol": "S1", "morris": "sigma", "lhs": "S1", "grid": None}
INDEX_LABELS = {
    "S1": "first-order S1",
    "ST": "total-order ST",
    "mu_star": "Morris mu*",
    "sigma": "Morris sigma",
    "delta": "Borgonovo delta (balanced bins)",
    "main_effect": "main-effect share",
}
CONF_LEVEL = 0.95
RESAMPLES = 200
MAX_LEVELS = 12  # response plots: parameters with more distinct values are binned
BINS = 8


@dataclass
class SweepResults:
    """A sweep folder read back: the sweep spec, its design (one row per run) and the results table."""

    folder: Path
    spec: SweepFile
    design: pd.DataFrame
    results: pd.DataFrame
    meta: dict

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.spec.vary]

    @property
    def sample(self) -> np.ndarray:
        """Points x parameters sample coordinates, in design order."""
        points = self.design.drop_duplicates("point").sort_values("point")
        return points[[f"sample:{n}" for n in self.names]].to_numpy(dtype=float)

    @property
    def years(self) -> list[int]:
        return sorted(self.results["year"].unique().tolist())


def load_sweep(folder: str | Path) -> SweepResults:
    folder = Path(folder)
    paths = [folder / name for name in ("metadata.json", "design.parquet", "results.parquet")]
    if not all(p.is_file() for p in paths):
        raise UserInputError(
            "not a complete sweep folder (metadata.json, design.parquet and results.parquet expected)",
            file=str(folder),
            expected="a folder written by 'yreb sweep'",
        )
    meta = json.loads(paths[0].read_text(encoding="utf-8"))
    return SweepResults(
        folder, SweepFile.model_validate(meta["sweep"]), pd.read_parquet(paths[1]), pd.read_parquet(paths[2]), meta
    )


def outcome_values(sweep: SweepResults, outcome: str, year: int) -> pd.DataFrame:
    """One row per run (point, replication, parameter values, value); value is NaN for failed runs."""
    rows = sweep.results[
        (sweep.results.region == BELT) & (sweep.results.variable == outcome) & (sweep.results.year == year)
    ]
    runs = sweep.design[["point", "replication", *sweep.names]]
    return runs.merge(rows[["point", "replication", "value"]], on=["point", "replication"], how="left")


def noise_share(values: pd.DataFrame) -> float:
    """mean over points of the variance across replications / variance of all runs (population variances, so
    that total = within + between for a balanced design; 0 with one replication)."""
    within = values.groupby("point")["value"].var(ddof=0).mean()
    total = values["value"].var(ddof=0)
    return float(within / total) if total > 0 else float("nan")


# --- sensitivity indices -------------------------------------------------------------------------


def varies(y: np.ndarray) -> bool:
    """Whether an outcome varies across design points beyond rounding (indices are undefined otherwise)."""
    return bool(np.nanstd(y) > 1e-12 * max(1.0, float(np.nanmax(np.abs(y)))))


def main_effect_shares(matrix: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """S_i = Var over the levels of x_i of mean(Y | x_i) / Var(Y), for a full-factorial grid.

    ``matrix`` is points x replications; ``levels`` is points x parameters. Y = mean over the replications
    that completed.
    """
    y = np.nanmean(matrix, axis=1)  # a point without any completed replication makes every share NaN
    total = y.var()
    if not varies(y):
        return np.full(levels.shape[1], np.nan)
    shares = []
    for i in range(levels.shape[1]):
        _, groups = np.unique(levels[:, i], return_inverse=True)
        conditional = np.bincount(groups, weights=y) / np.bincount(groups)
        shares.append(conditional[groups].var() / total)
    return np.array(shares)


def _grid_indices(values: pd.DataFrame, sample: np.ndarray, names: list[str], seed: int) -> pd.DataFrame:
    matrix = values.pivot(index="point", columns="replication", values="value").sort_index().to_numpy()
    estimate = main_effect_shares(matrix, sample)
    reps = matrix.shape[1]
    if reps > 1:
        rng = np.random.default_rng(seed)
        with warnings.catch_warnings():  # a resample may hold only failed replications of a point: NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            boot = np.array(
                [main_effect_shares(matrix[:, rng.integers(0, reps, reps)], sample) for _ in range(RESAMPLES)]
            )
        conf = norm.ppf(0.5 + CONF_LEVEL / 2) * np.nanstd(boot, axis=0, ddof=1)
    else:
        conf = np.full(len(names), np.nan)
    return pd.DataFrame({"parameter": names, "index": "main_effect", "value": estimate, "conf": conf, "note": ""})


def sensitivity_indices(sweep: SweepResults, values: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Indices of every varied parameter for one outcome and year: parameter, index, value, conf (95% half-width)."""
    spec, names = sweep.spec, sweep.names
    y = values.groupby("point")["value"].mean().sort_index()
    if y.isna().any():
        missing = y.index[y.isna()].tolist()
        raise UserInputError(
            f"{len(missing)} design points have no completed run (first: point {missing[0]}); indices need every point",
            file=str(sweep.folder / "failures.csv"),
            expected="a sweep without failed points (rerun, or narrow the ranges)",
        )
    y_arr, problem = y.to_numpy(), spec.salib_problem()
    if not varies(y_arr):  # e.g. years before the varied policies start: every point gives the same value
        indices = [i for i in (MAIN_INDEX[spec.design], SECOND_INDEX[spec.design]) if i]
        return pd.DataFrame(
            {
                "parameter": names * len(indices),
                "index": np.repeat(indices, len(names)),
                "value": np.nan,
                "conf": np.nan,
                "note": "no variation across design points",
            }
        )
    if spec.design == "grid":
        return _grid_indices(values, sweep.sample, names, seed)
    notes = [""] * len(names)
    if spec.design == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(
            problem, y_arr, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed
        )
        pairs = (("S1", "S1_conf"), ("ST", "ST_conf"))
    elif spec.design == "morris":
        from SALib.analyze import morris

        si = morris.analyze(
            problem,
            sweep.sample,
            y_arr,
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            num_levels=spec.morris_levels,
            seed=seed,
        )
        si["sigma_conf"] = np.full(len(names), np.nan)
        pairs = (("mu_star", "mu_star_conf"), ("sigma", "sigma_conf"))
    else:
        from SALib.analyze import delta

        formatter = warnings.formatwarning
        with warnings.catch_warnings(record=True):  # SALib warns per parameter (it resets the filters) and
            si = delta.analyze(
                problem, sweep.sample, y_arr, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed, method="all"
            )  # returns the same text as 'notes'
        warnings.formatwarning = formatter  # SALib replaces the global formatter
        si["delta"], si["delta_conf"] = si["delta_balanced"], si["delta_balanced_conf"]
        pairs = (("delta", "delta_conf"), ("S1", "S1_conf"))
        notes = [
            "; ".join(
                part.strip()
                for part in note.split(";")  # we use balanced bins, not the step method
                if part.strip() and not part.strip().startswith("Step:")
            )
            for note in si["notes"]
        ]
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "parameter": names,
                    "index": index,
                    "value": np.asarray(si[index], float),
                    "conf": np.asarray(si[conf], float),
                    "note": notes,
                }
            )
            for index, conf in pairs
        ],
        ignore_index=True,
    )


def indices_by_year(sweep: SweepResults, outcomes: list[str], years: list[int]) -> pd.DataFrame:
    """Indices for every outcome and year: outcome, year, parameter, index, value, conf, noise_share."""
    seed = int(sweep.meta["root_seed"]) % 2**32
    frames = []
    for outcome, year in itertools.product(outcomes, years):
        values = outcome_values(sweep, outcome, year)
        frame = sensitivity_indices(sweep, values, seed)
        frame.insert(0, "outcome", outcome)
        frame.insert(1, "year", year)
        frame["noise_share"] = noise_share(values)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def influence_table(indices: pd.DataFrame, sweep: SweepResults, year: int) -> pd.DataFrame:
    """Parameters ranked by the design's main index (ST, mu*, delta or main-effect share) per outcome."""
    main = MAIN_INDEX[sweep.spec.design]
    labels = {v.name: v.axis_label for v in sweep.spec.vary}
    rows = indices[(indices.year == year) & (indices["index"] == main)].copy()
    rows = rows.sort_values(["outcome", "value"], ascending=[True, False])
    rows["rank"] = rows.groupby("outcome").cumcount() + 1
    rows["label"] = rows["parameter"].map(labels)
    return rows[["outcome", "year", "rank", "parameter", "label", "index", "value", "conf", "noise_share", "note"]]


def markdown_table(frame: pd.DataFrame) -> str:
    """A pipe table; floats with 4 significant digits."""

    def cell(v):
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


# --- plots ---------------------------------------------------------------------------------------


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
    names, title, unit = sweep.names, *OUTCOMES[outcome]
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
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_heatmap(sweep: SweepResults, outcome: str, year: int, pair: tuple[str, str], path: Path) -> Path:
    """Mean outcome (over replications and any other parameters) for each cell of a two-parameter grid."""
    a, b = pair
    values = outcome_values(sweep, outcome, year)
    cells = values.groupby([b, a])["value"].mean().unstack(a)
    labels = {v.name: v.axis_label for v in sweep.spec.vary}
    title, unit = OUTCOMES[outcome]
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
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_indices(indices: pd.DataFrame, sweep: SweepResults, outcome: str, year: int, path: Path) -> Path:
    """Bars of each index per parameter with 95% confidence intervals."""
    rows = indices[(indices.outcome == outcome) & (indices.year == year)]
    labels = {v.name: v.axis_label for v in sweep.spec.vary}
    kinds = list(dict.fromkeys(rows["index"]))
    order = (
        rows[rows["index"] == MAIN_INDEX[sweep.spec.design]].sort_values("value", ascending=False)["parameter"].tolist()
    )
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
            label=INDEX_LABELS[kind],
        )
    ax.set_xticks(range(len(order)), [labels[p] for p in order], rotation=30, ha="right", fontsize=8)
    title = OUTCOMES[outcome][0]
    unit = f"{OUTCOMES[outcome][1]} per unit step" if sweep.spec.design == "morris" else "share of variance"
    ax.set_ylabel(unit if sweep.spec.design != "lhs" else "index (0-1)")
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
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_indices_over_time(indices: pd.DataFrame, sweep: SweepResults, outcome: str, path: Path) -> Path:
    """The design's main index of every parameter over the simulated years, with 95% CI bands."""
    main = MAIN_INDEX[sweep.spec.design]
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
    ax.set_ylabel(INDEX_LABELS[main])
    ax.set_title(
        f"{OUTCOMES[outcome][0]}: {INDEX_LABELS[main]} of each parameter by year\n"
        f"sweep '{sweep.spec.name}', band: {int(CONF_LEVEL * 100)}% CI (gaps: no variation across points)"
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="parameter")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(
    folder: str | Path, *, out: Path | None = None, outcomes: list[str] | None = None, year: int | None = None
) -> Path:
    """Write plots, indices.csv (all years), influence.csv and influence.md for a sweep folder (atomically)."""
    sweep = load_sweep(folder)
    outcomes = outcomes or list(SUMMARY_METRICS)
    years = sweep.years
    if not years:
        raise UserInputError("the sweep has no completed runs", file=str(sweep.folder / "results.parquet"))
    year = years[-1] if year is None else year
    if year not in years:
        raise UserInputError(
            "year not simulated", field="--year", value=year, expected=f"a year from {years[0]} to {years[-1]}"
        )
    target = Path(out) if out is not None else sweep.folder / "report"
    indices = indices_by_year(sweep, outcomes, years)
    influence = influence_table(indices, sweep, year)
    with atomic_folder(target, force=True) as tmp:
        indices.to_csv(tmp / "indices.csv", index=False)
        influence.to_csv(tmp / "influence.csv", index=False)
        lines = [
            f"# Most influential parameters: sweep `{sweep.spec.name}`, {year}",
            "",
            f"Design {sweep.spec.design}, {len(sweep.sample)} points x {sweep.spec.replications} replications; "
            f"ranked by {INDEX_LABELS[MAIN_INDEX[sweep.spec.design]]}; conf = half-width of the "
            f"{int(CONF_LEVEL * 100)}% confidence interval; noise_share = share of the variance of single "
            "runs due to replication noise.",
            "",
        ]
        for outcome in outcomes:
            rows = influence[influence.outcome == outcome]
            lines += [
                f"## {OUTCOMES[outcome][0]}",
                "",
                markdown_table(rows.drop(columns=["outcome", "year", "note"])),
                "",
            ]
            lines += [f"Note on {p}: {note}" for p, note in zip(rows["parameter"], rows["note"]) if note] + [""]
        (tmp / "influence.md").write_text("\n".join(lines), encoding="utf-8")
        for outcome in outcomes:
            plot_response(sweep, outcome, year, tmp / f"response_{outcome}.png")
            plot_indices(indices, sweep, outcome, year, tmp / f"indices_{outcome}.png")
            plot_indices_over_time(indices, sweep, outcome, tmp / f"indices_over_time_{outcome}.png")
            if sweep.spec.design == "grid":
                for pair in itertools.combinations(sweep.names, 2):
                    plot_heatmap(sweep, outcome, year, pair, tmp / f"heatmap_{outcome}__{pair[0]}__{pair[1]}.png")
    return target
