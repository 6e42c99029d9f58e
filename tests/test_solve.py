"""The optimiser: hand-solved instance, default weeks, verification, diagnosis, edits, LP."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from mealplan import model as model_mod
from mealplan.errors import InfeasiblePlanError, PlanVerificationError, TargetsError
from mealplan.foods import FoodTable, load_default_table, load_supplements, parse_food_csv
from mealplan.plan import Lock, PlanOptions, verify_plan
from mealplan.solve import apply_fix, make_plan, regenerate_day, solve_diet_lp, swap_item
from mealplan.targets import Bound, DietFilter, Person, Targets, diet_filter, targets_for

GOLDEN = Path(__file__).parent / "golden"


def table_from(text: str) -> FoodTable:
    """A food table from CSV text."""
    return parse_food_csv(text.encode(), "test table")


TINY = """id,name,energy_kcal,protein_g,portion_name,portion_g,min_portions,max_portions,slots
food_a,Food A,100,10,100 g,100,1,4,lunch
food_b,Food B,200,1,100 g,100,1,2,lunch
"""

ONE_MEAL = PlanOptions(days=1, slots=("lunch",), min_foods_per_day=1, max_foods_per_day=3,
                       max_items_per_meal={"lunch": 3}, gap_rel=0.0, gap_abs=0.0)


def test_hand_solved_tiny_instance() -> None:
    """The optimum of a two-food day is four portions of A (worked out by hand).

    Energy 388-412 kcal costs nothing (3 % dead zone around 400); protein >= 20 g needs
    A >= 2. Candidates on the energy band: A=4 (400 kcal, 1 item, 400 g) costs
    0.1 + 0.05 * 4 = 0.30; A=2 + B=1 (400 kcal, 2 items, 300 g) costs 0.2 + 0.05 * 3 = 0.35;
    every other combination misses the band. So A x 4 with objective 0.30.
    """
    targets = Targets((Bound("energy_kcal", 380, 420, "kcal"), Bound("protein_g", 20, None, "g")),
                      energy_kcal=400)
    plan = make_plan(table_from(TINY), targets, ONE_MEAL)
    items = [(it.food_id, it.portions) for it in plan.days[0].items]
    assert items == [("food_a", 4.0)]
    assert plan.info.objective == pytest.approx(0.30)
    assert plan.info.status == "optimal"
    assert plan.verified


@pytest.fixture(scope="module")
def shipped() -> FoodTable:
    """The shipped table."""
    return load_default_table()


@pytest.fixture(scope="module")
def supplements() -> FoodTable:
    """The shipped supplements."""
    return load_supplements()


def _k2_ok(plan_days: object) -> None:
    """K2 is a weekly average of 100-200 µg (the default), each day at least half of 100."""
    days = list(plan_days)  # type: ignore[call-overload]
    assert all(d.totals["k2_ug"] >= 50 - 1e-6 for d in days)
    avg = sum(d.totals["k2_ug"] for d in days) / len(days)
    assert 100 - 1e-6 <= avg <= 200 + 1e-6


@pytest.mark.slow
def test_default_omnivore_week_is_verified_and_realistic(shipped: FoodTable) -> None:
    """A 7-day default week: every bound every day, realistic days, varied foods."""
    targets = targets_for(Person(age=45, sex="female"))
    plan = make_plan(shipped, targets, PlanOptions(days=7))
    assert plan.verified and len(plan.days) == 7
    assert all(c.status == "ok" for c in plan.checks)
    _k2_ok(plan.days)
    for d in plan.days:
        assert 5 <= len(d.items) <= 14
        assert sum(it.grams for it in d.items) <= 2500
    assert verify_plan(plan.days, shipped, targets, plan.options) == []
    assert len({d.food_ids() for d in plan.days}) == 7


@pytest.mark.parametrize("kind", ["vegetarian", "keto"])
def test_vegetarian_and_keto_days_verify(shipped: FoodTable, kind: str) -> None:
    """Vegetarian and keto plans (2 days) meet every bound with K2 in its window."""
    if kind == "keto":
        targets = targets_for(Person(age=45, sex="female"), keto_net_carbs=25)
    else:
        targets = targets_for(Person(age=45, sex="female"), diet=diet_filter(diet="vegetarian"))
    plan = make_plan(shipped, targets, PlanOptions(days=2))
    _k2_ok(plan.days)
    assert all(c.status == "ok" for c in plan.checks)
    if kind == "keto":
        assert all(d.totals["net_carbs_g"] <= 25 + 1e-6 for d in plan.days)
    else:
        tags = {fid: shipped.list_of(fid, "diet_tags") for d in plan.days
                for fid in d.eaten_ids()}
        assert all("vegetarian" in t for t in tags.values())


def test_vegan_without_fortified_vitamin_d_is_explained(shipped: FoodTable,
                                                        supplements: FoodTable) -> None:
    """Vegan, no fortified foods, no UV mushrooms: vitamin D is named with its best value."""
    diet = diet_filter(diet="vegan", exclude_flags=["fortified", "uv_vitamin_d"])
    targets = targets_for(Person(age=45, sex="female"), diet=diet)
    with pytest.raises(InfeasiblePlanError) as err:
        make_plan(shipped, targets, PlanOptions(days=1), supplements)
    diag = err.value.diagnosis
    short = {s.nutrient: s for s in diag.shortfalls}
    assert "vitamin_d_ug" in short
    assert 0 <= short["vitamin_d_ug"].best < 15
    assert "Vitamin D reaches at most" in str(err.value)
    # every suggested fix was tried and works: fortified foods, and supplements (the vegan
    # D2 and lichen D3 capsules; lanolin D3 is vegetarian only)
    kinds = {f.kind for f in diag.fixes}
    assert "allow_supplements" in kinds
    for fix in diag.fixes:
        if fix.kind == "relax_bound":
            continue
        t2, o2 = apply_fix(targets, PlanOptions(days=1), fix)
        plan = make_plan(shipped, t2, o2, supplements)
        assert plan.verified


def test_banning_natto_explains_k2(shipped: FoodTable, supplements: FoodTable) -> None:
    """Dairy-free and no natto: K2 100 µg/day is out of reach; the explanation says how far.

    (With dairy, soft cheeses alone can reach 100 µg on the conservative data.) A week, not a
    day: a natto pack (about 420 µg) fits the 200 µg cap only as a weekly average, and a fix
    is offered only when it works for the plan's length.
    """
    targets = targets_for(Person(age=45, sex="female"), diet=diet_filter(dairy_free=True))
    with pytest.raises(InfeasiblePlanError) as err:
        make_plan(shipped, targets, PlanOptions(days=7, natto=True, bans=frozenset({"natto"})),
                  supplements)
    diag = err.value.diagnosis
    k2 = [s for s in diag.shortfalls if s.nutrient == "k2_ug"]
    assert k2 and k2[0].best < 100
    values = {f.value for f in diag.fixes if f.kind == "allow_food"}
    assert "natto" in values
    assert any(f.kind == "allow_supplements" for f in diag.fixes)


def test_solver_output_is_never_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A solver answer that breaks a bound is caught by the verifier and not returned."""
    targets = Targets((Bound("energy_kcal", 380, 420, "kcal"), Bound("protein_g", 20, None, "g")),
                      energy_kcal=400)
    real = model_mod.solve_day

    def lying(model: model_mod.DayModel, **kw: float) -> model_mod.DayResult:
        res = real(model, **kw)
        return dataclasses.replace(res, items=(("lunch", "food_b", 2.0),))

    # patch the solve where the day's model is solved (mealplan.planning.day reads it)
    monkeypatch.setattr("mealplan.planning.day.solve_day", lying)
    with pytest.raises(PlanVerificationError) as err:
        make_plan(table_from(TINY), targets, ONE_MEAL)
    assert "protein_g" in str(err.value)


