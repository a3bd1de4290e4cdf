"""Documentation that is generated from code stays in sync with it."""

from __future__ import annotations

import subprocess
import sys

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


def test_every_policy_type_is_documented():
    from yreb.policies import POLICY_TYPES

    doc = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    readme = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    for policy in POLICY_TYPES:
        assert f"`{policy}`" in doc
    for path in (ROOT / "scenarios").glob("*.toml"):
        assert f"`{path.stem}`" in readme, path.name


def test_validation_document_generated_tables_are_current():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "validation_docs.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
