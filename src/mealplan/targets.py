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
  an official DRI); off with an anticoagulant and in kidney mode.
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
pregnancy and lactation (``Person.life_stage``). Facts: RESEARCH_NOTES §5 and §7 of the
reference material, summarised in ``seeds/evidence.toml`` and :mod:`mealplan.evidence`.

Pregnancy and lactation (:data:`LIFE_STAGE_NUTRIENTS`) add, from the life stage's DRIs
(``data/dri_extra.csv`` and ``data/dri.csv``): folate (``folate_dfe_ug``, RDA 600/500 µg DFE)
and vitamin C (``vitamin_c_mg``, RDA 85/120 mg) and iron (``iron_mg``, RDA 27/9 mg, UL 45 mg)
as minimums; choline (``choline_mg``, AI 450/550 mg) as an :class:`Aim` (most diets fall
short and many foods have no choline value); the folate (folic acid), vitamin C and choline
ULs as ``supplements_only`` maxima (food cannot reach them, and a food-wide maximum would
drop every food whose value is unknown). Iodine cannot be targeted: the food table has no
iodine column, and the warning says so. Fish: :attr:`Targets.weekly_max` carries a
:class:`WeeklyCap` of 340 g of fish a week (FDA/EPA 2021); the advised 227 g a week minimum
is in the warning only.

