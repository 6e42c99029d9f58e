"""The food composition table: schema, loading, validation -> :class:`FoodTable`.

A food table is a CSV with one row per food and amounts per 100 g of edible portion.
Columns (all but ``id``, ``name`` and one nutrient are optional in a user's table):

- ``id``: unique slug (lowercase letters, digits, single underscores), e.g. ``banana_raw``.
- ``name``: display name. ``ndb_number``: USDA SR28 NDB number (5 digits) where it has one.
- ``food_group``, ``source`` (e.g. "USDA SR28 NDB 09040", "FDC 123456"), ``notes``.
- nutrient columns: any column whose name ends in its unit (``_kcal``, ``_g``, ``_mg``,
  ``_ug``), numeric, >= 0; empty means *unknown* (never read as zero).
- ``k2_source``: citation of the vitamin K2 value; ``k2_low_ug``/``k2_high_ug`` its range.
- ``portion_name``/``portion_g``: the household unit ("1 medium banana", 118); without them
  a food is planned in grams (unit "g", 1 g). ``min_portions``/``max_portions``: how many
  units one meal item may have.
- ``slots``, ``diet_tags``, ``allergens``, ``flags``: ``;``-separated words from
  :mod:`mealplan.units`. Missing ``slots`` means every slot.
- ``kind``: what the food is in a meal, one word of :data:`mealplan.units.KINDS` (``grain``,
  ``fruit``, ``fish``, ...); empty means not stated (meal patterns then cannot use it).
- ``price_per_100g``: optional, any currency, >= 0.

The loader derives ``net_carbs_g`` (carbs - fibre; fibre unknown counts as 0, so net carbs
are never underestimated) and ``vitamin_k_total_ug`` (K1 + K2: unknown when K1 is unknown;
unknown K2 counts as 0) and ``fruit_veg_g`` (grams of fruit and vegetables per 100 g, from
``kind``: see :data:`mealplan.units.FRUIT_VEG_WEIGHT`; unknown when the table has no ``kind``).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import pandas as pd

from .errors import FoodTableError, Problem
from .fileio import read_bytes_limited
from .units import (
    ALLERGENS,
    DIET_TAGS,
    FLAGS,
    FRUIT_VEG_WEIGHT,
    KINDS,
    NUTRIENTS,
    MealSlot,
    unit_of,
)

__all__ = [
    "LIST_COLUMNS",
    "META_COLUMNS",
    "FoodTable",
    "default_supplements_path",
    "default_table_path",
    "load_default_table",
    "load_food_table",
    "load_supplements",
    "merge_tables",
    "parse_food_csv",
    "read_csv_cells",
]

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
NDB_PATTERN = re.compile(r"^\d{5}$")

TEXT_COLUMNS = ("id", "name", "ndb_number", "food_group", "source", "notes", "k2_source",
                "portion_name")
NUMERIC_META = ("portion_g", "min_portions", "max_portions", "price_per_100g")
LIST_COLUMNS: dict[str, frozenset[str]] = {
    "slots": frozenset(s.value for s in MealSlot),
    "diet_tags": DIET_TAGS,
    "allergens": ALLERGENS,
    "flags": frozenset(FLAGS),
    "kind": frozenset(KINDS),
}
META_COLUMNS: frozenset[str] = frozenset(TEXT_COLUMNS) | frozenset(NUMERIC_META) | frozenset(
    LIST_COLUMNS
)
# Range columns of K2 are numeric with a unit but describe uncertainty, not a plannable total.
RANGE_COLUMNS: frozenset[str] = frozenset({"k2_low_ug", "k2_high_ug"})

GRAM_UNIT = ("g", 1.0, 10.0, 500.0)  # name, grams, min, max units for foods without portions
MAX_PORTION_COUNT = 1000
# Upper limits of numbers in a table. No food holds more than 100 g of anything per 100 g,
# nor more energy than pure fat (about 900 kcal); a value above these is a typo or a unit
# mix-up, and huge values (1e300) would break the solver's arithmetic.
MAX_PER_100G: dict[str, float] = {"kcal": 1000.0, "g": 100.0, "mg": 100_000.0,
                                  "µg": 100_000_000.0}
MAX_PORTION_G = 5000.0  # one household unit above 5 kg is not a meal item
MAX_PRICE = 1e7  # per 100 g, any currency
SHIPPED_LABEL = "shipped food table"


def default_table_path() -> Path:
    """Path of the shipped food table (package data, identical to ``foods/foods.csv``)."""
    return Path(str(resources.files("mealplan") / "data" / "foods.csv"))


def default_supplements_path() -> Path:
    """Path of the shipped supplements table (``foods/supplements.csv``)."""
    return Path(str(resources.files("mealplan") / "data" / "supplements.csv"))


@dataclass(frozen=True)
class FoodTable:
    """A validated food table. ``df`` is indexed by ``id``; treat it as read-only."""

    df: pd.DataFrame
    source: str
    nutrients: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.df)

    @property
    def ids(self) -> list[str]:
        """Food ids in table order."""
        return [str(i) for i in self.df.index]

    def has(self, food_id: str) -> bool:
        """Whether the table has this food id."""
        return food_id in self.df.index

    def row(self, food_id: str) -> pd.Series:
        """One food's row; raises KeyError naming the id if unknown."""
        if food_id not in self.df.index:
            raise KeyError(f"unknown food id '{food_id}'")
        row = self.df.loc[food_id]
        assert isinstance(row, pd.Series)  # ids are unique, so one row
        return row

    def value(self, food_id: str, nutrient: str) -> float:
        """Amount of ``nutrient`` per 100 g of ``food_id``; NaN when unknown."""
        value = self.df.at[food_id, nutrient]
        return float(value) if isinstance(value, int | float) else math.nan

    def list_of(self, food_id: str, column: str) -> frozenset[str]:
        """The words of a ``;``-list column (slots, diet_tags, allergens, flags); KeyError
        for an unknown food or column. Parsed once per table and column (the planner asks
        thousands of times a week)."""
        lists = self._lists.get(column)
        if lists is None:
            lists = {str(i): split_list(v) for i, v in self.df[column].items()}
            self._lists[column] = lists
        return lists[food_id]

    @cached_property
    def _lists(self) -> dict[str, dict[str, frozenset[str]]]:
        # a cache of parsed list columns (the table is read-only, see the class docstring)
        return {}

    def subset(self, ids: Iterable[str]) -> FoodTable:
        """A table of only these foods (in this table's order)."""
        keep = set(ids)
        return FoodTable(self.df[self.df.index.isin(keep)], self.source, self.nutrients)

    def without(self, ids: Iterable[str]) -> FoodTable:
        """A table without these foods."""
        drop = set(ids)
        return FoodTable(self.df[~self.df.index.isin(drop)], self.source, self.nutrients)


