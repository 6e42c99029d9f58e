"""The dish table: named recipes of table foods -> :class:`DishTable`, and dishes as foods.

A dish table is a UTF-8 CSV (``foods/dishes.csv``; format and sources in ``foods/DISHES.md``)
with one row per dish and exactly these columns::

    id,name,slots,role,cuisine,method,prep_minutes,cook_minutes,scaling,max_servings,
    ingredients,notes

- ``id``: a slug like a food id (lowercase letters, digits, single underscores), unique, and
  never the id of a food (a dish and a food share one namespace once merged).
- ``slots``: ``;``-list of breakfast, lunch, dinner, snack.
- ``role``: one of :data:`DISH_ROLES` (breakfast, main, meal, side, snack).
- ``cuisine``, ``method``: one word each (``japanese``, ``middle_eastern``; ``bake``,
  ``stir_fry``); methods from :data:`METHODS`.
- ``prep_minutes``, ``cook_minutes``: whole minutes, >= 0.
- ``scaling``: ``whole`` (whole servings) or ``half`` (steps of half a serving);
  ``max_servings``: 1-3, the most one person eats in one meal, a multiple of the step.
- ``ingredients``: ``food_id grams; food_id grams; ...`` for ONE serving, 2-8 foods of the
  food table (as eaten: cooked where people cook them), grams > 0, each food once.
- ``notes``: free text.

A dish's nutrients, diet tags, allergens and flags are never typed: :func:`dish_foods`
computes them from the ingredients, so every value traces to a food of the table (SR28).
Missing stays missing: one ingredient with an unknown value makes the dish's value unknown.
:func:`check_against` holds the rules that need the food table (ids exist, no raw egg, at
most :data:`MAX_FAT_G` of oil or butter, natto in whole packs).
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DishTableError, FoodTableError, Problem
from .fileio import read_bytes_limited
from .foods import LIST_COLUMNS, FoodTable, read_csv_cells, split_list
from .units import MealSlot

__all__ = [
    "DISH_COLUMNS",
    "DISH_KIND",
    "DISH_ROLES",
    "METHODS",
    "Dish",
    "DishTable",
    "Ingredient",
    "check_against",
    "default_dishes_path",
    "dish_foods",
    "grams_by_kind",
    "kind_grams",
    "load_default_dishes",
    "load_dishes",
    "parse_dish_csv",
    "shipped_dishes",
]

DISH_COLUMNS: tuple[str, ...] = (
    "id", "name", "slots", "role", "cuisine", "method", "prep_minutes", "cook_minutes",
    "scaling", "max_servings", "ingredients", "notes",
)
DISH_ROLES: dict[str, str] = {
    "breakfast": "a breakfast base dish: porridge, eggs on toast, a yogurt bowl",
    "main": "a protein dish for lunch or dinner, eaten with sides: grilled salmon, a curry",
    "meal": "a complete lunch or dinner: protein, vegetable and starch in one dish",
    "side": "a vegetable or starch side dish: garlic greens, mashed potato, a salad",
    "snack": "a small dish between meals",
}
METHODS: dict[str, str] = {
    "raw": "no cooking",
    "assemble": "cooked or ready foods put together",
    "blend": "blended (smoothie, soup, dip)",
    "boil": "boiled",
    "simmer": "simmered (stews, soups, porridge, dal)",
    "steam": "steamed",
    "poach": "poached",
    "braise": "braised",
    "bake": "baked in the oven",
    "roast": "roasted in the oven",
    "grill": "grilled or broiled",
    "pan_fry": "fried in a pan with a little fat",
    "stir_fry": "stir-fried",
    "toast": "toasted",
}
SCALING_STEP: dict[str, float] = {"whole": 1.0, "half": 0.5}
MIN_SERVINGS, MAX_SERVINGS = 1.0, 3.0
MIN_INGREDIENTS, MAX_INGREDIENTS = 2, 8
MAX_MINUTES = 24 * 60  # a day: anything longer is a typo
MAX_INGREDIENT_G = 1000.0  # one food above 1 kg in one serving is a typo
MAX_FAT_G = 15.0  # oil, butter, cream (kind ``fat``) per serving
RAW_EGG_IDS: frozenset[str] = frozenset({"egg_whole_raw", "egg_yolk", "egg_white", "egg_duck"})
NATTO_ID = "natto"
NATTO_PACK_G = (40.0, 50.0)  # one retail pack
# Flags a dish inherits from any ingredient: they warn about what is inside.
INHERITED_FLAGS: frozenset[str] = frozenset({
    "listeria_risk", "raw_animal", "high_iodine", "high_vitamin_a",
    "vitamin_k_antagonist_caution", "fortified", "uv_vitamin_d", "fermented",
})
MAIN_ROLES: frozenset[str] = frozenset({"main", "meal"})
DISH_KIND = "dish"
DISH_GROUP = "Dishes"
SHIPPED_LABEL = "shipped dish table"
SLUG = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
WORD = re.compile(r"^[a-z]+(?:_[a-z]+)*$")
_SLOTS = frozenset(s.value for s in MealSlot)


@dataclass(frozen=True)
class Ingredient:
    """One food of a dish and its grams in one serving."""

    food_id: str
    grams: float


@dataclass(frozen=True)
class Dish:
    """A named recipe of table foods; amounts are for one serving."""

    id: str
    name: str
    slots: tuple[str, ...]
    role: str
    cuisine: str
    method: str
    prep_minutes: int
    cook_minutes: int
    scaling: str
    max_servings: float
    ingredients: tuple[Ingredient, ...]
    notes: str = ""

    @property
    def grams(self) -> float:
        """Grams of one serving (the sum of the ingredients)."""
        return float(sum(i.grams for i in self.ingredients))


@dataclass(frozen=True)
class DishTable:
    """A validated dish table (ids unique, in file order)."""

    dishes: tuple[Dish, ...]
    source: str

    def __len__(self) -> int:
        return len(self.dishes)

    def get(self, dish_id: str) -> Dish:
        """The dish with this id; raises KeyError naming the id if unknown."""
        for d in self.dishes:
            if d.id == dish_id:
                return d
        raise KeyError(f"unknown dish id '{dish_id}'")

    @property
    def ids(self) -> list[str]:
        """Dish ids in table order."""
        return [d.id for d in self.dishes]


def default_dishes_path() -> Path:
    """Path of the shipped dish table (package data, identical to ``foods/dishes.csv``)."""
    return Path(str(resources.files("mealplan") / "data" / "dishes.csv"))


@functools.lru_cache(maxsize=1)
def shipped_dishes() -> DishTable:
    """The shipped dish table, loaded once per process (a read-only value)."""
    return load_default_dishes()


def load_default_dishes() -> DishTable:
    """The shipped dish table (named "shipped dish table" in errors, not by its path)."""
    return load_dishes(default_dishes_path(), label=SHIPPED_LABEL)


def load_dishes(path: str | Path, *, label: str | None = None,
                foods: FoodTable | None = None) -> DishTable:
    """Load and validate a dish table CSV.

    Args:
        path: a CSV file in the format of this module's docstring (at most
            :data:`mealplan.fileio.MAX_INPUT_BYTES`).
        label: how to name the table in errors and in ``DishTable.source``; default the path.
        foods: when given, also check the dishes against this food table
            (:func:`check_against`) and report those problems with the others.

    Returns:
        The validated :class:`DishTable`.

    Raises:
        DishTableError: listing every problem with its row and column.
    """
    name = str(path) if label is None else label
    try:
        raw = read_bytes_limited(path, DishTableError, what="CSV file")
    except DishTableError as exc:
        raise DishTableError(name, list(exc.problems)) from None
    return parse_dish_csv(raw, name, foods=foods)


def parse_dish_csv(data: bytes, label: str, *, foods: FoodTable | None = None) -> DishTable:
    """Validate CSV bytes as a dish table (see :func:`load_dishes`).

    Args:
        data: the file's bytes (UTF-8, a BOM is allowed).
        label: the file's name for errors and ``DishTable.source``.
        foods: when given, the problems of :func:`check_against` are reported too.

    Returns:
        The validated :class:`DishTable`.

    Raises:
        DishTableError: every problem at once, each naming its row and column.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DishTableError(label, [Problem(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
            "save the file as UTF-8 CSV")]) from None
    if not text.strip():
        raise DishTableError(label, [Problem("the file is empty")])
    try:
        cells = read_csv_cells(text, label)
    except FoodTableError as exc:
        raise DishTableError(label, list(exc.problems)) from None
    problems = _check_header(list(cells.columns))
    if not problems and len(cells) == 0:
        problems.append(Problem("the table has a header but no dish rows"))
    if problems:
        raise DishTableError(label, problems)
    dishes: list[Dish] = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(cells.to_dict("records"), start=1):
        dish = _parse_row({str(k): str(v) for k, v in rec.items()}, i, problems)
        if dish is None:
            continue
        if dish.id in seen:
            problems.append(Problem(f"duplicate id '{dish.id}' (first on row {seen[dish.id]})",
                                    i, "id"))
            continue
        seen[dish.id] = i
        dishes.append(dish)
    table = DishTable(tuple(dishes), label)
    if foods is not None and not problems:
        problems += check_against(table, foods)
    if problems:
        raise DishTableError(label, problems)
    return table


