"""Dietary Reference Intakes (DRIs) for adults, shipped as data: ``data/dri.csv`` and
``data/dri_extra.csv``.

``dri.csv`` is an exact copy of the project's reference DRI file (a test checks it byte for
byte). ``dri_extra.csv`` has the same columns and adds the nutrients the reference lacks
(folate, vitamin C, choline, and iodine for information: the food table has no iodine
column); :func:`load_dri` merges the two (:func:`merge_dri`). An extra row for a band the
reference already has may only fill a blank ``ul`` (its ``ul_note`` says so); it can never
change a value the reference gives. Every row cites the IOM/NASEM
report that set the value (``report``, with its DOI) and an official summary table
(``summary_table_url``: NASEM 2019 Appendix J on NCBI Bookshelf for the elements, Health
Canada's DRI tables for the vitamins); no secondary website is cited. One row per
nutrient x sex x age band x life stage x kind:

- ``nutrient``: ``magnesium``, ``potassium``, ``calcium``, ``phosphorus``, ``zinc``,
  ``iron``, ``sodium``, ``vitamin_d``, ``vitamin_b6``, ``vitamin_b12``, ``vitamin_e``,
  ``vitamin_a``, ``vitamin_k`` (reference); ``folate``, ``vitamin_c``, ``choline``,
  ``iodine`` (extra; iodine is in :data:`DRI_INFO_ONLY`: no food-table column).
- ``unit``: as published (``mg/d``, ``ug/d``, ``ug RAE/d``, ``ug DFE/d``,
  ``mg/d alpha-tocopherol``).
- ``sex`` (``female``/``male``), ``age_min``/``age_max`` (years; empty max = no upper end),
  ``life_stage`` (empty, ``pregnancy`` or ``lactation``; pregnancy and lactation rows exist
  for 19-30 and 31-50 only).
- ``rda_or_ai`` and ``kind`` (``RDA``, ``AI`` or ``CDRR``: sodium's chronic-disease risk
  reduction intake, an upper target), ``ul`` (tolerable upper intake level; empty = none set,
  ``ul_note`` says why), ``ul_note``, ``report`` (the report that set the value, e.g. ``IOM
  2001, Dietary Reference Intakes for ..., doi:10.17226/10026``) and ``summary_table_url``.

:attr:`DriRow.source` is the citation shown to users (report; summary table).

Only adults are covered: ages under 19 are refused with :class:`TargetsError`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from .errors import Problem, TargetsError

__all__ = [
    "DRI_COLUMNS",
    "DRI_INFO_ONLY",
    "MIN_ADULT_AGE",
    "DriRow",
    "dri_extra_path",
    "dri_path",
    "dri_value",
    "load_dri",
    "load_dri_extra",
    "load_dri_reference",
    "merge_dri",
    "parse_dri_csv",
]

Sex = Literal["female", "male"]
LifeStage = Literal["pregnancy", "lactation"]

MIN_ADULT_AGE = 19

# DRI nutrient name -> food-table column (mealplan.units.NUTRIENTS / DERIVED).
DRI_COLUMNS: dict[str, str] = {
    "magnesium": "magnesium_mg",
    "potassium": "potassium_mg",
    "calcium": "calcium_mg",
    "phosphorus": "phosphorus_mg",
    "zinc": "zinc_mg",
    "iron": "iron_mg",
    "sodium": "sodium_mg",
    "vitamin_d": "vitamin_d_ug",
    "vitamin_b6": "vitamin_b6_mg",
    "vitamin_b12": "vitamin_b12_ug",
    "vitamin_e": "vitamin_e_mg",
    "vitamin_a": "vitamin_a_rae_ug",
    "vitamin_k": "vitamin_k_total_ug",
    "folate": "folate_dfe_ug",
    "vitamin_c": "vitamin_c_mg",
    "choline": "choline_mg",
}
# DRI nutrients listed for information only: the food table has no column for them, so no
# bound can hold them (name -> why).
DRI_INFO_ONLY: dict[str, str] = {
    "iodine": "the food table has no iodine column (USDA SR28 does not report iodine)",
}

_HEADER = ("nutrient", "unit", "sex", "age_min", "age_max", "life_stage", "rda_or_ai", "kind",
           "ul", "ul_note", "report", "summary_table_url")
_KINDS = frozenset({"RDA", "AI", "CDRR"})


@dataclass(frozen=True)
class DriRow:
    """One row of the DRI table."""

    nutrient: str
    unit: str
    sex: Sex
    age_min: int
    age_max: int | None
    life_stage: LifeStage | None
    value: float  # the RDA, AI or CDRR (see ``kind``)
    kind: str
    ul: float | None
    ul_note: str
    report: str  # the IOM/NASEM report that set the value, with its DOI
    summary_table_url: str  # an official summary table (NCBI Bookshelf, Health Canada)

    @property
    def source(self) -> str:
        """The citation shown to users: the report, then the official summary table."""
        return "; ".join(s for s in (self.report, self.summary_table_url) if s)

    @property
    def source_url(self) -> str:
        """The official summary table's address (kept for callers of the older column)."""
        return self.summary_table_url

    @property
    def column(self) -> str:
        """The food-table column this nutrient maps to ("" for :data:`DRI_INFO_ONLY`)."""
        return DRI_COLUMNS.get(self.nutrient, "")

    @property
    def key(self) -> tuple[str, str, int, int | None, str | None, str]:
        """What a row is about: nutrient, sex, age band, life stage and kind."""
        return (self.nutrient, self.sex, self.age_min, self.age_max, self.life_stage,
                self.kind)

    @property
    def band(self) -> str:
        """The age band as printed (``19-30``, ``71+``)."""
        return f"{self.age_min}+" if self.age_max is None else f"{self.age_min}-{self.age_max}"

    def covers(self, sex: str, age: int, life_stage: str | None) -> bool:
        """Whether this row applies to a person of this sex, age and life stage."""
        return (self.sex == sex and self.life_stage == life_stage and age >= self.age_min
                and (self.age_max is None or age <= self.age_max))


