"""How each food is bought: the purchase table -> :class:`PurchaseTable`. No plan logic here.

A purchase table is a UTF-8 CSV (``foods/purchase.csv``; format, sources and rules in
``foods/PURCHASE.md``) with one row per food and exactly these columns::

    id,purchase_key,item,section,unit,pack_g,pack_source,box,unit_g,unit_source,
    cooked_weight,notes

- ``id``: a food id of the food table (or of the supplements table), once.
- ``purchase_key``: a slug; foods that are one purchase share it (every egg style -> ``egg``,
  salted and unsalted butter -> ``butter``). The columns ``item`` to ``box`` describe the
  purchase and must be the same on every row of one key.
- ``item``: the name on the shopping list ("Eggs", "Salmon fillet").
- ``section``: the store section, one of :data:`SECTIONS`.
- ``unit``: what the shop sells, singular: a container (``pack``, ``bag``, ``tub``,
  ``block``, ``loaf``, ``jar``, ``tin``, ``bottle`` ...; see :data:`CONTAINERS`), ``litre``,
  a piece noun (``egg``, ``banana``, ``fillet``), or ``g`` (sold loose by weight).
- ``pack_g``: grams of one unit as sold (for ``g``: the step the list rounds up to, e.g.
  100); for a piece, a typical piece.
- ``pack_source``: where ``pack_g`` comes from: ``retail`` (a retail convention) or an SR28
  household portion, ``SR28 <NDB> seq <Seq>`` (its grams divided by its amount), optionally
  ``x <factor>`` for a unit conversion (``SR28 01077 seq 4 x 1.05669``: a quart -> a litre).
- ``box``: empty, or how the units are sold together: ``box of 6`` (eggs), ``pack of 3``.
- ``unit_g``: grams of THIS food, as it is eaten, that one unit gives, when that differs
  from ``pack_g`` (one large egg fried is 46 g); ``unit_source`` says where it comes from
  (the same forms as ``pack_source``).
- ``cooked_weight``: ``yes`` when the food's grams are a cooked weight, the unit is sold
  raw or dry, and no table gives the yield: the list counts the cooked weight as if bought
  and says so ("cooked weight"). Never together with ``unit_g``.
- ``notes``: free text.

:func:`check_against` reports rows whose id is not a known food. Only the loader reads the
file; :func:`shipped_purchases` loads the shipped table once per process.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import FoodTableError, Problem, PurchaseTableError
from .fileio import read_bytes_limited
from .foods import read_csv_cells
from .household import GRAM_UNIT

__all__ = [
    "CONTAINERS",
    "PURCHASE_COLUMNS",
    "SECTIONS",
    "Purchase",
    "PurchaseTable",
    "check_against",
    "default_purchases_path",
    "load_purchases",
    "parse_purchase_csv",
    "purchase_key",
    "section_label",
    "shipped_purchases",
]

PURCHASE_COLUMNS: tuple[str, ...] = (
    "id", "purchase_key", "item", "section", "unit", "pack_g", "pack_source", "box",
    "unit_g", "unit_source", "cooked_weight", "notes",
)
KEY_COLUMNS: tuple[str, ...] = ("item", "section", "unit", "pack_g", "pack_source", "box")
# Store sections in the order a shopper walks them; slug -> heading.
SECTIONS: dict[str, str] = {
    "produce": "Produce",
    "bakery": "Bakery",
    "meat_fish": "Meat & fish",
    "dairy_eggs": "Dairy & eggs",
    "chilled": "Chilled (tofu, natto, dips)",
    "frozen": "Frozen",
    "grains_pasta": "Grains, pasta & dried pulses",
    "cereals": "Breakfast cereals",
    "tins_jars": "Tins, jars & packets",
    "nuts_dried_fruit": "Nuts & dried fruit",
    "oils_condiments": "Oils & condiments",
    "sweets_baking": "Sweets & baking",
    "drinks": "Drinks & plant milks",
    "supplements": "Supplements",
    "other": "Other",
}
# Units whose contents are measured in grams (a leftover is "120 g", not "1/2 bag").
CONTAINERS: frozenset[str] = frozenset({
    "bag", "ball", "bar", "block", "bottle", "box", "bunch", "carton", "head", "jar", "loaf",
    "log", "pack", "packet", "pouch", "punnet", "tin", "tub", "wedge",
})
WEIGHT_UNIT = GRAM_UNIT  # sold loose by weight
VOLUME_UNITS: frozenset[str] = frozenset({"litre"})
MAX_PACK_G = 10_000.0  # one unit above 10 kg is a typo
SHIPPED_LABEL = "shipped purchase table"
SLUG = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
UNIT = re.compile(r"^[a-z]+(?: [a-z]+)*$")
BOX = re.compile(r"^(?P<name>[a-z]+) of (?P<count>[0-9]+)$")
SOURCE = re.compile(r"^(?:retail|SR28 (?P<ndb>\d{5}) seq (?P<seq>\d+)"
                    r"(?: x (?P<factor>\d+(?:\.\d+)?))?)$")


def section_label(section: str) -> str:
    """The heading of a section slug ("dairy_eggs" -> "Dairy & eggs")."""
    return SECTIONS.get(section, section)


@dataclass(frozen=True)
class Purchase:
    """How one food is bought: its purchase and how many grams of it one unit gives."""

    food_id: str
    key: str
    item: str
    section: str
    unit: str
    pack_g: float
    pack_source: str
    box_name: str  # "" when sold singly
    box: int  # units sold together (1 when sold singly)
    unit_g: float  # grams of this food, as eaten, per unit (pack_g unless stated)
    unit_source: str
    cooked_weight: bool
    notes: str = ""

    @property
    def by_weight(self) -> bool:
        """Sold loose by weight (``unit`` ``g``, in steps of ``pack_g``)."""
        return self.unit == WEIGHT_UNIT

    @property
    def measured(self) -> bool:
        """Whether what is left is told in grams (containers, litres, loose) not pieces."""
        return self.by_weight or self.unit in CONTAINERS or self.unit in VOLUME_UNITS


@dataclass(frozen=True)
class PurchaseTable:
    """A validated purchase table (one row per food id, in file order)."""

    rows: tuple[Purchase, ...]
    source: str

    def __len__(self) -> int:
        return len(self.rows)

    @functools.cached_property
    def _by_id(self) -> Mapping[str, Purchase]:
        return {p.food_id: p for p in self.rows}

    def get(self, food_id: str) -> Purchase | None:
        """The row of ``food_id``, or None when the table does not list it."""
        return self._by_id.get(food_id)

    @property
    def ids(self) -> list[str]:
        """Food ids in file order."""
        return [p.food_id for p in self.rows]


def default_purchases_path() -> Path:
    """Path of the shipped purchase table (package data, identical to ``foods/purchase.csv``)."""
    return Path(str(resources.files("mealplan") / "data" / "purchase.csv"))


@functools.lru_cache(maxsize=1)
def shipped_purchases() -> PurchaseTable:
    """The shipped purchase table, loaded once per process (a read-only value)."""
    return load_purchases(default_purchases_path(), label=SHIPPED_LABEL)


def purchase_key(food_id: str, table: PurchaseTable | None = None) -> str:
    """What a cook buys for ``food_id``: its purchase key (every egg style is "egg"), or the
    food id itself for a food the table does not list (a user's food).

    Args:
        food_id: a food id.
        table: the purchase table; None: the shipped one.
    """
    row = (table if table is not None else shipped_purchases()).get(food_id)
    return row.key if row is not None else food_id


def load_purchases(path: str | Path, *, label: str | None = None) -> PurchaseTable:
    """Load and validate a purchase table CSV.

    Args:
        path: a CSV file in the format of this module's docstring.
        label: how to name the table in errors and in ``PurchaseTable.source``; default the
            path.

    Returns:
        The validated :class:`PurchaseTable`.

    Raises:
        PurchaseTableError: listing every problem with its row and column.
    """
    name = str(path) if label is None else label
    try:
        raw = read_bytes_limited(path, PurchaseTableError, what="CSV file")
    except PurchaseTableError as exc:
        raise PurchaseTableError(name, list(exc.problems)) from None
    return parse_purchase_csv(raw, name)


def parse_purchase_csv(data: bytes, label: str) -> PurchaseTable:
    """Validate CSV bytes as a purchase table (see :func:`load_purchases`).

    Args:
        data: the file's bytes (UTF-8, a BOM is allowed).
        label: the file's name for errors and ``PurchaseTable.source``.

    Returns:
        The validated :class:`PurchaseTable`.

    Raises:
        PurchaseTableError: every problem at once, each naming its row and column.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PurchaseTableError(label, [Problem(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
            "save the file as UTF-8 CSV")]) from None
    if not text.strip():
        raise PurchaseTableError(label, [Problem("the file is empty")])
    try:
        cells = read_csv_cells(text, label)
    except FoodTableError as exc:
        raise PurchaseTableError(label, list(exc.problems)) from None
    problems = _check_header(list(cells.columns))
    if not problems and len(cells) == 0:
        problems.append(Problem("the table has a header but no rows"))
    if problems:
        raise PurchaseTableError(label, problems)
    rows: list[Purchase] = []
    seen: dict[str, int] = {}
    first_of_key: dict[str, tuple[int, dict[str, str]]] = {}
    for i, rec in enumerate(cells.to_dict("records"), start=1):
        cells_i = {str(k): str(v) for k, v in rec.items()}
        row = _parse_row(cells_i, i, problems)
        if row is None:
            continue
        if row.food_id in seen:
            problems.append(Problem(
                f"duplicate id '{row.food_id}' (first on row {seen[row.food_id]})", i, "id"))
            continue
        seen[row.food_id] = i
        if row.key in first_of_key:
            j, ref = first_of_key[row.key]
            problems += [Problem(
                f"purchase key '{row.key}' has {c} '{ref[c]}' on row {j}, '{cells_i[c]}' here: "
                "rows of one purchase must agree", i, c)
                for c in KEY_COLUMNS if cells_i[c] != ref[c]]
        else:
            first_of_key[row.key] = (i, cells_i)
        rows.append(row)
    if problems:
        raise PurchaseTableError(label, problems)
    return PurchaseTable(tuple(rows), label)


def check_against(table: PurchaseTable, food_ids: Iterable[str]) -> list[Problem]:
    """Rows of ``table`` whose id is not a known food (each with a "did you mean").

    Args:
        table: a purchase table.
        food_ids: every known food id (the food table's and the supplements').

    Returns:
        One problem per unknown id, naming its row and the ``id`` column.
    """
    known = list(dict.fromkeys(food_ids))
    known_set = set(known)
    problems: list[Problem] = []
    for i, p in enumerate(table.rows, start=1):
        if p.food_id not in known_set:
            near = difflib.get_close_matches(p.food_id, known, n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            problems.append(Problem(f"unknown food id '{p.food_id}'{hint}", i, "id"))
    return problems


def _check_header(cols: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    for c in sorted({c for c in cols if cols.count(c) > 1}):
        problems.append(Problem("column appears more than once", column=c))
    for c in PURCHASE_COLUMNS:
        if c not in cols:
            problems.append(Problem("required column is missing", column=c))
    for c in cols:
        if c not in PURCHASE_COLUMNS:
            problems.append(Problem(
                "unknown column (a purchase table has exactly: " + ",".join(PURCHASE_COLUMNS)
                + ")", column=c or None))
    return problems


def _grams(s: str, column: str, row: int, problems: list[Problem]) -> float | None:
    try:
        x = float(s)
    except ValueError:
        problems.append(Problem(f"'{s}' is not a number of grams", row, column))
        return None
    if not math.isfinite(x) or x <= 0 or x > MAX_PACK_G:
        problems.append(Problem(f"{s} g is not a weight above 0 and up to {MAX_PACK_G:,.0f} g",
                                row, column))
        return None
    return x


def _parse_row(rec: dict[str, str], row: int, problems: list[Problem]) -> Purchase | None:
    """One row from its cells; appends every problem found and returns None if any."""
    start = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(Problem(message, row, column))

    for c in ("id", "purchase_key"):
        v = rec[c]
        if not v:
            bad(c, f"{c} is empty")
        elif not SLUG.match(v):
            bad(c, f"malformed {c} '{v}': use lowercase letters, digits and single underscores")
    if not rec["item"]:
        bad("item", "item is empty: name the purchase as the shopping list shows it")
    if rec["section"] not in SECTIONS:
        bad("section", f"unknown section '{rec['section']}' (allowed: {', '.join(SECTIONS)})")
    unit = rec["unit"]
    if not UNIT.match(unit) and unit != WEIGHT_UNIT:
        bad("unit", f"unit '{unit}' is not a lowercase singular word (e.g. pack, egg, g)")
    pack_g = _grams(rec["pack_g"], "pack_g", row, problems)
    box_name, box = "", 1
    if rec["box"]:
        m = BOX.match(rec["box"])
        if m is None or int(m["count"]) < 2:
            bad("box", f"'{rec['box']}' is not like 'box of 6' (a word, 'of', 2 or more)")
        else:
            box_name, box = m["name"], int(m["count"])
    for c in ("pack_source", "unit_source"):
        if rec[c] and not SOURCE.match(rec[c]):
            bad(c, f"'{rec[c]}' is not 'retail' nor 'SR28 <NDB> seq <Seq>' (optionally "
                   "followed by ' x <factor>')")
    if not rec["pack_source"]:
        bad("pack_source", "pack_source is empty: 'retail' or the SR28 portion it comes from")
    unit_g = None
    if rec["unit_g"]:
        unit_g = _grams(rec["unit_g"], "unit_g", row, problems)
        if not rec["unit_source"]:
            bad("unit_source", "unit_g needs a unit_source (the SR28 portion it comes from)")
    elif rec["unit_source"]:
        bad("unit_g", "unit_source is given but unit_g is empty")
    cooked = rec["cooked_weight"]
    if cooked not in ("", "yes"):
        bad("cooked_weight", f"'{cooked}' is neither empty nor 'yes'")
    elif cooked and rec["unit_g"]:
        bad("cooked_weight", "a cooked weight counted as bought cannot also have a unit_g")
    if len(problems) > start or pack_g is None:
        return None
    return Purchase(
        food_id=rec["id"], key=rec["purchase_key"], item=rec["item"], section=rec["section"],
        unit=unit, pack_g=pack_g, pack_source=rec["pack_source"], box_name=box_name, box=box,
        unit_g=unit_g if unit_g is not None else pack_g, unit_source=rec["unit_source"],
        cooked_weight=bool(cooked), notes=rec["notes"])
