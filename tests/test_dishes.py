"""The dish table: the shipped dishes, their rules, dishes as foods, and bad input."""

from __future__ import annotations

import math
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from mealplan.dishes import (
    DISH_COLUMNS,
    DISH_ROLES,
    Dish,
    DishTable,
    check_against,
    default_dishes_path,
    dish_foods,
    kind_grams,
    load_default_dishes,
    load_dishes,
    parse_dish_csv,
)
from mealplan.errors import DishTableError, FoodTableError
from mealplan.foods import FoodTable, load_default_table, merge_tables

REPO = Path(__file__).resolve().parent.parent
DISHES_CSV = REPO / "foods" / "dishes.csv"

# What the shipped table must hold (foods/DISHES.md, "Content").
MIN_DISHES = 130
MIN_ROLE = {"breakfast": 30, "side": 15, "snack": 15}
MIN_LUNCH_DINNER = 70  # roles main + meal
MIN_VEGAN_MAIN_OR_BREAKFAST = 25
MIN_KETO = 15  # dishes with <= 10 g net carbs per serving
KETO_NET_CARBS_G = 10.0
MIN_CUISINES = 8
MIN_MEAL_VEG_G = 75.0
MAX_CHEESE_G = 40.0
# Foods with an unknown value for a capped nutrient: a dish holding one would be dropped.
AVOID = frozenset({
    "tofu_firm_calcium", "soymilk_unsweetened_fortified", "cheese_roquefort",
    "cheese_neufchatel", "cheese_tilsit", "mushrooms_portabella_uv_raw",
    "mushrooms_portabella_uv_grilled", "mushrooms_chanterelle", "mushrooms_morel",
    "mushrooms_enoki", "dates_medjool", "sunflower_butter", "chia_seeds", "hemp_seeds",
    "hummus", "amaranth", "salmon_atlantic_wild", "mackerel_atlantic", "trout_rainbow_wild",
    "mussels", "clams", "pork_liver", "lamb_leg", "lamb_liver", "pate_goose_liver",
    "avocado_oil", "dark_chocolate_70", "dark_chocolate_60",
})
HEADER = ",".join(DISH_COLUMNS)
GOOD_ROW = ("test_porridge,Test porridge,breakfast,breakfast,british,simmer,2,8,half,1.5,"
            "oatmeal_cooked 234; milk_1pct 120; banana 60,")


@cache
def _foods() -> FoodTable:
    return load_default_table()


@cache
def _dishes() -> DishTable:
    return load_default_dishes()


@cache
def _as_foods() -> FoodTable:
    return dish_foods(_dishes(), _foods())


def _diet(tags: str) -> str:
    words = set(tags.split(";"))
    for diet in ("vegan", "vegetarian", "pescatarian"):
        if diet in words:
            return diet
    return "omnivore"


def _net_carbs_per_serving(d: Dish) -> float:
    return sum(_foods().value(i.food_id, "net_carbs_g") * i.grams / 100 for i in d.ingredients)


def test_shipped_table_parses_and_fits_the_food_table() -> None:
    """The shipped dish table loads and passes every check against the shipped foods."""
    t = _dishes()
    assert len(t) >= MIN_DISHES
    assert t.source == "shipped dish table"
    assert check_against(t, _foods()) == []
    assert len(set(t.ids)) == len(t)


def test_package_copy_equals_the_source_file() -> None:
    """The package's dishes.csv is byte-identical to foods/dishes.csv."""
    assert default_dishes_path().read_bytes() == DISHES_CSV.read_bytes()


