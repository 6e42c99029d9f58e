"""Planning: from a food table and targets to a verified :class:`~mealplan.plan.Plan`.

Strategy (measured in ``benchmarks/bench_plan.py``): a week is solved as a sequence of
one-day MILPs (:mod:`mealplan.model`). Variety is carried from day to day: a food that
reached its day cap is no longer a candidate, earlier use costs a little in the objective,
and a day may not repeat an earlier day's set of foods. Weekly-average bounds get a daily
floor, a catch-up minimum that keeps the remaining days able to reach the average, and a
soft aim at the average on every day but the last (so the last day is rarely left to make
up a shortfall alone).

Every plan is recomputed from the food table and checked by :func:`mealplan.plan.verify_plan`
before it is returned; a plan that fails is never returned (PlanVerificationError).
When a day has no solution, the day is re-solved elastically (a slack per bound) to find
which bounds cannot be met and how far, and candidate relaxations (allow fortified foods,
supplements, a banned food, another diet, a lower bound) are tried to suggest fixes.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import pandas as pd
import pulp

from .dishes import NATTO_ID
from .errors import (
    InfeasiblePlanError,
    PlanVerificationError,
    SolverError,
    SolverTimeoutError,
    TargetsError,
)
from .errors import Problem as _Problem
from .foods import FoodTable, merge_tables
from .menus import (
    add_dishes,
    allowances_left,
    dish_serving,
    new_cheeses,
    not_alone,
    pattern_rules,
    shapes,
)
from .model import MAIN_MEALS, DayBound, DayFood, DayModel, DayResult, highs_solver, solve_day
from .patterns import MAIN_MIN_G
from .plan import (
    DayPlan,
    Diagnosis,
    Fix,
    Meal,
    Plan,
    PlanItem,
    PlanOptions,
    Shortfall,
    SolveInfo,
    check_bounds,
    day_totals,
    dish_table,
    has_flag,
    main_dish_slots_available,
    patterns_apply,
    verify_plan,
    weekly_cap_left,
)
from .targets import Bound, Targets, life_stage_flags, validate_targets
from .units import MealSlot, amount_text, nutrient_label

__all__ = [
    "BindingBound",
    "DietLP",
    "apply_fix",
    "candidate_pool",
    "diagnose",
    "excluded_flags",
    "make_plan",
    "regenerate_day",
    "solve_diet_lp",
    "swap_item",
]

ITEM_COST = 0.1
SUPPLEMENT_COST = 0.5  # a supplement only where food cannot do it as well
DISLIKE_COST = 6.0
FAVOURITE_REWARD = 1.5
USUAL_REWARD = 3.0
REUSE_COST = 0.4
WEEKLY_BEST_SHARE = 0.9  # later days are assumed to reach this share of the best day
WEEKLY_AIM_WEIGHT = 0.1  # points per % below a weekly average on a day that is not the last
NEW_FOOD_COST = 0.15  # per food an item adds to the week's shopping (reuse what was bought)
MINUTE_COST = 0.004  # per minute of a dish's prep and cooking (an hour: 0.24)
DISH_REWARD = 0.6  # a named main or breakfast dish (issue 14: >= 80 % of main meals)
# The diagnosis and the weekly estimate stop on work limits (deterministic), with a
# wall-clock safety net that a normal run never reaches.
DIAG_NODE_LIMIT = 200
ELASTIC_NODE_LIMIT = 1000
DIAG_SAFETY_SECONDS = 120.0
# Nutrients a fix may suggest holding as a weekly average.
WEEKLY_OK = ("vitamin_d_ug", "k2_ug")
# Flags that exclude foods for safety (warfarin: natto; pregnancy: liver). A fix never
# suggests re-admitting them, nor raising an upper limit.
SAFETY_FLAGS = frozenset({"vitamin_k_antagonist_caution", "high_vitamin_a", "listeria_risk",
                          "raw_animal", "high_iodine"})


# An unknown value that a known one bounds from above is planned at that bound (never
# under): a food without a saturated-fat value counts all its fat as saturated.
UPPER_FILL: dict[str, str] = {"saturated_fat_g": "fat_g"}


def _fill_from_upper(pool: FoodTable, notes: list[str]) -> FoodTable:
    df = pool.df
    filled = None
    for col, upper in UPPER_FILL.items():
        if col not in df.columns or upper not in df.columns:
            continue
        miss = df[col].isna() & df[upper].notna()
        if miss.any():
            filled = df.copy() if filled is None else filled
            filled.loc[miss, col] = filled.loc[miss, upper]
            notes.append(f"{_count_text(int(miss.sum()), 'food')} without a "
                         f"{nutrient_label(col).lower()} value: all of its "
                         f"{nutrient_label(upper).lower()} is counted as "
                         f"{nutrient_label(col).lower()} (never less than the truth)")
    if filled is None:
        return pool
    return FoodTable(filled, pool.source, pool.nutrients)


def _count_text(n: int, noun: str) -> str:
    """'1 food', '3 foods'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _filter(table: FoodTable, targets: Targets) -> FoodTable:
    from . import targets as tmod

    f = getattr(tmod, "filter_foods", None)
    if f is None:  # pragma: no cover - only while targets.filter_foods is not written
        return table
    result: FoodTable = f(table, targets.diet)
    return result


