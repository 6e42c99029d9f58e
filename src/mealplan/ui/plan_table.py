"""The Plan tab's tables and words: items per day, nutrient coverage, the week's summary,
the status line, the explanation of a refusal, and edits in place (no Streamlit)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from mealplan.errors import (
    Problem,
    SolverTimeoutError,
    TargetsError,
)
from mealplan.foods import (
    FoodTable,
)
from mealplan.plan import (
    BoundCheck,
    Diagnosis,
    Fix,
    Lock,
    Plan,
    PlanItem,
    PlanOptions,
    Shortfall,
    dish_table,
    is_weekend,
    leftover_notes,
    plan_headline,
)
from mealplan.shopping import ShoppingItem
from mealplan.targets import Bound, Targets
from mealplan.ui.bounds_editor import BoundEdit, bound_keys
from mealplan.ui.text import number, plural
from mealplan.units import (
    amount_text,
    nutrient_label,
    unit_of,
)

__all__ = [
    "ban_food", "cooking_limits_text", "coverage_frame", "day_kcal", "day_limit_text",
    "diagnosis_frame", "dish_text", "item_kcal", "k2_frame", "limit_advice", "lock_item",
    "meal_heading", "meal_minutes_text", "plan_grid", "plan_status", "shopping_frame",
    "weekly_summary",
]


# -- a plan as tables and charts ------------------------------------------------------------
def item_kcal(item: PlanItem, table: FoodTable | None) -> float | None:
    """An item's energy in kcal, from the food table (a dish: its ingredients as served).

    Args:
        item: the plan item.
        table: the food table; None, or a food it lacks (a supplement), counts nothing.

    Returns:
        The kcal, or None without a table.
    """
    if item.kcal is not None:  # computed from the food table when the plan was made
        return item.kcal
    if table is None:
        return None
    total = 0.0
    for fid, grams in item.parts():
        if not table.has(fid):
            continue
        v = table.value(fid, "energy_kcal")
        if not math.isnan(v):
            total += v * grams / 100.0
    return total


def dish_text(item: PlanItem) -> str:
    """A dish in one line: servings, prep and cook minutes, each ingredient with its grams,
    e.g. "1 serving · 10 min prep + 15 min cooking (20 min) · Oats 40 g, Milk 200 g"; an
    empty string for a single food."""
    d = item.dish
    if d is None:
        return ""
    servings = f"{d.servings:g} serving{'' if d.servings == 1 else 's'}"
    if d.cook_minutes:
        time = (f"{d.prep_minutes} min prep + {d.cook_minutes} min cooking "
                f"({d.minutes} min)")
    else:
        time = f"{d.prep_minutes} min, no cooking"
    parts = ", ".join(f"{i.name} {i.grams:,.0f} g" for i in d.ingredients)
    return f"{servings} · {time} · {parts}"


def plan_grid(plan: Plan, table: FoodTable | None = None) -> pd.DataFrame:
    """Every item of the plan: day, meal, food, household amount, grams, and for a dish its
    servings, minutes and ingredients (``dish`` is the one-line :func:`dish_text`, with what
    to cook for the leftovers); ``kcal`` when a food table is given; ``leftovers``: the item
    is a second serving of an earlier meal's dish."""
    rows: list[dict[str, Any]] = []
    notes = leftover_notes(plan.days)
    for d in plan.days:
        for m in d.meals:
            for it in m.items:
                kcal = item_kcal(it, table)
                note = notes.get((d.day, m.slot, it.food_id))
                rows.append({"day": d.day, "meal": m.slot, "food": it.name,
                             "amount": it.household, "grams": round(it.grams, 1),
                             "supplement": it.is_supplement, "food_id": it.food_id,
                             "kcal": None if kcal is None else round(kcal, 1),
                             "is_dish": it.dish is not None,
                             "servings": it.dish.servings if it.dish else None,
                             "minutes": it.dish.minutes if it.dish else None,
                             "dish": dish_text(it) + (f" · {note.capitalize()}" if note
                                                      else ""),
                             "leftovers": it.leftover_of is not None})
    return pd.DataFrame(rows, columns=["day", "meal", "food", "amount", "grams",
                                       "supplement", "food_id", "kcal", "is_dish",
                                       "servings", "minutes", "dish", "leftovers"])


