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
    naive_forecasts,
    run_hindcast,
    shares,
)
from yreb.cli import main
from yreb.errors import UserInputError
from yreb.inputs.history import DEFAULT_HISTORY
from yreb.inputs.observed import DEFAULT_OBSERVED, load_observed, load_observed_files
from yreb.inputs.regions import load_region_table

PROVINCES, NATIONAL = DEFAULT_OBSERVED
SECTORS_FILE = DEFAULT_HISTORY[0]
NAMES = load_region_table().names


# --- pure functions -------------------------------------------------------------------------------


def test_shares_and_naive_forecasts():
    s = shares(np.array([[1.0, 3.0], [2.0, 2.0]]))
    np.testing.assert_allclose(s, [[0.25, 0.75], [0.5, 0.5]])
    fitted = np.array([[0.28, 0.72], [0.29, 0.71], [0.30, 0.70]])  # base year and two fitted years
    naive = naive_forecasts(fitted, np.array([1, 2, 4]))
    np.testing.assert_allclose(naive["no_change"], [[0.30, 0.70]] * 3)
    np.testing.assert_allclose(naive["trend"], [[0.31, 0.69], [0.32, 0.68], [0.34, 0.66]])
    np.testing.assert_allclose(naive["half_trend"], [[0.305, 0.695], [0.31, 0.69], [0.32, 0.68]])
    assert np.isnan(naive_forecasts(fitted[:1], np.array([1]))["trend"]).all()  # nothing fitted: no trend
    assert mean_absolute_error_pp([0.10, 0.20], [0.11, 0.18]) == pytest.approx(1.5)


def test_error_table_by_horizon_and_in_sample():
    comparison = pd.DataFrame(
        {
            "variable": "gdp_share",
            "origin": 2016,
            "region": ["A", "B"] * 3,
            "year": [2016, 2016, 2017, 2017, 2018, 2018],
            "horizon": [0, 0, 1, 1, 2, 2],
            "sample": ["in", "in", "out", "out", "out", "out"],
            "observed": [40.0, 60.0, 38.0, 62.0, 37.0, 63.0],
            "model_median": [40.0, 60.0, 39.0, 61.0, 39.0, 61.0],
            "model_low": np.nan,
            "model_high": np.nan,
            "no_change": [np.nan, np.nan, 40.0, 60.0, 40.0, 60.0],
            "trend": [np.nan, np.nan, 38.0, 62.0, 36.0, 64.0],
            "half_trend": [np.nan, np.nan, 39.0, 61.0, 38.0, 62.0],
        }
    )
    errors = error_table(comparison).set_index(["forecast", "horizon"]).mae_pp
    assert errors["model", "in-sample"] == pytest.approx(0.0)
    assert errors["model", "1"] == pytest.approx(1.0)
    assert errors["model", "2"] == pytest.approx(2.0)
    assert errors["model", "all"] == pytest.approx(1.5)
    assert errors["no_change", "all"] == pytest.approx(2.5)
    assert errors["trend", "2"] == pytest.approx(1.0)


# --- the shipped data -------------------------------------------------------------------------------


def test_naive_errors_match_an_independent_computation_from_the_files():
    h = run_hindcast(fit_until=2016, replications=2)
    summary = h.summary()
    assert list(summary.index.get_level_values(0).unique()) == ["gdp_share", "population_share", BELT_SHARE]
    assert h.to_year == 2019 and h.origins == [2016]
    va = pd.read_csv(SECTORS_FILE)
    va = va[(va.variable == "va_const2015_100m_yuan") & (va.sector == "total")]
    gdp = va.pivot(index="year", columns="region", values="value")[BELT]
    share = gdp.div(gdp.sum(axis=1), axis=0)
    years = [2017, 2018, 2019]
    no_change = (share.loc[years] - share.loc[2016]).abs().to_numpy().mean() * 100
    slope = share.loc[2016] - share.loc[2015]
    trend = np.mean([(share.loc[y] - share.loc[2016] - (y - 2016) * slope).abs() for y in years]) * 100
    assert summary.loc[("gdp_share", "all"), "no_change"] == pytest.approx(no_change)
    assert summary.loc[("gdp_share", "all"), "trend"] == pytest.approx(trend)
    belt = gdp.sum(axis=1) / (gdp.sum(axis=1) + va.pivot(index="year", columns="region", values="value")["RestOfChina"])
    expected = (belt.loc[years] - belt.loc[2016]).abs().mean() * 100
    assert summary.loc[(BELT_SHARE, "all"), "no_change"] == pytest.approx(expected)
    print(f"\nhindcast fitted 2015-2016, MAE (pp):\n{summary.round(4)}")


def test_the_fitted_years_are_reproduced_in_sample():
    h = run_hindcast(fit_until=2017, replications=2)
    inside = h.in_sample()
    print(f"\nin-sample MAE (pp): {inside.round(5).to_dict()}")
    assert (inside < 0.01).all()  # median of stochastic replications; mean-field is exact (test_history)


def test_rolling_origin_beats_no_change_at_horizons_1_to_3():
    """Acceptance of the history-fitted baseline: out of sample, pooled over the origins 2016-2018."""
    h = run_hindcast(replications=10)
    summary = h.summary()
    print(f"\nrolling-origin evaluation 2016-2018 -> 2019, MAE (pp):\n{summary.round(4)}")
    for variable in ("gdp_share", "population_share", BELT_SHARE):
        for horizon in ("1", "2", "3"):
            row = summary.loc[(variable, horizon)]
            assert row["model"] < row["no_change"], (variable, horizon, row.to_dict())


def test_more_years_extend_the_hindcast(tmp_path):
    panel = pd.read_csv(PROVINCES)
    latest = panel[(panel.year == 2019) & panel.variable.isin(["gdp_current", "population_resident_yearend"])]
    extra = latest.assign(year=2020, value=latest.value * np.where(latest.region == "Hubei", 0.95, 1.03))
    path = tmp_path / "longer.csv"
    extra.to_csv(path, index=False)
    h = run_hindcast(observed_paths=[path], fit_until=2018, replications=1)
    assert h.to_year == 2020
    gdp = h.comparison[h.comparison.variable == "gdp_share"]
    assert gdp.year.max() == 2020
    assert "current prices" in h.basis["gdp_share"]  # no real value added for 2020: nominal shares, said so
    hubei = gdp[(gdp.region == "Hubei")].set_index("year")["observed"]
    assert hubei[2020] < hubei[2019]


def test_fit_until_outside_the_years_is_a_clear_error():
    with pytest.raises(UserInputError, match="fit_until"):
        run_hindcast(fit_until=2019, replications=1)  # nothing after 2019 to forecast
    with pytest.raises(UserInputError, match="to_year"):
        run_hindcast(fit_until=2017, to_year=2030, replications=1)


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
        "no change from the last fitted year",
        "trend over the fitted years continued",
        "half that trend",
        "gdp_share",
        "population_share",
        BELT_SHARE,
        "rolling origin",
        "in-sample",
    ):
        assert label in printed, label
    for name in ("errors.csv", "errors.md", "shares.csv", "report.md", "metadata.json"):
        assert (out / name).is_file(), name
    for plot in ("shares_gdp_share", "shares_population_share", f"shares_{BELT_SHARE}", "errors_by_horizon"):
        assert (out / f"{plot}.png").stat().st_size > 20_000
    errors = pd.read_csv(out / "errors.csv")
    assert list(errors.columns) == ["variable", "forecast", "h=1", "h=2", "h=3", "all", "in-sample"]
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
