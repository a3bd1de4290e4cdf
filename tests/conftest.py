"""Session fixtures: a headless Chromium for the tests that look at the reports as a browser shows them."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from yreb.viz.pdf import find_chromium


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of a headless Chromium: found on the PATH, else installed with apt-get (Debian's 'chromium'
    package); the test is skipped, saying why, where it cannot be installed."""
    found = find_chromium()
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip("no Chromium on the PATH and no apt-get as root to install the 'chromium' package")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900, check=False)
        if done.returncode != 0:
            pytest.skip(f"could not install Chromium ({' '.join(command)}: {done.stderr.strip()[-300:]})")
    found = find_chromium()
    if not found:
        pytest.skip("apt-get installed 'chromium' but no chromium executable is on the PATH")
    return found
