"""Provenance of results: package versions, code version and fingerprints."""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from yreb import __version__

PACKAGE_DIR = Path(__file__).resolve().parents[1]
TRACKED_PACKAGES = (
    "mesa",
    "numpy",
    "pandas",
    "matplotlib",
    "pydantic",
    "pyarrow",
    "scipy",
    "SALib",
    "tqdm",
    "distributed",
)


def package_versions() -> dict[str, str]:
    """Versions of Python, yreb and the packages whose behaviour the results depend on."""
    versions = {"python": platform.python_version(), "yreb-flows": __version__}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over the package's Python sources and data: changes whenever the model code or data change."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix in (".py", ".csv") and "__pycache__" not in path.parts:
            h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _git(*args: str) -> str:
    """Output of a git command run in the package's folder (CalledProcessError if it fails)."""
    done = subprocess.run(["git", *args], cwd=PACKAGE_DIR, capture_output=True, text=True, timeout=10, check=True)
    return done.stdout.strip()


def git_state() -> dict[str, str | bool | None]:
    """Commit and dirty flag (changes in the package's folder) of the git checkout of this project that holds the
    package. Where the package is not a file tracked by a checkout (an installed wheel, also when its environment
    lies inside some other repository) or git is missing: commit 'unknown', dirty None (not known)."""
    try:
        _git("ls-files", "--error-unmatch", "--", "__init__.py")  # the package's own file is tracked here
        commit = _git("rev-parse", "HEAD")
        dirty = bool(_git("status", "--porcelain", "--", "."))
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": None}
    return {"commit": commit, "dirty": dirty}


def provenance() -> dict:
    """Versions, git state, code fingerprint, platform and command line, for a result's metadata."""
    return {
        "versions": package_versions(),
        "git": git_state(),
        "code_sha256": code_fingerprint(),
        "platform": platform.platform(),
        "command": sys.argv,
    }
