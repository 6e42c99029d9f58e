"""Cook once, eat twice, and change one meal (issue 12 items 1 and 5).

The default week cooks the dinner dish of days 1, 3 and 5 for two and serves it again as
the next day's lunch; the plan marks both meals, the exported JSON and Markdown say so, the
verifier and the audit check every pair. Regenerating one meal changes that meal only and
the plan still verifies.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from mealplan.audit import LEFTOVERS_WEEK, audit_plan
from mealplan.cli import main
from mealplan.errors import TargetsError
from mealplan.export import plan_to_dict, to_json, to_markdown
from mealplan.foods import FoodTable, load_default_table
from mealplan.plan import Plan, PlanOptions, leftover_pairs, verify_plan
from mealplan.solve import make_plan, regenerate_meal, swap_item
from mealplan.targets import Person, targets_for


@pytest.fixture(scope="module")
def table() -> FoodTable:
    return load_default_table()


@pytest.fixture(scope="module")
def week(table: FoodTable) -> Plan:
    """The default week of the female 45 omnivore (leftovers on by default)."""
    return make_plan(table, targets_for(Person(45, "female")), PlanOptions())


def _meals(plan: Plan) -> dict[tuple[int, str], list[tuple[str, float]]]:
    return {(d.day, m.slot): [(it.food_id, it.portions) for it in m.items]
            for d in plan.days for m in d.meals}


def test_the_default_week_cooks_once_and_eats_twice(week: Plan, table: FoodTable) -> None:
    """At least two pairs, read back from the exported JSON: the leftovers item names a
    dinner the day before that holds the same dish, which says how much to cook."""
    assert PlanOptions().leftovers
    doc = json.loads(to_json(week))
    items = {(d["day"], m["slot"]): m["items"] for d in doc["days"] for m in d["meals"]}
    pairs = []
    for (day, slot), its in items.items():
        for it in its:
            if "leftovers_of" in it:
                src = (it["leftovers_of"]["day"], it["leftovers_of"]["meal"])
                cooked = [c for c in items[src] if c["food_id"] == it["food_id"]]
                assert src == (day - 1, "dinner") and slot == "lunch"
                assert len(cooked) == 1 and "dish" in cooked[0] and "dish" in it
                assert cooked[0]["cook_for"] == {
                    "day": day, "meal": "lunch", "servings_to_cook": pytest.approx(
                        cooked[0]["dish"]["servings"] + it["dish"]["servings"])}
                pairs.append((src, day))
    assert len(pairs) >= 2
    assert len(pairs) == len(leftover_pairs(week.days))
    assert doc["options"]["leftovers"] is True
    report = audit_plan(doc, table)
    found = [f for f in report.findings if f.rule == LEFTOVERS_WEEK]
    assert len(found) == 1 and found[0].ok and not found[0].skipped
    assert verify_plan(week.days, table, week.targets, week.options) == []
    md = to_markdown(week, table)
    assert "### Lunch (leftovers)" in md and "Cook " in md and "for day 2's lunch" in md


def test_every_meal_shows_its_calories_and_minutes(week: Plan, table: FoodTable) -> None:
    """Issue 12: the JSON and the Markdown give each meal's kcal and prep minutes; the
    meals add up to the day's recomputed energy; leftovers take no cooking time."""
    doc = json.loads(to_json(week))
    for d in doc["days"]:
        meals = [m for m in d["meals"] if m["items"]]
        assert sum(m["kcal"] for m in meals) == pytest.approx(d["totals"]["energy_kcal"],
                                                              abs=0.5)
        for m in meals:
            cooked = sum(it["dish"]["prep_minutes"] + it["dish"]["cook_minutes"]
                         for it in m["items"] if "dish" in it and "leftovers_of" not in it)
            assert m["minutes"] == cooked
    md = to_markdown(week, table)
    day1 = week.day(1)
    assert f"## Day 1 · {day1.totals['energy_kcal']:,.0f} kcal" in md
    dinner = next(m for m in day1.meals if m.slot == "dinner")
    assert dinner.kcal is not None and dinner.minutes > 0
    assert f"### Dinner · {dinner.kcal:,.0f} kcal · {dinner.minutes} min" in md
    # the verifier checks each item's energy against the food table
    wrong = replace(week.days[0], meals=tuple(replace(m, items=tuple(
        replace(it, kcal=(it.kcal or 0.0) + 50) for it in m.items)) for m in day1.meals))
    assert any("kcal" in p for p in verify_plan((wrong, *week.days[1:]), table,
                                                 week.targets, week.options))


def test_a_broken_leftovers_mark_is_caught(week: Plan, table: FoodTable) -> None:
    """The verifier and the audit refuse a leftovers item whose named meal lacks the dish."""
    pair = leftover_pairs(week.days)[0]
    day = week.day(pair.eat[0])
    bad_meals = tuple(replace(m, items=tuple(
        replace(it, leftover_of=(pair.eat[0] - 1, "breakfast")) if it.food_id == pair.food_id
        else it for it in m.items)) for m in day.meals)
    days = tuple(replace(d, meals=bad_meals) if d.day == day.day else d for d in week.days)
    problems = verify_plan(days, table, week.targets, week.options)
    assert any("marked as leftovers" in p for p in problems), problems
    doc = plan_to_dict(replace(week, days=days))
    # the JSON writer reports only real pairs; the audit counts what the items claim
    assert sum(1 for d in doc["days"] for m in d["meals"] for it in m["items"]
               if "leftovers_of" in it) == len(leftover_pairs(week.days))
    doc["options"]["leftovers"] = True
    found = next(f for f in audit_plan(doc, table).findings if f.rule == LEFTOVERS_WEEK)
    n = len(leftover_pairs(week.days)) - 1  # the broken mark is not counted
    assert found.detail.startswith(f"days 1-7: {n} cook-once-eat-twice pair"), found.detail


