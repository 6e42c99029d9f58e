"""The plain diet LP (Stigler): continuous grams of each food, every bound, minimum cost.

Separate from the meal planner: no meals, portions or variety. Used by ``mealplan explain``
to show which bounds bind, with their shadow prices in plain units (:class:`BindingBound`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import pulp

from mealplan.errors import Problem as _Problem
from mealplan.errors import TargetsError
from mealplan.foods import FoodTable
from mealplan.model import highs_solver
from mealplan.planning.day import _unit
from mealplan.planning.pool import _filter
from mealplan.targets import Bound, Targets
from mealplan.units import nutrient_label


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
