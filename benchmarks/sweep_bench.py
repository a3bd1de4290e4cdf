"""Benchmark (not a test): runs per second of a 200-run sweep of the province model.

The same design (enclave head-count 10 values x belt barrier level 5 levels x 4 replications, 2015-2035) runs
through ``yreb sweep`` machinery with 1 worker (in this process) and 2 local worker processes, and through
``mesa.batch_run`` with 1 and 2 processes using a thin adapter model class. Times are wall-clock and include
process start-up and writing the Parquet shards and final tables (yreb) or collecting the list of dicts
(batch_run). The script also checks that batch_run and the sweep give the same belt GDP in 2035.

Run: .venv/bin/python benchmarks/sweep_bench.py [--replications 4] [--repeat 3]
(50 design points x replications runs; each method timed ``repeat`` times, best and median shown)
``--batch-run-only`` runs the design once through ``mesa.batch_run`` (1 process) and exits: the whole-process
peer of ``yreb sweep`` in ``benchmarks/run.py``. ``--points K`` keeps the first K enclave head-counts (short
benchmark runs).
"""

from __future__ import annotations

import argparse
import copy
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from mesa import batch_run
from mesa.datacollection import DataCollector

from yreb.analysis.metrics import METRICS, RegionArrays
from yreb.inputs.scenario import parse_scenario, read_toml, resolve
from yreb.model.model import YREBModel, replication_seed
from yreb.sweep.execute import run_sweep
from yreb.sweep.paths import set_path
from yreb.sweep.plan import plan_sweep

ROOT = Path(__file__).resolve().parents[1]
BASE_FILE = ROOT / "scenarios" / "sweeps" / "base" / "enclave_and_barriers.toml"
RESEARCHERS = [500.0 * (k + 1) for k in range(10)]
BARRIER_LEVELS = [0.0, 0.25, 0.5, 0.75, 1.0]
ROOT_SEED = 20150101


def sweep_text(replications: int, points: int = len(RESEARCHERS)) -> str:
    return f"""
name = "bench"
base = "{BASE_FILE}"
design = "grid"
replications = {replications}
seed = {ROOT_SEED}
[[vary]]
name = "researchers"
path = "policies.0.researchers"
values = {RESEARCHERS[:points]}
[[vary]]
name = "barrier_level"
path = ["policies.1.talent", "policies.1.labour", "policies.1.capital", "policies.1.technology"]
values = {BARRIER_LEVELS}
"""


BASE_DOC, _ = read_toml(BASE_FILE)


class BatchRunAdapter(YREBModel):
    """YREBModel with the constructor batch_run expects: keyword parameters and ``rng``."""

    def __init__(self, researchers: float = 2000.0, barrier_level: float = 1.0, rng=None):
        doc = copy.deepcopy(BASE_DOC)
        set_path(doc, "policies.0.researchers", researchers)
        for factor in ("talent", "labour", "capital", "technology"):
            set_path(doc, f"policies.1.{factor}", barrier_level)
        scenario = resolve(parse_scenario(doc, str(BASE_FILE)), BASE_FILE.parent, str(BASE_FILE))
        super().__init__(scenario, rng=rng, record_flows=False)
        self.datacollector = DataCollector(model_reporters={"belt_gdp_100m_yuan": BatchRunAdapter.belt_gdp})

    def belt_gdp(self) -> float:
        """Belt GDP of the year just simulated (the same arithmetic as the sweep's summary rows)."""
        arrays = RegionArrays(
            self.records, np.asarray(self.table.in_belt, bool), np.asarray(self.table.subregion), np.array(self.years)
        )
        return float(METRICS["gdp_100m_yuan"].compute(arrays)[self.year - 1 - self.years[0]])

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)


def time_sweep(sweep_file: Path, workers: int) -> tuple[float, pd.DataFrame]:
    plan = plan_sweep(sweep_file)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        outcome = run_sweep(plan, Path(out), workers=workers, progress=False)
        seconds = time.perf_counter() - start
        assert outcome.completed == len(plan.design) and outcome.failed == 0
        table = pd.read_parquet(outcome.folder / "results.parquet")
    return seconds, table


def time_batch_run(processes: int, replications: int, points: int = len(RESEARCHERS)) -> tuple[float, pd.DataFrame]:
    seeds = [replication_seed(ROOT_SEED, k) for k in range(replications)]
    years = 2035 - 2015 + 1
    start = time.perf_counter()
    rows = batch_run(
        BatchRunAdapter,
        parameters={"researchers": RESEARCHERS[:points], "barrier_level": BARRIER_LEVELS},
        rng=seeds,
        max_steps=years,
        number_processes=processes,
        data_collection_period=-1,
        display_progress=False,
    )
    return time.perf_counter() - start, pd.DataFrame(rows)


def report(label: str, runs: int, seconds: list[float]) -> None:
    best, median = min(seconds), float(np.median(seconds))
    print(f"{label:<34}{runs:>6}{best:>9.2f}{median:>9.2f}{runs / best:>9.1f}{runs / median:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=4, help="replications per design point (default 4)")
    parser.add_argument("--repeat", type=int, default=3, help="timings per method; best and median are shown")
    parser.add_argument("--points", type=int, default=len(RESEARCHERS), help="enclave head-counts (default 10)")
    parser.add_argument("--batch-run-only", action="store_true", help="run the design through batch_run once, exit")
    args = parser.parse_args()
    if args.batch_run_only:
        seconds, rows = time_batch_run(1, args.replications, args.points)
        print(f"batch_run: {len(rows)} runs in {seconds:.2f} s")
        return
    runs = len(RESEARCHERS) * len(BARRIER_LEVELS) * args.replications
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 vCPUs: other work on the machine slows the timings)")
    with tempfile.TemporaryDirectory() as folder:
        sweep_file = Path(folder) / "bench.toml"
        sweep_file.write_text(sweep_text(args.replications))
        start = time.perf_counter()
        plan_sweep(sweep_file)
        print(f"plan (validate and key {runs // args.replications} design points): {time.perf_counter() - start:.2f} s")
        print(f"{'method':<34}{'runs':>6}{'best s':>9}{'median s':>9}{'best/s':>9}{'median/s':>9}")
        tables = {}
        for workers in (1, 2):
            timings = [time_sweep(sweep_file, workers) for _ in range(args.repeat)]
            tables[workers] = timings[0][1]
            label = "yreb sweep, 1 worker (in process)" if workers == 1 else "yreb sweep, 2 worker processes"
            report(label, runs, [seconds for seconds, _ in timings])
    pd.testing.assert_frame_equal(tables[1], tables[2])
    for processes in (1, 2):
        timings = [time_batch_run(processes, args.replications) for _ in range(args.repeat)]
        batch = timings[0][1]
        report(f"mesa.batch_run, {processes} process(es)", len(batch), [seconds for seconds, _ in timings])
    sweep_2035 = tables[1][
        (tables[1].region == "Belt") & (tables[1].variable == "gdp_100m_yuan") & (tables[1].year == 2035)
    ]
    merged = sweep_2035.merge(
        batch, left_on=["researchers", "barrier_level", "seed"], right_on=["researchers", "barrier_level", "rng"]
    )
    difference = (merged["value"] - merged["belt_gdp_100m_yuan"]).abs().max()
    print(f"belt GDP 2035, sweep vs batch_run: {len(merged)} runs matched, max |difference| = {difference:.3g}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
