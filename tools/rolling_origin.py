"""Choose the projection rule of the fundamentals by rolling-origin evaluation inside the observed years.

For every candidate rule (half-life h of the fitted trends, shrinkage lambda toward the mean across regions;
docs/MODEL.md section 7.12) the baseline is fitted through each origin 2016, 2017, 2018 in turn and forecast to
2019 (mean-field, one run per origin), and its out-of-sample errors of provincial GDP shares, population
shares and the belt's share of national GDP are compared with those of 'no change from the last fitted year'.
The score of a rule is the mean over the three variables of (model MAE / no-change MAE), pooled over
origins and horizons 1-3: below 1 beats no change on average. The rule with the lowest score is the default
(yreb.model.parameters.PROJECTION_HALF_LIFE and PROJECTION_SHRINK); no year after the last origin's data is
used for anything but scoring, and nothing after 2019 at all.

    .venv/bin/python tools/rolling_origin.py            # print the table of every rule and the winner
    .venv/bin/python tools/rolling_origin.py --check    # exit 1 if the defaults are not the winner
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from yreb.analysis.hindcast import projection_rule_table
from yreb.model.parameters import PROJECTION_HALF_LIFE, PROJECTION_SHRINK


def main(argv=None) -> int:
    """Print the evaluation; with --check, exit 1 unless the defaults won."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 unless the shipped defaults are the winner")
    args = parser.parse_args(argv)
    frame = projection_rule_table()
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(frame.round(4).to_string(index=False))
    best = frame.iloc[0]
    print(
        f"\nbest rule: half-life {best.half_life_years:g} years, shrink {best.shrink_to_mean:g} "
        f"(score {best.score:.4f})"
    )
    print(f"shipped defaults: half-life {PROJECTION_HALF_LIFE:g} years, shrink {PROJECTION_SHRINK:g}")
    same = (best.half_life_years, best.shrink_to_mean) == (PROJECTION_HALF_LIFE, PROJECTION_SHRINK)
    if args.check and not same:
        print("the shipped defaults are not the best rule", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
