"""Benchmarks keep working (short mode), the plain per-agent model agrees with the vectorised one, and the
speed-ups of the model keep its behaviour."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation.model import YREBModel
from simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_cached_policy_state_equals_a_fresh_compilation_every_year(path):
    """The model reuses the previous year's policy state when no policy changed: it must be the same state."""
    scenario = load_scenario(path)
    model = YREBModel(scenario)
    p, t = scenario.params, scenario.table
    for year in range(scenario.spec.start_year, scenario.spec.end_year + 1):
        cached = model.policy_state(year)
        fresh = scenario.policies.state(year, t.n, p.settlement_rate, p.land_growth_rate, t.land_area_km2,
                                        model.region_index)
        for name, value in vars(fresh).items():
            if isinstance(value, dict):
                for factor in value:
                    np.testing.assert_array_equal(getattr(cached, name)[factor], value[factor])
            else:
                np.testing.assert_array_equal(getattr(cached, name), value, err_msg=f"{path.stem} {year} {name}")
