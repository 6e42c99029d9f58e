"""Writing food tables: row helpers, atomic CSV writes, appends and multi-table loading.

Rows here are plain mappings from column name to value (``FoodRow``): text columns hold
``str``, numeric columns ``float``, and ``None`` (or NaN, or ``""``) means *unknown*, which
the CSV stores as an empty cell (never as zero). Everything written goes through
:func:`write_csv_atomic` (write a temporary file beside the target, then ``os.replace``), so
a failure leaves the previous file untouched. Before a table is written it is validated with
:func:`mealplan.foods.validate_frame`, so nothing invalid ever reaches the disk.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from .errors import FoodTableError, Problem
from .fileio import check_output_path, locked, read_bytes_limited, write_text_atomic
from .foods import (
    GRAM_UNIT,
    FoodTable,
    load_default_table,
    load_food_table,
    merge_tables,
    parse_food_csv,
    read_csv_cells,
    validate_frame,
)
from .units import ALLERGENS, NUTRIENTS, MealSlot

__all__ = [
    "ALL_ALLERGENS",
    "ALL_SLOTS",
    "TABLE_COLUMNS",
    "FoodRow",
    "append_rows",
    "format_cell",
    "formula_safe",
    "load_tables",
    "portion_bounds",
    "rows_to_frame",
    "slugify",
    "write_csv_atomic",
]

FoodRow = dict[str, str | float | None]

ALL_SLOTS = ";".join(s.value for s in MealSlot)
# Imported foods whose allergens nobody has checked list every allergen: the allergen filter
# drops a food that lists an excluded allergen, so "unknown" must not read as "none".
ALL_ALLERGENS = ";".join(sorted(ALLERGENS))

# The column order of tables this module writes (same columns as the shipped table).
TABLE_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "ndb_number",
    "food_group",
    "source",
    *NUTRIENTS,
    "k2_source",
    "portion_name",
    "portion_g",
    "min_portions",
    "max_portions",
    "slots",
    "diet_tags",
    "allergens",
    "kind",
    "flags",
    "notes",
)

# A household portion heavier than this is not a sensible planning unit ("1 pie", "1 turkey").
MAX_PORTION_G = 400.0
_GRAMS_PER_MEAL_ITEM = 300.0  # roughly what one meal item may weigh at most


def slugify(text: str, *, max_len: int = 48) -> str:
    """A food-id slug: lowercase ASCII letters and digits joined by single underscores.

    Accents are folded (``crème`` -> ``creme``); the slug is cut at a word boundary to at
    most ``max_len`` characters.

    Args:
        text: any description, e.g. ``"Bananas, raw"``.
        max_len: the longest slug returned.

    Returns:
        The slug (``"bananas_raw"``), or ``"food"`` when nothing usable is left.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    out: list[str] = []
    length = 0
    for w in words:
        extra = len(w) + (1 if out else 0)
        if length + extra > max_len:
            if not out:
                out.append(w[:max_len])
            break
        out.append(w)
        length += extra
    return "_".join(out) or "food"


def portion_bounds(portion_g: float) -> tuple[float, float]:
    """Default ``(min_portions, max_portions)`` for one meal item of a household portion.

    At least one portion; at most as many as make about 300 g, but never fewer than 2 nor
    more than 8 (so "1 tbsp" butter allows 8 tbsp and "1 cup" milk 2 cups). Foods planned in
    grams (``portion_g == 1``) get the loader's gram defaults (10 to 500 g).

    Args:
        portion_g: grams of one household portion (> 0).

    Returns:
        The two bounds as floats.
    """
    if portion_g == GRAM_UNIT[1]:
        return GRAM_UNIT[2], GRAM_UNIT[3]
    most = math.ceil(_GRAMS_PER_MEAL_ITEM / portion_g)
    return 1.0, float(min(8, max(2, most)))


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading ``= + - @``, tab or CR gets a ``'``.

    Numbers are left alone (``-5`` is not a formula); only text cells need this.

    Args:
        text: a cell's text.

    Returns:
        ``text``, or ``"'" + text`` when a spreadsheet would run it as a formula.
    """
    if text.startswith(_FORMULA_START):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def format_cell(value: object) -> str:
    """Render one value for the CSV: unknown -> ``""``, floats without float noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        x = float(value)
        if math.isnan(x):
            return ""
        text = format(x, ".10g")
        return text
    return str(value).strip()


