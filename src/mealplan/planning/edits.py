"""Edits of a finished plan: regenerate one day, swap one item; other days never change.

Both re-plan through the same day model as the week (:mod:`mealplan.planning.day`) with
the kept days' variety history, verify the whole plan again, and carry the kept days'
solver status into the edited plan (:func:`_carry_status`).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace

from mealplan.errors import Problem as _Problem
from mealplan.errors import TargetsError
from mealplan.foods import FoodTable
from mealplan.plan import Plan
from mealplan.planning.day import (
    _day_bounds,
    _day_foods,
    _limit_error,
    _model,
    _nutrients,
    _solve_planned_day,
    _to_day,
)
from mealplan.planning.pool import candidate_pool, day_pool
from mealplan.planning.week import _achieve, _count, _finish, make_plan


def regenerate_day(plan: Plan, day: int, table: FoodTable,
                   supplements: FoodTable | None = None) -> Plan:
    """Re-plan one day, keeping every other day exactly; the new day differs from the old."""
    if not 1 <= day <= len(plan.days):
        raise TargetsError("plan", [_Problem(f"no day {day} in a {len(plan.days)}-day plan",
                                             column="day")])
    keep = {d.day: d for d in plan.days if d.day != day}
    old = plan.day(day).food_ids()  # the regenerated day must differ from the old one
    return _carry_status(plan, make_plan(table, plan.targets, plan.options, supplements,
                                         keep_days=keep, extra_forbid=[old],
                                         method="regenerated day"), day)


def _carry_status(old: Plan, new: Plan, day: int) -> Plan:
    """An edited plan's status also covers the days it kept: a kept day that a limit
    stopped before its proof stays named, and the plan is then not 'optimal'."""
    unproven = tuple(sorted({d for d in old.info.unproven_days if d != day}
                            | set(new.info.unproven_days)))
    stops = tuple(sorted(set(new.info.stopped_by) | (
        set(old.info.stopped_by) if set(old.info.unproven_days) - {day} else set())))
    gaps = [g for g in (old.info.worst_day_gap, new.info.worst_day_gap) if g is not None]
    info = replace(new.info, unproven_days=unproven, stopped_by=stops,
                   worst_day_gap=max(gaps) if len(gaps) == 2 else None,
                   status="optimal" if not unproven and new.info.status == "optimal"
                   else "feasible")
    return replace(new, info=info)


def swap_item(plan: Plan, day: int, slot: str, food_id: str, table: FoodTable,
              supplements: FoodTable | None = None) -> Plan:
    """Replace one item by one other food in the same meal; nothing else changes.

    Every other item of the day stays exactly as it was (food, meal and amount); the new
    food goes into ``slot`` in place of ``food_id``, preferably of the same role (a main
    dish for a main dish, a vegetable or fruit for a vegetable or fruit, an oil for an oil),
    otherwise any food that fits. Other days never change. When no single food can take the
    item's place while every target holds, a :class:`TargetsError` says so (regenerating
    the day is the way out) instead of changing other items behind the user's back.
    """
    if not 1 <= day <= len(plan.days):
        raise TargetsError("plan", [_Problem(f"no day {day} in a {len(plan.days)}-day plan",
                                             column="day")])
    d = plan.day(day)
    if not any(it.food_id == food_id for m in d.meals if m.slot == slot for it in m.items):
        raise TargetsError("plan", [_Problem(f"day {day} {slot} has no '{food_id}'",
                                             column="food_id")])
    options = plan.options
    targets = plan.targets
    if any(lk.day == day and lk.food_id == food_id for lk in options.locks):
        raise TargetsError("plan", [_Problem(
            f"'{food_id}' is locked on day {day}: unlock it before swapping it",
            column="food_id")])
    pool, notes = candidate_pool(table, targets, options, supplements)
    nutrients = _nutrients(targets, pool)
    keep = {x.day: x for x in plan.days if x.day != day}
    used: Counter[str] = Counter()
    achieved: dict[str, float] = {}
    for k in keep.values():
        _count(k, used)
        _achieve(k, targets, pool, achieved)
    day_ids = d.food_ids()
    foods = _day_foods(day_pool(pool, targets, options, used, also_keep=day_ids), nutrients,
                       targets, options, used, exclude=[food_id])
    by_id = {f.food_id: f for f in foods}
    fixed = [(m.slot, it.food_id, it.portions) for m in d.meals for it in m.items
             if it.food_id != food_id]
    missing = [fid for _s, fid, _n in fixed if fid not in by_id]
    if missing:  # e.g. a food banned since the plan was made
        raise TargetsError("plan", [_Problem(
            f"day {day} holds foods the plan can no longer use ({', '.join(missing)}): "
            "regenerate the day instead", column="food_id")])
    old = pool.row(food_id) if pool.has(food_id) else None
    old_flags = pool.list_of(food_id, "flags") if pool.has(food_id) else frozenset()
    # a supplement is replaced by a supplement, a food by a food; then the role
    role = tuple(r in old_flags for r in ("supplement", "main", "addon", "produce"))
    bounds = _day_bounds(targets, 0, options.days, achieved, {})
    forbid = [k.food_ids() for k in keep.values()]
    start = time.perf_counter()
    res = None
    for same_role in (True, False):
        # new foods only in this meal; fixed foods keep theirs
        day_foods = [f if f.food_id in day_ids else replace(f, slots=(slot,)) for f in foods
                     if f.food_id in day_ids or (
                         slot in f.slots and f.is_supplement == role[0] and (
                             not same_role
                             or (f.is_supplement, f.is_main, f.is_addon, f.is_produce) == role))]
        model = replace(_model(pool, targets, options, day_foods, bounds, forbid, fixed=fixed),
                        new_items=1)
        res = _solve_planned_day(model, options, options.time_limit)
        if res.status in ("optimal", "feasible"):
            break
    assert res is not None  # the loop ran
    if res.status == "limit":
        raise _limit_error(res, options, day)
    if res.status not in ("optimal", "feasible"):
        name = str(old["name"]) if old is not None else food_id
        raise TargetsError("plan", [_Problem(
            f"no single food can take the place of {name} in {slot} on day {day} while every "
            "target holds and the rest of the day stays as it is: regenerate the day instead",
            column="food_id")])
    new_day = _to_day(day, res, pool, options, nutrients)
    days = dict(keep)
    days[day] = new_day
    ordered = tuple(days[i] for i in range(1, options.days + 1))
    return _carry_status(plan, _finish(ordered, pool, targets, options, [(day, res)], notes,
                                       "swapped item", start), day)