def meal_heading(grid: pd.DataFrame, day: int, slot: str) -> str:
    """A meal's heading with its energy, e.g. "Breakfast · 512 kcal" (no kcal column: the
    name alone)."""
    rows = grid[(grid["day"] == day) & (grid["meal"] == slot)]
    name = slot.capitalize()
    if "leftovers" in rows.columns and rows["leftovers"].astype(bool).any():
        name += " (leftovers)"
    if "kcal" not in rows.columns or rows["kcal"].isna().all():
        return name
    return f"{name} · {float(rows['kcal'].fillna(0).sum()):,.0f} kcal"


def meal_minutes_text(grid: pd.DataFrame, day: int, slot: str) -> str:
    """A meal's prep-and-cook time from its dishes, e.g. "Prep and cooking: 20 min", or
    "Prep and cooking: 15 + 10 min (25 min)" for two dishes; a meal of single foods only
    says so (the food table has no minutes for a single food); leftovers are reheated,
    cooked the day before."""
    rows = grid[(grid["day"] == day) & (grid["meal"] == slot) & grid["is_dish"]]
    reheat = rows["leftovers"].astype(bool) if "leftovers" in rows.columns else None
    if reheat is not None and reheat.any():
        rest = [int(m) for m in rows["minutes"][~reheat]]
        return ("Leftovers: reheat (cooked the day before)"
                + (f"; prep and cooking: {' + '.join(map(str, rest))} min" if rest else ""))
    minutes = [int(m) for m in rows["minutes"]]
    if not minutes:
        return "Prep and cooking: no dish in this meal (single foods, no recipe time)"
    if len(minutes) == 1:
        return f"Prep and cooking: {minutes[0]} min"
    return (f"Prep and cooking: {' + '.join(str(m) for m in minutes)} min "
            f"({sum(minutes)} min)")


def day_limit_text(options: PlanOptions, day: int) -> str:
    """The weeknight limit a day was planned under, e.g. "Weeknight limit: 30 min per dish"
    (days 6 and 7 of each week: the weekend's); empty when the day had none."""
    limit = options.minutes_limit(day)
    if limit is None:
        return ""
    if not is_weekend(day):
        return f"Weeknight limit: {limit} min per dish"
    if options.weekend_dish_minutes is None:
        return f"Weekend limit: {limit} min per dish (as on weeknights)"
    return f"Weekend limit: {limit} min per dish"


def cooking_limits_text(options: PlanOptions | None) -> str:
    """The plan's weeknight limits in one sentence, e.g. "Cooking limit: 20 min per dish on
    weeknights, 60 min at the weekend."; empty without limits."""
    if options is None:
        return ""
    week, weekend = options.max_dish_minutes, options.weekend_dish_minutes
    if week is None and weekend is None:
        return ""
    if weekend is None:
        return f"Cooking limit: {week} min per dish."
    if week is None:
        return f"Cooking limit: {weekend} min per dish at the weekend."
    return f"Cooking limit: {week} min per dish on weeknights, {weekend} min at the weekend."


def day_kcal(plan: Plan, day: int) -> float:
    """A day's energy in kcal (the plan's recomputed total)."""
    return float(plan.day(day).totals.get("energy_kcal", 0.0))


def _checks_with_bounds(plan: Plan) -> list[tuple[BoundCheck, Bound | None]]:
    """Pair each check with the bound it checks (checks come in bound order: one per day,
    plus the weekly average for weekly bounds); None where the order does not match."""
    expected: list[Bound] = []
    for b in plan.targets.bounds:
        expected += [b] * (len(plan.days) + (1 if b.period == "week" else 0))
    if len(expected) == len(plan.checks) and all(
            b.nutrient == c.nutrient for b, c in zip(expected, plan.checks, strict=True)):
        return list(zip(plan.checks, expected, strict=True))
    return [(c, None) for c in plan.checks]


