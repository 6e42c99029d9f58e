"""Exports: JSON shape and values, CSV rows, Markdown content, atomic writes; on a hand-made
plan with known numbers and on a real 2-day plan from the optimiser.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest
from test_shopping import sample_plan, sample_purchases, sample_table

from mealplan import DISCLAIMER
from mealplan.errors import DataFileError
from mealplan.export import (
    CSV_COLUMNS,
    SHOPPING_CSV_COLUMNS,
    ExportError,
    plan_to_dict,
    shopping_csv,
    to_csv,
    to_json,
    to_markdown,
    totals_csv,
    weekly_checks,
    write_atomic,
)
from mealplan.foods import FoodTable, load_default_table
from mealplan.plan import Plan, PlanOptions, SolveInfo
from mealplan.shopping import shopping_list
from mealplan.solve import make_plan
from mealplan.targets import Person, targets_for

TOP_KEYS = ["format", "format_version", "mealplan_version", "days", "weekly", "modes", "status",
            "summary", "unproven_days", "stopped_by", "objective", "best_bound", "gap",
            "worst_day_gap", "solve_seconds", "build_seconds", "method",
            "solver", "verified", "warnings", "targets", "options", "disclaimer"]
ITEM_KEYS = ["food_id", "name", "portions", "portion_name", "grams", "household",
             "is_supplement", "kcal"]
CHECK_KEYS = ["nutrient", "value", "min", "max", "unit", "status", "pct_of_min",
              "supplements_only", "unknown_foods"]
WEEKLY_KEYS = ["nutrient", "period", "average", "lowest", "highest", "min", "max", "unit",
               "status", "supplements_only", "days_out"]
TARGET_KEYS = ["nutrient", "min", "max", "unit", "period", "daily_min", "supplements_only",
               "source", "reason"]


@pytest.fixture
def plan() -> Plan:
    """The hand-made two-day plan of test_shopping (day 1 is low in magnesium)."""
    return sample_plan()


@pytest.fixture
def table() -> FoodTable:
    """The hand-made plan's table."""
    return sample_table()


@pytest.fixture(scope="module")
def real() -> tuple[Plan, FoodTable]:
    """A real 2-day plan for a 45-year-old woman (solved once for the module)."""
    t = load_default_table()
    return make_plan(t, targets_for(Person(age=45, sex="female")), PlanOptions(days=2)), t


# --------------------------------------------------------------------------- JSON

def test_json_shape_and_key_order(plan: Plan) -> None:
    """Every level of the JSON has its documented keys in a stable order."""
    doc = json.loads(to_json(plan))
    assert list(doc) == TOP_KEYS
    assert [list(d) for d in doc["days"]] == [
        ["day", "meals", "totals", "checks", "variety_open"]] * 2
    day1 = doc["days"][0]
    assert [m["slot"] for m in day1["meals"]] == ["breakfast", "lunch", "dinner", "snack"]
    assert day1["meals"][3]["items"] == []
    assert all(list(m) == ["slot", "kcal", "minutes", "items"] for d in doc["days"]
               for m in d["meals"])
    assert all(list(it) == ITEM_KEYS for d in doc["days"] for m in d["meals"]
               for it in m["items"])
    assert all(list(c) == CHECK_KEYS for d in doc["days"] for c in d["checks"])
    assert list(doc["weekly"]) == ["days", "averages", "checks"]
    assert all(list(w) == WEEKLY_KEYS for w in doc["weekly"]["checks"])
    assert all(list(b) == TARGET_KEYS for b in doc["targets"])
    assert list(doc["options"]) == ["days", "slots", "objective", "continuous", "leftovers"]
    assert doc["disclaimer"] == DISCLAIMER
    assert doc["format"] == "mealplan-plan" and doc["format_version"] == 1


