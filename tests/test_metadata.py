"""One version and consistent project metadata: pyproject.toml, yreb.__version__, CITATION.cff, LICENSE."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yreb

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_declared_once_and_cited_as_it_is():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "yreb.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", yreb.__version__)
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert f'\nversion: "{yreb.__version__}"\n' in citation
    assert "\nlicense: MIT\n" in citation


def test_licence_file_is_the_declared_mit_licence():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_changelog_has_a_section_for_this_version_or_unreleased_work():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{yreb.__version__}]" in text
