"""The week: days planned one by one, variety carried over, optionally in two chains.

Strategy (measured in ``benchmarks/bench_plan.py``): a week is solved as a sequence of
one-day MILPs (:mod:`mealplan.model`). Variety is carried from day to day: a food that
reached its day cap is no longer a candidate, earlier use costs a little in the objective,
and a day may not repeat an earlier day's set of foods. Weekly-average bounds get a daily
floor, a catch-up minimum that keeps the remaining days able to reach the average, and a
soft aim at the average on every day but the last (so the last day is rarely left to make
up a shortfall alone). Without meal patterns, the odd and even days may be planned as two
chains on two threads (:func:`_plan_in_two_chains`).

Every plan is recomputed from the food table and checked by :func:`mealplan.plan.verify_plan`
before it is returned (:func:`_finish`); a plan that fails is never returned
(PlanVerificationError). A day without a plan is handed to
:func:`mealplan.planning.diagnosis.diagnose`.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pandas as pd

from mealplan.errors import (
    InfeasiblePlanError,
    MealPlanError,
    PlanVerificationError,
    SolverTimeoutError,
    TargetsError,
)
from mealplan.errors import Problem as _Problem
from mealplan.foods import FoodTable
from mealplan.menus import allowances_left, new_cheeses, slow_dishes
from mealplan.model import DayBound, DayFood, DayModel, DayResult, relax_day
from mealplan.plan import (
    DayPlan,
    Plan,
    PlanOptions,
    SolveInfo,
    check_bounds,
    day_totals,
    dish_table,
    drop_broken_leftovers,
    leftover_pairs,
    patterns_apply,
    verify_plan,
    weekly_cap_left,
)
from mealplan.planning.day import (
    _day_bounds,
    _day_foods,
    _limit_error,
    _model,
    _nutrients,
    _solve_planned_day,
    _to_day,
)
from mealplan.planning.diagnosis import diagnose
from mealplan.planning.pool import _count_text, candidate_pool, day_pool
from mealplan.purchase import purchase_key
from mealplan.targets import Targets, validate_targets
from mealplan.units import MealSlot, amount_text, nutrient_label

WEEKLY_BEST_SHARE = 0.8  # later days are assumed to reach this share of a relaxed best day
PURCHASE_RESERVE = 1  # purchases of the week's list kept for each day still to plan
PURCHASE_LAST_DAY = 2  # ... and more for the last day (the week's catch-up; dishes at their cap)
SECOND_PASS_STEP = 3  # a week over its list is planned again with a list 3x that shorter
PURCHASE_OVER_COST = 2.0  # points per new purchase on a day that cannot keep to the list
WEEKLY_AIM_WEIGHT = 0.1  # points per % below a weekly average on a day that is not the last


def _weekly_max(pool: FoodTable, targets: Targets, options: PlanOptions,
                nutrients: Sequence[str]) -> dict[str, float]:
    """For each weekly bound, an estimate of what a later day can give (for the catch-up
    minimum): :data:`WEEKLY_BEST_SHARE` of the most one day can reach in its LP relaxation.

    The relaxation is an upper bound on the best day (a low estimate only plans more
    early); measured on three default weeks, the best integer day reached 84-100 % of it,
    so 0.8 of it is about the 0.9 of a solved best day used before, from a 0.02 s LP
    instead of a 0.5-2 s MILP per bound.
    """
    weekly = [(i, b) for i, b in enumerate(targets.bounds)
              if b.period == "week" and b.min is not None]
    if not weekly:
        return {}
    foods = _day_foods(day_pool(pool, targets, options, {}), nutrients, targets, options, {})
    day_b = [DayBound(f"{j}_{c.nutrient}", c.nutrient,
                      c.daily_min if c.period == "week" else c.min, c.max,
                      c.supplements_only) for j, c in enumerate(targets.bounds)]
    base = _model(pool, targets, options, foods, day_b, ())
    out: dict[str, float] = {}
    for i, b in weekly:
        best = relax_day(replace(base, maximise=(b.nutrient, 1))).objective
        if best is not None and best < 0:  # the objective is minus the day's amount
            out[f"{i}_{b.nutrient}"] = WEEKLY_BEST_SHARE * -best
    return out


def _info(day_results: Sequence[tuple[int, DayResult]], method: str,
          wall_seconds: float) -> SolveInfo:
    """The plan's report: "optimal" only when every day is proven within the gap."""
    results = [r for _d, r in day_results]
    statuses = {r.status for r in results}
    status = "optimal" if statuses == {"optimal"} else "feasible"
    obj = sum(r.objective or 0.0 for r in results)
    bounds = [r.best_bound for r in results]
    best = sum(b for b in bounds if b is not None) if all(b is not None for b in bounds) else None
    gap = None
    if best is not None:
        gap = max(0.0, (obj - best) / max(abs(obj), 1e-9)) if abs(obj) > 1e-9 else 0.0
    unproven = tuple(sorted(d for d, r in day_results if r.status != "optimal"))
    stops = {r.stopped_by for r in results if r.status != "optimal" and r.stopped_by}
    day_gaps = [(r.objective or 0.0) - b for r, b in zip(results, bounds, strict=True)
                if b is not None]
    worst = max(day_gaps) if results and len(day_gaps) == len(results) else None
    return SolveInfo(status, obj, best, gap, wall_seconds,
                     sum(r.build_seconds for r in results), method,
                     unproven_days=unproven, stopped_by=tuple(sorted(stops)),
                     solver_seconds=sum(r.seconds for r in results), worst_day_gap=worst)