def test_json_values_exact(plan: Plan) -> None:
    """Items, totals, checks and solver fields carry the hand-computed numbers, rounded."""
    doc = json.loads(to_json(plan))
    day1 = doc["days"][0]
    assert day1["meals"][0]["items"] == [
        {"food_id": "almonds", "name": "Almonds", "portions": 2, "portion_name": "1 oz (28 g)",
         "grams": 56.0, "household": "2 oz", "is_supplement": False, "kcal": None},
        {"food_id": "oats", "name": "Oats, rolled", "portions": 40, "portion_name": "g",
         "grams": 40.0, "household": "40 g", "is_supplement": False, "kcal": None},
    ]  # a hand-made plan: its items' energy was never computed
    assert day1["meals"][1]["items"][0]["grams"] == 85.05  # 3 x 28.35, float noise rounded
    assert day1["meals"][2]["items"][0]["is_supplement"] is True
    # magnesium: almonds 56 g x 2.7 + oats 40 x 1.4 + cheddar 85.05 x 0.28 + banana 118 x 0.27
    assert day1["totals"] == {"energy_kcal": 934.4, "magnesium_mg": 262.87, "k2_ug": 85.05,
                              "vitamin_d_ug": 25.51}
    mg = next(c for c in day1["checks"] if c["nutrient"] == "magnesium_mg")
    assert mg == {"nutrient": "magnesium_mg", "value": 262.87, "min": 300.0, "max": None,
                  "unit": "mg", "status": "low", "pct_of_min": 87.62,
                  "supplements_only": False, "unknown_foods": []}
    k2 = next(c for c in day1["checks"] if c["nutrient"] == "k2_ug")
    assert (k2["min"], k2["max"], k2["unknown_foods"]) == (20.0, 200.0, ["almonds"])
    vd = next(c for c in day1["checks"] if c["nutrient"] == "vitamin_d_ug")
    assert (vd["value"], vd["supplements_only"], vd["pct_of_min"]) == (25.0, True, None)
    assert len(day1["checks"]) == 4
    assert (doc["status"], doc["objective"], doc["best_bound"], doc["gap"]) == (
        "optimal", 1.235, 1.2, 0.01235)
    assert (doc["solve_seconds"], doc["verified"], doc["warnings"]) == (
        0.412, False, ["a test warning"])
    assert doc["targets"][2] == {
        "nutrient": "k2_ug", "min": 100.0, "max": 200.0, "unit": "µg", "period": "week",
        "daily_min": 20.0, "supplements_only": False, "source": "test K2", "reason": ""}


def test_json_weekly(plan: Plan) -> None:
    """Weekly view: averages over days, a daily bound's worst status and failing days, and
    a weekly bound judged by its average."""
    weekly = json.loads(to_json(plan))["weekly"]
    assert weekly["days"] == 2
    # energy (934.4 + 1160.4) / 2; k2 (85.05 + 86.55) / 2
    assert weekly["averages"] == {"energy_kcal": 1047.4, "magnesium_mg": 308.67,
                                  "k2_ug": 85.8, "vitamin_d_ug": 25.51}
    by = {(w["nutrient"], w["period"], w["min"]): w for w in weekly["checks"]}
    assert len(weekly["checks"]) == 5
    mg = by["magnesium_mg", "day", 300.0]
    assert (mg["status"], mg["days_out"], mg["lowest"], mg["highest"]) == (
        "low", [1], 262.87, 354.47)
    floor = by["k2_ug", "day", 20.0]
    assert (floor["status"], floor["days_out"]) == ("ok", [])
    week = by["k2_ug", "week", 100.0]
    assert (week["average"], week["status"], week["lowest"], week["highest"]) == (
        85.8, "low", 85.05, 86.55)
    assert by["vitamin_d_ug", "day", None]["supplements_only"] is True
    assert by["energy_kcal", "day", 300.0]["status"] == "ok"


def test_weekly_checks_unrounded(plan: Plan) -> None:
    """weekly_checks returns raw numbers (the JSON rounds them)."""
    mg = next(w for w in weekly_checks(plan) if w["nutrient"] == "magnesium_mg")
    assert mg["average"] == pytest.approx((262.874 + 354.474) / 2)


def test_json_never_emits_nan(plan: Plan) -> None:
    """NaN and infinities become null: in solver fields, totals and bounds alike."""
    d1 = plan.days[0]
    bad_day = dataclasses.replace(d1, totals={**d1.totals, "magnesium_mg": math.nan})
    odd = dataclasses.replace(
        plan, days=(bad_day, *plan.days[1:]),
        info=SolveInfo("time limit", math.nan, math.inf, None, 1.0))
    text = to_json(odd)
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    assert (doc["objective"], doc["best_bound"], doc["gap"]) == (None, None, None)
    assert doc["days"][0]["totals"]["magnesium_mg"] is None
    assert plan_to_dict(odd) == doc


def test_json_compact(plan: Plan) -> None:
    """indent=None gives one line that parses to the same document."""
    text = to_json(plan, indent=None)
    assert text.count("\n") == 1
    assert json.loads(text) == json.loads(to_json(plan))


# --------------------------------------------------------------------------- CSV

