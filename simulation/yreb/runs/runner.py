"""Run a scenario's replications and write a complete, reproducible result folder."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from yreb.errors import UserInputError
from yreb.inputs.scenario import ResolvedScenario
from yreb.model.calibration import calibrate
from yreb.model.model import YREBModel, replication_seed
from yreb.runs.provenance import provenance
from yreb.runs.storage import atomic_folder, left_unfinished, write_json, write_table

RESULT_COLUMNS = ["scenario", "replication", "seed", "region", "variable", "unit", "year", "value"]
FLOW_COLUMNS = ["scenario", "replication", "seed", "factor", "origin", "destination", "unit", "year", "value"]


@dataclass
class RunOutput:
    results: pd.DataFrame
    flows: pd.DataFrame
    seconds_per_replication: list[float]


def simulate(scenario: ResolvedScenario, *, progress: bool = False, record_flows: bool = True) -> RunOutput:
    """All replications of a scenario in memory (tidy tables)."""
    frames, flow_frames, seconds = [], [], []
    name = scenario.spec.name
    for r in tqdm(range(scenario.spec.replications), desc=name, unit="rep", disable=not progress):
        start = time.perf_counter()
        model = YREBModel(scenario, replication=r, record_flows=record_flows).run()
        seconds.append(time.perf_counter() - start)
        for frame, target in ((model.results_frame(), frames), (model.flows_frame(), flow_frames)):
            frame.insert(0, "scenario", name)
            frame.insert(1, "replication", r)
            frame.insert(2, "seed", model.seed)
            target.append(frame)
    return RunOutput(
        pd.concat(frames, ignore_index=True)[RESULT_COLUMNS],
        pd.concat(flow_frames, ignore_index=True)[FLOW_COLUMNS],
        seconds,
    )


INPUTS_FOLDER = "inputs"  # copies of the input tables a run used, so that its folder is self-contained
REGION_TABLE_FILE = "region_table.csv"


def write_inputs(scenario: ResolvedScenario, folder: Path) -> dict[str, str]:
    """Copy the input tables of ``scenario`` into ``folder/inputs``; returns {file name: SHA-256 of its bytes}."""
    inputs = folder / INPUTS_FOLDER
    inputs.mkdir()
    path = inputs / REGION_TABLE_FILE
    scenario.table.to_frame().to_csv(path, index=False)
    return {REGION_TABLE_FILE: hashlib.sha256(path.read_bytes()).hexdigest()}


def run_metadata(scenario: ResolvedScenario, output: RunOutput, inputs: dict[str, str]) -> dict:
    """Everything needed to reproduce and check the run: resolved scenario, seeds, inputs, versions, timings."""
    cal = calibrate(scenario.table, scenario.params)
    return {
        "scenario": scenario.canonical(),
        "scenario_key": scenario.key(),
        "scenario_file": scenario.source,
        "region_table": scenario.table.source_file,
        "inputs": {name: {"sha256": digest} for name, digest in inputs.items()},
        "root_seed": scenario.spec.seed,
        "seeds": {str(r): replication_seed(scenario.spec.seed, r) for r in range(scenario.spec.replications)},
        "seed_method": "replication k: numpy SeedSequence(root_seed, spawn_key=(k,)), reduced to 63 bits",
        "years": [scenario.spec.start_year, scenario.spec.end_year],
        "calibration": {
            "beta_talent": cal.beta_talent,
            "beta_labour": cal.beta_labour,
            **cal.diagnostics,
        },
        "timings": {
            "seconds_per_replication": output.seconds_per_replication,
            "total_seconds": sum(output.seconds_per_replication),
        },
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **provenance(),
    }


def run_to_folder(
    scenario: ResolvedScenario,
    out_dir: Path,
    *,
    force: bool = False,
    progress: bool = True,
    figures: Callable[[pd.DataFrame, Path, ResolvedScenario], object] | None = None,
) -> Path:
    """Simulate and write ``out_dir/<scenario name>/`` atomically; returns the folder.

    ``figures(results, folder, scenario)``, if given, adds plots and reports (e.g.
    ``yreb.viz.report.write_run_figures``) before the folder is moved into place.
    """
    target = Path(out_dir) / scenario.spec.name
    with atomic_folder(target, force) as tmp:
        output = simulate(scenario, progress=progress)
        write_table(output.results, tmp / "results")
        write_table(output.flows, tmp / "flows", csv=False)
        if Path(scenario.source).is_file():
            shutil.copyfile(scenario.source, tmp / "scenario.toml")
        inputs = write_inputs(scenario, tmp)
        write_json(tmp / "metadata.json", run_metadata(scenario, output, inputs))
        if figures is not None:
            figures(output.results, tmp, scenario)
    return target


def load_results(folder: Path) -> tuple[pd.DataFrame, dict]:
    """Read a result folder written by ``run_to_folder``: (results table, metadata)."""

    folder = Path(folder)
    if left_unfinished(folder):
        raise UserInputError(
            "an unfinished temporary folder left by an interrupted run (safe to delete)",
            file=str(folder),
            expected="a folder written by 'yreb run'",
        )
    meta_path, table_path = folder / "metadata.json", folder / "results.parquet"
    if not meta_path.is_file() or not table_path.is_file():
        raise UserInputError(
            "not a complete result folder (metadata.json and results.parquet expected)",
            file=str(folder),
            expected="a folder written by 'yreb run'",
        )
    try:
        return pd.read_parquet(table_path), json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # truncated or edited files (pyarrow and json errors are ValueErrors)
        raise UserInputError(
            f"unreadable result file: {exc}", file=str(folder), expected="a folder written by 'yreb run'"
        ) from None
