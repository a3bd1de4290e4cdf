"""Parameter sweeps: sweep-file validation, designs, run keys, resume after SIGKILL, Dask execution, failed runs,
and the sensitivity analysis of sweep-report."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import typing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import BELT, ROOT, scenario_from
from yreb.analysis.metrics import METRICS, RegionArrays, belt_metrics, compute_metrics
from yreb.cli import main
from yreb.errors import UserInputError
from yreb.model.model import YREBModel, replication_seed
from yreb.runs.provenance import code_fingerprint
from yreb.sweep.analysis import SweepResults, index_warnings, influence_table, noise_share, sensitivity_indices
from yreb.sweep.designs import DESIGNS, design_sample, main_effect_shares
from yreb.sweep.execute import run_rows, run_sweep
from yreb.sweep.paths import set_path
from yreb.sweep.plan import plan_sweep
from yreb.sweep.schema import DEFAULT_OUTPUTS, SweepFile
from yreb.sweep.store import completed_keys, shard_files

BASE = """
name = "base"
end_year = {end_year}
[[policies]]
type = "innovation_enclave"
start = 2016
home = "Jiangxi"
hub = "Shanghai"
researchers = 2000.0
[[policies]]
type = "barrier"
start = 2016
regions = "belt"
[[policies]]
type = "east_west_pairing"
start = 2016
east = "Zhejiang"
west = "Sichuan"
"""


@pytest.fixture(autouse=True)
def current_code():
    """Run keys name the code fingerprint as it is now, as subprocesses and workers will compute it."""
    code_fingerprint.cache_clear()


def write_sweep(folder: Path, body: str, end_year: int = 2018, name: str = "s") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.toml").write_text(BASE.format(end_year=end_year))
    path = folder / f"{name}.toml"
    path.write_text(f'name = "{name}"\nbase = "base.toml"\n' + body)
    return path


GRID = """
design = "grid"
replications = 2
[[vary]]
path = "policies.0.researchers"
values = [500.0, 4000.0]
[[vary]]
name = "barrier"
path = ["policies.1.talent", "policies.1.labour"]
range = [0.0, 1.0]
levels = 3
"""


def yreb(capsys, *args: str) -> tuple[int, str, str]:
    """Run the command line in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def results(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "results.parquet")


# --- sweep files, designs, keys ------------------------------------------------------------------


def test_set_path_addresses_tables_and_list_entries():
    doc = {"policies": [{"type": "barrier", "talent": 1.0}]}
    set_path(doc, "policies.0.talent", 0.5)
    set_path(doc, "parameters.rechoice_rate", 0.2)  # a missing table is created
    assert doc == {"policies": [{"type": "barrier", "talent": 0.5}], "parameters": {"rechoice_rate": 0.2}}
    for bad in ("policies.1.talent", "policies.x", "policies.0.talent.deep", "parameters.0"):
        with pytest.raises(LookupError):
            set_path(doc, bad, 1.0)


def test_grid_plan_points_seeds_and_keys(tmp_path):
    plan = plan_sweep(write_sweep(tmp_path, GRID))
    design = plan.design
    assert plan.n_points == 6 and len(design) == 12
    # first parameter varies slowest; the linked paths receive the same value
    assert design.drop_duplicates("point")["policies.0.researchers"].tolist() == [500.0] * 3 + [4000.0] * 3
    assert design.drop_duplicates("point")["barrier"].tolist() == [0.0, 0.5, 1.0] * 2
    doc = plan.point_doc(4)
    assert doc["policies"][1]["talent"] == doc["policies"][1]["labour"] == 0.5
    assert doc["policies"][0]["researchers"] == 4000.0
    # replication k of every point has the seed of replication k of any scenario with the same root seed
    for k in (0, 1):
        assert set(design[design.replication == k]["seed"]) == {replication_seed(20150101, k)}
    assert design["key"].is_unique
    again = plan_sweep(tmp_path / "s.toml")
    assert again.design["key"].tolist() == design["key"].tolist()
    changed = write_sweep(tmp_path / "other", GRID, end_year=2019)
    assert not set(plan_sweep(changed).design["key"]) & set(design["key"])


def _spec(design: str, samples: int | None = None, **extra) -> SweepFile:
    vary = [
        {"path": f"parameters.p{i}", "range": [0.0, 1.0], **({"levels": 3} if design == "grid" else {})}
        for i in range(3)
    ]
    return SweepFile.model_validate(
        {"name": "t", "base": "b.toml", "design": design, "samples": samples, "vary": vary, **extra}
    )


