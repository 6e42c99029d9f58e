"""The Streamlit app's main flows, headless (streamlit.testing.v1.AppTest).

Each test starts a fresh app session with MEALPLAN_DB pointing at a file in tmp_path and
checks that no exception was rendered anywhere.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from streamlit.testing.v1 import AppTest

from mealplan.foods import load_default_table
from mealplan.plan import DayPlan, dish_table
from mealplan.purchase import section_label, shipped_purchases
from mealplan.store import Store

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TABLE = load_default_table()
FDC_DATA = Path(__file__).parent / "data" / "fdc"
API = "/fdc/v1"
FDC_KEY = "APP-SECRET-KEY-4711"
BANANA = "bananas_raw_fdc_173944"
SEEDS = "seeds_pumpkin_raw_fdc_2515378"




def start(days: int = 1) -> AppTest:
    """A fresh app session, with the plan length set."""
    at = AppTest.from_file(APP, default_timeout=90).run()
    clean(at)
    at.slider(key="w_days").set_value(days)
    return at


def clean(at: AppTest) -> None:
    """No exception anywhere on the page."""
    assert not at.exception, [e.value for e in at.exception]


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    """The (first) button with this label, form submit buttons included."""
    for b in at.button:
        if b.label == label:
            return b
    raise AssertionError(f"no button {label!r}; have {[b.label for b in at.button]}")


def submit(at: AppTest) -> AppTest:
    """Press the sidebar's 'Plan my meals'."""
    button(at, "Plan my meals").click().run()
    clean(at)
    return at


def texts(elements) -> str:  # type: ignore[no-untyped-def]
    """All values of a list of text elements, joined."""
    return "\n".join(str(e.value) for e in elements)


def page_text(at: AppTest) -> str:
    """Every text a person can read on the page (messages, markdown, captions, inputs)."""
    parts = [texts(getattr(at, kind)) for kind in (
        "markdown", "caption", "error", "warning", "info", "success", "text_input")]
    parts += [df.value.to_string() for df in at.dataframe]
    return "\n".join(parts)


def fdc_json(name: str) -> Any:
    """One FDC-shaped JSON fixture (tests/data/fdc)."""
    return json.loads((FDC_DATA / name).read_text(encoding="utf-8"))