def test_roles_and_slots_are_covered() -> None:
    """Each role and each slot has at least the documented number of dishes."""
    roles = Counter(d.role for d in _dishes().dishes)
    assert set(roles) == set(DISH_ROLES)
    for role, least in MIN_ROLE.items():
        assert roles[role] >= least, role
    assert roles["main"] + roles["meal"] >= MIN_LUNCH_DINNER
    slots = Counter(s for d in _dishes().dishes for s in d.slots)
    assert slots["breakfast"] >= MIN_ROLE["breakfast"]
    assert min(slots["lunch"], slots["dinner"]) >= MIN_LUNCH_DINNER
    assert slots["snack"] >= MIN_ROLE["snack"]
    for d in _dishes().dishes:
        if d.role in ("main", "meal"):
            assert set(d.slots) & {"lunch", "dinner"}, d.id
        if d.role == "breakfast":
            assert "breakfast" in d.slots, d.id


def test_every_diet_keto_and_cuisine_is_covered() -> None:
    """Vegan, vegetarian, pescatarian, omnivore, keto dishes and >= 8 cuisines are there."""
    df = _as_foods().df
    diets = Counter(_diet(str(df.at[d.id, "diet_tags"])) for d in _dishes().dishes
                    if d.role in ("breakfast", "main", "meal"))
    assert all(diets[x] >= 15 for x in ("vegetarian", "pescatarian", "omnivore")), diets
    assert diets["vegan"] >= MIN_VEGAN_MAIN_OR_BREAKFAST
    keto = [d.id for d in _dishes().dishes if _net_carbs_per_serving(d) <= KETO_NET_CARBS_G]
    assert len(keto) >= MIN_KETO
    assert any(_dishes().get(k).role in ("main", "meal") for k in keto)
    assert any(_dishes().get(k).role == "breakfast" for k in keto)
    assert len({d.cuisine for d in _dishes().dishes}) >= MIN_CUISINES


def test_content_rules_hold() -> None:
    """Meals hold >= 75 g of vegetables, cheese <= 40 g, no risky or unknown-valued foods."""
    foods = _foods()
    livers = 0
    for d in _dishes().dishes:
        kinds = kind_grams(d, foods)
        ids = {i.food_id for i in d.ingredients}
        if d.role == "meal":
            assert kinds.get("vegetable", 0.0) >= MIN_MEAL_VEG_G, d.id
        assert kinds.get("cheese", 0.0) <= MAX_CHEESE_G, d.id
        assert kinds.get("fat", 0.0) <= 15.0, d.id
        assert not ids & AVOID, (d.id, ids & AVOID)
        assert not ids & {"egg_whole_raw", "egg_yolk", "egg_white", "egg_duck"}, d.id
        livers += kinds.get("organ", 0.0) > 0
        if "natto" in ids:
            grams = next(i.grams for i in d.ingredients if i.food_id == "natto")
            assert 40 <= grams <= 50, d.id
            assert ids & {"white_rice", "brown_rice"} or d.role != "snack", d.id
        if d.role == "breakfast":
            assert set(kinds) & {"fruit", "dried_fruit", "vegetable", "milk", "yogurt",
                                 "fresh_cheese"}, d.id
        assert 2 <= len(d.ingredients) <= 8, d.id
        assert d.prep_minutes + d.cook_minutes > 0, d.id
    assert livers <= 1


