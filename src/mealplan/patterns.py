"""Meal patterns: what a breakfast, a lunch, a dinner and a snack hold.

A plan is a menu, not a nutrient puzzle: each meal follows a template a cook recognises.

- **breakfast**: a base (grain, cereal, bread, egg, yogurt or cottage cheese, or a breakfast
  dish) with milk, yogurt or fruit; cereal always with something to pour on it.
- **lunch and dinner**: exactly one main (a protein food or a dish that is a meal), at least
  75 g of vegetables and a starch or legume (keto: 150 g of vegetables, no starch).
- **snack**: fruit, yogurt, nuts (at most 30 g), or cheese with bread or fruit; no main.
- every meal: at most one cheese, at most 15 g of added fat (oil, butter, cream), butter or
  oil alone only with what it goes on or cooks (bread, potatoes, a vegetable, the main), natto
  only with rice or another base; a day: at most 60 g of cheese and 200 g of egg.

Each item (a single food or a dish) plays **roles** in a meal, counted as whole numbers:
``base``, ``cereal``, ``pour``, ``fruit``, ``main``, ``vegetable``, ``starch``, ``cheese``,
``nuts``, ``fat``. A single food's roles follow its ``kind`` (:data:`mealplan.units.KINDS`);
a dish's follow its role in the dish table and how many grams of each kind it holds (a dish
with 150 g of vegetables counts as two vegetables). The optimiser (:mod:`mealplan.model`,
constraint 17), the verifier (:func:`mealplan.plan.verify_plan`) and the audit all read the
rules below, so they can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "MEAL_GRAMS",
    "ROLES",
    "CountRule",
    "GramsRule",
    "NeedsRule",
    "Rule",
    "Shape",
    "check_day",
    "check_meal",
    "day_rules",
    "item_roles",
    "meal_rules",
    "rules_for",
]

ROLES: dict[str, str] = {
    "base": "a breakfast base: grain, cereal, bread, egg, yogurt or cottage cheese",
    "cereal": "a breakfast cereal (served with milk, yogurt or a drink)",
    "pour": "milk, yogurt or a plant drink",
    "fruit": "fruit",
    "main": "a main: fish, meat, eggs, tofu, beans, or a dish that is a meal",
    "vegetable": "a vegetable portion (75 g)",
    "starch": "a starch or legume: grain, bread, potato, beans",
    "cheese": "cheese",
    "nuts": "nuts or seeds",
    "fat": "oil, butter or cream",
    "natto": "natto on its own (served with rice or another base)",
    "breakfast_dish": "a breakfast dish (porridge, cereal with milk, eggs on toast, ...)",
    "lone_vegetable": "a vegetable served on its own (not in a dish)",
    "lone_cheese": "a cheese served on its own (not in a dish)",
    "lone_nuts": "nuts or seeds served on their own (not in a dish)",
    "lone_fat": "butter or oil served on its own (not in a dish)",
}

# Roles of a single food, by its kind.
_KIND_ROLES: dict[str, tuple[str, ...]] = {
    "grain": ("base", "starch"),
    "cereal": ("base", "cereal"),
    "bread": ("base", "starch"),
    "starchy_veg": ("starch",),
    "vegetable": ("vegetable",),
    "fruit": ("fruit",),
    "dried_fruit": ("fruit",),
    "legume": ("main", "starch"),
    "soy": ("main",),
    "nuts": ("nuts",),
    "milk": ("pour",),
    "yogurt": ("base", "pour"),
    "fresh_cheese": ("base",),
    "cheese": ("cheese",),
    "egg": ("base", "main"),
    "fish": ("main",),
    "meat": ("main",),
    "organ": ("main",),
    "fat": ("fat",),
}
# Single foods that a meal serves only in some ways: a lone vegetable is not a breakfast
# item (vegetables come at breakfast inside a dish: eggs with spinach), a lone cheese not a
# lunch or dinner side (cheese comes there inside a dish).
_LONE: dict[str, str] = {"vegetable": "lone_vegetable", "cheese": "lone_cheese",
                         "nuts": "lone_nuts", "fat": "lone_fat"}
# Kinds that make a breakfast dish a main when it holds MAIN_MIN_G of them (eggs, fish,
# meat, beans, tofu): served at lunch it is the lunch's one main.
_MAIN_KINDS = ("egg", "fish", "meat", "organ", "legume", "soy")
# Grams that make one role inside a dish.
VEGETABLE_PORTION_G = 75.0
# cooked grain, potato or legume; bread counts 2.5x (a 32 g slice = 1/2 cup of cooked rice)
STARCH_PORTION_G = 75.0
FRUIT_PORTION_G = 60.0  # dried fruit counts twice
POUR_PORTION_G = 100.0
# Per-meal and per-day gram caps (grams of one kind).
MEAL_GRAMS: dict[str, float] = {"fat": 15.0}
KETO_MEAL_FAT_G = 30.0  # keto takes most energy from fat: 2 tablespoons a meal
SNACK_NUTS_G = 30.0
DAY_CHEESE_G = 60.0
# A realism cap, not a nutrient limit: a generated day served eight eggs in four dishes.
DAY_EGG_G = 200.0
# An item with at least this many grams of fish per portion is a serving of fish (weekly
# count): any fish item or fish dish, not a few anchovies in a salad.
FISH_SERVING_G = 20.0
# A single food as the main of a lunch or dinner: at least this many grams (a real portion,
# not 28 g of mackerel).
MAIN_MIN_G = 60.0


def item_roles(kind: str, kind_grams: Mapping[str, float],
               dish_role: str | None = None) -> dict[str, int]:
    """The roles one item plays in a meal, with counts.

    Args:
        kind: the food's kind, or "dish".
        kind_grams: grams of each food kind in the item as served.
        dish_role: the dish table's role (breakfast, main, meal, side, snack) for a dish.
    """
    if dish_role is None:
        roles = {r: 1 for r in _KIND_ROLES.get(kind, ())}
        if kind in _LONE:
            roles[_LONE[kind]] = 1
        if kind_grams.get("natto", 0.0) > 0:  # natto itself: never alone
            roles = {"natto": 1}
        return roles
    g = kind_grams.get
    veg = int(min(2.0, g("vegetable", 0.0) // VEGETABLE_PORTION_G))
    starch_g = (g("grain", 0.0) + g("starchy_veg", 0.0) + g("legume", 0.0)
                + 2.5 * g("bread", 0.0))
    fruit_g = g("fruit", 0.0) + 2.0 * g("dried_fruit", 0.0)
    out: dict[str, int] = {}
    if dish_role == "breakfast":
        out["base"] = 1
        out["breakfast_dish"] = 1
        if sum(g(k, 0.0) for k in _MAIN_KINDS) >= MAIN_MIN_G:
            out["main"] = 1  # shakshuka or an omelette at lunch is that lunch's main
        if g("milk", 0.0) + g("yogurt", 0.0) >= POUR_PORTION_G:
            out["pour"] = 1
    if dish_role in ("main", "meal") or g("natto", 0.0) > 0:  # a natto bowl is a main
        out["main"] = 1
    if veg:
        out["vegetable"] = veg
    if starch_g >= STARCH_PORTION_G:
        out["starch"] = 1
    if fruit_g >= FRUIT_PORTION_G:
        out["fruit"] = 1
    if g("cheese", 0.0) > 0:
        out["cheese"] = 1
    return out


@dataclass(frozen=True)
class CountRule:
    """Items with any of ``roles`` (weighted by their role counts) in one meal: min..max."""

    slot: str
    roles: tuple[str, ...]
    min: int | None
    max: int | None
    text: str


@dataclass(frozen=True)
class NeedsRule:
    """An item with role ``role`` needs another item with one of ``needs`` in the meal."""

    slot: str
    role: str
    needs: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class GramsRule:
    """Grams of food kind ``kind`` in one meal (``slot``) or a day (None): at most ``max_g``
    and at least ``min_g`` (either may be None)."""

    slot: str | None
    kind: str
    max_g: float | None
    text: str
    min_g: float | None = None


Rule = CountRule | NeedsRule | GramsRule


def meal_rules(slots: Iterable[str], *, keto: bool = False,
               more_fat: bool = False) -> tuple[Rule, ...]:
    """The meal-pattern rules for the planned slots (``more_fat``: up to 30 g of added fat a
    meal, as keto; kidney diets take energy from fat when protein, potassium and phosphorus
    are held low)."""
    out: list[Rule] = []
    veg_g = VEGETABLE_PORTION_G * (2 if keto else 1)  # keto: a second vegetable for the starch

    for s in slots:
        if s == "breakfast":
            out += [
                CountRule(s, ("base",), 1, None,
                          "breakfast has a base: grain, cereal, bread, egg or yogurt"),
                CountRule(s, ("base",), None, 2,
                          "breakfast has at most two bases (cereal and an egg, not three)"),
                CountRule(s, ("breakfast_dish",), None, 1,
                          "breakfast has at most one breakfast dish (not two bowls of cereal)"),
                CountRule(s, ("main",), None, 1, "breakfast has at most one egg, fish or meat "
                          "item (not an omelette beside fried eggs)"),
                CountRule(s, ("pour", "fruit"), 1, None,
                          "breakfast has milk, yogurt or fruit"),
                NeedsRule(s, "cereal", ("pour",),
                          "cereal comes with milk, yogurt or a drink"),
                CountRule(s, ("lone_vegetable",), None, 0,
                          "breakfast vegetables come in a dish (eggs with spinach), not alone"),
                NeedsRule(s, "lone_cheese", ("starch", "fruit"),
                          "cheese at breakfast comes with bread or fruit"),
            ]
        elif s in ("lunch", "dinner"):
            out += [
                CountRule(s, ("main",), 1, 1, f"{s} has exactly one main"),
                CountRule(s, ("lone_cheese",), None, 0,
                          f"cheese at {s} comes in a dish, not as a side"),
                CountRule(s, ("starch",), None, 2,
                          f"{s} has at most two starches (not mash and new potatoes)"),
                CountRule(s, ("lone_nuts",), None, 0,
                          f"nuts at {s} come in a dish, not as a side"),
                GramsRule(s, "vegetable", None,
                          f"{s} has at least {veg_g:g} g of vegetables", min_g=veg_g),
            ]
            if not keto:  # keto's extra vegetables come as sides (no starch to hold them)
                out.append(CountRule(s, ("lone_vegetable",), None, 1, f"{s} has at most one "
                                     "vegetable side (not boiled and raw spinach)"))
            if not keto:
                out.append(CountRule(s, ("starch",), 1, None,
                                     f"{s} has a starch or legume (grain, bread, potato, "
                                     "beans)"))
        elif s == "snack":
            out += [
                CountRule(s, ("main",), None, 0, "a snack has no main"),
                GramsRule(s, "nuts", SNACK_NUTS_G, f"at most {SNACK_NUTS_G:g} g of nuts "
                          "in a snack"),
                NeedsRule(s, "lone_cheese", ("starch", "fruit"),
                          "cheese in a snack comes with bread or fruit"),
            ]
        fat_g = KETO_MEAL_FAT_G if keto or more_fat else MEAL_GRAMS["fat"]
        out += [
            CountRule(s, ("pour",), None, 2, "at most two drinks or milky dishes per meal"),
            NeedsRule(s, "natto", ("starch", "base"), "natto comes with rice or another base"),
            CountRule(s, ("cheese",), None, 1, "at most one cheese per meal"),
            CountRule(s, ("lone_fat",), None, 1, "at most one butter or oil served alone per "
                      "meal (not butter and oil side by side)"),
            NeedsRule(s, "lone_fat", ("starch", "main", "vegetable") if s in ("lunch", "dinner")
                      else ("starch", "main"), "butter or oil goes on bread, potatoes, a "
                      "vegetable or into the main it cooks (not beside yogurt or fruit)"),
            GramsRule(s, "fat", fat_g, f"at most {fat_g:g} g of oil, butter or cream per meal"),
        ]
    return tuple(out)


def rules_for(slots: Iterable[str], modes: Iterable[str], *,
              fresh_fruit: bool = True) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """(meal rules, day rules) of a plan with these modes: ``"keto"`` (keto's meals and no
    egg cap) and ``"ckd"`` (kidney mode: 30 g of added fat a meal). The planner, the
    verifier and the audit all take their rules from here, so they never drift apart."""
    m = set(modes)
    # kidney mode drops the fruit-and-vegetable minimum beside its potassium cap, but a
    # low-potassium fresh fruit (apple, berries, grapes) still belongs in every day
    return (meal_rules(slots, keto="keto" in m, more_fat="ckd" in m),
            day_rules(fresh_fruit=fresh_fruit or "ckd" in m, keto="keto" in m))


def day_rules(*, fresh_fruit: bool = True, keto: bool = False) -> tuple[Rule, ...]:
    """Rules on a whole day (``fresh_fruit``: with the healthy day's fruit and vegetables,
    at least one fresh fruit; ``keto``: no egg cap, eggs are keto's staple and a keto week
    has no plan without them in the shipped table)."""
    out: list[Rule] = [GramsRule(None, "cheese", DAY_CHEESE_G,
                                 f"at most {DAY_CHEESE_G:g} g of cheese a day")]
    if not keto:
        out.append(GramsRule(None, "egg", DAY_EGG_G,
                             f"at most {DAY_EGG_G:g} g of egg a day (about four eggs)"))
    if fresh_fruit:
        out.append(GramsRule(None, "fruit", None, f"a day has fresh fruit (at least "
                             f"{FRUIT_PORTION_G:g} g)", min_g=FRUIT_PORTION_G))
    return tuple(out)


@dataclass(frozen=True)
class Shape:
    """What one served item contributes to the pattern: roles and grams per kind."""

    roles: Mapping[str, int]
    kind_grams: Mapping[str, float]


def _count(items: Sequence[Shape], roles: Sequence[str]) -> int:
    return sum(sum(it.roles.get(r, 0) for r in roles) for it in items)


def check_meal(slot: str, items: Sequence[Shape], rules: Sequence[Rule]) -> list[str]:
    """The rules of ``rules`` for ``slot`` that the meal breaks, in plain words."""
    broken: list[str] = []
    for r in rules:
        if r.slot != slot:
            continue
        if isinstance(r, CountRule):
            n = _count(items, r.roles)
            if (r.min is not None and n < r.min) or (r.max is not None and n > r.max):
                broken.append(r.text)
        elif isinstance(r, NeedsRule):
            for i, it in enumerate(items):
                if it.roles.get(r.role, 0) and not any(
                        other.roles.get(n, 0) for j, other in enumerate(items) if j != i
                        for n in r.needs):
                    broken.append(r.text)
                    break
        else:
            grams = sum(it.kind_grams.get(r.kind, 0.0) for it in items)
            if _outside(grams, r):
                broken.append(f"{r.text} ({grams:.0f} g)")
    return broken


def _outside(grams: float, r: GramsRule) -> bool:
    return ((r.max_g is not None and grams > r.max_g + 1e-6)
            or (r.min_g is not None and grams < r.min_g - 1e-6))


def check_day(items: Sequence[Shape], rules: Sequence[Rule]) -> list[str]:
    """The day rules (slot None) a day's items break, in plain words."""
    broken: list[str] = []
    for r in rules:
        if isinstance(r, GramsRule) and r.slot is None:
            grams = sum(it.kind_grams.get(r.kind, 0.0) for it in items)
            if _outside(grams, r):
                broken.append(f"{r.text} ({grams:.0f} g)")
    return broken