def split_list(value: object) -> frozenset[str]:
    """Parse a ``;``-separated cell into a set of words (empty or NaN -> empty set)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return frozenset()
    text = str(value).strip()
    if not text:
        return frozenset()
    return frozenset(w.strip() for w in text.split(";") if w.strip())


def load_default_table() -> FoodTable:
    """The shipped food table (named "shipped food table" in errors, not by its path)."""
    return load_food_table(default_table_path(), label=SHIPPED_LABEL)


def load_supplements() -> FoodTable:
    """The shipped supplements table (every row flagged ``supplement``)."""
    return load_food_table(default_supplements_path(), label="shipped supplements table")


def load_food_table(path: str | Path | None = None, *, label: str | None = None
                    ) -> FoodTable:
    """Load and validate a food table CSV (the shipped one when ``path`` is None).

    Args:
        path: a CSV file in the format of this module's docstring (at most
            :data:`mealplan.fileio.MAX_INPUT_BYTES`).
        label: how to name the table in errors and in ``FoodTable.source``; default the
            path (the shipped table: "shipped food table", never its install path).

    Returns:
        The validated :class:`FoodTable`.

    Raises:
        FoodTableError: listing every problem with its row and column.
    """
    p = default_table_path() if path is None else Path(path)
    if label is None:
        label = str(path) if path is not None else SHIPPED_LABEL
    try:
        raw = read_bytes_limited(p, FoodTableError, what="CSV file")
    except FoodTableError as exc:
        raise FoodTableError(label, list(exc.problems)) from None
    return parse_food_csv(raw, label)


def read_csv_cells(text: str, label: str) -> pd.DataFrame:
    """Read CSV text strictly into a frame of stripped strings (header -> columns).

    Every row must have as many fields as the header: a row with one more (a trailing
    comma, as spreadsheets write) or one fewer would otherwise shift its values into the
    wrong columns. Blank lines are skipped.

    Args:
        text: the CSV text (no BOM).
        label: the file's name for errors.

    Returns:
        A frame of ``str`` cells (object dtype) with the header's names, stripped.

    Raises:
        FoodTableError: naming every row whose field count differs from the header's,
            a malformed quote, and a file that looks semicolon-separated.
    """
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline=""), skipinitialspace=True,
                                      strict=True) if r]
    except csv.Error as exc:
        raise FoodTableError(label, [Problem(f"not a readable CSV: {exc}")]) from None
    if not rows:
        raise FoodTableError(label, [Problem("the file is empty")])
    header = [h.strip() for h in rows[0]]
    if len(header) == 1 and ";" in header[0]:
        raise FoodTableError(label, [Problem(
            "the header has no commas but has semicolons: the file seems to use ';' as the "
            "delimiter (a spreadsheet's regional setting); save it as comma-separated CSV")])
    problems = []
    for i, r in enumerate(rows[1:], start=1):
        if len(r) != len(header):
            hint = (" (a trailing comma?)" if len(r) == len(header) + 1 and not r[-1].strip()
                    else " (an unquoted comma inside a value?)" if len(r) > len(header)
                    else "")
            problems.append(Problem(
                f"has {len(r)} fields but the header has {len(header)}{hint}; values would "
                "land in the wrong columns", i))
    if problems:
        raise FoodTableError(label, problems)
    data = [[c.strip() for c in r] for r in rows[1:]]
    return pd.DataFrame(data or None, columns=header, dtype=object)


def parse_food_csv(raw: bytes, label: str) -> FoodTable:
    """Validate CSV bytes as a food table (see :func:`load_food_table`)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FoodTableError(
            label,
            [Problem(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); "
                     "save the file as UTF-8 CSV")],
        ) from None
    if not text.strip():
        raise FoodTableError(label, [Problem("the file is empty")])
    header = next(csv.reader(io.StringIO(text)), [])
    names = [h.strip() for h in header]
    dupes = sorted({h for h in names if h and names.count(h) > 1})
    if dupes:
        raise FoodTableError(label, [Problem("column appears more than once", column=c)
                                     for c in dupes])
    return validate_frame(read_csv_cells(text, label), label)


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def validate_frame(df: pd.DataFrame, label: str) -> FoodTable:
    """Validate a frame of strings (as read from CSV) and build the typed table."""
    problems: list[Problem] = []
    cols = list(df.columns)
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    for c in dupes:
        problems.append(Problem("column appears more than once", column=c))
    if dupes:
        raise FoodTableError(label, problems)
    for req in ("id", "name"):
        if req not in cols:
            problems.append(Problem("required column is missing", column=req))
    nutrient_cols: list[str] = []
    for c in cols:
        if c in META_COLUMNS:
            continue
        if c == "" or c.startswith("Unnamed:"):
            problems.append(Problem("a column has no name in the header"))
            continue
        if unit_of(c) is None:
            problems.append(Problem(
                "unknown column: not a known field and no unit suffix "
                "(_kcal, _g, _mg, _ug) to make it a nutrient", column=c))
            continue
        nutrient_cols.append(c)
    if not any(c not in RANGE_COLUMNS for c in nutrient_cols) and "id" in cols:
        problems.append(Problem("no nutrient column (a column ending in _kcal, _g, _mg or _ug)"))
    if len(df) == 0:
        problems.append(Problem("the table has a header but no food rows"))
    if problems:
        raise FoodTableError(label, problems)

    out = pd.DataFrame(index=range(len(df)))
    # ids
    ids = [str(v).strip() for v in df["id"]]
    seen: dict[str, int] = {}
    for i, fid in enumerate(ids, start=1):
        if not fid:
            problems.append(Problem("id is empty", i, "id"))
        elif not ID_PATTERN.match(fid):
            problems.append(Problem(
                f"malformed id '{fid}': use lowercase letters, digits and single underscores",
                i, "id"))
        elif fid in seen:
            problems.append(Problem(f"duplicate id '{fid}' (first on row {seen[fid]})", i, "id"))
        else:
            seen[fid] = i
    out["id"] = ids
    for c in TEXT_COLUMNS:
        if c == "id":
            continue
        values = [str(v).strip() for v in df[c]] if c in cols else [""] * len(df)
        out[c] = values
    for i, name in enumerate(out["name"], start=1):
        if not name:
            problems.append(Problem("name is empty", i, "name"))
    for i, ndb in enumerate(out["ndb_number"], start=1):
        if ndb and not NDB_PATTERN.match(ndb):
            problems.append(Problem(f"ndb_number '{ndb}' is not 5 digits", i, "ndb_number"))

    def numeric(col: str, *, required: bool, most: float) -> list[float]:
        vals: list[float] = []
        for i, v in enumerate(df[col], start=1):
            s = str(v).strip()
            if s == "":
                if required:
                    problems.append(Problem("value is required", i, col))
                vals.append(math.nan)
                continue
            try:
                x = float(s)
            except ValueError:
                problems.append(Problem(f"'{s}' is not a number", i, col))
                vals.append(math.nan)
                continue
            if math.isnan(x) or math.isinf(x):
                problems.append(Problem(f"'{s}' is not a finite number", i, col))
                vals.append(math.nan)
            elif x < 0:
                problems.append(Problem(f"negative value {s}", i, col))
                vals.append(math.nan)
            elif x > most:
                problems.append(Problem(f"{s} is above {most:g}, the most possible here "
                                        "(a typo or a unit mix-up?)", i, col))
                vals.append(math.nan)
            else:
                vals.append(x)
        return vals

    for c in nutrient_cols:
        out[c] = numeric(c, required=False, most=MAX_PER_100G.get(unit_of(c) or "", math.inf))

    has_portions = "portion_g" in cols or "portion_name" in cols
    if has_portions:
        if "portion_g" not in cols:
            problems.append(Problem("portion_name given without portion_g", column="portion_g"))
            out["portion_g"] = math.nan
        else:
            out["portion_g"] = numeric("portion_g", required=True, most=MAX_PORTION_G)
            for i, g in enumerate(out["portion_g"], start=1):
                if g == 0:
                    problems.append(Problem("portion grams must be > 0", i, "portion_g"))
        if "portion_name" not in cols:
            # grams alone: name the unit after its weight ("30 g")
            out["portion_name"] = [f"{g:g} g" if not math.isnan(g) else ""
                                   for g in out["portion_g"]]
        else:
            for i, n in enumerate(out["portion_name"], start=1):
                if not n:
                    problems.append(Problem("portion_name is empty", i, "portion_name"))
    else:
        out["portion_name"] = GRAM_UNIT[0]
        out["portion_g"] = GRAM_UNIT[1]
    for c, default in (("min_portions", GRAM_UNIT[2] if not has_portions else 1.0),
                       ("max_portions", GRAM_UNIT[3] if not has_portions else 3.0)):
        if c in cols:
            out[c] = numeric(c, required=True, most=math.inf)  # checked below
        else:
            out[c] = default
    for i, (lo, hi) in enumerate(zip(out["min_portions"], out["max_portions"], strict=True),
                                 start=1):
        if not (math.isnan(lo) or math.isnan(hi)):
            if lo > hi:
                problems.append(Problem(
                    f"min_portions {lo:g} is greater than max_portions {hi:g}", i, "min_portions"))
            if hi == 0:
                problems.append(Problem("max_portions must be > 0", i, "max_portions"))
            if hi > MAX_PORTION_COUNT:
                problems.append(Problem(f"max_portions above {MAX_PORTION_COUNT}", i,
                                        "max_portions"))
    out["price_per_100g"] = (numeric("price_per_100g", required=False, most=MAX_PRICE)
                             if "price_per_100g" in cols else math.nan)

    for c, allowed in LIST_COLUMNS.items():
        if c not in cols:
            out[c] = ";".join(s.value for s in MealSlot) if c == "slots" else ""
            continue
        cells = []
        for i, v in enumerate(df[c], start=1):
            words = split_list(v)
            bad = sorted(words - allowed)
            if bad:
                problems.append(Problem(
                    f"unknown {c[:-1] if c.endswith('s') else c} {', '.join(repr(b) for b in bad)}"
                    f" (allowed: {', '.join(sorted(allowed))})", i, c))
            if c == "kind" and len(words) > 1:
                problems.append(Problem("kind is one word, e.g. 'fruit' or 'fish'", i, c))
            if c == "slots" and not words:
                problems.append(Problem("no meal slot: list at least one of "
                                        + ", ".join(sorted(allowed)), i, c))
            cells.append(";".join(sorted(words)))
        out[c] = cells

    if problems:
        raise FoodTableError(label, problems)

    _derive(out, nutrient_cols)
    derived = [c for c in ("net_carbs_g", "vitamin_k_total_ug", "vitamin_k_total_low_ug",
                           "vitamin_k_total_high_ug", "fruit_veg_g") if c in out.columns
               and c not in nutrient_cols]
    # k2_low_ug/k2_high_ug stay in the frame but are not plannable nutrients.
    ordered = [c for c in NUTRIENTS if c in nutrient_cols] + [
        c for c in nutrient_cols if c not in NUTRIENTS and c not in RANGE_COLUMNS] + derived
    out = out.set_index("id", drop=False)
    out.index.name = None
    return FoodTable(out, label, tuple(ordered))


