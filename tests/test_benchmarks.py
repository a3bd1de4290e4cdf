"""Benchmarks keep working (short mode), the plain per-agent model agrees with the vectorised one, and the
speed-ups of the model keep its behaviour."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from yreb.inputs.regions import SECTOR_SHARE_COLUMNS, USE_SHARE_COLUMNS, load_region_table
from yreb.inputs.scenario import default_scenario, load_scenario
from yreb.model import calibration, flows, solvers
from yreb.model import kernels as k
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
            year,
            t.n,
            p.settlement_rate,
            p.land_growth_rate,
            t.land_area_km2,
            t.value_added_100m_yuan,
            model.region_index,
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
    scenario = default_scenario(
        parameters=ModelParameters(stochastic=False), end_year=2019, replications=1, history={"fit_until": 2015}
    )
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


# --- large-N solvers, compact flows: the same results as the reference -----------------------------------------


@pytest.fixture
def large_n_everywhere(monkeypatch):
    """Use the large-N methods of yreb.model.solvers at every N (fresh calibrations)."""
    monkeypatch.setattr(solvers, "LARGE_N", 10)
    monkeypatch.setattr(calibration, "_CACHE", {})


def test_units_to_regions_is_the_product_with_the_unit_map():
    rng = np.random.default_rng(2)
    per_unit = rng.normal(size=(6, 6))
    assert solvers.units_to_regions(per_unit, np.arange(6), 6) is per_unit  # no parks: identity, bit for bit
    np.testing.assert_array_equal(per_unit @ np.eye(6), per_unit)
    with_parks = rng.normal(size=(6, 8))
    unit_region = np.array([0, 1, 2, 3, 4, 5, 2, 2])
    expected = with_parks[:, :6].copy()
    expected[:, 2] += with_parks[:, 6] + with_parks[:, 7]
    np.testing.assert_allclose(solvers.units_to_regions(with_parks, unit_region, 6), expected, rtol=1e-14)


def test_small_region_sets_use_the_reference_kernels_bit_for_bit():
    """At N <= LARGE_N the hooks call kernels' own functions: the shipped 12-region results are unchanged."""
    scenario = default_scenario(
        parameters=ModelParameters(stochastic=False), end_year=2017, replications=1, history={"fit_until": 2015}
    )  # the fitted years would add the fit's own equilibrium solves
    calls = []
    original = k.solve_trade_equilibrium

    def spy(*args, **kwargs):
        calls.append(args[0].size)
        return original(*args, **kwargs)

    k.solve_trade_equilibrium = spy
    try:
        YREBModel(scenario, record_flows=False).run()
    finally:
        k.solve_trade_equilibrium = original
    assert calls == [12, 12, 12]


def test_accelerated_armington_weights_match_the_balancing_sweeps(large_n_everywhere):
    table = load_region_table()
    params = ModelParameters(stochastic=False)
    income = table.gdp_100m_yuan
    spend = k.spending_shares(table.use_share, income, table.value_added_100m_yuan) * income[None, :]
    deterrence = calibration.trade_deterrence(table, params)
    reference = k.armington_weights(table.value_added_100m_yuan, spend, deterrence)
    fast = solvers.armington_weights(table.value_added_100m_yuan, spend, deterrence)
    np.testing.assert_allclose(fast, reference, rtol=1e-10, atol=0)
    assert fast.max(axis=1) == pytest.approx(1.0)


def test_large_n_calibration_gives_the_reference_calibration_at_n_130(tmp_path, monkeypatch):
    """Amenities (accelerated balancing, not Newton), investment wedges (balanced, not plain sweeps), the
    stationary migrant shares (mixed power iteration) and the own-trade shares (no S x N x N array) of the
    large-N path against the reference at N = 130: every calibrated array within 1e-9."""
    table = load_region_table(write_synthetic_table(130, tmp_path))
    params = ModelParameters(stochastic=False)
    reference = calibration._calibrate(table, params)
    monkeypatch.setattr(solvers, "LARGE_N", 10)
    fast = calibration._calibrate(table, params)
    for field in dataclasses.fields(reference):
        expected, got = getattr(reference, field.name), getattr(fast, field.name)
        if isinstance(expected, np.ndarray) and expected.dtype.kind == "f":
            np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0, err_msg=field.name)
        elif field.name != "diagnostics":
            np.testing.assert_array_equal(got, expected, err_msg=field.name)
    for name in ("stationary_migrant_share_talent", "stationary_migrant_share_labour"):
        assert fast.diagnostics[name] == pytest.approx(reference.diagnostics[name], rel=1e-9)
    assert fast.diagnostics["trade_inflow_share_belt"] == reference.diagnostics["trade_inflow_share_belt"]
    assert reference.investment_wedge.max() == fast.investment_wedge.max() == 1.0


