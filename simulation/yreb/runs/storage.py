"""Safe output: files and folders appear complete or not at all, and nothing that is not yreb's is replaced.

One routine writes every output folder (``atomic_folder``: run results, comparisons, hindcasts, sweep
reports; sweeps use ``target_lock`` and ``install_folder`` for their in-place, resumable folder):

- **refusals before any work**: the target must not be the current folder (or hold it), an input of the
  command (or hold one), a symbolic link, a file, or an existing folder that is not this kind of yreb output
  (recognised by its marker file ``MARKER``, or for folders written before markers existed, by the files
  ``LEGACY_SIGNATURES`` names). An existing output of the right kind is replaced only with ``force``;
- **one writer per target**: an advisory lock (``fcntl.flock`` on ``.yreb-lock-<name>`` beside the target,
  released by the kernel when the process dies) makes a second writer stop with a clear message;
- **the previous result survives every kill**: the new folder is filled under a temporary name
  (``TMP_PREFIX``), then swapped in. Replacing an existing folder takes two renames; a journal
  (``.yreb-journal-<name>.json``) written before them lets the next command (or reader) finish or undo an
  interrupted swap (``recover``). SIGINT and SIGTERM are held back during the swap;
- **temporary files are created exclusively** (``O_CREAT | O_EXCL | O_NOFOLLOW``, random names) and renamed
  over their final names, so a planted symbolic link is replaced, never written through;
- **CSV cells that a spreadsheet would run as a formula** (text starting with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return) are prefixed with ``'`` (``neutralise_formulas``); numbers are untouched.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import fcntl
import hashlib
import io
import json
import os
import secrets
import shutil
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from yreb.errors import FilesystemError, UserInputError

TMP_PREFIX = ".yreb-tmp-"
LOCK_PREFIX = ".yreb-lock-"
JOURNAL_PREFIX = ".yreb-journal-"
MARKER = ".yreb-output.json"  # {"kind": ...}: the folder is yreb output of that kind and may be replaced (--force)
# files that mark a folder of each kind written before markers existed
LEGACY_SIGNATURES = {
    "run": ("metadata.json", "results.parquet"),
    "comparison": ("comparison.json", "effects.csv"),
    "hindcast": ("errors.csv", "shares.csv", "metadata.json"),
    "sweep-report": ("influence.md", "indices.csv"),
    "sweep": ("design.parquet",),
}
KIND_NAMES = {
    "run": "result folder of 'yreb run'",
    "comparison": "comparison folder of 'yreb compare'",
    "hindcast": "hindcast folder of 'yreb hindcast'",
    "sweep-report": "report folder of 'yreb sweep-report'",
    "sweep": "sweep folder of 'yreb sweep'",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
KILL_POINT_VARIABLE = "YREB_TEST_KILL_AT"  # test hook: SIGKILL this process at a named point of a swap
_WRITING: set[Path] = set()  # temporary folders this process is filling (atomic_folder)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def left_unfinished(folder: Path) -> bool:
    """True for a temporary folder that no ``atomic_folder`` of this process is filling: an interrupted run's."""
    return folder.name.startswith(TMP_PREFIX) and folder.resolve() not in _WRITING


def _short(name: str, limit: int = 100) -> str:
    """A file-name part of at most ``limit`` characters (long names shortened with a hash)."""
    if len(name) <= limit:
        return name
    return name[: limit - 17] + "-" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _kill_point(name: str) -> None:
    """Test hook: SIGKILL this process here when YREB_TEST_KILL_AT names this point (tests/test_faults.py)."""
    if os.environ.get(KILL_POINT_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)


# --- files -------------------------------------------------------------------------------------------------


@contextmanager
def exclusive_file(final: Path, mode: str = "wb", *, rename: Callable[[Path], Path] | None = None) -> Iterator:
    """Yield a file object on a new temporary sibling of ``final``; on success it is flushed, fsynced and
    renamed over ``final`` (or over ``rename(temporary path)``, a name decided from the written bytes); on
    any error it is removed. The temporary file is created exclusively with a random name and never through
    a symbolic link."""
    final = Path(final)
    for _ in range(100):
        tmp = final.with_name(f"{TMP_PREFIX}{secrets.token_hex(8)}-{_short(final.name)}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 collisions of 64 random bits
        raise FileExistsError(errno.EEXIST, "cannot create a temporary file", str(final))
    try:
        kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, rename(tmp) if rename is not None else final)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """Write bytes atomically (exclusive temporary file, fsync, rename)."""
    with exclusive_file(path) as fh:
        fh.write(data)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, data) -> None:
    """Write JSON atomically (exclusive temporary file in the same folder, fsync, rename)."""
    write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str))


