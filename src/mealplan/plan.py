"""Plans and their independent verification. No solver objects here.

A :class:`Plan` is what the optimiser returns: days -> meals -> items (food, portions,
grams), the nutrient totals recomputed from the food table, a check of every bound, and
the solver's report. :func:`verify_plan` recomputes everything from the food table and the
rules; the optimiser never returns a plan that fails it.

Missing-value policy (see also :mod:`mealplan.model`): an unknown nutrient value counts as
0 in totals, and every plan lists, per bounded nutrient, the foods whose value is unknown.
The optimiser excludes foods with an unknown value for a nutrient with an upper limit,
except for nutrients in ``PlanOptions.unknown_as_zero`` (vitamin K2 by default: long-chain
menaquinones are confined to fermented and animal foods whose values are in the table).
Total vitamin K (K1 + K2) is unknown when K1 is unknown, so on warfarin a food of unknown
vitamin K is never planned.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from .dishes import NATTO_ID, grams_by_kind
from .foods import FoodTable
from .household import item_household
from .patterns import (
    FISH_SERVING_G,
    Rule,
    Shape,
    check_day,
    check_meal,
    item_roles,
    rules_for,
)
from .targets import Targets
from .units import MealSlot

if TYPE_CHECKING:
    from .dishes import DishTable

__all__ = [
    "DEFAULT_SLOT_SHARES",
    "DISH_MINUTES_MAX",
    "DISH_MINUTES_MIN",
    "BoundCheck",
    "DayPlan",
    "Diagnosis",
    "DishServing",
    "Fix",
    "Ingredient",
    "LeftoverPair",
    "Lock",
    "Meal",
    "Plan",
    "PlanItem",
    "PlanOptions",
    "Shortfall",
    "SolveInfo",
    "check_bounds",
    "day_totals",
    "drop_broken_leftovers",
    "has_flag",
    "is_weekend",
    "item_shape",
    "kind_grams",
    "leftover_notes",
    "leftover_pairs",
    "main_dish_slots_available",
    "patterns_apply",
    "plan_headline",
    "plan_rules",
    "verify_plan",
    "weekly_allowance",
    "weekly_cap_left",
]

Objective = Literal["balanced", "cost", "usual"]

# The weeknight limits one may set (PlanOptions.max_dish_minutes, weekend_dish_minutes), in
# prep-and-cook minutes per dish: the command line and the app take the same range.
DISH_MINUTES_MIN = 5
DISH_MINUTES_MAX = 600


def is_weekend(day: int) -> bool:
    """Days 6 and 7 of each week (1-based days; Saturday and Sunday when day 1 is a
    Monday)."""
    return day % 7 in (6, 0)


# Share of the day's energy target per slot (min, max).
DEFAULT_SLOT_SHARES: dict[str, tuple[float, float]] = {
    MealSlot.BREAKFAST.value: (0.15, 0.35),
    MealSlot.LUNCH.value: (0.20, 0.40),
    MealSlot.DINNER.value: (0.25, 0.45),
    MealSlot.SNACK.value: (0.0, 0.25),
}
DEFAULT_ITEMS_PER_MEAL: dict[str, int] = {
    MealSlot.BREAKFAST.value: 3,
    MealSlot.LUNCH.value: 4,
    MealSlot.DINNER.value: 4,
    MealSlot.SNACK.value: 2,
}
MAIN_MEALS = (MealSlot.BREAKFAST.value, MealSlot.LUNCH.value, MealSlot.DINNER.value)
MAX_CHEESES_PER_WEEK = 3  # different cheeses a week (a cook buys a few, not ten)
REL_TOL = 1e-6
ABS_TOL = 1e-6


@dataclass(frozen=True)
class Lock:
    """Force a food into a meal: at least ``portions`` units of ``food_id`` on ``day``/``slot``."""

    day: int
    slot: str
    food_id: str
    portions: float = 1.0


# Kinds of single foods a cook eats on most days (a pack of bread, a bag of apples)
SIDE_KINDS = frozenset({"fruit", "vegetable", "bread", "grain", "cereal", "yogurt", "milk"})


@dataclass(frozen=True)
class PlanOptions:
    """How to plan: horizon, meals, realism rules, objective, solver limits."""

    days: int = 7
    slots: tuple[str, ...] = tuple(s.value for s in MealSlot)
    continuous: bool = False
    objective: Objective = "balanced"
    max_days_per_food: int = 3
    # a side that is a single food (fruit, a vegetable, bread, a grain or cereal, yogurt,
    # milk: SIDE_KINDS) on at most this many days (at least max_days_per_food): variety
    # comes from the dishes, and a cook reuses the bread and fruit bought (issue 12)
    max_days_per_side: int = 5
    max_items_per_meal: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_ITEMS_PER_MEAL))
    min_foods_per_day: int = 6
    max_foods_per_day: int = 12
    max_grams_per_day: float = 2500.0
    slot_shares: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: dict(DEFAULT_SLOT_SHARES))
    require_main_meals: bool = True
    staples_exempt: bool = True
    distinct_days: bool = True
    locks: tuple[Lock, ...] = ()
    bans: frozenset[str] = frozenset()
    usual_foods: frozenset[str] = frozenset()
    unknown_as_zero: frozenset[str] = frozenset({"k2_ug"})
    main_dish_slots: tuple[str, ...] = (MealSlot.LUNCH.value, MealSlot.DINNER.value)
    min_produce_per_day: int = 2  # vegetables and fruit (foods flagged "produce")
    parallel: bool = True  # a week: odd and even days as two chains on two threads
    # larger pools are narrowed by nutrient density first ... to this many foods and dishes.
    # Measured (issue 14): a vegetarian week (pool ~390, not narrowed at 400) took 22-27 s
    # and 13 s narrowed to 200, every audit rule still met; 150 lost named dishes.
    max_candidates: int = 200
    prune_to: int = 200
    # Deterministic by construction: each day stops at the gap or after ``day_node_limit``
    # branch-and-bound nodes (a work limit: the same on any machine at any load). The two
    # time limits are only safety nets; a plan they stop is reported as such.
    time_limit: float = 600.0  # seconds for the whole plan (safety net)
    gap_rel: float = 0.02
    gap_abs: float = 0.5  # objective points; 1 point = 1 % off the energy centre
    day_node_limit: int = 400  # branch-and-bound nodes per day (deterministic work limit)
    # per day: once a plan is in hand, stop after this many branch-and-bound nodes (also a
    # work limit, the same on any machine). Measured (issue 14): every day of the default
    # weeks has its final plan when the root node is done; the remaining nodes only prove it
    # (4-5 s of a 13 s week). None: search on to the gap or ``day_node_limit``.
    day_soft_nodes: int | None = 1
    day_time_limit: float = 300.0  # seconds per day (safety net)
    # per day: solve first among this many candidates, the ones the day's LP relaxation
    # ranks best (a kernel search, mealplan.planning.day._solve_planned_day); all of them
    # when the kernel has no plan. None: always among all. Deterministic.
    kernel_size: int | None = 80
    # per day: after this many seconds stop as soon as a plan is in hand (faster, but the plan
    # then depends on the machine's speed); None (default): every day solved to the gap
    day_soft_seconds: float | None = None
    # Menus (mealplan.patterns, mealplan.dishes): plan named dishes and single foods in meal
    # patterns (breakfast = base + milk/fruit; lunch and dinner = one main + vegetable +
    # starch; ...). ``dish_table`` None: the shipped dishes.
    use_dishes: bool = True
    meal_patterns: bool = True
    natto: bool = False  # "I eat natto": natto dishes (whole packs), at most natto_per_week
    natto_per_week: int = 3
    fish_per_week: int = 3  # servings (an item with >= 50 g of fish)
    # Weeknight limits: most prep-and-cook minutes of any dish served on a weekday, and on a
    # weekend day (days 6 and 7 of each week: Saturday and Sunday when day 1 is a Monday);
    # None: no limit
    max_dish_minutes: int | None = None
    weekend_dish_minutes: int | None = None
    # Cook once, eat twice: the dinner dish of days 1, 3, 5, ... is cooked for two and its
    # second serving is the next day's lunch (when it suits lunch and the day still meets
    # every target with it; otherwise that lunch is planned freely)
    leftovers: bool = True
    # A shopping list a cook can buy (issue 12): at most this many purchases (shopping
    # lines: eggs any style are one, supplements apart) in the plan, when a day can keep
    # to it; a day that cannot is planned without it. None: no limit.
    max_purchases: int | None = 30
    dish_table: DishTable | None = field(default=None, compare=False, repr=False)

    def days_limit(self, kinds: frozenset[str]) -> int:
        """Most days of the plan a food of these kinds (its ``kind`` column) may be on: a
        single-food side (:data:`SIDE_KINDS`) ``max_days_per_side``, anything else (a
        dish, a main, cheese, nuts) ``max_days_per_food``."""
        if kinds & SIDE_KINDS and "dish" not in kinds:
            return max(self.max_days_per_food, self.max_days_per_side)
        return self.max_days_per_food

    def items_limit(self, slot: str) -> int:
        """Most items one meal in ``slot`` may have."""
        return int(self.max_items_per_meal.get(slot, 4))

    def minutes_limit(self, day: int) -> int | None:
        """Most prep-and-cook minutes of a dish on ``day`` (1-based), or None."""
        if is_weekend(day) and self.weekend_dish_minutes is not None:
            return self.weekend_dish_minutes
        return self.max_dish_minutes


@dataclass(frozen=True)
class Ingredient:
    """One food of a dish as served."""

    food_id: str
    name: str
    grams: float


@dataclass(frozen=True)
class DishServing:
    """What makes a plan item a dish: its recipe as served, and how it is cooked."""

    role: str  # the dish table's role: breakfast, main, meal, side, snack
    cuisine: str
    method: str
    prep_minutes: int
    cook_minutes: int
    servings: float
    ingredients: tuple[Ingredient, ...]

    @property
    def minutes(self) -> int:
        """Prep plus cook minutes."""
        return self.prep_minutes + self.cook_minutes


@dataclass(frozen=True)
class PlanItem:
    """One food (or one dish) in one meal."""

    food_id: str  # a food id, or a dish id when ``dish`` is set
    name: str
    portions: float
    portion_name: str
    grams: float
    is_supplement: bool = False
    dish: DishServing | None = None
    # leftovers: (day, meal) where this dish was cooked, a second serving of that meal's item
    leftover_of: tuple[int, str] | None = None
    # energy as served, from the food table (a dish: its ingredients); None: not computed
    kcal: float | None = None

    def parts(self) -> tuple[tuple[str, float], ...]:
        """(food id, grams) of what is eaten: the dish's ingredients, or the food itself."""
        if self.dish is not None:
            return tuple((i.food_id, i.grams) for i in self.dish.ingredients)
        return ((self.food_id, self.grams),)

    @property
    def household(self) -> str:
        """The amount as a cook reads it, without the weight: '2 oz', '1 1/2 servings'
        (:func:`mealplan.household.item_household`)."""
        return item_household(self)


