"""Units and plain-number formatting."""

from __future__ import annotations

import pytest

from mealplan.units import amount_text


@pytest.mark.parametrize("x, text", [(1440.3, "1,440"), (61.27, "61.3"), (2.4, "2.4"),
                                     (15.0, "15"), (0.4632, "0.46"), (0.0123, "0.012"),
                                     (0.0, "0"), (1970.0, "1,970"), (3.374, "3.37")])
def test_amount_text_plain_notation(x: float, text: str) -> None:
    """Amounts read as a label prints them: never 1.97e+03."""
    assert amount_text(x) == text
