"""The sidebar (Streamlit): a form of who the plan is for, the diet, safety modes and the
plan's shape. "Plan my meals" sits at the top; nothing re-plans until it is pressed."""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import streamlit as st  # noqa: TID251 -- the app's view modules are the app (see app.py)

from mealplan.plan import DISH_MINUTES_MAX, DISH_MINUTES_MIN
from mealplan.targets import ACTIVITY_FACTORS
from mealplan.ui import state
from mealplan.ui.session import food_table
from mealplan.ui.settings import (
    EXCLUDABLE_FLAGS,
    HEALTHY_LABELS,
    MAX_PURCHASES_BOX,
    AppSettings,
)
from mealplan.units import ALLERGENS, MealSlot

__all__ = ["DIET_CHOICES", "KIDNEY_CAUTION", "NATTO_ON_WARFARIN", "STAGE_CHOICES",
           "WARFARIN_CAUTION",
           "settings_form", "settings_from_widgets", "settings_to_widgets"]

S = st.session_state

DIET_CHOICES = {"any (omnivore)": None, "pescatarian": "pescatarian",
                "vegetarian": "vegetarian", "vegan": "vegan"}
STAGE_CHOICES: dict[str, Literal["pregnancy", "lactation"] | None] = {
    "neither": None, "pregnant": "pregnancy", "breastfeeding": "lactation"}
OBJECTIVES = {"balanced": "Balanced (near the energy target, varied)",
              "cost": "Cheapest (foods with a price)",
              "usual": "Closest to my favourites"}
SLOTS = [s.value for s in MealSlot]
WARFARIN_CAUTION = (
    "Blood thinners (warfarin and other vitamin K antagonists): vitamin K intake must stay "
    "steady. This mode turns the K2 target off, leaves out natto and other very K2-rich "
    "foods, and holds total vitamin K in the band your clinician gives. Do not change your "
    "diet without telling your anticoagulation clinic.")
NATTO_ON_WARFARIN = ("Natto is never planned on warfarin (it holds several hundred µg of "
                     "vitamin K2 a pack): the natto choice is off while the blood thinner "
                     "box is ticked.")
KIDNEY_CAUTION = (
    "Kidney disease: potassium, phosphorus and magnesium can build up. This mode caps "
    "potassium and phosphorus at the limits your kidney doctor set and never pushes "
    "potassium up. No potassium or magnesium supplements without your doctor's agreement.")


def settings_to_widgets(s: AppSettings) -> None:
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
    S.w_netcarbs = round(s.keto_net_carbs)
    S.w_allergens = list(s.allergens)
    ids = set(food_table().ids)
    S.w_exclude = [f for f in s.exclude_foods if f in ids]
    S.w_fav = [f for f in s.favourites if f in ids]
    S.w_dislike = [f for f in s.dislikes if f in ids]
    S.w_flags = [f for f in s.exclude_flags if f in EXCLUDABLE_FLAGS]
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
    S.w_k2 = (round(s.k2_min), round(s.k2_max))
    S.w_natto = s.natto
    S.w_dishes = s.use_dishes
    S.w_patterns = s.meal_patterns
    S.w_fish = min(max(int(s.fish_per_week), 0), 21)
    S.w_max_minutes = _minutes_box(s.max_dish_minutes)
    S.w_weekend_minutes = _minutes_box(s.weekend_dish_minutes)
    S.w_leftovers = bool(s.leftovers)
    S.w_purchases = (min(max(round(s.max_purchases), 0), MAX_PURCHASES_BOX)
                     if isinstance(s.max_purchases, int | float) and s.max_purchases else None)
    S.w_healthy = [h for h in s.healthy if h in HEALTHY_LABELS]
    S.w_work = min(max(int(s.work_limit), 50), 20000)  # a saved profile may hold anything
    S.w_time = min(max(round(s.time_limit_s), 10), 3600)


