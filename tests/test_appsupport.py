"""Tests of the app's pure helpers (mealplan.ui's helper modules): uploads, FoodData Central
imports, browsing, settings, the dietitian's bound edits, plan display tables and saved-plan
views."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mealplan.errors import FDCError, FoodTableError, ProfileError, StoreError, TargetsError
from mealplan.fdc import FDCSearchHit
from mealplan.foods import FoodTable, load_default_table
from mealplan.plan import (
    DayPlan,
    Diagnosis,
    Lock,
    Meal,
    Plan,
    PlanItem,
    PlanOptions,
    Shortfall,
    SolveInfo,
    check_bounds,
    dish_table,
)
from mealplan.targets import K2_MAX_UG, K2_MIN_UG
from mealplan.ui.bounds_editor import BoundEdit, bounds_frame, edits_from_frame
from mealplan.ui.chart import coverage_chart
from mealplan.ui.custom_foods import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_MB,
    combine_tables,
    custom_food_table,
    custom_foods_frame,
    planning_blockers,
    read_upload,
)
from mealplan.ui.evidence_text import evidence_rows
from mealplan.ui.fdc_import import fdc_food_table, fdc_hits_frame, parse_fdc_ids, retag_food
from mealplan.ui.foods_browser import best_foods, food_browser_frame
from mealplan.ui.plan_table import (
    ban_food,
    coverage_frame,
    diagnosis_frame,
    k2_frame,
    lock_item,
    plan_grid,
    plan_status,
    weekly_summary,
)
from mealplan.ui.saved import compare_saved_plans, saved_plan_items, saved_plan_summary
from mealplan.ui.settings import EXCLUDABLE_FLAGS, AppSettings, build_targets, plan_options
from mealplan.units import ALLERGENS

GOOD_CSV = b"id,name,magnesium_mg,energy_kcal\nmy_bar,My bar,120,400\n"
FDC_DATA = Path(__file__).parent / "data" / "fdc"
BANANA, CHEDDAR = "bananas_raw_fdc_173944", "cheese_cheddar_fdc_173414"
SEEDS = "seeds_pumpkin_raw_fdc_2515378"


def fdc_food(name: str) -> Any:
    """A full FDC food from tests/data/fdc."""
    return json.loads((FDC_DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fdc_table() -> FoodTable:
    """Bananas and cheddar (SR Legacy) and raw pumpkin seeds (Foundation) from FDC."""
    return fdc_food_table([fdc_food("food_173944_banana_sr_legacy.json"),
                              fdc_food("food_173414_cheddar_sr_legacy.json"),
                              fdc_food("food_2515378_pumpkin_seeds_foundation.json")])


@pytest.fixture(scope="module")
def table() -> FoodTable:
    """The shipped food table."""
    return load_default_table()


# -- uploads --------------------------------------------------------------------------------
def test_upload_ok() -> None:
    """A valid CSV becomes a table."""
    t = read_upload(GOOD_CSV, "mine.csv")
    assert t.ids == ["my_bar"] and t.value("my_bar", "magnesium_mg") == 120


def test_upload_too_large_is_refused_before_parsing() -> None:
    """The size limit is checked in code, with the limit in the message."""
    with pytest.raises(FoodTableError, match=r"file is 5\.37 KB; the limit is 1 KB"):
        read_upload(GOOD_CSV * 100, "big.csv", max_bytes=1024)
    with pytest.raises(FoodTableError, match=r"the limit is 2 MB") as exc:
        read_upload(b"x" * (MAX_UPLOAD_BYTES + 1), "big.csv")
    assert exc.value.source == "big.csv"


def test_upload_limit_matches_streamlit_config() -> None:
    """The code's limit equals server.maxUploadSize in .streamlit/config.toml."""
    import tomllib
    from pathlib import Path

    cfg = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["maxUploadSize"] == MAX_UPLOAD_MB


