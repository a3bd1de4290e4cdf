"""Model-2 economy tables from the project's reference data (pandas/numpy only).

Two uses:

- ``tools/build_default_data.py`` imports this module, calls :func:`build` and writes the shipped package
  tables (``shipped_tables``) into ``simulation/yreb/data/``: one command rebuilds all package data.
- Standalone, for inspection, it writes the six long intermediate tables and a README with every printed
  check into a folder of your choice::

      .venv/bin/python tools/build_economy_data.py SHARED_DATA_DIR OUT_DIR [REGIONS_2015_CSV]

  SHARED_DATA_DIR is the reference-data folder (with provinces.csv, national.csv and more/). REGIONS_2015_CSV
  (optional) is a region table whose capital stocks are compared with the GFCF-based ones (check 2d; pass a
  model-1 table with FAI-based stocks to see the difference).

Every output row is read or computed from the reference files; nothing is typed in by hand. Each row has
`source` (reference file[repository@commit:path]) and `note` ("derived: ..." for every computation). The
script stops with SystemExit when an expected row is missing, duplicated or inconsistent, except for the few
known defects listed in KNOWN_DEFECTS, each of which is handled explicitly and is also checked to still be
present.

Intermediate tables (long format: region, sector, year, variable, value, unit, source, note):
    sector_value_added.csv, capital_stock.csv, trade_margins_2007.csv, migration.csv
    (adds origin, destination), co2.csv, macro_2015.csv, README.md
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

# ----------------------------------------------------------------------------- constants
BELT = [
    "Shanghai",
    "Jiangsu",
    "Zhejiang",
    "Anhui",
    "Jiangxi",
    "Hubei",
    "Hunan",
    "Chongqing",
    "Sichuan",
    "Guizhou",
    "Yunnan",
]
REST, CHINA, YREB = "RestOfChina", "China", "Belt"  # YREB: the belt aggregate
REGION_ORDER = BELT + [YREB, REST, CHINA]
SECTORS = ["primary", "secondary", "tertiary"]
SECTOR_ORDER = ["", "primary", "secondary", "tertiary", "households", "total"]
BASE = 2015
YEARS_VA = list(range(2010, 2020))
YEARS_K = list(range(2000, 2020))
YEARS_GFCF_OFFICIAL = list(range(2000, 2018))
YEARS_GFCF_EXTRAP = [2018, 2019]
YEARS_EXP = list(range(2000, 2018))
YEARS_CO2 = list(range(2010, 2020))
DELTA = 0.096  # depreciation of the capital_stock_1952prices_derived series (data README)

OUT_COLUMNS = ["region", "sector", "year", "variable", "value", "unit", "source", "note"]
MIG_COLUMNS = ["region", "origin", "destination", "sector", "year", "variable", "value", "unit", "source", "note"]

U100M = "100m yuan, current prices"
U100M_2015 = "100m yuan, constant 2015 prices"

# Known defects of the reference files. Each one is handled explicitly below, and the script
# checks that it is still there (if the reference data are fixed, the script stops so that the
# workaround is removed rather than silently applied to good data).
KNOWN_DEFECTS = {
    "co2_hunan_2017": "co2_provinces.csv has no co2_scope1_total (nor fuel columns) for Hunan 2017, and "
    "its co2_sector_manufacturing for Hunan 2017 (440.3 Mt) includes the sheet's "
    "'Total Emissions' row, which co2_provinces_sectors_yreb.csv carries as a sector",
    "exp_anhui_2013": "expenditure_gdp_provinces.csv: Anhui 2013 gdp_expenditure_approach repeats the 2012 "
    "value; its components add up to a different total",
}


def die(msg: str) -> NoReturn:
    """Stop the build loudly: every inconsistency in the reference data ends here."""
    raise SystemExit(f"build_economy_data.py: ERROR: {msg}")


# ----------------------------------------------------------------------------- helpers
def load(path: Path) -> pd.DataFrame:
    """Read one reference CSV; stop if it is missing."""
    if not path.is_file():
        die(f"missing reference file {path}")
    return pd.read_csv(path)


def short_source(s: object) -> str:
    """Abbreviate a reference `source` cell to repository@commit:path (no sheet, no comment)."""
    text = "" if s is None or (isinstance(s, float) and math.isnan(s)) else str(s)
    hits = re.findall(r"github:[^\s,;()\"#]+", text)
    if hits:
        out = []
        for h in hits:
            h = h.rstrip(".:")
            if h not in out:
                out.append(h)
        return " + ".join(out)
    return text[:120].strip()


def src_of(label: str, sources) -> str:
    """'label[short1 + short2]' for a collection of raw source strings."""
    shorts = []
    for s in sources:
        for part in short_source(s).split(" + "):
            if part and part not in shorts:
                shorts.append(part)
    return f"{label}[{' + '.join(sorted(shorts))}]"


def join_src(*parts: str) -> str:
    """Merge 'label[a + b]' source strings: one entry per reference file, repositories deduplicated."""
    merged: dict[str, list[str]] = {}
    for p in parts:
        for m in re.finditer(r"\s*\+?\s*([^\[\]]+?)\[([^\]]*)\]", p):
            lab = m.group(1).strip(" +")
            lst = merged.setdefault(lab, [])
            for x in m.group(2).split(" + "):
                if x and x not in lst:
                    lst.append(x)
    return " + ".join(f"{lab}[{' + '.join(sorted(v))}]" for lab, v in sorted(merged.items()))


def grid(df: pd.DataFrame, label: str, variables, regions, years, allow_missing=()):
    """Pivot (region, year) x variable for the given keys and insist that every cell exists once.

    Returns (values, sources) DataFrames indexed by (region, year) with one column per variable.
    `allow_missing` lists (region, year, variable) cells that may be absent (known gaps).
    """
    sub = df[df.variable.isin(variables) & df.region.isin(regions) & df.year.isin(years)]
    dup = sub[sub.duplicated(["region", "year", "variable"], keep=False)]
    if len(dup):
        die(f"{label}: duplicated rows, e.g. {dup.iloc[0][['region', 'year', 'variable']].tolist()}")
    full = pd.MultiIndex.from_product([list(regions), list(years)], names=["region", "year"])
    val = sub.pivot(index=["region", "year"], columns="variable", values="value")
    val = val.reindex(index=full, columns=list(variables)).astype(float)
    src = sub.pivot(index=["region", "year"], columns="variable", values="source")
    src = src.reindex(index=full, columns=list(variables))
    missing = [(r, y, v) for (r, y) in val.index for v in variables if pd.isna(val.at[(r, y), v])]
    unexpected = [m for m in missing if m not in set(allow_missing)]
    if unexpected:
        die(f"{label}: {len(unexpected)} expected rows missing, first ones: {unexpected[:5]}")
    for m in allow_missing:
        if m not in missing:
            die(f"{label}: known gap {m} is no longer missing; revisit the workaround")
    return val, src


def fmt(v: float) -> str:
    """The one number format of every long table: 8 significant digits, no negative zero; stops on NaN/inf."""
    if v is None or not math.isfinite(float(v)):
        die(f"non-finite value {v!r} about to be written")
    s = f"{float(v):.8g}"
    return "0" if s in ("-0", "0") else s


class Table:
    """Collects output rows and writes them sorted with fixed number formatting."""

    def __init__(self, name: str, columns=OUT_COLUMNS):
        self.name, self.columns, self.rows = name, columns, []
        self._cache: dict[tuple[int, bool], pd.DataFrame] = {}  # frame() by (number of rows, formatted)

    def add(self, region, sector, year, variable, value, unit, source, note, **extra):
        """Add one row; the value is kept at full precision and formatted when the table is written."""
        if region not in REGION_ORDER:
            die(f"{self.name}: unknown region {region}")
        fmt(value)  # stops now on a non-finite value rather than at writing time
        row = {
            "region": region,
            "sector": sector,
            "year": int(year),
            "variable": variable,
            "value": float(value),
            "unit": unit,
            "source": join_src(source),
            "note": note,
        }
        row.update(extra)
        self.rows.append(row)

    def frame(self, formatted: bool = True) -> pd.DataFrame:
        """The rows sorted (region order, variable, origin, destination, sector, year); values as strings
        (`fmt`) or, with ``formatted=False``, as floats at full precision. Stops on a duplicated key."""
        key = (len(self.rows), formatted)
        if key not in self._cache:
            self._cache[key] = self._frame(formatted)
        return self._cache[key].copy()

    def _frame(self, formatted: bool) -> pd.DataFrame:
        df = pd.DataFrame(self.rows)
        for c in self.columns:
            if c not in df.columns:
                df[c] = ""
        df = df[self.columns].fillna("")
        key_cols = [c for c in ["region", "origin", "destination", "sector", "year", "variable"] if c in df.columns]
        if df.duplicated(key_cols).any():
            d = df[df.duplicated(key_cols, keep=False)].iloc[0]
            die(f"{self.name}: duplicated key {d[key_cols].tolist()}")
        order = {r: i for i, r in enumerate(REGION_ORDER)}
        sorder = {s: i for i, s in enumerate(SECTOR_ORDER)}
        df["_r"] = df.region.map(order)
        df["_o"] = df.origin.map(order) if "origin" in df.columns else 0
        df["_d"] = df.destination.map(order) if "destination" in df.columns else 0
        df["_s"] = df.sector.map(sorder)
        if df["_s"].isna().any():
            die(f"{self.name}: unknown sector label {df[df._s.isna()].sector.iloc[0]!r}")
        df = df.fillna({"_o": -1, "_d": -1})
        df = df.sort_values(["_r", "variable", "_o", "_d", "_s", "year"], kind="mergesort")
        df = df.drop(columns=["_r", "_o", "_d", "_s"]).reset_index(drop=True)
        if formatted:
            df["value"] = df["value"].map(fmt)
        return df

    def write(self, out_dir: Path) -> int:
        """Write the table as CSV into out_dir; returns the number of rows."""
        df = self.frame()
        df.to_csv(out_dir / self.name, index=False, lineterminator="\n")
        return len(df)


class Log:
    """Prints check lines and keeps them for README.md."""

    def __init__(self):
        self.sections: dict[str, list[str]] = {}
        self.current = "general"

    def section(self, name: str):
        """Start the checks of one table (printed as a heading, kept under that name)."""
        self.current = name
        self.sections.setdefault(name, [])
        print(f"\n=== {name}")

    def __call__(self, line: str = ""):
        """Print one check line and keep it in the current section."""
        print(line)
        self.sections.setdefault(self.current, []).append(line)


LOG = Log()


# ----------------------------------------------------------------------------- 1. value added
def build_sector_value_added(ref: dict, T: Table) -> dict:
    """Value added by province and sector 2010-2019, current and constant 2015 prices (checks 1a-1e).

    Returns the intermediate values later tables need (province lists, 2015-price levels, sources)."""
    LOG.section("sector_value_added.csv")
    g = ref["gdp_index"]
    label = "more/gdp_index_provinces.csv"
    all31 = sorted(g.region.unique())
    if len(all31) != 31 or not set(BELT) <= set(all31):
        die(f"{label}: expected 31 provinces including the belt, found {len(all31)}")
    other20 = [r for r in all31 if r not in BELT]
    lvl = {"": "gdp_current_nbsdb", "primary": "va_primary", "secondary": "va_secondary", "tertiary": "va_tertiary"}
    idx = {
        "": "gdp_index_prev_year_100",
        "primary": "va_primary_index_prev_year_100",
        "secondary": "va_secondary_index_prev_year_100",
        "tertiary": "va_tertiary_index_prev_year_100",
    }
    val, src = grid(g, label, list(lvl.values()) + list(idx.values()), all31, YEARS_VA)

    prov = ref["provinces"]
    pval, psrc = grid(prov, "provinces.csv", ["gdp_current"], BELT, list(range(2014, 2020)))
    pfr, _ = grid(prov, "provinces.csv", ["gdp_current_first_release"], BELT, [BASE])
    nat = ref["national"]
    n31 = nat[(nat.region == "Sum of 31 provinces") & (nat.variable == "gdp_current")].set_index("year")
    nnat = nat[(nat.region == "China") & (nat.variable == "gdp_current_nbs_2022vintage")].set_index("year")
    for y in range(2014, 2020):
        if y not in n31.index or y not in nnat.index:
            die(f"national.csv: GDP row for {y} missing")

    # --- checks: sector sum vs GDP
    ssum = val[[lvl[s] for s in SECTORS]].sum(axis=1)
    gap = ssum - val[lvl[""]]
    rel = gap / val[lvl[""]]
    LOG("Check 1a: sum of the three sectors' current VA minus the dump's GDP, 31 provinces x 2010-2019")
    LOG(
        f"  max |gap| = {gap.abs().max():.2f} (100m yuan), max |gap|/GDP = {rel.abs().max() * 100:.5f}%; "
        f"province-years with a non-zero gap (|gap| >= 0.05): {(gap.abs() >= 0.05).sum()} of {len(gap)}"
    )
    bgap = gap.loc[BELT]
    nz = bgap[bgap.abs() >= 0.05]
    LOG(
        "  belt province-years with a gap: "
        + (", ".join(f"{r} {y}: {v:+.1f}" for (r, y), v in nz.items()) if len(nz) else "none")
    )
    if rel.abs().max() > 1e-4:
        die("sector VA do not add up to GDP within 0.01% in the dump; revisit the reconciliation")

    LOG("Check 1b: the dump's GDP vs provinces.csv gdp_current (revised series), belt 2014-2019")
    d = []
    for r in BELT:
        for y in range(2014, 2020):
            d.append(val.at[(r, y), lvl[""]] - pval.at[(r, y), "gdp_current"])
    d = np.array(d)
    LOG(
        f"  max |dump - provinces.csv| = {np.abs(d).max():.3f} (100m yuan) over {len(d)} province-years"
        + (" -> identical vintage" if np.abs(d).max() < 0.05 else "")
    )
    for r in BELT:
        dump, revised = val.at[(r, BASE), lvl[""]], pval.at[(r, BASE), "gdp_current"]
        first = pfr.at[(r, BASE), "gdp_current_first_release"]
        LOG(
            f"  {r:10s} 2015: dump {dump:10.1f}  provinces.csv {revised:10.1f}"
            f"  first release {first:10.2f}  (revised/first {revised / first - 1:+.2%})"
        )
    LOG(
        f"  Jiangsu 2019: dump {val.at[('Jiangsu', 2019), lvl['']]:.1f}, provinces.csv "
        f"{pval.at[('Jiangsu', 2019), 'gdp_current']:.1f} (the data README calls the dump's 2019 the pre-2020-census "
        "release and provinces.csv a later vintage; the two files are in fact the same series)"
    )
    xv15 = ref["expenditure"]
    xv15 = xv15[(xv15.variable == "gdp_expenditure_approach") & (xv15.year == BASE)].set_index("region").value
    LOG(
        "  expenditure-approach GDP 2015 (expenditure_gdp_provinces.csv) / first release - 1: "
        + ", ".join(f"{r} {xv15[r] / pfr.at[(r, BASE), 'gdp_current_first_release'] - 1:+.2%}" for r in BELT)
    )
    s31 = val[lvl[""]].groupby(level="year").sum()
    LOG("Check 1c: 31-province sum of the dump's GDP vs national.csv 'Sum of 31 provinces' and NBS national GDP")
    for y in range(2014, 2020):
        LOG(
            f"  {y}: dump sum {s31[y]:10.1f}  national.csv sum {n31.at[y, 'value']:10.1f}  "
            f"NBS national {nnat.at[y, 'value']:10.1f}  (sum/national {s31[y] / nnat.at[y, 'value'] - 1:+.2%})"
        )
        if abs(s31[y] - n31.at[y, "value"]) > 1.0:
            die(f"dump 31-province GDP sum differs from national.csv in {y}")

    # --- base-year GDP and reconciled 2015 sector VA
    gdp_base = {}
    for r in all31:
        gdp_base[r] = pval.at[(r, BASE), "gdp_current"] if r in BELT else val.at[(r, BASE), lvl[""]]
    share = {r: {s: val.at[(r, BASE), lvl[s]] / ssum[(r, BASE)] for s in SECTORS} for r in all31}
    va_base = {r: {s: share[r][s] * gdp_base[r] for s in SECTORS} for r in all31}

    # --- chained indices, 2015 = 100
    chain = {}
    for r in all31:
        for s, col in idx.items():
            c = {BASE: 100.0}
            for y in range(BASE + 1, YEARS_VA[-1] + 1):
                c[y] = c[y - 1] * val.at[(r, y), col] / 100.0
            for y in range(BASE, YEARS_VA[0], -1):
                c[y - 1] = c[y] / (val.at[(r, y), col] / 100.0)
            chain[(r, s)] = c
    real = {}  # (region, sector) -> {year: value at 2015 prices}; sector "" = GDP
    for r in all31:
        real[(r, "")] = {y: gdp_base[r] * chain[(r, "")][y] / 100.0 for y in YEARS_VA}
        for s in SECTORS:
            real[(r, s)] = {y: va_base[r][s] * chain[(r, s)][y] / 100.0 for y in YEARS_VA}

    s_lvl = {s: src_of(label, src[col].loc[BELT + other20]) for s, col in lvl.items()}
    s_idx = {s: src_of(label, src[col].loc[BELT + other20]) for s, col in idx.items()}
    s_prov = src_of("provinces.csv", psrc["gdp_current"])
    s_nat = src_of("national.csv", nnat.source)

    def emit(region, members, is_belt):
        agg = region in (REST, CHINA)
        who = {REST: "sum over the 20 provinces other than the belt", CHINA: "sum over the 31 provinces"}.get(
            region, ""
        )
        for s in [""] + SECTORS:
            var_sfx = "gdp" if s == "" else "va"
            for y in YEARS_VA:
                cur = sum(val.at[(m, y), lvl[s]] for m in members)
                T.add(
                    region,
                    s,
                    y,
                    f"{var_sfx}_current_100m_yuan",
                    cur,
                    U100M,
                    s_lvl[s],
                    f"derived: {who} of the NBS-dump column {lvl[s]}"
                    if agg
                    else f"NBS provincial dump, column {lvl[s]} "
                    "(2013-2018 revised after the 2018 census; 2019 as in the dump)",
                )
                rl = sum(real[(m, s)][y] for m in members)
                base = sum((gdp_base[m] if s == "" else va_base[m][s]) for m in members)
                ix = 100.0 * rl / base
                if agg:
                    T.add(
                        region,
                        s,
                        y,
                        f"{var_sfx}_index_2015eq100",
                        ix,
                        "index, 2015 = 100 (constant prices)",
                        s_idx[s],
                        f"derived: implied index = (sum of members' 2015-price {var_sfx.upper()}) / "
                        f"(their 2015 level) x 100, {who}",
                    )
                    T.add(
                        region,
                        s,
                        y,
                        f"{var_sfx}_const2015_100m_yuan",
                        rl,
                        U100M_2015,
                        s_idx[s] + " + " + s_lvl[s],
                        f"derived: {who} of each province's 2015 {var_sfx.upper()} x its chained index / 100",
                    )
                else:
                    T.add(
                        region,
                        s,
                        y,
                        f"{var_sfx}_index_2015eq100",
                        ix,
                        "index, 2015 = 100 (constant prices)",
                        s_idx[s],
                        f"derived: chained from the NBS previous-year = 100 index {idx[s]} "
                        f"(I_t = I_(t-1) x idx_t/100 after 2015, I_(t-1) = I_t / (idx_t/100) before)",
                    )
                    if s == "":
                        T.add(
                            region,
                            s,
                            y,
                            "gdp_const2015_100m_yuan",
                            rl,
                            U100M_2015,
                            s_prov + " + " + s_idx[s],
                            "derived: provinces.csv gdp_current 2015 x gdp_index_2015eq100 / 100",
                        )
                    else:
                        T.add(
                            region,
                            s,
                            y,
                            "va_const2015_100m_yuan",
                            rl,
                            U100M_2015,
                            s_prov + " + " + s_lvl[s] + " + " + s_idx[s],
                            "derived: reconciled 2015 VA (dump sector share x provinces.csv 2015 GDP) x "
                            "va_index_2015eq100 / 100",
                        )
                if s != "":
                    sh = cur / sum(val.at[(m, y), lvl[x]] for m in members for x in SECTORS)
                    T.add(
                        region,
                        s,
                        y,
                        "va_share_of_sector_sum",
                        sh,
                        "share (0-1), current prices",
                        s_lvl[s],
                        f"derived: {lvl[s]} / (va_primary + va_secondary + va_tertiary)" + (f", {who}" if agg else ""),
                    )
            if s != "":
                rec = sum(va_base[m][s] for m in members)
                T.add(
                    region,
                    s,
                    BASE,
                    "va_current_reconciled_100m_yuan",
                    rec,
                    U100M,
                    (s_prov + " + " if is_belt or region == CHINA else "") + s_lvl[s],
                    "derived: dump sector share of the three-sector sum x provinces.csv 2015 GDP "
                    "(sectors add up to the base-year GDP exactly)"
                    if is_belt
                    else f"derived: {who} of (dump sector share x base-year GDP); base-year GDP = provinces.csv for "
                    f"belt members, the dump (same vintage) for the others",
                )

    for r in BELT:
        emit(r, [r], True)
    emit(REST, other20, False)
    emit(CHINA, all31, False)
    for y in range(2014, 2020):
        T.add(
            CHINA,
            "",
            y,
            "gdp_current_national_accounts_100m_yuan",
            nnat.at[y, "value"],
            U100M,
            s_nat,
            "NBS national GDP (2018-census revised, before the 2023 revision); NOT the 31-province sum used "
            "for the other China rows",
        )

    # --- further checks
    LOG("Check 1d: chain non-additivity, (sum of the three sectors' 2015-price VA) / (2015-price GDP) - 1")
    for r in BELT + [REST, CHINA]:
        mem = [r] if r in BELT else (other20 if r == REST else all31)
        parts = []
        for y in (2010, 2019):
            sv = sum(real[(m, s)][y] for m in mem for s in SECTORS)
            gv = sum(real[(m, "")][y] for m in mem)
            parts.append(f"{y}: {sv / gv - 1:+.2%}")
        LOG(f"  {r:11s} " + "  ".join(parts))
    LOG("Check 1e: implied GDP deflator 2019 (2015 = 1) = current GDP / 2015-price GDP, and real growth 2015-19")
    for r in BELT + [REST, CHINA]:
        mem = [r] if r in BELT else (other20 if r == REST else all31)
        cur = sum(val.at[(m, 2019), lvl[""]] for m in mem)
        rl = sum(real[(m, "")][2019] for m in mem)
        rl15 = sum(real[(m, "")][2015] for m in mem)
        LOG(f"  {r:11s} deflator {cur / rl:.4f}  real GDP 2019/2015 {rl / rl15:.4f} ({(rl / rl15) ** 0.25 - 1:.2%}/yr)")
    return {
        "all31": all31,
        "other20": other20,
        "val": val,
        "real": real,
        "va_base": va_base,
        "gdp_base": gdp_base,
        "lvl": lvl,
        "s_lvl": s_lvl,
        "s_idx": s_idx,
        "s_prov": s_prov,
        "pfr": pfr,
    }


# ----------------------------------------------------------------------------- 2. capital
def build_capital(ref: dict, T: Table, va: dict, regions_2015: pd.DataFrame | None) -> None:
    """Capital stock at 2015 prices, GFCF and investment rates 2000-2019 (checks 2a-2e).

    regions_2015, when given, is a region table whose capital stocks are printed next to the GFCF-based ones."""
    LOG.section("capital_stock.csv")
    cap = ref["capital"]
    label = "more/capital_provinces.csv"
    all31, other20 = va["all31"], va["other20"]
    kv, ks = grid(cap, label, ["capital_stock_1952prices_derived", "investment_price_index_1952_1"], all31, YEARS_K)
    gv, gs = grid(cap, label, ["gfcf_current"], all31, YEARS_GFCF_OFFICIAL)
    ev, es = grid(cap, label, ["gfcf_current_extrapolated"], all31, YEARS_GFCF_EXTRAP)
    gfcf = {(r, y): gv.at[(r, y), "gfcf_current"] for r in all31 for y in YEARS_GFCF_OFFICIAL}
    gfcf.update({(r, y): ev.at[(r, y), "gfcf_current_extrapolated"] for r in all31 for y in YEARS_GFCF_EXTRAP})
    price = {(r, y): kv.at[(r, y), "investment_price_index_1952_1"] for r in all31 for y in YEARS_K}
    k52 = {(r, y): kv.at[(r, y), "capital_stock_1952prices_derived"] for r in all31 for y in YEARS_K}

    # perpetual-inventory consistency of the reference series
    dev = max(
        abs(k52[(r, y)] - ((1 - DELTA) * k52[(r, y - 1)] + gfcf[(r, y)] / price[(r, y)])) / k52[(r, y)]
        for r in all31
        for y in YEARS_K[1:]
    )
    LOG(
        f"Check 2a: K_t = (1 - {DELTA}) K_(t-1) + GFCF_t / P_t holds for the reference series, 31 provinces "
        f"2001-2019: max relative deviation {dev:.2e}"
    )
    if dev > 1e-4:
        die("capital_stock_1952prices_derived does not follow the stated perpetual inventory")

    k15 = {(r, y): k52[(r, y)] * price[(r, BASE)] for r in all31 for y in YEARS_K}
    ig15 = {(r, y): gfcf[(r, y)] / price[(r, y)] * price[(r, BASE)] for r in all31 for y in YEARS_K}

    # expenditure-approach GDP (same pre-revision vintage as GFCF)
    x = ref["expenditure"]
    xl = "more/expenditure_gdp_provinces.csv"
    comps = [
        "gdp_expenditure_approach",
        "final_consumption",
        "gross_capital_formation",
        "net_outflow_goods_services",
        "household_consumption",
        "government_consumption",
        "gfcf_current",
        "inventory_change",
    ]
    xv, xs = grid(x, xl, comps, all31, YEARS_EXP)
    exp_gdp, exp_note = {}, {}
    seen_anhui = False
    for r in all31:
        for y in YEARS_EXP:
            tot = xv.at[(r, y), "gdp_expenditure_approach"]
            csum = (
                xv.at[(r, y), "final_consumption"]
                + xv.at[(r, y), "gross_capital_formation"]
                + xv.at[(r, y), "net_outflow_goods_services"]
            )
            if abs(csum / tot - 1) > 5e-4:
                if (r, y) == ("Anhui", 2013) and abs(tot - xv.at[(r, 2012), "gdp_expenditure_approach"]) < 1.0:
                    seen_anhui = True
                    exp_gdp[(r, y)] = csum
                    exp_note[(r, y)] = (
                        "; denominator = final consumption + gross capital formation + net outflow "
                        "(" + KNOWN_DEFECTS["exp_anhui_2013"] + ")"
                    )
                    continue
                die(f"{xl}: {r} {y} components do not add up to gdp_expenditure_approach ({csum} vs {tot})")
            exp_gdp[(r, y)] = tot
            exp_note[(r, y)] = ""
    if not seen_anhui:
        die("known defect exp_anhui_2013 not found any more; revisit the workaround")
    LOG(
        "Check 2b: expenditure-approach GDP = final consumption + gross capital formation + net outflow within "
        "0.05% for every province-year 2000-2017 except Anhui 2013 (gdp_expenditure_approach repeats 2012: "
        f"{xv.at[('Anhui', 2013), 'gdp_expenditure_approach']:.1f}; components sum to "
        f"{exp_gdp[('Anhui', 2013)]:.1f}, used instead)"
    )
    gdiff = max(abs(xv.at[(r, y), "gfcf_current"] / gfcf[(r, y)] - 1) for r in all31 for y in YEARS_GFCF_OFFICIAL)
    worst = sorted(
        ((abs(xv.at[(r, y), "gfcf_current"] / gfcf[(r, y)] - 1), r, y) for r in all31 for y in YEARS_GFCF_OFFICIAL),
        reverse=True,
    )[:3]
    LOG(
        f"Check 2c: GFCF in capital_provinces.csv vs the NBS dump's expenditure table: max relative difference "
        f"{gdiff:.2%} ({', '.join(f'{r} {y} {d:.2%}' for d, r, y in worst)}); all others below 0.5%"
    )

    # production GDP (dump, revised vintage) for the 2010-2019 ratio
    gval = va["val"]
    s_k = src_of(label, ks["capital_stock_1952prices_derived"])
    s_p = src_of(label, ks["investment_price_index_1952_1"])
    s_g = src_of(label, gs["gfcf_current"])
    s_e = src_of(label, es["gfcf_current_extrapolated"])
    s_x = src_of(xl, xs["gdp_expenditure_approach"])

    def gnote(y):
        return (
            "NOT OFFICIAL: GFCF extrapolated by the package author from 2017 with FAI growth "
            "(gfcf_current_extrapolated); "
            if y >= 2018
            else ""
        )

    def gsrc(y):
        return s_e if y >= 2018 else s_g

    groups = [(r, [r]) for r in BELT] + [(REST, other20), (CHINA, all31)]
    for region, mem in groups:
        agg = len(mem) > 1
        who = (
            ("sum over the 20 provinces other than the belt" if region == REST else "sum over the 31 provinces")
            if agg
            else ""
        )
        for y in YEARS_K:
            kk = sum(k15[(m, y)] for m in mem)
            kflag = "NOT OFFICIAL inputs for 2018-2019 (extrapolated GFCF); " if y >= 2018 else ""
            T.add(
                region,
                "",
                y,
                "capital_stock_const2015_100m_yuan",
                kk,
                U100M_2015,
                s_k + " + " + s_p,
                kflag + "derived: capital_stock_1952prices_derived x investment_price_index_1952_1 in 2015 "
                "(rebased to 2015 prices; Zhang Jun PIM, delta 9.6%; an estimate by construction)"
                + (f"; {who}, each province rebased with its own deflator" if agg else "")
                + (
                    "; Chongqing's series starts in 1995 from an assumed initial stock" if region == "Chongqing" else ""
                ),
            )
            gg = sum(gfcf[(m, y)] for m in mem)
            T.add(
                region,
                "",
                y,
                "gfcf_current_100m_yuan",
                gg,
                U100M,
                gsrc(y),
                gnote(y)
                + ("official GFCF, pre-2018-census vintage" if y < 2018 else "")
                + (f"; derived: {who}" if agg else ""),
            )
            ir = sum(ig15[(m, y)] for m in mem)
            T.add(
                region,
                "",
                y,
                "gfcf_const2015_100m_yuan",
                ir,
                U100M_2015,
                gsrc(y) + " + " + s_p,
                gnote(y)
                + "derived: GFCF / investment_price_index_1952_1 x the 2015 index"
                + (f"; {who}" if agg else ""),
            )
            T.add(
                region,
                "",
                y,
                "investment_deflator_2015eq1",
                gg / ir,
                "index, 2015 = 1",
                s_p + " + " + gsrc(y),
                (
                    "derived: investment_price_index_1952_1 / its 2015 value"
                    if not agg
                    else f"derived: implied deflator = current GFCF / 2015-price GFCF, {who}"
                )
                + ("; 2018-2019 uses extrapolated GFCF weights" if agg and y >= 2018 else ""),
            )
            if y in YEARS_EXP:
                eg = sum(exp_gdp[(m, y)] for m in mem)
                T.add(
                    region,
                    "",
                    y,
                    "gfcf_share_of_gdp_expenditure",
                    gg / eg,
                    "share (0-1), current prices",
                    s_g + " + " + s_x,
                    "derived: gfcf_current / expenditure-approach GDP of the same (pre-2018-census) vintage"
                    + (f"; {who} of numerator and denominator" if agg else "")
                    + "".join(exp_note[(m, y)] for m in mem),
                )
            if y in YEARS_VA:
                pg = sum(gval.at[(m, y), "gdp_current_nbsdb"] for m in mem)
                T.add(
                    region,
                    "",
                    y,
                    "gfcf_share_of_gdp_production",
                    gg / pg,
                    "share (0-1), current prices",
                    gsrc(y) + " + " + va["s_lvl"][""],
                    gnote(y) + "derived: GFCF / production-approach GDP of the NBS dump; MIXED VINTAGES "
                    "(GFCF before, GDP 2013-2018 after the 2018-census revision); prefer "
                    "gfcf_share_of_gdp_expenditure up to 2017" + (f"; {who}" if agg else ""),
                )
                rg = sum(va["real"][(m, "")][y] for m in mem)
                T.add(
                    region,
                    "",
                    y,
                    "capital_output_ratio_const2015",
                    kk / rg,
                    "ratio, both at 2015 prices",
                    s_k + " + " + s_p + " + " + va["s_prov"] + " + " + va["s_idx"][""],
                    kflag + "derived: capital_stock_const2015_100m_yuan / gdp_const2015_100m_yuan (see "
                    "sector_value_added.csv)" + (f"; {who} of both" if agg else ""),
                )

    # --- checks: K/Y in 2015
    LOG("Check 2d: capital-output ratio in 2015 at 2015 prices, K (GFCF-based PIM) / GDP")
    LOG("  region       K2015      GDP2015   K/Y    K/Y(first-release GDP)   given table K    K/Y given")
    rk = {}
    if regions_2015 is not None:
        for _, row in regions_2015.iterrows():
            rk[row["region"]] = (float(row["capital_stock_100m_yuan"]), float(row["gdp_100m_yuan"]))
    for region, mem in groups:
        kk = sum(k15[(m, BASE)] for m in mem)
        yy = sum(va["gdp_base"][m] for m in mem)
        fr = va["pfr"].at[(region, BASE), "gdp_current_first_release"] if region in BELT else float("nan")
        m1 = rk.get(region)
        LOG(
            f"  {region:11s} {kk:10.0f} {yy:10.1f}  {kk / yy:5.2f}   "
            + (f"{kk / fr:5.2f}" if region in BELT else "  -  ")
            + "                  "
            + (f"{m1[0]:10.0f}       {m1[0] / m1[1]:5.2f}" if m1 else "     -            -")
        )
    bk = sum(k15[(m, BASE)] for m in BELT)
    by = sum(va["gdp_base"][m] for m in BELT)
    LOG(
        f"  Belt        {bk:10.0f} {by:10.1f}  {bk / by:5.2f}"
        + (
            f"                          {sum(rk[m][0] for m in BELT):10.0f}       "
            f"{sum(rk[m][0] for m in BELT) / sum(rk[m][1] for m in BELT):5.2f}"
            if rk
            else ""
        )
    )
    if not rk:
        LOG("  (no region table given: comparison with other capital stocks skipped)")
    LOG("Check 2e: investment rate GFCF / expenditure-approach GDP (same vintage), 2015 and 2017")
    for region, mem in groups:
        parts = []
        for y in (2015, 2017):
            parts.append(f"{y}: {sum(gfcf[(m, y)] for m in mem) / sum(exp_gdp[(m, y)] for m in mem):.3f}")
        LOG(f"  {region:11s} " + "  ".join(parts))


# ----------------------------------------------------------------------------- 3. IO trade margins
IO_GROUPS = {"primary": [1], "secondary": list(range(2, 27)), "tertiary": list(range(27, 43))}


def build_trade(ref: dict, T: Table) -> None:
    """2007 provincial IO tables aggregated to three sectors: levels and trade shares (checks 3a-3f)."""
    LOG.section("trade_margins_2007.csv")
    io = ref["io"]
    label = "more/io2007_provincial_trade.csv"
    if set(io.unit.unique()) != {"1e4 yuan, 2007 producer prices"}:
        die(f"{label}: unexpected units {io.unit.unique()}")
    names = io[["sector_code", "sector_zh"]].drop_duplicates()
    if len(names) != 42 or names.sector_code.nunique() != 42 or sorted(names.sector_code) != list(range(1, 43)):
        die(f"{label}: expected 42 sector codes 1-42 with one name each")
    nm = dict(zip(names.sector_code, names.sector_zh))
    # mapping check by name
    checks = [
        (nm[1] == "农林牧渔业", "code 1 agriculture"),
        (all("采" in nm[c] for c in range(2, 6)), "codes 2-5 mining (采)"),
        (all(re.search("制造|加工|纺织|化学|冶炼|废品|制品", nm[c]) for c in range(6, 23)), "codes 6-22 manufacturing"),
        (all("供应" in nm[c] for c in range(23, 26)), "codes 23-25 utilities (供应)"),
        (nm[26] == "建筑业", "code 26 construction"),
        (nm[27].startswith("交通运输") and nm[42] == "公共管理和社会组织", "codes 27-42 services"),
    ]
    for ok, what in checks:
        if not ok:
            die(f"{label}: sector names do not match the mapping ({what})")
    LOG(
        "Sector mapping (checked against sector_zh): primary = 1 "
        + nm[1]
        + "; secondary = 2-5 mining ("
        + ", ".join(nm[c] for c in range(2, 6))
        + "), 6-22 manufacturing incl. 22 "
        + nm[22]
        + ", 23-25 utilities ("
        + ", ".join(nm[c] for c in range(23, 26))
        + "), 26 "
        + nm[26]
        + "; tertiary = 27-42 ("
        + nm[27]
        + " ... "
        + nm[42]
        + ")"
    )

    cols = [
        "total_output",
        "intermediate_use_total",
        "final_use_total",
        "exports_abroad",
        "outflow_to_other_provinces",
        "imports_from_abroad",
        "inflow_from_other_provinces",
        "value_added",
    ]
    provs = sorted(io.region.unique())
    if len(provs) != 30 or "Tibet" in provs or not set(BELT) <= set(provs):
        die(f"{label}: expected 30 provinces without Tibet")
    sub = io[io.variable.isin(cols)]
    if sub.duplicated(["region", "sector_code", "variable"]).any():
        die(f"{label}: duplicated rows")
    w = sub.pivot_table(index=["region", "sector_code"], columns="variable", values="value", aggfunc="first")
    full = pd.MultiIndex.from_product([provs, list(range(1, 43))], names=["region", "sector_code"])
    w = w.reindex(index=full, columns=cols)
    if w.isna().any().any():
        die(f"{label}: missing cells, e.g. {w[w.isna().any(axis=1)].index[0]}")
    srcs = {r: src_of(label, io[io.region == r].source) for r in provs}
    s_all = src_of(label, io.source)

    # identity test
    w = w.copy()
    w["resid"] = w.total_output - (
        w.intermediate_use_total + w.final_use_total - w.imports_from_abroad - w.inflow_from_other_provinces
    )
    alt = (
        w.total_output
        + w.imports_from_abroad
        + w.inflow_from_other_provinces
        - (w.intermediate_use_total + w.final_use_total + w.exports_abroad + w.outflow_to_other_provinces)
    )
    relA = (w.resid.abs() / w.total_output.abs().clip(lower=1)).groupby(level="region").max()
    relB = (alt.abs() / w.total_output.abs().clip(lower=1)).median()
    LOG(
        "Check 3a: IO identity. Tested (A) X + M + IN = Z + F + E + OUT with final_use_total as F: median |residual|/X "
        f"= {relB:.1%} -> rejected. (B) X = Z + F - M - IN, i.e. final_use_total (最终使用合计) ALREADY includes "
        "exports and outflow (the sheets list 出口 and 调出 before 最终使用合计):"
    )
    exact = [r for r in provs if relA[r] < 1e-4]
    LOG(
        f"  holds to < 0.01% of output in every sector for {len(exact)} of 30 provinces; the residual is the "
        "tables' '其他' (other/error) column, which the reference CSV does not carry. Others (max sector |resid|/X, "
        "province total resid/X):"
    )
    for r in provs:
        if r not in exact:
            tot = w.loc[r].resid.sum() / w.loc[r].total_output.sum()
            LOG(f"    {r:14s} {relA[r]:9.2%}  {tot:+.3%}" + ("   <- belt" if r in BELT else ""))
    no_foreign = [
        r for r in provs if w.loc[r].exports_abroad.abs().sum() == 0 and w.loc[r].imports_from_abroad.abs().sum() == 0
    ]
    LOG(
        "Check 3b: provinces whose tables have exports_abroad = imports_from_abroad = 0 in all 42 sectors "
        f"({len(no_foreign)}): {', '.join(no_foreign)}. Their outflow/inflow columns most likely hold total "
        "流出/流入 including foreign trade (the identity still balances), so their 'interprovincial' shares are "
        "upper bounds; use the *_incl_foreign variables to compare provinces."
    )

    # aggregate to three sectors
    def agg(members, secs):
        return w.loc[(members, secs), cols + ["resid"]].sum()

    groups = [(r, [r]) for r in BELT] + [(YREB, BELT), (REST, [p for p in provs if p not in BELT]), (CHINA, provs)]
    level_vars = [
        ("total_output", "total_output"),
        ("value_added", "value_added"),
        ("intermediate_use", "intermediate_use_total"),
        ("final_use_total", "final_use_total"),
        ("exports_abroad", "exports_abroad"),
        ("imports_abroad", "imports_from_abroad"),
        ("outflow_other_provinces", "outflow_to_other_provinces"),
        ("inflow_other_provinces", "inflow_from_other_provinces"),
    ]
    results = {}
    for region, mem in groups:
        aggr = len(mem) > 1
        s_here = s_all if aggr else srcs[region]
        who = {
            YREB: "sum over the 11 belt provinces; each province's outflow and inflow include its trade with other "
            "belt provinces, so a Belt share is the provinces' trade-weighted mean share, not the belt's trade with "
            "the rest of China",
            REST: f"sum over the {len(mem)} provinces other than the belt in the 2007 tables (Tibet has no table)",
            CHINA: "sum over the 30 provinces with a 2007 table (no Tibet)",
        }.get(region, "")
        not_target = (
            "; NOT a calibration target: includes trade among RestOfChina's own provinces, which is "
            "internal to the aggregate"
            if region == REST
            else "; national total of provincial tables (interprovincial flows net out only approximately)"
            if region == CHINA
            else ""
        )
        nf = [m for m in mem if m in no_foreign]
        nf_note = (
            "; this province's table reports no foreign trade: its outflow/inflow most likely include "
            "exports/imports abroad"
            if (not aggr and nf)
            else (f"; {len(nf)} member tables report no foreign trade (their outflow/inflow include it)" if nf else "")
        )
        if not aggr:
            T.add(
                region,
                "",
                2007,
                "foreign_trade_reported_separately",
                0.0 if nf else 1.0,
                "flag (1 = yes)",
                s_here,
                "derived: 1 if exports_abroad or imports_from_abroad is non-zero in any of the 42 sectors",
            )
        for sec in SECTORS + ["total"]:
            codes = list(range(1, 43)) if sec == "total" else IO_GROUPS[sec]
            a = agg(mem, codes)
            X, Z, F = a.total_output, a.intermediate_use_total, a.final_use_total
            E, OUT, M, IN = (
                a.exports_abroad,
                a.outflow_to_other_provinces,
                a.imports_from_abroad,
                a.inflow_from_other_provinces,
            )
            U = Z + F - E - OUT
            if X <= 0 or U <= 0 or U - M <= 0 or X - E <= 0:
                die(f"{label}: non-positive denominator for {region} {sec}")
            base_note = (
                (
                    f"derived: IO sector {codes[0]} ({sec})"
                    if len(codes) == 1
                    else f"derived: sum of IO sectors {codes[0]}-{codes[-1]} ({sec})"
                )
                if sec != "total"
                else "derived: sum of the 42 IO sectors"
            ) + (f"; {who}" if aggr else "")
            for vname, col in level_vars:
                T.add(
                    region,
                    sec,
                    2007,
                    f"{vname}_100m_yuan",
                    a[col] / 1e4,
                    "100m yuan, 2007 producer prices",
                    s_here,
                    base_note
                    + "; converted from 1e4 yuan (/1e4)"
                    + (
                        "; final_use_total includes exports abroad and outflow to other provinces"
                        if vname == "final_use_total"
                        else ""
                    )
                    + not_target,
                )
            T.add(
                region,
                sec,
                2007,
                "identity_residual_100m_yuan",
                a.resid / 1e4,
                "100m yuan, 2007 producer prices",
                s_here,
                base_note + "; derived: total_output - (intermediate_use + final_use_total - imports_abroad - "
                "inflow), the tables' 'other' column; converted from 1e4 yuan" + not_target,
            )
            T.add(
                region,
                sec,
                2007,
                "domestic_absorption_100m_yuan",
                U / 1e4,
                "100m yuan, 2007 producer prices",
                s_here,
                base_note + "; derived: U = intermediate_use + final_use_total - exports_abroad - outflow "
                "(intermediate + domestic final use, incl. goods from abroad and other provinces)" + not_target,
            )
            shares = [
                ("inflow_share_of_absorption", IN / U, "inflow / U"),
                (
                    "inflow_share_of_domestic_origin_use",
                    IN / (U - M),
                    "inflow / (U - imports_abroad), the share of spending on domestically produced goods bought from "
                    "other provinces (closed-economy gravity target)",
                ),
                ("outflow_share_of_output", OUT / X, "outflow / total_output"),
                (
                    "outflow_share_of_domestic_sales",
                    OUT / (X - E),
                    "outflow / (total_output - exports_abroad) (closed-economy gravity target)",
                ),
                (
                    "inflow_incl_foreign_share_of_absorption",
                    (IN + M) / U,
                    "(inflow + imports_abroad) / U, comparable across all provinces",
                ),
                (
                    "outflow_incl_foreign_share_of_output",
                    (OUT + E) / X,
                    "(outflow + exports_abroad) / total_output, comparable across all provinces",
                ),
            ]
            for vname, v, how in shares:
                T.add(
                    region,
                    sec,
                    2007,
                    vname,
                    v,
                    "share (0-1)",
                    s_here,
                    base_note
                    + f"; derived: {how}"
                    + nf_note
                    + not_target
                    + "; 2007 structure, using it for 2015 is an assumption",
                )
            results[(region, sec)] = {
                "in_abs": IN / U,
                "in_dom": IN / (U - M),
                "out": OUT / X,
                "out_dom": OUT / (X - E),
                "in_f": (IN + M) / U,
                "out_f": (OUT + E) / X,
                "nf": bool(nf),
            }
    LOG(
        "Check 3c: 2007 shares by province and sector (in/U = inflow / absorption; in/Ud = inflow / domestic-origin "
        "use; out/X = outflow / output; out/Xd = outflow / (output - exports); +f = incl. foreign trade)"
    )
    LOG("  region      sector     in/U   in/Ud  out/X  out/Xd | in+f/U out+f/X  note")
    for region, _ in groups:
        for sec in SECTORS + ["total"]:
            q = results[(region, sec)]
            LOG(
                f"  {region:11s} {sec:9s} {q['in_abs']:6.3f} {q['in_dom']:6.3f} {q['out']:6.3f} {q['out_dom']:6.3f} |"
                f" {q['in_f']:6.3f} {q['out_f']:6.3f}  "
                + ("no foreign trade in table" if (q["nf"] and region in BELT) else "")
                + ("not a target" if region == REST else "")
            )
    tot_out = w.outflow_to_other_provinces.sum() / 1e4
    tot_in = w.inflow_from_other_provinces.sum() / 1e4
    LOG(
        f"Check 3d: 30-province totals: outflow {tot_out:,.0f} vs inflow {tot_in:,.0f} (100m yuan), "
        f"ratio {tot_out / tot_in:.3f} (should be about 1 for purely interprovincial flows)"
    )
    LOG("Check 3e: construction (code 26) looks inconsistent across tables: outflow / output and inflow / output")
    for r in BELT:
        c = w.loc[(r, 26)]
        LOG(
            f"  {r:10s} outflow/X {c.outflow_to_other_provinces / c.total_output:6.3f}   "
            f"inflow/X {c.inflow_from_other_provinces / c.total_output:6.3f}"
        )
    sh = w.loc["Shandong"].sum()
    LOG(
        "Check 3f: Shandong (RestOfChina; its sheet lists 调出 before 出口): "
        f"exports_abroad {sh.exports_abroad / 1e4:,.0f}, outflow {sh.outflow_to_other_provinces / 1e4:,.0f}, "
        f"imports_abroad {sh.imports_from_abroad / 1e4:,.0f}, inflow "
        f"{sh.inflow_from_other_provinces / 1e4:,.0f} (100m yuan); foreign balance as read = "
        f"{(sh.exports_abroad - sh.imports_from_abroad) / 1e4:+,.0f}"
    )


# ----------------------------------------------------------------------------- 4. migration
def build_migration(ref: dict, T: Table) -> None:
    """2010 census O-D shares among the 12 regions and 5-year in/out/net migrants (checks 4a-4c)."""
    LOG.section("migration.csv")
    od = ref["od"]
    label = "more/migration_od_census_2000_2010.csv"
    o10 = od[od.year == 2010]
    provs = sorted(set(o10.origin) | set(o10.destination))
    if (
        len(provs) != 31
        or len(o10) != 930
        or o10.duplicated(["origin", "destination"]).any()
        or (o10.origin == o10.destination).any()
        or o10.value.isna().any()
        or (o10.value < 0).any()
    ):
        die(f"{label}: expected a complete 31 x 31 matrix (930 off-diagonal cells) for 2010")
    s_od = src_of(label, o10.source)
    reg = {p: (p if p in BELT else REST) for p in provs}
    o = o10.assign(o=o10.origin.map(reg), d=o10.destination.map(reg))
    internal = o[(o.o == REST) & (o.d == REST)].value.sum()
    o = o[~((o.o == REST) & (o.d == REST))]
    flows = o.groupby(["o", "d"]).value.sum()
    total = flows.sum()
    regions12 = BELT + [REST]
    for ori in regions12:
        for des in regions12:
            if ori == des:
                continue
            v = flows.get((ori, des))
            if v is None:
                die(f"{label}: no flow {ori} -> {des}")
            T.add(
                des,
                "",
                2010,
                "od_share_of_total",
                v / total,
                "share (0-1) of all flows between the 12 regions",
                s_od,
                "derived: 2010-census matrix aggregated to 11 provinces + RestOfChina, flows among the 20 "
                "RestOfChina provinces dropped as internal, divided by the total of the remaining flows; "
                "region = destination (residence); table definition unknown (probably lifetime/birthplace "
                "migrants, 10% sample counts): use shares only",
                origin=ori,
                destination=des,
            )
    net = {}
    for r in regions12:
        inn = sum(flows.get((x, r), 0.0) for x in regions12 if x != r)
        out = sum(flows.get((r, x), 0.0) for x in regions12 if x != r)
        net[r] = (inn - out) / total
        T.add(
            r,
            "",
            2010,
            "od_net_inflow_share_of_total",
            net[r],
            "share (0-1) of all flows between the 12 regions",
            s_od,
            "derived: (sum of flows into the region - sum of flows out of it) / total, from od_share_of_total",
        )
    T.add(
        CHINA,
        "",
        2010,
        "od_cross_region_share_of_total",
        total / o10.value.sum(),
        "share (0-1) of all 31 x 31 flows",
        s_od,
        "derived: (flows in the 2010-census matrix that are not between two RestOfChina provinces) / (all flows "
        "of the 31 x 31 matrix): the part of the migrant stock the 12-region model sees as moves between regions",
    )
    LOG(
        f"Check 4a: 2010 matrix: total of all 31x31 flows {o10.value.sum():,.0f} (sample-like counts); flows among "
        f"RestOfChina provinces dropped: {internal:,.0f} ({internal / o10.value.sum():.1%}); "
        f"remaining total {total:,.0f} ({total / o10.value.sum():.1%})"
    )

    # in/out totals
    mt = ref["inout"]
    ml = "more/migration_inout_totals.csv"
    mv, ms = grid(mt, ml, ["migrants_5yr_in", "migrants_5yr_out"], provs, [2010, 2015])
    s_m = src_of(ml, mt.source)
    suspect = sorted(mt[mt.note.astype(str).str.contains("SUSPECT")].region.unique())
    if any(s in BELT for s in suspect):
        die(f"{ml}: a belt province is flagged SUSPECT: {suspect}")
    period = {2010: "2005-2010 (2010 census)", 2015: "2010-2015 (2015 1% sample survey)"}
    LOG(
        f"Check 4b: labels flagged SUSPECT in {ml} (all inside RestOfChina, not used individually): "
        + ", ".join(suspect)
    )
    for y in (2015, 2010):
        tin = mv.xs(y, level="year").migrants_5yr_in.sum()
        tout = mv.xs(y, level="year").migrants_5yr_out.sum()
        LOG(
            f"Check 4c: {period[y]}: 31-province in-migrants {tin:.4f}m, out-migrants {tout:.4f}m (difference "
            f"{tin - tout:+.6f}m)"
        )
        if abs(tin - tout) > 1e-3:
            die(f"{ml}: national in- and out-migrant totals differ in {y}; RestOfChina net = -belt net is invalid")
        bn = 0.0
        LOG(f"  {'region':11s}      in      out      net   (million persons, {period[y]})   2010-matrix net share")
        for r in BELT:
            i, ou = mv.at[(r, y), "migrants_5yr_in"], mv.at[(r, y), "migrants_5yr_out"]
            bn += i - ou
            for vn, vv, how in [
                ("migrants_5yr_in_million", i, "migrants_5yr_in"),
                ("migrants_5yr_out_million", ou, "migrants_5yr_out"),
                ("migrants_5yr_net_million", i - ou, "derived: migrants_5yr_in - migrants_5yr_out"),
            ]:
                T.add(r, "", y, vn, vv, "million persons", s_m, f"{how}; inter-provincial migrants over {period[y]}")
            sign_ok = np.sign(i - ou) == np.sign(net[r])
            LOG(
                f"  {r:11s} {i:7.3f}  {ou:7.3f}  {i - ou:+7.3f}"
                + " " * 44
                + f"{net[r]:+.4f}"
                + ("" if sign_ok else "  <- sign differs")
            )
        bi = sum(mv.at[(r, y), "migrants_5yr_in"] for r in BELT)
        bo = sum(mv.at[(r, y), "migrants_5yr_out"] for r in BELT)
        T.add(
            YREB,
            "",
            y,
            "migrants_5yr_in_million",
            bi,
            "million persons",
            s_m,
            f"derived: sum over the 11 belt provinces, {period[y]}; includes moves between belt provinces",
        )
        T.add(
            YREB,
            "",
            y,
            "migrants_5yr_out_million",
            bo,
            "million persons",
            s_m,
            f"derived: sum over the 11 belt provinces, {period[y]}; includes moves between belt provinces",
        )
        T.add(
            YREB,
            "",
            y,
            "migrants_5yr_net_million",
            bn,
            "million persons",
            s_m,
            f"derived: sum of the 11 provinces' net (in - out); moves between belt provinces cancel, {period[y]}",
        )
        T.add(
            REST,
            "",
            y,
            "migrants_5yr_net_million",
            -bn,
            "million persons",
            s_m,
            f"derived: minus the belt's net (national in = out in the source, checked); the SUSPECT western labels "
            f"are inside RestOfChina and do not enter, {period[y]}",
        )
        others = [p for p in provs if p not in BELT]
        rn = sum(mv.at[(p, y), "migrants_5yr_in"] - mv.at[(p, y), "migrants_5yr_out"] for p in others)
        LOG(
            f"  Belt total  {bi:7.3f}  {bo:7.3f}  {bn:+7.3f}   RestOfChina net = {-bn:+.3f} "
            f"(direct sum of its 20 rows: {rn:+.3f}); 2010-matrix net share of RestOfChina {net[REST]:+.4f}"
        )
        T.add(
            CHINA,
            "",
            y,
            "migrants_5yr_in_million",
            tin,
            "million persons",
            s_m,
            f"derived: sum over 31 provinces (labels do not matter for the sum), {period[y]}",
        )
        T.add(
            CHINA,
            "",
            y,
            "migrants_5yr_out_million",
            tout,
            "million persons",
            s_m,
            f"derived: sum over 31 provinces (labels do not matter for the sum), {period[y]}",
        )


# ----------------------------------------------------------------------------- 5. CO2
CO2_GROUPS = {
    "primary": ["agriculture"],
    "secondary": ["mining_logging", "manufacturing", "power_heat", "gas_water_supply", "construction"],
    "tertiary": ["transport_storage_post", "wholesale_retail_catering", "other_services"],
    "households": ["households_urban", "households_rural"],
}


def build_co2(ref: dict, T: Table, va: dict) -> None:
    """CEADs scope-1 CO2 by region and sector 2010-2019, shares and intensities (checks 5a-5e)."""
    LOG.section("co2.csv")
    c = ref["co2"]
    label = "more/co2_provinces.csv"
    provs = sorted(r for r in c.region.unique() if r != CHINA)
    if len(provs) != 30 or "Tibet" in provs or not set(BELT) <= set(provs):
        die(f"{label}: expected 30 provinces without Tibet plus China")
    gvars = [f"co2_sector_{g}" for grp in CO2_GROUPS.values() for g in grp]
    val, src = grid(
        c, label, ["co2_scope1_total"] + gvars, provs, YEARS_CO2, allow_missing=[("Hunan", 2017, "co2_scope1_total")]
    )
    nat, nsrc = grid(c, label, ["co2_scope1_total"], [CHINA], YEARS_CO2)
    val = val.copy()
    # --- Hunan 2017 repair (known defect)
    sx = ref["co2_sectors"]
    sl = "more/co2_provinces_sectors_yreb.csv"
    tot_rows = sx[sx.sector.astype(str).str.strip().str.lower().str.contains("total")]
    if len(tot_rows) != 1 or tot_rows.iloc[0].region != "Hunan" or int(tot_rows.iloc[0].year) != 2017:
        die(
            f"{sl}: expected exactly one 'Total Emissions' pseudo-sector row (Hunan 2017): "
            f"{tot_rows[['region', 'year']].values.tolist()}"
        )
    h_tot = float(tot_rows.iloc[0].value)
    manu_bad = val.at[("Hunan", 2017), "co2_sector_manufacturing"]
    manu_fix = manu_bad - h_tot
    others = sum(val.at[("Hunan", 2017), v] for v in gvars if v != "co2_sector_manufacturing")
    if abs(others + manu_fix - h_tot) / h_tot > 1e-4:
        die("Hunan 2017 CO2 repair does not balance; revisit")
    val.at[("Hunan", 2017), "co2_scope1_total"] = h_tot
    val.at[("Hunan", 2017), "co2_sector_manufacturing"] = manu_fix
    fix_note = {
        ("Hunan", 2017): "; Hunan 2017 repaired: "
        + KNOWN_DEFECTS["co2_hunan_2017"]
        + f"; total = that row ({h_tot:.3f} Mt), manufacturing = {manu_bad:.3f} - {h_tot:.3f}"
    }
    s_fix = src_of(sl, tot_rows.source)
    LOG(
        "Check 5a: known defect repaired: Hunan 2017 total missing; "
        f"manufacturing group {manu_bad:.2f} Mt includes the sheet's 'Total Emissions' row ({h_tot:.2f} Mt) "
        f"-> total {h_tot:.2f}, manufacturing {manu_fix:.2f} "
        f"(Hunan manufacturing 2016 {val.at[('Hunan', 2016), 'co2_sector_manufacturing']:.2f}, 2018 "
        f"{val.at[('Hunan', 2018), 'co2_sector_manufacturing']:.2f})"
    )
    # --- consistency: groups add to total; sector file adds to total for the belt
    gs = val[gvars].sum(axis=1)
    dev = ((gs - val.co2_scope1_total).abs() / val.co2_scope1_total).max()
    LOG(
        f"Check 5b: the 11 sector groups add up to the scope-1 total within {dev:.1e} (relative) for all 30 provinces "
        "2010-2019 (after the repair)"
    )
    if dev > 1e-6:
        die(f"{label}: sector groups do not add up to the total")
    sxx = sx[~sx.index.isin(tot_rows.index) & sx.year.isin(YEARS_CO2)].groupby(["region", "year"]).value.sum()
    d2 = max(
        abs(sxx[(r, y)] - val.at[(r, y), "co2_scope1_total"]) / val.at[(r, y), "co2_scope1_total"]
        for r in BELT
        for y in YEARS_CO2
    )
    LOG(f"Check 5c: {sl} (47 sectors + households) adds up to the total within {d2:.1e} for the belt 2010-2019")
    if d2 > 1e-6:
        die(f"{sl}: sector file does not add up to the total")

    others19 = [p for p in provs if p not in BELT]
    groups = [(r, [r]) for r in BELT] + [(YREB, BELT), (REST, others19), (CHINA, provs)]
    s_cy = {(r, y): src_of(label, src.loc[[(x, y) for x in m]].stack()) for r, m in groups for y in YEARS_CO2}
    for region, mem in groups:
        aggr = len(mem) > 1
        who = {
            YREB: "sum over the 11 belt provinces",
            REST: "sum over the 19 non-belt provinces in CEADs (Tibet is missing in CEADs)",
            CHINA: "sum over the 30 provinces in CEADs (no Tibet); NOT the national inventory",
        }.get(region, "")
        for y in YEARS_CO2:
            fixed = any((m, y) in fix_note for m in mem)
            fsrc = s_cy[(region, y)] + (" + " + s_fix if fixed else "")
            fnote = "".join(fix_note.get((m, y), "") for m in mem)
            tot = sum(val.at[(m, y), "co2_scope1_total"] for m in mem)
            T.add(
                region,
                "",
                y,
                "co2_scope1_Mt",
                tot,
                "Mt CO2",
                fsrc,
                ("CEADs scope-1 total (fossil fuels by sector + cement process)" if not aggr else f"derived: {who}")
                + fnote,
            )
            for sec, grp in CO2_GROUPS.items():
                v = sum(val.at[(m, y), f"co2_sector_{g}"] for m in mem for g in grp)
                T.add(
                    region,
                    sec,
                    y,
                    "co2_scope1_Mt",
                    v,
                    "Mt CO2",
                    fsrc,
                    f"derived: sum of CEADs groups {' + '.join(grp)}" + (f"; {who}" if aggr else "") + fnote,
                )
            # intensity per 10,000 yuan of 2015-price VA
            for sec in SECTORS:
                vv = sum(va["real"][(m, sec)][y] for m in mem)
                em = sum(val.at[(m, y), f"co2_sector_{g}"] for m in mem for g in CO2_GROUPS[sec])
                T.add(
                    region,
                    sec,
                    y,
                    "co2_intensity_t_per_10k_yuan_2015prices",
                    100.0 * em / vv,
                    "t CO2 per 10,000 yuan of VA at 2015 prices",
                    fsrc + " + " + va["s_lvl"][sec] + " + " + va["s_idx"][sec],
                    "derived: 100 x sector CO2 (Mt) / va_const2015_100m_yuan (Mt/1e8 yuan = 100 t/1e4 yuan)"
                    + (f"; both summed over the same provinces ({who.split(';')[0]})" if aggr else "")
                    + fnote,
                )
            gg = sum(va["real"][(m, "")][y] for m in mem)
            prod = sum(val.at[(m, y), f"co2_sector_{g}"] for m in mem for s in SECTORS for g in CO2_GROUPS[s])
            T.add(
                region,
                "",
                y,
                "co2_intensity_t_per_10k_yuan_2015prices",
                100.0 * tot / gg,
                "t CO2 per 10,000 yuan of GDP at 2015 prices",
                fsrc + " + " + va["s_lvl"][""] + " + " + va["s_idx"][""],
                "derived: 100 x total scope-1 CO2 incl. households / gdp_const2015_100m_yuan"
                + (f"; both over the same provinces ({who.split(';')[0]})" if aggr else "")
                + fnote,
            )
            T.add(
                region,
                "",
                y,
                "co2_production_intensity_t_per_10k_yuan_2015prices",
                100.0 * prod / gg,
                "t CO2 per 10,000 yuan of GDP at 2015 prices",
                fsrc + " + " + va["s_lvl"][""] + " + " + va["s_idx"][""],
                "derived: 100 x (total - households) CO2 / gdp_const2015_100m_yuan"
                + (f"; both over the same provinces ({who.split(';')[0]})" if aggr else "")
                + fnote,
            )
    s_n = src_of(label, nsrc.co2_scope1_total)
    for y in YEARS_CO2:
        T.add(
            CHINA,
            "",
            y,
            "co2_scope1_national_inventory_Mt",
            nat.at[(CHINA, y), "co2_scope1_total"],
            "Mt CO2",
            s_n,
            "CEADs national inventory (IPCC sectoral); not the sum of the provinces",
        )
        b = sum(val.at[(m, y), "co2_scope1_total"] for m in BELT)
        p30 = sum(val.at[(m, y), "co2_scope1_total"] for m in provs)
        T.add(
            YREB,
            "",
            y,
            "co2_share_of_30prov_sum",
            b / p30,
            "share (0-1)",
            s_cy[(CHINA, y)],
            "derived: belt scope-1 CO2 / 30-province sum" + "".join(fix_note.get((m, y), "") for m in BELT),
        )
        T.add(
            YREB,
            "",
            y,
            "co2_share_of_national_inventory",
            b / nat.at[(CHINA, y), "co2_scope1_total"],
            "share (0-1)",
            s_cy[(CHINA, y)] + " + " + s_n,
            "derived: belt scope-1 CO2 / CEADs national inventory (a different, lower total)"
            + "".join(fix_note.get((m, y), "") for m in BELT),
        )
    b15 = sum(val.at[(m, BASE), "co2_scope1_total"] for m in BELT)
    p15 = sum(val.at[(m, BASE), "co2_scope1_total"] for m in provs)
    n15 = nat.at[(CHINA, BASE), "co2_scope1_total"]
    LOG(
        f"Check 5d: 2015 CO2: belt {b15:.1f} Mt, 30-province sum {p15:.1f} Mt, national inventory {n15:.1f} Mt "
        f"(30-province sum / national = {p15 / n15:.3f}); belt share of the 30-province sum {b15 / p15:.2%}, "
        f"of the national inventory {b15 / n15:.2%}"
    )
    LOG(
        "Check 5e: 2015 CO2 intensity, t CO2 per 10,000 yuan (2015 prices): "
        "primary / secondary / tertiary / GDP (incl. households)"
    )
    for region, mem in groups:
        parts = []
        for sec in SECTORS:
            vv = sum(va["real"][(m, sec)][BASE] for m in mem)
            em = sum(val.at[(m, BASE), f"co2_sector_{g}"] for m in mem for g in CO2_GROUPS[sec])
            parts.append(f"{100 * em / vv:6.3f}")
        tot = sum(val.at[(m, BASE), "co2_scope1_total"] for m in mem)
        gg = sum(va["real"][(m, "")][BASE] for m in mem)
        LOG(f"  {region:11s} " + " ".join(parts) + f" {100 * tot / gg:6.3f}")


# ----------------------------------------------------------------------------- 6. macro
def build_macro(ref: dict, T: Table, va: dict) -> None:
    """Expenditure shares, national population growth, the 2015 skill premium and urban-unit employment
    (checks 6a-6c)."""
    LOG.section("macro_2015.csv")
    all31, other20 = va["all31"], va["other20"]
    x = ref["expenditure"]
    xl = "more/expenditure_gdp_provinces.csv"
    comps = [
        "gdp_expenditure_approach",
        "final_consumption",
        "gross_capital_formation",
        "net_outflow_goods_services",
        "household_consumption",
        "government_consumption",
        "gfcf_current",
    ]
    yrs = [y for y in YEARS_VA if y in YEARS_EXP]
    xv, xs = grid(x, xl, comps, all31, yrs)
    s_x = src_of(xl, x.source)
    groups = [(r, [r]) for r in BELT] + [(YREB, BELT), (REST, other20), (CHINA, all31)]
    who = {
        YREB: "sum over the 11 belt provinces",
        REST: "sum over the 20 provinces other than the belt",
        CHINA: "sum over the 31 provinces",
    }

    def exp_den(members, y):
        """Sum of the members' expenditure-approach GDP; Anhui 2013 = sum of its components (known defect)."""
        den = 0.0
        for m in members:
            if (m, y) == ("Anhui", 2013):
                den += (
                    xv.at[(m, y), "final_consumption"]
                    + xv.at[(m, y), "gross_capital_formation"]
                    + xv.at[(m, y), "net_outflow_goods_services"]
                )
            else:
                den += xv.at[(m, y), "gdp_expenditure_approach"]
        return den

    for region, mem in groups:
        for y in yrs:
            den = exp_den(mem, y)
            dnote = (
                "; Anhui 2013 denominator = sum of components (" + KNOWN_DEFECTS["exp_anhui_2013"] + ")"
                if "Anhui" in mem and y == 2013
                else ""
            )
            for var, col in [
                ("net_outflow_share_of_gdp", "net_outflow_goods_services"),
                ("household_consumption_share_of_gdp", "household_consumption"),
                ("government_consumption_share_of_gdp", "government_consumption"),
                ("gfcf_share_of_gdp", "gfcf_current"),
            ]:
                num = sum(xv.at[(m, y), col] for m in mem)
                T.add(
                    region,
                    "",
                    y,
                    var,
                    num / den,
                    "share (0-1) of expenditure-approach GDP, current prices",
                    s_x,
                    f"derived: {col} / gdp_expenditure_approach (NBS dump, pre-2018-census vintage, ends 2017)"
                    + (f"; {who[region]} of both" if region in who else "")
                    + dnote
                    + (
                        "; net outflow = exports abroad + outflow to other provinces - imports - inflow; "
                        "it nets to about zero only nationally"
                        if col == "net_outflow_goods_services"
                        else ""
                    ),
                )
    LOG("Check 6a: expenditure shares 2015 (of expenditure-approach GDP): net outflow, household consumption, GFCF")
    for region, mem in groups:
        den = sum(xv.at[(m, 2015), "gdp_expenditure_approach"] for m in mem)
        LOG(
            f"  {region:11s} "
            + "  ".join(
                f"{sum(xv.at[(m, 2015), c] for m in mem) / den:+.3f}"
                for c in ["net_outflow_goods_services", "household_consumption", "gfcf_current"]
            )
        )
    LOG(
        "  31-province sum of net outflow / GDP: "
        + "  ".join(
            f"{y}: {sum(xv.at[(m, y), 'net_outflow_goods_services'] for m in all31) / exp_den(all31, y):+.3f}"
            for y in yrs
        )
        + " (nationally this should be net exports abroad; the provincial accounts do not add up)"
    )
    jx = xv.loc[("Jiangxi", 2014)]
    jx13 = xv.loc[("Jiangxi", 2013)]
    LOG(
        f"  note: Jiangxi 2014 government consumption ({jx.government_consumption:.2f}) equals its 2013 value "
        f"({jx13.government_consumption:.2f}), a likely database repeat; kept as published"
    )

    # national population growth
    nat = ref["national"]
    nl = "national.csv"
    p31 = nat[(nat.region == "Sum of 31 provinces") & (nat.variable == "population_resident_yearend")].set_index("year")
    pn = nat[(nat.region == CHINA) & (nat.variable == "population_yearend")].set_index("year")
    for y in range(2014, 2020):
        if y not in p31.index:
            die(f"{nl}: 31-province population {y} missing")
    for y in range(2015, 2020):
        if y not in pn.index:
            die(f"{nl}: national population {y} missing")
    s31 = src_of(nl, p31.source)
    sn = src_of(nl, pn.source)
    LOG("Check 6b: national population growth (year-end)")
    for y in range(2014, 2020):
        T.add(
            CHINA,
            "",
            y,
            "population_resident_yearend_31prov_10k",
            p31.at[y, "value"],
            "10,000 persons",
            s31,
            "sum of the 31 provinces' resident population (revised after the 2020 census), as in national.csv",
        )
        if y > 2014:
            g = p31.at[y, "value"] / p31.at[y - 1, "value"] - 1
            T.add(
                CHINA,
                "",
                y,
                "population_growth_rate_31prov",
                g,
                "per year",
                s31,
                "derived: P_t / P_(t-1) - 1 of the 31-province resident population",
            )
    for y in range(2015, 2020):
        T.add(
            CHINA,
            "",
            y,
            "population_yearend_national_10k",
            pn.at[y, "value"],
            "10,000 persons",
            sn,
            "NBS national year-end population (includes active military)",
        )
        if y > 2015:
            T.add(
                CHINA,
                "",
                y,
                "population_growth_rate_national",
                pn.at[y, "value"] / pn.at[y - 1, "value"] - 1,
                "per year",
                sn,
                "derived: P_t / P_(t-1) - 1 of the national year-end population",
            )
    g31 = (p31.at[2019, "value"] / p31.at[2014, "value"]) ** (1 / 5) - 1
    gn = (pn.at[2019, "value"] / pn.at[2015, "value"]) ** (1 / 4) - 1
    T.add(
        CHINA,
        "",
        2019,
        "population_growth_rate_31prov_mean_2014_2019",
        g31,
        "per year",
        s31,
        "derived: (P_2019 / P_2014)^(1/5) - 1, 31-province resident population",
    )
    T.add(
        CHINA,
        "",
        2019,
        "population_growth_rate_national_mean_2015_2019",
        gn,
        "per year",
        sn,
        "derived: (P_2019 / P_2015)^(1/4) - 1, national year-end population",
    )
    T.add(
        CHINA,
        "",
        2019,
        "natural_growth_rate_assumption",
        g31,
        "per year",
        s31,
        "derived: ASSUMPTION = mean 2014-2019 growth of the 31-province resident population; nationally, population "
        "change is natural change (net international migration is negligible); one rate for all regions unless "
        "provincial rates are added",
    )
    LOG(
        "  31-province: "
        + "  ".join(f"{y}: {p31.at[y, 'value'] / p31.at[y - 1, 'value'] - 1:.4%}" for y in range(2015, 2020))
        + f"  mean 2014-19 {g31:.4%}"
    )
    LOG(
        "  national:    "
        + "  ".join(f"{y}: {pn.at[y, 'value'] / pn.at[y - 1, 'value'] - 1:.4%}" for y in range(2016, 2020))
        + f"  mean 2015-19 {gn:.4%}"
    )

    # wages and employment (urban units), 2015
    e = ref["employment"]
    el = "more/employment_wages_provinces.csv"
    wsci, esci = "avg_wage_urban_units_科学研究、技术服务和地质勘查业", "urban_unit_employment_科学研究和技术服务业"
    evars = [
        "avg_wage_urban_units",
        wsci,
        esci,
        "urban_unit_employment_total",
        "urban_unit_employment_primary_derived",
        "urban_unit_employment_secondary_derived",
        "urban_unit_employment_tertiary_derived",
    ]
    ev, es = grid(e, el, evars, all31, [BASE])
    s_w = src_of(el, es[["avg_wage_urban_units", wsci]].stack())
    s_we = src_of(el, es.stack())
    s_e = src_of(el, es[[c for c in evars if "employment" in c]].stack())
    LOG(
        "Check 6c: 2015 urban-unit wage of 科学研究、技术服务和地质勘查业 relative to the all-industry average, and "
        "urban-unit employment shares (primary / secondary / tertiary)"
    )
    for region, mem in groups:
        if region in BELT:
            ratio = ev.at[(region, BASE), wsci] / ev.at[(region, BASE), "avg_wage_urban_units"]
            T.add(
                region,
                "",
                BASE,
                "skill_premium_rd_wage_ratio",
                ratio,
                "ratio",
                s_w,
                f"derived: {wsci} / avg_wage_urban_units (urban non-private units only)",
            )
        else:
            num = sum(ev.at[(m, BASE), wsci] * ev.at[(m, BASE), esci] for m in mem) / sum(
                ev.at[(m, BASE), esci] for m in mem
            )
            den = sum(
                ev.at[(m, BASE), "avg_wage_urban_units"] * ev.at[(m, BASE), "urban_unit_employment_total"] for m in mem
            ) / sum(ev.at[(m, BASE), "urban_unit_employment_total"] for m in mem)
            ratio = num / den
            T.add(
                region,
                "",
                BASE,
                "skill_premium_rd_wage_ratio",
                ratio,
                "ratio",
                s_we,
                f"derived: employment-weighted mean wage of the R&D/technical-services industry over the "
                f"employment-weighted all-industry mean, {who[region]} (year-end employment as weights; "
                "urban non-private units only)",
            )
        tot = sum(ev.at[(m, BASE), "urban_unit_employment_total"] for m in mem)
        s3 = sum(ev.at[(m, BASE), f"urban_unit_employment_{s}_derived"] for m in mem for s in SECTORS)
        if abs(s3 / tot - 1) > 1e-4:
            die(f"{el}: three-sector employment does not add up to the total for {region} 2015")
        shares = []
        for s in SECTORS:
            v = sum(ev.at[(m, BASE), f"urban_unit_employment_{s}_derived"] for m in mem) / tot
            shares.append(v)
            T.add(
                region,
                s,
                BASE,
                "urban_unit_employment_share",
                v,
                "share (0-1)",
                s_e,
                f"derived: urban_unit_employment_{s}_derived / urban_unit_employment_total"
                + (f", {who[region]} of both" if region in who else "")
                + "; URBAN NON-PRIVATE UNITS ONLY (no private firms, self-employed or farm workers): "
                "not total employment by sector",
            )
        T.add(
            region,
            "",
            BASE,
            "urban_unit_employment_10k",
            tot,
            "10,000 persons, year-end",
            s_e,
            "urban_unit_employment_total" + (f"; derived: {who[region]}" if region in who else ""),
        )
        LOG(f"  {region:11s} wage ratio {ratio:5.3f}   employment shares " + " / ".join(f"{v:.3f}" for v in shares))


