"""Audit generated weeks the way a dietitian reads them: print per-profile measures.

    .venv/bin/python scripts/audit_weeks.py            # the profiles below, 7 days each

For each profile: status and wall-clock seconds, then per day the energy, the shares of
energy from carbohydrate, fat and saturated fat, fibre, sodium, and the safety measures
of its mode (vitamin K at the low/central/high K2 end on warfarin, protein and potassium
in kidney mode, flagged foods in pregnancy). Measures only: it asserts nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mealplan.foods import FoodTable, load_default_table, load_supplements
from mealplan.plan import Plan, PlanOptions
from mealplan.solve import make_plan
from mealplan.targets import Anticoagulant, KidneyLimits, Person, Targets, diet_filter, targets_for

PROFILES: dict[str, Callable[[], Targets]] = {
    "female 45 omnivore": lambda: targets_for(Person(45, "female")),
    "male 75": lambda: targets_for(Person(75, "male")),
    "female 30 vegetarian": lambda: targets_for(Person(30, "female"),
                                                diet=diet_filter(diet="vegetarian")),
    "female 35 vegan + supplements": lambda: targets_for(
        Person(35, "female"), diet=diet_filter(diet="vegan"), allow_supplements=True),
    "pregnancy 28": lambda: targets_for(Person(28, "female", "pregnancy")),
    "warfarin female 60 (90-120)": lambda: targets_for(
        Person(60, "female"), anticoagulant=Anticoagulant(90, 120)),
    "kidney male 65 (K 2000, P 1000)": lambda: targets_for(
        Person(65, "male"), ckd=KidneyLimits(2000, 1000)),
}
FLAGGED = ("listeria_risk", "raw_animal", "high_iodine", "high_vitamin_a")


def _total(plan_day_items: list[tuple[str, float]], table: FoodTable, col: str) -> float:
    out = 0.0
    for fid, grams in plan_day_items:
        v = table.value(fid, col) if col in table.df.columns else float("nan")
        out += 0.0 if v != v else v * grams / 100.0
    return out


def audit(name: str, plan: Plan, table: FoodTable, seconds: float) -> None:
    print(f"\n== {name}: {plan.info.status}, unproven days {list(plan.info.unproven_days)}, "
          f"{seconds:.1f} s")
    for d in plan.days:
        items = [(it.food_id, it.grams) for it in d.items if not it.is_supplement]
        kcal = _total(items, table, "energy_kcal") or 1.0
        carb = 400 * _total(items, table, "carbs_g") / kcal
        fat = 900 * _total(items, table, "fat_g") / kcal
        fibre = _total(items, table, "fiber_g")
        na = _total(items, table, "sodium_mg")
        extra = ""
        if "anticoagulant" in plan.targets.modes:
            extra = " vitK low/mid/high " + "/".join(
                f"{_total(items, table, c):.0f}" for c in
                ("vitamin_k_total_low_ug", "vitamin_k_total_ug", "vitamin_k_total_high_ug"))
        if "ckd" in plan.targets.modes:
            extra = (f" protein {_total(items, table, 'protein_g'):.0f} g, K "
                     f"{_total(items, table, 'potassium_mg'):.0f}, P "
                     f"{_total(items, table, 'phosphorus_mg'):.0f}")
        if "pregnancy" in plan.targets.modes:
            bad = [f for f, _g in items if table.list_of(f, "flags") & set(FLAGGED)]
            extra = f" flagged foods {bad or 'none'}"
        print(f"  day {d.day}: {kcal:,.0f} kcal, carb {carb:.0f} %, fat {fat:.0f} %, fibre "
              f"{fibre:.0f} g, sodium {na:,.0f} mg, {len(items)} foods;{extra}")


def main() -> None:
    table, supplements = load_default_table(), load_supplements()
    for name, make in PROFILES.items():
        t0 = time.perf_counter()
        plan = make_plan(table, make(), PlanOptions(days=7), supplements)
        audit(name, plan, table, time.perf_counter() - t0)


if __name__ == "__main__":
    main()
