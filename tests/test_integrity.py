"""Integrity of result folders (issue #18, family 2): every table a run writes is recorded in its sealed
metadata.json (SHA-256, rows, schema) and every reader refuses a folder that does not match, naming the file
and what differs. Examples from the issue are run through `yreb compare` as a subprocess; a hypothesis property
test edits random bytes of every recorded file (and of metadata.json) and checks that the edit is always
detected. Sweep shards and sweep folders are in test_faults.py and test_limits.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import ROOT
from yreb.analysis.compare import load_run
from yreb.cli import main
from yreb.errors import UserInputError
from yreb.runs.integrity import manifest, seal
from yreb.runs.results import load_results
from yreb.runs.storage import TMP_PREFIX

SCENARIO = """name = "{name}"
description = "{description}"
replications = 3
end_year = 2017
{extra}"""
BARRIER = '\n[[policies]]\ntype = "barrier"\nstart = 2016\nregions = "belt"\ntalent = 0\nlabour = 0\n'


def yreb(*args: str, cwd: Path = ROOT, **kwargs) -> subprocess.CompletedProcess:
    """The command line as a user meets it: a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "yreb", *args], capture_output=True, text=True, cwd=cwd, timeout=300, **kwargs
    )


def one_error(proc: subprocess.CompletedProcess, *needles: str, code: int = 2) -> str:
    """Exit ``code``, exactly one `error:` line holding every needle, no traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    """Result folders of a baseline and a barrier scenario (3 replications, 2015-2017)."""
    root = tmp_path_factory.mktemp("integrity")
    for name, extra in (("baseline", ""), ("open_belt", BARRIER)):
        path = root / f"{name}.toml"
        path.write_text(SCENARIO.format(name=name, description="a test", extra=extra))
        assert main(["run", str(path), "--out", str(root / "results"), "--quiet", "--no-plots"]) == 0
    return root / "results" / "baseline", root / "results" / "open_belt"


def copy_run(folder: Path, tmp_path: Path, name: str = "edited") -> Path:
    target = tmp_path / name
    shutil.copytree(folder, target)
    return target


def reseal(folder: Path, edit_metadata=None) -> None:
    """Recompute the records and the seal, as someone covering an edit would (tests the second line of defence)."""
    meta = json.loads((folder / "metadata.json").read_text())
    if edit_metadata is not None:
        edit_metadata(meta)
    meta["integrity"] = manifest(folder, [folder / rel for rel in meta["integrity"]["files"]])
    (folder / "metadata.json").write_text(json.dumps(seal(meta)))


def edit_results(folder: Path, change, table: str = "results.parquet") -> None:
    frame = pd.read_parquet(folder / table)
    change(frame).to_parquet(folder / table, index=False)


def drop_first_row(f):
    return f.iloc[1:]


def set_nan(f):
    return f.assign(value=f.value.where(f.index != 5))


def drop_replication(f):
    return f[f.replication != 2]


def duplicate_row(f):
    return pd.concat([f, f.iloc[[0]]])


def value_as_text(f):
    return f.assign(value=f.value.astype(str))


def set_meta(path: list[str], value):
    def edit(meta):
        node = meta
        for key in path[:-1]:
            node = node[key]
        if value is KeyError:
            del node[path[-1]]
        else:
            node[path[-1]] = value

    return edit


def unknown_region(meta):
    meta["scenario"]["region_names"][0] = "Atlantis"


TABLE_EDITS = {
    "lost one row": (drop_first_row, ["results.parquet", "rows"]),
    "a NaN": (set_nan, ["results.parquet", "a value differs"]),
    "lost a whole replication": (drop_replication, ["results.parquet", "rows"]),
    "a duplicated row": (duplicate_row, ["results.parquet", "rows"]),
    "no unit column": (lambda f: f.drop(columns="unit"), ["column 'unit' is missing"]),
    "no year column": (lambda f: f.drop(columns="year"), ["column 'year' is missing"]),
    "text in value": (value_as_text, ["column 'value' holds", "string, metadata records double"]),
}
# the same edits with the records and the seal recomputed: the table is checked against the metadata's facts
RESEALED_EDITS = {
    "lost a whole replication": (drop_replication, ["replication 2", "is listed in metadata.json but has no rows"]),
    "a duplicated row": (duplicate_row, ["duplicated row"]),
    "a NaN": (set_nan, ["not a finite value"]),
    "text in value": (value_as_text, ["'value' or 'year' is not numeric"]),
    "no unit column": (lambda f: f.drop(columns="unit"), ["column 'unit' is missing"]),
}
METADATA_EDITS = {
    "no scenario name": (set_meta(["scenario", "name"], KeyError), ["scenario.name", "not a valid scenario name"]),
    "an unknown region": (unknown_region, ["region"]),
    "a path as name": (set_meta(["scenario", "name"], "../../evil"), ["not a valid scenario name", "../../evil"]),
    "escaping name": (set_meta(["scenario", "name"], "x/../../../escaped"), ["not a valid scenario name"]),
    "a seed of another type": (set_meta(["seeds", "0"], "0; DROP"), ["seeds.0"]),
}


def compare(base: Path, other: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return yreb("compare", str(base), str(other), "--out", str(out), *extra)


@pytest.mark.slow
def test_every_table_is_recorded_and_the_metadata_sealed(pair):
    base, _ = pair
    meta = json.loads((base / "metadata.json").read_text())
    files = meta["integrity"]["files"]
    assert {"results.parquet", "results.csv", "flows.parquet", "scenario.toml", "inputs/region_table.csv"} <= set(files)
    results = pd.read_parquet(base / "results.parquet")
    record = files["results.parquet"]
    assert record["rows"] == len(results) and [c for c, _ in record["columns"]] == list(results.columns)
    assert len(record["sha256"]) == 64 and record["bytes"] == (base / "results.parquet").stat().st_size
    assert len(meta["metadata_sha256"]) == 64
    load_results(base)  # verifies


@pytest.mark.slow
@pytest.mark.parametrize("case", list(TABLE_EDITS))
def test_an_edited_results_table_is_refused_by_compare(pair, tmp_path, case):
    base, other = pair
    change, needles = TABLE_EDITS[case]
    edited = copy_run(other, tmp_path)
    edit_results(edited, change)
    out = tmp_path / "cmp"
    one_error(compare(base, edited, out), str(edited / "results.parquet"), "changed after the run", *needles)
    assert not out.exists() and not list(tmp_path.glob(f"{TMP_PREFIX}*"))


@pytest.mark.parametrize("case", list(RESEALED_EDITS))
def test_a_covered_edit_of_the_results_is_still_refused(pair, tmp_path, case):
    base, other = pair
    change, needles = RESEALED_EDITS[case]
    edited = copy_run(other, tmp_path)
    edit_results(edited, change)
    reseal(edited)
    with pytest.raises(UserInputError) as info:
        load_run(edited)
    for needle in needles:
        assert needle in str(info.value), str(info.value)


@pytest.mark.parametrize("case", list(METADATA_EDITS))
def test_edited_metadata_is_refused_sealed_or_resealed(pair, tmp_path, case):
    _, other = pair
    edit, needles = METADATA_EDITS[case]
    edited = copy_run(other, tmp_path)
    meta = json.loads((edited / "metadata.json").read_text())
    edit(meta)
    (edited / "metadata.json").write_text(json.dumps(meta))  # edited, seal not recomputed
    with pytest.raises(UserInputError, match="metadata was changed after it was written"):
        load_run(edited)
    edited2 = copy_run(other, tmp_path, "resealed")
    reseal(edited2, edit)  # edited and resealed: the names are validated like a scenario file's
    with pytest.raises(UserInputError) as info:
        load_run(edited2)
    for needle in needles:
        assert needle in str(info.value), str(info.value)


@pytest.mark.slow
def test_metadata_that_is_a_bare_number_or_garbled_flows_are_refused(pair, tmp_path):
    base, other = pair
    number = copy_run(other, tmp_path, "number")
    (number / "metadata.json").write_text("42")
    one_error(compare(base, number, tmp_path / "c1"), str(number / "metadata.json"), "JSON int, not an object")
    truncated = copy_run(other, tmp_path, "truncated")
    flows = truncated / "flows.parquet"
    flows.write_bytes(flows.read_bytes()[: flows.stat().st_size // 2])
    one_error(compare(base, truncated, tmp_path / "c2"), str(flows), "unreadable result file")
    garbled = copy_run(other, tmp_path, "garbled")
    flows = garbled / "flows.parquet"
    data = bytearray(flows.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 64] = bytes(64)
    flows.write_bytes(bytes(data))
    one_error(compare(base, garbled, tmp_path / "c3"), str(flows), "changed after the run")
    escaped = copy_run(other, tmp_path / "results" / "deep", "escaped")
    reseal(escaped, set_meta(["scenario", "name"], "x/../../../escaped"))
    one_error(compare(base, escaped, tmp_path / "results" / "c4"), "not a valid scenario name")
    assert not (tmp_path / "escaped").exists() and not (tmp_path.parent / "escaped").exists()
    assert not (tmp_path / "results" / "c4").exists()


@pytest.mark.slow
def test_one_deleted_row_no_longer_changes_an_effect_silently(pair, tmp_path):
    """The issue's example: a deleted row turned the belt GDP effect from +1.354 into -8,766.6, exit 0."""
    base, other = pair
    edited = copy_run(base, tmp_path, "baseline")
    frame = pd.read_parquet(edited / "results.parquet")
    gdp = frame[(frame.variable == "gdp_100m_yuan") & (frame.year == 2017)].index[0]
    frame.drop(index=gdp).to_parquet(edited / "results.parquet", index=False)
    proc = compare(edited, other, tmp_path / "cmp")
    one_error(proc, str(edited / "results.parquet"), "rows")
    assert not (tmp_path / "cmp").exists()