def test_csv_rows_exact(plan: Plan) -> None:
    """One row per item, in plan order, with names quoted when they hold commas."""
    assert to_csv(plan) == (
        "day,slot,food_id,name,portions,portion_name,grams\n"
        "1,breakfast,almonds,Almonds,2,1 oz (28 g),56\n"
        '1,breakfast,oats,"Oats, rolled",40,g,40\n'
        "1,lunch,cheddar,Cheddar,3,1 oz (28.35 g),85.05\n"
        "1,lunch,banana,Banana,1,1 medium (118 g),118\n"
        '1,dinner,vit_d3,"Vitamin D3 capsule, 25 µg",1,1 capsule (25 µg),1\n'
        "2,breakfast,almonds,Almonds,3,1 oz (28 g),84\n"
        '2,breakfast,yogurt,"yogurt, plain",1,1 cup (150 g),150\n'
        "2,lunch,cheddar,Cheddar,3,1 oz (28.35 g),85.05\n"
        '2,lunch,vit_d3,"Vitamin D3 capsule, 25 µg",1,1 capsule (25 µg),1\n'
        "2,dinner,almonds,Almonds,20,g,20\n"
        "2,snack,banana,Banana,1,1 medium (118 g),118\n")


def test_totals_csv_exact(plan: Plan) -> None:
    """Per-day totals: a day column then one column per nutrient."""
    assert totals_csv(plan) == (
        "day,energy_kcal,magnesium_mg,k2_ug,vitamin_d_ug\n"
        "1,934.4,262.874,85.05,25.5103\n"
        "2,1160.4,354.474,86.55,25.5103\n")


# --------------------------------------------------------------------------- Markdown

def test_markdown_content(plan: Plan, table: FoodTable) -> None:
    """Title, disclaimer, warnings, meal tables, nutrient status, summary and shopping list."""
    md = to_markdown(plan, table)
    assert md.startswith("# Meal plan: 2 days\n")
    assert DISCLAIMER in md
    assert "- a test warning" in md
    for it in (it for d in plan.days for it in d.items):
        assert it.name in md
    assert "## Day 1" in md and "## Day 2" in md
    assert "| Almonds | 2 oz | 56 |" in md
    assert "| Oats, rolled | 40 g | 40 |" in md
    assert "| Vitamin D3 capsule, 25 µg (supplement) | 1 capsule (25 µg) | 1 |" in md
    assert "| Magnesium | 263 mg | ≥ 300 mg | 88 % | **LOW** |" in md
    assert "| Vitamin D (supplements only) | 25.0 µg | ≤ 100 µg | - | ok |" in md
    assert "## Summary over 2 days" in md
    assert ("| Vitamin K2 (all menaquinones) (average) | 85.8 µg | 85.1–86.6 µg | "
            "100–200 µg | **LOW** |") in md
    assert ("| Vitamin K2 (all menaquinones) (daily floor) | 85.8 µg | 85.1–86.6 µg | "
            "20.0–200 µg | ok |") in md
    assert "| Magnesium | 309 mg | 263–354 mg | ≥ 300 mg | **LOW** (day 1) |" in md
    assert "not verified" not in md and "verified against the food table: NO" in md
    assert "## Shopping list" in md


def test_markdown_shopping_list_has_tick_boxes_by_section(plan: Plan, table: FoodTable) -> None:
    """The shopping list prints one tick box per purchase, under store-section headings in
    walking order, with what to buy, what is used, what is left and the days."""
    md = to_markdown(plan, table, purchases=sample_purchases())
    shop = md[md.index("## Shopping list"):]
    headings = [line for line in shop.splitlines() if line.startswith("### ")]
    assert headings == ["### Produce", "### Dairy & eggs", "### Breakfast cereals",
                        "### Nuts & dried fruit", "### Supplements"]
    assert ("- [ ] Bananas: 2 bananas — uses 2 bananas; nothing left over — days 1, 2"
            in shop)
    assert "- [ ] Cheddar: 1 block (200 g) — uses 170 g; 30 g left over — days 1, 2" in shop
    assert "- [ ] yogurt, plain: 150 g — uses 150 g; nothing left over — day 2" in shop
    assert ("- [ ] Vitamin D3 25 µg: 60 capsules (1 bottle of 60) — uses 2 capsules; "
            "58 capsules left over — days 1, 2") in shop
    assert "Total food weight: 756 g." in shop
    assert "Cooked weight" not in shop
    ticks = [line for line in shop.splitlines() if line.startswith("- [ ] ")]
    assert len(ticks) == len(shopping_list(plan, table, sample_purchases())) == 6


