"""Regression tests for problems found in review: safety, edits, options, fixes."""

from __future__ import annotations

import dataclasses

import pytest

from mealplan.errors import InfeasiblePlanError, TargetsError
from mealplan.foods import FoodTable, load_default_table, load_supplements, parse_food_csv
from mealplan.plan import Lock, PlanOptions
from mealplan.solve import apply_fix, candidate_pool, make_plan, swap_item
from mealplan.targets import (
    Anticoagulant,
    Bound,
    Person,
    Targets,
    diet_filter,
    hold_weekly,
    targets_for,
)


@pytest.fixture(scope="module")
def shipped() -> FoodTable:
    """The shipped table."""
    return load_default_table()


def _table(text: str) -> FoodTable:
    return parse_food_csv(text.encode(), "test table")


def test_unknown_vitamin_k_is_never_planned_on_warfarin(shipped: FoodTable) -> None:
    """A food whose K1 is unknown has an unknown total vitamin K: left out in warfarin mode."""
    targets = targets_for(Person(age=45, sex="female"),
                          anticoagulant=Anticoagulant(vitk_min_ug=90, vitk_max_ug=200))
    pool, notes = candidate_pool(shipped, targets, PlanOptions())
    unknown_k1 = shipped.df.index[shipped.df["vitamin_k1_ug"].isna()]
    assert len(unknown_k1) > 0
    assert not any(pool.has(str(f)) for f in unknown_k1)
    assert any("Vitamin K total" in n for n in notes)


def test_safety_modes_exclude_foods_even_without_the_filter_flag(shipped: FoodTable) -> None:
    """A hand-edited profile that dropped the flag still never gets natto on warfarin."""
    targets = targets_for(Person(age=45, sex="female"),
                          anticoagulant=Anticoagulant(vitk_min_ug=90, vitk_max_ug=200))
    edited = dataclasses.replace(targets, diet=dataclasses.replace(
        targets.diet, exclude_flags=frozenset(), favourites=frozenset({"natto"})))
    pool, _ = candidate_pool(shipped, edited, PlanOptions())
    assert not pool.has("natto")
    pregnant = targets_for(Person(age=30, sex="female", life_stage="pregnancy"))
    loose = dataclasses.replace(pregnant, diet=dataclasses.replace(
        pregnant.diet, exclude_flags=frozenset()))
    pool, _ = candidate_pool(shipped, loose, PlanOptions())
    assert not any(pool.has(f) for f in shipped.ids
                   if "high_vitamin_a" in shipped.list_of(f, "flags"))


def test_user_supplement_rows_need_supplements_allowed(shipped: FoodTable) -> None:
    """A user's row flagged supplement is not planned unless supplements are allowed."""
    from mealplan.foods import default_supplements_path, merge_tables

    header, *rows = default_supplements_path().read_text().splitlines()
    row = next(r for r in rows if r.startswith("supplement_magnesium_citrate_200,"))
    pill = _table(header + "\n" + row.replace("supplement_magnesium_citrate_200",
                                              "my_mg_pill", 1) + "\n")
    table = merge_tables([shipped, pill])
    targets = targets_for(Person(age=45, sex="female"))
    pool, _ = candidate_pool(table, targets, PlanOptions())
    assert not pool.has("my_mg_pill")
    allowed = dataclasses.replace(targets, allow_supplements=True)
    pool, _ = candidate_pool(table, allowed, PlanOptions())
    assert pool.has("my_mg_pill")


def test_supplements_allowed_are_used_only_where_food_falls_short(shipped: FoodTable) -> None:
    """An omnivore day that food can cover uses no supplement even when they are allowed."""
    targets = dataclasses.replace(targets_for(Person(age=45, sex="female")),
                                  allow_supplements=True)
    plan = make_plan(shipped, targets, PlanOptions(days=1), load_supplements())
    assert not any(it.is_supplement for it in plan.days[0].items)


def test_swap_on_a_plan_with_a_weekly_bound_stays_verified(shipped: FoodTable) -> None:
    """Swapping an item keeps the weekly vitamin D average (no NaN catch-up)."""
    targets = hold_weekly(targets_for(Person(age=45, sex="female")), ["vitamin_d_ug"])
    plan = make_plan(shipped, targets, PlanOptions(days=3))
    d2 = plan.day(2)
    swapped = None
    for slot, item in ((m.slot, it) for m in d2.meals for it in m.items):
        try:  # a one-for-one swap may be impossible for an item; one of the day's works
            swapped = swap_item(plan, 2, slot, item.food_id, shipped)
            break
        except TargetsError:
            continue
    assert swapped is not None and swapped.verified
    weekly = next(b for b in targets.bounds if b.nutrient == "vitamin_d_ug"
                  and b.period == "week")
    avg = sum(d.totals["vitamin_d_ug"] for d in swapped.days) / 3
    assert avg >= (weekly.min or 0) - 1e-6
    assert item.food_id not in swapped.day(2).food_ids()