def _check_header(cols: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    for c in sorted({c for c in cols if cols.count(c) > 1}):
        problems.append(Problem("column appears more than once", column=c))
    for c in DISH_COLUMNS:
        if c not in cols:
            problems.append(Problem("required column is missing", column=c))
    for c in cols:
        if c not in DISH_COLUMNS:
            problems.append(Problem(
                "unknown column (a dish table has exactly: " + ",".join(DISH_COLUMNS) + ")",
                column=c or None))
    return problems


def _parse_row(rec: dict[str, str], row: int, problems: list[Problem]) -> Dish | None:
    """One dish from its cells; appends every problem found and returns None if any."""
    start = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(Problem(message, row, column))

    did = rec["id"]
    if not did:
        bad("id", "id is empty")
    elif not SLUG.match(did):
        bad("id", f"malformed id '{did}': use lowercase letters, digits and single underscores")
    if not rec["name"]:
        bad("name", "name is empty")
    slots = split_list(rec["slots"])
    if not slots:
        bad("slots", "no meal slot: list at least one of " + ", ".join(sorted(_SLOTS)))
    elif slots - _SLOTS:
        bad("slots", f"unknown slot {', '.join(repr(s) for s in sorted(slots - _SLOTS))} "
                     f"(allowed: {', '.join(sorted(_SLOTS))})")
    role = rec["role"]
    if role not in DISH_ROLES:
        bad("role", f"unknown role '{role}' (allowed: {', '.join(DISH_ROLES)})")
    if not WORD.match(rec["cuisine"]):
        bad("cuisine", f"cuisine '{rec['cuisine']}' is not one word (lowercase letters and "
                       "underscores, e.g. 'japanese', 'middle_eastern')")
    if rec["method"] not in METHODS:
        bad("method", f"unknown method '{rec['method']}' (allowed: {', '.join(METHODS)})")
    minutes: dict[str, int] = {}
    for c in ("prep_minutes", "cook_minutes"):
        s = rec[c]
        if not re.fullmatch(r"\d+", s):
            bad(c, f"'{s}' is not a whole number of minutes (0 or more)")
        elif int(s) > MAX_MINUTES:
            bad(c, f"{s} minutes is more than a day (a typo?)")
        else:
            minutes[c] = int(s)
    scaling = rec["scaling"]
    if scaling not in SCALING_STEP:
        bad("scaling", f"unknown scaling '{scaling}' (allowed: {', '.join(SCALING_STEP)})")
    max_servings = _number(rec["max_servings"], "max_servings", row, problems)
    if max_servings is not None:
        step = SCALING_STEP.get(scaling, 0.5)
        if not MIN_SERVINGS <= max_servings <= MAX_SERVINGS:
            bad("max_servings", f"{max_servings:g} is outside {MIN_SERVINGS:g}-{MAX_SERVINGS:g}")
        elif scaling in SCALING_STEP and not _is_multiple(max_servings, step):
            bad("max_servings", f"{max_servings:g} is not a multiple of the {scaling} step "
                                f"({step:g} serving)")
    ingredients = _parse_ingredients(rec["ingredients"], row, problems)
    if len(problems) > start or max_servings is None:
        return None
    return Dish(id=did, name=rec["name"], slots=tuple(sorted(slots)), role=role,
                cuisine=rec["cuisine"], method=rec["method"],
                prep_minutes=minutes["prep_minutes"], cook_minutes=minutes["cook_minutes"],
                scaling=scaling, max_servings=max_servings, ingredients=ingredients,
                notes=rec["notes"])


def _is_multiple(x: float, step: float) -> bool:
    return abs(x / step - round(x / step)) < 1e-9


def _number(s: str, column: str, row: int, problems: list[Problem]) -> float | None:
    try:
        x = float(s)
    except ValueError:
        problems.append(Problem(f"'{s}' is not a number", row, column))
        return None
    if not math.isfinite(x):
        problems.append(Problem(f"'{s}' is not a finite number", row, column))
        return None
    return x


def _parse_ingredients(cell: str, row: int, problems: list[Problem]) -> tuple[Ingredient, ...]:
    col = "ingredients"
    parts = [p.strip() for p in cell.split(";") if p.strip()]
    out: list[Ingredient] = []
    seen: set[str] = set()
    for part in parts:
        words = part.split()
        if len(words) != 2:
            problems.append(Problem(f"'{part}' is not 'food_id grams' (e.g. 'banana 60')",
                                    row, col))
            continue
        fid, grams_text = words
        if not SLUG.match(fid):
            problems.append(Problem(f"malformed food id '{fid}' in '{part}'", row, col))
            continue
        try:
            grams = float(grams_text)
        except ValueError:
            problems.append(Problem(f"grams of '{fid}': '{grams_text}' is not a number",
                                    row, col))
            continue
        if not math.isfinite(grams) or grams <= 0:
            problems.append(Problem(f"grams of '{fid}' must be > 0 (got '{grams_text}')",
                                    row, col))
            continue
        if grams > MAX_INGREDIENT_G:
            problems.append(Problem(f"{grams_text} g of '{fid}' in one serving is above "
                                    f"{MAX_INGREDIENT_G:g} g (a typo?)", row, col))
            continue
        if fid in seen:
            problems.append(Problem(f"food '{fid}' is listed twice: give its grams once",
                                    row, col))
            continue
        seen.add(fid)
        out.append(Ingredient(fid, grams))
    if not MIN_INGREDIENTS <= len(parts) <= MAX_INGREDIENTS:
        problems.append(Problem(f"{len(parts)} ingredients: a dish has {MIN_INGREDIENTS}-"
                                f"{MAX_INGREDIENTS}", row, col))
    return tuple(out)


def check_against(dishes: DishTable, foods: FoodTable) -> list[Problem]:
    """The rules that need the food table; an empty list when the dishes fit it.

    Checks: every ingredient is a food of ``foods`` (an unknown id suggests the closest
    ids); no dish id is a food id; no raw egg; at most :data:`MAX_FAT_G` of foods of kind
    ``fat`` (oil, butter, cream) per serving; natto only as one pack (40-50 g).

    Args:
        dishes: the dish table.
        foods: the food table the dishes are made from.

    Returns:
        Every problem, each with the dish's row and column.
    """
    problems: list[Problem] = []
    has_kind = "kind" in foods.df.columns
    for row, d in enumerate(dishes.dishes, start=1):
        if foods.has(d.id):
            problems.append(Problem(f"dish id '{d.id}' is also a food id: rename the dish",
                                    row, "id"))
        fat = 0.0
        for ing in d.ingredients:
            if not foods.has(ing.food_id):
                problems.append(Problem(f"unknown food id '{ing.food_id}'"
                                        + _suggest(ing.food_id, foods), row, "ingredients"))
                continue
            if ing.food_id in RAW_EGG_IDS or "raw_animal" in foods.list_of(ing.food_id, "flags"):
                problems.append(Problem(f"'{ing.food_id}' is a raw egg (or raw animal food): "
                                        "use a cooked egg", row, "ingredients"))
            if has_kind and str(foods.df.at[ing.food_id, "kind"]) == "fat":
                fat += ing.grams
            if ing.food_id == NATTO_ID:
                lo, hi = NATTO_PACK_G
                if not lo <= ing.grams <= hi:
                    problems.append(Problem(f"natto {ing.grams:g} g: use one pack "
                                            f"({lo:g}-{hi:g} g)", row, "ingredients"))
        if fat > MAX_FAT_G:
            problems.append(Problem(f"{fat:g} g of oil, butter or cream per serving: at most "
                                    f"{MAX_FAT_G:g} g", row, "ingredients"))
    return problems


def _resolve(dishes: DishTable, foods: FoodTable) -> None:
    problems = [Problem(f"unknown food id '{i.food_id}'"
                        + _suggest(i.food_id, foods), row, "ingredients")
                for row, d in enumerate(dishes.dishes, start=1)
                for i in d.ingredients if not foods.has(i.food_id)]
    if problems:
        raise DishTableError(dishes.source, problems)


def _suggest(food_id: str, foods: FoodTable) -> str:
    close = difflib.get_close_matches(food_id, foods.ids, n=3, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def grams_by_kind(parts: Iterable[tuple[str, float]], foods: FoodTable) -> dict[str, float]:
    """Grams of each food kind in (food id, grams) parts: a food the table lacks, or whose
    kind is not stated, counts under ``""``; natto counts under its kind and also under the
    pseudo-kind ``"natto"`` (its weekly pack count and "never alone" read it)."""
    has_kind = "kind" in foods.df.columns
    out: dict[str, float] = {}
    for fid, grams in parts:
        kind = (next(iter(foods.list_of(fid, "kind")), "")
                if has_kind and foods.has(fid) else "")
        out[kind] = out.get(kind, 0.0) + grams
        if fid == NATTO_ID:
            out[NATTO_ID] = out.get(NATTO_ID, 0.0) + grams
    return out


def kind_grams(dish: Dish, foods: FoodTable) -> dict[str, float]:
    """Grams of each food kind in one serving (:func:`grams_by_kind` of its ingredients).

    Raises:
        KeyError: naming an ingredient that is not in ``foods``.
    """
    for ing in dish.ingredients:
        foods.row(ing.food_id)  # KeyError naming the id
    return grams_by_kind(((i.food_id, i.grams) for i in dish.ingredients), foods)


# Unknown counts as 0 in a dish for these columns, as it does for the planner and for the
# loader's total vitamin K: long-chain K2 is confined to fermented and animal foods, whose
# values the table carries. A dish is unknown only when every ingredient is.
ZERO_WHEN_UNKNOWN: frozenset[str] = frozenset({"k2_ug", "k2_low_ug", "k2_high_ug"})


def _per_100g(dishes: DishTable, foods: FoodTable, columns: list[str]) -> pd.DataFrame:
    """Per 100 g of each dish: sum(value per 100 g x grams / 100) / dish grams x 100 for each
    column; NaN where any ingredient's value is unknown (or the table lacks the column),
    except for :data:`ZERO_WHEN_UNKNOWN` columns (NaN only when every ingredient is)."""
    used = list(dict.fromkeys(i.food_id for d in dishes.dishes for i in d.ingredients))
    col_of = {f: j for j, f in enumerate(used)}
    share = np.zeros((len(dishes), len(used)))
    for r, d in enumerate(dishes.dishes):
        for i in d.ingredients:
            share[r, col_of[i.food_id]] = i.grams / d.grams
    present = [c for c in columns if c in foods.df.columns]
    values = foods.df.loc[used, present].to_numpy(dtype=float)
    unknown = np.isnan(values)
    out = share @ np.where(unknown, 0.0, values)
    used_n = (share > 0).astype(float)
    n_unknown = used_n @ unknown.astype(float)
    zero_ok = np.array([c in ZERO_WHEN_UNKNOWN for c in present], dtype=bool)
    all_unknown = n_unknown >= used_n.sum(axis=1, keepdims=True) - 1e-9
    out[(n_unknown > 0) & (~zero_ok | all_unknown)] = np.nan
    frame = pd.DataFrame(out, columns=present, index=dishes.ids)
    for c in columns:
        if c not in present:
            frame[c] = np.nan
    return frame[columns]


def _k2_ends(dishes: DishTable, foods: FoodTable) -> pd.DataFrame:
    """K2 per 100 g at each end of the range: an ingredient without a range counts its
    central value (unknown: 0, see :data:`ZERO_WHEN_UNKNOWN`); NaN when no ingredient has a
    range."""
    ends = ["k2_low_ug", "k2_high_ug"]
    df = foods.df
    if "k2_ug" not in df.columns or not set(ends) <= set(df.columns):
        return pd.DataFrame(np.nan, index=dishes.ids, columns=ends)
    filled = pd.DataFrame({e: df[e].fillna(df["k2_ug"]) for e in ends}, index=df.index)
    totals = _per_100g(dishes, FoodTable(filled, foods.source, ()), ends)
    has_range = (df["k2_low_ug"].notna() | df["k2_high_ug"].notna()).to_dict()
    ranged = [any(has_range[i.food_id] for i in d.ingredients) for d in dishes.dishes]
    totals.loc[[not r for r in ranged], :] = np.nan
    return totals


def dish_foods(dishes: DishTable, foods: FoodTable) -> FoodTable:
    """The dishes as a food table, one row per dish, to merge with ``foods`` and plan.

    Every nutrient of ``foods.nutrients`` (derived ones included) per 100 g of dish is
    ``sum(value per 100 g x grams / 100) / dish grams x 100`` over the ingredients, and
    unknown (NaN) when any ingredient's value is unknown. Diet tags are those every
    ingredient has; allergens and warning flags (:data:`INHERITED_FLAGS`) those any
    ingredient has; ``main`` is added for roles main and meal. One unit is a serving (half
    a serving when ``scaling`` is half): ``min_portions`` is one serving, ``max_portions``
    ``max_servings``. Extra columns: ``dish_role``, ``cuisine``, ``method`` (text) and
    ``prep_minutes``, ``cook_minutes`` (numbers). ``kind`` is ``dish``.

    Args:
        dishes: the dish table.
        foods: the food table the dishes are made from.

    Returns:
        A :class:`FoodTable` with the columns of ``foods`` plus the dish columns.

    Raises:
        DishTableError: naming every ingredient that is not in ``foods``.
    """
    _resolve(dishes, foods)
    per_100g = _per_100g(dishes, foods, [*foods.nutrients, "price_per_100g"])
    k2_ends = _k2_ends(dishes, foods)
    values: dict[str, dict[str, object]] = {
        str(k): {str(c): v for c, v in row.items()}
        for k, row in pd.concat([per_100g, k2_ends], axis=1).to_dict("index").items()}
    used = list(dict.fromkeys(i.food_id for d in dishes.dishes for i in d.ingredients))
    cells = {c: (foods.df.loc[used, c].fillna("").astype(str).to_dict()
                if c in foods.df.columns else dict.fromkeys(used, ""))
            for c in ("k2_source", "diet_tags", "allergens", "flags")}
    words = {c: {str(f): split_list(v) for f, v in cells[c].items()}
             for c in ("diet_tags", "allergens", "flags")}
    records: list[dict[str, object]] = []
    for d in dishes.dishes:
        ids = [i.food_id for i in d.ingredients]
        step = SCALING_STEP[d.scaling]
        unit_g = d.grams * step
        half = step != 1.0
        rec: dict[str, object] = {
            "id": d.id,
            "name": d.name,
            "ndb_number": "",
            "food_group": DISH_GROUP,
            "source": "dish: computed from SR28 foods " + ", ".join(ids),
            "notes": d.notes,
            "k2_source": "; ".join(dict.fromkeys(str(cells["k2_source"][f]) for f in ids
                                                 if cells["k2_source"][f])),
            "portion_name": f"{'1/2' if half else '1'} serving ({unit_g:.0f} g)",
        }
        rec.update(values[d.id])
        rec["portion_g"] = unit_g
        rec["min_portions"] = 1.0 / step
        rec["max_portions"] = d.max_servings / step
        tags = [words["diet_tags"][f] for f in ids]
        allergens: set[str] = set().union(*(words["allergens"][f] for f in ids))
        flags: set[str] = set().union(*(words["flags"][f] & INHERITED_FLAGS for f in ids))
        if d.role in MAIN_ROLES:
            flags.add("main")
        rec["slots"] = ";".join(sorted(d.slots))
        rec["diet_tags"] = ";".join(sorted(frozenset.intersection(*tags)))
        rec["allergens"] = ";".join(sorted(allergens))
        rec["flags"] = ";".join(sorted(flags))
        rec["kind"] = DISH_KIND
        rec["dish_role"] = d.role
        rec["cuisine"] = d.cuisine
        rec["method"] = d.method
        rec["prep_minutes"] = float(d.prep_minutes)
        rec["cook_minutes"] = float(d.cook_minutes)
        records.append(rec)
    columns = [c for c in foods.df.columns if c not in ("dish_role", "cuisine", "method",
                                                         "prep_minutes", "cook_minutes")]
    for extra in ("k2_low_ug", "k2_high_ug", "portion_g", "min_portions", "max_portions",
                  "price_per_100g", *LIST_COLUMNS, "dish_role", "cuisine", "method",
                  "prep_minutes", "cook_minutes"):
        if extra not in columns:
            columns.append(extra)
    df = pd.DataFrame.from_records(records, columns=columns) if records else pd.DataFrame(
        columns=columns)
    text = [c for c in columns if c in ("id", "name", "ndb_number", "food_group", "source",
                                        "notes", "k2_source", "portion_name", "dish_role",
                                        "cuisine", "method", *LIST_COLUMNS)]
    numeric = [c for c in columns if c not in text]
    df[numeric] = df[numeric].astype(float)
    for c in text:
        df[c] = df[c].astype(foods.df["id"].dtype if "id" in foods.df.columns else "str")
    df = df.set_index("id", drop=False)
    df.index.name = None
    return FoodTable(df, f"dishes ({dishes.source})", foods.nutrients)

