"""The calibrated and data-based parameter defaults hit their targets with the shipped data (docs/MODEL.md 5)."""

from __future__ import annotations

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
