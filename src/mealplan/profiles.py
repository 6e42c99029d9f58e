"""Profiles and targets files: :class:`~mealplan.targets.Targets` saved as TOML.

A profile is data: every bound can be edited by hand, and a saved profile loads back
exactly. The same format is the *targets file* for a user's own food table (any columns):
only ``[[bounds]]`` is required. Format (version 1)::

    format = "mealplan-targets"   # optional marker
    version = 1                   # optional; 1 is the only version
    name = "Anna, night cramps"   # optional
    energy_kcal = 1800.0          # optional: the centre the optimiser steers to
    modes = ["anticoagulant"]     # optional: anticoagulant, ckd, pregnancy, lactation, keto
    warnings = ["..."]            # optional: shown by the app and the CLI
    allow_supplements = false     # optional

    [person]                      # optional: who the profile was built for
    age = 45                      # whole years, 19 or over
    sex = "female"                # female | male
    life_stage = "pregnancy"      # optional: pregnancy | lactation
    weight_kg = 62.0              # optional
    height_cm = 165.0             # optional
    activity = "light"            # sedentary | light | moderate | active | very_active
    energy_kcal = 1900.0          # optional: overrides the estimate

    [diet]                        # optional: which foods may appear
    diet = "vegetarian"           # optional: vegetarian | vegan | pescatarian
    keto = false
    allergens = ["milk"]          # milk, egg, fish, shellfish, tree_nuts, peanuts, soy,
                                  # gluten, sesame
    exclude_foods = ["natto"]     # food ids
    exclude_groups = ["Beverages"]
    exclude_flags = ["supplement"]  # see mealplan.units.FLAGS
    dislikes = []                 # food ids, avoided (soft)
    favourites = ["banana_raw"]   # food ids, rewarded (soft)

    [[bounds]]                    # one table per bound, in order (bounds[1], bounds[2], ...)
    nutrient = "magnesium_mg"     # a food-table column: its name ends in its unit
    min = 320.0                   # optional (at least one of min / max)
    max = 350.0                   # optional
    unit = "mg"                   # optional; must match the column's unit (kcal, g, mg, µg)
    source = "RDA: https://..."   # optional
    reason = "..."                # optional, one line
    period = "day"                # day | week (min = weekly average, max stays daily)
    daily_min = 160.0             # weekly bounds only: the floor on each day
    supplements_only = false      # true: the max counts supplement items only

    [[aims]]                      # optional: soft minimums (aims[1], ...), e.g. sodium's AI
    nutrient = "sodium_mg"        # a food-table column
    min = 1500.0                  # the amount to aim for; each % short costs weight points
    unit = "mg"                   # optional
    source = "AI: ..."            # optional
    reason = "..."                # optional
    weight = 0.05                 # optional (default 0.05 points per % short)

TOML has no null: leave a key out for "none". Every number must be finite and at most
:data:`MAX_NUMBER` (one million: a day's amount of anything, in its unit, is far below).
Errors name the field (``bounds[3].min``, ``person.age``, ``diet.allergens``) and, for bad
TOML syntax, the line and column. A file is read with a size cap
(:data:`mealplan.fileio.MAX_INPUT_BYTES`); a UTF-8 byte-order mark is ignored.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar, cast

import tomli_w

from .errors import Problem, ProfileError, TargetsError
from .fileio import read_bytes_limited, write_text_atomic
from .foods import FoodTable
from .targets import (
    Aim,
    Bound,
    DietFilter,
    Person,
    Targets,
    validate_person,
    validate_targets,
)

__all__ = [
    "FORMAT",
    "MAX_NUMBER",
    "VERSION",
    "Profile",
    "load_profile",
    "profile_from_toml",
    "profile_to_toml",
    "save_profile",
]

FORMAT = "mealplan-targets"
VERSION = 1
# The largest number a profile may hold: above it a bound is a typo, and values near 1e20
# are "infinite" to the solver, whose arithmetic then fails.
MAX_NUMBER = 1e6

_TOP_KEYS = frozenset({"format", "version", "name", "energy_kcal", "modes", "warnings",
                       "allow_supplements", "person", "diet", "bounds", "aims"})
_BOUND_KEYS = tuple(f.name for f in fields(Bound))
_AIM_KEYS = tuple(f.name for f in fields(Aim))
T = TypeVar("T")
_DIET_KEYS = tuple(f.name for f in fields(DietFilter))
_PERSON_KEYS = tuple(f.name for f in fields(Person))


@dataclass(frozen=True)
class Profile:
    """A saved profile: the targets, and optionally who they were built for."""

    targets: Targets
    person: Person | None = None
    name: str = ""


# --------------------------------------------------------------------------- writing

def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _bound_dict(b: Bound) -> dict[str, Any]:
    return _drop_none({
        "nutrient": b.nutrient, "min": b.min, "max": b.max, "unit": b.unit,
        "source": b.source, "reason": b.reason, "period": b.period,
        "daily_min": b.daily_min, "supplements_only": b.supplements_only,
        "of_energy": b.of_energy or None, "weekly_max": b.weekly_max or None})


def _diet_dict(d: DietFilter) -> dict[str, Any]:
    return _drop_none({
        "diet": d.diet, "keto": d.keto, "allergens": sorted(d.allergens),
        "exclude_foods": sorted(d.exclude_foods), "exclude_groups": sorted(d.exclude_groups),
        "exclude_flags": sorted(d.exclude_flags), "dislikes": sorted(d.dislikes),
        "favourites": sorted(d.favourites)})


def profile_to_toml(profile: Profile) -> str:
    """A profile as TOML text (the format of this module's docstring).

    Args:
        profile: the profile; it is validated first.

    Returns:
        The TOML text.

    Raises:
        ProfileError: if the profile is invalid (nothing is written for invalid data).
    """
    _validate(profile, None, "profile")
    t = profile.targets
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if profile.name:
        doc["name"] = profile.name
    if t.energy_kcal is not None:
        doc["energy_kcal"] = float(t.energy_kcal)
    doc["modes"] = sorted(t.modes)
    doc["warnings"] = list(t.warnings)
    doc["allow_supplements"] = t.allow_supplements
    if profile.person is not None:
        p = profile.person
        doc["person"] = _drop_none({
            "age": p.age, "sex": p.sex, "life_stage": p.life_stage, "weight_kg": p.weight_kg,
            "height_cm": p.height_cm, "activity": p.activity, "energy_kcal": p.energy_kcal})
    doc["diet"] = _diet_dict(t.diet)
    doc["bounds"] = [_bound_dict(b) for b in t.bounds]
    if t.aims:
        doc["aims"] = [_drop_none({"nutrient": a.nutrient, "min": a.min, "unit": a.unit,
                                   "source": a.source, "reason": a.reason,
                                   "weight": a.weight}) for a in t.aims]
    return tomli_w.dumps(doc)


def save_profile(path: str | Path, targets: Targets, *, person: Person | None = None,
                 name: str = "") -> None:
    """Save targets (and who they are for) as a TOML profile, atomically.

    Args:
        path: the file to write (replaced in one step: temp file + ``os.replace``).
        targets: the targets.
        person: who they were built for (optional, kept for editing later).
        name: a display name.

    Raises:
        ProfileError: if the targets are invalid or the file cannot be written.
    """
    p = Path(path)
    text = profile_to_toml(Profile(targets, person, name))
    write_text_atomic(p, text, ProfileError)


# --------------------------------------------------------------------------- reading

class _Reader:
    """Typed access to a parsed TOML document that records problems by field name."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, where: str, message: str) -> None:
        self.problems.append(Problem(f"{where}: {message}"))

    def keys(self, table: dict[str, Any], allowed: tuple[str, ...] | frozenset[str],
             where: str) -> None:
        for k in table:
            if k not in allowed:
                self.bad(f"{where}{k}", f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def number(self, table: dict[str, Any], key: str, where: str) -> float | None:
        if key not in table:
            return None
        v = table[key]
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.bad(where, f"must be a number, not {_describe(v)}")
            return None
        if not math.isfinite(v):
            self.bad(where, f"must be a finite number, not {v}")
            return None
        if abs(v) > MAX_NUMBER:
            self.bad(where, f"{v:g} is larger than {MAX_NUMBER:,.0f}, the most any bound or "
                            "amount may be (a typo or a unit mix-up?)")
            return None
        return float(v)

    def integer(self, table: dict[str, Any], key: str, where: str) -> int | None:
        v = table.get(key)
        if isinstance(v, bool) or not isinstance(v, int):
            self.bad(where, f"must be a whole number, not {_describe(v)}")
            return None
        return v

    def text(self, table: dict[str, Any], key: str, where: str, default: str | None = None
             ) -> str | None:
        if key not in table:
            return default
        v = table[key]
        if not isinstance(v, str):
            self.bad(where, f"must be text, not {_describe(v)}")
            return default
        return v

    def flag(self, table: dict[str, Any], key: str, where: str) -> bool:
        v = table.get(key, False)
        if not isinstance(v, bool):
            self.bad(where, f"must be true or false, not {_describe(v)}")
            return False
        return v

    def words(self, table: dict[str, Any], key: str, where: str) -> list[str]:
        v = table.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.bad(where, f"must be a list of text, not {_describe(v)}")
            return []
        return cast(list[str], v)

    def table(self, doc: dict[str, Any], key: str, where: str) -> dict[str, Any] | None:
        if key not in doc:
            return None
        v = doc[key]
        if not isinstance(v, dict):
            self.bad(where, f"must be a table ([{key}]), not {_describe(v)}")
            return None
        return cast(dict[str, Any], v)


def _describe(v: object) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, bool):
        return f"{str(v).lower()} (true/false)"
    if isinstance(v, str):
        return f"text {v!r}"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a table"
    return f"{type(v).__name__} {v!r}"


def _row_table(r: _Reader, raw: object, at: str, kind: str,
               keys: tuple[str, ...]) -> dict[str, Any] | None:
    """One ``[[bounds]]``/``[[aims]]`` table: a table, only known keys, a nutrient."""
    if not isinstance(raw, dict):
        r.bad(at, f"must be a table ([[{kind}]]), not {_describe(raw)}")
        return None
    t = cast(dict[str, Any], raw)
    r.keys(t, keys, f"{at}.")
    if "nutrient" not in t:
        r.bad(f"{at}.nutrient", "is required")
    return t


def _labels(r: _Reader, t: dict[str, Any], at: str) -> tuple[str, str, str]:
    """A row's unit, source and reason ('' when absent)."""
    def get(k: str) -> str:
        return r.text(t, k, f"{at}.{k}", "") or ""

    return get("unit"), get("source"), get("reason")


def _read_bound(r: _Reader, raw: object, i: int) -> Bound | None:
    at = f"bounds[{i}]"
    n0 = len(r.problems)
    t = _row_table(r, raw, at, "bounds", _BOUND_KEYS)
    if t is None:
        return None
    nutrient = r.text(t, "nutrient", f"{at}.nutrient")
    lo = r.number(t, "min", f"{at}.min")
    hi = r.number(t, "max", f"{at}.max")
    daily = r.number(t, "daily_min", f"{at}.daily_min")
    unit, source, reason = _labels(r, t, at)
    period = r.text(t, "period", f"{at}.period", "day") or "day"
    if period not in ("day", "week"):
        r.bad(f"{at}.period", f"must be 'day' or 'week', not {period!r}")
        period = "day"
    supp = r.flag(t, "supplements_only", f"{at}.supplements_only")
    of_energy = r.flag(t, "of_energy", f"{at}.of_energy")
    weekly_max = r.flag(t, "weekly_max", f"{at}.weekly_max")
    if len(r.problems) > n0 or nutrient is None:
        return None
    return Bound(nutrient, lo, hi, unit, source, reason,
                 "week" if period == "week" else "day", daily, supp, of_energy, weekly_max)


def _read_aim(r: _Reader, raw: object, i: int) -> Aim | None:
    at = f"aims[{i}]"
    n0 = len(r.problems)
    t = _row_table(r, raw, at, "aims", _AIM_KEYS)
    if t is None:
        return None
    nutrient = r.text(t, "nutrient", f"{at}.nutrient")
    lo = r.number(t, "min", f"{at}.min")
    if "min" not in t:
        r.bad(f"{at}.min", "is required")
    elif lo is not None and lo <= 0:
        r.bad(f"{at}.min", f"must be above 0, not {lo:g}")
    weight = r.number(t, "weight", f"{at}.weight")
    if weight is not None and not 0 < weight <= 10:
        r.bad(f"{at}.weight", f"must be above 0 and at most 10, not {weight:g}")
    unit, source, reason = _labels(r, t, at)
    if len(r.problems) > n0 or nutrient is None or lo is None:
        return None
    return Aim(nutrient, lo, unit, source, reason, 0.05 if weight is None else weight)


def _read_rows(r: _Reader, doc: dict[str, Any], kind: str, required: bool,
               read: Callable[[_Reader, object, int], T | None]) -> list[T]:
    """Every table of a ``[[kind]]`` list, each read by ``read`` (problems go to ``r``)."""
    raw_rows = doc.get(kind)
    if raw_rows is None:
        if required:
            r.bad(kind, f"is required: add at least one [[{kind}]] table")
        return []
    if not isinstance(raw_rows, list):
        r.bad(kind, f"must be a list of [[{kind}]] tables, not {_describe(raw_rows)}")
        return []
    rows = [read(r, raw, i) for i, raw in enumerate(raw_rows, start=1)]
    return [x for x in rows if x is not None]


def _read_diet(r: _Reader, t: dict[str, Any]) -> DietFilter:
    r.keys(t, _DIET_KEYS, "diet.")
    diet = r.text(t, "diet", "diet.diet")
    keto = r.flag(t, "keto", "diet.keto")
    sets = {k: frozenset(r.words(t, k, f"diet.{k}"))
            for k in ("allergens", "exclude_foods", "exclude_groups", "exclude_flags",
                      "dislikes", "favourites")}
    return DietFilter(diet=diet, keto=keto, **sets)


def _read_person(r: _Reader, t: dict[str, Any]) -> Person | None:
    n0 = len(r.problems)
    r.keys(t, _PERSON_KEYS, "person.")
    age = r.integer(t, "age", "person.age")
    sex = r.text(t, "sex", "person.sex")
    if sex is None and "sex" not in t:
        r.bad("person.sex", "is required")
    stage = r.text(t, "life_stage", "person.life_stage")
    weight = r.number(t, "weight_kg", "person.weight_kg")
    height = r.number(t, "height_cm", "person.height_cm")
    activity = r.text(t, "activity", "person.activity", "light") or "light"
    energy = r.number(t, "energy_kcal", "person.energy_kcal")
    if len(r.problems) > n0 or age is None or sex is None:
        return None
    person = Person(age, cast(Any, sex), cast(Any, stage), weight, height, activity, energy)
    try:
        validate_person(person)
    except TargetsError as exc:
        for p in exc.problems:
            r.problems.append(Problem(f"person.{p.message}"))
        return None
    return person


def profile_from_toml(text: str, source: str = "profile", *,
                      table: FoodTable | None = None) -> Profile:
    """Parse and validate profile TOML text.

    Args:
        text: the TOML text.
        source: how to name it in errors (usually the file path).
        table: when given, every bound must name one of its columns and every food id in
            the diet must be in it.

    Returns:
        The profile.

    Raises:
        ProfileError: listing every problem, each naming its field (``bounds[3].min``), or
            the line and column of a TOML syntax error.
    """
    try:
        doc = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(source, [Problem(f"not valid TOML: {exc}")]) from None
    except RecursionError:
        raise ProfileError(source, [Problem("not a profile: arrays or tables nested too deeply "
                                            "to read")]) from None
    r = _Reader()
    r.keys(doc, _TOP_KEYS, "")
    fmt = r.text(doc, "format", "format")
    if fmt is not None and fmt != FORMAT:
        r.bad("format", f"{fmt!r} is not {FORMAT!r}")
    if "version" in doc:
        version = r.integer(doc, "version", "version")
        if version is not None and version != VERSION:
            r.bad("version", f"{version} is not supported (this mealplan reads version "
                             f"{VERSION})")
    name = r.text(doc, "name", "name", "") or ""
    energy = r.number(doc, "energy_kcal", "energy_kcal")
    modes = frozenset(r.words(doc, "modes", "modes"))
    warnings = tuple(r.words(doc, "warnings", "warnings"))
    supplements = r.flag(doc, "allow_supplements", "allow_supplements")
    person_t = r.table(doc, "person", "person")
    person = _read_person(r, person_t) if person_t is not None else None
    diet_t = r.table(doc, "diet", "diet")
    diet = _read_diet(r, diet_t) if diet_t is not None else DietFilter()
    bounds = _read_rows(r, doc, "bounds", True, _read_bound)
    aims = _read_rows(r, doc, "aims", False, _read_aim)
    if r.problems:
        raise ProfileError(source, r.problems)
    profile = Profile(Targets(tuple(bounds), diet, energy, modes, warnings, supplements,
                              tuple(aims)), person, name)
    _validate(profile, table, source)
    return profile


def _validate(profile: Profile, table: FoodTable | None, source: str) -> None:
    try:
        validate_targets(profile.targets, table, source)
        if profile.person is not None:
            validate_person(profile.person)
    except ProfileError:
        raise
    except TargetsError as exc:
        raise ProfileError(source, list(exc.problems)) from None


def load_profile(path: str | Path, *, table: FoodTable | None = None) -> Profile:
    """Read a profile or targets file.

    Args:
        path: the TOML file.
        table: when given, check bounds and food ids against this food table.

    Returns:
        The profile (``.targets`` is what the optimiser needs).

    Raises:
        ProfileError: file missing or unreadable, bad TOML, or invalid content (each
            problem names its field).
    """
    raw = read_bytes_limited(path, ProfileError, what="TOML file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProfileError(str(path), [Problem("not UTF-8 text; save the file as UTF-8")]
                           ) from None
    return profile_from_toml(text, str(path), table=table)
