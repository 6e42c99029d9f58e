"""Plain words and numbers for the app's pages: plurals, dates, amounts (no Streamlit).

Every number a person reads goes through :func:`number` or :func:`mealplan.units.amount_text`
(never scientific notation), every count through :func:`plural`, every saved time through
:func:`human_date`.
"""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

from mealplan.units import amount_text

__all__ = ["KEY_NUTRIENTS", "human_date", "number", "plural", "round_amount", "tidy"]

# The nutrients the app shows first (the cramp nutrients, then the limits).
KEY_NUTRIENTS: tuple[str, ...] = (
    "energy_kcal", "magnesium_mg", "potassium_mg", "calcium_mg", "vitamin_d_ug", "k2_ug",
    "vitamin_b6_mg", "vitamin_b12_ug", "vitamin_e_mg", "sodium_mg", "protein_g",
    "net_carbs_g",
)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and the word in the right number: ``plural(1, "food")`` -> ``"1 food"``.

    Args:
        n: the count.
        word: the singular.
        many: the plural when it is not ``word + "s"``.

    Returns:
        E.g. ``"3 foods"``, ``"1 day"``.
    """
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def number(x: object) -> str:
    """A number for a table cell or a sentence: plain notation, rounded as a label would be,
    empty for a missing value (never "None" or "nan").

    Args:
        x: a number, None or NaN.

    Returns:
        E.g. ``"1,440"``, ``"61.3"``, ``"0.46"``, ``""``.
    """
    if x is None or isinstance(x, bool):
        return ""
    if not isinstance(x, int | float):
        try:
            x = float(x)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(x)
    v = float(x)
    if math.isnan(v) or math.isinf(v):
        return ""
    return amount_text(v)


def human_date(stamp: str, now: datetime | None = None) -> str:
    """A stored ISO time as a person says it: "today 14:05", "yesterday 09:30",
    "3 Nov 2026 14:05".

    Args:
        stamp: an ISO 8601 time (as the store writes it); anything else is returned as is.
        now: the present in local time (default: the clock), for tests.

    Returns:
        The time in words.
    """
    try:
        t = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return str(stamp)
    if t.tzinfo is not None:  # the store writes UTC: show the server's local time
        t = t.astimezone().replace(tzinfo=None)
    ref = now or datetime.now()
    hm = f"{t:%H:%M}"
    days = (ref.date() - t.date()).days
    if days == 0:
        return f"today {hm}"
    if days == 1:
        return f"yesterday {hm}"
    return f"{t.day} {t:%b %Y} {hm}"


def round_amount(x: float) -> float:
    """A number rounded as :func:`mealplan.units.amount_text` prints it, kept a number (so
    a table still sorts by it): ``3463.636`` -> ``3464.0``, ``0.4632`` -> ``0.46``."""
    if math.isnan(x) or math.isinf(x) or x == 0:
        return x
    a = abs(x)
    digits = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 1 else max(
        2, 1 - math.floor(math.log10(a)))
    return round(x, digits)


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """A table ready to show: numbers rounded by :func:`round_amount`, empty text cells
    instead of "None"/"nan".

    Args:
        frame: any table.

    Returns:
        A new table (the given one is not changed).
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s):
            out[col] = s.map(lambda v: v if pd.isna(v) else round_amount(float(v)))
        elif not pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out[col] = s.map(lambda v: "" if v is None or (isinstance(v, float) and
                                                           math.isnan(v)) else v)
    return out
