"""Household amounts as a cook reads them: "1 cup", "2 slices", "1 1/2 servings", "1 pack".

Text only: no I/O, except that :func:`item_household` reads the shipped purchase table
(once per process) when it is given none. A portion name comes from the food table (SR28's
"amount + description (grams)", e.g. ``0.5 cup (1" pieces) (72 g)``; a metric unit such as
``10 g``; ``g`` for foods planned in plain grams) or from a dish (``1/2 serving (207 g)``).
The rules:

- the count is the item's portions times the portion's own amount, so ``2 x 0.5 cup`` reads
  ``1 cup`` and ``3 x 1/2 serving`` reads ``1 1/2 servings``;
- counts are fractions a cook measures (halves, thirds, quarters; an exact fifth or eighth of
  SR28's "0.2 block" stays ``1/5 block``), whole numbers from 10 up;
- the unit is pluralised (``2 slices``, ``3 tbsp``, ``2 large``) and loses SR28's size
  details in brackets (``1 medium (7" to 7-7/8" long)`` reads ``1 medium``);
- a weight is shown once, rounded to what a kitchen scale shows (:func:`kitchen_grams`:
  5 g steps from 20 g up, whole grams below); a portion name already holding its weight is
  never given a second one (``1 cup (30 g)``, not ``1 cup (30 g) (30 g)``);
- a food planned in grams, or in a metric unit (``5 x 10 g``), reads as its weight, or as
  whole packs when its purchase unit is a counted one (natto: ``1 pack (45 g)``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .foods import GRAM_UNIT as _GRAM_UNIT

if TYPE_CHECKING:
    from .purchase import PurchaseTable

__all__ = [
    "Portion",
    "format_grams",
    "household_text",
    "item_household",
    "kitchen_count",
    "kitchen_grams",
    "parse_portion",
    "plural",
    "portion_label",
]

GRAM_UNIT = _GRAM_UNIT[0]  # the unit of foods planned in plain grams ("g")
# Words that never take a plural: measures and sizes ("2 oz", "2 large", "3 tbsp").
_INVARIANT: frozenset[str] = frozenset({
    "oz", "tbsp", "tsp", "g", "kg", "mg", "ml", "l", "lb", "fl", "large", "medium", "small",
    "extra", "jumbo", "mini", "regular", "thin", "thick", "whole", "nlea", "cubic", "µg",
})
_IRREGULAR: dict[str, str] = {
    "leaf": "leaves", "loaf": "loaves", "half": "halves", "potato": "potatoes",
    "tomato": "tomatoes", "mango": "mangoes",
}
_SINGULAR: dict[str, str] = {v: k for k, v in _IRREGULAR.items()}
_NUMBER = r"(?:\d+ \d+/\d+|\d+/\d+|\d+(?:\.\d+)?)"
_PORTION = re.compile(rf"^(?P<amount>{_NUMBER})\s+(?P<rest>.+)$")
_TRAILING_GRAMS = re.compile(r"\s*\((?P<g>\d[\d,]*(?:\.\d+)?)\s*g\)\s*$")
_BRACKETS = re.compile(r"\s*\([^()]*\)")
_TBSP = re.compile(r"\btablespoons?\b")
_TSP = re.compile(r"\bteaspoons?\b")
_SERVING_SUFFIX = re.compile(r"\s+1 (?:NLEA )?serving$", re.IGNORECASE)
# Denominators a cook measures with; fifths and eighths only when exact (SR28's own units).
_COMMON = (2, 3, 4)
_EXACT_ONLY = (5, 8)
PACK_TOLERANCE = 0.12  # within 12 % of whole packs, a metric amount reads as packs


class _Item(Protocol):
    """What :func:`item_household` reads of a plan item."""

    @property
    def food_id(self) -> str: ...
    @property
    def portions(self) -> float: ...
    @property
    def portion_name(self) -> str: ...
    @property
    def grams(self) -> float: ...
    @property
    def is_supplement(self) -> bool: ...


@dataclass(frozen=True)
class Portion:
    """A parsed portion name: ``amount`` of ``unit``, weighing ``grams`` when stated."""

    amount: float
    unit: str  # without SR28's bracketed details and without the weight
    grams: float | None  # the weight the name states, if any
    metric: bool  # the unit is grams itself ("g", "10 g")
    detail: str = ""  # a bracket kept for supplements ("(25 µg)")


def format_grams(grams: float) -> str:
    """Grams as a total reads: whole grams from 10 g up, one decimal below.

    Args:
        grams: an amount in grams.

    Returns:
        e.g. ``"170 g"``, ``"8.5 g"``, ``"1,250 g"``.
    """
    if abs(grams) >= 10:
        return f"{grams:,.0f} g"
    return f"{round(grams, 1):g} g"


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def kitchen_grams(grams: float) -> str:
    """Grams as a kitchen scale shows them: 5 g steps from 20 g up, whole grams below.

    Args:
        grams: an amount in grams (>= 0).

    Returns:
        e.g. ``"490 g"`` (488), ``"1,250 g"``, ``"14 g"`` (14.5 -> 15 g rounds half up:
        ``"15 g"``), ``"0.5 g"`` below 1 g.
    """
    if not math.isfinite(grams):
        return "? g"
    if grams >= 20:
        return f"{5 * _half_up(grams / 5):,} g"
    if grams >= 1:
        return f"{_half_up(grams)} g"
    return f"{round(grams, 1):g} g"


def _fraction(x: float, exact: bool = False) -> tuple[int, int, int]:
    """(whole, numerator, denominator) of the kitchen fraction nearest ``x`` (>= 0); with
    ``exact``, an exact fifth or eighth is kept."""
    whole = math.floor(x)
    frac = x - whole
    for d in _EXACT_ONLY if exact else ():
        n = round(frac * d)
        if 0 < n < d and abs(frac - n / d) < 0.01 and math.gcd(n, d) == 1:
            return whole, n, d
    best = (abs(frac), 0, 1)
    for d in _COMMON:
        for n in range(1, d + 1):
            err = abs(frac - n / d)
            if err < best[0] - 1e-9:
                best = (err, n, d)
    _, n, d = best
    if n == d:
        return whole + 1, 0, 1
    g = math.gcd(n, d) or 1
    return whole, n // g, d // g


def kitchen_count(x: float, *, exact: bool = False) -> str:
    """A count as a cook says it: ``"1/2"``, ``"1 1/2"``, ``"2/3"``, ``"3"``; whole from 10 up.

    Args:
        x: a count (>= 0).
        exact: also keep an exact fifth or eighth (``"1/5"`` of SR28's "0.2 block").

    Returns:
        The text (halves, thirds and quarters otherwise); ``"0"`` below a sixteenth.
    """
    if not math.isfinite(x) or x < 1 / 16:
        return "0"
    if x >= 10:
        return f"{_half_up(x):,}"
    whole, n, d = _fraction(x, exact)
    if n == 0:
        return str(whole)
    return f"{whole} {n}/{d}" if whole else f"{n}/{d}"


def _count_value(x: float, exact: bool = False) -> float:
    """The value :func:`kitchen_count` shows (for singular/plural)."""
    if x >= 10:
        return float(_half_up(x))
    whole, n, d = _fraction(x, exact)
    return whole + n / d


def _word_plural(word: str) -> str:
    low = word.lower()
    if low in _INVARIANT or not low.isalpha():
        return word
    if _word_singular(word) != word:  # already plural ("sardines", "halves")
        return word
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if low.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _word_singular(word: str) -> str:
    low = word.lower()
    if low in _SINGULAR:
        return _SINGULAR[low]
    if low in _INVARIANT or not low.isalpha() or not low.endswith("s") or low.endswith("ss"):
        return word
    if low.endswith("ies"):
        return word[:-3] + "y"
    if low.endswith(("ches", "shes", "xes", "ses")):
        return word[:-2]
    return word[:-1]


_SIZES: frozenset[str] = frozenset({"large", "medium", "small", "extra", "jumbo", "mini"})
# Purchase units of two words whose last word is the noun ("2 breast fillets").
_COMPOUND: frozenset[str] = frozenset({"breast fillet", "sweet potato", "red cabbage"})


def plural(unit: str, count: float = 2.0) -> str:
    """The unit for ``count`` of it: ``plural("cup")`` -> "cups", ``plural("slices", 1)``.

    Sizes and measures stay as they are ("2 large", "3 tbsp", "2 oz"); the noun after a
    size is inflected ("2 small boxes"). Only the first noun changes ("2 cups, chopped").

    Args:
        unit: a unit, singular or plural ("cup", "sardines", "breast fillet").
        count: how many (above 1: plural; otherwise singular).

    Returns:
        The inflected unit.
    """
    inflect = _word_plural if count > 1 + 1e-9 else _word_singular
    head, _, last = unit.rpartition(" ")
    if head and f"{head} {_word_singular(last)}" in _COMPOUND:
        return f"{head} {inflect(last)}"
    words = unit.split(" ")
    for i, w in enumerate(words):
        core = w.rstrip(",;:")
        low = core.lower()
        if low in _SIZES:
            continue
        if low in _INVARIANT or not low.isalpha():
            return unit
        words[i] = inflect(core) + w[len(core):]
        return " ".join(words)
    return unit


def _number(text: str) -> float:
    if " " in text:
        whole, frac = text.split(" ", 1)
        return float(whole) + _number(frac)
    if "/" in text:
        n, d = text.split("/", 1)
        return float(n) / float(d)
    return float(text)


def parse_portion(portion_name: str, *, supplement: bool = False) -> Portion:
    """Split a portion name into amount, unit and stated weight.

    Args:
        portion_name: e.g. ``0.5 cup (1" pieces) (72 g)``, ``10 g``, ``g``,
            ``1/2 serving (207 g)``, ``1 capsule (25 µg)``.
        supplement: keep the bracket of a supplement unit (its dose), drop nothing else.

    Returns:
        The :class:`Portion`; a name without an amount is one of itself (``1 x "cup"``).
    """
    name = " ".join(portion_name.split())
    if name == GRAM_UNIT:
        return Portion(1.0, GRAM_UNIT, 1.0, metric=True)
    m = _PORTION.match(name)
    amount, rest = (_number(m["amount"]), m["rest"]) if m else (1.0, name)
    grams = None
    g = _TRAILING_GRAMS.search(rest)
    if g is not None:
        grams = float(g["g"].replace(",", ""))
        rest = rest[: g.start()]
    if rest == GRAM_UNIT:
        return Portion(amount, GRAM_UNIT, amount, metric=True)
    detail = ""
    if supplement:
        b = re.search(r"\s*(\([^()]*\))\s*$", rest)
        if b is not None:
            detail, rest = b.group(1), rest[: b.start()]
    unit = _SERVING_SUFFIX.sub("", _BRACKETS.sub("", rest).strip())
    unit = _TSP.sub("tsp", _TBSP.sub("tbsp", unit)).strip(" ,")
    return Portion(amount, unit or rest.strip(), grams, metric=False, detail=detail)


def _is_fine(amount: float) -> bool:
    """Whether a portion's own amount is an exact fifth or eighth that no half, third or
    quarter gives (SR28's "0.2 block")."""
    frac = amount - math.floor(amount)

    def exact(d: int) -> bool:
        return 0 < round(frac * d) < d and abs(frac - round(frac * d) / d) < 0.005

    return any(exact(d) for d in _EXACT_ONLY) and not any(exact(d) for d in _COMMON)


def _packs(grams: float, pack: tuple[str, float] | None) -> tuple[int, str] | None:
    if pack is None or grams <= 0:
        return None
    name, pack_g = pack
    n = round(grams / pack_g)
    if n >= 1 and abs(grams - n * pack_g) <= PACK_TOLERANCE * n * pack_g:
        return n, plural(name, n)
    return None


def household_text(portions: float, portion_name: str, grams: float, *,
                   supplement: bool = False, weight: bool = True,
                   pack: tuple[str, float] | None = None) -> str:
    """The household amount of ``portions`` x ``portion_name`` weighing ``grams`` in all.

    Args:
        portions: how many portions (any real number >= 0).
        portion_name: the portion's name (see :func:`parse_portion`).
        grams: the total weight.
        supplement: count capsules and tablets, never weigh them ("2 capsules (25 µg)").
        weight: add the total weight in brackets ("2 cups (490 g)"); leave it off where
            the grams are shown beside the text.
        pack: (unit, grams of one) of a counted purchase unit, e.g. ("pack", 45): a food
            planned in grams or a metric unit reads as whole packs when it is within 12 %
            of them ("1 pack (50 g)").

    Returns:
        e.g. ``"1 cup (30 g)"``, ``"2 slices"``, ``"1 1/2 servings (435 g)"``, ``"40 g"``.
    """
    p = parse_portion(portion_name, supplement=supplement)
    if p.metric and not supplement:
        packs = _packs(grams, pack)
        if packs is not None:
            n, unit = packs
            return f"{n} {unit} ({kitchen_grams(grams)})" if weight else f"{n} {unit}"
        return kitchen_grams(grams)
    total = portions * p.amount
    exact = _is_fine(p.amount)
    count = kitchen_count(total, exact=exact)
    if count == "0":
        return kitchen_grams(grams)
    text = f"{count} {plural(p.unit, _count_value(total, exact))}"
    if supplement:
        return f"{text} {p.detail}".strip()
    return f"{text} ({kitchen_grams(grams)})" if weight else text


def portion_label(portion_name: str, portion_g: float | None = None) -> str:
    """A food's household unit with its weight once: ``"1 cup (30 g)"``, ``"1/2 cup (31 g)"``.

    Args:
        portion_name: the unit as the table names it (may already end in its weight).
        portion_g: grams of one unit; used when the name does not state them.

    Returns:
        The label; ``"1 g"`` for foods planned in plain grams, ``"10 g"`` for a metric unit.
    """
    p = parse_portion(portion_name)
    if p.metric:
        return f"{p.amount:g} g"
    g = p.grams if p.grams is not None else portion_g
    exact = _is_fine(p.amount)
    count = kitchen_count(p.amount, exact=exact) if p.amount >= 1 / 16 else f"{p.amount:g}"
    text = f"{count} {plural(p.unit, _count_value(p.amount, exact))}"
    return f"{text} ({g:g} g)" if g is not None and math.isfinite(g) else text


def item_household(item: _Item, *, weight: bool = False,
                   purchases: PurchaseTable | None = None) -> str:
    """A plan item's household amount ("2 oz", "1 1/2 servings", "1 pack").

    Args:
        item: a plan item (food, dish or supplement).
        weight: add the weight in brackets (off: plans show grams beside it).
        purchases: how foods are bought, for foods planned in grams that a shop sells in
            counted packs (natto); None: the shipped table.

    Returns:
        The text.
    """
    pack = None
    if parse_portion(item.portion_name).metric and not item.is_supplement:
        from .purchase import VOLUME_UNITS, shipped_purchases

        row = (purchases if purchases is not None else shipped_purchases()).get(item.food_id)
        if (row is not None and not row.by_weight and row.unit not in VOLUME_UNITS
                and row.unit_g == row.pack_g):
            pack = (row.unit, row.pack_g)
    return household_text(item.portions, item.portion_name, item.grams,
                          supplement=item.is_supplement, weight=weight, pack=pack)
