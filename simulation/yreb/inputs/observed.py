"""Observed statistics for the hindcast: loading and validating tidy files.

An observed-data file is a CSV in the tidy format of the project's reference panel (``provinces.csv``):

| column | required | meaning |
|---|---|---|
| region | yes | a region of the region table (e.g. ``Jiangsu``) or a national aggregate (``NATIONAL_REGIONS``) |
| year | yes | calendar year (whole number) |
| variable | yes | e.g. ``gdp_current`` (100m yuan, current prices), ``population_resident_yearend`` (10k persons) |
| value | yes | a finite number |
| sector | no | ``primary``, ``secondary``, ``tertiary``, ``households`` or ``total`` (the default) |
| unit, source, note, region_zh | no | kept for the reader; not used |

Every problem (missing column, unknown region, non-numeric value or year, duplicate (region, year,
variable), a value that cannot be compared: zero or negative GDP or population, or a magnitude beyond
``VALUE_LIMITS``) raises ``UserInputError`` naming the file and the line of the offending row.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from yreb.inputs.limits import MAX_CSV_BYTES, check_file_size
from yreb.inputs.regions import DATA_DIR, _fail, read_csv_strict

if TYPE_CHECKING:  # pandas loads when a file is read (a scenario file's own errors come first)
    import pandas as pd

REQUIRED_COLUMNS = ("region", "year", "variable", "value")
SECTOR_VALUES = ("primary", "secondary", "tertiary", "households", "total")
GDP = "gdp_current"  # 100m yuan, current prices
POPULATION = "population_resident_yearend"  # 10k persons, year end
NATIONAL_TOTAL = "Sum of 31 provinces"
BELT_TOTAL = "YREB (11 provinces)"
NATIONAL_REGIONS = ("China", NATIONAL_TOTAL, BELT_TOTAL)
DEFAULT_OBSERVED = (DATA_DIR / "observed_provinces.csv", DATA_DIR / "observed_national.csv")
YEAR_RANGE = (1900, 2300)
# variables that must be positive, with the largest plausible value (their units: 100m yuan, 10k persons)
POSITIVE_VARIABLES = {GDP: (1e9, "100m yuan"), POPULATION: (1e6, "10k persons")}
MAX_ABS_VALUE = 1e15  # any other variable: larger magnitudes overflow sums and shares


def load_observed(path: str | Path, regions: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Read and validate one observed-data file.

    ``regions`` are the region names the file may use besides ``NATIONAL_REGIONS``. Returns the columns
    region, year (int), variable, value (float), file and line (of the row in the file, header = line 1).
    """
    import pandas as pd

    path = Path(path)
    name = str(path)
    check_file_size(path, "CSV", MAX_CSV_BYTES)
    df = read_csv_strict(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        _fail(
            name,
            f"missing column(s) {', '.join(missing)}",
            row=1,
            field=missing[0],
            expected="a header with the columns " + ", ".join(REQUIRED_COLUMNS),
        )
    if df.empty:
        _fail(name, "no data rows", expected="at least one row after the header")
    known = set(regions) | set(NATIONAL_REGIONS)
    lines = np.arange(len(df)) + 2
    region = df["region"].str.strip()
    variable = df["variable"].str.strip()
    for i in np.flatnonzero(~region.isin(known).to_numpy()):
        _fail(
            name,
            "unknown region",
            row=int(lines[i]),
            field="region",
            value=region.iloc[i],
            expected="one of " + ", ".join(list(regions) + list(NATIONAL_REGIONS)),
        )
    for i in np.flatnonzero((variable == "").to_numpy()):
        _fail(name, "empty variable name", row=int(lines[i]), field="variable", expected="e.g. " + GDP)
    year = pd.to_numeric(df["year"].str.strip(), errors="coerce")
    bad = ~np.isfinite(year) | (year != np.round(year)) | (year < YEAR_RANGE[0]) | (year > YEAR_RANGE[1])
    for i in np.flatnonzero(bad.to_numpy()):
        _fail(
            name,
            "not a year",
            row=int(lines[i]),
            field="year",
            value=df["year"].iloc[i],
            expected=f"a whole number from {YEAR_RANGE[0]} to {YEAR_RANGE[1]}",
        )
    value = pd.to_numeric(df["value"].str.strip(), errors="coerce")
    for i in np.flatnonzero(~np.isfinite(value.to_numpy(dtype=float))):
        _fail(
            name,
            "not a number",
            row=int(lines[i]),
            field="value",
            value=df["value"].iloc[i],
            expected="a finite number",
        )
    sector = df["sector"].str.strip().replace("", "total") if "sector" in df.columns else pd.Series("total", df.index)
    for i in np.flatnonzero(~sector.isin(SECTOR_VALUES).to_numpy()):
        _fail(
            name,
            "unknown sector",
            row=int(lines[i]),
            field="sector",
            value=df["sector"].iloc[i],
            expected="one of " + ", ".join(SECTOR_VALUES) + " (or empty: total)",
        )
    _check_values(name, df, variable, value.to_numpy(dtype=float), lines)
    out = pd.DataFrame(
        {
            "region": region,
            "year": year.astype(int),
            "variable": variable,
            "sector": sector,
            "value": value.astype(float),
            "file": name,
            "line": lines,
        }
    )
    check_unique(out)
    return out


def _check_values(name: str, df: pd.DataFrame, variable: pd.Series, value: np.ndarray, lines: np.ndarray) -> None:
    """GDP and population positive and below their plausible maximum; other variables below MAX_ABS_VALUE."""
    names = variable.to_numpy()
    for var, (limit, unit) in POSITIVE_VARIABLES.items():
        rows = names == var
        for i in np.flatnonzero(rows & (value <= 0)):
            _fail(
                name,
                f"{var} must be positive",
                row=int(lines[i]),
                field="value",
                value=df["value"].iloc[i],
                expected=f"a positive number of {unit}",
            )
        for i in np.flatnonzero(rows & (value > limit)):
            _fail(
                name,
                f"{var} is implausibly large",
                row=int(lines[i]),
                field="value",
                value=df["value"].iloc[i],
                expected=f"at most {limit:g} ({unit})",
            )
    others = ~np.isin(names, list(POSITIVE_VARIABLES))
    for i in np.flatnonzero(others & (np.abs(value) > MAX_ABS_VALUE)):
        _fail(
            name,
            "value too large to compute with",
            row=int(lines[i]),
            field="value",
            value=df["value"].iloc[i],
            expected=f"at most {MAX_ABS_VALUE:g} in absolute value",
        )


def check_unique(observed: pd.DataFrame) -> None:
    """Each (region, year, variable, sector) at most once; a repeat names both rows (files and lines)."""
    repeated = observed[observed.duplicated(["region", "year", "variable", "sector"], keep=False)]
    if repeated.empty:
        return
    first = repeated.iloc[0]
    same = repeated[
        (repeated.region == first.region)
        & (repeated.year == first.year)
        & (repeated.variable == first.variable)
        & (repeated.sector == first.sector)
    ]
    second = same.iloc[1]
    where = f"line {first.line}" if second.file == first.file else f"{first.file}, line {first.line}"
    _fail(
        second.file,
        f"duplicate row for ({first.region}, {first.year}, {first.variable}); first on {where}",
        row=int(second.line),
        expected="one value per region, year and variable",
    )


def load_observed_files(paths, regions) -> pd.DataFrame:
    """Load several observed-data files as one table (duplicates across files are errors too)."""
    import pandas as pd

    frames = [load_observed(p, regions) for p in paths]
    observed = pd.concat(frames, ignore_index=True)
    check_unique(observed)
    return observed


def observed_panel(observed: pd.DataFrame, variable: str, regions: list[str], sector: str = "total") -> pd.DataFrame:
    """One variable (of one sector) as a year x region table (columns in the order of ``regions`` in the data)."""
    rows = observed[(observed.variable == variable) & observed.region.isin(regions) & (observed.sector == sector)]
    wide = rows.pivot(index="year", columns="region", values="value").sort_index()
    return wide[[r for r in regions if r in wide.columns]]


def provenance(observed: pd.DataFrame, variable: str, region: str, year: int) -> str:
    """'file, line N' of one observed value (for messages)."""
    row = observed[(observed.variable == variable) & (observed.region == region) & (observed.year == year)]
    return f"{row.file.iloc[0]}, line {row.line.iloc[0]}" if len(row) else "not in the observed data"