def test_design_samplers_sizes_and_reproducibility():
    assert design_sample(_spec("grid"), 1).shape == (27, 3)
    lhs = design_sample(_spec("lhs", 10), 1)
    assert lhs.shape == (10, 3)
    for column in lhs.T:  # Latin hypercube: one point in each of the 10 strata of every parameter
        assert sorted(np.floor(column * 10).astype(int)) == list(range(10))
    assert design_sample(_spec("sobol", 16), 1).shape == (16 * (3 + 2), 3)
    morris = design_sample(_spec("morris", 5), 1)
    assert morris.shape == (5 * (3 + 1), 3)
    assert set(np.round(morris.ravel(), 12)) <= {0.0, round(1 / 3, 12), round(2 / 3, 12), 1.0}
    np.testing.assert_array_equal(design_sample(_spec("lhs", 10), 1), lhs)
    assert not np.array_equal(design_sample(_spec("lhs", 10), 2), lhs)


def test_every_design_is_registered_and_documented():
    doc = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    table = doc[doc.index("### Designs") : doc.index("**Dotted paths**")]
    assert set(typing.get_args(SweepFile.model_fields["design"].annotation)) == set(DESIGNS)
    for name, design in DESIGNS.items():
        assert f"| `{name}` |" in table, name
        assert design.name == name and design.main_index in design.indices
        spec = _spec(name, None if name == "grid" else 16)
        assert design_sample(spec, 3).shape[1] == 3  # each registered design samples the sweep's parameters


@pytest.mark.parametrize(
    "body, field, words",
    [
        (GRID + "typo = 1\n", "typo", "unknown key"),
        (
            GRID.replace("policies.0.researchers", "policies.7.researchers"),
            "vary 'policies.7.researchers'",
            "not in the base scenario",
        ),
        (
            GRID.replace("policies.0.researchers", "parameters.rechoice_rat"),
            "vary 'parameters.rechoice_rat'",
            "unknown key",
        ),
        (GRID.replace("values = [500.0, 4000.0]", "values = [500.0, 9e7]"), "vary 'policies.0.researchers'", "9e7"),
        (
            GRID.replace("values = [500.0, 4000.0]", "values = [500.0, 90000.0]"),
            "vary 'policies.0.researchers'",
            "exceeds half",
        ),
        (GRID.replace("levels = 3", ""), "barrier", "levels"),
        (
            GRID.replace('design = "grid"', 'design = "sobol"\nsamples = 12').replace("levels = 3", ""),
            None,
            "power of 2",
        ),
        (GRID + '[fixed]\n"policies.3.start" = 2016\n', "fixed.policies.3.start", "entries"),
        ('outputs = ["gdp_100m_yuan", "happiness"]\n' + GRID, "outputs", "'happiness' is not a registered metric"),
    ],
)
def test_bad_sweep_files_name_the_file_and_parameter(tmp_path, capsys, body, field, words):
    path = write_sweep(tmp_path, body)
    with pytest.raises(UserInputError) as info:
        plan_sweep(path)
    message = str(info.value).replace("90000000.0", "9e7")
    assert str(path) in message and words in message
    if field is not None:
        assert field in message
    code, _, err = yreb(capsys, "sweep", str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and err.startswith("error:") and str(path) in err
    assert not (tmp_path / "out").exists()


def test_shipped_sweeps_are_valid():
    paths = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))
    assert {p.stem for p in paths} >= {"enclave_barrier_grid", "behaviour_sobol"}
    for path in paths:
        plan = plan_sweep(path)
        assert plan.design["key"].is_unique, path.name


# --- metrics -------------------------------------------------------------------------------------


def summary_metrics(gdp, population, in_belt, subregion) -> dict[str, np.ndarray]:
    """The default outputs of a sweep from years x regions arrays, as run_rows computes them."""
    years = np.arange(len(gdp)) + 2015
    arrays = RegionArrays({"gdp_100m_yuan": gdp, "population_persons": population}, in_belt, subregion, years)
    return compute_metrics(arrays, DEFAULT_OUTPUTS)


