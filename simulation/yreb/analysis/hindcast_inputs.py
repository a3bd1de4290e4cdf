"""The inputs of a hindcast (``yreb hindcast``), read and checked before anything runs: the scenario with the
hindcast's years, the observed files, the compared regions and years (``yreb.analysis.hindcast`` runs them).

Apart from the hindcast itself so that its input errors need neither the model nor Mesa (fast command line).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from yreb.errors import UserInputError
from yreb.inputs.observed import DEFAULT_OBSERVED, GDP, POPULATION, load_observed_files, observed_panel, provenance
from yreb.inputs.scenario import (
    MAX_REPLICATIONS,
    MAX_SIMULATED_YEARS,
    ResolvedScenario,
    find_scenario_file,
    parse_scenario,
    read_toml,
    resolve,
)

DEFAULT_SCENARIO = "baseline"  # the shipped baseline scenario (by name)
DEFAULT_REPLICATIONS = 10
GDP_LEVEL_TOLERANCE = 0.02  # base-year GDP in the region table and in the observed data must agree this well
# compared share: (observed variable, model variable, title)
SHARE_VARIABLES = {
    "gdp_share": (GDP, "gdp_100m_yuan", "Provincial GDP share (% of the compared provinces' GDP)"),
    "population_share": (
        POPULATION,
        "population_persons",
        "Provincial population share (% of the compared provinces' residents)",
    ),
}


@dataclass
class HindcastInputs:
    """A checked hindcast, ready to run: the scenario (base year to ``to_year``) and the observed data."""

    scenario: ResolvedScenario
    observed: pd.DataFrame  # tidy observed rows (region, year, variable, value, file, line)
    observed_paths: list[str]
    compared: dict[str, list[str]]  # share variable -> regions compared
    notes: list[str]
    base_year: int
    to_year: int
    replications: int


def hindcast_scenario(path: Path, base_year: int | None, end_year: int | None, replications: int):
    """The baseline scenario file with the hindcast's years and replications (validated as any scenario)."""

    if replications > MAX_REPLICATIONS:
        raise UserInputError(
            "too many replications", option="replications", value=replications, expected=f"at most {MAX_REPLICATIONS}"
        )
    data, text = read_toml(path)
    if base_year is not None:
        data["start_year"] = base_year
    start = data.get("start_year", 2015)
    data["end_year"] = end_year if end_year is not None else max(data.get("end_year", start + 1), start + 1)
    data["replications"] = replications
    return resolve(parse_scenario(data, str(path), text), path.parent, str(path))


def check_base_year(table, observed: pd.DataFrame, regions: list[str], base_year: int) -> None:
    """The region table must hold base-year data: its GDP equals the observed base-year GDP (within 2%)."""
    panel = observed_panel(observed, GDP, regions)
    for region in regions:
        model_gdp = table.gdp_100m_yuan[table.index(region)]
        seen = panel.loc[base_year, region]
        if abs(model_gdp / seen - 1) > GDP_LEVEL_TOLERANCE:
            raise UserInputError(
                f"the region table ({table.source_file}) does not hold {base_year} data: GDP of {region} is "
                f"{model_gdp:,.1f} there and {seen:,.1f} in the observed {GDP} "
                f"({provenance(observed, GDP, region, base_year)})",
                option="base_year",
                value=base_year,
                expected="the year of the region table (2015 for the shipped data), or a scenario whose "
                "region table holds base-year data",
            )


def prepare_hindcast(
    *,
    scenario_path: str | Path = DEFAULT_SCENARIO,
    observed_paths=DEFAULT_OBSERVED,
    base_year: int | None = None,
    to_year: int | None = None,
    replications: int = DEFAULT_REPLICATIONS,
) -> HindcastInputs:
    """Read and check everything a hindcast needs before it runs: the scenario (with the hindcast's years and
    replications), the observed files, the compared regions and years; bad input raises UserInputError."""
    scenario_path = find_scenario_file(scenario_path)
    if not scenario_path.is_file():
        raise UserInputError(
            "scenario file not found",
            file=str(scenario_path),
            option="scenario_path",
            expected="a scenario file, or the name of a shipped scenario such as 'baseline'",
        )
    probe = hindcast_scenario(scenario_path, base_year, None, 1)
    table, base_year = probe.table, probe.spec.start_year
    observed_paths = [str(p) for p in observed_paths]
    observed = load_observed_files(observed_paths, table.names)
    belt = [n for n, b in zip(table.names, table.in_belt) if b]
    compared, notes = {}, []
    for name, (obs_var, _, _) in SHARE_VARIABLES.items():
        present = observed_panel(observed, obs_var, belt)
        regions = [r for r in present.columns if base_year in present.index and pd.notna(present.loc[base_year, r])]
        if len(regions) >= 2:
            compared[name] = regions
        elif obs_var == GDP:  # needed to check that the region table holds base-year data
            raise UserInputError(
                f"fewer than two belt regions have observed {obs_var} in the base year {base_year}",
                option="observed_paths",
                expected=f"{obs_var} rows for at least two of: {', '.join(belt)}",
            )
        else:
            notes.append(f"{obs_var}: fewer than two belt regions have observed values in {base_year}; not compared.")
    used = observed[observed.variable.isin([GDP, POPULATION]) & observed.region.isin(belt)]
    last_observed = int(used.year.max())
    if min(last_observed, to_year or last_observed) - base_year > MAX_SIMULATED_YEARS:
        row = used.loc[used.year.idxmax()]
        raise UserInputError(
            f"observed year too far after the base year {base_year}: the model simulates at most "
            f"{MAX_SIMULATED_YEARS} years",
            file=str(row.file),
            line=int(row.line),
            field="year",
            value=int(row.year),
            expected=f"years up to {base_year + MAX_SIMULATED_YEARS}, or {{to_year}} to stop earlier",
        )
    if to_year is not None and to_year > last_observed:
        notes.append(
            f"to_year = {to_year} is after the last observed year {last_observed}; compared up to {last_observed}."
        )
    to_year = last_observed if to_year is None else min(to_year, last_observed)
    if to_year <= base_year:
        raise UserInputError(
            "nothing to compare: the last year is not after the base year",
            option="to_year",
            value=to_year,
            expected=f"a year after {base_year} with observed data",
        )
    check_base_year(table, observed, compared["gdp_share"], base_year)
    scenario = hindcast_scenario(scenario_path, base_year, to_year, replications)
    return HindcastInputs(scenario, observed, observed_paths, compared, notes, base_year, to_year, replications)
