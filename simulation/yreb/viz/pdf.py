"""report.pdf: the report printed by a headless Chromium (its print stylesheet lays it out on A4).

Chromium is a system program (Debian: the ``chromium`` package), found on the PATH as ``chromium``,
``chromium-browser``, ``google-chrome`` or ``google-chrome-stable``, or given by the ``YREB_CHROMIUM``
environment variable. Without it the report is written without its PDF and the caller is told why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
TIMEOUT_SECONDS = 180


def find_chromium() -> str | None:
    """Path of a Chromium (or Chrome) executable, or None."""
    configured = os.environ.get("YREB_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium(args: list[str], timeout: float = TIMEOUT_SECONDS) -> subprocess.CompletedProcess:
    """Run the headless Chromium with ``args`` (and a new, empty profile folder); raises FileNotFoundError
    when there is none."""
    browser = find_chromium()
    if browser is None:
        raise FileNotFoundError("no Chromium found (install the 'chromium' system package)")
    with tempfile.TemporaryDirectory(prefix="yreb-chromium-") as profile:
        return subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def print_pdf(html_path: Path, pdf_path: Path) -> str:
    """Print ``html_path`` to ``pdf_path`` with the headless Chromium; returns '' or why no PDF was written."""
    try:
        done = chromium(["--no-pdf-header-footer", f"--print-to-pdf={Path(pdf_path).resolve()}",
                         Path(html_path).resolve().as_uri()])  # fmt: skip
    except FileNotFoundError as exc:
        return str(exc)
    except subprocess.TimeoutExpired:
        return f"Chromium did not finish printing within {TIMEOUT_SECONDS} s"
    if not Path(pdf_path).is_file():
        return f"Chromium printed no PDF (exit code {done.returncode}): {done.stderr.strip()[-300:]}"
    return ""


def screenshot(html_path: Path, png_path: Path, width: int = 1200, height: int = 1600) -> str:
    """A PNG of the top of ``html_path`` as a browser window of ``width`` x ``height`` shows it; returns '' or
    why none was made."""
    try:
        done = chromium([f"--screenshot={Path(png_path).resolve()}", f"--window-size={width},{height}",
                         "--hide-scrollbars", Path(html_path).resolve().as_uri()])  # fmt: skip
    except FileNotFoundError as exc:
        return str(exc)
    except subprocess.TimeoutExpired:
        return f"Chromium did not finish within {TIMEOUT_SECONDS} s"
    if not Path(png_path).is_file():
        return f"Chromium made no screenshot (exit code {done.returncode}): {done.stderr.strip()[-300:]}"
    return ""
