"""Fit the shipped baseline to 2015-2019 and write its fundamentals (docs/MODEL.md section 7.12).

Prints, for every fitted year and region, the baseline's real GDP and residents next to the observed targets
(mean-field and the median of the shipped replications), and writes the fitted fundamentals as a long table:

    .venv/bin/python tools/fit_history.py            # print the in-sample check
    .venv/bin/python tools/fit_history.py --write    # also write simulation/yreb/data/fundamentals_2015_2019.csv
    .venv/bin/python tools/fit_history.py --check    # exit 1 if that file differs from a fresh fit

The model fits these at run time for any parameters and observed files; the table shows the shipped ones.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from yreb.inputs.economy import SECTORS
from yreb.inputs.regions import DATA_DIR
from yreb.inputs.scenario import load_scenario
from yreb.model.model import YREBModel, history_fundamentals
from yreb.runs.runner import simulate

OUT = DATA_DIR / "fundamentals_2015_2019.csv"
SOURCE = "tools/fit_history.py: baseline fitted to observed_sectors.csv, observed_provinces.csv, observed_national.csv"


def fundamentals_table(scenario) -> pd.DataFrame:
    """The fitted fundamentals as rows year, region, sector, variable, value, unit, note."""
    f = history_fundamentals(scenario)
    names = scenario.table.names
    rows = []
    for row, year in enumerate(f.fitted_years):
        for s, sector in enumerate(SECTORS):
            for j, region in enumerate(names):
                rows.append(
                    (
                        year,
                        region,
                        sector,
                        "tfp_log_growth",
                        f.tfp_log_growth[row, s, j],
                        "1/year",
                        f"g_sjt: log growth of fundamental TFP from {year} to {year + 1}",
                    )
                )
        for j, region in enumerate(names):
            rows.append(
                (
                    year,
                    region,
                    "total",
                    "amenity_log_shift",
                    f.amenity_log_shift[row, j],
                    "log-odds",
                    f"a_jt: amenity shift of {year}'s location choice",
                )
            )
        rows.append(
            (
                year,
                "all",
                "total",
                "natural_growth_rate",
                f.natural_growth_rate[row],
                "1/year",
                f"n_t: natural population change from {year} to {year + 1}",
            )
        )
    frame = pd.DataFrame(rows, columns=["year", "region", "sector", "variable", "value", "unit", "note"])
    frame["value"] = frame["value"].map(lambda v: float(f"{v:.8g}"))
    frame["source"] = SOURCE
    return frame


def in_sample(scenario) -> pd.DataFrame:
    """Model vs target real GDP and residents in the fitted years: mean-field and median of replications (%)."""
    targets = scenario.history.targets
    mean_field = YREBModel(scenario.baseline(), record_flows=False).run().results_frame()
    stochastic = simulate(scenario, record_flows=False).results
    median = stochastic.groupby(["region", "variable", "year"]).value.median().reset_index()
    rows = []
    for variable, target in (
        ("gdp_100m_yuan", targets.gdp_100m_yuan),
        ("population_persons", targets.population_persons),
    ):
        for frame, label in ((mean_field, "mean-field"), (median, "median of replications")):
            wide = frame[frame.variable == variable].pivot(index="year", columns="region", values="value")
            model = wide.loc[targets.years, list(scenario.table.names)].to_numpy()
            error = 100 * (model / target - 1)
            for y, year in enumerate(targets.years):
                rows.append(
                    {
                        "variable": variable,
                        "run": label,
                        "year": year,
                        "max_abs_error_pct": np.abs(error[y]).max(),
                        "worst_region": scenario.table.names[int(np.abs(error[y]).argmax())],
                    }
                )
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    """Print the in-sample check; write or check the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUT.name}")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if {OUT.name} differs from a fresh fit")
    args = parser.parse_args(argv)
    scenario = load_scenario("baseline")
    table = fundamentals_table(scenario)
    text = table.to_csv(index=False, lineterminator="\n")
    if args.check:
        same = OUT.is_file() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'differs from a fresh fit (run tools/fit_history.py --write)'}")
        return 0 if same else 1
    print(f"fitted years {scenario.spec.start_year}-{scenario.fit_until}; in-sample check (model vs observed, %):")
    print(in_sample(scenario).round(5).to_string(index=False))
    summary = pd.read_csv(io.StringIO(text))
    growth = summary[summary.variable == "tfp_log_growth"].groupby("sector").value.describe()
    print("\nfitted TFP log growth by sector (all regions and years):")
    print(growth.round(4).to_string())
    if args.write:
        Path(OUT).write_text(text, encoding="utf-8")
        print(f"\nwrote {OUT} ({len(table)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
