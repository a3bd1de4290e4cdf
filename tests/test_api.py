"""The Python API as a notebook uses it: import yreb stays light, run / save / compare give what the command line
gives (same folder, same effects), scenarios changed in code are validated like files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import yreb
from yreb.errors import UserInputError

ROOT = Path(__file__).resolve().parents[1]
RESULT_COLUMNS = ["scenario", "replication", "seed", "region", "variable", "unit", "year", "value"]
NO_BARRIERS = [{"type": "barrier", "start": 2017, "talent": 0.0, "labour": 0.0, "capital": 0.0}]


def cli(*args, cwd):
    proc = subprocess.run([sys.executable, "-m", "yreb", *map(str, args)], capture_output=True, text=True, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def short():
    """The baseline with 3 replications over 2015-2020."""
    return yreb.modify(yreb.load_scenario("baseline", replications=3), end_year=2020)


@pytest.fixture(scope="module")
def runs(short):
    return yreb.run(short), yreb.run(yreb.modify(short, name="no_barriers", add_policies=NO_BARRIERS))


def test_import_yreb_imports_no_numerical_package_until_the_api_is_used():
    code = (
        "import sys, yreb; heavy = {'pandas', 'numpy', 'mesa', 'yreb.api'}; print(sorted(heavy & set(sys.modules)));"
        "yreb.Result; print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "['mesa', 'numpy', 'pandas', 'yreb.api']"


def test_api_names_are_documented_and_listed():
    doc = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    for name in yreb.API:
        assert f"yreb.{name}" in doc or f"`{name}`" in doc, name
        assert getattr(yreb, name).__doc__, name
    assert set(yreb.API) <= set(dir(yreb))
    with pytest.raises(AttributeError):
        yreb.no_such_thing  # noqa: B018


def test_list_scenarios_lists_the_shipped_library():
    table = yreb.list_scenarios()
    assert list(table.columns) == ["kind", "name", "description", "path"]
    files = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    assert sorted(table[table.kind == "scenario"].name) == files
    assert "enclave_barrier_grid" in set(table[table.kind == "sweep"].name)
    assert table.description.str.len().min() > 20


def test_run_gives_the_tidy_table_flows_and_metadata(runs, short):
    r, _ = runs
    assert list(r.table.columns) == RESULT_COLUMNS
    assert sorted(r.table.replication.unique()) == [0, 1, 2]
    assert r.table.year.max() == 2020
    assert r.flows is not None and set(r.flows.factor) >= {"talent", "labour", "capital"}
    assert r.metadata["versions"]["yreb-flows"] == yreb.__version__
    assert r.metadata["scenario"]["name"] == "baseline" and r.name == "baseline"
    gdp = r.median("gdp_100m_yuan")
    assert list(gdp.index) == list(range(2015, 2021))
    assert list(gdp.columns) == list(short.table.names)


def test_run_is_the_same_as_the_command_line_and_save_writes_its_folder(runs, short, tmp_path):
    """Result.save writes what `yreb run` writes, with the same numbers."""
    r, _ = runs
    scenario = tmp_path / "short.toml"
    text = (
        (ROOT / "scenarios" / "baseline.toml").read_text(encoding="utf-8").replace("end_year = 2035", "end_year = 2020")
    )
    scenario.write_text(text, encoding="utf-8")
    cli("run", scenario, "--replications", 3, "--out", tmp_path / "cli", "--quiet", cwd=tmp_path)
    folder = r.save(tmp_path / "api")
    assert folder == tmp_path / "api" / "baseline" and r.folder == folder
    cli_folder = tmp_path / "cli" / "baseline"
    names = lambda f: sorted(p.relative_to(f).as_posix() for p in f.rglob("*"))  # noqa: E731
    assert set(names(folder)) == set(names(cli_folder)) - {"scenario.toml"}  # changed in code: no file to copy
    for table in ("results.parquet", "flows.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(folder / table), pd.read_parquet(cli_folder / table))
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "results.parquet"), r.table.reset_index(drop=True))
    loaded = yreb.load_result(folder)
    pd.testing.assert_frame_equal(loaded.table, r.table.reset_index(drop=True))
    with pytest.raises(UserInputError, match="already exists"):
        r.save(tmp_path / "api")


def test_compare_in_memory_equals_yreb_compare_on_the_saved_folders(runs, tmp_path):
    base, scen = runs
    c = yreb.compare(scen, base)
    assert c.baseline == "baseline" and c.scenarios == ["no_barriers"]
    assert c.effects.year.unique().tolist() == [2020]
    assert {"Belt", "Jiangsu"} <= set(c.effects.region)
    base.save(tmp_path, plots=False)
    scen.save(tmp_path, plots=False)
    cli("compare", tmp_path / "baseline", tmp_path / "no_barriers", "--out", tmp_path / "cmp", cwd=tmp_path)
    effects = pd.read_parquet(tmp_path / "cmp" / "effects.parquet")
    pd.testing.assert_frame_equal(c.effects, effects, check_dtype=False)
    from_folders = yreb.compare(tmp_path / "baseline", str(tmp_path / "no_barriers"))
    pd.testing.assert_frame_equal(from_folders.effects, effects, check_dtype=False)
    gdp = c.effects[(c.effects.region == "Belt") & (c.effects.variable == "gdp_100m_yuan")]
    assert len(gdp) == 1 and np.isfinite(gdp.mean_difference).all() and (gdp.mean_difference != 0).all()


def test_compare_options_are_checked(runs):
    base, scen = runs
    with pytest.raises(UserInputError, match="argument 'outcomes'.*unknown outcome.*'gpd'"):
        yreb.compare(base, scen, outcomes=["gpd"])
    with pytest.raises(UserInputError, match="argument 'regions'.*'Anhwei'"):
        yreb.compare(base, scen, regions=["Anhwei"])
    with pytest.raises(UserInputError, match="argument 'year'.*2030"):
        yreb.compare(base, scen, year=2030)
    assert yreb.compare(base, scen, year=2018, outcomes=["talent_persons"]).effects.year.unique().tolist() == [2018]


def test_modify_validates_like_a_scenario_file(short):
    changed = yreb.modify(short, name="fast", parameters={"rechoice_rate": 0.3}, replications=2)
    assert changed.spec.parameters.rechoice_rate == 0.3 and changed.spec.replications == 2
    assert short.spec.parameters.rechoice_rate != 0.3  # the original is unchanged
    assert changed.spec.parameters.stochastic == short.spec.parameters.stochastic  # parameters are merged
    with pytest.raises(UserInputError, match="field 'parameters.rechoice_rate'"):
        yreb.modify(short, parameters={"rechoice_rate": 5.0})
    with pytest.raises(UserInputError, match="argument 'replicatons': unknown scenario field"):
        yreb.modify(short, replicatons=3)
    with pytest.raises(UserInputError, match=r"field 'policies\[0\].host'.*unknown region"):
        yreb.modify(short, add_policies=[{"type": "co_built_park", "start": 2017, "sponsor": "Jiangsu", "host": "X"}])


def test_scenario_from_dict_and_run_with_overrides():
    s = yreb.scenario_from_dict({"name": "tiny", "end_year": 2017, "regions": ["Shanghai", "Jiangsu", "Anhui"]})
    r = yreb.run(s, replications=2, seed=7)
    assert sorted(r.table.region.unique()) == ["Anhui", "Jiangsu", "Shanghai"]
    assert r.table.replication.nunique() == 2
    assert r.metadata["root_seed"] == 7
    again = yreb.run(s, replications=2, seed=7)
    assert np.array_equal(r.table.value.to_numpy(), again.table.value.to_numpy(), equal_nan=True)


def test_to_xarray_and_to_iamc(runs):
    pytest.importorskip("xarray")
    r, _ = runs
    ds = r.to_xarray()
    assert dict(ds.sizes) == {"scenario": 1, "replication": 3, "region": 12, "year": 6}
    assert ds["population_persons"].attrs["iamc_unit"] == "million"
    iamc = r.to_iamc()
    pop = iamc[(iamc.variable == "Population") & (iamc.region == "Anhui") & (iamc.year == 2020)].value.iloc[0]
    assert pop == pytest.approx(float(ds["population_persons"].sel(region="Anhui", year=2020).median()) * 1e-6)