def test_summary_metrics_hand_computed():
    gdp = np.array([[30.0, 10.0, 60.0, 100.0], [20.0, 20.0, 60.0, 300.0]])
    population = np.array([[10.0, 10.0, 20.0, 50.0], [10.0, 10.0, 20.0, 50.0]])
    in_belt = np.array([True, True, True, False])
    metrics = summary_metrics(gdp, population, in_belt, np.array(["down", "down", "up", "outside"]))
    np.testing.assert_array_equal(metrics["gdp_100m_yuan"], [100.0, 100.0])
    np.testing.assert_array_equal(metrics["belt_share_national_gdp"], [0.5, 0.25])
    # belt sub-regions: down has 40 of 100 GDP and 20 of 40 people, up 60 of 100 and 20 of 40 (both years)
    expected = 0.4 * np.log(0.4 / 0.5) + 0.6 * np.log(0.6 / 0.5)
    np.testing.assert_allclose(metrics["theil_t_between"], [expected, expected], rtol=1e-12)
    equal = summary_metrics(
        np.array([[10.0, 20.0]]), np.array([[1.0, 2.0]]), np.array([True, True]), np.array(["a", "b"])
    )
    assert equal["theil_t_between"][0] == pytest.approx(0.0, abs=1e-15)


def test_summary_rows_match_the_model_results():
    scenario = scenario_from({"end_year": 2018})
    rows = run_rows(scenario, 1, keep_regions=True)
    model = YREBModel(scenario, replication=1).run().results_frame()
    gdp = model[model.variable == "gdp_100m_yuan"]
    belt = gdp[gdp.region.isin(BELT)].groupby("year").value.sum()
    summary = rows[(rows.region == "Belt") & (rows.variable == "gdp_100m_yuan")].set_index("year").value
    np.testing.assert_allclose(summary.to_numpy(), belt.to_numpy(), rtol=1e-12)
    share = rows[rows.variable == "belt_share_national_gdp"].value
    assert ((share > 0.3) & (share < 0.6)).all()
    regional = rows[rows.region != "Belt"].drop(columns="unit").reset_index(drop=True)
    model_labels = model.drop(columns="unit").astype({"region": str, "variable": str})  # categoricals in the model
    pd.testing.assert_frame_equal(regional, model_labels, check_dtype=False)
    assert set(rows.variable) == set(DEFAULT_OUTPUTS) | set(model.variable)


def test_outputs_are_registered_metrics_computed_as_compare_computes_them(tmp_path):
    outputs = list(METRICS)
    body = f"keep_regions = true\noutputs = {outputs}\n" + GRID
    plan = plan_sweep(write_sweep(tmp_path, body, end_year=2017))
    assert not set(plan.design["key"]) & set(plan_sweep(write_sweep(tmp_path / "default", GRID, 2017)).design["key"])
    table = results(run_sweep(plan, tmp_path / "out", workers=1, progress=False).folder)
    belt = table[table.region == "Belt"]
    assert set(belt.variable) == set(outputs) and (belt.unit == belt.variable.map(lambda m: METRICS[m].unit)).all()
    regions = scenario_from({}).table
    regional = table[table.region != "Belt"].assign(scenario=table.point)
    tidy = belt_metrics(regional, list(regions.names), list(regions.in_belt), list(regions.subregion), outputs)
    merged = belt.merge(
        tidy,
        left_on=["point", "replication", "variable", "year"],
        right_on=["scenario", "replication", "variable", "year"],
        validate="one_to_one",
    )
    assert len(merged) == len(belt) == 12 * len(outputs) * 3
    # the same functions on the same numbers; arrays of another shape may sum in another order (last-bit rounding)
    np.testing.assert_allclose(merged.value_x.to_numpy(), merged.value_y.to_numpy(), rtol=1e-13, atol=0)


# --- execution: resume after SIGKILL, Dask, failures ----------------------------------------------

KILL_SWEEP = """
design = "lhs"
samples = 16
replications = 3
[[vary]]
path = "parameters.rechoice_rate"
range = [0.07, 0.28]
[[vary]]
path = "policies.1.talent"
range = [0.0, 1.0]
"""


