"""The comparison report as an analyst meets it: in a browser (headless Chromium), printed (report.pdf), its
decomposition by channel, its plots (titles that fit, one colour per region, readable axes, the map scale) and
its warnings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib.colors
import numpy as np
import pandas as pd
import pytest

from helpers import BELT, ROOT
from yreb.analysis.compare import default_out_dir
from yreb.cli import main
from yreb.viz import report as report_module
from yreb.viz.i18n import EN, ZH
from yreb.viz.maps import MIN_SPAN_PCT, NO_CHANGE_PCT, colour_scale
from yreb.viz.plotting import REGION_PALETTE, readable_log_axis, region_colours

SCREENSHOT = ROOT / "docs" / "images" / "compare_report.png"
END_YEAR = 2024


def shipped(name: str, folder: Path, *, replications: int = 2, end_year: int = END_YEAR, rename: str = "") -> Path:
    """A copy of a shipped scenario file with fewer replications and years (policies unchanged)."""
    text = (ROOT / "scenarios" / f"{name}.toml").read_text(encoding="utf-8")
    text = re.sub(r"^replications = \d+", f"replications = {replications}\nend_year = {end_year}", text, flags=re.M)
    text = re.sub(r"^end_year = 2035\n", "", text, flags=re.M)
    if rename:
        text = re.sub(r'^name = "[^"]*"', f'name = "{rename}"', text, flags=re.M)
    path = folder / f"{rename or name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, out: Path) -> Path:
    assert main(["run", str(path), "--out", str(out), "--quiet", "--no-plots"]) == 0
    return out / path.stem


@pytest.fixture(scope="module")
def compared(tmp_path_factory, chromium):
    """baseline and barriers_removed (2 replications to 2024), compared with --decompose and SVG figures."""
    root = tmp_path_factory.mktemp("report")
    base = run(shipped("baseline", root), root / "results")
    scen = run(shipped("barriers_removed", root), root / "results")
    out = root / "results" / "cmp"
    assert main(["compare", str(base), str(scen), "--out", str(out), "--decompose", "--format", "svg", "--quiet"]) == 0
    return root, base, scen, out


# --- in the browser and on paper ---------------------------------------------------------------


def test_report_in_a_browser_opens_with_the_summary_table(compared, chromium):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the dev extra's playwright is not installed")
    _, _, _, out = compared
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 1500})
        page.goto((out / "report.html").as_uri())
        tables = page.locator("table")
        first = tables.first
        assert first.is_visible()
        assert page.evaluate("document.querySelector('table').closest('section').id") == "summary"
        headings = page.locator("h2").all_inner_texts()
        assert headings[:4] == ["Summary", "Where the effect comes from", "How sure", "Detail"], headings
        assert headings[-1] == "Method and provenance"
        rows = first.locator("tbody tr").all_inner_texts()
        names = [row.split("\t")[0].strip() for row in rows]
        assert names[:3] == ["Nation", "Belt (11 regions)", "Rest of China"], names
        assert any("largest gain" in n for n in names) or any("largest loss" in n for n in names)
        header = first.locator("thead").inner_text()
        assert "Real GDP, %" in header and "100m yuan" in header and "Welfare (EV), %" in header
        assert "_" not in header  # readable headers, no column names
        sentence = page.locator("#summary .sentence").first.inner_text()
        assert "national real GDP" in sentence and "%" in sentence
        # every image loaded (embedded) and no table is wider than the page
        assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        widths = page.evaluate("[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right)")
        assert max(widths) <= 1200
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), clip={"x": 0, "y": 0, "width": 1200, "height": 1500})
        browser.close()
    assert SCREENSHOT.stat().st_size > 50_000


def test_report_charts_draw_in_a_browser_offline_with_every_region_and_the_numbers_of_the_table(compared, chromium):
    """The screen-only figures are Vega-Lite charts: drawn by the page's own inlined scripts with no request
    outside the file, one panel per region, one line per scenario, and the values of differences_over_time."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the dev extra's playwright is not installed")
    _, _, _, out = compared
    report = (out / "report.html").read_text(encoding="utf-8")
    charts = re.findall(r"<script type='application/json' data-chart='([^']+)'>(.*?)</script>", report)
    summary = pd.read_parquet(out / "differences_over_time.parquet")
    spec = dict(charts)["differences_by_region_gdp_100m_yuan"]
    values = pd.DataFrame(json.loads(spec)["data"]["values"])
    shanghai = summary[(summary.region == "Shanghai") & (summary.variable == "gdp_100m_yuan")].sort_values("year")
    panel = json.loads(spec)["concat"]
    k = [p["title"]["text"] for p in panel].index(["Shanghai"])
    shown = values[values.k == k].sort_values("t")
    assert shown.t.tolist() == shanghai.year.tolist()
    assert shown.m.to_numpy() == pytest.approx(shanghai.mean_difference.to_numpy(), rel=1e-5)
    assert shown.hi.to_numpy() == pytest.approx(shanghai.ci90_high.to_numpy(), rel=1e-5)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 1500})
        errors, outside = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto((out / "report.html").as_uri())
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        drawn = "[...document.querySelectorAll('.vega-chart')].every(c => c.querySelector('svg.marks'))"
        page.wait_for_function(drawn, timeout=30_000)
        assert not errors and not outside, (errors, outside)
        assert page.locator(".chart-error").count() == 0
        assert page.locator(".vega-chart").count() == len(charts) >= 2
        by_region = page.locator("#differences_by_region_gdp_100m_yuan")
        text = by_region.inner_text()
        for region in ["Nation", "Belt (11 regions)", "Rest of China", *BELT]:
            assert region in text, region
        # one line per panel (one scenario against the baseline), the levels one per scenario and panel
        lines = by_region.locator("g.mark-line path").count()
        assert lines == 3 + len(BELT)
        levels = page.locator("#levels_belt g.mark-line path").count()
        assert levels == 2 * len(json.loads(dict(charts)["levels_belt"])["concat"])
        assert by_region.bounding_box()["width"] <= 1200  # fits the page, no sideways scrolling
        browser.close()


