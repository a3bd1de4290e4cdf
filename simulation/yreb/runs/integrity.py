"""Integrity of output folders: what a writer records in its metadata, and what every reader verifies.

A writer lists every table and file it wrote in its metadata under ``integrity`` (``manifest``): per file its
SHA-256 and size, and for tables their row count and schema (column names and types). The metadata itself
is sealed (``seal``): ``metadata_sha256`` is the SHA-256 of the rest of the document, so an edit of the
metadata (a deleted scenario name, a changed seed) is detected as well.

A reader calls ``verify`` before using anything: a folder whose metadata lacks the records, or whose files do
not match them, is refused with a ``UserInputError`` naming the file and what differs (a missing column, a
row count, a changed value, a truncated file). Nothing here knows the model's variables: the records say
what the tables held.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from yreb.errors import UserInputError

INTEGRITY_FORMAT = 1
SEAL_KEY = "metadata_sha256"
MAX_METADATA_BYTES = 64 * 2**20  # a metadata.json above this is not one that yreb wrote


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _table_shape(path: Path, data: bytes | None = None) -> dict:
    """Rows and schema of a Parquet or CSV table (ValueError/OSError if it cannot be read)."""
    if path.suffix == ".parquet":
        source = io.BytesIO(data) if data is not None else path
        meta = pq.ParquetFile(source)
        schema = meta.schema_arrow
        return {"rows": meta.metadata.num_rows, "columns": [[f.name, str(f.type)] for f in schema]}
    data = path.read_bytes() if data is None else data
    names = next(csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")), [])
    text = pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False)
    table = pa_csv.read_csv(io.BytesIO(data), convert_options=text)  # every cell as text: nothing inferred
    return {"rows": table.num_rows, "columns": [[c, "text"] for c in table.column_names]}


def file_record(path: Path) -> dict:
    """What a reader checks of one file: SHA-256 and size; for a table also its rows and schema."""
    path = Path(path)
    record = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    if path.suffix in (".parquet", ".csv"):
        record.update(_table_shape(path))
    return record


def manifest(folder: Path, paths) -> dict:
    """The ``integrity`` entry of a folder's metadata: a record of each of ``paths`` (inside ``folder``)."""
    folder = Path(folder)
    files = {}
    for path in paths:
        rel = Path(path).relative_to(folder).as_posix()
        files[rel] = file_record(Path(path))
    return {"format": INTEGRITY_FORMAT, "files": files}


def _digest(document: dict) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def seal(metadata: dict) -> dict:
    """``metadata`` as JSON data with its own checksum (``metadata_sha256``) added."""
    document = json.loads(json.dumps({k: v for k, v in metadata.items() if k != SEAL_KEY}, default=str))
    return {**document, SEAL_KEY: _digest(document)}


def read_metadata(path: Path, expected: str) -> dict:
    """A metadata JSON document (an object); unreadable, oversized or non-object files raise UserInputError."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_METADATA_BYTES:
            raise UserInputError(
                f"metadata file of {size:,} bytes is larger than any yreb writes", file=str(path), expected=expected
            )
        document = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise UserInputError("the metadata file is missing", file=str(path), expected=expected) from None
    except (OSError, ValueError, RecursionError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise UserInputError(
            f"unreadable metadata (truncated or not JSON: {reason})", file=str(path), expected=expected
        ) from None
    if not isinstance(document, dict):
        raise UserInputError(
            f"the metadata is a JSON {type(document).__name__}, not an object", file=str(path), expected=expected
        )
    return document


def _difference(path: Path, record: dict) -> str:
    """What differs between a file and its record, in words."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if "rows" in record:
        try:
            shape = _table_shape(path, data)
        except Exception as exc:  # pyarrow, pandas and the csv module raise many kinds: all mean unreadable
            reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            return f"unreadable result file (truncated or garbled: {reason})"
        recorded_columns = dict(map(tuple, record.get("columns", [])))
        shape["columns"] = dict(map(tuple, shape["columns"]))
        missing = [c for c in recorded_columns if c not in shape["columns"]]
        if missing:
            return f"column '{missing[0]}' is missing (metadata records the columns {', '.join(recorded_columns)})"
        extra = [c for c in shape["columns"] if c not in recorded_columns]
        if extra:
            return f"column '{extra[0]}' was added (metadata records the columns {', '.join(recorded_columns)})"
        for column, kind in recorded_columns.items():
            if shape["columns"][column] != kind:
                return f"column '{column}' holds {shape['columns'][column]}, metadata records {kind}"
        if list(shape["columns"]) != list(recorded_columns):
            return "the columns are in another order than metadata records"
        if shape["rows"] != record.get("rows"):
            return f"the table has {shape['rows']:,} rows, metadata records {record.get('rows'):,}"
        return "a value differs from what was written (same rows and columns, another SHA-256)"
    if len(data) != record.get("bytes"):
        return f"the file has {len(data):,} bytes, metadata records {record.get('bytes'):,}"
    return "its content differs from what was written (another SHA-256)"


def verify(
    folder: Path,
    metadata: dict,
    *,
    metadata_name: str = "metadata.json",
    expected: str,
    nouns: dict[str, str] | None = None,
) -> None:
    """Refuse a folder whose metadata is unsealed or edited, or whose recorded files differ from their records.

    ``nouns`` name some files in messages (e.g. ``{"inputs/region_table.csv": "the region table"}``)."""
    nouns = nouns or {}
    folder = Path(folder)
    meta_path = folder / metadata_name
    if SEAL_KEY not in metadata or "integrity" not in metadata:
        raise UserInputError(
            "the metadata records no checksums (written by an older version of yreb, or edited)",
            file=str(meta_path),
            expected=expected,
        )
    if _digest({k: v for k, v in metadata.items() if k != SEAL_KEY}) != metadata[SEAL_KEY]:
        raise UserInputError(
            f"the metadata was changed after it was written (its content no longer matches its {SEAL_KEY})",
            file=str(meta_path),
            expected=expected,
        )
    integrity = metadata["integrity"]
    files = integrity.get("files") if isinstance(integrity, dict) else None
    if not isinstance(files, dict) or integrity.get("format") != INTEGRITY_FORMAT:
        raise UserInputError(
            "the metadata's integrity records are not in a format this version of yreb reads",
            file=str(meta_path),
            field="integrity",
            expected=expected,
        )
    for rel, record in files.items():
        parts = PurePosixPath(rel).parts
        if not isinstance(record, dict) or not parts or ".." in parts or PurePosixPath(rel).is_absolute():
            raise UserInputError("a malformed integrity record", file=str(meta_path), field=f"integrity.{rel}")
        path = folder.joinpath(*parts)
        noun = nouns.get(rel, rel)
        if not path.is_file() or path.is_symlink():
            raise UserInputError(
                f"{rel} is missing: the folder holds no copy of {noun} (deleted, or made by an older version of "
                "yreb); the metadata lists it",
                file=str(folder),
                expected=expected,
            )
        if path.stat().st_size != record.get("bytes") or sha256_file(path) != record.get("sha256"):
            subject = f"the copy of {noun}" if rel in nouns else rel
            raise UserInputError(
                f"{subject} was changed after the run that wrote it ({_difference(path, record)})",
                file=str(path),
                expected=expected,
            )
