"""Convert the whole USDA SR28 release into a food table (all 8,790 foods, or the plannable ones).

The shipped table is a curated selection; this builds the *full* table a dietitian may want,
with the shipped table's columns (see :mod:`mealplan.foods` and :data:`mealplan.units.NUTRIENTS`):

- ``id``: slug of the long description plus the NDB number (``bananas_raw_09040``), so it
  never clashes with the shipped table's short ids; ``name`` the long description;
  ``ndb_number``; ``food_group`` from FD_GROUP; ``source`` ``"USDA SR28 NDB <n>"``.
- nutrients per 100 g from NUT_DATA; a value SR28 does not report stays empty (unknown).
  Vitamin D from IU (Nutr_No 324, 40 IU = 1 µg) only where the µg value (328) is missing.
- vitamin K2: MK-4 (Nutr_No 428) only, measured for 588 foods; ``k2_ug`` = MK-4 there with
  ``k2_source`` saying so, else empty. SR28 has no long-chain menaquinones (MK-7..MK-10).
- household portion: the first WEIGHT row (lowest Seq) weighing more than 0 and at most
  400 g ("1 cup, mashed (225 g)"); foods with no such row are planned in grams (10 to
  500 g). ``min_portions`` 1, ``max_portions`` as many as make about 300 g, within 2..8
  (:func:`mealplan.tableio.portion_bounds`). ``slots``: every slot.
- ``diet_tags`` empty and ``allergens`` = every allergen: SR28 states neither, and a food
  group does not make a food vegan or allergen-free (1100 has "spinach souffle", 1200
  "honey roasted" nuts, 2000 egg noodles). So a diet filter (vegan, vegetarian,
  pescatarian) or an allergen filter excludes these foods until someone edits the row.

Realism rule (dropped unless ``include_all=True``; first matching reason counts):

1. food group 0200 Spices and Herbs (used by the pinch: per-100 g values would let the
   planner "eat" 50 g of dried thyme for magnesium), 0300 Baby Foods (incl. every infant
   formula), 2100 Fast Foods, 3600 Restaurant Foods, 3500 American Indian/Alaska Native
   Foods (seal, whale, caribou: not obtainable for most users);
2. alcoholic drinks: "Alcoholic beverage" in the description or alcohol (Nutr_No 221)
   above 0.5 g/100 g;
3. infant formula in any group;
4. not eaten as sold: leavening agents; condensed, dry, powdered or mix forms of soups,
   gravies, drinks, baked goods and desserts (groups 0600, 1400, 1800, 1900) that are not
   "prepared" or "ready-to-serve"/"ready-to-drink" (the prepared rows stay; protein
   powders and shake mixes stay too: they are taken by the scoop as sold).

The release has 8,789 foods (FOOD_DES.txt and ABBREV.txt agree; some texts say 8,790). The
rule keeps 7,378 and drops 1,411: 367 baby foods, 363 fast foods, 266 condensed/dry/mix
forms, 165 American Indian/Alaska Native foods, 109 restaurant foods, 70 alcoholic drinks,
64 spices and herbs, 7 leavening agents (:attr:`SR28Import.excluded`; the CLI prints them).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import DataFileError, Problem
from .foods import FoodTable, validate_frame
from .sr28 import FoodDescription, Portion, read_food_groups, read_foods, read_nutrient_values
from .sr28 import read_weights as read_sr28_weights
from .tableio import (
    ALL_ALLERGENS,
    ALL_SLOTS,
    MAX_PORTION_G,
    FoodRow,
    portion_bounds,
    rows_to_frame,
    slugify,
    write_csv_atomic,
)
from .units import NUTRIENTS

__all__ = [
    "EXCLUDED_GROUPS",
    "SR28Import",
    "convert_sr28",
    "exclusion_reason",
    "import_sr28",
    "write_sr28_table",
]

EXCLUDED_GROUPS: dict[str, str] = {
    "0200": "spices and herbs (used by the pinch)",
    "0300": "baby foods and infant formula",
    "2100": "fast foods",
    "3500": "American Indian/Alaska Native foods",
    "3600": "restaurant foods",
}
ALCOHOL_NUTR_NO = "221"
ALCOHOL_MAX_G = 0.5
VITAMIN_D_IU_NUTR_NO = "324"
_AS_SOLD_GROUPS = frozenset({"0600", "1400", "1800", "1900"})
_AS_SOLD_WORDS = ("condensed", "dry mix", "dry, mix", "mix, dry", "powder", ", dry",
                  "unprepared", "concentrate")
# "Prepared" rows stay; protein powders and shake mixes are taken by the scoop, as sold.
_PREPARED_WORDS = ("prepared", "ready-to-serve", "ready to serve", "ready-to-drink",
                   "ready to drink", "reconstituted", "diluted", "protein", "shake")

_COLUMN_BY_NUTR_NO = {n.sr28_nutr_no: col for col, n in NUTRIENTS.items() if n.sr28_nutr_no}


@dataclass(frozen=True)
class SR28Import:
    """The result of converting an SR28 release.

    ``frame`` holds the CSV cells (strings) exactly as :func:`write_sr28_table` writes
    them; ``table`` is the same data validated and typed. ``excluded`` counts dropped foods
    per reason (empty with ``include_all``).
    """

    table: FoodTable
    frame: pd.DataFrame
    total: int
    excluded: Mapping[str, int]

    @property
    def kept(self) -> int:
        """How many foods the table has."""
        return len(self.table)


def exclusion_reason(food: FoodDescription, alcohol_g: float | None = None) -> str | None:
    """Why the realism rule drops a food by default (see the module docstring), or None.

    Args:
        food: the SR28 food.
        alcohol_g: its alcohol (Nutr_No 221) per 100 g, None when not reported.

    Returns:
        A short reason ("group 2100 fast foods", "alcoholic drink", ...) or None to keep it.
    """
    if food.group_code in EXCLUDED_GROUPS:
        return f"group {food.group_code} {EXCLUDED_GROUPS[food.group_code]}"
    desc = food.long_desc.lower()
    if "alcoholic beverage" in desc or (alcohol_g is not None and alcohol_g > ALCOHOL_MAX_G):
        return "alcoholic drink"
    if "infant formula" in desc:
        return "infant formula"
    if desc.startswith("leavening agents"):
        return "not eaten as sold (leavening agent)"
    if (food.group_code in _AS_SOLD_GROUPS and any(w in desc for w in _AS_SOLD_WORDS)
            and not any(w in desc for w in _PREPARED_WORDS)):
        return "not eaten as sold (condensed, dry or mix form)"
    return None


def _first_portion(portions: list[Portion]) -> tuple[str, float] | None:
    for p in portions:  # sorted by Seq
        if 0 < p.grams <= MAX_PORTION_G and p.description and math.isfinite(p.amount) \
                and p.amount > 0:
            return f"{p.amount:g} {p.description} ({p.grams:g} g)", p.grams
    return None


def _row(food: FoodDescription, group: str, values: Mapping[str, float],
         portions: list[Portion]) -> FoodRow:
    ndb = food.ndb_number
    row: FoodRow = {
        "id": f"{slugify(food.long_desc, max_len=40)}_{ndb}",
        "name": food.long_desc,
        "ndb_number": ndb,
        "food_group": group,
        "source": f"USDA SR28 NDB {ndb}",
    }
    for nutr_no, column in _COLUMN_BY_NUTR_NO.items():
        row[column] = values.get(nutr_no)
    if row["vitamin_d_ug"] is None and VITAMIN_D_IU_NUTR_NO in values:
        row["vitamin_d_ug"] = values[VITAMIN_D_IU_NUTR_NO] / 40.0
    mk4 = values.get(NUTRIENTS["mk4_ug"].sr28_nutr_no or "")
    row["k2_ug"] = mk4
    row["k2_source"] = (f"USDA SR28 NDB {ndb}: menaquinone-4 (MK-4) only; long-chain "
                        "menaquinones (MK-7 to MK-10) not in SR28") if mk4 is not None else ""
    portion = _first_portion(portions)
    name, grams = portion if portion is not None else ("g", 1.0)
    lo, hi = portion_bounds(grams)
    row.update({
        "portion_name": name, "portion_g": grams, "min_portions": lo, "max_portions": hi,
        "slots": ALL_SLOTS, "diet_tags": "", "allergens": ALL_ALLERGENS, "flags": "",
        "notes": ("full SR28 import; diet tags and allergens not checked (no diet tag, every "
                  "allergen listed)" + ("" if portion else "; no household portion: grams")),
    })
    return row


def convert_sr28(path: str | Path, *, include_all: bool = False,
                 skip_ndb: Collection[str] = ()) -> SR28Import:
    """Convert an SR28 release directory into a validated food table.

    Args:
        path: the directory holding FOOD_DES.txt, FD_GROUP.txt, NUT_DATA.txt, WEIGHT.txt.
        include_all: keep every food (skip the realism rule of the module docstring).
        skip_ndb: NDB numbers to leave out (e.g. those already in the shipped table).

    Returns:
        The :class:`SR28Import` (table, CSV cells, counts).

    Raises:
        DataFileError: a file is missing or malformed (naming file, line and field), or a
            food names a food group FD_GROUP.txt does not have.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise DataFileError(str(directory), [Problem(
            "not a directory: give the folder holding the SR28 release files "
            "(FOOD_DES.txt, FD_GROUP.txt, NUT_DATA.txt, WEIGHT.txt)")])
    groups = read_food_groups(directory)
    foods = read_foods(directory)
    wanted = set(_COLUMN_BY_NUTR_NO) | {ALCOHOL_NUTR_NO, VITAMIN_D_IU_NUTR_NO}
    values = read_nutrient_values(directory, nutr_nos=wanted)
    weights = read_sr28_weights(directory)
    unknown_groups = sorted({f.group_code for f in foods.values()} - set(groups))
    if unknown_groups:
        raise DataFileError(str(directory / "FOOD_DES.txt"), [Problem(
            f"food group {g} is not in FD_GROUP.txt", column="FdGrp_Cd")
            for g in unknown_groups])
    skip = frozenset(skip_ndb)
    excluded: Counter[str] = Counter()
    rows: list[FoodRow] = []
    for ndb, food in foods.items():
        if ndb in skip:
            excluded["already in the shipped table"] += 1
            continue
        v = values.get(ndb, {})
        if not include_all:
            reason = exclusion_reason(food, v.get(ALCOHOL_NUTR_NO))
            if reason is not None:
                excluded[reason] += 1
                continue
        rows.append(_row(food, groups[food.group_code], v, weights.get(ndb, [])))
    if not rows:
        raise DataFileError(str(directory), [Problem("no food left to import")])
    frame = rows_to_frame(rows)
    table = validate_frame(frame.copy(), f"SR28 import of {directory}")
    return SR28Import(table=table, frame=frame, total=len(foods),
                      excluded=dict(excluded.most_common()))


def import_sr28(path: str | Path, *, include_all: bool = False) -> FoodTable:
    """The full SR28 food table (see :func:`convert_sr28` and the module docstring).

    Args:
        path: the SR28 release directory.
        include_all: keep every food, also those the realism rule drops.

    Returns:
        The validated :class:`~mealplan.foods.FoodTable`.

    Raises:
        DataFileError: a release file is missing or malformed.
    """
    return convert_sr28(path, include_all=include_all).table


def write_sr28_table(result: SR28Import, out: str | Path) -> Path:
    """Write a converted table as CSV, atomically (temp file + ``os.replace``).

    Args:
        result: from :func:`convert_sr28`.
        out: the CSV file to write (its directory must exist).

    Returns:
        The path written.

    Raises:
        FoodTableError: the file cannot be written (any previous file is left unchanged).
    """
    return write_csv_atomic(result.frame, out)