@pytest.mark.parametrize(
    ("raw", "name", "expected"),
    [
        (GOOD_CSV, "foods.xlsx", "not a .csv file"),
        (b"id,name,magnesium_mg\nBad Id,x,1\n", "a.csv", "row 1, column 'id': malformed id"),
        (b"id,name,magnesium_mg\nok,x,-3\n", "a.csv", "row 1, column 'magnesium_mg': negative"),
        (b"id,name,magnesium_mg\nok,x,lots\n", "a.csv", "'lots' is not a number"),
        (b"\xff\xfe\x00", "a.csv", "not UTF-8"),
    ],
)
def test_upload_errors_name_row_and_column(raw: bytes, name: str, expected: str) -> None:
    """Bad uploads raise FoodTableError whose text says where the problem is."""
    with pytest.raises(FoodTableError) as exc:
        read_upload(raw, name)
    assert expected in exc.value.render()


def test_custom_food_valid_and_invalid(table: FoodTable) -> None:
    """A form's fields are validated like a CSV row; lists become ';' cells."""
    t = custom_food_table({"id": "oat_bar", "name": "Oat bar", "portion_name": "1 bar",
                              "portion_g": 40.0, "magnesium_mg": 80.0, "k2_ug": None,
                              "slots": ["snack"], "diet_tags": ["vegan"], "allergens": []})
    assert t.list_of("oat_bar", "slots") == {"snack"}
    assert math.isnan(t.value("oat_bar", "k2_ug")) if "k2_ug" in t.df else True
    with pytest.raises(FoodTableError, match="name is empty"):
        custom_food_table({"id": "x1", "name": "", "magnesium_mg": 1.0})
    with pytest.raises(FoodTableError, match="portion grams must be > 0"):
        custom_food_table({"id": "x1", "name": "X", "portion_name": "cup",
                              "portion_g": 0.0, "magnesium_mg": 1.0})
    with pytest.raises(FoodTableError, match="is in both"):
        combine_tables(table, [custom_food_table({"id": "natto", "name": "N",
                                                        "magnesium_mg": 1.0})])


# -- browsing -------------------------------------------------------------------------------
def test_browser_search_all_words(table: FoodTable) -> None:
    """Every search word must match; sources are shown."""
    df = food_browser_frame(table, "natto")
    assert list(df.index) == ["natto"]
    assert "SR28" in df.loc["natto", "source"]
    assert df.loc["natto", "K2 source"].startswith("Kamao")
    assert len(food_browser_frame(table, "cheese gouda")) >= 1
    assert food_browser_frame(table, "zzzz-nothing").empty


def test_best_foods_k2_and_basis(table: FoodTable) -> None:
    """Natto leads K2 per 100 g; amounts are sorted and never unknown or zero."""
    per100 = best_foods(table, "k2_ug", "100 g", n=5)
    assert per100.index[0] == "natto"
    assert per100["amount"].is_monotonic_decreasing and (per100["amount"] > 0).all()
    portion = best_foods(table, "magnesium_mg", "portion", n=10)
    row = table.row(portion.index[0])
    assert portion["amount"].iloc[0] == pytest.approx(
        row["magnesium_mg"] * row["portion_g"] / 100, rel=1e-3)
    kcal = best_foods(table, "potassium_mg", "100 kcal", n=3)
    r = table.row(kcal.index[0])
    assert kcal["amount"].iloc[0] == pytest.approx(
        r["potassium_mg"] / r["energy_kcal"] * 100, rel=1e-3)
    with pytest.raises(KeyError):
        best_foods(table, "unobtainium_mg")


# -- FoodData Central ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [("173944", [173944]), (" 173944, 171287;173944\n42 ", [173944, 171287, 42]), ("", [])],
)
def test_parse_fdc_ids(text: str, expected: list[int]) -> None:
    """Typed FDC IDs: commas, semicolons or spaces; each once, in order."""
    assert parse_fdc_ids(text) == expected


def test_parse_fdc_ids_errors() -> None:
    """Every bad word is named at once; too many IDs are refused with the limit."""
    with pytest.raises(FDCError, match=r"not an FDC ID .*: '12a', '0', '-3'"):
        parse_fdc_ids("1, 12a 0 -3")
    with pytest.raises(FDCError, match="3 FDC IDs at once; add at most 2"):
        parse_fdc_ids("1 2 3", max_ids=2)