@pytest.fixture
def fdc(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> HTTPServer:
    """The app's FDC client talks to a local HTTP server, with a private cache and key."""
    monkeypatch.setenv("FDC_BASE_URL", httpserver.url_for(API))
    monkeypatch.setenv("MEALPLAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FDC_API_KEY", FDC_KEY)
    return httpserver


def served(d: DayPlan) -> list[tuple[str, str, float]]:
    """What a day serves: (meal, food or dish id, portions), leftovers marks aside."""
    return [(m.slot, it.food_id, it.portions) for m in d.meals for it in m.items]


def plan_foods(at: AppTest) -> set[str]:
    """Food ids eaten in the session's plan (dishes counted as their ingredients)."""
    plan = at.session_state["s_plan"]
    assert plan is not None, texts(at.error)
    return {f for d in plan.days for f in d.eaten_ids()}


def test_first_load_shows_disclaimer_cautions_and_evidence(db: Path) -> None:
    """Before planning: disclaimer, both safety cautions, evidence with seed file names."""
    at = start()
    captions = texts(at.caption)
    assert "Not medical advice" in captions
    assert "warfarin" in captions and "Kidney disease" in captions
    assert at.session_state["s_plan"] is None
    assert "Plan my meals" in texts(at.info)
    body = texts(at.markdown)
    assert "000_7973ab7d68f1019b.txt" in body
    assert any(e.label.startswith("Magnesium") for e in at.expander)
    assert "Not medical advice" in texts(at.warning)
    # every safety mode's rules, numbers and primary sources
    assert "What each safety mode does" in body
    assert "doi.org/10.1053/j.ajkd.2020.05.006" in body and "listeria" in body
    assert "K1 and K2 counted 1:1" in body and "doi.org/10.1111/jth.12203" in body


@pytest.mark.slow
def test_plan_a_week(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A default week: 7 day tabs, food names in tables, verified, charts, shopping, downloads
    (the Markdown's shopping list is grouped by the food table's groups)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    served: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self: MemoryMediaFileStorage, path_or_data: str | bytes, mimetype: str,
               kind: Any, filename: str | None = None) -> str:
        if isinstance(path_or_data, bytes) and filename:
            served[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    at = submit(start(days=7))
    plan = at.session_state["s_plan"]
    assert plan is not None and len(plan.days) == 7 and plan.verified
    assert "verified" in texts(at.success)
    names = set(TABLE.df["name"])
    at.segmented_control(key="w_view").set_value("Day 3").run()
    shown = {str(v) for df in at.dataframe for v in df.value.get("food", [])}
    assert shown & names and {it.name for it in plan.day(3).items} <= shown
    assert len(at.get("vega_lite_chart")) == 1
    assert "Every target met on all" in texts(at.caption)
    assert "proven within" in texts(at.caption) and "Planned in" in texts(at.caption)
    assert len(at.get("download_button")) == 4
    at.segmented_control(key="w_view").set_value("Shopping list").run()
    clean(at)
    shopping = [df.value for df in at.dataframe if "buy" in df.value.columns
                and "section" in df.value.columns]
    # dishes are bought as their ingredients, merged per purchase: one row per purchase of
    # the foods eaten (ingredients included)
    assert any(it.dish is not None for d in plan.days for it in d.items)
    purchases = shipped_purchases()
    bought = {purchases.get(f) for d in plan.days for f in d.eaten_ids()}
    assert None not in bought
    assert shopping and set(shopping[0]["item"]) == {p.item for p in bought if p is not None}
    assert set(served) == {"mealplan.csv", "mealplan.md", "mealplan.json",
                           "mealplan-shopping.csv"}
    md = served["mealplan.md"].decode("utf-8")
    sections = {section_label(p.section) for p in bought if p is not None}
    shopping_md = md.split("## Shopping list", 1)[1]
    assert all(f"### {s}" in shopping_md for s in sections)
    assert "### Other" not in shopping_md
    shop_csv = served["mealplan-shopping.csv"].decode("utf-8")
    assert shop_csv.startswith("section,item,buy,packs,")


def test_change_diet_to_vegan(db: Path) -> None:
    """Changing the diet and re-planning gives only vegan foods (vegan K2 needs natto or a
    supplement now that natto is opt-in: supplements are allowed here)."""
    at = submit(start(days=1))
    assert plan_foods(at)
    at.selectbox(key="w_diet").set_value("vegan")
    at.checkbox(key="w_supp").check()
    submit(at)
    foods = plan_foods(at)
    assert foods and all("vegan" in TABLE.list_of(f, "diet_tags") for f in foods
                         if TABLE.has(f))
    assert at.session_state["s_settings"].diet == "vegan"


def test_no_replan_on_widget_change(db: Path) -> None:
    """Changing a sidebar widget without submitting keeps the plan as it was."""
    at = submit(start(days=1))
    before = at.session_state["s_plan"]
    at.selectbox(key="w_diet").set_value("vegan").run()
    clean(at)
    assert at.session_state["s_plan"] is before


@pytest.mark.slow
def test_infeasible_request_explains_and_fix_button_works(db: Path) -> None:
    """Vegan without soy cannot reach K2: the app says so and a fix button re-plans."""
    at = start(days=1)
    at.selectbox(key="w_diet").set_value("vegan")
    at.multiselect(key="w_allergens").set_value(["soy"])
    submit(at)
    assert at.session_state["s_plan"] is None
    assert "No plan meets every target" in texts(at.error)
    shortfalls = at.dataframe[0].value
    k2 = shortfalls[shortfalls["nutrient"].str.startswith("Vitamin K2")]
    assert list(k2["needed"]) == ["at least 100 µg"]
    fix = next(b for b in at.button if b.label.startswith("Lower the minimum of Vitamin K2"))
    fix.click().run()
    clean(at)
    plan = at.session_state["s_plan"]
    assert plan is not None and plan.verified
    assert "Applied: lower the minimum" in texts(at.success)
    # the relaxed bound is kept as a dietitian edit (shown in the bounds table, saved)
    [edit] = at.session_state["s_settings"].bound_edits
    assert edit.nutrient == "k2_ug" and edit.min is not None and edit.min < 100
    assert all("vegan" in TABLE.list_of(f, "diet_tags") for f in plan_foods(at))


def test_safety_mode_needs_clinician_band_then_warns(db: Path) -> None:
    """Warfarin mode without a band is refused; with one the plan shows the caution."""
    at = start(days=1)
    at.checkbox(key="w_anticoag").check()
    submit(at)
    assert "vitamin K band" in texts(at.error)
    at.number_input(key="w_vitk_min").set_value(90.0)
    at.number_input(key="w_vitk_max").set_value(250.0)
    submit(at)
    assert "anticoagulation clinic" in texts(at.warning)
    plan = at.session_state["s_plan"]
    assert plan is not None and "natto" not in plan_foods(at)


@pytest.mark.slow
def test_dietitian_edits_a_bound_and_resets(db: Path) -> None:
    """An edited magnesium minimum reaches the plan; reset restores the default."""
    at = start(days=1)
    frame = at.data_editor[0].value
    row = int(frame.index[(frame["nutrient"] == "magnesium_mg")
                          & ~frame["supplements_only"].astype(bool)][0])
    default_min = float(frame.loc[row, "min"])
    at.session_state[f"w_bounds_{at.session_state['s_editor_version']}"] = {
        "edited_rows": {row: {"min": 450.0}}, "added_rows": [], "deleted_rows": []}
    button(at, "Apply bounds and plan again").click().run()
    clean(at)
    edits = at.session_state["s_settings"].bound_edits
    assert [(e.nutrient, e.min) for e in edits] == [("magnesium_mg", 450.0)]
    plan = at.session_state["s_plan"]
    assert plan is not None
    [mg] = [b for b in plan.targets.bounds_for("magnesium_mg") if not b.supplements_only]
    assert mg.min == 450.0 and "edited by you" in mg.source
    assert plan.day(1).totals["magnesium_mg"] >= 450.0 - 1e-6
    assert "1 bound differs" in texts(at.info)
    assert float(at.data_editor[0].value.loc[row, "min"]) == 450.0
    button(at, "Reset to defaults").click().run()
    clean(at)
    assert at.session_state["s_settings"].bound_edits == ()
    assert float(at.data_editor[0].value.loc[row, "min"]) == default_min


def test_dietitian_bad_edit_names_row_and_column(db: Path) -> None:
    """A min above the max is refused with its row and column; nothing changes."""
    at = start(days=1)
    frame = at.data_editor[0].value
    row = int(frame.index[frame["nutrient"] == "sodium_mg"][0])
    at.session_state["w_bounds_0"] = {
        "edited_rows": {row: {"min": 5000.0}}, "added_rows": [], "deleted_rows": []}
    button(at, "Apply bounds and plan again").click().run()
    clean(at)
    assert f"row {row + 1}, column 'min'" in texts(at.error)
    assert at.session_state["s_settings"].bound_edits == ()


def test_upload_bad_csv_shows_error_good_csv_adds_foods(db: Path) -> None:
    """A bad upload lists its problems by row/column; a good one joins the food table."""
    at = start()
    up = at.file_uploader(key="w_upload")
    up.set_value(("mine.csv", b"id,name,magnesium_mg\nBad Id,Bar,-1\n", "text/csv")).run()
    clean(at)
    err = texts(at.error)
    assert "mine.csv: 2 problems" in err
    assert "row 1, column 'id': malformed id" in err and "column 'magnesium_mg'" in err
    assert at.session_state["s_custom"] == []
    at.file_uploader(key="w_upload").set_value(
        ("big.csv", b"x" * (3 * 1024 * 1024), "text/csv")).run()
    assert "the limit is 2 MB" in texts(at.error)
    at.file_uploader(key="w_upload").set_value(
        ("good.csv", b"id,name,magnesium_mg,energy_kcal\nmy_bar,My bar,150,380\n",
         "text/csv")).run()
    clean(at)
    assert "Added 1 food from good.csv" in texts(at.success)
    assert not at.error
    assert [t.ids for t in at.session_state["s_custom"]] == [["my_bar"]]
    assert "My bar" in at.multiselect(key="w_exclude").options  # the sidebar knows it


def test_add_custom_food_validated(db: Path) -> None:
    """The add-a-food form reports bad fields and adds a good food."""
    at = start()
    at.text_input(key="w_new_id").input("Oat Bar")
    at.text_input(key="w_new_name").input("")
    button(at, "Add food").click().run()
    clean(at)
    assert "at least one nutrient" in texts(at.error)
    at.number_input(key="w_new_energy_kcal").set_value(350.0)
    button(at, "Add food").click().run()
    clean(at)
    err = texts(at.error)
    assert "row 1, column 'id': malformed id 'Oat Bar'" in err and "name is empty" in err
    at.text_input(key="w_new_id").input("oat_bar")
    at.text_input(key="w_new_name").input("Oat bar")
    at.number_input(key="w_new_magnesium_mg").set_value(90.0)
    button(at, "Add food").click().run()
    clean(at)
    assert "Added Oat bar" in texts(at.success)
    assert at.session_state["s_custom"][0].value("oat_bar", "magnesium_mg") == 90.0


def test_foods_search_and_best_foods(db: Path) -> None:
    """Searching narrows the table; the K2 best-foods view shows the warfarin caution."""
    at = start()
    at.text_input(key="w_food_query").input("natto").run()
    clean(at)
    browse = next(df.value for df in at.dataframe if "K2 source" in df.value.columns)
    assert list(browse.index) == ["natto"]
    at.selectbox(key="w_best_nutrient").set_value("k2_ug").run()
    clean(at)
    best = next(df.value for df in at.dataframe if "basis" in df.value.columns)
    assert best.index[0] == "natto"
    assert "anticoagulation clinic" in texts(at.warning)


@pytest.mark.slow
def test_edits_in_place_keep_the_rest_of_the_plan(db: Path) -> None:
    """Regenerate a day, lock an item, swap another item of that day (the lock holds), a
    locked item cannot be swapped, ban a food: other days never change."""
    at = submit(start(days=2))
    plan = at.session_state["s_plan"]
    day2 = plan.day(2)
    at.segmented_control(key="w_view").set_value("Day 1").run()
    button(at, "Regenerate day 1").click().run()
    clean(at)
    assert not at.error, texts(at.error)
    regen = at.session_state["s_plan"]
    # day 2 eats the same (its lunch is no longer "leftovers": day 1's dinner changed)
    assert served(regen.day(2)) == served(day2)
    assert regen.day(1).food_ids() != plan.day(1).food_ids()

    items = [(m.slot, it.food_id, it.portions) for m in regen.day(1).meals for it in m.items]
    lock_slot, lock_food, lock_portions = items[0]
    at.selectbox(key="w_edit_item").set_value(f"{lock_slot}|{lock_food}")
    button(at, "Lock this item").click().run()
    clean(at)
    locked = at.session_state["s_plan"]
    assert [(lk.day, lk.slot, lk.food_id) for lk in locked.options.locks] == [
        (1, lock_slot, lock_food)]
    assert locked.days == regen.days and "Locked" in texts(at.info)

    # swap another item of the same day (one for one, or a clear refusal): the lock survives
    for swap_slot, gone, _ in (t for t in items if t[1] != lock_food):
        at.selectbox(key="w_edit_item").set_value(f"{swap_slot}|{gone}")
        button(at, "Swap for the best alternative").click().run()
        clean(at)
        if not at.error:
            break
        assert "no single food can take the place of" in texts(at.error)
    assert not at.error, texts(at.error)
    swapped = at.session_state["s_plan"]
    # the item box now lists the new day: the swapped food is gone from its choices
    gone_name = next(it.name for it in regen.day(1).items if it.food_id == gone)
    assert f"{swap_slot}: {gone_name}" not in at.selectbox(key="w_edit_item").options
    assert served(swapped.day(2)) == served(day2)
    assert gone not in {it.food_id for m in swapped.day(1).meals if m.slot == swap_slot
                        for it in m.items}
    assert [(lk.day, lk.slot, lk.food_id) for lk in swapped.options.locks] == [
        (1, lock_slot, lock_food)]
    assert (lock_food, lock_portions) in {(it.food_id, it.portions)
                                          for m in swapped.day(1).meals if m.slot == lock_slot
                                          for it in m.items}
    assert at.session_state["s_options"].locks == swapped.options.locks

    # the locked item itself cannot be swapped: a clear message, the plan stays
    at.selectbox(key="w_edit_item").set_value(f"{lock_slot}|{lock_food}")
    button(at, "Swap for the best alternative").click().run()
    clean(at)
    assert "locked on day 1: unlock it before swapping it" in texts(at.error)
    assert at.session_state["s_plan"] is swapped

    # a food of day 2 that is not the locked item nor inside it (banning an ingredient of
    # a locked dish is refused: tests/test_appsupport.py)
    inside = {i.food_id for d in dish_table(swapped.options).dishes if d.id == lock_food
              for i in d.ingredients}
    target = next(f for f in sorted(swapped.day(2).food_ids()) if f != lock_food
                  and f not in inside)
    at.segmented_control(key="w_view").set_value("Day 2").run()
    slot = next(m.slot for m in swapped.day(2).meals for it in m.items if it.food_id == target)
    at.selectbox(key="w_edit_item").set_value(f"{slot}|{target}")
    button(at, "Ban this food from the plan").click().run()
    clean(at)
    banned = at.session_state["s_plan"]
    assert not at.error, texts(at.error)
    assert target in banned.options.bans
    # a banned food goes from every day, as an item or inside a dish; the days that did not
    # eat it at all stay as they were (the pick was a frozenset's first: hash-order flaky)
    assert all(target not in d.food_ids() | d.eaten_ids() for d in banned.days)
    assert all(served(banned.day(d.day)) == served(d) for d in swapped.days
               if target not in d.food_ids() | d.eaten_ids())
    assert lock_food in banned.day(1).food_ids()  # the lock held


@pytest.mark.slow
def test_save_and_reload_client(db: Path) -> None:
    """A client's profile and plan are saved to SQLite and load back into the sidebar."""
    at = start(days=1)
    at.number_input(key="w_age").set_value(64)
    at.selectbox(key="w_diet").set_value("vegetarian")
    submit(at)
    at.text_input(key="w_client_new").input("Ada")
    at.text_input(key="w_save_label").input("week 1")
    button(at, "Save profile and plan").click().run()
    clean(at)
    assert "Saved profile and plan 'week 1' for Ada" in texts(at.success)
    with Store(db) as s:
        [client] = s.clients()
        [plan_rec] = s.plans(client.id)
        assert plan_rec.data()["verified"] is True and plan_rec.profile_id is not None
        assert '"age": 64' in s.profile(plan_rec.profile_id).body

    # a second plan for the same client, then change the sidebar and reload the profile
    at.number_input(key="w_age").set_value(70)
    submit(at)
    at.selectbox(key="w_client").set_value("Ada")
    at.run()
    at.text_input(key="w_save_label").input("week 2")
    button(at, "Save profile and plan").click().run()
    clean(at)
    at.selectbox(key="w_diet").set_value("vegan")
    at.number_input(key="w_age").set_value(30)
    at.run()
    profiles = at.selectbox(key="w_profile_pick").options
    assert len(profiles) == 2
    at.selectbox(key="w_profile_pick").set_value(
        at.selectbox(key="w_profile_pick").options[1])  # the older one: week 1
    button(at, "Load this profile into the sidebar").click().run()
    clean(at)
    assert at.number_input(key="w_age").value == 64
    assert at.selectbox(key="w_diet").value == "vegetarian"
    assert at.session_state["s_settings"].age == 64

    ids = at.multiselect(key="w_compare").options
    at.multiselect(key="w_compare").set_value(ids).run()
    clean(at)
    compare = next(df.value for df in at.dataframe if df.value.index.name == "per day")
    assert compare.shape[1] == 2 and "Energy (kcal)" in compare.index


def serve_fdc_foods(fdc: HTTPServer) -> None:
    """The local FDC server answers a pumpkin-seed search and two foods by ID."""
    fdc.expect_request(f"{API}/foods/search", method="POST", json={
        "query": "pumpkin seeds", "pageSize": 15, "dataType": ["SR Legacy", "Foundation"],
    }).respond_with_json(fdc_json("search_pumpkin_seeds.json"))
    fdc.expect_request(f"{API}/food/2515378", method="GET").respond_with_json(
        fdc_json("food_2515378_pumpkin_seeds_foundation.json"))
    fdc.expect_request(f"{API}/food/173944", method="GET").respond_with_json(
        fdc_json("food_173944_banana_sr_legacy.json"))


def add_banana_by_id(at: AppTest) -> None:
    """Type FDC ID 173944 (bananas, SR Legacy) and add it."""
    at.text_input(key="w_fdc_ids").input("173944")
    button(at, "Add to my foods").click().run()
    clean(at)
    assert not at.error, texts(at.error)


def check_banana_as_vegan(at: AppTest) -> None:
    """The dietitian checks the label: vegan, no allergens."""
    at.selectbox(key="w_tag_food").set_value(BANANA).run()
    at.multiselect(key=f"w_tag_diet_{BANANA}").set_value(["vegan"])
    at.multiselect(key=f"w_tag_allergens_{BANANA}").set_value([])
    button(at, "Save diet tags and allergens").click().run()
    clean(at)


def test_fdc_search_add_and_check(db: Path, fdc: HTTPServer) -> None:
    """Search FDC, add a hit and a typed ID; both join the Foods table and the sidebar; an
    imported food is unchecked (every allergen, no diet) until the dietitian edits it."""
    serve_fdc_foods(fdc)
    at = start(days=1)
    at.text_input(key="w_fdc_query").input("pumpkin seeds")
    at.multiselect(key="w_fdc_types").set_value(["SR Legacy", "Foundation"])
    button(at, "Search FoodData Central").click().run()
    clean(at)
    hits = next(df.value for df in at.dataframe if df.value.index.name == "fdc_id")
    assert list(hits.index) == [170188, 2515378, 2099781]
    assert hits.loc[170188, "data type"] == "SR Legacy"
    assert hits.loc[170188, "Magnesium (mg/100 g)"] == 592

    at.multiselect(key="w_fdc_pick").set_value([2515378])
    button(at, "Add to my foods").click().run()
    clean(at)
    assert not at.error, texts(at.error)
    assert "Added 1 food from FoodData Central: Seeds, pumpkin, raw" in texts(at.success)
    assert "lists every allergen" in texts(at.warning)
    assert at.multiselect(key="w_fdc_pick").value == []  # the add form is emptied
    custom = next(df.value for df in at.dataframe if "planner" in df.value.columns)
    assert custom.loc[SEEDS, "allergens"] == "every allergen (not checked)"
    assert "Vitamin D unknown but capped" in custom.loc[SEEDS, "planner"]

    add_banana_by_id(at)
    assert [t.ids for t in at.session_state["s_custom"]] == [[SEEDS], [BANANA]]
    at.text_input(key="w_food_query").input("bananas raw").run()
    browse = next(df.value for df in at.dataframe if "K2 source" in df.value.columns)
    assert BANANA in browse.index and browse.loc[BANANA, "source"] == "FDC 173944"
    assert "Bananas, raw" in at.multiselect(key="w_fav").options  # the sidebar knows it
    custom = next(df.value for df in at.dataframe if "planner" in df.value.columns)
    assert custom.loc[BANANA, "planner"] == "can be planned"  # omnivore, no allergy

    at.text_input(key="w_fdc_ids").input("2515378")
    button(at, "Add to my foods").click().run()
    assert "already added this session: FDC 2515378" in texts(at.error)

    check_banana_as_vegan(at)
    assert "Checked Bananas, raw" in texts(at.success)
    [_, banana] = at.session_state["s_custom"]
    assert banana.list_of(BANANA, "diet_tags") == {"vegan"}
    assert banana.list_of(BANANA, "allergens") == frozenset()
    assert "checked by you" in str(banana.row(BANANA)["notes"])
    custom = next(df.value for df in at.dataframe if "planner" in df.value.columns)
    assert custom.loc[BANANA, "diet tags"] == "vegan" and custom.loc[BANANA, "allergens"] == "none"
    assert FDC_KEY not in page_text(at)


@pytest.mark.slow
def test_fdc_food_is_planned(db: Path, fdc: HTTPServer) -> None:
    """An FDC food, checked as vegan, is planned in a vegan day with an allergy when favoured."""
    serve_fdc_foods(fdc)
    at = start(days=1)
    add_banana_by_id(at)
    at.selectbox(key="w_diet").set_value("vegan")
    at.checkbox(key="w_supp").check()  # K2 for a vegan: a supplement (or natto in a week)
    at.multiselect(key="w_allergens").set_value(["peanuts"])
    submit(at)
    custom = next(df.value for df in at.dataframe if "planner" in df.value.columns)
    assert "no diet tag allows it in a vegan plan" in custom.loc[BANANA, "planner"]
    assert "lists allergens peanuts" not in custom.loc[BANANA, "planner"]
    assert "lists allergen peanuts" in custom.loc[BANANA, "planner"]
    assert BANANA not in plan_foods(at)
    check_banana_as_vegan(at)
    at.multiselect(key="w_fav").set_value([BANANA])
    at.selectbox(key="w_objective").set_value("usual")
    submit(at)
    assert BANANA in plan_foods(at)
    assert FDC_KEY not in page_text(at)


def test_fdc_offline_and_bad_ids_show_clear_errors(db: Path, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """No server listening: search and add show one clear error each, no traceback, no key."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("FDC_BASE_URL", f"http://127.0.0.1:{port}/fdc/v1")
    monkeypatch.setenv("MEALPLAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FDC_API_KEY", FDC_KEY)
    at = start()
    button(at, "Search FoodData Central").click().run()
    clean(at)
    assert "the search text is empty" in texts(at.error)
    at.text_input(key="w_fdc_query").input("spinach")
    button(at, "Search FoodData Central").click().run()
    clean(at)
    assert "FDC search for 'spinach': cannot reach FoodData Central" in texts(at.error)
    at.text_input(key="w_fdc_ids").input("173944")
    button(at, "Add to my foods").click().run()
    clean(at)
    assert "FDC ID 173944: cannot reach FoodData Central" in texts(at.error)
    at.text_input(key="w_fdc_ids").input("173944, 12a; -3")
    button(at, "Add to my foods").click().run()
    clean(at)
    assert "not an FDC ID" in texts(at.error) and "'12a', '-3'" in texts(at.error)
    at.text_input(key="w_fdc_ids").input("")
    button(at, "Add to my foods").click().run()
    assert "choose a food from the search or type its FDC ID" in texts(at.error)
    assert at.session_state["s_custom"] == []
    assert FDC_KEY not in page_text(at)


@pytest.mark.slow
def test_fix_allow_fortified_survives_the_next_submit(db: Path) -> None:
    """Vegetarian, egg-free, without fortified foods or UV mushrooms lacks vitamin D; "allow
    fortified" plans, clears that choice in the sidebar (the other stays), and the next
    submit still plans with fortified foods allowed."""
    at = start(days=1)
    at.selectbox(key="w_diet").set_value("vegetarian")
    at.multiselect(key="w_allergens").set_value(["egg"])
    at.multiselect(key="w_flags").set_value(["fortified", "uv_vitamin_d"])
    submit(at)
    assert at.session_state["s_plan"] is None
    assert at.session_state["s_settings"].exclude_flags == ("fortified", "uv_vitamin_d")
    fix = next(b for b in at.button if b.label.startswith("Allow foods flagged 'fortified'"))
    fix.click().run()
    clean(at)
    plan = at.session_state["s_plan"]
    assert plan is not None and plan.verified
    assert "fortified" not in plan.targets.diet.exclude_flags
    assert at.session_state["s_settings"].exclude_flags == ("uv_vitamin_d",)
    assert at.multiselect(key="w_flags").value == ["uv_vitamin_d"]
    assert any("fortified" in TABLE.list_of(f, "flags") for f in plan_foods(at)
               if TABLE.has(f))
    submit(at)
    again = at.session_state["s_plan"]
    assert again is not None and again is not plan and again.verified
    assert "fortified" not in again.targets.diet.exclude_flags
    assert at.session_state["s_diagnosis"] is None


@pytest.mark.slow
def test_new_meal_button_changes_that_meal_only(db: Path) -> None:
    """"New lunch" on the day view plans that lunch again; every other meal stays."""
    at = submit(start(days=2))
    plan = at.session_state["s_plan"]
    at.segmented_control(key="w_view").set_value("Day 2").run()
    button(at, "New lunch").click().run()
    clean(at)
    assert not at.error, texts(at.error)
    new = at.session_state["s_plan"]
    before = {(d.day, m.slot): m.items for d in plan.days for m in d.meals}
    after = {(d.day, m.slot): m.items for d in new.days for m in d.meals}
    assert {k for k in before if before[k] != after[k]} == {(2, "lunch")}
    assert new.verified and "lunch planned again" in texts(at.success)