def test_sigkill_mid_sweep_then_resume_equals_uninterrupted(tmp_path, capsys):
    path = write_sweep(tmp_path, KILL_SWEEP, end_year=2022)
    plan = plan_sweep(path)
    reference = run_sweep(plan, tmp_path / "reference", workers=1, progress=False)
    assert reference.completed == 48 and reference.failed == 0

    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "yreb",
            "sweep",
            str(path),
            "--out",
            str(out),
            "--workers",
            "1",
            "--batch-size",
            "2",
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = out / "s"
    deadline = time.monotonic() + 120
    while len(shard_files(folder, "runs")) < 3:
        assert proc.poll() is None and time.monotonic() < deadline, "the sweep ended before it could be killed"
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = completed_keys(folder)
    assert 6 <= len(done) < 48 and not (folder / "results.parquet").exists()

    code, stdout, stderr = yreb(capsys, "sweep", str(path), "--out", str(out), "--workers", "2", "--quiet")
    assert code == 0, stderr  # the same command again resumes
    assert f"({len(done)} before this invocation)" in stdout
    table = results(folder)
    pd.testing.assert_frame_equal(table, results(reference.folder))
    assert not table.duplicated(["point", "replication", "region", "variable", "year"]).any()
    assert len(table) == 48 * 3 * 8 and table.groupby(["point", "replication"]).ngroups == 48
    assert completed_keys(folder) == set(plan.design["key"])

    code, stdout, _ = yreb(capsys, "sweep", str(path), "--out", str(out), "--resume", "--quiet")
    assert code == 0 and "ran 0 " in stdout  # nothing left to run
    pd.testing.assert_frame_equal(results(folder), table)


def test_dask_cluster_equals_local_processes(tmp_path):
    distributed = pytest.importorskip("distributed")
    path = write_sweep(tmp_path, "keep_regions = true\n" + GRID, end_year=2017)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        plan = plan_sweep(path)
        remote = run_sweep(plan, tmp_path / "dask", scheduler=cluster.scheduler_address, batch_size=3, progress=False)
    local = run_sweep(plan, tmp_path / "local", workers=2, batch_size=1, progress=False)
    assert remote.executor.startswith("dask tcp://127.0.0.1") and remote.completed == local.completed == 12
    table = results(remote.folder)
    pd.testing.assert_frame_equal(table, results(local.folder))
    assert set(table.region) == {"Belt", *BELT, "RestOfChina"}


def test_a_bad_scheduler_address_is_bad_input_and_writes_nothing(tmp_path, capsys):
    pytest.importorskip("distributed")
    path = write_sweep(tmp_path, GRID)
    code, _, err = yreb(capsys, "sweep", str(path), "--out", str(tmp_path / "out"), "--scheduler", "127.0.0.1")
    assert code == 2 and "cannot connect to the Dask scheduler" in err
    assert not (tmp_path / "out").exists()


FAILING = """
design = "grid"
replications = 2
[[vary]]
name = "transfer"
path = "policies.2.investment_100m_yuan_per_year"
values = [100.0, 90000.0, 200.0]
"""


def test_a_failing_run_is_recorded_and_the_rest_complete(tmp_path, capsys):
    path = write_sweep(tmp_path, FAILING)
    code, _, err = yreb(
        capsys, "sweep", str(path), "--out", str(tmp_path), "--workers", "2", "--batch-size", "1", "--quiet"
    )
    assert code == 1 and "2 runs failed" in err
    folder = tmp_path / "s"
    failures = pd.read_csv(folder / "failures.csv")
    assert failures["transfer"].tolist() == [90000.0, 90000.0] and failures.replication.tolist() == [0, 1]
    assert failures.error.str.startswith(
        "ModelInvariantError: model invariant broken in year 2016, region Zhejiang, investment"
    ).all()
    table = results(folder)
    assert sorted(table.drop_duplicates(["point", "replication"]).transfer) == [100.0, 100.0, 200.0, 200.0]
    # re-running retries the failed runs only; the failure table still lists each once
    code, stdout, _ = yreb(capsys, "sweep", str(path), "--out", str(tmp_path), "--workers", "1", "--quiet")
    assert code == 1 and "4/6 runs complete (4 before" in stdout
    assert len(pd.read_csv(folder / "failures.csv")) == 2
    pd.testing.assert_frame_equal(results(folder), table)


def test_a_changed_sweep_needs_resume_or_force(tmp_path, capsys):
    path = write_sweep(tmp_path, GRID)
    first = run_sweep(plan_sweep(path), tmp_path / "out", workers=1, progress=False)
    path.write_text(path.read_text().replace("levels = 3", "levels = 2"))  # barrier 0, 1: 4 of 6 points remain
    code, _, err = yreb(capsys, "sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1")
    assert code == 2 and "different sweep" in err and "--resume" in err
    resumed = run_sweep(plan_sweep(path), tmp_path / "out", workers=1, resume=True, progress=False)
    assert (resumed.completed_before, resumed.ran, resumed.completed) == (8, 0, 8)
    assert set(results(first.folder).barrier) == {0.0, 1.0}
    fresh = run_sweep(plan_sweep(path), tmp_path / "out", workers=1, force=True, progress=False)
    assert (fresh.completed_before, fresh.ran) == (0, 8)


