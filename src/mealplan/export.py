"""Exports of a plan: JSON, CSV and printable Markdown, and an atomic file writer.

Only :func:`write_atomic` touches files; the other functions return text.

JSON (:func:`to_json`, ``format_version`` 1). Keys always appear, in this order; a value
that is unknown or not a finite number is ``null`` (NaN is never emitted). Nutrient
amounts keep at least 2 decimals and 4 significant digits, grams 2 decimals, seconds 3::

    {
      "format": "mealplan-plan", "format_version": 1, "mealplan_version": "0.1.0",
      "days": [
        {"day": 1,
         "meals": [
           {"slot": "breakfast", "kcal": 105.0, "minutes": 0,
            "items": [{"food_id": "banana_raw", "name": "Bananas, raw", "portions": 1,
                       "portion_name": "1 medium (118 g)", "grams": 118.0,
                       "household": "1 medium", "is_supplement": false, "kcal": 105.0}]}],
         "totals": {"energy_kcal": 1817.53, "magnesium_mg": 565.09, ...},
         "checks": [{"nutrient": "magnesium_mg", "value": 565.09, "min": 320.0, "max": null,
                     "unit": "mg", "status": "ok", "pct_of_min": 176.59,
                     "supplements_only": false, "unknown_foods": []}, ...]}],
      "weekly": {
        "days": 2,
        "averages": {"energy_kcal": 1760.93, ...},
        "checks": [{"nutrient": "magnesium_mg", "period": "day", "average": 606.14,
                    "lowest": 565.09, "highest": 647.19, "min": 320.0, "max": null,
                    "unit": "mg", "status": "ok", "supplements_only": false,
                    "days_out": []}, ...]},
      "status": "optimal",
      "summary": "Every target met on all 2 days; energy within 3 % of ...",
      "unproven_days": [], "stopped_by": [],
      "objective": 15.68, "best_bound": 15.2, "gap": 0.0306, "worst_day_gap": 0.31,
      "solve_seconds": 2.381, "build_seconds": 0.415, "method": "day-by-day MILP",
      "solver": "HiGHS", "verified": true,
      "warnings": ["..."],
      "targets": [{"nutrient": "magnesium_mg", "min": 320.0, "max": null, "unit": "mg",
                   "period": "day", "daily_min": null, "supplements_only": false,
                   "source": "RDA: ...", "reason": "..."}, ...],
      "options": {"days": 2, "slots": ["breakfast", "lunch", "dinner", "snack"],
                  "objective": "balanced", "continuous": false, "leftovers": true},
      "disclaimer": "Not medical advice. ..."
    }

A meal's ``kcal`` is its energy (null when an item's is not known) and ``minutes`` the prep
and cooking minutes of its dishes (leftovers are already cooked); an item's ``kcal`` is
computed from the food table (a dish: its ingredients as served).
An item's ``household`` is its amount as a cook reads it, without the weight (``grams``
holds it): ``"2 oz"``, ``"1 cup"``, ``"1 1/2 servings"``, ``"1 pack"`` (natto), or the
weight itself for foods planned in grams (``"40 g"``); see :mod:`mealplan.household`.
Cook once, eat twice: a dish item whose second serving is a later meal carries
``"cook_for": {"day": 2, "meal": "lunch", "servings_to_cook": 2}`` (both meals' servings),
and that later item carries ``"leftovers_of": {"day": 1, "meal": "dinner"}``.
``days[].variety_open`` is true on a day planned with every food open (the week had used up
what it needed, so a food may be on more days than the variety rule allows).
``days[].checks`` has one entry per bound of the targets (a day's check of a weekly bound
uses its daily floor as ``min``). ``weekly.checks`` has one entry per bound: for a daily
bound (``"period": "day"``) ``average``/``lowest``/``highest`` are over the days, ``status``
is ``"ok"`` when every day is ok and otherwise the first failing day's status, ``days_out``
lists the failing days; a weekly bound gives two entries, its daily floor (``"period":
"day"``) and its average (``"period": "week"``, whose ``status`` is the average against the
bound). ``supplements_only`` checks count supplement items only.

The top-level ``status`` is ``"optimal"`` only when every day was proven within the
configured gap; otherwise ``"feasible"`` with ``unproven_days`` listing the days a limit
stopped and ``stopped_by`` which limits (``"work"``: the deterministic node limit;
``"time"``: the wall-clock safety net); ``worst_day_gap`` is the largest distance, in
objective points, between a day's plan and the best day proven possible for it.
``summary`` says the same in plain words.
``solve_seconds`` is wall-clock time for the whole planning call.

CSV (:func:`to_csv`): a header ``day,slot,food_id,name,portions,portion_name,grams`` and one
row per item, nothing else. :func:`totals_csv`: a header ``day`` + one column per nutrient
total, one row per day. :func:`shopping_csv`: the shopping list, one row per purchase, header
``section,item,buy,packs,unit,amount_used,grams_used,left_over,days,foods``. Text cells
that a spreadsheet would run as a formula (a leading ``=``, ``+``, ``-``, ``@``, tab or CR)
get a leading ``'`` (:func:`mealplan.tableio.formula_safe`).

Markdown (:func:`to_markdown`): title, disclaimer, warnings, then per day a table per meal
(food, household amount, grams) and the day's nutrients against their targets (value, % of
minimum, status), a summary over all days, and the shopping list (:mod:`mealplan.shopping`)
to print: one tick box per purchase, grouped by store section, e.g. ``- [ ] Eggs: 6 eggs (1
box of 6) — uses 5 1/2 eggs; 1/2 egg left over — days 1, 3, 5``.
Every text from data (food names, groups, warnings) is escaped: no raw HTML (``<`` ``>``
``&`` become entities) and no links or emphasis (brackets, ``*``, ``_``, backticks, ``|``
and backslashes are backslash-escaped).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from . import DISCLAIMER, __version__
from .errors import DataFileError
from .fileio import write_text_atomic
from .foods import FoodTable
from .household import format_grams, item_household, kitchen_grams
from .plan import (
    BoundCheck,
    LeftoverPair,
    Plan,
    PlanItem,
    leftover_notes,
    leftover_pairs,
    plan_headline,
)
from .purchase import PurchaseTable
from .shopping import ShoppingItem, shopping_list, split_supplements
from .tableio import formula_safe
from .targets import Bound
from .units import nutrient_label

__all__ = [
    "CSV_COLUMNS",
    "FORMAT_VERSION",
    "SHOPPING_CSV_COLUMNS",
    "ExportError",
    "plan_to_dict",
    "shopping_csv",
    "to_csv",
    "to_json",
    "to_markdown",
    "totals_csv",
    "weekly_checks",
    "write_atomic",
]

FORMAT_VERSION = 1
CSV_COLUMNS = ("day", "slot", "food_id", "name", "portions", "portion_name", "grams")
SHOPPING_CSV_COLUMNS = ("section", "item", "buy", "packs", "unit", "amount_used", "grams_used",
                        "left_over", "days", "foods")
COOKED_WEIGHT_NOTE = (
    "Cooked weight: the food table gives these foods cooked, and no table gives their raw or "
    "dry weight, so the list counts the cooked weight as if bought. Rice, pasta, grains and "
    "dried pulses gain water when cooked (you need less dry weight); meat, fish and greens "
    "lose it (buy a little more).")


class ExportError(DataFileError):
    """An export could not be written to its file (names the file and why)."""


# --------------------------------------------------------------------------- numbers

def _num(x: float | None) -> float | None:
    """A nutrient amount for JSON: None for missing/NaN/inf; >= 2 decimals and 4 sig. digits."""
    if x is None:
        return None
    v = float(x)
    if not math.isfinite(v):
        return None
    if v == 0:
        return 0.0
    decimals = max(2, 3 - math.floor(math.log10(abs(v))))
    return round(v, decimals)


def _round(x: float | None, decimals: int) -> float | None:
    if x is None:
        return None
    v = float(x)
    return round(v, decimals) if math.isfinite(v) else None


def _portions(x: float) -> int | float | None:
    """Portion counts: an int when whole (``2``), else up to 3 decimals."""
    v = _round(x, 3)
    if v is None:
        return None
    return int(v) if v.is_integer() else v


def _clean(obj: Any) -> Any:
    """Replace every non-finite float in a JSON-ready structure by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def _plain(x: float | None, decimals: int = 2) -> str:
    """A number for CSV: rounded, no trailing zeros, empty when missing."""
    v = _round(x, decimals)
    if v is None:
        return ""
    text = f"{v:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _household(it: PlanItem) -> str:
    """An item's household amount without its weight: "2 oz", "1 cup", or "40 g" for foods
    planned in grams (:func:`mealplan.household.item_household`)."""
    return item_household(it)


