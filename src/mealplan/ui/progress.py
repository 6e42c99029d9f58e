"""Progress and cancel while planning (no Streamlit): the ``on_day`` hook of
:func:`mealplan.solve.make_plan` as an object the view feeds with a progress bar and a
"cancelled?" question.

The planner calls ``on_day(days_done, days_total)`` after each day; an exception raised
there stops the planning and propagates. :class:`DayProgress` raises
:class:`PlanningCancelled` when its ``cancelled`` question says yes, and otherwise reports
"Planned day k of n". (In the running app a press on "Cancel" also stops the script at its
next Streamlit call, which is the progress report itself: either way planning stops after
the day in hand and the plan shown before stays.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["CANCELLED_TEXT", "DayProgress", "PlanningCancelled", "progress_text"]

CANCELLED_TEXT = "Planning stopped at your request; the plan shown before (if any) is kept."


class PlanningCancelled(Exception):
    """The person pressed Cancel while the planner was working."""


def progress_text(done: int, total: int, what: str = "Planning") -> str:
    """The progress line, e.g. "Planning: day 3 of 7 planned".

    Args:
        done: days planned so far (kept days included).
        total: days in the plan.
        what: what is being done.

    Returns:
        The line.
    """
    if total <= 0:
        return f"{what}…"
    return f"{what}: day {min(done, total)} of {total} planned"


@dataclass
class DayProgress:
    """The planner's ``on_day`` hook: record, report, and stop when cancelled.

    Attributes:
        report: shows the progress, called as ``report(fraction, text)``.
        cancelled: asked after each day; True stops the planning.
        what: what is being done (the progress line's start).
        seen: every ``(days_done, days_total)`` the planner reported.
    """

    report: Callable[[float, str], None]
    cancelled: Callable[[], bool] = lambda: False
    what: str = "Planning"
    seen: list[tuple[int, int]] = field(default_factory=list)

    def __call__(self, done: int, total: int) -> None:
        """Called by the planner after each day.

        Raises:
            PlanningCancelled: when ``cancelled()`` says so.
        """
        self.seen.append((done, total))
        if self.cancelled():
            raise PlanningCancelled(f"cancelled after day {done} of {total}")
        self.report(min(1.0, done / total) if total > 0 else 0.0,
                    progress_text(done, total, self.what))
