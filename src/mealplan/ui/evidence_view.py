"""The Evidence & safety tab (Streamlit): why each nutrient is targeted, and the cautions."""

from __future__ import annotations

import streamlit as st  # noqa: TID251 -- the app's view modules are the app (see app.py)

from mealplan import DISCLAIMER
from mealplan.targets import SAFETY_MODE_RULES
from mealplan.ui.evidence_text import evidence_rows
from mealplan.ui.sidebar import KIDNEY_CAUTION, WARFARIN_CAUTION

__all__ = ["evidence_page"]


def evidence_page() -> None:
    """Why each nutrient is targeted, from the seed articles; the safety cautions."""
    st.warning(DISCLAIMER)
    st.markdown("#### Safety")
    st.markdown(f"- {WARFARIN_CAUTION}\n- {KIDNEY_CAUTION}")
    st.markdown("#### What each safety mode does")
    titles = {"anticoagulant": "Blood thinner (warfarin-type)", "ckd": "Kidney disease",
              "pregnancy": "Pregnancy", "lactation": "Breastfeeding"}
    for mode, rules in SAFETY_MODE_RULES.items():
        st.markdown(f"- **{titles.get(mode, mode)}**: {rules}")
    st.markdown("#### Why these nutrients")
    for entry in evidence_rows():
        with st.expander(entry["title"]):
            st.markdown(entry["body"])
