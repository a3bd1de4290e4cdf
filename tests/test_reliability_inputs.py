"""Hostile input everywhere a user types: scenario files, region tables, observed-data files, sweep files and
command-line options.

Every case is run through the command line in this process and must end the same way: exit code 2, one
``error:`` message naming the file (and line where the parser gives it), the field, the bad value and what is
expected; nothing written (the --out folder does not exist afterwards, no temporary folders anywhere).
docs/reliability.md counts these cases by kind (a test below keeps the counts in sync).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import ROOT
from yreb.cli import main
from yreb.errors import UserInputError
from yreb.inputs.scenario import MAX_REPLICATIONS, NAME_RE, load_scenario
from yreb.runs.storage import TMP_PREFIX, atomic_folder

HEAD = 'name = "x"\nend_year = 2017\n'
PARK = '[[policies]]\ntype = "co_built_park"\nstart = 2016\nsponsor = "Jiangsu"\nhost = "Anhui"\n'
PARK_SHANGHAI = PARK.replace('"Anhui"', '"Shanghai"')  # the least construction land: 3170 km2
ENCLAVE = '[[policies]]\ntype = "innovation_enclave"\nstart = 2016\nhome = "Jiangxi"\nhub = "Guizhou"\n'
PAIRING = '[[policies]]\ntype = "east_west_pairing"\nstart = 2016\neast = "Zhejiang"\nwest = "Sichuan"\n'
BARRIER = '[[policies]]\ntype = "barrier"\nstart = 2016\n'
TABLE = (ROOT / "simulation" / "yreb" / "data" / "regions_2015.csv").read_text(encoding="utf-8").splitlines()
HEADER, ROWS = TABLE[0], TABLE[1:]

# kind -> {case: (scenario file contents, fragments the message must contain)}; {file} is the file's path
SCENARIO_CASES: dict[str, dict[str, tuple[str | bytes, list[str]]]] = {
    "TOML syntax and encoding": {
        "double equals": ('name = "x"\nseed = = 3\n', ["malformed TOML", "line 2"]),
        "unclosed string": ('name = "x\n', ["malformed TOML", "line 1"]),
        "unclosed table header": ('name = "x"\n[parameters\n', ["malformed TOML", "line 2"]),
        "duplicate key": ('name = "x"\nname = "y"\n', ["malformed TOML", "line 2"]),
        "duplicate table": (HEAD + "[parameters]\n[parameters]\n", ["malformed TOML", "line 4"]),
        "NUL byte": (b'name = "x"\x00\n', ["malformed TOML"]),
        "not UTF-8 (Latin-1)": ('name = "Zürich"\n'.encode("latin-1"), ["not UTF-8", "byte 9", "UTF-8 encoded TOML"]),
        "UTF-16": ('name = "x"\n'.encode("utf-16"), ["not UTF-8", "UTF-8 encoded TOML"]),
        "empty": ("", ["the file is empty", "TOML file with content"]),
        "blank lines only": ("\n \n\t\n", ["the file is empty"]),
        "comments only": ("# nothing here\n", ["field 'name'", "Field required"]),
    },
    "wrong types": {
        "replications as text": (
            HEAD + 'replications = "ten"\n',
            ["line 3", "field 'replications'", "valid integer", "'ten'"],
        ),
        "replications as boolean": (HEAD + "replications = true\n", ["field 'replications'", "valid integer", "True"]),
        "replications fractional": (HEAD + "replications = 2.5\n", ["field 'replications'", "valid integer", "2.5"]),
        "seed as float": (HEAD + "seed = 1.0\n", ["field 'seed'", "valid integer", "1.0"]),
        "start year quoted": ('name = "x"\nstart_year = "2015"\n', ["field 'start_year'", "valid integer", "'2015'"]),
        "name as number": ("name = 5\n", ["line 1", "field 'name'", "valid string", "5"]),
        "name as table": ("[name]\nx = 1\n", ["field 'name'", "valid string"]),
        "parameters as number": (HEAD + "parameters = 3\n", ["field 'parameters'", "(got 3)"]),
        "parameter as boolean": (
            HEAD + "[parameters]\nrechoice_rate = true\n",
            ["line 4", "field 'parameters.rechoice_rate'", "valid number", "True"],
        ),
        "parameter quoted": (
            HEAD + '[parameters]\nrechoice_rate = "0.2"\n',
            ["field 'parameters.rechoice_rate'", "valid number", "'0.2'"],
        ),
        "parameter as list": (
            HEAD + "[parameters]\ntraded_goods_share = [0.4]\n",
            ["field 'parameters.traded_goods_share'", "valid number", "[0.4]"],
        ),
        "stochastic as number": (
            HEAD + "[parameters]\nstochastic = 1\n",
            ["field 'parameters.stochastic'", "valid boolean", "1"],
        ),
        "policies as table": (HEAD + '[policies]\ntype = "barrier"\n', ["field 'policies'", "valid list"]),
        "policy start as text": (
            HEAD + BARRIER.replace("start = 2016", 'start = "2016"'),
            ["line 5", "field 'policies[0].start'", "valid integer", "'2016'"],
        ),
        "policy regions as number": (HEAD + BARRIER + "regions = 7\n", ["field 'policies[0].regions", "(got 7)"]),
        "regions as text": (HEAD + 'regions = "Anhui"\n', ["field 'regions'", "valid list", "'Anhui'"]),
        "groups as list": (HEAD + 'groups = ["Anhui"]\n', ["field 'groups'", "valid dictionary", "['Anhui']"]),
        "date for a year": (HEAD.replace("2017", "2017-01-01"), ["field 'end_year'", "valid integer"]),
    },
    "NaN and infinities": {
        "seed nan": (HEAD + "seed = nan\n", ["line 3", "field 'seed'", "finite number", "nan"]),
        "parameter nan": (
            HEAD + "[parameters]\nrechoice_rate = nan\n",
            ["field 'parameters.rechoice_rate'", "finite number", "nan"],
        ),
        "parameter inf": (
            HEAD + "[parameters]\ndistance_scale_km = inf\n",
            ["field 'parameters.distance_scale_km'", "finite number", "inf"],
        ),
        "parameter -inf": (
            HEAD + "[parameters]\ntfp_growth = -inf\n",
            ["field 'parameters.tfp_growth'", "finite number", "-inf"],
        ),
        "researchers inf": (
            HEAD + ENCLAVE + "researchers = inf\n",
            ["line 8", "field 'policies[0].researchers'", "finite number", "inf"],
        ),
        "park land nan": (HEAD + PARK + "land_km2 = nan\n", ["field 'policies[0].land_km2'", "finite number", "nan"]),
        "barrier level +inf": (
            HEAD + BARRIER + "talent = +inf\n",
            ["field 'policies[0].talent'", "finite number", "inf"],
        ),
        "end year nan": ('name = "x"\nend_year = nan\n', ["field 'end_year'", "finite number", "nan"]),
    },
    "ranges and negative stocks": {
        "zero replications": (
            HEAD + "replications = 0\n",
            ["field 'replications'", "greater than or equal to 1", "(got 0)"],
        ),
        "negative replications": (HEAD + "replications = -5\n", ["field 'replications'", "(got -5)"]),
        "negative seed": (HEAD + "seed = -1\n", ["field 'seed'", "greater than or equal to 0", "(got -1)"]),
        "seed beyond 63 bits": (
            HEAD + "seed = 9223372036854775808\n",
            ["field 'seed'", "less than 9223372036854775808"],
        ),
        "rate above 1": (
            HEAD + "[parameters]\nrechoice_rate = 1.5\n",
            ["field 'parameters.rechoice_rate'", "less than or equal to 1", "1.5"],
        ),
        "negative depreciation": (
            HEAD + "[parameters]\ndepreciation = -0.1\n",
            ["field 'parameters.depreciation'", "greater than 0", "-0.1"],
        ),
        "elasticity near zero": (
            HEAD + "[parameters]\ninvestment_elasticity = 1e-9\n",
            ["field 'parameters.investment_elasticity'", "greater than or equal to 0.1", "1e-09"],
        ),
        "distance scale below 1 km": (
            HEAD + "[parameters]\ndistance_scale_km = 0.001\n",
            ["field 'parameters.distance_scale_km'", "greater than or equal to 1"],
        ),
        "income shares not summing to 1": (
            HEAD + "[parameters]\ncapital_share = 0.6\n",
            ["field 'parameters'", "must equal 1", "1.15"],
        ),
        "negative head-count": (
            HEAD + ENCLAVE + "researchers = -5\n",
            ["field 'policies[0].researchers'", "greater than or equal to 0", "-5"],
        ),
        "negative park land": (
            HEAD + PARK + "land_km2 = -1\n",
            ["field 'policies[0].land_km2'", "greater than 0", "-1"],
        ),
        "negative seed capital": (
            HEAD + PARK + "seed_capital_100m_yuan = -50\n",
            ["field 'policies[0].seed_capital_100m_yuan'", "-50"],
        ),
        "negative transfer": (
            HEAD + PAIRING + "investment_100m_yuan_per_year = -100\n",
            ["field 'policies[0].investment_100m_yuan_per_year'", "-100"],
        ),
        "barrier level negative": (HEAD + BARRIER + "capital = -0.5\n", ["field 'policies[0].capital'", "-0.5"]),
        "huge integer": (
            HEAD + "[parameters]\ntraded_goods_share = 100000000000000000000000\n",
            ["field 'parameters.traded_goods_share'", "less than 1"],
        ),
        "description too long": (
            HEAD + f'description = "{"x" * 4001}"\n',
            ["field 'description'", "at most 4000 characters"],
        ),
    },
    "years": {
        "start year before 1900": (
            'name = "x"\nstart_year = 1800\n',
            ["line 2", "field 'start_year'", "greater than or equal to 1900", "1800"],
        ),
        "end year after 2300": (
            'name = "x"\nend_year = 2400\n',
            ["field 'end_year'", "less than or equal to 2300", "2400"],
        ),
        "reversed": (
            'name = "x"\nstart_year = 2015\nend_year = 2010\n',
            ["end_year (2010) must be after start_year (2015)"],
        ),
        "equal": ('name = "x"\nend_year = 2015\n', ["end_year (2015) must be after start_year (2015)"]),
        "more than 200 years": ('name = "x"\nstart_year = 1950\nend_year = 2300\n', ["at most 200 simulated years"]),
        "policy starts before the start year": (
            HEAD + BARRIER.replace("2016", "2010"),
            ["field 'policies[0].start'", "outside the simulated years", "2010", "from 2015 to 2017"],
        ),
        "policy starts after the end year": (
            HEAD + BARRIER.replace("2016", "2030"),
            ["field 'policies[0].start'", "outside the simulated years", "2030"],
        ),
        "policy ends before it starts": (
            HEAD + BARRIER + "end = 2015\n",
            ["field 'policies[0]'", "end (2015) is before start (2016)"],
        ),
        "second policy's year": (
            HEAD + BARRIER + BARRIER.replace("2016", "1800"),
            ["line 8", "field 'policies[1].start'", "1800"],
        ),
    },
    "unknown keys, regions and groups": {
        "misspelt top-level key": (HEAD + "replicatons = 3\n", ["line 3", "field 'replicatons'", "unknown key"]),
        "misspelt parameter": (
            HEAD + "[parameters]\nrechoice_rat = 0.1\n",
            ["line 4", "field 'parameters.rechoice_rat'", "unknown key"],
        ),
        "misspelt policy key": (
            HEAD + PARK + "land_km = 3\n",
            ["line 8", "field 'policies[0].land_km'", "unknown key"],
        ),
        "unknown policy type": (
            HEAD + '[[policies]]\ntype = "teleport"\nstart = 2016\n',
            ["field 'policies[0]'", "teleport", "one of 'barrier'"],
        ),
        "policy without type": (HEAD + "[[policies]]\nstart = 2016\n", ["field 'policies[0]'", "type"]),
        "policy missing a region": (
            HEAD + '[[policies]]\ntype = "co_built_park"\nstart = 2016\nhost = "Anhui"\n',
            ["line 3", "field 'policies[0].sponsor'", "Field required"],
        ),
        "unknown host": (
            HEAD + PARK.replace('"Anhui"', '"Anhwei"'),
            ["field 'policies[0].host'", "unknown region", "'Anhwei'", "Anhui"],
        ),
        "region in the wrong case": (
            HEAD + ENCLAVE.replace('"Guizhou"', '"guizhou"'),
            ["field 'policies[0].hub'", "'guizhou'"],
        ),
        "unknown region in a list": (
            HEAD + BARRIER + 'regions = ["Anhui", "Atlantis"]\n',
            ["field 'policies[0].regions'", "'Atlantis'"],
        ),
        "unknown group": (
            HEAD + BARRIER + 'regions = "delta"\n',
            ["field 'policies[0].regions'", "unknown region group", "'delta'", "belt"],
        ),
        "empty region list": (HEAD + BARRIER + "regions = []\n", ["field 'policies[0].regions'", "empty region list"]),
        "unknown region in regions": (HEAD + 'regions = ["Anhui", "Tibet"]\n', ["field 'regions[1]'", "'Tibet'"]),
        "unknown region in a group": (
            HEAD + '[groups]\ndelta = ["Shanghai", "Ningbo"]\n',
            ["field 'groups.delta'", "'Ningbo'"],
        ),
        "group named like a built-in": (
            HEAD + '[groups]\nbelt = ["Shanghai", "Anhui"]\n',
            ["field 'groups.belt'", "clashes"],
        ),
        "group named like a region": (
            HEAD + '[groups]\nAnhui = ["Shanghai", "Anhui"]\n',
            ["field 'groups.Anhui'", "clashes"],
        ),
        "unknown wage payer": (
            HEAD + ENCLAVE + 'wages_paid_by = "state"\n',
            ["field 'policies[0].wages_paid_by'", "'home' or 'hub'", "'state'"],
        ),
    },
    "policies referencing each other": {
        "park sponsor is the host": (
            HEAD + PARK.replace('"Anhui"', '"Jiangsu"'),
            ["field 'policies[0]'", "sponsor and host must be different regions"],
        ),
        "enclave home is the hub": (
            HEAD + ENCLAVE.replace('"Guizhou"', '"Jiangxi"'),
            ["field 'policies[0]'", "home and hub must be different"],
        ),
        "pairing east is west": (
            HEAD + PAIRING.replace('"Sichuan"', '"Zhejiang"'),
            ["east and west must be different"],
        ),
        "head-count above half the hub's talent": (
            HEAD + ENCLAVE + "researchers = 20000\n",
            [
                "field 'policies[0].researchers'",
                "exceeds half the hub's talent",
                "20000",
                "at most 11768 persons for Guizhou",
            ],
        ),
        "two enclaves in one hub above half": (
            HEAD + ENCLAVE + "researchers = 8000\n" + ENCLAVE.replace("Jiangxi", "Yunnan") + "researchers = 8000\n",
            [
                "field 'policies[1].researchers'",
                "with the others in force in 2016: 16000 persons in all",
                "at most 11768",
            ],
        ),
        "park land above half the host's": (
            HEAD + PARK_SHANGHAI + "land_km2 = 2000\n",
            [
                "field 'policies[0].land_km2'",
                "exceeds half the host's construction land",
                "2000",
                "at most 1585 km2 for Shanghai",
            ],
        ),
        "two parks in one host above half": (
            HEAD
            + PARK_SHANGHAI
            + "land_km2 = 1000\n"
            + PARK_SHANGHAI.replace("Jiangsu", "Zhejiang")
            + "land_km2 = 1000\n",
            ["field 'policies[1].land_km2'", "2000 km2 in all"],
        ),
        "policy names a region left out": (
            HEAD + 'regions = ["Shanghai", "Jiangsu", "Zhejiang"]\n' + PARK,
            ["field 'policies[0].host'", "unknown region", "'Anhui'", "Shanghai, Jiangsu, Zhejiang"],
        ),
        "regions listed twice": (
            HEAD + 'regions = ["Anhui", "Anhui"]\n',
            ["field 'regions'", "distinct and at least two"],
        ),
        "a single region": (HEAD + 'regions = ["Anhui"]\n', ["field 'regions'", "at least two"]),
    },
    "names (result folders)": {
        "parent folder": ('name = "../escape"\n', ["field 'name'", "path separators", "'../escape'"]),
        "dot-dot": ('name = ".."\n', ["field 'name'", "'..'"]),
        "slash": ('name = "a/b"\n', ["field 'name'", "'a/b'"]),
        "backslash": ('name = "a\\\\b"\n', ["field 'name'", "'a\\\\b'"]),
        "absolute path": ('name = "/tmp/x"\n', ["field 'name'", "'/tmp/x'"]),
        "hidden folder": ('name = ".hidden"\n', ["field 'name'", "'.hidden'"]),
        "home folder": ('name = "~"\n', ["field 'name'", "'~'"]),
        "empty": ('name = ""\n', ["field 'name'"]),
        "trailing newline": ('name = "x\\n"\n', ["field 'name'", "'x\\n'"]),
        "space": ('name = "my run"\n', ["field 'name'", "'my run'"]),
        "65 characters": (f'name = "{"a" * 65}"\n', ["field 'name'", "1-64"]),
        "NUL character": ('name = "a\\u0000b"\n', ["field 'name'"]),
    },
}

# region-table variants: (lines of the CSV or raw bytes, fragments); the scenario names it as "t.csv"
GOOD_ROWS = [HEADER, *ROWS]
COLUMNS = HEADER.split(",")


def _set(row: int, column: str, value: str) -> list[str]:
    """The shipped table with one cell replaced (row 0 = first region, line 2 of the file)."""
    lines = list(GOOD_ROWS)
    cells = lines[row + 1].split(",")
    cells[COLUMNS.index(column)] = value
    lines[row + 1] = ",".join(cells)
    return lines


def _drop(column: str) -> list[str]:
    i = COLUMNS.index(column)
    return [",".join(c for k, c in enumerate(line.split(",")) if k != i) for line in GOOD_ROWS]


TABLE_CASES: dict[str, tuple[list[str] | bytes, list[str]]] = {
    "missing column": (_drop("gdp_100m_yuan"), ["missing column(s) gdp_100m_yuan", "field 'gdp_100m_yuan'"]),
    "only the name columns": (
        [",".join(line.split(",")[:4]) for line in GOOD_ROWS],
        ["missing column(s) lon, lat, gdp_100m_yuan"],
    ),
    "duplicate region": (
        [*GOOD_ROWS, GOOD_ROWS[4]],
        ["line 14", "field 'region'", "duplicate region name (first on line 5)", "'Anhui'"],
    ),
    "duplicate after spaces": (
        [*GOOD_ROWS, GOOD_ROWS[4].replace("Anhui,", " Anhui ,", 1)],
        ["line 14", "duplicate region name"],
    ),
    "text for a number": (
        _set(1, "gdp_100m_yuan", "lots"),
        ["line 3", "field 'gdp_100m_yuan'", "not a number", "'lots'"],
    ),
    "NaN": (_set(2, "population_10k", "nan"), ["line 4", "field 'population_10k'", "not a finite number", "'nan'"]),
    "infinity": (_set(0, "capital_stock_100m_yuan", "inf"), ["line 2", "field 'capital_stock_100m_yuan'", "'inf'"]),
    "empty cell": (_set(4, "land_area_km2", ""), ["line 6", "field 'land_area_km2'", "not a number"]),
    "negative population": (
        _set(3, "population_10k", "-6011"),
        ["line 5", "field 'population_10k'", "must be positive", "-6011"],
    ),
    "zero land": (_set(5, "land_area_km2", "0"), ["line 7", "field 'land_area_km2'", "must be positive", "0.0"]),
    "negative capital": (
        _set(6, "capital_stock_100m_yuan", "-1"),
        ["line 8", "field 'capital_stock_100m_yuan'", "-1.0"],
    ),
    "talent above population": (
        _set(7, "talent_persons", "40000000"),
        ["line 9", "field 'talent_persons'", "talent exceeds population", "40000000"],
    ),
    "latitude out of range": (
        _set(0, "lat", "131.2"),
        ["line 2", "field 'lat'", "out of range", "131.2", "between -90 and 90"],
    ),
    "unknown sub-region": (_set(1, "subregion", "delta"), ["line 3", "field 'subregion'", "'delta'", "downstream"]),
    "bad in_belt flag": (_set(2, "in_belt", "maybe"), ["line 4", "field 'in_belt'", "'maybe'", "true or false"]),
    "built-up land above land area": (
        _set(0, "construction_land_km2", "7000"),
        ["line 2", "field 'construction_land_km2'", "exceeds land area", "7000.0", "6340.5"],
    ),
    "region name with a slash": (_set(0, "region", "../Shanghai"), ["line 2", "field 'region'", "'../Shanghai'"]),
    "ragged row": ([*GOOD_ROWS[:3], GOOD_ROWS[3] + ",1,2"], ["not a valid CSV table", "line 4"]),
    "unclosed quote": ([*GOOD_ROWS[:3], '"Anhui,' + GOOD_ROWS[3]], ["not a valid CSV table"]),
    "header only": ([HEADER], ["at least two regions"]),
    "one region": (GOOD_ROWS[:2], ["at least two regions"]),
    "empty file": (b"", ["the file is empty"]),
    "not UTF-8": ("\n".join(GOOD_ROWS).encode("gb18030"), ["not UTF-8", "UTF-8 encoded CSV"]),
    "binary junk": (bytes(range(256)), ["not UTF-8"]),
}

# command-line variants of `yreb run`: (arguments after 'run' with {scenario} and {out}, fragments)
CLI_CASES: dict[str, tuple[list[str], list[str]]] = {
    "replications zero": (["{scenario}", "--replications", "0"], ["command line", "expected a number >= 1, got 0"]),
    "replications negative": (["{scenario}", "--replications", "-3"], ["expected a number >= 1, got -3"]),
    "replications not a number": (["{scenario}", "--replications", "many"], ["expected a whole number, got 'many'"]),
    "replications fractional": (["{scenario}", "--replications", "1.5"], ["expected a whole number, got '1.5'"]),
    "replications above the limit": (
        ["{scenario}", "--replications", "5000"],
        ["field 'replications'", "too many replications", "5000", f"at most {MAX_REPLICATIONS} (pass --force"],
    ),
    "seed negative": (["{scenario}", "--seed", "-1"], ["expected a seed from 0 to 2^63-1, got -1"]),
    "seed beyond 63 bits": (["{scenario}", "--seed", str(2**63)], ["expected a seed from 0 to 2^63-1"]),
    "seed not a number": (["{scenario}", "--seed", "0x1F"], ["expected a whole number, got '0x1F'"]),
    "misspelt option": (["{scenario}", "--replicatons", "3"], ["unrecognized arguments", "--replicatons"]),
    "missing scenario": ([], ["the following arguments are required: scenario"]),
    "scenario file missing": (["{missing}"], ["file not found", "an existing TOML file"]),
    "scenario is a folder": (["{folder}"], ["is a folder, not a file", "a TOML file"]),
    "--out is a file": (
        ["{scenario}", "--out", "{file}"],
        ["cannot create the result folder", "a writable folder (not a file) for --out"],
    ),
    "--out inside a file": (["{scenario}", "--out", "{file}/sub"], ["cannot create the result folder"]),
}


def _run(capsys, argv: list[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(argv)
    return code, capsys.readouterr().err


def _temporary_leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob(f"{TMP_PREFIX}*")]


def assert_rejected(capsys, argv: list[str], fragments: list[str], out: Path, root: Path) -> str:
    """Exit 2, one error line with every fragment, no traceback, nothing written anywhere under ``root``."""
    code, err = _run(capsys, argv)
    assert code == 2, err
    message = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(message) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in message[0], (fragment, message[0])
    assert not out.exists()
    assert not _temporary_leftovers(root)
    return message[0]


def _scenario_params():
    return [pytest.param(kind, case, id=f"{kind}: {case}") for kind, cases in SCENARIO_CASES.items() for case in cases]


@pytest.mark.parametrize("kind, case", _scenario_params())
def test_hostile_scenario_file(tmp_path, capsys, kind, case):
    content, fragments = SCENARIO_CASES[kind][case]
    scenario = tmp_path / "bad.toml"
    (scenario.write_bytes if isinstance(content, bytes) else scenario.write_text)(content)
    out = tmp_path / "out"
    message = assert_rejected(
        capsys, ["run", str(scenario), "--out", str(out), "--quiet", "--no-plots"], fragments, out, tmp_path
    )
    assert message.startswith(f"error: {scenario}")


@pytest.mark.parametrize("case", list(TABLE_CASES))
def test_hostile_region_table(tmp_path, capsys, case):
    content, fragments = TABLE_CASES[case]
    table = tmp_path / "t.csv"
    if isinstance(content, bytes):
        table.write_bytes(content)
    else:
        table.write_text("\n".join(content) + "\n", encoding="utf-8")
    scenario = tmp_path / "s.toml"
    scenario.write_text(HEAD + 'region_table = "t.csv"\n')
    out = tmp_path / "out"
    message = assert_rejected(
        capsys, ["run", str(scenario), "--out", str(out), "--quiet", "--no-plots"], fragments, out, tmp_path
    )
    assert message.startswith(f"error: {table}")


def test_region_table_path_that_is_a_folder_or_missing(tmp_path, capsys):
    out = tmp_path / "out"
    for ref, fragment in (('"."', "is a folder, not a file"), ('"nowhere.csv"', "file not found")):
        scenario = tmp_path / "s.toml"
        scenario.write_text(HEAD + f"region_table = {ref}\n")
        assert_rejected(capsys, ["run", str(scenario), "--out", str(out)], [fragment, "CSV file"], out, tmp_path)


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_hostile_command_line(tmp_path, capsys, case):
    args, fragments = CLI_CASES[case]
    scenario = tmp_path / "s.toml"
    scenario.write_text(HEAD)
    (tmp_path / "folder.toml").mkdir()
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    places = {
        "scenario": scenario,
        "missing": tmp_path / "missing.toml",
        "folder": tmp_path / "folder.toml",
        "file": a_file,
        "out": tmp_path / "out",
    }
    argv = ["run", *[a.format(**places) for a in args]]
    if "--out" not in argv:
        argv += ["--out", str(places["out"])]
    assert_rejected(capsys, argv + ["--quiet", "--no-plots"], fragments, places["out"], tmp_path)
    assert a_file.read_text() == "not a folder"


def test_unknown_command_and_missing_command(capsys):
    for argv, fragment in ((["frobnicate"], "invalid choice: 'frobnicate'"), ([], "required: command")):
        code, err = _run(capsys, argv)
        assert code == 2 and fragment in err and "Traceback" not in err


def test_replication_limit_is_lifted_by_force_only(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text(HEAD + f"replications = {MAX_REPLICATIONS + 1}\n")
    with pytest.raises(UserInputError, match="too many replications"):
        load_scenario(scenario)
    assert load_scenario(scenario, force=True).spec.replications == MAX_REPLICATIONS + 1
    assert load_scenario(scenario, replications=MAX_REPLICATIONS).spec.replications == MAX_REPLICATIONS


def test_debug_shows_the_traceback(tmp_path):
    import subprocess
    import sys

    scenario = tmp_path / "bad.toml"
    scenario.write_text('name = "x"\nseed = = 3\n')
    base = [sys.executable, "-m", "yreb"]
    plain = subprocess.run(base + ["run", str(scenario)], capture_output=True, text=True, cwd=tmp_path)
    debug = subprocess.run(base + ["--debug", "run", str(scenario)], capture_output=True, text=True, cwd=tmp_path)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr and plain.stderr.startswith("error: ")
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "UserInputError" in debug.stderr
    assert not (tmp_path / "results").exists()


def test_a_byte_order_mark_is_accepted(tmp_path, capsys):
    scenario = tmp_path / "bom.toml"
    scenario.write_bytes(b"\xef\xbb\xbf" + HEAD.encode())
    code, err = _run(capsys, ["validate", str(scenario)])
    assert code == 0, err


# --- safe by construction --------------------------------------------------------------------------------

UNSAFE = re.compile(
    r"\beval\(|\bexec\(|(?<!re\.)\bcompile\(|\bpickle\b|\bcPickle\b|\bdill\b|\bcloudpickle\b|\bmarshal\b"
    r"|\bshelve\b|\byaml\b|\bruamel\b|__import__|\bimportlib\.import_module\((?!module\))"
)


def test_no_code_executing_loaders_in_the_package():
    """Scenario, sweep and data files are read with tomllib, json, csv and parquet only."""
    sources = sorted((ROOT / "simulation").rglob("*.py"))
    assert len(sources) > 10
    offenders = [
        f"{p.name}:{n}: {line.strip()}"
        for p in sources
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if UNSAFE.search(line)
    ]
    assert offenders == []
    assert "tomllib.loads" in (ROOT / "simulation" / "yreb" / "inputs" / "scenario.py").read_text(encoding="utf-8")


def test_scenario_text_is_data_not_code(tmp_path, capsys):
    marker = tmp_path / "pwned"
    scenario = tmp_path / "s.toml"
    scenario.write_text(HEAD + f"description = \"__import__('os').system('touch {marker}')\"\n")
    code, err = _run(capsys, ["validate", str(scenario)])
    assert code == 0, err
    assert not marker.exists()


@given(st.text(min_size=1, max_size=70))
def test_an_accepted_name_stays_inside_the_results_folder(name):
    if not NAME_RE.match(name):
        return
    out = Path("/results")
    target = (out / name).resolve()
    assert target.parent == out and target.name == name and not name.startswith(".")


def test_a_result_folder_appearing_while_running_is_not_overwritten(tmp_path):
    """Two runs of one scenario at once: the later one must not replace the first's folder without --force."""
    target = tmp_path / "baseline"
    with pytest.raises(UserInputError, match="created by another run meanwhile"):
        with atomic_folder(target, force=False) as tmp:
            (tmp / "mine.txt").write_text("second run")
            target.mkdir()
            (target / "theirs.txt").write_text("first run")
    assert [p.name for p in target.iterdir()] == ["theirs.txt"]
    assert not _temporary_leftovers(tmp_path)


