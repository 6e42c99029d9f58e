"""mealplan's Streamlit app: the entry point (page, sidebar, tabs). No formulation logic here.

Run with ``make run`` (or ``streamlit run app.py``). Saved work goes to the SQLite file
named by ``MEALPLAN_DB`` or, by default, the user's data directory.

Each tab is a view module in ``mealplan.ui`` (``plan_view``, ``foods_view``,
``dietitian_view``, ``saved_view``, ``evidence_view``; the sidebar in ``sidebar``) whose pure
helpers live beside it (``plan_table``, ``chart``, ``foods_browser``, ``custom_foods``,
``fdc_import``, ``bounds_editor``, ``saved``, ``evidence_text``); session keys are in
``mealplan.ui.state``. Nothing re-solves on a widget change: planning happens only on the
sidebar form's submit and on explicit buttons (fixes, edits, the dietitian's "apply").
"""

from __future__ import annotations

import streamlit as st

from mealplan import DISCLAIMER
from mealplan.ui import state
from mealplan.ui.dietitian_view import dietitian_page
from mealplan.ui.evidence_view import evidence_page
from mealplan.ui.foods_view import foods_page
from mealplan.ui.plan_view import plan_page
from mealplan.ui.saved_view import saved_page
from mealplan.ui.session import plan_from_settings
from mealplan.ui.sidebar import settings_form, settings_from_widgets, settings_to_widgets

st.set_page_config(page_title="mealplan: meals for night-time leg cramps", page_icon="🥦",
                   layout="wide", initial_sidebar_state="auto")

S = st.session_state

# On a narrow screen the sidebar covers the page: close it once a plan was asked for.
CLOSE_SIDEBAR_ON_PHONES = """<script>
const doc = document;
if (window.innerWidth < 768) {
  const btn = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
  const bar = doc.querySelector('[data-testid="stSidebar"]');
  if (btn && bar && bar.getAttribute('data-collapsed') !== 'true') { btn.click(); }
}
</script>"""


def main() -> None:
    """Draw the app."""
    state.init_state(S)
    pending = S.pop(state.PENDING, None)
    if "w_age" not in S:
        settings_to_widgets(S[state.SETTINGS])
    if pending is not None:
        settings_to_widgets(pending)
    st.title("Meals for night-time leg cramps")
    st.caption(DISCLAIMER)
    if settings_form():
        S[state.SETTINGS] = settings_from_widgets()
        state.clear_messages(S)
        plan_from_settings()
        st.html(CLOSE_SIDEBAR_ON_PHONES, unsafe_allow_javascript=True, width="content")
    plan_tab, foods_tab, diet_tab, saved_tab, ev_tab = st.tabs(
        ["Plan", "Foods", "Dietitian", "Saved work", "Evidence & safety"])
    with plan_tab:
        plan_page()
    with foods_tab:
        foods_page()
    with diet_tab:
        dietitian_page()
    with saved_tab:
        saved_page()
    with ev_tab:
        evidence_page()


main()
