"""Hindcast: error functions, comparison against the observed files, user-supplied data and bad files, CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import BELT
from yreb.analysis.hindcast import (
    BELT_SHARE,
    error_table,
    mean_absolute_error_pp,
    no_change_forecast,
    run_hindcast,
    shares,
    trend_forecast,
)
from yreb.cli import main
from yreb.errors import UserInputError
from yreb.inputs.observed import DEFAULT_OBSERVED, load_observed, load_observed_files
from yreb.inputs.regions import load_region_table

PROVINCES, NATIONAL = DEFAULT_OBSERVED
NAMES = load_region_table().names


# --- pure functions -------------------------------------------------------------------------------


def test_shares_and_naive_forecasts():
    s = shares(np.array([[1.0, 3.0], [2.0, 2.0]]))
    np.testing.assert_allclose(s, [[0.25, 0.75], [0.5, 0.5]])
    horizons = np.array([1, 2, 4])
    np.testing.assert_allclose(no_change_forecast(np.array([0.25, 0.75]), horizons), [[0.25, 0.75]] * 3)
    # share rose 0.02 over the 2 years before the base: +0.01 per year continued
    trend = trend_forecast(np.array([0.30, 0.70]), np.array([0.28, 0.72]), 2, horizons)
    np.testing.assert_allclose(trend, [[0.31, 0.69], [0.32, 0.68], [0.34, 0.66]])
    assert mean_absolute_error_pp([0.10, 0.20], [0.11, 0.18]) == pytest.approx(1.5)


def test_error_table_by_year_and_overall():
    comparison = pd.DataFrame(
        {
            "variable": "gdp_share",
            "region": ["A", "B", "A", "B"],
            "year": [2016, 2016, 2017, 2017],
            "observed": [40.0, 60.0, 38.0, 62.0],
            "model_median": [41.0, 59.0, 41.0, 59.0],
            "model_low": np.nan,
            "model_high": np.nan,
            "no_change": [42.0, 58.0, 42.0, 58.0],
            "trend": [40.0, 60.0, 38.0, 62.0],
        }
    )
    errors = error_table(comparison).set_index(["forecast", "year"]).mae_pp
    assert errors["model", "2016"] == pytest.approx(1.0)
    assert errors["model", "2017"] == pytest.approx(3.0)
    assert errors["model", "all"] == pytest.approx(2.0)
    assert errors["no_change", "all"] == pytest.approx(3.0)
    assert errors["trend", "all"] == pytest.approx(0.0)


# --- the shipped data -------------------------------------------------------------------------------


def test_naive_errors_match_an_independent_computation_from_the_files():
    h = run_hindcast(replications=2)
    summary = h.summary()
    assert list(summary.index) == ["gdp_share", "population_share", BELT_SHARE]
    assert np.isfinite(summary.to_numpy()).all()
    assert h.to_year == 2019 and sorted(h.comparison.year.unique()) == [2016, 2017, 2018, 2019]
    panel = pd.read_csv(PROVINCES)
    gdp = panel[panel.variable == "gdp_current"].pivot(index="year", columns="region", values="value")[BELT]
    share = gdp.div(gdp.sum(axis=1), axis=0)
    years = [2016, 2017, 2018, 2019]
    no_change = (share.loc[years] - share.loc[2015]).abs().to_numpy().mean() * 100
    trend = (
        np.mean(
            [(share.loc[y] - share.loc[2015] - (y - 2015) * (share.loc[2015] - share.loc[2014])).abs() for y in years]
        )
        * 100
    )
    assert summary.loc["gdp_share", "no_change"] == pytest.approx(no_change)
    assert summary.loc["gdp_share", "trend"] == pytest.approx(trend)
    national = pd.read_csv(NATIONAL)
    nat = national[national.variable == "gdp_current"].pivot(index="year", columns="region", values="value")
    belt = nat["YREB (11 provinces)"] / nat["Sum of 31 provinces"]
    assert summary.loc[BELT_SHARE, "no_change"] == pytest.approx((belt.loc[years] - belt.loc[2015]).abs().mean() * 100)
    print(f"\nhindcast 2016-2019, MAE (pp):\n{summary.round(3)}")


def test_mean_field_model_forecast_is_not_no_change(tmp_path):
    """The baseline is not a balanced-growth path: investment rates, trade and net migration move the shares, so
    the model's errors differ from those of 'no change'."""
    scenario = tmp_path / "mean_field.toml"
    scenario.write_text('name = "mean_field"\n[parameters]\nstochastic = false\n')
    summary = run_hindcast(scenario_path=scenario, replications=1).summary()
    assert (summary["model"] - summary["no_change"]).abs().min() > 1e-4


def _write_subset(path, frame: pd.DataFrame) -> None:
    frame.to_csv(path, index=False)