# ----------------------------------------------------------------------------- README
README_HEAD = """# Model-2 economy tables (built by build_economy_data.py)

Rebuild (deterministic; same bytes on every run):

    {command}

(The third argument is optional: a region table whose capital stocks are compared with the GFCF-based ones
in check 2d, e.g. model 1's FAI-based regions_2015.csv from git history. Python: pandas and numpy.) The
package tables in simulation/yreb/data/ are selected from these tables by tools/build_default_data.py;
see simulation/yreb/data/README.md.

All tables are long: `region, sector, year, variable, value, unit, source, note` (`migration.csv` adds
`origin, destination`). Values are written with 8 significant digits; rows are sorted by region
(belt order, then Belt, RestOfChina, China), variable, sector and year. `source` is
`reference file[repository@commit:path + ...]` (the files under the shared data folder and their
public origins); `note` says what was done, `derived: ...` for every computation. Nothing was typed
in by hand. The script stops with a message when an expected row is missing, duplicated or
inconsistent; the two known defects of the reference files (below) are handled explicitly and the
script stops if they disappear.

Regions: the 11 belt provinces (English names as in provinces.csv), `Belt` (sum of the 11, only where
useful), `RestOfChina` (the other 20 mainland provinces; 19 where Tibet is missing) and `China`
(31-province sum unless a row says national accounts/inventory). Sectors: primary (agriculture),
secondary (mining, manufacturing, utilities, construction), tertiary (the rest); `households` in
co2.csv; `total` in the IO table; empty where the variable has no sector. Money in 100m yuan.

Row counts: {counts}

Known defects of the reference data handled by the script:
- {defect_co2}
- {defect_exp}
"""

