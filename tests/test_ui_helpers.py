"""The app's new pure helpers (mealplan.ui): plain words and numbers, the nutrient chart's
data, the bound editor's merged rows, relaxed bounds in words, the fixes worth a button,
locks and bans by name, session messages, and the Streamlit config."""

from __future__ import annotations

import math
import tomllib
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from mealplan.plan import Diagnosis, Fix, Shortfall
from mealplan.ui import state
from mealplan.ui.bounds_editor import BoundEdit, editor_frame, edits_from_editor
from mealplan.ui.chart import AXIS_CAP, chart_frame, coverage_chart
from mealplan.ui.plan_table import (
    edits_summary,
    offered_fixes,
    plan_status,
    relaxed_bounds,
    shown_day,
    view_options,
)
from mealplan.ui.settings import AppSettings, build_targets
from mealplan.ui.text import human_date, number, plural

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("n", "expected"), [(0, "0 foods"), (1, "1 food"), (2, "2 foods"),
                                             (1200, "1,200 foods")])
def test_plural(n: int, expected: str) -> None:
    """Counts read "1 food", never "1 foods"."""
    assert plural(n, "food") == expected


@pytest.mark.parametrize(("x", "expected"), [
    (1440.3, "1,440"), (1586.54, "1,587"), (3463.636, "3,464"), (61.27, "61.3"),
    (0.4632, "0.46"), (None, ""), (math.nan, ""), ("12.5", "12.5")])
def test_number_is_plain_and_never_none(x: object, expected: str) -> None:
    """Numbers are rounded as a label prints them; missing values are empty, not "None"."""
    assert number(x) == expected


def test_human_date() -> None:
    """ISO times from the store read as today/yesterday/a date with the time."""
    now = datetime(2026, 11, 29, 18, 0)
    assert human_date("2026-11-29T14:05:00", now) == "today 14:05"
    assert human_date("2026-11-28T09:30:00", now) == "yesterday 09:30"
    assert human_date("2026-11-03T14:05:09", now) == "3 Nov 2026 14:05"
    assert human_date("not a date", now) == "not a date"


def _coverage() -> pd.DataFrame:
    return pd.DataFrame([
        {"day": 1, "nutrient": "vitamin_b12_ug", "label": "Vitamin B12", "value": 22.8,
         "unit": "µg", "min": 2.4, "max": None, "status": "ok"},
        {"day": 1, "nutrient": "calcium_mg", "label": "Calcium", "value": 1300.0,
         "unit": "mg", "min": 1200.0, "max": 2000.0, "status": "ok"},
        {"day": 1, "nutrient": "net_carbs_g", "label": "Net carbs", "value": 18.0,
         "unit": "g", "min": None, "max": 25.0, "status": "ok"},
        {"day": 2, "nutrient": "calcium_mg", "label": "Calcium", "value": 900.0,
         "unit": "mg", "min": 1200.0, "max": 2000.0, "status": "low"},
    ])


def test_chart_frame_caps_the_axis_and_writes_amounts() -> None:
    """A nutrient at 950 % is drawn at the 200 % cap with its real value in the text; the
    upper limit is placed against the minimum; net carbs (only a limit) is a % of it."""
    d = chart_frame(_coverage(), 1).set_index("nutrient")
    b12 = d.loc["vitamin_b12_ug"]
    assert b12["bar"] == AXIS_CAP and b12["pct"] == pytest.approx(950.0)
    assert b12["text"] == "22.8 µg · 950 % ▸" and math.isnan(b12["limit"])
    ca = d.loc["calcium_mg"]
    assert ca["text"] == "1,300 mg · 108 %" and ca["limit"] == pytest.approx(2000 / 12)
    assert ca["upper limit"] == "at most 2,000 mg" and ca["status"] == "met"
    carbs = d.loc["net_carbs_g"]
    assert carbs["text"] == "18 g · 72 %" and carbs["limit"] == pytest.approx(100.0)
    assert chart_frame(_coverage(), 2).iloc[0]["status"] == "short"