# --- analysis ------------------------------------------------------------------------------------


def _synthetic(spec: SweepFile, f, replications: int = 1) -> SweepResults:
    """A SweepResults whose outcome at year 2020 is f(sample row) (+ replication noise 0)."""
    sample = design_sample(spec, 7)
    names = [v.name for v in spec.vary]
    design = pd.DataFrame(
        [
            {
                "point": p,
                "replication": k,
                **{f"sample:{n}": x for n, x in zip(names, row)},
                **{n: v.value_at(x) for n, v, x in zip(names, spec.vary, row)},
            }
            for p, row in enumerate(sample)
            for k in range(replications)
        ]
    )
    y = np.repeat([f(row) for row in sample], replications)
    frame = design.assign(region="Belt", variable="gdp_100m_yuan", year=2020, value=y)
    return SweepResults(Path("."), spec, design, frame, {"root_seed": 7})


def _linear(row):
    return 4 * row[0] + row[1]


def test_sobol_indices_recover_a_known_function():
    sweep = _synthetic(_spec("sobol", 512), _linear)
    values = sweep.results[["point", "replication", "value"]]
    si = sensitivity_indices(sweep, values, seed=1).set_index(["index", "parameter"])
    # Var(4 x1) = 16/12 and Var(x2) = 1/12 for uniform x on [0, 1]: S1 = ST = 16/17, 1/17, 0
    for index in ("S1", "ST"):
        assert si.loc[(index, "parameters.p0"), "value"] == pytest.approx(16 / 17, abs=0.03)
        assert si.loc[(index, "parameters.p1"), "value"] == pytest.approx(1 / 17, abs=0.02)
        assert si.loc[(index, "parameters.p2"), "value"] == pytest.approx(0.0, abs=0.01)
        assert (si.xs(index)["conf"] >= 0).all()
    table = influence_table(si.reset_index().assign(outcome="gdp_100m_yuan", year=2020, noise_share=0.0), sweep, 2020)
    assert table.parameter.tolist() == ["parameters.p0", "parameters.p1", "parameters.p2"]


def test_sobol_at_a_small_n_warns_and_names_the_samples_to_use():
    sweep = _synthetic(_spec("sobol", 8), _linear)
    si = sensitivity_indices(sweep, sweep.results[["point", "replication", "value"]], seed=1)
    warnings = index_warnings(si.assign(outcome="gdp_100m_yuan", year=2020), sweep)
    small = [w for w in warnings if "N = 8 samples is too small" in w]
    assert small and re.search(r"samples = (\d+)", small[0]) and int(re.search(r"samples = (\d+)", small[0])[1]) > 8
    assert any("leave [0, 1]" in w for w in warnings)
    large = _synthetic(_spec("sobol", 1024), _linear)
    si = sensitivity_indices(large, large.results[["point", "replication", "value"]], seed=1)
    large_warnings = index_warnings(si.assign(outcome="gdp_100m_yuan", year=2020), large)
    assert not [w for w in large_warnings if "too small:" in w or "S1 > ST" in w]


def test_morris_mu_star_of_a_linear_function_is_its_slope():
    sweep = _synthetic(_spec("morris", 10), _linear)
    si = sensitivity_indices(sweep, sweep.results[["point", "replication", "value"]], seed=1)
    mu_star = si[si["index"] == "mu_star"].set_index("parameter")["value"]
    np.testing.assert_allclose(mu_star.to_numpy(), [4.0, 1.0, 0.0], atol=1e-9)


def test_lhs_delta_and_s1_single_out_the_dominant_parameter():
    sweep = _synthetic(_spec("lhs", 100), _linear)
    si = sensitivity_indices(sweep, sweep.results[["point", "replication", "value"]], seed=1)
    delta = si[si["index"] == "delta"].set_index("parameter")["value"]
    # Y = 4 x1 + x2: x1 carries 16/17 of the variance; delta of the small effects is biased up (balanced bins)
    assert delta["parameters.p0"] > 0.4 and delta["parameters.p0"] > 3 * delta.drop("parameters.p0").max()
    s1 = si[si["index"] == "S1"].set_index("parameter")["value"]
    assert s1["parameters.p0"] == pytest.approx(16 / 17, abs=0.1) and s1["parameters.p2"] == pytest.approx(0, abs=0.1)
    table = influence_table(si.assign(outcome="gdp_100m_yuan", year=2020, noise_share=0.0), sweep, 2020)
    assert table["index"].eq("delta").all() and table.parameter.iloc[0] == "parameters.p0"


