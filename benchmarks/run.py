"""Benchmarks of yreb where users wait: every row is a value, its floor or peer measured in the same run, the ratio
of the two and the target (issue #17). Prints a Markdown table with the date, commit, machine and load average.

Rows (docs/performance.md says what each measures and why that floor or peer):
- whole processes: ``yreb --help`` and the error messages of ``yreb run`` on a bad file, ``yreb compare`` on a
  missing result folder and ``yreb hindcast`` on a missing observed file, against ``python -c pass``;
  ``yreb validate baseline`` against ``python -c "import numpy, pandas, pydantic"``; what ``yreb --help``
  imports (``python -X importtime``); ``yreb run baseline --no-plots`` against
  ``python -c "import numpy, pandas, pyarrow"``; ``yreb run baseline`` with plots against without;
- the model in a fresh process per size: the N = 12 21-year run (construction, 21 steps, both tidy tables)
  against 21 numpy-floor years; the mean-field year at N = 130, 500 and 2,000 against the numpy floor of one
  year (one S x N x N trade-share evaluation and the two N x N migration logits, ``floor_year_ms``); the
  goods-market solver's share of that year; peak memory at N = 2,000 with flows recorded against the same run
  without; the base-year calibration at N = 2,000 against the floor year;
- the plain per-agent Mesa model (``benchmarks/plain_mesa.py``) against the vectorised model, N = 12 and 130;
- OpenBLAS threads: a year at N = 130 with the library's default threads against one thread;
- sweep throughput: ``yreb sweep`` (1 worker) against ``mesa.batch_run`` (1 process) on the same design,
  each a whole process.

Every process the script starts runs with ``OPENBLAS_NUM_THREADS=1`` unless ``--blas-threads default`` (the BLAS
row measures both). Times are wall clock, the best of the repeats; a value and its peer are timed alternately.

Usage:
    .venv/bin/python benchmarks/run.py                  # full (about 10 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --short          # fewer years, repeats and runs, for CI (under a minute)
    .venv/bin/python benchmarks/run.py --update-docs    # full, and write the table into the docs and README
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

SIZES = (130, 500, 2000)
HEAVY_MODULES = ("numpy", "pandas", "scipy", "matplotlib", "mesa", "pyarrow", "pydantic")
HELP_RATIO_TARGET = 10.0
ERROR_SECONDS_TARGET = 0.5
CLI_SECONDS_TARGET = 1.0  # issue 16: validate and the error messages of compare and hindcast, whole process
RUN_RATIO_TARGET = 2.5
PLOTS_RATIO_TARGET = 1.5
COMPARE_SECONDS_TARGET = 5.0  # two 10-replication runs, 2-core machine
N12_RUN_TARGET_MS = 50.0
YEAR_FLOOR_TARGET = 3.0  # at N = 2,000
MEMORY_TARGET_MB = 2048.0
CALIBRATION_TARGET_S = 2.0
PLAIN_RATIO_TARGET = 20.0
SWEEP_RATIO_TARGET = 5.0
BLAS_VARIABLE = "OPENBLAS_NUM_THREADS"

HELP_LABEL = "`yreb --help`, whole process, vs `python -c pass`"
IMPORTS_LABEL = "modules imported by `yreb --help` (`python -X importtime`) vs `python -c pass`"
ERROR_LABEL = "`yreb run` error message on a bad scenario file, whole process, vs `python -c pass`"
VALIDATE_LABEL = (
    '`yreb validate baseline` (schema and base-year calibration), whole process, vs `python -c "import numpy, '
    'pandas, pydantic"`'
)
COMPARE_ERROR_LABEL = "`yreb compare` error message on a missing result folder, whole process, vs `python -c pass`"
HINDCAST_ERROR_LABEL = "`yreb hindcast --observed missing.csv` error message, whole process, vs `python -c pass`"
RUN_LABEL = (
    '`yreb run baseline --no-plots` (10 replications), whole process, vs `python -c "import numpy, pandas, pyarrow"`'
)
PLOTS_LABEL = "`yreb run baseline` with plots vs `--no-plots`, whole process"
COMPARE_LABEL = (
    "`yreb compare` baseline and barriers_removed (10 replications each, report without the PDF), whole process, "
    'vs `python -c "import numpy, pandas, pyarrow"`'
)
N12_LABEL = "21-year run incl. both tidy tables, in process"
YEAR_LABEL = "mean-field year (median of years 2 on) vs numpy floor year"
SOLVER_LABEL = "goods-market solver in the mean-field year vs the whole year"
MEMORY_LABEL = "peak memory, 21-year mean-field run with flows recorded vs without"
CALIBRATION_LABEL = "base-year calibration vs numpy floor year"
FIT_LABEL = "history fit 2015-2019 vs one mean-field baseline run 2015-2035"
PLAIN_LABEL = "plain per-agent Mesa year vs vectorised year (mean-field)"
BLAS_LABEL = "mean-field year, OpenBLAS default threads vs 1 thread"
SWEEP_LABEL = "sweep, 1 worker, whole process: `yreb sweep` vs `mesa.batch_run` (runs/s)"


@dataclass
class Row:
    measurement: str
    n: str
    value: float
    unit: str
    peer: float
    ratio: float  # value / peer, or peer / value where ``inverse`` (a speed-up)
    target: str
    met: bool | None
    note: str = ""

    def cells(self) -> list[str]:
        met = "" if self.met is None else ("yes" if self.met else "**no**")
        value = f"{fmt(self.value)} {self.unit}" + (f" ({self.note})" if self.note else "")
        return [
            self.measurement,
            self.n,
            value,
            f"{fmt(self.peer)} {self.unit}",
            f"{self.ratio:.2f}x",
            self.target,
            met,
        ]


def fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def environment(blas_threads: str) -> dict[str, str]:
    env = dict(os.environ)
    if blas_threads != "default":
        env[BLAS_VARIABLE] = blas_threads
    return env


def yreb_command() -> list[str]:
    script = Path(sys.executable).parent / "yreb"
    return [str(script)] if script.exists() else [sys.executable, "-m", "yreb"]


def wall(
    command: list[str], env: dict, expect: int = 0, cwd: Path | None = None
) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
    seconds = time.perf_counter() - start
    if done.returncode != expect:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}, expected {expect}:\n{done.stderr[-2000:]}")
    return seconds, done


def paired(value_cmd, peer_cmd, env, repeats: int, expect: int = 0, cwd=None) -> tuple[float, float]:
    """Best wall seconds of two commands, timed alternately."""
    values, peers = [], []
    for _ in range(repeats):
        peers.append(wall(peer_cmd, env, cwd=cwd)[0])
        values.append(wall(value_cmd, env, expect, cwd=cwd)[0])
    return min(values), min(peers)


# --- whole processes -------------------------------------------------------------------------------------------


def cli_rows(env: dict, short: bool, folder: Path) -> tuple[list[Row], str]:
    yreb, python = yreb_command(), [sys.executable]
    repeats = 3 if short else 7
    rows = []
    value, peer = paired([*yreb, "--help"], [*python, "-c", "pass"], env, repeats)
    rows.append(
        Row(
            HELP_LABEL,
            "-",
            value,
            "s",
            peer,
            value / peer,
            f"<= {HELP_RATIO_TARGET:.0f}x",
            value / peer <= HELP_RATIO_TARGET,
        )
    )
    modules = imported_modules([*python, "-X", "importtime", "-m", "yreb", "--help"], env)
    bare = imported_modules([*python, "-X", "importtime", "-c", "pass"], env)
    heavy = sorted({m.split(".")[0] for m in modules} & set(HEAVY_MODULES))
    rows.append(
        Row(
            IMPORTS_LABEL,
            "-",
            len(modules),
            "modules",
            len(bare),
            len(modules) / len(bare),
            "none of " + ", ".join(HEAVY_MODULES[:5]),
            not heavy,
            "heavy: " + (", ".join(heavy) if heavy else "none"),
        )
    )
    bad = folder / "bad.toml"
    bad.write_text('name = "bad"\nend_year = "soon"\n', encoding="utf-8")
    value, peer = paired(
        [*yreb, "run", str(bad), "--out", str(folder / "out")], [*python, "-c", "pass"], env, repeats, 2
    )
    rows.append(
        Row(
            ERROR_LABEL,
            "12",
            value,
            "s",
            peer,
            value / peer,
            f"< {ERROR_SECONDS_TARGET} s",
            value < ERROR_SECONDS_TARGET,
        )
    )
    validate_floor = [*python, "-c", "import numpy, pandas, pydantic"]
    value, peer = paired([*yreb, "validate", "baseline"], validate_floor, env, repeats)
    rows.append(
        Row(
            VALIDATE_LABEL,
            "12",
            value,
            "s",
            peer,
            value / peer,
            f"< {CLI_SECONDS_TARGET:.0f} s",
            value < CLI_SECONDS_TARGET,
        )
    )
    for label, command in (
        (COMPARE_ERROR_LABEL, ["compare", str(folder / "missing"), str(folder / "missing too")]),
        (HINDCAST_ERROR_LABEL, ["hindcast", "--observed", str(folder / "missing.csv"), "--out", str(folder / "h")]),
    ):
        value, peer = paired([*yreb, *command], [*python, "-c", "pass"], env, repeats, 2)
        rows.append(
            Row(label, "-", value, "s", peer, value / peer, f"< {CLI_SECONDS_TARGET:.0f} s", value < CLI_SECONDS_TARGET)
        )
    baseline = [*yreb, "run", "baseline", "--out", str(folder / "out"), "--force", "--quiet"]
    if short:
        baseline += ["--replications", "1"]
    note = "short: 1 replication" if short else ""
    run_repeats = 1 if short else 3
    floor_cmd = [*python, "-c", "import numpy, pandas, pyarrow"]
    value, peer = paired([*baseline, "--no-plots"], floor_cmd, env, run_repeats)
    rows.append(
        Row(
            RUN_LABEL,
            "12",
            value,
            "s",
            peer,
            value / peer,
            f"<= {RUN_RATIO_TARGET}x",
            value / peer <= RUN_RATIO_TARGET,
            note,
        )
    )
    with_plots, without = paired(baseline, [*baseline, "--no-plots"], env, run_repeats)
    ratio = with_plots / without
    rows.append(
        Row(
            PLOTS_LABEL,
            "12",
            with_plots,
            "s",
            without,
            ratio,
            f"<= {PLOTS_RATIO_TARGET}x",
            ratio <= PLOTS_RATIO_TARGET,
            note,
        )
    )
    scenario = [*yreb, "run", "barriers_removed", "--out", str(folder / "out"), "--force", "--quiet", "--no-plots"]
    wall(scenario + (["--replications", "1"] if short else []), env)
    compare = [*yreb, "compare", str(folder / "out" / "baseline"), str(folder / "out" / "barriers_removed")]
    compare += ["--out", str(folder / "cmp"), "--force", "--quiet", "--no-pdf"]
    seconds, floor = paired(compare, floor_cmd, env, run_repeats)
    rows.append(
        Row(
            COMPARE_LABEL,
            "12",
            seconds,
            "s",
            floor,
            seconds / floor,
            f"< {COMPARE_SECONDS_TARGET:.0f} s",
            seconds < COMPARE_SECONDS_TARGET,
            note,
        )
    )
    listing = "`yreb --help` imports " + ", ".join(
        sorted({m.split(".")[0] for m in modules} - {m.split(".")[0] for m in bare})
    )
    return rows, listing


def imported_modules(command: list[str], env: dict) -> list[str]:
    """Modules a command imports, from ``python -X importtime`` (stderr lines ``import time: self | cum | name``)."""
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    names = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and not line.rstrip().endswith("imported package"):
            names.append(line.split("|")[-1].strip())
    return names


# --- the model in a fresh process ------------------------------------------------------------------------------


def floor_year_ms(n: int, repeats: int) -> float:
    """The numpy work one model year cannot avoid at N regions: one evaluation of the S x N x N trade shares
    (``kernels.trade_shares``) and the N x N destination logits of talent and labour (``kernels.logit_shares``)."""
    import numpy as np

    from yreb.model import kernels as k

    rng = np.random.default_rng(n)
    weight, price = rng.random((3, n)) + 0.5, rng.random((3, n)) + 0.5
    deterrence = rng.random((3, n, n))
    migration = [(rng.random((n, n)), rng.random((n, n)) + 0.5, kappa) for kappa in (2.0, 1.5)]
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        k.trade_shares(weight, price, deterrence, 4.0)
        for d, v, kappa in migration:
            k.logit_shares(d, v, kappa)
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def scenario_for(table: str | None, stochastic: bool, years: int):
    from yreb.inputs.scenario import default_scenario
    from yreb.model.parameters import ModelParameters

    return default_scenario(
        region_table=table or None,
        end_year=2015 + years - 1,
        parameters=ModelParameters(stochastic=stochastic),
        replications=1,
        history={"fit_until": 2015},  # model years only: the history fit is timed in its own row
    )


def child_model(n: int, table: str, stochastic: bool, years: int, flows: bool, repeats: int) -> dict:
    """In a fresh process: calibration, the floor year, then the best of ``repeats`` runs with step and solver times."""
    from yreb.model import solvers
    from yreb.model.calibration import calibrate
    from yreb.model.model import YREBModel

    scenario = scenario_for(table, stochastic, years)
    start = time.perf_counter()
    calibrate(scenario.table, scenario.params)
    calibration_s = time.perf_counter() - start
    floor = floor_year_ms(n, 5)
    solve, solver_ms = solvers.solve_trade_equilibrium, []

    def timed_solve(*args, **kwargs):
        begin = time.perf_counter()
        out = solve(*args, **kwargs)
        solver_ms.append((time.perf_counter() - begin) * 1e3)
        return out

    solvers.solve_trade_equilibrium = timed_solve
    best = None
    for _ in range(repeats):
        solver_ms.clear()
        begin = time.perf_counter()
        model = YREBModel(scenario, record_flows=flows)
        steps = []
        for _ in scenario.years:
            step_start = time.perf_counter()
            model.step()
            steps.append((time.perf_counter() - step_start) * 1e3)
        model.results_frame()
        if flows:
            model.flows_frame()
        run_ms = (time.perf_counter() - begin) * 1e3
        if best is None or run_ms < best["run_ms"]:
            best = {"run_ms": run_ms, "steps_ms": steps, "solver_ms": list(solver_ms)}
    return {
        **best,
        "calibration_s": calibration_s,
        "floor_ms": floor,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def fresh_model(n, table, stochastic, years, flows, repeats, env) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(n), str(table or ""), str(int(stochastic))]
    command += [str(years), str(int(flows)), str(repeats)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child N = {n} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def steady(steps: list[float]) -> float:
    return statistics.median(steps[1:]) if len(steps) > 1 else steps[0]


def model_rows(tables: dict[int, Path], env: dict, short: bool) -> list[Row]:
    rows = []
    n12_years = 21
    for mode, stochastic in (("mean-field", False), ("stochastic", True)):
        r = fresh_model(12, None, stochastic, n12_years, True, 3 if short else 7, env)
        floor = n12_years * r["floor_ms"]
        rows.append(
            Row(
                f"{N12_LABEL}, {mode}, flows recorded, vs 21 numpy floor years",
                "12",
                r["run_ms"],
                "ms",
                floor,
                r["run_ms"] / floor,
                f"< {N12_RUN_TARGET_MS:.0f} ms",
                r["run_ms"] < N12_RUN_TARGET_MS,
            )
        )
    years = 2 if short else 21
    note = f"short: {years} years" if short else ""
    runs = {}
    for n in SIZES:
        runs[n] = r = fresh_model(n, tables[n], False, years, False, 1, env)
        year, floor = steady(r["steps_ms"]), r["floor_ms"]
        target, met = ("", None)
        if n == 2000:
            target, met = f"<= {YEAR_FLOOR_TARGET:.0f}x", year / floor <= YEAR_FLOOR_TARGET
        rows.append(Row(YEAR_LABEL, str(n), year, "ms", floor, year / floor, target, met, note))
        solver = steady(r["solver_ms"])
        rows.append(Row(SOLVER_LABEL, str(n), solver, "ms", year, solver / year, "", None, note))
    with_flows = fresh_model(2000, tables[2000], False, years, True, 1, env)
    peak, peer = with_flows["peak_mb"], runs[2000]["peak_mb"]
    rows.append(
        Row(
            MEMORY_LABEL,
            "2000",
            peak,
            "MB",
            peer,
            peak / peer,
            f"<= {MEMORY_TARGET_MB / 1024:.0f} GB",
            peak <= MEMORY_TARGET_MB,
            note,
        )
    )
    for n in SIZES:
        seconds, floor = runs[n]["calibration_s"], runs[n]["floor_ms"] / 1e3
        target, met = (f"< {CALIBRATION_TARGET_S:.0f} s", seconds < CALIBRATION_TARGET_S) if n == 2000 else ("", None)
        rows.append(Row(CALIBRATION_LABEL, str(n), seconds, "s", floor, seconds / floor, target, met))
    return rows


def history_fit_row() -> Row:
    """The history fit of the shipped baseline (2015-2019, 12 regions) against one mean-field run of it."""
    from yreb.inputs.scenario import load_scenario
    from yreb.model import model as model_module
    from yreb.model.model import YREBModel

    scenario = load_scenario("baseline")
    YREBModel(scenario, record_flows=False)  # imports and calibration out of the way
    model_module._FITTED.clear()
    start = time.perf_counter()
    model_module.history_fundamentals(scenario)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    YREBModel(scenario.baseline(), record_flows=False).run()
    run = time.perf_counter() - start
    return Row(FIT_LABEL, "12", fit * 1e3, "ms", run * 1e3, fit / run, "", None, "once per table, parameters, data")


def blas_row(tables: dict[int, Path], blas_threads: str) -> Row:
    n = 130
    default = fresh_model(n, tables[n], False, 3, False, 1, environment("default"))
    one = fresh_model(n, tables[n], False, 3, False, 1, environment("1"))
    a, b = steady(default["steps_ms"]), steady(one["steps_ms"])
    return Row(BLAS_LABEL, str(n), a, "ms", b, a / b, "", None, f"{BLAS_VARIABLE} unset vs 1")


# --- plain per-agent Mesa ----------------------------------------------------------------------------------------


def plain_rows(tables: dict[int, Path], short: bool) -> list[Row]:
    from plain_mesa import PlainMesaModel
    from yreb.model.calibration import calibrate
    from yreb.model.model import YREBModel

    rows = []
    years = 2 if short else 3
    for n, table in ((12, None), (130, tables[130])):
        scenario = scenario_for(table and str(table), False, years)
        calibrate(scenario.table, scenario.params)

        def per_year(make, repeats, scenario=scenario):
            best = math.inf
            for _ in range(repeats):
                model = make(scenario)
                start = time.perf_counter()
                for _ in scenario.years:
                    model.step()
                best = min(best, (time.perf_counter() - start) * 1e3 / len(scenario.years))
            return best

        vectorised = per_year(lambda s: YREBModel(s, record_flows=False), 5)
        plain = per_year(PlainMesaModel, 3 if n == 12 else 1)
        target, met = (
            (f">= {PLAIN_RATIO_TARGET:.0f}x", plain / vectorised >= PLAIN_RATIO_TARGET) if n == 130 else ("", None)
        )
        rows.append(
            Row(
                PLAIN_LABEL,
                str(n),
                plain,
                "ms",
                vectorised,
                plain / vectorised,
                target,
                met,
                f"years 2015-{2014 + years}",
            )
        )
    return rows


# --- sweeps ------------------------------------------------------------------------------------------------------


def sweep_row(env: dict, short: bool, folder: Path) -> Row:
    import sweep_bench

    replications, points = (1, 2) if short else (4, len(sweep_bench.RESEARCHERS))
    runs = points * len(sweep_bench.BARRIER_LEVELS) * replications
    sweep_file = folder / "bench_sweep.toml"
    sweep_file.write_text(sweep_bench.sweep_text(replications, points), encoding="utf-8")
    sweep = [
        *yreb_command(),
        "sweep",
        str(sweep_file),
        "--workers",
        "1",
        "--out",
        str(folder / "sweeps"),
        "--force",
        "--quiet",
    ]
    batch = [sys.executable, str(HERE / "sweep_bench.py"), "--batch-run-only", "--replications", str(replications)]
    batch += ["--points", str(points)]
    ours, theirs = paired(sweep, batch, env, 1)
    rate, peer = runs / ours, runs / theirs
    return Row(
        SWEEP_LABEL,
        "12",
        rate,
        "runs/s",
        peer,
        rate / peer,
        f">= {SWEEP_RATIO_TARGET:.0f}x",
        rate / peer >= SWEEP_RATIO_TARGET,
        f"{runs} runs of 21 years",
    )


# --- output ------------------------------------------------------------------------------------------------------


def machine() -> str:
    import numpy as np

    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    try:
        import numba

        jit = f"numba {numba.__version__}"
    except ImportError:
        jit = "no numba"
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, {jit}"
    )


def commit() -> str:
    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def table_lines(rows: list[Row]) -> list[str]:
    lines = ["| measurement | N | value | floor or peer | ratio | target | met |", "|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return lines


START, END = "<!-- benchmarks/run.py table: start -->", "<!-- benchmarks/run.py table: end -->"


def update_docs(text: str) -> None:
    for path in (ROOT / "docs" / "performance.md", ROOT / "README.md"):
        doc = path.read_text(encoding="utf-8")
        if START not in doc or END not in doc:
            raise SystemExit(f"{path}: no {START} ... {END} block to replace")
        head, rest = doc.split(START, 1)
        _, tail = rest.split(END, 1)
        path.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")
        print(f"updated {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="fewer years, repeats and runs (CI)")
    parser.add_argument(
        "--blas-threads", default="1", help=f"{BLAS_VARIABLE} for the processes started (default 1; 'default' = unset)"
    )
    parser.add_argument(
        "--update-docs", action="store_true", help="write the table into docs/performance.md, README.md"
    )
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        n, table, stochastic, years, flows, repeats = args.child
        print(json.dumps(child_model(int(n), table, stochastic == "1", int(years), flows == "1", int(repeats))))
        return
    env = environment(args.blas_threads)
    threads = env.get(BLAS_VARIABLE, "library default")
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    from synthetic import write_synthetic_table

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        tables = {n: write_synthetic_table(n, folder) for n in SIZES}
        rows, listing = cli_rows(env, args.short, folder)
        rows += model_rows(tables, env, args.short)
        rows += plain_rows(tables, args.short)
        rows.append(history_fit_row())
        rows.append(blas_row(tables, args.blas_threads))
        rows.append(sweep_row(env, args.short, folder))
    header = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} with `benchmarks/run.py{' --short' if args.short else ''}`, "
        f"commit {commit()}; machine: {machine()}; {BLAS_VARIABLE}={threads}; load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; {time.perf_counter() - start:.0f} s in all.",
        "",
    ]
    text = "\n".join([*header, *table_lines(rows), "", listing + "."])
    print(f"# YREB benchmarks ({'short' if args.short else 'full'})")
    print(text)
    if args.update_docs:
        update_docs(text)


if __name__ == "__main__":
    main()
