"""A run as an ``xarray.Dataset`` (and NetCDF file), and back to the tidy table.

One data variable per model variable, with dimensions ``(scenario, replication, region, year)`` and the
values of the tidy table unchanged. Attributes of each data variable: ``units`` (the model's unit text,
e.g. "100m yuan (2015 prices)": not a udunits string), ``iamc_variable``, ``iamc_unit`` and
``iamc_factor`` (value x iamc_factor is the value in iamc_unit, see ``yreb.export.iamc``). The coordinate
``seed(scenario, replication)`` holds each replication's seed; the dataset's attributes name the model
version, the result folder, the root seed, the code fingerprint and the git commit. xarray (and a NetCDF
engine: netCDF4) come with the optional extra ``netcdf``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from yreb.errors import UserInputError
from yreb.export.iamc import iamc_mapping

if TYPE_CHECKING:
    import xarray

DIMS = ("scenario", "replication", "region", "year")
TABLE_COLUMNS = ["scenario", "replication", "seed", "region", "variable", "unit", "year", "value"]


def require_xarray(what: str = "this export"):
    """The xarray module, or a UserInputError saying how to install it."""
    try:
        import xarray
    except ImportError:
        raise UserInputError(
            f"{what} needs xarray, which is not installed",
            option="format",
            value="netcdf",
            expected="the optional extra: pip install 'yreb-flows[netcdf]'",
        ) from None
    return xarray


def _labels(column: pd.Series) -> list:
    return list(dict.fromkeys(column.tolist()))  # order of first appearance (the model's region order)


def to_dataset(table: pd.DataFrame, attrs: dict | None = None) -> xarray.Dataset:
    """The tidy table as a Dataset (module doc); ``attrs`` become the dataset's attributes."""
    xr = require_xarray("Result.to_xarray()")
    labels = {dim: _labels(table[dim]) for dim in DIMS}
    shape = tuple(len(labels[d]) for d in DIMS)
    codes = tuple(pd.Categorical(table[d], categories=labels[d]).codes for d in DIMS)
    mapping = iamc_mapping(table).set_index("variable")
    data_vars = {}
    for name in _labels(table.variable):
        rows = (table.variable == name).to_numpy()
        values = np.full(shape, np.nan)
        values[tuple(c[rows] for c in codes)] = table.value.to_numpy(dtype=float)[rows]
        m = mapping.loc[name]
        data_vars[name] = (
            DIMS,
            values,
            {"units": m.unit, "iamc_variable": m.iamc_variable, "iamc_unit": m.iamc_unit, "iamc_factor": m.factor},
        )
    seeds = table.drop_duplicates(["scenario", "replication"])
    seed = np.zeros(shape[:2], dtype=np.int64)
    seed[
        pd.Categorical(seeds.scenario, categories=labels["scenario"]).codes,
        pd.Categorical(seeds.replication, categories=labels["replication"]).codes,
    ] = seeds.seed.to_numpy(dtype=np.int64)
    coords = {d: np.asarray(labels[d], dtype=object if d in ("scenario", "region") else np.int64) for d in DIMS}
    coords["seed"] = (("scenario", "replication"), seed)
    return xr.Dataset(data_vars, coords=coords, attrs=dict(attrs or {}))


def to_table(ds: xarray.Dataset) -> pd.DataFrame:
    """The tidy table (``TABLE_COLUMNS``) of a Dataset made by ``to_dataset``, in the model's row order."""
    frames = []
    for name, da in ds.data_vars.items():
        frame = da.reset_coords(drop=True).transpose(*DIMS).to_dataframe(name="value").reset_index()
        frame["variable"], frame["unit"] = name, da.attrs["units"]
        frames.append(frame[["scenario", "replication", "region", "variable", "unit", "year", "value"]])
    out = pd.concat(frames, ignore_index=True)
    seeds = ds["seed"].to_series().rename("seed").reset_index()
    out = out.merge(seeds, on=["scenario", "replication"], how="left", sort=False)
    out = out.astype({"replication": np.int64, "year": np.int64, "seed": np.int64})
    order = ["scenario", "replication", "variable", "year", "region"]  # the tidy table's row order
    ranks = {
        d: out[d].map({v: i for i, v in enumerate(ds[d].values.tolist())})
        for d in ("scenario", "replication", "year", "region")
    }
    ranks["variable"] = out.variable.map({v: i for i, v in enumerate(ds.data_vars)})
    out = out.iloc[np.lexsort([ranks[d].to_numpy() for d in reversed(order)])]
    return out[TABLE_COLUMNS].reset_index(drop=True)