@dataclass(frozen=True)
class Meal:
    """The items of one slot on one day."""

    slot: str
    items: tuple[PlanItem, ...]

    @property
    def kcal(self) -> float | None:
        """The meal's energy (None when an item's is not known)."""
        values = [it.kcal for it in self.items]
        return None if any(v is None for v in values) else sum(v for v in values if v)

    @property
    def minutes(self) -> int:
        """Prep and cooking minutes of the meal's dishes (leftovers are cooked already)."""
        return sum(it.dish.minutes for it in self.items
                   if it.dish is not None and it.leftover_of is None)


@dataclass(frozen=True)
class DayPlan:
    """One day: meals and nutrient totals (recomputed from the food table)."""

    day: int
    meals: tuple[Meal, ...]
    totals: Mapping[str, float]
    # planned with every food open: the week had used up what the day needed, so the
    # days-per-food rule (``PlanOptions.max_days_per_food``) gave way on this day
    variety_open: bool = False

    @property
    def items(self) -> list[PlanItem]:
        """Every item of the day."""
        return [it for m in self.meals for it in m.items]

    def food_ids(self) -> frozenset[str]:
        """The items of this day (food ids, and dish ids for dishes)."""
        return frozenset(it.food_id for it in self.items)

    def cooked_ids(self) -> frozenset[str]:
        """The items cooked or served fresh this day: leftovers count on the day they were
        cooked (the days-per-food rule as the verifier judges it)."""
        return frozenset(it.food_id for it in self.items if it.leftover_of is None)

    def eaten_ids(self) -> frozenset[str]:
        """Every food eaten this day, dishes counted as their ingredients."""
        return frozenset(f for it in self.items for f, _g in it.parts())