# --- observed-data files (yreb hindcast --observed) and sweep files (yreb sweep) -----------------------

OBSERVED = "region,year,variable,value\nJiangsu,2016,gdp_current,77388\n"
OBSERVED_CASES: dict[str, tuple[str | bytes, list[str]]] = {
    "missing column": (
        "region,year,value\nJiangsu,2016,1\n",
        ["line 1", "field 'variable'", "missing column(s) variable"],
    ),
    "unknown region": (OBSERVED + "Atlantis,2016,gdp_current,1\n", ["line 3", "field 'region'", "'Atlantis'"]),
    "year not a number": (
        OBSERVED + "Anhui,twenty,gdp_current,1\n",
        ["line 3", "field 'year'", "'twenty'", "whole number"],
    ),
    "fractional year": (OBSERVED + "Anhui,2016.5,gdp_current,1\n", ["line 3", "field 'year'", "'2016.5'"]),
    "year out of range": (OBSERVED + "Anhui,3016,gdp_current,1\n", ["line 3", "from 1900 to 2300"]),
    "NaN value": (OBSERVED + "Anhui,2016,gdp_current,nan\n", ["line 3", "field 'value'", "'nan'", "finite number"]),
    "infinite value": (OBSERVED + "Anhui,2016,gdp_current,-inf\n", ["line 3", "'-inf'"]),
    "text value": (OBSERVED + "Anhui,2016,gdp_current,n/a\n", ["line 3", "'n/a'"]),
    "duplicate row": (OBSERVED + "Jiangsu,2016,gdp_current,77000\n", ["line 3", "duplicate row", "first on line 2"]),
    "empty variable": (OBSERVED + "Anhui,2016,,1\n", ["line 3", "field 'variable'", "empty variable name"]),
    "header only": ("region,year,variable,value\n", ["no data rows"]),
    "empty file": ("", ["the file is empty"]),
    "not UTF-8": (OBSERVED.replace("Jiangsu", "Jiangsü").encode("latin-1"), ["not UTF-8"]),
}


