"""Limits before work (issue #18, families 5 and 7): nesting depth and size of input files, the design size of a
sweep computed from the sweep file and refused before sampling, Dask scheduler schemes, sweeps too small for
their indices, observed-data and region-table values that would fail later, and echoed values cut to a
readable length. Every case runs the command line as a subprocess and expects exit 2, one `error:` line naming
the file (and line), no traceback, nothing written, and an answer within seconds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from helpers import ROOT
from test_integrity import one_error, yreb
from test_sweep import write_sweep
from yreb.inputs.limits import MAX_NESTING, MAX_TOML_BYTES
from yreb.sweep.schema import MAX_DESIGN_POINTS

SCENARIO_HEAD = 'name = "deep"\nend_year = 2017\n'
LHS = """
design = "lhs"
samples = {samples}
[[vary]]
path = "parameters.rechoice_rate"
range = [0.05, 0.3]
"""
GRID_3 = """
design = "grid"
[[vary]]
path = "policies.0.researchers"
range = [100.0, 4000.0]
levels = 10000
[[vary]]
path = "policies.1.talent"
range = [0.0, 1.0]
levels = 10000
[[vary]]
path = "policies.1.labour"
range = [0.0, 1.0]
levels = 10000
"""


def nested_array(levels: int) -> str:
    return SCENARIO_HEAD + "x = " + "[" * levels + "]" * levels + "\n"


def nested_table(levels: int) -> str:
    return SCENARIO_HEAD + "x = " + "{a = " * levels + "1" + "}" * levels + "\n"


@pytest.mark.parametrize("levels", [40, 2000, 5000])
@pytest.mark.parametrize("shape", [nested_array, nested_table])
def test_deeply_nested_toml_is_refused_by_validate_and_sweep(tmp_path, levels, shape):
    path = tmp_path / "deep.toml"
    path.write_text(shape(levels))
    one_error(yreb("validate", str(path)), str(path), "nested", f"at most {MAX_NESTING} levels")
    sweep = tmp_path / "s.toml"
    sweep.write_text('name = "s"\nbase = "deep.toml"\n' + shape(levels).replace(SCENARIO_HEAD, ""))
    one_error(yreb("sweep", str(sweep), "--dry-run"), str(sweep), "nested")


def test_an_oversized_toml_file_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(SCENARIO_HEAD + f'description = "{"x" * 10}"\n' + "# padding\n" * (MAX_TOML_BYTES // 10 + 1))
    one_error(yreb("validate", str(path)), str(path), "too large", f"at most {MAX_TOML_BYTES:,} bytes")


@pytest.mark.parametrize(
    "body, words",
    [
        (LHS.format(samples=1_000_000), ["1,000,000 points", f"limit of {MAX_DESIGN_POINTS:,}"]),
        (GRID_3, ["1,000,000,000,000 points", "limit"]),
        (LHS.format(samples=100_000).replace('design = "lhs"', 'design = "lhs"\nreplications = 20'), ["runs"]),
    ],
)
def test_a_huge_design_is_refused_from_its_size_before_sampling(tmp_path, body, words):
    path = write_sweep(tmp_path, body)
    start = time.monotonic()
    proc = yreb("sweep", str(path), "--dry-run")
    one_error(proc, str(path), *words)
    assert time.monotonic() - start < 20, "the design size must be refused before any sampling"
    assert "MemoryError" not in proc.stderr


@pytest.mark.parametrize(
    "address, words",
    [
        ("tls://127.0.0.1:8786", ["tls:// needs certificates"]),
        ("ucx://127.0.0.1:8786", ["ucx:// needs the UCX libraries"]),
        ("inproc://x", ["not a scheduler address"]),
    ],
)
def test_unusable_scheduler_schemes_are_refused_up_front(tmp_path, address, words):
    path = write_sweep(tmp_path, LHS.format(samples=4))
    out = tmp_path / "out"
    one_error(yreb("sweep", str(path), "--out", str(out), "--scheduler", address), "--scheduler", address, *words)
    assert not out.exists()


def test_sweep_report_refuses_a_sweep_too_small_for_its_indices(tmp_path):
    path = write_sweep(tmp_path, LHS.format(samples=5), end_year=2016)
    proc = yreb("sweep", str(path), "--out", str(tmp_path), "--workers", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    one_error(yreb("sweep-report", str(tmp_path / "s")), "too small", "at least 40 points", "(got 5)")
    assert not (tmp_path / "s" / "report").exists()


# --- observed data and region tables -------------------------------------------------------------------------

OBSERVED = "region,year,variable,value\nJiangsu,2016,gdp_current,77388\n"


@pytest.mark.parametrize(
    "row, words",
    [
        ("Anhui,2016,gdp_current,-5", ["line 3", "field 'value'", "'-5'", "a positive number"]),
        ("Anhui,2016,gdp_current,0", ["line 3", "'0'", "positive"]),
        ("Anhui,2016,gdp_current,1e308", ["line 3", "'1e308'", "at most"]),
        ("Anhui,2016,population_resident_yearend,-1", ["line 3", "positive"]),
        ("Anhui,2016,some_index,1e300", ["line 3", "at most"]),
    ],
)
def test_observed_values_that_cannot_be_compared_are_refused(tmp_path, row, words):
    observed = tmp_path / "obs.csv"
    observed.write_text(OBSERVED + row + "\n")
    out = tmp_path / "out"
    proc = yreb("hindcast", "--observed", str(observed), "--out", str(out), "--replications", "1")
    line = one_error(proc, str(observed), *words)
    assert line.startswith(f"error: {observed}") and "RuntimeWarning" not in proc.stderr
    assert not out.exists()


def test_an_observed_year_beyond_the_model_is_blamed_on_the_observed_file(tmp_path):
    observed = tmp_path / "obs.csv"
    shipped = (ROOT / "simulation" / "yreb" / "data" / "observed_provinces.csv").read_text()
    header = shipped.splitlines()[0].split(",")
    row = {"region": "Anhui", "year": "2300", "variable": "gdp_current", "value": "30000"}
    observed.write_text(shipped + ",".join(row.get(column, "") for column in header) + "\n")
    lines = len(shipped.splitlines()) + 1
    national = ROOT / "simulation" / "yreb" / "data" / "observed_national.csv"
    proc = yreb("hindcast", "--observed", str(observed), "--observed", str(national), "--out", str(tmp_path / "o"))
    one_error(proc, str(observed), f"line {lines}", "2300")
    assert "baseline.toml" not in proc.stderr


@pytest.mark.parametrize(
    "column, value",
    [("gdp_100m_yuan", "1e308"), ("population_10k", "1e12"), ("capital_stock_100m_yuan", "1e300")],
)
def test_a_region_table_that_cannot_start_the_model_is_refused_at_validation(tmp_path, column, value):
    lines = (ROOT / "simulation" / "yreb" / "data" / "regions_2015.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index(column)] = value
    lines[3] = ",".join(cells)
    table = tmp_path / "t.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "s"\nregion_table = "t.csv"\n')
    for command in (["validate", str(scenario)], ["run", str(scenario), "--out", str(tmp_path / "out")]):
        proc = yreb(*command)
        one_error(proc, str(table), "line 4", f"field '{column}'", value)
        assert "RuntimeWarning" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_echoed_values_are_cut_to_a_readable_length(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(f'name = "{"x" * 5000}"\n')
    line = one_error(yreb("validate", str(path)), str(path), "field 'name'", "characters)")
    assert len(line) < 400 + len(str(path)), line


def test_file_paths_in_messages_and_limits_are_documented():
    doc = Path(ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    for limit in ("MAX_NESTING", "MAX_TOML_BYTES", "MAX_CSV_BYTES", "MAX_DESIGN_POINTS", "MAX_SWEEP_RUNS"):
        assert limit in doc, limit
