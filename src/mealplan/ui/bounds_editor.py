"""The Dietitian tab's bound editor: targets as an editable table and back, with errors by
row and column; a dietitian's edits kept apart from the defaults (no Streamlit)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import pandas as pd

from mealplan.errors import (
    Problem,
    TargetsError,
)
from mealplan.targets import (
    WEEKLY_FLOOR_FRACTION,
    Bound,
    Targets,
    bound_problems,
)
from mealplan.units import (
    NUTRIENTS,
    nutrient_label,
    unit_of,
)

__all__ = [
    "BOUND_COLUMNS", "BoundEdit", "apply_edits", "bound_keys", "bounds_frame",
    "edits_from_frame",
]


BOUND_COLUMNS: tuple[str, ...] = ("key", "nutrient", "label", "min", "max", "unit", "period",
                                  "supplements_only", "source", "reason")


@dataclass(frozen=True)
class BoundEdit:
    """A dietitian's change to one bound, kept apart from the defaults so that it survives a
    change of person or safety mode (new safety bounds still appear).

    ``key`` identifies the default bound (see :func:`bound_keys`); additions have
    ``"<nutrient>|added"``.
    """

    key: str
    nutrient: str
    supplements_only: bool = False
    min: float | None = None
    max: float | None = None
    period: Literal["day", "week"] = "day"
    action: Literal["change", "remove", "add"] = "change"
    source: str = ""



def bound_keys(bounds: Sequence[Bound]) -> list[str]:
    """A stable key per bound: nutrient, supplements-only, shape (min/max/range), and the
    occurrence of that combination (so the UL and a kidney cap on phosphorus differ).

    Args:
        bounds: the bounds, in order.

    Returns:
        One key per bound, e.g. ``"calcium_mg|food|min|0"``, ``"calcium_mg|food|max|0"``.
    """
    seen: dict[str, int] = {}
    keys = []
    for b in bounds:
        shape = "range" if b.min is not None and b.max is not None else (
            "min" if b.min is not None else "max")
        stem = f"{b.nutrient}|{'supplements' if b.supplements_only else 'food'}|{shape}"
        keys.append(f"{stem}|{seen.get(stem, 0)}")
        seen[stem] = seen.get(stem, 0) + 1
    return keys



def apply_edits(targets: Targets, edits: Sequence[BoundEdit]) -> Targets:
    """Apply a dietitian's edits to (possibly new) default targets.

    Returns:
        New targets. An edit of a bound the defaults no longer have is ignored, except
        additions.

    Raises:
        TargetsError: if the result has an invalid bound.
    """
    by_key = {e.key: e for e in edits}
    out: list[Bound] = []
    for b, key in zip(targets.bounds, bound_keys(targets.bounds), strict=True):
        e = by_key.get(key)
        if e is None or e.action == "add":
            out.append(b)
        elif e.action == "remove":
            continue
        else:
            daily_min = b.daily_min if e.period == "week" and b.period == "week" else None
            if e.period == "week" and daily_min is None and e.min is not None:
                daily_min = round(e.min * WEEKLY_FLOOR_FRACTION, 6)
            out.append(replace(b, min=e.min, max=e.max, period=e.period, daily_min=daily_min,
                               source=e.source or f"edited by you (default: {b.source})"))
    for e in edits:
        if e.action == "add":
            out.append(Bound(e.nutrient, e.min, e.max, unit_of(e.nutrient) or "",
                             e.source or "added by you", "", e.period,
                             round(e.min * WEEKLY_FLOOR_FRACTION, 6)
                             if e.period == "week" and e.min is not None else None))
    problems = bound_problems(out, prefix="bounds")
    if problems:
        raise TargetsError("edited bounds", problems)
    return replace(targets, bounds=tuple(out))


# -- the dietitian's bound editor -----------------------------------------------------------
def bounds_frame(targets: Targets) -> pd.DataFrame:
    """Every bound as an editable table (one row per bound, in target order)."""
    rows = [{
        "key": key,
        "nutrient": b.nutrient,
        "label": nutrient_label(b.nutrient) + (" (supplements)" if b.supplements_only else ""),
        "min": math.nan if b.min is None else float(b.min),
        "max": math.nan if b.max is None else float(b.max),
        "unit": b.unit or (unit_of(b.nutrient) or ""),
        "period": b.period,
        "supplements_only": bool(b.supplements_only),
        "source": b.source,
        "reason": b.reason,
    } for b, key in zip(targets.bounds, bound_keys(targets.bounds), strict=True)]
    return pd.DataFrame(rows, columns=list(BOUND_COLUMNS))


def _num(v: object) -> float | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    x = float(v)  # type: ignore[arg-type]
    return None if math.isnan(x) else x


def edits_from_frame(frame: pd.DataFrame, defaults: Targets,
                     known_nutrients: Sequence[str] | None = None,
                     row_numbers: Sequence[int] | None = None) -> tuple[BoundEdit, ...]:
    """Compare an edited bounds table with the defaults and return the edits.

    Rows are matched to default bounds by their ``key`` column (:func:`bound_keys`). A
    default bound missing from the table is recorded as removed; a row without a known key
    (a new row, or one whose nutrient was changed) is an addition.

    Args:
        frame: the table from :func:`bounds_frame`, after editing.
        defaults: the targets the table was made from, before any edit.
        known_nutrients: columns a new bound may name (default: the standard nutrients).
        row_numbers: the row each record is shown as (default 1, 2, ...), for errors.

    Returns:
        The edits (empty when the table equals the defaults).

    Raises:
        TargetsError: listing every bad cell by row (1-based) and column.
    """
    problems: list[Problem] = []
    known = set(known_nutrients) if known_nutrients is not None else set(NUTRIENTS) | {
        "net_carbs_g", "vitamin_k_total_ug"}
    base = dict(zip(bound_keys(defaults.bounds), defaults.bounds, strict=True))
    seen: set[str] = set()
    added = 0
    edits: list[BoundEdit] = []
    rows = list(row_numbers) if row_numbers is not None else list(range(1, len(frame) + 1))
    for i, rec in zip(rows, frame.to_dict("records"), strict=True):
        nutrient = str(rec.get("nutrient") or "").strip()
        if not nutrient or nutrient.lower() in ("nan", "none", "<na>"):
            problems.append(Problem("nutrient is empty", i, "nutrient"))
            continue
        raw_key = rec.get("key")
        key = str(raw_key).strip() if isinstance(raw_key, str) else ""
        old = base.get(key)
        if old is None or old.nutrient != nutrient or key in seen:
            old = None
            key = f"{nutrient}|added|{added}"
            added += 1
        seen.add(key)
        sup = rec.get("supplements_only")
        sup_only = old.supplements_only if old is not None else (
            bool(sup) if isinstance(sup, bool | int) else False)
        vals: dict[str, float | None] = {}
        bad_number = False
        for col in ("min", "max"):
            try:
                x = _num(rec.get(col))
            except (TypeError, ValueError):
                problems.append(Problem(f"'{rec.get(col)}' is not a number", i, col))
                bad_number = True
                continue
            if x is not None and (x < 0 or math.isinf(x)):
                problems.append(Problem(f"{x:g} is not a finite amount >= 0", i, col))
                bad_number = True
            vals[col] = x
        if bad_number:
            continue
        lo, hi = vals.get("min"), vals.get("max")
        if lo is not None and hi is not None and lo > hi:
            what = "the K2 window is upside down: " if nutrient == "k2_ug" else ""
            problems.append(Problem(f"{what}min {lo:g} is above max {hi:g} for "
                                    f"{nutrient_label(nutrient)}",
                                    i, "min"))
            continue
        if lo is None and hi is None:
            problems.append(Problem("give a min, a max or both (delete the row to drop it)",
                                    i, "min"))
            continue
        period = str(rec.get("period") or "day").strip()
        if period not in ("day", "week"):
            problems.append(Problem(f"period '{period}' must be day or week", i, "period"))
            continue
        per: Literal["day", "week"] = "week" if period == "week" else "day"
        if per == "week" and lo is None:
            problems.append(Problem("a weekly bound needs a min", i, "period"))
            continue
        if old is None:
            if nutrient not in known:
                problems.append(Problem(f"unknown nutrient '{nutrient}'", i, "nutrient"))
                continue
            edits.append(BoundEdit(key, nutrient, sup_only, lo, hi, per, "add"))
        elif (lo, hi, per) != (old.min, old.max, old.period):
            edits.append(BoundEdit(key, nutrient, sup_only, lo, hi, per, "change"))
    for key, b in base.items():
        if key not in seen:
            edits.append(BoundEdit(key, b.nutrient, b.supplements_only, b.min, b.max, b.period,
                                   "remove"))
    if problems:
        raise TargetsError("bounds table", problems)
    return tuple(edits)



EDITOR_COLUMNS: tuple[str, ...] = ("key", "nutrient", "min", "max", "unit", "period",
                                   "supplements_only", "source", "reason")


def editor_frame(targets: Targets) -> pd.DataFrame:
    """The bounds as the Dietitian tab shows them: one row per nutrient and kind (a minimum
    and an upper limit of the same nutrient share a row), no empty text cells.

    Args:
        targets: the current targets.

    Returns:
        Columns :data:`EDITOR_COLUMNS`; ``key`` joins the merged bounds' keys with ``&``.
    """
    full = bounds_frame(targets)
    records = full.to_dict("records")
    used: set[int] = set()
    out: list[dict[str, Any]] = []
    for i, r in enumerate(records):
        if i in used:
            continue
        used.add(i)
        row = dict(r)
        only_min = not math.isnan(r["min"]) and math.isnan(r["max"])
        if only_min:
            for j in range(i + 1, len(records)):
                o = records[j]
                if (j not in used and o["nutrient"] == r["nutrient"]
                        and o["supplements_only"] == r["supplements_only"]
                        and o["period"] == r["period"] and math.isnan(o["min"])
                        and not math.isnan(o["max"])):
                    used.add(j)
                    row["key"] = f"{r['key']}&{o['key']}"
                    row["max"] = o["max"]
                    if o["source"] and o["source"] != r["source"]:
                        row["source"] = f"minimum: {r['source']}; limit: {o['source']}"
                    if o["reason"] and o["reason"] != r["reason"]:
                        row["reason"] = "; ".join(x for x in (r["reason"], o["reason"]) if x)
                    break
        row["source"] = str(row["source"] or "")
        row["reason"] = str(row["reason"] or "")
        out.append({c: row[c] for c in EDITOR_COLUMNS})
    return pd.DataFrame(out, columns=list(EDITOR_COLUMNS))


def edits_from_editor(frame: pd.DataFrame, defaults: Targets) -> tuple[BoundEdit, ...]:
    """The edits made in :func:`editor_frame`'s table (merged rows split back into their
    bounds; a part left empty is removed); errors name the row as shown.

    Raises:
        TargetsError: listing every bad cell by row (1-based) and column.
    """
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    for i, raw in enumerate(frame.to_dict("records"), start=1):
        rec = {str(k): v for k, v in raw.items()}
        key = rec.get("key")
        parts = key.split("&") if isinstance(key, str) and "&" in key else None
        if parts is None or len(parts) != 2:
            records.append(rec)
            rows.append(i)
            continue
        lo, hi = _num_or_none(rec.get("min")), _num_or_none(rec.get("max"))
        if lo is not None and hi is not None and lo > hi:  # say it once, for the shown row
            records.append({**rec, "key": None})
            rows.append(i)
            continue
        if lo is not None:
            records.append({**rec, "key": parts[0], "max": math.nan})
            rows.append(i)
        if hi is not None:
            records.append({**rec, "key": parts[1], "min": math.nan})
            rows.append(i)
        if lo is None and hi is None:
            records.append({**rec, "key": parts[0]})
            rows.append(i)
    return edits_from_frame(pd.DataFrame(records, columns=list(frame.columns)), defaults,
                            row_numbers=rows)


def _num_or_none(v: object) -> float | None:
    try:
        return _num(v)
    except (TypeError, ValueError):
        return None
