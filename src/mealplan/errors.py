"""Typed errors. The library raises these; the CLI and the app translate them at the edge.

Every error carries a plain-language message fit to show a user. Errors about input data
carry a list of :class:`Problem` so that *all* problems are reported at once, each naming
where it is (file, row, column or field).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DataFileError",
    "FDCError",
    "FoodTableError",
    "InfeasiblePlanError",
    "MealPlanError",
    "PlanVerificationError",
    "Problem",
    "ProfileError",
    "PurchaseTableError",
    "SolverError",
    "SolverTimeoutError",
    "StoreError",
    "TargetsError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where it is."""

    message: str
    row: int | None = None  # 1-based data row (header excluded), as a spreadsheet shows it
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class MealPlanError(Exception):
    """Base class of every error mealplan raises on purpose."""


class DataFileError(MealPlanError):
    """An input file is unreadable or invalid; lists every problem found."""

    def __init__(self, source: str, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__(self.render())

    def render(self) -> str:
        """The whole error as one readable block."""
        n = len(self.problems)
        head = f"{self.source}: {n} problem{'s' if n != 1 else ''}"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class FoodTableError(DataFileError):
    """A food table (shipped or user CSV) failed validation."""


class TargetsError(DataFileError):
    """A targets/profile definition is invalid (min > max, unknown nutrient, ...)."""


class ProfileError(TargetsError):
    """A saved profile (TOML) could not be read or is invalid."""


class InfeasiblePlanError(MealPlanError):
    """No plan meets every bound; carries the diagnosis (which bounds, how far, what fixes)."""

    def __init__(self, message: str, diagnosis: object | None = None) -> None:
        self.diagnosis = diagnosis
        super().__init__(message)


class SolverError(MealPlanError):
    """The solver failed or returned a status we cannot use."""


class SolverTimeoutError(SolverError):
    """A limit stopped the solver before it found a plan.

    ``limit`` says which: "work" (the deterministic node limit per day: the same on every
    machine) or "time" (the wall-clock safety net). ``value`` is the limit in force (nodes or
    seconds) and ``day`` the day it stopped on. The CLI and the app say how to raise it in
    their own terms.
    """

    def __init__(self, message: str, *, limit: str = "time", value: float = 0.0,
                 day: int | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.value = value
        self.day = day


class PlanVerificationError(MealPlanError):
    """A solver's plan failed the independent recomputation; it is never returned."""

    def __init__(self, violations: list[str]) -> None:
        self.violations = tuple(violations)
        super().__init__("plan failed verification:\n" + "\n".join(f"  - {v}" for v in violations))


class FDCError(MealPlanError):
    """FoodData Central could not be reached or answered something unusable."""


class StoreError(MealPlanError):
    """The saved-work database could not be read or written."""


class DishTableError(FoodTableError):
    """A dish table (shipped or user CSV) failed validation or does not match the food table."""


class PurchaseTableError(DataFileError):
    """The purchase table (how each food is bought) failed validation."""
