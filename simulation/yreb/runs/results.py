"""Reading result folders back: ``load_results`` verifies a folder written by ``yreb.runs.runner.run_to_folder``.

Kept apart from the runner so that reading (``yreb compare``, ``yreb export``) and its error messages need
neither the model nor Mesa (fast command line).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from yreb.errors import UserInputError
from yreb.inputs.regions import NAME_PATTERN
from yreb.inputs.scenario import NAME_RE
from yreb.runs.integrity import read_metadata, verify
from yreb.runs.storage import left_unfinished, recover_if_interrupted

RESULT_COLUMNS = ["scenario", "replication", "seed", "region", "variable", "unit", "year", "value"]
INPUTS_FOLDER = "inputs"  # copies of the input tables a run used, so that its folder is self-contained
REGION_TABLE_FILE = "region_table.csv"
RUN_EXPECTED = "a folder written by 'yreb run' and not changed since (run the scenario again)"


def check_run_metadata(metadata: dict, path: Path) -> None:
    """The fields of a run's metadata that readers use, validated like the inputs they came from: the scenario
    name (as in a scenario file), region names (as in a region table), years and seeds."""
    where = str(path)

    def fail(field: str, message: str, value=None, expected: str = RUN_EXPECTED):
        raise UserInputError(message, file=where, field=field, value=value, expected=expected)

    scenario = metadata.get("scenario")
    if not isinstance(scenario, dict):
        fail("scenario", "no scenario recorded")
    name = scenario.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        fail(
            "scenario.name", "not a valid scenario name", name, "1-64 letters, digits, '_' or '-' as in scenario files"
        )
    regions = scenario.get("region_names")
    if not isinstance(regions, list) or len(regions) < 2 or len(set(map(str, regions))) != len(regions):
        fail("scenario.region_names", "no list of distinct region names", regions)
    for region in regions:
        if not isinstance(region, str) or not NAME_PATTERN.match(region):
            fail("scenario.region_names", "not a valid region name", region, "names as in a region table")
    for key in ("description",):
        if not isinstance(scenario.get(key, ""), str):
            fail(f"scenario.{key}", "not text", scenario.get(key))
    if not isinstance(scenario.get("policies", []), list):
        fail("scenario.policies", "not a list", scenario.get("policies"))
    seeds = metadata.get("seeds")
    if not isinstance(seeds, dict) or not seeds:
        fail("seeds", "no replication seeds recorded")
    for k, seed in seeds.items():
        if not (isinstance(k, str) and k.isdigit() and isinstance(seed, int) and not isinstance(seed, bool)):
            fail(f"seeds.{k}", "not a replication number with a whole-number seed", seed)
    years = metadata.get("years")
    if not (isinstance(years, list) and len(years) == 2 and all(isinstance(y, int) for y in years)):
        fail("years", "not [first year, last year]", years)


def check_run_table(results: pd.DataFrame, metadata: dict, path: Path) -> None:
    """The results table agrees with its metadata: every recorded replication with its seed, the recorded
    regions and years, one row per (replication, region, variable, year), finite values."""
    where = str(path)
    missing = [c for c in RESULT_COLUMNS if c not in results.columns]
    if missing:
        raise UserInputError(f"column '{missing[0]}' is missing", file=where, expected=RUN_EXPECTED)
    if not pd.api.types.is_numeric_dtype(results["value"]) or not pd.api.types.is_integer_dtype(results["year"]):
        raise UserInputError("column 'value' or 'year' is not numeric", file=where, expected=RUN_EXPECTED)
    recorded = {int(k): v for k, v in metadata["seeds"].items()}
    present = results.groupby("replication")["seed"].agg(["min", "max"])
    for k, seed in recorded.items():
        if k not in present.index:
            raise UserInputError(
                f"replication {k} (seed {seed}) is listed in metadata.json but has no rows",
                file=where,
                expected=RUN_EXPECTED,
            )
        if not present.loc[k, "min"] == present.loc[k, "max"] == seed:
            raise UserInputError(f"replication {k} does not carry its recorded seed {seed}", file=where)
    extra = sorted(set(present.index) - set(recorded))
    if extra:
        raise UserInputError(f"replication {extra[0]} is not listed in metadata.json", file=where)
    regions = set(metadata["scenario"]["region_names"])
    unknown = sorted(set(results["region"].unique()) - regions)
    if unknown:
        raise UserInputError(
            "a region that metadata.json does not list", file=where, value=unknown[0], expected=", ".join(regions)
        )
    first, last = metadata["years"]
    if results["year"].min() != first or results["year"].max() != last:
        raise UserInputError(f"the years are not {first}-{last} as metadata.json records", file=where)
    keys = ["replication", "region", "variable", "year"]
    if results.duplicated(keys).any():
        row = results[results.duplicated(keys)].iloc[0]
        raise UserInputError(
            f"duplicated row (replication {row.replication}, {row.region}, {row.variable}, {row.year})", file=where
        )
    cells = results.groupby(["replication"]).size()
    if cells.nunique() > 1:
        short = int(cells.idxmin())
        raise UserInputError(
            f"replication {short} has {cells.min():,} rows, others {cells.max():,}", file=where, expected=RUN_EXPECTED
        )
    values = results["value"].to_numpy(dtype=float)
    bad = ~pd.Series(values).map(math.isfinite)
    if bad.any():
        row = results[bad.to_numpy()].iloc[0]
        raise UserInputError(
            f"not a finite value for {row.region}, {row.variable}, {row.year} (replication {row.replication})",
            file=where,
            value=float(row.value),
            expected=RUN_EXPECTED,
        )


def load_results(folder: Path) -> tuple[pd.DataFrame, dict]:
    """Read and verify a result folder written by ``run_to_folder``: (results table, metadata).

    Every recorded file must match its SHA-256, rows and schema (``yreb.runs.integrity.verify``) and the
    metadata fields readers use must be valid; otherwise UserInputError names the file and what differs."""

    folder = Path(folder)
    if left_unfinished(folder):
        raise UserInputError(
            "an unfinished temporary folder left by an interrupted run (safe to delete)",
            file=str(folder),
            expected="a folder written by 'yreb run'",
        )
    recover_if_interrupted(folder)  # a swap killed half-way is finished first
    meta_path, table_path = folder / "metadata.json", folder / "results.parquet"
    if not meta_path.is_file() or not table_path.is_file():
        raise UserInputError(
            "not a complete result folder (metadata.json and results.parquet expected)",
            file=str(folder),
            expected="a folder written by 'yreb run'",
        )
    metadata = read_metadata(meta_path, RUN_EXPECTED)
    verify(folder, metadata, expected=RUN_EXPECTED, nouns={f"{INPUTS_FOLDER}/{REGION_TABLE_FILE}": "the region table"})
    check_run_metadata(metadata, meta_path)
    try:
        results = pd.read_parquet(table_path)
    except (OSError, ValueError) as exc:  # verified above: only a file changed since then gets here
        raise UserInputError(
            f"unreadable result file: {exc}", file=str(table_path), expected="a folder written by 'yreb run'"
        ) from None
    check_run_table(results, metadata, table_path)
    return results, metadata