def _minutes_box(value: object) -> int | None:
    """A saved weeknight limit as its box holds it: whole minutes (a value out of range
    stays, for the planner's message; the box holds nothing below 0), else empty."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return max(round(value), 0)  # the box starts at 0
    return None


def settings_from_widgets() -> AppSettings:
    """Read the sidebar form into settings (keeping the dietitian's bound edits)."""
    k2 = S.w_k2
    current: AppSettings = S[state.SETTINGS]
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
            f for f in current.exclude_flags if f not in EXCLUDABLE_FLAGS),
        anticoagulant=bool(S.w_anticoag),
        vitk_min_ug=S.w_vitk_min, vitk_max_ug=S.w_vitk_max, ckd=bool(S.w_ckd),
        potassium_max_mg=S.w_kmax, phosphorus_max_mg=S.w_pmax, days=int(S.w_days),
        slots=tuple(S.w_slots), supplements=bool(S.w_supp), objective=S.w_objective,
        cooking_salt_g=float(S.w_salt),
        k2_min=float(k2[0]), k2_max=float(k2[1]), work_limit=int(S.w_work),
        natto=bool(S.w_natto) and not bool(S.w_anticoag), use_dishes=bool(S.w_dishes),
        meal_patterns=bool(S.w_patterns), fish_per_week=int(S.w_fish),
        max_dish_minutes=None if S.w_max_minutes is None else int(S.w_max_minutes),
        weekend_dish_minutes=None if S.w_weekend_minutes is None else int(S.w_weekend_minutes),
        leftovers=bool(S.w_leftovers),
        max_purchases=None if not S.w_purchases else int(S.w_purchases),
        healthy=tuple(S.w_healthy),
        time_limit_s=float(S.w_time))