def candidate_pool(table: FoodTable, targets: Targets, options: PlanOptions,
                   supplements: FoodTable | None = None) -> tuple[FoodTable, list[str]]:
    """The foods a plan may use, and notes on what the missing-value policy dropped.

    Applies the diet filter, bans, supplements (only when allowed) and the missing-value
    policy (foods with an unknown value for a capped nutrient are dropped, except for
    nutrients in ``options.unknown_as_zero``).
    """
    pool = _filter(table, targets)
    notes: list[str] = []
    # Safety exclusions follow the modes, whatever the diet filter says (a hand-edited
    # profile may have dropped them); supplements appear only when allowed.
    unsafe = excluded_flags(targets)
    pool = pool.without(f for f in pool.ids if pool.list_of(f, "flags") & unsafe)
    if supplements is not None and targets.allow_supplements:
        supp = _filter(supplements, replace(targets, diet=replace(
            targets.diet, exclude_flags=targets.diet.exclude_flags - {"supplement"})))
        supp = supp.without(f for f in supp.ids if supp.list_of(f, "flags") & unsafe)
        if "ckd" in targets.modes:  # the kidneys clear them: none without the clinician
            supp = supp.without(f for f in supp.ids if any(
                n in supp.df.columns and not supp.value(f, n) <= 0  # unknown counts too
                for n in ("magnesium_mg", "potassium_mg")))
        pool = merge_tables([pool, supp]) if len(supp) else pool
    pool = pool.without(options.bans)
    pool = _fill_from_upper(pool, notes)
    if options.meal_patterns:  # a menu never serves raw egg (or other raw animal food)
        pool = pool.without(f for f in pool.ids if "raw_animal" in pool.list_of(f, "flags"))
    pool, dish_notes = add_dishes(pool, options, lambda rows: _filter(rows, targets))
    notes += dish_notes
    if options.objective == "cost":
        prices = (pool.df["price_per_100g"] if "price_per_100g" in pool.df.columns
                  else pd.Series(math.nan, index=pool.df.index))
        unpriced = [str(i) for i in pool.df.index[prices.isna()]]
        if len(unpriced) == len(pool):
            raise TargetsError("plan options", [_Problem(
                "the objective 'cost' needs price_per_100g in the food table; no food "
                "has a price", column="objective")])
        if unpriced:
            pool = pool.without(unpriced)
            notes.append(f"objective 'cost': {len(unpriced)} foods without a price left out")
    capped = sorted({b.nutrient for b in targets.bounds
                     if b.max is not None and not b.supplements_only})
    drop: set[str] = set()
    for n in capped:
        if n in options.unknown_as_zero:
            continue
        if n not in pool.df.columns:
            raise TargetsError("targets", [_Problem(
                f"the food table has no column '{n}'", column=n)])
        unknown = pool.df.index[pool.df[n].isna()]
        if len(unknown):
            drop.update(str(i) for i in unknown)
            notes.append(f"{_count_text(len(unknown), 'food')} left out: {nutrient_label(n)} "
                         "unknown and capped by an upper limit")
    for b in targets.bounds:
        if b.nutrient not in pool.df.columns:
            raise TargetsError("targets", [_Problem(
                f"the food table has no column '{b.nutrient}'", column=b.nutrient)])
    pool = pool.without(drop)
    if len(pool) > options.max_candidates:
        notes.append(f"{len(pool)} candidate foods and dishes: each day plans with the "
                     f"{options.prune_to} best for the targets and the meal patterns still "
                     "available (per portion and per 100 kcal, per meal slot)")
    return pool, notes


