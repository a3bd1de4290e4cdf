"""The golden regression cases: complete tidy tables of shipped scenarios (replication 0)."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from yreb.inputs.scenario import load_scenario
from yreb.model.model import YREBModel

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
PLATFORM_FILE = GOLDEN / "platform.json"
SCENARIOS = ("baseline", "full_coordination")
MODES = {"mean_field": False, "stochastic": True}
CASES = tuple(f"{name}-{mode}" for name in SCENARIOS for mode in MODES)


def golden_table(case: str) -> pd.DataFrame:
    """Tidy results of replication 0 of the case's scenario in the case's mode."""
    name, mode = case.split("-")
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    scenario.spec.parameters = scenario.spec.parameters.model_copy(update={"stochastic": MODES[mode]})
    return YREBModel(scenario, replication=0).run().results_frame()


def platform_signature() -> dict:
    """What decides the last bits of the floating-point results: the CPU architecture, the SIMD code paths
    numpy dispatches to on this CPU (exp, log and power differ in their last bit between AVX2 and AVX-512)
    and the numpy and BLAS builds."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return {
        "machine": platform.machine(),
        "numpy": np.__version__,
        "numpy_simd_dispatch": sorted(name for name in __cpu_dispatch__ if __cpu_features__.get(name)),
        "blas": f"{blas.get('name')} {blas.get('version')}",
    }


def recorded_platform() -> dict | None:
    """The platform the golden tables were written on (tests/golden/platform.json), if recorded."""
    return json.loads(PLATFORM_FILE.read_text()) if PLATFORM_FILE.exists() else None