def test_a_result_of_another_code_version_is_flagged_in_the_comparison(pair, tmp_path):
    base, other = pair
    edited = copy_run(other, tmp_path)
    reseal(edited, set_meta(["code_sha256"], "0" * 64))
    proc = compare(base, edited, tmp_path / "cmp")
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning: ")]
    warnings = [line for line in warnings if "report.pdf not written" not in line]  # no Chromium: told apart
    assert len(warnings) == 1 and "open_belt" in warnings[0] and "another code version" in warnings[0]
    report = (tmp_path / "cmp" / "report.html").read_text()
    assert "another code version" in report and "open_belt" in report
    assert json.loads((tmp_path / "cmp" / "comparison.json").read_text())["warnings"]


def test_strings_from_a_result_folder_are_escaped_in_the_report(pair, tmp_path):
    """The comparison report embeds the seed, description, policy names and folder: all escaped."""
    base, other = pair
    script = "<script>alert(1)</script>"
    edited = copy_run(other, tmp_path, "x<img src=x onerror=alert(1)>")

    def hostile(meta):
        meta["scenario"]["seed"] = script
        meta["scenario"]["description"] = script
        meta["scenario"]["policies"][0]["name"] = script

    reseal(edited, hostile)
    proc = compare(base, edited, tmp_path / "cmp")
    assert proc.returncode == 0, proc.stderr
    report = (tmp_path / "cmp" / "report.html").read_text()
    assert script not in report and "<img src=x" not in report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    # the only script elements are the report's own (the inlined Vega scripts, their loader, the charts' data)
    tags = set(re.findall(r"<script[^>]*>", report))
    assert tags <= {"<script>"} | {
        t for t in tags if re.fullmatch(r"<script type='application/json' data-chart='\w+'>", t)
    }
    assert "alert(1)" not in "".join(re.findall(r"<script[^>]*>.*?</script>", report, flags=re.S))


