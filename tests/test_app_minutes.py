"""Weeknight limits in the app (issue 12 item 4): the sidebar's "Weeknight cooking limit" and
"Weekend limit" reach PlanOptions, the plan obeys them, the day view says the day's limit
and each meal's prep minutes, and a value out of range is named, never a crash."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_app import APP, clean, start, submit, texts

from mealplan.dishes import shipped_dishes
from mealplan.errors import TargetsError
from mealplan.plan import PlanOptions
from mealplan.ui.plan_table import (
    cooking_limits_text,
    day_limit_text,
    meal_minutes_text,
)
from mealplan.ui.settings import AppSettings, build_targets, dish_minutes, plan_options

LIMIT = 20


pytestmark = pytest.mark.usefixtures("db")  # saved work in a temporary file (conftest)


# -- the app ----------------------------------------------------------------------------------
def test_weeknight_limit_in_the_sidebar_reaches_the_plan_and_the_day_view() -> None:
    """A 20-minute limit set in the sidebar: the settings, the options and the plan carry it;
    every dish of the plan takes at most 20 minutes by the dish table; day 1 says its limit
    and every meal its prep minutes."""
    dishes = shipped_dishes()
    # the limit leaves something out: the shipped table has slower dishes
    assert any(d.prep_minutes + d.cook_minutes > LIMIT for d in dishes.dishes)
    at = start(days=1)
    assert at.number_input(key="w_max_minutes").value is None  # off by default
    assert at.number_input(key="w_weekend_minutes").value is None
    at.number_input(key="w_max_minutes").set_value(LIMIT)
    submit(at)
    assert at.session_state["s_settings"].max_dish_minutes == LIMIT
    assert at.session_state["s_options"].max_dish_minutes == LIMIT
    plan = at.session_state["s_plan"]
    assert plan is not None, texts(at.error)
    assert plan.verified
    assert plan.options.max_dish_minutes == LIMIT and plan.options.weekend_dish_minutes is None
    served = [it for d in plan.days for it in d.items if it.dish is not None]
    assert served, "the plan holds named dishes"
    for it in served:
        d = dishes.get(it.food_id)
        assert d.prep_minutes + d.cook_minutes <= LIMIT, (it.food_id, d.prep_minutes,
                                                          d.cook_minutes)
        assert it.dish.minutes == d.prep_minutes + d.cook_minutes  # type: ignore[union-attr]
    captions = texts(at.caption)
    assert f"Weeknight limit: {LIMIT} min per dish" in captions
    meals = [m for m in plan.day(1).meals if m.items]
    assert captions.count("Prep and cooking:") == len(meals)
    for it in served:
        assert f"{it.dish.minutes} min" in captions  # type: ignore[union-attr]


@pytest.mark.parametrize(("key", "value", "column"), [
    ("w_max_minutes", 3, "weeknight cooking limit"),
    ("w_max_minutes", 601, "weeknight cooking limit"),
    ("w_weekend_minutes", 1000, "weekend limit"),
])
def test_a_limit_out_of_range_is_named_not_a_crash(key: str, value: int, column: str) -> None:
    """A limit outside 5-600 minutes: a clear message naming the setting, no plan, no
    exception."""
    at = start(days=1)
    at.number_input(key=key).set_value(value)
    submit(at)
    assert at.session_state["s_plan"] is None
    error = texts(at.error)
    assert column in error and f"{value} minutes" in error, error
    assert "choose 5 to 600 minutes per dish" in error, error


def test_a_negative_limit_cannot_crash_the_app() -> None:
    """The box holds nothing below 0 (the browser stops it); a negative value forced in is
    dropped, never an exception."""
    at = start(days=1)
    at.number_input(key="w_max_minutes").set_value(-5).run()
    clean(at)
    assert at.number_input(key="w_max_minutes").value in (None, 0)


def test_saved_limits_fill_the_sidebar() -> None:
    """Settings put into the sidebar (a loaded profile, a fix) show their limits; an empty
    box reads back as no limit."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["s_pending_widgets"] = AppSettings(max_dish_minutes=30,
                                                       weekend_dish_minutes=90)
    at.run()
    clean(at)
    assert at.number_input(key="w_max_minutes").value == 30
    assert at.number_input(key="w_weekend_minutes").value == 90