def test_same_input_same_plan() -> None:
    """Determinism: two runs give the same items."""
    targets = Targets((Bound("energy_kcal", 380, 420, "kcal"), Bound("protein_g", 20, None, "g")),
                      energy_kcal=400)
    a = make_plan(table_from(TINY), targets, ONE_MEAL)
    b = make_plan(table_from(TINY), targets, ONE_MEAL)
    assert a.days == b.days


SMALL_HEADER = ("id,name,energy_kcal,protein_g,magnesium_mg,calcium_mg,portion_name,portion_g,"
                "min_portions,max_portions,slots,flags,price_per_100g\n")
SMALL = SMALL_HEADER + """oats,Oats,380,13,140,50,40 g,40,1,3,breakfast,,0.3
milk,Milk,60,3.3,10,120,1 cup (244 g),244,1,2,breakfast;snack,staple,0.1
lentils,Lentils,116,9,36,19,1 cup (198 g),198,1,2,lunch;dinner,,0.4
rice,Brown rice,112,2.3,39,10,1 cup (195 g),195,1,2,lunch;dinner,,0.2
salmon,Salmon,206,22,30,12,3 oz (85 g),85,1,2,lunch;dinner,,2.0
spinach,Spinach,23,2.9,79,99,1 cup (180 g),180,1,2,lunch;dinner,,0.8
almonds,Almonds,579,21,270,269,1 oz (28 g),28,1,2,snack;breakfast,,1.5
banana,Banana,89,1.1,27,5,1 medium (118 g),118,1,2,snack;breakfast,,0.2
yogurt,Yogurt,61,3.5,12,121,1 cup (245 g),245,1,2,breakfast;snack,,0.3
chicken,Chicken,165,31,29,15,3 oz (85 g),85,1,2,lunch;dinner,,1.2
potato,Potato,93,2.5,28,15,1 medium (173 g),173,1,2,lunch;dinner,,0.1
beans,Black beans,132,8.9,70,27,1 cup (172 g),172,1,2,lunch;dinner,,0.3
"""