def test_markdown_names_merged_foods_and_cooked_weight(plan: Plan) -> None:
    """A line of several foods names them; a cooked weight gets the plain note."""
    from mealplan.plan import Meal, PlanItem

    items = (PlanItem("egg_fried", "Egg, fried", 2, "1 large (46 g)", 92.0),
             PlanItem("egg_boiled", "Egg, hard-boiled", 4, "1 large (50 g)", 200.0),
             PlanItem("brown_rice", "Brown rice, long-grain, cooked", 1, "1 cup (202 g)",
                      202.0))
    day = dataclasses.replace(plan.days[0], meals=(Meal("lunch", items),))
    shop = to_markdown(dataclasses.replace(plan, days=(day,)))
    assert ("- [ ] Eggs: 6 eggs (1 box of 6) — uses 6 eggs; nothing left over — day 1 — as "
            "Egg, fried; Egg, hard-boiled") in shop
    assert ("- [ ] Brown rice: 1 bag (1,000 g) — uses 200 g cooked weight; 800 g left over "
            "— day 1") in shop
    assert "*Cooked weight: the food table gives these foods cooked" in shop


def test_shopping_csv_columns_and_rows(plan: Plan, table: FoodTable) -> None:
    """The shopping CSV has its documented columns and one row per purchase."""
    text = shopping_csv(plan, table, sample_purchases())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == SHOPPING_CSV_COLUMNS == (
        "section", "item", "buy", "packs", "unit", "amount_used", "grams_used", "left_over",
        "days", "foods")
    assert [r["item"] for r in rows] == ["Bananas", "Cheddar", "yogurt, plain", "Rolled oats",
                                         "Almonds", "Vitamin D3 25 µg"]
    almonds = rows[4]
    assert almonds == {"section": "Nuts & dried fruit", "item": "Almonds",
                       "buy": "1 bag (200 g)", "packs": "1", "unit": "bag",
                       "amount_used": "160 g", "grams_used": "160", "left_over": "40 g",
                       "days": "1, 2", "foods": "Almonds"}
    assert rows[2]["packs"] == "" and rows[2]["unit"] == "g"  # bought loose, as planned
    assert shopping_csv(dataclasses.replace(plan, days=())) == ",".join(
        SHOPPING_CSV_COLUMNS) + "\n"


def test_markdown_escapes_pipes(plan: Plan) -> None:
    """A '|' in a food name cannot break the Markdown tables."""
    d1 = plan.days[0]
    m0 = d1.meals[0]
    piped = dataclasses.replace(m0.items[0], food_id="nuts_mixed", name="Nuts | mixed")
    day = dataclasses.replace(d1, meals=(dataclasses.replace(m0, items=(piped,)),))
    md = to_markdown(dataclasses.replace(plan, days=(day,)))
    assert "| Nuts \\| mixed | 2 oz | 56 |" in md
    assert "# Meal plan: 1 day\n" in md
    # no food table and no purchase row: under Other, bought as planned, still escaped
    assert "### Other\n\n- [ ] Nuts \\| mixed: 55 g — uses 55 g; nothing left over" in md


# --------------------------------------------------------------------------- files

