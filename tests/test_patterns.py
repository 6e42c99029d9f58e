"""Meal-pattern rules read directly (mealplan.patterns): the rules the model, the verifier and
the audit share."""

from __future__ import annotations

from mealplan.patterns import Shape, check_meal, item_roles, meal_rules

RULES = meal_rules(("breakfast", "lunch", "dinner", "snack"))


def shape(kind: str, grams: dict[str, float], dish_role: str | None = None) -> Shape:
    return Shape(item_roles(kind, grams, dish_role), grams)


CEREAL_BOWL = shape("dish", {"cereal": 40.0, "milk": 240.0, "fruit": 80.0}, "breakfast")
EGGS = shape("egg", {"egg": 100.0})
COTTAGE = shape("fresh_cheese", {"fresh_cheese": 113.0})


def test_one_breakfast_dish_and_one_more_base_is_a_breakfast() -> None:
    assert check_meal("breakfast", [CEREAL_BOWL, EGGS], RULES) == []


def test_two_bowls_of_cereal_are_not_one_breakfast() -> None:
    """A generated week served 'bran cereal with milk' and 'bran flakes with soy drink' in
    one breakfast: one breakfast dish per breakfast."""
    broken = check_meal("breakfast", [CEREAL_BOWL, CEREAL_BOWL], RULES)
    assert broken == ["breakfast has at most one breakfast dish (not two bowls of cereal)"]


def test_three_bases_are_too_many_for_a_breakfast() -> None:
    """Cereal bowl + cottage cheese + fried eggs: three bases in one breakfast."""
    broken = check_meal("breakfast", [CEREAL_BOWL, COTTAGE, EGGS], RULES)
    assert broken == ["breakfast has at most two bases (cereal and an egg, not three)"]


def test_a_day_holds_at_most_four_eggs() -> None:
    """A keto day served an omelet, poached and hard-boiled eggs and an omelette dish."""
    from mealplan.patterns import check_day, day_rules

    eggs = [shape("egg", {"egg": 150.0}), shape("egg", {"egg": 100.0})]
    assert check_day(eggs, day_rules(fresh_fruit=False)) == [
        "at most 200 g of egg a day (about four eggs) (250 g)"]
    assert check_day(eggs[:1], day_rules(fresh_fruit=False)) == []


def test_an_egg_breakfast_dish_at_lunch_is_the_main() -> None:
    """A generated lunch served roast halibut and shakshuka: a breakfast dish with a real
    portion of egg is a main, so the lunch had two."""
    halibut = shape("dish", {"fish": 140.0, "vegetable": 120.0}, "main")
    shakshuka = shape("dish", {"egg": 100.0, "vegetable": 280.0, "bread": 40.0}, "breakfast")
    assert shakshuka.roles.get("main") == 1
    assert "lunch has exactly one main" in check_meal("lunch", [halibut, shakshuka], RULES)
    assert CEREAL_BOWL.roles.get("main") is None  # a cereal bowl stays a breakfast base


def test_one_vegetable_side_per_main_meal() -> None:
    """A generated dinner served lentil soup with boiled spinach and four cups of raw
    spinach: the vegetables beyond one side belong in the dish."""
    soup = shape("dish", {"legume": 150.0, "vegetable": 100.0, "bread": 30.0}, "meal")
    boiled, raw = shape("vegetable", {"vegetable": 180.0}), shape("vegetable", {"vegetable": 120.0})
    assert check_meal("dinner", [soup, boiled], RULES) == []
    assert check_meal("dinner", [soup, boiled, raw], RULES) == [
        "dinner has at most one vegetable side (not boiled and raw spinach)"]
