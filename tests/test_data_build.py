"""The package data (simulation/yreb/data/) is what tools/build_default_data.py builds, and it is consistent.

The rebuild test needs the project's reference data (not shipped with the repository): the folder in the
environment variable YREB_SHARED_DATA, else ../shared/data next to the repository, else /work/shared/data.
Without it the rebuild test is skipped; the invariant tests always run on the shipped files.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from helpers import BELT, ROOT

DATA = ROOT / "simulation" / "yreb" / "data"
REGIONS_12 = BELT + ["RestOfChina"]
REGIONS_13 = REGIONS_12 + ["China"]
SECTORS = ["primary", "secondary", "tertiary"]
# every file the builder writes (README.md is written by hand and is not rebuilt)
BUILT = [
    "calibration_targets.csv",
    "migration_od_2010.csv",
    "observed_capital.csv",
    "observed_co2.csv",
    "observed_migration.csv",
    "observed_national.csv",
    "observed_provinces.csv",
    "observed_sectors.csv",
    "regions_2015.csv",
    "regions_2015.sources.csv",
]
MODEL_BUILT = "fundamentals_2015_2019.csv"  # the baseline's fitted fundamentals (tools/fit_history.py)
# files written by tools/build_economy_data.py (no empty cell anywhere)
MODEL2 = [name for name in BUILT if not name.startswith(("regions_2015", "observed_national", "observed_provinces"))]


def _shared_data() -> Path | None:
    if os.environ.get("YREB_SHARED_DATA"):
        return Path(os.environ["YREB_SHARED_DATA"])
    for candidate in (ROOT.parent / "shared" / "data", Path("/work/shared/data")):
        if candidate.is_dir():
            return candidate
    return None


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name)


def _raw(name: str) -> pd.DataFrame:
    """The file as strings (empty cells stay empty strings)."""
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False)


@pytest.mark.slow
def test_rebuild_from_the_reference_data_gives_the_shipped_bytes(tmp_path):
    shared = _shared_data()
    if shared is None or not shared.is_dir():
        pytest.skip(
            "reference data not found (set YREB_SHARED_DATA, or put it in ../shared/data or /work/shared/data): "
            "cannot check that the shipped package data are what tools/build_default_data.py builds"
        )
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_default_data.py"), str(shared), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == BUILT
    # the one other CSV is made by the model from these: tools/fit_history.py (checked in tests/test_history.py)
    shipped = sorted(p.name for p in DATA.glob("*.csv") if p.name != MODEL_BUILT)
    assert shipped == BUILT, "a CSV in the package data is not built by the tool"
    for name in BUILT:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), (
            f"{name} differs from a rebuild: run .venv/bin/python tools/build_default_data.py {shared}"
        )


def _broken_copy(shared: Path, dest: Path, rel: str, edit) -> Path:
    """A copy of the reference folder (symbolic links) in which the file `rel` is replaced by edit(frame)."""
    for src in shared.rglob("*"):
        if src.is_file():
            target = dest / src.relative_to(shared)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(src)
    (dest / rel).unlink()
    edit(pd.read_csv(shared / rel)).to_csv(dest / rel, index=False)
    return dest


def _drop_jiangsu_2015_capital(df):
    return df[~((df.region == "Jiangsu") & (df.year == 2015) & (df.variable == "capital_stock_1952prices_derived"))]


def _repair_anhui_2013(df):
    df = df.copy()
    at = (df.region == "Anhui") & (df.year == 2013)
    parts = df[at & df.variable.isin(["final_consumption", "gross_capital_formation", "net_outflow_goods_services"])]
    df.loc[at & (df.variable == "gdp_expenditure_approach"), "value"] = parts.value.sum()
    return df


def _duplicate_a_row(df):
    return pd.concat([df, df.iloc[[0]]], ignore_index=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    "rel, edit, message",
    [
        ("more/capital_provinces.csv", _drop_jiangsu_2015_capital, "expected rows missing"),
        ("more/expenditure_gdp_provinces.csv", _repair_anhui_2013, "known defect exp_anhui_2013 not found any more"),
        ("more/gdp_index_provinces.csv", _duplicate_a_row, "duplicated rows"),
    ],
)
def test_the_builder_stops_loudly_on_inconsistent_reference_data(tmp_path, rel, edit, message):
    shared = _shared_data()
    if shared is None or not shared.is_dir():
        pytest.skip("reference data not found (set YREB_SHARED_DATA): cannot break a copy of it")
    broken = _broken_copy(shared, tmp_path / "shared", rel, edit)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_default_data.py"), str(broken), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode != 0 and message in proc.stderr, proc.stderr[-2000:]
    assert not (tmp_path / "out").exists(), "nothing is written when a check fails"


def test_every_shipped_row_has_a_source_and_no_missing_value():
    for name in BUILT:
        if name == "regions_2015.csv":
            continue  # wide table: its sources are regions_2015.sources.csv (test_region_table_model2_columns)
        raw = _raw(name)
        assert len(raw), name
        assert (raw["source"].str.strip() != "").all(), f"{name}: a row without a source"
        for col in ("value", "share"):
            if col in raw.columns:
                values = pd.to_numeric(raw[col], errors="raise")
                assert values.map(math.isfinite).all(), f"{name}: non-finite {col}"
    for name in MODEL2:
        raw = _raw(name)
        assert not (raw.map(str.strip) == "").any().any(), f"{name}: empty cell"
        assert not _read(name).isna().any().any(), f"{name}: NaN"
    regions = _read("regions_2015.csv")
    assert not regions.isna().any().any()
    assert list(regions.region) == REGIONS_12


def test_region_table_model2_columns():
    raw = _raw("regions_2015.csv")
    table = _read("regions_2015.csv")
    # VA shares: in [0, 1] and, as written (decimal strings), summing to exactly 1 per row
    for _, row in raw.iterrows():
        shares = [Decimal(row[f"va_{s}_share"]) for s in SECTORS]
        assert all(Decimal(0) <= v <= Decimal(1) for v in shares), row.region
        assert sum(shares) == Decimal(1), row.region
    assert ((table[[f"va_{s}_share" for s in SECTORS]].sum(axis=1) - 1).abs() < 1e-12).all()
    # net migration: whole persons, summing to 0 exactly
    assert raw.net_migration_persons_per_year.str.fullmatch(r"-?\d+").all()
    assert table.net_migration_persons_per_year.sum() == 0
    assert table.investment_rate.between(0.2, 1.0).all()
    assert (table.capital_stock_100m_yuan > table.gdp_100m_yuan).all()
    # every number has a source row
    sources = _read("regions_2015.sources.csv")
    have = set(zip(sources.region, sources.column, strict=True))
    for column in table.columns:
        if column in ("region", "region_zh", "subregion", "in_belt", "lon", "lat"):
            continue
        for region in table.region:
            assert (region, column) in have, (region, column)


def test_region_table_agrees_with_the_observed_tables():
    table = _read("regions_2015.csv").set_index("region")
    cap = _read("observed_capital.csv")
    cap15 = cap[cap.year == 2015].pivot(index="region", columns="variable", values="value")
    for region in REGIONS_12:
        assert table.at[region, "capital_stock_100m_yuan"] == pytest.approx(
            cap15.at[region, "capital_stock_const2015_100m_yuan"], abs=0.051
        )
        assert table.at[region, "investment_rate"] == pytest.approx(
            cap15.at[region, "gfcf_share_of_gdp_expenditure"], abs=1e-7
        )
    mig = _read("observed_migration.csv")
    net = mig[(mig.period == "2010-2015") & (mig.variable == "migrants_5yr_net_persons")].set_index("region").value
    for region in BELT:
        assert table.at[region, "net_migration_persons_per_year"] * 5 == pytest.approx(net[region], abs=5)
    sectors = _read("observed_sectors.csv")
    cur15 = sectors[(sectors.year == 2015) & (sectors.variable == "va_const2015_100m_yuan")]
    for region in REGIONS_12:
        row = cur15[cur15.region == region].set_index("sector").value
        for s in SECTORS:
            share = row[s] / table.at[region, "gdp_100m_yuan"]
            assert share == pytest.approx(table.at[region, f"va_{s}_share"], abs=1e-6), (region, s)


def test_migration_od_shares():
    od = _read("migration_od_2010.csv")
    assert list(od.columns) == ["origin", "destination", "share", "source", "note"]
    assert len(od) == 132 and not (od.origin == od.destination).any()
    assert set(od.origin) == set(od.destination) == set(REGIONS_12)
    assert not od.duplicated(["origin", "destination"]).any()
    assert (od.share > 0).all()
    assert od.share.sum() == pytest.approx(1.0, abs=1e-7)


def test_observed_sectors_layout_and_base_year_additivity():
    df = _read("observed_sectors.csv")
    assert set(df.region) == set(REGIONS_13)
    assert set(df.sector) == set(SECTORS) | {"total"}
    assert set(df.variable) == {"va_const2015_100m_yuan", "va_current_100m_yuan"}
    assert sorted(df.year.unique()) == list(range(2010, 2020))
    assert len(df) == 13 * 4 * 10 * 2 and not df.duplicated(["region", "sector", "year", "variable"]).any()
    real15 = df[(df.year == 2015) & (df.variable == "va_const2015_100m_yuan")].pivot(
        index="region", columns="sector", values="value"
    )
    # in the base year the reconciled sectors add up to GDP (chained values are not additive in other years)
    assert ((real15[SECTORS].sum(axis=1) / real15["total"] - 1).abs() < 1e-6).all()


def test_observed_capital_flags_the_extrapolated_years():
    df = _read("observed_capital.csv")
    assert set(df.region) == set(REGIONS_13)
    assert set(df.variable) == {
        "capital_stock_const2015_100m_yuan",
        "gfcf_const2015_100m_yuan",
        "gfcf_share_of_gdp_expenditure",
    }
    share = df[df.variable == "gfcf_share_of_gdp_expenditure"]
    assert share.year.max() == 2017
    late = df[df.year >= 2018]
    assert len(late) == 13 * 2 * 2 and late.note.str.startswith("NOT OFFICIAL").all()
    assert not df[df.year < 2018].note.str.contains("NOT OFFICIAL").any()


def test_observed_co2_sectors_add_up():
    df = _read("observed_co2.csv")
    assert set(df.region) == set(REGIONS_13)
    inventory = df[df.variable == "co2_scope1_national_inventory_Mt"]
    assert set(inventory.region) == {"China"} and set(inventory.sector) == {"total"} and len(inventory) == 10
    prov = df[df.variable == "co2_scope1_Mt"].pivot_table(
        index=["region", "year"], columns="sector", values="value", aggfunc="first"
    )
    parts = prov[SECTORS + ["households"]].sum(axis=1)
    assert ((parts / prov["total"] - 1).abs() < 1e-6).all()
    china_sum = prov.loc["China", "total"]
    assert (china_sum.values > inventory.sort_values("year").value.values).all()  # 30-province sum > inventory


def test_observed_migration_nets():
    df = _read("observed_migration.csv")
    wide = df.pivot_table(index=["region", "period"], columns="variable", values="value", aggfunc="first")
    for period in ("2005-2010", "2010-2015"):
        for region in BELT + ["Belt"]:
            row = wide.loc[(region, period)]
            assert row.migrants_5yr_net_persons == pytest.approx(
                row.migrants_5yr_in_persons - row.migrants_5yr_out_persons, abs=2.0
            )
        belt_net = sum(wide.loc[(r, period), "migrants_5yr_net_persons"] for r in BELT)
        assert wide.loc[("Belt", period), "migrants_5yr_net_persons"] == pytest.approx(belt_net, abs=11.0)
        assert wide.loc[("RestOfChina", period), "migrants_5yr_net_persons"] == pytest.approx(-belt_net, abs=11.0)
    assert set(df[df.region == "RestOfChina"].variable) == {"migrants_5yr_net_persons"}


def test_calibration_targets():
    df = _read("calibration_targets.csv")
    assert list(df.columns) == ["target", "region", "sector", "value", "unit", "source", "note"]
    assert not df.duplicated(["target", "region", "sector"]).any()
    for target in ("trade_inflow_share", "trade_outflow_share"):
        rows = df[df.target == target]
        assert set(zip(rows.region, rows.sector, strict=True)) == {(r, s) for r in BELT + ["Belt"] for s in SECTORS}
        assert rows.value.between(0, 1).all()
    single = df[~df.target.str.startswith("trade_")].set_index(["target", "region"]).value
    assert set(single.index) == {
        ("interprovincial_migration_5yr_persons", "China"),
        ("cross_region_share_of_migrant_stock", "China"),
        ("skill_premium", "Belt"),
        ("skill_premium", "China"),
        ("natural_population_growth_rate", "China"),
        ("belt_co2_share", "Belt"),
    }
    assert 1e7 < single["interprovincial_migration_5yr_persons", "China"] < 1e8
    assert 0 < single["cross_region_share_of_migrant_stock", "China"] < 1
    assert 0 < single["belt_co2_share", "Belt"] < 1
    assert 1 < single["skill_premium", "Belt"] < 2
    assert -0.01 < single["natural_population_growth_rate", "China"] < 0.02
    assert df[df.target == "natural_population_growth_rate"].note.str.contains("ASSUMPTION").all()


def test_data_readme_documents_every_shipped_file():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in BUILT:
        assert f"`{name}`" in readme, name
    # the row counts in its file table are the files' row counts
    counted = {}
    for names, counts in re.findall(r"^\| ((?:`[^`]+`(?:, )?)+) \| ([\d, ]+) \|", readme, flags=re.M):
        for name, n in zip(re.findall(r"`([^`]+)`", names), counts.split(","), strict=True):
            counted[name] = int(n)
    assert sorted(counted) == sorted([*BUILT, MODEL_BUILT])
    for name, n in counted.items():
        assert len(_read(name)) == n, f"README.md: {name} has {len(_read(name))} rows, not {n}"