def make_plan(table: FoodTable, targets: Targets, options: PlanOptions | None = None,
              supplements: FoodTable | None = None,
              keep_days: Mapping[int, DayPlan] | None = None,
              extra_forbid: Sequence[frozenset[str]] = (), method: str = "day-by-day MILP",
              on_day: Callable[[int, int], None] | None = None,
              ) -> Plan:
    """Plan ``options.days`` days that meet every bound, verified before it is returned.

    Args:
        table: the food table (shipped, user, or merged).
        targets: the bounds and diet filter.
        options: plan options (defaults: 7 days, integer portions, balanced).
        supplements: the supplements table, used only when ``targets.allow_supplements``.
        keep_days: days to keep as they are (for regenerating one day of a plan).
        extra_forbid: further food sets no new day may repeat (e.g. the day being replaced).
        method: label of the method in the plan's SolveInfo.
        on_day: called as ``on_day(days_done, days_total)`` after each day is planned (a
            progress bar); an exception it raises stops the planning and propagates (cancel).

    Returns:
        The verified plan.

    Raises:
        InfeasiblePlanError: no plan meets the bounds; ``.diagnosis`` says why and what fixes it.
        SolverTimeoutError: no plan was found within the time limit.
        PlanVerificationError: the solver's plan failed verification (a bug; never returned).
    """
    options = options or PlanOptions()
    _check_options(options, table, supplements)
    validate_targets(targets)  # finite, bounded numbers before anything reaches the solver
    start = time.perf_counter()
    pool, notes = candidate_pool(table, targets, options, supplements)
    nutrients = _nutrients(targets, pool)
    keep = dict(keep_days or {})
    weekly_max = _weekly_max(pool, targets, options, nutrients)
    if _parallel_ok(pool, targets, options, keep, extra_forbid):
        split = _plan_in_two_chains(table, targets, options, supplements, pool, nutrients,
                                    start, weekly_max)
        if split is not None:
            days, results = split
            ordered = tuple(days[d] for d in range(1, options.days + 1))
            return _finish(ordered, pool, targets, options, results, notes,
                           method + ", two chains in parallel", start)
    first_notes = list(notes)
    days, results = _plan_days(table, targets, options, supplements, pool, nutrients,
                               list(range(1, options.days + 1)), keep, extra_forbid, start,
                               weekly_max, on_day=on_day, notes=notes)
    cap = purchase_cap(options)
    length = _list_length(days.values(), pool)
    over = length - cap if cap is not None else 0
    if over > 0 and not keep and not extra_forbid and patterns_apply(pool, options):
        # Over the shopping list (days that could not keep to it): the week once more with
        # a list shorter by 3 purchases for each one over, kept when it needs fewer
        # purchases and keeps its leftovers (a second week only for the weeks over the list;
        # measured: male 75 needed 31 with a list of 30 or 29, 30 with 27)
        assert options.max_purchases is not None  # cap is not None
        tighter = replace(options, max_purchases=max(
            1, options.max_purchases - SECOND_PASS_STEP * over))
        again_notes = list(first_notes)
        try:
            again, again_results = _plan_days(
                table, targets, tighter, supplements, pool, nutrients,
                list(range(1, options.days + 1)), keep, extra_forbid, start, weekly_max,
                on_day=on_day, notes=again_notes)
        except MealPlanError:
            again = None
        if again is not None and (
                _list_length(again.values(), pool) < length
                and len(leftover_pairs(tuple(again.values())))
                >= min(2, len(leftover_pairs(tuple(days.values()))))):
            days, results, notes = again, again_results, again_notes
    ordered = tuple(days[d] for d in range(1, options.days + 1))
    return _finish(ordered, pool, targets, options, results, notes, method, start)