# --------------------------------------------------------------------------- weekly view

def _check_key(c: BoundCheck) -> tuple[str, float | None, float | None]:
    return (c.nutrient, c.min, c.max)


def _status_over(checks: Sequence[BoundCheck]) -> str:
    for c in checks:
        if c.status != "ok":
            return c.status
    return "ok"


def _supp_only(plan: Plan, nutrient: str, max_: float | None) -> bool:
    return any(b.supplements_only and b.nutrient == nutrient and b.max == max_
               for b in plan.targets.bounds)


def weekly_checks(plan: Plan) -> list[dict[str, Any]]:
    """Every bound over the whole plan (see the module docstring, ``weekly.checks``).

    Args:
        plan: the plan.

    Returns:
        One dict per bound, in the order of ``plan.checks``; values unrounded.
    """
    groups: dict[tuple[str, float | None, float | None], list[BoundCheck]] = {}
    order: list[tuple[str, Any]] = []
    for c in plan.checks:
        if c.day is None:
            order.append(("week", c))
            continue
        key = _check_key(c)
        if key not in groups:
            groups[key] = []
            order.append(("day", key))
        groups[key].append(c)
    out: list[dict[str, Any]] = []
    for period, ref in order:
        if period == "day":
            cs = groups[ref]
            values = [c.value for c in cs]
            out.append({
                "nutrient": cs[0].nutrient, "period": "day",
                "average": sum(values) / len(values), "lowest": min(values),
                "highest": max(values), "min": cs[0].min, "max": cs[0].max,
                "unit": cs[0].unit, "status": _status_over(cs),
                "supplements_only": _supp_only(plan, cs[0].nutrient, cs[0].max),
                "days_out": [c.day for c in cs if c.status != "ok"],
            })
        else:
            w: BoundCheck = ref
            floors = {b.daily_min for b in plan.targets.bounds if b.period == "week"
                      and b.nutrient == w.nutrient and b.min == w.min and b.max == w.max}
            same = [c for c in plan.checks if c.day is not None and c.nutrient == w.nutrient
                    and c.max == w.max and (not floors or c.min in floors)]
            values = [c.value for c in same] or [w.value]
            out.append({
                "nutrient": w.nutrient, "period": "week", "average": w.value,
                "lowest": min(values), "highest": max(values), "min": w.min, "max": w.max,
                "unit": w.unit, "status": w.status,
                "supplements_only": _supp_only(plan, w.nutrient, w.max),
                "days_out": [c.day for c in same if c.status != "ok"],
            })
    return out


