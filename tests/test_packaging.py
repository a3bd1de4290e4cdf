"""The package as a user installs it: a wheel built with the lowest setuptools pyproject.toml allows, installed in
a fresh venv with constraints.txt, then `yreb scenarios`, `yreb run baseline`, `yreb hindcast` and
`yreb export --format iamc` from an empty folder; pyam (extra 'iamc') loads the export in a venv of its own.

Slow (fresh venvs; pip's cache makes repeated runs take a minute or two), and part of CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from yreb import __version__

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from lock import canonical, closure, read_lock  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.long]
SOURCE = ("pyproject.toml", "README.md", "LICENSE", "simulation", "scenarios")  # what a build needs
TEST_TOOLS = {"pytest", "hypothesis", "distributed", "solara", "ipykernel", "nbclient", "xarray", "ruff", "pint"}
ENV = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "MPLBACKEND"))}


def run(cmd, cwd=None, timeout=900):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=ENV)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def make_venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(path)
    return path / "bin"


def minimum_setuptools() -> str:
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    (spec,) = [r for r in requires if r.startswith("setuptools")]
    return re.fullmatch(r"setuptools>=([\d.]+)", spec).group(1)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built without build isolation in a venv holding exactly the lowest declared setuptools."""
    tmp = tmp_path_factory.mktemp("build")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCE:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(ROOT / name, src / name)
    bin_ = make_venv(tmp / "venv")
    run([bin_ / "pip", "install", "--quiet", f"setuptools=={minimum_setuptools()}"])
    run([bin_ / "pip", "wheel", "--no-build-isolation", "--no-deps", "--quiet", "-w", tmp / "dist", src])
    (path,) = (tmp / "dist").glob("*.whl")
    return path


