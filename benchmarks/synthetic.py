"""Reproducible region tables for benchmarks at N = 130, 500 and 2,000 regions (economic values SYNTHETIC).

- N = 130: the belt's 130 prefecture-level units at their real seats (``data/city_list_coordinates.csv``,
  copied from /work/shared/data with its ``coord_source`` column), with their real provinces.
- N > 130: those 130 seats plus N - 130 synthetic points scattered around randomly chosen seats
  (normal jitter of ``JITTER_DEG`` degrees), each in the province of its seat.

Economic values are synthetic in every table: each province's 2015 totals (GDP, residents, R&D personnel,
land area, capital, construction land; ``simulation/yreb/data/regions_2015.csv``) are split among its regions
with random log-normal weights, so sums by province equal the data but no region value is observed.
The model-2 columns follow the province too: value-added and use shares by sector are the province's shares
times log-normal noise (``SHARE_SD``), renormalised; the investment rate is the province's times log-normal
noise (``RATE_SD``); the net outflow share is the province's; net migration is the province's split by
residents, re-centred (by residents) so that it sums to exactly 0 over the table (the synthetic tables hold
belt regions only). There are no census origin-destination data for synthetic regions: the calibration
spreads their initial migrant stock by gravity.
Every row says so in its ``values_source`` column. Provinces are kept (``province`` column): pairs of
regions in the same province are not separated by an administrative border. No region lies outside the
belt. The same N and seed always give the same file (byte for byte).

Run: .venv/bin/python benchmarks/synthetic.py --out DIR [--sizes 130 500 2000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from yreb.inputs.regions import DEFAULT_REGION_TABLE, SECTOR_SHARE_COLUMNS, USE_SHARE_COLUMNS, load_region_table

CITIES_FILE = Path(__file__).resolve().parent / "data" / "city_list_coordinates.csv"
SEED = 20150101
JITTER_DEG = 0.25  # sd of synthetic points around a seat (about 25 km)
SIZE_SD = 0.8  # log-normal sd of a region's economic size within its province
VARIABLE_SD = 0.25  # extra log-normal sd of each variable around the region's size
SIZES = (130, 500, 2000)
MAX_CONSTRUCTION_SHARE = 0.5  # construction land at most half of a region's land area
MAX_INVESTMENT_RATE = 0.95
SHARE_SD = 0.25  # log-normal sd of a region's sector shares around its province's
RATE_SD = 0.05  # log-normal sd of a region's investment rate around its province's


def city_seats() -> pd.DataFrame:
    """The 130 units, each with a unique ASCII name.

    The name is the pinyin without apostrophes, or ``adcode-<code>`` where the source has no pinyin; names
    that occur twice get their province appended.
    """
    cities = pd.read_csv(CITIES_FILE, dtype={"adcode": str})
    name = cities["name_pinyin"].str.replace("'", "").fillna("adcode-" + cities["adcode"])
    duplicated = name.duplicated(keep=False)
    cities["region"] = np.where(duplicated, name + "-" + cities["province"], name)
    return cities


def place_regions(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Seats of n regions: the 130 real seats, then synthetic points around randomly chosen seats."""
    cities = city_seats()
    if n < len(cities):
        raise ValueError(f"at least {len(cities)} regions (the real seats come first)")
    extra = rng.integers(0, len(cities), size=n - len(cities))
    points = cities.iloc[extra].reset_index(drop=True)
    count = points.groupby("region").cumcount() + 1
    points["region"] = points["region"] + "-" + count.astype(str)
    points["name_zh"] = points["name_zh"] + "-" + count.astype(str)
    points["lon"] = points["lon"] + rng.normal(0.0, JITTER_DEG, size=len(points))
    points["lat"] = points["lat"] + rng.normal(0.0, JITTER_DEG, size=len(points))
    points["coord_source"] = (
        "synthetic: seat of " + cities["region"].iloc[extra].to_numpy() + f" + normal jitter (sd {JITTER_DEG} deg)"
    )
    return pd.concat([cities, points], ignore_index=True)


