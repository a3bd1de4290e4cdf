"""Re-derive the calibrated parameter defaults from their data targets (docs/MODEL.md section 5).

    .venv/bin/python tools/calibrate_defaults.py          # print the calibrated values and notes
    .venv/bin/python tools/calibrate_defaults.py --write  # write them as the defaults in model/parameters.py

Run it after changing the shipped data, a target or a parameter that the calibrated values depend on;
tests/test_calibration.py checks that the defaults hit their targets.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from yreb.inputs.regions import load_region_table
from yreb.model.calibration import calibrate_border_costs
from yreb.model.parameters import ModelParameters

PARAMETERS = Path(__file__).resolve().parents[1] / "simulation" / "yreb" / "model" / "parameters.py"


def write_defaults(values: dict[str, float], path: Path = PARAMETERS) -> None:
    """Replace the default of every ``name: float = _p(<default>, ...`` in parameters.py."""
    text = path.read_text(encoding="utf-8")
    for name, value in values.items():
        pattern = re.compile(r"(    " + name + r": float = _p\(\s*)([-0-9.e]+)")
        if not pattern.search(text):
            raise SystemExit(f"{path}: no default for {name}")
        text = pattern.sub(lambda m, v=value: m.group(1) + repr(float(v)), text, count=1)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Calibrate on the shipped region table with the current other defaults; print, optionally write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write the values into {PARAMETERS}")
    args = parser.parse_args(argv)
    values, notes = calibrate_border_costs(load_region_table(), ModelParameters())
    for name, value in values.items():
        print(f"{name} = {value}")
    for note in notes:
        print(f"note: {note}")
    if args.write:
        write_defaults(values)
        print(f"wrote {PARAMETERS}")


if __name__ == "__main__":
    main()