@pytest.mark.parametrize("dish_id, ingredients", [
    ("porridge_milk_banana", {"oatmeal_cooked": 234, "milk_1pct": 120, "banana": 60}),
    ("salmon_potato_broccoli_traybake", {"salmon_atlantic_farmed": 120, "potato_baked": 200,
                                         "broccoli_cooked": 120, "olive_oil": 7}),
    ("red_lentil_dal_rice_spinach", {"lentils": 180, "brown_rice": 140, "spinach_cooked": 90,
                                     "tomato_raw": 60, "onion_raw": 40, "canola_oil": 5}),
])
def test_dish_nutrients_equal_a_hand_recomputation(dish_id: str,
                                                   ingredients: dict[str, float]) -> None:
    """Every nutrient of three dishes equals the grams-weighted mean of its foods' values."""
    foods, row = _foods(), _as_foods().row(dish_id)
    assert {i.food_id: i.grams for i in _dishes().get(dish_id).ingredients} == ingredients
    grams = sum(ingredients.values())
    for n in foods.nutrients:
        values = [foods.value(f, n) for f in ingredients]
        if n == "k2_ug" and not all(math.isnan(v) for v in values):
            # unknown K2 counts 0 (long-chain K2 is confined to fermented and animal foods)
            values = [0.0 if math.isnan(v) else v for v in values]
        if any(math.isnan(v) for v in values):
            assert math.isnan(float(row[n])), n
        else:
            expected = sum(v * g for v, g in zip(values, ingredients.values(), strict=True))
            assert float(row[n]) == pytest.approx(expected / grams, rel=1e-9, abs=1e-12), n
    step = 0.5 if _dishes().get(dish_id).scaling == "half" else 1.0
    assert row["portion_g"] == pytest.approx(grams * step)
    assert row["kind"] == "dish"
    assert row["food_group"] == "Dishes"
    assert str(row["source"]).startswith("dish: computed from SR28 foods ")


def test_unknown_k2_counts_zero_unless_every_ingredient_is_unknown() -> None:
    """A natto bowl's K2 is its natto's (rice K2 unknown counts 0); all unknown stays NaN."""
    foods = _foods()
    assert math.isnan(foods.value("white_rice", "k2_ug"))
    csv = (f"{HEADER}\nt_bowl,Bowl,breakfast,breakfast,japanese,assemble,1,0,whole,1,"
           "natto 45; white_rice 150,\nt_rice,Rice and kale,lunch,side,japanese,boil,1,10,"
           "whole,1,white_rice 150; kale_cooked 80,\n").encode()
    rows = dish_foods(parse_dish_csv(csv, "t.csv"), foods)
    assert rows.value("t_bowl", "k2_ug") * 195 / 100 == pytest.approx(
        foods.value("natto", "k2_ug") * 45 / 100)
    if math.isnan(foods.value("kale_cooked", "k2_ug")):
        assert math.isnan(rows.value("t_rice", "k2_ug"))


def test_unknown_ingredient_value_makes_the_dish_value_unknown() -> None:
    """One ingredient with an unknown value makes the dish's value NaN, never zero."""
    foods = _foods()
    assert math.isnan(foods.value("tofu_firm_calcium", "retinol_ug"))
    csv = (f"{HEADER}\ntest_tofu_milk,Tofu and milk,snack,snack,american,assemble,1,0,whole,1,"
           "tofu_firm_calcium 100; milk_1pct 100,\n").encode()
    row = dish_foods(parse_dish_csv(csv, "t.csv"), foods).row("test_tofu_milk")
    assert math.isnan(float(row["retinol_ug"]))
    expected = (foods.value("tofu_firm_calcium", "calcium_mg")
                + foods.value("milk_1pct", "calcium_mg")) / 2
    assert float(row["calcium_mg"]) == pytest.approx(expected)


def test_dishes_merge_with_the_food_table_as_planable_rows() -> None:
    """merge_tables(foods, dish_foods(...)) works and dish rows carry units, tags and flags."""
    foods, dishes = _foods(), _as_foods()
    merged = merge_tables([foods, dishes])
    assert len(merged) == len(foods) + len(_dishes())
    assert merged.nutrients == foods.nutrients
    assert not {"prep_minutes", "cook_minutes"} & set(merged.nutrients)
    tacos = merged.row("black_bean_tacos")
    assert tacos["diet_tags"] == "pescatarian;vegetarian"  # cheddar: not vegan
    assert tacos["allergens"] == "milk"
    assert "main" in str(tacos["flags"]).split(";")
    assert tacos["dish_role"] == "meal" and tacos["cuisine"] == "mexican"
    assert float(tacos["prep_minutes"]) == 15
    porridge = merged.row("porridge_milk_banana")  # half scaling, at most 1.5 servings
    assert porridge["portion_name"] == "1/2 serving (207 g)"
    assert (porridge["min_portions"], porridge["max_portions"]) == (2.0, 3.0)
    assert "main" not in str(porridge["flags"]).split(";")
    assert "fortified" in str(porridge["flags"]).split(";")  # the milk
    natto = merged.row("natto_rice_bowl")
    assert "vitamin_k_antagonist_caution" in str(natto["flags"]).split(";")
    assert "staple" not in str(natto["flags"]).split(";")


