"""The real app in headless Chromium: start `streamlit run app.py`, plan at desktop and
phone width, edit the shown day, add a food from FoodData Central.

Needs Debian's /usr/bin/chromium (CI installs it); skipped with a reason otherwise. The
screenshots go to docs/screenshot.png (1400x900) and docs/screenshot-phone.png (390x844)
only with MEALPLAN_UPDATE_SCREENSHOT=1.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from mealplan.foods import load_default_table

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_app(tmp_path: Path, **env: str) -> Iterator[str]:
    """`streamlit run app.py` on a free 127.0.0.1 port (extra environment variables given);
    stopped by its PID afterwards."""
    port = _free_port()
    full_env = dict(os.environ, MEALPLAN_DB=str(tmp_path / "saved.sqlite3"), **env)
    log = (tmp_path / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("streamlit did not start:\n"
                                     + (tmp_path / "streamlit.log").read_text())
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The app, served on 127.0.0.1."""
    with running_app(tmp_path) as url:
        yield url


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        try:
            yield browser
        finally:
            browser.close()


def _shot(name: str, tmp_path: Path) -> Path:
    """Where a screenshot goes: docs/ with MEALPLAN_UPDATE_SCREENSHOT=1, else tmp_path."""
    if os.environ.get("MEALPLAN_UPDATE_SCREENSHOT") == "1":
        return ROOT / "docs" / name
    return tmp_path / name


def _idle(page: Any) -> None:
    """Wait until no script run is in progress."""
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=120_000)


def _grid_texts(page: Any, want: set[str]) -> set[str]:
    """The texts of the main area's table cells, polled until one of ``want`` shows."""
    cells = page.locator('[data-testid="stMain"] [role="gridcell"]')
    deadline = time.monotonic() + 30
    shown: set[str] = set()
    while time.monotonic() < deadline and not (shown & want):
        shown = {t.strip() for t in cells.all_inner_texts()}
        time.sleep(0.3)
    return shown


def _plan(page: Any, server: str) -> None:
    """Open the app, press Plan my meals (a week) and wait for the verified plan."""
    from playwright.sync_api import expect

    page.goto(server)
    button = page.get_by_role("button", name="Plan my meals").first
    expect(button).to_be_attached(timeout=30_000)
    expect(page.get_by_text("Not medical advice").first).to_be_visible()
    button.click()
    expect(page.get_by_text("verified", exact=True)).to_be_visible(timeout=180_000)
    _idle(page)


@pytest.mark.parametrize(("width", "height", "name"), [(1400, 900, "screenshot.png"),
                                                       (390, 844, "screenshot-phone.png")])
def test_plan_in_real_browser(server: str, tmp_path: Path, width: int, height: int,
                              name: str) -> None:
    """Plan a week in Chromium at desktop and phone width: the first screen does not send
    people to "the sidebar" only, the day table shows real food names, the nutrient chart
    draws its bars, the phone's sidebar closes after Plan my meals, no Deploy button;
    screenshots of both widths."""
    from playwright.sync_api import expect

    names = set(load_default_table().df["name"].astype(str))
    shot = _shot(name, tmp_path)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(server)
        expect(page.get_by_text("Plan my meals", exact=False).first).to_be_attached(
            timeout=30_000)
        expect(page.get_by_text("on a phone", exact=False).first).to_be_visible()
        if width < 500:  # the phone opens the sidebar by its button
            page.locator('[data-testid="stExpandSidebarButton"], '
                         '[data-testid="stSidebarCollapsedControl"] button').first.click()
        button = page.get_by_role("button", name="Plan my meals").first
        expect(button).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Deploy", exact=True)).to_have_count(0)
        button.click()
        expect(page.get_by_text("verified", exact=True)).to_be_visible(timeout=180_000)
        _idle(page)
        if width < 500:
            expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute(
                "data-collapsed", "true", timeout=10_000)
        shown = _grid_texts(page, names)
        assert shown & names, f"no food names in the plan tables: {sorted(shown)[:20]}"
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        expect(chart).to_be_visible(timeout=30_000)
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 200, box
        assert box["x"] + box["width"] <= width + 1  # the chart fits the screen
        # the screenshot starts at the plan's status line (the page's header is above it)
        page.locator('[data-testid="stCaptionContainer"]').filter(
            has_text="Planned in").first.evaluate("e => e.scrollIntoView({block: 'start'})")
        time.sleep(0.5)
        expect(page.get_by_text("Day 1", exact=True).first).to_be_visible()
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000


