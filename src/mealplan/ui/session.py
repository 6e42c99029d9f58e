"""What every tab shares (Streamlit): the food tables, the saved-work store, planning with
a progress line, and applying a fix from an explanation.

Planning happens only here, on an explicit action: the sidebar's "Plan my meals", a fix
button, an edit button, or the dietitian's "Apply bounds and plan again".
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st  # noqa: TID251 -- the app's view modules are the app (see app.py)

from mealplan.errors import InfeasiblePlanError, MealPlanError, SolverTimeoutError
from mealplan.foods import FoodTable, load_default_table, load_supplements
from mealplan.plan import Diagnosis, Fix, Plan, PlanOptions
from mealplan.store import Store, default_db_path
from mealplan.targets import Targets
from mealplan.ui import state
from mealplan.ui.custom_foods import combine_tables
from mealplan.ui.plan_table import timeout_text
from mealplan.ui.progress import CANCELLED_TEXT, DayProgress, PlanningCancelled
from mealplan.ui.settings import AppSettings, build_targets, plan_options, settings_after_fix
from mealplan.ui.state import Place
from mealplan.ui.text import plural

__all__ = ["apply_fix", "food_table", "note_cancel", "open_store", "plan_from_settings",
           "plan_with", "run_solver", "settings_after_fix", "show_message", "supplements_table"]

S = st.session_state


@st.cache_resource(show_spinner="Loading the food table…")
def shipped_table() -> FoodTable:
    """The shipped food table, loaded once per server."""
    return load_default_table()


@st.cache_resource
def supplements_table() -> FoodTable:
    """The shipped supplements table, loaded once per server."""
    return load_supplements()


def food_table() -> FoodTable:
    """The shipped table plus this session's custom foods."""
    return combine_tables(shipped_table(), S.get(state.CUSTOM, []))


def open_store() -> Store:
    """The saved-work database (path from MEALPLAN_DB or the user's data directory)."""
    return Store(default_db_path())


def show_message(place: Place) -> None:
    """Show the message that belongs beside this place's controls, if any."""
    msg = state.message(S, place)
    if msg is None:
        return
    {"success": st.success, "info": st.info, "warning": st.warning,
     "error": st.error}[msg.kind](msg.text)


def _cancel_pressed() -> None:
    """The Cancel button's callback (runs at the start of the next script run)."""
    S[state.CANCELLED] = True


def note_cancel() -> None:
    """After a Cancel: say beside the plan that planning stopped (once)."""
    if S.get(state.CANCELLED):
        S[state.CANCELLED] = False
        state.say(S, "plan", "info", CANCELLED_TEXT)


def run_solver(action: Callable[[DayProgress], Plan], what: str, place: Place = "plan",
               keep_plan_on_failure: bool = False) -> bool:
    """Run a planning call with a "day k of n" progress bar and a Cancel button; store the
    plan or the explanation.

    ``action`` receives the :class:`DayProgress` to pass as the planner's ``on_day``. A press
    on Cancel stops the planning after the day in hand (Streamlit stops the script at the
    progress report; a cancel seen by the hook itself raises :class:`PlanningCancelled`):
    the plan shown before stays.

    A new attempt always replaces the old outcome: an explanation or an error from an
    earlier attempt never stays beside the new one.

    Args:
        action: makes the plan from the progress hook (raises when there is none).
        what: what is being done, for the progress line ("Planning 7 days").
        place: where to show an error in words.
        keep_plan_on_failure: an edit that fails leaves the plan as it was.

    Returns:
        True when a plan came back.
    """
    S[state.ERROR] = None
    S[state.SEARCH_HARDER] = False
    state.clear_messages(S)
    S[state.CANCELLED] = False
    box = st.empty()
    with box.container():
        bar = st.progress(0.0, text=f"{what}…")
        st.button("Cancel planning", key="w_cancel_planning", on_click=_cancel_pressed,
                  help="Stops after the day being planned; the plan shown before stays.")
    def report(fraction: float, text: str) -> None:
        bar.progress(fraction, text=text)

    progress = DayProgress(report=report,
                           cancelled=lambda: bool(S.get(state.CANCELLED)), what=what)
    try:
        ok = _solve_and_store(action, progress, place, keep_plan_on_failure)
    finally:
        S[state.PROGRESS] = list(progress.seen)
    box.empty()
    return ok


