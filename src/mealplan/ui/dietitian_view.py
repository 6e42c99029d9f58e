"""The Dietitian tab (Streamlit): every bound in an editable table with its source."""

from __future__ import annotations

import dataclasses

import streamlit as st  # noqa: TID251 -- the app's view modules are the app (see app.py)

from mealplan.errors import MealPlanError
from mealplan.ui import state
from mealplan.ui.bounds_editor import apply_edits, editor_frame, edits_from_editor
from mealplan.ui.session import plan_from_settings, show_message
from mealplan.ui.settings import AppSettings, build_targets
from mealplan.ui.text import plural
from mealplan.units import NUTRIENTS, nutrient_label

__all__ = ["dietitian_page"]

S = st.session_state


def dietitian_page() -> None:
    """Every bound in an editable table, with its source; apply or reset."""
    s: AppSettings = S[state.SETTINGS]
    try:
        defaults = build_targets(dataclasses.replace(s, bound_edits=()))
        current = apply_edits(defaults, s.bound_edits)
    except MealPlanError as exc:
        st.error(str(exc))
        return
    st.markdown("Every bound the plan must meet, per day. Edit a minimum or a maximum, set "
                "period to `week` to hold a nutrient as a weekly average, add or delete rows. "
                "Your edits stay in force when the person or safety settings change.")
    if s.bound_edits:
        st.info(f"{plural(len(s.bound_edits), 'bound')} differ"
                f"{'s' if len(s.bound_edits) == 1 else ''} from the defaults.")
    choices = sorted({*NUTRIENTS, "net_carbs_g", "vitamin_k_total_ug",
                      *(b.nutrient for b in current.bounds)}, key=nutrient_label)
    with st.form("bounds_form"):
        edited = st.data_editor(
            editor_frame(current), key=f"w_bounds_{S[state.EDITOR_VERSION]}",
            num_rows="dynamic", hide_index=True, width="stretch",
            disabled=["unit", "source", "reason"],
            column_config={
                "key": None,
                "nutrient": st.column_config.SelectboxColumn(
                    "nutrient", options=choices, required=True,
                    format_func=lambda n: nutrient_label(str(n))),
                "period": st.column_config.SelectboxColumn("period", options=["day", "week"]),
                "supplements_only": st.column_config.CheckboxColumn("supplements only"),
                "min": st.column_config.NumberColumn("min", min_value=0.0, format="plain"),
                "max": st.column_config.NumberColumn("max", min_value=0.0, format="plain"),
            })
        apply = st.form_submit_button("Apply bounds and plan again", type="primary")
    show_message("dietitian")
    if apply:
        try:
            edits = edits_from_editor(edited, defaults)
            apply_edits(defaults, edits)
        except MealPlanError as exc:
            st.error(str(exc))
        else:
            S[state.SETTINGS] = dataclasses.replace(s, bound_edits=edits)
            S[state.EDITOR_VERSION] += 1
            if plan_from_settings():
                state.say(S, "dietitian", "success",
                          "Planned again with these bounds: the new plan is on the Plan tab.")
            else:
                state.say(S, "dietitian", "warning",
                          "No plan meets these bounds: the Plan tab says why.")
            st.rerun()
    if st.button("Reset to defaults", key="w_reset_bounds"):
        S[state.SETTINGS] = dataclasses.replace(s, bound_edits=())
        S[state.EDITOR_VERSION] += 1
        state.say(S, "dietitian", "info", "Bounds reset to the defaults; press Plan my meals "
                                          "to plan with them.")
        st.rerun()