@pytest.mark.parametrize("case", list(OBSERVED_CASES))
def test_hostile_observed_data_file(tmp_path, capsys, case):
    content, fragments = OBSERVED_CASES[case]
    observed = tmp_path / "obs.csv"
    (observed.write_bytes if isinstance(content, bytes) else observed.write_text)(content)
    out = tmp_path / "out"
    message = assert_rejected(
        capsys,
        ["hindcast", "--observed", str(observed), "--out", str(out), "--replications", "1"],
        fragments,
        out,
        tmp_path,
    )
    assert message.startswith(f"error: {observed}")


SWEEP_BASE = 'name = "base"\nend_year = 2017\n' + ENCLAVE
SWEEP = (
    'name = "s"\nbase = "base.toml"\ndesign = "grid"\nreplications = 1\n'
    '[[vary]]\npath = "policies.0.researchers"\nvalues = [500.0, 1000.0]\n'
)
SWEEP_CASES: dict[str, tuple[str | bytes, list[str]]] = {
    "malformed TOML": (SWEEP + "design = = 1\n", ["malformed TOML", "line 8"]),
    "empty": ("", ["the file is empty"]),
    "not UTF-8": (SWEEP.replace('"s"', '"s\xe9"').encode("latin-1"), ["not UTF-8"]),
    "name with a path": (SWEEP.replace('name = "s"', 'name = "../s"'), ["line 1", "field 'name'", "'../s'"]),
    "name with a newline": (SWEEP.replace('name = "s"', 'name = "s\\n"'), ["field 'name'", "'s\\n'"]),
    "unknown design": (SWEEP.replace('"grid"', '"random"'), ["line 3", "field 'design'", "'random'"]),
    "NaN in a range": (
        SWEEP.replace("values = [500.0, 1000.0]", "range = [nan, 1000.0]\nlevels = 2"),
        ["field 'vary[0].range", "nan"],
    ),
    "infinite value": (SWEEP.replace("1000.0]", "inf]"), ["field 'vary[0]'", "finite"]),
    "reversed range": (
        SWEEP.replace("values = [500.0, 1000.0]", "range = [1000.0, 500.0]\nlevels = 2"),
        ["range low (1000.0) must be below high (500.0)"],
    ),
    "replications above the limit": (
        SWEEP.replace("replications = 1", "replications = 5000"),
        ["field 'replications'", "less than or equal to 1000", "5000"],
    ),
    "base scenario missing": (
        SWEEP.replace("base.toml", "nowhere.toml"),
        ["field 'base'", "base scenario not found", "'nowhere.toml'"],
    ),
    "base scenario is a folder": (SWEEP.replace("base.toml", "."), ["field 'base'", "base scenario not found"]),
    "path into nothing": (
        SWEEP.replace("policies.0.researchers", "policies.4.researchers"),
        ["vary 'policies.4.researchers'", "not in the base scenario"],
    ),
    "path that is not a path": (
        SWEEP.replace("policies.0.researchers", "policies[0]/researchers"),
        ["field 'vary[0].path'", "not a dotted path"],
    ),
    "varying the name": (SWEEP.replace("policies.0.researchers", "name"), ["set by the sweep file itself"]),
    "a value making the scenario invalid": (
        SWEEP.replace("1000.0]", "-5.0]"),
        ["vary 'policies.0.researchers'", "-5.0", "greater than or equal to 0"],
    ),
    "a value above half the hub's talent": (SWEEP.replace("1000.0]", "20000.0]"), ["exceeds half the hub's talent"]),
    "fixed setting out of range": (
        SWEEP + '[fixed]\n"parameters.rechoice_rate" = 2.0\n',
        ["field 'fixed'", "rechoice_rate", "less than or equal to 1"],
    ),
    "unknown key": (SWEEP + "colour = 1\n", ["line 8", "field 'vary[0].colour'", "unknown key"]),
}


