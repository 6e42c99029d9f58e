"""mealplan's Streamlit app: widgets -> mealplan API -> render. No formulation logic here.

Run with ``make run`` (or ``streamlit run app.py``). Saved work goes to the SQLite file
named by ``MEALPLAN_DB`` or, by default, the user's data directory.

Nothing re-solves on a widget change: planning happens only on the sidebar form's submit
and on explicit buttons (fixes, edits, the dietitian's "apply"). Plans live in
``st.session_state`` under keys that start with ``s_``; widget keys start with ``w_``.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from typing import Any, Literal

import pandas as pd
import streamlit as st

from mealplan import DISCLAIMER
from mealplan import appsupport as ui
from mealplan.errors import (
    DataFileError,
    InfeasiblePlanError,
    MealPlanError,
    SolverTimeoutError,
)
from mealplan.foods import FoodTable, load_default_table, load_supplements
from mealplan.plan import Diagnosis, Fix, Plan, PlanOptions
from mealplan.store import Store, default_db_path
from mealplan.targets import ACTIVITY_FACTORS, SAFETY_MODE_RULES, Targets
from mealplan.units import ALLERGENS, DIET_TAGS, MealSlot, nutrient_label

st.set_page_config(page_title="mealplan: meals for night-time leg cramps", page_icon="🥦",
                   layout="wide")

DIET_CHOICES = {"any (omnivore)": None, "pescatarian": "pescatarian",
                "vegetarian": "vegetarian", "vegan": "vegan"}
STAGE_CHOICES: dict[str, Literal["pregnancy", "lactation"] | None] = {
    "not pregnant or breastfeeding": None, "pregnant": "pregnancy",
    "breastfeeding": "lactation"}
OBJECTIVES = {"balanced": "Balanced (near the energy target, varied)",
              "cost": "Cheapest (foods with a price)",
              "usual": "Closest to my favourites"}
SLOTS = [s.value for s in MealSlot]
WARFARIN_CAUTION = (
    "Blood thinners (warfarin and other vitamin K antagonists): vitamin K intake must stay "
    "steady. This mode turns the K2 target off, leaves out natto and other very K2-rich "
    "foods, and holds total vitamin K in the band your clinician gives. Do not change your "
    "diet without telling your anticoagulation clinic.")
KIDNEY_CAUTION = (
    "Kidney disease: potassium, phosphorus and magnesium can build up. This mode caps "
    "potassium and phosphorus at the limits your kidney doctor set and never pushes "
    "potassium up. No potassium or magnesium supplements without your doctor's agreement.")

S = st.session_state


# -- cached data ------------------------------------------------------------------------------
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
    return ui.combine_tables(shipped_table(), S.get("s_custom", []))


def open_store() -> Store:
    """The saved-work database (path from MEALPLAN_DB or the user's data directory)."""
    return Store(default_db_path())


# -- state --------------------------------------------------------------------------------
def init_state() -> None:
    """Defaults for the session's own keys."""
    S.setdefault("s_settings", ui.AppSettings())
    S.setdefault("s_plan", None)
    S.setdefault("s_targets", None)
    S.setdefault("s_options", None)
    S.setdefault("s_diagnosis", None)
    S.setdefault("s_error", None)
    S.setdefault("s_notice", None)
    S.setdefault("s_custom", [])
    S.setdefault("s_editor_version", 0)
    S.setdefault("s_seconds", None)
    S.setdefault("s_opened", None)


def settings_to_widgets(s: ui.AppSettings) -> None:
    """Put settings into the sidebar's widgets (before they are drawn)."""
    S.w_age = int(s.age)
    S.w_sex = s.sex
    S.w_stage = next(k for k, v in STAGE_CHOICES.items() if v == s.life_stage)
    S.w_weight = s.weight_kg
    S.w_height = s.height_cm
    S.w_activity = s.activity
    S.w_energy = s.energy_kcal
    S.w_diet = next(k for k, v in DIET_CHOICES.items() if v == s.diet)
    S.w_keto = s.keto
    S.w_netcarbs = float(s.keto_net_carbs)
    S.w_allergens = list(s.allergens)
    ids = set(food_table().ids)
    S.w_exclude = [f for f in s.exclude_foods if f in ids]
    S.w_fav = [f for f in s.favourites if f in ids]
    S.w_dislike = [f for f in s.dislikes if f in ids]
    S.w_flags = [f for f in s.exclude_flags if f in ui.EXCLUDABLE_FLAGS]
    S.w_anticoag = s.anticoagulant
    S.w_vitk_min = s.vitk_min_ug
    S.w_vitk_max = s.vitk_max_ug
    S.w_ckd = s.ckd
    S.w_kmax = s.potassium_max_mg
    S.w_pmax = s.phosphorus_max_mg
    S.w_days = int(s.days)
    S.w_slots = list(s.slots)
    S.w_supp = s.supplements
    S.w_salt = float(s.cooking_salt_g)
    S.w_objective = s.objective
    S.w_k2 = (float(s.k2_min), float(s.k2_max))
    S.w_work = min(max(int(s.work_limit), 50), 20000)  # a saved profile may hold anything
    S.w_time = min(max(float(s.time_limit_s), 10.0), 3600.0)


def settings_from_widgets() -> ui.AppSettings:
    """Read the sidebar form into settings (keeping the dietitian's bound edits)."""
    k2 = S.w_k2
    current: ui.AppSettings = S.s_settings
    return dataclasses.replace(
        current,
        age=int(S.w_age), sex=S.w_sex, life_stage=STAGE_CHOICES[S.w_stage],
        weight_kg=S.w_weight, height_cm=S.w_height, activity=S.w_activity,
        energy_kcal=S.w_energy, diet=DIET_CHOICES[S.w_diet], keto=bool(S.w_keto),
        keto_net_carbs=float(S.w_netcarbs), allergens=tuple(S.w_allergens),
        exclude_foods=tuple(S.w_exclude), favourites=tuple(S.w_fav),
        dislikes=tuple(S.w_dislike),
        # flags the sidebar does not offer (from a hand-edited profile) are kept as they are
        exclude_flags=tuple(S.w_flags) + tuple(
            f for f in current.exclude_flags if f not in ui.EXCLUDABLE_FLAGS),
        anticoagulant=bool(S.w_anticoag),
        vitk_min_ug=S.w_vitk_min, vitk_max_ug=S.w_vitk_max, ckd=bool(S.w_ckd),
        potassium_max_mg=S.w_kmax, phosphorus_max_mg=S.w_pmax, days=int(S.w_days),
        slots=tuple(S.w_slots), supplements=bool(S.w_supp), objective=S.w_objective,
        cooking_salt_g=float(S.w_salt),
        k2_min=float(k2[0]), k2_max=float(k2[1]), work_limit=int(S.w_work),
        time_limit_s=float(S.w_time))


# -- planning -----------------------------------------------------------------------------
def run_solver(action: Callable[[], Plan], what: str) -> None:
    """Run a planning call with a spinner; store the plan or the explanation."""
    S.s_error = None
    t0 = time.perf_counter()
    try:
        with st.spinner(f"{what}…"):
            plan = action()
    except InfeasiblePlanError as exc:
        S.s_diagnosis = exc.diagnosis if isinstance(exc.diagnosis, Diagnosis) else None
        S.s_error = None if S.s_diagnosis is not None else str(exc)
        S.s_plan = None
    except SolverTimeoutError as exc:
        S.s_error = f"No plan yet: {exc}. {ui.limit_advice(exc)}"
    except MealPlanError as exc:
        S.s_error = str(exc)
    else:
        S.s_plan = plan
        S.s_diagnosis = None
        S.s_seconds = time.perf_counter() - t0


def plan_from_settings() -> None:
    """Build targets from the settings and plan the week."""
    s: ui.AppSettings = S.s_settings
    try:
        targets = ui.build_targets(s)
    except MealPlanError as exc:
        S.s_error = str(exc)
        S.s_plan = None
        S.s_diagnosis = None
        return
    options = ui.plan_options(s)
    S.s_targets, S.s_options = targets, options
    plan_with(targets, options)


def plan_with(targets: Targets, options: PlanOptions) -> None:
    """Plan with explicit targets and options (after a fix)."""
    from mealplan.solve import make_plan

    S.s_targets, S.s_options = targets, options
    table = food_table()
    supp = supplements_table()
    run_solver(lambda: make_plan(table, targets, options, supplements=supp),
               "Planning your meals")


def apply_fix(fix: Fix) -> None:
    """Apply a suggested fix and plan again."""
    from mealplan.solve import apply_fix as lib_apply_fix

    targets, options = lib_apply_fix(S.s_targets, S.s_options, fix)
    s: ui.AppSettings = S.s_settings
    if fix.kind == "allow_supplements":
        S.s_settings = dataclasses.replace(s, supplements=True)
    elif fix.kind == "change_diet" and isinstance(fix.value, str):
        S.s_settings = dataclasses.replace(s, diet=fix.value)
    elif fix.kind in ("relax_bound", "hold_weekly"):
        # keep the change as a dietitian edit, so the sidebar and a saved profile carry it
        try:
            defaults = ui.build_targets(dataclasses.replace(s, bound_edits=()))
            edits = ui.edits_from_frame(ui.bounds_frame(targets), defaults)
        except MealPlanError:
            pass
        else:
            S.s_settings = dataclasses.replace(s, bound_edits=edits)
            S.s_editor_version += 1
    elif fix.kind == "allow_flag" and isinstance(fix.value, str):
        S.s_settings = dataclasses.replace(
            s, exclude_flags=tuple(f for f in s.exclude_flags if f != fix.value))
    elif fix.kind == "allow_food" and isinstance(fix.value, str):
        S.s_settings = dataclasses.replace(
            s, exclude_foods=tuple(f for f in s.exclude_foods if f != fix.value),
            dislikes=tuple(f for f in s.dislikes if f != fix.value))
    S.s_pending_widgets = S.s_settings
    S.s_notice = f"Applied: {fix.description}."
    plan_with(targets, options)


# -- sidebar ------------------------------------------------------------------------------
def sidebar() -> bool:
    """The settings form; returns True when it was submitted."""
    table = food_table()
    names = dict(zip(table.ids, table.df["name"].astype(str), strict=True))

    def food_name(fid: str) -> str:
        return names.get(fid, fid)

    with st.sidebar.form("settings_form"):
        st.subheader("You")
        c1, c2 = st.columns(2)
        c1.number_input("Age", min_value=19, max_value=120, step=1, key="w_age")
        c2.selectbox("Sex", ["female", "male"], key="w_sex")
        st.selectbox("Life stage", list(STAGE_CHOICES), key="w_stage")
        c1, c2 = st.columns(2)
        c1.number_input("Weight (kg)", min_value=30.0, max_value=300.0, value=None,
                        key="w_weight", placeholder="optional")
        c2.number_input("Height (cm)", min_value=120.0, max_value=230.0, value=None,
                        key="w_height", placeholder="optional")
        st.selectbox("Activity", list(ACTIVITY_FACTORS), key="w_activity",
                     format_func=lambda a: a.replace("_", " "))
        st.number_input("Or your own energy target (kcal/day)", min_value=800.0,
                        max_value=5000.0, value=None, step=50.0, key="w_energy",
                        placeholder="estimated if empty")

        st.subheader("Diet")
        st.selectbox("Diet", list(DIET_CHOICES), key="w_diet")
        st.checkbox("Keto", key="w_keto")
        st.slider("Keto: net carbs at most (g/day)", 20.0, 50.0, step=1.0, key="w_netcarbs")
        st.multiselect("Allergies (foods containing these are left out)", sorted(ALLERGENS),
                       key="w_allergens", format_func=lambda a: a.replace("_", " "))
        st.multiselect("Foods to leave out", table.ids, key="w_exclude", format_func=food_name,
                       placeholder="search foods")
        st.multiselect("Favourites (used more often)", table.ids, key="w_fav",
                       format_func=food_name, placeholder="search foods")
        st.multiselect("Dislikes (never used)", table.ids, key="w_dislike",
                       format_func=food_name, placeholder="search foods")
        st.multiselect("Leave out", list(ui.EXCLUDABLE_FLAGS), key="w_flags",
                       format_func=lambda f: ui.EXCLUDABLE_FLAGS[f], placeholder="nothing",
                       help="Supplements have their own switch under Plan.")

        st.subheader("Safety")
        st.checkbox("I take warfarin or another vitamin K antagonist", key="w_anticoag")
        st.caption(WARFARIN_CAUTION)
        c1, c2 = st.columns(2)
        c1.number_input("Vitamin K from (µg/day)", min_value=0.0, max_value=2000.0, value=None,
                        key="w_vitk_min", placeholder="ask clinician")
        c2.number_input("to (µg/day)", min_value=0.0, max_value=2000.0, value=None,
                        key="w_vitk_max", placeholder="ask clinician")
        st.checkbox("I have kidney disease", key="w_ckd")
        st.caption(KIDNEY_CAUTION)
        c1, c2 = st.columns(2)
        c1.number_input("Potassium max (mg/day)", min_value=0.0, max_value=10000.0, value=None,
                        key="w_kmax", placeholder="ask doctor")
        c2.number_input("Phosphorus max (mg/day)", min_value=0.0, max_value=10000.0,
                        value=None, key="w_pmax", placeholder="ask doctor")

        st.subheader("Plan")
        st.slider("Days", 1, 14, key="w_days")
        st.multiselect("Meals", SLOTS, key="w_slots")
        st.checkbox("Supplements allowed", key="w_supp")
        st.number_input("Salt added in cooking (g a day)", min_value=0.0, max_value=5.0,
                        step=0.5, key="w_salt",
                        help="The food table's cooked foods are without added salt. Salt you "
                             "add (1 g = 393 mg of sodium) counts toward the 2,300 mg limit.")
        st.selectbox("Objective", list(OBJECTIVES), key="w_objective",
                     format_func=lambda o: OBJECTIVES[o])
        st.slider("Vitamin K2 window (µg/day)", 0.0, 500.0, step=5.0, key="w_k2",
                  help="100-200 µg/day is this project's target (seed "
                       "000_7973ab7d68f1019b.txt), not an official intake level.")
        with st.expander("Solver"):
            st.number_input("Search effort per day", min_value=50, max_value=20000, step=50,
                            key="w_work",
                            help="Branch-and-bound nodes per day. The same on any machine: "
                                 "the same request always gives the same plan. Raise it "
                                 "when a tight request finds no plan.")
            st.number_input("Give up after (seconds)", min_value=10.0, max_value=3600.0,
                            step=10.0, key="w_time",
                            help="A safety net only: plans normally finish long before.")
        return st.form_submit_button("Plan my meals", type="primary", width="stretch")


# -- plan view ----------------------------------------------------------------------------
def show_diagnosis(diag: Diagnosis) -> None:
    """Why no plan exists, and buttons that apply each fix."""
    st.error("No plan meets every target with these settings.")
    if diag.shortfalls:
        st.markdown("**What falls short** (the best one day can reach while every other "
                    "target holds)")
        st.dataframe(ui.diagnosis_frame(diag), hide_index=True, width="stretch")
    for rule in diag.conflicting_rules:
        st.markdown(f"- {rule}")
    if diag.fixes:
        st.markdown("**What would make it possible** (click to apply and plan again)")
        for i, fix in enumerate(diag.fixes):
            if st.button(fix.description, key=f"w_fix_{i}"):
                apply_fix(fix)
                st.rerun()
    else:
        st.info("No single change was found; try fewer exclusions or the dietitian panel.")


def show_plan(plan: Plan) -> None:
    """The plan: status, verified mark, days, charts, week summary, shopping, downloads."""
    from mealplan.export import to_csv, to_json, to_markdown

    table = food_table()
    c1, c2 = st.columns([3, 1])
    c1.caption(ui.plan_status(plan))
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

    grid = ui.plan_grid(plan)
    cov = ui.coverage_frame(plan)
    tabs = st.tabs([f"Day {d.day}" for d in plan.days] + ["Week", "Shopping list"])
    for tab, d in zip(tabs, plan.days, strict=False):
        with tab:
            left, right = st.columns([1, 1])
            day_items = grid[grid["day"] == d.day]
            with left:
                for slot in plan.options.slots:
                    rows = day_items[day_items["meal"] == slot]
                    if rows.empty:
                        continue
                    st.markdown(f"**{slot.capitalize()}**")
                    st.dataframe(rows[["food", "amount", "grams"]], hide_index=True,
                                 width="stretch")
            with right:
                st.altair_chart(ui.coverage_chart(cov, d.day), width="stretch")
                k2 = cov[(cov["day"] == d.day) & (cov["nutrient"] == "k2_ug")]
                if not k2.empty:
                    r = k2.iloc[0]
                    st.caption(f"Vitamin K2 today: {r['value']:.0f} µg (band "
                               f"{r['min']:g}-{r['max']:g} µg)")
    with tabs[len(plan.days)]:
        st.dataframe(ui.weekly_summary(plan), hide_index=True, width="stretch")
        k2 = ui.k2_frame(plan)
        if not k2.empty:
            st.markdown("**Vitamin K2 per day against its band**")
            st.line_chart(k2.set_index("day")[["value", "min", "max"]])
    with tabs[len(plan.days) + 1]:
        from mealplan.shopping import shopping_list

        items = shopping_list(plan, table)
        st.dataframe(pd.DataFrame({
            "food": [i.name for i in items], "group": [i.food_group for i in items],
            "amount": [i.household for i in items],
            "days": [", ".join(str(d) for d in i.days) for i in items]}),
            hide_index=True, width="stretch")

    c1, c2, c3 = st.columns(3)
    c1.download_button("Download CSV", to_csv(plan), "mealplan.csv", "text/csv")
    c2.download_button("Download Markdown", to_markdown(plan, table), "mealplan.md",
                       "text/markdown")
    c3.download_button("Download JSON", to_json(plan), "mealplan.json", "application/json")
    edit_controls(plan, grid)


def edit_controls(plan: Plan, grid: pd.DataFrame) -> None:
    """Regenerate a day, swap/lock/ban an item: the rest of the week stays."""
    from mealplan import solve

    st.markdown("#### Change the plan")
    table = food_table()
    supp = supplements_table()
    c1, c2 = st.columns([1, 3])
    day = int(c1.selectbox("Day", [d.day for d in plan.days], key="w_edit_day"))
    if c1.button("Regenerate this day", key="w_regen"):
        run_solver(lambda: solve.regenerate_day(plan, day, table, supplements=supp),
                   f"Re-planning day {day}")
        if S.s_plan is not None:
            S.s_options = S.s_plan.options
        st.rerun()
    rows = grid[grid["day"] == day]
    # Options are stable keys (meal|food id), never list positions: after a swap or a ban
    # the box cannot show one item while the buttons act on another.
    keys = [f"{r.meal}|{r.food_id}" for r in rows.itertuples()]
    if not keys:
        return
    labels = dict(zip(keys, (f"{r.meal}: {r.food}" for r in rows.itertuples()), strict=True))
    if S.get("w_edit_item") not in labels:
        S.pop("w_edit_item", None)
    pick = c2.selectbox("Item", keys, format_func=lambda k: labels[k], key="w_edit_item")
    r = rows.iloc[keys.index(pick or keys[0])]
    b1, b2, b3 = c2.columns(3)
    if b1.button("Swap for the best alternative", key="w_swap"):
        run_solver(lambda: solve.swap_item(plan, day, str(r["meal"]), str(r["food_id"]), table,
                                           supplements=supp), "Finding an alternative")
        if S.s_plan is not None:
            S.s_options = S.s_plan.options
        st.rerun()
    if b2.button("Lock this item", key="w_lock"):
        S.s_plan = ui.lock_item(plan, day, str(r["meal"]), str(r["food_id"]))
        S.s_options = S.s_plan.options
        S.s_notice = f"Locked {r['food']} on day {day} ({r['meal']})."
        st.rerun()
    if b3.button("Ban this food from the plan", key="w_ban"):
        run_solver(lambda: ui.ban_food(plan, str(r["food_id"]), table, supp),
                   f"Re-planning without {r['food']}")
        if S.s_plan is not None:
            S.s_options = S.s_plan.options
        st.rerun()
    if plan.options.locks or plan.options.bans:
        st.caption("Locked: " + (", ".join(f"day {lk.day} {lk.slot} {lk.food_id}"
                                           for lk in plan.options.locks) or "none")
                   + " · Banned: " + (", ".join(sorted(plan.options.bans)) or "none"))


def plan_page() -> None:
    """The main view."""
    if S.s_notice:
        st.info(S.s_notice)
    if S.s_error:
        st.error(S.s_error)
    targets: Targets | None = S.s_targets
    if targets is not None and targets.warnings and S.s_plan is None:
        for w in targets.warnings:
            st.warning(w)
    if S.s_diagnosis is not None:
        show_diagnosis(S.s_diagnosis)
    elif S.s_plan is not None:
        show_plan(S.s_plan)
    elif not S.s_error:
        st.info("Set who the plan is for in the sidebar, then press **Plan my meals**.")


# -- foods ----------------------------------------------------------------------------------
def foods_page() -> None:
    """Browse, best foods, upload a table, add a food."""
    table = food_table()
    st.markdown(f"**{len(table)} foods** ({table.source}). Amounts per 100 g edible portion; "
                "sources per row (USDA SR28 NDB numbers; vitamin K2 from the literature).")
    c1, c2 = st.columns([2, 1])
    query = c1.text_input("Search foods", key="w_food_query", placeholder="e.g. spinach")
    groups = sorted({str(g) for g in table.df["food_group"] if str(g)})
    group = c2.selectbox("Food group", ["all", *groups], key="w_food_group")
    st.dataframe(ui.food_browser_frame(table, query, None if group == "all" else group),
                 width="stretch", height=320)

    st.markdown("#### Best foods for a nutrient")
    nutrients = [n for n in ui.KEY_NUTRIENTS if n in table.nutrients and n != "energy_kcal"]
    c1, c2 = st.columns([2, 1])
    nutrient = c1.selectbox("Nutrient", nutrients, key="w_best_nutrient",
                            format_func=nutrient_label)
    basis = c2.radio("Per", ["portion", "100 g", "100 kcal"], horizontal=True,
                     key="w_best_basis")
    if nutrient in ("k2_ug", "vitamin_k_total_ug"):
        st.warning(WARFARIN_CAUTION)
    if nutrient in ("potassium_mg", "phosphorus_mg", "magnesium_mg"):
        st.warning(KIDNEY_CAUTION)
    st.dataframe(ui.best_foods(table, str(nutrient), ui.as_basis(basis)), width="stretch")

    st.markdown("#### Your own foods")
    notice = S.pop("s_foods_notice", None)
    if notice:
        st.success(notice)
    st.caption(f"Upload a CSV food table (at most {ui.MAX_UPLOAD_MB} MB; columns `id`, `name` "
               "and nutrients per 100 g named with their unit, e.g. `magnesium_mg`). It is "
               "checked row by row and added to this session's plans.")
    up = st.file_uploader("Food table (CSV)", type=["csv"], key="w_upload")
    if up is not None and S.get("s_upload_done") != up.file_id:
        try:
            new = ui.read_upload(up.getvalue(), up.name)
            ui.combine_tables(food_table(), [new])
        except DataFileError as exc:
            st.error(exc.render())
        else:
            S.s_custom = [*S.s_custom, new]
            S.s_upload_done = up.file_id
            S.s_foods_notice = f"Added {len(new)} foods from {up.name}."
            st.rerun()  # so the sidebar's food lists include them
    add_food_form()
    fdc_section()
    if S.s_custom:
        st.caption("Custom foods this session: " + ", ".join(
            f"{t.source} ({len(t)})" for t in S.s_custom))
        st.dataframe(ui.custom_foods_frame(S.s_custom, custom_blockers()), width="stretch")
        check_food_form()
        if st.button("Remove custom foods", key="w_clear_custom"):
            S.s_custom = []
            S.pop("s_upload_done", None)
            st.rerun()


def custom_blockers() -> dict[str, list[str]] | None:
    """Why each custom food cannot be planned with the sidebar's settings (None if the
    settings themselves are invalid)."""
    s: ui.AppSettings = S.s_settings
    try:
        targets = ui.build_targets(s)
    except MealPlanError:
        return None
    options = ui.plan_options(s)
    out: dict[str, list[str]] = {}
    for t in S.s_custom:
        out.update(ui.planning_blockers(t, targets, options))
    return out


def fdc_section() -> None:
    """Search FoodData Central, list the hits, add foods by hit or by FDC ID."""
    from mealplan.fdc import DATA_TYPES, FDCClient, FDCSearchHit

    if S.pop("s_fdc_clear", False):  # after an add: empty the add form (before it is drawn)
        S.w_fdc_pick = []
        S.w_fdc_ids = ""
    st.markdown("#### From FoodData Central (USDA)")
    st.caption("Search USDA FoodData Central and add foods to this session's plans. SR Legacy "
               "foods report the most nutrients; Branded and Foundation foods often miss some "
               "that have an upper limit, and the planner cannot use a food whose capped "
               "nutrient is unknown."
               + ("" if os.environ.get("FDC_API_KEY") else
                  " Uses the public DEMO_KEY (about 30 requests an hour); set FDC_API_KEY "
                  "to your own free key for more."))
    with st.form("fdc_search_form"):
        c1, c2 = st.columns([2, 1])
        text = c1.text_input("Search FoodData Central", key="w_fdc_query",
                             placeholder="e.g. pumpkin seeds")
        types = c2.multiselect("Data types", list(DATA_TYPES), key="w_fdc_types",
                               placeholder="all types")
        searched = st.form_submit_button("Search FoodData Central")
    if searched:
        try:
            with st.spinner("Searching FoodData Central…"), FDCClient() as client:
                hits = client.search(text, types or None, page_size=15)
        except MealPlanError as exc:
            st.error(str(exc))
        else:
            S.s_fdc_hits = hits
            S.w_fdc_pick = []
            if not hits:
                st.info(f"FoodData Central found nothing for '{text.strip()}'.")
    found: list[FDCSearchHit] = S.get("s_fdc_hits", [])
    if found:
        st.dataframe(ui.fdc_hits_frame(found), width="stretch")
    labels = {h.fdc_id: f"{h.fdc_id} · {h.description} ({h.data_type})" for h in found}
    with st.form("fdc_add_form"):
        c1, c2 = st.columns([2, 1])
        picked = c1.multiselect("Foods from the search", list(labels), key="w_fdc_pick",
                                format_func=lambda i: labels.get(i, str(i)),
                                placeholder="search first" if not found else "choose foods")
        typed = c2.text_input("Or FDC IDs", key="w_fdc_ids", placeholder="e.g. 173944, 171287")
        add = st.form_submit_button("Add to my foods")
    if add:
        have = {str(src) for t in S.s_custom for src in t.df["source"]}
        try:
            asked = list(dict.fromkeys([*picked, *ui.parse_fdc_ids(typed)]))
            if not asked:
                raise MealPlanError("choose a food from the search or type its FDC ID")
            ids = [i for i in asked if f"FDC {i}" not in have]
            if not ids:
                raise MealPlanError("already added this session: FDC "
                                    + ", ".join(str(i) for i in asked))
            with st.spinner("Fetching from FoodData Central…"), FDCClient() as client:
                foods = client.get_foods(ids)
            new = ui.fdc_food_table(foods)
            ui.combine_tables(food_table(), [new])
        except DataFileError as exc:
            st.error(exc.render())
        except MealPlanError as exc:
            st.error(str(exc))
        else:
            S.s_custom = [*S.s_custom, new]
            names = ", ".join(str(n) for n in new.df["name"])
            skipped = [i for i in asked if i not in ids]
            S.s_foods_notice = (
                f"Added {len(new)} food{'s' if len(new) != 1 else ''} from FoodData Central: "
                f"{names}." + (f" Already added before: FDC {', '.join(map(str, skipped))}."
                               if skipped else ""))
            S.s_fdc_clear = True
            st.rerun()  # so the sidebar's food lists include them
    unchecked = [fid for t in S.s_custom for fid in t.ids
                 if str(t.row(fid).get("source", "")).startswith("FDC ")
                 and "not checked" in str(t.row(fid).get("notes", ""))]
    if unchecked:
        st.warning(ui.FDC_UNCHECKED_NOTE)


def check_food_form() -> None:
    """Set a custom food's diet tags and allergens (imported foods start unchecked)."""
    names = {fid: str(t.row(fid)["name"]) for t in S.s_custom for fid in t.ids}
    with st.expander("Check an imported food: diet tags and allergens"):
        fid = st.selectbox("Food", list(names), key="w_tag_food",
                           format_func=lambda f: names.get(f, f))
        if fid is None or fid not in names:
            return
        table = next(t for t in S.s_custom if t.has(fid))
        with st.form("tag_food_form"):
            st.caption("Read the label or the recipe: an allergen you leave out here lets "
                       "the food into plans for people with that allergy.")
            tags = st.multiselect("Diets it suits", sorted(DIET_TAGS),
                                  default=sorted(table.list_of(fid, "diet_tags")),
                                  key=f"w_tag_diet_{fid}")
            allergens = st.multiselect("Allergens it contains", sorted(ALLERGENS),
                                       default=sorted(table.list_of(fid, "allergens")),
                                       key=f"w_tag_allergens_{fid}",
                                       format_func=lambda a: a.replace("_", " "))
            saved = st.form_submit_button("Save diet tags and allergens")
        if saved:
            try:
                S.s_custom = ui.retag_food(S.s_custom, fid, tags, allergens)
            except DataFileError as exc:
                st.error(exc.render())
            else:
                S.s_foods_notice = (f"Checked {names[fid]}: diets "
                                    f"{', '.join(tags) or 'none'}; allergens "
                                    f"{', '.join(allergens) or 'none'}.")
                st.rerun()


def add_food_form() -> None:
    """A form to add one custom food."""
    with st.expander("Add a food"), st.form("add_food_form", clear_on_submit=False):
        c1, c2 = st.columns(2)
        fid = c1.text_input("Id (lowercase_with_underscores)", key="w_new_id")
        name = c2.text_input("Name", key="w_new_name")
        c1, c2 = st.columns(2)
        portion = c1.text_input("Portion name", value="1 serving", key="w_new_portion")
        grams = c2.number_input("Portion (g)", min_value=0.0, value=100.0, key="w_new_grams")
        cols = ["energy_kcal", "protein_g", "fat_g", "carbs_g", "fiber_g", "magnesium_mg",
                "potassium_mg", "calcium_mg", "sodium_mg", "vitamin_d_ug", "k2_ug"]
        values: dict[str, Any] = {}
        grid = st.columns(4)
        for i, col in enumerate(cols):
            values[col] = grid[i % 4].number_input(
                f"{nutrient_label(col)} per 100 g", min_value=0.0, value=None,
                key=f"w_new_{col}")
        slots = st.multiselect("Meals it suits", SLOTS, default=SLOTS, key="w_new_slots")
        tags = st.multiselect("Diet tags", ["vegan", "vegetarian", "pescatarian"],
                              key="w_new_tags")
        allergens = st.multiselect("Allergens", sorted(ALLERGENS), key="w_new_allergens")
        if st.form_submit_button("Add food"):
            fields: dict[str, object] = {
                "id": fid, "name": name, "portion_name": portion, "portion_g": grams,
                "source": "added by user", "slots": slots, "diet_tags": tags,
                "allergens": allergens, **values}
            try:
                new = ui.custom_food_table(fields, f"custom food '{fid or name}'")
                ui.combine_tables(food_table(), [new])
            except DataFileError as exc:
                st.error(exc.render())
            else:
                S.s_custom = [*S.s_custom, new]
                S.s_foods_notice = f"Added {name}."
                st.rerun()


# -- dietitian ------------------------------------------------------------------------------
def dietitian_page() -> None:
    """Every bound in an editable table, with its source; apply or reset."""
    s: ui.AppSettings = S.s_settings
    try:
        defaults = ui.build_targets(dataclasses.replace(s, bound_edits=()))
        current = ui.apply_edits(defaults, s.bound_edits)
    except MealPlanError as exc:
        st.error(str(exc))
        return
    st.markdown("Every bound the plan must meet, per day. Edit a min or max, set period to "
                "`week` to hold a nutrient as a weekly average, add or delete rows. "
                "Your edits stay in force when the person or safety settings change.")
    if s.bound_edits:
        st.info(f"{len(s.bound_edits)} bound(s) differ from the defaults.")
    with st.form("bounds_form"):
        edited = st.data_editor(
            ui.bounds_frame(current), key=f"w_bounds_{S.s_editor_version}",
            num_rows="dynamic", hide_index=True, width="stretch",
            disabled=["label", "unit", "source", "reason"],
            column_config={
                "key": None,
                "period": st.column_config.SelectboxColumn("period", options=["day", "week"]),
                "supplements_only": st.column_config.CheckboxColumn("supplements only"),
                "min": st.column_config.NumberColumn("min", min_value=0.0, format="%.4g"),
                "max": st.column_config.NumberColumn("max", min_value=0.0, format="%.4g"),
            })
        apply = st.form_submit_button("Apply bounds and plan again", type="primary")
    if apply:
        try:
            edits = ui.edits_from_frame(edited, defaults)
            ui.apply_edits(defaults, edits)
        except MealPlanError as exc:
            st.error(str(exc))
        else:
            S.s_settings = dataclasses.replace(s, bound_edits=edits)
            S.s_editor_version += 1
            plan_from_settings()
            st.rerun()
    if st.button("Reset to defaults", key="w_reset_bounds"):
        S.s_settings = dataclasses.replace(s, bound_edits=())
        S.s_editor_version += 1
        st.rerun()


# -- saved work -----------------------------------------------------------------------------
def saved_page() -> None:
    """Clients, their profiles and plans: save, reopen, compare."""
    try:
        store = open_store()
    except MealPlanError as exc:
        st.error(str(exc))
        return
    with store:
        st.caption(f"Saved in {store.path}")
        clients = store.clients()
        names = [c.name for c in clients]
        c1, c2 = st.columns(2)
        choice = c1.selectbox("Client", ["(new client)", *names], key="w_client")
        new_name = c2.text_input("New client name", key="w_client_new",
                                 disabled=choice != "(new client)")
        label = st.text_input("Label for this save", value="plan", key="w_save_label")
        if st.button("Save profile and plan", key="w_save", type="primary"):
            try:
                client = (store.get_or_create_client(new_name) if choice == "(new client)"
                          else store.find_client(choice))
                if client is None:
                    raise MealPlanError(f"no client named {choice}")
                body = S.s_settings.to_json()
                if S.s_plan is not None:
                    from mealplan.export import to_json

                    store.save_profile_and_plan(client.id, label, body, to_json(S.s_plan))
                    S.s_notice = f"Saved profile and plan '{label}' for {client.name}."
                else:
                    store.save_profile(client.id, label, body)
                    S.s_notice = f"Saved profile '{label}' for {client.name} (no plan yet)."
            except MealPlanError as exc:
                st.error(str(exc))
            else:
                st.rerun()
        if choice == "(new client)":
            return
        client = store.find_client(choice)
        if client is None:
            return
        profiles = store.profiles(client.id)
        plans = store.plans(client.id)
        st.markdown(f"#### {client.name}: {len(profiles)} profile(s), {len(plans)} plan(s)")
        if profiles:
            pick = st.selectbox("Profile", profiles, key="w_profile_pick",
                                format_func=lambda p: f"{p.name} ({p.created_at})")
            if st.button("Load this profile into the sidebar", key="w_load_profile"):
                try:
                    loaded = ui.AppSettings.from_json(pick.body, f"profile '{pick.name}'")
                except MealPlanError as exc:
                    st.error(str(exc))
                else:
                    S.s_settings = loaded
                    S.s_pending_widgets = loaded
                    S.s_notice = (f"Loaded profile '{pick.name}' of {client.name}; press "
                                  "Plan my meals to plan with it.")
                    st.rerun()
        if plans:
            summaries = []
            for p in plans:
                try:
                    summaries.append(ui.saved_plan_summary(p.id, p.name, p.created_at,
                                                           p.data()))
                except MealPlanError as exc:
                    st.warning(str(exc))
            st.dataframe(pd.DataFrame([x["row"] for x in summaries]), hide_index=True,
                         width="stretch")
            chosen = st.multiselect("Open or compare plans", [p.id for p in plans],
                                    key="w_compare",
                                    format_func=lambda i: next(
                                        f"#{p.id} {p.name} ({p.created_at})"
                                        for p in plans if p.id == i))
            for pid in chosen:
                rec = next(p for p in plans if p.id == pid)
                with st.expander(f"Plan #{rec.id} {rec.name}", expanded=len(chosen) == 1):
                    st.dataframe(ui.saved_plan_items(rec.data()), hide_index=True,
                                 width="stretch")
            if len(chosen) >= 2:
                st.markdown("**Comparison: daily averages**")
                st.dataframe(ui.compare_saved_plans(
                    {f"#{p.id} {p.name}": p.data() for p in plans if p.id in chosen}),
                    width="stretch")


# -- evidence -------------------------------------------------------------------------------
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
    for entry in ui.evidence_rows():
        with st.expander(entry["title"]):
            st.markdown(entry["body"])


# -- page -----------------------------------------------------------------------------------
def main() -> None:
    """Draw the app."""
    init_state()
    pending = S.pop("s_pending_widgets", None)
    if "w_age" not in S:
        settings_to_widgets(S.s_settings)
    if pending is not None:
        settings_to_widgets(pending)
    st.title("Meals for night-time leg cramps")
    st.caption(DISCLAIMER)
    submitted = sidebar()
    if submitted:
        S.s_settings = settings_from_widgets()
        S.s_notice = None
        plan_from_settings()
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
