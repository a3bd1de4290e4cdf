"""Compare scenarios: load result folders, pair replications by seed, effects with intervals, `yreb compare`.

Pairing: replication k of a scenario and of the baseline were run with the same seed (common random
numbers), so the effect is measured per pair, d_k = scenario_k - baseline_k. The effect's estimate is
the mean of d_k; its 90% seed interval is the t-interval of that mean across pairs (the band in the plots):
it measures the sampling noise of a finite number of replications, not the uncertainty of the model (see
``yreb.analysis.sensitivity`` for the effect over the range of the model's unpinned assumptions).
The 5-95% quantiles of d_k (spread of single-pair effects) are reported in the table as well.

The summary (``headline_table``) gives, per scenario, the nation, the belt and the rest of China, and the
three largest regional gains and losses of real GDP (ranked by the change in 100m yuan).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from yreb.analysis.metrics import (
    BELT,
    METRICS,
    NATION,
    aggregate_groups,
    available_metrics,
    belt_metrics,
    gdp_concepts,
    group_aggregates,
    net_bilateral,
    od_matrix,
    t_interval,
)
from yreb.errors import UserInputError
from yreb.inputs.regions import load_region_table
from yreb.model.outputs import FLOW_UNITS, VARIABLES
from yreb.runs.provenance import code_fingerprint
from yreb.runs.results import INPUTS_FOLDER, REGION_TABLE_FILE, RUN_EXPECTED, load_results

LEVEL = 0.90
METHOD = (
    "Replication k of each scenario is paired with replication k of the baseline (same seed, common random "
    "numbers); d_k = scenario_k - baseline_k. Effect = mean of d_k; 90% interval = t-interval of that mean "
    "across pairs (the band in the difference plots); q05/q95 = 5% and 95% quantiles of the single-pair "
    "differences. The interval is a seed interval: the sampling noise of the replications, not the uncertainty "
    "of the model. Level plots show the median and the 5-95% quantiles across replications."
)
# the summary's outcomes: (variable, whether its absolute change is shown besides the %)
HEADLINE_OUTCOMES = ("gdp_100m_yuan", "real_income_per_capita_yuan", "welfare_yuan")
TOP_REGIONS = 3  # largest regional gains and losses in the summary
INTERACTION = "interaction"  # the decomposition's rows (yreb.analysis.decompose): what the parts leave
TOTAL = "total"  # and the whole effect
DEFAULT_OUTCOMES = (
    "gdp_100m_yuan",
    "real_income_per_capita_yuan",
    "welfare_yuan",
    "population_persons",
    "talent_persons",
    "capital_installed_100m_yuan",
    "gdp_per_capita_yuan",
    "belt_share_national_gdp",
    "theil_t_total",
    "theil_l_total",
    "williamson_cv_gdp_per_capita",
    "beta_convergence_per_year",
    "talent_herfindahl",
)
INEQUALITY_METRICS = (
    "theil_t_total",
    "theil_t_between",
    "theil_t_within",
    "theil_l_total",
    "theil_l_between",
    "theil_l_within",
    "cv_gdp_per_capita",
    "williamson_cv_gdp_per_capita",
    "beta_convergence_per_year",
    "belt_share_national_gdp",
    "talent_herfindahl",
    "talent_top3_share",
)
# outcomes that change sign: a difference in % of the baseline would mislead (reported as n/a)
SIGNED_OUTCOMES = (
    "beta_convergence_per_year",
    "net_migration_talent_persons",
    "net_migration_labour_persons",
    "natural_change_persons",
)
# the registered metrics (yreb.analysis.metrics.METRICS) but the belt totals of model variables, which compare has
# with its belt aggregates of every additive variable
BELT_METRICS = tuple(name for name, m in METRICS.items() if not m.belt_total)
OUTCOMES = tuple(VARIABLES) + BELT_METRICS
OUTCOME_LABELS = {
    **{v: spec.meaning[0].upper() + spec.meaning[1:] for v, spec in VARIABLES.items()},
    **{m: METRICS[m].label for m in BELT_METRICS},
    "gdp_100m_yuan": "Real GDP",
    "gdp_per_capita_yuan": "Real GDP per resident",
    "real_income_per_capita_yuan": "Real income per resident",
    "welfare_yuan": "Welfare (expected utility, real income)",
    "talent_persons": "Resident talent (R&D personnel)",
    "capital_installed_100m_yuan": "Installed capital",
    "population_persons": "Resident population",
    "gdp_attributed_100m_yuan": "Real GDP by statistical attribution",
    "co2_Mt": "CO2 emissions",
    "co2_per_10k_yuan_gdp": "CO2 per 10,000 yuan of GDP",
}


@dataclass
class RunData:
    """One result folder: its tidy tables, metadata and the region attributes the metrics need."""

    folder: Path
    results: pd.DataFrame
    flows: pd.DataFrame | None
    metadata: dict
    regions: pd.DataFrame  # index: region name; columns region_zh, subregion, in_belt, lon, lat

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.metadata["scenario"]["name"]

    @property
    def description(self) -> str:
        """The scenario's description ('' if none)."""
        return self.metadata["scenario"].get("description", "")

    @property
    def years(self) -> tuple[int, int]:
        """First and last simulated year."""
        return int(self.results.year.min()), int(self.results.year.max())

    @property
    def belt(self) -> list[str]:
        """Names of the belt's regions."""
        return list(self.regions.index[self.regions.in_belt])

    def seeds(self) -> dict[int, int]:
        """Replication -> its seed."""
        return self.results.groupby("replication")["seed"].first().astype(int).to_dict()

    @property
    def groups(self) -> dict[str, list[str]]:
        """Aggregates reported besides the regions: Nation, Belt (and OutsideBelt if several regions are outside)."""
        return aggregate_groups(list(self.regions.index), list(self.regions.in_belt))

    @property
    def headline_regions(self) -> list[str]:
        """Nation, belt and the rest of China (one outside region, or the aggregate of several)."""
        outside = [r for r, b in zip(self.regions.index, self.regions.in_belt) if not b]
        return [*self.groups] if len(outside) != 1 else [NATION, BELT, outside[0]]

    def outcomes(self, year: int | None = None) -> pd.DataFrame:
        """Regional variables, their aggregates (Nation, Belt, ...) and belt metrics in one tidy table; with
        ``year``, that year's rows only (aggregates are per year; the metrics are computed from every year)."""
        results = self.results if year is None else self.results[self.results.year == year]
        metrics = self.belt_metrics()
        if year is not None:
            metrics = metrics[metrics.year == year]
        return pd.concat([results, group_aggregates(results, self.groups), metrics], ignore_index=True)

    def belt_metrics(self) -> pd.DataFrame:
        """The registered belt metrics the results can give, per replication and year (region 'Belt')."""
        r = self.regions
        return belt_metrics(
            self.results,
            list(r.index),
            list(r.in_belt),
            list(r.subregion),
            available_metrics(BELT_METRICS, self.results.variable.unique()),
        )


