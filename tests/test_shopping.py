"""Shopping list: merging per food and unit, sorting, totals, household text, supplements.

``sample_table`` and ``sample_plan`` build a small hand-made plan with known numbers; the
export tests import them too.
"""

from __future__ import annotations

import dataclasses

import pytest

from mealplan.foods import FoodTable, parse_food_csv
from mealplan.plan import (
    DayPlan,
    Meal,
    Plan,
    PlanItem,
    PlanOptions,
    SolveInfo,
    check_bounds,
    day_totals,
)
from mealplan.shopping import (
    ShoppingItem,
    format_grams,
    household_text,
    shopping_list,
    split_supplements,
)
from mealplan.targets import Bound, Targets

SAMPLE_CSV = """\
id,name,food_group,energy_kcal,magnesium_mg,k2_ug,vitamin_d_ug,portion_name,portion_g,min_portions,max_portions,flags
almonds,Almonds,Nut and Seed Products,600,270,,0,1 oz (28 g),28,1,3,
oats,"Oats, rolled",Cereal Grains and Pasta,380,140,0,0,g,1,10,500,
cheddar,Cheddar,Dairy and Egg Products,400,28,100,0.6,1 oz (28.35 g),28.35,1,3,fermented
yogurt,"yogurt, plain",Dairy and Egg Products,60,12,1,0,1 cup (150 g),150,1,2,
banana,Banana,Fruits and Fruit Juices,90,27,0,0,1 medium (118 g),118,1,2,
vit_d3,"Vitamin D3 capsule, 25 µg",Supplements,0,0,0,2500,1 capsule (25 µg),1,1,1,supplement
"""


def sample_table() -> FoodTable:
    """A six-food table with food groups, a grams-only food and a supplement."""
    return parse_food_csv(SAMPLE_CSV.encode(), "sample table")


def _item(table: FoodTable, fid: str, portions: float, unit: str | None = None,
          grams: float | None = None) -> PlanItem:
    row = table.row(fid)
    pg = float(row["portion_g"])
    return PlanItem(fid, str(row["name"]), portions, unit or str(row["portion_name"]),
                    grams if grams is not None else portions * pg,
                    "supplement" in table.list_of(fid, "flags"))


SAMPLE_TARGETS = Targets(bounds=(
    Bound("energy_kcal", 300.0, 2500.0, "kcal", source="test energy"),
    Bound("magnesium_mg", 300.0, None, "mg", source="test RDA", reason="muscles"),
    Bound("k2_ug", 100.0, 200.0, "µg", source="test K2", period="week", daily_min=20.0),
    Bound("vitamin_d_ug", None, 100.0, "µg", source="test UL", supplements_only=True),
))


def sample_plan() -> Plan:
    """Two hand-made days; day 1 misses the magnesium minimum (not verified).

    Day 1: almonds 2 x 28 g, oats 40 g, cheddar 3 x 28.35 g, banana 1 x 118 g, D3 1 capsule.
    Day 2: almonds 3 x 28 g, almonds 20 g (other unit), cheddar 3 x 28.35 g, yogurt 1 x 150 g,
    banana 1 x 118 g, D3 1 capsule.
    """
    t = sample_table()
    day1 = [Meal("breakfast", (_item(t, "almonds", 2), _item(t, "oats", 40))),
            Meal("lunch", (_item(t, "cheddar", 3), _item(t, "banana", 1))),
            Meal("dinner", (_item(t, "vit_d3", 1),)),
            Meal("snack", ())]
    day2 = [Meal("breakfast", (_item(t, "almonds", 3), _item(t, "yogurt", 1))),
            Meal("lunch", (_item(t, "cheddar", 3), _item(t, "vit_d3", 1))),
            Meal("dinner", (_item(t, "almonds", 20, unit="g", grams=20.0),)),
            Meal("snack", (_item(t, "banana", 1),))]
    nutrients = ["energy_kcal", "magnesium_mg", "k2_ug", "vitamin_d_ug"]
    days = []
    for n, meals in enumerate((day1, day2), start=1):
        items = [it for m in meals for it in m.items]
        totals, _ = day_totals(items, t, nutrients)
        days.append(DayPlan(n, tuple(meals), totals))
    checks = check_bounds(days, t, SAMPLE_TARGETS)
    info = SolveInfo("optimal", 1.23456, 1.2, 0.0123456, 0.41234, 0.1, "test", "HiGHS")
    return Plan(tuple(days), SAMPLE_TARGETS, PlanOptions(days=2), info, tuple(checks),
                verified=False, warnings=("a test warning",))


@pytest.fixture
def table() -> FoodTable:
    """The sample table."""
    return sample_table()


@pytest.fixture
def plan() -> Plan:
    """The sample plan."""
    return sample_plan()


