"""One day's model: candidates, bounds, the MILP, its solve and the day it gives back.

:func:`_day_foods` turns a day's pool into :class:`~mealplan.model.DayFood` candidates with
per-portion amounts and objective weights (the ``*_COST`` and ``*_REWARD`` constants);
:func:`_day_bounds` gives the day's bounds (a weekly bound's daily floor and catch-up
minimum); :func:`_model` assembles the :class:`~mealplan.model.DayModel` (its maths is in
:mod:`mealplan.model`); :func:`_solve_planned_day` solves it to the gap or the work limit;
:func:`_to_day` reads the result back as a :class:`~mealplan.plan.DayPlan`. The week loop,
the diagnosis, the fixes and the edits all build their days here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from mealplan.errors import SolverError, SolverTimeoutError
from mealplan.foods import FoodTable
from mealplan.menus import dish_serving, not_alone, pattern_rules, shapes
from mealplan.model import (
    DayBound,
    DayFood,
    DayModel,
    DayResult,
    RelaxedDay,
    relax_day,
    solve_day,
)
from mealplan.patterns import MAIN_MIN_G
from mealplan.plan import (
    DayPlan,
    Meal,
    PlanItem,
    PlanOptions,
    day_totals,
    days_limit_of,
    dish_table,
    has_flag,
    main_dish_slots_available,
    patterns_apply,
)
from mealplan.purchase import purchase_key
from mealplan.targets import Bound, Targets

# The objective weights of a day's candidates (points, as in mealplan.model's objective).
ITEM_COST = 0.1
SUPPLEMENT_COST = 2.0  # a supplement only where food cannot do it as well (well above a
# new purchase: at 0.5 an allowed supplement undercut food once new purchases cost 0.8)
DISLIKE_COST = 6.0
FAVOURITE_REWARD = 1.5
USUAL_REWARD = 3.0
REUSE_COST = 0.4
NEW_FOOD_COST = 0.8  # per purchase an item adds to the week's shopping (reuse what was bought)
# ... and more for each purchase beyond a week's basket of PURCHASE_BUDGET (a cook's list)
PURCHASE_BUDGET = 22
PURCHASE_STEP = 0.3


def new_purchase_cost(bought: int, days: int) -> float:
    """Objective cost of one purchase new to the plan when ``bought`` purchases are on the
    list already: :data:`NEW_FOOD_COST`, plus :data:`PURCHASE_STEP` for each purchase
    beyond the plan's basket (:data:`PURCHASE_BUDGET` per 7 days)."""
    basket = PURCHASE_BUDGET * max(1.0, days / 7)
    return NEW_FOOD_COST + PURCHASE_STEP * max(0.0, bought - basket)
MINUTE_COST = 0.004  # per minute of a dish's prep and cooking (an hour: 0.24)
DISH_REWARD = 3.5  # a named main or breakfast dish (issue 14: >= 80 % of main meals)


# The diagnosis and the fixes it tries stop on work limits
# (deterministic), with a wall-clock safety net that a normal run never reaches.
DIAG_NODE_LIMIT = 200
DIAG_SAFETY_SECONDS = 120.0