def rows_to_frame(rows: Iterable[Mapping[str, object]],
                  columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A frame of CSV strings from rows (what :func:`mealplan.foods.validate_frame` reads).

    Args:
        rows: food rows; a column a row lacks is written empty.
        columns: the column order; by default :data:`TABLE_COLUMNS` followed by any extra
            columns the rows carry, in first-seen order.

    Returns:
        A frame of ``str`` cells (object dtype), one row per input row.
    """
    rows = list(rows)
    if columns is None:
        extra: list[str] = []
        for r in rows:
            extra += [c for c in r if c not in TABLE_COLUMNS and c not in extra]
        columns = [*TABLE_COLUMNS, *extra]
    data = {c: [format_cell(r.get(c)) for r in rows] for c in columns}
    return pd.DataFrame(data, columns=list(columns), dtype=object)


def write_csv_atomic(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a frame of strings as UTF-8 CSV: temp file beside ``path``, then ``os.replace``.

    Args:
        frame: the table (written without its index).
        path: the target file; its directory must exist.

    Returns:
        The path written.

    Raises:
        FoodTableError: when the directory is missing or the file cannot be written (the
            previous file, if any, is left unchanged).
    """
    text = frame.to_csv(index=False, lineterminator="\n")
    return write_text_atomic(path, text, FoodTableError)


def _defaults_for_new_column(column: str, existing_cols: Sequence[str]) -> str:
    """What an existing row gets for a column it lacked: what the loader assumed for it."""
    had_portions = "portion_g" in existing_cols or "portion_name" in existing_cols
    if column == "portion_name":
        return GRAM_UNIT[0]
    if column == "portion_g":
        return format_cell(GRAM_UNIT[1])
    if column == "min_portions":
        return format_cell(1.0 if had_portions else GRAM_UNIT[2])
    if column == "max_portions":
        return format_cell(3.0 if had_portions else GRAM_UNIT[3])
    if column == "slots":
        return ALL_SLOTS
    return ""


def append_rows(path: str | Path, rows: Sequence[Mapping[str, object]]) -> FoodTable:
    """Append food rows to a user's table CSV, creating it if needed, atomically.

    The existing file is validated first; columns the new rows bring are added (existing
    rows get what the loader assumed for them before, e.g. portions in grams); the combined
    table is validated again before anything is written. An id that is already in the table
    is an error, never an overwrite.

    Args:
        path: the user's food table (CSV).
        rows: the new rows (see :data:`FoodRow`).

    Returns:
        The validated combined table as written.

    Raises:
        FoodTableError: the existing table is invalid, an id is already there or twice in
            ``rows``, a new row is invalid, or the file cannot be written. The file is then
            unchanged.
    """
    target = check_output_path(path, FoodTableError, replace_ok=False)
    with locked(target, FoodTableError):  # concurrent appends must not lose each other's rows
        return _append_locked(target, rows)


def _append_locked(target: Path, rows: Sequence[Mapping[str, object]]) -> FoodTable:
    label = str(target)
    new = rows_to_frame(rows)
    if target.exists():
        raw = read_bytes_limited(target, FoodTableError, what="CSV file")
        existing_table = parse_food_csv(raw, label)  # raises FoodTableError naming problems
        old = read_csv_cells(raw.decode("utf-8-sig"), label)
        problems = [Problem(f"food id '{fid}' is already in the table (row "
                            f"{existing_table.ids.index(fid) + 1}); not overwritten", column="id")
                    for fid in new["id"] if existing_table.has(fid)]
        if problems:
            raise FoodTableError(label, problems)
        old_cols = list(old.columns)
        columns = old_cols + [c for c in new.columns if c not in old_cols
                              and (new[c] != "").any()]
        for c in columns:
            if c not in old_cols:
                old[c] = _defaults_for_new_column(c, old_cols)
        new = new.reindex(columns=columns, fill_value="")
        combined = pd.concat([old[columns].astype(object), new.astype(object)],
                             ignore_index=True)
    else:
        combined = new
    table = validate_frame(combined.copy(), label)
    write_csv_atomic(combined, target)
    return table


def load_tables(paths: Sequence[str | Path], *, include_shipped: bool = True) -> FoodTable:
    """Load the shipped table and/or users' tables and merge them into one.

    Args:
        paths: user tables, in order (may be empty when ``include_shipped``).
        include_shipped: start from the shipped table.

    Returns:
        The merged table.

    Raises:
        FoodTableError: a table is invalid, or a food id is in two tables (the message names
            the id and both tables).
        ValueError: nothing to load (no paths and ``include_shipped`` False).
    """
    tables = [load_default_table()] if include_shipped else []
    tables += [load_food_table(p) for p in paths]
    if not tables:
        raise ValueError("load_tables needs at least one table")
    return tables[0] if len(tables) == 1 else merge_tables(tables)

