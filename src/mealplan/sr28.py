"""Read the USDA National Nutrient Database for Standard Reference, Release 28 (SR28).

SR28 ships as ASCII files: fields separated by ``^``, text fields wrapped in ``~``, an empty
field is a missing value, latin-1 encoding, CRLF line ends; all amounts are per 100 g of
edible portion. This module reads the files the food table is built from:

- ``FD_GROUP.txt``: food group code -> description (:func:`read_food_groups`);
- ``FOOD_DES.txt``: NDB number -> description and group (:func:`read_foods`);
- ``NUTR_DEF.txt``: nutrient number -> unit and name (:func:`read_nutrient_defs`);
- ``NUT_DATA.txt``: nutrient values, streamed and filtered (:func:`read_nutrient_values`);
- ``WEIGHT.txt``: household portions (:func:`read_weights`).

Every reader takes the directory holding the release files and raises
:class:`mealplan.errors.DataFileError` naming the file, line and field of malformed input.
Nothing here knows about the planner's food table: it is a plain, general SR28 reader.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import DataFileError, Problem

__all__ = [
    "FD_GROUP_FIELDS",
    "FOOD_DES_FIELDS",
    "NUTR_DEF_FIELDS",
    "NUT_DATA_FIELDS",
    "WEIGHT_FIELDS",
    "FoodDescription",
    "NutrientDef",
    "Portion",
    "iter_records",
    "read_food_groups",
    "read_foods",
    "read_nutrient_defs",
    "read_nutrient_values",
    "read_weights",
    "split_fields",
]

ENCODING = "latin-1"
MAX_PROBLEMS = 20  # stop collecting after this many problems in one file

FD_GROUP_FIELDS = ("FdGrp_Cd", "FdGrp_Desc")
FOOD_DES_FIELDS = (
    "NDB_No", "FdGrp_Cd", "Long_Desc", "Shrt_Desc", "ComName", "ManufacName", "Survey",
    "Ref_desc", "Refuse", "SciName", "N_Factor", "Pro_Factor", "Fat_Factor", "CHO_Factor",
)
NUTR_DEF_FIELDS = ("Nutr_No", "Units", "Tagname", "NutrDesc", "Num_Dec", "SR_Order")
NUT_DATA_FIELDS = (
    "NDB_No", "Nutr_No", "Nutr_Val", "Num_Data_Pts", "Std_Error", "Src_Cd", "Deriv_Cd",
    "Ref_NDB_No", "Add_Nutr_Mark", "Num_Studies", "Min", "Max", "DF", "Low_EB", "Up_EB",
    "Stat_cmt", "AddMod_Date", "CC",
)
WEIGHT_FIELDS = ("NDB_No", "Seq", "Amount", "Msre_Desc", "Gm_Wgt", "Num_Data_Pts", "Std_Dev")


@dataclass(frozen=True)
class FoodDescription:
    """One food of FOOD_DES.txt."""

    ndb_number: str
    group_code: str
    long_desc: str
    short_desc: str
    common_name: str
    manufacturer: str
    refuse_pct: float | None
    scientific_name: str


@dataclass(frozen=True)
class NutrientDef:
    """One nutrient of NUTR_DEF.txt (``units`` as SR28 spells them, e.g. ``µg``)."""

    nutr_no: str
    units: str
    tagname: str
    description: str
    num_dec: int
    sr_order: int


@dataclass(frozen=True)
class Portion:
    """One household measure of WEIGHT.txt: ``amount`` x ``description`` weighs ``grams``."""

    seq: int
    amount: float
    description: str
    grams: float


def split_fields(line: str) -> list[str]:
    """Split one SR28 line into fields, removing the ``~`` around text fields.

    A ``^`` inside a ``~``-quoted text field is kept as text.

    Args:
        line: one line without its line end.

    Returns:
        The field values as strings ("" for an empty field).

    Raises:
        ValueError: a text field has no closing ``~`` (or stray ``~`` inside a field).
    """
    parts = line.split("^")
    fields: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part.startswith("~"):
            # Re-join pieces of a text field that contained "^".
            while not (len(part) >= 2 and part.endswith("~")):
                i += 1
                if i >= len(parts):
                    raise ValueError(f"text field {len(fields) + 1} has no closing '~'")
                part = part + "^" + parts[i]
            inner = part[1:-1]
            if "~" in inner:
                raise ValueError(f"stray '~' inside text field {len(fields) + 1}")
            fields.append(inner)
        else:
            if "~" in part:
                raise ValueError(f"stray '~' in field {len(fields) + 1}")
            fields.append(part)
        i += 1
    return fields


def _open_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without CR/LF) of a latin-1 file; skip blank lines."""
    try:
        fh = path.open("r", encoding=ENCODING, newline="")
    except FileNotFoundError:
        raise DataFileError(str(path), [Problem("file not found")]) from None
    except OSError as exc:
        raise DataFileError(str(path), [Problem(f"cannot read file: {exc.strerror}")]) from None
    with fh:
        for n, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if line.strip():
                yield n, line