@pytest.mark.parametrize("case", list(SWEEP_CASES))
def test_hostile_sweep_file(tmp_path, capsys, case):
    content, fragments = SWEEP_CASES[case]
    (tmp_path / "base.toml").write_text(SWEEP_BASE)
    sweep = tmp_path / "sweep.toml"
    (sweep.write_bytes if isinstance(content, bytes) else sweep.write_text)(content)
    out = tmp_path / "out"
    message = assert_rejected(
        capsys, ["sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet"], fragments, out, tmp_path
    )
    assert message.startswith(f"error: {sweep}")


# --- the coverage table in docs/reliability.md ----------------------------------------------------------


def case_counts() -> dict[str, int]:
    """Number of hostile inputs tried, by kind (the rows of the table in docs/reliability.md)."""
    counts = {f"scenario file: {kind}": len(cases) for kind, cases in SCENARIO_CASES.items()}
    counts["region table (CSV)"] = len(TABLE_CASES) + 2  # + folder and missing file
    counts["command line"] = len(CLI_CASES) + 2  # + unknown and missing command
    counts["observed-data file (CSV)"] = len(OBSERVED_CASES)
    counts["sweep file"] = len(SWEEP_CASES)
    return counts


def test_docs_count_the_cases_tried():
    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    for kind, count in case_counts().items():
        assert re.search(rf"^\| {re.escape(kind)} \| {count} \|", doc, re.M), (kind, count)
    total = sum(case_counts().values())
    assert f"| **all hostile inputs** | **{total}** |" in doc


