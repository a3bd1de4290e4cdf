"""The command line as a user meets it first: `yreb scenarios` from any folder, and a start that does not import
the numerical stack for --help, `yreb scenarios` and errors in the scenario file (benchmarks/startup.py times it)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "mesa", "matplotlib", "scipy", "pydantic")
PROBE = (
    "import sys\nfrom yreb.cli import main\ntry:\n    code = main(sys.argv[1:])\nexcept SystemExit as e:\n"
    f"    code = e.code\nprint('IMPORTED', sorted(m for m in {set(HEAVY)} if m in sys.modules), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def probe(args, cwd):
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd)
    imported = [line for line in proc.stderr.splitlines() if line.startswith("IMPORTED")][0]
    return proc, imported


def test_yreb_scenarios_lists_every_shipped_scenario_and_sweep_with_its_description(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "yreb", "scenarios"], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    text = " ".join(proc.stdout.split())
    for path in [*(ROOT / "scenarios").glob("*.toml"), *(ROOT / "scenarios" / "sweeps").glob("*.toml")]:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        assert f" {path.stem} " in text, path.stem
        assert " ".join(doc["description"].split()) in text, path.stem
    assert text.index("Scenarios (yreb run NAME):") < text.index("Sweeps (yreb sweep NAME):")
    names = subprocess.run(
        [sys.executable, "-m", "yreb", "scenarios", "--names"], capture_output=True, text=True, cwd=tmp_path
    ).stdout.split()
    assert "baseline" in names and "behaviour_sobol" in names
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["scenarios"], ["--version"], ["export", "--help"]])
def test_help_and_listing_import_no_numerical_package(args, tmp_path):
    proc, imported = probe(args, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert imported == "IMPORTED []"


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "missing.toml"], "missing.toml: file not found"),
        (["run", "bad.toml"], "bad.toml: malformed TOML: Invalid value (at line 1, column 8)"),
        (["run", "baseline", "--replications", "0"], "expected a number >= 1"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["export", "nowhere", "--format", "iamc"], "nowhere: result folder not found"),
        (["export", ".", "--format", "csv", "--out", "bad.toml"], "bad.toml: file already exists"),
        (["compare", "nowhere", "elsewhere"], "nowhere: result folder not found"),
        (["compare", "nowhere", "elsewhere", "--format", "gif"], "invalid choice: 'gif'"),
        (["compare", ".", "elsewhere"], ".: not a complete result folder"),
        (["hindcast", "--observed", "missing.csv"], "missing.csv: file not found"),
        (["hindcast", "--scenario", "missing.toml"], "missing.toml, --scenario: scenario file not found"),
        (["hindcast", "--scenario", "bad.toml"], "bad.toml: malformed TOML"),
        (["validate", "bad.toml"], "bad.toml: malformed TOML"),
        (["app", "--port", "0"], "expected a port from 1 to 65535"),
    ],
)
def test_input_errors_are_reported_before_the_model_and_the_plots_are_imported(args, message, tmp_path):
    (tmp_path / "bad.toml").write_text("name = = 3\n", encoding="utf-8")
    proc, imported = probe(args, tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert not {"mesa", "matplotlib", "scipy"} & set(ast.literal_eval(imported.removeprefix("IMPORTED "))), imported


@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_scenario_file_schema_error_is_reported_before_pandas_is_imported(command, tmp_path):
    """A misspelt key or a wrong type is found by the schema alone: no table is read, so pandas (0.4 s of
    start-up) is not imported (issue 17: an error message from `yreb run` in under 0.5 s)."""
    (tmp_path / "typo.toml").write_text('name = "typo"\nyears = "x"\n', encoding="utf-8")
    proc, imported = probe([command, "typo.toml"], tmp_path)
    assert proc.returncode == 2
    assert "typo.toml, line 2, field 'years'" in proc.stderr, proc.stderr
    assert not {"pandas", "mesa", "matplotlib", "scipy"} & set(ast.literal_eval(imported.removeprefix("IMPORTED ")))


def test_validate_checks_and_calibrates_without_importing_the_model(tmp_path):
    proc, imported = probe(["validate", "baseline", "full_coordination"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "baseline: ok (baseline: 12 regions" in proc.stdout and "full_coordination: ok" in proc.stdout
    assert "mesa" not in imported and "matplotlib" not in imported, imported


def test_a_run_without_plots_does_not_import_matplotlib(tmp_path):
    """`yreb run --no-plots` draws nothing, so it does not pay matplotlib's import (about 0.8 s; issue 17)."""
    proc, imported = probe(
        ["run", "baseline", "--no-plots", "--replications", "1", "--quiet", "--out", "out"], tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "out" / "baseline"
    assert (folder / "results.parquet").exists() and not list(folder.glob("*.png"))
    assert "matplotlib" not in imported and "mesa" in imported, imported


def test_startup_benchmark_runs():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "startup.py"), "--repeats", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "yreb --help" in proc.stdout and "python -c pass" in proc.stdout
