"""The shipped scenario and sweep library (package data ``yreb.scenarios``): where it is and what it holds.

Only the standard library is imported here, so that ``yreb scenarios`` answers at once.
"""

from __future__ import annotations

import importlib.resources
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LibraryEntry:
    """One shipped file: ``kind`` is ``scenario`` or ``sweep``; ``description`` is the file's own."""

    kind: str
    name: str
    description: str
    path: Path


def shipped_folder() -> Path:
    """Folder of the shipped scenario library (package data ``yreb.scenarios``; sweeps in ``sweeps/``)."""
    return Path(str(importlib.resources.files("yreb.scenarios")))


def _entry(kind: str, path: Path) -> LibraryEntry:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:  # shipped files are tested: a broken install
        return LibraryEntry(kind, path.stem, f"(unreadable: {exc})", path)
    return LibraryEntry(kind, path.stem, " ".join(str(data.get("description", "")).split()), path)


def library() -> list[LibraryEntry]:
    """Every shipped scenario, then every shipped sweep, each in name order."""
    folder = shipped_folder()
    return [_entry("scenario", p) for p in sorted(folder.glob("*.toml"))] + [
        _entry("sweep", p) for p in sorted((folder / "sweeps").glob("*.toml"))
    ]