def test_chart_spec_has_text_capped_axis_and_a_distinct_limit_marker() -> None:
    """The chart draws bars, the text on them, and a black tick for limits on a 0-200 axis;
    tooltips have readable titles, not field names."""
    spec = coverage_chart(_coverage(), 1).to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["bar", "rule", "tick", "text"]
    bar = spec["layer"][0]
    assert bar["encoding"]["x"]["scale"]["domain"] == [0, AXIS_CAP]
    assert "#000000" not in bar["encoding"]["color"]["scale"]["range"]
    assert spec["layer"][2]["mark"]["color"] == "#000000"
    titles = {t["title"] for t in bar["encoding"]["tooltip"]}
    assert titles == {"Nutrient", "Amount", "Target", "Upper limit", "Status"}


def test_editor_frame_has_one_row_per_nutrient_and_round_trips() -> None:
    """Calcium's minimum and upper limit share one row (a nutrient appears twice only for a
    different period or the supplements-only limit); the unchanged table gives no edits;
    a changed limit of a merged row edits only that bound."""
    defaults = build_targets(AppSettings())
    frame = editor_frame(defaults)
    assert not frame.duplicated(subset=["nutrient", "period", "supplements_only"]).any()
    assert "label" not in frame.columns and edits_from_editor(frame, defaults) == ()
    row = int(frame.index[frame["nutrient"] == "calcium_mg"][0])
    assert (frame.loc[row, "min"], frame.loc[row, "max"]) == (1200.0, 2000.0)
    frame.loc[row, "max"] = 2500.0
    [edit] = edits_from_editor(frame, defaults)
    assert (edit.key, edit.max, edit.min) == ("calcium_mg|food|max|0", 2500.0, None)


def test_relaxed_bounds_in_words() -> None:
    """A lowered minimum reads with its default, in plain numbers."""
    defaults = build_targets(AppSettings())
    lines = relaxed_bounds((BoundEdit("vitamin_b12_ug|food|min|0", "vitamin_b12_ug",
                                      min=0.42),), defaults)
    assert lines == ["Vitamin B12: at least 0.42 µg a day (default at least 2.4 µg)"]


def test_no_fix_offers_the_diet_already_chosen() -> None:
    """"Plan vegetarian" is never offered to a vegetarian request."""
    d = Diagnosis((Shortfall("vitamin_d_ug", "µg", "min", 15.0, 4.0),),
                  (Fix("plan vegetarian instead of vegan", "change_diet", value="vegetarian"),
                   Fix("allow supplements", "allow_supplements")))
    assert [f.kind for f in offered_fixes(d, "vegetarian")] == ["allow_supplements"]
    assert len(offered_fixes(d, "vegan")) == 2


def test_views_and_edit_summary_by_name() -> None:
    """The Show control lists days, week and shopping list; locks and bans read by name."""
    assert view_options(2) == ["Day 1", "Day 2", "Week", "Shopping list"]
    assert shown_day("Day 12") == 12 and shown_day("Week") is None
    from dataclasses import replace

    from mealplan.plan import Lock, PlanOptions

    class _P:
        options = replace(PlanOptions(), locks=(Lock(3, "breakfast", "cheese_cottage", 1),),
                          bans=frozenset({"brie"}))

    text = edits_summary(_P(), {"cheese_cottage": "Cottage cheese", "brie": "Brie"})  # type: ignore[arg-type]
    assert text == ("Kept in place: Cottage cheese (day 3, breakfast) · "
                    "Left out of the plan: Brie")
    assert "cheese_cottage" not in text


def test_messages_replace_older_ones() -> None:
    """A new message clears every older one, wherever it was shown."""
    s: dict[str, object] = {}
    state.init_state(s)
    state.say(s, "saved", "success", "Saved.")
    assert state.message(s, "saved") == state.Message("success", "Saved.")
    state.say(s, "edit", "info", "Locked.")
    assert state.message(s, "saved") is None and state.message(s, "edit") is not None
    state.clear_messages(s)
    assert state.message(s, "edit") is None


def test_streamlit_config_hides_deploy() -> None:
    """The toolbar is the viewer's (no Deploy button)."""
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["client"]["toolbarMode"] == "viewer"


