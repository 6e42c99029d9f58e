"""The app with menus (issue 14) and progress (issue 13 item 5): dishes with servings,
minutes and ingredients; kcal per meal and day; the sidebar's natto, dish, pattern, fish and
healthy-day settings reaching the planner; the audit panel; "day k of n" progress and
cancel; the "eat natto" fix."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from mealplan.errors import TargetsError
from mealplan.foods import load_default_table, load_supplements
from mealplan.plan import Diagnosis, Fix, Meal, Plan, Shortfall
from mealplan.purchase import shipped_purchases
from mealplan.targets import HEALTHY_RULES, healthy_rules_on
from mealplan.ui.plan_audit import (
    audit_failures_frame,
    audit_headline,
    audit_rules_frame,
    audit_this_plan,
)
from mealplan.ui.plan_table import day_kcal, dish_text, item_kcal, meal_heading, plan_grid
from mealplan.ui.progress import CANCELLED_TEXT, DayProgress, PlanningCancelled, progress_text
from mealplan.ui.settings import AppSettings, build_targets, plan_options, settings_after_fix

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TABLE = load_default_table()
SUPP = load_supplements()


pytestmark = pytest.mark.usefixtures("db")  # saved work in a temporary file (conftest)


@pytest.fixture(scope="module")
def one_day() -> Plan:
    """A default one-day plan (dishes and single foods in meal patterns)."""
    from mealplan.solve import make_plan

    s = AppSettings(days=1)
    return make_plan(TABLE, build_targets(s), plan_options(s), supplements=SUPP)


def clean(at: AppTest) -> AppTest:
    """No exception anywhere on the page."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def press(at: AppTest, label: str) -> AppTest:
    """Press the first button whose label starts with this text, then check the page."""
    for b in at.button:
        if b.label.startswith(label):
            b.click().run()
            return clean(at)
    raise AssertionError(f"no button {label!r}; have {[b.label for b in at.button]}")


def texts(elements: Any) -> str:
    """All values of a list of text elements, joined."""
    return "\n".join(str(e.value) for e in elements)


# -- settings -> targets and options ----------------------------------------------------------
def test_new_settings_reach_the_planner_options_and_targets() -> None:
    """Natto, dishes, patterns, fish and healthy-day rules flow into PlanOptions/targets;
    natto never with warfarin; an unknown rule is named; all survive JSON."""
    d = AppSettings()
    assert d.healthy == tuple(HEALTHY_RULES) and not d.natto
    assert healthy_rules_on(build_targets(d)) == frozenset(HEALTHY_RULES)
    o = plan_options(d)
    assert (o.natto, o.use_dishes, o.meal_patterns, o.fish_per_week) == (False, True, True, 3)
    s = AppSettings(natto=True, use_dishes=False, meal_patterns=False, fish_per_week=1,
                    healthy=("fibre", "vitamin_c"))
    o = plan_options(s)
    assert (o.natto, o.use_dishes, o.meal_patterns, o.fish_per_week) == (True, False, False, 1)
    assert healthy_rules_on(build_targets(s)) == {"fibre", "vitamin_c"}
    assert AppSettings.from_json(s.to_json()) == s
    warf = AppSettings(natto=True, anticoagulant=True, vitk_min_ug=80, vitk_max_ug=150)
    assert plan_options(warf).natto is False
    with pytest.raises(TargetsError, match="unknown healthy-day rule 'sugar'"):
        build_targets(AppSettings(healthy=("sugar",)))
    with pytest.raises(TargetsError, match="fish per week"):
        build_targets(AppSettings(fish_per_week=-1))
    # the shopping list: 30 purchases a week by default, empty or 0 for no limit
    assert plan_options(d).max_purchases == 30
    assert plan_options(AppSettings(max_purchases=24)).max_purchases == 24
    assert plan_options(AppSettings(max_purchases=0)).max_purchases is None
    assert plan_options(AppSettings(max_purchases=None)).max_purchases is None
    assert AppSettings.from_json(AppSettings(max_purchases=None).to_json()).max_purchases is None
    with pytest.raises(TargetsError, match="shopping list"):
        build_targets(AppSettings(max_purchases=500))


