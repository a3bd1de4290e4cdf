"""Print the rolling-origin evaluation that chooses the damping of the CO2-intensity trend (docs/MODEL.md 7.13).

Usage: .venv/bin/python tools/carbon_trend.py
"""

from __future__ import annotations

from yreb.inputs import carbon


def main() -> None:
    """The error of every candidate damping, the chosen one, and the observed years it rests on."""
    h = carbon.intensity_history()
    print(
        f"observed intensities: sectors {h.sector_years[0]}-{h.sector_years[-1]}, households per resident "
        f"{h.household_years[0]}-{h.household_years[-1]}; origins with at least {carbon.MIN_FIT_YEARS} years"
    )
    print("damping  CO2-weighted mean |ln error|")
    for damping, error in carbon.rolling_origin_errors().items():
        print(f"{damping:7g}  {error:.4f}")
    print(f"chosen: {carbon.chosen_damping():g}")


if __name__ == "__main__":
    main()