def _derive(out: pd.DataFrame, nutrient_cols: Sequence[str]) -> None:
    if "carbs_g" in nutrient_cols and "net_carbs_g" not in nutrient_cols:
        fiber = out["fiber_g"].fillna(0.0) if "fiber_g" in nutrient_cols else 0.0
        out["net_carbs_g"] = (out["carbs_g"] - fiber).clip(lower=0.0)
    if "vitamin_k1_ug" in nutrient_cols and "vitamin_k_total_ug" not in nutrient_cols:
        # Unknown K1 makes the total unknown; unknown K2 counts as 0 (long-chain K2 is
        # confined to fermented and animal foods, whose values the table carries).
        k2 = out["k2_ug"].fillna(0.0) if "k2_ug" in nutrient_cols else 0.0
        out["vitamin_k_total_ug"] = out["vitamin_k1_ug"] + k2
        # The same total at the low and the high end of each food's K2 range (warfarin: the
        # clinician's band must hold whichever end is true); no range: the central value.
        for end in ("low", "high"):
            col = f"k2_{end}_ug"
            k2_end = out[col].fillna(k2) if col in out.columns else k2
            out[f"vitamin_k_total_{end}_ug"] = out["vitamin_k1_ug"] + k2_end
    # a table that gives the total itself: no range known, both ends are the total
    _k_range_from_total(out)
    if "fruit_veg_g" not in nutrient_cols and (out["kind"] != "").any():
        out["fruit_veg_g"] = _fruit_veg(out["kind"])