def test_eat_natto_fix_turns_the_natto_setting_on() -> None:
    """Pressing "eat natto" keeps natto on for the next submit and the saved profile."""
    s = AppSettings()
    fix = Fix("eat natto (a 45 g pack with rice) to reach Vitamin K2", "eat_natto")
    after = settings_after_fix(s, fix, build_targets(s))
    assert after.natto and plan_options(after).natto
    assert dataclasses.replace(after, natto=False) == s


# -- the plan as a menu -----------------------------------------------------------------------
def test_plan_grid_shows_dishes_with_servings_minutes_ingredients_and_kcal(one_day: Plan
                                                                          ) -> None:
    """Each dish: servings, prep + cook minutes and every ingredient with grams; meal kcal
    add up to the day's recomputed energy."""
    dishes = [it for it in one_day.day(1).items if it.dish is not None]
    assert dishes, "the default plan holds named dishes"
    it = dishes[0]
    assert it.dish is not None
    text = dish_text(it)
    assert f"{it.dish.servings:g} serving" in text and f"{it.dish.prep_minutes} min" in text
    assert all(f"{i.name} {i.grams:,.0f} g" in text for i in it.dish.ingredients)
    grid = plan_grid(one_day, TABLE)
    row = grid[grid["food_id"] == it.food_id].iloc[0]
    assert bool(row["is_dish"]) and row["minutes"] == it.dish.minutes and row["dish"] == text
    assert row["kcal"] == pytest.approx(item_kcal(it, TABLE), abs=0.06)
    assert not grid[~grid["is_dish"]]["dish"].astype(bool).any()
    meals = {m.slot: sum(item_kcal(x, TABLE) or 0.0 for x in m.items)
             for m in one_day.day(1).meals if m.items}
    for slot, kcal in meals.items():
        heading = meal_heading(grid, 1, slot)
        title, _, shown = heading.partition(" · ")
        assert title == slot.capitalize() and shown.endswith(" kcal")
        # the heading adds the items' rounded values: within 1 kcal of the exact sum
        assert abs(float(shown.removesuffix(" kcal").replace(",", "")) - kcal) <= 1.0
    assert sum(meals.values()) == pytest.approx(day_kcal(one_day, 1), rel=1e-3)
    # the items carry their energy from planning: no table needed
    assert meal_heading(plan_grid(one_day), 1, "lunch") == meal_heading(grid, 1, "lunch")
    bare = replace(one_day, days=tuple(replace(d, meals=tuple(replace(m, items=tuple(
        replace(it, kcal=None) for it in m.items)) for m in d.meals)) for d in one_day.days))
    assert "kcal" not in meal_heading(plan_grid(bare), 1, "lunch")  # no energy, no table


# -- the audit panel --------------------------------------------------------------------------
def test_audit_frames_put_failures_first_with_day_and_meal(one_day: Plan) -> None:
    """A lunch cut to one food fails "not a single food" at "day 1 lunch", listed first;
    every rule shows passed/total."""
    day = one_day.day(1)
    single = next(it for it in day.items if it.dish is None and not it.is_supplement)
    meals = tuple(Meal(m.slot, (single,)) if m.slot == "lunch" else m for m in day.meals)
    broken = dataclasses.replace(one_day, days=(dataclasses.replace(day, meals=meals),))
    report = audit_this_plan(broken, TABLE, SUPP)
    rules = audit_rules_frame(report)
    failing = rules[rules["result"] == "fails"]
    assert len(failing) and list(failing.index) == list(range(len(failing)))  # first
    assert "main meal is not a single food" in set(failing["rule"])
    assert all("/" in p for p in rules[rules["result"] != "not judged"]["passed"])
    fails = audit_failures_frame(report)
    assert len(fails) == len(report.failed)
    hit = fails[fails["rule"] == "main meal is not a single food"]
    assert list(hit["where"]) == ["day 1 lunch"]
    assert "fail" in audit_headline(report)