def test_fdc_hits_frame() -> None:
    """Hits as rows: id index, type, brand before category, key nutrients (None if unknown)."""
    hits = [FDCSearchHit(170188, "Seeds, pumpkin", "SR Legacy", "Nut and Seed Products",
                         None, {"magnesium_mg": 592.0, "energy_kcal": 559.0}),
            FDCSearchHit(2099781, "PUMPKIN SEEDS", "Branded", "Snacks", "Example Co.", {})]
    f = fdc_hits_frame(hits)
    assert list(f.index) == [170188, 2099781] and f.index.name == "fdc_id"
    assert f.loc[170188, "Magnesium (mg/100 g)"] == 592.0
    assert f.loc[2099781, "category / brand"] == "Example Co."
    assert f.loc[170188, "category / brand"] == "Nut and Seed Products"
    assert pd.isna(f.loc[2099781, "Magnesium (mg/100 g)"])
    assert fdc_hits_frame([]).empty


def test_fdc_food_table_is_unchecked(fdc_table: FoodTable) -> None:
    """FDC foods become a valid table: source FDC <id>, no diet tag, every allergen."""
    assert fdc_table.ids == [BANANA, CHEDDAR, SEEDS]
    assert fdc_table.source == "FoodData Central (FDC 173944, FDC 173414, FDC 2515378)"
    assert fdc_table.row(BANANA)["source"] == "FDC 173944"
    assert fdc_table.list_of(BANANA, "diet_tags") == frozenset()
    assert fdc_table.list_of(BANANA, "allergens") == ALLERGENS
    assert fdc_table.value(BANANA, "potassium_mg") == 358.0  # SR28 NDB 09040
    with pytest.raises(FDCError, match="no FoodData Central food"):
        fdc_food_table([])
    no_energy = fdc_food("food_173944_banana_sr_legacy.json")
    no_energy["foodNutrients"] = [n for n in no_energy["foodNutrients"]
                                  if n["nutrient"]["number"] != "208"]
    with pytest.raises(FDCError, match="FDC ID 173944: no energy"):
        fdc_food_table([no_energy])


def test_retag_food(fdc_table: FoodTable) -> None:
    """Checked tags and allergens replace the unchecked ones in a new table; errors name
    the column; the input tables are not changed."""
    tables = [fdc_table]
    out = retag_food(tables, CHEDDAR, ["vegetarian"], ["milk"])
    assert out[0].list_of(CHEDDAR, "diet_tags") == {"vegetarian"}
    assert out[0].list_of(CHEDDAR, "allergens") == {"milk"}
    assert "checked by you" in str(out[0].row(CHEDDAR)["notes"])
    assert "not checked" not in str(out[0].row(CHEDDAR)["notes"])
    assert out[0].list_of(BANANA, "allergens") == ALLERGENS  # other foods unchanged
    assert fdc_table.list_of(CHEDDAR, "allergens") == ALLERGENS  # input unchanged
    again = retag_food(out, CHEDDAR, ["vegetarian"], [])
    assert str(again[0].row(CHEDDAR)["notes"]).count("checked by you") == 1
    with pytest.raises(FoodTableError) as exc:
        retag_food(tables, CHEDDAR, ["carnivore"], ["milk", "nuts"])
    text = exc.value.render()
    assert "column 'diet_tags': unknown word 'carnivore'" in text
    assert "column 'allergens': unknown word 'nuts'" in text
    with pytest.raises(FoodTableError, match="no custom food 'natto'"):
        retag_food(tables, "natto", [], [])