def test_a_region_table_is_parsed_once_per_text_and_shared_read_only(tmp_path):
    """load_region_table keeps the parsed table of a file's text: the same text gives the same (read-only) table,
    an edited file is parsed again, and a broken file is reported every time it is loaded."""
    import numpy as np

    from yreb.inputs.regions import DEFAULT_REGION_TABLE, load_region_table

    path = tmp_path / "regions.csv"
    text = DEFAULT_REGION_TABLE.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_region_table(path)
    assert load_region_table(path) is first
    assert first.source_file == str(path)
    with pytest.raises(ValueError, match="read-only"):
        first.gdp_100m_yuan[0] = 1.0
    import pickle

    copied = pickle.loads(pickle.dumps(first))  # as a sweep worker receives it
    assert not copied.gdp_100m_yuan.flags.writeable and copied.fingerprint() == first.fingerprint()
    lines = text.splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("gdp_100m_yuan")] = str(2 * float(row[header.index("gdp_100m_yuan")]))
    path.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    edited = load_region_table(path)
    assert edited is not first
    assert edited.gdp_100m_yuan[0] == 2 * first.gdp_100m_yuan[0]
    np.testing.assert_array_equal(edited.gdp_100m_yuan[1:], first.gdp_100m_yuan[1:])
    row[header.index("gdp_100m_yuan")] = "lots"
    path.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(UserInputError, match="not a number"):
            load_region_table(path)