SMALL_TARGETS = Targets((Bound("energy_kcal", 1800, 2200, "kcal"),
                         Bound("protein_g", 60, None, "g"),
                         Bound("magnesium_mg", 320, None, "mg"),
                         Bound("calcium_mg", 900, 2500, "mg")), energy_kcal=2000)


GOLDEN_OPTIONS = PlanOptions(days=3, max_days_per_food=2, day_soft_seconds=None)


def golden_meta() -> dict[str, object]:
    """What tests/golden/small_3day.meta.json records (see scripts/make_golden.py)."""
    from importlib.metadata import version

    best = make_plan(table_from(SMALL), SMALL_TARGETS,
                     dataclasses.replace(GOLDEN_OPTIONS, days=1, gap_rel=0.0, gap_abs=0.0))
    return {"highspy": version("highspy"), "day1_optimum": best.info.objective}


def test_golden_reference_week() -> None:
    """The 3-day golden plan: what must hold on any solver version, and exactness on one.

    On any HiGHS version: the plan verifies; day 1 (which starts from the same state
    whatever the version) is within the configured gap of its proven optimum, and that
    optimum is the recorded one (the model has not changed). On the recorded HiGHS version
    (the locked one): the same items, exactly. Regenerate with ``python
    scripts/make_golden.py`` only after a deliberate change to the model.
    """
    from importlib.metadata import version

    from mealplan.export import to_json

    table = table_from(SMALL)
    plan = make_plan(table, SMALL_TARGETS, GOLDEN_OPTIONS)
    assert verify_plan(plan.days, table, SMALL_TARGETS, GOLDEN_OPTIONS) == []
    meta = json.loads((GOLDEN / "small_3day.meta.json").read_text())
    opts1 = dataclasses.replace(GOLDEN_OPTIONS, days=1)
    day1 = make_plan(table, SMALL_TARGETS, opts1).info.objective
    best = make_plan(table, SMALL_TARGETS,
                     dataclasses.replace(opts1, gap_rel=0.0, gap_abs=0.0)).info.objective
    assert day1 is not None and best is not None
    assert best == pytest.approx(meta["day1_optimum"], abs=1e-6)
    allowed = max(GOLDEN_OPTIONS.gap_abs, GOLDEN_OPTIONS.gap_rel * abs(day1))
    assert best - 1e-6 <= day1 <= best + allowed + 1e-6
    if version("highspy") == meta["highspy"]:
        got = json.loads(to_json(plan))
        want = json.loads((GOLDEN / "small_3day.json").read_text())
        assert [d["meals"] for d in got["days"]] == [d["meals"] for d in want["days"]]