README_SECTIONS = {
    "sector_value_added.csv": """## sector_value_added.csv

What: value added (VA) by province and sector, 2010-2019: current prices (`va_current_100m_yuan`,
`gdp_current_100m_yuan`, NBS provincial dump in gdp_index_provinces.csv), sector shares, chained real
indices with 2015 = 100 (`va_index_2015eq100`, `gdp_index_2015eq100`) and levels at constant 2015 prices
(`va_const2015_100m_yuan`, `gdp_const2015_100m_yuan`); `va_current_reconciled_100m_yuan` for 2015; for
China also the NBS national GDP (`gdp_current_national_accounts_100m_yuan`, 2014-2019) for reference.

How:
- Chained index: I_2015 = 100; I_t = I_(t-1) x idx_t / 100 after 2015; I_(t-1) = I_t / (idx_t / 100)
  before, with idx_t the NBS previous-year = 100 index of the sector (or GDP).
- Reconciliation: the project's base-year GDP is provinces.csv `gdp_current` 2015. The 2015 VA of a
  sector is its share of the dump's three-sector sum times that GDP, so the sectors add up to the base-year
  GDP exactly. (In these data the dump's GDP is *identical* to provinces.csv for 2014-2019, check 1b, so
  this only removes the +-0.1 rounding gaps of check 1a.) Constant-price VA = reconciled 2015 VA x index / 100;
  constant-price GDP = provinces.csv 2015 GDP x GDP index / 100. For the 20 other provinces the dump's 2015
  GDP is the base (same vintage: the 31-province dump sum equals national.csv's 31-province sum, check 1c).
- RestOfChina / China: sums of the members' current and 2015-price VA; the index is implied
  (sum of 2015-price VA / its 2015 level x 100). China = the 31-province sum, which differs from NBS national
  GDP (-0.6% to +0.7%, check 1c; national GDP is also given for reference).
- Chained real VA is not additive: the three sectors' 2015-price VA do not add up to 2015-price GDP outside
  2015 (check 1d). The model should target sector series and GDP separately or use the sectors' sum.

Caveats: vintages. The dump's levels for 2013-2018 are the 2018-census revision; the data README says 2019
is the pre-2020-census release and that provinces.csv has the later vintage, but the two files agree to the
digit for every belt province 2014-2019 (check 1b, Jiangsu 2019), so provinces.csv has the same vintage
as the dump, not a later one. The 2015 first release (gdp_current_first_release) differs from the revised
GDP by -1.3% (Hunan) to +9.9% (Yunnan); the expenditure-approach tables (and GFCF) equal the first release
for 10 of the 11 belt provinces in 2015 (Hubei is the exception, check 1b).
""",
    "capital_stock.csv": """## capital_stock.csv

What: by province, RestOfChina (20) and China (31), 2000-2019: capital stock at 2015 prices
(`capital_stock_const2015_100m_yuan`), GFCF at current and 2015 prices, the investment deflator
(2015 = 1), the investment rate `gfcf_share_of_gdp_expenditure` (2000-2017) and, for 2010-2019,
`gfcf_share_of_gdp_production` and `capital_output_ratio_const2015`.

How:
- K at 2015 prices = capital_stock_1952prices_derived x investment_price_index_1952_1 of the same province
  in 2015 (Zhang Jun PIM as re-run in the reference data: K1952 = GFCF1952 / 0.1, delta = 9.6%,
  K_t = 0.904 K_(t-1) + GFCF_t / P_t; the script checks this recursion, check 2a).
- Real GFCF = GFCF_t / P_t x P_2015. The aggregates sum provinces, each rebased with its own deflator;
  their deflator is implied (current / 2015-price GFCF).
- Investment rate: GFCF / expenditure-approach GDP of the same (pre-2018-census, first-release) vintage.
  The 2010-2019 `gfcf_share_of_gdp_production` divides by the dump's production GDP (revised vintage):
  mixed vintages, given only because it reaches 2019. For Tianjin, Inner Mongolia, Jilin, Liaoning etc. the two
  vintages differ by 30-55%, so RestOfChina and China rates differ a lot between the two definitions.
- K/Y = K at 2015 prices / GDP at 2015 prices (sector_value_added.csv).

Caveats: GFCF 2018-2019 (`gfcf_current_extrapolated`) is NOT OFFICIAL (the package author grew 2017 GFCF
with FAI growth); those rows and the capital stocks of 2018-2019 start their note with "NOT OFFICIAL".
The stock is an estimate by construction (initial 1952 stock, one depreciation rate); Chongqing's series
starts in 1995 from an assumed initial stock. GFCF is the first-release vintage, while the base-year GDP is
revised; K/Y with first-release GDP is printed as well. Tibet has no FAI price index; its deflator chains
retail prices (data README). Model 1's capital stocks came from FAI with a steady-state formula and are not
comparable (check 2d).
""",
    "trade_margins_2007.csv": """## trade_margins_2007.csv

What: the 2007 provincial input-output tables (30 provinces, no Tibet, 42 sectors, 1e4 yuan in the file,
converted here to 100m yuan by /1e4) aggregated to primary (code 1), secondary (2-26: mining 2-5,
manufacturing 6-22 incl. scrap and waste, utilities 23-25, construction 26) and tertiary (27-42), plus `total`;
the mapping is checked against the Chinese sector names. Levels (`*_100m_yuan`), the identity residual,
domestic absorption and six shares per province and sector (and for Belt, RestOfChina, China);
`foreign_trade_reported_separately` per province.

How (X total output, Z intermediate use, F final_use_total, E exports abroad, M imports from abroad,
OUT outflow to other provinces 调出, IN inflow from other provinces 调入):
- The identity is X = Z + F - M - IN (+ other): `final_use_total` is 最终使用合计, which already contains
  E and OUT (check 3a). The residual is the tables' '其他' column (not in the reference CSV).
- Domestic absorption U = Z + F - E - OUT (intermediate plus domestic final use, from all origins).
- `inflow_share_of_absorption` = IN / U; `inflow_share_of_domestic_origin_use` = IN / (U - M) (the share
  bought from other provinces among domestically produced goods: the target for a gravity model without
  a foreign region); `outflow_share_of_output` = OUT / X; `outflow_share_of_domestic_sales` = OUT / (X - E);
  `*_incl_foreign_*` = (IN + M) / U and (OUT + E) / X, comparable across all provinces.
- RestOfChina = sum of the 19 non-belt provinces with a table; its inflows and outflows include trade among
  its own provinces, which is internal to the aggregate, so its shares are NOT targets. China = 30-province sum.

Caveats: 2007 structure; using it for 2015 is an assumption. Outflow and inflow are totals to/from all other
provinces, not bilateral. Eleven tables (belt: Jiangxi, Hubei, Hunan, Sichuan, Guizhou) report zero exports and
imports abroad in every sector; their outflow/inflow almost certainly include foreign trade (the identity still
balances), so their interprovincial shares are upper bounds (check 3b); compare provinces with the
`*_incl_foreign_*` shares or treat foreign trade as a share of total trade from the separating provinces
(an assumption). Construction (code 26) is recorded very differently across tables (Chongqing ships 92% of its
construction output to other provinces, Anhui's construction inflow equals its output, most others report 0,
check 3e). Chongqing, Sichuan and Jiangsu have non-zero '其他' residuals by sector (Chongqing -1.5% of output
in total). Heilongjiang's flows were adjusted later by the repository author; the stored tables are unbalanced
(its residual is 14% of output). Shandong's sheet has the 调出 and 出口 headers in the other order; as read,
Shandong imports more from abroad than it exports (check 3f), which contradicts its large 2007 trade surplus
(outside knowledge, not in the reference data and not verified here); the magnitudes fit better if 出口/调出
and 进口/调入 are swapped, so the columns may be mislabelled in the source. Shandong is in RestOfChina and
affects only the RestOfChina and China rows. The `Belt` rows sum the 11 provinces: their outflows and inflows
include trade between belt provinces, so a Belt share is the provinces' trade-weighted mean share.
""",
    "migration.csv": """## migration.csv

What: (a) `od_share_of_total` (2010): the 2010-census origin x destination matrix aggregated to the 12 model
regions, flows among the 20 RestOfChina provinces dropped as internal, each flow over the total of the
remaining flows (`region` = destination, plus `origin`, `destination` columns); `od_net_inflow_share_of_total`
per region. (b) five-year in-, out- and net migrants (million persons) for 2010-2015 (`year` 2015) and
2005-2010 (`year` 2010) for the belt provinces, the belt total (Belt), RestOfChina's net and the
31-province in/out totals (China); `od_cross_region_share_of_total` (China, 2010): the share of the 31 x 31
matrix that is not between two RestOfChina provinces.

How: net = in - out. Belt in and out include moves between belt provinces (they cancel in the net).
RestOfChina net = minus the belt net: the source's 31-province in- and out-totals are equal (check 4c), so this
is exact; it never uses the six western labels flagged SUSPECT (swapped values), which all lie inside
RestOfChina (the direct sum of the 20 rows gives the same figure, because the swap stays inside the aggregate).

Caveats: the matrix is a student visualisation's hand-typed census table of unknown definition (hukou province,
birthplace or residence five years earlier; the levels look like 10% sample counts of lifetime migrants):
use shares only. The 2010-2015 totals come from the 2015 1% sample survey (Gu & Xu 2022). The matrix is a stock
(probably lifetime) and the totals are 5-year flows, so the matrix-based net shares and the flow-based nets
need not agree; check 4c lists both signs.
""",
    "co2.csv": """## co2.csv

What: CEADs scope-1 CO2 (Mt; fossil-fuel combustion by sector plus cement process) 2010-2019: total (sector
empty) and primary (agriculture), secondary (mining_logging, manufacturing, power_heat, gas_water_supply,
construction), tertiary (transport_storage_post, wholesale_retail_catering, other_services) and households
(urban + rural), for the belt provinces, Belt, RestOfChina (sum of the 19 non-belt provinces in CEADs) and China
(`co2_scope1_Mt` = 30-province sum; `co2_scope1_national_inventory_Mt` = the CEADs national inventory, a
different and lower total). The belt's share of both (`co2_share_of_30prov_sum`, `co2_share_of_national_inventory`).
Intensities (t CO2 per 10,000 yuan of 2015-price VA; 100 x Mt / 100m yuan): by sector, for GDP including
households, and for GDP excluding households (`co2_production_intensity_...`), 2010-2019; aggregates divide sums over
the same provinces (RestOfChina without Tibet, China over 30).

Caveats: Tibet is missing in CEADs (RestOfChina is 19 provinces, China 30). Hunan 2017 is repaired (see the
known defects above, check 5a). The national inventory is not the sum of the provinces (the sum is about 6%
higher in 2015). Scope-2 (electricity imports) is not included: a province importing electricity has low scope-1
power emissions.
""",
    "macro_2015.csv": """## macro_2015.csv

What: (1) expenditure-approach shares of GDP 2010-2017 (the tables end in 2017): net outflow of goods and
services, household consumption, government consumption, GFCF, for the belt provinces, Belt, RestOfChina and China (sums
of numerators and of denominators); (2) national population growth: the 31-province resident population
2014-2019 and the national year-end population 2015-2019 with annual and mean growth rates, and
`natural_growth_rate_assumption`; (3) 2015 `skill_premium_rd_wage_ratio`: urban-unit average wage of
科学研究、技术服务和地质勘查业 over the all-industry average (aggregates: employment-weighted industry wage over the
employment-weighted all-industry wage; the employment column is 科学研究和技术服务业, the newer name of the
same industry); (4) 2015 urban-unit employment and its shares by the three derived sectors.

How: shares use the expenditure-approach GDP of the same vintage as the numerators (first-release,
pre-2018-census); Anhui 2013 uses the sum of components (known defect). Natural growth assumption = mean annual
growth 2014-2019 of the 31-province resident population (nationally, population change is natural change).

Caveats: the expenditure tables are the first-release vintage, so their GDP differs from the revised production
GDP (Tianjin, Inner Mongolia, Jilin, Liaoning by 30-55% before the revision; in the belt Yunnan, Anhui and
Shanghai by 7-9% in 2015): apply the shares to the model's GDP rather than the levels. Net outflow includes
both foreign and interprovincial trade; the provinces' net outflows do not add up nationally (the 31-province
sum is negative, check 6a, while China ran a trade surplus), so treat them as region-specific transfers and
expect RestOfChina's share not to close the national balance.
Jiangxi 2014 repeats some 2013 components (likely a database repeat). Employment and wages cover URBAN
NON-PRIVATE UNITS ONLY (no private firms, self-employed or farm workers), so the sector shares are not total
employment shares (primary is at most a few per cent, check 6c), and the wage ratio is a premium within urban
units. Yunnan's 2015 net outflow is -58% of GDP and its GFCF 89% (Guizhou -24% and 66%): published values,
but far outside the other provinces.
""",
}


