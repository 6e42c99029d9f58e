"""The shopping list of a plan: every food merged across the whole plan. Pure, no I/O.

Items merge only when the food *and* its unit match (Mealie's rule): the same food planned
in "1 oz (28.35 g)" on one day and in grams on another stays two lines, because a cook
buys and measures them differently. Each line carries the total count of units, the total
grams and a household text such as ``"6 x 1 oz (28 g) = 170 g"``.

Order: foods by food group, then by name (case-insensitive); supplements last, under the
group "Supplements", and marked with ``is_supplement`` so a caller can list them apart
(:func:`split_supplements`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .foods import GRAM_UNIT as _GRAM_UNIT
from .foods import FoodTable
from .plan import Plan, PlanItem

__all__ = [
    "OTHER_GROUP",
    "SUPPLEMENT_GROUP",
    "ShoppingItem",
    "format_grams",
    "household_text",
    "shopping_list",
    "split_supplements",
]

SUPPLEMENT_GROUP = "Supplements"
OTHER_GROUP = "Other"
GRAM_UNIT = _GRAM_UNIT[0]  # the unit of foods planned in plain grams


@dataclass(frozen=True)
class ShoppingItem:
    """One line of the shopping list: a food in one unit, totalled over the plan."""

    food_id: str
    name: str
    food_group: str
    grams: float  # total over the plan, rounded to 0.01 g
    portions: float  # total count of ``portion_name`` units
    portion_name: str
    household: str  # e.g. "6 x 1 oz (28 g) = 170 g"
    days: tuple[int, ...]  # the days (1-based, ascending) the food is eaten on
    is_supplement: bool = False


def format_grams(grams: float) -> str:
    """Grams as a cook reads them: whole grams from 10 g up, one decimal below.

    Args:
        grams: an amount in grams.

    Returns:
        e.g. ``"170 g"``, ``"8.5 g"``, ``"1,250 g"``.
    """
    if abs(grams) >= 10:
        return f"{grams:,.0f} g"
    return f"{round(grams, 1):g} g"


def _count(portions: float) -> str:
    return f"{round(portions, 3):g}"


def household_text(portions: float, portion_name: str, grams: float, *,
                   supplement: bool = False) -> str:
    """The household amount of a total, e.g. ``"6 x 1 oz (28 g) = 170 g"``.

    Foods planned in plain grams (unit ``"g"``) read ``"150 g"``; supplements are counted
    without a weight (``"2 x 1 capsule"``).

    Args:
        portions: how many units.
        portion_name: the unit ("1 oz (28 g)"), or ``"g"`` for plain grams.
        grams: the total weight.
        supplement: whether the item is a supplement.

    Returns:
        The text.
    """
    if portion_name.strip() == GRAM_UNIT:
        return format_grams(grams)
    if supplement:
        return f"{_count(portions)} x {portion_name}"
    return f"{_count(portions)} x {portion_name} = {format_grams(grams)}"


def _group_of(food_id: str, is_supplement: bool, table: FoodTable | None) -> str:
    if is_supplement:
        return SUPPLEMENT_GROUP
    if table is not None and table.has(food_id) and "food_group" in table.df.columns:
        value = table.df.at[food_id, "food_group"]
        if isinstance(value, str) and value.strip():
            return value.strip()
    return OTHER_GROUP


def _bought(items: Sequence[PlanItem], table: FoodTable | None,
            ) -> list[tuple[str, str, float, str, float, bool]]:
    """What a meal's items ask to buy: (food id, name, units, unit name, grams, supplement).

    A dish is bought as its ingredients, each in its food's household unit when the table
    has it (fractional counts: the list adds them up), else in grams.
    """
    out: list[tuple[str, str, float, str, float, bool]] = []
    for it in items:
        if it.dish is None:
            out.append((it.food_id, it.name, it.portions, it.portion_name, it.grams,
                        it.is_supplement))
            continue
        for ing in it.dish.ingredients:
            if table is not None and table.has(ing.food_id):
                row = table.row(ing.food_id)
                pg = float(row["portion_g"])
                out.append((ing.food_id, str(row["name"]), ing.grams / pg,
                            str(row["portion_name"]), ing.grams, False))
            else:
                out.append((ing.food_id, ing.name, ing.grams, "g", ing.grams, False))
    return out


def shopping_list(plan: Plan, table: FoodTable | None = None) -> list[ShoppingItem]:
    """Merge every item of ``plan`` per food and unit into a sorted shopping list.

    Args:
        plan: the plan (any number of days).
        table: the food table the plan was made from, for food groups; foods it does not
            hold (or every food, when None) go under "Other", supplements under
            "Supplements".

    Returns:
        One :class:`ShoppingItem` per (food, unit), foods sorted by food group then name,
        supplements last.
    """
    grams: dict[tuple[str, str], float] = {}
    portions: dict[tuple[str, str], float] = {}
    days: dict[tuple[str, str], set[int]] = {}
    first: dict[tuple[str, str], tuple[str, bool]] = {}
    for d in plan.days:
        for meal in d.meals:
            for fid, name, n, unit, g, supp in _bought(meal.items, table):
                key = (fid, unit)
                grams[key] = grams.get(key, 0.0) + g
                portions[key] = portions.get(key, 0.0) + n
                days.setdefault(key, set()).add(d.day)
                first.setdefault(key, (name, supp))
    items: list[ShoppingItem] = []
    for key, total_g in grams.items():
        food_id, unit = key
        name, supp = first[key]
        g = round(total_g, 2)
        n = round(portions[key], 6)
        if math.isclose(n, round(n), abs_tol=1e-6):
            n = float(round(n))
        items.append(ShoppingItem(
            food_id=food_id, name=name, food_group=_group_of(food_id, supp, table), grams=g,
            portions=n, portion_name=unit,
            household=household_text(n, unit, g, supplement=supp),
            days=tuple(sorted(days[key])), is_supplement=supp))
    items.sort(key=lambda s: (s.is_supplement, s.food_group.casefold(), s.name.casefold(),
                              s.food_id, s.portion_name))
    return items


def split_supplements(
        items: Sequence[ShoppingItem]) -> tuple[list[ShoppingItem], list[ShoppingItem]]:
    """Separate foods from supplements, keeping the order.

    Args:
        items: a shopping list.

    Returns:
        (foods, supplements).
    """
    return ([s for s in items if not s.is_supplement], [s for s in items if s.is_supplement])
