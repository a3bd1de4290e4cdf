"""IAMC names and units for the model's variables, and the IAMC long-format table of a run.

The IAMC format (used by pyam, the IIASA scenario explorers and the IPCC databases) has one row per model,
scenario, region, variable, unit, year and value. Names and units are derived from the tidy table alone
(its ``variable`` and ``unit`` columns), so that a variable added to the model needs no change here as
long as its unit is one of the forms below:

- variable: the snake_case name without its unit suffix (``_100m_yuan``, ``_yuan``, ``_persons``,
  ``_km2``), each word capitalised (``gdp`` -> ``GDP``, ``tfp`` -> ``TFP``), joined by spaces
  (``construction_land_km2`` -> ``Construction Land``); ``va_<sector>`` is ``Value Added|<Sector>``;
  ``OVERRIDES`` names the main variables with an IAMC ``|`` hierarchy (``GDP|Real``, ``Population``).
- unit: the leading unit of the model's unit text, converted to a unit that pint parses (with the currency
  defined as in iam-units, ``CNY_2015`` like its ``USD_2010``): ``100m yuan`` -> ``billion CNY_2015/yr``
  (x 0.1; ``/yr`` for every money variable except capital stocks), ``yuan per ...`` -> ``CNY_2015/yr``,
  ``persons`` -> ``million`` (x 1e-6), ``persons/year`` -> ``million/yr``, ``km2`` -> ``km^2``, ``index``
  -> ``dimensionless``, ``1/year`` -> ``1/yr``. The price basis is the text's ``(YYYY prices)``
  (``CNY_YYYY``) or ``current prices`` (``CNY``, nominal); a money unit that states none is ``CNY``.
- replications: the row without a suffix is the median across replications; ``<variable>|q05`` and
  ``<variable>|q95`` are the 5% and 95% quantiles (linear interpolation; equal to the median with one
  replication). Rows whose value is missing (NaN) are left out.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

IAMC_COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
QUANTILES = {"q05": 0.05, "q95": 0.95}  # suffix -> quantile across replications; the median has no suffix
OVERRIDES = {  # model variable -> IAMC variable, where the generic rule would give no hierarchy
    "gdp_100m_yuan": "GDP|Real",
    "gdp_nominal_100m_yuan": "GDP|Nominal",
    "gdp_attributed_100m_yuan": "GDP|Real|Statistical Attribution",
    "gdp_per_capita_yuan": "GDP per Capita|Real",
    "gni_100m_yuan": "GNI|Real",
    "population_persons": "Population",
    "talent_persons": "Population|Talent",
    "labour_persons": "Population|Labour",
    "net_migration_talent_persons": "Net Migration|Talent",
    "net_migration_labour_persons": "Net Migration|Labour",
    "capital_installed_100m_yuan": "Capital Stock|Installed",
    "capital_owned_100m_yuan": "Capital Stock|Owned",
    "investment_100m_yuan": "Investment",
    "wage_talent_yuan": "Wage|Talent",
    "wage_labour_yuan": "Wage|Labour",
    "co2_Mt": "Emissions|CO2",
    **{f"co2_{e}_Mt": f"Emissions|CO2|{e.capitalize()}" for e in ("primary", "secondary", "tertiary", "households")},
    "co2_per_10k_yuan_gdp": "Emissions Intensity|CO2|GDP",
}
UNIT_SUFFIXES = ("_100m_yuan", "_yuan", "_persons", "_km2")
WORDS = {"gdp": "GDP", "gni": "GNI", "tfp": "TFP", "rd": "R&D", "va": "Value Added"}
STOCK_PREFIXES = ("capital_",)  # money variables that are stocks (no /yr)
_PRICES = re.compile(r"\b(\d{4}) prices\b")


def iamc_variable(name: str) -> str:
    """The IAMC variable name of a model variable (``OVERRIDES``, else the generic rule of the module doc)."""
    if name in OVERRIDES:
        return OVERRIDES[name]
    stem = name
    for suffix in UNIT_SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    words = [WORDS.get(w, w.capitalize()) for w in stem.split("_") if w]
    if words[0] == "Value Added" and len(words) > 1:
        return "Value Added|" + " ".join(words[1:])
    return " ".join(words)


def _currency(unit: str) -> str:
    match = _PRICES.search(unit)
    return f"CNY_{match.group(1)}" if match else "CNY"


def iamc_unit(name: str, unit: str) -> tuple[str, float]:
    """(IAMC unit, factor) for a model variable and its unit text: IAMC value = model value x factor.

    Raises ValueError for a unit text none of the rules knows (a new kind of unit needs a rule here).
    """
    text = unit.strip()
    per_year = "" if name.startswith(STOCK_PREFIXES) else "/yr"
    if text.startswith("100m yuan/year"):
        return f"billion {_currency(text)}/yr", 0.1
    if text.startswith("100m yuan"):
        return f"billion {_currency(text)}{per_year}", 0.1
    if text.startswith("yuan per"):
        return f"{_currency(text)}/yr", 1.0
    if text.startswith("persons/year"):
        return "million/yr", 1e-6
    if text.startswith("persons"):
        return "million", 1e-6
    if text.startswith("km2"):
        return "km^2", 1.0
    if text.startswith("index"):
        return "dimensionless", 1.0
    if text.startswith("1/year"):
        return "1/yr", 1.0
    if text == "Mt CO2/year":  # the species is in the IAMC variable name (Emissions|CO2)
        return "Mt/yr", 1.0
    if text.startswith("t CO2 per 10,000 yuan"):
        return f"kg/{_currency(text)}", 0.1  # 1 t per 10,000 yuan = 0.1 kg per yuan
    raise ValueError(f"no IAMC unit for variable {name!r} with unit {unit!r}: add a rule to yreb.export.iamc")


def iamc_mapping(table: pd.DataFrame) -> pd.DataFrame:
    """One row per model variable of a tidy table: variable, unit, iamc_variable, iamc_unit, factor."""
    pairs = table[["variable", "unit"]].drop_duplicates().reset_index(drop=True)
    rows = []
    for name, unit in pairs.itertuples(index=False):
        iamc_u, factor = iamc_unit(name, unit)
        rows.append((name, unit, iamc_variable(name), iamc_u, factor))
    out = pd.DataFrame(rows, columns=["variable", "unit", "iamc_variable", "iamc_unit", "factor"])
    clash = out[out.duplicated("iamc_variable", keep=False)]
    if len(clash):
        raise ValueError(f"model variables with the same IAMC name: {clash[['variable', 'iamc_variable']].values}")
    return out


def iamc_table(table: pd.DataFrame, model: str) -> pd.DataFrame:
    """The IAMC long-format table (``IAMC_COLUMNS``) of a tidy results table; ``model`` names the model column."""
    mapping = iamc_mapping(table).set_index("variable")
    keys = ["scenario", "region", "variable", "year"]
    grouped = table.groupby(keys, sort=False)["value"]
    stats = {"": grouped.median(), **{f"|{s}": grouped.quantile(q) for s, q in QUANTILES.items()}}
    frames = []
    for suffix, series in stats.items():
        frame = series.reset_index()
        m = mapping.loc[frame.variable]
        frame["value"] = frame.value.to_numpy() * m.factor.to_numpy()
        frame["unit"] = m.iamc_unit.to_numpy()
        frame["variable"] = m.iamc_variable.to_numpy() + suffix
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out = out[np.isfinite(out.value.to_numpy(dtype=float))]
    out.insert(0, "model", model)
    out["year"] = out.year.astype(int)
    return (
        out[IAMC_COLUMNS].sort_values(["scenario", "region", "variable", "year"], kind="stable").reset_index(drop=True)
    )