def test_swap_checks_the_day_number(shipped: FoodTable) -> None:
    """Day 0 or a day past the plan is a clear error, not a swap on another day."""
    plan = make_plan(shipped, targets_for(Person(age=45, sex="female")), PlanOptions(days=1))
    item = plan.days[0].items[0]
    for day in (0, 2):
        with pytest.raises(TargetsError, match=f"no day {day}"):
            swap_item(plan, day, "lunch", item.food_id, shipped)


@pytest.mark.parametrize("options, needle", [
    (PlanOptions(days=2, locks=(Lock(5, "lunch", "lentils"),)), "day 5"),
    (PlanOptions(days=1, slots=("breakfast", "lunch", "dinner"),
                 locks=(Lock(1, "snack", "banana"),)), "not planned"),
    (PlanOptions(days=1, locks=(Lock(1, "lunch", "no_such_food"),)), "no_such_food"),
    (PlanOptions(days=1, slots=("lunch", "dinner", "lunch")), "listed twice"),
    (PlanOptions(days=1, slots=("brunch",)), "brunch"),
    (PlanOptions(days=15), "between 1 and 14"),
])
def test_bad_plan_options_are_named(shipped: FoodTable, options: PlanOptions,
                                    needle: str) -> None:
    """Impossible options raise a TargetsError naming the problem."""
    with pytest.raises(TargetsError, match=needle):
        make_plan(shipped, targets_for(Person(age=45, sex="female")), options)


def test_cost_objective_needs_prices(shipped: FoodTable) -> None:
    """No prices: a clear error. Some prices: the unpriced foods are left out, with a note."""
    targets = Targets((Bound("protein_g", 50, None, "g"),), energy_kcal=2000)
    with pytest.raises(TargetsError, match="price_per_100g"):
        candidate_pool(shipped, targets, PlanOptions(objective="cost"))
    priced = _table("id,name,protein_g,price_per_100g\nbeans_x,Beans,9,0.2\nrice_x,Rice,2,\n")
    pool, notes = candidate_pool(priced, targets, PlanOptions(objective="cost"))
    assert pool.ids == ["beans_x"]
    assert any("without a price" in n for n in notes)


def test_every_offered_fix_works_on_the_failing_day(shipped: FoodTable) -> None:
    """Vegan without fortified foods or UV mushrooms: each offered fix, applied, plans the day."""
    diet = diet_filter(diet="vegan", exclude_flags=["fortified", "uv_vitamin_d"])
    targets = targets_for(Person(age=45, sex="female"), diet=diet)
    options = PlanOptions(days=1)
    supplements = load_supplements()
    with pytest.raises(InfeasiblePlanError) as err:
        make_plan(shipped, targets, options, supplements)
    diag = err.value.diagnosis
    assert diag.fixes
    relax = [f for f in diag.fixes if f.kind == "relax_bound"]
    assert relax and {n for n, _v in relax[0].changes} == {s.nutrient for s in diag.shortfalls
                                                          if s.kind == "min"}
    for fix in diag.fixes:
        t2, o2 = apply_fix(targets, options, fix)
        assert make_plan(shipped, t2, o2, supplements).verified, fix.description


def test_chains_use_the_whole_pool_for_the_main_dish_rule() -> None:
    """Main dishes only in one half must not make a two-chain week fail verification."""
    header = "id,name,energy_kcal,protein_g,portion_name,portion_g,min_portions,max_portions,"
    rows = [header + "slots,flags,food_group"]
    for i in range(130):
        rows.append(f"food_{i:03d},Food {i},{150 + i},{5 + i % 7},100 g,100,1,3,"
                    f"breakfast;lunch;dinner;snack,,Group {i % 3}")
    rows.append("main_lunch,Lunch main,200,25,100 g,100,1,2,lunch,main,Group 0")
    rows.append("main_dinner,Dinner main,200,25,100 g,100,1,2,dinner,main,Group 0")
    table = _table("\n".join(rows) + "\n")
    targets = Targets((Bound("energy_kcal", 1800, 2200, "kcal"),
                       Bound("protein_g", 50, None, "g")), energy_kcal=2000)
    plan = make_plan(table, targets, PlanOptions(days=4, max_days_per_food=4))
    for d in plan.days:
        for m in d.meals:
            if m.slot in ("lunch", "dinner"):
                assert {it.food_id for it in m.items} & {"main_lunch", "main_dinner"}