def _day_foods(pool: FoodTable, nutrients: Sequence[str], targets: Targets,
               options: PlanOptions, used: Mapping[str, int],
               exclude: Iterable[str] = (), lookup: FoodTable | None = None,
               bought: frozenset[str] = frozenset()) -> list[DayFood]:
    """The day's candidates with per-portion amounts and objective weights.

    With menus, an item costs a little per purchase it adds to the shopping list
    (``bought``: the purchase keys of what earlier days eat, :func:`mealplan.purchase.
    purchase_key`) and per minute of cooking, so days reuse what was bought and a dinner is
    not four dishes.
    """
    excl = set(exclude) | not_alone(options, pool)
    recipes = ({d.id: [i.food_id for i in d.ingredients] for d in dish_table(options).dishes}
               if options.use_dishes else {})
    fav, dis = targets.diet.favourites, targets.diet.dislikes
    cols = ["portion_g", "min_portions", "max_portions", "slots", "flags",
            *[n for n in nutrients if n in pool.df.columns]]
    if "price_per_100g" in pool.df.columns:
        cols.append("price_per_100g")
    records = pool.df[cols].to_dict("index")
    shaped = shapes(pool, options, lookup)
    menus = patterns_apply(pool, options)
    shape_kinds = ({str(i): str(k) for i, k in pool.df["kind"].items()}
                   if "kind" in pool.df.columns else {})
    new_cost = new_purchase_cost(len(bought), options.days)
    foods = []
    for fid_key, row in records.items():
        fid = str(fid_key)
        if fid in excl:
            continue
        flags = frozenset(str(row["flags"]).split(";")) if row["flags"] else frozenset()
        supp = "supplement" in flags
        staple = options.staples_exempt and "staple" in flags
        if not supp and not staple and used.get(fid, 0) >= days_limit_of(options, pool, fid):
            continue
        g = float(row["portion_g"])
        per = {}
        for n in nutrients:
            v = float(row.get(n, math.nan))
            per[n] = 0.0 if math.isnan(v) else v * g / 100.0
        w = SUPPLEMENT_COST if supp else ITEM_COST
        if fid in dis:
            w += DISLIKE_COST
        if fid in fav:
            w -= FAVOURITE_REWARD
        if options.objective == "usual" and fid in options.usual_foods:
            w -= USUAL_REWARD
        if not supp:
            w += REUSE_COST * used.get(fid, 0)
        p = float(row.get("price_per_100g", math.nan))
        price = 0.0 if math.isnan(p) else p * g / 100.0
        slots = tuple(sorted(str(row["slots"]).split(";")))
        shape = shaped.get(fid)
        lo_n, hi_n = float(row["min_portions"]), float(row["max_portions"])
        if (menus and shape is not None and shape.roles.get("main") and not options.continuous
                and "dish" not in shape_kinds.get(fid, "") and lo_n * g < MAIN_MIN_G):
            # a single food that can be a main comes in a real portion (not 28 g of fish)
            lo_n = min(hi_n, float(math.ceil(MAIN_MIN_G / g - 1e-9)))
        is_dish = shape is not None and "dish" in shape_kinds.get(fid, "")
        if is_dish and shape is not None and (shape.roles.get("main") or shape.roles.get("base")):
            w -= DISH_REWARD  # a named main or breakfast dish, not more side dishes
        new: frozenset[str] = frozenset()
        if menus and not supp:  # per purchase new to the week (eggs any style are one)
            parts = recipes.get(fid, [fid]) if is_dish else [fid]
            new = frozenset(purchase_key(f) for f in parts) - bought
            w += new_cost * len(new)
            if is_dish:
                minutes = pool.value(fid, "prep_minutes") + pool.value(fid, "cook_minutes")
                w += MINUTE_COST * (0.0 if math.isnan(minutes) else minutes)
        foods.append(DayFood(fid, slots, per, g, lo_n, hi_n, w, price, supp,
                             "main" in flags, "addon" in flags and not menus,
                             "produce" in flags,
                             roles=shape.roles if shape else {},
                             kind_grams=shape.kind_grams if shape else {},
                             parts=frozenset(recipes.get(fid, ())) if is_dish else frozenset(),
                             purchases=new))
    return foods


def _day_bounds(targets: Targets, later_days: int, days: int,
                achieved: Mapping[str, float], weekly_max: Mapping[str, float]) -> list[DayBound]:
    """Bounds for one day; ``later_days`` = days still to plan after it (weekly catch-up)."""
    energy = targets.energy_kcal
    out = []
    for i, b in enumerate(targets.bounds):
        name = f"{i}_{b.nutrient}"
        if b.period == "week" and b.min is not None:
            need = b.min * days - achieved.get(name, 0.0)
            best_day = weekly_max.get(name)
            if later_days == 0:
                catch_up = need  # the last day to plan makes up whatever is missing
            elif best_day is None:
                catch_up = need / (later_days + 1)  # no estimate of a day's best: fair share
            else:  # what later days, each at the estimate of a day's best, cannot give
                catch_up = need - later_days * best_day
            if best_day is not None and later_days:  # never ask a day before the last for
                # more than most days can give (foods run out as the week goes on)
                catch_up = min(catch_up, best_day)
            lo = max(b.daily_min or 0.0, catch_up)
            hi = b.max
            if b.weekly_max and b.max is not None:  # what is left of the week's budget
                hi = max(b.max * days - achieved.get(name, 0.0), lo)
            out.append(DayBound(name, b.nutrient, lo, hi, b.supplements_only))
        else:
            out.append(DayBound(name, b.nutrient, b.min, b.max, b.supplements_only,
                                _per_kcal(b, energy)))
    return out


def _per_kcal(b: Bound, energy: float | None) -> tuple[float | None, float | None] | None:
    """A share-of-energy bound as amounts per kcal of the day's energy (model row 3b)."""
    if not b.of_energy or not energy:
        return None
    return (b.min / energy if b.min is not None else None,
            b.max / energy if b.max is not None else None)


