"""End-to-end `yreb run` and `yreb validate`, and the promised behaviour on bad scenario files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from helpers import ROOT
from yreb.cli import main
from yreb.inputs.regions import load_region_table

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def yreb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yreb", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_end_to_end_baseline(tmp_path):
    proc = yreb("run", "scenarios/baseline.toml", "--out", str(tmp_path), "--replications", "3", "--quiet")
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "baseline"
    results = pd.read_parquet(folder / "results.parquet")
    assert list(results.columns) == ["scenario", "replication", "seed", "region", "variable", "unit", "year", "value"]
    assert sorted(results.replication.unique()) == [0, 1, 2]
    assert results.year.min() == 2015 and results.year.max() == 2035
    csv = pd.read_csv(folder / "results.csv")
    assert len(csv) == len(results)
    table = load_region_table()
    base = results[(results.year == 2015) & (results.variable == "gdp_100m_yuan")].groupby("region").value.mean()
    for name, gdp in zip(table.names, table.gdp_100m_yuan):
        assert base[name] == pytest.approx(gdp, rel=5e-3)
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["scenario"]["name"] == "baseline"
    assert set(meta["seeds"]) == {"0", "1", "2"}
    assert meta["versions"]["mesa"].startswith("3.5")
    assert "commit" in meta["git"] and len(meta["code_sha256"]) == 64
    assert meta["timings"]["total_seconds"] > 0
    for plot in ("gdp_100m_yuan", "gdp_per_capita_yuan", "talent_persons", "capital_installed_100m_yuan"):
        assert (folder / f"{plot}.png").stat().st_size > 10_000
    # the inequality metrics are a chart in report.html (drawn by the browser), a file only with --more-figures
    assert "data-chart='inequality'" in (folder / "report.html").read_text(encoding="utf-8")
    assert not (folder / "inequality.png").exists()
    assert (folder / "scenario.toml").read_text() == (ROOT / "scenarios" / "baseline.toml").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".yreb-tmp")]


def test_existing_result_folder_needs_force(tmp_path):
    args = ["run", "scenarios/baseline.toml", "--out", str(tmp_path), "--replications", "1", "--quiet", "--no-plots"]
    assert main(args) == 0
    before = (tmp_path / "baseline" / "results.parquet").read_bytes()
    assert main(args) == 2
    assert (tmp_path / "baseline" / "results.parquet").read_bytes() == before
    assert main(args + ["--force", "--seed", "7"]) == 0
    assert (tmp_path / "baseline" / "results.parquet").read_bytes() != before


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_validates(path):
    proc = yreb("validate", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "ok" in proc.stdout


BAD_SCENARIOS = {
    "unknown key": ('name = "x"\nreplicatons = 3\n', "replicatons", "unknown key"),
    "wrong type": ('name = "x"\nreplications = "ten"\n', "replications", "integer"),
    "out of range": (
        'name = "x"\n[parameters]\nrechoice_rate = 1.5\n',
        "parameters.rechoice_rate",
        "less than or equal to 1",
    ),
    "reversed years": ('name = "x"\nstart_year = 2015\nend_year = 2010\n', "end_year", "must be after"),
    "malformed TOML": ('name = "x"\nseed = = 3\n', "line 2", "malformed TOML"),
    "unknown region": (
        'name = "x"\n[[policies]]\ntype = "co_built_park"\nstart = 2020\nsponsor = "Jiangsu"\nhost = "Anhwei"\n',
        "policies[0].host",
        "Anhui",
    ),
    "unknown policy type": ('name = "x"\n[[policies]]\ntype = "teleport"\nstart = 2020\n', "policies[0]", "barrier"),
    "negative head-count": (
        'name = "x"\n[[policies]]\ntype = "innovation_enclave"\nstart = 2020\nhome = "Jiangxi"\n'
        'hub = "Shanghai"\nresearchers = -5\n',
        "policies[0].researchers",
        "greater than or equal to 0",
    ),
    "end before start": (
        'name = "x"\n[[policies]]\ntype = "barrier"\nstart = 2025\nend = 2020\n',
        "policies[0]",
        "before start",
    ),
    "path in name": ('name = "../escape"\n', "name", "path separators"),
    "chain: unknown region": (
        'name = "x"\n[[policies]]\ntype = "industrial_chain"\nstart = 2020\nregions = ["Sichuan", "Chungking"]\n'
        'lead = "Sichuan"\n',
        "policies[0].regions",
        "Chongqing",
    ),
    "chain: lead not a member": (
        'name = "x"\n[[policies]]\ntype = "industrial_chain"\nstart = 2020\nregions = ["Sichuan", "Chongqing"]\n'
        'lead = "Hubei"\n',
        "policies[0].lead",
        "must be one of the policy's regions",
    ),
    "chain: bad sector": (
        'name = "x"\n[[policies]]\ntype = "industrial_chain"\nstart = 2020\nregions = ["Sichuan", "Chongqing"]\n'
        'lead = "Chongqing"\nsector = "energy"\n',
        "policies[0].sector",
        "'primary', 'secondary' or 'tertiary'",
    ),
    "green zone: negative cut": (
        'name = "x"\n[[policies]]\ntype = "green_cooperation_zone"\nstart = 2020\nregions = ["Hubei", "Hunan"]\n'
        "secondary_intensity_cut = -0.1\n",
        "policies[0].secondary_intensity_cut",
        "greater than or equal to 0",
    ),
    "green zone: unknown region": (
        'name = "x"\n[[policies]]\ntype = "green_cooperation_zone"\nstart = 2020\nregions = ["Hubei", "Hunnan"]\n',
        "policies[0].regions",
        "Hunan",
    ),
    "intensity target: negative cut": (
        'name = "x"\n[[policies]]\ntype = "emission_intensity_target"\nstart = 2020\nregions = "belt"\n'
        "annual_cut = -0.02\n",
        "policies[0].annual_cut",
        "greater than or equal to 0",
    ),
    "intensity target: bad sector": (
        'name = "x"\n[[policies]]\ntype = "emission_intensity_target"\nstart = 2020\nregions = "belt"\n'
        'emitter = "industry"\n',
        "policies[0].emitter",
        "'households'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_scenario_exits_2_names_field_and_writes_nothing(tmp_path, case):
    text, field, hint = BAD_SCENARIOS[case]
    scenario = tmp_path / "bad.toml"
    scenario.write_text(text)
    out = tmp_path / "out"
    proc = yreb("run", str(scenario), "--out", str(out), "--quiet")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(scenario) in proc.stderr and field in proc.stderr and hint in proc.stderr, proc.stderr
    assert not out.exists()


def git(*args: str, cwd) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip()


def test_a_copy_of_the_package_inside_another_repository_records_no_commit_until_that_repository_tracks_it(tmp_path):
    """An installed copy (here: the package laid out as a wheel installs it) inside some other git checkout must
    not report that checkout's commit; once that checkout tracks the package's files it is this project's
    checkout and its commit is recorded."""
    repo, site = tmp_path / "other_repo", tmp_path / "other_repo" / "env" / "site-packages"
    shutil.copytree(ROOT / "simulation" / "yreb", site / "yreb", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "scenarios", site / "yreb" / "scenarios")
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.org"]
    git("init", "-q", cwd=repo)
    (repo / "README").write_text("another project\n")
    git("add", "README", cwd=repo)
    git(*identity, "commit", "-q", "-m", "another project", cwd=repo)
    env = {**os.environ, "PYTHONPATH": str(site)}

    def recorded_git(out: str) -> dict:
        command = [sys.executable, "-m", "yreb", "run", "baseline", "--replications", "1", "--no-plots", "--quiet"]
        done = subprocess.run([*command, "--out", out], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        meta = json.loads((tmp_path / out / "baseline" / "metadata.json").read_text())
        return meta["git"]

    assert recorded_git("untracked") == {"commit": "unknown", "dirty": None}  # not other_repo's commit
    git("add", "env", cwd=repo)
    git(*identity, "commit", "-q", "-m", "vendor yreb", cwd=repo)
    assert recorded_git("tracked") == {"commit": git("rev-parse", "HEAD", cwd=repo), "dirty": False}