def test_fewer_provinces_and_variables_compare_only_those(tmp_path):
    panel = pd.read_csv(PROVINCES)
    few = ["Shanghai", "Anhui", "Sichuan", "Yunnan"]
    path = tmp_path / "few.csv"
    _write_subset(path, panel[panel.region.isin(few) & (panel.variable == "gdp_current")])  # GDP only
    h = run_hindcast(observed_paths=[path], replications=1)
    assert h.compared == {"gdp_share": few}
    assert list(h.summary().index) == ["gdp_share"]
    assert any(n.startswith("population_resident_yearend: fewer than two") for n in h.notes)
    assert set(h.comparison.region) == set(few)  # no belt share: no national rows given
    assert any("not compared" in n for n in h.notes) and any("4 of the 11" in n for n in h.notes)
    # shares are of the four provinces' total and sum to 100% every year
    total = h.comparison[h.comparison.variable == "gdp_share"].groupby("year")["observed"].sum()
    np.testing.assert_allclose(total, 100.0)
    # the model still runs on the full table
    assert h.scenario.table.n == 12


def test_more_years_extend_the_hindcast(tmp_path):
    panel = pd.read_csv(PROVINCES)
    latest = panel[(panel.year == 2019) & panel.variable.isin(["gdp_current", "population_resident_yearend"])]
    extra = latest.assign(year=2020, value=latest.value * np.where(latest.region == "Hubei", 0.95, 1.03))
    path = tmp_path / "longer.csv"
    _write_subset(path, pd.concat([panel, extra]))
    h = run_hindcast(observed_paths=[path, NATIONAL], replications=1)
    assert h.to_year == 2020
    gdp = h.comparison[h.comparison.variable == "gdp_share"]
    assert gdp.year.max() == 2020
    assert h.comparison[h.comparison.variable == BELT_SHARE].year.max() == 2019  # national rows end in 2019
    hubei = gdp[(gdp.region == "Hubei")].set_index("year")["observed"]
    assert hubei[2020] < hubei[2019]


def test_base_year_must_be_the_year_of_the_region_table():
    with pytest.raises(UserInputError, match="does not hold 2016 data"):
        run_hindcast(base_year=2016, replications=1)


# --- malformed observed files --------------------------------------------------------------------------

GOOD = "region,year,variable,value\nAnhui,2015,gdp_current,23831.2\nJiangxi,2015,gdp_current,16780.9\n"


@pytest.mark.parametrize(
    "text, match",
    [
        ("region,year,value\nAnhui,2015,1.0\n", r"line 1.*missing column\(s\) variable"),
        (GOOD + "Atlantis,2016,gdp_current,5.0\n", r"line 4.*unknown region.*'Atlantis'"),
        (GOOD + "Anhui,2016,gdp_current,12,3\n", r"not a valid CSV|line 4"),
        (GOOD + "Anhui,2016,gdp_current,n/a\n", r"line 4.*field 'value'.*not a number.*'n/a'"),
        (GOOD + "Anhui,2016,gdp_current,\n", r"line 4.*not a number"),
        (GOOD + "Anhui,twenty,gdp_current,1.0\n", r"line 4.*field 'year'.*not a year"),
        (
            GOOD + "Anhui,2015,gdp_current,1.0\n",
            r"line 4.*duplicate row for \(Anhui, 2015, gdp_current\); first on line 2",
        ),
    ],
)
def test_malformed_files_name_the_row(tmp_path, text, match):
    path = tmp_path / "observed.csv"
    path.write_text(text)
    with pytest.raises(UserInputError, match=match) as err:
        load_observed(path, NAMES)
    assert str(path) in str(err.value)


def test_duplicates_across_files_name_both(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(GOOD)
    b.write_text("region,year,variable,value,unit\nJiangxi,2016,gdp_current,1.0,x\nAnhui,2015,gdp_current,2.0,x\n")
    with pytest.raises(UserInputError, match=rf"{b}, line 3.*first on {a}, line 2"):
        load_observed_files([a, b], NAMES)


def test_shipped_files_load_cleanly():
    observed = load_observed_files(DEFAULT_OBSERVED, NAMES)
    assert {"gdp_current", "population_resident_yearend"} <= set(observed.variable)
    assert observed.year.min() == 2014 and observed.year.max() >= 2019


# --- command line ---------------------------------------------------------------------------------------


def test_cli_writes_tables_plots_and_verdict(tmp_path, capsys):
    out = tmp_path / "hindcast"
    assert main(["hindcast", "--replications", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for label in (
        "model (median of replications)",
        "no change from the base year",
        "base-year trend continued",
        "gdp_share",
        "population_share",
        BELT_SHARE,
        "Hindcast 2016-2019",
    ):
        assert label in printed
    for name in ("errors.csv", "errors.md", "shares.csv", "report.md", "metadata.json"):
        assert (out / name).is_file(), name
    for plot in ("gdp_share", "population_share", BELT_SHARE):
        assert (out / f"{plot}.png").stat().st_size > 20_000
    errors = pd.read_csv(out / "errors.csv")
    assert list(errors.columns) == ["variable", "forecast", "2016", "2017", "2018", "2019", "all years"]
    assert "## Verdict" in (out / "report.md").read_text()
    assert main(["hindcast", "--replications", "1", "--out", str(out)]) == 2  # exists: needs --force


def test_cli_bad_observed_file_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "Anhui,2016,gdp_current,lots\n")
    out = tmp_path / "hindcast"
    assert main(["hindcast", "--observed", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "line 4" in err and "'lots'" in err and "Traceback" not in err
    assert not out.exists()
