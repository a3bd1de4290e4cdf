"""Data the calibration uses besides the region table: the migration origin-destination pattern and targets.

Both are shipped for the default region set (11 provinces + RestOfChina, built by tools/build_default_data.py,
documented in simulation/yreb/data/README.md):

- ``migration_od_2010.csv``: shares of the cross-region migrant stock by (registration, residence) pair;
- ``calibration_targets.csv``: the data targets of the calibrated parameters (trade inflow shares by sector,
  gross migration), and data-based defaults (skill premium, natural growth) with their sources.

For another region table the origin-destination pattern is not known: the calibration then builds the
initial stocks from the migration-cost model itself (docs/MODEL.md section 5) and says so in its diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from yreb.inputs.regions import DATA_DIR

if TYPE_CHECKING:  # pandas loads when a file is read (a scenario file's own errors come first)
    import pandas as pd

MIGRATION_OD_FILE = DATA_DIR / "migration_od_2010.csv"
TARGETS_FILE = DATA_DIR / "calibration_targets.csv"
SECTORS = ("primary", "secondary", "tertiary")
MOVES_YEARS = 5  # the census counts persons who moved in the five years before the survey


@dataclass(frozen=True)
class CalibrationTargets:
    """Data targets of the calibrated parameters (docs/MODEL.md section 5)."""

    trade_inflow_share: dict[str, float]  # belt, by sector: bought from other provinces / domestic-origin use
    trade_inflow_share_by_region: pd.DataFrame  # region x sector
    trade_outflow_share_by_region: pd.DataFrame  # region x sector (checked, not targeted)
    cross_region_movers_per_year: float  # persons/year changing region among the model's 12 regions


@lru_cache(maxsize=1)
def _targets_frame() -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(TARGETS_FILE)


def calibration_targets() -> CalibrationTargets:
    """The shipped targets (default region set)."""
    t = _targets_frame()

    def by_region(target: str) -> pd.DataFrame:
        rows = t[(t.target == target) & (t.region != "Belt")]
        return rows.pivot(index="region", columns="sector", values="value")[list(SECTORS)]

    inflow = t[(t.target == "trade_inflow_share") & (t.region == "Belt")].set_index("sector")["value"]
    moves = float(t.loc[t.target == "interprovincial_migration_5yr_persons", "value"].iloc[0])
    cross = float(t.loc[t.target == "cross_region_share_of_migrant_stock", "value"].iloc[0])
    return CalibrationTargets(
        {s: float(inflow[s]) for s in SECTORS},
        by_region("trade_inflow_share"),
        by_region("trade_outflow_share"),
        moves * cross / MOVES_YEARS,
    )


@lru_cache(maxsize=1)
def _od_frame() -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(MIGRATION_OD_FILE)


def migration_pattern(names: tuple[str, ...]) -> np.ndarray | None:
    """Shares of the cross-region migrant stock, registration x residence (N x N, zero diagonal, sums to 1),
    for a region set covered by the shipped matrix (re-normalised over the pairs present); None otherwise."""
    od = _od_frame()
    known = set(od.origin) | set(od.destination)
    if not set(names) <= known:
        return None
    index = {name: i for i, name in enumerate(names)}
    od = od[od.origin.isin(index) & od.destination.isin(index)]
    shares = np.zeros((len(names), len(names)))
    shares[od.origin.map(index).to_numpy(), od.destination.map(index).to_numpy()] = od.share.to_numpy()
    np.fill_diagonal(shares, 0.0)
    return shares / shares.sum()