# --- the property: random byte edits of every recorded file are always detected -------------------------


@pytest.fixture(scope="module")
def victim(pair, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("victim") / "open_belt"
    shutil.copytree(pair[1], folder)
    return folder


def _recorded(folder: Path) -> list[str]:
    return ["metadata.json", *json.loads((folder / "metadata.json").read_text())["integrity"]["files"]]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_byte_edits_of_any_recorded_file_are_always_detected(victim, data):
    rel = data.draw(st.sampled_from(_recorded(victim)), label="file")
    path = victim / rel
    original = path.read_bytes()
    kind = data.draw(st.sampled_from(["flip", "truncate", "insert", "delete"]), label="edit")
    at = data.draw(st.integers(0, len(original) - 1), label="position")
    if kind == "flip":
        byte = data.draw(st.integers(1, 255), label="xor")
        edited = original[:at] + bytes([original[at] ^ byte]) + original[at + 1 :]
    elif kind == "truncate":
        edited = original[:at]
    elif kind == "insert":
        edited = original[:at] + data.draw(st.binary(min_size=1, max_size=8), label="bytes") + original[at:]
    else:
        edited = original[:at] + original[at + data.draw(st.integers(1, 16), label="length") :]
    if edited == original or (rel == "metadata.json" and _same_json(edited, original)):
        return  # an edit that changes nothing (e.g. whitespace in JSON) is not an edit of the data
    path.write_bytes(edited)
    try:
        with pytest.raises(UserInputError):
            load_run(victim)
    finally:
        path.write_bytes(original)
    load_run(victim)  # restored: accepted again


def _same_json(a: bytes, b: bytes) -> bool:
    try:
        return json.loads(a) == json.loads(b)
    except ValueError:
        return False


def test_a_table_rewritten_with_the_same_rows_but_other_schema_metadata_is_detected(pair, tmp_path):
    _, other = pair
    edited = copy_run(other, tmp_path)
    table = pq.read_table(edited / "results.parquet")
    pq.write_table(table.replace_schema_metadata({b"note": b"edited"}), edited / "results.parquet")
    with pytest.raises(UserInputError, match="results.parquet was changed after the run"):
        load_run(edited)
    table = pa.table({"a": [1]})
    pq.write_table(table, edited / "results.parquet")
    with pytest.raises(UserInputError, match="column 'scenario' is missing"):
        load_run(edited)
