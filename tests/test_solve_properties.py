"""Property tests (hypothesis): random small tables and targets hammer the optimiser."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from mealplan.errors import InfeasiblePlanError
from mealplan.foods import FoodTable, parse_food_csv
from mealplan.plan import Diagnosis, Plan, PlanOptions, verify_plan
from mealplan.solve import apply_fix, make_plan, solve_diet_lp
from mealplan.targets import Bound, Targets

NUTRIENTS = ("protein_g", "magnesium_mg", "calcium_mg")
SLOTS = ("breakfast", "lunch", "dinner", "snack")


@st.composite
def tables(draw: st.DrawFn, min_foods: int = 4, max_foods: int = 9) -> list[dict[str, object]]:
    """Rows of a random small food table (with prices)."""
    n = draw(st.integers(min_foods, max_foods))
    rows = []
    for i in range(n):
        slots = draw(st.lists(st.sampled_from(SLOTS), min_size=1, max_size=4, unique=True))
        rows.append({
            "id": f"food_{i}",
            "name": f"Food {i}",
            "energy_kcal": draw(st.integers(20, 600)),
            "protein_g": draw(st.integers(0, 30)),
            "magnesium_mg": draw(st.integers(0, 300)),
            "calcium_mg": draw(st.integers(0, 400)),
            "portion_name": "1 portion",
            "portion_g": draw(st.sampled_from([30, 50, 100, 150])),
            "min_portions": 1,
            "max_portions": draw(st.integers(1, 4)),
            "slots": ";".join(sorted(slots)),
            "price_per_100g": draw(st.integers(1, 300)) / 100,
        })
    return rows


def to_table(rows: list[dict[str, object]]) -> FoodTable:
    """CSV text -> validated table."""
    cols = list(rows[0])
    text = ",".join(cols) + "\n" + "\n".join(",".join(str(r[c]) for c in cols) for r in rows)
    return parse_food_csv(text.encode(), "random table")


mins = st.fixed_dictionaries({n: st.integers(0, 400) for n in NUTRIENTS})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=tables(), lows=mins, energy=st.integers(800, 2400))
def test_every_plan_verifies_and_every_failure_is_explained(
        rows: list[dict[str, object]], lows: dict[str, int], energy: int) -> None:
    """200 random profiles a run (one day each): a returned plan passes an independent
    recomputation; a refusal is consistent (every nutrient listed as short really misses its
    bound at its best value, and every offered fix, applied, gives a plan)."""
    table = to_table(rows)
    targets = Targets(tuple([Bound("energy_kcal", energy * 0.8, energy * 1.2, "kcal")]
                            + [Bound(n, float(v), None) for n, v in lows.items()]),
                      energy_kcal=float(energy))
    options = PlanOptions(days=1, min_foods_per_day=1, max_days_per_food=2, time_limit=20)
    try:
        plan = make_plan(table, targets, options)
    except InfeasiblePlanError as exc:
        diag = exc.diagnosis
        assert isinstance(diag, Diagnosis)
        assert diag.shortfalls or diag.conflicting_rules
        assert str(exc).startswith("No plan meets every target.")
        for short in diag.shortfalls:
            tol = 1e-6 * max(1.0, abs(short.bound))
            assert (short.best < short.bound - tol if short.kind == "min"
                    else short.best > short.bound + tol), short
        for fix in diag.fixes:
            fixed_targets, fixed_options = apply_fix(targets, options, fix)
            fixed = make_plan(table, fixed_targets, fixed_options)  # raises if the fix fails
            assert verify_plan(fixed.days, table, fixed_targets, fixed_options) == []
        return
    _check_plan(plan, table, targets, options, lows)


def _check_plan(plan: Plan, table: FoodTable, targets: Targets, options: PlanOptions,
                lows: dict[str, int]) -> None:
    assert verify_plan(plan.days, table, targets, options) == []
    for d in plan.days:
        for n, lo in lows.items():
            recomputed = sum(float(table.value(it.food_id, n)) * it.grams / 100 for it in d.items)
            assert recomputed >= lo - 1e-6


def _linprog(table: FoodTable, lows: dict[str, int], cap: float) -> float | None:
    df = table.df
    c = df["price_per_100g"].to_numpy(float) / 100.0
    a_ub = -np.vstack([df[n].to_numpy(float) / 100.0 for n in lows])
    b_ub = -np.array([float(v) for v in lows.values()])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=[(0, cap)] * len(df), method="highs")
    return float(res.fun) if res.status == 0 else None


@settings(max_examples=40, deadline=None)
@given(rows=tables(2, 8), lows=mins)
def test_diet_lp_optimum_equals_scipy_linprog(rows: list[dict[str, object]],
                                              lows: dict[str, int]) -> None:
    """The plain diet LP's optimum equals scipy's linprog(method='highs') on the same matrix."""
    table = to_table(rows)
    targets = Targets(tuple(Bound(n, float(v), None) for n, v in lows.items()))
    ours = solve_diet_lp(table, targets, max_grams_per_food=500.0)
    theirs = _linprog(table, lows, 500.0)
    if theirs is None:
        assert ours.status == "infeasible"
    else:
        assert ours.status == "optimal"
        assert ours.objective == pytest.approx(theirs, rel=1e-6, abs=1e-7)


@settings(max_examples=30, deadline=None)
@given(rows=tables(3, 8), extra=tables(1, 1), lows=mins)
def test_adding_a_food_never_raises_the_lp_cost(rows: list[dict[str, object]],
                                                extra: list[dict[str, object]],
                                                lows: dict[str, int]) -> None:
    """More foods can only help: the LP optimum never gets worse when a food is added."""
    targets = Targets(tuple(Bound(n, float(v), None) for n, v in lows.items()))
    before = solve_diet_lp(to_table(rows), targets)
    new = dict(extra[0], id="extra_food", name="Extra food")
    after = solve_diet_lp(to_table([*rows, new]), targets)
    if before.status == "optimal":
        assert after.status == "optimal"
        assert after.objective is not None and before.objective is not None
        assert after.objective <= before.objective + 1e-7


@settings(max_examples=20, deadline=None)
@given(rows=tables(2, 6), lows=mins, k=st.integers(2, 9))
def test_scaling_prices_scales_the_cost(rows: list[dict[str, object]], lows: dict[str, int],
                                        k: int) -> None:
    """Multiplying every price by k multiplies the optimal cost by k."""
    targets = Targets(tuple(Bound(n, float(v), None) for n, v in lows.items()))
    base = solve_diet_lp(to_table(rows), targets)
    scaled_rows = [dict(r, price_per_100g=float(r["price_per_100g"]) * k)  # type: ignore[arg-type]
                   for r in rows]
    scaled = solve_diet_lp(to_table(scaled_rows), targets)
    assert base.status == scaled.status
    if base.status == "optimal":
        assert scaled.objective == pytest.approx(k * (base.objective or 0.0), rel=1e-6, abs=1e-7)