def test_kidney_week_with_tight_caps_plans_the_same_twice() -> None:
    """Issue 9's kidney case (male 65, potassium 2,000, phosphorus 1,000 mg): days that a
    deterministic work limit stops still come back as verified plans, identical each run,
    and the headline names them instead of calling the plan optimal."""
    from mealplan.plan import plan_headline
    from mealplan.targets import KidneyLimits, Person, targets_for

    # the single-food planner of issue 9 (no dishes, meal patterns or healthy-day rules,
    # daily minimums, the old realism limits); the same caps with today's menus:
    # tests/test_kidney_week.py
    targets = targets_for(Person(65, "male"), ckd=KidneyLimits(2000, 1000), healthy=(),
                          weekly=())
    opts = PlanOptions(days=3, meal_patterns=False, use_dishes=False, prune_to=200,
                       max_items_per_meal={"breakfast": 4, "lunch": 5, "dinner": 5, "snack": 3})
    a = make_plan(load_default_table(), targets, opts, load_supplements())
    b = make_plan(load_default_table(), targets, opts, load_supplements())
    assert a.verified and a.days == b.days
    assert a.info.unproven_days == b.info.unproven_days
    assert all(d.totals["potassium_mg"] <= 2000 + 1e-6 for d in a.days)
    assert all(42.0 - 1e-6 <= d.totals["protein_g"] <= 56.0 + 1e-6 for d in a.days)
    headline = plan_headline(a)
    if a.info.unproven_days:
        assert a.info.status == "feasible" and a.info.stopped_by == ("work",)
        # each day stops after a fixed amount of work once it has a plan: the headline
        # gives the distance it proved instead of calling the plan optimal
        assert "fixed amount of work" in headline
        assert f"proven within {a.info.worst_day_gap:.1f} points" in headline
    else:
        assert a.info.status == "optimal" and "proven within" in headline


def test_limit_errors_tell_each_edge_what_to_raise() -> None:
    """A limit that stops the solver: the CLI names its flag, the app its sidebar control."""
    from mealplan import appsupport
    from mealplan.cli import limit_advice
    from mealplan.errors import SolverTimeoutError

    work = SolverTimeoutError("day 2: no plan", limit="work", value=400, day=2)
    time_ = SolverTimeoutError("day 2: no plan", limit="time", value=600, day=2)
    assert "--work-limit" in limit_advice(work) and "400" in limit_advice(work)
    assert "--time-limit" in limit_advice(time_) and "600 s" in limit_advice(time_)
    assert "Search effort per day" in appsupport.limit_advice(work)
    assert "Give up after" in appsupport.limit_advice(time_)
    assert "--" not in appsupport.limit_advice(work) + appsupport.limit_advice(time_)



def test_vegan_with_supplements_gets_a_vegan_vitamin_d() -> None:
    """Vegan, no fortified foods, no UV mushrooms, supplements allowed: vitamin D comes from a
    vegan D2 or lichen D3 supplement (lanolin D3 is vegetarian only), not a refusal."""
    from mealplan.targets import Person, diet_filter, targets_for

    targets = targets_for(Person(35, "female"), allow_supplements=True, diet=diet_filter(
        diet="vegan", exclude_flags=["fortified", "uv_vitamin_d"]))
    table, supplements = load_default_table(), load_supplements()
    plan = make_plan(table, targets, PlanOptions(days=1), supplements)
    items = [it for m in plan.days[0].meals for it in m.items]
    d_supps = [it.food_id for it in items
               if it.is_supplement and supplements.value(it.food_id, "vitamin_d_ug") > 0]
    assert d_supps and all("vegan" in supplements.list_of(f, "diet_tags") for f in d_supps)
    for it in items:
        src = supplements if it.is_supplement else table
        for fid, _grams in it.parts():  # a dish: every ingredient
            assert "vegan" in src.list_of(fid, "diet_tags")


