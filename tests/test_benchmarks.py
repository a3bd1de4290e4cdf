"""Benchmarks keep working (short mode), the plain per-agent model agrees with the vectorised one, and the
speed-ups of the model keep its behaviour."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from yreb.inputs.regions import SECTOR_SHARE_COLUMNS, USE_SHARE_COLUMNS, load_region_table
from yreb.inputs.scenario import default_scenario, load_scenario
from yreb.model.calibration import calibrate
from yreb.model.model import YREBModel
from yreb.model.parameters import ModelParameters

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
        fresh = scenario.policies.state(
            year, t.n, p.settlement_rate, p.land_growth_rate, t.land_area_km2, model.region_index
        )
        for name, value in vars(fresh).items():
            if isinstance(value, dict):
                for factor in value:
                    np.testing.assert_array_equal(getattr(cached, name)[factor], value[factor])
            else:
                np.testing.assert_array_equal(getattr(cached, name), value, err_msg=f"{path.stem} {year} {name}")


# --- benchmark helpers ------------------------------------------------------------------------------

BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import run  # noqa: E402
from plain_mesa import PlainMesaModel, solve_linear  # noqa: E402
from synthetic import SEED, synthetic_table, write_synthetic_table  # noqa: E402


def test_plain_per_agent_model_computes_what_the_vectorised_model_computes():
    """Mean-field status quo, 12 regions, 5 years: every recorded variable within 1e-10 (relative), the same people
    stocks to the person, the same capital and knowledge; the goods market was solved by Newton steps."""
    scenario = default_scenario(parameters=ModelParameters(stochastic=False), end_year=2019, replications=1)
    vectorised = YREBModel(scenario, record_flows=False).run()
    plain = PlainMesaModel(scenario).run()
    for name, values in vectorised.records.items():
        np.testing.assert_allclose(np.array(plain.records[name]), values, rtol=1e-10, atol=0, err_msg=name)
    stocks = plain.stocks()
    np.testing.assert_array_equal(stocks["talent_stock"], vectorised.talent_stock)
    np.testing.assert_array_equal(stocks["labour_stock"], vectorised.labour_stock)
    np.testing.assert_allclose(stocks["capital"], vectorised.capital, rtol=1e-10, atol=0)
    np.testing.assert_allclose(stocks["knowledge"], vectorised.knowledge, rtol=1e-10, atol=0)
    assert vectorised.records["net_migration_labour_persons"][1:].any()  # people did move
    assert all(n > 0 for n in plain.equilibrium_iterations[1:])  # prices moved: the solver had work to do


def test_plain_gaussian_elimination_solves_a_linear_system():
    rng = np.random.default_rng(1)
    matrix, rhs = rng.normal(size=(7, 7)), rng.normal(size=7)
    x = solve_linear(matrix.tolist(), rhs.tolist())
    np.testing.assert_allclose(x, np.linalg.solve(matrix, rhs), rtol=1e-12)


def test_plain_per_agent_model_refuses_what_it_does_not_implement():
    with pytest.raises(ValueError, match="mean-field status quo"):
        PlainMesaModel(default_scenario(replications=1))


def test_synthetic_tables_are_reproducible_labelled_and_sum_to_province_data(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = write_synthetic_table(500, tmp_path / "a"), write_synthetic_table(500, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    table = load_region_table(first)
    assert table.n == 500 and len(set(table.names)) == 500
    frame = synthetic_table(500)
    assert frame["values_source"].str.startswith(f"SYNTHETIC (benchmarks/synthetic.py, seed {SEED})").all()
    provinces = load_region_table()
    by_province = frame.groupby("province")[["gdp_100m_yuan", "population_10k"]].sum()
    for name in by_province.index:
        i = provinces.index(name)
        assert by_province.loc[name, "gdp_100m_yuan"] == pytest.approx(provinces.gdp_100m_yuan[i], rel=1e-6)
        assert by_province.loc[name, "population_10k"] * 1e4 == pytest.approx(provinces.population_persons[i], rel=1e-6)
    border = table.border()
    same_province = np.asarray(table.province)[:, None] == np.asarray(table.province)[None, :]
    assert (border[same_province] == 0).all() and (border[~same_province] == 1).all()
    real = synthetic_table(130)
    assert real["coord_source"].str.startswith("PyPI package cpca").all()  # the 130 real seats
    # model-2 columns: given (not the loader's defaults), shares summing to 1, net migration summing to exactly 0
    for column in (*SECTOR_SHARE_COLUMNS, *USE_SHARE_COLUMNS, "investment_rate", "net_outflow_share"):
        assert frame[column].between(-1, 1).all() and frame[column].nunique() > 1, column
    np.testing.assert_allclose(table.va_share.sum(axis=1), 1.0, atol=1e-7)
    np.testing.assert_allclose(table.use_share.sum(axis=1), 1.0, atol=1e-7)
    assert table.net_migration_persons_per_year.sum() == 0 and table.net_migration_persons_per_year.any()
    assert (table.investment_rate != provinces.investment_rate[0]).any()


def test_synthetic_table_calibrates(tmp_path):
    """The model-2 calibration accepts a synthetic table (saving rates in (0, 1), gravity migration pattern)."""
    table = load_region_table(write_synthetic_table(130, tmp_path))
    cal = calibrate(table, ModelParameters(stochastic=False))
    assert ((cal.saving_rate > 0) & (cal.saving_rate < 1)).all()
    assert cal.diagnostics["migration_pattern"].startswith("gravity")


@pytest.mark.slow
def test_short_benchmark_prints_every_row():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--short"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("| ") and not line.startswith("|---")]
    header, rows = lines[0], [line.split(" | ") for line in lines[1:]]
    assert header == "| measurement | N | measured | target | met |"
    cells = {(row[0].removeprefix("| "), row[1]): row[2] for row in rows}
    expected = [(f"{run.RUN_LABEL}, {mode} (flows recorded)", n) for n in ("12", "130") for mode in run.MODES]
    expected += [(run.RUN_LABEL, n) for n in ("500", "2000")]
    expected += [(run.CALIBRATION_LABEL, n) for n in ("12", "130")]
    expected += [(run.PLAIN_LABEL, n) for n in ("12", "130")]
    expected += [(run.FLOOR_LABEL, n) for n in ("12", "130", "500", "2000")]
    for key in expected:
        assert key in cells, f"missing row {key}:\n{done.stdout}"
    for (measurement, n), value in cells.items():
        if n in ("500", "2000"):
            assert value == run.NOT_MEASURED, (measurement, n, value)
        else:
            assert any(ch.isdigit() for ch in value), (measurement, n, value)
    sweep = [measurement for measurement, _ in cells if measurement.startswith(run.SWEEP_LABEL)]
    assert len(sweep) == 4, done.stdout  # yreb sweep 1 and 2 workers, batch_run 1 and 2 processes
    assert "machine:" in done.stdout
