"""The real app in headless Chromium: start `streamlit run app.py`, plan, see food names.

Needs Debian's /usr/bin/chromium (CI installs it); skipped with a reason otherwise. The
screenshot goes to docs/screenshot.png only with MEALPLAN_UPDATE_SCREENSHOT=1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

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


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free 127.0.0.1 port; stopped by its PID afterwards."""
    port = _free_port()
    env = dict(os.environ, MEALPLAN_DB=str(tmp_path / "saved.sqlite3"))
    log = (tmp_path / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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


def test_plan_in_real_browser(server: str, tmp_path: Path) -> None:
    """Plan a week in Chromium; the day table shows real food names; take a screenshot."""
    from playwright.sync_api import expect, sync_playwright

    names = set(load_default_table().df["name"].astype(str))
    shot = (ROOT / "docs" / "screenshot.png"
            if os.environ.get("MEALPLAN_UPDATE_SCREENSHOT") == "1"
            else tmp_path / "screenshot.png")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        try:
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
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