def test_plan_status_has_no_solver_words() -> None:
    """The status line says how good the plan is and how long it took, nothing more."""
    from mealplan.foods import load_default_table
    from mealplan.plan import DayPlan, Meal, Plan, PlanItem, PlanOptions, SolveInfo, check_bounds

    table = load_default_table()
    targets = build_targets(AppSettings(days=1))
    r = table.row("natto")
    item = PlanItem("natto", str(r["name"]), 1, str(r["portion_name"]), float(r["portion_g"]))
    days = (DayPlan(1, (Meal("breakfast", (item,)),), {}),)
    info = SolveInfo("optimal", 1.0, 1.0, 0.1279, 48.92, 1.56, "day-by-day MILP, two chains",
                     "HiGHS")
    plan = Plan(days, targets, PlanOptions(days=1), info,
                tuple(check_bounds(days, table, targets)), True)
    text = plan_status(plan)
    assert text.startswith("Every target met") and text.endswith("Planned in 49 s.")
    for word in ("HiGHS", "MILP", "gap", "optimal", "chains", "12.79"):
        assert word not in text


def test_added_message_names_foods_the_planner_cannot_use() -> None:
    """An upload with only a caption's columns says by name why the planner leaves it out;
    a complete food is said to be usable."""
    from mealplan.ui.custom_foods import added_message, planning_blockers, read_upload

    table = read_upload(b"id,name,magnesium_mg,energy_kcal\nmy_bar,My bar,150,380\n", "m.csv")
    targets = build_targets(AppSettings())
    text = added_message(table, "from m.csv", planning_blockers(table, targets))
    assert text.startswith("Added 1 food from m.csv. Not planned with the current settings: "
                           "My bar (") and "Iron" in text and "unknown but capped" in text
    assert added_message(table, "from m.csv", {"my_bar": []}) == (
        "Added 1 food from m.csv. The planner can use it.")


def test_day_table_has_two_columns_with_whole_grams() -> None:
    """A meal reads food | amount with the total grams rounded (fits a 390 px screen)."""
    from mealplan.ui.plan_table import day_table

    grid = pd.DataFrame([{"day": 1, "meal": "lunch", "food": "Pinto beans, boiled",
                          "amount": "1 cup", "grams": 171.04,
                          "supplement": False, "food_id": "pinto"},
                         {"day": 1, "meal": "lunch", "food": "Oats", "amount": "40 g",
                          "grams": 40.0, "supplement": False, "food_id": "oats"},
                         {"day": 2, "meal": "lunch", "food": "X", "amount": "1 g",
                          "grams": 1.0, "supplement": False, "food_id": "x"}])
    t = day_table(grid, 1, "lunch")
    assert list(t.columns) == ["food", "amount"]
    assert t.to_dict("records") == [{"food": "Pinto beans, boiled", "amount": "171 g · 1 cup"},
                                    {"food": "Oats", "amount": "40 g"}]  # one weight


def test_timeout_text_has_no_solver_words_or_flags() -> None:
    """A work-limit stop names the day and the app's own controls, never nodes or flags."""
    from mealplan.errors import SolverTimeoutError
    from mealplan.ui.plan_table import timeout_text

    work = SolverTimeoutError("day 3: no plan found within the work limit (400 branch-and-bound"
                              " nodes, then 1600)", limit="work", value=400, day=3)
    text = timeout_text(work)
    assert "for day 3" in text and "Search effort per day" in text
    assert "node" not in text and "branch" not in text and "--" not in text
    time_ = SolverTimeoutError("x", limit="time", value=600, day=2)
    assert "600 s" in timeout_text(time_) and "Give up after" in timeout_text(time_)


def test_helper_modules_do_not_import_streamlit() -> None:
    """Each tab's pure helpers load without Streamlit (so they are tested directly)."""
    import subprocess
    import sys

    helpers = ["bounds_editor", "chart", "custom_foods", "evidence_text", "fdc_import",
               "foods_browser", "plan_table", "saved", "settings", "state", "text"]
    code = ("import sys\n" + "".join(f"import mealplan.ui.{m}\n" for m in helpers)
            + "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
