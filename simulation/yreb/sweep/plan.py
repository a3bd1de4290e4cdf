"""A sweep plan: the sweep file validated against its base scenario, every design point resolved to a valid
scenario and every run keyed. Nothing is written.

Each run (design point x replication) is keyed by the SHA-256 of its resolved scenario, its seed, the kept
outputs and the model code fingerprint, so completed runs are recognised whatever process, machine or
invocation produced them.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yreb.analysis.metrics import METRICS, available_metrics
from yreb.errors import UserInputError
from yreb.inputs.scenario import ResolvedScenario, find_scenario_file, parse_scenario, read_toml, resolve
from yreb.model.model import recorded_variables, replication_seed
from yreb.runs.provenance import code_fingerprint
from yreb.sweep.designs import design_sample
from yreb.sweep.paths import RESERVED_FIELDS, flatten, is_settable, set_path
from yreb.sweep.schema import SweepFile, parse_sweep


def run_key(scenario: ResolvedScenario, seed: int, keep_regions: bool, outputs: list[str]) -> str:
    """SHA-256 of what determines a run's rows: the resolved scenario (without its name, description, root seed
    and replication count), the run's seed, the kept outputs and the model code fingerprint."""
    canonical = scenario.canonical()
    for field in RESERVED_FIELDS:
        canonical.pop(field)
    payload = {
        "scenario": canonical,
        "seed": seed,
        "keep_regions": keep_regions,
        "outputs": sorted(outputs),
        "code": code_fingerprint(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass
class SweepPlan:
    """A validated sweep: every design point resolved to a valid scenario, every run keyed."""

    spec: SweepFile
    file: Path
    base_file: Path
    base_doc: dict  # base scenario with the sweep's name, seed, replications and fixed settings
    sample: np.ndarray  # points x parameters, sample coordinates
    design: pd.DataFrame  # one row per run: point, replication, seed, key, parameter values, sample coordinates

    @property
    def names(self) -> list[str]:
        """Names of the varied parameters (columns of the design and results tables)."""
        return [v.name for v in self.spec.vary]

    @property
    def n_points(self) -> int:
        """Number of design points."""
        return len(self.sample)

    def point_values(self, point: int) -> dict[str, Any]:
        """Parameter name -> the value it takes at a design point."""
        return {v.name: v.value_at(x) for v, x in zip(self.spec.vary, self.sample[point])}

    def point_doc(self, point: int) -> dict:
        """The scenario document of a design point: the base with the point's values set."""
        doc = copy.deepcopy(self.base_doc)
        values = self.point_values(point)
        for v in self.spec.vary:
            for path in v.paths:
                set_path(doc, path, values[v.name])
        return doc

    def output_folder(self, out_dir: Path) -> Path:
        """The sweep folder under ``out_dir``."""
        return Path(out_dir) / self.spec.name


def _culprit(field: str | None, spec: SweepFile) -> str | None:
    """The varied parameter whose path matches a scenario validation error's field, if any."""
    if not field:
        return None
    normalised = re.sub(r"\[(\d+)\]", r".\1", field)
    for v in spec.vary:
        for path in v.paths:
            if normalised == path or normalised.startswith(path + ".") or path.startswith(normalised + "."):
                return v.name
    return None


def plan_sweep(path: str | Path) -> SweepPlan:
    """Read and validate a sweep file: every design point must give a valid scenario (UserInputError naming
    the sweep file and the parameter otherwise). Nothing is written. ``path`` may name a shipped sweep."""
    path = find_scenario_file(path, kind="sweep")
    data, text = read_toml(path)
    spec = parse_sweep(data, str(path), text)
    base_file = path.parent / spec.base
    if not base_file.is_file():
        raise UserInputError(
            "base scenario not found",
            file=str(path),
            field="base",
            value=spec.base,
            expected="a scenario file path relative to the sweep file",
        )
    base_doc, _ = read_toml(base_file)
    base_seed = parse_scenario(base_doc, str(base_file)).seed
    seed = spec.seed if spec.seed is not None else base_seed
    base_doc.update(name=spec.name, seed=seed, replications=spec.replications)
    for fixed_path, value in flatten(spec.fixed).items():
        if not is_settable(fixed_path):
            raise UserInputError(
                "not a settable dotted path",
                file=str(path),
                field=f"fixed.{fixed_path}",
                expected="a path into the scenario other than name, seed and replications",
            )
        try:
            set_path(base_doc, fixed_path, value)
        except LookupError as exc:
            raise UserInputError(str(exc), file=str(path), field=f"fixed.{fixed_path}") from None
    sample = design_sample(spec, seed)
    plan = SweepPlan(spec, path, base_file, base_doc, sample, pd.DataFrame())
    _check_paths(plan)
    seeds = [replication_seed(seed, k) for k in range(spec.replications)]
    rows = []
    for point in range(len(sample)):
        scenario = _resolve_point(plan, point)
        _check_outputs(plan, scenario)
        values = plan.point_values(point)
        coords = {f"sample:{name}": x for name, x in zip(plan.names, sample[point])}
        for k, run_seed in enumerate(seeds):
            rows.append(
                {
                    "point": point,
                    "replication": k,
                    "seed": run_seed,
                    "key": run_key(scenario, run_seed, spec.keep_regions, spec.outputs),
                    **values,
                    **coords,
                }
            )
    plan.design = pd.DataFrame(rows)
    return plan


def _check_paths(plan: SweepPlan) -> None:
    for v in plan.spec.vary:
        for path in v.paths:
            try:
                set_path(copy.deepcopy(plan.base_doc), path, None)
            except LookupError as exc:
                raise UserInputError(
                    f"path '{path}' is not in the base scenario: {exc}",
                    file=str(plan.file),
                    field=f"vary '{v.name}'",
                    value=path,
                ) from None


def _check_outputs(plan: SweepPlan, scenario: ResolvedScenario) -> None:
    """Every output metric can be computed from what the point's runs record (CO2 needs CO2 intensities)."""
    recorded = recorded_variables(scenario)
    for name in plan.spec.outputs:
        if name not in available_metrics([name], recorded):
            missing = ", ".join(v for v in METRICS[name].requires if v not in recorded)
            raise UserInputError(
                f"output '{name}' needs {missing}, which runs of this scenario do not record",
                file=str(plan.file),
                field="outputs",
                value=name,
                expected="metrics of recorded variables (CO2: regions and years with CEADs intensities)",
            )


def _resolve_point(plan: SweepPlan, point: int) -> ResolvedScenario:
    spec, sweep_file = plan.spec, str(plan.file)
    doc = plan.point_doc(point)
    try:
        return resolve(parse_scenario(doc, str(plan.base_file)), plan.base_file.parent, str(plan.base_file))
    except UserInputError as exc:
        values = plan.point_values(point)
        culprit = _culprit(exc.field, spec)
        if culprit is not None:
            raise UserInputError(
                f"the value {values[culprit]!r} (design point {point}) does not give a valid scenario: {exc}",
                file=sweep_file,
                field=f"vary '{culprit}'",
            ) from None
        setting = ", ".join(f"{k} = {v!r}" for k, v in values.items())
        raise UserInputError(
            f"design point {point} ({setting}) does not give a valid scenario with the base and fixed settings: {exc}",
            file=sweep_file,
            field="fixed",
        ) from None