def _list_length(days: Iterable[DayPlan], pool: FoodTable) -> int:
    """Purchases on the shopping list of these days (supplements apart)."""
    return len({purchase_key(f) for d in days for f in d.eaten_ids()
                if not (pool.has(f) and "supplement" in pool.list_of(f, "flags"))})


class _ChainFailed(Exception):
    """A parallel chain found no plan: plan the week in one sequence instead."""


def _plan_days(table: FoodTable, targets: Targets, options: PlanOptions,
               supplements: FoodTable | None, pool: FoodTable, nutrients: Sequence[str],
               day_numbers: Sequence[int], keep: Mapping[int, DayPlan],
               extra_forbid: Sequence[frozenset[str]], start: float,
               weekly_max: Mapping[str, float], chain: bool = False,
               rules_pool: FoodTable | None = None, chain_no: int | None = None,
               on_day: Callable[[int, int], None] | None = None,
               notes: list[str] | None = None,
               ) -> tuple[dict[int, DayPlan], list[tuple[int, DayResult]]]:
    """Plan ``day_numbers`` in order, carrying variety and weekly totals from day to day.

    A day with no plan under the variety rule (``max_days_per_food``) is planned once more
    with every food open to it before it is diagnosed (a note in ``notes`` says so); not in
    a chain, whose failure plans the week in one sequence instead.

    In a chain (``chain=True``) a day without a plan raises :class:`_ChainFailed` instead of
    being diagnosed.
    """
    used: Counter[str] = Counter()
    achieved: dict[str, float] = {}
    for d in keep.values():
        _count(d, used)
        _achieve(d, targets, pool, achieved)
    days: dict[int, DayPlan] = dict(keep)
    results: list[tuple[int, DayResult]] = []
    for day in day_numbers:
        if day in keep:
            continue
        elapsed = time.perf_counter() - start
        budget = options.time_limit - elapsed
        if budget <= 0:
            if chain:
                raise _ChainFailed
            raise SolverTimeoutError(
                f"the safety time limit of {options.time_limit:g} s ran out before day {day} "
                "was planned", limit="time", value=options.time_limit, day=day)
        look = rules_pool or pool  # a chain's half: ingredients and rules from the whole pool
        later = sum(1 for d in day_numbers if d > day and d not in keep)
        # a chain meets weekly averages over its own days (so the two chains together do)
        span = len(day_numbers) if chain else options.days
        bounds = _day_bounds(targets, later, span, achieved, weekly_max)
        forbid = [d.food_ids() for d in days.values()] + list(extra_forbid)
        locks = [(lk.slot, lk.food_id, lk.portions) for lk in options.locks if lk.day == day]
        leftover = None if chain else _leftover(pool, options, days, day)
        # A day with no plan under the variety rule is planned once more with every food
        # open (the week has used up what keto's K2 and net carbs need on a last day):
        # variety gives way before a target does, and the plan says so.
        # (then once more without leaving out the foods that take half a cap, so that a
        # day no plan fits is diagnosed among every food, naming the cap)
        # Before all of them, with yesterday's dinner as today's lunch (cook once, eat twice).
        # All of them first within the week's shopping list (options.max_purchases), then
        # with each new purchase costing PURCHASE_OVER_COST instead (a target comes before
        # the list's length): "list" and "weighted" below.
        shop = "list" if (not chain and options.max_purchases is not None
                          and patterns_apply(pool, options)) else None
        attempts: list[tuple[PlanOptions, float | None, tuple[str, float] | None,
                             str | None]] = []
        if leftover is not None:
            attempts.append((options, None, leftover, shop))
            if shop:  # the leftovers first, then as few purchases beyond the list as the
                attempts.append((options, None, leftover, "weighted"))  # day needs
        attempts.append((options, None, None, shop))
        if shop:
            attempts.append((options, None, None, "weighted"))
        if not chain and options.max_days_per_food < span:
            attempts.append((replace(options, max_days_per_food=span), None, None, None))
        if not chain:
            attempts.append((options, math.inf, None, None))
        opened = False
        for opts, share, left, mode in attempts:
            model = _day_model(pool, targets, opts, day, days, used, nutrients, bounds,
                               forbid, locks, share=share, look=look, rules_pool=rules_pool,
                               chain_no=chain_no, later=later, leftover=left,
                               list_cap=purchase_cap(options) if mode == "list" else None)
            if mode == "weighted":
                model = replace(model, purchase_weight=PURCHASE_OVER_COST)
            res = _solve_planned_day(model, options, budget)
            if res.status == "limit" and (left is not None or mode == "list"):
                continue  # no plan with the leftovers or the list within the work limit
            if res.status != "infeasible":
                opened = opts is not options
                if opened and res.status != "limit" and notes is not None:
                    notes.append(f"day {day}: some foods are on more days of the week than "
                                 f"the variety rule allows ({options.max_days_per_food} for "
                                 f"a dish, {options.days_limit(frozenset({'fruit'}))} for a "
                                 "side; the day had no plan that met every target otherwise)")
                leftover = left  # the attempt that planned the day: with the leftovers or not
                break
        if res.status in ("limit", "infeasible") and chain:
            raise _ChainFailed
        if res.status == "limit":
            raise _limit_error(res, options, day)
        if res.status == "infeasible":
            diagnosis = diagnose(table, targets, options, supplements, day=day, model=model,
                                 pool=pool, used=used, forbid=forbid)
            raise InfeasiblePlanError(diagnosis.explain(), diagnosis)
        results.append((day, res))
        dp = _to_day(day, res, look, options, nutrients)
        if opened:
            dp = replace(dp, variety_open=True)
        if leftover is not None:
            dp = _mark_leftover(dp, day - 1, leftover[0])
        days[day] = dp
        _count(dp, used)
        _achieve(dp, targets, look, achieved)
        if on_day is not None:
            on_day(len(days), options.days)
    return days, results


