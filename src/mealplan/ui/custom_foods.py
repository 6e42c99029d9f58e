"""Your own foods: uploads and hand-added foods (validated like the shipped table, with a
size limit), and why the planner can or cannot use each one (no Streamlit)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from mealplan.errors import (
    FoodTableError,
    Problem,
)
from mealplan.foods import (
    META_COLUMNS,
    FoodTable,
    merge_tables,
    parse_food_csv,
    split_list,
)
from mealplan.plan import PlanOptions
from mealplan.solve import UPPER_FILL, excluded_flags
from mealplan.targets import (
    Targets,
    diet_filter,
    filter_foods,
)
from mealplan.ui.text import plural
from mealplan.units import (
    ALLERGENS,
    nutrient_label,
    unit_of,
)

__all__ = [
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_MB",
    "added_message",
    "combine_tables",
    "custom_food_table",
    "custom_foods_frame",
    "planning_blockers",
    "read_upload",
]


MAX_UPLOAD_MB = 2
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024


# -- uploads and custom foods ---------------------------------------------------------------
def read_upload(raw: bytes, filename: str, max_bytes: int = MAX_UPLOAD_BYTES) -> FoodTable:
    """Validate an uploaded food table CSV.

    Args:
        raw: the file's bytes.
        filename: its name (shown in errors).
        max_bytes: size limit.

    Returns:
        The validated table.

    Raises:
        FoodTableError: if the file is too large, not a .csv, or fails validation (every
            problem with its row and column).
    """
    if len(raw) > max_bytes:
        raise FoodTableError(filename, [Problem(
            f"file is {_size(len(raw))}; the limit is {_size(max_bytes)}")])
    if not filename.lower().endswith(".csv"):
        raise FoodTableError(filename, [Problem("not a .csv file")])
    return parse_food_csv(raw, filename)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.3g} MB"
    return f"{n / 1024:.3g} KB"


def custom_food_table(fields: Mapping[str, object], label: str = "custom food") -> FoodTable:
    """Build a one-food table from a form's fields, validated like any food table.

    Args:
        fields: column -> value (``id``, ``name``, nutrient columns, ``portion_name`` ...);
            None, NaN and empty strings mean unknown. At least one nutrient must be given.
        label: the name shown in errors.

    Returns:
        A validated one-row table.

    Raises:
        FoodTableError: naming each bad field.
    """
    cols = list(fields)
    for req in ("id", "name"):
        if req not in cols:
            cols.append(req)
    nutrient_cols = [c for c in cols if unit_of(c) is not None and c not in META_COLUMNS]
    if not any(not _blank(fields.get(c)) for c in nutrient_cols):
        raise FoodTableError(label, [Problem("give at least one nutrient amount per 100 g")])
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(cols)
    w.writerow(["" if _blank(fields.get(c)) else _cell(fields[c]) for c in cols])
    return parse_food_csv(buf.getvalue().encode("utf-8"), label)


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (
        isinstance(v, str) and not v.strip())


def _cell(v: object) -> str:
    if isinstance(v, (list, tuple, set, frozenset)):
        return ";".join(sorted(str(x) for x in v))
    if isinstance(v, float):
        return f"{v:g}"
    return str(v).strip()


def combine_tables(base: FoodTable, extra: Sequence[FoodTable]) -> FoodTable:
    """The base table plus the user's tables (ids must not clash).

    Raises:
        FoodTableError: naming each clashing id.
    """
    return base if not extra else merge_tables([base, *extra])



def planning_blockers(table: FoodTable, targets: Targets,
                      options: PlanOptions | None = None) -> dict[str, list[str]]:
    """Why each food of a table cannot be planned with these targets (the diet filter and
    the missing-value policy of :func:`mealplan.solve.candidate_pool`).

    Args:
        table: e.g. the session's custom foods.
        targets: the current targets (diet filter and bounds).
        options: planning options (bans, nutrients whose unknown value counts as zero).

    Returns:
        Food id -> reasons; an empty list means the planner may use the food.
    """
    opts = options or PlanOptions()
    diet = targets.diet
    by_diet = (set(filter_foods(table, diet_filter(diet=diet.diet)).ids)
               if diet.diet is not None else set(table.ids))
    capped = sorted({b.nutrient for b in targets.bounds if b.max is not None
                     and not b.supplements_only} - set(opts.unknown_as_zero))
    out: dict[str, list[str]] = {}
    for fid in table.ids:
        reasons: list[str] = []
        if fid not in by_diet:
            reasons.append(f"no diet tag allows it in a {diet.diet} plan")
        hit = sorted(table.list_of(fid, "allergens") & diet.allergens)
        if hit:
            reasons.append("lists allergen" + ("s " if len(hit) > 1 else " ")
                           + ", ".join(a.replace("_", " ") for a in hit))
        flags = sorted(table.list_of(fid, "flags") & diet.exclude_flags)
        if flags:
            reasons.append("flagged " + ", ".join(flags) + " (left out in the sidebar)")
        unsafe = sorted(table.list_of(fid, "flags") & excluded_flags(targets)
                        - diet.exclude_flags)
        if unsafe:
            reasons.append("flagged " + ", ".join(unsafe)
                           + " (left out by a safety mode, or supplements not allowed)")
        if fid in diet.exclude_foods or fid in opts.bans:
            reasons.append("left out by you")
        # a column the upload lacks is unknown for every row, as in the merged table the
        # planner sees: the same rule as candidate_pool, or the food looks plannable but
        # is never planned
        unknown = [n for n in capped if (n not in table.df.columns
                                         or math.isnan(table.value(fid, n)))
                   and not _filled_from_upper(table, fid, n)]
        if unknown:
            reasons.append(", ".join(nutrient_label(n) for n in unknown)
                           + " unknown but capped by an upper limit: add "
                           + ("this value" if len(unknown) == 1 else "these values")
                           + " (0 if the food has none)")
        out[fid] = reasons
    return out


def _filled_from_upper(table: FoodTable, fid: str, nutrient: str) -> bool:
    """Whether the planner fills this unknown from a known upper value (saturated fat from
    fat: :data:`mealplan.solve.UPPER_FILL`), so the food is still planned."""
    upper = UPPER_FILL.get(nutrient)
    return (upper is not None and upper in table.df.columns
            and not math.isnan(table.value(fid, upper)))


def custom_foods_frame(tables: Sequence[FoodTable],
                       blockers: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """The session's custom foods: name, source, diet tags, allergens, and whether the
    planner can use each now.

    Args:
        tables: the custom tables.
        blockers: from :func:`planning_blockers` (None: the column says "not checked").

    Returns:
        One row per food, indexed by id.
    """
    every = ";".join(sorted(ALLERGENS))
    rows = []
    for t in tables:
        for fid in t.ids:
            r = t.row(fid)
            alls = str(r.get("allergens", "") or "")
            reasons = None if blockers is None else blockers.get(fid)
            rows.append({
                "id": fid, "name": r["name"], "source": r.get("source", ""),
                "diet tags": str(r.get("diet_tags", "") or "") or "(none)",
                "allergens": ("every allergen (not checked)"
                              if split_list(alls) == split_list(every)
                              else alls.replace(";", ", ") or "none"),
                "planner": ("not checked" if reasons is None else
                            "can be planned" if not reasons else
                            "left out: " + "; ".join(reasons)),
            })
    return pd.DataFrame(rows, columns=["id", "name", "source", "diet tags", "allergens",
                                       "planner"]).set_index("id")



def added_message(table: FoodTable, where: str,
                  blockers: Mapping[str, Sequence[str]] | None) -> str:
    """What an upload or an added food changed, and by name which of its foods the planner
    cannot use yet and why (so "can be planned" is never a surprise).

    Args:
        table: the foods just added.
        where: e.g. ``"from mine.csv"``.
        blockers: from :func:`planning_blockers` (None: the settings are invalid).

    Returns:
        E.g. "Added 2 foods from mine.csv. Not planned with the current settings: My bar
        (Iron unknown but capped by an upper limit: add this value (0 if the food has none))."
    """
    text = f"Added {plural(len(table), 'food')} {where}."
    if blockers is None:
        return text
    names = {fid: str(table.row(fid)["name"]) for fid in table.ids}
    blocked = [(names[f], blockers[f]) for f in table.ids if blockers.get(f)]
    if not blocked:
        return text + (" The planner can use it." if len(table) == 1
                       else " The planner can use all of them.")
    return text + " Not planned with the current settings: " + "; ".join(
        f"{n} ({'; '.join(r)})" for n, r in blocked) + "."