def test_planning_blockers_agree_with_candidate_pool(fdc_table: FoodTable,
                                                     table: FoodTable) -> None:
    """A food with no blocker is in the planner's candidate pool; one with blockers is not,
    for several diets, allergies and left-out flags."""
    from mealplan.solve import candidate_pool

    checked = retag_food([fdc_table], BANANA, ["vegan"], [])[0]
    settings = [AppSettings(), AppSettings(diet="vegan"),
                AppSettings(diet="vegetarian", allergens=("milk",)),
                AppSettings(allergens=("peanuts",), exclude_flags=("fortified",))]
    seen_blocked = seen_ok = 0
    for s in settings:
        targets, options = build_targets(s), plan_options(s)
        blockers = planning_blockers(checked, targets, options)
        pool, _ = candidate_pool(combine_tables(table.subset(table.ids[:50]), [checked]),
                                 targets, options)
        for fid, reasons in blockers.items():
            assert pool.has(fid) == (not reasons), (s, fid, reasons)
            seen_blocked += bool(reasons)
            seen_ok += not reasons
    assert seen_blocked and seen_ok
    vegan = planning_blockers(checked, build_targets(AppSettings(diet="vegan")))
    assert vegan[BANANA] == []
    assert vegan[CHEDDAR][0] == "no diet tag allows it in a vegan plan"
    assert "Vitamin D unknown but capped by an upper limit" in vegan[SEEDS][-1]
    nuts = planning_blockers(checked, build_targets(AppSettings(
        allergens=("peanuts", "soy"))))
    assert nuts[CHEDDAR] == ["lists allergens peanuts, soy"]
    banned = planning_blockers(checked, build_targets(AppSettings()),
                                  PlanOptions(bans=frozenset({BANANA})))
    assert banned[BANANA] == ["left out by you"]


def test_custom_foods_frame(fdc_table: FoodTable) -> None:
    """One row per custom food; unchecked allergens and planner status in words."""
    checked = retag_food([fdc_table], BANANA, ["vegan"], [])
    blockers = planning_blockers(checked[0], build_targets(AppSettings(diet="vegan")))
    f = custom_foods_frame(checked, blockers)
    assert list(f.index) == [BANANA, CHEDDAR, SEEDS]
    assert f.loc[BANANA, "allergens"] == "none" and f.loc[BANANA, "diet tags"] == "vegan"
    assert f.loc[BANANA, "planner"] == "can be planned"
    assert f.loc[CHEDDAR, "allergens"] == "every allergen (not checked)"
    assert f.loc[CHEDDAR, "planner"].startswith("left out: no diet tag")
    assert set(custom_foods_frame(checked, None)["planner"]) == {"not checked"}


# -- settings and targets -------------------------------------------------------------------
def test_settings_json_round_trip() -> None:
    """Settings (with bound edits) survive JSON, as the store keeps them."""
    s = AppSettings(age=70, sex="male", diet="vegan", allergens=("soy",), days=3,
                       exclude_flags=("fortified", "uv_vitamin_d"),
                       bound_edits=(BoundEdit("sodium_mg|food|range|0", "sodium_mg",
                                                 False, 1500.0, 2000.0),))
    assert AppSettings.from_json(s.to_json()) == s


@pytest.mark.parametrize(
    ("text", "expected"),
    [("{", "not JSON"), ("[]", "not a JSON object"),
     ('{"colour": "red"}', "unknown setting 'colour'"),
     ('{"keto": "yes"}', "must be true or false"),
     ('{"allergens": "milk"}', "must be a list of words")],
)
def test_settings_bad_json(text: str, expected: str) -> None:
    """A damaged saved profile gives a ProfileError naming the field."""
    with pytest.raises(ProfileError, match=expected):
        AppSettings.from_json(text)


def test_build_targets_k2_window_and_modes() -> None:
    """The K2 window replaces the default band; safety modes need their clinician limits."""
    t = build_targets(AppSettings())
    [k2] = t.bounds_for("k2_ug")
    assert (k2.min, k2.max) == (K2_MIN_UG, K2_MAX_UG)
    t2 = build_targets(AppSettings(k2_min=120, k2_max=180))
    [k2b] = t2.bounds_for("k2_ug")
    assert (k2b.min, k2b.max) == (120, 180) and "your K2 window" in k2b.source
    with pytest.raises(TargetsError, match="K2 window is upside down"):
        build_targets(AppSettings(k2_min=300, k2_max=100))
    with pytest.raises(TargetsError, match="vitamin K band"):
        build_targets(AppSettings(anticoagulant=True))
    warf = build_targets(AppSettings(anticoagulant=True, vitk_min_ug=80, vitk_max_ug=150))
    assert not warf.bounds_for("k2_ug") and any("warfarin" in w for w in warf.warnings)
    with pytest.raises(TargetsError, match="kidney mode"):
        build_targets(AppSettings(ckd=True, potassium_max_mg=2000))