def purchase_cap(options: PlanOptions) -> int | None:
    """Most purchases the plan's shopping list may hold: ``options.max_purchases`` a week
    (per 7 days, as the audit judges each week's list), or None."""
    if options.max_purchases is None:
        return None
    return math.ceil(options.max_purchases * max(1.0, options.days / 7))


LEFTOVER_SLOTS = (MealSlot.DINNER.value, MealSlot.LUNCH.value)  # cooked at, eaten at


def _leftover(pool: FoodTable, options: PlanOptions, days: Mapping[int, DayPlan],
              day: int) -> tuple[str, float] | None:
    """(dish id, portions) of yesterday's dinner dish to serve again as today's lunch, or
    None. Cook once, eat twice (``PlanOptions.leftovers``): the dinner dish of days 1, 3,
    5, ... is a main or a meal that suits lunch, so its second serving is the next day's
    lunch (even when the dish has reached the days-per-food cap: it was cooked once)."""
    cook, eat = LEFTOVER_SLOTS
    if (not options.leftovers or day % 2 or day - 1 not in days or day in days
            or not {cook, eat} <= set(options.slots) or not patterns_apply(pool, options)):
        return None
    dinner = next((m for m in days[day - 1].meals if m.slot == cook), None)
    limit = options.minutes_limit(day)
    for it in dinner.items if dinner is not None else ():
        if (it.dish is not None and it.dish.role in ("main", "meal") and pool.has(it.food_id)
                and eat in pool.list_of(it.food_id, "slots")
                # within today's cooking limit too: an edit that replaces the dinner leaves
                # the lunch as a dish cooked today
                and (limit is None or it.dish.minutes <= limit)):
            return it.food_id, it.portions
    return None


def _mark_leftover(d: DayPlan, cooked_on: int, dish_id: str) -> DayPlan:
    """Mark today's lunch serving of ``dish_id`` as the leftovers of ``cooked_on``'s dinner."""
    cook, eat = LEFTOVER_SLOTS
    meals = tuple(replace(m, items=tuple(
        replace(it, leftover_of=(cooked_on, cook)) if it.food_id == dish_id else it
        for it in m.items)) if m.slot == eat else m for m in d.meals)
    return replace(d, meals=meals)


