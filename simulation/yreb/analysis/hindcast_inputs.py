"""The inputs of a hindcast (``yreb hindcast``), read and checked before anything runs: the scenario, the
observed files (shipped, then the user's), the origins and years, and the observed shares it is scored on.

Apart from ``yreb.analysis.hindcast`` (which runs the model) so that input errors need neither the model nor
Mesa (a fast command line).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from yreb.errors import UserInputError
from yreb.inputs.history import REAL_VALUE_ADDED, REST, default_history_paths, load_history
from yreb.inputs.observed import BELT_TOTAL, GDP, NATIONAL_TOTAL, POPULATION, observed_panel
from yreb.inputs.scenario import (
    MAX_REPLICATIONS,
    MAX_SIMULATED_YEARS,
    ResolvedScenario,
    find_scenario_file,
    history_regions,
    parse_scenario,
    read_toml,
    resolve,
)

DEFAULT_SCENARIO = "baseline"  # the shipped baseline scenario (by name)
DEFAULT_REPLICATIONS = 10
BELT_SHARE = "belt_share_national_gdp"
SHARE_VARIABLES = {"gdp_share": "gdp_100m_yuan", "population_share": "population_persons"}
TITLES = {
    "gdp_share": "Provincial GDP share (% of the belt provinces' GDP)",
    "population_share": "Provincial population share (% of the belt provinces' residents)",
    BELT_SHARE: "Belt share of national GDP (%)",
}


def shares(values: np.ndarray) -> np.ndarray:
    """s_i = x_i / sum_k x_k over the last axis."""
    values = np.asarray(values, float)
    return values / values.sum(axis=-1, keepdims=True)


@dataclass
class ObservedShares:
    """Observed shares (fractions) by variable: a year x region table, and what they were computed from."""

    tables: dict[str, pd.DataFrame]
    basis: dict[str, str]


def observed_shares(observed: pd.DataFrame, table, years: list[int]) -> ObservedShares:
    """GDP shares (real where every year has real value added, else current prices), population shares and the
    belt's share of national GDP, for the belt provinces with data in every one of ``years``."""
    belt = [n for n, b in zip(table.names, table.in_belt) if b]
    tables, basis = {}, {}
    real = observed_panel(observed, REAL_VALUE_ADDED, belt + [REST]).reindex(index=years)
    nominal = observed_panel(observed, GDP, belt + [BELT_TOTAL, NATIONAL_TOTAL]).reindex(index=years)
    use_real = real.reindex(columns=belt).notna().all().all()
    gdp = real if use_real else nominal
    basis["gdp_share"] = "real value added (constant prices)" if use_real else "GDP at current prices"
    population = observed_panel(observed, POPULATION, belt).reindex(index=years)
    for name, panel in (("gdp_share", gdp), ("population_share", population)):
        regions = [r for r in belt if r in panel.columns and panel[r].notna().all()]
        if len(regions) >= 2:
            tables[name] = pd.DataFrame(shares(panel[regions].to_numpy()), index=years, columns=regions)
            basis.setdefault(name, "residents at year end")
    if len(tables.get("gdp_share", {}).columns if "gdp_share" in tables else []) == len(belt):
        if use_real and REST in real.columns and real[REST].notna().all():
            belt_gdp = real[belt].sum(axis=1)
            tables[BELT_SHARE] = (belt_gdp / (belt_gdp + real[REST])).to_frame("Belt")
            basis[BELT_SHARE] = "real value added: belt / (belt + rest of China)"
        elif {BELT_TOTAL, NATIONAL_TOTAL} <= set(nominal.columns) and nominal[
            [BELT_TOTAL, NATIONAL_TOTAL]
        ].notna().all().all():
            tables[BELT_SHARE] = (nominal[BELT_TOTAL] / nominal[NATIONAL_TOTAL]).to_frame("Belt")
            basis[BELT_SHARE] = "GDP at current prices: belt / sum of 31 provinces"
    return ObservedShares(tables, basis)