def coverage_frame(plan: Plan) -> pd.DataFrame:
    """Per day and bounded nutrient: value, min, max, and value as % of min and of max.

    Bounds that count supplements only are left out (they are not intake targets).
    """
    rows = []
    for c, b in _checks_with_bounds(plan):
        if c.day is None or (b is not None and b.supplements_only):
            continue
        rows.append({
            "day": c.day, "nutrient": c.nutrient, "label": nutrient_label(c.nutrient),
            "value": c.value, "unit": c.unit, "min": c.min, "max": c.max,
            "pct_of_min": None if not c.min else 100.0 * c.value / c.min,
            "pct_of_max": None if not c.max else 100.0 * c.value / c.max,
            "status": c.status,
        })
    df = pd.DataFrame(rows, columns=["day", "nutrient", "label", "value", "unit", "min", "max",
                                     "pct_of_min", "pct_of_max", "status"])
    # A nutrient with two bound rows (e.g. food and supplement) keeps the first of each day.
    return df.drop_duplicates(subset=["day", "nutrient"], keep="first").reset_index(drop=True)




def k2_frame(plan: Plan) -> pd.DataFrame:
    """Vitamin K2 per day against its band (the K2 window)."""
    cov = coverage_frame(plan)
    k2 = cov[cov["nutrient"] == "k2_ug"]
    return k2[["day", "value", "min", "max", "status"]].reset_index(drop=True)


def weekly_summary(plan: Plan) -> pd.DataFrame:
    """Per bounded nutrient: average, lowest and highest day, the bound and how many days
    fall outside it; every number as text in plain notation (empty where there is none)."""
    cov = coverage_frame(plan)
    rows = []
    for nutrient, g in cov.groupby("nutrient", sort=False):
        rows.append({
            "nutrient": nutrient_label(str(nutrient)),
            "average": number(float(g["value"].mean())),
            "lowest": number(float(g["value"].min())),
            "highest": number(float(g["value"].max())),
            "unit": g["unit"].iloc[0],
            "min": number(g["min"].iloc[0]),
            "max": number(g["max"].iloc[0]),
            "days outside": int((g["status"] != "ok").sum()),
        })
    return pd.DataFrame(rows, columns=["nutrient", "average", "lowest", "highest", "unit",
                                       "min", "max", "days outside"])


def plan_status(plan: Plan) -> str:
    """How good the plan is in plain words, then how long it took (no solver words)."""
    secs = plan.info.solve_seconds
    took = f"{secs:.0f} s" if secs >= 10 else f"{secs:.1f} s"
    return f"{plan_headline(plan)} Planned in {took}."


def limit_advice(exc: SolverTimeoutError) -> str:
    """What to do about a limit that stopped the solver, in the app's terms (never a
    command-line flag)."""
    if exc.limit == "time":
        return (f"Raise “Give up after (seconds)” under Search effort in the sidebar (now "
                f"{exc.value:g} s), or plan fewer days.")
    return (f"Search harder (“Search effort per day” in the sidebar, now {exc.value:g}), plan "
            "fewer days, or loosen a target on the Dietitian tab.")


def timeout_text(exc: SolverTimeoutError) -> str:
    """A limit that stopped planning before a plan was found, in plain words with what to do
    (the planner's own message names search nodes; this one does not)."""
    day = f"day {exc.day}" if exc.day else "a day"
    if exc.limit == "time":
        what = (f"No plan yet: the safety time limit ({exc.value:g} s) ran out before {day} "
                "was planned.")
    else:
        what = (f"No plan yet: the planner searched as hard as allowed ({exc.value:g} a day, "
                f"then four times that) and found no plan for {day}; the targets leave very "
                "little room.")
    return f"{what} {limit_advice(exc)}"


def real_shortfalls(diagnosis: Diagnosis) -> tuple[Shortfall, ...]:
    """The shortfalls that really fall short: a minimum whose best is below it, a maximum
    whose best is above it (a nutrient whose best meets its bound is not listed)."""
    tol = 1e-6
    return tuple(s for s in diagnosis.shortfalls
                 if (s.best < s.bound * (1 - tol) if s.kind == "min"
                     else s.best > s.bound * (1 + tol)))