def test_edits_keep_the_rest_of_the_week() -> None:
    """Regenerate one day, swap one item, lock and ban: other days never change."""
    table = table_from(SMALL)
    opts = PlanOptions(days=3, max_days_per_food=2)
    plan = make_plan(table, SMALL_TARGETS, opts)
    again = regenerate_day(plan, 2, table)
    assert again.days[0] == plan.days[0] and again.days[2] == plan.days[2]
    assert again.days[1].food_ids() != plan.days[1].food_ids()
    # a swap is one item for one item in the same meal, every other item exactly as it was,
    # or a refusal that says so (never a re-planned day)
    swaps = 0
    before = {(m.slot, it.food_id, it.portions) for m in plan.days[0].meals for it in m.items}
    for m in plan.days[0].meals:
        for it in m.items:
            try:
                swapped = swap_item(plan, 1, m.slot, it.food_id, table)
            except TargetsError as exc:
                assert "no single food can take the place of" in str(exc)
                continue
            swaps += 1
            after = {(mm.slot, x.food_id, x.portions) for mm in swapped.days[0].meals
                     for x in mm.items}
            gone, new = before - after, after - before
            assert [g[1] for g in gone] == [it.food_id] and len(new) == 1
            assert next(iter(new))[0] == m.slot and it.food_id not in swapped.days[0].food_ids()
            assert swapped.days[1:] == plan.days[1:] and swapped.verified
    assert swaps >= 1
    locked = make_plan(table, SMALL_TARGETS, dataclasses.replace(
        opts, locks=(Lock(1, "dinner", "salmon", 1),), bans=frozenset({"potato"})))
    assert any(it.food_id == "salmon" for m in locked.days[0].meals if m.slot == "dinner"
               for it in m.items)
    assert all("potato" not in d.food_ids() for d in locked.days)


def test_diet_lp_shadow_prices_in_plain_units() -> None:
    """The plain diet LP reports binding bounds with shadow prices (cost per unit)."""
    lp = solve_diet_lp(table_from(SMALL), Targets((Bound("protein_g", 80, None, "g"),
                                                   Bound("magnesium_mg", 400, None, "mg"))))
    assert lp.status == "optimal" and lp.objective_unit == "cost"
    assert lp.binding
    text = lp.binding[0].describe(lp.objective_unit)
    assert "raises the cost by" in text


def test_weekly_vitamin_d_average_with_daily_floor(shipped: FoodTable) -> None:
    """Vitamin D held as a 3-day average: the average meets the minimum, each day its floor."""
    from mealplan.targets import hold_weekly

    targets = hold_weekly(targets_for(Person(age=45, sex="female")), ["vitamin_d_ug"])
    weekly = next(b for b in targets.bounds if b.nutrient == "vitamin_d_ug" and b.period == "week")
    plan = make_plan(shipped, targets, PlanOptions(days=3))
    values = [d.totals["vitamin_d_ug"] for d in plan.days]
    assert sum(values) / 3 >= (weekly.min or 0) - 1e-6
    assert all(v >= (weekly.daily_min or 0) - 1e-6 for v in values)
    assert any(c.day is None and c.nutrient == "vitamin_d_ug" for c in plan.checks)


def test_swap_keeps_locks_on_that_day() -> None:
    """Swapping one item of a day with a locked item keeps the lock (also when re-planning)."""
    table = table_from(SMALL)
    opts = PlanOptions(days=2, max_days_per_food=2, locks=(Lock(1, "dinner", "salmon", 1),))
    plan = make_plan(table, SMALL_TARGETS, opts)
    other = next(it for m in plan.days[0].meals for it in m.items if it.food_id != "salmon")
    slot = next(m.slot for m in plan.days[0].meals if other in m.items)
    swapped = swap_item(plan, 1, slot, other.food_id, table)
    assert any(it.food_id == "salmon" for m in swapped.days[0].meals if m.slot == "dinner"
               for it in m.items)
    assert other.food_id not in swapped.days[0].food_ids()


