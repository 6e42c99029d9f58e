"""Nutrient names, canonical units, meal slots, diet tags and allergens: stated once here.

Every amount in a food table is per 100 g of edible portion. A nutrient column carries its
unit in its name (``magnesium_mg``, ``vitamin_d_ug``, ``energy_kcal``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ALLERGENS",
    "DIET_TAGS",
    "FLAGS",
    "KINDS",
    "NUTRIENTS",
    "UNIT_SUFFIXES",
    "MealSlot",
    "Nutrient",
    "amount_text",
    "nutrient_label",
    "unit_of",
]


@dataclass(frozen=True)
class Nutrient:
    """A nutrient column of the standard food table."""

    column: str
    label: str
    unit: str
    sr28_nutr_no: str | None  # SR28 Nutr_No, None where the value does not come from SR28


# The standard nutrient columns, in table order. SR28 numbers per ../shared/usda-sr28/README.md.
NUTRIENTS: dict[str, Nutrient] = {
    n.column: n
    for n in (
        Nutrient("energy_kcal", "Energy", "kcal", "208"),
        Nutrient("protein_g", "Protein", "g", "203"),
        Nutrient("fat_g", "Fat", "g", "204"),
        Nutrient("saturated_fat_g", "Saturated fat", "g", "606"),
        Nutrient("carbs_g", "Carbohydrate", "g", "205"),
        Nutrient("fiber_g", "Fibre", "g", "291"),
        Nutrient("sugars_g", "Sugars", "g", "269"),
        Nutrient("calcium_mg", "Calcium", "mg", "301"),
        Nutrient("magnesium_mg", "Magnesium", "mg", "304"),
        Nutrient("potassium_mg", "Potassium", "mg", "306"),
        Nutrient("sodium_mg", "Sodium", "mg", "307"),
        Nutrient("phosphorus_mg", "Phosphorus", "mg", "305"),
        Nutrient("iron_mg", "Iron", "mg", "303"),
        Nutrient("zinc_mg", "Zinc", "mg", "309"),
        Nutrient("vitamin_d_ug", "Vitamin D", "µg", "328"),
        Nutrient("vitamin_b6_mg", "Vitamin B6", "mg", "415"),
        Nutrient("vitamin_b12_ug", "Vitamin B12", "µg", "418"),
        Nutrient("vitamin_e_mg", "Vitamin E", "mg", "323"),
        Nutrient("vitamin_c_mg", "Vitamin C", "mg", "401"),
        Nutrient("folate_dfe_ug", "Folate (DFE)", "µg", "435"),
        Nutrient("choline_mg", "Choline", "mg", "421"),
        Nutrient("vitamin_a_rae_ug", "Vitamin A (RAE)", "µg", "320"),
        Nutrient("retinol_ug", "Retinol (preformed vitamin A)", "µg", "319"),
        Nutrient("vitamin_k1_ug", "Vitamin K1", "µg", "430"),
        Nutrient("mk4_ug", "Vitamin K2 as MK-4", "µg", "428"),
        Nutrient("k2_ug", "Vitamin K2 (all menaquinones)", "µg", None),
    )
}

# Columns the loader derives from others (never stored in the CSV).
DERIVED: dict[str, Nutrient] = {
    "net_carbs_g": Nutrient("net_carbs_g", "Net carbs (carbs - fibre)", "g", None),
    "vitamin_k_total_ug": Nutrient("vitamin_k_total_ug", "Vitamin K total (K1 + K2)", "µg", None),
    "vitamin_k_total_low_ug": Nutrient(
        "vitamin_k_total_low_ug", "Vitamin K total, K2 at the low end of its range", "µg", None),
    "vitamin_k_total_high_ug": Nutrient(
        "vitamin_k_total_high_ug", "Vitamin K total, K2 at the high end of its range", "µg",
        None),
    "fruit_veg_g": Nutrient(
        "fruit_veg_g", "Fruit and vegetables (g, potatoes not counted)", "g", None),
}

UNIT_SUFFIXES: dict[str, str] = {"kcal": "kcal", "g": "g", "mg": "mg", "ug": "µg"}
_SUFFIX = re.compile(r"_(kcal|g|mg|ug)$")


def unit_of(column: str) -> str | None:
    """The unit a column name carries (``magnesium_mg`` -> ``mg``), or None if it has none."""
    m = _SUFFIX.search(column)
    return UNIT_SUFFIXES[m.group(1)] if m else None


def nutrient_label(column: str) -> str:
    """A human label for a nutrient column, also for a user's extra columns."""
    if column in NUTRIENTS:
        return NUTRIENTS[column].label
    if column in DERIVED:
        return DERIVED[column].label
    base = _SUFFIX.sub("", column)
    return base.replace("_", " ").capitalize()