def scenario_for(path: Path, fit_until: int, to_year: int, replications: int, observed_files, parameters=None):
    """The scenario file fitted through ``fit_until`` to the observed files, run to ``to_year`` (with parameter
    overrides, validated like the file's own)."""
    data, text = read_toml(path)
    data["end_year"] = to_year
    data["replications"] = replications
    data["parameters"] = {**data.get("parameters", {}), **(parameters or {})}
    data["history"] = {"fit_until": fit_until, "observed": [str(Path(f).resolve()) for f in observed_files]}
    return resolve(parse_scenario(data, str(path), text), path.parent, str(path))


@dataclass
class HindcastRequest:
    """A checked hindcast, ready to run."""

    path: Path  # the scenario file
    probe: ResolvedScenario  # the scenario at its base year (no fitted years)
    extra_files: list[Path]  # the user's observed files (after the shipped ones)
    observed_files: list[str]  # every observed file, in the order they apply
    base_year: int
    origins: list[int]
    to_year: int
    replications: int
    parameters: dict | None
    observed: ObservedShares
    notes: list[str]


def prepare_hindcast(
    *,
    scenario_path: str | Path = DEFAULT_SCENARIO,
    observed_paths=(),
    fit_until: int | None = None,
    to_year: int | None = None,
    replications: int = DEFAULT_REPLICATIONS,
    parameters: dict | None = None,
) -> HindcastRequest:
    """Read and check every input of a hindcast (scenario, observed files, years) without running anything."""
    path = find_scenario_file(scenario_path)
    if not path.is_file():
        raise UserInputError(
            "scenario file not found",
            file=str(path),
            option="scenario_path",
            expected="a scenario file, or the name of a shipped scenario such as 'baseline'",
        )
    if replications > MAX_REPLICATIONS:
        raise UserInputError(
            "too many replications", option="replications", value=replications, expected=f"at most {MAX_REPLICATIONS}"
        )
    files = default_history_paths(list(observed_paths))
    start = _start_year(path)
    probe = scenario_for(path, start, start + 1, 1, [])  # the observed files are read next
    table, base_year = probe.table, probe.spec.start_year
    observed = load_history(files, history_regions(table))
    used = observed[observed.variable.isin([GDP, REAL_VALUE_ADDED, POPULATION])]
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
        raise UserInputError(
            f"no observed data after {last_observed} to compare with",
            option="to_year",
            value=to_year,
            expected=f"a year up to {last_observed}, or observed files that reach {to_year}",
        )
    to_year = last_observed if to_year is None else to_year
    origins = list(range(base_year + 1, to_year)) if fit_until is None else [fit_until]
    if not origins or min(origins) < base_year or max(origins) >= to_year:
        raise UserInputError(
            "nothing to forecast: the last fitted year must be from the base year to the year before the last "
            "compared one",
            option="fit_until",
            value=fit_until,
            expected=f"a year from {base_year} to {to_year - 1}",
        )
    years = list(range(base_year, to_year + 1))
    shares_observed = observed_shares(observed, table, years)
    if "gdp_share" not in shares_observed.tables:
        raise UserInputError(
            f"fewer than two belt provinces have observed GDP in every year {base_year}-{to_year}",
            option="observed_paths",
            expected=f"{REAL_VALUE_ADDED} or {GDP} rows for the belt provinces in each year",
        )
    notes = [f"{TITLES[v].split(' (')[0]}: observed shares of {b}." for v, b in shares_observed.basis.items()]
    notes += [
        f"{TITLES[v].split(' (')[0]}: not enough observed data; not compared."
        for v in TITLES
        if v not in shares_observed.tables
    ]
    return HindcastRequest(
        path,
        probe,
        files[len(default_history_paths()) :],
        [str(f) for f in files],
        base_year,
        origins,
        to_year,
        replications,
        parameters,
        shares_observed,
        notes,
    )


def _start_year(path: Path) -> int:
    """The scenario file's start year (the base year of its region table)."""
    data, _ = read_toml(path)
    return int(data.get("start_year", 2015))
