"""CO2 intensities of the model's emission outcomes (docs/MODEL.md 7.13): observed, then a damped trend.

Observed (``intensity_history``): CEADs scope-1 CO2 (``observed_co2.csv``) per unit of real value added at 2015
prices (``observed_sectors.csv``) by region, sector and year, 2010-2019; households' CO2 per resident
(year-end residents, ``observed_provinces.csv`` and ``observed_national.csv``), 2014-2019. RestOfChina is the
19 non-belt provinces CEADs covers (no Tibet) over the 20 provinces' value added and residents.

After the last observed year every series follows ``kernels.damped_trend`` from its own history; the damping
is the candidate with the smallest CO2-weighted mean absolute log error over every rolling origin inside the
observed years (``rolling_origin_errors``; ``tools/carbon_trend.py`` prints the table).

The paths exist for the region names the data cover (the 11 belt provinces and RestOfChina, or a subset) and
for simulated years from the first observed year on; otherwise ``carbon_paths`` says why and the model records
no CO2.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from yreb.inputs.regions import DATA_DIR
from yreb.model import kernels as k
from yreb.policies import SECTORS

CO2_FILE = DATA_DIR / "observed_co2.csv"
SECTORS_FILE = DATA_DIR / "observed_sectors.csv"
PROVINCES_FILE = DATA_DIR / "observed_provinces.csv"
NATIONAL_FILE = DATA_DIR / "observed_national.csv"
CO2 = "co2_scope1_Mt"  # Mt CO2
REAL_VA = "va_const2015_100m_yuan"  # 100m yuan, 2015 prices
POPULATION = "population_resident_yearend"  # 10k persons
REST_OF_CHINA = "RestOfChina"
DAMPING_CANDIDATES = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)  # phi of kernels.damped_trend
MIN_FIT_YEARS = 5  # a rolling origin needs at least this many observed years up to it (half the sector window)


@dataclass(frozen=True)
class IntensityHistory:
    """Observed intensities and emissions, regions in ``names`` order."""

    names: tuple[str, ...]
    sector_years: np.ndarray  # Y
    sector_log: np.ndarray  # S x R x Y, ln(Mt CO2 per 100m yuan of real value added)
    sector_co2_Mt: np.ndarray  # S x R x Y
    household_years: np.ndarray  # Yh
    household_log: np.ndarray  # R x Yh, ln(Mt CO2 per resident)
    household_co2_Mt: np.ndarray  # R x Yh


def _grid(frame: pd.DataFrame, index: list[str], names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(years, values) of a tidy frame pivoted to index x region x year (a missing cell is an error)."""
    wide = frame.pivot_table(index=[*index, "region"], columns="year", values="value", aggfunc="first")
    full = pd.MultiIndex.from_product([*(sorted(set(frame[c])) for c in index), names], names=[*index, "region"])
    wide = wide.reindex(full) if index else wide.reindex(list(names))
    if wide.isna().to_numpy().any():
        raise ValueError(f"incomplete observed data: {wide[wide.isna().any(axis=1)].index.tolist()}")
    return wide.columns.to_numpy(dtype=int), wide.to_numpy()


@lru_cache(maxsize=1)
def intensity_history() -> IntensityHistory:
    """The observed intensities of the shipped data (CEADs CO2, NBS real value added and residents)."""
    co2 = pd.read_csv(CO2_FILE)
    co2 = co2[(co2.variable == CO2) & (co2.region != "China")]
    names = tuple(dict.fromkeys(co2.region))
    va = pd.read_csv(SECTORS_FILE)
    va = va[(va.variable == REAL_VA) & va.sector.isin(SECTORS) & va.region.isin(names)]
    sectors = co2[co2.sector.isin(SECTORS)]
    years, emitted = _grid(sectors, ["sector"], names)
    va_years, value_added = _grid(va, ["sector"], names)
    if not np.array_equal(years, va_years):
        raise ValueError("CO2 and value-added years differ")
    shape = (len(SECTORS), len(names), len(years))  # sectors sort as SECTORS (alphabetical)
    emitted, value_added = emitted.reshape(shape), value_added.reshape(shape)
    provinces = pd.read_csv(PROVINCES_FILE)
    national = pd.read_csv(NATIONAL_FILE).set_index(["region", "variable", "year"])["value"].sort_index()
    rest = (national["Sum of 31 provinces", POPULATION] - national["YREB (11 provinces)", POPULATION]).reset_index()
    population = pd.concat([provinces[provinces.variable == POPULATION], rest.assign(region=REST_OF_CHINA)])
    household_years, residents = _grid(population[population.region.isin(names)], [], names)
    household = co2[co2.sector == "households"]
    household = household[household.year.isin(household_years)]
    _, household_co2 = _grid(household, [], names)
    return IntensityHistory(
        names,
        years,
        np.log(emitted / value_added),
        emitted,
        household_years,
        np.log(household_co2 / (residents * 1e4)),
        household_co2,
    )


