"""Which foods and dishes a plan may use, and which of them a day plans with.

:func:`candidate_pool` turns the food table into the plan's pool: the diet filter, the
safety exclusions of the modes (:func:`excluded_flags`), supplements only when allowed,
bans, dishes, the missing-value policy (an unknown value for a capped nutrient drops the
food; :data:`UPPER_FILL` plans an unknown saturated fat at the food's total fat).
:func:`day_pool` leaves out the foods at their days-per-food cap and, when the pool is still
large, :func:`prune_candidates` narrows it to the best sources for the targets and for
every meal's pattern roles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace

import pandas as pd

from mealplan.errors import Problem as _Problem
from mealplan.errors import TargetsError
from mealplan.foods import FoodTable, merge_tables
from mealplan.menus import add_dishes, shapes
from mealplan.plan import PlanOptions, days_limit_of, patterns_apply
from mealplan.targets import Targets, life_stage_flags
from mealplan.units import nutrient_label

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
    from mealplan import targets as tmod

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


def day_pool(pool: FoodTable, targets: Targets, options: PlanOptions,
             used: Mapping[str, int], also_keep: Iterable[str] = (),
             lookup: FoodTable | None = None,
             cap_share: float | None = None) -> FoodTable:
    """The day's pool: foods at their day cap left out, then narrowed when still large
    (``cap_share``: see :func:`prune_candidates`; None: :data:`CAP_SHARE`)."""
    capped = [fid for fid, n in used.items() if pool.has(fid)
              and n >= days_limit_of(options, pool, fid)
              and not ({"staple", "supplement"} & pool.list_of(fid, "flags"))]
    if len(pool) - len(capped) <= options.max_candidates:
        return pool
    keep = ({lk.food_id for lk in options.locks} | targets.diet.favourites
            | options.usual_foods | set(also_keep))
    rest = pool.without(capped)
    roles = ({f: sh.roles for f, sh in shapes(rest, options, lookup).items()}
             if patterns_apply(rest, options) else None)
    return prune_candidates(rest, targets, options.prune_to, keep, roles,
                            CAP_SHARE if cap_share is None else cap_share)


# Meal-pattern roles each slot needs candidates for when a large pool is narrowed.
_SLOT_ROLES = ("base", "pour", "fruit", "main", "vegetable", "starch")


# a candidate's smallest serving may take at most this share of a day's cap when pruning
CAP_SHARE = 0.5


def prune_candidates(pool: FoodTable, targets: Targets, limit: int,
                     keep: Iterable[str] = (),
                     roles: Mapping[str, Mapping[str, int]] | None = None,
                     cap_share: float = CAP_SHARE) -> FoodTable:
    """Narrow a large table to about ``limit`` foods that can matter for these targets.

    For every nutrient with a minimum, the richest foods per 100 kcal and per portion are
    kept, then the best main dishes, then (with meal patterns, ``roles``) each slot's best
    candidates for every pattern role (base, milk, fruit, main, vegetable, starch) and its
    best dishes, then each slot's best foods by overall score (the share of each minimum one
    full item covers, per 100 kcal), then the next best overall, until ``limit``.
    A food whose smallest serving takes more than ``cap_share`` of a day's cap (default
    half, :data:`CAP_SHARE`; ``math.inf``: off) is left out first (keto's net carbs, a
    kidney diet's potassium), as long as ``limit`` other foods remain. Deterministic.
    """
    df = pool.df
    # A food whose smallest serving takes more than half a day's cap (keto's net carbs, a
    # kidney diet's potassium) cannot be a useful candidate: leave it to the others.
    least = df["portion_g"].astype(float) * df["min_portions"].astype(float) / 100.0
    hogs = pd.Series(False, index=df.index)
    for b in targets.bounds:
        if (b.max is not None and b.max > 0 and b.nutrient in df.columns
                and b.nutrient != "energy_kcal" and not b.supplements_only):
            hogs |= df[b.nutrient].astype(float).fillna(0.0) * least > cap_share * b.max
    kept = set(map(str, keep))
    if hogs.any() and int((~hogs).sum()) >= limit:  # only while enough others remain (caps
        # so tight that most foods are hogs are for the diagnosis to name, not to hide)
        pool = pool.without(str(i) for i in df.index[hogs] if str(i) not in kept)
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
        kind = {str(i): str(v) for i, v in df["kind"].items()} if "kind" in df.columns else {}
        dish_ids = [str(i) for i in score.index if kind.get(str(i)) == "dish"]
        for slot in ("breakfast", "lunch", "dinner", "snack"):
            in_slot = [str(i) for i in score.index if slot in slots_of[str(i)]]
            for role in _SLOT_ROLES:
                chosen += [f for f in in_slot if roles.get(f, {}).get(role, 0)][:per_role]
            chosen += [f for f in dish_ids if slot in slots_of[f]][:max(5, limit // 12)]
    chosen += rich_picks
    flags = {str(i): str(v).split(";") for i, v in df["flags"].items()}
    mains = [str(i) for i in score.index if "main" in flags[str(i)]]
    chosen += mains[:per_slot]  # the main-dish rule needs main dishes to choose from
    for slot in ("breakfast", "lunch", "dinner", "snack"):
        chosen += [str(i) for i in score.index if slot in slots_of[str(i)]][:per_slot]
    chosen += [str(i) for i in score.index]
    unique = list(dict.fromkeys(chosen))[:limit]
    return pool.subset(unique)