The healthy day (:data:`HEALTHY_RULES`, switched on by name through ``targets_for(...,
healthy=...)``; none by default, :data:`HEALTHY_DEFAULT`): saturated fat under 10 % of
energy, fibre at least 14 g per 1,000 kcal, fruit and vegetables at least 400 g, vitamin C
at least the RDA, protein at least 10 % of energy. Each such bound's reason names its rule
(:func:`healthy_rules_on` reads them back). Kidney mode drops ``protein_share`` (protein is
held by the clinician's band).
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
    "DEFAULT_WEEKLY",
    "DIETS",
    "ENERGY_TOLERANCE",
    "FISH_ADVICE_SOURCE",
    "HEALTHY_DEFAULT",
    "HEALTHY_RULES",
    "IODINE_SOURCE",
    "K2_MAX_UG",
    "K2_MIN_UG",
    "KETO_DEFAULT_NET_CARBS",
    "KETO_NET_CARBS_RANGE",
    "LIFE_STAGE_NUTRIENTS",
    "MODES",
    "REFERENCE_BODY",
    "SAFETY_MODE_RULES",
    "WEEKLY_FLOOR_FRACTION",
    "Aim",
    "Anticoagulant",
    "Bound",
    "DietFilter",
    "HealthyRule",
    "KidneyLimits",
    "Person",
    "Targets",
    "WeeklyCap",
    "bound_problems",
    "default_weekly_caps",
    "diet_filter",
    "diet_problems",
    "energy_estimate",
    "filter_foods",
    "healthy_rules_on",
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
    # min/max were set as a share of the energy goal (AMDR, saturated fat, fibre per
    # 1,000 kcal): the planner also holds that share of each day's actual energy
    of_energy: bool = False
    # with period "week": max too is on the average (K2, which has no upper limit: a natto
    # day may hold 400 µg when the week averages 100-200 µg)
    weekly_max: bool = False


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
class WeeklyCap:
    """At most ``grams`` of foods of one ``kind`` (a key of :data:`mealplan.units.KINDS`,
    read from the food table's ``kind`` column) in any 7 consecutive days of a plan; a plan
    shorter than a week holds its whole total under ``grams`` (the cap is not prorated, so a
    one-day plan may still serve a portion). Supplements are never counted.

    E.g. ``WeeklyCap("fish", 340.0, ...)`` in pregnancy and breastfeeding: FDA/EPA advise
    227-340 g (8-12 oz) of low-mercury fish a week.
    """

    kind: str
    grams: float
    source: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Targets:
    """Everything the optimiser must meet for one person, per day.

    ``weekly_caps``: caps on the grams of a kind of food per week (:class:`WeeklyCap`).
    None (the default) means the caps that follow from ``modes``
    (:func:`default_weekly_caps`: fish at most 340 g a week in pregnancy and breastfeeding),
    so a profile saved without them keeps them; ``()`` means none. Read them through
    :attr:`weekly_max`.
    """

    bounds: tuple[Bound, ...]
    diet: DietFilter = field(default_factory=DietFilter)
    energy_kcal: float | None = None  # the centre the balanced objective steers to
    modes: frozenset[str] = frozenset()  # "anticoagulant", "ckd", "pregnancy", "lactation"
    warnings: tuple[str, ...] = ()
    allow_supplements: bool = False
    aims: tuple[Aim, ...] = ()  # soft minimums (sodium's AI, choline's AI in pregnancy)
    weekly_caps: tuple[WeeklyCap, ...] | None = None

    def bounds_for(self, nutrient: str) -> tuple[Bound, ...]:
        """Every bound on one nutrient column."""
        return tuple(b for b in self.bounds if b.nutrient == nutrient)

    @property
    def weekly_max(self) -> tuple[WeeklyCap, ...]:
        """The weekly caps on kinds of food the planner must hold (see the class docstring)."""
        if self.weekly_caps is not None:
            return self.weekly_caps
        return default_weekly_caps(self.modes)


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
PROTEIN_MIN_SHARE = 0.10
SATURATED_FAT_MAX_SHARE = 0.10
FIBRE_G_PER_1000_KCAL = 14.0
FRUIT_VEG_MIN_G = 400.0
K2_MIN_UG = 100.0
K2_MAX_UG = 200.0
KETO_DEFAULT_NET_CARBS = 25.0
KETO_NET_CARBS_RANGE = (20.0, 50.0)
WEEKLY_FLOOR_FRACTION = 0.5
# Held as weekly averages by default (issue 14: food gives them in bursts: oily fish twice a
# week, natto, cheese), each day at least WEEKLY_FLOOR_FRACTION of the minimum.
DEFAULT_WEEKLY: tuple[str, ...] = ("vitamin_d_ug", "vitamin_e_mg", "k2_ug")
# Held weekly, these keep their maximum on the weekly average too: K2 has no upper limit
# (its 200 µg is the project's target range), so a natto day may exceed it.
WEEKLY_MAX_OK: frozenset[str] = frozenset({"k2_ug"})
_K2_SOURCE = "seed 000_7973ab7d68f1019b.txt (project target, not an official DRI)"
_MSJ_SOURCE = "Mifflin-St Jeor 1990 resting energy x activity factor"

FISH_ADVICE_SOURCE = ("FDA/EPA, Advice about Eating Fish (2021 update), "
                      "https://www.fda.gov/food/consumers/advice-about-eating-fish")
FISH_WEEKLY_MIN_G = 227.0
FISH_WEEKLY_MAX_G = 340.0
IODINE_SOURCE = ("IOM 2001, doi:10.17226/10026 (iodine RDA 220 µg in pregnancy, 290 µg "
                 "breastfeeding, UL 1,100 µg); NIH Office of Dietary Supplements, Iodine fact "
                 "sheet for health professionals, "
                 "https://ods.od.nih.gov/factsheets/Iodine-HealthProfessional/")
_FISH_CAP = WeeklyCap(
    "fish", FISH_WEEKLY_MAX_G, FISH_ADVICE_SOURCE,
    f"pregnancy and breastfeeding: {FISH_WEEKLY_MIN_G:g}-{FISH_WEEKLY_MAX_G:g} g (8-12 oz) of "
    "low-mercury fish a week; no more than the top of that range")
_MODE_WEEKLY_CAPS: dict[str, tuple[WeeklyCap, ...]] = {
    "pregnancy": (_FISH_CAP,),
    "lactation": (_FISH_CAP,),
}


def default_weekly_caps(modes: Iterable[str]) -> tuple[WeeklyCap, ...]:
    """The weekly caps on kinds of food that a set of modes brings (each kind once).

    Args:
        modes: e.g. ``{"pregnancy"}``.

    Returns:
        The caps, the tightest per kind, in kind order; empty for no such mode.
    """
    best: dict[str, WeeklyCap] = {}
    for m in sorted(set(modes)):
        for c in _MODE_WEEKLY_CAPS.get(m, ()):
            if c.kind not in best or c.grams < best[c.kind].grams:
                best[c.kind] = c
    return tuple(best[k] for k in sorted(best))


@dataclass(frozen=True)
class HealthyRule:
    """One rule of the healthy day: the column it bounds, what it asks, and its source."""

    column: str
    description: str
    source: str


_AMDR_SOURCE = ("IOM 2005, Dietary Reference Intakes for Energy, Carbohydrate, Fiber, Fat, "
                "Fatty Acids, Cholesterol, Protein, and Amino Acids, doi:10.17226/10490")
# The healthy-day rules a dietitian can switch on or off, by name (issue 14, item 3).
HEALTHY_RULES: dict[str, HealthyRule] = {
    "saturated_fat": HealthyRule(
        "saturated_fat_g", "saturated fat under 10 % of energy",
        "USDA and HHS, Dietary Guidelines for Americans 2020-2025, "
        "https://www.dietaryguidelines.gov/sites/default/files/2020-12/"
        "Dietary_Guidelines_for_Americans_2020-2025.pdf"),
    "fibre": HealthyRule(
        "fiber_g", "fibre at least 14 g per 1,000 kcal",
        f"{_AMDR_SOURCE} (the fibre AI is set at 14 g per 1,000 kcal)"),
    "fruit_veg": HealthyRule(
        "fruit_veg_g", "fruit and vegetables at least 400 g a day, potatoes not counted",
        "WHO/FAO 2003, Diet, nutrition and the prevention of chronic diseases (TRS 916), "
        "https://www.who.int/publications/i/item/924120916X"),
    "vitamin_c": HealthyRule(
        "vitamin_c_mg", "vitamin C at least the RDA: 75 mg women, 90 mg men",
        "IOM 2000, Dietary Reference Intakes for Vitamin C, Vitamin E, Selenium, and "
        "Carotenoids, doi:10.17226/9810"),
    "protein_share": HealthyRule(
        "protein_g", "protein at least 10 % of energy, or the g/kg minimum if higher; "
        "not in kidney mode", f"{_AMDR_SOURCE} (AMDR 10-35 % of energy)"),
}
# The rules on when targets_for(healthy=None). None for now: the planner that meets them
# lands separately; set to frozenset(HEALTHY_RULES) to make the healthy day the default.
HEALTHY_DEFAULT: frozenset[str] = frozenset(HEALTHY_RULES)
_HEALTHY_TAG = "healthy-day rule '{}'"


def healthy_rules_on(targets: Targets) -> frozenset[str]:
    """The healthy-day rules that hold in some targets (read from their bounds' reasons).

    Args:
        targets: built by :func:`targets_for` or loaded from a profile.

    Returns:
        The names (keys of :data:`HEALTHY_RULES`) whose bound is present.
    """
    return frozenset(name for name, rule in HEALTHY_RULES.items()
                     if any(_HEALTHY_TAG.format(name) in b.reason
                            for b in targets.bounds_for(rule.column)))


# Nutrients pregnancy and breastfeeding add (RESEARCH_NOTES §7): DRI name -> how it is held.
LIFE_STAGE_NUTRIENTS: dict[str, str] = {
    "folate": "minimum (RDA); folic acid UL on supplements only",
    "iron": "minimum (RDA) and UL",
    "vitamin_c": "minimum (RDA); UL on supplements only",
    "choline": "aim (AI), not a floor; UL on supplements only",
    "iodine": "not targeted: the food table has no iodine column (said in the warning)",
}

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
    "folate_dfe_ug": "builds new cells; in pregnancy it lowers the risk of neural tube defects",
    "vitamin_c_mg": "keeps connective tissue healthy and helps absorb iron from plant foods",
    "choline_mg": "builds cell membranes and the nerve messenger acetylcholine; the baby's "
                  "brain and spinal cord need it",
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


def _floor1(x: float) -> float:
    """A share-of-energy maximum in grams, rounded down to 0.1 g (never above the share)."""
    return math.floor(x * 10.0 + 1e-9) / 10.0


def _ceil1(x: float) -> float:
    """A share-of-energy minimum in grams, rounded up to 0.1 g (never below the share)."""
    return math.ceil(x * 10.0 - 1e-9) / 10.0


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
        "potassium-based salt substitute; the vitamin K2 target (a project target, not a "
        "DRI) is off, because its food sources (cheese, cottage cheese, chicken, egg) are "
        "the protein- and phosphorus-rich foods these limits restrain."),
    "pregnancy": (
        "Pregnancy: the pregnancy DRIs and upper limits (iron UL 45 mg, zinc UL 40 mg; IOM "
        "2001, https://doi.org/10.17226/10026); folate at least 600 µg DFE (IOM 1998, "
        "https://doi.org/10.17226/6015; the 1,000 µg UL is on folic acid, held on "
        "supplements), iron at least 27 mg, vitamin C at least 85 mg (IOM 2000, "
        "https://doi.org/10.17226/9810; UL 2,000 mg held on supplements); choline 450 mg as "
        "an aim, not a floor (IOM 1998; most diets fall short and 35 foods have no choline "
        "value; UL 3,500 mg held on supplements); iodine (RDA 220 µg, UL 1,100 µg) cannot be "
        "counted because the food data has no iodine: iodised salt or a supplement with 150 "
        "µg iodine as the midwife or doctor advises (NIH Office of Dietary Supplements, "
        "https://ods.od.nih.gov/factsheets/Iodine-HealthProfessional/); fish 227-340 g a "
        "week of low-mercury choices and never more than 340 g, no king mackerel, "
        "marlin, orange roughy, shark, swordfish, Gulf tilefish or bigeye tuna (FDA/EPA "
        "Advice about Eating Fish, 2021, "
        "https://www.fda.gov/food/consumers/advice-about-eating-fish); no liver (preformed "
        "vitamin A); no soft-ripened, blue-veined or soft fresh cheeses (brie, camembert, "
        "blue, feta, queso fresco, soft goat cheese), refrigerated smoked or pickled fish or "
        "pâté (listeria), no raw eggs (FDA and CDC food-safety advice for pregnancy); no kelp "
        "(very high iodine)."),
    "lactation": (
        "Breastfeeding: the lactation DRIs and upper limits; folate at least 500 µg DFE, "
        "iron at least 9 mg, vitamin C at least 120 mg, choline 550 mg as an aim (IOM 1998, "
        "https://doi.org/10.17226/6015; IOM 2000, https://doi.org/10.17226/9810; IOM 2001, "
        "https://doi.org/10.17226/10026); iodine (RDA 290 µg) cannot be counted (no iodine "
        "in the food data): iodised salt or a supplement with 150 µg iodine as advised (NIH "
        "Office of Dietary Supplements, "
        "https://ods.od.nih.gov/factsheets/Iodine-HealthProfessional/); fish 227-340 g a "
        "week of low-mercury choices and never more than 340 g (FDA/EPA, "
        "https://www.fda.gov/food/consumers/advice-about-eating-fish); no liver (preformed "
        "vitamin A) and no kelp (very high iodine)."),
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


