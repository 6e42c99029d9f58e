"""Shopping list: purchases merged across variants and dishes, packs, leftovers, sections.

``sample_table``, ``sample_purchases`` and ``sample_plan`` build a small hand-made plan with
known numbers; the export tests import them too.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import pytest

from mealplan.foods import FoodTable, load_default_table, load_supplements, parse_food_csv
from mealplan.plan import (
    DayPlan,
    DishServing,
    Ingredient,
    Meal,
    Plan,
    PlanItem,
    PlanOptions,
    SolveInfo,
    check_bounds,
    day_totals,
)
from mealplan.purchase import SECTIONS, PurchaseTable, parse_purchase_csv
from mealplan.shopping import ShoppingItem, shopping_list, split_supplements
from mealplan.targets import Bound, Targets

SAMPLE_CSV = """\
id,name,food_group,energy_kcal,magnesium_mg,k2_ug,vitamin_d_ug,portion_name,portion_g,min_portions,max_portions,flags,kind
almonds,Almonds,Nut and Seed Products,600,270,,0,1 oz (28 g),28,1,3,,nuts
oats,"Oats, rolled",Cereal Grains and Pasta,380,140,0,0,g,1,10,500,,cereal
cheddar,Cheddar,Dairy and Egg Products,400,28,100,0.6,1 oz (28.35 g),28.35,1,3,fermented,cheese
yogurt,"yogurt, plain",Dairy and Egg Products,60,12,1,0,1 cup (150 g),150,1,2,,yogurt
banana,Banana,Fruits and Fruit Juices,90,27,0,0,1 medium (118 g),118,1,2,,fruit
vit_d3,"Vitamin D3 capsule, 25 µg",Supplements,0,0,0,2500,1 capsule (25 µg),1,1,1,supplement,
"""
PURCHASE_HEADER = ("id,purchase_key,item,section,unit,pack_g,pack_source,box,unit_g,"
                   "unit_source,cooked_weight,notes")
SAMPLE_PURCHASES = PURCHASE_HEADER + """
almonds,almonds,Almonds,nuts_dried_fruit,bag,200,retail,,,,,
oats,oats,Rolled oats,cereals,bag,500,retail,,,,,
cheddar,cheddar,Cheddar,dairy_eggs,block,200,retail,,,,,
banana,banana,Bananas,produce,banana,118,SR28 09040 seq 5,,,,,
vit_d3,vit_d3,Vitamin D3 25 µg,supplements,capsule,1,retail,bottle of 60,,,,
"""


def sample_table() -> FoodTable:
    """A six-food table with food groups, kinds, a grams-only food and a supplement."""
    return parse_food_csv(SAMPLE_CSV.encode(), "sample table")


def sample_purchases() -> PurchaseTable:
    """How the sample foods are bought; yogurt is left out on purpose (bought as planned)."""
    return parse_purchase_csv(SAMPLE_PURCHASES.encode(), "sample purchases")


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


@pytest.fixture
def purchases() -> PurchaseTable:
    """The sample purchase table."""
    return sample_purchases()


# --------------------------------------------------------------------------- the sample plan

def test_lines_sorted_by_section_with_exact_totals(plan: Plan, table: FoodTable,
                                                   purchases: PurchaseTable) -> None:
    """One line per purchase (almonds in two units merge), in store-section order."""
    items = shopping_list(plan, table, purchases)
    assert [(s.key, s.section) for s in items] == [
        ("banana", "produce"), ("cheddar", "dairy_eggs"),
        ("yogurt", "dairy_eggs"),  # not in the purchase table: its kind places it
        ("oats", "cereals"), ("almonds", "nuts_dried_fruit"),
        ("vit_d3", "supplements")]
    by = {s.key: s for s in items}
    assert by["almonds"] == ShoppingItem(
        key="almonds", name="Almonds", section="nuts_dried_fruit", unit="bag", pack_g=200.0,
        count=1.0, used=0.8, grams=160.0, cooked_grams=0.0, buy="1 bag (200 g)",
        uses="160 g", left="40 g", days=(1, 2), foods=("Almonds",), food_ids=("almonds",))
    assert (by["banana"].buy, by["banana"].uses, by["banana"].left) == (
        "2 bananas", "2 bananas", "none")
    assert (by["cheddar"].grams, by["cheddar"].buy, by["cheddar"].left) == (
        170.1, "1 block (200 g)", "30 g")
    yogurt = by["yogurt"]
    assert not yogurt.listed and (yogurt.buy, yogurt.left, yogurt.packs) == ("150 g", "none",
                                                                             None)
    assert by["oats"].heading == "Breakfast cereals"


def test_grams_sum_matches_the_plan(plan: Plan, table: FoodTable,
                                   purchases: PurchaseTable) -> None:
    """Every gram of the plan is on the list exactly once."""
    planned = sum(it.grams for d in plan.days for it in d.items)
    assert sum(s.grams for s in shopping_list(plan, table, purchases)) == pytest.approx(planned)


def test_supplements_counted_and_split(plan: Plan, table: FoodTable,
                                       purchases: PurchaseTable) -> None:
    """Supplements are counted in capsules, bought by the bottle and listed apart."""
    foods, supplements = split_supplements(shopping_list(plan, table, purchases))
    (d3,) = supplements
    assert d3.is_supplement and d3.section == "supplements" and d3.days == (1, 2)
    assert (d3.buy, d3.uses, d3.left) == ("60 capsules (1 bottle of 60)", "2 capsules",
                                          "58 capsules")
    assert not any(s.is_supplement for s in foods) and len(foods) == 5


def test_without_a_table_unlisted_foods_are_other(plan: Plan, purchases: PurchaseTable) -> None:
    """A food neither table places goes under 'Other', bought as planned."""
    items = shopping_list(plan, None, purchases)
    assert {s.key: s.section for s in items}["yogurt"] == "other"


def test_empty_plan_gives_empty_list(plan: Plan, table: FoodTable) -> None:
    """A plan without items has nothing to buy."""
    empty = dataclasses.replace(plan, days=(DayPlan(1, (Meal("breakfast", ()),), {}),))
    assert shopping_list(empty, table) == []


def test_shopping_item_is_frozen(plan: Plan, table: FoodTable) -> None:
    """Shopping items cannot be changed after the fact."""
    item = shopping_list(plan, table)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.grams = 1.0  # type: ignore[misc]


# --------------------------------------------------------------------------- shipped foods

@cache
def _foods() -> FoodTable:
    return load_default_table()


def _food(fid: str, portions: float) -> PlanItem:
    t = _foods()
    if t.has(fid):
        row = t.row(fid)
        return PlanItem(fid, str(row["name"]), portions, str(row["portion_name"]),
                        portions * float(row["portion_g"]))
    row = load_supplements().row(fid)
    return PlanItem(fid, str(row["name"]), portions, str(row["portion_name"]), portions, True)


def _dish(name: str, parts: dict[str, float]) -> PlanItem:
    t = _foods()
    ings = tuple(Ingredient(f, str(t.row(f)["name"]), g) for f, g in parts.items())
    grams = sum(parts.values())
    return PlanItem("test_dish", name, 1.0, f"1 serving ({grams:.0f} g)", grams,
                    dish=DishServing("main", "test", "assemble", 5, 10, 1.0, ings))


def _plan(*days: list[PlanItem]) -> Plan:
    base = sample_plan()
    return dataclasses.replace(base, days=tuple(
        DayPlan(n, (Meal("lunch", tuple(items)),), {}) for n, items in enumerate(days, 1)))


def _line(items: list[ShoppingItem], name: str) -> ShoppingItem:
    return next(s for s in items if s.name == name)


def test_egg_styles_and_dish_ingredients_are_one_purchase() -> None:
    """Fried, boiled and poached eggs and the eggs inside a dish are one line of eggs, counted
    with each style's SR28 weight of one large egg (fried 46 g, scrambled 61 g)."""
    plan = _plan([_food("egg_fried", 2), _food("egg_boiled", 2)],
                 [_food("egg_poached", 1), _dish("Eggs on greens", {
                     "egg_scrambled": 61.0, "spinach_cooked": 90.0})])
    items = shopping_list(plan)
    eggs = _line(items, "Eggs")
    assert [s.name for s in items].count("Eggs") == 1
    assert eggs.used == pytest.approx(6.0)
    assert (eggs.buy, eggs.uses, eggs.left, eggs.days) == (
        "6 eggs (1 box of 6)", "6 eggs", "none", (1, 2))
    assert eggs.foods == ("Egg, fried", "Egg, hard-boiled", "Egg, poached", "Egg, scrambled")
    assert eggs.section == "dairy_eggs" and eggs.packs == 6


