"""A day solved among its best candidates, and a shopping list a cook can buy.

Issue 14 (speed): each day's LP relaxation ranks the candidates; the MILP is solved among
the best ``PlanOptions.kernel_size`` of them and measured against the relaxed optimum of
all of them (so "optimal" still means proven against every candidate); a kernel without a
plan falls back to every candidate. Issue 12: a day adds at most what is left of the
week's shopping list (``PlanOptions.max_purchases``, model constraint 20); single-food
sides may come back on more days than dishes (``PlanOptions.max_days_per_side``).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from mealplan.foods import FoodTable, load_default_table
from mealplan.model import DayBound, DayModel, relax_day, solve_day
from mealplan.plan import PlanOptions, verify_plan
from mealplan.planning import day as day_mod
from mealplan.planning.day import _day_bounds, _nutrients, _solve_planned_day
from mealplan.planning.pool import candidate_pool
from mealplan.planning.week import _day_model
from mealplan.purchase import purchase_key
from mealplan.solve import make_plan
from mealplan.targets import Person, Targets, targets_for

OPTIONS = PlanOptions()


@pytest.fixture(scope="module")
def table() -> FoodTable:
    return load_default_table()


@pytest.fixture(scope="module")
def targets() -> Targets:
    return targets_for(Person(45, "female"))


@pytest.fixture(scope="module")
def day1(table: FoodTable, targets: Targets) -> DayModel:
    """Day 1 of the default week's model, as the week builds it (200 candidates)."""
    pool, _ = candidate_pool(table, targets, OPTIONS)
    nutrients = _nutrients(targets, pool)
    bounds = _day_bounds(targets, 6, 7, {}, {})
    return _day_model(pool, targets, OPTIONS, 1, {}, {}, nutrients, bounds, [], [])


def _solve(model: DayModel) -> tuple[str, float | None, tuple[tuple[str, str, float], ...]]:
    r = solve_day(model, gap_rel=OPTIONS.gap_rel, gap_abs=OPTIONS.gap_abs,
                  node_limit=OPTIONS.day_node_limit, soft_nodes=OPTIONS.day_soft_nodes)
    return r.status, r.objective, r.items


def test_the_relaxation_bounds_the_day_and_ranks_every_candidate(day1: DayModel) -> None:
    relaxed = relax_day(day1)
    assert relaxed.objective is not None and not relaxed.infeasible
    assert sorted(relaxed.ranking) == sorted({f.food_id for f in day1.foods})
    assert relax_day(day1).ranking == relaxed.ranking  # deterministic
    status, objective, _items = _solve(day1)
    assert status in ("optimal", "feasible") and objective is not None
    assert relaxed.objective <= objective + 1e-6


def test_a_kernel_plan_is_measured_against_every_candidate(day1: DayModel) -> None:
    assert len(day1.foods) > OPTIONS.kernel_size  # type: ignore[operator]
    relaxed = relax_day(day1)
    res = _solve_planned_day(day1, OPTIONS, 600.0)
    assert res.status in ("optimal", "feasible") and res.objective is not None
    served = {f for _s, f, _n in res.items}
    assert served <= set(relaxed.ranking[:OPTIONS.kernel_size])
    assert res.best_bound is not None and relaxed.objective is not None
    assert relaxed.objective - 1e-6 <= res.best_bound <= res.objective + 1e-6
    within = res.objective - res.best_bound <= max(
        OPTIONS.gap_abs, OPTIONS.gap_rel * abs(res.objective)) + 1e-9
    assert (res.status == "optimal") == within


