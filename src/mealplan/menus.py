"""Menus: dishes in the candidate pool, meal-pattern shapes, weekly allowances.

The planner (:mod:`mealplan.solve`) plans dishes exactly like foods: each dish of the dish
table (:mod:`mealplan.dishes`) whose ingredients all passed the diet filters, bans and
safety modes becomes one row of the candidate pool, its values computed from its
ingredients. This module adds those rows, tells the model what each candidate is in a meal
(roles and grams per food kind, :mod:`mealplan.patterns`), turns a served dish back into
its ingredients, and keeps count of the weekly allowances (fish servings, natto packs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from .dishes import DISH_KIND, NATTO_ID, Dish, DishTable, dish_foods, grams_by_kind
from .foods import FoodTable, merge_tables
from .patterns import FISH_SERVING_G, Rule, item_roles
from .plan import (
    MAX_CHEESES_PER_WEEK,
    DayPlan,
    DishServing,
    Ingredient,
    PlanOptions,
    counted_items,
    dish_table,
    natto_items,
    patterns_apply,
    plan_rules,
    weekly_allowance,
)
from .targets import Targets

__all__ = [
    "NATTO_PACK_MIN_G",
    "Allowance",
    "CandidateShape",
    "add_dishes",
    "allowances",
    "allowances_left",
    "dish_serving",
    "dish_table",
    "new_cheeses",
    "not_alone",
    "pattern_rules",
    "shapes",
    "slow_dishes",
]

NATTO_PACK_MIN_G = 40.0  # a natto item counts when it holds a whole pack




def slow_dishes(pool: FoodTable, limit: int | None) -> list[str]:
    """Dishes of ``pool`` whose prep and cook minutes exceed ``limit`` (None: none)."""
    if limit is None or "prep_minutes" not in pool.df.columns:
        return []
    minutes = (pool.df["prep_minutes"].astype(float).fillna(0.0)
               + pool.df["cook_minutes"].astype(float).fillna(0.0))
    return [str(i) for i in pool.df.index[minutes > limit]]


def not_alone(options: PlanOptions, pool: FoodTable) -> frozenset[str]:
    """Foods the planner serves only inside dishes: natto, when natto dishes are planned
    (with meal patterns on, a whole pack with rice)."""
    if options.use_dishes and options.natto and patterns_apply(pool, options):
        return frozenset({NATTO_ID})
    return frozenset()


def _has_natto(d: Dish) -> bool:
    return any(i.food_id == NATTO_ID for i in d.ingredients)


def add_dishes(pool: FoodTable, options: PlanOptions,
               keep: Callable[[FoodTable], FoodTable] | None = None,
               ) -> tuple[FoodTable, list[str]]:
    """The pool with the dishes whose every ingredient is in it, and notes.

    A dish is left out when any ingredient was filtered out (diet, allergen, ban, safety
    mode), when it is banned itself or ``keep`` (the diet filter, for dish ids and the
    group "Dishes") drops it, or when it holds natto and ``options.natto`` is off. With
    dishes on, natto is planned only inside a dish (a whole pack with rice), never alone;
    with ``options.natto`` off, not at all.
    """
    notes: list[str] = []
    if not options.natto and pool.has(NATTO_ID):
        pool = pool.without([NATTO_ID])
    if not options.use_dishes:
        return pool, notes
    dishes = dish_table(options)
    ok = [d for d in dishes.dishes
          if d.id not in options.bans and not pool.has(d.id)
          and all(pool.has(i.food_id) for i in d.ingredients)
          and (options.natto or not _has_natto(d))]
    # with natto on, natto itself stays in the pool (the dishes' ingredient), but the planner
    # serves it only inside a dish (not_alone): a whole pack with rice
    rows = dish_foods(DishTable(tuple(ok), dishes.source), pool) if ok else None
    if rows is None:
        notes.append("no dish of the dish table fits these filters: single foods only")
        return pool, notes
    # what each dish holds per serving, by food kind, read from the whole pool now (a day's
    # narrowed pool may no longer hold the ingredients)
    df = rows.df.copy()
    df[DISH_KINDS] = [_encode_kinds(d, pool) for d in ok]
    rows = FoodTable(df, rows.source, rows.nutrients)
    if keep is not None:
        rows = keep(rows)
    return (merge_tables([pool, rows]) if len(rows) else pool), notes


DISH_KINDS = "dish_kinds"  # column of the dish rows: "vegetable=150;grain=80" per serving


def _encode_kinds(d: Dish, look: FoodTable) -> str:
    grams = grams_by_kind(((i.food_id, i.grams) for i in d.ingredients), look)
    return ";".join(f"{k}={g:g}" for k, g in sorted(grams.items()) if k)


def _decode_kinds(cell: object) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in str(cell or "").split(";"):
        k, _, g = part.partition("=")
        if k and g:
            out[k] = float(g)
    return out


@dataclass(frozen=True)
class CandidateShape:
    """A candidate's meal-pattern roles and grams per food kind, per portion."""

    roles: Mapping[str, int]
    kind_grams: Mapping[str, float]


