"""Per-day nutrient bounds for a person (DRI-based cramp profiles), diet filters, safety modes.

Data types first; builders (``targets_for``), filters (``filter_foods``) and profile I/O
follow. The optimiser only reads :class:`Targets`: a tuple of :class:`Bound` over food-table
columns plus the diet filter and preferences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Bound", "DietFilter", "Targets"]

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
class Targets:
    """Everything the optimiser must meet for one person, per day."""

    bounds: tuple[Bound, ...]
    diet: DietFilter = field(default_factory=DietFilter)
    energy_kcal: float | None = None  # the centre the balanced objective steers to
    modes: frozenset[str] = frozenset()  # "anticoagulant", "ckd", "pregnancy", "lactation"
    warnings: tuple[str, ...] = ()
    allow_supplements: bool = False

    def bounds_for(self, nutrient: str) -> tuple[Bound, ...]:
        """Every bound on one nutrient column."""
        return tuple(b for b in self.bounds if b.nutrient == nutrient)
