"""Run a scenario's replications and write a complete, reproducible result folder."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from yreb.inputs.carbon import carbon_paths
from yreb.inputs.scenario import ResolvedScenario
from yreb.model.calibration import calibrate
from yreb.model.model import YREBModel, replication_seed
from yreb.runs.integrity import manifest, seal
from yreb.runs.provenance import provenance
from yreb.runs.results import INPUTS_FOLDER, REGION_TABLE_FILE, RESULT_COLUMNS
from yreb.runs.storage import atomic_folder, copy_file, write_csv, write_json, write_table

tqdm.monitor_interval = 0  # no monitor thread: the run's figures are drawn by forked children (yreb.viz.render)

FLOW_COLUMNS = ["scenario", "replication", "seed", "factor", "origin", "destination", "unit", "year", "value"]


@dataclass
class RunOutput:
    """The tables of a simulated scenario and the time each replication took."""

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


OBSERVED_FOLDER = "observed"  # inputs/observed/NN_name.csv: the history files, in the order they apply


def write_inputs(scenario: ResolvedScenario, folder: Path) -> dict[str, str]:
    """Copy the input tables of ``scenario`` into ``folder/inputs``; returns {file name: SHA-256 of its bytes}."""
    inputs = folder / INPUTS_FOLDER
    inputs.mkdir()
    path = inputs / REGION_TABLE_FILE
    write_csv(scenario.table.to_frame(), path, neutralise=False)  # an input copy: read back verbatim
    written = {REGION_TABLE_FILE: hashlib.sha256(path.read_bytes()).hexdigest()}
    if scenario.fit_until > scenario.spec.start_year:  # the observed files the baseline was fitted to, in order
        (inputs / OBSERVED_FOLDER).mkdir()
        for k, source in enumerate(scenario.history.files, 1):
            name = f"{OBSERVED_FOLDER}/{k:02d}_{Path(source).name}"
            copy_file(source, inputs / name)
            written[name] = hashlib.sha256((inputs / name).read_bytes()).hexdigest()
    return written


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
        "co2": carbon_paths(scenario.table.names, scenario.years)[1],
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
    figures: Callable[[pd.DataFrame, Path, ResolvedScenario], AbstractContextManager] | None = None,
) -> Path:
    """Simulate and write ``out_dir/<scenario name>/`` atomically; returns the folder.

    metadata.json records the SHA-256, row count and schema of every table written (``yreb.runs.integrity``)
    and is sealed with its own checksum. ``figures(results, folder, scenario)``, if given, is a context manager
    entered before the tables are written and left after (e.g. ``yreb.viz.report.write_run_figures``: plots
    drawn meanwhile, then the report); all before the folder is moved into place.
    """
    target = Path(out_dir) / scenario.spec.name
    sources = [s for s in (scenario.source, scenario.table.source_file) if Path(s).exists()]
    with atomic_folder(target, force, kind="run", inputs=sources) as tmp:
        output = simulate(scenario, progress=progress)
        with figures(output.results, tmp, scenario) if figures is not None else nullcontext():
            written = write_table(output.results, tmp / "results")
            written += write_table(output.flows, tmp / "flows", csv=False)
            if Path(scenario.source).is_file():
                copy_file(Path(scenario.source), tmp / "scenario.toml")
                written.append(tmp / "scenario.toml")
            inputs = write_inputs(scenario, tmp)
            written += [tmp / INPUTS_FOLDER / name for name in inputs]
            meta = run_metadata(scenario, output, inputs)
            meta["integrity"] = manifest(tmp, written)
            write_json(tmp / "metadata.json", seal(meta))
    return target