def _solve_and_store(action: Callable[[DayProgress], Plan], progress: DayProgress,
                     place: Place, keep_plan_on_failure: bool) -> bool:
    """Run ``action`` and keep its plan, or its explanation, error or cancel in the state."""
    try:
        with st.spinner(f"{progress.what}…", show_time=True):
            plan = action(progress)
    except PlanningCancelled:
        S[state.CANCELLED] = False
        state.say(S, place, "info", CANCELLED_TEXT)
        return False
    except InfeasiblePlanError as exc:
        diag = exc.diagnosis if isinstance(exc.diagnosis, Diagnosis) else None
        if keep_plan_on_failure and S.get(state.PLAN) is not None:
            state.say(S, place, "error", str(exc) if diag is None else
                      "That change leaves no plan that meets every target: "
                      + "; ".join(s.describe() for s in diag.shortfalls[:3]) + ".")
            return False
        S[state.DIAGNOSIS] = diag
        S[state.ERROR] = None if diag is not None else str(exc)
        S[state.PLAN] = None
        return False
    except SolverTimeoutError as exc:
        text = timeout_text(exc)
        if keep_plan_on_failure and S.get(state.PLAN) is not None:
            state.say(S, place, "error", text)
        else:
            S[state.ERROR] = text
            S[state.DIAGNOSIS] = None
            S[state.PLAN] = None
            S[state.SEARCH_HARDER] = exc.limit == "work"
        return False
    except MealPlanError as exc:
        if keep_plan_on_failure and S.get(state.PLAN) is not None:
            state.say(S, place, "error", str(exc))
        else:
            S[state.ERROR] = str(exc)
            S[state.DIAGNOSIS] = None
            S[state.PLAN] = None
        return False
    S[state.PLAN] = plan
    S[state.DIAGNOSIS] = None
    S[state.OPTIONS] = plan.options
    return True


def plan_from_settings() -> bool:
    """Build targets from the settings and plan; True when a plan came back."""
    s: AppSettings = S[state.SETTINGS]
    try:
        targets = build_targets(s)
    except MealPlanError as exc:
        S[state.ERROR] = str(exc)
        S[state.PLAN] = None
        S[state.DIAGNOSIS] = None
        return False
    return plan_with(targets, plan_options(s))


def plan_with(targets: Targets, options: PlanOptions) -> bool:
    """Plan with explicit targets and options; True when a plan came back."""
    from mealplan.solve import make_plan

    S[state.TARGETS], S[state.OPTIONS] = targets, options
    table = food_table()
    supp = supplements_table()
    return run_solver(lambda on_day: make_plan(table, targets, options, supplements=supp,
                                               on_day=on_day),
                      f"Planning {plural(options.days, 'day')}")


def apply_fix(fix: Fix) -> None:
    """Apply a suggested fix and plan again; say what happened beside the plan."""
    from mealplan.solve import apply_fix as lib_apply_fix

    targets, options = lib_apply_fix(S[state.TARGETS], S[state.OPTIONS], fix)
    S[state.SETTINGS] = settings_after_fix(S[state.SETTINGS], fix, targets)
    S[state.EDITOR_VERSION] = S.get(state.EDITOR_VERSION, 0) + 1
    S[state.PENDING] = S[state.SETTINGS]
    if plan_with(targets, options):
        state.say(S, "plan", "success", f"Applied: {fix.description}. Here is the new plan.")
    elif S.get(state.DIAGNOSIS) is not None:
        state.say(S, "plan", "info", f"Applied: {fix.description}. It is not enough on its "
                                     "own: the new explanation is below.")
