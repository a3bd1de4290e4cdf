"""Documentation that is generated from code stays in sync with it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers import ROOT


def test_model_document_parameter_table_matches_code():
    table = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "parameter_table.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    doc = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    start = doc.index("<!-- parameter-table:start -->") + len("<!-- parameter-table:start -->")
    end = doc.index("<!-- parameter-table:end -->")
    assert doc[start:end].strip() == table


def test_policy_field_tables_match_the_registry():
    """docs/MODEL.md 7.1 and README.md carry the table tools/policy_table.py generates from the registry."""
    table = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "policy_table.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    for path in (ROOT / "docs" / "MODEL.md", ROOT / "README.md"):
        doc = path.read_text(encoding="utf-8")
        start = doc.index("<!-- policy-table:start -->") + len("<!-- policy-table:start -->")
        end = doc.index("<!-- policy-table:end -->")
        assert doc[start:end].strip() == table, f"{path.name}: regenerate with tools/policy_table.py --write"


def test_every_policy_type_is_documented():
    """Every registered policy type has a row in the lever table of docs/MODEL.md 7.1 (outside the generated
    field table); every shipped scenario is described in scenarios/README.md."""
    from yreb.policies import REGISTRY

    doc = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    section = doc[doc.index("### 7.1") : doc.index("### 7.2")]
    written = section[: section.index("<!-- policy-table:start -->")]
    for policy in REGISTRY:
        assert f"\n| `{policy}` |" in written, f"no row for {policy} in the lever table of docs/MODEL.md 7.1"
    readme = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    for path in (ROOT / "scenarios").glob("*.toml"):
        assert f"`{path.stem}`" in readme, path.name


@pytest.mark.long
def test_validation_document_generated_tables_are_current():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "validation_docs.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