def test_merged_sorted_with_exact_totals(plan: Plan, table: FoodTable) -> None:
    """Items merge per food and unit, sort by group then name (any case), supplements last."""
    items = shopping_list(plan, table)
    assert [(s.food_id, s.portion_name) for s in items] == [
        ("oats", "g"),  # Cereal Grains and Pasta
        ("cheddar", "1 oz (28.35 g)"),  # Dairy and Egg Products: Cheddar < yogurt
        ("yogurt", "1 cup (150 g)"),
        ("banana", "1 medium (118 g)"),  # Fruits and Fruit Juices
        ("almonds", "1 oz (28 g)"),  # Nut and Seed Products, oz before the gram unit
        ("almonds", "g"),
        ("vit_d3", "1 capsule (25 µg)"),  # supplements last
    ]
    by = {(s.food_id, s.portion_name): s for s in items}
    cheddar = by["cheddar", "1 oz (28.35 g)"]
    assert cheddar == ShoppingItem("cheddar", "Cheddar", "Dairy and Egg Products", 170.1, 6.0,
                                   "1 oz (28.35 g)", "6 x 1 oz (28.35 g) = 170 g", (1, 2))
    almonds = by["almonds", "1 oz (28 g)"]
    assert (almonds.portions, almonds.grams, almonds.days) == (5.0, 140.0, (1, 2))
    assert almonds.household == "5 x 1 oz (28 g) = 140 g"
    almonds_g = by["almonds", "g"]
    assert (almonds_g.portions, almonds_g.grams, almonds_g.days) == (20.0, 20.0, (2,))
    assert almonds_g.household == "20 g"
    assert by["oats", "g"].household == "40 g"
    assert by["banana", "1 medium (118 g)"].household == "2 x 1 medium (118 g) = 236 g"
    assert by["yogurt", "1 cup (150 g)"].days == (2,)


def test_grams_sum_matches_the_plan(plan: Plan, table: FoodTable) -> None:
    """Every gram of the plan is on the list exactly once."""
    planned = sum(it.grams for d in plan.days for it in d.items)
    assert sum(s.grams for s in shopping_list(plan, table)) == pytest.approx(planned)


def test_supplements_marked_and_split(plan: Plan, table: FoodTable) -> None:
    """Supplements carry is_supplement, sit under 'Supplements' and have no weight in the text."""
    foods, supplements = split_supplements(shopping_list(plan, table))
    assert [s.food_id for s in supplements] == ["vit_d3"]
    d3 = supplements[0]
    assert d3.is_supplement and d3.food_group == "Supplements"
    assert d3.household == "2 x 1 capsule (25 µg)"
    assert d3.days == (1, 2)
    assert not any(s.is_supplement for s in foods)
    assert len(foods) == 6


def test_without_table_groups_are_other(plan: Plan) -> None:
    """Without a food table, foods go under 'Other' (sorted by name), supplements still last."""
    items = shopping_list(plan, None)
    assert {s.food_group for s in items if not s.is_supplement} == {"Other"}
    assert [s.name for s in items] == ["Almonds", "Almonds", "Banana", "Cheddar",
                                       "Oats, rolled", "yogurt, plain",
                                       "Vitamin D3 capsule, 25 µg"]


def test_food_missing_from_table_is_other(plan: Plan, table: FoodTable) -> None:
    """A planned food the table does not hold is listed under 'Other', not dropped."""
    items = shopping_list(plan, table.without(["banana"]))
    banana = next(s for s in items if s.food_id == "banana")
    assert banana.food_group == "Other"


def test_empty_plan_gives_empty_list(plan: Plan, table: FoodTable) -> None:
    """A plan without items has nothing to buy."""
    empty = dataclasses.replace(plan, days=(DayPlan(1, (Meal("breakfast", ()),), {}),))
    assert shopping_list(empty, table) == []


def test_fractional_portions_are_kept(plan: Plan, table: FoodTable) -> None:
    """Continuous plans sum fractional portions; the text shows up to 3 decimals."""
    meal = Meal("breakfast", (_item(table, "banana", 0.5), _item(table, "banana", 0.25)))
    half = dataclasses.replace(plan, days=(DayPlan(1, (meal,), {}),))
    (banana,) = shopping_list(half, table)
    assert banana.portions == 0.75
    assert banana.grams == 88.5
    assert banana.household == "0.75 x 1 medium (118 g) = 88 g"


@pytest.mark.parametrize(("grams", "text"), [
    (170.1, "170 g"), (8.46, "8.5 g"), (1250.0, "1,250 g"), (10.0, "10 g"), (0.0, "0 g")])
def test_format_grams(grams: float, text: str) -> None:
    """Whole grams from 10 g up, one decimal below, thousands separated."""
    assert format_grams(grams) == text


def test_household_text_forms() -> None:
    """Units, plain grams and supplements each read naturally."""
    assert household_text(6, "1 oz (28 g)", 170.1) == "6 x 1 oz (28 g) = 170 g"
    assert household_text(150, "g", 150) == "150 g"
    assert household_text(1.5, "1 cup (150 g)", 225) == "1.5 x 1 cup (150 g) = 225 g"
    assert household_text(3, "1 tablet", 3, supplement=True) == "3 x 1 tablet"


def test_shopping_item_is_frozen(plan: Plan, table: FoodTable) -> None:
    """Shopping items cannot be changed after the fact."""
    item = shopping_list(plan, table)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.grams = 1.0  # type: ignore[misc]