@dataclass(frozen=True)
class BoundCheck:
    """A bound against a day's (or the week's average) total."""

    nutrient: str
    day: int | None  # None: the week's average
    value: float
    min: float | None
    max: float | None
    unit: str
    status: Literal["ok", "low", "high"]
    unknown_foods: tuple[str, ...] = ()

    @property
    def pct_of_min(self) -> float | None:
        """Value as a percentage of the minimum (None when there is no positive minimum)."""
        return None if not self.min else 100.0 * self.value / self.min


@dataclass(frozen=True)
class SolveInfo:
    """What the solver reported."""

    status: str  # "optimal": every day proven within the gap; else "feasible"
    objective: float | None
    best_bound: float | None
    gap: float | None
    solve_seconds: float  # wall-clock seconds of the whole planning call
    build_seconds: float = 0.0
    method: str = ""
    solver: str = "HiGHS"
    unproven_days: tuple[int, ...] = ()  # days a limit stopped before the gap was proven
    stopped_by: tuple[str, ...] = ()  # which limits stopped them: "work", "time"
    solver_seconds: float = 0.0  # HiGHS's own seconds, added over days (and chains)
    # the largest distance (objective points) between a day's plan and the best bound proven
    # for that day; None when a day has no bound
    worst_day_gap: float | None = None


@dataclass(frozen=True)
class Plan:
    """A verified plan. ``checks`` holds every bound per day (and weekly averages)."""

    days: tuple[DayPlan, ...]
    targets: Targets
    options: PlanOptions
    info: SolveInfo
    checks: tuple[BoundCheck, ...]
    verified: bool
    warnings: tuple[str, ...] = ()

    def day(self, n: int) -> DayPlan:
        """Day ``n`` (1-based)."""
        return self.days[n - 1]


def plan_headline(plan: Plan) -> str:
    """How good the plan is, in plain words (the CLI, the Markdown export and the app).

    E.g. "Every target met on all 7 days; energy within 3 % of the 1,954 kcal goal; each
    day's score proven within 0.5 points (...) of the best possible day's."
    """
    n = len(plan.days)
    parts = [f"Every target met on {'all ' + str(n) + ' days' if n > 1 else 'the day'}"]
    e = plan.targets.energy_kcal
    if e:
        worst = max(abs(d.totals.get("energy_kcal", 0.0) - e) / e for d in plan.days)
        parts.append(f"energy within {max(1, math.ceil(100 * worst - 1e-9))} % of the "
                     f"{e:,.0f} kcal goal")
    info, opts = plan.info, plan.options
    # HiGHS stops at whichever gap it reaches first: the guarantee is the larger of the two
    tol = f"{100 * opts.gap_rel:g} %"
    if opts.gap_abs > 0:
        tol = (f"{opts.gap_abs:g} points (or {tol}, whichever is larger; a point is 1 % off "
               "the energy goal)")
    best = "the best day the planner could build from the foods open to that day"
    if not info.unproven_days and info.status == "optimal":
        parts.append(f"each day's score proven within {tol} of {best}")
    elif "time" not in info.stopped_by and info.worst_day_gap is not None:
        parts.append(f"each day's score proven within {max(info.worst_day_gap, 0.0):.1f} "
                     f"points of {best} (a point is 1 % off the energy goal; each day is "
                     "searched among the foods its relaxation ranks best and stops after a "
                     "fixed amount of work, so any machine plans the same days)")
    else:
        days = (f"day{'s' if len(info.unproven_days) != 1 else ''} "
                + ", ".join(str(d) for d in info.unproven_days)
                if info.unproven_days else "some days")
        why = ("the safety time limit (the result may differ on a faster or quieter machine)"
               if "time" in info.stopped_by else
               f"the work limit of {opts.day_node_limit} search nodes a day")
        parts.append(f"{days}: a good plan, but {why} stopped the search before its score "
                     f"was proven within {tol} of {best}")
    return "; ".join(parts) + "."