def _averages(plan: Plan) -> dict[str, float]:
    keys: list[str] = []
    for d in plan.days:
        keys += [k for k in d.totals if k not in keys]
    n = len(plan.days)
    return {k: sum(float(d.totals.get(k, 0.0)) for d in plan.days) / n for k in keys} if n else {}


# --------------------------------------------------------------------------- JSON

def _bound_dict(b: Bound) -> dict[str, Any]:
    return {"nutrient": b.nutrient, "min": _num(b.min), "max": _num(b.max), "unit": b.unit,
            "period": b.period, "daily_min": _num(b.daily_min),
            "supplements_only": b.supplements_only, "source": b.source, "reason": b.reason}


def _check_dict(plan: Plan, c: BoundCheck) -> dict[str, Any]:
    return {"nutrient": c.nutrient, "value": _num(c.value), "min": _num(c.min),
            "max": _num(c.max), "unit": c.unit, "status": c.status,
            "pct_of_min": _round(c.pct_of_min, 2),
            "supplements_only": _supp_only(plan, c.nutrient, c.max),
            "unknown_foods": list(c.unknown_foods)}


def _item_dict(it: PlanItem, cook_for: LeftoverPair | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "food_id": it.food_id, "name": it.name, "portions": _portions(it.portions),
        "portion_name": it.portion_name, "grams": _round(it.grams, 2),
        "household": _household(it), "is_supplement": it.is_supplement,
        "kcal": _round(it.kcal, 1)}
    if it.dish is not None:
        dish = it.dish
        out["dish"] = {
            "role": dish.role, "cuisine": dish.cuisine, "method": dish.method,
            "prep_minutes": dish.prep_minutes, "cook_minutes": dish.cook_minutes,
            "servings": _round(dish.servings, 3),
            "ingredients": [{"food_id": i.food_id, "name": i.name, "grams": _round(i.grams, 2)}
                            for i in dish.ingredients]}
    if it.leftover_of is not None:
        out["leftovers_of"] = {"day": it.leftover_of[0], "meal": it.leftover_of[1]}
    if cook_for is not None:
        out["cook_for"] = {"day": cook_for.eat[0], "meal": cook_for.eat[1],
                           "servings_to_cook": _round(cook_for.total_servings, 3)}
    return out


