"""Write the hand-made plans of tests/test_audit.py (run from the repository root).

    .venv/bin/python tests/data/audit/make_plans.py          # print what each plan fails
    .venv/bin/python tests/data/audit/make_plans.py -w       # and (re)write the JSON files

good_day passes every rule; every other plan changes it in one place. Food ids, names and
portions come from the shipped table; dishes carry their ingredients as served.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from mealplan.audit import audit_plan
from mealplan.foods import load_default_table, load_supplements, merge_tables

OUT = Path(__file__).parent
T = merge_tables([load_default_table(), load_supplements()])


def item(fid: str, g: float, sup: bool = False) -> dict[str, Any]:
    """A single food as the planner writes it."""
    r = T.row(fid)
    return {"food_id": fid, "name": str(r["name"]),
            "portions": round(g / float(r["portion_g"]), 3),
            "portion_name": str(r["portion_name"]), "grams": g, "household": f"{g:g} g",
            "is_supplement": sup}


def dish(did: str, name: str, role: str, ings: list[tuple[str, float]], *, prep: int = 10,
         cook: int = 20, cuisine: str = "international", method: str = "bake"
         ) -> dict[str, Any]:
    """A dish item: grams served and its ingredients as served."""
    return {"food_id": did, "name": name, "portions": 1, "portion_name": "1 serving",
            "grams": sum(g for _, g in ings), "household": "1 serving", "is_supplement": False,
            "dish": {"role": role, "cuisine": cuisine, "method": method, "prep_minutes": prep,
                     "cook_minutes": cook, "servings": 1.0,
                     "ingredients": [{"food_id": f, "name": str(T.row(f)["name"]), "grams": g}
                                     for f, g in ings]}}


def good_day(n: int = 1) -> dict[str, Any]:
    """Porridge with milk and banana; a lentil bowl; a salmon traybake; yogurt and fruit."""
    bowl = dish("lentil_rice_spinach_bowl", "Lentil, rice and spinach bowl", "meal",
                [("lentils", 150.0), ("brown_rice", 150.0), ("spinach_cooked", 100.0),
                 ("olive_oil", 10.0)], prep=10, cook=25, cuisine="indian", method="simmer")
    traybake = dish("salmon_potato_traybake", "Salmon, potato and broccoli traybake", "meal",
                    [("salmon_sockeye", 120.0), ("potato_baked", 200.0),
                     ("broccoli_cooked", 150.0), ("olive_oil", 10.0)],
                    prep=15, cook=35, cuisine="nordic", method="bake")
    return {"day": n, "meals": [
        {"slot": "breakfast", "items": [item("oatmeal_cooked", 234.0),
                                        item("milk_1pct", 244.0), item("banana", 118.0)]},
        {"slot": "lunch", "items": [bowl, item("orange", 131.0)]},
        {"slot": "dinner", "items": [traybake]},
        {"slot": "snack", "items": [item("yogurt_lowfat_plain", 170.0),
                                    item("strawberries", 152.0), item("almonds", 15.0)]},
    ]}


def bound(nutrient: str, lo: float | None, hi: float | None, unit: str, *,
          period: str = "day", daily_min: float | None = None,
          supplements_only: bool = False) -> dict[str, Any]:
    """A target bound as the plan JSON writes it."""
    return {"nutrient": nutrient, "min": lo, "max": hi, "unit": unit, "period": period,
            "daily_min": daily_min, "supplements_only": supplements_only,
            "source": "hand-made test plan", "reason": "test"}


TARGETS = [
    bound("energy_kcal", 1400.0, 2600.0, "kcal"),
    bound("protein_g", 46.0, 150.0, "g"),
    bound("magnesium_mg", 320.0, None, "mg"),
    bound("vitamin_c_mg", 75.0, None, "mg"),
    bound("sodium_mg", None, 2300.0, "mg"),
    bound("vitamin_d_ug", 15.0, None, "µg", period="week", daily_min=5.0),
    bound("magnesium_mg", None, 350.0, "mg", supplements_only=True),
]


def plan(days: list[dict[str, Any]]) -> dict[str, Any]:
    """A plan document around these days."""
    return {"format": "mealplan-plan", "format_version": 1, "mealplan_version": "hand-made",
            "days": days, "targets": copy.deepcopy(TARGETS),
            "options": {"days": len(days), "slots": ["breakfast", "lunch", "dinner", "snack"]},
            "warnings": []}


def meal(p: dict[str, Any], d: int, slot: str) -> dict[str, Any]:
    """The meal ``slot`` of day index ``d``."""
    found: dict[str, Any] = next(m for m in p["days"][d]["meals"] if m["slot"] == slot)
    return found


def plans() -> dict[str, dict[str, Any]]:
    """Every test plan by file name."""
    out = {"good_day": plan([good_day()])}
    p = plan([good_day()])
    meal(p, 0, "breakfast")["items"] = [item("cereal_bran_flakes", 60.0), item("banana", 118.0),
                                        item("almonds", 20.0)]
    out["cereal_without_milk"] = p
    p = plan([good_day()])
    meal(p, 0, "dinner")["items"].append(item("chicken_breast", 86.0))
    out["two_mains_at_dinner"] = p
    p = plan([good_day()])
    meal(p, 0, "breakfast")["items"] = [item("cheese_cheddar", 30.0), item("banana", 118.0),
                                        item("milk_1pct", 244.0)]
    out["breakfast_cheese_no_base"] = p
    p = plan([good_day()])
    meal(p, 0, "dinner")["items"].append(item("olive_oil", 27.0))  # 2 tbsp as a side
    out["oil_side"] = p
    p = plan([good_day()])
    meal(p, 0, "breakfast")["items"].append(item("egg_whole_raw", 50.0))
    out["raw_egg"] = p
    p = plan([good_day(1), good_day(2)])
    # cheese at breakfast and in the snack, with the fruit already there (a lone cheese at
    # lunch or dinner breaks another rule)
    meal(p, 0, "breakfast")["items"].append(item("cheese_parmesan_grated", 10.0))
    meal(p, 0, "snack")["items"].append(item("cheese_feta", 15.0))
    meal(p, 1, "breakfast")["items"].append(item("cheese_mozzarella_part_skim", 15.0))
    meal(p, 1, "snack")["items"].append(item("cheese_swiss", 10.0))
    out["four_cheeses"] = p
    p = plan([good_day()])
    meal(p, 0, "breakfast")["items"] = [item("egg_scrambled", 122.0),
                                        item("yogurt_greek_whole", 170.0),
                                        item("blueberries", 70.0)]
    meal(p, 0, "lunch")["items"] = [
        dish("salmon_avocado_salad", "Salmon and avocado salad", "meal",
             [("salmon_atlantic_farmed", 150.0), ("avocado", 150.0), ("spinach_raw", 60.0),
              ("olive_oil", 10.0)], method="assemble"),
        item("bread_whole_wheat", 32.0)]
    meal(p, 0, "snack")["items"] = [item("walnuts", 28.0), item("strawberries", 152.0)]
    out["low_carb_high_fat"] = p
    return out


def main() -> None:
    """Print what each plan fails; with -w, write the files."""
    for name, doc in plans().items():
        report = audit_plan(doc, T)
        print(name, sorted({(f.rule, f.where) for f in report.failed}))
        if "-w" in sys.argv:
            text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
            (OUT / f"{name}.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