def test_pregnancy_week_leaves_out_listeria_raw_egg_kelp_and_liver() -> None:
    """Pregnancy: no soft/blue/fresh cheese, smoked or pickled fish, pâté, raw egg, kelp or
    liver on any day, read back from the plan's JSON."""
    import json

    from mealplan.export import to_json
    from mealplan.targets import Person, targets_for

    table = load_default_table()
    plan = make_plan(table, targets_for(Person(28, "female", "pregnancy")),
                     PlanOptions(days=7))
    doc = json.loads(to_json(plan))
    banned = {"listeria_risk", "raw_animal", "high_iodine", "high_vitamin_a"}
    used = {part["food_id"] for d in doc["days"] for m in d["meals"] for it in m["items"]
            for part in it.get("dish", {}).get("ingredients", [it])}
    assert used and not any(table.list_of(f, "flags") & banned for f in used)
    fish = sum(part["grams"] for d in doc["days"] for m in d["meals"] for it in m["items"]
               for part in it.get("dish", {}).get("ingredients", [it])
               if table.has(part["food_id"]) and "fish" in table.list_of(part["food_id"], "kind"))
    assert fish <= 340 + 1e-6  # FDA/EPA: at most 12 oz of (low-mercury) fish a week


def test_kidney_mode_plans_no_magnesium_or_potassium_supplement_and_no_oil_day() -> None:
    """Kidney disease: magnesium and potassium supplements never enter the pool, even with
    supplements allowed; fat and carbohydrate hold their usual shares of energy."""
    from mealplan.targets import KidneyLimits, Person, targets_for

    targets = targets_for(Person(65, "male"), ckd=KidneyLimits(2000, 1000),
                          allow_supplements=True)
    supplements = load_supplements()
    pool, _ = candidate_pool(load_default_table(), targets, PlanOptions(), supplements)
    supp = [f for f in pool.ids if "supplement" in pool.list_of(f, "flags")]
    assert supp and not [f for f in supp if pool.value(f, "magnesium_mg") > 0
                         or pool.value(f, "potassium_mg") > 0]
    assert {b.nutrient for b in targets.bounds} >= {"fat_g", "carbs_g"}
    [fat] = [b for b in targets.bounds if b.nutrient == "fat_g"]
    assert fat.max is not None and targets.energy_kcal is not None
    assert fat.max * 9 <= 0.35 * targets.energy_kcal + 1


def test_warfarin_week_holds_the_band_at_every_end_of_the_k2_ranges() -> None:
    """Female 60, band 90-120 µg: every day inside the band with every food's K2 at its low,
    central and high value (recomputed from the table, read back from the JSON), and vitamin
    K1 (greens) at least half the band's floor every day."""
    import json

    from mealplan.export import to_json
    from mealplan.targets import Anticoagulant, Person, targets_for

    table = load_default_table()
    plan = make_plan(table, targets_for(Person(60, "female"),
                                        anticoagulant=Anticoagulant(90, 120)),
                     PlanOptions(days=7))
    doc = json.loads(to_json(plan))
    for day in doc["days"]:
        k1 = k2_low = k2_mid = k2_high = 0.0
        for meal in day["meals"]:
            for part in (p for it in meal["items"]
                         for p in it.get("dish", {}).get("ingredients", [it])):
                f, g = part["food_id"], part["grams"] / 100.0
                mid = table.value(f, "k2_ug")
                mid = 0.0 if mid != mid else mid
                low, high = (table.value(f, c) for c in ("k2_low_ug", "k2_high_ug"))
                k1 += table.value(f, "vitamin_k1_ug") * g
                k2_mid += mid * g
                k2_low += (mid if low != low else low) * g
                k2_high += (mid if high != high else high) * g
        for k2 in (k2_low, k2_mid, k2_high):
            assert 90 - 1e-6 <= k1 + k2 <= 120 + 1e-6, (day["day"], k1, k2)
        assert k1 >= 45 - 1e-6



ROLES = """\
id,name,energy_kcal,protein_g,portion_name,portion_g,min_portions,max_portions,slots,flags
chicken,Chicken,165,31,100 g,100,1,2,lunch,main
salmon,Salmon,200,22,100 g,100,1,2,lunch,main
tofu,Tofu,144,17,100 g,100,1,2,lunch,main
rice,Rice,130,2.7,100 g,100,1,3,lunch,
potato,Potato,90,2.5,100 g,100,1,3,lunch,produce
beans,Green beans,35,1.8,100 g,100,1,2,lunch,produce
"""