def test_fixes_never_undo_safety_exclusions() -> None:
    """On warfarin, a vitamin K band only natto could reach never suggests natto back.

    Without the safety rule, "allow foods flagged vitamin_k_antagonist_caution" and "allow
    Natto again" would both be offered: each makes this tiny day feasible.
    """
    from mealplan.targets import DietFilter

    rows = [line.rsplit(",", 1)[0] + ",0,0" for line in SMALL.strip().split("\n")[1:]]
    natto = ("natto,Natto,212,19,115,217,10 g,10,1,3,breakfast;lunch;dinner,"
             "vitamin_k_antagonist_caution,23,939")
    text = SMALL_HEADER.replace("price_per_100g", "vitamin_k1_ug,k2_ug") + "\n".join(
        [*rows, natto]) + "\n"
    table = table_from(text)
    targets = Targets((*SMALL_TARGETS.bounds, Bound("vitamin_k_total_ug", 90, 200, "µg")),
                      diet=DietFilter(exclude_flags=frozenset({"vitamin_k_antagonist_caution"})),
                      energy_kcal=2000, modes=frozenset({"anticoagulant"}))
    opts = PlanOptions(days=1, bans=frozenset({"natto"}))
    with pytest.raises(InfeasiblePlanError) as err:
        make_plan(table, targets, opts)
    diag = err.value.diagnosis
    assert any(s.nutrient == "vitamin_k_total_ug" for s in diag.shortfalls)
    for fix in diag.fixes:
        assert fix.value not in ("vitamin_k_antagonist_caution", "natto")
        assert not fix.description.startswith("raise the maximum")
    # the same request without the safety mode and flag would be fixable by natto
    relaxed = Targets(targets.bounds, energy_kcal=2000)
    with pytest.raises(InfeasiblePlanError) as err2:
        make_plan(table, relaxed, dataclasses.replace(opts, natto=True))
    assert any(f.value == "natto" for f in err2.value.diagnosis.fixes)


def test_large_pools_are_narrowed_by_nutrient_density() -> None:
    """Above max_candidates the pool is cut to prune_to foods, keeping the best sources."""
    from mealplan.planning.pool import candidate_pool, day_pool

    rows = [f"filler_{i},Filler {i},{300 + i},1,1,1,100 g,100,1,2,lunch;dinner,,"
            for i in range(40)]
    rows.append("mg_star,Magnesium star,100,5,900,10,100 g,100,1,2,lunch,,")
    rows.append("liked,Liked food,500,1,1,1,100 g,100,1,2,lunch,,")
    text = SMALL_HEADER.replace(",price_per_100g", "").replace(",flags", ",flags,unused_g")
    table = table_from(text + "\n".join(rows) + "\n")
    targets = Targets((Bound("magnesium_mg", 300, None, "mg"),), energy_kcal=2000,
                      diet=DietFilter(favourites=frozenset({"liked"})))
    opts = PlanOptions(max_candidates=30, prune_to=10)
    pool, notes = candidate_pool(table, targets, opts)
    assert len(pool) == len(table)
    assert any("10 best" in n for n in notes)
    day = day_pool(pool, targets, opts, {})
    assert len(day) == 10
    assert day.has("mg_star") and day.has("liked")
    # a food at its day cap is replaced by the next best
    later = day_pool(pool, targets, opts, {"mg_star": 3})
    assert not later.has("mg_star") and len(later) == 10
    assert len(day_pool(pool, targets, PlanOptions(), {})) == len(table)