def settings_form() -> bool:
    """The settings form; returns True when "Plan my meals" was pressed."""
    table = food_table()
    names = dict(zip(table.ids, table.df["name"].astype(str), strict=True))

    def food_name(fid: str) -> str:
        return names.get(fid, fid)

    with st.sidebar.form("settings_form"):
        submitted = st.form_submit_button("Plan my meals", type="primary", width="stretch")
        st.caption("Nothing changes until you press Plan my meals.")
        st.subheader("You")
        c1, c2 = st.columns(2)
        c1.number_input("Age", min_value=19, max_value=120, step=1, key="w_age")
        c2.selectbox("Sex", ["female", "male"], key="w_sex")
        st.selectbox("Pregnant or breastfeeding?", list(STAGE_CHOICES), key="w_stage")
        c1, c2 = st.columns(2)
        c1.number_input("Weight (kg)", min_value=30.0, max_value=300.0, value=None,
                        key="w_weight", placeholder="optional", format="%.0f")
        c2.number_input("Height (cm)", min_value=120.0, max_value=230.0, value=None,
                        key="w_height", placeholder="optional", format="%.0f")
        st.selectbox("Activity", list(ACTIVITY_FACTORS), key="w_activity",
                     format_func=lambda a: a.replace("_", " "))
        st.number_input("Or your own energy target (kcal/day)", min_value=800.0,
                        max_value=5000.0, value=None, step=50.0, key="w_energy",
                        placeholder="estimated if empty", format="%.0f")

        st.subheader("Diet")
        st.selectbox("Diet", list(DIET_CHOICES), key="w_diet")
        st.checkbox("Keto", key="w_keto")
        st.slider("Keto: net carbs at most (g/day)", 20, 50, step=1, key="w_netcarbs")
        st.multiselect("Allergies (foods containing these are left out)", sorted(ALLERGENS),
                       key="w_allergens", format_func=lambda a: a.replace("_", " "))
        st.multiselect("Foods to leave out", table.ids, key="w_exclude", format_func=food_name,
                       placeholder="search foods")
        st.multiselect("Favourites (used more often)", table.ids, key="w_fav",
                       format_func=food_name, placeholder="search foods")
        st.multiselect("Dislikes (never used)", table.ids, key="w_dislike",
                       format_func=food_name, placeholder="search foods")
        st.multiselect("Leave out", list(EXCLUDABLE_FLAGS), key="w_flags",
                       format_func=lambda f: EXCLUDABLE_FLAGS[f], placeholder="nothing",
                       help="Supplements have their own switch under Plan.")

        # a form cannot react to the warfarin box before submit: once warfarin is submitted
        # the box is disabled with a note, and the settings never carry natto with warfarin
        on_warfarin = bool(S[state.SETTINGS].anticoagulant)
        st.checkbox("I eat natto", key="w_natto", disabled=on_warfarin,
                    help="Natto (fermented soybeans) is by far the richest K2 food: a 45 g "
                         "pack with rice, at most 3 times a week. Off: K2 comes from "
                         "cheese, eggs and other foods (or a supplement, if allowed).")
        if on_warfarin:
            st.caption(NATTO_ON_WARFARIN)

        st.subheader("Safety")
        st.checkbox("I take warfarin or another vitamin K antagonist", key="w_anticoag")
        st.caption(WARFARIN_CAUTION)
        c1, c2 = st.columns(2)
        c1.number_input("Vitamin K from (µg/day)", min_value=0.0, max_value=2000.0, value=None,
                        key="w_vitk_min", placeholder="ask clinician", format="%.0f")
        c2.number_input("to (µg/day)", min_value=0.0, max_value=2000.0, value=None,
                        key="w_vitk_max", placeholder="ask clinician", format="%.0f")
        st.checkbox("I have kidney disease", key="w_ckd")
        st.caption(KIDNEY_CAUTION)
        c1, c2 = st.columns(2)
        c1.number_input("Potassium max (mg/day)", min_value=0.0, max_value=10000.0, value=None,
                        key="w_kmax", placeholder="ask doctor", format="%.0f")
        c2.number_input("Phosphorus max (mg/day)", min_value=0.0, max_value=10000.0,
                        value=None, key="w_pmax", placeholder="ask doctor", format="%.0f")

        st.subheader("Plan")
        st.slider("Days", 1, 14, key="w_days")
        st.multiselect("Meals", SLOTS, key="w_slots")
        st.checkbox("Supplements allowed", key="w_supp")
        st.number_input("Salt added in cooking (g a day)", min_value=0.0, max_value=5.0,
                        step=0.5, key="w_salt", format="%.1f",
                        help="The food table's cooked foods are without added salt. Salt you "
                             "add (1 g = 393 mg of sodium) counts toward the 2,300 mg limit.")
        st.selectbox("Objective", list(OBJECTIVES), key="w_objective",
                     format_func=lambda o: OBJECTIVES[o])
        st.slider("Vitamin K2 window (µg/day)", 0, 500, step=5, key="w_k2",
                  help="100-200 µg/day is this project's target (see the Evidence & safety "
                       "tab), not an official intake level.")
        st.number_input("Fish servings a week, at most", min_value=0, max_value=21, step=1,
                        key="w_fish", help="FDA/EPA advice: 2-3 servings of fish a week.")
        limits = f"{DISH_MINUTES_MIN} to {DISH_MINUTES_MAX} minutes"
        st.number_input("Weeknight cooking limit (minutes per dish)", min_value=0, value=None,
                        step=5, key="w_max_minutes", placeholder="no limit",
                        help=f"No dish that takes longer to prepare and cook ({limits}). "
                             "Empty or 0: no limit.")
        st.number_input("Weekend limit", min_value=0, value=None, step=5,
                        key="w_weekend_minutes", placeholder="as on weeknights",
                        help=f"The limit on days 6 and 7 of each week instead (Saturday and "
                             f"Sunday when day 1 is a Monday; {limits}). Empty or 0: as on "
                             f"weeknights; {DISH_MINUTES_MAX} for no limit at the weekend.")
        st.toggle("Cook once, eat twice", key="w_leftovers",
                  help="The dinner dish of days 1, 3 and 5 is cooked for two meals: its "
                       "second serving is the next day's lunch.")
        st.number_input("Shopping list: at most N purchases a week", min_value=0,
                        max_value=MAX_PURCHASES_BOX, value=None, step=1, key="w_purchases",
                        placeholder="no limit",
                        help="Shopping lines a week (every egg style is one purchase); a day "
                             "that cannot keep to it buys as few more as its targets allow. "
                             "Empty or 0: no limit.")
        with st.expander("Advanced (dietitian)"):
            st.toggle("Named dishes", key="w_dishes",
                      help="Plan dishes (porridge, dal, a fish traybake ...) as well as "
                           "single foods. Off: single foods only.")
            st.toggle("Meal patterns", key="w_patterns",
                      help="Each meal has its usual shape: breakfast a base with milk or "
                           "fruit; lunch and dinner one main, a vegetable and a starch.")
            st.multiselect("Healthy-day rules", list(HEALTHY_LABELS), key="w_healthy",
                           format_func=lambda h: HEALTHY_LABELS[h], placeholder="none",
                           help="Held every day on top of the cramp targets (all on by "
                                "default).")
        with st.expander("Search effort"):
            st.number_input("Search effort per day", min_value=50, max_value=20000, step=50,
                            key="w_work",
                            help="How hard the planner searches each day. The same request "
                                 "always gives the same plan. Raise it when a tight request "
                                 "finds no plan.")
            st.number_input("Give up after (seconds)", min_value=10, max_value=3600,
                            step=10, key="w_time",
                            help="A safety net only: plans normally finish long before.")
        again = st.form_submit_button("Plan my meals", type="primary", width="stretch",
                                      key="w_submit_bottom")
    return submitted or again
