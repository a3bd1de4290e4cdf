"""The region table: the base-year data the model starts from (default: 11 YREB provinces + rest of China).

A region table is a CSV with one row per region and these columns (units in the names):

| column | required | meaning |
|---|---|---|
| region | yes | unique name (letters, digits, `_`, `-`, space) |
| subregion | yes | `downstream`, `midstream`, `upstream` or `outside` (regions outside the belt) |
| lon, lat | yes | seat of the region, degrees |
| gdp_100m_yuan | yes | base-year GDP, 100 million yuan |
| population_10k | yes | base-year resident population, 10,000 persons |
| talent_persons | yes | R&D personnel (full-time equivalent), persons |
| land_area_km2 | yes | land area, km2 |
| construction_land_km2 | no | built-up land; default: population x 282 m2 per resident, capped at 50% of land area |
| capital_stock_100m_yuan | no | installed capital at base-year prices; default: GDP x the shipped belt capital-output ratio |
| va_primary_share, va_secondary_share, va_tertiary_share | no | sector shares of value added (sum to 1); default: the shipped national shares |
| investment_rate | no | gross fixed capital formation / GDP; default: the shipped belt rate |
| use_primary_share, use_secondary_share, use_tertiary_share | no | sector shares of the region's domestic use (sum to 1); default: its value-added shares |
| net_outflow_share | no | net outflow of goods and services / GDP (expenditure approach); default: 0 |
| net_migration_persons_per_year | no | base-year net in-migration (sums to 0 over the table); default: 0 |
| region_zh | no | Chinese name, used in plots on request |
| in_belt | no | true/false; default true unless subregion is `outside` |
| province | no | province the region belongs to (defaults to the region itself); pairs of regions in different provinces are separated by an administrative border |
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from yreb.errors import UserInputError
from yreb.inputs.limits import MAX_CSV_BYTES, check_file_size, check_region_values
from yreb.model.kernels import haversine_km

if TYPE_CHECKING:  # pandas loads where a CSV is read, not for a scenario file's own errors
    import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_REGION_TABLE = DATA_DIR / "regions_2015.csv"
SUBREGIONS = ("downstream", "midstream", "upstream", "outside")
REQUIRED_COLUMNS = (
    "region",
    "subregion",
    "lon",
    "lat",
    "gdp_100m_yuan",
    "population_10k",
    "talent_persons",
    "land_area_km2",
)
SECTOR_SHARE_COLUMNS = ("va_primary_share", "va_secondary_share", "va_tertiary_share")
USE_SHARE_COLUMNS = ("use_primary_share", "use_secondary_share", "use_tertiary_share")
NUMERIC_COLUMNS = (
    "lon",
    "lat",
    "gdp_100m_yuan",
    "population_10k",
    "talent_persons",
    "land_area_km2",
    "construction_land_km2",
    "capital_stock_100m_yuan",
    *SECTOR_SHARE_COLUMNS,
    *USE_SHARE_COLUMNS,
    "investment_rate",
    "net_outflow_share",
    "net_migration_persons_per_year",
)
CONSTRUCTION_LAND_KM2_PER_10K = 385_933.0 / 138_097.0  # 2015 national construction land per 10k residents
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_\- ]{1,64}$")


@dataclass(frozen=True)
class RegionTable:
    """Validated base-year data as arrays, one entry per region (order of the file)."""

    names: tuple[str, ...]
    names_zh: tuple[str, ...]
    subregion: tuple[str, ...]
    province: tuple[str, ...]
    in_belt: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    gdp_100m_yuan: np.ndarray
    population_persons: np.ndarray
    talent_persons: np.ndarray
    land_area_km2: np.ndarray
    construction_land_km2: np.ndarray
    capital_stock_100m_yuan: np.ndarray
    va_share: np.ndarray  # N x S, sector shares of value added (primary, secondary, tertiary)
    use_share: np.ndarray  # N x S, sector shares of domestic use
    investment_rate: np.ndarray
    net_outflow_share: np.ndarray
    net_migration_persons_per_year: np.ndarray
    source_file: str

    @property
    def n(self) -> int:
        """Number of regions."""
        return len(self.names)

    @property
    def value_added_100m_yuan(self) -> np.ndarray:
        """Base-year value added by sector, S x N."""
        return (self.va_share * self.gdp_100m_yuan[:, None]).T

    def distance_km(self) -> np.ndarray:
        """Great-circle distances between the regions' seats (computed once per table, read-only)."""
        return self._derived("_distance_km", lambda: haversine_km(self.lon, self.lat))

    def border(self) -> np.ndarray:
        """border[o, j] = 1 where o and j lie in different provinces (an administrative border); read-only."""
        prov = np.asarray(self.province)
        return self._derived("_border", lambda: (prov[:, None] != prov[None, :]).astype(float))

    def __post_init__(self) -> None:
        for array in self._arrays().values():  # shared between scenarios (load_region_table): never changed
            array.setflags(write=False)

    def _derived(self, name: str, compute) -> np.ndarray:
        """An N x N matrix derived from the table, kept on the instance (not pickled: see __getstate__)."""
        value = self.__dict__.get(name)
        if value is None:
            value = compute()
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        return value

    def __getstate__(self) -> dict:
        """Pickle the table's fields only: derived matrices are recomputed where the table is unpickled."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __setstate__(self, state: dict) -> None:
        """Unpickled (sweep workers, Dask): the same fields, read-only again."""
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self.__post_init__()

    def _arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), np.ndarray)}

    def fingerprint(self) -> str:
        """SHA-256 of the table's names, numbers and belt membership: identifies the data a run used (and keys the
        calibration cache, whose diagnostics depend on which regions are in the belt)."""
        h = hashlib.sha256()
        h.update("|".join(self.names + self.subregion + self.province).encode())
        for arr in self._arrays().values():
            h.update(np.ascontiguousarray(arr, dtype=float).tobytes())
        return h.hexdigest()

    def to_frame(self) -> pd.DataFrame:
        """The table in the region-table CSV format (every column explicit); loading it gives the same table."""
        import pandas as pd

        frame = pd.DataFrame(
            {
                "region": self.names,
                "region_zh": self.names_zh,
                "subregion": self.subregion,
                "province": self.province,
                "in_belt": self.in_belt,
                "lon": self.lon,
                "lat": self.lat,
                "gdp_100m_yuan": self.gdp_100m_yuan,
                "population_10k": self.population_persons / 1e4,
                "talent_persons": self.talent_persons,
                "land_area_km2": self.land_area_km2,
                "construction_land_km2": self.construction_land_km2,
                "capital_stock_100m_yuan": self.capital_stock_100m_yuan,
            }
        )
        for s, column in enumerate(SECTOR_SHARE_COLUMNS):
            frame[column] = self.va_share[:, s]
        for s, column in enumerate(USE_SHARE_COLUMNS):
            frame[column] = self.use_share[:, s]
        frame["investment_rate"] = self.investment_rate
        frame["net_outflow_share"] = self.net_outflow_share
        frame["net_migration_persons_per_year"] = self.net_migration_persons_per_year
        return frame

    def index(self, name: str) -> int:
        """Position of a region."""
        return self.names.index(name)

    def subset(self, names: list[str]) -> RegionTable:
        """The table restricted to ``names`` (in that order); net migration is re-centred to sum to 0."""
        idx = [self.index(n) for n in names]
        picked = {name: arr[idx] for name, arr in self._arrays().items()}
        net = picked["net_migration_persons_per_year"]
        picked["net_migration_persons_per_year"] = (
            net - net.sum() * picked["population_persons"] / picked["population_persons"].sum()
        )
        strings = {f: tuple(getattr(self, f)[i] for i in idx) for f in ("names", "names_zh", "subregion", "province")}
        return replace(self, **strings, **picked)


def _fail(
    file: str,
    message: str,
    *,
    field: str | None = None,
    row: int | None = None,
    value=None,
    expected: str | None = None,
):
    value = value.item() if isinstance(value, np.generic) else value  # 23237.5, not np.float64(23237.5)
    raise UserInputError(message, file=file, field=field, line=row, value=value, expected=expected)


def read_text(path: Path, kind: str) -> str:
    """Text of a user's ``kind`` file (e.g. "TOML"); missing, directory, unreadable, non-UTF-8 or empty files
    raise UserInputError (a UTF-8 byte-order mark is accepted)."""
    name = str(path)
    if path.is_dir():
        _fail(name, "is a folder, not a file", expected=f"a {kind} file")
    if not path.is_file():
        _fail(name, "file not found", expected=f"an existing {kind} file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        _fail(name, f"cannot be read: {exc.strerror}", expected=f"a readable {kind} file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _fail(name, f"not UTF-8 text (byte {exc.start})", expected=f"a UTF-8 encoded {kind} file")
    if not text.strip():
        _fail(name, "the file is empty", expected=f"a {kind} file with content")
    return text


def read_csv_strict(path: Path, text: str | None = None) -> pd.DataFrame:
    """Read a UTF-8 CSV (or parse ``text``, already read from ``path``), turning unreadable, too large, empty or
    non-UTF-8 files into UserInputError."""
    if text is None:
        check_file_size(path, "CSV", MAX_CSV_BYTES)
        text = read_text(path, "CSV")
    from io import StringIO

    import pandas as pd

    try:
        return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        _fail(str(path), f"not a valid CSV table: {exc}")


_TABLES: dict[tuple[str, str], RegionTable] = {}  # (path as given, SHA-256 of the text) -> its table
_TABLES_KEPT = 16


def load_region_table(path: str | Path | None = None) -> RegionTable:
    """Load and validate a region table; rows are reported with their line numbers in the file.

    The file is read every time; a text already parsed from the same path is not parsed again (a sweep resolves
    its base scenario once per design point): the tables' arrays are read-only, so callers can share them.
    """
    path = Path(path) if path is not None else DEFAULT_REGION_TABLE
    check_file_size(path, "CSV", MAX_CSV_BYTES)
    text = read_text(path, "CSV")
    key = (str(path), hashlib.sha256(text.encode()).hexdigest())
    table = _TABLES.get(key)
    if table is None:
        table = _parse_region_table(path, text)
        if len(_TABLES) >= _TABLES_KEPT:
            _TABLES.clear()
        _TABLES[key] = table
    return table


def _parse_region_table(path: Path, text: str) -> RegionTable:
    name = str(path)
    df = read_csv_strict(path, text)
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        _fail(
            name,
            f"missing column(s) {', '.join(missing)}",
            field=missing[0],
            expected="columns " + ", ".join(REQUIRED_COLUMNS),
        )
    if len(df) < 2:
        _fail(name, "a region table needs at least two regions", expected="two or more rows")
    values: dict[str, np.ndarray] = {}
    for col in NUMERIC_COLUMNS:
        if col not in df.columns or (df[col].str.strip() == "").all():
            continue
        out = np.empty(len(df))
        for i, cell in enumerate(df[col]):
            line = i + 2
            try:
                v = float(cell)
            except ValueError:
                _fail(name, "not a number", field=col, row=line, value=cell, expected="a finite number")
            if not np.isfinite(v):
                _fail(name, "not a finite number", field=col, row=line, value=cell, expected="a finite number")
            out[i] = v
        values[col] = out
    names = [s.strip() for s in df["region"]]
    for i, n in enumerate(names):
        if not NAME_PATTERN.match(n):
            _fail(
                name,
                "invalid region name",
                field="region",
                row=i + 2,
                value=n,
                expected="1-64 letters, digits, spaces, '_' or '-'",
            )
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen:
            _fail(
                name,
                f"duplicate region name (first on line {seen[n]})",
                field="region",
                row=i + 2,
                value=n,
                expected="unique region names",
            )
        seen[n] = i + 2
    subregion = [s.strip() for s in df["subregion"]]
    for i, s in enumerate(subregion):
        if s not in SUBREGIONS:
            _fail(
                name,
                "unknown sub-region",
                field="subregion",
                row=i + 2,
                value=s,
                expected="one of " + ", ".join(SUBREGIONS),
            )
    for col, lo, hi in [("lon", -180, 180), ("lat", -90, 90)]:
        bad = np.flatnonzero((values[col] < lo) | (values[col] > hi))
        if bad.size:
            _fail(
                name,
                "out of range",
                field=col,
                row=int(bad[0]) + 2,
                value=values[col][bad[0]],
                expected=f"degrees between {lo} and {hi}",
            )
    for col in (
        "gdp_100m_yuan",
        "population_10k",
        "talent_persons",
        "land_area_km2",
        "construction_land_km2",
        "capital_stock_100m_yuan",
    ):
        if col in values:
            bad = np.flatnonzero(values[col] <= 0)
            if bad.size:
                _fail(
                    name,
                    "must be positive",
                    field=col,
                    row=int(bad[0]) + 2,
                    value=values[col][bad[0]],
                    expected="a number > 0",
                )
    check_region_values(name, df)  # magnitudes the model can start from
    population = values["population_10k"] * 1e4
    talent = values["talent_persons"]
    bad = np.flatnonzero(talent >= population)
    if bad.size:
        _fail(
            name,
            "talent exceeds population",
            field="talent_persons",
            row=int(bad[0]) + 2,
            value=talent[bad[0]],
            expected="fewer R&D persons than residents (population_10k x 10,000)",
        )
    land = values["land_area_km2"]
    built = values.get(
        "construction_land_km2", np.minimum(values["population_10k"] * CONSTRUCTION_LAND_KM2_PER_10K, 0.5 * land)
    )
    bad = np.flatnonzero(built > land)
    if bad.size:
        _fail(
            name,
            "construction land exceeds land area",
            field="construction_land_km2",
            row=int(bad[0]) + 2,
            value=built[bad[0]],
            expected=f"at most land_area_km2 ({land[bad[0]]:g} km2)",
        )
    shipped = None if path == DEFAULT_REGION_TABLE else load_region_table(DEFAULT_REGION_TABLE)
    capital = values.get("capital_stock_100m_yuan")
    if capital is None:
        belt = shipped.in_belt
        capital = (
            values["gdp_100m_yuan"] * shipped.capital_stock_100m_yuan[belt].sum() / shipped.gdp_100m_yuan[belt].sum()
        )
    va_share = _shares(values, SECTOR_SHARE_COLUMNS, name, None if shipped is None else _national_va_share(shipped))
    use_share = _shares(values, USE_SHARE_COLUMNS, name, va_share)
    net_outflow = values.get("net_outflow_share", np.zeros(len(df)))
    _check_range(net_outflow, -1.0, 1.0, name, "net_outflow_share", "a share of GDP between -1 and 1")
    investment_rate = values.get("investment_rate")
    if investment_rate is None:
        belt = shipped.in_belt
        rate = (shipped.investment_rate * shipped.gdp_100m_yuan)[belt].sum() / shipped.gdp_100m_yuan[belt].sum()
        investment_rate = np.full(len(df), rate)
    _check_range(investment_rate, 0.0, 1.0, name, "investment_rate", "a share between 0 and 1")
    net_migration = values.get("net_migration_persons_per_year", np.zeros(len(df)))
    if abs(net_migration.sum()) > 1e-6 * population.sum():
        _fail(
            name,
            f"net migration does not sum to 0 over the table (sum {net_migration.sum():g})",
            field="net_migration_persons_per_year",
            expected="in-migrants of some regions equal to out-migrants of others",
        )
    if "in_belt" in df.columns and (df["in_belt"].str.strip() != "").any():
        flags = []
        for i, cell in enumerate(df["in_belt"]):
            v = cell.strip().lower()
            if v not in ("true", "false", "1", "0"):
                _fail(name, "not a boolean", field="in_belt", row=i + 2, value=cell, expected="true or false")
            flags.append(v in ("true", "1"))
        in_belt = np.array(flags)
    else:
        in_belt = np.array([s != "outside" for s in subregion])
    zh = tuple(df["region_zh"]) if "region_zh" in df.columns else tuple(names)
    province = (
        tuple(p.strip() or n for p, n in zip(df["province"], names)) if "province" in df.columns else tuple(names)
    )
    return RegionTable(
        tuple(names),
        zh,
        tuple(subregion),
        province,
        in_belt,
        values["lon"],
        values["lat"],
        values["gdp_100m_yuan"],
        population,
        talent,
        land,
        built,
        capital,
        va_share,
        use_share,
        investment_rate,
        net_outflow,
        net_migration,
        name,
    )


def _check_range(values: np.ndarray, lo: float, hi: float, file: str, column: str, expected: str) -> None:
    bad = np.flatnonzero((values < lo) | (values > hi))
    if bad.size:
        _fail(file, "out of range", field=column, row=int(bad[0]) + 2, value=values[bad[0]], expected=expected)


def _national_va_share(table: RegionTable) -> np.ndarray:
    national = table.value_added_100m_yuan.sum(axis=1)
    return national / national.sum()


def _shares(values: dict[str, np.ndarray], columns: tuple[str, ...], file: str, default) -> np.ndarray:
    """N x 3 sector shares from three columns summing to 1, or ``default`` (a row of 3 or an N x 3 array)."""
    n = len(values["gdp_100m_yuan"])
    given = [c for c in columns if c in values]
    if not given:
        return np.broadcast_to(default, (n, len(columns))).copy()
    if len(given) != len(columns):
        missing = [c for c in columns if c not in values]
        _fail(file, "sector shares need all three columns", field=missing[0], expected=", ".join(columns))
    shares = np.column_stack([values[c] for c in columns])
    for s, column in enumerate(columns):
        _check_range(shares[:, s], 0.0, 1.0, file, column, "a share between 0 and 1")
    bad = np.flatnonzero(np.abs(shares.sum(axis=1) - 1.0) > 1e-6)
    if bad.size:
        _fail(
            file,
            "sector shares do not sum to 1",
            field=columns[0],
            row=int(bad[0]) + 2,
            value=float(shares[bad[0]].sum()),
            expected=" + ".join(columns) + " = 1",
        )
    return shares / shares.sum(axis=1, keepdims=True)
