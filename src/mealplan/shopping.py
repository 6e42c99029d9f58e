"""The shopping list of a plan: what to buy, in units a shop sells. Pure, no I/O.

Every food eaten (a dish counts as its ingredients) is looked up in the purchase table
(:mod:`mealplan.purchase`, ``foods/purchase.csv``). Foods that are one purchase share a
purchase key and make one line: eggs fried, poached and hard-boiled are "Eggs"; salted and
unsalted butter are "Butter". A line merges only foods of one key, so its unit is the same
for all of them (Mealie's rule: merge when food and unit match).

Per line:

- **used**: the sum over its foods of grams eaten / grams one unit gives (``unit_g``: one
  large egg fried is 46 g, so 92 g of fried egg uses 2 eggs);
- **buy**: whole units, rounded up (a use within 3 % of a unit below a whole number is that
  number: 6.02 eggs buy 6), then whole boxes where units come boxed (eggs by 6); loose
  foods (unit ``g``) in steps of ``pack_g`` (100 g);
- **left over**: bought minus used, in pieces for counted units ("1/2 avocado") and in
  grams for containers, litres and loose foods;
- **cooked weight**: a food the table gives cooked (rice, pasta, lentils, most meat and
  fish) whose raw or dry weight no table gives is counted at its cooked weight as if bought,
  and the line says "cooked weight" (rice and pasta gain water when cooked, meat loses it:
  the cook adjusts; the list never invents a yield).

Foods the purchase table does not list (a user's own foods) get a line of their own, bought
by weight as planned, under the section their ``kind`` suggests (else "Other"). Lines are
sorted by store section (:data:`mealplan.purchase.SECTIONS`, in walking order), then by name;
supplements last, marked ``is_supplement`` (:func:`split_supplements`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .foods import FoodTable
from .household import format_grams, household_text, kitchen_count, kitchen_grams, plural
from .plan import Plan, PlanItem
from .purchase import (
    SECTIONS,
    VOLUME_UNITS,
    WEIGHT_UNIT,
    Purchase,
    PurchaseTable,
    section_label,
    shipped_purchases,
)

__all__ = [
    "GRAM_UNIT",
    "KIND_SECTIONS",
    "ShoppingItem",
    "format_grams",
    "household_text",
    "shopping_list",
    "split_supplements",
]

GRAM_UNIT = WEIGHT_UNIT  # loose by weight, and the unit of foods planned in plain grams
ROUNDING_TOLERANCE = 0.03  # of a unit: 6.02 eggs buy 6, 6.04 buy 7
# The section of a food the purchase table does not list, from its kind.
KIND_SECTIONS: dict[str, str] = {
    "grain": "grains_pasta", "cereal": "cereals", "bread": "bakery", "starchy_veg": "produce",
    "vegetable": "produce", "fruit": "produce", "dried_fruit": "nuts_dried_fruit",
    "legume": "tins_jars", "soy": "chilled", "nuts": "nuts_dried_fruit", "milk": "dairy_eggs",
    "yogurt": "dairy_eggs", "fresh_cheese": "dairy_eggs", "cheese": "dairy_eggs",
    "egg": "dairy_eggs", "fish": "meat_fish", "meat": "meat_fish", "organ": "meat_fish",
    "fat": "oils_condiments", "sweet": "sweets_baking", "condiment": "oils_condiments",
    "supplement": "supplements",
}
_SECTION_ORDER = {s: i for i, s in enumerate(SECTIONS)}


@dataclass(frozen=True)
class ShoppingItem:
    """One line of the shopping list: one purchase, totalled over the plan."""

    key: str  # the purchase key (a food id for a food the purchase table does not list)
    name: str  # what to ask for ("Eggs")
    section: str  # store section slug (:data:`mealplan.purchase.SECTIONS`)
    unit: str  # what the shop sells ("egg", "bag", "litre", "g")
    pack_g: float  # grams of one unit as sold (the step for "g")
    count: float  # units to buy (grams for "g")
    used: float  # units used (grams for "g"), fractional
    grams: float  # grams eaten over the plan (as planned: cooked where cooked), 0.01 g
    cooked_grams: float  # the part of ``grams`` counted at its cooked weight
    buy: str  # "6 eggs (1 box of 6)", "2 bags of 500 g", "600 g"
    uses: str  # "5 1/2 eggs", "650 g cooked weight"
    left: str  # "1/2 egg", "350 g", "none"
    days: tuple[int, ...]  # the days (1-based, ascending) it is eaten on
    foods: tuple[str, ...] = ()  # names of the planned foods on this line, sorted
    food_ids: tuple[str, ...] = ()
    is_supplement: bool = False
    listed: bool = True  # False: the purchase table does not list it (bought as planned)

    @property
    def heading(self) -> str:
        """The section's heading ("Dairy & eggs")."""
        return section_label(self.section)

    @property
    def packs(self) -> int | None:
        """Units to buy as a whole number; None for foods bought loose by weight."""
        return None if self.unit == GRAM_UNIT else round(self.count)