def test_large_n_methods_give_the_reference_results_at_n_130(tmp_path, monkeypatch):
    """Calibration (Armington weights) and goods-market solver of the large-N path against the reference (Newton)
    at N = 130, mean-field, 5 years: every recorded variable within 1e-9, the same people to the person."""
    table = str(write_synthetic_table(130, tmp_path))
    scenario = default_scenario(
        region_table=table, parameters=ModelParameters(stochastic=False), end_year=2019, replications=1
    )
    reference = YREBModel(scenario, record_flows=False).run()
    monkeypatch.setattr(solvers, "LARGE_N", 10)
    monkeypatch.setattr(calibration, "_CACHE", {})
    fast = YREBModel(scenario, record_flows=False).run()
    np.testing.assert_allclose(fast.calibration.trade_weight, reference.calibration.trade_weight, rtol=1e-10)
    for name, values in reference.records.items():
        np.testing.assert_allclose(fast.records[name], values, rtol=1e-9, atol=0, err_msg=name)
    np.testing.assert_array_equal(fast.talent_stock, reference.talent_stock)
    np.testing.assert_array_equal(fast.labour_stock, reference.labour_stock)


def test_factored_resident_income_is_the_dense_matrix_applied():
    """``solvers.ResidentIncome`` is L + W^T O + F P applied to vectors, with parks (U > N) and as a map of costs."""
    rng = np.random.default_rng(5)
    n, unit_region = 5, np.array([0, 1, 2, 3, 4, 2, 4])
    units = len(unit_region)
    labour_per_va, where, owners = rng.random(units), rng.random((n, n)), rng.random((n, units))
    fiscal, value_added, bundle, cost = rng.normal(size=(n, n)), rng.random(units), rng.random(units), rng.random(n)
    dense = np.zeros((n, units))
    dense[unit_region, np.arange(units)] = labour_per_va
    dense += where.T @ owners + fiscal[:, unit_region]
    factored = solvers.ResidentIncome(labour_per_va, unit_region, where, owners, fiscal)
    np.testing.assert_allclose(factored @ value_added, dense @ value_added, rtol=1e-13)
    by_costs = solvers.income_of_costs(factored, bundle, unit_region, n)
    np.testing.assert_allclose(
        by_costs @ cost, solvers.income_of_costs(dense, bundle, unit_region, n) @ cost, rtol=1e-13
    )


@pytest.mark.parametrize("name", ["co_built_park_jiangsu_anhui", "innovation_enclave_jiangxi_shanghai"])
def test_large_n_path_with_parks_and_enclaves_gives_the_reference_results(name, monkeypatch):
    """With parks (more units than regions) and an enclave's wage and rent terms, the large-N path (factored
    incomes, accelerated solvers) gives every recorded variable within 1e-9 and the same people."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    params = scenario.spec.parameters.model_copy(update={"stochastic": False})
    scenario = dataclasses.replace(scenario, spec=scenario.spec.model_copy(update={"parameters": params}))
    reference = YREBModel(scenario, record_flows=False).run()
    assert reference.unit_region.size > reference.n_regions or reference.enclaves
    monkeypatch.setattr(solvers, "LARGE_N", 5)
    monkeypatch.setattr(calibration, "_CACHE", {})
    fast = YREBModel(scenario, record_flows=False).run()
    for variable, values in reference.records.items():
        np.testing.assert_allclose(fast.records[variable], values, rtol=1e-9, atol=1e-9, err_msg=variable)
    np.testing.assert_array_equal(fast.talent_stock, reference.talent_stock)
    np.testing.assert_array_equal(fast.labour_stock, reference.labour_stock)


def test_accelerated_solver_reports_fewer_evaluations_than_tatonnement():
    """Anderson mixing reaches the tolerance on a tatonnement problem in far fewer evaluations (N = 400, random)."""
    rng = np.random.default_rng(3)
    n = 400
    deterrence = np.exp(-rng.random((3, n, n)) * 4)
    weight, tfp = rng.random((3, n)) + 0.5, np.ones((3, n))
    share = rng.random((3, n))
    share /= share.sum(axis=0)
    income = np.eye(n) * 0.6 + rng.random((n, n)) * 0.4 / n
    income /= income.sum(axis=0, keepdims=True)  # incomes add up to value added (Walras)
    bundle = rng.random(n) + 0.5
    stats = {}
    c, sales = solvers.solve_trade_equilibrium(
        np.ones(n), bundle, tfp, weight, deterrence, 4.0, share, income * bundle[None, :], stats=stats
    )
    gap, _ = solvers.excess_demand(c, bundle, tfp, weight, deterrence, 4.0, share, income * bundle[None, :])
    assert np.abs(gap).max() < 1e-12
    c_ref, sales_ref = k.solve_trade_equilibrium(
        np.ones(n), bundle, tfp, weight, deterrence, 4.0, share, income * bundle[None, :]
    )
    np.testing.assert_allclose(c, c_ref, rtol=1e-10)
    np.testing.assert_allclose(sales, sales_ref, rtol=1e-10)
    assert 0 < stats["evaluations"] < 100


def test_dense_flows_frame_is_the_frame_of_the_flow_matrices():
    scenario = default_scenario(parameters=ModelParameters(stochastic=False), end_year=2017, replications=1)
    model = YREBModel(scenario).run()
    assert not model.flows.compact
    frame = model.flows_frame()
    dense = model.flows.dense
    t, f, o, d = np.nonzero(dense)
    assert len(frame) == len(t)
    np.testing.assert_array_equal(frame["value"].to_numpy(), dense[t, f, o, d])
    assert list(frame.columns) == list(flows.COLUMNS)


def test_compact_flows_keep_the_largest_cells_of_every_origin():
    scenario = default_scenario(parameters=ModelParameters(stochastic=False), end_year=2017, replications=1)
    full = YREBModel(scenario, record_flows="full").run()
    top = YREBModel(scenario, record_flows=3).run()
    assert top.flows.compact and top.flows.top_k == 3
    for row in range(3):
        for factor in range(4):
            dense = full.flows.dense[row, factor]
            kept = top.flows.matrix(row, factor)
            for origin in range(12):
                largest = np.sort(np.abs(dense[origin]))[::-1][:3]
                np.testing.assert_allclose(np.sort(np.abs(kept[origin]))[::-1][:3], largest, rtol=1e-6)
            np.testing.assert_allclose(top.flows.total[row, factor], dense.sum(axis=1), rtol=1e-12)
    frame = top.flows_frame()
    assert frame.groupby(["factor", "origin", "year"]).size().max() == 3
    assert set(frame.destination) <= set(scenario.table.names)


def test_flow_recorder_choice_and_size():
    assert flows.FlowRecorder.create(False, 21, 4, 2000) is None
    auto = flows.FlowRecorder.create(True, 21, 4, 2000)
    assert auto.compact and auto.top_k == flows.TOP_K and auto.nbytes < 100e6  # dense would be 2.7 GB
    assert not flows.FlowRecorder.create(True, 21, 4, 12).compact
    assert not flows.FlowRecorder.create("full", 2, 4, 400).compact
    with pytest.raises(ValueError, match="record_flows"):
        flows.FlowRecorder.create("some", 21, 4, 12)


# --- what `yreb --help` imports ------------------------------------------------------------------------------------


def test_the_command_line_imports_no_heavy_library():
    """`import yreb.cli` (all `yreb --help` needs) must not import numpy, pandas, scipy, matplotlib or mesa."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys, yreb.cli; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = {name.split(".")[0] for name in done.stdout.split()}
    assert "yreb" in loaded
    heavy = loaded & {"numpy", "pandas", "scipy", "matplotlib", "mesa"}
    assert not heavy, f"import yreb.cli imports {sorted(heavy)}"