# -- progress and cancel ----------------------------------------------------------------------
def test_day_progress_reports_each_day_and_a_cancel_stops_the_planner() -> None:
    """The library path: the hook reports "day k of n" after each day; once cancelled, the
    planner stops after the day in hand and raises (no plan comes back)."""
    from mealplan.solve import make_plan

    shown: list[tuple[float, str]] = []
    stop = {"now": False}

    def report(fraction: float, text: str) -> None:
        shown.append((fraction, text))
        stop["now"] = True  # press Cancel as soon as day 1 is shown

    progress = DayProgress(report, cancelled=lambda: stop["now"], what="Planning 3 days")
    s = AppSettings(days=3)
    with pytest.raises(PlanningCancelled, match=r"after day 2 of 3"):
        make_plan(TABLE, build_targets(s), plan_options(s), supplements=SUPP,
                  on_day=progress)
    assert [text for _f, text in shown] == ["Planning 3 days: day 1 of 3 planned"]
    assert shown[0][0] == pytest.approx(1 / 3)
    assert progress.seen == [(1, 3), (2, 3)]  # day 3 was never planned
    assert progress_text(3, 7) == "Planning: day 3 of 7 planned"


@pytest.mark.slow
def test_app_plans_with_progress_shows_dishes_kcal_audit_and_shopping() -> None:
    """The app passes the progress hook (one report per day), shows each dish's minutes and
    ingredients, kcal per meal and per day, the audit panel and a shopping list of the
    ingredients."""
    at = clean(AppTest.from_file(APP, default_timeout=120).run())
    at.slider(key="w_days").set_value(2)
    press(at, "Plan my meals")
    plan = at.session_state["s_plan"]
    assert plan is not None and plan.verified
    assert at.session_state["s_progress"] == [(1, 2), (2, 2)]
    md = texts(at.markdown)
    assert f"**Day 1** · {day_kcal(plan, 1):,.0f} kcal" in md
    assert "**Breakfast · " in md and " kcal**" in md
    captions = texts(at.caption)
    dish = next(it for it in plan.day(1).items if it.dish is not None)
    assert f"**{dish.name}**: {dish_text(dish)}" in captions
    assert any(e.label.startswith("Check this plan") for e in at.expander)
    rules = next(df.value for df in at.dataframe if "rule" in df.value.columns
                 and "passed" in df.value.columns)
    report = audit_this_plan(plan, TABLE, SUPP)
    assert list(rules["rule"]) == [r.rule for r in report.summary()]
    assert audit_headline(report) in texts(at.success) + texts(at.warning)
    at.segmented_control(key="w_view").set_value("Shopping list").run()
    clean(at)
    shop = next(df.value for df in at.dataframe if "section" in df.value.columns)
    purchases = shipped_purchases()
    bought = {purchases.get(f) for d in plan.days for f in d.eaten_ids()}
    assert set(shop["item"]) == {p.item for p in bought if p is not None}
    assert not {it.name for d in plan.days for it in d.items if it.dish} & set(shop["item"])


