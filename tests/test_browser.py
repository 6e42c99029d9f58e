"""The real app in headless Chromium: start `streamlit run app.py`, plan, see food names.

Needs Debian's /usr/bin/chromium (CI installs it); skipped with a reason otherwise. The
screenshot goes to docs/screenshot.png only with MEALPLAN_UPDATE_SCREENSHOT=1.
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


def test_plan_in_real_browser(server: str, tmp_path: Path) -> None:
    """Plan a week in Chromium; the day table shows real food names; take a screenshot."""
    from playwright.sync_api import expect

    names = set(load_default_table().df["name"].astype(str))
    shot = (ROOT / "docs" / "screenshot.png"
            if os.environ.get("MEALPLAN_UPDATE_SCREENSHOT") == "1"
            else tmp_path / "screenshot.png")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1500, "height": 2000})
        page.goto(server)
        button = page.get_by_role("button", name="Plan my meals")
        expect(button).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Not medical advice").first).to_be_visible()
        button.click()
        expect(page.get_by_text("verified", exact=True)).to_be_visible(timeout=120_000)
        expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(
            0, timeout=60_000)
        cells = page.locator('[data-testid="stMain"] [role="gridcell"]')
        expect(cells.first).to_be_attached(timeout=30_000)
        deadline = time.monotonic() + 30
        shown: set[str] = set()
        while time.monotonic() < deadline and not (shown & names):
            shown = {t.strip() for t in cells.all_inner_texts()}
            time.sleep(0.3)
        assert shown & names, f"no food names in the plan tables: {sorted(shown)[:20]}"
        expect(page.get_by_text("Day 1", exact=True).first).to_be_visible()
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000


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