def _is_nan(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)


def day_totals(items: Sequence[PlanItem], table: FoodTable,
               nutrients: Sequence[str]) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Recompute a day's totals from the food table (unknown values count as 0).

    A dish counts as its ingredients (each food's row, at the grams served), never as the
    dish's own row: the check stays independent of how the dish's values were computed.

    Returns:
        (totals per nutrient, food ids with an unknown value per nutrient).
    """
    totals = dict.fromkeys(nutrients, 0.0)
    unknown: dict[str, list[str]] = {n: [] for n in nutrients}
    parts = [p for it in items for p in it.parts()]
    ids = list(dict.fromkeys(f for f, _g in parts))
    for f in ids:
        if not table.has(f):
            raise KeyError(f"unknown food id '{f}'")
    cols = [n for n in nutrients if n in table.df.columns]
    values = table.df.loc[ids, cols].to_dict("index") if ids and cols else {}
    for fid, grams in parts:
        row = values.get(fid, {})
        for n in nutrients:
            if n not in row:
                unknown[n].append(fid)
                continue
            v = float(row[n])
            if math.isnan(v):
                unknown[n].append(fid)
                continue
            totals[n] += v * grams / 100.0
    return totals, unknown


def _kind(table: FoodTable, food_id: str) -> str:
    if "kind" not in table.df.columns or not table.has(food_id):
        return ""
    return next(iter(table.list_of(food_id, "kind")), "")


def item_shape(item: PlanItem, table: FoodTable) -> Shape:
    """The item's meal-pattern roles and grams per food kind, from the food table's kinds.

    A dish's roles follow one serving of its recipe (as the optimiser counts them); its
    grams per kind are as served.
    """
    served = grams_by_kind(item.parts(), table)
    if item.dish is None:
        return Shape(item_roles(_kind(table, item.food_id), served), served)
    per_serving = {k: g / max(item.dish.servings, 1e-9) for k, g in served.items()}
    return Shape(item_roles("dish", per_serving, item.dish.role), served)


def _within(value: float, lo: float | None, hi: float | None) -> Literal["ok", "low", "high"]:
    if lo is not None and value < lo - max(ABS_TOL, REL_TOL * abs(lo)):
        return "low"
    if hi is not None and value > hi + max(ABS_TOL, REL_TOL * abs(hi)):
        return "high"
    return "ok"


def check_bounds(days: Sequence[DayPlan], table: FoodTable,
                 targets: Targets) -> list[BoundCheck]:
    """Every bound of ``targets`` against every day (and weekly averages), recomputed.

    Each day is recomputed once for every bound's nutrient (all items), and once more over
    its supplements alone when a bound counts supplements only.
    """
    nutrients = list(dict.fromkeys(b.nutrient for b in targets.bounds))
    supp_only = list(dict.fromkeys(b.nutrient for b in targets.bounds if b.supplements_only))
    per_day = [day_totals(d.items, table, nutrients) for d in days]
    per_day_supp = [day_totals([it for it in d.items if it.is_supplement], table, supp_only)
                    if supp_only else ({}, {}) for d in days]
    checks: list[BoundCheck] = []
    for b in targets.bounds:
        values: list[float] = []
        for d, whole, supp in zip(days, per_day, per_day_supp, strict=True):
            totals, unknown = supp if b.supplements_only else whole
            v = totals[b.nutrient]
            values.append(v)
            if b.period == "week":
                lo, hi = b.daily_min, (None if b.weekly_max else b.max)
            else:
                lo, hi = b.min, b.max
            checks.append(BoundCheck(b.nutrient, d.day, v, lo, hi, b.unit,
                                     _within(v, lo, hi), tuple(unknown[b.nutrient])))
        if b.period == "week" and days:
            avg = sum(values) / len(values)
            checks.append(BoundCheck(b.nutrient, None, avg, b.min, b.max, b.unit,
                                     _within(avg, b.min, b.max if b.weekly_max else None)))
    return checks


def dish_table(options: PlanOptions) -> DishTable:
    """The dish table a plan uses: the user's (``options.dish_table``) or the shipped one."""
    from .dishes import shipped_dishes

    return options.dish_table if options.dish_table is not None else shipped_dishes()


def _verify_dish(where: str, slot: str, it: PlanItem, table: FoodTable,
                 allowed: frozenset[str] | None, options: PlanOptions) -> list[str]:
    """A dish item against the plan's dish table: the recipe scaled to the servings, the
    servings in steps of the dish's scaling, every ingredient a known, allowed food."""
    from .dishes import SCALING_STEP

    assert it.dish is not None
    v: list[str] = []
    try:
        dish = dish_table(options).get(it.food_id)
    except KeyError:
        return [f"{where} {slot}: unknown dish '{it.food_id}'"]
    if slot not in dish.slots:
        v.append(f"{where}: dish '{it.food_id}' does not suit {slot}")
    n = it.dish.servings
    step = SCALING_STEP.get(dish.scaling, 1.0)
    if n < 1.0 - 1e-6 or n > dish.max_servings + 1e-6 or (
            not options.continuous and abs(n / step - round(n / step)) > 1e-6):
        v.append(f"{where} {slot}: dish '{it.food_id}' {n:g} servings outside 1-"
                 f"{dish.max_servings:g} in steps of {step:g}")
    if abs(it.portions * step - n) > 1e-6:
        v.append(f"{where} {slot}: dish '{it.food_id}' {it.portions:g} units of {step:g} "
                 f"serving are not {n:g} servings")
    recipe = {i.food_id: i.grams * n for i in dish.ingredients}
    served = {i.food_id: i.grams for i in it.dish.ingredients}
    if set(recipe) != set(served) or any(
            abs(recipe[f] - served[f]) > 1e-4 * max(1.0, recipe[f]) for f in recipe):
        v.append(f"{where} {slot}: dish '{it.food_id}' is not its recipe x {n:g} servings")
    for f in served:
        if not table.has(f):
            v.append(f"{where} {slot}: dish '{it.food_id}' uses unknown food '{f}'")
        elif allowed is not None and f not in allowed:
            v.append(f"{where} {slot}: dish '{it.food_id}' holds '{f}', excluded by the "
                     "filters")
        elif f in options.bans:
            v.append(f"{where} {slot}: dish '{it.food_id}' holds banned '{f}'")
    if it.food_id in options.bans:
        v.append(f"{where} {slot}: '{it.food_id}' is banned")
    return v


def weekly_allowance(per_week: int, days: int) -> int:
    """How many of a per-week allowance a plan of ``days`` days may use: its share of the
    week, rounded up (3 a week: 3 in 7 days, 1 in 1 day, 6 in 14 days)."""
    return -(-per_week * days // 7)


def days_limit_of(options: PlanOptions, table: FoodTable, food_id: str) -> int:
    """Most days ``food_id`` may be on (:meth:`PlanOptions.days_limit` of its ``kind``
    words; ``max_days_per_food`` for a food the table lacks or a table without kinds):
    the one rule the planner, the day pools and the verifier apply."""
    if table.has(food_id) and "kind" in table.df.columns:
        return options.days_limit(table.list_of(food_id, "kind"))
    return options.max_days_per_food


def patterns_apply(table: FoodTable, options: PlanOptions) -> bool:
    """Whether meal patterns are on and the table says what its foods are (``kind``)."""
    return (options.meal_patterns and "kind" in table.df.columns
            and bool((table.df["kind"].fillna("") != "").any()))


def counted_items(days: Sequence[DayPlan], table: FoodTable, kind: str,
                  at_least: float) -> int:
    """Items holding at least ``at_least`` g of food kind ``kind`` per portion (e.g. fish
    servings), over ``days``."""
    n = 0
    for d in days:
        for it in d.items:
            grams = item_shape(it, table).kind_grams.get(kind, 0.0)
            if it.portions > 0 and grams / it.portions >= at_least - 1e-9:
                n += 1
    return n


def kind_grams(day: DayPlan, table: FoodTable, kind: str) -> float:
    """Grams of food kind ``kind`` eaten on a day (dishes by their ingredients; supplements
    not counted)."""
    return sum(item_shape(it, table).kind_grams.get(kind, 0.0) for it in day.items
               if not it.is_supplement)


def weekly_cap_left(cap_grams: float, day: int, planned: Mapping[int, DayPlan],
                    table: FoodTable, kind: str) -> float:
    """Grams of ``kind`` day ``day`` may still hold so that every 7 consecutive days (or the
    whole plan, when shorter) stay under ``cap_grams``, given the other planned days."""
    other = {d: kind_grams(p, table, kind) for d, p in planned.items() if d != day}
    return min(cap_grams - sum(g for d, g in other.items() if start <= d < start + 7)
               for start in range(day - 6, day + 1))


@dataclass(frozen=True)
class LeftoverPair:
    """A dish cooked once for two meals: served at ``cook`` and again at ``eat``."""

    food_id: str
    name: str
    cook: tuple[int, str]  # (day, meal) it is cooked for
    eat: tuple[int, str]  # (day, meal) its leftovers are eaten
    cook_servings: float  # servings eaten when it is cooked
    eat_servings: float  # servings kept for the leftovers meal

    @property
    def total_servings(self) -> float:
        """Servings to cook: both meals'."""
        return self.cook_servings + self.eat_servings


def _servings(it: PlanItem) -> float:
    return it.dish.servings if it.dish is not None else it.portions


def leftover_pairs(days: Sequence[DayPlan]) -> list[LeftoverPair]:
    """Every cook-once-eat-twice pair of a plan whose cooked meal holds the same dish
    (a leftovers mark whose cooked meal changed since is not a pair: see
    :func:`drop_broken_leftovers`)."""
    by_meal = {(d.day, m.slot): m for d in days for m in d.meals}
    pairs = []
    for d in days:
        for m in d.meals:
            for it in m.items:
                if it.leftover_of is None:
                    continue
                src = by_meal.get(it.leftover_of)
                cooked = ([x for x in src.items if x.food_id == it.food_id and x.dish]
                          if src is not None else [])
                if cooked and it.leftover_of[0] < d.day:
                    pairs.append(LeftoverPair(it.food_id, it.name, it.leftover_of,
                                              (d.day, m.slot), _servings(cooked[0]),
                                              _servings(it)))
    return pairs


def leftover_notes(days: Sequence[DayPlan]) -> dict[tuple[int, str, str], str]:
    """(day, meal, item id) -> what a cook reads about a cook-once-eat-twice item: "cook 2
    servings: 1 now, 1 for day 2's lunch" or "leftovers of day 1's dinner"."""
    out: dict[tuple[int, str, str], str] = {}
    for p in leftover_pairs(days):
        out[(*p.cook, p.food_id)] = (
            f"cook {p.total_servings:g} servings: {p.cook_servings:g} now, "
            f"{p.eat_servings:g} for day {p.eat[0]}'s {p.eat[1]}")
        out[(*p.eat, p.food_id)] = f"leftovers of day {p.cook[0]}'s {p.cook[1]} (reheat)"
    return out


def drop_broken_leftovers(days: Sequence[DayPlan]) -> tuple[DayPlan, ...]:
    """The days with every leftovers mark whose cooked meal no longer holds the dish
    removed (after an edit replaced that meal, the dish is simply served again)."""
    kept = {(*p.eat, p.food_id) for p in leftover_pairs(days)}

    def fix(d: DayPlan, m: Meal) -> Meal:
        items = tuple(replace(it, leftover_of=None)
                      if it.leftover_of is not None and (d.day, m.slot, it.food_id) not in kept
                      else it for it in m.items)
        return replace(m, items=items)

    return tuple(replace(d, meals=tuple(fix(d, m) for m in d.meals)) for d in days)


def natto_items(days: Sequence[DayPlan]) -> int:
    """Items holding natto (a pack in a dish, or natto itself), over ``days``."""
    return sum(1 for d in days for it in d.items
               if it.food_id == NATTO_ID or (it.dish is not None and any(
                   ing.food_id == NATTO_ID for ing in it.dish.ingredients)))


def plan_rules(options: PlanOptions, targets: Targets) -> tuple[tuple[Rule, ...],
                                                                  tuple[Rule, ...]]:
    """(meal rules, day rules) of a plan: its slots, its modes, and a fresh fruit a day when
    the healthy day's fruit and vegetables are held (:func:`mealplan.patterns.rules_for`)."""
    return rules_for(options.slots, targets.modes,
                     fresh_fruit=any(b.nutrient == "fruit_veg_g" for b in targets.bounds))


def _verify_menus(days: Sequence[DayPlan], table: FoodTable, targets: Targets,
                  options: PlanOptions) -> list[str]:
    """Dish recipes as served, meal patterns, and the weekly fish and natto allowances."""
    v: list[str] = []
    for d in days:
        for m in d.meals:
            for it in m.items:
                if it.dish is None:
                    continue
                served = sum(ing.grams for ing in it.dish.ingredients)
                if abs(served - it.grams) > 1e-6 * max(1.0, it.grams) + 1e-6:
                    v.append(f"day {d.day} {m.slot}: dish '{it.food_id}' ingredients weigh "
                             f"{served:g} g, the item {it.grams:g} g")
    if not patterns_apply(table, options):
        return v
    rules, rules_day = plan_rules(options, targets)
    for d in days:
        shapes_day: list[Shape] = []
        for m in d.meals:
            shapes = [item_shape(it, table) for it in m.items
                      if not it.is_supplement and all(
                          table.has(f) for f in ([i.food_id for i in it.dish.ingredients]
                                                 if it.dish else [it.food_id]))]
            v += [f"day {d.day} {m.slot}: {text}" for text in check_meal(m.slot, shapes, rules)]
            shapes_day += shapes
            limit = options.minutes_limit(d.day)
            v += [f"day {d.day} {m.slot}: '{it.food_id}' takes {it.dish.minutes} minutes, more "
                  f"than the {limit} allowed that day" for it in m.items
                  if it.dish is not None and limit is not None and it.dish.minutes > limit
                  and it.leftover_of is None]  # leftovers are cooked on the day they name
            in_dishes = {i.food_id for it in m.items if it.dish for i in it.dish.ingredients}
            v += [f"day {d.day} {m.slot}: '{it.food_id}' is served alone and inside a dish of "
                  "the same meal" for it in m.items if it.dish is None and it.food_id in in_dishes]
        v += [f"day {d.day}: {text}" for text in check_day(shapes_day, rules_day)]
    cheeses = {f for d in days for f in d.eaten_ids() if _kind(table, f) == "cheese"}
    if len(cheeses) > weekly_allowance(MAX_CHEESES_PER_WEEK, len(days)):
        v.append(f"{len(cheeses)} different cheeses, more than {MAX_CHEESES_PER_WEEK} a week")
    for cap in targets.weekly_max:
        per_day = [kind_grams(d, table, cap.kind) for d in days]
        for start in range(max(1, len(per_day) - 6)):
            total = sum(per_day[start:start + 7])
            if total > cap.grams + 1e-6:
                v.append(f"{total:.0f} g of {cap.kind} in days {start + 1}-"
                         f"{min(start + 7, len(per_day))}, more than {cap.grams:g} g a week")
    fish = counted_items(days, table, "fish", FISH_SERVING_G)
    if fish > weekly_allowance(options.fish_per_week, len(days)):
        v.append(f"{fish} servings of fish, more than {options.fish_per_week} a week")
    natto = natto_items(days)
    if not options.natto and natto:
        v.append("natto is planned although 'I eat natto' is off")
    elif natto > weekly_allowance(options.natto_per_week, len(days)):
        v.append(f"natto {natto} times, more than {options.natto_per_week} a week")
    return v


def has_flag(table: FoodTable, flag: str, allowed: frozenset[str] | None = None) -> bool:
    """Whether any (allowed) food of the table carries ``flag``."""
    if "flags" not in table.df.columns:
        return False
    for fid, flags in zip(table.df.index, table.df["flags"], strict=True):
        if (allowed is None or str(fid) in allowed) and flag in str(flags).split(";"):
            return True
    return False


def main_dish_slots_available(table: FoodTable, options: PlanOptions,
                              allowed: frozenset[str] | None = None) -> frozenset[str]:
    """The slots of ``options.main_dish_slots`` for which the table has a main dish.

    A table that marks no food ``main`` (e.g. a user's own) has no main-dish rule.
    """
    df = table.df
    if "flags" not in df.columns:
        return frozenset()
    out = set()
    for fid, flags, slots in zip(df.index, df["flags"], df["slots"], strict=True):
        if allowed is not None and str(fid) not in allowed:
            continue
        if "main" in str(flags).split(";"):
            out.update(set(str(slots).split(";")) & set(options.main_dish_slots))
    return frozenset(out)


def verify_plan(days: Sequence[DayPlan], table: FoodTable, targets: Targets,
                options: PlanOptions, allowed: frozenset[str] | None = None) -> list[str]:
    """Independently check a plan against the food table, the targets and every rule.

    Args:
        days: the plan's days.
        table: the food table the plan was made from (shipped + user + supplements).
        targets: the bounds to meet.
        options: the realism rules.
        allowed: food ids the diet filter allowed (None: any food in ``table``).

    Returns:
        A list of violations in plain words (empty when the plan is valid).
    """
    v: list[str] = []
    if len(days) != options.days:
        v.append(f"plan has {len(days)} days, {options.days} were asked for")
    for c in check_bounds(days, table, targets):
        if c.status != "ok":
            where = f"day {c.day}" if c.day is not None else "weekly average"
            rng = f"[{c.min if c.min is not None else '-'}, {c.max if c.max is not None else '-'}]"
            v.append(f"{where}: {c.nutrient} = {c.value:.4g} {c.unit} outside {rng}")
    days_used: Counter[str] = Counter()
    seen_days: list[frozenset[tuple[str, float]]] = []
    menus = patterns_apply(table, options)  # meal patterns replace the older flag rules
    mains_for = frozenset() if menus else main_dish_slots_available(table, options, allowed)
    need_produce = (options.min_produce_per_day
                    if not menus and has_flag(table, "produce", allowed) else 0)
    for d in days:
        food_ids = [it.food_id for it in d.items]
        if len(set(food_ids)) != len(food_ids):
            v.append(f"day {d.day}: a food appears in more than one meal or twice in a meal")
        n_foods = len(set(food_ids))
        n_foods_non_supp = len({it.food_id for it in d.items if not it.is_supplement})
        if n_foods_non_supp > options.max_foods_per_day:
            v.append(f"day {d.day}: {n_foods_non_supp} foods, more than "
                     f"{options.max_foods_per_day}")
        if n_foods_non_supp < min(options.min_foods_per_day, n_foods):
            v.append(f"day {d.day}: only {n_foods_non_supp} foods")
        produce = sum(1 for it in d.items if table.has(it.food_id)
                      and "produce" in table.list_of(it.food_id, "flags"))
        if produce < need_produce:
            v.append(f"day {d.day}: {produce} vegetables or fruit, fewer than {need_produce}")
        grams = sum(it.grams for it in d.items if not it.is_supplement)
        if grams > options.max_grams_per_day + ABS_TOL:
            v.append(f"day {d.day}: {grams:.0f} g of food, more than {options.max_grams_per_day:g}")
        slots_present = {m.slot for m in d.meals if m.items}
        if options.require_main_meals:
            for s in MAIN_MEALS:
                if s in options.slots and s not in slots_present:
                    v.append(f"day {d.day}: no {s}")
        for m in d.meals:
            if m.slot not in options.slots:
                v.append(f"day {d.day}: meal slot '{m.slot}' was not asked for")
            known = [it for it in m.items if table.has(it.food_id)]
            flags = [table.list_of(it.food_id, "flags") for it in known]
            if (m.slot in options.main_dish_slots and m.slot in mains_for
                    and not any("main" in f for f in flags)):
                v.append(f"day {d.day} {m.slot}: no main dish")
            n_addon = sum(1 for f in flags if "addon" in f)
            n_other = sum(1 for f in flags if "addon" not in f and "supplement" not in f)
            if not menus and (n_addon > 1 or (n_addon and not n_other)):
                v.append(f"day {d.day} {m.slot}: oil/butter must come with other foods, "
                         "one per meal")
            foods_in_meal = [it for it in m.items if not it.is_supplement]
            if len(foods_in_meal) > options.items_limit(m.slot):
                v.append(f"day {d.day} {m.slot}: {len(foods_in_meal)} items, more than "
                         f"{options.items_limit(m.slot)}")
            for it in m.items:
                if it.dish is not None:
                    v += _verify_dish(f"day {d.day}", m.slot, it, table, allowed, options)
                    continue
                if not table.has(it.food_id):
                    v.append(f"day {d.day} {m.slot}: unknown food '{it.food_id}'")
                    continue
                row = table.row(it.food_id)
                if allowed is not None and it.food_id not in allowed:
                    v.append(f"day {d.day} {m.slot}: '{it.food_id}' is excluded by the filters")
                if it.food_id in options.bans:
                    v.append(f"day {d.day} {m.slot}: '{it.food_id}' is banned")
                if m.slot not in table.list_of(it.food_id, "slots"):
                    v.append(f"day {d.day}: '{it.food_id}' does not suit {m.slot}")
                pg = float(row["portion_g"])
                if abs(it.grams - it.portions * pg) > 1e-6 * max(1.0, it.grams):
                    v.append(f"day {d.day}: '{it.food_id}' grams {it.grams:g} != "
                             f"{it.portions:g} x {pg:g} g")
                lo_p, hi_p = float(row["min_portions"]), float(row["max_portions"])
                if it.portions < lo_p - 1e-6 or it.portions > hi_p + 1e-6:
                    v.append(f"day {d.day} {m.slot}: '{it.food_id}' {it.portions:g} portions "
                             f"outside [{lo_p:g}, {hi_p:g}]")
                if not options.continuous and abs(it.portions - round(it.portions)) > 1e-6:
                    v.append(f"day {d.day}: '{it.food_id}' has a fractional portion count")
                if it.is_supplement != ("supplement" in table.list_of(it.food_id, "flags")):
                    v.append(f"day {d.day}: '{it.food_id}' supplement marking is wrong")
        for fid in d.cooked_ids() if not d.variety_open else ():
            flags_of = table.list_of(fid, "flags") if table.has(fid) else frozenset()
            if options.staples_exempt and "staple" in flags_of:
                continue
            if "supplement" in flags_of:
                continue
            days_used[fid] += 1
        signature = frozenset((it.food_id, round(it.portions, 6)) for it in d.items)
        if options.distinct_days and signature in seen_days:
            v.append(f"day {d.day}: identical to an earlier day")
        seen_days.append(signature)
    v += _verify_menus(days, table, targets, options)
    for d in days:  # each item's energy as shown, against the food table
        for m in d.meals:
            for it in m.items:
                if it.kcal is not None and all(table.has(f) for f, _g in it.parts()):
                    e = day_totals([it], table, ["energy_kcal"])[0].get("energy_kcal", 0.0)
                    if abs(e - it.kcal) > 0.06 + 1e-6 * e:
                        v.append(f"day {d.day} {m.slot}: '{it.food_id}' shows {it.kcal:g} kcal, "
                                 f"the food table gives {e:.1f}")
    paired = {(*p.eat, p.food_id) for p in leftover_pairs(days)}
    v += [f"day {d.day} {m.slot}: '{it.food_id}' is marked as leftovers of day "
          f"{it.leftover_of[0]} {it.leftover_of[1]}, which does not hold that dish"
          for d in days for m in d.meals for it in m.items
          if it.leftover_of is not None and (d.day, m.slot, it.food_id) not in paired]
    for fid, n in sorted(days_used.items()):
        cap = days_limit_of(options, table, fid)
        if n > cap:
            v.append(f"'{fid}' appears on {n} days, more than {cap}")
    for lock in options.locks:
        if 1 <= lock.day <= len(days):
            d = days[lock.day - 1]
            ok = any(it.food_id == lock.food_id and it.portions >= lock.portions - 1e-6
                     for m in d.meals if m.slot == lock.slot for it in m.items)
            if not ok:
                v.append(f"day {lock.day} {lock.slot}: locked food '{lock.food_id}' missing")
    return v


FixKind = Literal["allow_flag", "allow_supplements", "relax_bound", "hold_weekly",
                  "change_diet", "allow_food", "eat_natto"]


@dataclass(frozen=True)
class Shortfall:
    """A bound no plan can meet: how far the best plan gets."""

    nutrient: str
    unit: str
    kind: Literal["min", "max"]
    bound: float
    best: float  # the best achievable value (highest for a min, lowest for a max)
    days: tuple[int, ...] = ()  # days it fails on (empty: every day)

    def describe(self) -> str:
        """One plain sentence, e.g. 'Vitamin D reaches at most 3.4 µg a day (minimum 15 µg)'."""
        from .units import amount_text, nutrient_label

        label = nutrient_label(self.nutrient)
        on = ("" if not self.days else
              " on day " + ", ".join(str(d) for d in self.days)
              + " (after the earlier days' share of the foods)")
        u = self.unit
        if self.kind == "min":
            return (f"{label} reaches at most {amount_text(self.best)} {u} a day "
                    f"(minimum {amount_text(self.bound)} {u}){on}")
        return (f"{label} cannot go below {amount_text(self.best)} {u} a day "
                f"(maximum {amount_text(self.bound)} {u}){on}")


@dataclass(frozen=True)
class Fix:
    """A change that would make the request feasible (the app offers it as a button)."""

    description: str
    kind: FixKind
    nutrient: str | None = None
    value: str | float | None = None  # the flag/diet/food to allow, or the new bound value
    changes: tuple[tuple[str, float], ...] = ()  # relax_bound: (nutrient, new minimum) each


@dataclass(frozen=True)
class Diagnosis:
    """Why no plan exists: the unmet bounds and the smallest changes that fix it."""

    shortfalls: tuple[Shortfall, ...]
    fixes: tuple[Fix, ...]
    conflicting_rules: tuple[str, ...] = ()

    def explain(self) -> str:
        """The whole explanation as plain text."""
        lines = ["No plan meets every target."]
        lines += [f"- {s.describe()}" for s in self.shortfalls]
        lines += [f"- {r}" for r in self.conflicting_rules]
        if self.fixes:
            lines.append("What would make it possible:")
            lines += [f"- {f.description}" for f in self.fixes]
        return "\n".join(lines)
