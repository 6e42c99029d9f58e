"""Household amounts a person reads at a glance (issue 12, item 6): counts, fractions, one
weight, kitchen rounding."""

from __future__ import annotations

import pytest

from mealplan.household import (
    format_grams,
    household_text,
    item_household,
    kitchen_count,
    kitchen_grams,
    parse_portion,
    plural,
    portion_label,
)
from mealplan.plan import PlanItem
from mealplan.purchase import parse_purchase_csv, shipped_purchases


@pytest.mark.parametrize(("portions", "portion_name", "grams", "text"), [
    # the bad labels
    (2, '0.5 cup (1" pieces) (72 g)', 144, "1 cup (145 g)"),  # was "2 x 0.5 cup (1" pieces)"
    (8, "1 half (3.5 g)", 28, "8 halves (30 g)"),  # was "8 x 1 half (3.5 g)"
    (1, "1 fig (8.4 g)", 8.4, "1 fig (8 g)"),
    (3, "1/2 serving (145 g)", 435, "1 1/2 servings (435 g)"),  # was "3 x 1/2 serving"
    # counts, plurals and SR28's size details
    (1, "1 cup (30 g)", 30, "1 cup (30 g)"),
    (2, "1 slice (32 g)", 64, "2 slices (65 g)"),
    (2, "1 oz (28.35 g)", 56.7, "2 oz (55 g)"),
    (1, '1 medium (7" to 7-7/8" long) (118 g)', 118, "1 medium (120 g)"),
    (1, "1 cup ( 1 NLEA serving) (59 g)", 59, "1 cup (60 g)"),
    (2, '1 pat (1" sq, 1/3" high) (5 g)', 10, "2 pats (10 g)"),
    (1, "1 tablespoon (13.5 g)", 13.5, "1 tbsp (14 g)"),
    (3, "2 sardines (24 g)", 72, "6 sardines (70 g)"),
    (0.5, "2 sardines (24 g)", 12, "1 sardine (12 g)"),
    (2, "1 cup, chopped (130 g)", 260, "2 cups, chopped (260 g)"),
    (1, "1 tortilla 1 serving (41 g)", 41, "1 tortilla (40 g)"),
    # fractions a cook measures; SR28's own fifths stay exact
    (1.458, "1 cup (262 g)", 382, "1 1/2 cups (380 g)"),
    (1, "0.333 cup (27 g)", 27, "1/3 cup (25 g)"),
    (1, "0.2 block (91 g)", 91, "1/5 block (90 g)"),
    (3, "0.25 block (81 g)", 243, "3/4 block (245 g)"),
    # grams
    (40, "g", 40, "40 g"),
    (5, "10 g", 50, "50 g"),
    (6.667, "240 g", 1600, "1,600 g"),
    (0.05, "1 cup (244 g)", 12.2, "12 g"),  # less than a sixteenth of a unit: its weight
])
def test_household_text(portions: float, portion_name: str, grams: float, text: str) -> None:
    """Count times the portion's own amount, pluralised, its weight once and kitchen-rounded."""
    assert household_text(portions, portion_name, grams) == text


def test_without_weight_and_supplements() -> None:
    """Where grams are shown beside it the text has no weight; capsules are counted, not
    weighed."""
    assert household_text(2, "1 cup (244 g)", 488, weight=False) == "2 cups"
    assert household_text(40, "g", 40, weight=False) == "40 g"
    assert household_text(2, "1 capsule (25 µg)", 2, supplement=True) == "2 capsules (25 µg)"
    assert household_text(1, "1 tablet (10 µg = 400 IU D3)", 1,
                          supplement=True) == "1 tablet (10 µg = 400 IU D3)"


def test_metric_foods_read_as_whole_packs() -> None:
    """Natto planned in 10 g steps reads as its 45 g pack when within 12 % of whole packs."""
    assert household_text(5, "10 g", 50, pack=("pack", 45)) == "1 pack (50 g)"
    assert household_text(4, "10 g", 45, pack=("pack", 45), weight=False) == "1 pack"
    assert household_text(9, "10 g", 90, pack=("pack", 45)) == "2 packs (90 g)"
    assert household_text(3, "10 g", 30, pack=("pack", 45)) == "30 g"
    natto = PlanItem("natto", "Natto", 5, "10 g", 50.0)
    assert item_household(natto, weight=True) == "1 pack (50 g)"
    assert natto.household == "1 pack"
    assert item_household(PlanItem("tempeh", "Tempeh", 1, "50 g", 50.0)) == "50 g"
    none = parse_purchase_csv(b"id,purchase_key,item,section,unit,pack_g,pack_source,box,"
                              b"unit_g,unit_source,cooked_weight,notes\n"
                              b"x,x,X,other,g,100,retail,,,,,\n", "p")
    assert item_household(natto, purchases=none) == "50 g"
    assert shipped_purchases().get("natto") is not None