def copy_file(source: Path, path: Path) -> None:
    """Copy a file's bytes atomically to ``path`` (never writing through a link planted at ``path``)."""
    write_bytes(path, Path(source).read_bytes())


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would read as a formula (``=1+1``, ``@SUM(..)``, ``-2-3``) get a leading
    ``'``; numeric columns and other text are unchanged (a copy is returned when anything changes)."""
    out = frame
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            values = series.cat.categories
        elif pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            values = pd.unique(series)  # each distinct text checked once (a results table repeats a few names)
        else:
            continue
        formulas = [v for v in values if isinstance(v, str) and v.startswith(FORMULA_START)]
        if formulas:
            risky = series.isin(formulas)
            series = series.astype(object)
            if out is frame:
                out = frame.copy()
            out[column] = series.where(~risky, "'" + series.astype(str))
    if not all(isinstance(c, str) and not c.startswith(FORMULA_START) for c in frame.columns):
        out = out.rename(columns=lambda c: "'" + c if isinstance(c, str) and c.startswith(FORMULA_START) else c)
    return out


def write_csv(frame: pd.DataFrame, path: Path, *, neutralise: bool = True) -> None:
    """Write a CSV atomically, with formula-like text cells neutralised (``neutralise_formulas``) unless the
    file is an input copy that yreb reads back verbatim (``neutralise=False``)."""
    with exclusive_file(path, "w") as fh:
        (neutralise_formulas(frame) if neutralise else frame).to_csv(fh, index=False)


_CSV_QUOTED = (",", '"', "\n", "\r")  # a text cell holding one of these must be quoted


def _arrow_csv_table(frame: pd.DataFrame) -> tuple[pa.Table, bool]:
    """``frame`` as an Arrow table for the CSV writer, and whether any text cell needs quotes. Numbers and
    text pass as they are; other columns (booleans, dates, mixed objects) become the text ``str`` gives, as
    pandas' ``to_csv`` writes them, with missing cells empty."""
    columns, quoted = {}, False
    for name, series in frame.items():
        if isinstance(series.dtype, pd.CategoricalDtype):
            texts = series.cat.categories
        elif pd.api.types.is_string_dtype(series) and pd.api.types.infer_dtype(series, skipna=True) in (
            "string",
            "empty",
        ):
            texts = pd.unique(series.dropna())
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            columns[name] = series
            continue
        else:
            series = series.astype(str).where(series.notna(), None)
            texts = pd.unique(series.dropna())
        quoted = quoted or any(isinstance(t, str) and any(q in t for q in _CSV_QUOTED) for t in texts)
        columns[name] = series
    return pa.Table.from_pandas(pd.DataFrame(columns, copy=False), preserve_index=False), quoted


def _write_arrow_csv(frame: pd.DataFrame, fh) -> None:
    """Write ``frame`` as CSV to the binary file ``fh``: the header by the csv module, the cells by Arrow."""
    table, quoted = _arrow_csv_table(frame)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(table.column_names)
    fh.write(header.getvalue().encode("utf-8"))
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed" if quoted else "none")
    pa_csv.write_csv(table, fh, options)


def write_table(frame: pd.DataFrame, path_without_suffix: Path, csv: bool = True) -> list[Path]:
    """Write a table as Parquet (and CSV, formulas neutralised), each atomically; returns the files written.

    The CSV is written by Arrow's writer (about 8 times faster than pandas' for a run's results): the header
    and the cells are as pandas writes them except that numbers take their shortest exact text (``26887``,
    not ``26887.0``; every value reads back to the same float64), and when any text cell needs quotes every
    text cell is quoted."""
    written = []
    final = Path(path_without_suffix).with_suffix(".parquet")
    with exclusive_file(final) as fh:
        frame.to_parquet(fh, index=False)
    written.append(final)
    if csv:
        with exclusive_file(final.with_suffix(".csv")) as fh:
            _write_arrow_csv(neutralise_formulas(frame), fh)
        written.append(final.with_suffix(".csv"))
    return written