def _day_model(pool: FoodTable, targets: Targets, options: PlanOptions, day: int,
               days: Mapping[int, DayPlan], used: Mapping[str, int],
               nutrients: Sequence[str], bounds: list[DayBound],
               forbid: Sequence[frozenset[str]], locks: Sequence[tuple[str, str, float]], *,
               share: float | None = None, look: FoodTable | None = None,
               rules_pool: FoodTable | None = None, chain_no: int | None = None,
               later: int = 0, leftover: tuple[str, float] | None = None,
               also_keep: Sequence[str] = (),
               restrict: Callable[[list[DayFood]], list[DayFood]] | None = None,
               fixed: Sequence[tuple[str, str, float]] = (),
               list_cap: int | None = None) -> DayModel:
    """The model of ``day`` given the other planned ``days``: the day's candidates (variety,
    weeknight limit, cheeses left this week), its weekly allowances and caps, and the soft
    aim at each weekly average when ``later`` days follow. ``leftover``: (dish id,
    portions) that today's lunch serves again (at most as much as was cooked);
    ``restrict`` narrows the candidates further (an edit), ``fixed`` items stay as they
    are. ``list_cap``: most purchases the week's shopping list may hold; the day may
    add what is left of it, less :data:`PURCHASE_RESERVE` for each later day."""
    look = look or pool
    planned = [days[d] for d in sorted(days) if d != day]
    caps = allowances_left(options, look, planned, chain_no)
    adds, cheeses_left = new_cheeses(pool, options, planned, look)
    bought = frozenset(purchase_key(f) for d in planned for f in d.eaten_ids())
    # Kept whatever the weeknight limit and the days-per-food count: an edited day's own
    # foods (the plan verified with them; days planned with every food open may have taken
    # them past the cap) and yesterday's dinner for today's lunch (cooked the day before).
    keep = [*also_keep, leftover[0]] if leftover else list(also_keep)
    slow = [f for f in slow_dishes(pool, options.minutes_limit(day)) if f not in keep]
    if keep:
        used = {**used, **dict.fromkeys(keep, 0)}
    foods = _day_foods(day_pool(pool, targets, options, used, lookup=look, cap_share=share,
                                also_keep=keep),
                       nutrients, targets, options, used, lookup=look,
                       exclude=[f for f, n in adds.items() if n > cheeses_left] + slow,
                       bought=bought)
    if adds:  # the day adds at most the cheeses the week has left
        foods = [replace(f, kind_grams={**f.kind_grams, "new_cheese": float(adds[f.food_id])})
                 if f.food_id in adds else f for f in foods]
    all_locks = list(locks)
    if leftover is not None:
        dish, portions = leftover
        eat = LEFTOVER_SLOTS[1]
        foods = [replace(f, slots=(eat,), max_portions=min(f.max_portions, portions))
                 if f.food_id == dish else f for f in foods]
        lo = next((f.min_portions for f in foods if f.food_id == dish), None)
        if lo is not None:
            all_locks.append((eat, dish, lo))
    if restrict is not None:
        foods = restrict(foods)
    _check_locks(all_locks, foods, day)
    model = _model(pool, targets, options, foods, bounds, forbid, all_locks, fixed=fixed,
                   rules_pool=rules_pool, item_caps=caps)
    if adds:
        model = replace(model, count_caps={"new_cheese": float(max(cheeses_left, 0))})
    if targets.weekly_max:  # e.g. pregnancy: at most 340 g of fish in any 7 days
        left: dict[str, float] = {}
        for cap in targets.weekly_max:
            g = weekly_cap_left(cap.grams, day, days, look, cap.kind)
            left[cap.kind] = min(left.get(cap.kind, math.inf), g)
        model = replace(model, kind_caps=left)
    if list_cap is not None and patterns_apply(pool, options):
        model = replace(model, max_new_purchases=max(
            0, list_cap - _list_length(planned, look) - PURCHASE_RESERVE * later
            - (PURCHASE_LAST_DAY if later else 0)))
    if later:  # each day leans toward the weekly average itself, so the last day is
        # not left to catch up alone (a soft aim: never a hard floor)
        model = replace(model, aims=tuple(model.aims) + tuple(
            (b.nutrient, float(b.min), WEEKLY_AIM_WEIGHT) for b in targets.bounds
            if b.period == "week" and b.min and b.nutrient in pool.df.columns))
    return model


MIN_CHAIN_FOODS = 60  # each half needs this many non-staple foods to plan alone


