"""Regenerate the golden regression tables in tests/golden/ (run by hand, deliberately).

    .venv/bin/python tools/regenerate_golden.py

Pins the complete tidy results table of replication 0 of the shipped `baseline` and `full_coordination`
scenarios, mean-field and stochastic. A model change that moves any number must regenerate these files
in its own commit and explain the difference in the commit message (tests/test_golden.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
sys.path.insert(0, str(ROOT / "tests"))

from golden_cases import CASES, golden_table  # noqa: E402


def main() -> None:
    """Write every case's table."""
    GOLDEN.mkdir(exist_ok=True)
    for case in CASES:
        path = GOLDEN / f"{case}.parquet"
        golden_table(case).to_parquet(path, index=False, compression="zstd")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
