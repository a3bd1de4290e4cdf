"""Variants of compared runs, simulated again: the scenario document of a result folder, a variant of it
resolved against the folder's own copy of the region table, and cached simulation (``yreb.runs.simulate``).

The decomposition by channel (``yreb.analysis.decompose``) and the effect over the range of the unpinned
assumptions (``yreb.analysis.sensitivity``) both run variants of the compared scenarios with the runs' root
seed and replication count, so that each variant pairs with the stored runs by seed.

Cache: one folder per variant under ``cache_dir``, named by the SHA-256 of what determines its rows (the
resolved scenario without its name and description, which includes the root seed, the replications and the
region table's content hash, plus the code fingerprint ``yreb.runs.provenance.code_fingerprint``, as the
keys of sweep runs, ``yreb.sweep.plan.run_key``). A variant is simulated only once per code version.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pandas as pd

from yreb.analysis.compare import RunData, paired_differences, summarise_differences
from yreb.analysis.metrics import group_aggregates
from yreb.inputs.scenario import ResolvedScenario, parse_scenario, resolve
from yreb.runs.provenance import code_fingerprint
from yreb.runs.results import INPUTS_FOLDER, REGION_TABLE_FILE
from yreb.runs.runner import simulate
from yreb.runs.storage import atomic_folder, write_json, write_table

# fields of the canonical scenario that are not scenario-file fields
_DERIVED = ("region_table_sha256", "region_names", "history_fit")


def scenario_document(run: RunData) -> dict:
    """The scenario document of a result folder (its resolved scenario as recorded in metadata.json), bound to
    the folder's copy of the region table (so the variant needs no file outside the folder)."""
    doc = copy.deepcopy(run.metadata["scenario"])
    for field in _DERIVED:
        doc.pop(field, None)
    doc["region_table"] = str((Path(run.folder) / INPUTS_FOLDER / REGION_TABLE_FILE).resolve())
    doc["regions"] = None  # the copy holds the simulated regions only, in their order
    return doc


def resolve_document(doc: dict, source: str) -> ResolvedScenario:
    """Validate and resolve a (variant) scenario document whose region table path is absolute."""
    spec = parse_scenario(doc, source)
    return resolve(spec, Path(doc["region_table"]).parent, source)


def variant_key(scenario: ResolvedScenario) -> str:
    """SHA-256 of what determines a variant's rows: the resolved scenario without name and description, and the
    code fingerprint."""
    canonical = scenario.canonical()
    canonical.pop("name")
    canonical.pop("description")
    payload = {"scenario": canonical, "code": code_fingerprint()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def simulate_cached(scenario: ResolvedScenario, cache_dir: Path | None) -> pd.DataFrame:
    """The results table (no flows) of every replication of ``scenario``, from ``cache_dir`` when it was
    simulated before with this code, else simulated (and stored there, atomically, when ``cache_dir`` is set)."""
    if cache_dir is None:
        return simulate(scenario, record_flows=False).results
    folder = Path(cache_dir) / variant_key(scenario)
    table = folder / "results.parquet"
    if table.is_file():
        return pd.read_parquet(table).assign(scenario=scenario.spec.name)
    results = simulate(scenario, record_flows=False).results
    with atomic_folder(folder, force=True) as tmp:
        write_table(results, tmp / "results", csv=False)
        write_json(tmp / "scenario.json", scenario.canonical())
    return results


def aggregated(results: pd.DataFrame, run: RunData) -> pd.DataFrame:
    """A results table with its aggregates (nation, belt, rest of China) appended, as ``RunData.outcomes`` has
    them (without the belt metrics)."""
    return pd.concat([results, group_aggregates(results, run.groups)], ignore_index=True)


def paired_effects(
    variant: pd.DataFrame, baseline: pd.DataFrame, scenario: str, variables: list[str], regions: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paired differences (variant - baseline, by replication and seed) of ``variables`` in ``regions`` and
    their summary (``summarise_differences``), labelled ``scenario``."""

    def pick(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame.variable.isin(variables) & frame.region.isin(regions)]

    diffs = paired_differences(pick(variant).assign(scenario=scenario), pick(baseline))
    return diffs, summarise_differences(diffs)