# -- settings -> options, and the words the day view uses ---------------------------------------
def test_settings_carry_the_limits_to_the_plan_options() -> None:
    """Empty or 0 is no limit; 5-600 reach PlanOptions; both survive a saved profile, and a
    profile saved before the limits loads without them."""
    o = plan_options(AppSettings())
    assert (o.max_dish_minutes, o.weekend_dish_minutes) == (None, None)
    o = plan_options(AppSettings(max_dish_minutes=0, weekend_dish_minutes=0))
    assert (o.max_dish_minutes, o.weekend_dish_minutes) == (None, None)
    s = AppSettings(max_dish_minutes=30, weekend_dish_minutes=90)
    o = plan_options(s)
    assert (o.max_dish_minutes, o.weekend_dish_minutes) == (30, 90)
    assert [o.minutes_limit(d) for d in (1, 5, 6, 7, 8)] == [30, 30, 90, 90, 30]
    assert AppSettings.from_json(s.to_json()) == s
    old = s.to_json().replace('"max_dish_minutes": 30,', "").replace(
        '"weekend_dish_minutes": 90,', "")
    assert "dish_minutes" not in old
    assert AppSettings.from_json(old) == AppSettings()
    build_targets(AppSettings(max_dish_minutes=5, weekend_dish_minutes=600))  # the range ends
    for bad in (4, 601, -1, 12.5, "soon"):
        assert dish_minutes(bad) is None
        with pytest.raises(TargetsError, match="choose 5 to 600 minutes per dish"):
            build_targets(AppSettings(max_dish_minutes=bad))  # type: ignore[arg-type]


def test_day_limit_text_names_weeknights_and_the_weekend() -> None:
    """Days 6 and 7 of each week are the weekend; no limit: no caption."""
    assert day_limit_text(PlanOptions(), 1) == ""
    both = PlanOptions(max_dish_minutes=30, weekend_dish_minutes=90)
    assert [day_limit_text(both, d) for d in (1, 6, 7, 8, 13)] == [
        "Weeknight limit: 30 min per dish", "Weekend limit: 90 min per dish",
        "Weekend limit: 90 min per dish", "Weeknight limit: 30 min per dish",
        "Weekend limit: 90 min per dish"]
    week = PlanOptions(max_dish_minutes=30)
    assert day_limit_text(week, 6) == "Weekend limit: 30 min per dish (as on weeknights)"
    weekend = PlanOptions(weekend_dish_minutes=60)
    assert (day_limit_text(weekend, 5), day_limit_text(weekend, 7)) == (
        "", "Weekend limit: 60 min per dish")
    assert cooking_limits_text(None) == cooking_limits_text(PlanOptions()) == ""
    assert cooking_limits_text(week) == "Cooking limit: 30 min per dish."
    assert cooking_limits_text(both) == ("Cooking limit: 30 min per dish on weeknights, "
                                         "90 min at the weekend.")


def test_meal_minutes_text_adds_up_the_dishes() -> None:
    """One dish: its minutes; two: each and the sum; single foods only: said so."""
    grid = pd.DataFrame({
        "day": [1, 1, 1, 1, 1], "meal": ["lunch", "dinner", "dinner", "dinner", "snack"],
        "is_dish": [True, True, True, False, False],
        "minutes": [20, 15, 10, None, None]})
    assert meal_minutes_text(grid, 1, "lunch") == "Prep and cooking: 20 min"
    assert meal_minutes_text(grid, 1, "dinner") == "Prep and cooking: 15 + 10 min (25 min)"
    assert "no dish" in meal_minutes_text(grid, 1, "snack")

