"""The app's session state in one place: every key, its default, and the messages shown
next to the control that caused them (no Streamlit: the views pass ``st.session_state``).

Keys that start with ``s_`` hold the session's own data; keys that start with ``w_`` belong
to widgets (Streamlit keeps widget values under their key in the same namespace).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from mealplan.ui.settings import AppSettings

__all__ = [
    "CANCELLED",
    "CUSTOM",
    "DIAGNOSIS",
    "EDITOR_VERSION",
    "ERROR",
    "MESSAGES",
    "OPTIONS",
    "PENDING",
    "PLAN",
    "PROGRESS",
    "SETTINGS",
    "TARGETS",
    "VIEW",
    "Message",
    "Place",
    "StateLike",
    "clear_messages",
    "init_state",
    "message",
    "say",
]

SETTINGS = "s_settings"  # AppSettings: the sidebar as last submitted (plus fixes and edits)
PLAN = "s_plan"  # the Plan shown, or None
TARGETS = "s_targets"  # the Targets it was planned with
OPTIONS = "s_options"  # the PlanOptions it was planned with
DIAGNOSIS = "s_diagnosis"  # why no plan exists (a Diagnosis), or None
ERROR = "s_error"  # a planning error in words, or None
CUSTOM = "s_custom"  # the session's own food tables
EDITOR_VERSION = "s_editor_version"  # bumped to redraw the bounds editor from the settings
PENDING = "s_pending_widgets"  # settings to put into the sidebar before it is drawn
MESSAGES = "s_messages"  # Place -> Message
SEARCH_HARDER = "s_search_harder"  # True when a work limit stopped planning: offer more effort
CANCELLED = "s_cancelled"  # True once "Cancel planning" was pressed (until it is reported)
PROGRESS = "s_progress"  # the last planning call's (days done, days total) reports
VIEW = "w_view"  # the plan's shown day ("Day 3"), the week or the shopping list

Place = Literal["plan", "edit", "foods", "dietitian", "saved"]
Kind = Literal["success", "info", "warning", "error"]

_DEFAULTS: dict[str, Callable[[], Any]] = {
    SETTINGS: AppSettings, PLAN: lambda: None, TARGETS: lambda: None, OPTIONS: lambda: None,
    DIAGNOSIS: lambda: None, ERROR: lambda: None, CUSTOM: list, EDITOR_VERSION: lambda: 0,
    MESSAGES: dict,
}


class StateLike(Protocol):
    """What these helpers need of ``st.session_state`` (a dict also has it)."""

    def __getitem__(self, key: str, /) -> Any: ...
    def __setitem__(self, key: str, value: Any, /) -> None: ...
    def __contains__(self, key: object, /) -> bool: ...


@dataclass(frozen=True)
class Message:
    """A message for the person, shown beside the control that caused it."""

    kind: Kind
    text: str


def init_state(state: StateLike) -> None:
    """Put every session key that is missing at its default.

    Args:
        state: ``st.session_state`` (or a dict in tests).
    """
    for key, make in _DEFAULTS.items():
        if key not in state:
            state[key] = make()


def say(state: StateLike, place: Place, kind: Kind, text: str) -> None:
    """Show a message at one place and clear every older message (a later action makes the
    earlier notices stale).

    Args:
        state: the session state.
        place: where the control that caused it is.
        kind: success, info, warning or error.
        text: the message.
    """
    state[MESSAGES] = {place: Message(kind, text)}


def clear_messages(state: StateLike) -> None:
    """Forget every message (a new action starts)."""
    state[MESSAGES] = {}


def message(state: StateLike, place: Place) -> Message | None:
    """The message to show at a place, if any."""
    try:
        found = state[MESSAGES].get(place)
    except KeyError:
        return None
    return found if isinstance(found, Message) else None