def test_wheel_holds_the_package_data_licence_and_one_version(wheel):
    assert wheel.name == f"yreb_flows-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = z.read(f"yreb_flows-{__version__}.dist-info/METADATA").decode()
    for name in (
        "yreb/api.py",
        "yreb/export/iamc.py",
        "yreb/data/regions_2015.csv",
        "yreb/data/observed_provinces.csv",
        "yreb/scenarios/baseline.toml",
        "yreb/scenarios/README.md",
        "yreb/scenarios/sweeps/behaviour_sobol.toml",
        "yreb/scenarios/sweeps/base/enclave_and_barriers.toml",
        "yreb/viz/vendor/vega.min.js",
        "yreb/viz/vendor/vega-lite.min.js",
        "yreb/viz/vendor/vega-embed.min.js",
        "yreb/viz/vendor/vega.LICENSE.txt",
        f"yreb_flows-{__version__}.dist-info/licenses/LICENSE",
    ):
        assert name in names, name
    assert f"\nVersion: {__version__}\n" in meta
    assert "\nLicense-Expression: MIT\n" in meta
    assert "\nRequires-Python: >=3.12\n" in meta
    assert "Classifier: Programming Language :: Python :: 3.12" in meta
    assert "Provides-Extra: iamc" in meta and "Provides-Extra: netcdf" in meta


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel and its dependencies at the versions of constraints.txt."""
    bin_ = make_venv(tmp_path_factory.mktemp("user") / "venv")
    run([bin_ / "pip", "install", "--quiet", "-c", ROOT / "constraints.txt", wheel])
    return bin_


def test_installed_versions_are_those_of_constraints_txt_and_no_test_tools(installed):
    packages = json.loads(run([installed / "pip", "list", "--format=json"]).stdout)
    versions = {canonical(p["name"]): p["version"] for p in packages}
    versions = {n: v for n, v in versions.items() if n not in ("pip", "yreb-flows")}
    pins = read_lock()
    assert {n: v for n, v in versions.items() if pins.get(n) != v} == {}, "installed without a pin or another version"
    assert not TEST_TOOLS & set(versions), "running needs no test or development tools"


def test_a_user_runs_scenarios_baseline_hindcast_and_export_from_an_empty_folder(installed, tmp_path):
    yreb = installed / "yreb"
    work = tmp_path / "work"
    work.mkdir()
    listing = run([yreb, "scenarios"], cwd=work).stdout
    assert "baseline" in listing and "enclave_barrier_grid" in listing
    assert list(work.iterdir()) == []
    sweep = run([yreb, "sweep", "enclave_barrier_grid", "--dry-run"], cwd=work).stdout  # its base file is shipped too
    assert "sweep enclave_barrier_grid: grid design, 25 points" in sweep
    out = run([yreb, "run", "baseline", "--quiet"], cwd=work).stdout
    assert "wrote results/baseline: 10 replications x 21 years" in out
    folder = work / "results" / "baseline"
    assert {"results.parquet", "flows.parquet", "metadata.json", "scenario.toml", "report.html"} <= {
        p.name for p in folder.iterdir()
    }
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["versions"]["yreb-flows"] == __version__
    assert metadata["git"] == {"commit": "unknown", "dirty": None}  # an installed wheel has no checkout to report
    # a comparison report with its charts' scripts inlined from the installed package
    run([yreb, "run", "barriers_removed", "--quiet", "--no-plots"], cwd=work)
    run([yreb, "compare", "results/baseline", "results/barriers_removed", "--quiet", "--no-pdf"], cwd=work)
    report = (work / "results" / "compare-baseline-barriers_removed" / "report.html").read_text(encoding="utf-8")
    assert report.count("data-chart=") >= 2 and "vegaEmbed(" in report
    hindcast = run([yreb, "hindcast"], cwd=work).stdout
    assert "mean absolute error of shares" in hindcast and (work / "results" / "hindcast").is_dir()
    run([yreb, "export", "results/baseline", "--format", "iamc"], cwd=work)
    iamc = pd.read_csv(work / "results" / "baseline.iamc.csv")
    assert set(iamc.model) == {f"yreb {__version__}"}
    assert {"GDP|Real", "GDP|Real|q05", "Population"} <= set(iamc.variable)
    proc = subprocess.run(
        [yreb, "export", "results/baseline", "--format", "netcdf"], capture_output=True, text=True, cwd=work, env=ENV
    )
    assert proc.returncode == 2 and "pip install 'yreb-flows[netcdf]'" in proc.stderr  # not installed here
    proc = subprocess.run([yreb, "app"], capture_output=True, text=True, cwd=work, env=ENV)
    assert proc.returncode == 2 and "pip install 'yreb-flows[app]'" in proc.stderr  # the explorer's extra
    # bit-identical to this checkout's numbers: the same package versions (constraints.txt)
    run([sys.executable, "-m", "yreb", "run", "baseline", "--quiet", "--no-plots", "--out", tmp_path / "here"])
    wheel_table = pd.read_parquet(folder / "results.parquet")
    here = pd.read_parquet(tmp_path / "here" / "baseline" / "results.parquet")
    pd.testing.assert_frame_equal(wheel_table.drop(columns="value"), here.drop(columns="value"))
    assert wheel_table.value.to_numpy().tobytes() == here.value.to_numpy().tobytes()


def test_pyam_loads_the_iamc_export(wheel, installed, tmp_path):
    """pyam (extra 'iamc') caps numpy, matplotlib or pandas below constraints.txt, so it gets a venv of its own
    (constraints-iamc.txt); it reads a file that the install of constraints.txt wrote."""
    work = tmp_path / "work"
    work.mkdir()
    run([installed / "yreb", "run", "baseline", "--replications", "3", "--no-plots", "--quiet"], cwd=work)
    run([installed / "yreb", "export", "results/baseline", "--format", "iamc"], cwd=work)
    bin_ = make_venv(tmp_path / "pyam-venv")
    run([bin_ / "pip", "install", "--quiet", "-c", ROOT / "constraints-iamc.txt", f"{wheel}[iamc]"])
    check = (
        "import pandas as pd, pyam\n"
        "df = pyam.IamDataFrame('results/baseline.iamc.csv')\n"
        "t = pd.read_parquet('results/baseline/results.parquet')\n"
        f"assert df.model == ['yreb {__version__}'], df.model\n"
        "assert df.scenario == ['baseline']\n"
        "assert df.filter(variable='Population').unit == ['million']\n"
        "got = df.filter(variable='GDP|Real', region='Hubei', year=2035).timeseries().iloc[0, 0]\n"
        "want = t[(t.variable == 'gdp_100m_yuan') & (t.region == 'Hubei') & (t.year == 2035)].value.median() * 0.1\n"
        "assert abs(got - want) <= 1e-9 * abs(want), (got, want)\n"
        "print('pyam', pyam.__version__, len(df))\n"
    )
    out = run([bin_ / "python", "-c", check], cwd=work).stdout
    assert out.startswith("pyam ")


def test_constraints_txt_is_the_lock_of_the_test_environment():
    """make test installs with constraints.txt: this environment is what the file pins (tools/lock.py)."""
    pins = read_lock()
    mismatched = {n: (pins.get(n), v) for n, v in closure(("test",)).items() if pins.get(n) != v}
    assert mismatched == {}, "regenerate constraints.txt (make lock) or reinstall (make clean test)"
