"""Saved plans (their JSON export) as tables: items, one summary row, a comparison (no
Streamlit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from mealplan.errors import (
    StoreError,
)
from mealplan.ui.text import KEY_NUTRIENTS, human_date, number
from mealplan.units import (
    nutrient_label,
    unit_of,
)

__all__ = ["compare_saved_plans", "saved_plan_items", "saved_plan_summary"]


# -- saved plans (their JSON export) ----------------------------------------------------------
def _saved_days(data: Mapping[str, Any], source: str) -> list[Mapping[str, Any]]:
    days = data.get("days")
    if not isinstance(days, list) or not all(isinstance(d, Mapping) for d in days):
        raise StoreError(f"{source}: the saved plan has no list of days")
    return days


def saved_plan_items(data: Mapping[str, Any], source: str = "saved plan") -> pd.DataFrame:
    """The items of a saved plan (its JSON export) as a table.

    Raises:
        StoreError: if the JSON does not have the export's shape.
    """
    rows: list[dict[str, Any]] = []
    for i, d in enumerate(_saved_days(data, source), start=1):
        meals = d.get("meals", [])
        if not isinstance(meals, list):
            raise StoreError(f"{source}: day {i} has no list of meals")
        for m in meals:
            items = m.get("items", []) if isinstance(m, Mapping) else []
            for it in items if isinstance(items, list) else []:
                if not isinstance(it, Mapping):
                    continue
                portions = it.get("portions")
                unit = it.get("portion_name", "")
                rows.append({
                    "day": d.get("day", i), "meal": m.get("slot", ""),
                    "food": it.get("name", it.get("food_id", "")),
                    "amount": it.get("household") or (
                        f"{portions:g} x {unit}" if isinstance(portions, int | float) else ""),
                    "grams": number(it.get("grams")),
                })
    return pd.DataFrame(rows, columns=["day", "meal", "food", "amount", "grams"])


def _saved_averages(data: Mapping[str, Any], source: str) -> dict[str, float]:
    days = _saved_days(data, source)
    sums: dict[str, float] = {}
    for d in days:
        totals = d.get("totals", {})
        if not isinstance(totals, Mapping):
            continue
        for k, v in totals.items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                sums[str(k)] = sums.get(str(k), 0.0) + float(v)
    return {k: v / len(days) for k, v in sums.items()} if days else {}


def saved_plan_summary(plan_id: int, name: str, created_at: str,
                       data: Mapping[str, Any]) -> dict[str, Any]:
    """One row describing a saved plan (days, foods, averages of the cramp nutrients).

    Raises:
        StoreError: if the JSON does not have the export's shape.
    """
    items = saved_plan_items(data, f"plan #{plan_id}")
    avg = _saved_averages(data, f"plan #{plan_id}")
    verified = data.get("verified")
    row: dict[str, Any] = {"name": name, "saved": human_date(created_at),
                           "days": len(_saved_days(data, name)),
                           "foods": int(items["food"].nunique()) if len(items) else 0,
                           "verified": "yes" if verified is True else
                           "no" if verified is False else ""}
    for n in ("energy_kcal", "magnesium_mg", "potassium_mg", "calcium_mg", "k2_ug"):
        if n in avg:
            row[f"{nutrient_label(n)} ({unit_of(n)}/day)"] = round(avg[n], 1)
    return {"row": row}


def compare_saved_plans(plans: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Daily averages of every nutrient, one column per saved plan.

    Raises:
        StoreError: if a plan's JSON does not have the export's shape.
    """
    cols = {label: _saved_averages(data, label) for label, data in plans.items()}
    nutrients: list[str] = []
    for avg in cols.values():
        nutrients += [n for n in avg if n not in nutrients]
    order = [n for n in KEY_NUTRIENTS if n in nutrients] + [
        n for n in nutrients if n not in KEY_NUTRIENTS]
    frame = pd.DataFrame({label: [number(avg.get(n)) for n in order]
                          for label, avg in cols.items()},
                         index=[f"{nutrient_label(n)} ({unit_of(n) or ''})" for n in order])
    frame.index.name = "per day"
    return frame

