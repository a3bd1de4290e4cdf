"""Exports of a result folder for other tools: IAMC long format (pyam), NetCDF (xarray) and the tidy CSV.

``yreb.export.files.export_result(folder, format)`` writes one file atomically (a temporary file renamed
when complete; an existing file is replaced only with ``force``), by default next to the result folder:
``results/baseline`` -> ``results/baseline.iamc.csv``, ``results/baseline.nc``, ``results/baseline.csv``.
Names, units and the treatment of replications: ``yreb.export.iamc`` and ``yreb.export.netcdf``.

This module imports only the standard library, so that the command line checks a request (``check_request``)
before it loads the numerical stack.
"""

from __future__ import annotations

from pathlib import Path

from yreb.errors import UserInputError

FORMATS = {"iamc": ".iamc.csv", "netcdf": ".nc", "csv": ".csv"}  # format -> default file suffix


def default_path(folder: str | Path, format: str) -> Path:
    """Where an export is written by default: beside the folder, named after it."""
    folder = Path(folder)
    return folder.parent / f"{folder.resolve().name}{FORMATS[format]}"


def check_format(format: str) -> None:
    """``format`` must be one of ``FORMATS``."""
    if format not in FORMATS:
        raise UserInputError(
            "unknown export format", option="format", value=format, expected="one of " + ", ".join(FORMATS)
        )


def check_target(path: str | Path, force: bool) -> Path:
    """The file to write: not a folder, and not an existing file unless ``force``."""
    path = Path(path)
    if path.is_dir():
        raise UserInputError("is a folder", file=str(path), expected="a file name for {out}")
    if path.exists() and not force:
        raise UserInputError(
            "file already exists", file=str(path), expected="a new {out} file, or {force} to replace it"
        )
    return path


def check_request(folder: str | Path, format: str, out: str | Path | None = None, force: bool = False) -> Path:
    """Check an export of ``folder`` before anything is read; returns the file it will write."""
    check_format(format)
    path = check_target(default_path(folder, format) if out is None else out, force)
    if not Path(folder).is_dir():
        raise UserInputError("result folder not found", file=str(folder), expected="a folder written by 'yreb run'")
    return path
