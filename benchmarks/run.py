"""Benchmarks of the YREB model: prints a Markdown table of measured values and targets.

Rows:
- base-year calibration, and one 2015-2035 run with outputs recorded (model construction, 21 simulated
  years, ``results_frame``; origin-destination flows also recorded and tabled with ``flows_frame`` up to
  N = 130 by default, see --flows-max-n), mean-field and stochastic, for N = 12 (the 11 provinces +
  rest of China), 130, 500 and 2,000 regions (synthetic, ``benchmarks/synthetic.py``): ms per simulated
  year and the peak memory (ru_maxrss) of a fresh process that calibrates and runs that size;
- the plain per-agent Mesa step (``benchmarks/plain_mesa.py``) against the vectorised step, N = 12 and 130;
- the numpy floor at each N: the three N x N logit share matrices a year cannot avoid (talent, labour,
  capital), and a steady simulated year (years 2-21) as a multiple of it;
- sweep throughput (``benchmarks/sweep_bench.py``): runs per second with 1 and 2 workers and through
  ``mesa.batch_run`` on the same design.

Times are the best of several repeats (wall clock). Usage:
    .venv/bin/python benchmarks/run.py            # full, by hand (a few minutes)
    .venv/bin/python benchmarks/run.py --short    # small sizes and few repeats, for CI
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from yreb.inputs.scenario import default_scenario
from yreb.model.calibration import calibrate
from yreb.model.model import YREBModel
from yreb.model.parameters import ModelParameters

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import sweep_bench  # noqa: E402
from plain_mesa import PlainMesaModel  # noqa: E402
from synthetic import write_synthetic_table  # noqa: E402

SIZES = (12, 130, 500, 2000)
SHORT_SIZES = (12, 130)
PLAIN_SIZES = (12, 130)
FLOWS_MAX_N = 130  # default; the tidy flows table has up to 21 x 3 x N^2 rows (15.75 million at N = 500)
MODES = {"mean-field": False, "stochastic": True}
N12_RUN_TARGET_MS = 50.0
FLOOR_MULTIPLE_TARGET = 3.0
FLOOR_TARGET_N = 2000
MEMORY_TARGET_MB = 2048.0
PLAIN_RATIO_TARGET = 20.0
SWEEP_EFFICIENCY_TARGET = 0.8
SWEEP_BATCH_RUN_RATIO_TARGET = 2.0
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
RUN_LABEL = "21-year run incl. recording"
CALIBRATION_LABEL = "base-year calibration (once per table and parameters)"
PLAIN_LABEL = "plain per-agent Mesa step vs vectorised step (mean-field)"
FLOOR_LABEL = "numpy floor: 3 N x N logit shares; steady model year as multiple"
SWEEP_LABEL = "sweep throughput"
NOT_MEASURED = "not measured (--short)"


@dataclass
class Row:
    measurement: str
    n: str
    value: str
    target: str = ""
    met: str = ""


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def scenario_for(n: int, table: Path | None, stochastic: bool, end_year: int = 2035):
    """Status-quo scenario (no policies) on the shipped 12 regions (table None) or a synthetic table."""
    return default_scenario(
        region_table=None if table is None else str(table),
        end_year=end_year,
        parameters=ModelParameters(stochastic=stochastic),
        replications=1,
    )


# --- one run in a fresh process ------------------------------------------------------------------


def measure_run(n: int, table: Path | None, stochastic: bool, repeats: int, flows: bool) -> dict:
    """Calibration time, then the best of ``repeats`` full runs (construction, years, tidy tables)."""
    scenario = scenario_for(n, table, stochastic)
    start = time.perf_counter()
    calibrate(scenario.table, scenario.params)
    calibration_s = time.perf_counter() - start
    best_ms, best_steps, best_tables_ms = np.inf, [], 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        model = YREBModel(scenario, record_flows=flows)
        steps = []
        for _ in scenario.years:
            step_start = time.perf_counter()
            model.step()
            steps.append((time.perf_counter() - step_start) * 1e3)
        tables_start = time.perf_counter()
        model.results_frame()
        if flows:
            model.flows_frame()
        end = time.perf_counter()
        run_ms = (end - start) * 1e3
        if run_ms < best_ms:
            best_ms, best_steps, best_tables_ms = run_ms, steps, (end - tables_start) * 1e3
    return {
        "calibration_s": calibration_s,
        "run_ms": best_ms,
        "years": len(scenario.years),
        "years_ms": sum(best_steps),
        "tables_ms": best_tables_ms,
        "steady_year_ms": float(np.median(best_steps[1:])),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_in_fresh_process(n: int, table: Path | None, stochastic: bool, repeats: int, flows: bool) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        str(n),
        str(table or ""),
        str(int(stochastic)),
        str(repeats),
        str(int(flows)),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- plain per-agent Mesa vs vectorised, and the numpy floor --------------------------------------


def best_step_ms(make_model, years: int, repeats: int) -> float:
    """Best over ``repeats`` fresh models of the mean time of ``years`` steps."""
    best = np.inf
    for _ in range(repeats):
        model = make_model()
        start = time.perf_counter()
        for _ in range(years):
            model.step()
        best = min(best, (time.perf_counter() - start) * 1e3 / years)
    return best


def floor_ms(n: int, repeats: int) -> float:
    """Bare numpy: three N x N logit share matrices m = D V^kappa / row sums (talent, labour, capital)."""
    rng = np.random.default_rng(n)
    deterrence = [rng.random((n, n)) for _ in range(3)]
    attractiveness = [rng.random(n) + 0.5 for _ in range(3)]

    def shares():
        for d, v in zip(deterrence, attractiveness):
            weights = d * (v / v.max()) ** 1.5
            weights /= weights.sum(axis=1, keepdims=True)

    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        shares()
        best = min(best, (time.perf_counter() - start) * 1e3)
    return best


# --- rows ----------------------------------------------------------------------------------------


def run_rows(
    sizes: tuple[int, ...], tables: dict[int, Path | None], short: bool, flows_max_n: int
) -> tuple[list[Row], dict]:
    rows, runs = [], {}
    for n in SIZES:
        if n not in sizes:
            rows.append(Row(RUN_LABEL, str(n), NOT_MEASURED))
            continue
        repeats = 1 if short else (5 if n <= 130 else 3 if n <= 500 else 1)
        for mode, stochastic in MODES.items():
            runs[n, mode] = r = run_in_fresh_process(n, tables[n], stochastic, repeats, n <= flows_max_n)
            per_year = r["run_ms"] / r["years"]
            flows = "flows recorded" if n <= flows_max_n else "flows not recorded"
            target, met = "", ""
            if n == 12:
                target, met = f"< {N12_RUN_TARGET_MS:.0f} ms", verdict(r["run_ms"] < N12_RUN_TARGET_MS)
            if n == FLOOR_TARGET_N:
                target, met = f"memory < {MEMORY_TARGET_MB / 1024:.0f} GB", verdict(r["peak_mb"] < MEMORY_TARGET_MB)
            rows.append(
                Row(
                    f"{RUN_LABEL}, {mode} ({flows})",
                    str(n),
                    f"{r['run_ms']:.0f} ms = {per_year:.1f} ms/year (steps {r['years_ms']:.0f} ms, "
                    f"tidy tables {r['tables_ms']:.0f} ms); peak memory {r['peak_mb']:.0f} MB",
                    target,
                    met,
                )
            )
        rows.append(Row(CALIBRATION_LABEL, str(n), f"{runs[n, 'mean-field']['calibration_s']:.2f} s"))
    return rows, runs


def plain_rows(tables: dict[int, Path | None], short: bool) -> list[Row]:
    rows = []
    years = 3 if short else 21
    for n in PLAIN_SIZES:
        scenario = scenario_for(n, tables[n], stochastic=False, end_year=2015 + years - 1)
        calibrate(scenario.table, scenario.params)
        vectorised = best_step_ms(lambda: YREBModel(scenario, record_flows=False), years, 1 if short else 5)
        plain = best_step_ms(lambda: PlainMesaModel(scenario), years, 1 if short else 3)
        ratio = plain / vectorised
        target, met = (f">= {PLAIN_RATIO_TARGET:.0f}x", verdict(ratio >= PLAIN_RATIO_TARGET)) if n == 130 else ("", "")
        rows.append(
            Row(
                PLAIN_LABEL,
                str(n),
                f"{plain:.2f} ms vs {vectorised:.2f} ms per year: vectorised {ratio:.0f}x faster",
                target,
                met,
            )
        )
    return rows


def floor_rows(sizes: tuple[int, ...], runs: dict, short: bool) -> list[Row]:
    rows = []
    for n in SIZES:
        if n not in sizes:
            rows.append(Row(FLOOR_LABEL, str(n), NOT_MEASURED))
            continue
        floor = floor_ms(n, 5 if short else 20)
        multiples = "; ".join(
            f"{mode} year {runs[n, mode]['steady_year_ms']:.2f} ms = {runs[n, mode]['steady_year_ms'] / floor:.1f}x"
            for mode in MODES
        )
        target, met = "", ""
        if n == FLOOR_TARGET_N:
            multiple = runs[n, "mean-field"]["steady_year_ms"] / floor
            target = f"mean-field year <= {FLOOR_MULTIPLE_TARGET:.0f}x floor"
            met = verdict(multiple <= FLOOR_MULTIPLE_TARGET)
        rows.append(Row(FLOOR_LABEL, str(n), f"floor {floor:.3f} ms; {multiples}", target, met))
    return rows


def sweep_rows(short: bool) -> list[Row]:
    """The design of benchmarks/sweep_bench.py (10 enclave sizes x 5 barrier levels x replications, 12
    regions, 2015-2035) through ``yreb sweep`` (1 worker in process, 2 worker processes) and batch_run."""
    replications, repeats = (1, 1) if short else (4, 2)
    runs = len(sweep_bench.RESEARCHERS) * len(sweep_bench.BARRIER_LEVELS) * replications
    rate = {}
    with tempfile.TemporaryDirectory() as folder:
        sweep_file = Path(folder) / "bench.toml"
        sweep_file.write_text(sweep_bench.sweep_text(replications))
        for workers in (1, 2):
            rate["sweep", workers] = runs / min(sweep_bench.time_sweep(sweep_file, workers)[0] for _ in range(repeats))
    for processes in (1, 2):
        rate["batch_run", processes] = runs / min(
            sweep_bench.time_batch_run(processes, replications)[0] for _ in range(repeats)
        )
    efficiency = rate["sweep", 2] / rate["sweep", 1] / 2
    label = f"{SWEEP_LABEL}, {runs} runs of 21 years"
    rows = [
        Row(f"{label}: yreb sweep, 1 worker", "12", f"{rate['sweep', 1]:.1f} runs/s"),
        Row(
            f"{label}: yreb sweep, 2 workers",
            "12",
            f"{rate['sweep', 2]:.1f} runs/s; parallel efficiency {efficiency:.0%}",
            ">= 80%",
            verdict(efficiency >= SWEEP_EFFICIENCY_TARGET),
        ),
    ]
    for workers in (1, 2):
        ratio = rate["sweep", workers] / rate["batch_run", workers]
        rows.append(
            Row(
                f"{label}: mesa.batch_run, {workers} process{'es' if workers > 1 else ''}",
                "12",
                f"{rate['batch_run', workers]:.1f} runs/s; yreb sweep {ratio:.1f}x faster",
                f">= {SWEEP_BATCH_RUN_RATIO_TARGET:.0f}x",
                verdict(ratio >= SWEEP_BATCH_RUN_RATIO_TARGET),
            )
        )
    return rows


# --- output --------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )


def print_table(rows: list[Row]) -> None:
    print("| measurement | N | measured | target | met |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.measurement} | {row.n} | {row.value} | {row.target} | {row.met} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="N = 12 and 130 only, few repeats (CI)")
    parser.add_argument(
        "--flows-max-n",
        type=int,
        default=FLOWS_MAX_N,
        help=f"record and table origin-destination flows up to this N (default {FLOWS_MAX_N})",
    )
    parser.add_argument(
        "--child", nargs=5, metavar=("N", "TABLE", "STOCHASTIC", "REPEATS", "FLOWS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        n, table, stochastic, repeats, flows = args.child
        print(
            json.dumps(
                measure_run(int(n), Path(table) if table else None, stochastic == "1", int(repeats), flows == "1")
            )
        )
        return
    sizes = SHORT_SIZES if args.short else SIZES
    print(f"# YREB benchmarks ({'short' if args.short else 'full'}), {time.strftime('%Y-%m-%d %H:%M %Z')}")
    threads = ", ".join(f"{name}={os.environ[name]}" for name in BLAS_THREAD_VARIABLES if name in os.environ)
    print(
        f"machine: {machine()}; BLAS threads: {threads or 'library default'}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        tables = {n: None if n == 12 else write_synthetic_table(n, Path(folder)) for n in {*sizes, *PLAIN_SIZES}}
        rows, runs = run_rows(sizes, tables, args.short, args.flows_max_n)
        rows += plain_rows(tables, args.short)
        rows += floor_rows(sizes, runs, args.short)
        rows += sweep_rows(args.short)
    print()
    print_table(rows)
    print()
    print(f"total {time.perf_counter() - start:.0f} s; load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