def test_salted_and_unsalted_are_one_purchase() -> None:
    """Salted and unsalted peanut butter make one jar; the two ground beefs one kind of mince."""
    plan = _plan([_food("peanut_butter", 1), _food("beef_ground_85", 1)],
                 [_food("peanut_butter_salted", 1), _food("beef_ground_90", 1)])
    items = shopping_list(plan)
    pb = _line(items, "Peanut butter")
    assert (pb.buy, pb.uses, pb.left) == ("1 jar (340 g)", "65 g", "275 g")
    mince = _line(items, "Beef mince")
    assert mince.foods == ("Ground beef 85% lean, pan-browned",
                           "Ground beef 90% lean, pan-browned")
    # 85 g of 90 % mince is 85 / 339.51 of a 500 g pack raw (SR28's yield); 85 g of 85 % is
    # counted at its cooked weight
    assert mince.used == pytest.approx(85 / 339.51 + 85 / 500)
    assert mince.buy == "1 pack (500 g)" and "cooked weight" in mince.uses


def test_packs_round_up_and_leftover_is_shown() -> None:
    """Natto in 10 g steps and in a dish buys whole 45 g packs, boxed by three."""
    plan = _plan([_food("natto", 5)], [_dish("Natto rice", {"natto": 45.0,
                                                             "white_rice": 150.0})])
    natto = _line(shopping_list(plan), "Natto")
    assert natto.used == pytest.approx(95 / 45)
    assert (natto.count, natto.buy, natto.uses, natto.left) == (
        3.0, "3 packs of 45 g (1 box of 3)", "95 g", "40 g")