def test_swap_a_main_dish_for_a_main_dish() -> None:
    """Swapping lunch's main dish: another main dish takes its place (same role), every other
    item exactly as it was; a side is never pulled in as the 'main'."""
    table = parse_food_csv(ROLES.encode(), "roles.csv")
    targets = Targets((Bound("energy_kcal", 400, 700, "kcal"), Bound("protein_g", 25, None, "g")),
                      energy_kcal=550)
    opts = PlanOptions(days=1, slots=("lunch",), min_foods_per_day=3, max_foods_per_day=3,
                       max_items_per_meal={"lunch": 3}, min_produce_per_day=1,
                       main_dish_slots=("lunch",))
    plan = make_plan(table, targets, opts)
    mains = {"chicken", "salmon", "tofu"}
    main = next(it for it in plan.days[0].items if it.food_id in mains)
    swapped = swap_item(plan, 1, "lunch", main.food_id, table)
    before = {(it.food_id, it.portions) for it in plan.days[0].items}
    after = {(it.food_id, it.portions) for it in swapped.days[0].items}
    assert before - after == {(main.food_id, main.portions)}
    [(new_id, _n)] = sorted(after - before)
    assert new_id in mains - plan.days[0].food_ids()


def test_huge_bounds_are_refused_before_the_solver() -> None:
    """A bound of 1e20 (a typo, or a hand-built Targets) is a named error, not a crash deep
    in the solver's arithmetic."""
    targets = targets_for(Person(age=45, sex="female"))
    huge = dataclasses.replace(targets, bounds=tuple(
        dataclasses.replace(b, max=1e20) if b.nutrient == "sodium_mg" else b
        for b in targets.bounds))
    with pytest.raises(TargetsError, match=r"bounds\[\d+\]\.max: 1e\+20 is larger than"):
        make_plan(load_default_table(), huge, PlanOptions(days=1))


def test_swap_with_supplements_allowed_is_still_one_for_one(shipped: FoodTable) -> None:
    """Supplements count as items: swapping a food never slips a capsule in beside the new
    food, and a supplement is replaced by a supplement."""
    targets = targets_for(Person(35, "female"), diet=diet_filter(diet="vegan"),
                          allow_supplements=True)
    supplements = load_supplements()
    plan = make_plan(shipped, targets, PlanOptions(days=1), supplements)
    before = {(m.slot, it.food_id, it.portions) for m in plan.days[0].meals for it in m.items}
    tried = 0
    for slot, fid, _n in sorted(before):
        try:
            swapped = swap_item(plan, 1, slot, fid, shipped, supplements)
        except TargetsError as exc:
            assert "no single food can take the place of" in str(exc)
            continue
        tried += 1
        after = {(m.slot, it.food_id, it.portions) for m in swapped.days[0].meals
                 for it in m.items}
        [(new_slot, new_id, _m)] = sorted(after - before)
        assert [g[1] for g in before - after] == [fid] and new_slot == slot
        was_supp = any(it.is_supplement for it in plan.days[0].items if it.food_id == fid)
        assert any(it.is_supplement for it in swapped.days[0].items
                   if it.food_id == new_id) == was_supp
    assert tried >= 1


def test_warfarin_keeps_a_user_food_that_gives_total_vitamin_k(shipped: FoodTable) -> None:
    """A user's food with a known total vitamin K (no K1/K2 split, no range) stays a candidate
    in warfarin mode: both ends of its range are its total."""
    from mealplan.foods import merge_tables

    user = parse_food_csv(
        b"id,name,energy_kcal,protein_g,fat_g,carbs_g,vitamin_k_total_ug,vitamin_k1_ug,"
        b"calcium_mg,vitamin_d_ug,vitamin_b6_mg,phosphorus_mg,iron_mg,zinc_mg,retinol_ug,"
        b"sodium_mg,portion_name,portion_g,min_portions,max_portions,slots,diet_tags,"
        b"allergens\n"
        b"my_stew,My stew,120,8,4,14,40,40,30,0,0.2,90,1,1,0,300,1 bowl,250,1,1,lunch;dinner,"
        b"pescatarian,\n", "user.csv")
    merged = merge_tables([shipped, user])
    targets = targets_for(Person(60, "female"), anticoagulant=Anticoagulant(90, 120))
    pool, _ = candidate_pool(merged, targets, PlanOptions())
    assert merged.value("my_stew", "vitamin_k_total_high_ug") == 40.0
    assert pool.has("my_stew")


def test_a_dish_can_be_locked(shipped: FoodTable) -> None:
    """Locking a planned dish (not a food of the table) re-plans with that dish kept."""
    targets = targets_for(Person(age=45, sex="female"))
    plan = make_plan(shipped, targets, PlanOptions(days=1))
    slot, dish = next((m.slot, it) for m in plan.days[0].meals for it in m.items if it.dish)
    locked = make_plan(shipped, targets, PlanOptions(
        days=1, locks=(Lock(1, slot, dish.food_id, dish.portions),)))
    assert locked.verified
    assert any(it.food_id == dish.food_id for m in locked.days[0].meals if m.slot == slot
               for it in m.items)
