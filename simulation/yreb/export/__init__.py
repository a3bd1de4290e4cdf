"""Exports of a result folder for other tools: IAMC long format (pyam), NetCDF (xarray) and the tidy CSV.

``export_result(folder, format)`` writes one file atomically (a temporary file renamed when complete; an
existing file is replaced only with ``force``), by default next to the result folder:
``results/baseline`` -> ``results/baseline.iamc.csv``, ``results/baseline.nc``, ``results/baseline.csv``.
Names, units and the treatment of replications: ``yreb.export.iamc`` and ``yreb.export.netcdf``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from yreb import __version__
from yreb.errors import UserInputError
from yreb.export.iamc import iamc_table
from yreb.export.netcdf import require_xarray, to_dataset
from yreb.runs.runner import load_results
from yreb.runs.storage import TMP_PREFIX

FORMATS = {"iamc": ".iamc.csv", "netcdf": ".nc", "csv": ".csv"}  # format -> default file suffix
NETCDF_ENGINE = "netcdf4"


def model_label(metadata: dict) -> str:
    """``yreb <version>`` of the code that made a result (from its metadata; this version if not recorded)."""
    return f"yreb {metadata.get('versions', {}).get('yreb-flows', __version__)}"


def dataset_attrs(metadata: dict, folder: Path | None) -> dict:
    """Attributes of an exported dataset: model version, source folder, seeds and code version (strings, ints)."""
    scenario = metadata.get("scenario", {})
    git = metadata.get("git", {})
    attrs = {
        "title": f"yreb results: {scenario.get('name', '?')}",
        "model": model_label(metadata),
        "scenario": scenario.get("name", ""),
        "description": scenario.get("description", ""),
        "root_seed": metadata.get("root_seed", -1),
        "seed_method": metadata.get("seed_method", ""),
        "code_sha256": metadata.get("code_sha256", ""),
        "git_commit": str(git.get("commit") or "unknown"),
        "created": metadata.get("created", ""),
        "source_folder": str(folder) if folder is not None else "",
    }
    return {k: v for k, v in attrs.items() if v is not None}


def default_path(folder: Path, format: str) -> Path:
    """Where ``export_result`` writes by default: beside the folder, named after it."""
    folder = Path(folder)
    return folder.parent / f"{folder.resolve().name}{FORMATS[format]}"


def write_file_atomic(path: Path, writer: Callable[[Path], object], *, force: bool = False) -> Path:
    """Call ``writer(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    An existing ``path`` is kept unless ``force``; on any error the temporary file is removed and ``path``
    is untouched.
    """
    path = Path(path)
    if path.is_dir():
        raise UserInputError("is a folder", file=str(path), expected="a file name for {out}")
    if path.exists() and not force:
        raise UserInputError(
            "file already exists", file=str(path), expected="a new {out} file, or {force} to replace it"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserInputError(
            f"cannot create the folder: {exc.strerror}", file=str(path.parent), expected="a writable folder for {out}"
        ) from None
    tmp = path.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex[:8]}-{path.name}")
    try:
        writer(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def export_table(
    table: pd.DataFrame, metadata: dict, path: Path, format: str, *, force: bool = False, folder: Path | None = None
) -> Path:
    """Write a tidy results table (and its metadata) to ``path`` in ``format`` (one of ``FORMATS``)."""
    if format not in FORMATS:
        raise UserInputError(
            "unknown export format", option="format", value=format, expected="one of " + ", ".join(FORMATS)
        )
    if format == "iamc":
        frame = iamc_table(table, model_label(metadata))
        return write_file_atomic(path, lambda tmp: frame.to_csv(tmp, index=False), force=force)
    if format == "csv":
        return write_file_atomic(path, lambda tmp: table.to_csv(tmp, index=False), force=force)
    require_xarray("the netcdf export")
    ds = to_dataset(table, dataset_attrs(metadata, folder))
    return write_file_atomic(path, lambda tmp: ds.to_netcdf(tmp, engine=NETCDF_ENGINE), force=force)


def export_result(folder: str | Path, format: str, *, out: str | Path | None = None, force: bool = False) -> Path:
    """Export the result folder ``folder`` (written by ``yreb run``) as ``format``; returns the file written."""
    folder = Path(folder)
    if format not in FORMATS:
        raise UserInputError(
            "unknown export format", option="format", value=format, expected="one of " + ", ".join(FORMATS)
        )
    path = Path(out) if out is not None else default_path(folder, format)
    if path.exists() and not force and not path.is_dir():  # before reading anything: fail fast
        raise UserInputError(
            "file already exists", file=str(path), expected="a new {out} file, or {force} to replace it"
        )
    if not folder.is_dir():
        raise UserInputError("result folder not found", file=str(folder), expected="a folder written by 'yreb run'")
    table, metadata = load_results(folder)
    return export_table(table, metadata, path, format, force=force, folder=folder)