@pytest.mark.slow
def test_cancel_keeps_the_plan_shown_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cancel seen by the progress hook stops planning: the earlier plan stays, the page
    says planning stopped, and there is no error."""
    import streamlit as st

    import mealplan.solve as solve

    at = clean(AppTest.from_file(APP, default_timeout=120).run())
    at.slider(key="w_days").set_value(1)
    press(at, "Plan my meals")
    before = at.session_state["s_plan"]
    assert before is not None
    assert any(b.key == "w_cancel_planning" for b in at.button) is False  # gone when done

    def cancelled_after_day_one(*args: Any, on_day: Any = None, **kwargs: Any) -> Plan:
        st.session_state["s_cancelled"] = True  # what the Cancel button's callback sets
        on_day(1, 2)
        raise AssertionError("the hook did not stop the planner")

    monkeypatch.setattr(solve, "make_plan", cancelled_after_day_one)
    at.slider(key="w_days").set_value(2)
    press(at, "Plan my meals")
    assert at.session_state["s_plan"] is before
    assert CANCELLED_TEXT in texts(at.info)
    assert not at.error


@pytest.mark.slow
def test_eat_natto_fix_button_plans_with_natto_and_ticks_the_box() -> None:
    """The "eat natto" fix works like the others: it plans again with natto allowed, says
    so, and the sidebar's "I eat natto" is ticked for the next submit."""
    at = clean(AppTest.from_file(APP, default_timeout=120).run())
    s = AppSettings(days=1)
    targets, options = build_targets(s), plan_options(s)
    fix = Fix("eat natto (a 45 g pack with rice, up to 3 times a week) to reach Vitamin K2",
              "eat_natto")
    diag = Diagnosis((Shortfall("k2_ug", "µg", "min", 100.0, 7.0, (1,)),), (fix,))
    for key, value in (("s_settings", s), ("s_targets", targets), ("s_options", options),
                       ("s_diagnosis", diag)):
        at.session_state[key] = value
    clean(at.run())
    assert at.checkbox(key="w_natto").value is False
    press(at, "Eat natto")
    plan = at.session_state["s_plan"]
    assert plan is not None and plan.verified and plan.options.natto
    assert "Applied: eat natto" in texts(at.success)
    assert at.session_state["s_settings"].natto is True
    assert at.checkbox(key="w_natto").value is True


def test_natto_choice_is_off_with_warfarin() -> None:
    """The submitted settings never carry natto with warfarin; once warfarin is submitted the
    natto box is disabled with a note."""
    at = clean(AppTest.from_file(APP, default_timeout=120).run())
    assert not at.checkbox(key="w_natto").disabled
    at.checkbox(key="w_natto").check()
    at.checkbox(key="w_anticoag").check()
    at.number_input(key="w_vitk_min").set_value(90.0)
    at.number_input(key="w_vitk_max").set_value(250.0)
    at.slider(key="w_days").set_value(1)
    press(at, "Plan my meals")
    assert at.session_state["s_settings"].natto is False
    clean(at.run())  # the form is drawn before the submitted settings are stored
    assert at.checkbox(key="w_natto").disabled
    assert "Natto is never planned on warfarin" in texts(at.caption)
    plan = at.session_state["s_plan"]
    assert plan is None or not plan.options.natto


def test_advanced_toggles_and_healthy_rules_reach_the_settings() -> None:
    """"Named dishes", "Meal patterns", the healthy-day rules and fish per week are read on
    submit."""
    at = clean(AppTest.from_file(APP, default_timeout=120).run())
    assert at.multiselect(key="w_healthy").value == list(HEALTHY_RULES)
    at.toggle(key="w_dishes").set_value(False)
    at.toggle(key="w_patterns").set_value(False)
    at.multiselect(key="w_healthy").set_value(["fibre"])
    at.number_input(key="w_fish").set_value(2)
    at.number_input(key="w_purchases").set_value(20)
    at.slider(key="w_days").set_value(1)
    press(at, "Plan my meals")
    s = at.session_state["s_settings"]
    assert (s.use_dishes, s.meal_patterns, s.healthy, s.fish_per_week) == (
        False, False, ("fibre",), 2)
    assert healthy_rules_on(at.session_state["s_targets"]) == {"fibre"}
    o = at.session_state["s_options"]
    assert (o.use_dishes, o.meal_patterns, o.fish_per_week) == (False, False, 2)
    assert s.max_purchases == 20 and o.max_purchases == 20