def rolling_origin_errors(history: IntensityHistory | None = None) -> dict[float, float]:
    """Damping -> CO2-weighted mean absolute error of ln intensity forecast from every origin T inside the
    observed years (fitted on the years up to T, at least ``MIN_FIT_YEARS``; every horizon up to the last
    year), sector and household series pooled."""
    h = intensity_history() if history is None else history
    series = (
        (h.sector_years, h.sector_log, h.sector_co2_Mt),
        (h.household_years, h.household_log, h.household_co2_Mt),
    )
    errors = {}
    for damping in DAMPING_CANDIDATES:
        error = weight = 0.0
        for years, log_values, co2 in series:
            for t in range(MIN_FIT_YEARS - 1, len(years) - 1):
                horizon = len(years) - 1 - t
                forecast = k.damped_trend(log_values[..., : t + 1], years[: t + 1], horizon, damping)
                error += (np.abs(forecast - log_values[..., t + 1 :]) * co2[..., t + 1 :]).sum()
                weight += co2[..., t + 1 :].sum()
        errors[damping] = float(error / weight)
    return errors


@lru_cache(maxsize=1)
def chosen_damping() -> float:
    """The damping of the smallest rolling-origin error (``rolling_origin_errors``)."""
    errors = rolling_origin_errors()
    return min(errors, key=errors.get)


@dataclass(frozen=True)
class CarbonPaths:
    """Baseline CO2 intensities of every simulated year (T), region order of the region table (N)."""

    years: np.ndarray  # T
    sector_Mt_per_100m_yuan: np.ndarray  # T x S x N, Mt CO2 per 100m yuan of real value added
    household_Mt_per_person: np.ndarray  # T x N, Mt CO2 per resident
    damping: float


def _path(years: np.ndarray, log_values: np.ndarray, observed: np.ndarray, damping: float) -> np.ndarray:
    """Intensities (last axis: ``years``) from observed ln values (last axis: ``observed`` years), then the trend."""
    horizon = max(int(years.max() - observed[-1]), 0)
    extended = np.concatenate([log_values, k.damped_trend(log_values, observed, horizon, damping)], axis=-1)
    return np.exp(extended[..., years - observed[0]])


def carbon_paths(names: tuple[str, ...], years: list[int]) -> tuple[CarbonPaths | None, str]:
    """The intensity paths for these regions and years, and a note on them (or on why there are none)."""
    h = intensity_history()
    missing = [name for name in names if name not in h.names]
    if missing:
        return None, f"no CO2: no CEADs intensities for region(s) {', '.join(missing)}"
    first = max(h.sector_years[0], h.household_years[0])
    if years[0] < first:
        return None, f"no CO2: the simulated years start before {first}, the first year of observed intensities"
    rows = [h.names.index(name) for name in names]
    damping = chosen_damping()
    years_array = np.asarray(years)
    sector = _path(years_array, h.sector_log[:, rows], h.sector_years, damping)
    household = _path(years_array, h.household_log[rows], h.household_years, damping)
    note = (
        f"CO2 intensities observed to {h.sector_years[-1]} (CEADs scope 1 / real value added; households per "
        f"resident), then a damped log-linear trend, damping {damping:g} (rolling-origin choice)"
    )
    return CarbonPaths(years_array, np.moveaxis(sector, -1, 0), household.T, damping), note
