"""The explorer: its logic (yreb.explorer.logic) directly, and the page as a browser shows it, served by
`yreb app` exactly as the README says (offline: every script comes from this machine)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from yreb.errors import UserInputError
from yreb.explorer import logic

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "images" / "explorer.png"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FIGURES = (".yreb-over-time", ".yreb-map")  # the page's two figures
START_TIMEOUT_S = 180  # the server imports the model and runs the first comparison; generous on a busy machine
PAGE_TIMEOUT_MS = 180_000
# what an <img> shows: SHA-256 of the bytes behind its src (a blob: or data: URL) and its decoded width; null
# while the page has no such image (it re-renders)
IMAGE_DIGEST_JS = """async selector => {
    const img = document.querySelector(selector);
    if (!img || !img.src) return null;
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    const hex = [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, "0")).join("");
    return {sha256: hex, width: img.naturalWidth, bytes: bytes.byteLength};
}"""


# --- the logic ----------------------------------------------------------------------------------------------


def test_neutral_levers_add_no_policy_and_moved_ones_add_one_each():
    assert logic.Levers().extra_policies() == []
    levers = logic.Levers(talent=0.0, barrier_group="downstream", start_year=2025, park=True, enclave=True)
    barrier, park, enclave = levers.extra_policies()
    assert barrier["type"] == "barrier" and barrier["talent"] == 0.0 and barrier["goods"] == 1.0
    assert barrier["regions"] == "downstream" and barrier["start"] == 2025
    assert (park["type"], park["sponsor"], park["host"], park["land_km2"]) == ("co_built_park", "Jiangsu", "Anhui", 200)
    assert (enclave["type"], enclave["home"], enclave["hub"]) == ("innovation_enclave", "Jiangxi", "Shanghai")


def test_explored_scenario_keeps_the_scenarios_policies_and_sets_the_run_mode():
    scenario = logic.explored_scenario(logic.Levers(scenario="barriers_removed", park=True))
    assert scenario.spec.name == "barriers_removed_with_levers"
    assert [p.type for p in scenario.spec.policies] == ["barrier", "co_built_park"]
    assert scenario.spec.replications == 1 and scenario.params.stochastic is False
    drawn = logic.explored_scenario(logic.Levers(random_draws=True, replications=3))
    assert drawn.spec.name == "barriers_removed" and drawn.spec.replications == 3 and drawn.params.stochastic


def test_the_baseline_alone_and_impossible_levers_are_reported_as_input_errors():
    with pytest.raises(UserInputError, match="nothing to compare"):
        logic.explored_scenario(logic.Levers(scenario="baseline"))
    with pytest.raises(UserInputError, match="half the hub's talent"):  # Guizhou has 23,537 R&D staff
        logic.explored_scenario(logic.Levers(enclave=True, enclave_hub="Guizhou", enclave_researchers=20000.0))
    with pytest.raises(UserInputError, match="sponsor and host must be different regions"):
        logic.explored_scenario(logic.Levers(park=True, park_sponsor="Anhui", park_host="Anhui"))
    with pytest.raises(UserInputError, match="unknown outcome"):
        logic.view(logic.Levers(), "gdp")


def test_exploration_is_paired_with_a_cached_baseline_and_drawn():
    levers = logic.Levers(scenario="delta_integration")
    shown = logic.view(levers, "gdp_per_capita_yuan")
    exploration = shown.exploration
    assert exploration.headline == ["Nation", "Belt", "RestOfChina"]
    assert logic.explore(levers) is exploration  # the same levers are not run again
    first = logic.baseline_run.cache_info().hits
    logic.explore(logic.Levers(scenario="delta_integration", talent=0.5))
    assert logic.baseline_run.cache_info().hits == first + 1  # same seed, years and mode: baseline reused
    effects = exploration.comparison.effects.set_index(["region", "variable"])
    assert effects.loc[("Shanghai", "gdp_100m_yuan"), "mean_difference"] > 0  # the delta opens up
    assert shown.over_time_png.startswith(PNG_MAGIC) and shown.map_png.startswith(PNG_MAGIC)
    assert "national real GDP" in shown.sentence and "Rest of China" in shown.summary_table_html
    assert all(region in shown.regions_table_html for region in logic.belt_regions())
    assert shown.effects_csv.splitlines()[0].startswith("scenario,region,variable,unit,year")


def test_scenario_list_has_every_shipped_scenario_baseline_first():
    names = logic.scenario_names()
    assert names[0] == "baseline" and "barriers_removed" in names and "full_coordination" in names


# --- in the browser -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"yreb app exited with code {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"yreb app did not answer at {url} within {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


ERROR_BOXES = ".v-alert.error, .yreb-input-error"  # Vuetify's error alerts (a crash), the page's input errors


def shown(page) -> dict:
    """The summary sentence and the digest of each figure the page shows (None where absent)."""
    sentences = page.locator(".yreb-summary").all_inner_texts()
    return {
        "sentence": sentences[0] if sentences else None,
        **{figure: page.evaluate(IMAGE_DIGEST_JS, f"{figure} img") for figure in FIGURES},
    }


NOTHING_SHOWN = {"sentence": None, **{figure: {"sha256": None} for figure in FIGURES}}


def wait_for_results(page, before: dict) -> dict:
    """What the page shows once its summary and both figures differ from ``before`` (while a run is pending the
    page may show the old images again, and each image is swapped on its own); fails at once when the page
    shows an error or a traceback, and after PAGE_TIMEOUT_MS."""
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        body = page.inner_text("body")
        if "Traceback" in body or page.locator(ERROR_BOXES).count():
            pytest.fail(f"the page shows an error:\n{body[-3000:]}")
        now = shown(page)
        if now["sentence"] not in (None, before["sentence"]) and all(
            now[figure] is not None and now[figure]["sha256"] != before[figure]["sha256"] for figure in FIGURES
        ):
            return now
        page.wait_for_timeout(250)
    pytest.fail(f"the page still shows the old results after {PAGE_TIMEOUT_MS / 1000:.0f} s: {now['sentence']}")


@pytest.fixture
def served(tmp_path):
    """`yreb app` on a free port of 127.0.0.1, started from an empty folder; yields (url, its log)."""
    port, log = free_port(), tmp_path / "server.log"
    yreb = Path(sys.executable).with_name("yreb")
    with log.open("w") as out:
        proc = subprocess.Popen([str(yreb), "app", "--port", str(port)], cwd=tmp_path, stdout=out, stderr=out)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_server(url, proc, log)
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_explorer_in_a_browser_runs_changed_levers_offline(served, chromium, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra's playwright is not installed")
    url, log = served
    outside, failed = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1900})
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        local = (url.rstrip("/"), url.replace("http", "ws", 1).rstrip("/"), "data:", "blob:")
        page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(url)
        before = wait_for_results(page, NOTHING_SHOWN)
        assert "barriers_removed changes national real GDP" in before["sentence"]
        # a lever: the talent barrier to 0 (keyboard on the slider), and a co-built park on
        slider = page.get_by_role("slider", name="talent barrier: 1.00")
        slider.focus()
        slider.press("Home")
        page.wait_for_selector("text=talent barrier: 0.00")
        page.get_by_text("add a co-built park").click()
        page.wait_for_selector("text=The levers differ from the run shown")
        page.locator(".yreb-run").click()
        after = wait_for_results(page, before)
        page.wait_for_selector("text=The levers differ from the run shown", state="detached")
        body = page.inner_text("body")
        error_boxes = page.locator(ERROR_BOXES).count()
        page.screenshot(path=str(tmp_path / "explorer.png"), full_page=False)
        browser.close()
    server_log = log.read_text()
    assert "barriers_removed_with_levers changes national real GDP" in after["sentence"], after["sentence"]
    for figure in FIGURES:
        assert after[figure]["width"] > 500 and after[figure]["bytes"] > 20_000, after[figure]
    assert "Traceback" not in body and error_boxes == 0, body[-2000:]
    assert "Traceback" not in server_log, server_log[-3000:]
    assert outside == [], f"requests that left this machine: {outside}"
    assert failed == [], f"failed requests: {failed}"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "explorer.png", SCREENSHOT)