def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_write_atomic_writes_and_replaces(tmp_path: Path, plan: Plan) -> None:
    """The text lands in full, an old file is replaced, no temp file stays behind."""
    target = tmp_path / "plan.json"
    target.write_text("old", encoding="utf-8")
    assert write_atomic(target, to_json(plan)) == target
    assert json.loads(target.read_text(encoding="utf-8"))["disclaimer"] == DISCLAIMER
    assert _leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_write_atomic_failure_keeps_old_file(tmp_path: Path, plan: Plan,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """When the final rename fails the old file is intact and the temp file is removed."""
    target = tmp_path / "plan.md"
    target.write_text("the old plan", encoding="utf-8")

    def boom(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(ExportError) as info:
        write_atomic(target, to_markdown(plan))
    assert str(target) in str(info.value) and "No space left on device" in str(info.value)
    assert isinstance(info.value, DataFileError)
    assert target.read_text(encoding="utf-8") == "the old plan"
    assert _leftovers(tmp_path) == []


def test_write_atomic_missing_directory(tmp_path: Path) -> None:
    """A path in a directory that does not exist is a typed error naming the directory."""
    with pytest.raises(ExportError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "plan.csv", "x")


def test_write_atomic_target_is_directory(tmp_path: Path) -> None:
    """Writing over a directory is refused with a typed error."""
    (tmp_path / "out").mkdir()
    with pytest.raises(ExportError, match="is a directory"):
        write_atomic(tmp_path / "out", "x")


def test_write_atomic_keeps_mode(tmp_path: Path) -> None:
    """Replacing a file keeps its permission bits; UTF-8 text survives unchanged."""
    target = tmp_path / "plan.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    write_atomic(target, "µg\n")
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_bytes() == "µg\n".encode()


# --------------------------------------------------------------------------- a real plan

@pytest.mark.slow
def test_real_plan_json_round_trip(real: tuple[Plan, FoodTable]) -> None:
    """A real plan's JSON loads back with every item, check and target intact."""
    plan, _ = real
    text = to_json(plan)
    assert "NaN" not in text
    doc = json.loads(text)
    assert list(doc) == TOP_KEYS
    assert doc["verified"] is True
    assert len(doc["days"]) == 2
    for d, dd in zip(plan.days, doc["days"], strict=True):
        items = [it for m in dd["meals"] for it in m["items"]]
        assert [it["food_id"] for it in items] == [it.food_id for it in d.items]
        assert [it["grams"] for it in items] == pytest.approx([it.grams for it in d.items],
                                                              abs=0.005)
        assert all(c["status"] == "ok" for c in dd["checks"])
        assert len(dd["checks"]) == len(plan.targets.bounds)
    assert len(doc["targets"]) == len(plan.targets.bounds)
    assert all(b["source"] for b in doc["targets"])
    assert all(w["status"] == "ok" for w in doc["weekly"]["checks"])
    assert doc["weekly"]["averages"]["magnesium_mg"] == pytest.approx(
        sum(d.totals["magnesium_mg"] for d in plan.days) / 2, abs=0.01)


@pytest.mark.slow
def test_real_plan_csv_markdown_and_shopping(real: tuple[Plan, FoodTable]) -> None:
    """CSV has a row per item, Markdown names every food, the list holds every gram."""
    plan, table = real
    items = [it for d in plan.days for it in d.items]
    rows = list(csv.DictReader(io.StringIO(to_csv(plan))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(items)
    assert sum(float(r["grams"]) for r in rows) == pytest.approx(
        sum(it.grams for it in items), abs=0.01 * len(items))
    assert len(totals_csv(plan).splitlines()) == 1 + len(plan.days)
    md = to_markdown(plan, table)
    assert DISCLAIMER in md
    shop = shopping_list(plan, table)
    for it in items:
        assert it.name in md
    for s in shop:
        assert s.buy in md and s.listed
        assert s.section != "other"
    assert sum(s.grams for s in shop) == pytest.approx(sum(it.grams for it in items), abs=0.05)


def test_empty_plan_exports(plan: Plan) -> None:
    """A plan without days still exports: empty lists, a header-only CSV, no crash."""
    empty = dataclasses.replace(plan, days=(), checks=())
    doc = json.loads(to_json(empty))
    assert doc["days"] == [] and doc["weekly"] == {"days": 0, "averages": {}, "checks": []}
    assert to_csv(empty) == ",".join(CSV_COLUMNS) + "\n"
    assert totals_csv(empty) == "day\n"
    md = to_markdown(empty)
    assert "# Meal plan: 0 days" in md and "Nothing to buy." in md


# --------------------------------------------------------------------------- injection

EVIL = "=HYPERLINK(\"http://x\") <img src=x onerror=alert(1)> [click](javascript:alert(1))"


def _renamed(plan: Plan, name: str) -> Plan:
    days = [dataclasses.replace(d, meals=tuple(
        dataclasses.replace(m, items=tuple(dataclasses.replace(it, name=name, portion_name="@x")
                                           for it in m.items)) for m in d.meals))
            for d in plan.days]
    return dataclasses.replace(plan, days=tuple(days))


def test_csv_export_quotes_formulas(plan: Plan) -> None:
    """Text cells starting with = + - @ (or tab/CR) get a leading ' so no spreadsheet runs them.

    Before: the name went verbatim into the CSV and the app's Download CSV.
    """
    rows = list(csv.DictReader(io.StringIO(to_csv(_renamed(plan, EVIL)))))
    assert rows and all(r["name"] == "'" + EVIL for r in rows)
    assert all(r["portion_name"] == "'@x" for r in rows)
    assert all(not r["grams"].startswith("'") for r in rows)  # numbers stay numbers


def test_markdown_escapes_html_and_links(plan: Plan, table: FoodTable) -> None:
    """No raw HTML and no javascript: link from a food name reaches the Markdown."""
    text = to_markdown(_renamed(plan, EVIL), table)
    assert "<img" not in text
    assert not re.search(r"(?<!\\)\]\(javascript", text)
    assert "&lt;img src=x onerror=alert(1)&gt; \\[click\\](javascript:alert(1))" in text
    assert "**LOW**" in text  # the module's own markup is kept