def test_lunch_and_dinner_have_a_main_dish_and_oil_comes_with_food() -> None:
    """Realism rules: a main dish at lunch and dinner; an add-on (oil) never alone, one a meal."""
    text = (SMALL.replace("lentils,Lentils,116,9,36,19,1 cup (198 g),198,1,2,lunch;dinner,,",
                          "lentils,Lentils,116,9,36,19,1 cup (198 g),198,1,2,lunch;dinner,main,")
            .replace("salmon,Salmon,206,22,30,12,3 oz (85 g),85,1,2,lunch;dinner,,",
                     "salmon,Salmon,206,22,30,12,3 oz (85 g),85,1,2,lunch;dinner,main,")
            .replace("chicken,Chicken,165,31,29,15,3 oz (85 g),85,1,2,lunch;dinner,,",
                     "chicken,Chicken,165,31,29,15,3 oz (85 g),85,1,2,lunch;dinner,main,")
            + "olive_oil,Olive oil,884,0,0,1,1 tbsp (13.5 g),13.5,1,3,lunch;dinner;snack,"
              "addon;staple,0.9\n")
    table = table_from(text)
    plan = make_plan(table, SMALL_TARGETS, PlanOptions(days=3, max_days_per_food=3))
    mains = {"lentils", "salmon", "chicken"}
    for d in plan.days:
        for m in d.meals:
            ids = {it.food_id for it in m.items}
            if m.slot in ("lunch", "dinner"):
                assert ids & mains, f"day {d.day} {m.slot} has no main dish"
            if "olive_oil" in ids:
                assert len(ids) > 1
    # the verifier enforces the rule independently
    bad_day = dataclasses.replace(plan.days[0], meals=tuple(
        dataclasses.replace(m, items=tuple(it for it in m.items if it.food_id not in mains))
        for m in plan.days[0].meals))
    problems = verify_plan((bad_day, *plan.days[1:]), table, SMALL_TARGETS, plan.options)
    assert any("no main dish" in p for p in problems)


@pytest.mark.slow
def test_week_in_two_parallel_chains_is_deterministic(shipped: FoodTable) -> None:
    """Odd and even days plan on two threads; the same input gives the same verified plan."""
    targets = targets_for(Person(age=45, sex="female"))
    # (with meal patterns the week is planned in one sequence: see _parallel_ok)
    a = make_plan(shipped, targets, PlanOptions(days=4, meal_patterns=False))
    b = make_plan(shipped, targets, PlanOptions(days=4, meal_patterns=False))
    assert "two chains in parallel" in a.info.method
    assert a.days == b.days
    odd = set().union(*(a.day(n).food_ids() for n in (1, 3)))
    even = set().union(*(a.day(n).food_ids() for n in (2, 4)))
    shared = odd & even
    assert all("staple" in shipped.list_of(f, "flags") for f in shared)
    sequential = make_plan(shipped, targets, PlanOptions(days=4, parallel=False,
                                                         meal_patterns=False))
    assert "parallel" not in sequential.info.method and sequential.verified


def test_every_day_has_vegetables_or_fruit(shipped: FoodTable) -> None:
    """With produce marked in the table, each day has at least two vegetables or fruit."""
    plan = make_plan(shipped, targets_for(Person(age=45, sex="female")),
                     PlanOptions(days=2, meal_patterns=False, use_dishes=False))
    for d in plan.days:
        produce = [f for f in d.food_ids() if "produce" in shipped.list_of(f, "flags")]
        assert len(produce) >= 2
    bare = dataclasses.replace(plan.days[0], meals=tuple(
        dataclasses.replace(m, items=tuple(
            it for it in m.items if "produce" not in shipped.list_of(it.food_id, "flags")))
        for m in plan.days[0].meals))
    problems = verify_plan((bare, plan.days[1]), shipped, plan.targets, plan.options)
    assert any("vegetables or fruit" in p for p in problems)


