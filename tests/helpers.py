"""Shared test helpers (import with `from helpers import ...`): build scenarios from dicts and run them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from yreb.inputs.scenario import parse_scenario, resolve
from yreb.model.model import YREBModel

ROOT = Path(__file__).resolve().parents[1]
BELT = [
    "Shanghai",
    "Jiangsu",
    "Zhejiang",
    "Anhui",
    "Jiangxi",
    "Hubei",
    "Hunan",
    "Chongqing",
    "Sichuan",
    "Guizhou",
    "Yunnan",
]


def scenario_from(doc: dict, base_dir: Path = ROOT):
    """Validate and resolve a scenario document given as a dict."""
    doc = {"name": "test", **doc}
    return resolve(parse_scenario(doc, "<test>"), base_dir, "<test>")


def run_frame(doc: dict, replication: int = 0) -> pd.DataFrame:
    """Run one replication and return its results as a year x (variable, region) table."""
    model = YREBModel(scenario_from(doc), replication=replication).run()
    return model.results_frame().pivot_table(index="year", columns=["variable", "region"], values="value")


def belt_total(frame: pd.DataFrame, variable: str) -> pd.Series:
    return frame[variable][BELT].sum(axis=1)


def assert_identical(a: np.ndarray, b: np.ndarray):
    assert np.array_equal(np.asarray(a), np.asarray(b))
