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
| capital_stock_100m_yuan | no | installed capital; default: GDP x 3.3 (the shipped belt capital-output ratio) |
| region_zh | no | Chinese name, used in plots on request |
| in_belt | no | true/false; default true unless subregion is `outside` |
| province | no | province the region belongs to (defaults to the region itself); pairs of regions in different provinces are separated by an administrative border |
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from yreb.errors import UserInputError
from yreb.model.kernels import haversine_km

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
NUMERIC_COLUMNS = (
    "lon",
    "lat",
    "gdp_100m_yuan",
    "population_10k",
    "talent_persons",
    "land_area_km2",
    "construction_land_km2",
    "capital_stock_100m_yuan",
)
CONSTRUCTION_LAND_KM2_PER_10K = 385_933.0 / 138_097.0  # 2015 national construction land per 10k residents
DEFAULT_CAPITAL_OUTPUT_RATIO = 3.3
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
    source_file: str

    @property
    def n(self) -> int:
        return len(self.names)

    def distance_km(self) -> np.ndarray:
        return haversine_km(self.lon, self.lat)

    def border(self) -> np.ndarray:
        """border[o, j] = 1 where o and j lie in different provinces (an administrative border)."""
        prov = np.asarray(self.province)
        return (prov[:, None] != prov[None, :]).astype(float)

    def fingerprint(self) -> str:
        """SHA-256 of the table's names and numbers: identifies the data a run used."""
        h = hashlib.sha256()
        h.update("|".join(self.names + self.subregion + self.province).encode())
        for arr in (
            self.lon,
            self.lat,
            self.gdp_100m_yuan,
            self.population_persons,
            self.talent_persons,
            self.land_area_km2,
            self.construction_land_km2,
            self.capital_stock_100m_yuan,
        ):
            h.update(np.ascontiguousarray(arr, dtype=float).tobytes())
        return h.hexdigest()

    def to_frame(self) -> pd.DataFrame:
        """The table in the region-table CSV format (every column explicit); loading it gives the same table."""
        return pd.DataFrame(
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

    def index(self, name: str) -> int:
        return self.names.index(name)

    def subset(self, names: list[str]) -> RegionTable:
        idx = [self.index(n) for n in names]
        pick = lambda arr: arr[idx]  # noqa: E731
        tup = lambda t: tuple(t[i] for i in idx)  # noqa: E731
        return RegionTable(
            tup(self.names),
            tup(self.names_zh),
            tup(self.subregion),
            tup(self.province),
            pick(self.in_belt),
            pick(self.lon),
            pick(self.lat),
            pick(self.gdp_100m_yuan),
            pick(self.population_persons),
            pick(self.talent_persons),
            pick(self.land_area_km2),
            pick(self.construction_land_km2),
            pick(self.capital_stock_100m_yuan),
            self.source_file,
        )


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


def read_csv_strict(path: Path) -> pd.DataFrame:
    """Read a UTF-8 CSV, turning unreadable, empty or non-UTF-8 files into UserInputError."""
    text = read_text(path, "CSV")
    from io import StringIO

    try:
        return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        _fail(str(path), f"not a valid CSV table: {exc}")


def load_region_table(path: str | Path | None = None) -> RegionTable:
    """Load and validate a region table; rows are reported with their line numbers in the file."""
    path = Path(path) if path is not None else DEFAULT_REGION_TABLE
    name = str(path)
    df = read_csv_strict(path)
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
    capital = values.get("capital_stock_100m_yuan", values["gdp_100m_yuan"] * DEFAULT_CAPITAL_OUTPUT_RATIO)
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
        name,
    )
