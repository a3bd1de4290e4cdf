"""Start-up time of the command line: whole-process wall time (median of 5) of `yreb --help`, `yreb scenarios`,
an input error and `yreb validate baseline`, next to `python -c pass`. Target: under 1 s each.

    .venv/bin/python benchmarks/startup.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

YREB = [sys.executable, "-m", "yreb"]
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "yreb --help": [*YREB, "--help"],
    "yreb scenarios": [*YREB, "scenarios"],
    "yreb run missing.toml (error)": [*YREB, "run", "missing.toml"],
    "yreb validate baseline": [*YREB, "validate", "baseline"],
}
TARGET_S = 1.0


def wall(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for cmd in CASES.values():  # warm the file cache
            wall(cmd, Path(tmp))
        print("| command | median wall time | target | met |")
        print("|---|---|---|---|")
        for label, cmd in CASES.items():
            t = statistics.median(wall(cmd, Path(tmp)) for _ in range(args.repeats))
            target, met = (
                ("", "") if label.startswith("python") else (f"< {TARGET_S:.0f} s", "yes" if t < TARGET_S else "**no**")
            )
            print(f"| {label} | {t * 1000:.0f} ms | {target} | {met} |")


if __name__ == "__main__":
    main()