def day_pool(pool: FoodTable, targets: Targets, options: PlanOptions,
             used: Mapping[str, int], also_keep: Iterable[str] = (),
             lookup: FoodTable | None = None) -> FoodTable:
    """The day's pool: foods at their day cap left out, then narrowed when still large."""
    capped = [fid for fid, n in used.items() if n >= options.max_days_per_food
              and pool.has(fid) and not ({"staple", "supplement"}
                                         & pool.list_of(fid, "flags"))]
    if len(pool) - len(capped) <= options.max_candidates:
        return pool
    keep = ({lk.food_id for lk in options.locks} | targets.diet.favourites
            | options.usual_foods | set(also_keep))
    rest = pool.without(capped)
    roles = ({f: sh.roles for f, sh in shapes(rest, options, lookup).items()}
             if patterns_apply(rest, options) else None)
    return prune_candidates(rest, targets, options.prune_to, keep, roles)


# Meal-pattern roles each slot needs candidates for when a large pool is narrowed.
_SLOT_ROLES = ("base", "pour", "fruit", "main", "vegetable", "starch")


def prune_candidates(pool: FoodTable, targets: Targets, limit: int,
                     keep: Iterable[str] = (),
                     roles: Mapping[str, Mapping[str, int]] | None = None) -> FoodTable:
    """Narrow a large table to about ``limit`` foods that can matter for these targets.

    For every nutrient with a minimum, the richest foods per 100 kcal and per portion are
    kept, then the best main dishes, then (with meal patterns, ``roles``) each slot's best
    candidates for every pattern role (base, milk, fruit, main, vegetable, starch) and its
    best dishes, then each slot's best foods by overall score (the share of each minimum one
    full item covers, per 100 kcal), then the next best overall, until ``limit``.
    Deterministic.
    """
    df = pool.df
    mins = [b for b in targets.bounds if b.min is not None and b.min > 0
            and b.nutrient != "energy_kcal" and not b.supplements_only]
    portion = df["portion_g"].astype(float) * df["max_portions"].astype(float) / 100.0
    kcal = (df["energy_kcal"].astype(float).fillna(0.0).clip(lower=1.0)
            if "energy_kcal" in df.columns else pd.Series(100.0, index=df.index))
    score = pd.Series(0.0, index=df.index)
    chosen: list[str] = [str(f) for f in keep if f in df.index]
    per_nutrient = max(4, limit // max(1, 3 * len(mins)))
    rich_picks: list[str] = []
    for b in mins:
        amount = df[b.nutrient].astype(float).fillna(0.0)
        score += (amount * portion / float(b.min or 1.0)).clip(upper=1.0)
        dens = (amount / kcal).sort_values(ascending=False, kind="stable")
        rich_picks += [str(i) for i in dens.index[:per_nutrient] if dens[i] > 0]
        rich = (amount * portion).sort_values(ascending=False, kind="stable")
        rich_picks += [str(i) for i in rich.index[:per_nutrient] if rich[i] > 0]
    score = (score / (kcal * portion / 100.0).clip(lower=0.05)).sort_values(
        ascending=False, kind="stable")
    slots_of = {str(i): set(str(v).split(";")) for i, v in df["slots"].items()}
    per_slot = max(5, limit // 8)
    if roles:  # first what every meal's pattern needs, so no slot is left without a starch
        per_role = max(4, limit // 40)
        dish_ids = [str(i) for i in score.index if str(df.at[i, "kind"]) == "dish"] if (
            "kind" in df.columns) else []
        for slot in ("breakfast", "lunch", "dinner", "snack"):
            in_slot = [str(i) for i in score.index if slot in slots_of[str(i)]]
            for role in _SLOT_ROLES:
                chosen += [f for f in in_slot if roles.get(f, {}).get(role, 0)][:per_role]
            chosen += [f for f in dish_ids if slot in slots_of[f]][:max(5, limit // 12)]
    chosen += rich_picks
    mains = [str(i) for i in score.index if "main" in str(df.at[i, "flags"]).split(";")]
    chosen += mains[:per_slot]  # the main-dish rule needs main dishes to choose from
    for slot in ("breakfast", "lunch", "dinner", "snack"):
        chosen += [str(i) for i in score.index if slot in slots_of[str(i)]][:per_slot]
    chosen += [str(i) for i in score.index]
    unique = list(dict.fromkeys(chosen))[:limit]
    return pool.subset(unique)


def _day_foods(pool: FoodTable, nutrients: Sequence[str], targets: Targets,
               options: PlanOptions, used: Mapping[str, int],
               exclude: Iterable[str] = (), lookup: FoodTable | None = None,
               bought: frozenset[str] = frozenset()) -> list[DayFood]:
    """The day's candidates with per-portion amounts and objective weights.

    With menus, an item costs a little per food it adds to the shopping list (``bought``:
    the foods earlier days already use) and per minute of cooking, so days reuse what was
    bought and a dinner is not four dishes.
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
    foods = []
    for fid_key, row in records.items():
        fid = str(fid_key)
        if fid in excl:
            continue
        flags = frozenset(str(row["flags"]).split(";")) if row["flags"] else frozenset()
        supp = "supplement" in flags
        staple = options.staples_exempt and "staple" in flags
        if not supp and not staple and used.get(fid, 0) >= options.max_days_per_food:
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
        if menus and not supp:
            parts = recipes.get(fid, [fid]) if is_dish else [fid]
            w += NEW_FOOD_COST * sum(1 for f in parts if f not in bought)
            if is_dish:
                minutes = pool.value(fid, "prep_minutes") + pool.value(fid, "cook_minutes")
                w += MINUTE_COST * (0.0 if math.isnan(minutes) else minutes)
        foods.append(DayFood(fid, slots, per, g, lo_n, hi_n, w, price, supp,
                             "main" in flags, "addon" in flags and not menus,
                             "produce" in flags,
                             roles=shape.roles if shape else {},
                             kind_grams=shape.kind_grams if shape else {}))
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
            else:  # what later days, each at 90 % of the best day, cannot give
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
            items.append(PlanItem(fid, str(row["name"]), n, str(row["portion_name"]), n * g,
                                  "supplement" in pool.list_of(fid, "flags"),
                                  served[0] if served else None))
        meals.append(Meal(s, tuple(items)))
    all_items = [it for m in meals for it in m.items]
    totals, _ = day_totals(all_items, pool, nutrients)
    return DayPlan(day, tuple(meals), totals)


def _amount(foods: Sequence[DayFood], items: Iterable[tuple[str, str, float]],
            nutrient: str) -> float:
    """How much of ``nutrient`` a day's items (slot, food id, portions) hold."""
    per = {f.food_id: f.per_portion for f in foods}
    return sum(per[fid].get(nutrient, 0.0) * n for _s, fid, n in items)


def _weekly_max(pool: FoodTable, targets: Targets, options: PlanOptions,
                nutrients: Sequence[str]) -> dict[str, float]:
    """For each weekly bound, 0.8 x the most one day can reach (for the catch-up minimum)."""
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
        r = solve_day(replace(base, maximise=(b.nutrient, 1)), gap_rel=0.05,
                      node_limit=DIAG_NODE_LIMIT, time_limit=DIAG_SAFETY_SECONDS)
        if r.items:
            out[f"{i}_{b.nutrient}"] = WEEKLY_BEST_SHARE * _amount(foods, r.items, b.nutrient)
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
    return SolveInfo(status, obj, best, gap, wall_seconds,
                     sum(r.build_seconds for r in results), method,
                     unproven_days=unproven, stopped_by=tuple(sorted(stops)),
                     solver_seconds=sum(r.seconds for r in results))


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
    days, results = _plan_days(table, targets, options, supplements, pool, nutrients,
                               list(range(1, options.days + 1)), keep, extra_forbid, start,
                               weekly_max, on_day=on_day)
    ordered = tuple(days[d] for d in range(1, options.days + 1))
    return _finish(ordered, pool, targets, options, results, notes, method, start)


class _ChainFailed(Exception):
    """A parallel chain found no plan: plan the week in one sequence instead."""


def _plan_days(table: FoodTable, targets: Targets, options: PlanOptions,
               supplements: FoodTable | None, pool: FoodTable, nutrients: Sequence[str],
               day_numbers: Sequence[int], keep: Mapping[int, DayPlan],
               extra_forbid: Sequence[frozenset[str]], start: float,
               weekly_max: Mapping[str, float], chain: bool = False,
               rules_pool: FoodTable | None = None, chain_no: int | None = None,
               on_day: Callable[[int, int], None] | None = None,
               ) -> tuple[dict[int, DayPlan], list[tuple[int, DayResult]]]:
    """Plan ``day_numbers`` in order, carrying variety and weekly totals from day to day.

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
        planned = [days[d] for d in sorted(days)]
        adds, cheeses_left = new_cheeses(pool, options, planned, look)
        foods = _day_foods(day_pool(pool, targets, options, used, lookup=look), nutrients,
                           targets, options, used, lookup=look,
                           exclude=[f for f, n in adds.items() if n > cheeses_left],
                           bought=frozenset(f for d in planned for f in d.eaten_ids()))
        if adds:  # the day adds at most the cheeses the week has left
            foods = [replace(f, kind_grams={**f.kind_grams, "new_cheese": float(adds[f.food_id])})
                     if f.food_id in adds else f for f in foods]
        later = sum(1 for d in day_numbers if d > day and d not in keep)
        # a chain meets weekly averages over its own days (so the two chains together do)
        span = len(day_numbers) if chain else options.days
        bounds = _day_bounds(targets, later, span, achieved, weekly_max)
        forbid = [d.food_ids() for d in days.values()] + list(extra_forbid)
        locks = [(lk.slot, lk.food_id, lk.portions) for lk in options.locks if lk.day == day]
        _check_locks(locks, foods, day)
        caps = allowances_left(options, look, planned, chain_no)
        model = _model(pool, targets, options, foods, bounds, forbid, locks,
                       rules_pool=rules_pool, item_caps=caps)
        if adds:
            model = replace(model, count_caps={"new_cheese": float(max(cheeses_left, 0))})
        if targets.weekly_max:  # e.g. pregnancy: at most 340 g of fish in any 7 days
            left: dict[str, float] = {}
            for cap in targets.weekly_max:
                g = weekly_cap_left(cap.grams, day, days, look, cap.kind)
                left[cap.kind] = min(left.get(cap.kind, math.inf), g)
            model = replace(model, kind_caps=left)
        if later:  # each day leans toward the weekly average itself, so the last day is not
            # left to catch up alone (a soft aim: never a hard floor)
            model = replace(model, aims=tuple(model.aims) + tuple(
                (b.nutrient, float(b.min), WEEKLY_AIM_WEIGHT) for b in targets.bounds
                if b.period == "week" and b.min and b.nutrient in pool.df.columns))
        res = _solve_planned_day(model, options, budget)
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
        days[day] = dp
        _count(dp, used)
        _achieve(dp, targets, look, achieved)
        if on_day is not None:
            on_day(len(days), options.days)
    return days, results


def _solve_planned_day(model: DayModel, options: PlanOptions, budget: float) -> DayResult:
    """One day to the gap or the work limit; once more with 4x the nodes if no plan yet.

    Both steps are deterministic; only the wall-clock safety net (``budget``, the plan's
    remaining seconds, and ``options.day_time_limit``) can make the answer machine-dependent.
    """
    for nodes in (options.day_node_limit, 4 * options.day_node_limit):
        res = solve_day(model, gap_rel=options.gap_rel, gap_abs=options.gap_abs,
                        node_limit=nodes, time_limit=min(options.day_time_limit, budget),
                        soft_seconds=options.day_soft_seconds)
        if not (res.status == "limit" and res.stopped_by == "work"):
            break
    return res


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


# --------------------------------------------------------------------------- diagnosis


def diagnose(table: FoodTable, targets: Targets, options: PlanOptions,
             supplements: FoodTable | None = None, *, day: int = 1,
             model: DayModel | None = None, pool: FoodTable | None = None,
             used: Mapping[str, int] | None = None,
             forbid: Sequence[frozenset[str]] = ()) -> Diagnosis:
    """Explain why no plan exists: unmet bounds, how far at best, and what would fix it.

    Re-solves the failing day with a slack on every bound (minimising total relative slack)
    to find which bounds cannot be met; for each unmet bound, the best value a day can reach
    while every other bound holds. Then tries relaxations (allow an excluded flag,
    supplements, a banned food, a broader diet, a weekly average, lower minimums) on the
    same day, with the same variety history (``used``, ``forbid``), and keeps those that work.
    """
    if pool is None:
        pool, _ = candidate_pool(table, targets, options, supplements)
    history = dict(used or {})
    nutrients = _nutrients(targets, pool)
    if model is None:
        foods = _day_foods(day_pool(pool, targets, options, history), nutrients, targets,
                           options, history)
        model = _model(pool, targets, options, foods, _day_bounds(targets, 0, 1, {}, {}),
                       forbid)
    # the elastic solve decides which bounds are unmet: give it more work than the rest
    el = solve_day(replace(model, elastic=True), gap_rel=0.01,
                   node_limit=ELASTIC_NODE_LIMIT, time_limit=DIAG_SAFETY_SECONDS)
    rules: list[str] = []
    unmet: list[tuple[DayBound, str]] = []
    joint: dict[str, float] = {}  # minimums one day can reach together (the elastic plan)
    if el.status in ("optimal", "feasible"):
        by_name = {b.name: b for b in model.bounds}
        for name, (below, above) in el.slacks.items():
            lo = by_name[name].lo
            if below > 1e-6 and lo is not None:
                unmet.append((by_name[name], "min"))
                joint[by_name[name].nutrient] = lo - below
            if above > 1e-6 and by_name[name].hi is not None:
                unmet.append((by_name[name], "max"))
    found = [(b, _shortfall(model, b, kind, unmet, targets, day)) for b, kind in unmet]
    shortfalls = [sf for _b, sf in found if sf is not None]
    together = sorted({nutrient_label(b.nutrient) for b, sf in found if sf is None})
    if together and not shortfalls:
        # each is reachable on its own; the day cannot have all of them at once (beside a
        # real shortfall, the others are only collateral of the joint relaxation)
        if len(together) == 1:
            rules.append(f"{together[0]} cannot be met together with every other target on "
                         "the same day")
        else:
            rules.append(f"{', '.join(together[:-1])} and {together[-1]} cannot all be met "
                         "together with every other target on the same day")
    elif not unmet:
        rules.append(_rule_conflict(model, day))
    fixes = _suggest_fixes(table, targets, options, supplements, shortfalls, history, forbid,
                           joint, [] if shortfalls else [b.nutrient for b, _k in unmet])
    return Diagnosis(tuple(shortfalls), tuple(fixes), tuple(rules))


def _shortfall(model: DayModel, b: DayBound, kind: str, unmet: Sequence[tuple[DayBound, str]],
               targets: Targets, day: int) -> Shortfall | None:
    """How far a day gets on one unmet bound while every other bound holds.

    If the other bounds cannot all hold even without this one, the other unmet bounds are
    dropped too. None when the best value found meets the bound (the bound does not block
    by itself: it only conflicts with the others) or when no plan exists even without it.
    """
    sense = 1 if kind == "min" else -1
    failing = {u.name for u, _k in unmet}
    limit = float((b.lo if kind == "min" else b.hi) or 0.0)
    tol = 1e-6 * max(1.0, abs(limit))
    res = solve_day(replace(model, bounds=[x for x in model.bounds if x.name != b.name],
                            maximise=(b.nutrient, sense), elastic=False),
                    gap_rel=0.01, node_limit=DIAG_NODE_LIMIT, time_limit=DIAG_SAFETY_SECONDS)
    if not res.items:
        # the other unmet bounds cannot hold either: drop them too; if this one is reachable
        # then, it is part of a conflict, not short by itself
        res = solve_day(replace(model, bounds=[x for x in model.bounds if x.name not in failing],
                                maximise=(b.nutrient, sense), elastic=False),
                        gap_rel=0.01, node_limit=DIAG_NODE_LIMIT,
                        time_limit=DIAG_SAFETY_SECONDS)
    if not res.items:
        return None
    best = _amount(model.foods, res.items, b.nutrient)
    if res.status != "optimal" and res.best_bound is not None:
        # stopped before the proof: report the proven limit, never only what was found
        proven = -res.best_bound if sense == 1 else res.best_bound
        best = max(best, proven) if sense == 1 else min(best, proven)
    if (kind == "min" and best >= limit - tol) or (kind == "max" and best <= limit + tol):
        return None
    # day 1 starts with every food: failing there means failing on any day (no day named)
    return Shortfall(b.nutrient, _unit(targets, b.nutrient), "min" if kind == "min" else "max",
                     limit, best, (day,) if day > 1 else ())


def _unit(targets: Targets, nutrient: str) -> str:
    for b in targets.bounds:
        if b.nutrient == nutrient and b.unit:
            return b.unit.replace("/d", "").replace("/day", "")
    from .units import unit_of

    return unit_of(nutrient) or ""


def _rule_conflict(model: DayModel, day: int) -> str:
    if not model.foods:
        return f"day {day}: no food is left after the diet filters, bans and variety caps"
    missing = [s for s in MAIN_MEALS if s in model.slots
               and not any(s in f.slots for f in model.foods)]
    if missing:
        return f"day {day}: no allowed food suits {', '.join(missing)}"
    return (f"day {day}: the realism rules (portions, items per meal, foods per day, energy "
            "shares per meal, foods on at most N days) cannot all hold with the foods left; "
            "allow more days per food or fewer filters")


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
    floors = [replace(b, lo=_floor(targets, b)) for b in _day_bounds(targets, 0, 1, {}, {})]
    m = _model(pool, targets, options, foods, floors, forbid)
    # any plan answers the question: stop at the first one (a deterministic limit)
    return solve_day(m, gap_rel=0.05, first_solution=True, node_limit=DIAG_NODE_LIMIT,
                     time_limit=DIAG_SAFETY_SECONDS).status in ("optimal", "feasible")


def _weekly(targets: Targets, nutrient: str) -> bool:
    return any(b.nutrient == nutrient and b.period == "week" for b in targets.bounds)


def _floor(targets: Targets, b: DayBound) -> float | None:
    """What one day must reach of a bound: a weekly bound's daily floor, else its own
    minimum (never a floor on a supplements-only upper limit of the same nutrient)."""
    if b.lo is None or b.supplements_only:
        return b.lo
    for t in targets.bounds:
        if t.nutrient == b.nutrient and t.period == "week":
            return t.daily_min
    return b.lo


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


def excluded_flags(targets: Targets) -> frozenset[str]:
    """Flags whose foods never enter a plan for these targets, whatever the diet filter says.

    The safety modes' flags (warfarin: natto and K2 supplements; pregnancy: liver) and,
    unless supplements are allowed, ``supplement``.
    """
    return _mode_flags(targets) | (frozenset() if targets.allow_supplements
                                   else frozenset({"supplement"}))


def _mode_flags(targets: Targets) -> frozenset[str]:
    """Safety flags implied by the targets' modes (even if a caller dropped the filter)."""
    flags: set[str] = set()
    if "anticoagulant" in targets.modes:
        flags.add("vitamin_k_antagonist_caution")
    for stage in ("pregnancy", "lactation"):
        if stage in targets.modes:
            flags |= life_stage_flags(stage)
    return frozenset(flags)


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
        from . import targets as tmod

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


# --------------------------------------------------------------------------- edits


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
    info = replace(new.info, unproven_days=unproven, stopped_by=stops,
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


# --------------------------------------------------------------------------- plain LP


@dataclass(frozen=True)
class BindingBound:
    """A bound that limits the LP optimum, with its shadow price."""

    nutrient: str
    side: str  # "min" or "max"
    bound: float
    unit: str
    shadow_price: float  # objective change per +1 unit of the bound

    def describe(self, objective_unit: str) -> str:
        """Plain words: '+10 mg magnesium raises the cost by 0.031'."""
        step = _step(self.bound)
        delta = self.shadow_price * step
        verb = "raises" if delta > 0 else "lowers"
        return (f"{nutrient_label(self.nutrient)} {self.side} {self.bound:g} {self.unit}: "
                f"+{step:g} {self.unit} {verb} the {objective_unit} by {abs(delta):.3g}")


def _step(bound: float) -> float:
    if bound <= 0:
        return 1.0
    return float(10 ** max(-1, math.floor(math.log10(bound)) - 1))


@dataclass(frozen=True)
class DietLP:
    """The plain diet LP: continuous grams, nutrient bounds, minimum cost (or mass)."""

    status: str
    grams: Mapping[str, float]
    totals: Mapping[str, float]
    objective: float | None
    objective_unit: str
    binding: tuple[BindingBound, ...]
    seconds: float


def solve_diet_lp(table: FoodTable, targets: Targets, *, max_grams_per_food: float = 500.0,
                  objective: str = "auto") -> DietLP:
    """Solve the classic diet LP (Stigler): grams of each food, meeting every bound.

    Minimises cost when every food has ``price_per_100g`` (or ``objective='cost'``),
    otherwise total grams. Returns the binding bounds with their shadow prices.
    """
    pool = _filter(table, targets)
    df = pool.df
    use_cost = objective == "cost" or (
        objective == "auto" and "price_per_100g" in df.columns
        and bool(df["price_per_100g"].notna().all()))
    if use_cost and ("price_per_100g" not in df.columns
                     or bool(df["price_per_100g"].isna().any())):
        raise TargetsError(pool.source, [_Problem(
            "the cost objective needs price_per_100g for every food", column="price_per_100g")])
    t0 = time.perf_counter()
    prob = pulp.LpProblem("diet_lp", pulp.LpMinimize)
    g = {fid: pulp.LpVariable(f"g_{fid}", lowBound=0, upBound=max_grams_per_food)
         for fid in pool.ids}
    if use_cost:
        prices = df["price_per_100g"].astype(float).to_dict()
        prob += pulp.lpSum(prices[f] / 100.0 * v for f, v in g.items())
    else:
        prob += pulp.lpSum(g.values())
    cons: dict[str, tuple[Bound, str]] = {}
    for i, b in enumerate(targets.bounds):
        if b.nutrient not in df.columns:
            raise TargetsError("targets", [_Problem(
                f"the food table has no column '{b.nutrient}'", column=b.nutrient)])
        col = df[b.nutrient].fillna(0.0)
        expr = pulp.lpSum(float(col[f]) / 100.0 * v for f, v in g.items() if col[f] != 0)
        lo = b.min
        if lo is not None:
            name = f"lo_{i}_{b.nutrient}"
            prob += expr >= lo, name
            cons[name] = (b, "min")
        if b.max is not None and not b.supplements_only:
            name = f"hi_{i}_{b.nutrient}"
            prob += expr <= b.max, name
            cons[name] = (b, "max")
    prob.solve(highs_solver())
    secs = time.perf_counter() - t0
    unit = "cost" if use_cost else "grams of food"
    if prob.sol_status != pulp.LpSolutionOptimal:
        return DietLP("infeasible", {}, {}, None, unit, (), secs)
    grams = {f: float(v.value() or 0.0) for f, v in g.items() if (v.value() or 0.0) > 1e-6}
    totals = {}
    for n in {b.nutrient for b in targets.bounds}:
        col = df[n].fillna(0.0)
        totals[n] = sum(float(col[f]) * q / 100.0 for f, q in grams.items())
    binding = []
    for name, c in prob.constraints.items():
        if name in cons and abs(c.pi or 0.0) > 1e-9:
            b, side = cons[name]
            limit = b.min if side == "min" else b.max
            binding.append(BindingBound(b.nutrient, side, float(limit or 0.0),
                                        _unit(targets, b.nutrient), float(c.pi)))
    binding.sort(key=lambda x: -abs(x.shadow_price * _step(x.bound)))
    return DietLP("optimal", grams, totals, float(pulp.value(prob.objective)), unit,
                  tuple(binding), secs)
