"""Edits of a finished plan: regenerate one day or one meal, swap one item; other days never
change.

Both re-plan through the same day model as the week (:mod:`mealplan.planning.day`) with
the kept days' variety history, verify the whole plan again, and carry the kept days'
solver status into the edited plan (:func:`_carry_status`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from mealplan.errors import Problem as _Problem
from mealplan.errors import TargetsError
from mealplan.foods import FoodTable
from mealplan.model import DayBound, DayFood, DayModel, DayResult
from mealplan.plan import DayPlan, Plan
from mealplan.planning.day import (
    _day_bounds,
    _limit_error,
    _nutrients,
    _solve_planned_day,
    _to_day,
)
from mealplan.planning.pool import candidate_pool
from mealplan.planning.week import _achieve, _day_model, _finish, make_plan


def regenerate_day(plan: Plan, day: int, table: FoodTable,
                   supplements: FoodTable | None = None) -> Plan:
    """Re-plan one day, keeping every other day exactly; the new day differs from the old."""
    _check_day(plan, day)
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


def _check_day(plan: Plan, day: int) -> None:
    if not 1 <= day <= len(plan.days):
        raise TargetsError("plan", [_Problem(f"no day {day} in a {len(plan.days)}-day plan",
                                             column="day")])


@dataclass(frozen=True)
class _Edit:
    """What an edit of one day knows: the pool, the kept days and their history."""

    pool: FoodTable
    notes: list[str]
    nutrients: list[str]
    keep: dict[int, DayPlan]
    used: Counter[str]
    bounds: list[DayBound]
    forbid: list[frozenset[str]]


def _edit(plan: Plan, day: int, table: FoodTable, supplements: FoodTable | None) -> _Edit:
    pool, notes = candidate_pool(table, plan.targets, plan.options, supplements)
    nutrients = _nutrients(plan.targets, pool)
    keep = {x.day: x for x in plan.days if x.day != day}
    used: Counter[str] = Counter()
    achieved: dict[str, float] = {}
    for k in keep.values():
        used.update(k.cooked_ids())  # as the verifier counts: leftovers were cooked once
        _achieve(k, plan.targets, pool, achieved)
    bounds = _day_bounds(plan.targets, 0, plan.options.days, achieved, {})
    return _Edit(pool, notes, nutrients, keep, used, bounds, [k.food_ids() for k in keep.values()])


def _edited(plan: Plan, e: _Edit, day: int, res: DayResult, method: str, start: float) -> Plan:
    """The plan with ``day`` replaced by the solver's ``res``, verified; a kept meal keeps
    its leftovers marks."""
    old = plan.day(day)
    marks = {(m.slot, it.food_id): it.leftover_of for m in old.meals for it in m.items
             if it.leftover_of is not None}
    new_day = _to_day(day, res, e.pool, plan.options, e.nutrients)
    if marks:
        new_day = replace(new_day, meals=tuple(replace(m, items=tuple(
            replace(it, leftover_of=marks.get((m.slot, it.food_id)))
            for it in m.items)) for m in new_day.meals))
    days = dict(e.keep)
    days[day] = new_day
    ordered = tuple(days[i] for i in range(1, plan.options.days + 1))
    return _carry_status(plan, _finish(ordered, e.pool, plan.targets, plan.options,
                                       [(day, res)], e.notes, method, start), day)


def _missing(model: DayModel, fixed: Sequence[tuple[str, str, float]], day: int) -> None:
    """A fixed item that is no longer a candidate (e.g. banned since): say so."""
    have = {f.food_id for f in model.foods}
    missing = sorted({fid for _s, fid, _n in fixed if fid not in have})
    if missing:
        raise TargetsError("plan", [_Problem(
            f"day {day} holds foods the plan can no longer use ({', '.join(missing)}): "
            "regenerate the day instead", column="food_id")])


def regenerate_meal(plan: Plan, day: int, slot: str, table: FoodTable,
                    supplements: FoodTable | None = None) -> Plan:
    """Re-plan one meal of one day; every other meal of the day and every other day stays
    exactly as it was (a new dinner unmarks the next day's lunch as its leftovers: the lunch
    is the same dish, cooked that day), and the new meal differs from the old one.

    The meal is planned through the same day model as the week (meal patterns, weekly
    allowances, weeknight limit, variety), with the day's other meals fixed, and the whole
    plan is verified again. When no other meal fits while every target holds, a
    :class:`TargetsError` says so (regenerating the day is the way out).
    """
    _check_day(plan, day)
    d = plan.day(day)
    old = frozenset(it.food_id for m in d.meals if m.slot == slot for it in m.items)
    if not old:
        raise TargetsError("plan", [_Problem(f"day {day} has no {slot} to regenerate",
                                             column="meal")])
    start = time.perf_counter()
    options = plan.options
    e = _edit(plan, day, table, supplements)
    fixed = [(m.slot, it.food_id, it.portions) for m in d.meals if m.slot != slot
             for it in m.items]
    fixed_ids = {fid for _s, fid, _n in fixed}
    locks = [(lk.slot, lk.food_id, lk.portions) for lk in options.locks
             if lk.day == day and lk.slot == slot]
    if {fid for _s, fid, _n in locks} >= old:
        raise TargetsError("plan", [_Problem(
            f"every item of day {day} {slot} is locked: unlock one before regenerating it",
            column="meal")])

    def restrict(foods: list[DayFood]) -> list[DayFood]:  # new foods only in this meal
        return [f if f.food_id in fixed_ids else replace(f, slots=(slot,)) for f in foods
                if f.food_id in fixed_ids or slot in f.slots]

    model = _day_model(e.pool, plan.targets, options, day, e.keep, e.used, e.nutrients,
                       e.bounds, e.forbid, locks, also_keep=sorted(d.food_ids()),
                       restrict=restrict, fixed=fixed)
    _missing(model, fixed, day)
    res = _solve_planned_day(replace(model, forbid_meals=((slot, old),)), options,
                             options.time_limit)
    if res.status == "limit":
        raise _limit_error(res, options, day)
    if res.status not in ("optimal", "feasible"):
        raise TargetsError("plan", [_Problem(
            f"no other {slot} fits day {day} while every target holds and the rest of the "
            "plan stays as it is: regenerate the day instead", column="meal")])
    return _edited(plan, e, day, res, f"regenerated {slot}", start)


def swap_item(plan: Plan, day: int, slot: str, food_id: str, table: FoodTable,
              supplements: FoodTable | None = None) -> Plan:
    """Replace one item by one other food in the same meal; nothing else changes.

    Every other item of the day stays exactly as it was (food, meal and amount; a swapped
    dinner dish unmarks the next day's lunch as its leftovers); the new
    food goes into ``slot`` in place of ``food_id``, preferably of the same role (a named
    main dish for a named main dish, a vegetable or fruit for a vegetable or fruit, an oil
    for an oil),
    otherwise any food that fits. Other days never change. When no single food can take the
    item's place while every target holds, a :class:`TargetsError` says so (regenerating
    the day is the way out) instead of changing other items behind the user's back.
    """
    _check_day(plan, day)
    d = plan.day(day)
    if not any(it.food_id == food_id for m in d.meals if m.slot == slot for it in m.items):
        raise TargetsError("plan", [_Problem(f"day {day} {slot} has no '{food_id}'",
                                             column="food_id")])
    options = plan.options
    if any(lk.day == day and lk.food_id == food_id for lk in options.locks):
        raise TargetsError("plan", [_Problem(
            f"'{food_id}' is locked on day {day}: unlock it before swapping it",
            column="food_id")])
    start = time.perf_counter()
    e = _edit(plan, day, table, supplements)
    day_ids = d.food_ids()
    fixed = [(m.slot, it.food_id, it.portions) for m in d.meals for it in m.items
             if it.food_id != food_id]
    old = e.pool.row(food_id) if e.pool.has(food_id) else None
    old_flags = e.pool.list_of(food_id, "flags") if e.pool.has(food_id) else frozenset()
    # a supplement is replaced by a supplement, a food by a food; then the role (a dish by
    # a dish of the same role: a main dish by another main dish)
    old_dish = e.pool.has(food_id) and "dish" in e.pool.list_of(food_id, "kind")
    role = (*(r in old_flags for r in ("supplement", "main", "addon", "produce")), old_dish)
    res = None
    for same_role in (True, False):
        def restrict(foods: list[DayFood], same_role: bool = same_role) -> list[DayFood]:
            # new foods only in this meal; fixed foods keep theirs
            return [f if f.food_id in day_ids else replace(f, slots=(slot,)) for f in foods
                    if f.food_id != food_id and (f.food_id in day_ids or (
                        slot in f.slots and f.is_supplement == role[0] and (
                            not same_role or (f.is_supplement, f.is_main, f.is_addon,
                                              f.is_produce, bool(f.parts)) == role)))]

        model = _day_model(e.pool, plan.targets, options, day, e.keep, e.used, e.nutrients,
                           e.bounds, e.forbid, (), also_keep=sorted(day_ids),
                           restrict=restrict, fixed=fixed)
        _missing(model, fixed, day)
        res = _solve_planned_day(replace(model, new_items=1), options, options.time_limit)
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
    return _edited(plan, e, day, res, "swapped item", start)