def _nutrients(targets: Targets, pool: FoodTable) -> list[str]:
    ns = {b.nutrient for b in targets.bounds} | {a.nutrient for a in targets.aims} | {
        "energy_kcal"}
    return sorted(n for n in ns if n in pool.df.columns)


def slot_shares(options: PlanOptions) -> dict[str, tuple[float, float]]:
    """Energy share bounds per planned slot, rescaled when only some slots are planned.

    With all four slots the shares are used as given. With fewer, each slot's share is
    scaled by 1 / (sum of the planned slots' mid-shares), so e.g. lunch alone gets all of it.
    """
    shares = {s: options.slot_shares.get(s, (0.0, 1.0)) for s in options.slots}
    if set(options.slots) >= set(options.slot_shares):
        return shares
    mid = sum((lo + hi) / 2 for lo, hi in shares.values())
    k = 1.0 / mid if mid > 0 else 1.0
    if len(shares) == 1:
        return {s: (0.0, 1.0) for s in shares}
    return {s: (min(lo * k, 1.0), min(hi * k, 1.0)) for s, (lo, hi) in shares.items()}


def _model(pool: FoodTable, targets: Targets, options: PlanOptions, foods: list[DayFood],
           bounds: list[DayBound], forbid: Sequence[frozenset[str]],
           locks: Sequence[tuple[str, str, float]] = (),
           fixed: Sequence[tuple[str, str, float]] = (),
           rules_pool: FoodTable | None = None,
           item_caps: Mapping[str, tuple[float, int]] | None = None) -> DayModel:
    """The day's model. Flag rules (main dish, produce) follow ``rules_pool`` (default
    ``pool``): the whole candidate pool, as the verifier sees it, also for a chain's half."""
    rp = pool if rules_pool is None else rules_pool
    rules = pattern_rules(rp, targets, options)
    return DayModel(
        foods=foods, bounds=bounds, slots=options.slots,
        energy_centre=targets.energy_kcal, slot_shares=slot_shares(options),
        items_per_meal=options.max_items_per_meal, min_foods=options.min_foods_per_day,
        max_foods=options.max_foods_per_day, max_grams=options.max_grams_per_day,
        require_main_meals=options.require_main_meals, continuous=options.continuous,
        objective=options.objective, forbid_sets=forbid if options.distinct_days else (),
        locks=locks, fixed=fixed,
        main_slots=() if rules else tuple(main_dish_slots_available(rp, options)),
        min_produce=(options.min_produce_per_day if has_flag(rp, "produce") and not rules
                     else 0),
        aims=tuple((a.nutrient, a.min, a.weight) for a in targets.aims
                   if a.nutrient in pool.df.columns),
        pattern=rules, item_caps=dict(item_caps or {}))


def _to_day(day: int, res: DayResult, pool: FoodTable, options: PlanOptions,
            nutrients: Sequence[str]) -> DayPlan:
    meals = []
    for s in options.slots:
        items = []
        for slot, fid, n in res.items:
            if slot != s:
                continue
            row = pool.row(fid)
            g = float(row["portion_g"])
            served = dish_serving(fid, n, pool, options)
            item = PlanItem(fid, str(row["name"]), n, str(row["portion_name"]), n * g,
                            "supplement" in pool.list_of(fid, "flags"),
                            served[0] if served else None)
            if "energy_kcal" in pool.df.columns:  # from the ingredients, as the verifier
                energy = day_totals([item], pool, ["energy_kcal"])[0]["energy_kcal"]
                item = replace(item, kcal=round(energy, 1))
            items.append(item)
        meals.append(Meal(s, tuple(items)))
    all_items = [it for m in meals for it in m.items]
    totals, _ = day_totals(all_items, pool, nutrients)
    return DayPlan(day, tuple(meals), totals)


def _amount(foods: Sequence[DayFood], items: Iterable[tuple[str, str, float]],
            nutrient: str) -> float:
    """How much of ``nutrient`` a day's items (slot, food id, portions) hold."""
    per = {f.food_id: f.per_portion for f in foods}
    return sum(per[fid].get(nutrient, 0.0) * n for _s, fid, n in items)


def _unit(targets: Targets, nutrient: str) -> str:
    for b in targets.bounds:
        if b.nutrient == nutrient and b.unit:
            return b.unit.replace("/d", "").replace("/day", "")
    from mealplan.units import unit_of

    return unit_of(nutrient) or ""