def test_build_targets_exclude_flags() -> None:
    """Left-out flags reach the diet filter; an unknown flag (a damaged profile) is named."""
    t = build_targets(AppSettings(exclude_flags=("fortified",)))
    assert t.diet.exclude_flags == {"fortified"}
    assert set(EXCLUDABLE_FLAGS) >= {"fortified", "uv_vitamin_d"}
    with pytest.raises(TargetsError, match="glittery"):
        build_targets(AppSettings(exclude_flags=("glittery",)))


def test_bound_edits_change_remove_add_and_survive_a_new_person() -> None:
    """Edits diff against defaults and re-apply to another person's defaults."""
    defaults = build_targets(AppSettings())
    frame = bounds_frame(defaults)
    frame.loc[frame["nutrient"] == "sodium_mg", "max"] = 2000.0
    frame = frame[(frame["nutrient"] != "vitamin_e_mg") | frame["supplements_only"]]
    frame = pd.concat([frame, pd.DataFrame([{"nutrient": "fiber_g", "min": 25.0,
                                             "max": math.nan, "period": "day",
                                             "supplements_only": False}])],
                      ignore_index=True)
    edits = edits_from_frame(frame, defaults)
    kinds = {(e.nutrient, e.action) for e in edits}
    assert kinds == {("sodium_mg", "change"), ("vitamin_e_mg", "remove"), ("fiber_g", "add")}
    other = build_targets(AppSettings(age=30, sex="male", ckd=True,
                                            potassium_max_mg=2000, phosphorus_max_mg=900,
                                            bound_edits=edits))
    [na] = other.bounds_for("sodium_mg")
    assert na.max == 2000 and "edited by you" in na.source
    assert [b.supplements_only for b in other.bounds_for("vitamin_e_mg")] == [True]
    assert [b.max for b in defaults.bounds_for("phosphorus_mg")] == [4000]
    assert other.bounds_for("fiber_g")[0].min == 25
    # the kidney cap is a new bound next to the UL: both stay
    assert sorted(b.max for b in other.bounds_for("phosphorus_mg")) == [900, 4000]


def test_unchanged_table_gives_no_edits() -> None:
    """Round trip of the untouched table is a no-op."""
    defaults = build_targets(AppSettings())
    assert edits_from_frame(bounds_frame(defaults), defaults) == ()


@pytest.mark.parametrize(
    ("nutrient", "col", "value", "expected"),
    [("magnesium_mg", "min", 500.0, None),
     ("sodium_mg", "min", 3000.0, "row {row}, column 'min': min 3000 is above max 2300"),
     ("k2_ug", "min", 250.0, "K2 window is upside down"),
     ("calcium_mg", "min", -5.0, "column 'min': -5 is not a finite amount"),
     ("calcium_mg", "period", "month", "period 'month' must be day or week"),
     ("calcium_mg", "nutrient", "unobtainium_mg", "unknown nutrient 'unobtainium_mg'")],
)
def test_bound_edit_errors(nutrient: str, col: str, value: object,
                           expected: str | None) -> None:
    """Bad cells are reported by row and column; good ones pass."""
    defaults = build_targets(AppSettings())
    frame = bounds_frame(defaults).astype({"nutrient": object, "period": object})
    row = int(frame.index[(frame["nutrient"] == nutrient) & ~frame["supplements_only"]][0])
    frame.loc[row, col] = value
    if expected is None:
        edits = edits_from_frame(frame, defaults)
        assert [e.nutrient for e in edits] == [nutrient]
        return
    with pytest.raises(TargetsError) as exc:
        edits_from_frame(frame, defaults)
    assert expected.format(row=row + 1) in exc.value.render()


