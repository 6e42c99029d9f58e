"""Suggested fixes for a plan that cannot be made: which relaxations work, and applying one.

Candidate relaxations (allow an excluded flag, supplements, a banned food, natto, a broader
diet, a weekly average, lower minimums) are each tried on the failing day with the same
variety history (:func:`_feasible`); only those that work are suggested. A fix never
re-admits a food excluded for safety (:data:`SAFETY_FLAGS`) nor raises an upper limit.
:func:`apply_fix` turns a chosen :class:`~mealplan.plan.Fix` into changed targets and options.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from mealplan.dishes import NATTO_ID
from mealplan.errors import TargetsError
from mealplan.foods import FoodTable
from mealplan.model import DayBound, solve_day
from mealplan.plan import Fix, PlanOptions, Shortfall
from mealplan.planning.day import (
    DIAG_NODE_LIMIT,
    DIAG_SAFETY_SECONDS,
    _day_bounds,
    _day_foods,
    _model,
    _nutrients,
    _unit,
)
from mealplan.planning.pool import _mode_flags, candidate_pool, day_pool, excluded_flags
from mealplan.targets import Targets
from mealplan.units import amount_text, nutrient_label

# Nutrients a fix may suggest holding as a weekly average.
WEEKLY_OK = ("vitamin_d_ug", "k2_ug")
# Flags that exclude foods for safety (warfarin: natto; pregnancy: liver). A fix never
# suggests re-admitting them, nor raising an upper limit.
SAFETY_FLAGS = frozenset({"vitamin_k_antagonist_caution", "high_vitamin_a", "listeria_risk",
                          "raw_animal", "high_iodine"})


def _suggest_fixes(table: FoodTable, targets: Targets, options: PlanOptions,
                   supplements: FoodTable | None, shortfalls: Sequence[Shortfall],
                   used: Mapping[str, int], forbid: Sequence[frozenset[str]],
                   joint: Mapping[str, float], unmet: Sequence[str] = ()) -> list[Fix]:
    if not shortfalls and not unmet:
        return []
    names = ", ".join(sorted({nutrient_label(n) for n in
                              [s.nutrient for s in shortfalls] + list(unmet)}))
    candidates: list[Fix] = []
    for flag in sorted(targets.diet.exclude_flags):
        if flag == "supplement" or flag in SAFETY_FLAGS:
            continue
        candidates.append(Fix(f"allow foods flagged '{flag}'"
                              f"{_flag_hint(flag)} to reach {names}", "allow_flag", None, flag))
    if not targets.allow_supplements and supplements is not None and len(supplements):
        candidates.append(Fix(f"allow supplements for {names}", "allow_supplements"))
    for fid in sorted(targets.diet.exclude_foods | options.bans):
        if table.has(fid) and not table.list_of(fid, "flags") & SAFETY_FLAGS & (
                targets.diet.exclude_flags | _mode_flags(targets)):
            candidates.append(Fix(f"allow {table.row(fid)['name']} again", "allow_food",
                                  None, fid))
    if (not options.natto and table.has(NATTO_ID) and NATTO_ID not in options.bans
            and NATTO_ID not in targets.diet.exclude_foods
            and not table.list_of(NATTO_ID, "flags") & (
                targets.diet.exclude_flags | _mode_flags(targets) | excluded_flags(targets))):
        candidates.append(Fix(f"eat natto (a 45 g pack with rice, up to "
                              f"{options.natto_per_week} times a week) to reach {names}",
                              "eat_natto"))
    broader = {"vegan": "vegetarian", "vegetarian": "pescatarian"}.get(targets.diet.diet or "")
    if broader:
        candidates.append(Fix(f"plan {broader} instead of {targets.diet.diet}",
                              "change_diet", None, broader))
    mins = [s for s in shortfalls if s.kind == "min"]  # an upper limit is never raised
    for s in mins:
        if s.nutrient in WEEKLY_OK and options.days > 1 and any(
                b.nutrient == s.nutrient and b.period == "day" for b in targets.bounds):
            candidates.append(Fix(f"hold {nutrient_label(s.nutrient)} as a weekly average "
                                  "with a daily floor", "hold_weekly", s.nutrient))
    if mins:
        # one change per unmet minimum: with one, its best value; with several, values one
        # day reaches together (each nutrient's own best may not be reachable at once)
        reach = {s.nutrient: (s.best if len(mins) == 1 else joint.get(s.nutrient, s.best))
                 for s in mins}
        # 2 % below what was reached: a margin for the integer portions
        changes = tuple((n, math.floor(v * 0.98 * 100) / 100) for n, v in reach.items())
        text = " and ".join(f"{nutrient_label(n)} to {amount_text(v)} {_unit(targets, n)}"
                            for n, v in changes)
        word = "the minimum of" if len(changes) == 1 else "the minimums of"
        candidates.append(Fix(f"lower {word} {text}", "relax_bound", changes[0][0],
                              changes[0][1], changes))
    fixes = []
    for fx in candidates:
        t2, o2 = apply_fix(targets, options, fx)
        if _feasible(table, t2, o2, supplements, used, forbid):
            fixes.append(fx)
    return fixes


def _feasible(table: FoodTable, targets: Targets, options: PlanOptions,
              supplements: FoodTable | None, used: Mapping[str, int],
              forbid: Sequence[frozenset[str]]) -> bool:
    """Whether the failing day has a plan after a change (same variety history)."""
    try:
        pool, _ = candidate_pool(table, targets, options, supplements)
    except TargetsError:
        return False
    nutrients = _nutrients(targets, pool)
    foods = _day_foods(day_pool(pool, targets, options, used), nutrients, targets, options,
                       used)
    # a one-day plan meets a weekly bound in full on its day; a longer one needs each day at
    # its daily floor (what the other days give is not known here)
    bounds = _day_bounds(targets, 0, 1, {}, {})
    floors = bounds if options.days == 1 else [replace(b, lo=_floor(targets, b)) for b in bounds]
    m = _model(pool, targets, options, foods, floors, forbid)
    # any plan answers the question: stop at the first one (a deterministic limit)
    return solve_day(m, gap_rel=0.05, first_solution=True, node_limit=DIAG_NODE_LIMIT,
                     time_limit=DIAG_SAFETY_SECONDS).status in ("optimal", "feasible")


def _floor(targets: Targets, b: DayBound) -> float | None:
    """What one day must reach of a bound: a weekly bound's daily floor, else its own
    minimum (never a floor on a supplements-only upper limit of the same nutrient)."""
    if b.lo is None or b.supplements_only:
        return b.lo
    for t in targets.bounds:
        if t.nutrient == b.nutrient and t.period == "week":
            return t.daily_min
    return b.lo


def _flag_hint(flag: str) -> str:
    return {"fortified": " (e.g. fortified plant drinks, cereals)",
            "uv_vitamin_d": " (UV-exposed mushrooms)",
            "vitamin_k_antagonist_caution": " (natto)"}.get(flag, "")


def apply_fix(targets: Targets, options: PlanOptions, fix: Fix) -> tuple[Targets, PlanOptions]:
    """Apply a suggested :class:`Fix` and return the changed targets and options."""
    diet = targets.diet
    if fix.kind == "allow_flag":
        return replace(targets, diet=replace(
            diet, exclude_flags=diet.exclude_flags - {str(fix.value)})), options
    if fix.kind == "allow_supplements":
        return replace(targets, allow_supplements=True), options
    if fix.kind == "allow_food":
        fid = str(fix.value)
        return (replace(targets, diet=replace(diet, exclude_foods=diet.exclude_foods - {fid})),
                replace(options, bans=options.bans - {fid}))
    if fix.kind == "eat_natto":
        return targets, replace(options, natto=True)
    if fix.kind == "change_diet":
        return replace(targets, diet=replace(diet, diet=str(fix.value))), options
    if fix.kind == "hold_weekly":
        from mealplan import targets as tmod

        hold = getattr(tmod, "hold_weekly", None)
        if hold is not None:
            held: Targets = hold(targets, [str(fix.nutrient)])
            return held, options
        return targets, options  # pragma: no cover
    if fix.kind == "relax_bound":
        changes = dict(fix.changes) if fix.changes else (
            {str(fix.nutrient): float(fix.value)} if fix.value is not None else {})
        new_bounds = []
        for b in targets.bounds:
            value = changes.get(b.nutrient)
            if value is not None and b.min is not None and b.min > value:
                b = replace(b, min=value, daily_min=(min(b.daily_min, value)
                                                     if b.daily_min is not None else None))
            new_bounds.append(b)
        return replace(targets, bounds=tuple(new_bounds)), options
    raise ValueError(f"unknown fix kind {fix.kind!r}")