def test_amounts_a_shop_cannot_sell_become_packs() -> None:
    """One dried fig (8 g) and 7 g of dried shiitake buy a pack each, the rest left over."""
    plan = _plan([_food("figs_dried", 1), _dish("Miso soup", {
        "mushrooms_shiitake_dried": 7.0, "miso": 17.0, "tofu_soft": 60.0})])
    items = shopping_list(plan)
    assert [(s.name, s.buy, s.uses, s.left) for s in items if "ried" in s.name] == [
        ("Dried shiitake", "1 pack (50 g)", "7 g", "45 g"),
        ("Dried figs", "1 pack (200 g)", "8 g", "190 g")]


def test_pieces_leftover_in_pieces_and_tolerance() -> None:
    """Pieces round up (a use within 3 % of a whole one does not buy another); what is left
    is told in pieces."""
    plan = _plan([_food("avocado", 1), _food("avocado_california", 1)],
                 [_food("banana", 1), _dish("Banana bowl", {"banana": 120.0,
                                                            "yogurt_whole_plain": 170.0})])
    items = shopping_list(plan)
    avocado = _line(items, "Avocados")  # 150 g cubes + one Hass (136 g) = 2.1 avocados
    assert (avocado.buy, avocado.left) == ("3 avocados", "1 avocado")
    bananas = _line(items, "Bananas")  # 118 + 120 g = 2.02 bananas
    assert (bananas.buy, bananas.left) == ("2 bananas", "none")


def test_cooked_weight_loose_and_litres() -> None:
    """Cooked salmon is bought loose in 100 g steps at its cooked weight (said plainly); milk
    by the litre; couscous converts with SR28's dry-to-cooked yield."""
    plan = _plan([_food("salmon_atlantic_farmed", 2), _food("milk_1pct", 2)],
                 [_food("couscous", 2)])
    items = shopping_list(plan)
    salmon = _line(items, "Salmon fillet")
    assert (salmon.buy, salmon.uses, salmon.left, salmon.packs) == (
        "200 g", "170 g cooked weight", "30 g", None)
    assert salmon.cooked_grams == 170.0
    milk = _line(items, "Milk, 1%")
    assert (milk.buy, milk.uses, milk.left) == ("1 litre", "490 g", "545 g")
    couscous = _line(items, "Couscous")  # 314 g cooked from 314 / 1516.78 x 500 g dry
    assert couscous.buy == "1 bag (500 g)" and couscous.uses == "105 g (315 g as eaten)"
    assert couscous.cooked_grams == 0


def test_sections_follow_the_shop_walk() -> None:
    """Lines are grouped by section in SECTIONS' order, then by name."""
    plan = _plan([_food("olive_oil", 1), _food("tomato_raw", 1), _food("cheese_cheddar", 1),
                  _food("bread_rye", 1), _food("cod_atlantic", 1), _food("apple", 1),
                  _food("supplement_vitamin_d3_25", 1)])
    items = shopping_list(plan)
    order = list(SECTIONS)
    assert [s.section for s in items] == sorted((s.section for s in items), key=order.index)
    assert [s.name for s in items] == ["Apples", "Tomatoes", "Rye bread", "Cod fillets",
                                       "Cheddar", "Olive oil", "Vitamin D3 25 µg"]
    assert items[-1].is_supplement


def test_every_shipped_food_is_bought_in_a_sellable_unit() -> None:
    """Every food of the shipped table is bought through the purchase table (none falls back
    to grams as planned), and merging gives fewer lines than foods."""
    t = _foods()
    everything = [_food(f, 1) for f in t.ids]
    plan = _plan(everything)
    items = shopping_list(plan, t)
    assert all(s.listed for s in items)
    assert len(items) < len(everything)
    assert all(s.buy and s.uses and s.left for s in items)