def iter_records(
    path: str | Path,
    field_names: tuple[str, ...],
    *,
    keep: Collection[str] | None = None,
    keep_second: Collection[str] | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """Stream the records of one SR28 file, checking the number of fields.

    Args:
        path: the SR28 file.
        field_names: the file's fields in order (used to check and to name problems).
        keep: if given, only lines whose first field (before any parsing) is in this set
            are parsed and yielded; others are skipped cheaply. Problems on skipped lines are
            not detected.
        keep_second: the same for the second field (e.g. NUT_DATA's Nutr_No).

    Yields:
        (line number, fields) for each record.

    Raises:
        DataFileError: the file is missing or a line is malformed (every problem up to
            :data:`MAX_PROBLEMS` is listed once the file has been read).
    """
    p = Path(path)
    problems: list[Problem] = []
    for n, line in _open_lines(p):
        if keep is not None or keep_second is not None:
            head = line.split("^", 2)
            if keep is not None and head[0].strip("~") not in keep:
                continue
            if (keep_second is not None and len(head) > 1
                    and head[1].strip("~") not in keep_second):
                continue
        try:
            fields = split_fields(line)
        except ValueError as exc:
            problems.append(Problem(f"line {n}: {exc}"))
        else:
            if len(fields) != len(field_names):
                problems.append(Problem(
                    f"line {n}: {len(fields)} fields, expected {len(field_names)} "
                    f"({', '.join(field_names)})"))
            elif not problems:
                yield n, fields
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise DataFileError(str(p), problems)


class _Fields:
    """Typed access to one record's fields, collecting problems with file line and field."""

    def __init__(self, path: Path, field_names: tuple[str, ...]) -> None:
        self.path = path
        self.index = {name: i for i, name in enumerate(field_names)}
        self.problems: list[Problem] = []

    def text(self, n: int, fields: list[str], name: str, *, required: bool = False) -> str:
        value = fields[self.index[name]].strip()
        if required and not value:
            self.problems.append(Problem(f"line {n}: {name} is empty", column=name))
        return value

    def number(self, n: int, fields: list[str], name: str, *, required: bool) -> float | None:
        s = fields[self.index[name]].strip()
        if not s:
            if required:
                self.problems.append(Problem(f"line {n}: {name} is empty", column=name))
            return None
        try:
            return float(s)
        except ValueError:
            self.problems.append(Problem(f"line {n}: {name} '{s}' is not a number",
                                         column=name))
            return None

    def integer(self, n: int, fields: list[str], name: str) -> int:
        s = fields[self.index[name]].strip()
        try:
            return int(s)
        except ValueError:
            self.problems.append(Problem(f"line {n}: {name} '{s}' is not a whole number",
                                         column=name))
            return 0

    def check(self) -> None:
        if self.problems:
            raise DataFileError(str(self.path), self.problems[:MAX_PROBLEMS])


def read_food_groups(directory: str | Path) -> dict[str, str]:
    """Food group code -> description, from FD_GROUP.txt.

    Args:
        directory: the folder holding the SR28 files.

    Returns:
        e.g. ``{"0100": "Dairy and Egg Products", ...}`` in file order.

    Raises:
        DataFileError: the file is missing or malformed.
    """
    path = Path(directory) / "FD_GROUP.txt"
    f = _Fields(path, FD_GROUP_FIELDS)
    out: dict[str, str] = {}
    for n, fields in iter_records(path, FD_GROUP_FIELDS):
        code = f.text(n, fields, "FdGrp_Cd", required=True)
        out[code] = f.text(n, fields, "FdGrp_Desc", required=True)
    f.check()
    return out


def read_foods(directory: str | Path) -> dict[str, FoodDescription]:
    """NDB number -> :class:`FoodDescription`, from FOOD_DES.txt.

    Args:
        directory: the folder holding the SR28 files.

    Returns:
        Every food, keyed by its 5-digit NDB number (as text, leading zeros kept).

    Raises:
        DataFileError: the file is missing or malformed (naming line and field).
    """
    path = Path(directory) / "FOOD_DES.txt"
    f = _Fields(path, FOOD_DES_FIELDS)
    out: dict[str, FoodDescription] = {}
    for n, fields in iter_records(path, FOOD_DES_FIELDS):
        ndb = f.text(n, fields, "NDB_No", required=True)
        if ndb in out:
            f.problems.append(Problem(f"line {n}: duplicate NDB_No {ndb}", column="NDB_No"))
            continue
        out[ndb] = FoodDescription(
            ndb_number=ndb,
            group_code=f.text(n, fields, "FdGrp_Cd", required=True),
            long_desc=f.text(n, fields, "Long_Desc", required=True),
            short_desc=f.text(n, fields, "Shrt_Desc"),
            common_name=f.text(n, fields, "ComName"),
            manufacturer=f.text(n, fields, "ManufacName"),
            refuse_pct=f.number(n, fields, "Refuse", required=False),
            scientific_name=f.text(n, fields, "SciName"),
        )
    f.check()
    return out


def read_nutrient_defs(directory: str | Path) -> dict[str, NutrientDef]:
    """Nutrient number -> :class:`NutrientDef`, from NUTR_DEF.txt.

    Args:
        directory: the folder holding the SR28 files.

    Returns:
        Every nutrient definition keyed by Nutr_No (e.g. ``"304"`` magnesium, mg).

    Raises:
        DataFileError: the file is missing or malformed.
    """
    path = Path(directory) / "NUTR_DEF.txt"
    f = _Fields(path, NUTR_DEF_FIELDS)
    out: dict[str, NutrientDef] = {}
    for n, fields in iter_records(path, NUTR_DEF_FIELDS):
        no = f.text(n, fields, "Nutr_No", required=True)
        out[no] = NutrientDef(
            nutr_no=no,
            units=f.text(n, fields, "Units", required=True),
            tagname=f.text(n, fields, "Tagname"),
            description=f.text(n, fields, "NutrDesc", required=True),
            num_dec=f.integer(n, fields, "Num_Dec"),
            sr_order=f.integer(n, fields, "SR_Order"),
        )
    f.check()
    return out


def read_nutrient_values(
    directory: str | Path,
    ndb_numbers: Collection[str] | None = None,
    nutr_nos: Collection[str] | None = None,
) -> dict[str, dict[str, float]]:
    """Nutrient values per 100 g, streamed from NUT_DATA.txt (679k rows, ~1-2 s).

    Args:
        directory: the folder holding the SR28 files.
        ndb_numbers: only these foods (None: every food).
        nutr_nos: only these nutrient numbers (None: every nutrient).

    Returns:
        NDB number -> {Nutr_No: value}. A nutrient SR28 does not report for a food is
        absent from the inner dict (unknown, not zero). Foods with no value are absent.

    Raises:
        DataFileError: the file is missing or a (kept) line is malformed.
    """
    path = Path(directory) / "NUT_DATA.txt"
    f = _Fields(path, NUT_DATA_FIELDS)
    keep = frozenset(ndb_numbers) if ndb_numbers is not None else None
    wanted = frozenset(nutr_nos) if nutr_nos is not None else None
    out: dict[str, dict[str, float]] = {}
    for n, fields in iter_records(path, NUT_DATA_FIELDS, keep=keep, keep_second=wanted):
        nutr = fields[1].strip()
        if wanted is not None and nutr not in wanted:
            continue
        ndb = f.text(n, fields, "NDB_No", required=True)
        value = f.number(n, fields, "Nutr_Val", required=True)
        if value is None:
            continue
        per_food = out.setdefault(ndb, {})
        if nutr in per_food:
            f.problems.append(Problem(f"line {n}: second value of nutrient {nutr} for {ndb}",
                                      column="Nutr_No"))
        per_food[nutr] = value
        if len(f.problems) >= MAX_PROBLEMS:
            break
    f.check()
    return out


def read_weights(
    directory: str | Path, ndb_numbers: Collection[str] | None = None
) -> dict[str, list[Portion]]:
    """Household portions from WEIGHT.txt.

    Args:
        directory: the folder holding the SR28 files.
        ndb_numbers: only these foods (None: every food).

    Returns:
        NDB number -> its portions sorted by Seq, e.g. ``09040`` ->
        ``[Portion(1, 1.0, "cup, mashed", 225.0), ...]``.

    Raises:
        DataFileError: the file is missing or malformed.
    """
    path = Path(directory) / "WEIGHT.txt"
    f = _Fields(path, WEIGHT_FIELDS)
    keep = frozenset(ndb_numbers) if ndb_numbers is not None else None
    out: dict[str, list[Portion]] = {}
    for n, fields in iter_records(path, WEIGHT_FIELDS, keep=keep):
        ndb = f.text(n, fields, "NDB_No", required=True)
        seq = f.integer(n, fields, "Seq")
        amount = f.number(n, fields, "Amount", required=True)
        grams = f.number(n, fields, "Gm_Wgt", required=True)
        desc = f.text(n, fields, "Msre_Desc", required=True)
        if amount is None or grams is None:
            continue
        out.setdefault(ndb, []).append(Portion(seq, amount, desc, grams))
    f.check()
    for portions in out.values():
        portions.sort(key=lambda p: p.seq)
    return out
