"""The Foods, Dietitian and Saved work tabs' issue-13 polish, headless (AppTest): "nothing
found", the semicolon hint, plurals, the upload naming what the planner cannot use, the
dietitian's table without raw keys or duplicate rows, a message after "Apply bounds and
plan again", saved work with human dates and no server path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


pytestmark = pytest.mark.usefixtures("db")  # saved work in a temporary file (conftest)


def fresh() -> AppTest:
    """A fresh app session with no exception on the page."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> str:  # type: ignore[no-untyped-def]
    """All values of a list of text elements, joined."""
    return "\n".join(str(e.value) for e in elements)


def test_food_search_says_nothing_found_and_hints_at_semicolons() -> None:
    """An empty search says "Nothing found"; the upload caption explains semicolon CSVs; an
    upload reads "1 food" and names why the planner cannot use it yet."""
    at = fresh()
    at.text_input(key="w_food_query").input("zzzz nothing").run()
    assert "Nothing found for 'zzzz nothing'" in texts(at.info)
    assert "semicolons" in texts(at.caption)
    at.file_uploader(key="w_upload").set_value(
        ("good.csv", b"id,name,magnesium_mg,energy_kcal\nmy_bar,My bar,150,380\n",
         "text/csv")).run()
    ok = texts(at.success)
    assert "Added 1 food from good.csv." in ok and "1 foods" not in ok
    assert "Not planned with the current settings: My bar (" in ok


def test_dietitian_table_has_no_duplicate_rows_and_apply_says_what_happened() -> None:
    """One row per nutrient and period (calcium's minimum and limit together); after Apply
    the Dietitian tab says a new plan exists."""
    at = fresh()
    at.slider(key="w_days").set_value(1)
    frame = at.data_editor[0].value
    assert not frame.duplicated(subset=["nutrient", "period", "supplements_only"]).any()
    assert "label" not in frame.columns
    [calcium] = frame.index[(frame["nutrient"] == "calcium_mg") & ~frame["supplements_only"]]
    assert frame.loc[calcium, "max"] > frame.loc[calcium, "min"] > 0
    for b in at.button:
        if b.label == "Apply bounds and plan again":
            b.click().run()
            break
    assert not at.exception
    assert "the new plan is on the Plan tab" in texts(at.tabs[2].success)


def test_saved_work_shows_no_server_path_and_human_dates() -> None:
    """Saving shows where in words (no file path); profiles and plans list "today HH:MM"."""
    at = fresh()
    at.text_input(key="w_client_new").input("Ada")
    for b in at.button:
        if b.label == "Save profile and plan":
            b.click().run()
            break
    assert "Saved profile 'plan' for Ada (no plan yet)" in texts(at.tabs[3].success)
    page = texts(at.caption) + texts(at.markdown)
    assert "sqlite3" not in page and "/" not in texts(at.tabs[3].caption)
    at.selectbox(key="w_client").set_value("Ada").run()
    assert "Ada: 1 profile, 0 plans" in texts(at.markdown)
    [option] = at.selectbox(key="w_profile_pick").options
    assert re.fullmatch(r"plan \(today \d\d:\d\d\)", option), option
