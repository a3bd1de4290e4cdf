"""Limits checked before any work: input file sizes, nesting depth of TOML documents, and the magnitudes of a
region table's numbers (values that pass the table's own checks but cannot start the model).

``yreb.inputs.regions.load_region_table`` calls ``check_region_values`` after its own checks, so every command
that loads a region table refuses magnitudes the model cannot start from, naming the CSV line.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from yreb.errors import UserInputError

if TYPE_CHECKING:  # pandas loads only where a table is read (a scenario file's errors come first)
    import pandas as pd

MAX_TOML_BYTES = 1 * 2**20  # a scenario or sweep file; the shipped ones are below 4 KiB
MAX_CSV_BYTES = 64 * 2**20  # a region table or an observed-data file
MAX_NESTING = 32  # tables and arrays inside each other in a TOML document
# plausible magnitudes of a region's base-year numbers: (column, lowest, highest, what the limit means)
REGION_LIMITS = (
    ("gdp_100m_yuan", 1e-4, 1e7, "above world GDP (1e7 x 100m yuan = 1e15 yuan)"),
    ("population_10k", 1e-4, 1e6, "at least one resident and at most 10 billion"),
    ("talent_persons", 0.0, 1e10, "at most 10 billion persons"),
    ("land_area_km2", 1e-2, 1.5e8, "at most the Earth's land area"),
    ("construction_land_km2", 0.0, 1.5e8, "at most the Earth's land area"),
    ("capital_stock_100m_yuan", 0.0, 1e8, "at most 10 times world GDP"),
)


def check_file_size(path: Path, kind: str, limit: int) -> None:
    """Refuse a ``kind`` file larger than ``limit`` bytes before reading it (UserInputError naming it)."""
    path = Path(path)
    try:
        size = path.stat().st_size if path.is_file() else None
    except OSError:
        return  # reading it reports the problem
    if size is not None and size > limit:
        raise UserInputError(
            f"the file is too large ({size:,} bytes)",
            file=str(path),
            expected=f"a {kind} file of at most {limit:,} bytes",
        )


def nesting_depth(data) -> int:
    """How deeply tables and arrays nest in a parsed document (a scalar: 0), computed without recursion."""
    depth, stack = 0, [(data, 1)]
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        depth = max(depth, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return depth


def check_nesting(data, file: str) -> None:
    """Refuse a document nested deeper than MAX_NESTING."""
    depth = nesting_depth(data)
    if depth > MAX_NESTING:
        raise UserInputError(
            f"tables and arrays are nested {depth} levels deep", file=file, expected=f"at most {MAX_NESTING} levels"
        )


def check_region_values(name: str, df: pd.DataFrame) -> None:
    """The numbers of a region table (the CSV read as text, ``df``) lie within ``REGION_LIMITS``; the first one
    outside is reported with its CSV line."""
    for column, low, high, meaning in REGION_LIMITS:
        if column not in df.columns:
            continue
        for i, cell in enumerate(df[column]):
            try:
                value = float(cell)
            except (TypeError, ValueError):
                continue  # reported by the table's own checks
            if math.isfinite(value) and value > 0 and not low <= value <= high:  # <= 0: the table's own check
                raise UserInputError(
                    "outside the range the model can start from",
                    file=name,
                    line=i + 2,
                    field=column,
                    value=cell.strip(),
                    expected=f"a value from {low:g} to {high:g} ({meaning})",
                )
