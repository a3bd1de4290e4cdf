"""yreb export as a user runs it (the CLI in a subprocess): IAMC values against the tidy table, units that pint
parses, pyam loading the file (where pyam is installed), a NetCDF round trip, the tidy CSV, and bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from yreb import __version__
from yreb.export.iamc import IAMC_COLUMNS, QUANTILES, iamc_unit, iamc_variable
from yreb.export.netcdf import to_table
from yreb.inputs.regions import load_region_table

ROOT = Path(__file__).resolve().parents[1]


def yreb(*args, cwd=None, check=True):
    proc = subprocess.run(
        [sys.executable, "-m", "yreb", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> Path:
    """A short baseline (3 replications, 2015-2020, stochastic so that replications differ), run by the CLI."""
    folder = tmp_path_factory.mktemp("export")
    text = (ROOT / "scenarios" / "baseline.toml").read_text(encoding="utf-8")
    text = text.replace("end_year = 2035", "end_year = 2020").replace(
        "[parameters]\n", "[parameters]\nstochastic = true\n"
    )
    assert "end_year = 2020" in text and "stochastic = true" in text
    scenario = folder / "baseline.toml"
    scenario.write_text(text, encoding="utf-8")
    yreb("run", scenario, "--replications", 3, "--out", folder / "results", "--no-plots", "--quiet")
    return folder / "results" / "baseline"


@pytest.fixture(scope="module")
def table(result) -> pd.DataFrame:
    return pd.read_parquet(result / "results.parquet")


def with_string_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with its categorical label columns (region, variable, unit) as strings, as a text export has them."""
    return frame.astype({column: str for column in frame.select_dtypes("category").columns})


@pytest.fixture(scope="module")
def iamc_file(result) -> Path:
    out = yreb("export", result, "--format", "iamc")
    path = result.parent / "baseline.iamc.csv"
    assert out.stdout.strip() == f"wrote {path}"
    return path


def expected_iamc(table: pd.DataFrame) -> pd.DataFrame:
    """The IAMC rows computed here from the tidy table, independently of yreb.export.iamc.iamc_table."""
    rows = []
    for (region, variable, unit, year), group in table.groupby(["region", "variable", "unit", "year"]):
        name, (iamc_u, factor) = iamc_variable(variable), iamc_unit(variable, unit)
        values = np.sort(group.value.to_numpy())
        stats = {"": np.median(values)} | {f"|{s}": np.quantile(values, q) for s, q in QUANTILES.items()}
        for suffix, value in stats.items():
            if np.isfinite(value):
                rows.append((region, name + suffix, iamc_u, year, value * factor))
    return pd.DataFrame(rows, columns=["region", "variable", "unit", "year", "value"])


def test_iamc_file_has_the_iamc_columns_and_the_medians_and_quantiles_of_the_table(iamc_file, table):
    got = pd.read_csv(iamc_file)
    assert list(got.columns) == IAMC_COLUMNS
    assert set(got.model) == {f"yreb {__version__}"}
    assert set(got.scenario) == {"baseline"}
    assert not got.duplicated(["model", "scenario", "region", "variable", "year"]).any()
    assert (got.groupby("variable").unit.nunique() == 1).all()
    want = expected_iamc(table)
    merged = got.merge(want, on=["region", "variable", "year"], how="outer", suffixes=("", "_want"), indicator=True)
    assert (merged._merge == "both").all(), merged[merged._merge != "both"].head()
    assert (merged.unit == merged.unit_want).all()
    np.testing.assert_allclose(merged.value, merged.value_want, rtol=1e-12, atol=0)
    # the three replications differ, so the quantiles are not the median
    gdp = got[(got.region == "Anhui") & (got.year == 2020)].set_index("variable").value
    assert gdp["GDP|Real|q05"] < gdp["GDP|Real"] < gdp["GDP|Real|q95"]


def test_iamc_units_parse_with_pint_and_iam_units(iamc_file):
    registry = pytest.importorskip("iam_units").registry
    for unit in ("CNY_2015 = [currency_CNY_2015]", "CNY = [currency_CNY]"):
        registry.define(unit)  # iam-units has USD_yyyy and EUR_yyyy, no yuan (docs/API.md)
    units = set(pd.read_csv(iamc_file).unit)
    assert {"billion CNY_2015/yr", "million", "million/yr", "km^2", "dimensionless"} <= units
    for unit in units:
        registry.Unit(unit)
    assert registry.Quantity(1, "billion CNY_2015/yr").to("CNY_2015/yr").magnitude == pytest.approx(1e9)


def test_pyam_loads_the_iamc_file_as_is(iamc_file, table):
    """Runs where pyam is installed (the extra 'iamc'): tests/test_packaging.py installs it in its own venv."""
    pyam = pytest.importorskip("pyam")
    df = pyam.IamDataFrame(str(iamc_file))
    assert df.model == [f"yreb {__version__}"]
    assert df.scenario == ["baseline"]
    gdp = df.filter(variable="GDP|Real", region="Jiangsu", year=2020).timeseries()
    want = table[(table.variable == "gdp_100m_yuan") & (table.region == "Jiangsu") & (table.year == 2020)]
    assert gdp.iloc[0, 0] == pytest.approx(want.value.median() * 0.1, rel=1e-12)
    assert df.filter(variable="Population").unit == ["million"]