README_TAIL = """## Data problems found while building these tables (summary)

1. provinces.csv and the NBS dump (gdp_index_provinces.csv) hold the same GDP series for 2014-2019 (check 1b);
   the data README's statement that provinces.csv is a later vintage than the dump's 2019 does not hold.
2. Expenditure-approach tables and GFCF are the first-release (pre-2018-census) vintage; the base-year GDP is
   revised. Shares are taken within one vintage; K/Y mixes vintages (check 2d prints both).
3. Anhui 2013 expenditure-approach GDP repeats 2012 (handled); Jiangxi 2014 repeats some 2013 components (kept).
4. 2007 IO: eleven provincial tables (five in the belt) carry no foreign trade, so their outflow/inflow very
   likely include exports/imports abroad; construction flows are recorded inconsistently; several tables have
   an unreported 'other' residual (Heilongjiang 14% of output, Chongqing 1.5%); Shandong's foreign and
   interprovincial columns may be swapped (checks 3a-3f).
5. CEADs: Hunan 2017 total missing and its manufacturing group inflated by a total row (repaired, check 5a);
   Tibet missing; the national inventory is about 6% below the 30-province sum.
6. Migration in/out totals: six western labels swapped (all inside RestOfChina; not used individually).
7. The provinces' expenditure-approach net outflows sum to about -5% of GDP nationally (check 6a).
8. Urban-unit employment only (no private or farm employment); model-1 capital stocks (FAI-based) are 15-100%
   above the GFCF-based ones for nine belt provinces and below them for Shanghai and Yunnan (check 2d).
"""