def split_totals(totals: np.ndarray, province_of: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """x_r = total[province(r)] w_r / sum_{s in province(r)} w_s."""
    sums = np.bincount(province_of, weights=weights)
    return totals[province_of] * weights / sums[province_of]


def net_migration(province_net: np.ndarray, province_of: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Whole persons per year: each province's net migration split by residents, re-centred by residents so that
    the table sums to exactly 0 (the rounding remainder goes to the most populous region)."""
    net = split_totals(province_net, province_of, population)
    net = np.rint(net - net.sum() * population / population.sum())
    net[np.argmax(population)] -= net.sum()
    return net


def synthetic_table(n: int, seed: int = SEED) -> pd.DataFrame:
    """A region table of n belt regions with synthetic economic values (columns of yreb.inputs.regions)."""
    rng = np.random.default_rng([seed, n])
    regions = place_regions(n, rng)
    provinces = load_region_table(DEFAULT_REGION_TABLE)
    totals = {
        "gdp_100m_yuan": provinces.gdp_100m_yuan,
        "population_10k": provinces.population_persons / 1e4,
        "talent_persons": provinces.talent_persons,
        "capital_stock_100m_yuan": provinces.capital_stock_100m_yuan,
    }
    province_of = np.array([provinces.index(p) for p in regions["province"]])
    size = rng.lognormal(0.0, SIZE_SD, size=n)
    out = pd.DataFrame(
        {
            "region": regions["region"],
            "region_zh": regions["name_zh"],
            "province": regions["province"],
            "subregion": [provinces.subregion[i] for i in province_of],
            "in_belt": True,
            "lon": regions["lon"].round(6),
            "lat": regions["lat"].round(6),
        }
    )
    for column, total in totals.items():  # size-related variables
        weights = size * rng.lognormal(0.0, VARIABLE_SD, size=n)
        out[column] = split_totals(total, province_of, weights)
    out["land_area_km2"] = split_totals(provinces.land_area_km2, province_of, rng.lognormal(0.0, SIZE_SD, size=n))
    built = split_totals(provinces.construction_land_km2, province_of, out["population_10k"].to_numpy())
    out["construction_land_km2"] = np.minimum(built, MAX_CONSTRUCTION_SHARE * out["land_area_km2"])
    numeric = [*totals, "land_area_km2", "construction_land_km2"]
    out[numeric] = out[numeric].round(4)
    out["talent_persons"] = np.maximum(out["talent_persons"].round(), 1.0)  # whole persons
    for columns, province_shares in (
        (SECTOR_SHARE_COLUMNS, provinces.va_share),
        (USE_SHARE_COLUMNS, provinces.use_share),
    ):
        shares = province_shares[province_of] * rng.lognormal(0.0, SHARE_SD, size=(n, len(columns)))
        shares = (shares / shares.sum(axis=1, keepdims=True)).round(8)
        for s, column in enumerate(columns):
            out[column] = shares[:, s]
    rate = provinces.investment_rate[province_of] * rng.lognormal(0.0, RATE_SD, size=n)
    out["investment_rate"] = np.minimum(rate, MAX_INVESTMENT_RATE).round(6)
    out["net_outflow_share"] = provinces.net_outflow_share[province_of].round(8)
    out["net_migration_persons_per_year"] = net_migration(
        provinces.net_migration_persons_per_year, province_of, out["population_10k"].to_numpy()
    )
    out["coord_source"] = regions["coord_source"]
    out["values_source"] = (
        f"SYNTHETIC (benchmarks/synthetic.py, seed {seed}): province 2015 totals from "
        "simulation/yreb/data/regions_2015.csv split by random log-normal weights"
    )
    return out


def write_synthetic_table(n: int, folder: Path, seed: int = SEED) -> Path:
    """Write ``folder/synthetic_<n>.csv`` and check that it loads as a region table; returns its path."""
    path = Path(folder) / f"synthetic_{n}.csv"
    synthetic_table(n, seed).to_csv(path, index=False)
    load_region_table(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for synthetic_<N>.csv")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        print(write_synthetic_table(n, args.out))


if __name__ == "__main__":
    main()