def test_report_pdf_is_a4_and_at_most_8_pages_for_one_scenario(compared):
    pypdf = pytest.importorskip("pypdf", reason="the dev extra's pypdf is not installed")
    _, _, _, out = compared
    reader = pypdf.PdfReader(out / "report.pdf")
    assert 3 <= len(reader.pages) <= 8, len(reader.pages)
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert width == pytest.approx(595, abs=2) and height == pytest.approx(842, abs=2)  # A4 in points
    first_page = reader.pages[0].extract_text()
    assert "Summary" in first_page and "Nation" in first_page and "Rest of China" in first_page


def test_figures_are_written_in_every_asked_format(compared):
    _, _, _, out = compared
    for png in out.glob("*.png"):
        assert png.with_suffix(".svg").is_file(), png
    assert not list(out.glob("*.pdf"))[1:] or {p.name for p in out.glob("*.pdf")} == {"report.pdf"}


# --- the decomposition --------------------------------------------------------------------------


def test_decomposition_parts_and_interaction_add_up_to_the_total_effect(compared):
    _, _, _, out = compared
    table = pd.read_csv(out / "decomposition.csv")
    components = list(dict.fromkeys(table.component))
    # barriers_removed: the five barrier factors it removes and its registration rate, then interaction, total
    assert components == [
        "goods barrier",
        "talent barrier",
        "labour barrier",
        "capital barrier",
        "technology barrier",
        "registration (settlement rate)",
        "interaction",
        "total",
    ]
    keys = ["region", "variable", "year"]
    wide = table.pivot_table(index=keys, columns="component", values="mean_difference")
    parts = wide.drop(columns="total").sum(axis=1)
    assert np.allclose(parts, wide["total"], rtol=1e-9, atol=1e-9 * wide["total"].abs().max())
    # the total is the comparison's own effect (computed from the stored runs, not from the decomposition)
    effects = pd.read_parquet(out / "differences_over_time.parquet")
    merged = wide["total"].reset_index().merge(effects[effects.scenario == "barriers_removed"], on=keys)
    assert len(merged) == len(wide) and np.allclose(merged.total, merged.mean_difference, rtol=1e-12)
    end = wide.xs(END_YEAR, level="year")
    nation = end.loc[("Nation", "gdp_100m_yuan")]
    assert nation["total"] > 0 and abs(nation["interaction"]) < abs(nation["total"])
    assert nation["technology barrier"] > nation["talent barrier"]  # the channels differ: not a split in equal parts


