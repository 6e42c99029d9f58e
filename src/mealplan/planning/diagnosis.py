"""Why no plan exists: the unmet bounds, how far a day gets on each, and the fixes.

When a day has no solution, it is re-solved elastically (a slack per bound) to find which
bounds cannot be met; for each, a day maximising that nutrient while every other bound
holds gives the best reachable value (:func:`_shortfall`). Without an unmet bound, the
realism rules are named (:func:`_rule_conflict`). The fixes that work come from
:mod:`mealplan.planning.fixes`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from mealplan.foods import FoodTable
from mealplan.model import MAIN_MEALS, DayBound, DayModel, solve_day
from mealplan.plan import Diagnosis, PlanOptions, Shortfall
from mealplan.planning.day import (
    DIAG_NODE_LIMIT,
    DIAG_SAFETY_SECONDS,
    _amount,
    _day_bounds,
    _day_foods,
    _model,
    _nutrients,
    _unit,
)
from mealplan.planning.fixes import _suggest_fixes
from mealplan.planning.pool import candidate_pool, day_pool
from mealplan.targets import Targets
from mealplan.units import nutrient_label

# The elastic solve decides which bounds are unmet: it gets more work than the other
# diagnosis solves (DIAG_NODE_LIMIT).
ELASTIC_NODE_LIMIT = 1000


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
