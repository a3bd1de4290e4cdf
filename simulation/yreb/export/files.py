"""Writing exports: the IAMC, NetCDF and CSV files of a tidy table or a result folder, atomically."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from yreb import __version__
from yreb.errors import UserInputError
from yreb.export import check_format, check_request, check_target
from yreb.export.iamc import iamc_table
from yreb.export.netcdf import require_xarray, to_dataset
from yreb.runs.results import load_results
from yreb.runs.storage import TMP_PREFIX

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


def write_file_atomic(path: Path, writer: Callable[[Path], object], *, force: bool = False) -> Path:
    """Call ``writer(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    An existing ``path`` is kept unless ``force``; on any error the temporary file is removed and ``path``
    is untouched.
    """
    path = check_target(path, force)
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
    check_format(format)
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
    path = check_request(folder, format, out, force)  # before reading anything: fail fast
    table, metadata = load_results(Path(folder))
    return export_table(table, metadata, path, format, force=force, folder=Path(folder))