def _check_healthy(healthy: Iterable[str] | None) -> frozenset[str]:
    if healthy is None:
        return HEALTHY_DEFAULT
    if isinstance(healthy, str):  # a single name would iterate as letters
        healthy = [healthy]
    rules = frozenset(healthy)
    unknown = sorted(rules - set(HEALTHY_RULES))
    if unknown:
        raise TargetsError("targets", [Problem(
            f"healthy: unknown rule{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))} (choose from {', '.join(HEALTHY_RULES)})",
            column="healthy")])
    return rules


def _dri_min(nutrient: str, person: Person, why: str, tag: str = "") -> tuple[Bound, DriRow]:
    row = _require_row(nutrient, person)
    col = row.column
    reason = f"{why}; {row.kind} for {_who(row)}" + (f" ({tag})" if tag else "")
    return Bound(col, row.value, None, _unit(col), f"{row.kind}: {row.source}", reason), row


def _supplement_ul(row: DriRow, reason: str) -> Bound | None:
    if row.ul is None:
        return None
    return Bound(row.column, None, row.ul, _unit(row.column), _ul_source(row), reason,
                 supplements_only=True)


def _add_life_stage_and_healthy(bounds: list[Bound], aims: list[Aim], person: Person,
                                kcal: float, rules: frozenset[str], *, full_dri: bool) -> None:
    """Pregnancy/lactation nutrients (folate, iron, vitamin C, choline; iodine said plainly)
    and the healthy-day rules other than protein_share, appended in place."""
    stage = person.life_stage
    tagged = {name: _HEALTHY_TAG.format(name) for name in rules}
    if stage is not None:
        b, folate = _dri_min("folate", person, _WHY["folate_dfe_ug"])
        bounds.append(b)
        ul = _supplement_ul(folate, (
            "upper limit on folic acid from supplements and fortified foods (food folate has "
            "none); held on supplements' DFE, which is stricter (1 µg folic acid = 1.7 µg "
            "DFE), leaving room for fortified foods"))
        if ul is not None:
            bounds.append(ul)
        if not full_dri:  # full_dri already holds iron at the RDA
            bounds.append(_dri_min("iron", person, "oxygen transport; the blood volume "
                                   "grows in pregnancy and iron stores refill after birth")[0])
    if stage is not None or "vitamin_c" in rules:
        b, vit_c = _dri_min("vitamin_c", person, _WHY["vitamin_c_mg"],
                            tagged.get("vitamin_c", ""))
        bounds.append(b)
        ul = _supplement_ul(vit_c, "upper limit (2,000 mg) counted on supplements: food "
                                   "stays far below it, and some foods have no vitamin C value")
        if ul is not None:
            bounds.append(ul)
    if stage is not None:
        choline = _require_row("choline", person)
        aims.append(Aim(
            "choline_mg", choline.value, _unit("choline_mg"), f"AI: {choline.source}",
            f"{_WHY['choline_mg']}; the AI for {_who(choline)} is an aim, not a floor: most "
            "diets fall short of it, and 35 foods in the table have no choline value "
            "(counted as none)"))
        ul = _supplement_ul(choline, "upper limit (3,500 mg) counted on supplements: a day "
                                     "of food stays far below it, and many foods have no "
                                     "choline value")
        if ul is not None:
            bounds.append(ul)
    if "saturated_fat" in rules:
        bounds.append(Bound(
            "saturated_fat_g", None, _floor1(SATURATED_FAT_MAX_SHARE * kcal / 9.0), "g",
            HEALTHY_RULES["saturated_fat"].source,
            f"saturated fat under 10 % of {kcal:,.0f} kcal, for the heart "
            f"({tagged['saturated_fat']})", of_energy=True))
    if "fibre" in rules:
        bounds.append(Bound(
            "fiber_g", _ceil1(FIBRE_G_PER_1000_KCAL * kcal / 1000.0), None, "g",
            HEALTHY_RULES["fibre"].source,
            f"fibre at least 14 g per 1,000 kcal of {kcal:,.0f} kcal, for the gut and the heart "
            f"({tagged['fibre']})", of_energy=True))
    if "fruit_veg" in rules:
        bounds.append(Bound(
            "fruit_veg_g", FRUIT_VEG_MIN_G, None, "g", HEALTHY_RULES["fruit_veg"].source,
            "fruit and vegetables at least 400 g a day, potatoes not counted "
            f"({tagged['fruit_veg']})"))


