"""Atomic output: files and folders appear complete or not at all."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from yreb.errors import UserInputError

TMP_PREFIX = ".yreb-tmp-"
_WRITING: set[Path] = set()  # temporary folders this process is filling (atomic_folder)


def left_unfinished(folder: Path) -> bool:
    """True for a temporary folder that no ``atomic_folder`` of this process is filling: an interrupted run's."""
    return folder.name.startswith(TMP_PREFIX) and folder.resolve() not in _WRITING


def write_json(path: Path, data) -> None:
    """Write JSON atomically (temporary file in the same folder, fsync, rename)."""
    tmp = path.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}-{path.name}")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_table(frame: pd.DataFrame, path_without_suffix: Path, csv: bool = True) -> None:
    """Write a table as Parquet (and CSV), each atomically."""
    for suffix, writer in (
        (".parquet", lambda p: frame.to_parquet(p, index=False)),
        (".csv", lambda p: frame.to_csv(p, index=False)),
    ):
        if suffix == ".csv" and not csv:
            continue
        final = path_without_suffix.with_suffix(suffix)
        tmp = final.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}-{final.name}")
        writer(tmp)
        os.replace(tmp, final)


@contextmanager
def atomic_folder(target: Path, force: bool):
    """Yield a temporary sibling folder; on success it replaces ``target`` in one rename.

    An existing ``target`` is kept unless ``force``; on any error (or interruption) the temporary folder is
    removed and ``target`` is untouched. Left-over temporary folders of killed runs start with TMP_PREFIX
    and are never mistaken for results.
    """
    if target.exists() and not force:
        raise UserInputError(
            "result folder already exists", file=str(target), expected="a new {out} folder, or {force} to replace it"
        )
    created = [p for p in (target.parent, *target.parent.parents) if not p.exists()]  # deepest first
    tmp = target.parent / f"{TMP_PREFIX}{target.name}-{uuid.uuid4().hex[:8]}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
    except OSError as exc:
        raise UserInputError(
            f"cannot create the result folder: {exc.strerror}",
            file=str(target.parent),
            expected="a writable folder (not a file) for {out}",
        ) from None
    writing = tmp.resolve()
    _WRITING.add(writing)
    try:
        yield tmp
        if target.exists():
            if not force:  # appeared while this run was computing (another run): keep it
                raise UserInputError(
                    "result folder was created by another run meanwhile",
                    file=str(target),
                    expected="a new {out} folder, or {force} to replace it",
                )
            old = target.parent / f"{TMP_PREFIX}old-{target.name}-{uuid.uuid4().hex[:8]}"
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for folder in created:  # leave no empty --out folders behind
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    finally:
        _WRITING.discard(writing)