def test_noise_share_is_the_within_point_part_of_the_variance():
    values = pd.DataFrame({"point": [0, 0, 1, 1], "replication": [0, 1, 0, 1], "value": [1.0, 3.0, 5.0, 7.0]})
    assert noise_share(values) == pytest.approx(1.0 / 5.0)  # within 1 (each point), total 5 (mean 4)


def test_grid_main_effects():
    levels = np.array(list(np.ndindex(3, 2)), dtype=float)
    y = (2 * levels[:, 0] + levels[:, 1])[:, None]
    # Var of the conditional means: 2x (0, 2, 4) -> 8/3; (0, 1) -> 1/4; total 8/3 + 1/4
    np.testing.assert_allclose(main_effect_shares(y, levels), [(8 / 3) / (8 / 3 + 1 / 4), (1 / 4) / (8 / 3 + 1 / 4)])
    assert np.isnan(main_effect_shares(np.ones((6, 2)), levels)).all()


def test_sweep_report_writes_plots_and_tables(tmp_path, capsys):
    path = write_sweep(tmp_path, GRID, end_year=2018)
    run_sweep(plan_sweep(path), tmp_path, workers=1, progress=False)
    code, _, err = yreb(capsys, "sweep-report", str(tmp_path / "s"), "--outcomes", "gdp_100m_yuan", "theil_t_between")
    assert code == 0, err
    report = tmp_path / "s" / "report"
    for name in (
        "response_gdp_100m_yuan",
        "indices_gdp_100m_yuan",
        "indices_over_time_theil_t_between",
        "heatmap_gdp_100m_yuan__policies.0.researchers__barrier",
    ):
        assert (report / f"{name}.png").stat().st_size > 10_000, name
    influence = pd.read_csv(report / "influence.csv")
    assert set(influence.outcome) == {"gdp_100m_yuan", "theil_t_between"}
    assert influence.noise_share.between(0, 1).all()
    assert (influence.year == 2018).all() and (influence["index"] == "main_effect").all()
    # the main-effect shares equal a direct computation from the results table
    table = results(tmp_path / "s")
    y = table[(table.variable == "gdp_100m_yuan") & (table.year == 2018)]
    means = y.groupby(["policies.0.researchers", "barrier"]).value.mean()
    by_barrier = means.groupby(level="barrier").mean()
    expected = by_barrier.reindex(means.index.get_level_values("barrier")).var(ddof=0) / means.var(ddof=0)
    row = influence[(influence.outcome == "gdp_100m_yuan") & (influence.parameter == "barrier")]
    assert row.value.iloc[0] == pytest.approx(expected, rel=1e-9)
    assert "| rank | parameter |" in (report / "influence.md").read_text()
    indices = pd.read_csv(report / "indices.csv")
    # policies start in 2016: no indices for 2015, when the varied inputs cannot matter (noise would read as signal)
    assert sorted(indices.year.unique()) == [2016, 2017, 2018]
    code, _, err = yreb(capsys, "sweep-report", str(tmp_path / "s"), "--outcomes", "gdp_100m_yuan")
    assert code == 2 and "already exists" in err and "--force" in err  # refuses to overwrite
    code, _, err = yreb(capsys, "sweep-report", str(tmp_path / "s"), "--outcomes", "gdp_100m_yuan", "--force")
    assert code == 0, err
    code, _, err = yreb(capsys, "sweep-report", str(tmp_path / "s"), "--year", "2015", "--force")
    assert code == 2 and "cannot matter yet" in err and "2016" in err
    code, _, err = yreb(capsys, "sweep-report", str(tmp_path / "s"), "--year", "2030")
    assert code == 2 and "year not simulated" in err
    code, _, err = yreb(capsys, "sweep-report", str(tmp_path / "s"), "--outcomes", "theil_l_total")
    assert code == 2 and "outcome not recorded by this sweep" in err and "theil_t_between" in err
    code, _, err = yreb(capsys, "sweep-report", str(tmp_path / "s"), "--outcomes", "happiness")
    assert code == 2 and "unknown outcomes" in err