def test_kind_grams_and_get() -> None:
    """kind_grams sums one serving by kind; get names an unknown id."""
    d = _dishes().get("salmon_potato_broccoli_traybake")
    assert d.grams == 447
    assert kind_grams(d, _foods()) == {"fish": 120, "starchy_veg": 200, "vegetable": 120,
                                       "fat": 7}
    with pytest.raises(KeyError, match="no_such_dish"):
        _dishes().get("no_such_dish")


def _bad(row: str, foods: FoodTable | None = None) -> list[str]:
    with pytest.raises(DishTableError) as exc:
        parse_dish_csv(f"{HEADER}\n{GOOD_ROW}\n{row}\n".encode(), "bad.csv", foods=foods)
    assert str(exc.value).startswith("bad.csv: ")
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize("row, expected", [
    (GOOD_ROW.replace("test_porridge", "other").replace("oatmeal_cooked", "oatmeal_cokked"),
     "row 2, column 'ingredients': unknown food id 'oatmeal_cokked'; did you mean "
     "'oatmeal_cooked'"),
    (GOOD_ROW.replace("test_porridge", "other").replace("banana 60", "banana sixty"),
     "row 2, column 'ingredients': grams of 'banana': 'sixty' is not a number"),
    (GOOD_ROW.replace("test_porridge", "other").replace(",breakfast,british", ",brunch,british"),
     "row 2, column 'role': unknown role 'brunch'"),
    (GOOD_ROW.replace("test_porridge", "other").replace(",breakfast,breakfast", ",supper,"
                                                         "breakfast"),
     "row 2, column 'slots': unknown slot 'supper'"),
    (GOOD_ROW, "row 2, column 'id': duplicate id 'test_porridge' (first on row 1)"),
    (GOOD_ROW.replace("test_porridge", "banana"),
     "row 2, column 'id': dish id 'banana' is also a food id"),
    (GOOD_ROW.replace("test_porridge", "other").replace("banana 60", "egg_whole_raw 50"),
     "row 2, column 'ingredients': 'egg_whole_raw' is a raw egg"),
    (GOOD_ROW.replace("test_porridge", "other").replace("banana 60", "olive_oil 20"),
     "row 2, column 'ingredients': 20 g of oil, butter or cream per serving"),
    (GOOD_ROW.replace("test_porridge", "other").replace("banana 60", "natto 20"),
     "row 2, column 'ingredients': natto 20 g: use one pack (40-50 g)"),
    (GOOD_ROW.replace("test_porridge", "other").replace(",2,8,", ",two,8,"),
     "row 2, column 'prep_minutes': 'two' is not a whole number"),
    (GOOD_ROW.replace("test_porridge", "other").replace("half,1.5", "whole,1.5"),
     "row 2, column 'max_servings': 1.5 is not a multiple of the whole step"),
    (GOOD_ROW.replace("test_porridge", "other").replace("half,1.5", "third,1.5"),
     "row 2, column 'scaling': unknown scaling 'third'"),
    (GOOD_ROW.replace("test_porridge", "other").replace("; milk_1pct 120; banana 60", ""),
     "row 2, column 'ingredients': 1 ingredients: a dish has 2-8"),
    (GOOD_ROW.replace("test_porridge", "other").replace(",simmer,", ",sous_vide,"),
     "row 2, column 'method': unknown method 'sous_vide'"),
])
def test_bad_row_is_an_error_naming_row_and_column(row: str, expected: str) -> None:
    """Each class of bad cell is reported with its row, column and what is wrong."""
    problems = _bad(row, foods=_foods())
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_listed_at_once() -> None:
    """Several bad cells in several rows are all reported in one error."""
    row = GOOD_ROW.replace("test_porridge", "Bad Id").replace("half", "third")
    problems = _bad(row + "\n" + GOOD_ROW.replace("test_porridge", "x").replace(
        ",british,", ",two words,"))
    assert any(p.startswith("row 2, column 'id'") for p in problems)
    assert any(p.startswith("row 2, column 'scaling'") for p in problems)
    assert any(p.startswith("row 3, column 'cuisine'") for p in problems)


