"""Session fixtures: a headless Chromium for the tests that look at the reports as a browser shows them, and a
font with Chinese glyphs for the Chinese labels; both installed from Debian's packages where missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

from yreb.errors import UserInputError
from yreb.viz.pdf import find_chromium

CJK_SAMPLE = "上海市江苏省摘要"

# iam-units keeps pint's disk cache in the user's cache folder, shared by every venv of the same Python, and an
# entry names the pint files of the venv that wrote it: once that venv is deleted (the packaging tests' pyam
# venv), every later import of iam_units fails on the missing file. Each test process gets its own cache.
os.environ["IAM_UNITS_CACHE"] = tempfile.mkdtemp(prefix="yreb-tests-iam-units-")


def _apt_install(package: str) -> None:
    """apt-get update, then install ``package``; skips the test, saying why, where that cannot be done."""
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip(f"no apt-get as root to install the {package!r} package")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", package]):
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900, check=False)
        if done.returncode != 0:
            pytest.skip(f"could not install {package!r} ({' '.join(command)}: {done.stderr.strip()[-300:]})")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of a headless Chromium: found on the PATH, else installed with apt-get (Debian's 'chromium'
    package); the test is skipped, saying why, where it cannot be installed."""
    found = find_chromium()
    if found:
        return found
    _apt_install("chromium")
    found = find_chromium()
    if not found:
        pytest.skip("apt-get installed 'chromium' but no chromium executable is on the PATH")
    return found


def _has_cjk_font() -> bool:
    from yreb.viz.plotting import font_fallback_rc  # matplotlib: only for the tests that ask

    try:
        font_fallback_rc(CJK_SAMPLE)
    except UserInputError:
        return False
    return True


@pytest.fixture(scope="session")
def cjk_font() -> None:
    """A font with Chinese glyphs: installed, else Debian's 'fonts-wqy-microhei'; skipped, saying why, where
    it cannot be installed."""
    if not _has_cjk_font():
        _apt_install("fonts-wqy-microhei")
        if not _has_cjk_font():
            pytest.skip("apt-get installed 'fonts-wqy-microhei' but matplotlib finds no font with Chinese glyphs")