def _region_attributes(folder: Path, metadata: dict) -> pd.DataFrame:
    """Region attributes of a run, read from the copy of its region table in the folder (checked by SHA-256
    and against the region names in metadata.json)."""
    path = folder / INPUTS_FOLDER / REGION_TABLE_FILE
    inputs = metadata.get("inputs")
    record = inputs.get(REGION_TABLE_FILE) if isinstance(inputs, dict) else None
    recorded = record.get("sha256") if isinstance(record, dict) else None
    if recorded is None or not path.is_file():
        raise UserInputError(
            "the folder holds no copy of the region table it was run with (made by an older version of yreb?)",
            file=str(folder),
            field=f"{INPUTS_FOLDER}/{REGION_TABLE_FILE}",
            expected="a result folder written by this version of 'yreb run' (run the scenario again)",
        )
    if hashlib.sha256(path.read_bytes()).hexdigest() != recorded:
        raise UserInputError(
            "the copy of the region table was changed after the run (its SHA-256 differs from metadata.json)",
            file=str(path),
            expected="the unchanged file, or run the scenario again",
        )
    table = load_region_table(path)
    if list(table.names) != list(metadata["scenario"]["region_names"]):
        raise UserInputError(
            "the region table copy and metadata.json name different regions",
            file=str(path),
            value=list(table.names),
            expected=f"the regions of metadata.json: {', '.join(metadata['scenario']['region_names'])}",
        )
    return pd.DataFrame(
        {
            "region_zh": table.names_zh,
            "subregion": table.subregion,
            "in_belt": table.in_belt,
            "lon": table.lon,
            "lat": table.lat,
        },
        index=pd.Index(table.names, name="region"),
    )