def test_status_is_optimal_only_when_every_day_is_proven(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """A day stopped by the work limit makes the plan 'feasible' and is named."""
    from mealplan.planning import day as day_mod  # where the day's model is solved

    real = day_mod.solve_day

    def stopped(model: model_mod.DayModel, **kw: object) -> model_mod.DayResult:
        r = real(model, **kw)  # type: ignore[arg-type]
        return dataclasses.replace(r, status="feasible", stopped_by="work")

    monkeypatch.setattr(day_mod, "solve_day", stopped)
    targets = Targets((Bound("energy_kcal", 380, 420, "kcal"),), energy_kcal=400)
    plan = make_plan(table_from(TINY), targets, dataclasses.replace(ONE_MEAL, days=2))
    assert plan.info.status == "feasible" and plan.info.unproven_days == (1, 2)
    assert plan.info.stopped_by == ("work",)


def test_an_aim_is_soft_and_reported_when_missed() -> None:
    """An aim (like sodium's AI) pulls the plan up but never refuses it: a missed aim is a
    warning naming the days, not an infeasible plan."""
    from mealplan.targets import Aim

    base = Targets((Bound("energy_kcal", 380, 420, "kcal"), Bound("protein_g", 0, None, "g")),
                   energy_kcal=400)
    reachable = dataclasses.replace(base, aims=(Aim("protein_g", 15.0, "g"),))
    out_of_reach = dataclasses.replace(base, aims=(Aim("protein_g", 500.0, "g"),))
    plain = make_plan(table_from(TINY), base, ONE_MEAL)
    pulled = make_plan(table_from(TINY), reachable, ONE_MEAL)
    missed = make_plan(table_from(TINY), out_of_reach, ONE_MEAL)
    assert plain.days[0].totals["protein_g"] < 15.0  # without the aim: food B, 2 g
    assert pulled.days[0].totals["protein_g"] >= 15.0
    assert not any("aim" in w for w in pulled.warnings)
    assert missed.verified and any("below the 500 g aim on day 1" in w for w in missed.warnings)
    assert plain.verified


def test_an_edit_keeps_the_other_days_proof_status() -> None:
    """Regenerating day 1 of a plan whose day 2 was stopped by the work limit: the new plan
    still names day 2 and is not called optimal."""
    table = table_from(SMALL)
    plan = make_plan(table, SMALL_TARGETS, PlanOptions(days=3, max_days_per_food=2))
    limited = dataclasses.replace(plan, info=dataclasses.replace(
        plan.info, status="feasible", unproven_days=(2,), stopped_by=("work",)))
    again = regenerate_day(limited, 1, table)
    assert 2 in again.info.unproven_days and again.info.status == "feasible"
    assert again.info.stopped_by == ("work",)
    fresh = regenerate_day(plan, 1, table)
    assert 2 not in fresh.info.unproven_days


def test_no_food_alone_beside_a_dish_that_holds_it(shipped: FoodTable) -> None:
    """A generated breakfast served crisp rice cereal beside a bowl of crisp rice cereal with
    almond drink: the model (row 19) never plans it, and the verifier catches it."""
    from mealplan.plan import PlanItem

    targets = targets_for(Person(age=45, sex="female"))
    plan = make_plan(shipped, targets, PlanOptions(days=2))
    for d in plan.days:
        for m in d.meals:
            inside = {i.food_id for it in m.items if it.dish for i in it.dish.ingredients}
            assert not {it.food_id for it in m.items if it.dish is None} & inside
    day = plan.days[0]
    meal, dish = next((m, it) for m in day.meals for it in m.items if it.dish is not None)
    ing = dish.dish.ingredients[0]  # type: ignore[union-attr]
    extra = PlanItem(ing.food_id, ing.name, 1.0, "portion", ing.grams)
    bad = dataclasses.replace(day, meals=tuple(
        dataclasses.replace(m, items=(*m.items, extra)) if m is meal else m for m in day.meals))
    problems = verify_plan((bad, *plan.days[1:]), shipped, targets, plan.options)
    assert f"day 1 {meal.slot}: '{ing.food_id}' is served alone and inside a dish of the same " \
           "meal" in problems


def test_weeknight_limit_on_dish_minutes(shipped: FoodTable) -> None:
    """Issue 12: no dish over the day's prep-and-cook limit (weekdays 20 minutes, days 6-7
    60), and the verifier catches one that is."""
    targets = targets_for(Person(age=45, sex="female"))
    options = PlanOptions(days=2, max_dish_minutes=20, weekend_dish_minutes=60)
    assert [options.minutes_limit(d) for d in (1, 5, 6, 7, 8, 13, 14)] == [20, 20, 60, 60,
                                                                           20, 60, 60]
    plan = make_plan(shipped, targets, options)
    dishes = [it for d in plan.days for it in d.items if it.dish is not None]
    assert dishes and all(it.dish.minutes <= 20 for it in dishes)  # type: ignore[union-attr]
    strict = dataclasses.replace(options, max_dish_minutes=min(
        it.dish.minutes for it in dishes) - 1)  # type: ignore[union-attr]
    problems = verify_plan(plan.days, shipped, targets, strict)
    assert any("minutes, more than the" in p for p in problems)
