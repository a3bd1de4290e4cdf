"""The Python API for notebooks and scripts: load or build scenarios, run them, compare, save and export.

``import yreb`` exposes these names lazily (the command line stays fast)::

    import yreb
    s = yreb.load_scenario("baseline", replications=3)
    r = yreb.run(s)                       # a Result: r.table, r.flows, r.to_xarray(), r.save("results")
    t = yreb.modify(s, name="no_barriers", policies=[{"type": "barrier", "start": 2020, "talent": 0.0}])
    c = yreb.compare(r, yreb.run(t))      # a Comparison: c.effects, c.summary, c.save()

Every function validates its input exactly as the command line does and raises ``yreb.errors.UserInputError``
naming the file or argument, the field and what was expected. Reference: docs/API.md.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from yreb.analysis.compare import (
    DEFAULT_OUTCOMES,
    OUTCOMES,
    RunData,
    choose_baseline,
    compare_runs,
    default_out_dir,
    effects_table,
    load_run,
)
from yreb.errors import UserInputError
from yreb.export.files import dataset_attrs, export_result, export_table, model_label
from yreb.export.iamc import iamc_mapping, iamc_table
from yreb.export.netcdf import to_dataset
from yreb.inputs.library import library
from yreb.inputs.scenario import ResolvedScenario, ScenarioFile, parse_scenario, resolve
from yreb.inputs.scenario import load_scenario as _load_scenario
from yreb.runs.results import load_results
from yreb.runs.runner import run_metadata, run_to_folder, simulate
from yreb.viz.report import write_comparison, write_run_figures

if TYPE_CHECKING:
    import xarray

__all__ = [
    "Comparison",
    "Result",
    "compare",
    "export_result",
    "list_scenarios",
    "load_result",
    "load_scenario",
    "modify",
    "run",
    "scenario_from_dict",
]
DEFAULT_RESULTS = Path("results")


# --- scenarios ----------------------------------------------------------------------------------------------


def list_scenarios() -> pd.DataFrame:
    """The shipped scenarios and sweeps: columns kind (scenario or sweep), name, description, path."""
    return pd.DataFrame(
        [(e.kind, e.name, e.description, str(e.path)) for e in library()],
        columns=["kind", "name", "description", "path"],
    )


def load_scenario(
    name_or_path: str | Path, *, replications: int | None = None, seed: int | None = None, force: bool = False
) -> ResolvedScenario:
    """A validated scenario from a TOML file, or by the name of a shipped one (``yreb.list_scenarios()``).

    ``replications`` and ``seed`` override the file's values (validated like them; more than 1000
    replications need ``force=True``), as ``yreb run --replications/--seed`` do.
    """
    return _load_scenario(name_or_path, replications=replications, seed=seed, force=force)


def scenario_from_dict(
    doc: dict[str, Any], *, base_dir: str | Path = ".", source: str = "<scenario>"
) -> ResolvedScenario:
    """A validated scenario from a dict with the keys of a scenario file (``name``, ``policies``, ...).

    A relative ``region_table`` is read from ``base_dir``; ``source`` names the scenario in error messages.
    """
    spec = parse_scenario(dict(doc), source)
    return resolve(spec, Path(base_dir), source)


def modify(scenario: ResolvedScenario, **changes: Any) -> ResolvedScenario:
    """A copy of ``scenario`` with some of its fields changed, validated like a scenario file.

    ``changes`` are top-level keys of a scenario file: ``name``, ``description``, ``seed``, ``replications``,
    ``start_year``, ``end_year``, ``regions``, ``groups``, ``policies`` (replaces the list) and
    ``parameters`` (merged into the scenario's parameters). ``add_policies=[...]`` appends policies instead.
    Policies are dicts as in a file (``{"type": "barrier", "start": 2020, "talent": 0.0}``). Give a changed
    scenario its own ``name``: results are told apart (and result folders named) by it.
    """
    doc = scenario.spec.model_dump(mode="json")
    if scenario.spec.region_table is not None:  # keep pointing at the same file, wherever this runs
        doc["region_table"] = str(Path(scenario.table.source_file).resolve())
    added = changes.pop("add_policies", None)
    unknown = sorted(set(changes) - set(ScenarioFile.model_fields))
    if unknown:
        raise UserInputError(
            "unknown scenario field",
            option=unknown[0],
            expected="one of " + ", ".join([*ScenarioFile.model_fields, "add_policies"]),
        )
    if "parameters" in changes:
        doc["parameters"] = {**doc["parameters"], **dict(changes.pop("parameters"))}
    doc.update(changes)
    if added is not None:
        doc["policies"] = [*doc["policies"], *added]
    doc["policies"] = [p.model_dump(mode="json") if hasattr(p, "model_dump") else p for p in doc["policies"]]
    source = f"<{scenario.spec.name} changed in code>"
    return resolve(parse_scenario(doc, source), Path.cwd(), source)


# --- results ------------------------------------------------------------------------------------------------


@dataclass
class Result:
    """A run's tables and metadata, from ``yreb.run`` (in memory) or ``yreb.load_result`` (a result folder).

    ``table``: the tidy table, columns scenario, replication, seed, region, variable, unit, year, value (the
    units are the model's, in the ``unit`` column); ``flows``: origin-destination flows (None if not
    recorded); ``metadata``: as in the folder's metadata.json; ``scenario``: the scenario run (None for a
    loaded folder); ``folder``: where the result is saved (None until ``save``).
    """

    table: pd.DataFrame
    flows: pd.DataFrame | None
    metadata: dict
    scenario: ResolvedScenario | None = None
    folder: Path | None = None

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.metadata["scenario"]["name"]

    @property
    def variables(self) -> pd.DataFrame:
        """The recorded variables with their units and IAMC names: variable, unit, iamc_variable, iamc_unit, factor."""
        return iamc_mapping(self.table)

    def median(self, variable: str) -> pd.DataFrame:
        """Median across replications of one variable: years x regions (for plotting)."""
        rows = self.table[self.table.variable == variable]
        if rows.empty:
            raise UserInputError(
                "unknown variable",
                option="variable",
                value=variable,
                expected="one of " + ", ".join(self.table.variable.unique()),
            )
        regions = list(dict.fromkeys(rows.region))
        return rows.pivot_table(index="year", columns="region", values="value", aggfunc="median")[regions]

    def to_xarray(self) -> xarray.Dataset:
        """The table as an ``xarray.Dataset``: one variable per model variable over (scenario, replication,
        region, year), units in each variable's attributes (needs the extra ``netcdf``)."""
        return to_dataset(self.table, dataset_attrs(self.metadata, self.folder))

    def to_iamc(self) -> pd.DataFrame:
        """The IAMC long-format table (model, scenario, region, variable, unit, year, value) that
        ``pyam.IamDataFrame`` takes as is: medians across replications, with ``|q05`` and ``|q95``."""
        return iamc_table(self.table, model_label(self.metadata))

    def export(self, path: str | Path, format: str, *, force: bool = False) -> Path:
        """Write the result as ``format`` (iamc, netcdf or csv) to ``path`` atomically, as ``yreb export``."""
        return export_table(self.table, self.metadata, Path(path), format, force=force, folder=self.folder)

    def save(
        self,
        out_dir: str | Path = DEFAULT_RESULTS,
        *,
        force: bool = False,
        plots: bool = True,
        more_figures: bool = False,
    ) -> Path:
        """Write ``out_dir/<name>/`` exactly as ``yreb run`` does (tables, metadata, plots; ``more_figures``: the
        report's inequality chart as inequality.png too); returns the folder.

        The folder is written by the command line's own code path, which runs the scenario again (the same
        seeds give the same numbers; this is checked). An existing folder is replaced only with ``force``.
        """
        if self.scenario is None:
            raise UserInputError(
                "this result was loaded from a folder and is saved there already",
                file=str(self.folder),
                expected="a result of yreb.run(...)",
            )
        figures = functools.partial(write_run_figures, more_figures=more_figures) if plots else None
        folder = run_to_folder(self.scenario, Path(out_dir), force=force, progress=False, figures=figures)
        table, metadata = load_results(folder)
        same = table[["region", "variable", "year", "replication"]].equals(
            self.table[["region", "variable", "year", "replication"]].reset_index(drop=True)
        ) and table.value.equals(self.table.value.reset_index(drop=True))
        if not same:
            raise RuntimeError(f"the saved run in {folder} differs from this result: the model is not deterministic")
        self.folder, self.metadata = folder, metadata
        return folder