@dataclass
class _Line:
    """A line being totalled (mutable while the plan is read)."""

    purchase: Purchase | None
    name: str
    section: str
    grams: float = 0.0
    portions: float = 0.0  # only read for foods the purchase table does not list
    portion_name: str = GRAM_UNIT
    cooked: float = 0.0
    used: float = 0.0
    converted: bool = False
    supplement: bool = False
    days: set[int] = field(default_factory=set)
    foods: dict[str, str] = field(default_factory=dict)


def _parts(items: Sequence[PlanItem]) -> list[PlanItem]:
    """Everything eaten, one item per food: a dish as its ingredients (in grams)."""
    out: list[PlanItem] = []
    for it in items:
        if it.dish is None:
            out.append(it)
        else:
            out += [PlanItem(ing.food_id, ing.name, ing.grams, GRAM_UNIT, ing.grams)
                    for ing in it.dish.ingredients]
    return out


def _fallback_section(food_id: str, supplement: bool, table: FoodTable | None) -> str:
    if supplement:
        return "supplements"
    if table is not None and table.has(food_id) and "kind" in table.df.columns:
        kind = table.df.at[food_id, "kind"]
        if isinstance(kind, str) and kind.strip() in KIND_SECTIONS:
            return KIND_SECTIONS[kind.strip()]
    return "other"


def _to_buy(used: float, p: Purchase) -> int:
    """Whole units (whole boxes where boxed) that cover ``used`` units."""
    if used <= 0:
        return 0
    n = max(1, math.ceil(used - ROUNDING_TOLERANCE))
    return math.ceil(n / p.box) * p.box


def _buy_text(n: int, p: Purchase) -> str:
    if p.by_weight:
        return format_grams(n * p.pack_g)
    if p.unit in VOLUME_UNITS:
        text = f"{n} {plural(p.unit, n)}"
    elif p.measured:
        size = format_grams(p.pack_g)
        text = f"1 {p.unit} ({size})" if n == 1 else f"{n} {plural(p.unit, n)} of {size}"
    else:
        text = f"{n} {plural(p.unit, n)}"
    if p.box > 1:
        boxes = n // p.box
        text += f" ({boxes} {plural(p.box_name, boxes)} of {p.box})"
    return text


def _uses_text(line: _Line, p: Purchase) -> str:
    if not p.measured:
        count = kitchen_count(line.used)
        if count == "0":
            return kitchen_grams(line.grams)
        text = f"{count} {plural(p.unit, line.used)}"
        return text + (" (cooked weight)" if line.cooked > 0 else "")
    bought_g = line.used * p.pack_g  # units (steps, for loose foods) x grams of one
    if line.cooked > 0 and math.isclose(line.cooked, line.grams, rel_tol=1e-9):
        return f"{kitchen_grams(line.grams)} cooked weight"
    text = kitchen_grams(bought_g)
    notes = []
    if line.converted:
        notes.append(f"{kitchen_grams(line.grams - line.cooked)} as eaten")
    if line.cooked > 0:
        notes.append(f"{kitchen_grams(line.cooked)} of it cooked weight")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def _left_text(n: int, line: _Line, p: Purchase) -> str:
    left = n - line.used
    if not p.measured:
        count = kitchen_count(left) if left > 0 else "0"
        return "none" if count == "0" else f"{count} {plural(p.unit, left)}"
    grams = left * p.pack_g
    return "none" if grams < 0.5 else kitchen_grams(grams)


