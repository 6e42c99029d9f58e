"""Benchmark the planner (run by hand or `make benchmark`; never a timed test).

Figures: per plan the wall time, PuLP build time, HiGHS time, status, gap, foods and grams
per day, and the largest distance from the energy target; the same day's matrix solved by
HiGHS directly (no PuLP); the whole CLI run; the plain diet LP; and, when
../shared/usda-sr28 is present, the shipped table merged with every other SR28 food.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import highspy

from mealplan import model as model_mod
from mealplan.errors import MealPlanError
from mealplan.foods import FoodTable, load_default_table, merge_tables
from mealplan.plan import PlanOptions
from mealplan.planning import day as day_mod
from mealplan.planning.pool import candidate_pool
from mealplan.solve import make_plan, solve_diet_lp
from mealplan.targets import Person, Targets, diet_filter, targets_for

ROOT = Path(__file__).resolve().parents[1]
SR28 = ROOT.parent / "shared" / "usda-sr28"


def person_targets(diet: str | None = None, keto: float | None = None) -> Targets:
    """The default targets of a 45-year-old woman, with a diet."""
    return targets_for(Person(age=45, sex="female"),
                       diet=diet_filter(diet=diet) if diet else None, keto_net_carbs=keto)


def bench(label: str, table: FoodTable, targets: Targets, options: PlanOptions) -> None:
    """One plan, one line of figures."""
    t0 = time.perf_counter()
    try:
        plan = make_plan(table, targets, options)
    except MealPlanError as exc:
        print(f"{label:44s} failed after {time.perf_counter() - t0:6.2f} s: "
              f"{str(exc).splitlines()[0]}")
        return
    wall = time.perf_counter() - t0
    days = options.days
    foods = sum(len(d.items) for d in plan.days) / days
    grams = sum(sum(it.grams for it in d.items) for d in plan.days) / days
    centre = targets.energy_kcal or 1.0
    dev = max(abs(d.totals["energy_kcal"] - centre) / centre for d in plan.days)
    gap = "n/a" if plan.info.gap is None else f"{100 * plan.info.gap:4.0f}%"
    print(f"{label:44s} wall {wall:6.2f} s build {plan.info.build_seconds:5.2f} s HiGHS "
          f"{plan.info.solve_seconds:6.2f} s {plan.info.status:8s} gap {gap} "
          f"foods/day {foods:4.1f} g/day {grams:5.0f} energy off <= {100 * dev:4.1f}%")


def raw_highs(table: FoodTable, targets: Targets) -> None:
    """Day 1's matrix: PuLP+HiGHS vs HiGHS alone reading the same model (MPS)."""
    options = PlanOptions(days=1, day_soft_seconds=None)
    pool, _ = candidate_pool(table, targets, options)
    nutrients = day_mod._nutrients(targets, pool)
    foods = day_mod._day_foods(pool, nutrients, targets, options, {})
    day = day_mod._model(pool, targets, options, foods,
                         day_mod._day_bounds(targets, 0, 1, {}, {}), ())
    t0 = time.perf_counter()
    res = model_mod.solve_day(day, time_limit=60, gap_rel=options.gap_rel,
                              gap_abs=options.gap_abs)
    pulp_wall = time.perf_counter() - t0
    prob = model_mod.build_problem(day)
    with tempfile.TemporaryDirectory() as tmp:
        mps = str(Path(tmp) / "day.mps")
        prob.writeMPS(mps)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("mip_rel_gap", options.gap_rel)
        h.setOptionValue("mip_abs_gap", options.gap_abs)
        h.readModel(mps)
        t1 = time.perf_counter()
        h.run()
        raw = time.perf_counter() - t1
    print(f"day 1 to the 2 % / 0.5-point gap: PuLP build+solve {pulp_wall:5.2f} s "
          f"(HiGHS {res.seconds:5.2f} s, status {res.status}); HiGHS alone on the same "
          f"MPS {raw:5.2f} s; {len(foods)} candidate foods")
    choice = model_mod.solve_day(dataclasses.replace(day, formulation="choice"),
                                 time_limit=60, gap_rel=options.gap_rel,
                                 gap_abs=options.gap_abs)
    print(f"day 1, 'choice' formulation (a binary per portion count): HiGHS "
          f"{choice.seconds:5.2f} s, status {choice.status}, objective {choice.objective:.3f} "
          f"vs {res.objective:.3f} (big-M)")


def main() -> None:
    """Run every benchmark and print the figures."""
    shipped = load_default_table()
    omni = person_targets()
    print(f"shipped table: {len(shipped)} foods")
    raw_highs(shipped, omni)
    bench("shipped, omnivore, 1 day", shipped, omni, PlanOptions(days=1))
    for soft in (None, 0.4):
        bench(f"shipped, omnivore, 7 days, soft limit {soft} s", shipped, omni,
              PlanOptions(days=7, day_soft_seconds=soft))
    bench("shipped, vegetarian, 7 days", shipped, person_targets("vegetarian"),
          PlanOptions(days=7))
    bench("shipped, keto 25 g, 7 days", shipped, person_targets(keto=25), PlanOptions(days=7))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "mealplan.cli", "plan", "--days", "7",
                              "--sex", "female", "--age", "45", "--out",
                              str(Path(tmp) / "week.md")], check=False, capture_output=True,
                             text=True)
        took = time.perf_counter() - t0
    status = "ok" if run.returncode == 0 else f"FAILED (exit {run.returncode}: " \
        f"{(run.stderr or run.stdout).strip().splitlines()[-1:]})"
    print(f"whole CLI run (7 days, shipped): {took:6.2f} s {status}")
    lp = solve_diet_lp(shipped, omni)
    print(f"diet LP (1 day, shipped): {lp.seconds:6.3f} s {lp.status}")
    if not SR28.is_dir():
        print(f"{SR28} not present: full-table figures skipped")
        return
    from mealplan.sr28_import import convert_sr28

    t0 = time.perf_counter()
    rest = convert_sr28(SR28, skip_ndb=set(shipped.df["ndb_number"])).table
    full = merge_tables([shipped, rest])
    took = time.perf_counter() - t0
    print(f"shipped + the other SR28 foods: {len(full)} foods (import {took:.1f} s)")
    lp = solve_diet_lp(full, omni)
    print(f"diet LP (1 day, {len(full)} foods): {lp.seconds:6.3f} s {lp.status}")
    bench(f"{len(full)} foods, omnivore, 1 day", full, omni, PlanOptions(days=1))
    bench(f"{len(full)} foods, omnivore, 7 days", full, omni, PlanOptions(days=7))


if __name__ == "__main__":
    main()