def write_readme(out_dir: Path, counts: dict, command: str) -> None:
    """README.md of the intermediate tables: the documentation above plus the checks `build` printed."""
    parts = [
        README_HEAD.format(
            command=command,
            counts=", ".join(f"{k} {v}" for k, v in counts.items()),
            defect_co2=KNOWN_DEFECTS["co2_hunan_2017"],
            defect_exp=KNOWN_DEFECTS["exp_anhui_2013"],
        )
    ]
    for name, text in README_SECTIONS.items():
        parts.append(text)
        parts.append("Checks printed by the script:\n\n```\n" + "\n".join(LOG.sections.get(name, [])) + "\n```\n")
    parts.append(README_TAIL)
    (out_dir / "README.md").write_text("\n".join(parts), encoding="utf-8")


# ----------------------------------------------------------------------------- build
REFERENCE_FILES = {
    "provinces": "provinces.csv",
    "national": "national.csv",
    "gdp_index": "more/gdp_index_provinces.csv",
    "capital": "more/capital_provinces.csv",
    "expenditure": "more/expenditure_gdp_provinces.csv",
    "io": "more/io2007_provincial_trade.csv",
    "od": "more/migration_od_census_2000_2010.csv",
    "inout": "more/migration_inout_totals.csv",
    "co2": "more/co2_provinces.csv",
    "co2_sectors": "more/co2_provinces_sectors_yreb.csv",
    "employment": "more/employment_wages_provinces.csv",
}


