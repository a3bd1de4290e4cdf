"""The golden regression cases: complete tidy tables of shipped scenarios (replication 0)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from yreb.inputs.scenario import load_scenario
from yreb.model.model import YREBModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("baseline", "full_coordination")
MODES = {"mean_field": False, "stochastic": True}
CASES = tuple(f"{name}-{mode}" for name in SCENARIOS for mode in MODES)


def golden_table(case: str) -> pd.DataFrame:
    """Tidy results of replication 0 of the case's scenario in the case's mode."""
    name, mode = case.split("-")
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    scenario.spec.parameters = scenario.spec.parameters.model_copy(update={"stochastic": MODES[mode]})
    return YREBModel(scenario, replication=0).run().results_frame()
