"""The Foods tab (Streamlit): browse and search the table, the best foods for a nutrient,
your own foods (upload, add by hand, FoodData Central) and whether the planner can use them."""

from __future__ import annotations

import os
from typing import Any

import streamlit as st  # noqa: TID251 -- the app's view modules are the app (see app.py)

from mealplan.errors import DataFileError, MealPlanError
from mealplan.ui.custom_foods import (
    MAX_UPLOAD_MB,
    added_message,
    combine_tables,
    custom_food_table,
    custom_foods_frame,
    planning_blockers,
    read_upload,
)
from mealplan.ui.fdc_import import (
    FDC_UNCHECKED_NOTE,
    fdc_food_table,
    fdc_hits_frame,
    parse_fdc_ids,
    retag_food,
)
from mealplan.ui.foods_browser import as_basis, best_foods, food_browser_frame
from mealplan.ui.session import food_table
from mealplan.ui.settings import AppSettings, build_targets, plan_options
from mealplan.ui.sidebar import KIDNEY_CAUTION, SLOTS, WARFARIN_CAUTION
from mealplan.ui.text import KEY_NUTRIENTS, plural, tidy
from mealplan.units import ALLERGENS, DIET_TAGS, nutrient_label

__all__ = ["foods_page"]

S = st.session_state


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
    found = food_browser_frame(table, query, None if group == "all" else group)
    if found.empty:
        st.info("Nothing found" + (f" for '{query.strip()}'" if query.strip() else "")
                + (f" in {group}" if group != "all" else "")
                + ": try fewer or shorter words, or all food groups.")
    else:
        st.caption(plural(len(found), "food") + " found.")
        st.dataframe(tidy(found), width="stretch", height=320, hide_index=True)

    st.markdown("#### Best foods for a nutrient")
    nutrients = [n for n in KEY_NUTRIENTS if n in table.nutrients and n != "energy_kcal"]
    c1, c2 = st.columns([2, 1])
    nutrient = c1.selectbox("Nutrient", nutrients, key="w_best_nutrient",
                            format_func=nutrient_label)
    basis = c2.radio("Per", ["portion", "100 g", "100 kcal"], horizontal=True,
                     key="w_best_basis")
    if nutrient in ("k2_ug", "vitamin_k_total_ug"):
        st.warning(WARFARIN_CAUTION)
    if nutrient in ("potassium_mg", "phosphorus_mg", "magnesium_mg"):
        st.warning(KIDNEY_CAUTION)
    st.dataframe(tidy(best_foods(table, str(nutrient), as_basis(basis))), width="stretch",
                 hide_index=True)

    st.markdown("#### Your own foods")
    notice = S.pop("s_foods_notice", None)
    if notice:
        st.success(notice)
    st.caption(f"Upload a CSV food table (at most {MAX_UPLOAD_MB} MB; columns `id`, `name` "
               "and nutrients per 100 g named with their unit, e.g. `magnesium_mg`). It is "
               "checked row by row and added to this session's plans. Separate the columns "
               "with commas: a spreadsheet set to a European language may save with "
               "semicolons (choose \"CSV, comma-separated\" when saving).")
    up = st.file_uploader("Food table (CSV)", type=["csv"], key="w_upload")
    if up is not None and S.get("s_upload_done") != up.file_id:
        try:
            new = read_upload(up.getvalue(), up.name)
            combine_tables(food_table(), [new])
        except DataFileError as exc:
            st.error(exc.render())
        else:
            S.s_custom = [*S.s_custom, new]
            S.s_upload_done = up.file_id
            S.s_foods_notice = added_message(new, f"from {up.name}", custom_blockers())
            st.rerun()  # so the sidebar's food lists include them
    add_food_form()
    fdc_section()
    if S.s_custom:
        st.caption("Custom foods this session: " + ", ".join(
            f"{t.source} ({len(t)})" for t in S.s_custom))
        st.dataframe(custom_foods_frame(S.s_custom, custom_blockers()), width="stretch",
                     hide_index=True)
        check_food_form()
        if st.button("Remove custom foods", key="w_clear_custom"):
            S.s_custom = []
            S.pop("s_upload_done", None)
            st.rerun()


def custom_blockers() -> dict[str, list[str]] | None:
    """Why each custom food cannot be planned with the sidebar's settings (None if the
    settings themselves are invalid)."""
    s: AppSettings = S.s_settings
    try:
        targets = build_targets(s)
    except MealPlanError:
        return None
    options = plan_options(s)
    out: dict[str, list[str]] = {}
    for t in S.s_custom:
        out.update(planning_blockers(t, targets, options))
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
        st.dataframe(fdc_hits_frame(found), width="stretch")
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
            asked = list(dict.fromkeys([*picked, *parse_fdc_ids(typed)]))
            if not asked:
                raise MealPlanError("choose a food from the search or type its FDC ID")
            ids = [i for i in asked if f"FDC {i}" not in have]
            if not ids:
                raise MealPlanError("already added this session: FDC "
                                    + ", ".join(str(i) for i in asked))
            with st.spinner("Fetching from FoodData Central…"), FDCClient() as client:
                foods = client.get_foods(ids)
            new = fdc_food_table(foods)
            combine_tables(food_table(), [new])
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
        st.warning(FDC_UNCHECKED_NOTE)


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
                S.s_custom = retag_food(S.s_custom, fid, tags, allergens)
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
                new = custom_food_table(fields, f"custom food '{fid or name}'")
                combine_tables(food_table(), [new])
            except DataFileError as exc:
                st.error(exc.render())
            else:
                S.s_custom = [*S.s_custom, new]
                S.s_foods_notice = f"Added {name}."
                st.rerun()