def build(shared: Path, regions_2015: pd.DataFrame | None = None) -> dict[str, Table]:
    """Read the reference data under `shared`, run every check and return the six long tables by file name.

    regions_2015 (optional) is a region table whose capital stocks are compared with the GFCF-based ones."""
    LOG.sections.clear()
    ref = {key: load(Path(shared) / rel) for key, rel in REFERENCE_FILES.items()}
    tables = {
        name: Table(name, MIG_COLUMNS if name == "migration.csv" else OUT_COLUMNS)
        for name in README_SECTIONS  # the six intermediate tables, in build order
    }
    va = build_sector_value_added(ref, tables["sector_value_added.csv"])
    build_capital(ref, tables["capital_stock.csv"], va, regions_2015)
    build_trade(ref, tables["trade_margins_2007.csv"])
    build_migration(ref, tables["migration.csv"])
    build_co2(ref, tables["co2.csv"], va)
    build_macro(ref, tables["macro_2015.csv"], va)
    return tables


def write_intermediate(tables: dict[str, Table], out: Path, command: str) -> dict[str, int]:
    """Write the six long tables and README.md (documentation plus every check printed by `build`)."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {name: t.write(out) for name, t in tables.items()}
    write_readme(out, counts, command)
    return counts


# ----------------------------------------------------------------------------- shipped package tables
# What the model uses, selected from the long tables (values, sources and notes carried over).
SHIPPED_REGIONS = BELT + [REST, CHINA]
SHIPPED_SECTOR_ORDER = ["primary", "secondary", "tertiary", "households", "total"]
PERIOD = {2010: "2005-2010", 2015: "2010-2015"}
PERSONS_PER_MILLION = 1e6


def _rows(tables: dict[str, Table], name: str, variables, regions, years=None) -> pd.DataFrame:
    """Rows of one long table (values as floats) for the given variables, regions and years; stops if none."""
    df = tables[name].frame(formatted=False)
    df = df[df.variable.isin(list(variables)) & df.region.isin(list(regions))]
    if years is not None:
        df = df[df.year.isin(list(years))]
    if df.empty:
        die(f"{name}: no rows for {list(variables)}")
    return df.reset_index(drop=True)


def _one(tables: dict[str, Table], name: str, variable: str, region: str, year: int, sector: str = "") -> pd.Series:
    """Exactly one row of a long table; stops otherwise."""
    df = tables[name].frame(formatted=False)
    hit = df[(df.variable == variable) & (df.region == region) & (df.year == year) & (df.sector == sector)]
    if len(hit) != 1:
        die(f"{name}: expected one {variable} row for {region} {sector or '-'} {year}, found {len(hit)}")
    return hit.iloc[0]


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sort by `keys` with regions in model order and sectors in SHIPPED_SECTOR_ORDER; others as strings."""
    region_rank = {r: i for i, r in enumerate(REGION_ORDER)}
    sector_rank = {s: i for i, s in enumerate(SHIPPED_SECTOR_ORDER)}
    ranked = {}
    for k in keys:
        if k in ("region", "origin", "destination"):
            ranked[k] = df[k].map(region_rank)
        elif k == "sector":
            ranked[k] = df[k].map(sector_rank)
        else:
            ranked[k] = df[k]
        if ranked[k].isna().any():
            die(f"unknown {k} label in a shipped table: {df.loc[ranked[k].isna(), k].iloc[0]!r}")
    order = pd.DataFrame(ranked).sort_values(keys, kind="mergesort").index
    return df.loc[order].reset_index(drop=True)


