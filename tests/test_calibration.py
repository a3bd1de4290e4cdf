"""The calibrated and data-based parameter defaults hit their targets with the shipped data (docs/MODEL.md 5)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from yreb.analysis.patterns import calibration_fit
from yreb.inputs.economy import TARGETS_FILE
from yreb.inputs.regions import load_region_table
from yreb.model.calibration import calibrate
from yreb.model.parameters import ModelParameters


def test_calibrated_defaults_hit_their_data_targets():
    """Re-derive with `tools/calibrate_defaults.py --write` when the data or a parameter they depend on change."""
    fit = calibration_fit()
    print("\n" + fit.to_string())
    np.testing.assert_allclose(fit.model, fit.data, rtol=2e-3)


def test_data_based_defaults_are_the_data():
    targets = pd.read_csv(TARGETS_FILE)
    value = lambda target, region: float(  # noqa: E731
        targets[(targets.target == target) & (targets.region == region)].value.iloc[0]
    )
    params = ModelParameters()
    assert params.skill_premium == pytest.approx(value("skill_premium", "Belt"), abs=5e-3)
    assert params.natural_growth_rate == pytest.approx(value("natural_population_growth_rate", "China"), abs=5e-6)


def test_base_year_saving_rates_and_wedges_are_plausible():
    """Saving rates between 0 and 1 once observed net inflows are counted as transfers; wedges positive."""
    cal = calibrate(load_region_table(), ModelParameters())
    assert ((cal.saving_rate > 0.3) & (cal.saving_rate < 0.8)).all(), cal.diagnostics["saving_rate"]
    assert (cal.investment_wedge > 0).all() and cal.investment_wedge.max() == 1.0


def test_calibrations_of_tables_that_differ_only_in_belt_membership_are_not_shared():
    """The calibration cache is keyed by the table's fingerprint, which covers belt membership: a table with Anhui
    outside the belt gets its own calibration, whose belt trade shares are over the ten other provinces."""
    table, params = load_region_table(), ModelParameters()
    outside = replace(table, in_belt=np.where(np.asarray(table.names) == "Anhui", False, table.in_belt))
    belt, without_anhui = calibrate(table, params), calibrate(outside, params)
    assert without_anhui is not belt
    np.testing.assert_array_equal(without_anhui.trade_weight, belt.trade_weight)  # the economy is the same
    shares = belt.diagnostics["trade_inflow_share_belt"]
    assert without_anhui.diagnostics["trade_inflow_share_belt"] != shares
