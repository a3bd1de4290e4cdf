"""Numerical guard rails: the model checks its stocks every year and stops with ModelInvariantError naming the
year, the region and the quantity instead of writing NaN tables; `yreb run` then exits 1 and writes nothing.

Two kinds of fault are injected: a kernel that returns a broken value inside a year (caught at the end of that
year), and a state corrupted between two years (caught when the next year starts, before it is used).
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import ROOT
from yreb.cli import main
from yreb.errors import ModelInvariantError
from yreb.inputs.scenario import default_scenario
from yreb.model import kernels
from yreb.model.model import YREBModel

SCENARIO = default_scenario(end_year=2021, replications=1)
NAMES = SCENARIO.table.names


def broken_kernel(monkeypatch, name: str, in_call: int, damage) -> None:
    """Replace kernels.<name> by one that calls the original and applies ``damage`` to its result in call
    number ``in_call`` (1 = the base year's step)."""
    original, calls = getattr(kernels, name), []

    def wrapped(*args, **kwargs):
        out = original(*args, **kwargs)
        calls.append(1)
        if len(calls) == in_call:
            out = np.array(out)
            damage(out)
        return out

    monkeypatch.setattr(kernels, name, wrapped)


def _set(index, value):
    def damage(array):
        array[index] = value

    return damage


def _move_person(array):
    """A person registered in Shanghai and living in Jiangsu disappears."""
    array[0, 1] -= 1


def _negative_entry(array):
    """Three people of Shanghai 'live' in Jiangsu with a negative count; totals are kept."""
    array[0, 0] += array[0, 1] + 3
    array[0, 1] = -3


# kernel, call that is broken (capital and knowledge: one call a year; settle: talent then labour), damage,
# (year, region, quantity, detail) expected in the message
KERNEL_FAULTS = {
    "capital NaN": (
        "accumulate_capital",
        3,
        _set((2, 5), np.nan),
        (2017, "Hubei", "capital", "value nan owned by Zhejiang"),
    ),
    "capital negative": (
        "accumulate_capital",
        2,
        _set((0, 3), -1.0),
        (2016, "Anhui", "capital", "value -1.0 owned by Shanghai"),
    ),
    "capital infinite": ("accumulate_capital", 4, _set((7, 7), np.inf), (2018, "Chongqing", "capital", "value inf")),
    "knowledge NaN": ("accumulate_knowledge", 2, _set(4, np.nan), (2016, "Jiangxi", "knowledge", "value nan")),
    "knowledge negative": ("accumulate_knowledge", 5, _set(10, -0.5), (2019, "Yunnan", "knowledge", "value -0.5")),
    "labour lost": ("settle", 4, _move_person, (2016, "all regions", "people", "expected")),
    "negative head-count": ("settle", 1, _negative_entry, (2015, "Jiangsu", "talent", "registered in Shanghai")),
}


@pytest.mark.parametrize("fault", list(KERNEL_FAULTS))
def test_a_kernel_breaking_a_stock_stops_the_year_it_happens(monkeypatch, fault):
    kernel, call, damage, (year, region, quantity, detail) = KERNEL_FAULTS[fault]
    broken_kernel(monkeypatch, kernel, call, damage)
    model = YREBModel(SCENARIO)
    with pytest.raises(ModelInvariantError) as info:
        model.run()
    assert (info.value.year, info.value.region, info.value.quantity) == (year, region, quantity)
    assert f"year {year}, region {region}, {quantity}" in str(info.value) and detail in str(info.value)
    assert model.year == year  # stopped inside the broken year: nothing after it was simulated
    assert np.isnan(model.records["gdp_100m_yuan"][year - 2015 + 1 :]).all()


# attribute, index, value, (region, quantity) expected
STATE_FAULTS = {
    "capital NaN": ("capital", (2, 5), np.nan, ("Hubei", "capital")),
    "capital hugely negative": ("capital", (3, 3), -1e9, ("Anhui", "capital")),
    "knowledge NaN": ("knowledge", 4, np.nan, ("Jiangxi", "knowledge")),
    "fundamental TFP infinite": ("fundamental_tfp", (1, 3), np.inf, ("Anhui", "fundamental TFP")),
    "fundamental TFP zero": ("fundamental_tfp", (2, 8), 0.0, ("Sichuan", "fundamental TFP")),
    "construction land negative": ("land_km2", 6, -5.0, ("Hunan", "construction land")),
    "construction land zero": ("land_km2", 6, 0.0, ("Hunan", "construction land")),
    "negative talent entry": ("talent_stock", (0, 1), -3, ("Jiangsu", "talent")),
    "a person too many": ("labour_stock", (2, 2), None, ("all regions", "people")),
}


@pytest.mark.parametrize("fault", list(STATE_FAULTS))
def test_a_state_corrupted_between_years_is_reported_before_it_is_used(fault):
    attribute, index, value, (region, quantity) = STATE_FAULTS[fault]
    model = YREBModel(SCENARIO)
    model.step()
    model.step()
    array = getattr(model, attribute)
    array[index] = array[index] + 1 if value is None else value
    with pytest.raises(ModelInvariantError) as info:
        model.step()
    assert (info.value.year, info.value.region, info.value.quantity) == (2017, region, quantity)
    assert model.year == 2017 and np.isnan(model.records["gdp_100m_yuan"][2:]).all()


def test_the_check_runs_every_year():
    """Every simulated year is checked twice: stocks entering it, and stocks and outputs leaving it."""
    model = YREBModel(SCENARIO)
    checked = []
    original = model.check_stocks
    model.check_stocks = lambda year: (checked.append(year), original(year))[1]
    model.run()
    assert checked == [y for y in SCENARIO.years for _ in range(2)]


def test_a_broken_invariant_on_the_command_line_exits_1_and_writes_nothing(monkeypatch, tmp_path, capsys):
    broken_kernel(monkeypatch, "accumulate_capital", 6, _set((1, 1), np.nan))
    out = tmp_path / "out"
    code = main(
        [
            "run",
            str(ROOT / "scenarios" / "baseline.toml"),
            "--out",
            str(out),
            "--replications",
            "2",
            "--quiet",
            "--no-plots",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == (
        "error: model invariant broken in year 2020, region Jiangsu, capital: value nan owned by "
        "Jiangsu; no results were written"
    )
    assert not out.exists()  # no NaN table, no empty folder, no temporary folder