def observed_sectors(tables: dict[str, Table]) -> pd.DataFrame:
    """observed_sectors.csv: VA by sector and GDP (sector `total`), current and 2015 prices, 2010-2019."""
    name = "sector_value_added.csv"
    df = _rows(
        tables,
        name,
        ["va_const2015_100m_yuan", "va_current_100m_yuan", "gdp_const2015_100m_yuan", "gdp_current_100m_yuan"],
        SHIPPED_REGIONS,
        YEARS_VA,
    )
    gdp = df.variable.str.startswith("gdp_")
    df.loc[gdp, "note"] = "total = GDP (production approach); " + df.loc[gdp, "note"]
    const = df.variable.str.contains("const2015")
    df.loc[const, "note"] += (
        "; chained real values are not additive: outside 2015 the sectors' sum differs from the total"
    )
    df.loc[gdp, "sector"] = "total"
    df.loc[gdp, "variable"] = df.loc[gdp, "variable"].str.replace("gdp_", "va_", regex=False)
    china = df.region == CHINA
    df.loc[china, "note"] += "; China = sum of the 31 provinces, not the NBS national accounts"
    return _sorted(df[OUT_COLUMNS], ["region", "variable", "sector", "year"])


def observed_capital(tables: dict[str, Table]) -> pd.DataFrame:
    """observed_capital.csv: capital stock and real GFCF at 2015 prices, GFCF share of GDP, 2010-2019."""
    df = _rows(
        tables,
        "capital_stock.csv",
        ["capital_stock_const2015_100m_yuan", "gfcf_const2015_100m_yuan", "gfcf_share_of_gdp_expenditure"],
        SHIPPED_REGIONS,
        YEARS_VA,
    )
    late = df.year >= YEARS_GFCF_EXTRAP[0]
    if not df.loc[late, "note"].str.startswith("NOT OFFICIAL").all():
        die("observed_capital: a 2018-2019 row lost its NOT OFFICIAL flag")
    columns = [c for c in OUT_COLUMNS if c != "sector"]
    return _sorted(df[columns], ["region", "variable", "year"])