def test_netcdf_round_trip_gives_the_table_back(result, table):
    xr = pytest.importorskip("xarray")
    path = result.parent / "baseline.nc"
    yreb("export", result, "--format", "netcdf")
    with xr.open_dataset(path) as ds:
        assert dict(ds.sizes) == {"scenario": 1, "replication": 3, "region": 12, "year": 6}
        assert ds.attrs["model"] == f"yreb {__version__}"
        assert ds.attrs["root_seed"] == 20150101
        assert ds["gdp_100m_yuan"].attrs["units"] == table[table.variable == "gdp_100m_yuan"].unit.iloc[0]
        assert ds["gdp_100m_yuan"].attrs["iamc_unit"] == "billion CNY_2015/yr"
        assert list(ds.region.values) == list(dict.fromkeys(table.region))
        back = to_table(ds.load())
    pd.testing.assert_frame_equal(back, with_string_labels(table), check_dtype=False)
    assert np.array_equal(back.value.to_numpy(), table.value.to_numpy(), equal_nan=True)  # bit for bit


def test_results_labels_are_categoricals_in_the_region_tables_order(table):
    """results.parquet keeps region, variable and unit as categoricals (codes, not a string per row); the regions
    in the region table's order."""
    for column in ("region", "variable", "unit"):
        assert isinstance(table[column].dtype, pd.CategoricalDtype), column
    assert list(table.region.cat.categories) == list(load_region_table().names)
    assert table.region.astype(str).tolist()[:12] == list(load_region_table().names)


def test_csv_export_is_the_tidy_table(result, table, tmp_path):
    out = tmp_path / "deep" / "t.csv"
    yreb("export", result, "--format", "csv", "--out", out)
    pd.testing.assert_frame_equal(pd.read_csv(out), with_string_labels(table), check_dtype=False)


def test_existing_file_is_kept_without_force_and_replaced_with_it(result, tmp_path):
    out = tmp_path / "x.iamc.csv"
    out.write_text("keep me", encoding="utf-8")
    proc = yreb("export", result, "--format", "iamc", "--out", out, check=False)
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == f"error: {out}: file already exists; expected a new --out file, or --force to replace it"
    )
    assert out.read_text(encoding="utf-8") == "keep me"
    yreb("export", result, "--format", "iamc", "--out", out, "--force")
    assert out.read_text(encoding="utf-8").startswith(",".join(IAMC_COLUMNS))


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["nowhere", "--format", "iamc"],
            "error: nowhere: result folder not found; expected a folder written by 'yreb run'",
        ),
        (["{result}", "--format", "xls"], "argument --format: invalid choice: 'xls'"),
        (["{result}"], "the following arguments are required: --format"),
        (["{tmp}", "--format", "csv"], "not a complete result folder"),
    ],
)
def test_bad_input_exits_2_with_one_error_line_and_writes_nothing(result, tmp_path, args, message):
    before = sorted(p.name for p in result.parent.iterdir())
    args = [a.format(result=result, tmp=tmp_path) for a in args]
    proc = yreb("export", *args, cwd=tmp_path, check=False)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in result.parent.iterdir()) == before
    assert list(tmp_path.iterdir()) == []


def test_netcdf_without_xarray_says_how_to_install_it(result, tmp_path):
    code = "import sys; sys.modules['xarray'] = None; from yreb.cli import main; sys.exit(main(sys.argv[1:]))"
    out = tmp_path / "b.nc"
    proc = subprocess.run(
        [sys.executable, "-c", code, "export", str(result), "--format", "netcdf", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "pip install 'yreb-flows[netcdf]'" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "name, unit, variable, iamc_u, factor",
    [  # the model's registry of variables is growing: the rules must cover its names and units generically
        ("gdp_100m_yuan", "100m yuan (2015 prices)", "GDP|Real", "billion CNY_2015/yr", 0.1),
        ("gdp_nominal_100m_yuan", "100m yuan (current prices)", "GDP|Nominal", "billion CNY/yr", 0.1),
        ("va_secondary_100m_yuan", "100m yuan (2015 prices)", "Value Added|Secondary", "billion CNY_2015/yr", 0.1),
        ("capital_owned_100m_yuan", "100m yuan (2015 prices)", "Capital Stock|Owned", "billion CNY_2015", 0.1),
        ("investment_100m_yuan", "100m yuan/year (2015 prices)", "Investment", "billion CNY_2015/yr", 0.1),
        ("real_income_per_capita_yuan", "yuan per resident (2015 prices)", "Real Income Per Capita", "CNY_2015/yr", 1),
        ("registered_persons", "persons", "Registered", "million", 1e-6),
        ("natural_change_persons", "persons/year", "Natural Change", "million/yr", 1e-6),
        ("return_on_capital", "1/year", "Return On Capital", "1/yr", 1),
        ("goods_price_index", "index (base year = 1)", "Goods Price Index", "dimensionless", 1),
        ("construction_land_km2", "km2", "Construction Land", "km^2", 1),
    ],
)
def test_iamc_names_and_units_are_derived_from_name_and_unit_text(name, unit, variable, iamc_u, factor):
    assert iamc_variable(name) == variable
    assert iamc_unit(name, unit) == (iamc_u, factor)


def test_an_unknown_unit_text_stops_the_export_naming_the_variable():
    with pytest.raises(ValueError, match="'mystery'.*'furlongs per fortnight'"):
        iamc_unit("mystery", "furlongs per fortnight")


def test_api_document_iamc_table_is_current():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "iamc_table.py"), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