def test_a_kernel_without_a_plan_falls_back_to_every_candidate(
        day1: DayModel, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []

    def counting(model: DayModel, **kwargs: object) -> object:
        sizes.append(len(model.foods))
        return solve_day(model, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(day_mod, "solve_day", counting)
    tiny = _solve_planned_day(day1, replace(OPTIONS, kernel_size=1), 600.0)
    assert sizes[0] == 1 and sizes[-1] == len(day1.foods)  # the kernel, then every food
    monkeypatch.undo()
    full = _solve_planned_day(day1, replace(OPTIONS, kernel_size=None), 600.0)
    assert tiny.status in ("optimal", "feasible")
    assert tiny.items == full.items and len({f for _s, f, _n in tiny.items}) > 1


def test_no_fractional_plan_means_no_plan_and_no_milp(
        day1: DayModel, monkeypatch: pytest.MonkeyPatch) -> None:
    impossible = replace(day1, bounds=[*day1.bounds,
                                       DayBound("too_much", "magnesium_mg", 1e6, None)])
    assert relax_day(impossible).infeasible

    def no_milp(*_a: object, **_k: object) -> None:
        raise AssertionError("a MILP was solved")

    monkeypatch.setattr(day_mod, "solve_day", no_milp)
    assert _solve_planned_day(impossible, OPTIONS, 600.0).status == "infeasible"


def _new_purchases(model: DayModel, items: tuple[tuple[str, str, float], ...]) -> set[str]:
    by_id = {f.food_id: f for f in model.foods}
    return {k for _s, f, _n in items for k in by_id[f].purchases}


def test_a_day_adds_at_most_what_is_left_of_the_shopping_list(day1: DayModel) -> None:
    _status, _obj, free = _solve(day1)
    bought = _new_purchases(day1, free)
    cap = len(bought) - 3
    status, _obj, capped = _solve(replace(day1, max_new_purchases=cap))
    assert status in ("optimal", "feasible")
    assert len(_new_purchases(day1, capped)) <= cap < len(bought)
    # purchases are counted once however many items share them (eggs any style)
    assert all(f.purchases <= {purchase_key(p) for p in (f.parts or {f.food_id})}
               for f in day1.foods)


def test_the_default_week_fits_a_shopping_list_of_30(table: FoodTable,
                                                     targets: Targets) -> None:
    plan = make_plan(table, targets, OPTIONS)
    lines = {purchase_key(f) for d in plan.days for f in d.eaten_ids()
             if "supplement" not in table.list_of(f, "flags")}
    assert len(lines) <= OPTIONS.max_purchases  # type: ignore[operator]
    loose = make_plan(table, targets, replace(OPTIONS, max_purchases=None))
    assert verify_plan(plan.days, table, targets, OPTIONS) == []
    assert loose.days != plan.days  # the limit is what shaped the list
    # a fruit or bread may come back on up to 5 days, a dish on at most 3
    days_of: dict[str, int] = {}
    for d in plan.days:
        for f in d.cooked_ids() if not d.variety_open else ():
            if not (table.has(f) and "staple" in table.list_of(f, "flags")):  # milk, oil
                days_of[f] = days_of.get(f, 0) + 1
    sides = {"fruit", "vegetable", "bread", "grain", "cereal", "yogurt", "milk"}
    for f, n in days_of.items():
        side = table.has(f) and bool(table.list_of(f, "kind") & sides)
        assert n <= (5 if side else 3), (f, n)


def test_a_day_that_cannot_keep_to_the_list_buys_as_little_as_it_can(day1: DayModel) -> None:
    """The fallback for a day with no plan within the list: each new purchase costs
    ``purchase_weight`` points, so the day buys fewer things, not any number."""
    _status, _obj, free = _solve(day1)
    status, _obj, weighted = _solve(replace(day1, purchase_weight=5.0))
    assert status in ("optimal", "feasible")
    assert len(_new_purchases(day1, weighted)) < len(_new_purchases(day1, free))


def test_a_week_over_its_list_is_planned_again_with_a_shorter_one(
        table: FoodTable, monkeypatch: pytest.MonkeyPatch) -> None:
    """Male 75's week needs 31 purchases with a list of 30 (its days 4 and 7 cannot keep
    to it); planned again with a list of 27 it needs 30, keeps its leftovers, verifies."""
    from mealplan.foods import load_supplements
    from mealplan.plan import leftover_pairs
    from mealplan.planning import week as week_mod

    targets = targets_for(Person(75, "male"))
    supplements = load_supplements()

    def lines(plan: object) -> int:
        return week_mod._list_length(plan.days, table)  # type: ignore[attr-defined]

    plan = make_plan(table, targets, OPTIONS, supplements)
    assert lines(plan) <= 30 and len(leftover_pairs(plan.days)) >= 2
    assert plan.options == OPTIONS  # the user's list, not the shorter one planned with
    monkeypatch.setattr(week_mod, "SECOND_PASS_STEP", 0)  # the second pass changes nothing
    once = make_plan(table, targets, OPTIONS, supplements)
    assert lines(once) > 30