def _life_stage_nutrient_warning(person: Person) -> str:
    """The pregnancy/breastfeeding nutrient rules in words, with the person's numbers."""
    folate, iron, vit_c, choline, iodine = (
        _require_row(n, person) for n in ("folate", "iron", "vitamin_c", "choline", "iodine"))
    who = "Pregnancy" if person.life_stage == "pregnancy" else "Breastfeeding"
    iron_ul = f" (upper limit {iron.ul:g} mg)" if iron.ul is not None else ""
    return (
        f"{who} nutrients: folate at least {folate.value:,.0f} µg DFE, iron at least "
        f"{iron.value:g} mg{iron_ul} and vitamin C at least "
        f"{vit_c.value:g} mg a day (IOM DRIs: doi:10.17226/6015, 10.17226/10026, "
        f"10.17226/9810); choline {choline.value:g} mg is an aim, not a floor (most diets fall "
        "short, and 35 foods in the table have no choline value). Iodine "
        f"({iodine.value:g} µg a day) is not in the food data (USDA SR28 does not report it), "
        "so this plan cannot count it: use iodised salt or a supplement with 150 µg of "
        "iodine, as your midwife or doctor advises (NIH Office of Dietary Supplements, iodine "
        "fact sheet). Fish: 227-340 g (8-12 oz) a week of low-mercury fish is advised "
        "(salmon, sardines, herring, trout, pollock, cod, canned light tuna, shrimp), and no "
        "more than 340 g; avoid king mackerel, marlin, orange roughy, shark, swordfish, "
        "tilefish from the Gulf of Mexico and bigeye tuna (FDA/EPA Advice about Eating Fish, "
        "2021).")


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
    weekly: Sequence[str] | None = None,
    weekly_floor_fraction: float = WEEKLY_FLOOR_FRACTION,
    cooking_salt_g: float = 0.0,
    healthy: Iterable[str] | None = None,
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
            or magnesium minimum, protein in the clinician's band, no K2 target.
        full_dri: also hold vitamin A, phosphorus, iron, zinc and vitamin K at their RDA/AI.
        macro_shares: hold fat and carbohydrate as shares of energy (AMDR; on by default,
            and always on in kidney mode).
        allow_supplements: whether the optimiser may add supplement items.
        weekly: columns to hold as a weekly average with a daily floor (:func:`hold_weekly`);
            None (default): :data:`DEFAULT_WEEKLY` (vitamins D and E and K2, where they have
            a minimum); ``()``: every minimum every day.
        weekly_floor_fraction: that daily floor as a fraction of the minimum.
        cooking_salt_g: salt added in cooking or at the table, grams a day: its sodium
            (39.3 % of salt's mass) counts toward the sodium cap and the sodium aim.
        healthy: the healthy-day rules to hold, by name (keys of :data:`HEALTHY_RULES`);
            None means :data:`HEALTHY_DEFAULT`. Kidney mode leaves out ``protein_share``.

    Returns:
        The targets, with warnings for every safety mode.

    Raises:
        TargetsError: naming the field: age under 19, keto cap outside 20-50, a vitamin K
            band upside down, an unknown healthy-day rule, ...
    """
    validate_person(person)
    _check_modes(anticoagulant, ckd)
    rules = _check_healthy(healthy)
    if ckd is not None:  # the clinician's potassium cap decides how much produce and
        # fibre-rich food (whole grains, beans) fits
        rules -= {"fruit_veg", "fibre"}
    if keto_net_carbs is not None:  # 14 g of fibre per 1,000 kcal does not fit 20-50 g net
        # carbs, nor saturated fat under 10 % a day that takes 70-80 % of its energy from fat
        rules -= {"fibre", "saturated_fat"}
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
        p_min = round(g_per_kg * weight, 1)
        if "protein_share" in rules and ckd is None:
            p_min = max(p_min, round(PROTEIN_MIN_SHARE * kcal / 4.0, 1))
            bounds.append(Bound(
                "protein_g", p_min, round(PROTEIN_MAX_SHARE * kcal / 4.0, 1), "g",
                f"IOM 2005 protein RDA; AMDR 10-35 % of energy ({_AMDR_SOURCE})",
                f"at least {g_per_kg:g} g per kg of {weight:g} kg and at least 10 % of energy, "
                "whichever is more; at most 35 % of energy "
                f"({_HEALTHY_TAG.format('protein_share')})"))
        else:
            bounds.append(Bound(
                "protein_g", p_min, round(PROTEIN_MAX_SHARE * kcal / 4.0, 1),
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

    # Kidney mode: no K2 target either. It is a project target, not a DRI, and its food
    # sources within the menus (cottage cheese, soft and hard cheese, chicken, egg) are all
    # protein-, phosphorus- and mostly sodium-rich: a 100 µg weekly average needs about 190 g
    # of cottage cheese a day (21 g protein, 300 mg phosphorus, 690 mg sodium), which the
    # clinician's protein and phosphorus limits are there to prevent.
    if anticoagulant is None and ckd is None:
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
        bounds.append(Bound("fat_g", _ceil1(0.20 * kcal / 9.0), _floor1(fat_hi * kcal / 9.0),
                            "g", "IOM 2005 AMDR",
                            f"fat 20-{fat_hi:.0%} of energy", of_energy=True))
        if keto_net_carbs is None:
            bounds.append(Bound("carbs_g", _ceil1(0.45 * kcal / 4.0),
                                _floor1(0.65 * kcal / 4.0), "g", "IOM 2005 AMDR",
                                "carbohydrate 45-65 % of energy", of_energy=True))

    _add_life_stage_and_healthy(bounds, aims, person, kcal, rules,
                                full_dri=full_dri)

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
            "supplement is planned. The vitamin K2 target is off: its food sources (cheese, "
            "cottage cheese, chicken, egg) are rich in protein and phosphorus. Avoid "
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
        warnings.append(_life_stage_nutrient_warning(person))

    diet_out = replace(base_diet, keto=base_diet.keto or keto_net_carbs is not None,
                       exclude_flags=frozenset(exclude_flags))
    targets = Targets(tuple(bounds), diet_out, float(kcal), frozenset(modes), tuple(warnings),
                      allow_supplements, tuple(aims))
    if weekly is None:  # the default: the nutrients that food gives in bursts (oily fish,
        # natto, cheese), held as weekly averages with a daily floor
        weekly = [c for c in DEFAULT_WEEKLY if any(
            b.nutrient == c and b.min is not None and not b.supplements_only
            for b in targets.bounds)]
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
            avg_max = b.nutrient in WEEKLY_MAX_OK and b.max is not None
            new.append(replace(b, period="week", daily_min=round(b.min * floor_fraction, 6),
                               weekly_max=avg_max,
                               reason=f"{b.reason} (weekly average"
                                      f"{', the maximum too' if avg_max else ''}; each day "
                                      f"at least {floor_fraction:.0%} of the minimum)"))
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
