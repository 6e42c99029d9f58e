"""The Foods tab's tables: search the food table, the best foods for a nutrient (no
Streamlit)."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from mealplan.foods import (
    FoodTable,
)
from mealplan.household import portion_label
from mealplan.ui.text import KEY_NUTRIENTS
from mealplan.units import (
    nutrient_label,
    unit_of,
)

Basis = Literal["100 g", "portion", "100 kcal"]

__all__ = ["as_basis", "best_foods", "food_browser_frame"]


# -- browsing -------------------------------------------------------------------------------
def _shown_nutrients(table: FoodTable) -> list[str]:
    return [n for n in KEY_NUTRIENTS if n in table.df.columns]


def food_browser_frame(table: FoodTable, query: str = "", group: str | None = None,
                       ) -> pd.DataFrame:
    """Foods matching a search, with their portion, key nutrients and sources.

    Args:
        table: the food table.
        query: words that must all occur in the name, id, group or source (any case).
        group: keep only this food group.

    Returns:
        One row per food.
    """
    df = table.df
    mask = pd.Series(True, index=df.index)
    for word in query.lower().split():
        hay = (df["name"].astype(str) + " " + df["id"].astype(str) + " "
               + df["food_group"].astype(str) + " " + df["source"].astype(str)).str.lower()
        mask &= hay.str.contains(word, regex=False)
    if group:
        mask &= df["food_group"] == group
    sub = df[mask]
    out = pd.DataFrame({
        "name": sub["name"],
        "group": sub["food_group"],
        "portion": [portion_label(str(n), float(g))
                    for n, g in zip(sub["portion_name"], sub["portion_g"], strict=True)],
    }, index=sub.index)
    for n in _shown_nutrients(table):
        out[f"{nutrient_label(n)} ({unit_of(n)}/100 g)"] = sub[n]
    out["diet"] = sub["diet_tags"]
    out["allergens"] = sub["allergens"]
    out["source"] = sub["source"]
    out["K2 source"] = sub["k2_source"]
    out.index.name = "id"
    return out


def as_basis(text: object) -> Basis:
    """A "best foods" basis from a widget's value (default: per portion)."""
    return "100 g" if text == "100 g" else "100 kcal" if text == "100 kcal" else "portion"


def best_foods(table: FoodTable, nutrient: str, basis: Basis = "portion", n: int = 15,
               include_supplements: bool = False) -> pd.DataFrame:
    """The foods richest in one nutrient.

    Args:
        table: the food table.
        nutrient: a nutrient column.
        basis: per 100 g, per household portion, or per 100 kcal (energy density matters
            when calories are limited).
        n: how many foods.
        include_supplements: whether supplement rows may appear.

    Returns:
        Columns name, amount, unit, basis, portion, source; richest first. Foods whose
        value is unknown are left out.

    Raises:
        KeyError: if the table has no such nutrient column.
    """
    df = table.df
    if nutrient not in df.columns:
        raise KeyError(f"the food table has no column '{nutrient}'")
    if not include_supplements:
        df = df[~df["flags"].astype(str).str.contains("supplement", regex=False)]
    per100 = df[nutrient].astype(float)
    if basis == "100 g":
        amount = per100
    elif basis == "portion":
        amount = per100 * df["portion_g"].astype(float) / 100.0
    else:
        kcal = df["energy_kcal"].astype(float) if "energy_kcal" in df.columns else None
        if kcal is None:
            raise KeyError("the food table has no column 'energy_kcal'")
        amount = (per100 / kcal * 100.0).where(kcal > 0)
    out = pd.DataFrame({
        "name": df["name"],
        "amount": amount.round(3),
        "unit": unit_of(nutrient) or "",
        "basis": basis,
        "portion": [portion_label(str(p), float(g))
                    for p, g in zip(df["portion_name"], df["portion_g"], strict=True)],
        "source": df["k2_source"].where(df["k2_source"] != "", df["source"])
        if nutrient == "k2_ug" else df["source"],
    }, index=df.index)
    out = out.dropna(subset=["amount"])
    out = out[out["amount"] > 0].sort_values("amount", ascending=False, kind="stable").head(n)
    out.index.name = "id"
    return out