def amount_text(x: float) -> str:
    """A nutrient amount in plain notation, as a label would print it.

    Never scientific notation: ``1440.3`` -> ``"1,440"``, ``61.27`` -> ``"61.3"``,
    ``2.4`` -> ``"2.4"``, ``0.4632`` -> ``"0.46"``, ``0.0123`` -> ``"0.012"``.
    """
    a = abs(x)
    if a >= 100:
        text = f"{x:,.0f}"
    elif a >= 10:
        text = f"{x:.1f}"
    elif a >= 1:
        text = f"{x:.2f}"
    elif a == 0:
        return "0"
    else:
        digits = max(2, 1 - math.floor(math.log10(a)))
        text = f"{x:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class MealSlot(StrEnum):
    """The meals of a day."""

    BREAKFAST = "breakfast"
    LUNCH = "lunch"
    DINNER = "dinner"
    SNACK = "snack"


DIET_TAGS: frozenset[str] = frozenset({"vegan", "vegetarian", "pescatarian"})

ALLERGENS: frozenset[str] = frozenset(
    {"milk", "egg", "fish", "shellfish", "tree_nuts", "peanuts", "soy", "gluten", "sesame"}
)

# Free-form but validated markers on a food.
FLAGS: dict[str, str] = {
    "staple": "may appear every day (exempt from the days-per-food cap)",
    "fortified": "nutrients added by the manufacturer (e.g. vitamin D in milk or plant drinks)",
    "uv_vitamin_d": "mushrooms exposed to UV light: carry vitamin D",
    "high_vitamin_a": "very rich in preformed vitamin A (liver): small, infrequent portions",
    "fermented": "fermented food (may carry long-chain vitamin K2)",
    "vitamin_k_antagonist_caution": "very rich in vitamin K2: avoid with warfarin-type drugs",
    "supplement": "a dietary supplement, not a food",
    "main": "a main dish (meat, fish, eggs, tofu, legumes): lunch and dinner include one",
    "addon": "served with other foods (oil, butter): at most one per meal, never alone",
    "produce": "a vegetable or fruit: every day has a few",
    "listeria_risk": "soft, blue or fresh cheese, refrigerated smoked or pickled fish, pâté: "
                     "listeria risk, left out in pregnancy",
    "raw_animal": "raw egg (or other raw animal food): left out in pregnancy",
    "high_iodine": "seaweed such as kelp: very high, variable iodine; left out in pregnancy "
                   "and breastfeeding",
}

# What a food is in a meal (the column ``kind``, one word): meal patterns and the audit read it.
KINDS: dict[str, str] = {
    "grain": "cooked grain, pasta or porridge",
    "cereal": "breakfast cereal or oats eaten with milk, yogurt or a drink",
    "bread": "bread or tortilla",
    "starchy_veg": "potato, sweet potato or parsnip (not counted as fruit and vegetables)",
    "vegetable": "a vegetable, leafy green, mushroom or seaweed",
    "fruit": "fresh fruit",
    "dried_fruit": "dried fruit (counts twice its weight as fruit)",
    "legume": "beans, lentils, chickpeas, peas or hummus",
    "soy": "tofu, tempeh, natto, edamame or soybeans",
    "nuts": "nuts, seeds or nut butter",
    "milk": "milk, buttermilk, kefir or a plant drink",
    "yogurt": "yogurt",
    "fresh_cheese": "cottage cheese or ricotta",
    "cheese": "cheese",
    "egg": "egg",
    "fish": "fish or shellfish",
    "meat": "meat or poultry",
    "organ": "liver or pâté",
    "fat": "oil, butter, cream or cream cheese",
    "sweet": "chocolate, cocoa or honey",
    "condiment": "miso, olives, garlic and other seasonings",
    "supplement": "a dietary supplement",
}
# Grams of fruit and vegetables one gram of each kind counts for (WHO's 400 g a day; USDA
# Food Patterns: 1/2 cup of dried fruit counts as 1 cup of fruit; potatoes not counted).
FRUIT_VEG_WEIGHT: dict[str, float] = {"vegetable": 1.0, "fruit": 1.0, "dried_fruit": 2.0}
