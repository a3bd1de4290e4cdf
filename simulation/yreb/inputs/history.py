"""Observed history the baseline is fitted to (docs/MODEL.md section 7.12): real value added and residents.

The targets of year t are the region table's base-year values moved by the observed growth since the base
year (chain-linked, so a vintage difference between the table and the observed files does not count):

- real GDP Y*_jt = Y_j0 x VA_jt / VA_j0, with VA the observed value added at constant prices
  (``va_const2015_100m_yuan``, sector ``total``);
- its sectors: Y_sj0 x VA_sjt / VA_sj0 rescaled to add up to Y*_jt (chained sector values do not add up
  exactly; the gap is below 0.25% in the shipped data), the base-year mix where a sector split is missing;
- residents P*_jt = P_j0 x P_jt / P_j0 (``population_resident_yearend``); ``RestOfChina`` is the
  31-province sum minus the 11 belt provinces where it is not given itself.

Files are tidy observed-data CSVs (``yreb.inputs.observed``); later files replace the rows of earlier ones
with the same region, year, variable and sector, so newer statistics extend or revise the shipped ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from yreb.errors import UserInputError
from yreb.inputs.economy import SECTORS
from yreb.inputs.observed import NATIONAL_TOTAL, POPULATION, load_observed, observed_panel
from yreb.inputs.regions import DATA_DIR, RegionTable

if TYPE_CHECKING:  # pandas loads when a file is read (a scenario file's own errors come first)
    import pandas as pd

REAL_VALUE_ADDED = "va_const2015_100m_yuan"  # 100m yuan at constant prices (any fixed base: only growth is used)
REST = "RestOfChina"
DEFAULT_HISTORY = (
    DATA_DIR / "observed_sectors.csv",
    DATA_DIR / "observed_provinces.csv",
    DATA_DIR / "observed_national.csv",
)
KEY = ["region", "year", "variable", "sector"]


@dataclass(frozen=True)
class HistoryTargets:
    """What the fitted baseline reproduces, years base year .. last (arrays: years first)."""

    years: list[int]
    gdp_100m_yuan: np.ndarray  # Y x N, base-year prices
    value_added_100m_yuan: np.ndarray  # Y x S x N, base-year prices, sums to gdp
    population_persons: np.ndarray  # Y x N
    files: list[str]

    def upto(self, year: int) -> HistoryTargets:
        """The targets of the years up to ``year``."""
        rows = [i for i, y in enumerate(self.years) if y <= year]
        return HistoryTargets(
            [self.years[i] for i in rows],
            self.gdp_100m_yuan[rows],
            self.value_added_100m_yuan[rows],
            self.population_persons[rows],
            self.files,
        )


def load_history(paths, regions) -> pd.DataFrame:
    """Observed files combined, later files replacing earlier rows with the same key."""
    import pandas as pd

    frames = [load_observed(path, regions) for path in paths]
    combined = pd.concat(frames, ignore_index=True)
    return combined.drop_duplicates(KEY, keep="last").reset_index(drop=True)


def _population_panel(observed: pd.DataFrame, table: RegionTable) -> pd.DataFrame:
    """Residents (10k) by year x region of the table; RestOfChina derived from the 31-province sum if absent."""
    names = list(table.names)
    panel = observed_panel(observed, POPULATION, names + [NATIONAL_TOTAL])
    provinces = [n for n in names if n != REST]
    if REST in names and REST not in panel.columns and NATIONAL_TOTAL in panel.columns:
        belt = [n for n, in_belt in zip(table.names, table.in_belt) if in_belt]
        if len(belt) == 11 and all(n in panel.columns for n in belt):
            panel[REST] = panel[NATIONAL_TOTAL] - panel[belt].sum(axis=1, skipna=False)
    return panel.reindex(columns=provinces + ([REST] if REST in names else []))[names]


def covered_years(observed: pd.DataFrame, table: RegionTable, base_year: int) -> list[int]:
    """Consecutive years from the base year on in which every region has real GDP and residents."""
    names = list(table.names)
    gdp = observed_panel(observed, REAL_VALUE_ADDED, names).reindex(columns=names)
    population = _population_panel(observed, table)
    years = []
    year = base_year
    while (
        year in gdp.index
        and year in population.index
        and gdp.loc[year].notna().all()
        and population.loc[year].notna().all()
    ):
        years.append(year)
        year += 1
    return years


def history_targets(observed: pd.DataFrame, table: RegionTable, base_year: int, last_year: int) -> HistoryTargets:
    """Targets of years base_year .. last_year (each must be covered for every region)."""
    years = covered_years(observed, table, base_year)
    if not years or years[-1] < last_year:
        have = f"{years[0]}-{years[-1]}" if years else "none from the base year on"
        raise UserInputError(
            f"the observed data do not give real GDP ({REAL_VALUE_ADDED}) and residents ({POPULATION}) of every "
            f"region from {base_year} to {last_year} (covered: {have})",
            option="fit_until",
            value=last_year,
            expected=f"a year up to {years[-1] if years else base_year}, or observed files that cover it",
        )
    years = [y for y in years if y <= last_year]
    names = list(table.names)
    gdp_panel = observed_panel(observed, REAL_VALUE_ADDED, names).reindex(columns=names).loc[years]
    gdp = table.gdp_100m_yuan[None, :] * (gdp_panel / gdp_panel.loc[base_year]).to_numpy()
    base_mix = table.value_added_100m_yuan  # S x N
    sectors = np.repeat(base_mix[None], len(years), axis=0) * (gdp / table.gdp_100m_yuan)[:, None, :]
    for s, sector in enumerate(SECTORS):
        panel = observed_panel(observed, REAL_VALUE_ADDED, names, sector=sector).reindex(columns=names)
        if base_year not in panel.index:
            continue
        growth = (panel.reindex(years) / panel.loc[base_year]).to_numpy()
        sectors[:, s] = np.where(np.isfinite(growth), base_mix[s][None, :] * growth, sectors[:, s])
    sectors *= (gdp / sectors.sum(axis=1))[:, None, :]
    population = _population_panel(observed, table).loc[years]
    residents = table.population_persons[None, :] * (population / population.loc[base_year]).to_numpy()
    files = sorted(set(observed.file))
    return HistoryTargets(years, gdp, sectors, residents, files)


def default_history_paths(extra: list[str | Path] = ()) -> list[Path]:
    """The shipped observed files followed by ``extra`` (whose rows replace the shipped ones)."""
    return [*DEFAULT_HISTORY, *map(Path, extra)]