def _parallel_ok(pool: FoodTable, targets: Targets, options: PlanOptions,
                 keep: Mapping[int, DayPlan], extra_forbid: Sequence[frozenset[str]]) -> bool:
    """Whether the week can be planned as two independent chains (odd and even days).

    Not with meal patterns: each half-week would have to meet the weekly averages (vitamin D,
    E, K2) on its own from half the foods, which fails or slows down more than the second
    core gains (measured: 13-25 s against 7 s in one sequence, female 45 default week).
    """
    return (options.parallel and options.days >= 4 and not keep and not extra_forbid
            and not options.locks and len(pool) >= 2 * MIN_CHAIN_FOODS
            and not patterns_apply(pool, options) and not targets.weekly_max)


def _halves(pool: FoodTable, targets: Targets) -> tuple[list[str], list[str], list[str]]:
    """Shared (staples, supplements) and two halves of the other foods, alike in every group.

    Within each food group, foods are ranked by how much of the minimums one item covers,
    and dealt alternately, so each half has its share of every group's best sources.
    """
    df = pool.df
    shared = [f for f in pool.ids if {"staple", "supplement"} & pool.list_of(f, "flags")]
    rest = df[~df.index.isin(shared)]
    score = pd.Series(0.0, index=rest.index)
    portion = rest["portion_g"].astype(float) * rest["max_portions"].astype(float) / 100.0
    for b in targets.bounds:
        if b.min and b.nutrient in rest.columns and b.nutrient != "energy_kcal":
            amount = rest[b.nutrient].astype(float).fillna(0.0)
            score += (amount * portion / b.min).clip(upper=1.0)
    group = rest["food_group"] if "food_group" in rest.columns else pd.Series("", rest.index)
    order = sorted(rest.index, key=lambda f: (str(group[f]), -float(score[f]), str(f)))
    a: list[str] = []
    b_: list[str] = []
    counts: Counter[str] = Counter()
    for f in order:
        g = str(group[f])
        (a if counts[g] % 2 == 0 else b_).append(str(f))
        counts[g] += 1
    return shared, a, b_


def _plan_in_two_chains(table: FoodTable, targets: Targets, options: PlanOptions,
                        supplements: FoodTable | None, pool: FoodTable,
                        nutrients: Sequence[str], start: float,
                        weekly_max: Mapping[str, float],
                        ) -> tuple[dict[int, DayPlan], list[tuple[int, DayResult]]] | None:
    """Odd days from one half of the foods, even days from the other, on two threads.

    The halves share only staples and supplements, so the days-per-food cap holds across
    the chains. HiGHS releases the GIL while it solves, so the chains use both cores.
    Returns None (plan in one sequence instead) when a chain finds no plan or two days
    come out identical.
    """
    shared, half_a, half_b = _halves(pool, targets)
    if min(len(half_a), len(half_b)) < MIN_CHAIN_FOODS:
        return None
    chains = [(pool.subset(shared + half_a), list(range(1, options.days + 1, 2))),
              (pool.subset(shared + half_b), list(range(2, options.days + 1, 2)))]

    def run(sub: FoodTable, day_numbers: list[int]) -> tuple[dict[int, DayPlan],
                                                            list[tuple[int, DayResult]]]:
        # each chain has its share of the weekly allowances (fish, natto)
        return _plan_days(table, targets, options, supplements, sub, nutrients, day_numbers,
                          {}, (), start, weekly_max, chain=True, rules_pool=pool,
                          chain_no=0 if day_numbers[0] == 1 else 1)

    with ThreadPoolExecutor(max_workers=2) as pool_exec:
        futures = [pool_exec.submit(run, sub, dn) for sub, dn in chains]
        try:
            parts = [f.result() for f in futures]
        except _ChainFailed:
            return None
    days: dict[int, DayPlan] = {}
    results: list[tuple[int, DayResult]] = []
    for d, r in parts:
        days.update(d)
        results += r
    sets = [d.food_ids() for d in days.values()]
    if len(set(sets)) != len(sets):
        return None
    return days, results


def _count(d: DayPlan, used: Counter[str]) -> None:
    """Count the day toward the days-per-food rule. Leftovers count too, so a dish eaten
    on two days is not cooked again as often (the verifier counts only the days a dish is
    cooked, :meth:`DayPlan.cooked_ids`, so the leftovers of a dish at its cap are still
    allowed: see ``_day_model``)."""
    used.update(d.food_ids())