def shapes(pool: FoodTable, options: PlanOptions,
           lookup: FoodTable | None = None) -> dict[str, CandidateShape]:
    """Roles and grams per kind of every candidate (empty when the table has no kinds; the
    roles matter only with meal patterns on, the grams also for weekly caps).

    ``lookup`` (default ``pool``) holds the dishes' ingredients (a chain's half of the pool
    may not). Natto grams are also counted under the pseudo-kind ``natto`` (the weekly pack
    count).
    """
    if not patterns_apply(pool, replace(options, meal_patterns=True)):
        return {}  # the table says nothing of what its foods are
    dishes = {d.id: d for d in dish_table(options).dishes}
    df = pool.df
    encoded = (df[DISH_KINDS] if DISH_KINDS in df.columns
               else pd.Series("", index=df.index))
    out: dict[str, CandidateShape] = {}
    for fid_key, kind_cell, portion_g, enc in zip(df.index, df["kind"], df["portion_g"],
                                                  encoded, strict=True):
        fid = str(fid_key)
        kind = str(kind_cell or "")
        g = float(portion_g)
        if kind == DISH_KIND and fid in dishes:
            d = dishes[fid]
            per_serving = (_decode_kinds(enc) if isinstance(enc, str) and enc
                           else _encode_and_decode(d, pool if lookup is None else lookup))
            scale = g / d.grams
            out[fid] = CandidateShape(item_roles(DISH_KIND, per_serving, d.role),
                                      {k: v * scale for k, v in per_serving.items()})
        else:
            grams = {k: v for k, v in grams_by_kind([(fid, g)], pool).items() if k}
            out[fid] = CandidateShape(item_roles(kind, grams), grams)
    return out


def _encode_and_decode(d: Dish, look: FoodTable) -> dict[str, float]:
    return _decode_kinds(_encode_kinds(d, look))


def pattern_rules(pool: FoodTable, targets: Targets, options: PlanOptions) -> tuple[Rule, ...]:
    """The meal-pattern rules for this plan (none when patterns are off or the table has no
    kinds)."""
    if not patterns_apply(pool, options):
        return ()
    meal, day = plan_rules(options, targets)
    return meal + day


@dataclass(frozen=True)
class Allowance:
    """A weekly allowance counted in items: items with >= ``at_least`` g of ``kind`` per
    portion, at most ``per_week``."""

    kind: str
    at_least: float
    per_week: int


def allowances(options: PlanOptions) -> tuple[Allowance, ...]:
    """The weekly allowances of these options (fish servings; natto packs when on)."""
    out = [Allowance("fish", FISH_SERVING_G, options.fish_per_week)]
    if options.natto:
        out.append(Allowance("natto", NATTO_PACK_MIN_G, options.natto_per_week))
    return tuple(out)


def allowances_left(options: PlanOptions, pool: FoodTable, planned: Sequence[DayPlan],
                    chain: int | None = None) -> dict[str, tuple[float, int]]:
    """For each allowance: (grams per portion that count, how many are left) after the
    ``planned`` days.

    ``chain`` 0 or 1: the odd or the even days planned on their own (two chains in
    parallel); the odd days get their share of the plan's allowance rounded up, the even
    days the rest, so the two never add up to more than the plan's.
    """
    if not patterns_apply(pool, options):
        return {}
    out: dict[str, tuple[float, int]] = {}
    odd_days = (options.days + 1) // 2
    for a in allowances(options):
        total = weekly_allowance(a.per_week, options.days)
        if chain is not None:
            odd = -(-total * odd_days // options.days)
            total = odd if chain == 0 else total - odd
        if a.kind == "natto":
            used = natto_items(planned)
        else:
            used = counted_items(planned, pool, a.kind, a.at_least)
        out[a.kind] = (a.at_least, total - used)
    return out


def _cheeses_of(fid: str, look: FoodTable, dishes: Mapping[str, Dish]) -> set[str]:
    if fid in dishes:
        return {i.food_id for i in dishes[fid].ingredients if look.has(i.food_id)
                and "cheese" in look.list_of(i.food_id, "kind")}
    return {fid} if look.has(fid) and "cheese" in look.list_of(fid, "kind") else set()


def new_cheeses(pool: FoodTable, options: PlanOptions, planned: Sequence[DayPlan],
                lookup: FoodTable | None = None) -> tuple[dict[str, int], int]:
    """How many cheeses not yet in the ``planned`` days each candidate adds, and how many
    more the plan may still add (:data:`MAX_CHEESES_PER_WEEK` per 7 days: a cook buys a few
    cheeses, not ten). Empty when patterns are off."""
    if not patterns_apply(pool, options):
        return {}, 0
    look = pool if lookup is None else lookup
    dishes = {d.id: d for d in dish_table(options).dishes}
    used = {f for d in planned for f in d.eaten_ids()
            if look.has(f) and "cheese" in look.list_of(f, "kind")}
    left = weekly_allowance(MAX_CHEESES_PER_WEEK, options.days) - len(used)
    adds = {fid: len(_cheeses_of(fid, look, dishes) - used) for fid in pool.ids}
    return {f: n for f, n in adds.items() if n}, left


def dish_serving(dish_id: str, portions: float, pool: FoodTable,
                 options: PlanOptions) -> tuple[DishServing, float] | None:
    """The served dish (ingredients scaled to the portions) and its grams, or None when
    ``dish_id`` is not a dish of the plan's dish table."""
    if not pool.has(dish_id) or next(iter(pool.list_of(dish_id, "kind")), "") != DISH_KIND:
        return None
    try:
        d = dish_table(options).get(dish_id)
    except KeyError:
        return None
    portion_g = float(pool.row(dish_id)["portion_g"])
    servings = portions * portion_g / d.grams
    ingredients = tuple(
        Ingredient(i.food_id, str(pool.row(i.food_id)["name"]) if pool.has(i.food_id)
                   else i.food_id, round(i.grams * servings, 6))
        for i in d.ingredients)
    served = DishServing(d.role, d.cuisine, d.method, d.prep_minutes, d.cook_minutes,
                         round(servings, 6), ingredients)
    return served, sum(i.grams for i in ingredients)