def _dish_line(it: PlanItem) -> str:
    """'salmon 120 g, potato 150 g, ...; 10 + 25 min' for a dish item."""
    assert it.dish is not None
    parts = ", ".join(f"{i.name} {kitchen_grams(i.grams)}" for i in it.dish.ingredients)
    return f"{parts}; {it.dish.prep_minutes} min prep + {it.dish.cook_minutes} min cooking"


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as the JSON-ready dict :func:`to_json` writes (shape: module docstring).

    Args:
        plan: the plan.

    Returns:
        A dict of plain Python values (no NaN: missing numbers are None).
    """
    days = []
    cooks = {(*p.cook, p.food_id): p for p in leftover_pairs(plan.days)}
    for d in plan.days:
        days.append({
            "day": d.day,
            "meals": [{"slot": m.slot, "kcal": _round(m.kcal, 1), "minutes": m.minutes,
                       "items": [_item_dict(it, cooks.get((d.day, m.slot, it.food_id)))
                                 for it in m.items]}
                      for m in d.meals],
            "totals": {k: _num(v) for k, v in d.totals.items()},
            "checks": [_check_dict(plan, c) for c in plan.checks if c.day == d.day],
            "variety_open": d.variety_open,
        })
    weekly = [{k: (_num(v) if isinstance(v, float) else v) for k, v in w.items()}
              for w in weekly_checks(plan)]
    info = plan.info
    doc: dict[str, Any] = {
        "format": "mealplan-plan",
        "format_version": FORMAT_VERSION,
        "mealplan_version": __version__,
        "days": days,
        "weekly": {"days": len(plan.days),
                   "averages": {k: _num(v) for k, v in _averages(plan).items()},
                   "checks": weekly},
        "modes": sorted(plan.targets.modes),
        "status": info.status,
        "summary": plan_headline(plan),
        "unproven_days": list(info.unproven_days),
        "stopped_by": list(info.stopped_by),
        "objective": _num(info.objective),
        "best_bound": _num(info.best_bound),
        "gap": _num(info.gap),
        "worst_day_gap": _num(info.worst_day_gap),
        "solve_seconds": _round(info.solve_seconds, 3),
        "build_seconds": _round(info.build_seconds, 3),
        "method": info.method,
        "solver": info.solver,
        "verified": plan.verified,
        "warnings": list(plan.warnings),
        "targets": [_bound_dict(b) for b in plan.targets.bounds],
        "options": {"days": plan.options.days, "slots": list(plan.options.slots),
                    "objective": plan.options.objective,
                    "continuous": plan.options.continuous,
                    "leftovers": plan.options.leftovers},
        "disclaimer": DISCLAIMER,
    }
    cleaned: dict[str, Any] = _clean(doc)
    return cleaned


def to_json(plan: Plan, *, indent: int | None = 2) -> str:
    """The plan as JSON text (shape and rounding: module docstring).

    Args:
        plan: the plan.
        indent: spaces per level (None: one line).

    Returns:
        UTF-8-ready JSON text ending in a newline; never contains NaN or Infinity.
    """
    return json.dumps(plan_to_dict(plan), indent=indent, ensure_ascii=False,
                      allow_nan=False) + "\n"


# --------------------------------------------------------------------------- CSV

def _csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    def safe(v: object) -> object:
        return formula_safe(v) if isinstance(v, str) else v

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([safe(h) for h in header])
    w.writerows([safe(v) for v in r] for r in rows)
    return buf.getvalue()


def to_csv(plan: Plan) -> str:
    """One CSV row per item: ``day,slot,food_id,name,portions,portion_name,grams``.

    Args:
        plan: the plan.

    Returns:
        CSV text with a header row and nothing after the items.
    """
    rows = [(d.day, m.slot, it.food_id, it.name, _plain(it.portions, 3), it.portion_name,
             _plain(it.grams, 2))
            for d in plan.days for m in d.meals for it in m.items]
    return _csv_text(CSV_COLUMNS, rows)


def totals_csv(plan: Plan) -> str:
    """Per-day nutrient totals as CSV: ``day`` then one column per nutrient.

    Args:
        plan: the plan.

    Returns:
        CSV text, one row per day; a nutrient a day lacks is left empty.
    """
    keys: list[str] = []
    for d in plan.days:
        keys += [k for k in d.totals if k not in keys]
    rows = [(d.day, *(_plain(d.totals.get(k), 4) for k in keys)) for d in plan.days]
    return _csv_text(("day", *keys), rows)


def _days(days: Sequence[int]) -> str:
    return ", ".join(str(x) for x in days)


def shopping_csv(plan: Plan, table: FoodTable | None = None,
                 purchases: PurchaseTable | None = None) -> str:
    """The shopping list as CSV, one row per purchase (:func:`mealplan.shopping.shopping_list`).

    Columns (:data:`SHOPPING_CSV_COLUMNS`): ``section`` (heading), ``item``, ``buy`` (what to
    buy, in words), ``packs`` (units to buy; empty for foods sold loose by weight), ``unit``,
    ``amount_used`` (in words, "cooked weight" where it is), ``grams_used`` (grams eaten),
    ``left_over`` (in words, "none"), ``days`` ("1, 3, 5"), ``foods`` (the planned foods on
    the line, "; "-separated).

    Args:
        plan: the plan.
        table: the food table the plan was made from (sections of foods the purchase table
            does not list).
        purchases: how foods are bought; None: the shipped purchase table.

    Returns:
        CSV text with a header row.
    """
    rows = [(s.heading, s.name, s.buy, "" if s.packs is None else s.packs, s.unit, s.uses,
             _plain(s.grams, 2), s.left, _days(s.days), "; ".join(s.foods))
            for s in shopping_list(plan, table, purchases)]
    return _csv_text(SHOPPING_CSV_COLUMNS, rows)


# --------------------------------------------------------------------------- Markdown

_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_ESCAPED = frozenset("\\|[]*_`")


def _cell(text: object) -> str:
    """Data text made inert in Markdown: no HTML, links, emphasis or table breaks."""
    out = []
    for ch in " ".join(str(text).split()):
        if ch in _MD_ENTITIES:
            out.append(_MD_ENTITIES[ch])
        elif ch in _MD_ESCAPED:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _amount(x: float) -> str:
    if not math.isfinite(x):
        return "?"
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.2g}" if a else "0"


def _target(lo: float | None, hi: float | None, unit: str) -> str:
    if lo is not None and hi is not None:
        return f"{_amount(lo)}–{_amount(hi)} {unit}"
    if lo is not None:
        return f"≥ {_amount(lo)} {unit}"
    if hi is not None:
        return f"≤ {_amount(hi)} {unit}"
    return "-"


class _Markup(str):
    """Markdown this module wrote itself (bold statuses): put in a table unescaped."""

    __slots__ = ()


def _status(s: str) -> _Markup:
    return _Markup("ok" if s == "ok" else f"**{_cell(s.upper())}**")


def _label(nutrient: str, supplements_only: bool) -> str:
    label = nutrient_label(nutrient)
    return f"{label} (supplements only)" if supplements_only else label


def _table(header: Sequence[str], rows: Iterable[Sequence[object]],
           align: Sequence[str] | None = None) -> list[str]:
    align = align or ["l"] * len(header)
    sep = ["---:" if a == "r" else "---" for a in align]
    def cell(c: object) -> str:
        return c if isinstance(c, _Markup) else _cell(c)

    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    lines.append("")
    return lines


def _pct(c: BoundCheck) -> str:
    p = c.pct_of_min
    return "-" if p is None or not math.isfinite(p) else f"{p:.0f} %"


def _shopping_line(s: ShoppingItem) -> str:
    """'- [ ] Eggs: 6 eggs (1 box of 6) — uses 5 1/2 eggs; 1/2 egg left over — days 1, 3'."""
    left = "nothing left over" if s.left == "none" else f"{s.left} left over"
    days = f"day{'s' if len(s.days) != 1 else ''} {_days(s.days)}"
    line = f"- [ ] {_cell(s.name)}: {_cell(s.buy)} — uses {_cell(s.uses)}; {_cell(left)} — {days}"
    if len(s.foods) > 1:
        line += f" — as {_cell('; '.join(s.foods))}"
    return line


def _shopping_markdown(items: Sequence[ShoppingItem]) -> list[str]:
    """The shopping list section: tick boxes grouped by store section, supplements last."""
    foods, supplements = split_supplements(items)
    out = ["## Shopping list", ""]
    if not foods and not supplements:
        return [*out, "Nothing to buy.", ""]
    heading = None
    for s in foods:
        if s.heading != heading:
            if heading is not None:
                out.append("")
            heading = s.heading  # the module's own section names: no data text to escape
            out += [f"### {heading}", ""]
        out.append(_shopping_line(s))
    if foods:
        out.append("")
    if supplements:
        out += ["### Supplements", ""] + [_shopping_line(s) for s in supplements] + [""]
    if any(s.cooked_grams > 0 for s in foods):
        out += [f"*{_cell(COOKED_WEIGHT_NOTE)}*", ""]
    if foods:
        out += [f"Total food weight: {format_grams(sum(s.grams for s in foods))}.", ""]
    return out


def to_markdown(plan: Plan, table: FoodTable | None = None, *,
                purchases: PurchaseTable | None = None) -> str:
    """A printable Markdown page of the plan.

    Args:
        plan: the plan.
        table: the food table the plan was made from (the shopping list places foods the
            purchase table does not list by their kind); None lists them under "Other".
        purchases: how foods are bought; None: the shipped purchase table.

    Returns:
        Markdown: title, disclaimer, warnings, per day a table per meal and the day's
        nutrients against their targets, a summary over the days, the shopping list.
    """
    n = len(plan.days)
    info = plan.info
    out: list[str] = [f"# Meal plan: {n} day{'s' if n != 1 else ''}", "",
                      f"> **{DISCLAIMER}**", ""]
    verified = "yes" if plan.verified else "NO"
    out += [f"**{plan_headline(plan)}**", "",
            f"Solver: {info.solver} ({info.method or 'MILP'}), status {info.status}, "
            f"{info.solve_seconds:.1f} s; verified against the food table: {verified}.", ""]
    if plan.warnings:
        out += ["## Warnings", ""] + [f"- {_cell(w)}" for w in plan.warnings] + [""]
    notes = leftover_notes(plan.days)
    for d in plan.days:
        energy = d.totals.get("energy_kcal")
        out += [f"## Day {d.day}" + (f" · {energy:,.0f} kcal" if energy is not None else ""),
                ""]
        for m in d.meals:
            if not m.items:
                continue
            leftover = any(it.leftover_of for it in m.items)
            kcal = m.kcal
            out += [f"### {m.slot.capitalize()}{' (leftovers)' if leftover else ''}"
                    + (f" · {kcal:,.0f} kcal" if kcal is not None else "")
                    + (f" · {m.minutes} min" if m.minutes else ""), ""]
            items = [(it.name + (" (supplement)" if it.is_supplement else ""), _household(it),
                     f"{it.grams:,.0f}" if it.grams >= 10 else f"{round(it.grams, 1):g}")
                    for it in m.items]
            out += _table(("Food", "Amount", "Grams"), items, "llr")
            dishes = [it for it in m.items if it.dish is not None]
            if dishes:
                out += [f"- *{_cell(it.name)}*: {_cell(_dish_line(it))}"
                        + (f" **{_cell(notes[k].capitalize())}.**"
                           if (k := (d.day, m.slot, it.food_id)) in notes else "")
                        for it in dishes]
                out.append("")
        checks = [c for c in plan.checks if c.day == d.day]
        if checks:
            out += [f"### Day {d.day}: nutrients against targets", ""]
            nrows = [(_label(c.nutrient, _supp_only(plan, c.nutrient, c.max)),
                     f"{_amount(c.value)} {c.unit}", _target(c.min, c.max, c.unit), _pct(c),
                     _status(c.status)) for c in checks]
            out += _table(("Nutrient", "Value", "Target", "% of minimum", "Status"), nrows,
                          "lrrrl")
    weekly = weekly_checks(plan)
    if weekly:
        out += [f"## Summary over {n} day{'s' if n != 1 else ''}", ""]
        rows: list[tuple[str, ...]] = []
        for w in weekly:
            label = _label(w["nutrient"], w["supplements_only"])
            if w["period"] == "week":
                label += " (average)"
            elif any(b.period == "week" and b.nutrient == w["nutrient"]
                     and b.daily_min == w["min"] and b.max == w["max"]
                     for b in plan.targets.bounds):
                label += " (daily floor)"
            unit = w["unit"]
            rows.append((label, f"{_amount(w['average'])} {unit}",
                         f"{_amount(w['lowest'])}–{_amount(w['highest'])} {unit}",
                         _target(w["min"], w["max"], unit), _Markup(
                             _status(w["status"])
                             + (" (day " + ", ".join(str(x) for x in w["days_out"]) + ")"
                                if w["days_out"] else ""))))
        out += _table(("Nutrient", "Daily average", "Range over days", "Target", "Status"),
                      rows, "lrrrl")
    out += _shopping_markdown(shopping_list(plan, table, purchases))
    return "\n".join(out)


# --------------------------------------------------------------------------- files

def write_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 text to ``path`` in one step: a temp file beside it, then ``os.replace``.

    Either the whole new text is in place or the old file (if any) is untouched; no temp
    file is left behind.

    Args:
        path: the file to write; its directory must exist.
        text: the content.

    Returns:
        The path written.

    Raises:
        ExportError: naming the file when the directory is missing, the path is a
            directory, or writing fails.
    """
    return write_text_atomic(path, text, ExportError)