def test_import_listing_parses_importtime_output():
    modules = run.imported_modules([sys.executable, "-X", "importtime", "-c", "import json"], dict(os.environ))
    assert "json" in modules and "json.decoder" in modules


@pytest.mark.slow
@pytest.mark.long
def test_short_benchmark_prints_every_row():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--short"], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("| ") and not line.startswith("|---")]
    header, rows = lines[0], [line.split(" | ") for line in lines[1:]]
    assert header == "| measurement | N | value | floor or peer | ratio | target | met |"
    cells = {(row[0].removeprefix("| "), row[1]): row for row in rows}
    expected = [(run.HELP_LABEL, "-"), (run.IMPORTS_LABEL, "-"), (run.ERROR_LABEL, "12"), (run.RUN_LABEL, "12")]
    expected += [(run.PLOTS_LABEL, "12"), (run.SWEEP_LABEL, "12"), (run.BLAS_LABEL, "130"), (run.FIT_LABEL, "12")]
    expected += [(run.VALIDATE_LABEL, "12"), (run.COMPARE_ERROR_LABEL, "-"), (run.HINDCAST_ERROR_LABEL, "-")]
    expected += [(run.COMPARE_LABEL, "12")]
    expected += [
        (f"{run.N12_LABEL}, {mode}, flows recorded, vs 21 numpy floor years", "12")
        for mode in ("mean-field", "stochastic")
    ]
    expected += [
        (label, str(n)) for label in (run.YEAR_LABEL, run.SOLVER_LABEL, run.CALIBRATION_LABEL) for n in run.SIZES
    ]
    expected += [(run.PLAIN_LABEL, n) for n in ("12", "130")]
    expected += [(run.MEMORY_LABEL, "2000")]
    for key in expected:
        assert key in cells, f"missing row {key}:\n{done.stdout}"
    assert len(cells) == len(expected), done.stdout
    for key, row in cells.items():
        value, peer, ratio = (float(cell.split()[0]) for cell in (row[2], row[3], row[4].rstrip("x")))
        assert all(np.isfinite(x) and x > 0 for x in (value, peer, ratio)), (key, row)
    assert "machine:" in done.stdout and "commit" in done.stdout and "load average" in done.stdout