def load_run(folder: str | Path, *, flows: bool = True) -> RunData:
    """Read and verify a result folder written by ``yreb run`` (flows.parquet too unless ``flows=False``).

    Every table must match the SHA-256, row count and schema recorded in metadata.json, and the names read
    from it are validated like the names in scenario files and region tables (``yreb.runs.runner``)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserInputError("result folder not found", file=str(folder), expected="a folder written by 'yreb run'")
    results, metadata = load_results(folder)
    flow_table = None
    if flows:
        path = folder / "flows.parquet"
        if not path.is_file() or "flows.parquet" not in metadata["integrity"]["files"]:
            raise UserInputError(
                "flows.parquet is missing", file=str(folder), expected="a complete folder written by 'yreb run'"
            )
        flow_table = pd.read_parquet(path)  # verified with the folder
        replications = set(results.replication.unique())
        if not set(flow_table.replication.unique()) <= replications:
            raise UserInputError("flows of replications the results do not have", file=str(path), expected=RUN_EXPECTED)
    regions = _region_attributes(folder, metadata)
    if set(results.region.unique()) != set(regions.index):
        raise UserInputError(
            "the results' regions differ from the recorded region names",
            file=str(folder),
            expected=", ".join(regions.index),
        )
    return RunData(folder, results, flow_table, metadata, regions)


def version_warnings(runs: list[RunData]) -> list[str]:
    """One warning per run made by another code version than this yreb (its recorded code fingerprint)."""
    current = code_fingerprint()
    out = []
    for run in runs:
        recorded = run.metadata.get("code_sha256")
        if recorded != current:
            git = run.metadata.get("git") if isinstance(run.metadata.get("git"), dict) else {}
            version = (run.metadata.get("versions") or {}).get("yreb-flows", "unknown")
            out.append(
                f"{run.name} ({run.folder}) was made by another code version than this yreb "
                f"(yreb-flows {version}, commit {str(git.get('commit', 'unknown'))[:12]}, code "
                f"{str(recorded)[:12]}; this yreb: code {current[:12]}): its numbers may not be comparable"
            )
    return out


# --- compatibility and pairing -----------------------------------------------------------------


def check_compatible(runs: list[RunData]) -> None:
    """Same regions (names, order, sub-regions, belt membership), years and variables; distinct scenario names."""
    first = runs[0]
    names = [r.name for r in runs]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise UserInputError(
            "two result folders hold the same scenario",
            field="RESULT_DIR",
            value=duplicated[0],
            expected="one folder per scenario",
        )
    region_set = first.regions[["subregion", "in_belt"]]
    for run in runs[1:]:
        if not run.regions[["subregion", "in_belt"]].equals(region_set):
            raise UserInputError(
                "results made from different region sets",
                file=str(run.folder),
                field="regions",
                value=[f"{r} ({s})" for r, s in run.regions.subregion.items()],
                expected=f"the regions and sub-regions of {first.folder}: "
                f"{[f'{r} ({s})' for r, s in first.regions.subregion.items()]}",
            )
        if run.years != first.years:
            raise UserInputError(
                "results cover different years",
                file=str(run.folder),
                field="years",
                value=f"{run.years[0]}-{run.years[1]}",
                expected=f"{first.years[0]}-{first.years[1]} as in {first.folder}",
            )
        variables, first_variables = set(run.results.variable), set(first.results.variable)
        if variables != first_variables:
            raise UserInputError(
                "results record different variables (made by different model versions?)",
                file=str(run.folder),
                field="variable",
                value=sorted(variables ^ first_variables),
                expected=f"the variables of {first.folder}",
            )


def paired_replications(run: RunData, baseline: RunData) -> list[int]:
    """Replications present in both runs; every pair must share its seed (common random numbers)."""
    seeds, base_seeds = run.seeds(), baseline.seeds()
    common = sorted(set(seeds) & set(base_seeds))
    if not common:
        raise UserInputError(
            "no replication number in common with the baseline",
            file=str(run.folder),
            expected=f"replications 0..{len(base_seeds) - 1} as in {baseline.folder}",
        )
    for k in common:
        if seeds[k] != base_seeds[k]:
            raise UserInputError(
                f"replication {k} does not share its seed with the baseline's "
                f"({base_seeds[k]}): the runs used different root seeds",
                file=str(run.folder),
                field="seed",
                value=seeds[k],
                expected="runs made with the same root seed "
                "(the scenario's 'seed', or the same {seed} override of every run)",
            )
    return common


def paired_differences(outcomes: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """d = scenario - baseline per (replication, seed, region, variable, year): rows pair on the seed too."""
    keys = ["replication", "seed", "region", "variable", "year"]
    merged = outcomes.merge(baseline[keys + ["value"]], on=keys, suffixes=("", "_baseline"), validate="one_to_one")
    return merged.assign(difference=merged.value - merged.value_baseline)


def summarise_differences(diffs: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """Per (scenario, region, variable, unit, year): means of both runs and of the paired difference, its
    t-interval at ``level`` across pairs, and the 5% / 95% quantiles of the single-pair differences."""
    g = diffs.groupby(["scenario", "region", "variable", "unit", "year"], sort=False)
    d = g["difference"]
    out = pd.DataFrame(
        {
            "n_pairs": d.count(),
            "baseline_mean": g["value_baseline"].mean(),
            "scenario_mean": g["value"].mean(),
            "mean_difference": d.mean(),
            "sd_difference": d.std(ddof=1),
            "q05_difference": d.quantile(0.05),
            "q95_difference": d.quantile(0.95),
        }
    ).reset_index()
    out["ci90_low"], out["ci90_high"] = t_interval(out.mean_difference, out.sd_difference, out.n_pairs, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = (out.baseline_mean > 0) & ~out.variable.isin(SIGNED_OUTCOMES)
        scale = np.where(relative, 100 / out.baseline_mean, np.nan)
    # the baseline mean is one number per row, so the interval in % is the interval in units, scaled
    out["pct_of_baseline"] = out.mean_difference * scale
    out["pct_low"], out["pct_high"] = out.ci90_low * scale, out.ci90_high * scale
    return out


def effects_table(
    summary: pd.DataFrame, year: int, outcomes: list[str], regions: list[str], headline: list[str]
) -> pd.DataFrame:
    """End-year effects: the headline rows first (nation, belt, rest of China; aggregates and belt metrics),
    then the chosen regions."""
    order = list(dict.fromkeys([*headline, *regions]))
    rows = summary[(summary.year == year) & summary.variable.isin(outcomes) & summary.region.isin(order)].copy()
    rows["_region"] = rows.region.map({r: i for i, r in enumerate(order)})
    rows["_outcome"] = rows.variable.map({o: i for i, o in enumerate(outcomes)})
    rows = rows.sort_values(["scenario", "_region", "_outcome"], kind="stable")
    columns = [
        "scenario",
        "region",
        "variable",
        "unit",
        "year",
        "n_pairs",
        "baseline_mean",
        "scenario_mean",
        "mean_difference",
        "ci90_low",
        "ci90_high",
        "pct_of_baseline",
        "q05_difference",
        "q95_difference",
    ]
    return rows[columns].reset_index(drop=True)


def format_number(x: float) -> str:
    """Readable fixed text for tables: thousands separators for large values, 4 significant digits else."""
    if pd.isna(x):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def effects_markdown(table: pd.DataFrame, baseline: str) -> str:
    """The effects table as Markdown, one section per scenario."""
    lines = []
    for scenario, rows in table.groupby("scenario", sort=False):
        year, n = int(rows.year.iloc[0]), int(rows.n_pairs.min())
        lines += [
            f"## {scenario} minus {baseline}, {year}",
            "",
            f"Mean of {n} paired replication differences; 90% interval = t-interval of the mean difference "
            "across pairs; 5-95% = quantiles of the single-pair differences.",
            "",
            "| region | outcome | unit | baseline | scenario | difference | 90% interval | % of baseline "
            "| 5-95% of pairs |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows.itertuples():
            lines.append(
                f"| {r.region} | {r.variable} | {r.unit} | {format_number(r.baseline_mean)} | "
                f"{format_number(r.scenario_mean)} | {format_number(r.mean_difference)} | "
                f"[{format_number(r.ci90_low)}, {format_number(r.ci90_high)}] | "
                f"{format_number(r.pct_of_baseline)} | "
                f"[{format_number(r.q05_difference)}, {format_number(r.q95_difference)}] |"
            )
        lines.append("")
    return "\n".join(lines)


# --- the comparison -------------------------------------------------------------------------------


@dataclass
class Comparison:
    """Runs paired with the baseline: their outcomes, paired differences and summary."""

    runs: list[RunData]  # baseline first
    outcomes: pd.DataFrame  # all runs, tidy (RESULT columns), with belt aggregates and metrics
    differences: pd.DataFrame  # paired differences of the non-baseline runs
    summary: pd.DataFrame  # summarise_differences(differences)
    pairs: dict[str, list[int]]

    @property
    def baseline(self) -> RunData:
        """The baseline run (the first)."""
        return self.runs[0]

    @property
    def order(self) -> list[str]:
        """Scenario names, baseline first."""
        return [r.name for r in self.runs]

    @property
    def end_year(self) -> int:
        """The last simulated year (the year of the summary and the tables)."""
        return self.baseline.years[1]

    def pairing_warnings(self) -> list[str]:
        """One warning per scenario whose replications or the baseline's are not all paired (how many are used,
        how many of each run are dropped)."""
        base = self.baseline
        n_base = base.results.replication.nunique()
        out = []
        for run in self.runs[1:]:
            n_run, used = run.results.replication.nunique(), len(self.pairs[run.name])
            if used < n_run or used < n_base:
                out.append(
                    f"{run.name}: {used} paired replications used; dropped {n_run - used} of its {n_run} and "
                    f"{n_base - used} of the baseline's {n_base} (they have no partner with the same replication "
                    "number and seed)"
                )
        return out


def choose_baseline(runs: list[RunData], name: str | None) -> list[RunData]:
    """Put the baseline first: the run named ``name``, or the one whose scenario is 'baseline'."""
    wanted = name or "baseline"
    matches = [r for r in runs if r.name == wanted]
    if not matches:
        hint = "{baseline} naming one of them" if name is None else "one of the given scenarios"
        raise UserInputError(
            f"no result folder holds the baseline scenario '{wanted}'",
            option="baseline",
            value=name,
            expected=f"{hint}: {', '.join(r.name for r in runs)}",
        )
    return matches + [r for r in runs if r is not matches[0]]


def compare_runs(runs: list[RunData]) -> Comparison:
    """Pair every run with the baseline (runs[0]) and summarise the paired differences."""
    if len(runs) < 2:
        raise UserInputError(
            "compare needs the baseline and at least one other scenario",
            field="RESULT_DIR",
            expected="two or more result folders",
        )
    check_compatible(runs)
    baseline = runs[0]
    tables = {r.name: r.outcomes() for r in runs}
    pairs, diffs = {}, []
    for run in runs[1:]:
        pairs[run.name] = paired_replications(run, baseline)
        table = tables[run.name]
        diffs.append(paired_differences(table[table.replication.isin(pairs[run.name])], tables[baseline.name]))
    differences = pd.concat(diffs, ignore_index=True)
    return Comparison(
        runs, pd.concat(tables.values(), ignore_index=True), differences, summarise_differences(differences), pairs
    )


MAX_FOLDER_NAME = 200  # characters of the joined names in compare-<names> (file names may have 255 bytes)


def default_out_dir(names: list[str], parent: Path) -> Path:
    """parent/compare-<names joined by '-'>, baseline first; when the joined names are longer than
    MAX_FOLDER_NAME characters, parent/compare-<baseline>-and-<n>-more-<8 hex digits of their SHA-256>."""
    joined = "-".join(names)
    if len(joined) > MAX_FOLDER_NAME:
        joined = f"{names[0]}-and-{len(names) - 1}-more-{hashlib.sha256(joined.encode()).hexdigest()[:8]}"
    return Path(parent) / f"compare-{joined}"


def belt_end_year_levels(outcomes: pd.DataFrame, year: int, headline: list[str]) -> pd.DataFrame:
    """Headline aggregates (nation, belt, rest of China) and belt metrics in ``year`` per scenario: median and
    5-95% quantiles across replications."""
    rows = outcomes[outcomes.region.isin(headline) & (outcomes.year == year)]
    g = rows.groupby(["scenario", "region", "variable", "unit"], sort=False)["value"]
    return pd.DataFrame(
        {"replications": g.count(), "median": g.median(), "q05": g.quantile(0.05), "q95": g.quantile(0.95)}
    ).reset_index()


def flow_matrices(runs: list[RunData]) -> pd.DataFrame:
    """Origin-destination matrices of each run and factor, summed over all years, mean over replications (tidy)."""
    frames = []
    for run in runs:
        for factor, unit in FLOW_UNITS.items():
            matrix = od_matrix(run.flows, factor, list(run.regions.index))
            frames.append(
                matrix.stack()
                .rename("value")
                .reset_index()
                .assign(scenario=run.name, factor=factor, unit=f"cumulative {unit.split(' (')[0]} x years")
            )
    return pd.concat(frames, ignore_index=True)[["scenario", "factor", "origin", "destination", "unit", "value"]]


def net_flow_change(
    run: RunData, baseline: RunData, factor: str, replications: list[int], regions: list[str]
) -> pd.DataFrame:
    """Change (run - baseline) of the cumulative net bilateral flows among ``regions``, mean over the pairs."""

    def net(r: RunData) -> pd.DataFrame:
        return net_bilateral(od_matrix(r.flows[r.flows.replication.isin(replications)], factor, regions))

    return net(run) - net(baseline)


def gdp_concepts_end_year(outcomes: pd.DataFrame, year: int) -> pd.DataFrame:
    """Real GDP by location and by attribution, nominal GDP and income of residents per scenario and region in
    ``year``, mean over replications (aggregates included)."""
    concepts = gdp_concepts(outcomes[outcomes.year == year])
    return (
        concepts.drop(columns=["replication", "seed", "year"])
        .groupby(["scenario", "region"], sort=False)
        .mean()
        .reset_index()
    )


# --- the summary ------------------------------------------------------------------------------------


def headline_table(
    summary: pd.DataFrame,
    scenario: str,
    year: int,
    headline: list[str],
    regions: list[str],
    outcomes: tuple[str, ...] = HEADLINE_OUTCOMES,
    k: int = TOP_REGIONS,
) -> pd.DataFrame:
    """The summary of one scenario in ``year``: one row per headline region (nation, belt, rest of China),
    then the ``k`` largest gains and the ``k`` largest losses of real GDP (change in 100m yuan) among
    ``regions``. Columns: role (``headline``, ``gain``, ``loss``), region, and per outcome ``<outcome>``,
    ``<outcome>:low``, ``<outcome>:high`` (effect and seed interval, units of the outcome) and the same with
    ``:pct`` (in % of the baseline). A region is a gain only if its change is positive, a loss if negative."""
    rows = summary[(summary.scenario == scenario) & (summary.year == year) & summary.variable.isin(outcomes)]
    gdp = rows[(rows.variable == "gdp_100m_yuan") & rows.region.isin(regions)].set_index("region").mean_difference
    gains = gdp[gdp > 0].sort_values(ascending=False).index[:k]
    losses = gdp[gdp < 0].sort_values().index[:k]
    order = [("headline", r) for r in headline] + [("gain", r) for r in gains] + [("loss", r) for r in losses]
    records = []
    for role, region in order:
        record = {"role": role, "region": region}
        for outcome in outcomes:
            row = rows[(rows.region == region) & (rows.variable == outcome)]
            if row.empty:
                continue
            r = row.iloc[0]
            record |= {
                outcome: r.mean_difference,
                f"{outcome}:low": r.ci90_low,
                f"{outcome}:high": r.ci90_high,
                f"{outcome}:pct": r.pct_of_baseline,
                f"{outcome}:pct_low": r.pct_low,
                f"{outcome}:pct_high": r.pct_high,
                "n_pairs": int(r.n_pairs),
            }
        records.append(record)
    return pd.DataFrame(records)


def moved_share(table: pd.DataFrame, belt: str, rest: str) -> float | None:
    """Share of the belt's real-GDP gain that the rest of China loses (the part moved, not created), from a
    ``headline_table``; None unless the belt gains and the rest of China loses."""
    gdp = table.set_index("region")["gdp_100m_yuan"]
    if belt not in gdp or rest not in gdp or not (gdp[belt] > 0 > gdp[rest]):
        return None
    return float(min(1.0, -gdp[rest] / gdp[belt]))


def tornado_table(effects: pd.DataFrame, summary: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per scenario, outcome and parameter: the effect (% of baseline) at the defaults, at the low and
    the high end, and the swing, ranked by swing within each scenario and outcome."""
    ok = effects[effects.error == ""]
    wide = ok.pivot_table(
        index=["scenario", "region", "variable", "parameter"], columns="end", values="pct_of_baseline"
    ).reset_index()
    wide.columns.name = None
    values = ok.pivot_table(index=["parameter"], columns="end", values="value", aggfunc="first")
    centre = summary[summary.year == year].set_index(["scenario", "region", "variable"]).pct_of_baseline
    wide["default"] = [centre.get((s, r, v), np.nan) for s, r, v in zip(wide.scenario, wide.region, wide.variable)]
    wide["low_value"] = wide.parameter.map(values["low"])
    wide["high_value"] = wide.parameter.map(values["high"])
    wide["swing"] = (wide["high"] - wide["low"]).abs()
    wide = wide.sort_values(["scenario", "region", "variable", "swing"], ascending=[True, True, True, False])
    return wide[
        ["scenario", "region", "variable", "parameter", "low_value", "high_value", "low", "default", "high", "swing"]
    ].reset_index(drop=True)