# --- recognising, locking and replacing output folders -------------------------------------------------------


def output_kind(folder: Path) -> str | None:
    """The kind of yreb output a folder holds (its marker, or the files of a folder written before markers
    existed), or None for a folder that is not yreb's."""
    folder = Path(folder)
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if isinstance(marker, dict) and marker.get("kind") in KIND_NAMES:
            return marker["kind"]
    except (OSError, ValueError):
        pass
    for kind, names in LEGACY_SIGNATURES.items():
        if all((folder / n).is_file() for n in names):
            return kind
    return None


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_target(target: Path, kind: str, force: bool, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse an output target that must not be written (see the module docstring): UserInputError naming it."""
    target = Path(target)
    what = KIND_NAMES[kind]
    expected = "a new {out} folder" + (", or {force} to replace it" if not force else "")
    try:
        resolved = target.parent.resolve() / target.name
        cwd = Path.cwd().resolve()
        if _within(cwd, resolved):
            raise UserInputError(
                "is the current folder (or holds it): replacing it would delete your files",
                file=str(target),
                expected="a new {out} folder",
            )
        for source in inputs:
            source_path = Path(source).resolve()
            if _within(source_path, resolved):
                raise UserInputError(
                    f"holds an input of this command ({source}): replacing it would delete it",
                    file=str(target),
                    expected="an {out} folder outside the inputs",
                )
        if target.is_symlink():
            raise UserInputError(
                f"is a symbolic link (to {os.readlink(target)}), not a folder written by yreb",
                file=str(target),
                expected="a new {out} folder (remove the link, or give the folder it points to)",
            )
        if not target.exists():
            return
        if target.is_dir() and not any(target.iterdir()):
            return  # an empty folder: nothing to lose
        if not target.is_dir():
            raise UserInputError(
                "exists and is a file, not a folder written by yreb", file=str(target), expected="a new {out} folder"
            )
        found = output_kind(target)
        if found != kind:
            holds = f"a {KIND_NAMES[found]}" if found else "files that yreb did not write"
            raise UserInputError(
                f"exists and holds {holds}; nothing was replaced",
                file=str(target),
                expected=f"a new {{out}} folder, or an existing {what} (with {{force}})",
            )
        if not force:
            raise UserInputError(
                "result folder already exists" if kind == "run" else "output folder already exists",
                file=str(target),
                expected=expected,
            )
    except OSError as exc:
        raise FilesystemError("cannot use this as the output folder", str(target), exc) from None


def _lock_path(target: Path) -> Path:
    return target.parent / f"{LOCK_PREFIX}{_short(target.name)}"


@contextmanager
def target_lock(target: Path) -> Iterator[None]:
    """Hold the write lock of an output target for the block; another holder makes this raise UserInputError.

    The lock is ``flock`` on a file beside the target: the kernel releases it when the holder dies (SIGKILL
    included), so a stale lock never blocks anyone."""
    target = Path(target)
    path = _lock_path(target)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise UserInputError(
                f"another yreb command (process {holder}) is writing this folder right now",
                file=str(target),
                expected="to wait until it has finished, or another {out} folder",
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            now = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            now = None
        mine = os.fstat(fd)
        if now is not None and (now.st_ino, now.st_dev) == (mine.st_ino, mine.st_dev):
            break
        os.close(fd)  # the previous holder removed the file after we opened it: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def _journal_path(target: Path) -> Path:
    return target.parent / f"{JOURNAL_PREFIX}{_short(target.name)}.json"


def recover(target: Path) -> str | None:
    """Finish or undo a swap of ``target`` that a kill interrupted (its journal is there); returns what was
    done ('kept', 'installed the new result', 'restored the previous result') or None. Call it holding the
    target's lock."""
    target = Path(target)
    journal = _journal_path(target)
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
        names = [entry["old"], entry["new"]]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        names = []
    if not all(isinstance(n, str) and n.startswith(TMP_PREFIX) and "/" not in n for n in names) or len(names) != 2:
        journal.unlink(missing_ok=True)  # unreadable or not ours: the temporary folders are left to the user
        return None
    old, new = (target.parent / n for n in names)
    if target.exists() or target.is_symlink():
        done = "kept"
    elif new.is_dir():
        os.replace(new, target)  # the new folder was complete before the journal was written
        done = "installed the new result"
    elif old.is_dir():
        os.replace(old, target)
        done = "restored the previous result"
    else:
        done = None
    for leftover in (old, new):
        shutil.rmtree(leftover, ignore_errors=True)
    journal.unlink(missing_ok=True)
    return done


def recover_if_interrupted(target: Path) -> None:
    """For readers: finish an interrupted swap of ``target`` if no writer holds it (else leave it alone)."""
    target = Path(target)
    if not _journal_path(target).exists():
        return
    with contextlib.suppress(UserInputError, OSError), target_lock(target):
        recover(target)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (they are delivered after the block)."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def install_folder(tmp: Path, target: Path, *, force: bool, kind: str) -> None:
    """Move a complete folder ``tmp`` to ``target``; an existing target (only with ``force``, and only of
    ``kind``) is replaced so that a kill at any moment leaves the previous or the new folder (journal +
    ``recover``). Call it holding the target's lock."""
    tmp, target = Path(tmp), Path(target)
    with _signals_held():
        if not (target.exists() or target.is_symlink()) or (target.is_dir() and not any(target.iterdir())):
            os.rename(tmp, target)  # atomic; an empty folder is replaced in the same rename
            return
        if not force:  # appeared while this command was computing (another run): keep it
            raise UserInputError(
                "result folder was created by another run meanwhile",
                file=str(target),
                expected="a new {out} folder, or {force} to replace it",
            )
        if target.is_symlink() or not target.is_dir() or output_kind(target) != kind:
            raise UserInputError(
                "appeared meanwhile and is not a folder yreb may replace; nothing was replaced",
                file=str(target),
                expected="a new {out} folder",
            )
        old = target.parent / f"{TMP_PREFIX}old-{_short(target.name)}-{secrets.token_hex(4)}"
        journal = _journal_path(target)
        write_json(journal, {"target": target.name, "old": old.name, "new": tmp.name})
        _kill_point("journal written")
        os.rename(target, old)
        _kill_point("between renames")
        os.rename(tmp, target)
        _kill_point("renamed")
        journal.unlink()
    shutil.rmtree(old, ignore_errors=True)


def fresh_folder(parent: Path, name: str) -> Path:
    """A new, empty temporary folder ``.yreb-tmp-<name>-<random>`` in ``parent`` (created exclusively)."""
    for _ in range(100):
        path = parent / f"{TMP_PREFIX}{_short(name)}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "cannot create a temporary folder", str(parent))  # pragma: no cover


@contextmanager
def prepared_parent(target: Path) -> Iterator[None]:
    """Create the missing parents of ``target`` for the block; remove the ones created if the block fails."""
    target = Path(target)
    created = [p for p in (target.parent, *target.parent.parents) if not p.exists()]  # deepest first
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserInputError(
            f"cannot create the result folder: {exc.strerror}",
            file=str(target.parent),
            expected="a writable folder (not a file) for {out}",
        ) from None
    try:
        yield
    except BaseException:
        for folder in created:  # leave no empty --out folders behind
            try:
                folder.rmdir()
            except OSError:
                break
        raise


@contextmanager
def atomic_folder(target: Path, force: bool, *, kind: str = "run", inputs: Iterable[str | Path] = ()):
    """Yield a new temporary sibling folder; when the block succeeds it replaces ``target`` (see the module
    docstring for what is refused, locked and recovered).

    ``inputs`` are the files and folders the command reads: the target may not be (or hold) one of them. On
    any error or interruption the temporary folder is removed and ``target`` is untouched. A file-system
    failure inside the block becomes a ``FilesystemError`` naming the target.
    """
    target = Path(target)
    inputs = list(inputs)
    check_target(target, kind, force, inputs)
    with prepared_parent(target), target_lock(target):
        recover(target)
        check_target(target, kind, force, inputs)
        tmp = fresh_folder(target.parent, target.name)
        writing = tmp.resolve()
        _WRITING.add(writing)
        try:
            write_json(tmp / MARKER, {"kind": kind})
            yield tmp
            install_folder(tmp, target, force=force, kind=kind)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise FilesystemError(
                f"cannot write the {KIND_NAMES[kind]}",
                str(target),
                exc,
                hint="nothing was written" + ("; the previous result is kept" if target.exists() else ""),
            ) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            _WRITING.discard(writing)