def observed_co2(tables: dict[str, Table]) -> pd.DataFrame:
    """observed_co2.csv: CEADs scope-1 CO2 by sector (households separate) and in total, plus China's inventory."""
    df = _rows(tables, "co2.csv", ["co2_scope1_Mt", "co2_scope1_national_inventory_Mt"], SHIPPED_REGIONS, YEARS_CO2)
    df.loc[df.sector == "", "sector"] = "total"
    china = (df.region == CHINA) & (df.variable == "co2_scope1_Mt")
    df.loc[china, "note"] += "; China = sum of the 30 CEADs provinces (see co2_scope1_national_inventory_Mt)"
    return _sorted(df[OUT_COLUMNS], ["region", "variable", "sector", "year"])


def observed_migration(tables: dict[str, Table]) -> pd.DataFrame:
    """observed_migration.csv: five-year in/out/net migrants (persons), belt provinces, Belt, RestOfChina net."""
    df = _rows(
        tables,
        "migration.csv",
        ["migrants_5yr_in_million", "migrants_5yr_out_million", "migrants_5yr_net_million"],
        BELT + [YREB, REST],
        list(PERIOD),
    )
    if set(df[df.region == REST].variable) != {"migrants_5yr_net_million"}:
        die("observed_migration: RestOfChina should carry the net only")
    df["value"] = df["value"] * PERSONS_PER_MILLION
    df["variable"] = df["variable"].str.replace("_million", "_persons", regex=False)
    df["unit"] = "persons"
    df["note"] = df["note"] + "; converted from million persons (x 1e6)"
    df["period"] = df["year"].map(PERIOD)
    columns = ["region", "period", "variable", "value", "unit", "source", "note"]
    return _sorted(df[columns], ["region", "variable", "period"])


def migration_od(tables: dict[str, Table]) -> pd.DataFrame:
    """migration_od_2010.csv: 2010 census O-D shares among the 12 model regions (off-diagonal, sum 1)."""
    df = _rows(tables, "migration.csv", ["od_share_of_total"], BELT + [REST], [2010])
    if len(df) != 12 * 11 or (df.origin == df.destination).any():
        die("migration_od: expected the 132 off-diagonal flows among the 12 regions")
    total = df["value"].sum()
    if abs(total - 1.0) > 1e-9:
        die(f"migration_od: shares sum to {total!r}, not 1")
    df = df.rename(columns={"value": "share"})
    df["note"] = (
        "derived: 2010-census origin x destination matrix (destination = province of residence) aggregated to "
        "11 provinces + RestOfChina, flows among the 20 RestOfChina provinces dropped as internal, divided by the "
        "total of the remaining flows; table definition unknown (probably lifetime/birthplace migrants, "
        "10% sample counts): use shares only"
    )
    return _sorted(df[["origin", "destination", "share", "source", "note"]], ["origin", "destination"])


CALIBRATION_COLUMNS = ["target", "region", "sector", "value", "unit", "source", "note"]


def calibration_targets(tables: dict[str, Table]) -> pd.DataFrame:
    """calibration_targets.csv: trade shares (2007), migration totals and shares, skill premium, natural
    population growth and the belt's CO2 share, each with its source; `sector` is `total` where there is none."""
    rows = []

    def add(target, region, sector, value, unit, source, note):
        rows.append(
            {
                "target": target,
                "region": region,
                "sector": sector,
                "value": value,
                "unit": unit,
                "source": source,
                "note": note,
            }
        )

    io = "trade_margins_2007.csv"
    for target, variable, what in [
        (
            "trade_inflow_share",
            "inflow_share_of_domestic_origin_use",
            "inflow from other provinces / domestic-origin use",
        ),
        ("trade_outflow_share", "outflow_share_of_output", "outflow to other provinces / output"),
    ]:
        for region in BELT + [YREB]:
            for sec in SECTORS:
                r = _one(tables, io, variable, region, 2007, sec)
                add(target, region, sec, r.value, "share (0-1), 2007", r.source, f"{what} ({io} {variable}); {r.note}")
    mig = "migration.csv"
    r = _one(tables, mig, "migrants_5yr_in_million", CHINA, 2015)
    add(
        "interprovincial_migration_5yr_persons",
        CHINA,
        "total",
        r.value * PERSONS_PER_MILLION,
        "persons, 2010-2015",
        r.source,
        f"{r.note}; converted from million persons (x 1e6)",
    )
    r = _one(tables, mig, "od_cross_region_share_of_total", CHINA, 2010)
    add("cross_region_share_of_migrant_stock", CHINA, "total", r.value, "share (0-1), 2010", r.source, r.note)
    for region in (YREB, CHINA):
        r = _one(tables, "macro_2015.csv", "skill_premium_rd_wage_ratio", region, BASE)
        add("skill_premium", region, "total", r.value, "ratio, 2015", r.source, r.note)
    r = _one(tables, "macro_2015.csv", "natural_growth_rate_assumption", CHINA, 2019)
    alt = _one(tables, "macro_2015.csv", "population_growth_rate_national_mean_2015_2019", CHINA, 2019)
    add(
        "natural_population_growth_rate",
        CHINA,
        "total",
        r.value,
        "per year, mean 2014-2019",
        r.source,
        r.note + "; meant as the natural population change rate of every region (the NBS national year-end "
        f"population gives {alt.value:.4%} per year over 2015-2019, {alt.source})",
    )
    r = _one(tables, "co2.csv", "co2_share_of_30prov_sum", YREB, BASE)
    add("belt_co2_share", YREB, "total", r.value, "share (0-1), 2015", r.source, r.note + " (CEADs scope 1, 2015)")
    df = pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)
    return _sorted(df, ["target", "region", "sector"])


def shipped_tables(tables: dict[str, Table]) -> dict[str, pd.DataFrame]:
    """Every long-format package table, by file name (regions_2015.csv is assembled by build_default_data)."""
    return {
        "calibration_targets.csv": calibration_targets(tables),
        "migration_od_2010.csv": migration_od(tables),
        "observed_capital.csv": observed_capital(tables),
        "observed_co2.csv": observed_co2(tables),
        "observed_migration.csv": observed_migration(tables),
        "observed_sectors.csv": observed_sectors(tables),
    }


def write_shipped(df: pd.DataFrame, path: Path) -> int:
    """Write a shipped table: `value`/`share` with 8 significant digits, no empty cell, \\n line ends."""
    df = df.copy()
    for c in ("value", "share"):
        if c in df.columns:
            df[c] = df[c].map(fmt)
    if (df.astype(str).map(str.strip) == "").any().any() or df.isna().any().any():
        die(f"{path.name}: empty cell about to be written")
    df.to_csv(path, index=False, lineterminator="\n")
    return len(df)


# ----------------------------------------------------------------------------- region-table columns
SHARE_DECIMALS = 8


def region_columns(tables: dict[str, Table], gdp: dict[str, float]) -> tuple[pd.DataFrame, list[tuple[str, str, str]]]:
    """The model-2 columns of regions_2015.csv for the 11 provinces and RestOfChina, and their sources.

    gdp maps region -> the table's 2015 GDP (the VA shares are taken of it). Returns a frame indexed by region
    with capital_stock_100m_yuan (GFCF-based PIM, 2015 prices, 1 decimal), va_{primary,secondary,tertiary}_share
    (8 decimals; tertiary = 1 - the other two, so each row sums to 1 exactly), use_{primary,secondary,tertiary}_share
    (2007 domestic absorption by sector, same rounding), investment_rate and net_outflow_share (8 decimals) and
    net_migration_persons_per_year (whole persons; RestOfChina = minus the belt's sum), and (region, column,
    source) rows."""
    regions = BELT + [REST]
    if sorted(gdp) != sorted(regions):
        die(f"region_columns: expected GDP for {regions}, got {sorted(gdp)}")
    out = pd.DataFrame(index=pd.Index(regions, name="region"))
    sources: list[tuple[str, str, str]] = []

    def cite(row: pd.Series, what: str) -> str:
        return f"{what}: {row.note}; {row.source}"

    for region in regions:
        k = _one(tables, "capital_stock.csv", "capital_stock_const2015_100m_yuan", region, BASE)
        out.loc[region, "capital_stock_100m_yuan"] = round(float(k.value), 1)
        sources.append(
            (region, "capital_stock_100m_yuan", cite(k, "capital_stock_const2015_100m_yuan 2015, rounded to 0.1"))
        )
        va = {
            s: _one(tables, "sector_value_added.csv", "va_current_reconciled_100m_yuan", region, BASE, s)
            for s in SECTORS
        }
        total = sum(float(va[s].value) for s in SECTORS)
        if abs(total / gdp[region] - 1) > 1e-6:
            die(f"region_columns: {region} 2015 sector VA {total} do not add up to the table's GDP {gdp[region]}")
        scale = 10**SHARE_DECIMALS
        units = {s: round(float(va[s].value) / gdp[region] * scale) for s in ("primary", "secondary")}
        units["tertiary"] = scale - units["primary"] - units["secondary"]
        if abs(units["tertiary"] / scale - float(va["tertiary"].value) / gdp[region]) > 2.0 / scale:
            die(f"region_columns: {region} tertiary share as a residual departs from VA / GDP")
        for s in SECTORS:
            out.loc[region, f"va_{s}_share"] = units[s] / scale
            how = (
                f"va_current_reconciled 2015 ({s}) / gdp_100m_yuan, rounded to {SHARE_DECIMALS} decimals"
                if s != "tertiary"
                else f"1 - va_primary_share - va_secondary_share (so the three shares sum to 1 exactly; equals "
                f"va_current_reconciled 2015 (tertiary) / gdp_100m_yuan to {SHARE_DECIMALS} decimals)"
            )
            sources.append((region, f"va_{s}_share", cite(va[s], f"derived: {how}; VA")))
        use = {
            s: _one(tables, "trade_margins_2007.csv", "domestic_absorption_100m_yuan", region, 2007, s) for s in SECTORS
        }
        use_total = sum(float(use[s].value) for s in SECTORS)
        units = {s: round(float(use[s].value) / use_total * scale) for s in ("primary", "secondary")}
        units["tertiary"] = scale - units["primary"] - units["secondary"]
        for s in SECTORS:
            out.loc[region, f"use_{s}_share"] = units[s] / scale
            how = (
                f"domestic absorption 2007 ({s}) / the three sectors' sum, rounded to {SHARE_DECIMALS} decimals"
                if s != "tertiary"
                else "1 - use_primary_share - use_secondary_share (the three shares sum to 1 exactly)"
            )
            sources.append((region, f"use_{s}_share", cite(use[s], f"derived: {how}; absorption")))
        no = _one(tables, "macro_2015.csv", "net_outflow_share_of_gdp", region, BASE)
        out.loc[region, "net_outflow_share"] = round(float(no.value), SHARE_DECIMALS)
        sources.append(
            (
                region,
                "net_outflow_share",
                cite(no, f"net_outflow_share_of_gdp 2015, rounded to {SHARE_DECIMALS} decimals"),
            )
        )
        ir = _one(tables, "capital_stock.csv", "gfcf_share_of_gdp_expenditure", region, BASE)
        out.loc[region, "investment_rate"] = round(float(ir.value), SHARE_DECIMALS)
        sources.append(
            (
                region,
                "investment_rate",
                cite(ir, f"gfcf_share_of_gdp_expenditure 2015, rounded to {SHARE_DECIMALS} decimals"),
            )
        )
    net = {}
    for region in BELT:
        m = _one(tables, "migration.csv", "migrants_5yr_net_million", region, 2015)
        net[region] = int(round(float(m.value) * PERSONS_PER_MILLION / 5))
        sources.append(
            (
                region,
                "net_migration_persons_per_year",
                cite(m, "derived: 2010-2015 five-year net in-migrants (million) x 1e6 / 5, rounded to whole persons"),
            )
        )
    net[REST] = -sum(net[r] for r in BELT)
    m = _one(tables, "migration.csv", "migrants_5yr_net_million", REST, 2015)
    if abs(net[REST] - float(m.value) * PERSONS_PER_MILLION / 5) > len(BELT):
        die("region_columns: RestOfChina net migration differs from minus the belt's net beyond rounding")
    sources.append(
        (
            REST,
            "net_migration_persons_per_year",
            cite(m, "derived: minus the sum of the 11 belt provinces' rounded values, so the column sums to 0 exactly"),
        )
    )
    out["net_migration_persons_per_year"] = pd.Series(net).astype(int)
    return out, sources


# ----------------------------------------------------------------------------- main
def main(argv: list[str]) -> None:
    """Standalone use: write the six long intermediate tables and README.md with every check into OUT_DIR."""
    if len(argv) not in (3, 4):
        raise SystemExit("usage: python tools/build_economy_data.py SHARED_DATA_DIR OUT_DIR [REGIONS_2015_CSV]")
    shared, out = Path(argv[1]), Path(argv[2])
    regions_2015 = load(Path(argv[3])) if len(argv) == 4 else None
    tables = build(shared, regions_2015)
    counts = write_intermediate(tables, out, "python tools/build_economy_data.py " + " ".join(argv[1:]))
    print("\n=== written")
    for k, v in counts.items():
        print(f"  {out / k}: {v} rows")
    print(f"  {out / 'README.md'}")


if __name__ == "__main__":
    main(sys.argv)