def test_bad_header_and_files() -> None:
    """A missing or unknown column, an empty file and a missing file are named errors."""
    with pytest.raises(DishTableError, match="column 'notes': required column is missing"):
        parse_dish_csv(f"{HEADER[:-6]}\n{GOOD_ROW[:-1]}\n".encode(), "h.csv")
    with pytest.raises(DishTableError, match="column 'colour': unknown column"):
        parse_dish_csv(f"{HEADER},colour\n{GOOD_ROW},red\n".encode(), "h.csv")
    with pytest.raises(DishTableError, match="the file is empty"):
        parse_dish_csv(b"", "e.csv")
    with pytest.raises(DishTableError, match="header but no dish rows"):
        parse_dish_csv(f"{HEADER}\n".encode(), "e.csv")
    with pytest.raises(DishTableError, match=r"row 1: has 13 fields"):
        parse_dish_csv(f"{HEADER}\n{GOOD_ROW},\n".encode(), "e.csv")
    with pytest.raises(DishTableError, match="file not found") as exc:
        load_dishes(REPO / "no_such_dishes.csv")
    assert "no_such_dishes.csv" in str(exc.value)
    assert issubclass(DishTableError, FoodTableError)


def test_dish_foods_refuses_unknown_foods() -> None:
    """dish_foods raises a DishTableError naming an ingredient the food table lacks."""
    t = parse_dish_csv(f"{HEADER}\n{GOOD_ROW.replace('banana', 'bananna')}\n".encode(), "u.csv")
    with pytest.raises(DishTableError, match=r"row 1, column 'ingredients': unknown food id "
                                             r"'bananna'; did you mean 'banana'"):
        dish_foods(t, _foods())


def test_load_dishes_round_trips_the_shipped_file(tmp_path: Path) -> None:
    """A copy of the shipped file loads to the same dishes under its path's name."""
    p = tmp_path / "mine.csv"
    p.write_bytes(DISHES_CSV.read_bytes())
    t = load_dishes(p, foods=_foods())
    assert t.dishes == _dishes().dishes
    assert t.source == str(p)


def test_k2_range_counts_central_values_of_unranged_ingredients() -> None:
    """A dish's K2 range uses each ingredient's range, or its central K2 when it has none."""
    foods = _foods()
    csv = (f"{HEADER}\ntest_k2,Natto and parmesan,snack,snack,japanese,assemble,1,0,whole,1,"
           "natto 45; cheese_parmesan_grated 5,\n").encode()
    row = dish_foods(parse_dish_csv(csv, "k.csv"), foods).row("test_k2")
    parmesan = foods.value("cheese_parmesan_grated", "k2_ug")  # no range: central value
    for end in ("low", "high"):
        expected = (foods.value("natto", f"k2_{end}_ug") * 45 + parmesan * 5) / 50
        assert float(row[f"k2_{end}_ug"]) == pytest.approx(expected)
    assert float(row["k2_ug"]) == pytest.approx(
        (foods.value("natto", "k2_ug") * 45 + parmesan * 5) / 50)
    porridge = _as_foods().row("porridge_milk_banana")  # banana's K2 is unknown
    assert math.isnan(float(porridge["k2_ug"])) and math.isnan(float(porridge["k2_low_ug"]))