# -- plan display -------------------------------------------------------------------------
def _tiny_plan(table: FoodTable) -> Plan:
    """A hand-made 2-day plan (not solved) with real checks from the food table."""
    targets = build_targets(AppSettings(days=2))

    def item(fid: str, n: float) -> PlanItem:
        r = table.row(fid)
        return PlanItem(fid, str(r["name"]), n, str(r["portion_name"]),
                        n * float(r["portion_g"]))

    d1 = (Meal("breakfast", (item("natto", 2),)), Meal("dinner", (item("cheese_gouda", 2),)))
    d2 = (Meal("lunch", (item("pumpkin_seeds", 1),)),)
    days = tuple(DayPlan(i, meals, {}) for i, meals in ((1, d1), (2, d2)))
    checks = tuple(check_bounds(days, table, targets))
    info = SolveInfo("optimal", 1.0, 1.0, 0.001, 0.42, 0.1, "test", "HiGHS")
    return Plan(days, targets, PlanOptions(days=2), info, checks, True)


def test_plan_tables(table: FoodTable) -> None:
    """Grid, coverage, K2 band, weekly summary and status come from the plan's checks."""
    plan = _tiny_plan(table)
    grid = plan_grid(plan)
    assert str(grid["food"].iloc[0]).startswith("Natto") and grid["grams"].iloc[0] == 20.0
    assert grid["amount"].iloc[0] == "20 g"  # natto in 10 g steps, less than a 45 g pack
    cov = coverage_frame(plan)
    assert set(cov["day"]) == {1, 2}
    # the supplements-only magnesium cap is not an intake target: one magnesium row per day
    assert (cov[cov["nutrient"] == "magnesium_mg"].groupby("day").size() == 1).all()
    k2 = k2_frame(plan)
    assert k2["value"].iloc[0] == pytest.approx(
        table.value("natto", "k2_ug") * 0.2 + table.value("cheese_gouda", "k2_ug") * 0.567,
        rel=1e-3)
    summary = weekly_summary(plan)
    assert (summary["days outside"] >= 0).all() and "Energy" in set(summary["nutrient"])
    status = plan_status(plan)
    assert status.startswith("Every target met on all 2 days") and "0.4 s" in status
    assert "proven within 0.5 points" in status
    chart = coverage_chart(cov, 1).to_dict()
    assert "layer" in chart


def test_lock_item(table: FoodTable) -> None:
    """Locking adds a Lock to the options (once) and refuses a missing item."""
    plan = _tiny_plan(table)
    locked = lock_item(lock_item(plan, 1, "breakfast", "natto"), 1, "breakfast", "natto")
    assert [(lk.day, lk.food_id, lk.portions) for lk in locked.options.locks] == [
        (1, "natto", 2)]
    assert locked.days == plan.days
    with pytest.raises(TargetsError, match="has no 'natto'"):
        lock_item(plan, 2, "lunch", "natto")
    with pytest.raises(TargetsError, match="locked on day 1"):
        ban_food(locked, "natto", table)


def test_ban_refuses_an_ingredient_of_a_locked_dish(table: FoodTable) -> None:
    """A locked dish keeps its ingredients: banning one names the dish and the way out."""
    plan = _tiny_plan(table)
    dish = dish_table(plan.options).dishes[0]
    locked = replace(plan, options=replace(plan.options, locks=(
        Lock(1, dish.slots[0], dish.id),)))
    with pytest.raises(TargetsError, match=f"in {dish.name}, locked on day 1; unlock the dish"):
        ban_food(locked, dish.ingredients[0].food_id, table)
    other = next(f for f in table.ids if f not in {i.food_id for i in dish.ingredients}
                 and all(f not in d.food_ids() for d in plan.days))
    assert other in ban_food(locked, other, table).options.bans


def test_ban_food_not_in_plan_only_records_the_ban(table: FoodTable) -> None:
    """Banning a food the plan does not use changes no day."""
    plan = _tiny_plan(table)
    out = ban_food(plan, "banana_raw" if table.has("banana_raw") else "natto_x", table)
    assert out.days == plan.days and len(out.options.bans) == 1