def run(
    scenario: ResolvedScenario | str | Path,
    *,
    replications: int | None = None,
    seed: int | None = None,
    progress: bool = False,
    record_flows: bool = True,
) -> Result:
    """Run every replication of a scenario in memory (a scenario, or a file or shipped name to load).

    ``replications`` and ``seed`` override the scenario's; ``record_flows=False`` skips the
    origin-destination flows (faster for many regions). Nothing is written: ``Result.save`` does that.
    """
    if not isinstance(scenario, ResolvedScenario):
        scenario = load_scenario(scenario)
    overrides = {k: v for k, v in (("replications", replications), ("seed", seed)) if v is not None}
    if overrides:
        scenario = modify(scenario, **overrides)
    output = simulate(scenario, progress=progress, record_flows=record_flows)
    metadata = run_metadata(scenario, output, {})
    return Result(output.results, output.flows if record_flows else None, metadata, scenario)


def load_result(folder: str | Path) -> Result:
    """A result folder written by ``yreb run`` or ``Result.save``."""
    run_data = load_run(folder)
    return Result(run_data.results, run_data.flows, run_data.metadata, None, Path(folder))


# --- comparisons --------------------------------------------------------------------------------------------


def _run_data(item: Result | str | Path) -> RunData:
    if isinstance(item, str | Path):
        return load_run(item)
    if item.folder is not None:
        return load_run(item.folder)
    t = item.scenario.table
    regions = pd.DataFrame(
        {"region_zh": t.names_zh, "subregion": t.subregion, "in_belt": t.in_belt, "lon": t.lon, "lat": t.lat},
        index=pd.Index(t.names, name="region"),
    )
    return RunData(Path(f"<{item.name} in memory>"), item.table, item.flows, item.metadata, regions)


