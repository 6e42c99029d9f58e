"""Dietary Reference Intakes (DRIs) for adults, shipped as data: ``data/dri.csv``.

The table is an exact copy of the project's reference DRI file. Every row cites the IOM/NASEM
report that set the value (``report``, with its DOI) and an official summary table
(``summary_table_url``: NASEM 2019 Appendix J on NCBI Bookshelf for the elements, Health
Canada's DRI tables for the vitamins); no secondary website is cited. One row per
nutrient x sex x age band x life stage x kind:

- ``nutrient``: ``magnesium``, ``potassium``, ``calcium``, ``phosphorus``, ``zinc``,
  ``iron``, ``sodium``, ``vitamin_d``, ``vitamin_b6``, ``vitamin_b12``, ``vitamin_e``,
  ``vitamin_a``, ``vitamin_k``.
- ``unit``: as published (``mg/d``, ``ug/d``, ``ug RAE/d``, ``mg/d alpha-tocopherol``).
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
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from .errors import Problem, TargetsError

__all__ = [
    "DRI_COLUMNS",
    "MIN_ADULT_AGE",
    "DriRow",
    "dri_path",
    "dri_value",
    "load_dri",
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
        """The food-table column this nutrient maps to."""
        return DRI_COLUMNS[self.nutrient]

    @property
    def band(self) -> str:
        """The age band as printed (``19-30``, ``71+``)."""
        return f"{self.age_min}+" if self.age_max is None else f"{self.age_min}-{self.age_max}"

    def covers(self, sex: str, age: int, life_stage: str | None) -> bool:
        """Whether this row applies to a person of this sex, age and life stage."""
        return (self.sex == sex and self.life_stage == life_stage and age >= self.age_min
                and (self.age_max is None or age <= self.age_max))


def dri_path() -> Path:
    """Path of the shipped DRI table."""
    return Path(str(resources.files("mealplan") / "data" / "dri.csv"))


@cache
def load_dri() -> tuple[DriRow, ...]:
    """The shipped DRI table, parsed and validated (cached).

    Returns:
        Every row of ``data/dri.csv``.

    Raises:
        TargetsError: if the shipped file is missing or malformed.
    """
    try:
        text = dri_path().read_text(encoding="utf-8")
    except OSError as exc:
        raise TargetsError("shipped DRI table", [Problem(f"cannot read: {exc}")]) from None
    return parse_dri_csv(text, "shipped DRI table")


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
        if nutrient not in DRI_COLUMNS:
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
