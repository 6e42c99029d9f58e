"""The Plan tab (Streamlit): the plan, or why there is none and the fixes to press.

One control, "Show", picks the day (or the week, or the shopping list); the edit buttons
act on that day, so the day shown and the day edited are one state and an edit never
jumps to another day.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st  # noqa: TID251 -- the app's view modules are the app (see app.py)

from mealplan.errors import MealPlanError
from mealplan.plan import Diagnosis, Plan
from mealplan.targets import Targets
from mealplan.ui import state
from mealplan.ui.chart import coverage_chart
from mealplan.ui.plan_audit import (
    audit_failures_frame,
    audit_headline,
    audit_rules_frame,
    audit_this_plan,
)
from mealplan.ui.plan_table import (
    ban_food,
    cooking_limits_text,
    coverage_frame,
    day_kcal,
    day_limit_text,
    day_table,
    diagnosis_frame,
    edits_summary,
    k2_frame,
    lock_item,
    meal_heading,
    meal_minutes_text,
    offered_fixes,
    plan_grid,
    plan_status,
    relaxed_bounds,
    shopping_frame,
    shown_day,
    view_options,
    weekly_summary,
)
from mealplan.ui.session import (
    apply_fix,
    food_table,
    note_cancel,
    plan_from_settings,
    run_solver,
    show_message,
    supplements_table,
)
from mealplan.ui.settings import AppSettings, build_targets
from mealplan.ui.text import number, plural

__all__ = ["plan_page"]

S = st.session_state
PENDING_ITEM = "s_pending_item"  # the item the box shows after the next run


def plan_page() -> None:
    """The Plan tab."""
    note_cancel()
    show_message("plan")
    if S.get(state.ERROR):
        st.error(S[state.ERROR])
        if S.get(state.SEARCH_HARDER):
            search_harder_button()
    targets: Targets | None = S.get(state.TARGETS)
    if targets is not None and targets.warnings and S.get(state.PLAN) is None:
        for w in targets.warnings:
            st.warning(w)
    relaxed_notice()
    if S.get(state.DIAGNOSIS) is not None:
        show_diagnosis(S[state.DIAGNOSIS])
    elif S.get(state.PLAN) is not None:
        show_plan(S[state.PLAN])
    elif not S.get(state.ERROR):
        st.info("Say who the plan is for under the settings (on a phone: the » button at "
                "the top left), then press **Plan my meals**.")


def search_harder_button() -> None:
    """Plan again with four times the search effort (a time-out's way forward)."""
    s: AppSettings = S[state.SETTINGS]
    if st.button(f"Search harder (effort {s.work_limit * 4:,} a day) and plan again",
                 key="w_search_harder"):
        S[state.SETTINGS] = dataclasses.replace(s, work_limit=min(s.work_limit * 4, 20000))
        S[state.PENDING] = S[state.SETTINGS]
        plan_from_settings()
        st.rerun()


def relaxed_notice() -> None:
    """Every bound that differs from the defaults, beside the plan, with a reset."""
    s: AppSettings = S[state.SETTINGS]
    if not s.bound_edits:
        return
    try:
        lines = relaxed_bounds(s.bound_edits,
                               build_targets(dataclasses.replace(s, bound_edits=())))
    except MealPlanError:
        return
    box = st.warning if any("default" in x for x in lines) else st.info
    box("**Targets changed from the defaults** (they stay until you reset them):\n"
        + "\n".join(f"- {x}" for x in lines))
    if st.button("Reset targets to the defaults and plan again", key="w_reset_relaxed"):
        S[state.SETTINGS] = dataclasses.replace(s, bound_edits=())
        S[state.EDITOR_VERSION] = S.get(state.EDITOR_VERSION, 0) + 1
        if plan_from_settings():
            state.say(S, "plan", "success", "Targets reset to the defaults; here is the new "
                                            "plan.")
        st.rerun()


def show_diagnosis(diag: Diagnosis) -> None:
    """Why no plan exists, and a button per fix."""
    s: AppSettings = S[state.SETTINGS]
    st.error("No plan meets every target with these settings.")
    frame = diagnosis_frame(diag, s.days)
    if len(frame):
        st.markdown("**What falls short** (the best a day can reach while every other "
                    "target holds)")
        st.dataframe(frame, hide_index=True, width="stretch")
    for rule in diag.conflicting_rules:
        st.markdown(f"- {rule}")
    fixes = offered_fixes(diag, s.diet)
    if fixes:
        st.markdown("**What would make it possible** (press one to apply it and plan again)")
        for i, fix in enumerate(fixes):
            if st.button(fix.description[:1].upper() + fix.description[1:],
                         key=f"w_fix_{i}"):
                apply_fix(fix)
                st.rerun()
    else:
        st.info("No single change was found; try fewer exclusions or the Dietitian tab.")
    limits = cooking_limits_text(S.get(state.OPTIONS))
    if limits:
        st.info(f"{limits} Slower dishes were left out: a higher limit (under Plan in the "
                "sidebar) may make a plan possible.")


def show_plan(plan: Plan) -> None:
    """The plan: status, days, chart, week, shopping list, downloads, edits."""
    from mealplan.export import shopping_csv, to_csv, to_json, to_markdown

    table = food_table()
    c1, c2 = st.columns([4, 1])
    c1.caption(plan_status(plan))
    if plan.verified:
        c2.success("✔ verified", icon=None)
    else:
        c2.error("not verified")
    safety = [w for w in plan.warnings if w in plan.targets.warnings]
    notes = [w for w in plan.warnings if w not in plan.targets.warnings]
    for w in safety:
        st.warning(w)
    if notes:
        with st.expander(f"Data notes ({len(notes)})"):
            st.markdown("\n".join(f"- {n}" for n in notes))

    grid = plan_grid(plan, table)
    cov = coverage_frame(plan)
    options = view_options(len(plan.days))
    if S.get(state.VIEW) not in options:
        S[state.VIEW] = options[0]
    view = st.segmented_control("Show", options, key=state.VIEW, required=True,
                                width="stretch")
    day = shown_day(view)
    if day is not None:
        show_day(plan, grid, cov, day)
    elif view == "Week":
        st.dataframe(weekly_summary(plan), hide_index=True, width="stretch")
        k2 = k2_frame(plan)
        if not k2.empty:
            st.markdown("**Vitamin K2 per day against its band**")
            st.line_chart(k2.set_index("day")[["value", "min", "max"]])
    else:
        from mealplan.shopping import shopping_list

        st.dataframe(shopping_frame(shopping_list(plan, table)), hide_index=True,
                     width="stretch")

    audit_panel(plan)

    c1, c2, c3, c4 = st.columns(4)
    c1.download_button("Download CSV", to_csv(plan), "mealplan.csv", "text/csv")
    c2.download_button("Download Markdown", to_markdown(plan, table), "mealplan.md",
                       "text/markdown")
    c3.download_button("Download JSON", to_json(plan), "mealplan.json", "application/json")
    c4.download_button("Download shopping list", shopping_csv(plan, table),
                       "mealplan-shopping.csv", "text/csv")


def audit_panel(plan: Plan) -> None:
    """"Check this plan": the audit of every meal, day and week rule, failures first."""
    with st.expander("Check this plan (meal, day and week rules)"):
        try:
            report = audit_this_plan(plan, food_table(), supplements_table())
        except MealPlanError as exc:
            st.error(f"The plan could not be checked: {exc}")
            return
        (st.success if report.ok else st.warning)(audit_headline(report))
        for note in report.notes:
            st.caption(note)
        st.dataframe(audit_rules_frame(report), hide_index=True, width="stretch",
                     key="w_audit_rules")
        failures = audit_failures_frame(report)
        if len(failures):
            st.markdown("**Where each rule fails**")
            st.dataframe(failures, hide_index=True, width="stretch", key="w_audit_failures")


def show_day(plan: Plan, grid: pd.DataFrame, cov: pd.DataFrame, day: int) -> None:
    """One day: its meals (dishes with servings, minutes and ingredients; kcal and prep
    minutes per meal, kcal for the day, the day's cooking limit), its nutrient bars, and the
    controls that change it."""
    left, right = st.columns([1, 1])
    with left:
        st.markdown(f"**Day {day}** · {day_kcal(plan, day):,.0f} kcal")
        limit = day_limit_text(plan.options, day)
        if limit:
            st.caption(limit)
        for slot in plan.options.slots:
            rows = day_table(grid, day, slot)
            if rows.empty:
                continue
            st.markdown(f"**{meal_heading(grid, day, slot)}**")
            st.caption(meal_minutes_text(grid, day, slot))
            st.dataframe(rows, hide_index=True, width="stretch")
            meal = grid[(grid["day"] == day) & (grid["meal"] == slot) & grid["is_dish"]]
            for name, text in zip(meal["food"], meal["dish"], strict=True):
                st.caption(f"**{name}**: {text}")
            regenerate_meal_button(plan, day, slot)
    with right:
        st.altair_chart(coverage_chart(cov, day), width="stretch")
        k2 = cov[(cov["day"] == day) & (cov["nutrient"] == "k2_ug")]
        if not k2.empty:
            r = k2.iloc[0]
            st.caption(f"Vitamin K2 today: {number(r['value'])} µg (band "
                       f"{number(r['min'])}-{number(r['max'])} µg)")
    edit_controls(plan, grid, day)


def regenerate_meal_button(plan: Plan, day: int, slot: str) -> None:
    """A button that plans one meal again; the rest of the day and the week stay."""
    from mealplan import solve

    if st.button(f"New {slot}", key=f"w_regen_{slot}",
                 help=f"Plan day {day}'s {slot} again; every other meal stays as it is"):
        table, supp = food_table(), supplements_table()
        if run_solver(lambda _p: solve.regenerate_meal(plan, day, slot, table,
                                                       supplements=supp),
                      f"Re-planning day {day}'s {slot}", place="edit",
                      keep_plan_on_failure=True):
            state.say(S, "edit", "success", f"Day {day}'s {slot} planned again; every other "
                                            "meal is as it was.")
        st.rerun()


def edit_controls(plan: Plan, grid: pd.DataFrame, day: int) -> None:
    """Regenerate the shown day, swap/lock/ban one of its items: the rest stays."""
    from mealplan import solve

    st.markdown(f"#### Change day {day}")
    table = food_table()
    supp = supplements_table()
    names = dict(zip(table.ids, table.df["name"].astype(str), strict=True))
    show_message("edit")
    if st.button(f"Regenerate day {day}", key="w_regen"):
        if run_solver(lambda _p: solve.regenerate_day(plan, day, table, supplements=supp),
                      f"Re-planning day {day}", place="edit", keep_plan_on_failure=True):
            state.say(S, "edit", "success", f"Day {day} planned again; the other days are "
                                            "as they were.")
        st.rerun()
    rows = grid[grid["day"] == day].reset_index(drop=True)
    # Options are stable keys (meal|food id), never list positions: after a swap or a ban
    # the box cannot show one item while the buttons act on another.
    keys = [f"{r.meal}|{r.food_id}" for r in rows.itertuples()]
    if not keys:
        return
    labels = dict(zip(keys, (f"{r.meal}: {r.food}" for r in rows.itertuples()), strict=True))
    # Set the box's value through the session state (which reaches the browser), never by
    # dropping it: a dropped value leaves the browser showing the removed food (issue 13).
    pending = S.pop(PENDING_ITEM, None)
    if pending in labels:
        S["w_edit_item"] = pending
    elif S.get("w_edit_item") not in labels:
        S["w_edit_item"] = keys[0]
    pick = st.selectbox("Item", keys, format_func=lambda k: labels[k], key="w_edit_item")
    r = rows.iloc[keys.index(pick or keys[0])]
    food, meal = str(r["food"]), str(r["meal"])
    b1, b2, b3 = st.columns(3)
    if b1.button("Swap for the best alternative", key="w_swap", width="stretch"):
        if run_solver(lambda _p: solve.swap_item(plan, day, meal, str(r["food_id"]), table,
                                              supplements=supp),
                      f"Finding an alternative to {food}", place="edit",
                      keep_plan_on_failure=True):
            new = S[state.PLAN]
            came = [it for m in new.day(day).meals if m.slot == meal for it in m.items
                    if it.food_id not in set(rows["food_id"])]
            if came:  # the box shows the food that took the swapped one's place
                S[PENDING_ITEM] = f"{meal}|{came[0].food_id}"
            state.say(S, "edit", "success", f"Swapped {food} ({meal}, day {day})"
                      + (f" for {came[0].name}." if came else "."))
        st.rerun()
    if b2.button("Lock this item", key="w_lock", width="stretch"):
        try:
            S[state.PLAN] = lock_item(plan, day, meal, str(r["food_id"]))
        except MealPlanError as exc:
            state.say(S, "edit", "error", str(exc))
        else:
            S[state.OPTIONS] = S[state.PLAN].options
            state.say(S, "edit", "info", f"Locked {food} on day {day} ({meal}): later "
                                         "changes keep it.")
        st.rerun()
    if b3.button("Ban this food from the plan", key="w_ban", width="stretch"):
        if run_solver(lambda p: ban_food(plan, str(r["food_id"]), table, supp, on_day=p),
                      f"Re-planning without {food}", place="edit",
                      keep_plan_on_failure=True):
            state.say(S, "edit", "success", f"{food} is left out of the plan; "
                      + plural(sum(1 for d in plan.days if str(r["food_id"]) in d.food_ids()),
                               "day") + " planned again.")
        st.rerun()
    summary = edits_summary(plan, names)
    if summary:
        st.caption(summary)