@dataclass
class Comparison:
    """Scenarios paired with a baseline by seed (``yreb.compare``): effects with 90% intervals.

    ``effects``: the end-year table of ``yreb compare`` (effects.csv); ``summary``: the same for every year,
    region and outcome; ``differences``: the paired differences per replication; ``comparison``: the
    underlying ``yreb.analysis.compare.Comparison``.
    """

    comparison: Any
    outcomes: list[str]
    regions: list[str]
    year: int
    _effects: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def baseline(self) -> str:
        """The baseline's scenario name."""
        return self.comparison.baseline.name

    @property
    def scenarios(self) -> list[str]:
        """The scenarios compared with the baseline."""
        return self.comparison.order[1:]

    @property
    def effects(self) -> pd.DataFrame:
        """End-year effects (``year``): nation, belt and rest of China first, then the regions; as effects.csv."""
        if self._effects is None:
            self._effects = effects_table(
                self.comparison.summary,
                self.year,
                self.outcomes,
                self.regions,
                self.comparison.baseline.headline_regions,
            )
        return self._effects

    @property
    def summary(self) -> pd.DataFrame:
        """Mean paired difference, 90% interval, % of baseline and 5-95% of pairs for every year and outcome."""
        return self.comparison.summary

    @property
    def differences(self) -> pd.DataFrame:
        """Paired differences scenario_k - baseline_k per replication k."""
        return self.comparison.differences

    def save(
        self,
        out: str | Path | None = None,
        *,
        map_outcome: str = "gdp_per_capita_yuan",
        chinese: bool = False,
        force: bool = False,
        more_figures: bool = False,
    ) -> Path:
        """Write the comparison folder of ``yreb compare`` (plots, effects, report.html); returns it.

        The default folder is results/compare-<baseline>-<scenarios>; ``more_figures``: the report's screen-only
        charts as figure files too.
        """
        return write_comparison(
            self.comparison,
            Path(out) if out is not None else default_out_dir(self.comparison.order, DEFAULT_RESULTS),
            outcomes=self.outcomes,
            regions=self.regions,
            map_outcome=map_outcome,
            chinese=chinese,
            force=force,
            more_figures=more_figures,
        )


def compare(
    *runs: Result | str | Path,
    baseline: str | None = None,
    outcomes: list[str] | None = None,
    regions: list[str] | None = None,
    year: int | None = None,
) -> Comparison:
    """Compare results (``Result`` objects or result folders) with the baseline, pairing replications by seed.

    ``baseline``: the baseline's scenario name (default: the one named 'baseline'); ``outcomes`` and
    ``regions``: rows of ``effects`` (default: those of ``yreb compare``); ``year``: the year of ``effects``
    (default: the last simulated year).
    """
    data = choose_baseline([_run_data(r) for r in runs], baseline)
    comparison = compare_runs(data)
    chosen = list(outcomes) if outcomes else list(DEFAULT_OUTCOMES)
    for name in chosen:
        if name not in OUTCOMES:
            raise UserInputError(
                "unknown outcome", option="outcomes", value=name, expected="one of " + ", ".join(OUTCOMES)
            )
    base = comparison.baseline
    chosen_regions = list(regions) if regions else base.belt
    for name in chosen_regions:
        if name not in base.regions.index:
            raise UserInputError(
                "unknown region", option="regions", value=name, expected="one of " + ", ".join(base.regions.index)
            )
    first, last = base.years
    end = last if year is None else year
    if not first <= end <= last:
        raise UserInputError("year outside the simulated years", option="year", value=year, expected=f"{first}-{last}")
    return Comparison(comparison, chosen, chosen_regions, end)