def diagnosis_frame(diagnosis: Diagnosis, days: int | None = None) -> pd.DataFrame:
    """The unmet bounds of an infeasible request as a table, numbers in plain notation.

    Args:
        diagnosis: the explanation.
        days: how many days were asked for: a shortfall on all of them says "every day".

    Returns:
        Columns nutrient, needed, best possible, days.
    """
    rows = []
    for s in real_shortfalls(diagnosis):
        every = not s.days or (days is not None and set(s.days) >= set(range(1, days + 1)))
        rows.append({
            "nutrient": nutrient_label(s.nutrient),
            "needed": f"{'at least' if s.kind == 'min' else 'at most'} "
                      f"{amount_text(s.bound)} {s.unit}",
            "best possible": f"{amount_text(s.best)} {s.unit}",
            "days": "every day" if every else (
                plural(len(s.days), "day").split(" ", 1)[1].capitalize() + " "
                + ", ".join(str(d) for d in s.days)),
        })
    return pd.DataFrame(rows, columns=["nutrient", "needed", "best possible", "days"])


def offered_fixes(diagnosis: Diagnosis, diet: str | None) -> list[Fix]:
    """The fixes worth a button: never a change to the diet already chosen.

    Args:
        diagnosis: the explanation.
        diet: the diet of the request (None: omnivore).

    Returns:
        The fixes, in the planner's order.
    """
    return [f for f in diagnosis.fixes
            if not (f.kind == "change_diet" and (f.value == diet or f.value is None))]


_WEIGHT_ONLY = re.compile(r"[\d.,]+ g")


def day_table(grid: pd.DataFrame, day: int, slot: str) -> pd.DataFrame:
    """One meal of one day as a person reads it, in two columns that fit a phone: the food,
    and the total in whole grams, then the household amount ("118 g · 2 cups"; a narrow
    screen cuts the end, never the total). A food planned in grams shows its weight once."""
    rows = grid[(grid["day"] == day) & (grid["meal"] == slot)]
    amounts = []
    for a, g in zip(rows["amount"].astype(str), rows["grams"].astype(float), strict=True):
        total = f"{g:,.0f} g"
        amounts.append(total if _WEIGHT_ONLY.fullmatch(a) else f"{total} · {a}")
    return pd.DataFrame({"food": rows["food"].astype(str).tolist(), "amount": amounts})


def shopping_frame(items: Sequence[ShoppingItem]) -> pd.DataFrame:
    """The shopping list as the app shows it: section, item, what to buy, how much the plan
    uses, what is left over and the days."""
    return pd.DataFrame({
        "section": [i.heading for i in items], "item": [i.name for i in items],
        "buy": [i.buy for i in items], "uses": [i.uses for i in items],
        "left over": [i.left for i in items],
        "days": [", ".join(str(d) for d in i.days) for i in items]},
        columns=["section", "item", "buy", "uses", "left over", "days"])


def view_options(days: int) -> list[str]:
    """What the plan view can show: each day, the week, the shopping list."""
    return [f"Day {d}" for d in range(1, days + 1)] + ["Week", "Shopping list"]


def shown_day(view: object) -> int | None:
    """The day a view option shows ("Day 3" -> 3), None for the week or shopping list."""
    if isinstance(view, str) and view.startswith("Day "):
        try:
            return int(view[4:])
        except ValueError:
            return None
    return None


def edits_summary(plan: Plan, names: Mapping[str, str]) -> str:
    """The plan's locks and bans in words, by food name (never an internal id)."""
    def name(fid: str) -> str:
        return names.get(fid, fid.replace("_", " "))

    parts = []
    if plan.options.locks:
        parts.append("Kept in place: " + ", ".join(
            f"{name(lk.food_id)} (day {lk.day}, {lk.slot})" for lk in plan.options.locks))
    if plan.options.bans:
        parts.append("Left out of the plan: " + ", ".join(
            sorted(name(f) for f in plan.options.bans)))
    return " · ".join(parts)