def _fruit_veg(kinds: pd.Series) -> pd.Series:
    """Grams of fruit and vegetables per 100 g from each food's kind (NaN: kind not stated)."""
    return kinds.map(lambda k: math.nan if not k else 100.0 * FRUIT_VEG_WEIGHT.get(str(k), 0.0))


def merge_tables(tables: Sequence[FoodTable]) -> FoodTable:
    """Combine tables (e.g. shipped + a user's); a food id in two tables is an error.

    Raises:
        FoodTableError: naming every clashing id and the tables it is in.
    """
    if not tables:
        raise ValueError("merge_tables needs at least one table")
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for t in tables:
        for fid in t.ids:
            if fid in owner:
                problems.append(Problem(
                    f"food id '{fid}' is in both {owner[fid]} and {t.source}", column="id"))
            else:
                owner[fid] = t.source
    if problems:
        raise FoodTableError(" + ".join(t.source for t in tables), problems)
    df = pd.concat([t.df for t in tables], axis=0, sort=False)
    nutrients: list[str] = []
    for t in tables:
        nutrients += [n for n in t.nutrients if n not in nutrients]
    for c, _ in LIST_COLUMNS.items():
        df[c] = df[c].fillna("")
    _k_range_from_total(df)
    return FoodTable(df, " + ".join(t.source for t in tables), tuple(nutrients))


def _k_range_from_total(df: pd.DataFrame) -> None:
    """Rows that give total vitamin K but no range (a user's table, or its rows after a
    merge): both ends of the range are the total."""
    if "vitamin_k_total_ug" not in df.columns:
        return
    total = df["vitamin_k_total_ug"]
    for end in ("low", "high"):
        col = f"vitamin_k_total_{end}_ug"
        df[col] = df[col].fillna(total) if col in df.columns else total