def test_plan_item_household() -> None:
    """A plan item reads as a count without its weight (the plan shows grams beside it)."""
    assert PlanItem("x", "X", 2, "1 oz (28 g)", 56.0).household == "2 oz"
    assert PlanItem("d", "Dish", 3, "1/2 serving (207 g)", 621.0).household == "1 1/2 servings"
    assert PlanItem("o", "Oats", 40, "g", 40.0).household == "40 g"


@pytest.mark.parametrize(("name", "grams", "label"), [
    ("1 cup (30 g)", 30.0, "1 cup (30 g)"),  # was "1 cup (30 g) (30 g)"
    ("0.5 cup (1 NLEA serving) (31 g)", 31.0, "1/2 cup (31 g)"),  # was "0.5 cup ..."
    ("1 cup", 30.0, "1 cup (30 g)"),
    ("g", 1.0, "1 g"),
    ("10 g", 10.0, "10 g"),
])
def test_portion_label_states_the_weight_once(name: str, grams: float, label: str) -> None:
    """A food's unit with its weight once, fractions as a cook reads them."""
    assert portion_label(name, grams) == label


@pytest.mark.parametrize(("grams", "text"), [
    (488, "490 g"), (28.35, "30 g"), (22.4, "20 g"), (20, "20 g"), (19.6, "20 g"),
    (14.5, "15 g"), (8.4, "8 g"), (2.5, "3 g"), (0.3, "0.3 g"), (1250.2, "1,250 g"),
])
def test_kitchen_grams(grams: float, text: str) -> None:
    """5 g steps from 20 g up, whole grams below, halves rounded up."""
    assert kitchen_grams(grams) == text


@pytest.mark.parametrize(("x", "text"), [
    (0.5, "1/2"), (0.333, "1/3"), (0.25, "1/4"), (0.75, "3/4"), (1.5, "1 1/2"),
    (2.667, "2 2/3"), (0.2, "1/4"), (0.97, "1"), (9.6, "9 2/3"), (12.6, "13"), (0.04, "0"),
])
def test_kitchen_count(x: float, text: str) -> None:
    """Halves, thirds and quarters; whole numbers from 10; nothing below a sixteenth."""
    assert kitchen_count(x) == text


def test_kitchen_count_keeps_exact_fifths_when_asked() -> None:
    """An exact fifth or eighth stays when the unit itself is one (SR28's "0.2 block")."""
    assert kitchen_count(0.2, exact=True) == "1/5" and kitchen_count(0.375, exact=True) == "3/8"
    assert kitchen_count(0.5, exact=True) == "1/2"


@pytest.mark.parametrize(("unit", "count", "text"), [
    ("cup", 2, "cups"), ("sardines", 1, "sardine"), ("sardines", 3, "sardines"),
    ("breast fillet", 2, "breast fillets"), ("sweet potato", 3, "sweet potatoes"),
    ("large", 2, "large"), ("small box", 2, "small boxes"), ("loaf", 2, "loaves"),
    ("bunch", 2, "bunches"), ("cup, chopped", 2, "cups, chopped"), ("fl oz", 2, "fl oz"),
    ("halves", 1, "half"), ("anchovy", 2, "anchovies"), ("egg", 1, "egg"),
])
def test_plural(unit: str, count: float, text: str) -> None:
    """Nouns inflect, sizes and measures do not, compounds inflect their last word."""
    assert plural(unit, count) == text


def test_parse_portion() -> None:
    """SR28's amount, unit and weight; metric units; a dish's half serving."""
    p = parse_portion('0.5 cup (1" pieces) (72 g)')
    assert (p.amount, p.unit, p.grams, p.metric) == (0.5, "cup", 72.0, False)
    assert parse_portion("10 g").metric and parse_portion("10 g").amount == 10.0
    assert parse_portion("1/2 serving (207 g)").amount == 0.5
    assert parse_portion("1 capsule (25 µg)", supplement=True).detail == "(25 µg)"


@pytest.mark.parametrize(("grams", "text"), [
    (170.1, "170 g"), (8.46, "8.5 g"), (1250.0, "1,250 g"), (10.0, "10 g"), (0.0, "0 g")])
def test_format_grams(grams: float, text: str) -> None:
    """Totals: whole grams from 10 g up, one decimal below, thousands separated."""
    assert format_grams(grams) == text
