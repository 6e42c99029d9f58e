"""Benchmark the planner (run by hand or `make benchmark`; never a timed test).

Measures, on the shipped table and (when ../shared/usda-sr28 is present) the full SR28
import: model build time, solve time, status, gap, foods per day and grams per day for a
1-day and a 7-day plan, the whole CLI run, and the plain diet LP.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from mealplan.errors import MealPlanError
from mealplan.foods import FoodTable, load_default_table
from mealplan.plan import PlanOptions
from mealplan.solve import make_plan, solve_diet_lp
from mealplan.targets import Person, diet_filter, targets_for

ROOT = Path(__file__).resolve().parents[1]
SR28 = ROOT.parent / "shared" / "usda-sr28"


def bench(label: str, table: FoodTable, days: int, diet: str | None = None,
          keto: float | None = None, time_limit: float = 120.0) -> None:
    """One plan, one line of figures."""
    targets = targets_for(Person(age=45, sex="female"),
                          diet=diet_filter(diet=diet) if diet else None, keto_net_carbs=keto)
    t0 = time.perf_counter()
    try:
        plan = make_plan(table, targets, PlanOptions(days=days, time_limit=time_limit))
    except MealPlanError as exc:
        print(f"{label:38s} {days:2d}d  failed after {time.perf_counter() - t0:6.2f} s: "
              f"{str(exc).splitlines()[0]}")
        return
    wall = time.perf_counter() - t0
    foods = sum(len(d.items) for d in plan.days) / days
    grams = sum(sum(it.grams for it in d.items) for d in plan.days) / days
    gap = "n/a" if plan.info.gap is None else f"{100 * plan.info.gap:5.1f}%"
    print(f"{label:38s} {days:2d}d  wall {wall:6.2f} s  build {plan.info.build_seconds:5.2f} s  "
          f"solve {plan.info.solve_seconds:6.2f} s  {plan.info.status:8s} gap {gap}  "
          f"foods/day {foods:4.1f}  g/day {grams:5.0f}")


def main() -> None:
    """Run every benchmark and print the figures."""
    shipped = load_default_table()
    print(f"shipped table: {len(shipped)} foods")
    for days in (1, 7):
        bench("shipped, omnivore", shipped, days)
    bench("shipped, vegetarian", shipped, 7, diet="vegetarian")
    bench("shipped, keto 25 g", shipped, 7, keto=25)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mealplan.cli", "plan", "--days", "7", "--sex",
                    "female", "--age", "45", "--out", "/dev/null"], check=False,
                   capture_output=True)
    print(f"whole CLI run (7 days, shipped):        {time.perf_counter() - t0:6.2f} s")
    lp = solve_diet_lp(shipped, targets_for(Person(age=45, sex="female")))
    print(f"diet LP (1 day, shipped):               {lp.seconds:6.3f} s  {lp.status}")
    if SR28.is_dir():
        from mealplan.sr28_import import import_sr28

        t0 = time.perf_counter()
        full = import_sr28(SR28)
        print(f"full SR28 import: {len(full)} foods in {time.perf_counter() - t0:.1f} s")
        lp = solve_diet_lp(full, targets_for(Person(age=45, sex="female")))
        print(f"diet LP (1 day, full SR28):             {lp.seconds:6.3f} s  {lp.status}")
        bench("full SR28, omnivore", full, 1, time_limit=300)
        bench("full SR28, omnivore", full, 7, time_limit=600)
    else:
        print(f"{SR28} not present: full-table figures skipped")


if __name__ == "__main__":
    main()