def relaxed_bounds(edits: Sequence[BoundEdit], defaults: Targets) -> list[str]:
    """Each bound that differs from the defaults, in words, e.g. "Vitamin B12: at least
    0.42 µg a day (default 2.4 µg)".

    Args:
        edits: the dietitian's (or a fix's) edits.
        defaults: the targets without them.

    Returns:
        One sentence per edit.
    """
    base = dict(zip(bound_keys(defaults.bounds), defaults.bounds, strict=True))

    def span(lo: float | None, hi: float | None, unit: str) -> str:
        if lo is not None and hi is not None:
            return f"{amount_text(lo)}-{amount_text(hi)} {unit}"
        if lo is not None:
            return f"at least {amount_text(lo)} {unit}"
        return f"at most {amount_text(hi or 0.0)} {unit}"

    out = []
    for e in edits:
        unit = unit_of(e.nutrient) or ""
        label = nutrient_label(e.nutrient) + (" (supplements)" if e.supplements_only else "")
        old = base.get(e.key)
        per = " a day" if e.period == "day" else " on average over the week"
        if e.action == "remove":
            out.append(f"{label}: no longer a target"
                       + (f" (default {span(old.min, old.max, old.unit or unit)})"
                          if old is not None else ""))
        elif e.action == "add" or old is None:
            out.append(f"{label}: {span(e.min, e.max, unit)}{per} (added)")
        else:
            out.append(f"{label}: {span(e.min, e.max, unit)}{per} (default "
                       f"{span(old.min, old.max, old.unit or unit)})")
    return out


# -- edits in place -------------------------------------------------------------------------
def lock_item(plan: Plan, day: int, slot: str, food_id: str) -> Plan:
    """Lock an item of the plan: later re-plans (regenerate, swap, ban) keep it.

    The plan itself does not change (the item is already in it); its options gain the lock.

    Raises:
        TargetsError: if the day/meal has no such item.
    """
    if not 1 <= day <= len(plan.days):
        raise TargetsError("plan", [Problem(f"no day {day} in this plan", column="day")])
    found = [it for m in plan.day(day).meals if m.slot == slot for it in m.items
             if it.food_id == food_id]
    if not found:
        raise TargetsError("plan", [Problem(f"day {day} {slot} has no '{food_id}'",
                                            column="food_id")])
    lock = Lock(day, slot, food_id, found[0].portions)
    others = [lk for lk in plan.options.locks
              if (lk.day, lk.slot, lk.food_id) != (day, slot, food_id)]
    locks = (*others, lock)
    return replace(plan, options=replace(plan.options, locks=locks))


def ban_food(plan: Plan, food_id: str, table: FoodTable,
             supplements: FoodTable | None = None,
             on_day: Callable[[int, int], None] | None = None) -> Plan:
    """Ban a food from the plan: only the days that had it are planned again.

    ``on_day`` is the planner's progress hook (see :func:`mealplan.solve.make_plan`).

    Raises:
        TargetsError: if the food is locked somewhere in the plan.
        InfeasiblePlanError: if the changed days cannot be planned without it.
    """
    from mealplan.solve import make_plan

    locked = [lk for lk in plan.options.locks if lk.food_id == food_id]
    if locked:
        raise TargetsError("plan", [Problem(
            f"'{food_id}' is locked on day {locked[0].day}; it cannot also be banned",
            column="food_id")])
    dishes = ({d.id: d for d in dish_table(plan.options).dishes}
              if plan.options.use_dishes else {})
    for lk in plan.options.locks:  # a locked dish keeps its ingredients
        dish = dishes.get(lk.food_id)
        if dish is not None and any(i.food_id == food_id for i in dish.ingredients):
            raise TargetsError("plan", [Problem(
                f"'{food_id}' is in {dish.name}, locked on day {lk.day}; unlock the dish "
                "before banning it", column="food_id")])
    options = replace(plan.options, bans=plan.options.bans | {food_id})
    keep = {d.day: d for d in plan.days
            if food_id not in d.food_ids() and food_id not in d.eaten_ids()}
    if len(keep) == len(plan.days):
        return replace(plan, options=options)
    return make_plan(table, plan.targets, options, supplements=supplements, keep_days=keep,
                     on_day=on_day)

