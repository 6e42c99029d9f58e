"""Foods from FoodData Central: typed FDC IDs, search hits as a table, FDC foods as a
custom table, and the person's check of diet tags and allergens (no Streamlit)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from mealplan.errors import (
    FDCError,
    FoodTableError,
    Problem,
)
from mealplan.foods import (
    FoodTable,
    validate_frame,
)
from mealplan.ui.text import KEY_NUTRIENTS
from mealplan.units import (
    ALLERGENS,
    DIET_TAGS,
    nutrient_label,
    unit_of,
)

if TYPE_CHECKING:
    from mealplan.fdc import FDCSearchHit

__all__ = [
    "FDC_UNCHECKED_NOTE", "MAX_FDC_IDS", "fdc_food_table", "fdc_hits_frame", "parse_fdc_ids",
    "retag_food",
]


FDC_UNCHECKED_NOTE = (
    "FoodData Central does not say which diets a food suits or which allergens it contains, "
    "so an imported food has no diet tag and lists every allergen: a vegetarian, vegan or "
    "pescatarian plan, or any allergy in the sidebar, leaves it out until you check the "
    "label and set its diet tags and allergens under \"Check an imported food\".")
MAX_FDC_IDS = 20


# -- FoodData Central -------------------------------------------------------------------------
def parse_fdc_ids(text: str, max_ids: int = MAX_FDC_IDS) -> list[int]:
    """FDC IDs typed by a person: whole numbers separated by commas, semicolons or spaces.

    Args:
        text: e.g. ``"173944, 171287"``.
        max_ids: the most IDs accepted at once.

    Returns:
        The IDs in the order typed, each once.

    Raises:
        FDCError: naming every word that is not an FDC ID, or when there are too many.
    """
    words = [w for w in re.split(r"[\s,;]+", text.strip()) if w]
    bad = [w for w in words if not w.isdigit() or int(w) <= 0]
    if bad:
        raise FDCError("not an FDC ID (a positive whole number, as in the search results): "
                       + ", ".join(f"'{w}'" for w in bad))
    ids = list(dict.fromkeys(int(w) for w in words))
    if len(ids) > max_ids:
        raise FDCError(f"{len(ids)} FDC IDs at once; add at most {max_ids} at a time")
    return ids


def fdc_hits_frame(hits: Sequence[FDCSearchHit]) -> pd.DataFrame:
    """FoodData Central search hits as a table: FDC ID, description, data type, category
    or brand, and the key nutrients per 100 g (empty where FDC does not report them).

    Args:
        hits: from :meth:`mealplan.fdc.FDCClient.search`.

    Returns:
        One row per hit, indexed by FDC ID.
    """
    shown = [n for n in KEY_NUTRIENTS if n != "net_carbs_g"]
    rows: list[dict[str, Any]] = []
    for h in hits:
        row: dict[str, Any] = {
            "fdc_id": h.fdc_id, "description": h.description, "data type": h.data_type,
            "category / brand": h.brand_owner or h.food_category or ""}
        for n in shown:
            v = h.nutrients.get(n)
            row[f"{nutrient_label(n)} ({unit_of(n)}/100 g)"] = (
                None if v is None else round(float(v), 3))
        rows.append(row)
    cols = ["fdc_id", "description", "data type", "category / brand",
            *(f"{nutrient_label(n)} ({unit_of(n)}/100 g)" for n in shown)]
    return pd.DataFrame(rows, columns=cols).set_index("fdc_id")


def fdc_food_table(foods: Sequence[Mapping[str, Any]], label: str | None = None) -> FoodTable:
    """FoodData Central foods as a custom food table (rows from :func:`mealplan.fdc.fdc_to_rows`,
    validated like any food table).

    Args:
        foods: full FDC foods (from :meth:`mealplan.fdc.FDCClient.get_foods`).
        label: the table's source name; default ``"FoodData Central (FDC 1, 2)"``.

    Returns:
        The table: no diet tag and every allergen listed on each food (unchecked).

    Raises:
        FDCError: no food given, or a food cannot be converted (incomplete, no energy).
        FoodTableError: a converted row fails validation (naming row and column).
    """
    from mealplan.fdc import fdc_to_rows
    from mealplan.tableio import rows_to_frame

    if not foods:
        raise FDCError("no FoodData Central food to add")
    rows = fdc_to_rows(foods)
    name = label or "FoodData Central (" + ", ".join(
        str(r["source"]) for r in rows) + ")"
    return validate_frame(rows_to_frame(rows), name)


def retag_food(tables: Sequence[FoodTable], food_id: str, diet_tags: Iterable[str],
               allergens: Iterable[str]) -> list[FoodTable]:
    """Set a custom food's diet tags and allergens after a person checked them.

    Args:
        tables: the session's custom tables.
        food_id: the food to change.
        diet_tags: the diets it suits (``vegan``, ``vegetarian``, ``pescatarian``).
        allergens: the allergens it contains (empty: checked, none).

    Returns:
        New tables (the given ones are not changed); the food's notes say it was checked.

    Raises:
        FoodTableError: unknown food id, diet tag or allergen (naming the column).
    """
    tags, alls = set(diet_tags), set(allergens)
    where = next((i for i, t in enumerate(tables) if t.has(food_id)), None)
    problems: list[Problem] = []
    if where is None:
        problems.append(Problem(f"no custom food '{food_id}' in this session", column="id"))
    for col, words, allowed in (("diet_tags", tags, DIET_TAGS), ("allergens", alls, ALLERGENS)):
        for w in sorted(words - allowed):
            problems.append(Problem(f"unknown word '{w}' (allowed: "
                                    f"{', '.join(sorted(allowed))})", column=col))
    if problems or where is None:
        raise FoodTableError(f"custom food '{food_id}'", problems)
    t = tables[where]
    df = t.df.copy()
    df.loc[food_id, "diet_tags"] = ";".join(sorted(tags))
    df.loc[food_id, "allergens"] = ";".join(sorted(alls))
    if "notes" in df.columns:
        old = str(df.at[food_id, "notes"] or "")
        kept = [p for p in old.split("; ") if p and "not checked" not in p
                and "checked by you" not in p]
        df.loc[food_id, "notes"] = "; ".join([*kept, "diet tags and allergens checked by you"])
    out = list(tables)
    out[where] = FoodTable(df, t.source, t.nutrients)
    return out