def _finish(key: str, line: _Line) -> ShoppingItem:
    p = line.purchase
    days = tuple(sorted(line.days))
    foods = tuple(sorted(set(line.foods.values()), key=str.casefold))
    ids = tuple(sorted(line.foods))
    grams = round(line.grams, 2)
    if p is None:  # not in the purchase table: bought as planned (supplements by count)
        amount = (household_text(line.portions, line.portion_name, grams, supplement=True)
                  if line.supplement else kitchen_grams(grams))
        return ShoppingItem(
            key=key, name=line.name, section=line.section, unit=GRAM_UNIT, pack_g=1.0,
            count=grams, used=grams, grams=grams, cooked_grams=0.0, buy=amount, uses=amount,
            left="none", days=days, foods=foods, food_ids=ids, is_supplement=line.supplement,
            listed=False)
    n = _to_buy(line.used, p)
    count = float(n * p.pack_g) if p.by_weight else float(n)
    used = line.used * p.pack_g if p.by_weight else line.used
    return ShoppingItem(
        key=key, name=line.name, section=line.section, unit=p.unit, pack_g=p.pack_g,
        count=count, used=round(used, 6), grams=grams, cooked_grams=round(line.cooked, 2),
        buy=_buy_text(n, p), uses=_uses_text(line, p), left=_left_text(n, line, p),
        days=days, foods=foods, food_ids=ids, is_supplement=line.supplement)


def shopping_list(plan: Plan, table: FoodTable | None = None,
                  purchases: PurchaseTable | None = None) -> list[ShoppingItem]:
    """What to buy for ``plan``: one line per purchase, in store-section order.

    Args:
        plan: the plan (any number of days).
        table: the food table the plan was made from: places foods the purchase table does
            not list by their ``kind``; None puts them under "Other".
        purchases: how foods are bought; None: the shipped purchase table.

    Returns:
        One :class:`ShoppingItem` per purchase key (per food for foods the purchase table
        does not list), sorted by section then name (case-insensitive), supplements last.
    """
    table_p = purchases if purchases is not None else shipped_purchases()
    lines: dict[tuple[bool, str], _Line] = {}
    for d in plan.days:
        for meal in d.meals:
            for it in _parts(meal.items):
                p = table_p.get(it.food_id)
                k = (True, p.key) if p is not None else (False, it.food_id)
                if k not in lines:
                    lines[k] = _Line(
                        purchase=p, name=p.item if p is not None else it.name,
                        section=p.section if p is not None else _fallback_section(
                            it.food_id, it.is_supplement, table),
                        portion_name=it.portion_name)
                line = lines[k]
                line.grams += it.grams
                line.supplement = line.supplement or it.is_supplement
                line.days.add(d.day)
                line.foods.setdefault(it.food_id, it.name)
                if it.portion_name == line.portion_name:
                    line.portions += it.portions
                if p is not None:
                    line.used += it.grams / p.unit_g
                    line.cooked += it.grams if p.cooked_weight else 0.0
                    line.converted = line.converted or (
                        p.measured and not p.cooked_weight and p.unit_g != p.pack_g)
    items = [_finish(k[1], line) for k, line in lines.items() if line.grams > 0]
    items.sort(key=lambda s: (s.is_supplement, _SECTION_ORDER.get(s.section, len(SECTIONS)),
                              s.name.casefold(), s.key))
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