def test_swap_then_lock_in_real_browser(server: str, tmp_path: Path) -> None:
    """Show day 2, swap its first item: the Item box no longer shows the removed food; Lock
    then locks the item the box shows, and day 2 stays shown (issue 13 item 1)."""
    from playwright.sync_api import expect

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        _plan(page, server)
        page.get_by_text("Day 2", exact=True).first.click()
        regen = page.get_by_role("button", name="Regenerate day 2")
        expect(regen).to_have_count(1, timeout=30_000)
        _settled(page)
        before = _item_label(page)
        page.get_by_role("button", name="Swap for the best alternative").click()
        done = page.get_by_text("Swapped", exact=False).or_(
            page.get_by_text("no single food", exact=False))
        expect(done.first).to_be_visible(timeout=120_000)
        _settled(page)
        after = _item_label(page)
        if page.get_by_text("Swapped", exact=False).count():
            assert after != before, (before, after)
        page.get_by_role("button", name="Lock this item").click()
        food = after.split(": ", 1)[-1]
        expect(page.get_by_text(f"Locked {food} on day 2", exact=False)).to_be_visible(
            timeout=30_000)
        _settled(page)
        expect(regen).to_have_count(1)
        page.screenshot(path=str(tmp_path / "after-lock.png"))


def _item_label(page: Any) -> str:
    """What the Item box shows ("meal: food")."""
    return str(page.get_by_role("combobox", name="Item").input_value()).strip()


def _settled(page: Any) -> None:
    """Wait until the run is over and no stale copy of the edit buttons is left."""
    from playwright.sync_api import expect

    _idle(page)
    expect(page.get_by_role("button", name="Swap for the best alternative")).to_have_count(
        1, timeout=30_000)


def test_fdc_search_and_add_in_real_browser(tmp_path: Path, httpserver: HTTPServer) -> None:
    """Foods tab in Chromium: search a local FDC server, add a food by FDC ID, see it listed
    as unchecked; the API key never appears on the page."""
    from playwright.sync_api import expect

    fdc = Path(__file__).parent / "data" / "fdc"
    httpserver.expect_request("/fdc/v1/foods/search", method="POST").respond_with_json(
        json.loads((fdc / "search_pumpkin_seeds.json").read_text(encoding="utf-8")))
    httpserver.expect_request("/fdc/v1/food/173944", method="GET").respond_with_json(
        json.loads((fdc / "food_173944_banana_sr_legacy.json").read_text(encoding="utf-8")))
    key = "BROWSER-SECRET-KEY-99"
    with running_app(tmp_path, FDC_BASE_URL=httpserver.url_for("/fdc/v1"), FDC_API_KEY=key,
                     MEALPLAN_CACHE_DIR=str(tmp_path / "cache")) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1500, "height": 2400})
        page.goto(url)
        expect(page.get_by_role("tab", name="Foods")).to_be_visible(timeout=30_000)
        page.get_by_role("tab", name="Foods").click()
        page.get_by_label("Search FoodData Central").fill("pumpkin seeds")
        page.get_by_role("button", name="Search FoodData Central").click()
        cells = page.locator('[data-testid="stMain"] [role="gridcell"]')
        deadline = time.monotonic() + 30
        shown: set[str] = set()
        while time.monotonic() < deadline and "Seeds, pumpkin, raw" not in shown:
            shown = {t.strip() for t in cells.all_inner_texts()}
            time.sleep(0.3)
        assert "Seeds, pumpkin, raw" in shown, sorted(shown)[:30]
        page.get_by_label("Or FDC IDs").fill("173944")
        page.get_by_role("button", name="Add to my foods").click()
        expect(page.get_by_text("Added 1 food from FoodData Central: Bananas, raw")).to_be_visible(
            timeout=30_000)
        expect(page.get_by_text("lists every allergen").first).to_be_visible()
        expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=30_000)
        page.screenshot(path=str(tmp_path / "foods.png"))
        assert key not in page.content()
