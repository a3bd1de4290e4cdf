"""Build all embedded package data under simulation/yreb/data/ from the project's reference data.

Run by hand (not at import time), from the repository root:

    .venv/bin/python tools/build_default_data.py ../shared/data [--out DIR]

(``--out`` writes into another folder, e.g. to compare a rebuild with the package copy; the default is the
package data folder.) Deterministic: the same reference data give the same bytes. Writes

- ``regions_2015.csv``: the wide region table the model reads (11 YREB provinces + rest of China), with the
  model-2 columns from tools/build_economy_data.py (GFCF-based capital stock, VA shares, investment rate,
  net migration);
- ``regions_2015.sources.csv``: the source or derivation of every number in it (region, column, source);
- ``observed_provinces.csv`` and ``observed_national.csv``: verbatim copies of the reference panels
  (tidy, with their ``source`` column) used by the hindcast;
- the long model-2 tables of tools/build_economy_data.py (``calibration_targets.csv``,
  ``migration_od_2010.csv``, ``observed_sectors.csv``, ``observed_capital.csv``, ``observed_co2.csv``,
  ``observed_migration.csv``). simulation/yreb/data/README.md documents every file.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_economy_data as economy  # noqa: E402  (a sibling script, not a package)

OUT = Path(__file__).resolve().parents[1] / "simulation" / "yreb" / "data"
BASE_YEAR = 2015
# National construction land 2015, 38.5933 million ha (Ministry of Land and Resources,
# 2015 China Land and Resources Bulletin), over the 31-province resident population 2015.
NATIONAL_CONSTRUCTION_LAND_KM2 = 385_933.0
CONSTRUCTION_LAND_SOURCE = (
    "derived: resident population x national construction land per resident "
    "(385,933 km2 in 2015, MLR 2015 China Land and Resources Bulletin, / 31-province population), "
    "capped at 50% of land area; an estimate, no provincial series in the reference data"
)
SUBREGION = {
    "Shanghai": "downstream",
    "Jiangsu": "downstream",
    "Zhejiang": "downstream",
    "Anhui": "downstream",
    "Jiangxi": "midstream",
    "Hubei": "midstream",
    "Hunan": "midstream",
    "Chongqing": "upstream",
    "Sichuan": "upstream",
    "Guizhou": "upstream",
    "Yunnan": "upstream",
}
# Rest of China placed at Zhengzhou (seat of Henan, the most populous non-belt province, near the
# population centre of the 20 other provinces): an assumption, used only for distances.
REST_LON, REST_LAT = 113.625368, 34.746599


def _value(panel: pd.DataFrame, region: str, variable: str, year: int) -> tuple[float, str]:
    row = panel[(panel.region == region) & (panel.variable == variable) & (panel.year == year)]
    if len(row) != 1:
        raise SystemExit(f"expected one {variable} row for {region} {year}, found {len(row)}")
    return float(row.value.iloc[0]), str(row.source.iloc[0])


def main(shared_data: Path, out: Path = OUT) -> None:
    """Rebuild every package data file from the reference data folder `shared_data` into `out`."""
    prov = pd.read_csv(shared_data / "provinces.csv")
    nat = pd.read_csv(shared_data / "national.csv")
    caps = pd.read_csv(shared_data / "capitals.csv")
    rows, sources = [], []
    for _, cap in caps.iterrows():
        region = cap.province
        rec = {
            "region": region,
            "region_zh": None,
            "subregion": SUBREGION[region],
            "in_belt": True,
            "lon": cap.lon,
            "lat": cap.lat,
        }
        sources.append((region, "lon,lat", f"seat of {cap.capital}: {cap.coord_source}"))
        rec["region_zh"] = prov.loc[prov.region == region, "region_zh"].iloc[0]
        for col, var, year in [
            ("gdp_100m_yuan", "gdp_current", BASE_YEAR),
            ("population_10k", "population_resident_yearend", BASE_YEAR),
            ("talent_persons", "rd_personnel_fte", BASE_YEAR),
            ("land_area_km2", "land_area", 2022),
        ]:
            rec[col], src = _value(prov, region, var, year)
            sources.append((region, col, f"{var} {year}: {src}"))
        rows.append(rec)
    belt = pd.DataFrame(rows)

    def nat_value(region: str, variable: str, year: int) -> tuple[float, str]:
        return _value(nat, region, variable, year)

    gdp_all, src_g = nat_value("Sum of 31 provinces", "gdp_current", BASE_YEAR)
    pop_all, src_p = nat_value("Sum of 31 provinces", "population_resident_yearend", BASE_YEAR)
    rd_all, src_r = nat_value("China", "rd_personnel_fte", BASE_YEAR)
    area_all, src_a = nat_value("China", "land_area", 2022)
    rest = {
        "region": "RestOfChina",
        "region_zh": "其他省份",
        "subregion": "outside",
        "in_belt": False,
        "lon": REST_LON,
        "lat": REST_LAT,
        "gdp_100m_yuan": gdp_all - belt.gdp_100m_yuan.sum(),
        "population_10k": pop_all - belt.population_10k.sum(),
        "talent_persons": rd_all - belt.talent_persons.sum(),
        "land_area_km2": area_all - belt.land_area_km2.sum(),
    }
    sources += [
        (
            "RestOfChina",
            "lon,lat",
            "assumption: Zhengzhou (Henan seat), near the population centre of the other 20 provinces",
        ),
        ("RestOfChina", "gdp_100m_yuan", f"derived: sum of 31 provinces minus the 11 belt provinces; {src_g}"),
        ("RestOfChina", "population_10k", f"derived: sum of 31 provinces minus the 11 belt provinces; {src_p}"),
        ("RestOfChina", "talent_persons", f"derived: national R&D personnel (FTE) minus the belt's; {src_r}"),
        ("RestOfChina", "land_area_km2", f"derived: national land area minus the belt's; {src_a}"),
    ]
    table = pd.concat([belt, pd.DataFrame([rest])], ignore_index=True)
    per_person_km2 = NATIONAL_CONSTRUCTION_LAND_KM2 / pop_all  # km2 per 10k residents
    table["construction_land_km2"] = np.minimum(table.population_10k * per_person_km2, 0.5 * table.land_area_km2)
    for region in table.region:
        sources.append((region, "construction_land_km2", CONSTRUCTION_LAND_SOURCE))
    for region in table.region:
        src = "region naming: NBS province names; sub-regions from the YREB development outline (2016)"
        sources.append((region, "region,region_zh,subregion,in_belt", src))
    table = table.round({"construction_land_km2": 1})

    # model-2 columns (tools/build_economy_data.py): every check runs and prints here
    tables = economy.build(shared_data)
    extra, extra_sources = economy.region_columns(tables, dict(zip(table.region, table.gdp_100m_yuan, strict=True)))
    extra = extra.loc[table.region].reset_index(drop=True)
    capital_at = list(table.columns).index("construction_land_km2")  # keep the column where it was
    table.insert(capital_at, "capital_stock_100m_yuan", extra.pop("capital_stock_100m_yuan"))
    table = pd.concat([table, extra], axis=1)
    sources += extra_sources
    shipped = economy.shipped_tables(tables)  # its checks run before anything is written

    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "regions_2015.csv", index=False, lineterminator="\n")
    pd.DataFrame(sources, columns=["region", "column", "source"]).sort_values(
        ["region", "column"], kind="mergesort"
    ).to_csv(out / "regions_2015.sources.csv", index=False, lineterminator="\n")
    shutil.copyfile(shared_data / "provinces.csv", out / "observed_provinces.csv")
    shutil.copyfile(shared_data / "national.csv", out / "observed_national.csv")
    counts = {"regions_2015.csv": len(table), "regions_2015.sources.csv": len(sources)}
    for name, df in shipped.items():
        counts[name] = economy.write_shipped(df, out / name)
    print("\n=== written to", out)
    print(table.to_string())
    for name, n in counts.items():
        print(f"  {name}: {n} rows")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("shared_data", nargs="?", default="../shared/data", type=Path, help="reference data folder")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default: {OUT})")
    args = parser.parse_args()
    main(args.shared_data, args.out)