def test_leftovers_off_plans_none(table: FoodTable) -> None:
    plan = make_plan(table, targets_for(Person(45, "female")),
                     PlanOptions(days=2, leftovers=False))
    assert leftover_pairs(plan.days) == []
    assert all(it.leftover_of is None for d in plan.days for it in d.items)
    doc = json.loads(to_json(plan))
    assert doc["options"]["leftovers"] is False
    assert "(leftovers)" not in to_markdown(plan, table)


@pytest.mark.parametrize(("day", "slot"), [(3, "lunch"), (4, "breakfast"), (2, "snack")])
def test_regenerate_one_meal_changes_only_that_meal(week: Plan, table: FoodTable, day: int,
                                                    slot: str) -> None:
    new = regenerate_meal(week, day, slot, table)
    before, after = _meals(week), _meals(new)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {(day, slot)}
    assert {f for f, _n in after[(day, slot)]} != {f for f, _n in before[(day, slot)]}
    assert new.verified and verify_plan(new.days, table, new.targets, new.options) == []
    assert new.info.method == f"regenerated {slot}"
    # the other days are the same objects' values, leftovers marks included
    assert [d for d in new.days if d.day != day] == [d for d in week.days if d.day != day]


def test_regenerating_a_cooked_dinner_unmarks_its_leftovers(week: Plan,
                                                            table: FoodTable) -> None:
    """A new dinner on the cook day: the next lunch keeps its food but is no longer called
    leftovers (nothing was cooked for it); everything else stays."""
    pair = leftover_pairs(week.days)[0]
    new = regenerate_meal(week, pair.cook[0], "dinner", table)
    before, after = _meals(week), _meals(new)
    assert {k for k in before if before[k] != after[k]} == {pair.cook}
    assert after[pair.eat] == before[pair.eat]
    assert pair.eat not in {p.eat for p in leftover_pairs(new.days)}
    assert len(leftover_pairs(new.days)) == len(leftover_pairs(week.days)) - 1
    assert verify_plan(new.days, table, new.targets, new.options) == []


def test_swap_a_dish_for_a_dish_of_the_same_role(week: Plan, table: FoodTable) -> None:
    """Issue 12: a named main is swapped for another named main of that meal's slot."""
    day = week.day(3)
    meal = next(m for m in day.meals if m.slot == "dinner")
    dish = next(it for it in meal.items if it.dish is not None and it.dish.role in ("main",
                                                                                     "meal"))
    new = swap_item(week, 3, "dinner", dish.food_id, table)
    came = [it for m in new.day(3).meals if m.slot == "dinner" for it in m.items
            if it.food_id not in {x.food_id for x in meal.items}]
    assert len(came) == 1 and came[0].dish is not None
    assert came[0].dish.role in ("main", "meal")
    assert "dinner" in table_dish_slots(came[0].food_id)
    before, after = _meals(week), _meals(new)
    assert {k for k in before if before[k] != after[k]} == {(3, "dinner")}


def table_dish_slots(dish_id: str) -> tuple[str, ...]:
    from mealplan.dishes import shipped_dishes

    return tuple(shipped_dishes().get(dish_id).slots)


def test_regenerate_meal_refuses_what_is_not_there(week: Plan, table: FoodTable) -> None:
    with pytest.raises(TargetsError, match="no day 9"):
        regenerate_meal(week, 9, "lunch", table)
    short = replace(week, days=tuple(
        replace(d, meals=tuple(replace(m, items=()) if m.slot == "snack" else m
                               for m in d.meals)) for d in week.days))
    with pytest.raises(TargetsError, match="has no snack"):
        regenerate_meal(short, 2, "snack", table)


def test_cli_regenerate_meal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--regenerate-meal 2:dinner` gives the same plan but day 2's dinner; a bad value is a
    clear error (exit 2, no traceback)."""
    base = ["plan", "--days", "2", "--sex", "female", "--age", "45", "--format", "json"]
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert main([*base, "--out", str(a)]) == 0
    assert main([*base, "--regenerate-meal", "2:dinner", "--out", str(b)]) == 0
    da, db = (json.loads(p.read_text()) for p in (a, b))
    meals_a = {(d["day"], m["slot"]): m["items"] for d in da["days"] for m in d["meals"]}
    meals_b = {(d["day"], m["slot"]): m["items"] for d in db["days"] for m in d["meals"]}
    assert {k for k in meals_a if meals_a[k] != meals_b[k]} == {(2, "dinner")}
    assert db["verified"] is True
    capsys.readouterr()
    for value, words in (("2-dinner", "is not DAY:MEAL"), ("5:dinner", "day 5 is not in"),
                         ("1:tea", "'tea' is not a planned meal")):
        assert main([*base, "--regenerate-meal", value]) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err


def test_edits_keep_a_day_whose_foods_other_days_took_past_the_cap(week: Plan,
                                                                    table: FoodTable) -> None:
    """A plan whose days were planned with every food open (``variety_open``) may hold a
    food on more days than the cap; an edit of one meal keeps the day's other meals (it
    had refused: 'holds foods the plan can no longer use'). Review finding, this session."""
    opened = replace(week, days=tuple(replace(d, variety_open=True) for d in week.days),
                     options=replace(week.options, max_days_per_food=2))
    repeated = {f for d in week.days if d.day != 1 for f in d.food_ids()}
    assert repeated & week.day(1).food_ids()  # day 1 shares foods with the other days
    new = regenerate_meal(opened, 1, "lunch", table)
    before, after = _meals(opened), _meals(new)
    assert {k for k in before if before[k] != after[k]} == {(1, "lunch")}
