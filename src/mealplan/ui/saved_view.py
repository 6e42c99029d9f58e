"""The Saved work tab (Streamlit): clients, their profiles and plans; save, reopen, compare."""

from __future__ import annotations

import pandas as pd
import streamlit as st  # noqa: TID251 -- the app's view modules are the app (see app.py)

from mealplan.errors import MealPlanError
from mealplan.ui import state
from mealplan.ui.saved import compare_saved_plans, saved_plan_items, saved_plan_summary
from mealplan.ui.session import open_store, show_message
from mealplan.ui.settings import AppSettings
from mealplan.ui.text import human_date, plural

__all__ = ["saved_page"]

S = st.session_state
NEW = "(new client)"


def saved_page() -> None:
    """Clients, their profiles and plans: save, reopen, compare."""
    try:
        store = open_store()
    except MealPlanError as exc:
        st.error(str(exc))
        return
    with store:
        st.caption("Saved on this computer (the server's own database), never sent anywhere.")
        clients = store.clients()
        names = [c.name for c in clients]
        c1, c2 = st.columns(2)
        choice = c1.selectbox("Client", [NEW, *names], key="w_client")
        new_name = c2.text_input("New client name", key="w_client_new",
                                 disabled=choice != NEW)
        label = st.text_input("Label for this save", value="plan", key="w_save_label")
        if st.button("Save profile and plan", key="w_save", type="primary"):
            try:
                client = (store.get_or_create_client(new_name) if choice == NEW
                          else store.find_client(choice))
                if client is None:
                    raise MealPlanError(f"no client named {choice}")
                body = S[state.SETTINGS].to_json()
                if S.get(state.PLAN) is not None:
                    from mealplan.export import to_json

                    store.save_profile_and_plan(client.id, label, body, to_json(S[state.PLAN]))
                    state.say(S, "saved", "success",
                              f"Saved profile and plan '{label}' for {client.name}.")
                else:
                    store.save_profile(client.id, label, body)
                    state.say(S, "saved", "success",
                              f"Saved profile '{label}' for {client.name} (no plan yet).")
            except MealPlanError as exc:
                state.say(S, "saved", "error", str(exc))
            st.rerun()
        show_message("saved")
        if choice == NEW:
            return
        client = store.find_client(choice)
        if client is None:
            return
        profiles = store.profiles(client.id)
        plans = store.plans(client.id)
        st.markdown(f"#### {client.name}: {plural(len(profiles), 'profile')}, "
                    f"{plural(len(plans), 'plan')}")
        if profiles:
            pick = st.selectbox("Profile", profiles, key="w_profile_pick",
                                format_func=lambda p: f"{p.name} ({human_date(p.created_at)})")
            if st.button("Load this profile into the sidebar", key="w_load_profile"):
                try:
                    loaded = AppSettings.from_json(pick.body, f"profile '{pick.name}'")
                except MealPlanError as exc:
                    state.say(S, "saved", "error", str(exc))
                else:
                    S[state.SETTINGS] = loaded
                    S[state.PENDING] = loaded
                    state.say(S, "saved", "success",
                              f"Loaded profile '{pick.name}' of {client.name}; press Plan my "
                              "meals to plan with it.")
                st.rerun()
        if plans:
            summaries = []
            for p in plans:
                try:
                    summaries.append(saved_plan_summary(p.id, p.name, p.created_at, p.data()))
                except MealPlanError as exc:
                    st.warning(str(exc))
            st.dataframe(pd.DataFrame([x["row"] for x in summaries]), hide_index=True,
                         width="stretch")
            labels: dict[int, str] = {}
            for p in plans:  # oldest first gets the plain label; a repeat gets a number
                text = f"{p.name} ({human_date(p.created_at)})"
                n = sum(1 for t in labels.values() if t.startswith(text))
                labels[p.id] = text if n == 0 else f"{text} #{n + 1}"
            chosen = st.multiselect("Open or compare plans", [p.id for p in plans],
                                    key="w_compare", format_func=lambda i: labels[i])
            for pid in chosen:
                rec = next(p for p in plans if p.id == pid)
                with st.expander(f"Plan {labels[rec.id]}", expanded=len(chosen) == 1):
                    st.dataframe(saved_plan_items(rec.data()), hide_index=True,
                                 width="stretch")
            if len(chosen) >= 2:
                st.markdown("**Comparison: daily averages**")
                st.dataframe(compare_saved_plans(
                    {labels[p.id]: p.data() for p in plans if p.id in chosen}),
                    width="stretch")