def _achieve(d: DayPlan, targets: Targets, pool: FoodTable, achieved: dict[str, float]) -> None:
    for i, b in enumerate(targets.bounds):
        if b.period == "week":
            tot, _ = day_totals(d.items, pool, [b.nutrient])
            key = f"{i}_{b.nutrient}"
            achieved[key] = achieved.get(key, 0.0) + tot[b.nutrient]


def _check_options(options: PlanOptions, table: FoodTable,
                   supplements: FoodTable | None = None) -> None:
    """Plan options that cannot work, each named (days, slots, locks)."""
    problems: list[_Problem] = []
    if not 1 <= options.days <= 14:
        problems.append(_Problem("days: must be between 1 and 14"))
    for name in ("max_purchases", "kernel_size", "max_days_per_side"):
        value = getattr(options, name)
        if value is not None and value < 1:
            problems.append(_Problem(f"{name}: must be at least 1 (got {value})"))
    known = {s.value for s in MealSlot}
    if not options.slots:
        problems.append(_Problem("slots: no meal slot to plan"))
    for s in sorted({s for s in options.slots if options.slots.count(s) > 1}):
        problems.append(_Problem(f"slots: meal slot '{s}' is listed twice"))
    for s in options.slots:
        if s not in known:
            problems.append(_Problem(f"slots: unknown meal slot '{s}' (known: "
                                     f"{', '.join(sorted(known))})"))
    for lk in options.locks:
        if not 1 <= lk.day <= options.days:
            problems.append(_Problem(f"locks: lock of '{lk.food_id}' on day {lk.day}: the "
                                     f"plan has days 1-{options.days}"))
        if lk.slot not in options.slots:
            problems.append(_Problem(f"locks: lock of '{lk.food_id}' into {lk.slot}: that "
                                     "meal is not planned"))
        dish_ids = set(dish_table(options).ids) if options.use_dishes else set()
        if not table.has(lk.food_id) and lk.food_id not in dish_ids and not (
                supplements is not None and supplements.has(lk.food_id)):
            problems.append(_Problem(f"locks: lock of unknown food '{lk.food_id}'"))
    if problems:
        raise TargetsError("plan options", problems)


def _check_locks(locks: Sequence[tuple[str, str, float]], foods: Sequence[DayFood],
                 day: int) -> None:
    ok = {(s, f.food_id) for f in foods for s in f.slots}
    for s, fid, _n in locks:
        if (s, fid) not in ok:
            raise TargetsError("locks", [_Problem(
                f"day {day}: '{fid}' cannot be locked into {s}: it is filtered out, banned, "
                f"used on too many days, or does not suit {s}", column="locks")])


def _finish(days: tuple[DayPlan, ...], pool: FoodTable, targets: Targets, options: PlanOptions,
            results: Sequence[tuple[int, DayResult]], notes: Sequence[str], method: str,
            start: float) -> Plan:
    days = drop_broken_leftovers(days)  # an edit replaced the dinner they came from
    violations = verify_plan(days, pool, targets, options, allowed=frozenset(pool.ids))
    if violations:
        raise PlanVerificationError(violations)
    checks = tuple(check_bounds(days, pool, targets))
    warnings = list(targets.warnings) + list(notes)
    unknown = sorted({(c.nutrient, f) for c in checks for f in c.unknown_foods})
    by_n: dict[str, set[str]] = {}
    for n, f in unknown:
        by_n.setdefault(n, set()).add(f)
    for aim in targets.aims:
        short = [d.day for d in days if d.totals.get(aim.nutrient, math.inf) < aim.min - 1e-6]
        if short:
            warnings.append(
                f"{nutrient_label(aim.nutrient)} is below the {amount_text(aim.min)} "
                f"{aim.unit} aim on day{'s' if len(short) > 1 else ''} "
                f"{', '.join(map(str, short))} (an aim, not a limit)")
    for n, fs in sorted(by_n.items()):
        warnings.append(f"{nutrient_label(n)}: value unknown for "
                        f"{_count_text(len(fs), 'planned food')} "
                        f"({', '.join(sorted(fs)[:5])}{'...' if len(fs) > 5 else ''}); "
                        "counted as 0")
    info = _info(results, method, time.perf_counter() - start)
    return Plan(days, targets, options, info, checks, True, tuple(warnings))
