"""Regenerate the golden regression tables in tests/golden/ (run by hand, deliberately).

    .venv/bin/python tools/regenerate_golden.py

Pins the complete tidy results table of replication 0 of the shipped `baseline` and `full_coordination`
scenarios, mean-field and stochastic, and records the platform they were computed on (platform.json: the
tables are bit-identical only there; tests/test_golden.py). A model change that moves any number must
regenerate these files in its own commit and explain the difference in the commit message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from golden_cases import CASES, GOLDEN, PLATFORM_FILE, golden_table, platform_signature  # noqa: E402


def main() -> None:
    """Write every case's table and the platform file."""
    GOLDEN.mkdir(exist_ok=True)
    for case in CASES:
        path = GOLDEN / f"{case}.parquet"
        golden_table(case).to_parquet(path, index=False, compression="zstd")
        print(f"wrote {path.relative_to(ROOT)}")
    PLATFORM_FILE.write_text(json.dumps(platform_signature(), indent=2) + "\n")
    print(f"wrote {PLATFORM_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