def test_diagnosis_frame() -> None:
    """Shortfalls become a readable table: plain numbers, "every day" when every day of the
    request fails, and a nutrient whose best meets its bound is not listed."""
    d = Diagnosis((Shortfall("vitamin_d_ug", "µg", "min", 15.0, 4.1, (2,)),
                   Shortfall("energy_kcal", "kcal", "min", 1440.3, 1200.0, (1, 2, 3)),
                   Shortfall("vitamin_b12_ug", "µg", "min", 2.4, 2.6, (1,))), ())
    df = diagnosis_frame(d, days=3)
    assert df.loc[0, "days"] == "Day 2" and df.loc[0, "nutrient"] == "Vitamin D"
    assert df.loc[0, "needed"] == "at least 15 µg" and df.loc[0, "best possible"] == "4.1 µg"
    assert df.loc[1, "needed"] == "at least 1,440 kcal" and df.loc[1, "days"] == "every day"
    assert len(df) == 2 and "e+" not in df.to_string()
    assert diagnosis_frame(d, days=7).loc[1, "days"] == "Days 1, 2, 3"


# -- saved plans and evidence ---------------------------------------------------------------
SAVED = {"verified": True, "days": [
    {"day": 1, "totals": {"energy_kcal": 1800.0, "magnesium_mg": 400.0},
     "meals": [{"slot": "lunch", "items": [{"food_id": "a", "name": "A", "portions": 2,
                                             "portion_name": "cup", "grams": 100.0}]}]},
    {"day": 2, "totals": {"energy_kcal": 2000.0, "magnesium_mg": 300.0},
     "meals": [{"slot": "dinner", "items": [{"food_id": "b", "name": "B", "portions": 1,
                                              "portion_name": "bowl", "grams": 50.0}]}]}]}


def test_saved_plan_views() -> None:
    """A saved plan's JSON gives items, a summary row and a comparison."""
    items = saved_plan_items(SAVED)
    assert list(items["food"]) == ["A", "B"] and items["amount"].iloc[0] == "2 x cup"
    row = saved_plan_summary(3, "w1", "today", SAVED)["row"]
    assert row["days"] == 2 and row["foods"] == 2 and row["Energy (kcal/day)"] == 1900.0
    other = json.loads(json.dumps(SAVED))
    other["days"][0]["totals"]["magnesium_mg"] = 500.0
    cmp = compare_saved_plans({"one": SAVED, "two": other})
    assert cmp.loc["Magnesium (mg)", "one"] == "350" and cmp.loc["Magnesium (mg)", "two"] == "400"
    assert row["saved"] == "today" and row["verified"] == "yes" and "id" not in row
    with pytest.raises(StoreError, match="no list of days"):
        saved_plan_items({"plan": []})


def test_evidence_rows_cite_seed_files() -> None:
    """The evidence page cites seed articles by file name."""
    rows = evidence_rows()
    assert {"magnesium_mg", "k2_ug"} <= {r["column"] for r in rows}
    assert any("000_7973ab7d68f1019b.txt" in r["body"] for r in rows)


def test_plan_options_from_settings() -> None:
    """Meal order is normalised; favourites feed the 'usual' objective."""
    o = plan_options(AppSettings(days=4, slots=("dinner", "breakfast"), objective="usual",
                                       favourites=("natto",)), bans=frozenset({"x"}))
    assert o.slots == ("breakfast", "dinner") and o.days == 4 and o.bans == {"x"}
    assert o.usual_foods == {"natto"} and o.objective == "usual"



def test_an_upload_without_capped_columns_is_never_called_plannable(table: FoodTable) -> None:
    """A food uploaded with only a few columns: the capped nutrients it lacks (iron, zinc,
    retinol, ...) are named as the reason, exactly as the planner leaves it out."""
    from mealplan.foods import parse_food_csv
    from mealplan.solve import candidate_pool

    upload = parse_food_csv(
        b"id,name,energy_kcal,protein_g,magnesium_mg,portion_name,portion_g,min_portions,"
        b"max_portions,slots,diet_tags\n"
        b"my_bar,My bar,400,10,120,1 bar,50,1,2,snack,pescatarian;vegan;vegetarian\n",
        "upload.csv")
    s = AppSettings()
    targets, options = build_targets(s), plan_options(s)
    [reasons] = planning_blockers(upload, targets, options).values()
    assert reasons and "Iron" in reasons[-1] and "unknown but capped" in reasons[-1]
    pool, _ = candidate_pool(combine_tables(table.subset(table.ids[:50]), [upload]),
                             targets, options)
    assert not pool.has("my_bar")