def test_a_decomposition_part_is_the_component_run_alone(compared, tmp_path):
    """The 'capital barrier' part equals `yreb run` of a scenario with only the capital barrier removed."""
    root, base, _, out = compared
    text = shipped("barriers_removed", tmp_path, rename="capital_only").read_text(encoding="utf-8")
    for factor in ("goods", "talent", "labour", "technology"):
        text = re.sub(rf"^{factor} = 0\.0$", f"{factor} = 1.0", text, flags=re.M)
    text = re.sub(r"^settlement_rate = .*\n", "", text, flags=re.M)
    path = tmp_path / "capital_only.toml"
    path.write_text(text, encoding="utf-8")
    alone = run(path, tmp_path / "results")
    cmp = tmp_path / "cmp"
    assert main(["compare", str(base), str(alone), "--out", str(cmp), "--no-pdf", "--quiet"]) == 0
    direct = pd.read_parquet(cmp / "differences_over_time.parquet")
    parts = pd.read_csv(out / "decomposition.csv")
    part = parts[parts.component == "capital barrier"].merge(direct, on=["region", "variable", "year"])
    assert len(part) > 0 and np.allclose(part.mean_difference_x, part.mean_difference_y, rtol=1e-9)


def test_report_says_when_decomposition_and_sensitivity_were_not_run(compared, tmp_path):
    _, base, scen, _ = compared
    out = tmp_path / "plain"
    assert main(["compare", str(base), str(scen), "--out", str(out), "--no-pdf", "--quiet"]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "Not computed: run the comparison with --decompose" in text
    assert "run the comparison with --sensitivity" in text
    assert not (out / "decomposition.csv").exists() and not (out / "report.pdf").exists()


def test_report_has_a_carbon_section_for_the_nation_the_belt_and_every_province(compared, tmp_path):
    """Runs that record CO2: the report's carbon section gives the belt's share of national CO2 and, for the
    nation, the belt, the rest of China and each province, the change of CO2 and of CO2 per unit of GDP."""
    _, base, scen, _ = compared
    out = tmp_path / "carbon"
    assert main(["compare", str(base), str(scen), "--out", str(out), "--no-pdf", "--quiet"]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    section = text[text.index("<h2>Energy and carbon</h2>") : text.index("<h2>Method and provenance</h2>")]
    assert "Belt share of national CO2 in 2024: baseline" in section
    rows = re.findall(r"<tr><td>([^<]+)</td>", section)
    assert rows[0] == "Nation" and rows[1].startswith("Belt") and rows[2] == "Rest of China"
    assert rows[3:] == BELT
    assert "CO2 per 10,000 yuan, change %" in section
    assert (out / "differences_by_region_co2_Mt_pct.png").stat().st_size > 10_000
    belt = re.search(r"<tr><td>Belt[^<]*</td>(.*?)</tr>", section).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", belt)
    assert cells[2].startswith("+")  # removing barriers raises belt output and with it belt CO2 (%)


# --- how sure: the tornado ------------------------------------------------------------------------


def test_sensitivity_runs_each_assumption_at_both_ends(compared, tmp_path, monkeypatch):
    from yreb.analysis import sensitivity as sens

    _, base, scen, _ = compared
    ranges = {"technology_barrier": (0.0, 1.0), "land_share": (0.05, 0.12)}
    monkeypatch.setattr(sens, "assumption_ranges", lambda: ranges)
    out = tmp_path / "sure"
    assert main(["compare", str(base), str(scen), "--out", str(out), "--sensitivity", "--no-pdf", "--quiet"]) == 0
    tornado = pd.read_csv(out / "tornado.csv")
    nation = tornado[(tornado.region == "Nation") & (tornado.variable == "gdp_100m_yuan")]
    assert list(nation.parameter) == ["technology_barrier", "land_share"]  # ranked by swing
    tech = nation.iloc[0]
    # with no technology barrier to remove (0) the policy's technology channel is gone: a smaller effect
    assert tech.low < tech["default"] < tech.high
    assert (out / "tornado_barriers_removed.png").is_file()
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "seed interval" in text.lower() and "sampling noise" in text


# --- warnings and folder names --------------------------------------------------------------------


def test_unpaired_replications_are_reported(compared, tmp_path, capsys):
    root, base, _, _ = compared
    more = run(shipped("barriers_removed", tmp_path, replications=3, rename="more_reps"), tmp_path / "results")
    out = tmp_path / "cmp"
    assert main(["compare", str(base), str(more), "--out", str(out), "--no-pdf", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "more_reps: 2 paired replications used; dropped 1 of its 3 and 0 of the baseline's 2" in err
    assert "dropped 1 of its 3" in (out / "report.html").read_text(encoding="utf-8")
    assert json.loads((out / "comparison.json").read_text())["warnings"]


def test_default_folder_names_are_the_documented_ones():
    names = ["baseline", "barriers_removed", "delta_integration", "full_coordination", "talent_recognition_g60"]
    assert default_out_dir(names, Path("results")) == Path("results/compare-" + "-".join(names))
    docs = (ROOT / "docs" / "compare.md").read_text(encoding="utf-8")
    assert "compare-<names joined by '-'>" in docs and "-and-<n>-more-<hash>" in docs


# --- plots ------------------------------------------------------------------------------------------


def _inside(fig, artist) -> bool:
    renderer = fig.canvas.get_renderer()
    box, frame = artist.get_window_extent(renderer), fig.bbox
    return (
        box.x0 >= frame.x0 - 0.5 and box.x1 <= frame.x1 + 0.5 and box.y0 >= frame.y0 - 0.5 and box.y1 <= frame.y1 + 0.5
    )


def test_titles_fit_inside_every_figure_with_five_scenarios(tmp_path, monkeypatch):
    """The worst case: five scenarios with long names compared (titles list them all)."""
    runs = [run(shipped("baseline", tmp_path, end_year=2021), tmp_path / "results")]
    for k in range(4):
        name = f"barriers_removed_with_a_long_descriptive_name_{k}"
        runs.append(run(shipped("barriers_removed", tmp_path, end_year=2021, rename=name), tmp_path / "results"))
    checked = []
    original = report_module.save_figure

    def checking_save(fig, path, formats=("png",), **kw):
        fig.canvas.draw()
        titles = [t for t in [fig._suptitle, *(ax.title for ax in fig.axes if ax.get_visible())] if t and t.get_text()]
        for title in titles:
            assert _inside(fig, title), f"{Path(path).name}: title {title.get_text()!r} is clipped"
        checked.append(Path(path).name)
        return original(fig, path, formats, **kw)

    monkeypatch.setattr(report_module, "save_figure", checking_save)
    out = tmp_path / "cmp"
    assert (
        main(
            ["compare", *map(str, runs), "--out", str(out), "--no-pdf", "--quiet", "--metrics", "gdp_100m_yuan"]
            + ["--more-figures"]  # the screen-only figures as files too: their titles must fit as well
        )
        == 0
    )
    assert "differences_belt.png" in checked and "differences_by_region_gdp_100m_yuan.png" in checked
    assert len([c for c in checked if c.startswith("map_")]) == 4


def _lab(hex_colour: str) -> np.ndarray:
    """CIELAB (D65) of an sRGB colour."""
    rgb = np.asarray(matplotlib.colors.to_rgb(hex_colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz /= [0.95047, 1.0, 1.08883]
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_region_colours_are_fixed_and_distinguishable():
    regions = [*BELT, "RestOfChina"]
    assert set(REGION_PALETTE) == set(regions)
    assert region_colours(regions) == region_colours(list(reversed(regions)))  # by name, not by position
    labs = {r: _lab(c) for r, c in REGION_PALETTE.items()}
    closest = min((np.linalg.norm(labs[a] - labs[b]), a, b) for i, a in enumerate(regions) for b in regions[i + 1 :])
    assert closest[0] > 20, closest  # CIELAB distance: clearly different colours, Hubei and Sichuan included
    extra = region_colours([f"R{i}" for i in range(20)])
    assert len(set(extra.values())) >= 8


def test_log_axes_are_labelled_with_plain_numbers():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([2015, 2035], [8_000, 300_000])
    readable_log_axis(ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    plt.close(fig)
    assert {"10,000", "20,000", "50,000", "100,000"} <= set(labels), labels
    assert not any("^" in label or "$" in label for label in labels)


def test_map_scale_has_a_minimum_span_and_a_no_change_band():
    norm, cmap = colour_scale(pd.Series([0.02, -0.02, 0.01]))
    assert norm.vmax == MIN_SPAN_PCT and norm.vmin == -MIN_SPAN_PCT  # +-0.02% is not stretched to deep colours
    neutral = cmap(norm(0.0))
    assert cmap(norm(0.02)) == neutral and cmap(norm(-NO_CHANGE_PCT * 0.9)) == neutral
    assert cmap(norm(0.5)) != neutral and cmap(norm(-0.5)) != neutral
    norm, _ = colour_scale(pd.Series([4.0, -1.0]))
    assert norm.vmax == 4.0  # larger changes set the span


# --- Chinese ------------------------------------------------------------------------------------


def test_every_report_text_has_a_chinese_version():
    assert set(ZH) == set(EN)


def test_chinese_report_has_chinese_headings_headers_and_figure_titles(compared, cjk_font, tmp_path, monkeypatch):
    _, base, scen, _ = compared
    titles = []
    original = report_module.save_figure

    def recording_save(fig, path, formats=("png",), **kw):
        titles.append(fig._suptitle.get_text() if fig._suptitle else "")
        return original(fig, path, formats, **kw)

    monkeypatch.setattr(report_module, "save_figure", recording_save)
    out = tmp_path / "zh"
    assert main(["compare", str(base), str(scen), "--out", str(out), "--chinese", "--no-pdf", "--quiet"]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    for words in ("<h2>摘要</h2>", "<h2>效应来自何处</h2>", "<h2>可信程度</h2>", "<th>地区</th>", "实际GDP，%", "全国"):
        assert words in text, words
    assert "Anhui 安徽省" in text
    assert titles and all(re.search(r"[\u4e00-\u9fff]", t) for t in titles), titles


def test_the_regions_that_move_most_are_named_with_the_channel_that_moves_them(compared, monkeypatch):
    """The summary names every region whose real GDP moves by more than LARGE_MOVE_PCT, with its largest part."""
    from yreb.analysis.compare import compare_runs, load_run
    from yreb.analysis.decompose import Decomposition
    from yreb.cli.common import FLAG_NAMES
    from yreb.viz.i18n import ENGLISH

    _, base, scen, out = compared
    c = compare_runs([load_run(base), load_run(scen)])
    parts = Decomposition(pd.read_csv(out / "decomposition.csv"), {})
    s = c.summary
    rows = s[(s.scenario == scen.name) & (s.variable == "gdp_100m_yuan") & (s.year == c.end_year)]
    rows = rows[rows.region.isin(c.baseline.regions.index)]
    limit = float(rows.pct_of_baseline.abs().sort_values().iloc[-3]) - 1e-9  # the three largest movers of 2024
    monkeypatch.setattr(report_module, "LARGE_MOVE_PCT", limit)
    note = report_module.large_moves_note(c, scen.name, c.end_year, {}, ENGLISH, parts, None)
    movers = rows[rows.pct_of_baseline.abs() > limit].region.tolist()
    assert len(movers) == 3 and all(region in note for region in movers)
    assert note.count("mostly") == 3 and "barrier" in note
    without = report_module.large_moves_note(c, scen.name, c.end_year, {}, ENGLISH, None, FLAG_NAMES)
    assert "--decompose" in without and "mostly" not in without
    monkeypatch.setattr(report_module, "LARGE_MOVE_PCT", 1e9)
    assert report_module.large_moves_note(c, scen.name, c.end_year, {}, ENGLISH, parts, None) == ""