def dri_path() -> Path:
    """Path of the shipped DRI table (the reference copy)."""
    return Path(str(resources.files("mealplan") / "data" / "dri.csv"))


def dri_extra_path() -> Path:
    """Path of the shipped extra DRI rows (nutrients the reference lacks)."""
    return Path(str(resources.files("mealplan") / "data" / "dri_extra.csv"))


def _read(path: Path, label: str) -> tuple[DriRow, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TargetsError(label, [Problem(f"cannot read: {exc}")]) from None
    return parse_dri_csv(text, label)


@cache
def load_dri_reference() -> tuple[DriRow, ...]:
    """The reference DRI table alone, ``data/dri.csv`` (cached).

    Raises:
        TargetsError: if the shipped file is missing or malformed.
    """
    return _read(dri_path(), "shipped DRI table")


@cache
def load_dri_extra() -> tuple[DriRow, ...]:
    """The extra DRI rows alone, ``data/dri_extra.csv`` (cached).

    Raises:
        TargetsError: if the shipped file is missing or malformed.
    """
    return _read(dri_extra_path(), "shipped extra DRI rows")


def merge_dri(reference: Sequence[DriRow], extra: Sequence[DriRow],
              label: str = "extra DRI rows") -> tuple[DriRow, ...]:
    """The reference rows with the extra rows merged in; the reference always wins.

    An extra row about a band the reference has (same nutrient, sex, ages, life stage and
    kind) may only fill the reference's blank ``ul`` (with the extra row's ``ul_note``); every
    other extra row is appended. An extra row that disagrees with a value the reference gives
    (RDA/AI/CDRR or a non-blank UL) is an error, never an override.

    Args:
        reference: the reference rows, in file order.
        extra: the extra rows, in file order.
        label: how to name the extra rows in errors.

    Returns:
        The merged rows: the reference's order, then the new bands in the extra order.

    Raises:
        TargetsError: naming each extra row (from 1) that contradicts the reference, or a
            band that appears twice among the extra rows.
    """
    at = {r.key: i for i, r in enumerate(reference)}
    out = list(reference)
    seen: set[tuple[str, str, int, int | None, str | None, str]] = set()
    problems: list[Problem] = []
    for n, row in enumerate(extra, start=1):
        if row.key in seen:
            problems.append(Problem(f"{row.nutrient} {row.sex} {row.band} "
                                    f"{row.life_stage or ''} {row.kind} appears twice", n))
            continue
        seen.add(row.key)
        i = at.get(row.key)
        if i is None:
            out.append(row)
            continue
        ref = reference[i]
        if row.value != ref.value:
            problems.append(Problem(
                f"{row.kind} {row.value:g} differs from the reference's {ref.value:g}: the "
                "reference wins; fix the extra row", n, "rda_or_ai"))
        if ref.ul is not None:
            if row.ul is not None and row.ul != ref.ul:
                problems.append(Problem(
                    f"UL {row.ul:g} differs from the reference's {ref.ul:g}: an extra row may "
                    "only fill a blank UL", n, "ul"))
        elif row.ul is not None:
            out[i] = replace(ref, ul=row.ul, ul_note=row.ul_note)
    if problems:
        raise TargetsError(label, problems)
    return tuple(out)


@cache
def load_dri() -> tuple[DriRow, ...]:
    """The shipped DRI table: the reference merged with the extra rows (cached).

    Returns:
        Every row of ``data/dri.csv`` (blank ULs filled where ``data/dri_extra.csv`` gives
        them), then the extra bands.

    Raises:
        TargetsError: if a shipped file is missing or malformed, or an extra row contradicts
            the reference.
    """
    return merge_dri(load_dri_reference(), load_dri_extra(), "shipped extra DRI rows")


def _number(text: str, row: int, column: str, problems: list[Problem]) -> float | None:
    s = text.strip()
    if not s:
        return None
    try:
        x = float(s)
    except ValueError:
        problems.append(Problem(f"'{s}' is not a number", row, column))
        return None
    if x < 0:
        problems.append(Problem(f"negative value {s}", row, column))
    return x


def parse_dri_csv(text: str, label: str) -> tuple[DriRow, ...]:
    """Parse DRI CSV text (the format of this module's docstring).

    Args:
        text: the CSV text.
        label: how to name the file in errors.

    Returns:
        The rows, in file order.

    Raises:
        TargetsError: listing every problem with its row and column.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in _HEADER if c not in header]
    if missing:
        raise TargetsError(label, [Problem("required column is missing", column=c)
                                   for c in missing])
    rows: list[DriRow] = []
    problems: list[Problem] = []
    for i, r in enumerate(reader, start=1):
        n_before = len(problems)
        nutrient = r["nutrient"].strip()
        if nutrient not in DRI_COLUMNS and nutrient not in DRI_INFO_ONLY:
            problems.append(Problem(f"unknown nutrient '{nutrient}'", i, "nutrient"))
        sex = r["sex"].strip()
        if sex not in ("female", "male"):
            problems.append(Problem(f"sex must be female or male, not '{sex}'", i, "sex"))
        stage = r["life_stage"].strip() or None
        if stage not in (None, "pregnancy", "lactation"):
            problems.append(Problem(f"unknown life stage '{stage}'", i, "life_stage"))
        kind = r["kind"].strip()
        if kind not in _KINDS:
            problems.append(Problem(f"unknown kind '{kind}'", i, "kind"))
        age_min = _number(r["age_min"], i, "age_min", problems)
        age_max = _number(r["age_max"], i, "age_max", problems)
        value = _number(r["rda_or_ai"], i, "rda_or_ai", problems)
        ul = _number(r["ul"], i, "ul", problems)
        if age_min is None:
            problems.append(Problem("value is required", i, "age_min"))
        if value is None:
            problems.append(Problem("value is required", i, "rda_or_ai"))
        if len(problems) > n_before or age_min is None or value is None:
            continue
        rows.append(DriRow(
            nutrient=nutrient, unit=r["unit"].strip(),
            sex="female" if sex == "female" else "male",
            age_min=int(age_min), age_max=None if age_max is None else int(age_max),
            life_stage="pregnancy" if stage == "pregnancy" else (
                "lactation" if stage == "lactation" else None),
            value=value, kind=kind, ul=ul, ul_note=r["ul_note"].strip(),
            report=r["report"].strip(), summary_table_url=r["summary_table_url"].strip()))
    if problems:
        raise TargetsError(label, problems)
    return tuple(rows)


def dri_value(nutrient: str, sex: str, age: int, life_stage: str | None,
              kind: str | None = None) -> DriRow | None:
    """The DRI row for one nutrient and person, or None when the table has none.

    Args:
        nutrient: a DRI nutrient name (a key of :data:`DRI_COLUMNS`).
        sex: ``female`` or ``male``.
        age: whole years, at least 19.
        life_stage: None, ``pregnancy`` or ``lactation``.
        kind: ``RDA``/``AI`` (None picks whichever the nutrient has) or ``CDRR``.

    Returns:
        The matching row, or None.

    Raises:
        TargetsError: for ages under 19 (no DRI data shipped for children and teenagers).
    """
    if age < MIN_ADULT_AGE:
        raise TargetsError("person", [Problem(
            f"age {age}: DRI targets are shipped for adults (19 and over) only; no data for "
            "children or teenagers yet", column="age")])
    for row in load_dri():
        if row.nutrient != nutrient or not row.covers(sex, age, life_stage):
            continue
        if (kind is None and row.kind != "CDRR") or row.kind == kind:
            return row
    return None