def _solve_planned_day(model: DayModel, options: PlanOptions, budget: float) -> DayResult:
    """One day: first among the candidates its LP relaxation ranks best, else among all.

    With ``options.kernel_size`` (a kernel search): the day's LP relaxation ranks the
    candidates (:func:`mealplan.model.relax_day`), the MILP is solved among the first
    ``kernel_size`` of them (and any locked or fixed food), and its plan is returned,
    measured against *all* the candidates (:func:`_against_all`: the kernel's own bound
    for plans of its foods, the relaxed optimum plus the least reduced cost for plans that
    serve a food it left out; so "optimal" still means proven within the gap against every
    candidate). When the kernel has no plan, the day is solved among all its candidates;
    when the relaxation has none, neither has the day (no MILP is solved).
    Measured (issue 14, 21 day models of three weeks): 3x faster at 60 foods, 2x at 80,
    the same score on 17 of 21 days at 80.

    Each solve stops at the gap, the soft node limit once a plan is in hand, or the work
    limit, then once more with 4x the nodes if no plan yet. All of it is deterministic;
    only the wall-clock safety net (``budget``, the plan's remaining seconds, and
    ``options.day_time_limit``) can make the answer machine-dependent.
    """
    k = options.kernel_size
    if k is not None and not model.continuous and len(model.foods) > k:
        t0 = time.perf_counter()
        relaxed = relax_day(model)
        if relaxed.infeasible:  # no fractional plan, so no plan: no MILP to solve
            return DayResult("infeasible", (), None, None, None, relaxed.seconds, 0.0, {})
        if relaxed.objective is not None:
            keep = set(relaxed.ranking[:k]) | {f for _s, f, _n in (*model.locks, *model.fixed)}
            kernel = replace(model, foods=[f for f in model.foods if f.food_id in keep])
            res = _solve_to_limits(kernel, options, budget)
            if res.status in ("optimal", "feasible"):
                # a plan serving a food left out scores at least the relaxed optimum plus
                # that food's reduced cost
                outside = relaxed.objective + min(
                    (c for f, c in relaxed.reduced.items() if f not in keep), default=math.inf)
                return _against_all(res, relaxed, outside, options)
        budget -= time.perf_counter() - t0
    return _solve_to_limits(model, options, budget)


def _solve_to_limits(model: DayModel, options: PlanOptions, budget: float) -> DayResult:
    for nodes in (options.day_node_limit, 4 * options.day_node_limit):
        res = solve_day(model, gap_rel=options.gap_rel, gap_abs=options.gap_abs,
                        node_limit=nodes, time_limit=min(options.day_time_limit, budget),
                        soft_seconds=options.day_soft_seconds,
                        soft_nodes=options.day_soft_nodes)
        if not (res.status == "limit" and res.stopped_by == "work"):
            break
    return res


def _against_all(res: DayResult, relaxed: RelaxedDay, outside: float,
                 options: PlanOptions) -> DayResult:
    """A kernel's plan measured against every candidate: the best bound is the lesser of
    the kernel's own (plans of its foods) and ``outside`` (plans serving a food it left
    out), and never below the relaxed optimum of the whole day."""
    obj, lp = res.objective, relaxed.objective
    if obj is None or lp is None:
        return replace(res, status="feasible", best_bound=None, gap=None)
    inside = res.best_bound if res.best_bound is not None else lp
    bound = max(lp, min(inside, outside))
    diff = max(0.0, obj - bound)
    proven = diff <= max(options.gap_abs, options.gap_rel * abs(obj)) + 1e-9
    return replace(res, status="optimal" if proven else "feasible", best_bound=bound,
                   gap=diff / max(abs(obj), 1e-9), seconds=res.seconds + relaxed.seconds)


def _limit_error(res: DayResult, options: PlanOptions, day: int) -> SolverError:
    if res.stopped_by not in ("time", "work"):
        return SolverError(f"day {day}: the solver failed ({res.stopped_by}); this is a "
                           "bug or a resource problem, not your targets: please report it")
    if res.stopped_by == "time":
        return SolverTimeoutError(
            f"day {day}: the safety time limit stopped the solver before it found a plan",
            limit="time", value=options.day_time_limit, day=day)
    n = options.day_node_limit
    return SolverTimeoutError(
        f"day {day}: no plan found within the work limit ({n} branch-and-bound nodes, then "
        f"{4 * n}); the targets leave very little room",
        limit="work", value=n, day=day)
