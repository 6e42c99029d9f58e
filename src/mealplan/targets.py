"""Per-day nutrient bounds for a person (DRI-based cramp profiles), diet filters, safety modes.

Data types first; builders (``targets_for``), filters (``filter_foods``) and profile I/O
follow. The optimiser only reads :class:`Targets`: a tuple of :class:`Bound` over food-table
columns plus the diet filter and preferences.

The default cramp-support profile (:func:`targets_for`), per day:

- energy (``energy_kcal``): Mifflin-St Jeor resting energy x an activity factor (or the
  person's own number), held within ±10 % (:data:`ENERGY_TOLERANCE`);
  :attr:`Targets.energy_kcal` is the centre. Without weight and height the IOM reference
  body (163 cm / 57 kg women, 177 cm / 70 kg men) is used and a warning says so.
- protein (``protein_g``): at least 0.8 g/kg body weight (1.1 in pregnancy, 1.3 in
  lactation), at most 35 % of energy (top of the AMDR).
- magnesium, potassium, calcium, vitamin D, B6, B12, vitamin E: at least the RDA/AI for the
  person's sex, age band and life stage (``data/dri.csv``).
- vitamin K2 (``k2_ug``): 100-200 µg (seed 000_7973ab7d68f1019b.txt; a project target, not
  an official DRI).
- sodium: between the AI (1,500 mg) and the CDRR (2,300 mg).
- upper limits that apply to food: calcium, vitamin D, B6, phosphorus, iron, zinc and
  preformed vitamin A (``retinol_ug``); supplement-only ULs (magnesium 350 mg, vitamin E
  1,000 mg) as ``supplements_only`` max bounds.
- ``full_dri=True`` adds the RDA/AI minimums of vitamin A, phosphorus, iron, zinc and total
  vitamin K (off by default: the cramp profile stays easy to meet from food).
- macro shares (on by default; ``macro_shares=False`` turns them off): fat 20-35 % and
  carbohydrate 45-65 % of energy (AMDR), so the default day is not low-carb and high-fat;
  with keto, no carbohydrate share and fat 20-80 %.

Safety modes (each adds a plain-language warning to :attr:`Targets.warnings`):
anticoagulant (:class:`Anticoagulant`), chronic kidney disease (:class:`KidneyLimits`),
pregnancy and lactation (``Person.life_stage``). Facts: RESEARCH_NOTES §5 of the reference
material, summarised in ``seeds/evidence.toml``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import pandas as pd

from .dri import MIN_ADULT_AGE, DriRow, dri_value
from .errors import Problem, TargetsError
from .foods import FoodTable, split_list
from .units import ALLERGENS, DERIVED, FLAGS, NUTRIENTS, unit_of

__all__ = [
    "ACTIVITY_FACTORS",
    "ALLERGEN_SHORTCUTS",
    "DIETS",
    "ENERGY_TOLERANCE",
    "K2_MAX_UG",
    "K2_MIN_UG",
    "KETO_DEFAULT_NET_CARBS",
    "KETO_NET_CARBS_RANGE",
    "MODES",
    "REFERENCE_BODY",
    "SAFETY_MODE_RULES",
    "WEEKLY_FLOOR_FRACTION",
    "Aim",
    "Anticoagulant",
    "Bound",
    "DietFilter",
    "KidneyLimits",
    "Person",
    "Targets",
    "bound_problems",
    "diet_filter",
    "diet_problems",
    "energy_estimate",
    "filter_foods",
    "hold_weekly",
    "life_stage_flags",
    "mifflin_st_jeor",
    "targets_for",
    "validate_against",
    "validate_person",
    "validate_targets",
]

Period = Literal["day", "week"]


@dataclass(frozen=True)
class Bound:
    """A bound on one nutrient column's daily total.

    ``period="week"`` makes ``min``/``max`` apply to the average over the plan's days, with
    ``daily_min`` as a floor on every single day. ``supplements_only`` marks an upper limit
    that counts supplement items only (e.g. magnesium's 350 mg UL).
    """

    nutrient: str
    min: float | None = None
    max: float | None = None
    unit: str = ""
    source: str = ""
    reason: str = ""
    period: Period = "day"
    daily_min: float | None = None
    supplements_only: bool = False


@dataclass(frozen=True)
class DietFilter:
    """Which foods may appear, and soft preferences."""

    diet: str | None = None  # None, "vegetarian", "vegan", "pescatarian"
    keto: bool = False
    allergens: frozenset[str] = frozenset()
    exclude_foods: frozenset[str] = frozenset()
    exclude_groups: frozenset[str] = frozenset()
    exclude_flags: frozenset[str] = frozenset()
    dislikes: frozenset[str] = frozenset()
    favourites: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Aim:
    """A daily amount to aim for, not a hard floor: each % short costs ``weight`` points in
    the objective (energy costs 1 point per % beyond its dead zone). E.g. sodium's AI."""

    nutrient: str
    min: float
    unit: str = ""
    source: str = ""
    reason: str = ""
    weight: float = 0.05


@dataclass(frozen=True)
class Targets:
    """Everything the optimiser must meet for one person, per day."""

    bounds: tuple[Bound, ...]
    diet: DietFilter = field(default_factory=DietFilter)
    energy_kcal: float | None = None  # the centre the balanced objective steers to
    modes: frozenset[str] = frozenset()  # "anticoagulant", "ckd", "pregnancy", "lactation"
    warnings: tuple[str, ...] = ()
    allow_supplements: bool = False
    aims: tuple[Aim, ...] = ()  # soft minimums (sodium's AI)

    def bounds_for(self, nutrient: str) -> tuple[Bound, ...]:
        """Every bound on one nutrient column."""
        return tuple(b for b in self.bounds if b.nutrient == nutrient)


# --------------------------------------------------------------------------- constants

DIETS: frozenset[str] = frozenset({"vegetarian", "vegan", "pescatarian"})
# Which diet_tags a food needs to pass each diet: vegan foods are vegetarian, and both are
# pescatarian. A food without tags passes no diet (never guess).
_DIET_ACCEPTS: dict[str, frozenset[str]] = {
    "vegan": frozenset({"vegan"}),
    "vegetarian": frozenset({"vegan", "vegetarian"}),
    "pescatarian": frozenset({"vegan", "vegetarian", "pescatarian"}),
}
ALLERGEN_SHORTCUTS: dict[str, frozenset[str]] = {
    "dairy_free": frozenset({"milk"}),
    "gluten_free": frozenset({"gluten"}),
    "nut_free": frozenset({"tree_nuts", "peanuts"}),
}
MODES: frozenset[str] = frozenset({"anticoagulant", "ckd", "pregnancy", "lactation", "keto"})

# Physical-activity factors applied to Mifflin-St Jeor resting energy (the usual PAL steps).
ACTIVITY_FACTORS: dict[str, float] = {
    "sedentary": 1.2,
    "light": 1.375,
    "moderate": 1.55,
    "active": 1.725,
    "very_active": 1.9,
}
# IOM reference adult heights (cm) and weights (kg), used when the person gives none.
REFERENCE_BODY: dict[str, tuple[float, float]] = {"female": (163.0, 57.0),
                                                  "male": (177.0, 70.0)}
ENERGY_TOLERANCE = 0.10
# Extra energy (kcal/day) over the non-pregnant estimate: IOM 2005 EER increments
# (2nd trimester +340; 3rd +452; lactation 0-6 months +330).
_LIFE_STAGE_KCAL: dict[str, float] = {"pregnancy": 340.0, "lactation": 330.0}
_PROTEIN_G_PER_KG: dict[str | None, float] = {None: 0.8, "pregnancy": 1.1, "lactation": 1.3}
PROTEIN_MAX_SHARE = 0.35
K2_MIN_UG = 100.0
K2_MAX_UG = 200.0
KETO_DEFAULT_NET_CARBS = 25.0
KETO_NET_CARBS_RANGE = (20.0, 50.0)
WEEKLY_FLOOR_FRACTION = 0.5
_K2_SOURCE = "seed 000_7973ab7d68f1019b.txt (project target, not an official DRI)"
_MSJ_SOURCE = "Mifflin-St Jeor 1990 resting energy x activity factor"

# One-line reasons per column, shown next to each bound.
_WHY: dict[str, str] = {
    "magnesium_mg": "helps muscles relax after contracting",
    "potassium_mg": "keeps nerve signals and muscle cells' fluid balance working",
    "calcium_mg": "triggers muscle contraction; too little or too much upsets it",
    "vitamin_d_ug": "needed to absorb calcium",
    "vitamin_b6_mg": "supports nerve function and muscle energy",
    "vitamin_b12_ug": "supports nerve function; deficiency can cause cramps and tingling",
    "vitamin_e_mg": "antioxidant linked to calmer legs at night",
    "sodium_mg": "an electrolyte muscles need, but too much raises blood pressure",
    "vitamin_a_rae_ug": "general adequacy",
    "phosphorus_mg": "general adequacy (partner of calcium in bone)",
    "iron_mg": "general adequacy (oxygen transport to muscles)",
    "zinc_mg": "general adequacy",
    "vitamin_k_total_ug": "general adequacy (blood clotting)",
}
_CRAMP_MINIMUMS = ("magnesium", "potassium", "calcium", "vitamin_d", "vitamin_b6",
                   "vitamin_b12", "vitamin_e")
_FULL_DRI_MINIMUMS = ("vitamin_a", "phosphorus", "iron", "zinc", "vitamin_k")
# ULs that count everything eaten (food and supplements). Vitamin A's UL is on retinol.
_FOOD_ULS = ("calcium", "vitamin_d", "vitamin_b6", "phosphorus", "iron", "zinc", "vitamin_a")
_SUPPLEMENT_ULS = ("magnesium", "vitamin_e")


# --------------------------------------------------------------------------- person

@dataclass(frozen=True)
class Person:
    """Who the targets are for.

    ``energy_kcal`` (the person's own number) wins over the estimate from weight, height and
    activity. Weight and height are optional: without them the IOM reference body is used.
    """

    age: int
    sex: Literal["female", "male"]
    life_stage: Literal["pregnancy", "lactation"] | None = None
    weight_kg: float | None = None
    height_cm: float | None = None
    activity: str = "light"
    energy_kcal: float | None = None


@dataclass(frozen=True)
class Anticoagulant:
    """Warfarin-type (vitamin K antagonist) mode: total vitamin K held in a steady band.

    Both ends are agreed with the person's clinician; there is no default.
    """

    vitk_min_ug: float
    vitk_max_ug: float


@dataclass(frozen=True)
class KidneyLimits:
    """Chronic kidney disease mode: daily caps the person's clinician set.

    Protein defaults to 0.6-0.8 g per kg a day: KDOQI/Academy of Nutrition and Dietetics 2020
    (Am J Kidney Dis 2020;76(3 Suppl 1):S1-S107, doi:10.1053/j.ajkd.2020.05.006) advises
    0.55-0.6 g/kg for adults with CKD 3-5 not on dialysis and 0.6-0.8 g/kg with diabetes;
    the default is the wider, diabetes band, and the clinician sets the person's own band.
    Magnesium gets no minimum (the kidney excretes it: no push toward more).
    """

    potassium_max_mg: float
    phosphorus_max_mg: float
    protein_min_g_per_kg: float = 0.6
    protein_max_g_per_kg: float = 0.8


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def validate_person(person: Person) -> None:
    """Check a person's fields; every problem names its field.

    Args:
        person: the person.

    Raises:
        TargetsError: listing each bad field (age under 19, unknown sex, ...).
    """
    problems: list[Problem] = []

    def bad(fieldname: str, message: str) -> None:
        problems.append(Problem(f"{fieldname}: {message}"))

    if not isinstance(person.age, int) or isinstance(person.age, bool):
        bad("age", f"must be whole years, not {person.age!r}")
    elif person.age < MIN_ADULT_AGE:
        bad("age", f"{person.age} is under {MIN_ADULT_AGE}: DRI targets are shipped for "
                   "adults only; no data for children or teenagers yet")
    elif person.age > 120:
        bad("age", f"{person.age} is not a plausible age")
    if person.sex not in ("female", "male"):
        bad("sex", f"must be 'female' or 'male', not {person.sex!r}")
    if person.life_stage not in (None, "pregnancy", "lactation"):
        bad("life_stage", f"must be 'pregnancy', 'lactation' or empty, not "
                          f"{person.life_stage!r}")
    elif person.life_stage is not None:
        if person.sex == "male":
            bad("life_stage", f"{person.life_stage} applies to sex 'female' only")
        elif isinstance(person.age, int) and person.age > 50:
            bad("life_stage", f"no {person.life_stage} DRIs for age {person.age} "
                              "(the table covers 19-50)")
    for name, value, lo, hi in (("weight_kg", person.weight_kg, 25.0, 400.0),
                                ("height_cm", person.height_cm, 100.0, 250.0),
                                ("energy_kcal", person.energy_kcal, 800.0, 6000.0)):
        if value is None:
            continue
        if not _finite(value):
            bad(name, f"must be a number, not {value!r}")
        elif not lo <= value <= hi:
            bad(name, f"{value:g} is outside {lo:g}-{hi:g}")
    if person.activity not in ACTIVITY_FACTORS:
        bad("activity", f"unknown level {person.activity!r} (choose from "
                        f"{', '.join(ACTIVITY_FACTORS)})")
    if problems:
        raise TargetsError("person", problems)


def mifflin_st_jeor(sex: str, age: float, weight_kg: float, height_cm: float) -> float:
    """Resting energy expenditure (kcal/day) by Mifflin-St Jeor (1990).

    Args:
        sex: ``female`` or ``male``.
        age: years.
        weight_kg: body weight.
        height_cm: height.

    Returns:
        ``10 w + 6.25 h - 5 a + 5`` for men, ``... - 161`` for women.
    """
    base = 10.0 * weight_kg + 6.25 * height_cm - 5.0 * age
    return base + (5.0 if sex == "male" else -161.0)


def energy_estimate(person: Person) -> tuple[float, str, str]:
    """The energy centre for a person, with its source and a one-line reason.

    Args:
        person: a validated person.

    Returns:
        ``(kcal, source, reason)``.
    """
    if person.energy_kcal is not None:
        return float(person.energy_kcal), "your own number", "the energy target you gave"
    ref_h, ref_w = REFERENCE_BODY[person.sex]
    h = person.height_cm if person.height_cm is not None else ref_h
    w = person.weight_kg if person.weight_kg is not None else ref_w
    factor = ACTIVITY_FACTORS[person.activity]
    kcal = mifflin_st_jeor(person.sex, person.age, w, h) * factor
    reason = f"{h:g} cm, {w:g} kg, age {person.age}, activity {person.activity} (x{factor:g})"
    if person.life_stage is not None:
        extra = _LIFE_STAGE_KCAL[person.life_stage]
        kcal += extra
        reason += f", +{extra:g} kcal for {person.life_stage}"
    return round(kcal), _MSJ_SOURCE, reason


# --------------------------------------------------------------------------- builder

def _unit(column: str) -> str:
    if column in NUTRIENTS:
        return NUTRIENTS[column].unit
    if column in DERIVED:
        return DERIVED[column].unit
    return unit_of(column) or ""


def _who(row: DriRow) -> str:
    who = "women" if row.sex == "female" else "men"
    stage = f", {row.life_stage}" if row.life_stage else ""
    return f"{who} {row.band}{stage}"


def _first_url(text: str, fallback: str) -> str:
    m = re.search(r"https?://[^\s;,)]+", text)
    return m.group(0) if m else fallback


def _ul_source(row: DriRow) -> str:
    """A UL bound's citation: the report, then the UL page its note names (else the table)."""
    return "UL: " + "; ".join(
        s for s in (row.report, _first_url(row.ul_note, row.summary_table_url)) if s)


def _row(nutrient: str, p: Person, kind: str | None = None) -> DriRow | None:
    return dri_value(nutrient, p.sex, p.age, p.life_stage, kind)


def _require_row(nutrient: str, p: Person) -> DriRow:
    row = _row(nutrient, p)
    if row is None:  # the shipped table covers every adult band; guard a damaged file
        raise TargetsError("shipped DRI table", [Problem(
            f"no {nutrient} row for {p.sex}, age {p.age}, {p.life_stage or 'no life stage'}")])
    return row


def _check_keto(net_carbs: float) -> None:
    lo, hi = KETO_NET_CARBS_RANGE
    if not _finite(net_carbs) or not lo <= net_carbs <= hi:
        raise TargetsError("keto", [Problem(
            f"keto_net_carbs: {net_carbs!r} g/day is outside {lo:g}-{hi:g} g "
            "(keto diets keep net carbs in this range)")])


def _check_modes(anticoagulant: Anticoagulant | None, ckd: KidneyLimits | None) -> None:
    problems: list[Problem] = []
    if anticoagulant is not None:
        lo, hi = anticoagulant.vitk_min_ug, anticoagulant.vitk_max_ug
        for name, v in (("anticoagulant.vitk_min_ug", lo), ("anticoagulant.vitk_max_ug", hi)):
            if not _finite(v) or v < 0:
                problems.append(Problem(f"{name}: must be a number >= 0, not {v!r}"))
        if not problems and lo > hi:
            problems.append(Problem(
                f"anticoagulant.vitk_min_ug: {lo:g} is greater than vitk_max_ug {hi:g}"))
    if ckd is not None:
        for name, v in (("ckd.potassium_max_mg", ckd.potassium_max_mg),
                        ("ckd.phosphorus_max_mg", ckd.phosphorus_max_mg)):
            if not _finite(v) or v <= 0:
                problems.append(Problem(f"{name}: must be a number > 0, not {v!r}"))
        lo_kg, hi_kg = ckd.protein_min_g_per_kg, ckd.protein_max_g_per_kg
        for name, v in (("ckd.protein_min_g_per_kg", lo_kg), ("ckd.protein_max_g_per_kg", hi_kg)):
            if not _finite(v) or not 0 < v <= 3:
                problems.append(Problem(f"{name}: must be a number in (0, 3] g/kg, not {v!r}"))
        if _finite(lo_kg) and _finite(hi_kg) and lo_kg > hi_kg:
            problems.append(Problem(f"ckd.protein_min_g_per_kg: {lo_kg:g} is greater than "
                                    f"protein_max_g_per_kg {hi_kg:g}"))
    if problems:
        raise TargetsError("safety mode", problems)


# What each safety mode does, with its numbers and primary sources (the app's Evidence &
# safety tab; the active modes' warnings say the same with the person's own numbers).
SAFETY_MODE_RULES: dict[str, str] = {
    "anticoagulant": (
        "Blood thinner (warfarin or another vitamin K antagonist): the K2 target is off; natto "
        "and K2 supplements are left out (MK-7 acts more strongly and for longer on the INR "
        "than K1: as little as 10-20 µg a day lowered the INR in anticoagulated volunteers, "
        "J Thromb Haemost 2013;11:1085-92, https://doi.org/10.1111/jth.12203); total vitamin "
        "K (K1 and K2 counted 1:1) is held every day in the band the clinician sets, at the "
        "central K2 value of every food and at the high end of its K2 range; a daily floor of "
        "vitamin K1 keeps greens in every day (steady, not none). Tell your anticoagulation "
        "clinic before changing your diet."),
    "ckd": (
        "Kidney disease (not on dialysis): potassium and phosphorus capped at the clinician's "
        "numbers, with no minimum for potassium or magnesium (the kidneys clear them); protein "
        "0.6-0.8 g per kg a day by default, the band KDOQI/Academy of Nutrition and Dietetics "
        "2020 gives with diabetes (0.55-0.6 without; "
        "https://doi.org/10.1053/j.ajkd.2020.05.006): the clinician sets the person's own; "
        "fat and "
        "carbohydrate at their usual shares of energy (IOM 2005 AMDR, "
        "https://doi.org/10.17226/10490); no magnesium or potassium supplement, no "
        "potassium-based salt substitute."),
    "pregnancy": (
        "Pregnancy: the pregnancy DRIs and upper limits (iron UL 45 mg, zinc UL 40 mg; IOM "
        "2001, https://doi.org/10.17226/10026); no liver (preformed vitamin A); no "
        "soft-ripened, blue-veined or soft fresh cheeses (brie, camembert, blue, feta, queso "
        "fresco, soft goat cheese), refrigerated smoked or pickled fish or pâté (listeria), "
        "no raw eggs "
        "(FDA and CDC food-safety advice for pregnancy); no kelp (very high iodine)."),
    "lactation": (
        "Breastfeeding: the lactation DRIs and upper limits; no liver (preformed vitamin A) "
        "and no kelp (very high iodine)."),
}


# The largest bound a target may hold (a day's amount of anything in its unit is far below):
# above it a number is a typo, and near 1e20 the solver treats it as infinite and fails.
MAX_BOUND = 1e6

# Salt (NaCl) is 39.3 % sodium by mass (22.99 / 58.44 g/mol).
SODIUM_PER_G_SALT_MG = 393.4

# Warfarin mode: share of the clinician's vitamin K floor that must come from K1 (greens),
# so that greens stay in the plan every day instead of vanishing.
WARFARIN_K1_SHARE = 0.5

# Foods each life stage leaves out, by flag (FDA/CDC food-safety advice for pregnancy;
# IOM 2001 iodine UL; see ../shared/reference/RESEARCH_NOTES.md section 7).
LIFE_STAGE_FLAGS: dict[str, frozenset[str]] = {
    "pregnancy": frozenset({"high_vitamin_a", "listeria_risk", "raw_animal", "high_iodine"}),
    "lactation": frozenset({"high_vitamin_a", "high_iodine"}),
}


def life_stage_flags(life_stage: str | None) -> frozenset[str]:
    """Food flags a pregnancy or breastfeeding plan never uses (empty otherwise)."""
    return LIFE_STAGE_FLAGS.get(life_stage or "", frozenset())


def targets_for(
    person: Person,
    *,
    diet: DietFilter | None = None,
    keto_net_carbs: float | None = None,
    anticoagulant: Anticoagulant | None = None,
    ckd: KidneyLimits | None = None,
    full_dri: bool = False,
    macro_shares: bool = True,
    allow_supplements: bool = False,
    weekly: Sequence[str] = (),
    weekly_floor_fraction: float = WEEKLY_FLOOR_FRACTION,
    cooking_salt_g: float = 0.0,
) -> Targets:
    """The default cramp-support targets for a person (see the module docstring).

    Args:
        person: age, sex, life stage, body and activity (or an explicit energy target).
        diet: which foods may appear; safety modes add exclusions to it.
        keto_net_carbs: keto mode: a daily cap on ``net_carbs_g`` (20-50 g; the usual
            default is :data:`KETO_DEFAULT_NET_CARBS`). None: no keto.
        anticoagulant: warfarin-type mode: K2 target off, natto and other very K2-rich foods
            excluded, total vitamin K held inside the given band every day.
        ckd: kidney mode: potassium and phosphorus capped at the given values, no potassium
            minimum.
        full_dri: also hold vitamin A, phosphorus, iron, zinc and vitamin K at their RDA/AI.
        macro_shares: hold fat and carbohydrate as shares of energy (AMDR; on by default,
            and always on in kidney mode).
        allow_supplements: whether the optimiser may add supplement items.
        weekly: columns to hold as a weekly average with a daily floor (:func:`hold_weekly`).
        weekly_floor_fraction: that daily floor as a fraction of the minimum.
        cooking_salt_g: salt added in cooking or at the table, grams a day: its sodium
            (39.3 % of salt's mass) counts toward the sodium cap and the sodium aim.

    Returns:
        The targets, with warnings for every safety mode.

    Raises:
        TargetsError: naming the field: age under 19, keto cap outside 20-50, a vitamin K
            band upside down, ...
    """
    validate_person(person)
    _check_modes(anticoagulant, ckd)
    if not _finite(cooking_salt_g) or not 0 <= cooking_salt_g <= 5:
        raise TargetsError("targets", [Problem(
            f"cooking_salt_g: must be 0-5 g a day (5 g of salt is 2,000 mg of sodium, most of "
            f"the 2,300 mg limit), not {cooking_salt_g!r}", column="cooking_salt_g")])
    if keto_net_carbs is not None:
        _check_keto(keto_net_carbs)
    base_diet = diet if diet is not None else DietFilter()
    d_problems = diet_problems(base_diet)
    if d_problems:
        raise TargetsError("diet", d_problems)

    bounds: list[Bound] = []
    warnings: list[str] = []
    modes: set[str] = set()
    exclude_flags = set(base_diet.exclude_flags)

    kcal, e_source, e_reason = energy_estimate(person)
    bounds.append(Bound("energy_kcal", round(kcal * (1 - ENERGY_TOLERANCE), 1),
                        round(kcal * (1 + ENERGY_TOLERANCE), 1), "kcal", e_source,
                        f"{kcal:g} kcal ±{ENERGY_TOLERANCE:.0%}: {e_reason}"))
    if person.energy_kcal is None and (person.weight_kg is None or person.height_cm is None):
        h, w = REFERENCE_BODY[person.sex]
        warnings.append(
            f"Energy and protein are estimated for a reference body ({h:g} cm, {w:g} kg) "
            "because weight or height is missing: enter yours for a better estimate.")

    weight = person.weight_kg if person.weight_kg is not None else REFERENCE_BODY[person.sex][1]
    g_per_kg = _PROTEIN_G_PER_KG[person.life_stage]
    if ckd is None or person.life_stage is not None:
        # (KDOQI's protein limits are for adults not pregnant or breastfeeding)
        bounds.append(Bound(
            "protein_g", round(g_per_kg * weight, 1), round(PROTEIN_MAX_SHARE * kcal / 4.0, 1),
            "g", "IOM 2005 protein RDA; AMDR upper end 35 % of energy",
            f"at least {g_per_kg:g} g per kg of {weight:g} kg; at most 35 % of energy"))
    else:
        lo_kg, hi_kg = ckd.protein_min_g_per_kg, ckd.protein_max_g_per_kg
        bounds.append(Bound(
            "protein_g", round(lo_kg * weight, 1), round(hi_kg * weight, 1), "g",
            "KDOQI/Academy of Nutrition and Dietetics CKD guideline 2020, "
            "doi:10.1053/j.ajkd.2020.05.006",
            f"kidney disease (not on dialysis): {lo_kg:g}-{hi_kg:g} g per kg of {weight:g} kg"))

    minimums = list(_CRAMP_MINIMUMS) + (list(_FULL_DRI_MINIMUMS) if full_dri else [])
    if ckd is not None:
        minimums.remove("potassium")
        minimums.remove("magnesium")  # excreted by the kidney: no push toward more
    if anticoagulant is not None and "vitamin_k" in minimums:
        minimums.remove("vitamin_k")
    for nutrient in minimums:
        row = _require_row(nutrient, person)
        col = row.column
        bounds.append(Bound(col, row.value, None, _unit(col), f"{row.kind}: {row.source}",
                            f"{_WHY[col]}; {row.kind} for {_who(row)}"))

    # Sodium: between the AI and the CDRR. Lactation has no CDRR row in the table: the
    # general adult CDRR (14+ years) of the same sex and age band applies.
    na_ai = _require_row("sodium", person)
    na_cdrr = _row("sodium", person, "CDRR") or dri_value(
        "sodium", person.sex, person.age, None, "CDRR")
    if na_cdrr is None:
        raise TargetsError("shipped DRI table", [Problem("no sodium CDRR row")])
    # The AI is an aim (missing it costs a little), the CDRR a hard maximum; salt added in
    # cooking (SR28's cooked foods are "without salt") counts toward both.
    salt_na = round(SODIUM_PER_G_SALT_MG * cooking_salt_g, 1)
    aims: list[Aim] = []
    bounds.append(Bound("sodium_mg", None, round(na_cdrr.value - salt_na, 1),
                        _unit("sodium_mg"), f"CDRR: {na_cdrr.source}",
                        f"{_WHY['sodium_mg']}; CDRR for {_who(na_cdrr)}"
                        + (f", less {salt_na:g} mg from {cooking_salt_g:g} g of cooking salt"
                           if salt_na else "")))
    if na_ai.value - salt_na > 0:
        aims.append(Aim("sodium_mg", round(na_ai.value - salt_na, 1), _unit("sodium_mg"),
                        f"AI: {na_ai.source}",
                        f"the AI for {_who(na_ai)}, an aim rather than a floor"
                        + (f", less {salt_na:g} mg from cooking salt" if salt_na else "")))
    warnings.append(
        "Sodium counts what the foods themselves carry: SR28's cooked foods are without "
        "added salt, so salt added in cooking or at the table is not counted"
        + (f" beyond the {cooking_salt_g:g} g a day you entered ({salt_na:g} mg of sodium, "
           "already taken off the limit)." if salt_na else
           " unless you enter it (cooking salt, grams a day).")
        + f" The limit is {na_cdrr.value:,.0f} mg a day; {na_ai.value:,.0f} mg is an aim, "
        "not a floor.")

    if anticoagulant is None:
        bounds.append(Bound("k2_ug", K2_MIN_UG, K2_MAX_UG, _unit("k2_ug"), _K2_SOURCE,
                            "directs calcium to bone and away from muscle and vessels"))

    for nutrient in _FOOD_ULS:
        row = _require_row(nutrient, person)
        if row.ul is None:
            continue
        col = "retinol_ug" if nutrient == "vitamin_a" else row.column
        what = "preformed vitamin A only" if nutrient == "vitamin_a" else "total intake"
        bounds.append(Bound(col, None, row.ul, _unit(col), _ul_source(row),
                            f"tolerable upper intake level for {_who(row)} ({what})"))
    for nutrient in _SUPPLEMENT_ULS:
        row = _require_row(nutrient, person)
        if row.ul is None:
            continue
        bounds.append(Bound(row.column, None, row.ul, _unit(row.column), _ul_source(row),
                            "upper limit on supplements only (food amounts are safe)",
                            supplements_only=True))

    if keto_net_carbs is not None:
        modes.add("keto")
        bounds.append(Bound("net_carbs_g", None, float(keto_net_carbs), "g",
                            "keto convention (20-50 g net carbs a day)",
                            "keto: net carbs (carbohydrate minus fibre) capped"))
    if macro_shares or ckd is not None:
        # kidney mode: with protein held low, energy must come from a normal pattern of
        # grains, fruit and vegetables rather than from oil
        fat_hi = 0.80 if keto_net_carbs is not None else 0.35
        bounds.append(Bound("fat_g", round(0.20 * kcal / 9.0, 1), round(fat_hi * kcal / 9.0, 1),
                            "g", "IOM 2005 AMDR",
                            f"fat 20-{fat_hi:.0%} of energy"))
        if keto_net_carbs is None:
            bounds.append(Bound("carbs_g", round(0.45 * kcal / 4.0, 1),
                                round(0.65 * kcal / 4.0, 1), "g", "IOM 2005 AMDR",
                                "carbohydrate 45-65 % of energy"))

    if anticoagulant is not None:
        modes.add("anticoagulant")
        exclude_flags.add("vitamin_k_antagonist_caution")
        lo, hi = float(anticoagulant.vitk_min_ug), float(anticoagulant.vitk_max_ug)
        bounds.append(Bound("vitamin_k_total_ug", lo, hi, _unit("vitamin_k_total_ug"),
                            "your clinician (steady daily vitamin K with warfarin-type drugs)",
                            "the same vitamin K band every day keeps the INR steady"))
        bounds.append(Bound("vitamin_k_total_high_ug", None, hi, _unit("vitamin_k_total_ug"),
                            "your clinician's band; K2 ranges from the literature "
                            "(foods/k2_menaquinones.csv)",
                            "the band's top holds even at the high end of every food's K2 "
                            "range (cheese K2 varies several-fold)"))
        bounds.append(Bound("vitamin_k_total_low_ug", lo, None, _unit("vitamin_k_total_ug"),
                            "your clinician's band; K2 ranges from the literature "
                            "(foods/k2_menaquinones.csv)",
                            "the band's floor holds even at the low end of every food's K2 "
                            "range"))
        bounds.append(Bound("vitamin_k1_ug", round(WARFARIN_K1_SHARE * lo, 1), None,
                            _unit("vitamin_k1_ug"),
                            "NIH Clinical Center advice on warfarin and vitamin K: keep "
                            "eating greens consistently",
                            f"greens every day: at least {WARFARIN_K1_SHARE:.0%} of the band's "
                            "floor from vitamin K1 (leafy greens), steady rather than none"))
        warnings.append(
            "Blood thinner (warfarin-type, vitamin K antagonist): the vitamin K2 target is "
            "off, natto and other very K2-rich foods are left out, and total vitamin K (K1 and "
            f"K2 counted 1:1) is held between {lo:g} and {hi:g} µg every day, the band you "
            "agreed with your clinician. MK-7 (natto, K2 capsules) acts more strongly on the "
            "INR than K1. Keep vitamin K steady from day to day, take no vitamin K2 "
            "supplement, and tell your anticoagulation clinic before changing your diet.")
    if ckd is not None:
        modes.add("ckd")
        bounds.append(Bound("potassium_mg", None, float(ckd.potassium_max_mg), "mg",
                            "your clinician (chronic kidney disease)",
                            "kidney disease: potassium capped, never pushed up"))
        bounds.append(Bound("phosphorus_mg", None, float(ckd.phosphorus_max_mg), "mg",
                            "your clinician (chronic kidney disease)",
                            "kidney disease: phosphorus capped"))
        warnings.append(
            f"Kidney disease: potassium is capped at {ckd.potassium_max_mg:g} mg and phosphorus "
            f"at {ckd.phosphorus_max_mg:g} mg a day, the limits you entered; potassium and "
            "magnesium have no minimum (the kidneys clear them), and protein is held at "
            f"{ckd.protein_min_g_per_kg:g}-{ckd.protein_max_g_per_kg:g} g per kg a day "
            "(KDOQI 2020 not on dialysis: 0.55-0.6 without diabetes, 0.6-0.8 with it; ask your "
            "kidney team for your own band; in "
            "pregnancy and breastfeeding the usual protein minimum stays); fat and "
            "carbohydrate are held at their usual shares of energy, so energy comes from "
            "grains, fruit and vegetables rather than oil; no magnesium or potassium "
            "supplement is planned. Avoid "
            "potassium-based salt substitutes and take magnesium or potassium supplements "
            "only if your kidney doctor agrees.")
    if person.life_stage is not None:
        modes.add(person.life_stage)
        exclude_flags.update(life_stage_flags(person.life_stage))
        stage = "Pregnancy" if person.life_stage == "pregnancy" else "Breastfeeding"
        warnings.append(
            f"{stage}: targets use the {person.life_stage} DRIs and upper limits; liver "
            "and liver products are left out (very high in preformed vitamin A, which in excess "
            "can harm a baby), and so is kelp (very high, variable iodine)"
            + ("; so are soft-ripened, blue-veined and soft fresh cheeses (brie, camembert, "
               "blue, feta, queso fresco, soft goat cheese, limburger), refrigerated smoked or "
               "pickled fish and pâté (listeria) and raw eggs (FDA/CDC food-safety advice for "
               "pregnancy; pasteurised cottage, ricotta and cream cheese stay)"
               if person.life_stage == "pregnancy" else "")
            + ". Check any supplement with your midwife or doctor; the energy estimate adds a "
            "typical amount, so enter your own number if you have one.")

    diet_out = replace(base_diet, keto=base_diet.keto or keto_net_carbs is not None,
                       exclude_flags=frozenset(exclude_flags))
    targets = Targets(tuple(bounds), diet_out, float(kcal), frozenset(modes), tuple(warnings),
                      allow_supplements, tuple(aims))
    if weekly:
        targets = hold_weekly(targets, weekly, weekly_floor_fraction)
    return targets


# --------------------------------------------------------------------------- weekly view

def hold_weekly(targets: Targets, nutrients: Iterable[str],
                floor_fraction: float = WEEKLY_FLOOR_FRACTION) -> Targets:
    """Hold some nutrients as a weekly average with a daily floor.

    Each daily bound with a minimum on a listed column becomes ``period="week"``: ``min`` is
    then met by the average over the plan's days, ``daily_min = floor_fraction x min`` holds
    on every day (default 50 % of the minimum), and ``max`` stays a per-day cap.
    Supplement-only bounds and bounds without a minimum are left as they are.

    Args:
        targets: the targets to change (not modified).
        nutrients: columns to hold weekly, e.g. ``["vitamin_d_ug", "k2_ug"]``.
        floor_fraction: the daily floor as a fraction of the minimum, 0-1.

    Returns:
        New targets.

    Raises:
        TargetsError: for a fraction outside 0-1, a column with no minimum bound, or total
            vitamin K in anticoagulant mode (it must stay the same every day).
    """
    wanted = list(dict.fromkeys(nutrients))
    problems: list[Problem] = []
    if not _finite(floor_fraction) or not 0.0 <= floor_fraction <= 1.0:
        problems.append(Problem(f"floor_fraction: {floor_fraction!r} is outside 0-1"))
    for col in wanted:
        if col == "vitamin_k_total_ug" and "anticoagulant" in targets.modes:
            problems.append(Problem(
                "weekly: vitamin_k_total_ug must stay the same every day with an "
                "anticoagulant; it cannot be averaged over the week"))
        elif not any(b.min is not None and not b.supplements_only
                     for b in targets.bounds_for(col)):
            problems.append(Problem(f"weekly: no minimum bound on '{col}' to hold weekly"))
    if problems:
        raise TargetsError("weekly view", problems)
    keep = set(wanted)
    new: list[Bound] = []
    for b in targets.bounds:
        if b.nutrient in keep and b.min is not None and not b.supplements_only:
            new.append(replace(b, period="week", daily_min=round(b.min * floor_fraction, 6),
                               reason=f"{b.reason} (weekly average; each day at least "
                                      f"{floor_fraction:.0%} of it)"))
        else:
            new.append(b)
    return replace(targets, bounds=tuple(new))


# --------------------------------------------------------------------------- validation

def _known_column(col: str) -> bool:
    return col in NUTRIENTS or col in DERIVED


def _norm_unit(u: str) -> str:
    return "µg" if u in ("ug", "mcg", "μg") else u


def bound_problems(bounds: Sequence[Bound], *, columns: Iterable[str] | None = None,
                   prefix: str = "bounds") -> list[Problem]:
    """Every problem with a list of bounds, each naming its field (``bounds[3].min``).

    Bounds are counted from 1, as the ``[[bounds]]`` tables appear in a profile file.

    Args:
        bounds: the bounds.
        columns: the columns of the food table the targets will be used with; None checks
            against the standard columns (and accepts any column with a unit suffix).
        prefix: the field name to report.

    Returns:
        The problems (empty when every bound is valid).
    """
    cols = None if columns is None else frozenset(columns)
    out: list[Problem] = []
    for i, b in enumerate(bounds, start=1):
        at = f"{prefix}[{i}]"

        def bad(fieldname: str, message: str, at: str = at) -> None:
            out.append(Problem(f"{at}.{fieldname}: {message}"))

        col = b.nutrient
        if not isinstance(col, str) or not col.strip():
            bad("nutrient", "is empty")
            continue
        expected = _unit(col)
        if cols is not None and col not in cols:
            bad("nutrient", f"the food table has no column '{col}'")
        elif cols is None and not _known_column(col) and unit_of(col) is None:
            bad("nutrient", f"unknown nutrient '{col}' (not a standard column and no unit "
                            "suffix _kcal, _g, _mg or _ug)")
        if b.unit and expected and _norm_unit(b.unit) != expected:
            bad("unit", f"'{b.unit}' is the wrong unit for {col} (expected '{expected}')")
        numbers_ok = True
        for name in ("min", "max", "daily_min"):
            v = getattr(b, name)
            if v is None:
                continue
            if not _finite(v):
                bad(name, f"must be a number, not {v!r}")
                numbers_ok = False
            elif v < 0:
                bad(name, f"negative value {v:g}")
                numbers_ok = False
            elif v > MAX_BOUND:
                # near 1e20 a bound is "infinite" to the solver and its arithmetic fails
                bad(name, f"{v:g} is larger than {MAX_BOUND:,.0f}: a typo?")
                numbers_ok = False
        if b.min is None and b.max is None:
            bad("min", "a bound needs a min, a max or both")
        if numbers_ok and b.min is not None and b.max is not None and b.min > b.max:
            if col == "k2_ug":
                bad("min", f"the vitamin K2 window is upside down: min {b.min:g} is greater "
                           f"than max {b.max:g}")
            else:
                bad("min", f"{b.min:g} is greater than max {b.max:g}")
        if b.period not in ("day", "week"):
            bad("period", f"must be 'day' or 'week', not {b.period!r}")
        if b.daily_min is not None and numbers_ok:
            if b.period != "week":
                bad("daily_min", "only a weekly bound (period = 'week') has a daily floor")
            elif b.min is None or b.daily_min > b.min:
                bad("daily_min", "the daily floor must not exceed the weekly minimum")
        if b.supplements_only and (b.max is None or b.min is not None):
            bad("supplements_only", "a supplements-only bound is a max without a min")
        if not isinstance(b.supplements_only, bool):
            bad("supplements_only", f"must be true or false, not {b.supplements_only!r}")
        for name in ("unit", "source", "reason"):
            if not isinstance(getattr(b, name), str):
                bad(name, "must be text")
    return out


def diet_problems(diet: DietFilter, prefix: str = "diet") -> list[Problem]:
    """Every problem with a diet filter's words (unknown diet, allergen or flag).

    Args:
        diet: the filter.
        prefix: the field name to report.

    Returns:
        The problems (empty when valid).
    """
    out: list[Problem] = []
    if diet.diet is not None and diet.diet not in DIETS:
        out.append(Problem(f"{prefix}.diet: unknown diet {diet.diet!r} (choose from "
                           f"{', '.join(sorted(DIETS))})"))
    for name, allowed in (("allergens", ALLERGENS), ("exclude_flags", frozenset(FLAGS))):
        bad = sorted(set(getattr(diet, name)) - allowed)
        if bad:
            out.append(Problem(f"{prefix}.{name}: unknown {', '.join(map(repr, bad))} "
                               f"(allowed: {', '.join(sorted(allowed))})"))
    both = sorted(diet.favourites & (diet.exclude_foods | diet.dislikes))
    if both:
        out.append(Problem(f"{prefix}.favourites: {', '.join(both)} also excluded or disliked"))
    return out


def validate_targets(targets: Targets, table: FoodTable | None = None,
                     source: str = "targets") -> None:
    """Check targets as a whole (bounds, diet, energy, modes), optionally against a table.

    Args:
        targets: the targets.
        table: when given, every bound must name one of its columns and every food id in the
            diet filter must exist (see :func:`validate_against`).
        source: how to name the targets in the error.

    Raises:
        TargetsError: listing every problem, each naming its field.
    """
    problems = bound_problems(targets.bounds,
                              columns=None if table is None else table.nutrients)
    problems += diet_problems(targets.diet)
    for i, a in enumerate(targets.aims, start=1):
        if not _finite(a.min) or not 0 < a.min <= MAX_BOUND:
            problems.append(Problem(f"aims[{i}].min: must be above 0 and at most "
                                    f"{MAX_BOUND:,.0f}, not {a.min!r}"))
        if not _finite(a.weight) or not 0 < a.weight <= 10:
            problems.append(Problem(f"aims[{i}].weight: must be above 0 and at most 10, not "
                                    f"{a.weight!r}"))
        if table is not None and a.nutrient not in table.nutrients:
            problems.append(Problem(f"aims[{i}].nutrient: the food table has no column "
                                    f"'{a.nutrient}'"))
    if targets.energy_kcal is not None and (not _finite(targets.energy_kcal)
                                            or targets.energy_kcal <= 0):
        problems.append(Problem(f"energy_kcal: must be a number > 0, not "
                                f"{targets.energy_kcal!r}"))
    bad_modes = sorted(set(targets.modes) - MODES)
    if bad_modes:
        problems.append(Problem(f"modes: unknown {', '.join(map(repr, bad_modes))} "
                                f"(allowed: {', '.join(sorted(MODES))})"))
    if table is not None:
        problems += _against(targets.diet, table)
    if problems:
        raise TargetsError(source, problems)


# --------------------------------------------------------------------------- diet filter

def diet_filter(*, diet: str | None = None, keto: bool = False, dairy_free: bool = False,
                gluten_free: bool = False, nut_free: bool = False,
                allergens: Iterable[str] = (), exclude_foods: Iterable[str] = (),
                exclude_groups: Iterable[str] = (), exclude_flags: Iterable[str] = (),
                dislikes: Iterable[str] = (), favourites: Iterable[str] = ()) -> DietFilter:
    """Build a :class:`DietFilter`, expanding dairy-free / gluten-free / nut-free.

    Args:
        diet: ``vegetarian``, ``vegan``, ``pescatarian`` or None.
        keto: mark the filter as keto (the net-carb cap itself is a bound).
        dairy_free: exclude allergen ``milk``.
        gluten_free: exclude allergen ``gluten``.
        nut_free: exclude allergens ``tree_nuts`` and ``peanuts``.
        allergens: any other allergens to exclude.
        exclude_foods: food ids never to use.
        exclude_groups: food groups never to use (matched case-insensitively).
        exclude_flags: flags whose foods are never used (``fortified``, ``supplement``, ...).
        dislikes: food ids the optimiser avoids (soft; ``exclude_foods`` is the hard list).
        favourites: food ids the optimiser rewards (soft).

    Returns:
        The filter.

    Raises:
        TargetsError: for an unknown diet, allergen or flag.
    """
    allergen_set = set(allergens)
    for flag, words in (("dairy_free", dairy_free), ("gluten_free", gluten_free),
                        ("nut_free", nut_free)):
        if words:
            allergen_set |= ALLERGEN_SHORTCUTS[flag]
    d = DietFilter(diet=diet, keto=keto, allergens=frozenset(allergen_set),
                   exclude_foods=frozenset(exclude_foods),
                   exclude_groups=frozenset(exclude_groups),
                   exclude_flags=frozenset(exclude_flags), dislikes=frozenset(dislikes),
                   favourites=frozenset(favourites))
    problems = diet_problems(d)
    if problems:
        raise TargetsError("diet", problems)
    return d


def _against(diet: DietFilter, table: FoodTable) -> list[Problem]:
    out: list[Problem] = []
    for name in ("exclude_foods", "dislikes", "favourites"):
        unknown = sorted(f for f in getattr(diet, name) if not table.has(f))
        if unknown:
            out.append(Problem(f"diet.{name}: unknown food id"
                               f"{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                               f"(not in {table.source})"))
    groups = {str(g).strip().lower() for g in table.df["food_group"] if str(g).strip()}
    unknown_groups = sorted(g for g in diet.exclude_groups if g.strip().lower() not in groups)
    if unknown_groups:
        out.append(Problem(f"diet.exclude_groups: unknown food group"
                           f"{'s' if len(unknown_groups) > 1 else ''} "
                           f"{', '.join(unknown_groups)} (groups: {', '.join(sorted(groups))})"))
    return out


def validate_against(diet: DietFilter, table: FoodTable) -> None:
    """Check that every food id and group a diet filter names exists in the table.

    Args:
        diet: the filter.
        table: the food table.

    Raises:
        TargetsError: naming every unknown food id (exclude, dislikes, favourites) and group.
    """
    problems = diet_problems(diet) + _against(diet, table)
    if problems:
        raise TargetsError("diet", problems)


def filter_foods(table: FoodTable, diet: DietFilter) -> FoodTable:
    """The foods a diet filter allows (pure: the table is not changed).

    A diet keeps foods whose ``diet_tags`` include it (vegan foods count as vegetarian,
    vegetarian and vegan foods as pescatarian; untagged foods pass no diet). Foods with any
    listed allergen or flag, in an excluded group or in ``exclude_foods`` are dropped.
    Favourites, dislikes and keto do not filter: the optimiser rewards favourites and
    penalises dislikes (soft), and keto is a net-carb bound.

    Args:
        table: the food table.
        diet: the filter.

    Returns:
        A table of the allowed foods, in the original order.

    Raises:
        TargetsError: for an unknown diet, allergen or flag in the filter.
    """
    problems = diet_problems(diet)
    if problems:
        raise TargetsError("diet", problems)
    df = table.df
    keep = pd.Series(True, index=df.index)
    if diet.diet is not None:
        accepts = _DIET_ACCEPTS[diet.diet]
        keep &= df["diet_tags"].map(lambda v: bool(split_list(v) & accepts)).astype(bool)
    if diet.allergens:
        keep &= ~df["allergens"].map(lambda v: bool(split_list(v) & diet.allergens)).astype(bool)
    if diet.exclude_flags:
        keep &= ~df["flags"].map(lambda v: bool(split_list(v) & diet.exclude_flags)).astype(bool)
    if diet.exclude_groups:
        groups = {g.strip().lower() for g in diet.exclude_groups}
        keep &= ~df["food_group"].map(lambda v: str(v).strip().lower() in groups).astype(bool)
    if diet.exclude_foods:
        keep &= ~df.index.isin(list(diet.exclude_foods))
    return table.subset(str(i) for i in df.index[keep])
