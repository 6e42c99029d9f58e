"""Targets: DRI cramp profile per band, energy, safety modes, keto, weekly view, diet filter."""

from __future__ import annotations

import math

import pytest

from mealplan.dri import (
    DRI_COLUMNS,
    DRI_INFO_ONLY,
    DriRow,
    dri_value,
    load_dri,
    load_dri_extra,
    load_dri_reference,
    merge_dri,
    parse_dri_csv,
)
from mealplan.errors import TargetsError
from mealplan.foods import FoodTable, parse_food_csv
from mealplan.targets import (
    Anticoagulant,
    Bound,
    DietFilter,
    KidneyLimits,
    Person,
    Targets,
    bound_problems,
    diet_filter,
    filter_foods,
    hold_weekly,
    mifflin_st_jeor,
    targets_for,
    validate_against,
    validate_targets,
)
from mealplan.units import DERIVED, NUTRIENTS, unit_of

# --------------------------------------------------------------------------- helpers


def _person(row: DriRow, age: int) -> Person:
    return Person(age=age, sex=row.sex, life_stage=row.life_stage)


def _ages(row: DriRow) -> list[int]:
    return [row.age_min, row.age_max if row.age_max is not None else row.age_min + 20]


def _mins(t: Targets, col: str) -> list[float]:
    return [b.min for b in t.bounds_for(col) if b.min is not None]


def _maxes(t: Targets, col: str, *, supplements_only: bool = False) -> list[float]:
    return [b.max for b in t.bounds_for(col)
            if b.max is not None and b.supplements_only == supplements_only]


DRI_ROWS = load_dri_reference()
CRAMP = {"magnesium", "potassium", "calcium", "vitamin_d", "vitamin_b6", "vitamin_b12",
         "vitamin_e"}


def _row_id(row: DriRow) -> str:
    return f"{row.nutrient}-{row.kind}-{row.sex}-{row.band}-{row.life_stage or 'none'}"


# --------------------------------------------------------------------------- DRI table


def test_shipped_dri_table_is_the_reference_copy() -> None:
    """Every adult band is present: 13 nutrients, and sodium has AI and CDRR rows."""
    assert len(DRI_ROWS) == 166
    assert {r.nutrient for r in DRI_ROWS} == set(DRI_COLUMNS) - {"folate", "vitamin_c",
                                                                 "choline"}
    assert all(r.summary_table_url.startswith("https://") for r in DRI_ROWS)
    assert all(r.report.startswith(("IOM ", "NASEM ")) and "doi:10.17226/" in r.report
               for r in DRI_ROWS)
    assert all(r.source == f"{r.report}; {r.summary_table_url}" for r in DRI_ROWS)
    assert {r.kind for r in DRI_ROWS if r.nutrient == "sodium"} == {"AI", "CDRR"}


@pytest.mark.parametrize("row", DRI_ROWS, ids=_row_id)
def test_default_bounds_equal_reference_table(row: DriRow) -> None:
    """For both ends of every band the bounds carry exactly the table's RDA/AI/CDRR and UL."""
    for age in _ages(row):
        person = _person(row, age)
        full = targets_for(person, full_dri=True)
        default = targets_for(person)
        col = row.column
        if row.kind == "CDRR":
            assert _maxes(default, "sodium_mg") == [row.value]
            continue
        if row.nutrient == "sodium":  # the AI is an aim, not a hard floor
            assert _mins(full, col) == [] and _mins(default, col) == []
            assert [a.min for a in default.aims if a.nutrient == col] == [row.value]
            continue
        assert _mins(full, col) == [row.value]
        if row.nutrient in CRAMP or (row.nutrient == "iron" and row.life_stage):
            assert _mins(default, col) == [row.value]
        else:
            assert _mins(default, col) == []
        if row.nutrient in ("magnesium", "vitamin_e"):
            assert _maxes(default, col, supplements_only=True) == [row.ul]
            assert _maxes(default, col) == []
        elif row.nutrient == "vitamin_a":
            assert _maxes(default, "retinol_ug") == [row.ul]
            assert _maxes(default, col) == []
        elif row.nutrient == "sodium":
            assert len(_maxes(default, col)) == 1  # the CDRR, checked on its own row
        elif row.ul is None:
            assert _maxes(full, col) == []
        else:
            assert _maxes(default, col) == [row.ul]


def test_bound_sources_and_reasons_are_filled() -> None:
    """Every default bound has a source and a one-line reason."""
    t = targets_for(Person(45, "female"), full_dri=True)
    for b in t.bounds:
        assert b.source and b.reason and "\n" not in b.reason, b


def test_default_bounds_name_standard_columns_with_their_units() -> None:
    """Bounds only use columns of mealplan.units, with the canonical unit."""
    t = targets_for(Person(60, "male"), full_dri=True, macro_shares=True, keto_net_carbs=None)
    for b in t.bounds:
        known = NUTRIENTS.get(b.nutrient) or DERIVED.get(b.nutrient)
        assert known is not None, b.nutrient
        assert b.unit == known.unit
    validate_targets(t)


@pytest.mark.parametrize("age", [0, 12, 17, 18])
def test_under_19_is_refused_with_a_clear_message(age: int) -> None:
    """Children and teenagers get a clear refusal, not someone else's numbers."""
    with pytest.raises(TargetsError, match=r"age: .*under 19.*adults only"):
        targets_for(Person(age, "female"))
    with pytest.raises(TargetsError, match="adults"):
        dri_value("magnesium", "female", age, None)


def test_lactation_sodium_uses_the_general_cdrr() -> None:
    """The table has no lactation CDRR row: the general adult 2,300 mg applies."""
    t = targets_for(Person(30, "female", "lactation"))
    (na,) = t.bounds_for("sodium_mg")
    assert (na.min, na.max) == (None, 2300.0)
    assert [(a.nutrient, a.min) for a in t.aims] == [("sodium_mg", 1500.0),
                                                      ("choline_mg", 550.0)]


@pytest.mark.parametrize(("person", "field"), [
    (Person(30, "male", "pregnancy"), "life_stage"),
    (Person(55, "female", "lactation"), "life_stage"),
    (Person(30, "other"), "sex"),  # type: ignore[arg-type]
    (Person(30, "female", activity="couch"), "activity"),
    (Person(30, "female", weight_kg=-3.0), "weight_kg"),
    (Person(30, "female", height_cm=float("nan")), "height_cm"),
    (Person(30, "female", energy_kcal=100.0), "energy_kcal"),
])
def test_invalid_person_names_the_field(person: Person, field: str) -> None:
    """A bad person field is reported by name."""
    with pytest.raises(TargetsError, match=rf"{field}: "):
        targets_for(person)


def test_parse_dri_csv_reports_row_and_column() -> None:
    """A damaged DRI file names the row and column."""
    text = ("nutrient,unit,sex,age_min,age_max,life_stage,rda_or_ai,kind,ul,ul_note,report,"
            "summary_table_url\n"
            "magnesium,mg/d,female,19,30,,abc,RDA,,,IOM 1997,https://x\n"
            "unobtainium,mg/d,female,19,30,,1,RDA,,,IOM 1997,https://x\n")
    with pytest.raises(TargetsError) as exc:
        parse_dri_csv(text, "dri.csv")
    msg = str(exc.value)
    assert "row 1, column 'rda_or_ai'" in msg and "row 2, column 'nutrient'" in msg


def test_parse_dri_csv_requires_the_citation_columns() -> None:
    """A table without report and summary_table_url (the old source_url layout) is refused."""
    text = ("nutrient,unit,sex,age_min,age_max,life_stage,rda_or_ai,kind,ul,ul_note,source_url\n"
            "magnesium,mg/d,female,19,30,,310,RDA,,,http://x\n")
    with pytest.raises(TargetsError) as exc:
        parse_dri_csv(text, "dri.csv")
    msg = str(exc.value)
    assert "column 'report'" in msg and "column 'summary_table_url'" in msg


@pytest.mark.parametrize("stage", ["pregnancy", "lactation"])
@pytest.mark.parametrize("age", [19, 30, 31, 50])
def test_pregnancy_and_lactation_get_iron_and_zinc_uls(stage: str, age: int) -> None:
    """The iron UL (45 mg) and zinc UL (40 mg) reach pregnancy and lactation targets."""
    person = Person(age, "female", stage)  # type: ignore[arg-type]
    for t in (targets_for(person), targets_for(person, full_dri=True)):
        assert _maxes(t, "iron_mg") == [45.0]
        assert _maxes(t, "zinc_mg") == [40.0]
        for col in ("iron_mg", "zinc_mg"):
            (ul,) = [b for b in t.bounds_for(col) if b.max is not None]
            assert ul.source.startswith("UL: IOM 2001") and "doi:10.17226/10026" in ul.source
    assert dri_value("iron", "female", age, stage).ul == 45.0  # type: ignore[union-attr]
    assert dri_value("zinc", "female", age, stage).ul == 40.0  # type: ignore[union-attr]


def test_dri_bound_sources_cite_the_report_and_the_summary_table() -> None:
    """RDA/AI, sodium and UL sources name the IOM/NASEM report (DOI) and an official table."""
    t = targets_for(Person(45, "female"), full_dri=True)
    (mg_min,) = [b for b in t.bounds_for("magnesium_mg") if b.min is not None]
    assert mg_min.source == (
        "RDA: IOM 1997, Dietary Reference Intakes for Calcium, Phosphorus, Magnesium, "
        "Vitamin D, and Fluoride, doi:10.17226/5776; "
        "https://www.ncbi.nlm.nih.gov/books/NBK545442/table/appJ_tab3/")
    (na,) = t.bounds_for("sodium_mg")
    assert na.source.startswith("CDRR: NASEM 2019") and "doi:10.17226/25353" in na.source
    (aim,) = t.aims
    assert aim.source.startswith("AI: NASEM 2019") and "doi:10.17226/25353" in aim.source
    for b in t.bounds:
        if b.source.startswith(("RDA: ", "AI: ", "AI and CDRR: ", "UL: ")):
            assert "doi:10.17226/" in b.source and "://" in b.source, b


# --------------------------------------------------------------------------- energy, protein


def test_mifflin_st_jeor_hand_computed() -> None:
    """10 w + 6.25 h - 5 a + 5 (men) / - 161 (women)."""
    assert mifflin_st_jeor("male", 30, 70, 177) == pytest.approx(1661.25)
    assert mifflin_st_jeor("female", 45, 60, 165) == pytest.approx(600 + 1031.25 - 225 - 161)


def test_energy_from_body_and_activity_within_ten_percent() -> None:
    """Energy centre = MSJ x activity factor; the bound is ±10 % around it."""
    t = targets_for(Person(30, "male", weight_kg=70, height_cm=177, activity="moderate"))
    assert t.energy_kcal == round(1661.25 * 1.55)
    (e,) = t.bounds_for("energy_kcal")
    assert e.min == pytest.approx(0.9 * t.energy_kcal, abs=0.1)
    assert e.max == pytest.approx(1.1 * t.energy_kcal, abs=0.1)
    assert not any("reference body" in w for w in t.warnings)


def test_explicit_energy_wins_and_missing_body_warns() -> None:
    """The user's number is the centre; without weight/height a warning says so."""
    t = targets_for(Person(40, "female", energy_kcal=2100))
    assert t.energy_kcal == 2100
    assert not any("reference body" in w for w in t.warnings)
    t2 = targets_for(Person(40, "female"))
    assert any("reference body" in w for w in t2.warnings)
    assert t2.energy_kcal == round(mifflin_st_jeor("female", 40, 57, 163) * 1.375)


def test_pregnancy_adds_energy_and_protein() -> None:
    """Pregnancy: +340 kcal and 1.1 g/kg protein; otherwise 0.8 g/kg."""
    base = targets_for(Person(30, "female", weight_kg=65, height_cm=168))
    preg = targets_for(Person(30, "female", "pregnancy", weight_kg=65, height_cm=168))
    assert preg.energy_kcal == base.energy_kcal + 340  # type: ignore[operator]
    assert _mins(base, "protein_g") == [52.0]
    assert _mins(preg, "protein_g") == [71.5]
    assert _maxes(base, "protein_g") == [round(0.35 * base.energy_kcal / 4, 1)]  # type: ignore[operator]


# --------------------------------------------------------------------------- cramp profile


def test_k2_window_and_supplement_only_uls() -> None:
    """K2 100-200 µg; magnesium 350 mg and vitamin E 1,000 mg ULs count supplements only."""
    t = targets_for(Person(45, "female"))
    (k2,) = t.bounds_for("k2_ug")
    assert (k2.min, k2.max, k2.unit) == (100.0, 200.0, "µg")
    assert "000_7973ab7d68f1019b.txt" in k2.source
    assert [(b.max, b.supplements_only) for b in t.bounds_for("magnesium_mg")
            if b.max is not None] == [(350.0, True)]
    assert _maxes(t, "vitamin_e_mg", supplements_only=True) == [1000.0]
    assert _maxes(t, "retinol_ug") == [3000.0]
    assert t.modes == frozenset() and t.warnings[0] == (
        "Energy and protein are estimated for a reference body (163 cm, 57 kg) because weight "
        "or height is missing: enter yours for a better estimate.")
    assert len(t.warnings) == 2 and "without added salt" in t.warnings[1]


def test_sodium_is_an_aim_and_cooking_salt_counts_toward_the_limit() -> None:
    """The AI (1,500 mg) is an aim, the CDRR (2,300 mg) a limit; 2 g of cooking salt
    (787 mg of sodium) is taken off both, and the plan says so."""
    t = targets_for(Person(45, "female"), cooking_salt_g=2.0)
    assert _maxes(t, "sodium_mg") == [1513.2] and _mins(t, "sodium_mg") == []
    assert [a.min for a in t.aims] == [713.2]
    assert any("2 g a day you entered (786.8 mg of sodium" in w for w in t.warnings)
    with pytest.raises(TargetsError, match="cooking_salt_g: must be 0-5 g"):
        targets_for(Person(45, "female"), cooking_salt_g=9.0)


def test_macro_shares_by_default_and_keto_aware() -> None:
    """Fat/carb shares by default (a day is not low-carb and high-fat unless asked);
    keto drops the carbohydrate share; macro_shares=False turns them off."""
    assert targets_for(Person(45, "female"), macro_shares=False).bounds_for("fat_g") == ()
    assert targets_for(Person(45, "female", energy_kcal=1800)).bounds_for("carbs_g") == \
        targets_for(Person(45, "female", energy_kcal=1800), macro_shares=True).bounds_for(
            "carbs_g")
    t = targets_for(Person(45, "female", energy_kcal=1800))
    (fat,) = t.bounds_for("fat_g")
    (carbs,) = t.bounds_for("carbs_g")
    assert (fat.min, fat.max) == (40.0, 70.0)
    assert (carbs.min, carbs.max) == (202.5, 292.5)
    k = targets_for(Person(45, "female", energy_kcal=1800), macro_shares=True,
                    keto_net_carbs=30)
    assert k.bounds_for("carbs_g") == ()
    assert _maxes(k, "fat_g") == [160.0]


# --------------------------------------------------------------------------- keto


@pytest.mark.parametrize("net", [20, 25, 37.5, 50])
def test_keto_caps_net_carbs(net: float) -> None:
    """Keto: a max bound on net_carbs_g, mode and diet flag set."""
    t = targets_for(Person(45, "male"), keto_net_carbs=net)
    assert _maxes(t, "net_carbs_g") == [net]
    assert "keto" in t.modes and t.diet.keto


@pytest.mark.parametrize("net", [0, 19.9, 50.1, 200, float("nan")])
def test_keto_outside_20_50_is_an_error(net: float) -> None:
    """A net-carb cap outside 20-50 g is refused, naming the field."""
    with pytest.raises(TargetsError, match=r"keto_net_carbs: .* outside 20-50"):
        targets_for(Person(45, "male"), keto_net_carbs=net)


# --------------------------------------------------------------------------- safety modes


def test_anticoagulant_mode() -> None:
    """K2 target off, natto flag excluded, total vitamin K in the clinician's daily band."""
    t = targets_for(Person(70, "male"), anticoagulant=Anticoagulant(90, 130), full_dri=True)
    assert t.bounds_for("k2_ug") == ()
    (vk,) = t.bounds_for("vitamin_k_total_ug")  # the band replaces the AI minimum
    assert (vk.min, vk.max, vk.period) == (90.0, 130.0, "day")
    assert "vitamin_k_antagonist_caution" in t.diet.exclude_flags
    assert "anticoagulant" in t.modes
    (w,) = [w for w in t.warnings if "warfarin" in w]
    assert "90" in w and "130" in w and "every day" in w


@pytest.mark.parametrize(("lo", "hi", "field"), [
    (150, 100, "anticoagulant.vitk_min_ug: 150 is greater than vitk_max_ug 100"),
    (-1, 100, "anticoagulant.vitk_min_ug: must be a number >= 0"),
    (80, float("inf"), "anticoagulant.vitk_max_ug: must be a number"),
])
def test_anticoagulant_band_is_checked(lo: float, hi: float, field: str) -> None:
    """An upside-down or negative vitamin K band is refused."""
    with pytest.raises(TargetsError) as exc:
        targets_for(Person(70, "male"), anticoagulant=Anticoagulant(lo, hi))
    assert field in str(exc.value)


def test_ckd_mode() -> None:
    """Potassium and phosphorus capped at the user's values; no potassium minimum."""
    t = targets_for(Person(64, "female"), ckd=KidneyLimits(2000, 800))
    assert _mins(t, "potassium_mg") == []
    assert _maxes(t, "potassium_mg") == [2000.0]
    assert sorted(_maxes(t, "phosphorus_mg")) == [800.0, 4000.0]
    assert "ckd" in t.modes
    assert any("Kidney disease" in w and "2000 mg" in w for w in t.warnings)
    # the K2 target (a project target, not a DRI) is off: its food sources are the protein-
    # and phosphorus-rich foods the kidney limits restrain
    assert t.bounds_for("k2_ug") == ()
    assert any("K2 target is off" in w for w in t.warnings)


def test_ckd_protein_band_and_no_magnesium_push() -> None:
    """KDOQI 2020 (CKD 3-5, not on dialysis): protein 0.6-0.8 g/kg by default; magnesium has
    no minimum (the kidney clears it) but its supplement cap stays."""
    t = targets_for(Person(64, "female", weight_kg=60.0, height_cm=160.0),
                    ckd=KidneyLimits(2000, 800))
    assert _mins(t, "protein_g") == [36.0] and _maxes(t, "protein_g") == [48.0]
    [protein] = [b for b in t.bounds if b.nutrient == "protein_g"]
    assert "doi:10.1053/j.ajkd.2020.05.006" in protein.source
    assert _mins(t, "magnesium_mg") == []
    assert [b.max for b in t.bounds if b.nutrient == "magnesium_mg" and b.supplements_only] \
        == [350.0]
    own = targets_for(Person(64, "female", weight_kg=60.0, height_cm=160.0),
                      ckd=KidneyLimits(2000, 800, 0.55, 0.6))
    assert _mins(own, "protein_g") == [33.0] and _maxes(own, "protein_g") == [36.0]
    # pregnancy keeps its protein minimum: KDOQI's restriction is not for pregnancy
    preg = targets_for(Person(30, "female", "pregnancy"), ckd=KidneyLimits(2000, 800))
    assert _mins(preg, "protein_g") == [62.7]  # 1.1 g/kg of the 57 kg reference body


def test_ckd_limits_must_be_positive() -> None:
    """A zero or negative cap names its field."""
    with pytest.raises(TargetsError, match=r"ckd.potassium_max_mg: must be a number > 0"):
        targets_for(Person(64, "female"), ckd=KidneyLimits(0, 800))
    with pytest.raises(TargetsError, match=r"ckd.protein_min_g_per_kg: 0.9 is greater than"):
        targets_for(Person(64, "female"), ckd=KidneyLimits(2000, 800, 0.9, 0.6))


@pytest.mark.parametrize("stage", ["pregnancy", "lactation"])
def test_pregnancy_and_lactation_mode(stage: str) -> None:
    """Their DRIs apply, liver (high_vitamin_a) is excluded, a warning explains why."""
    t = targets_for(Person(33, "female", stage))  # type: ignore[arg-type]
    assert stage in t.modes
    assert "high_vitamin_a" in t.diet.exclude_flags
    assert any("liver" in w for w in t.warnings)
    want = {"pregnancy": 360.0, "lactation": 320.0}[stage]
    assert _mins(t, "magnesium_mg") == [want]


def test_modes_combine_and_keep_user_diet() -> None:
    """Safety exclusions add to the user's own filter rather than replacing it."""
    d = diet_filter(diet="vegan", exclude_flags=["supplement"])
    t = targets_for(Person(30, "female", "pregnancy"), diet=d,
                    anticoagulant=Anticoagulant(80, 120))
    assert t.diet.diet == "vegan"
    assert t.diet.exclude_flags == {"supplement", "high_vitamin_a", "listeria_risk",
                                    "raw_animal", "high_iodine",
                                    "vitamin_k_antagonist_caution"}
    assert t.modes == {"pregnancy", "anticoagulant"}


# --------------------------------------------------------------------------- weekly view


def test_hold_weekly_makes_weekly_average_with_daily_floor() -> None:
    """Minimum -> weekly average, daily floor = 50 % of it, daily max unchanged."""
    t = targets_for(Person(45, "female"), weekly=())
    w = hold_weekly(t, ["vitamin_d_ug", "k2_ug"])
    (k2,) = w.bounds_for("k2_ug")
    assert (k2.period, k2.min, k2.daily_min, k2.max) == ("week", 100.0, 50.0, 200.0)
    assert k2.weekly_max  # K2 has no upper limit: its 200 µg is on the average too
    vd = w.bounds_for("vitamin_d_ug")
    assert [(b.period, b.min, b.daily_min, b.max) for b in vd] == [
        ("week", 15.0, 7.5, None), ("day", None, None, 100.0)]
    assert t.bounds_for("k2_ug")[0].period == "day"  # the input is unchanged
    assert hold_weekly(t, ["vitamin_d_ug"], 0.25).bounds_for("vitamin_d_ug")[0].daily_min == 3.75
    validate_targets(w)


def test_hold_weekly_refusals() -> None:
    """Bad fraction, no minimum to hold, or vitamin K under an anticoagulant."""
    t = targets_for(Person(45, "female"), anticoagulant=Anticoagulant(80, 120))
    with pytest.raises(TargetsError, match="floor_fraction"):
        hold_weekly(t, ["vitamin_d_ug"], 1.5)
    with pytest.raises(TargetsError, match="no minimum bound on 'retinol_ug'"):
        hold_weekly(t, ["retinol_ug"])
    with pytest.raises(TargetsError, match="same every day"):
        hold_weekly(t, ["vitamin_k_total_ug"])


def test_targets_for_weekly_argument() -> None:
    """targets_for(weekly=...) is hold_weekly on the result."""
    t = targets_for(Person(45, "female"), weekly=["vitamin_d_ug"], weekly_floor_fraction=0.6)
    b = t.bounds_for("vitamin_d_ug")[0]
    assert b.period == "week" and b.daily_min == pytest.approx(9.0)


# --------------------------------------------------------------------------- bound checks


@pytest.mark.parametrize(("bound", "message"), [
    (Bound("magnesium_mg", 500, 400), "bounds[1].min: 500 is greater than max 400"),
    (Bound("k2_ug", 200, 100), "bounds[1].min: the vitamin K2 window is upside down"),
    (Bound("unobtainium", 1), "bounds[1].nutrient: unknown nutrient 'unobtainium'"),
    (Bound("magnesium_mg", 1, unit="g"), "bounds[1].unit: 'g' is the wrong unit"),
    (Bound("magnesium_mg", -1), "bounds[1].min: negative value -1"),
    (Bound("magnesium_mg", math.inf), "bounds[1].min: must be a number"),
    (Bound("magnesium_mg"), "bounds[1].min: a bound needs a min, a max or both"),
    (Bound("magnesium_mg", 10, daily_min=5), "bounds[1].daily_min: only a weekly bound"),
    (Bound("magnesium_mg", 10, period="week", daily_min=20),
     "bounds[1].daily_min: the daily floor must not exceed"),
    (Bound("magnesium_mg", 10, 20, supplements_only=True),
     "bounds[1].supplements_only: a supplements-only bound is a max without a min"),
])
def test_bound_problems_name_the_field(bound: Bound, message: str) -> None:
    """Each invalid-bound class is reported with its field name."""
    problems = bound_problems([Bound("energy_kcal", 1000), bound])
    assert [p.message for p in problems if p.message.startswith("bounds[1]")] == []
    problems = bound_problems([bound])
    assert any(p.message.startswith(message) for p in problems), problems


def test_bound_on_generic_column_and_against_a_table() -> None:
    """Any unit-suffixed column is allowed; with a table it must be one of its columns."""
    assert bound_problems([Bound("omega3_mg", 250, unit="mg")]) == []
    assert bound_problems([Bound("omega3_mg", 250, unit="ug")])[0].message.startswith(
        "bounds[1].unit")
    probs = bound_problems([Bound("k2_ug", 100)], columns=["energy_kcal"])
    assert probs[0].message == "bounds[1].nutrient: the food table has no column 'k2_ug'"
    assert unit_of("omega3_mg") == "mg"


# --------------------------------------------------------------------------- diet filter

FOODS_CSV = b"""id,name,food_group,energy_kcal,diet_tags,allergens,flags
tofu,Tofu,Legumes,76,vegan,soy,
gouda,Gouda,Dairy,356,vegetarian,milk,fermented
salmon,Salmon,Fish,208,pescatarian,fish,
chicken,Chicken,Poultry,165,,,
natto,Natto,Legumes,212,vegan,soy,fermented;vitamin_k_antagonist_caution
chicken_liver,Chicken liver,Poultry,119,,,high_vitamin_a
almonds,Almonds,Nuts,579,vegan,tree_nuts,
peanut_butter,Peanut butter,Nuts,588,vegan,peanuts,
bread,Wholemeal bread,Grains,247,vegan,gluten,staple
soy_drink,Soy drink with vitamin D,Beverages,54,vegan,soy,fortified
magnesium_tablet,Magnesium tablet,Supplements,0,vegan,,supplement
"""


@pytest.fixture(scope="module")
def foods() -> FoodTable:
    """A small tagged food table."""
    return parse_food_csv(FOODS_CSV, "test foods")


def _ids(table: FoodTable, diet: DietFilter) -> set[str]:
    return set(filter_foods(table, diet).ids)


VEGAN = {"tofu", "natto", "almonds", "peanut_butter", "bread", "soy_drink", "magnesium_tablet"}


@pytest.mark.parametrize(("diet", "expected"), [
    ("vegan", VEGAN),
    ("vegetarian", VEGAN | {"gouda"}),
    ("pescatarian", VEGAN | {"gouda", "salmon"}),
])
def test_diets_use_diet_tags(foods: FoodTable, diet: str, expected: set[str]) -> None:
    """Vegan foods pass vegetarian and pescatarian; untagged foods pass no diet."""
    assert _ids(foods, DietFilter(diet=diet)) == expected


@pytest.mark.parametrize(("kwargs", "dropped"), [
    ({"dairy_free": True}, {"gouda"}),
    ({"gluten_free": True}, {"bread"}),
    ({"nut_free": True}, {"almonds", "peanut_butter"}),
    ({"allergens": ["soy", "fish"]}, {"tofu", "natto", "soy_drink", "salmon"}),
    ({"exclude_flags": ["fortified", "supplement"]}, {"soy_drink", "magnesium_tablet"}),
    ({"exclude_groups": ["poultry"]}, {"chicken", "chicken_liver"}),
    ({"exclude_foods": ["tofu", "salmon"]}, {"tofu", "salmon"}),
    ({"favourites": ["gouda"], "dislikes": ["salmon"], "keto": True}, set()),
])
def test_filters_drop_exactly_the_right_foods(foods: FoodTable, kwargs: dict[str, object],
                                              dropped: set[str]) -> None:
    """Each filter removes exactly its foods; favourites, dislikes and keto do not filter."""
    d = diet_filter(**kwargs)  # type: ignore[arg-type]
    assert set(foods.ids) - _ids(foods, d) == dropped


def test_filter_is_pure_and_keeps_order(foods: FoodTable) -> None:
    """The input table is not changed and the order is kept."""
    before = foods.df.copy()
    out = filter_foods(foods, DietFilter(diet="vegan"))
    assert out.ids == [i for i in foods.ids if i in VEGAN]
    assert foods.df.equals(before)


def test_safety_mode_filters_drop_natto_and_liver(foods: FoodTable) -> None:
    """Anticoagulant drops natto; pregnancy drops liver, through the targets' diet."""
    t = targets_for(Person(30, "female", "pregnancy"), anticoagulant=Anticoagulant(80, 120))
    assert set(foods.ids) - _ids(foods, t.diet) == {"natto", "chicken_liver"}


def test_validate_against_names_unknown_ids(foods: FoodTable) -> None:
    """Unknown ids in exclude/dislike/favourite lists and unknown groups are all named."""
    d = diet_filter(exclude_foods=["tofu", "kale"], dislikes=["okra"],
                    favourites=["banana", "bananas"], exclude_groups=["Sweets"])
    with pytest.raises(TargetsError) as exc:
        validate_against(d, foods)
    msg = str(exc.value)
    assert "diet.exclude_foods: unknown food id kale" in msg
    assert "diet.dislikes: unknown food id okra" in msg
    assert "diet.favourites: unknown food ids banana, bananas" in msg
    assert "diet.exclude_groups: unknown food group Sweets" in msg
    validate_against(diet_filter(exclude_foods=["tofu"], exclude_groups=["dairy"]), foods)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"diet": "carnivore"}, "diet.diet: unknown diet 'carnivore'"),
    ({"allergens": ["lupin"]}, "diet.allergens: unknown 'lupin'"),
    ({"exclude_flags": ["spicy"]}, "diet.exclude_flags: unknown 'spicy'"),
    ({"favourites": ["tofu"], "dislikes": ["tofu"]}, "diet.favourites: tofu also excluded"),
])
def test_diet_filter_words_are_checked(kwargs: dict[str, object], message: str) -> None:
    """Unknown diet words are refused with the field named."""
    with pytest.raises(TargetsError, match=message):
        diet_filter(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- shipped table


FEASIBILITY_CASES = {
    "default woman 45": ({}, Person(45, "female")),
    "man 75, full DRI": ({"full_dri": True}, Person(75, "male")),
    "pregnancy, full DRI": ({"full_dri": True}, Person(30, "female", "pregnancy")),
    "vegan keto": ({"keto_net_carbs": 25, "diet": DietFilter(diet="vegan")},
                   Person(45, "female")),
    "anticoagulant": ({"anticoagulant": Anticoagulant(80, 150)}, Person(70, "male")),
    "ckd": ({"ckd": KidneyLimits(2000, 800)}, Person(60, "female")),
    "macro shares, dairy-free": ({"macro_shares": True, "diet": diet_filter(dairy_free=True)},
                                 Person(45, "female")),
    "pregnancy 28": ({}, Person(28, "female", "pregnancy")),
    "lactation 30": ({}, Person(30, "female", "lactation")),
    "healthy day, woman 45": ({"healthy": ["saturated_fat", "fibre", "fruit_veg", "vitamin_c",
                                           "protein_share"]}, Person(45, "female")),
    "healthy day, vegan pregnancy": ({"healthy": ["saturated_fat", "fibre", "fruit_veg"],
                                      "diet": DietFilter(diet="vegan")},
                                     Person(28, "female", "pregnancy")),
}


@pytest.mark.parametrize("case", list(FEASIBILITY_CASES))
def test_defaults_are_feasible_on_the_shipped_table(case: str) -> None:
    """Each profile names only shipped columns and is met by some mix of allowed foods.

    The check is the continuous relaxation (grams per food, at most 400 g of any food and
    2.5 kg a day, no supplements, unknown values as 0): if it fails, no plan can exist.
    """
    import numpy as np
    from scipy.optimize import linprog

    from mealplan.foods import load_default_table

    kwargs, person = FEASIBILITY_CASES[case]
    table = load_default_table()
    t = targets_for(person, **kwargs)  # type: ignore[arg-type]
    validate_targets(t, table)
    allowed = filter_foods(table, t.diet).df
    rows, rhs = [], []
    for b in t.bounds:
        if b.supplements_only:
            continue
        per_gram = allowed[b.nutrient].astype(float).fillna(0.0).to_numpy() / 100.0
        if b.min is not None:
            rows.append(-per_gram)
            rhs.append(-b.min)
        if b.max is not None:
            rows.append(per_gram)
            rhs.append(b.max)
    rows.append(np.ones(len(allowed)))
    rhs.append(2500.0)
    res = linprog(np.zeros(len(allowed)), A_ub=np.array(rows), b_ub=np.array(rhs),
                  bounds=[(0.0, 400.0)] * len(allowed), method="highs")
    assert res.status == 0, res.message


def test_safety_modes_on_the_shipped_table() -> None:
    """Anticoagulant mode drops natto; pregnancy drops every liver food of the shipped table,
    the listeria-risk cheeses, smoked and pickled fish and pâtés, raw eggs and kelp;
    breastfeeding drops liver and kelp only."""
    from mealplan.foods import load_default_table

    table = load_default_table()
    anti = filter_foods(table, targets_for(Person(70, "male"),
                                           anticoagulant=Anticoagulant(80, 150)).diet)
    assert "natto" in table.ids and "natto" not in anti.ids
    preg = filter_foods(table, targets_for(Person(30, "female", "pregnancy")).diet)
    livers = {i for i in table.ids if "liver" in i}
    assert livers and not livers & set(preg.ids)
    risky = {"cheese_brie", "cheese_camembert", "cheese_blue", "cheese_roquefort",
             "cheese_feta", "cheese_queso_fresco", "cheese_limburger", "cheese_goat_soft",
             "salmon_smoked", "herring_kippered", "herring_pickled", "egg_whole_raw",
             "egg_yolk", "egg_white", "egg_duck", "kelp"}
    assert set(table.ids) - set(preg.ids) == livers | risky
    nursing = filter_foods(table, targets_for(Person(30, "female", "lactation")).diet)
    assert set(table.ids) - set(nursing.ids) == livers | {"kelp"}


# --------------------------------------------------------------------------- extra DRI rows


def test_extra_dri_rows_cite_primary_sources_and_cover_every_band() -> None:
    """dri_extra.csv: folate, vitamin C, choline and iodine for every adult band, each row
    naming the IOM report (DOI) and an NCBI Bookshelf summary table."""
    extra = load_dri_extra()
    assert len(extra) == 48
    assert {r.nutrient for r in extra} == {"folate", "vitamin_c", "choline", "iodine"}
    for r in extra:
        assert r.report.startswith("IOM ") and "doi:10.17226/" in r.report, r
        assert r.summary_table_url.startswith("https://www.ncbi.nlm.nih.gov/books/NBK"), r
        assert r.ul is not None and "ncbi.nlm.nih.gov/books/NBK" in r.ul_note, r
    assert len(load_dri()) == 166 + 48
    assert DRI_INFO_ONLY.keys() == {"iodine"}
    assert dri_value("iodine", "female", 28, "pregnancy").column == ""  # type: ignore[union-attr]


@pytest.mark.parametrize(("nutrient", "values"), [
    # RESEARCH_NOTES §7 and the IOM reports: men, women, pregnancy, lactation; UL
    ("folate", (400, 400, 600, 500, 1000)),
    ("vitamin_c", (90, 75, 85, 120, 2000)),
    ("choline", (550, 425, 450, 550, 3500)),
    ("iodine", (150, 150, 220, 290, 1100)),
])
def test_extra_dri_values(nutrient: str, values: tuple[float, ...]) -> None:
    """The extra rows carry the published RDA/AI and UL for each life stage."""
    men, women, preg, lact, ul = values
    for age in (19, 30, 31, 50):
        for sex, stage, want in (("male", None, men), ("female", None, women),
                                 ("female", "pregnancy", preg), ("female", "lactation", lact)):
            row = dri_value(nutrient, sex, age, stage)
            assert row is not None and (row.value, row.ul) == (want, ul), (sex, age, stage)
    for age in (51, 70, 71, 90):
        assert dri_value(nutrient, "male", age, None).value == men  # type: ignore[union-attr]


_HEAD = ("nutrient,unit,sex,age_min,age_max,life_stage,rda_or_ai,kind,ul,ul_note,report,"
         "summary_table_url\n")


def _rows(*lines: str) -> tuple[DriRow, ...]:
    return parse_dri_csv(_HEAD + "".join(line + "\n" for line in lines), "test")


def test_merge_fills_only_a_blank_ul_and_appends_new_bands() -> None:
    """An extra row may fill a blank reference UL (with its note) or add a band; a matching
    row that agrees changes nothing."""
    ref = _rows("zinc,mg/d,female,19,30,pregnancy,11,RDA,,ref note,IOM 2001,https://x",
                "iron,mg/d,female,19,30,pregnancy,27,RDA,45,ref note,IOM 2001,https://x")
    extra = _rows("zinc,mg/d,female,19,30,pregnancy,11,RDA,40,fills the blank,IOM 2001,https://y",
                  "iron,mg/d,female,19,30,pregnancy,27,RDA,45,same,IOM 2001,https://y",
                  "folate,ug DFE/d,female,19,30,pregnancy,600,RDA,1000,n,IOM 1998,https://y")
    zinc, iron, folate = merge_dri(ref, extra)
    assert (zinc.ul, zinc.ul_note, zinc.summary_table_url) == (40.0, "fills the blank",
                                                               "https://x")
    assert iron == ref[1]
    assert folate == extra[2]


@pytest.mark.parametrize(("line", "message"), [
    ("iron,mg/d,female,19,30,pregnancy,27,RDA,50,x,IOM 2001,https://y",
     "row 1, column 'ul': UL 50 differs from the reference's 45"),
    ("iron,mg/d,female,19,30,pregnancy,30,RDA,,x,IOM 2001,https://y",
     "row 1, column 'rda_or_ai': RDA 30 differs from the reference's 27"),
])
def test_merge_never_overrides_a_reference_value(line: str, message: str) -> None:
    """An extra row that contradicts a non-blank reference value is refused, never applied."""
    ref = _rows("iron,mg/d,female,19,30,pregnancy,27,RDA,45,ref,IOM 2001,https://x")
    with pytest.raises(TargetsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        merge_dri(ref, _rows(line))
    with pytest.raises(TargetsError, match="appears twice"):
        merge_dri(ref, _rows("folate,ug DFE/d,female,19,30,,400,RDA,,x,IOM 1998,https://y",
                             "folate,ug DFE/d,female,19,30,,400,RDA,,x,IOM 1998,https://y"))


def test_shipped_merge_keeps_every_reference_value() -> None:
    """Every reference row survives the merge with its value, and its UL where it had one."""
    merged = {r.key: r for r in load_dri()}
    for ref in load_dri_reference():
        got = merged[ref.key]
        assert got.value == ref.value and got.report == ref.report
        if ref.ul is not None:
            assert (got.ul, got.ul_note) == (ref.ul, ref.ul_note)


# --------------------------------------------------------------------------- pregnancy, lactation


def _supp_max(t: Targets, col: str) -> list[float]:
    return _maxes(t, col, supplements_only=True)


def test_pregnancy_nutrients_female_28() -> None:
    """Pregnancy (issue 10): folate 600 µg DFE, iron 27 mg (UL 45), vitamin C 85 mg as
    minimums; choline 450 mg as an aim; folic acid, vitamin C and choline ULs on supplements
    only (no food-wide max: foods with unknown values would be dropped); fish <= 340 g a week;
    iodine said plainly, never bounded."""
    t = targets_for(Person(28, "female", "pregnancy"))
    assert _mins(t, "folate_dfe_ug") == [600.0] and _supp_max(t, "folate_dfe_ug") == [1000.0]
    assert _mins(t, "iron_mg") == [27.0] and _maxes(t, "iron_mg") == [45.0]
    assert _mins(t, "vitamin_c_mg") == [85.0] and _supp_max(t, "vitamin_c_mg") == [2000.0]
    assert _mins(t, "choline_mg") == [] and _supp_max(t, "choline_mg") == [3500.0]
    for col in ("folate_dfe_ug", "vitamin_c_mg", "choline_mg"):
        assert _maxes(t, col) == [], col  # never a food-wide maximum
    (choline,) = [a for a in t.aims if a.nutrient == "choline_mg"]
    assert choline.min == 450.0 and "not a floor" in choline.reason
    assert "35 foods" in choline.reason and "doi:10.17226/6015" in choline.source
    (folate,) = [b for b in t.bounds_for("folate_dfe_ug") if b.min is not None]
    assert folate.source.startswith("RDA: IOM 1998") and "NBK56068" in folate.source
    assert not any("iodine" in b.nutrient for b in t.bounds)
    (fish,) = t.weekly_max
    assert (fish.kind, fish.grams) == ("fish", 340.0) and "fda.gov" in fish.source
    (w,) = [w for w in t.warnings if w.startswith("Pregnancy nutrients")]
    assert "Iodine (220 µg a day) is not in the food data" in w
    assert "iodised salt or a supplement with 150 µg of iodine" in w
    assert "227-340 g (8-12 oz) a week of low-mercury fish" in w and "FDA/EPA" in w
    validate_targets(t)


def test_lactation_nutrients_female_30() -> None:
    """Breastfeeding: folate 500, iron 9, vitamin C 120 as minimums; choline 550 an aim; the
    same fish cap; iodine 290 µg said plainly."""
    t = targets_for(Person(30, "female", "lactation"))
    assert _mins(t, "folate_dfe_ug") == [500.0]
    assert _mins(t, "iron_mg") == [9.0] and _maxes(t, "iron_mg") == [45.0]
    assert _mins(t, "vitamin_c_mg") == [120.0]
    assert [a.min for a in t.aims if a.nutrient == "choline_mg"] == [550.0]
    assert [(c.kind, c.grams) for c in t.weekly_max] == [("fish", 340.0)]
    assert any("Breastfeeding nutrients" in w and "Iodine (290 µg a day)" in w
               for w in t.warnings)


def test_full_dri_pregnancy_holds_iron_once() -> None:
    """full_dri and pregnancy both want iron at the RDA: one minimum, not two."""
    t = targets_for(Person(28, "female", "pregnancy"), full_dri=True)
    assert _mins(t, "iron_mg") == [27.0]


def test_weekly_caps_follow_modes_unless_set() -> None:
    """weekly_max follows the modes (so a saved profile keeps the fish cap); weekly_caps=()
    turns the caps off; every cap names a food kind of mealplan.units.KINDS."""
    from dataclasses import replace

    from mealplan.profiles import load_profile, save_profile
    from mealplan.targets import default_weekly_caps
    from mealplan.units import KINDS

    assert targets_for(Person(45, "female")).weekly_max == ()
    both = default_weekly_caps({"pregnancy", "lactation"})
    assert [(c.kind, c.grams) for c in both] == [("fish", 340.0)]
    assert all(c.kind in KINDS for c in both)
    t = targets_for(Person(28, "female", "pregnancy"))
    assert replace(t, weekly_caps=()).weekly_max == ()
    assert t.weekly_caps is None and t.weekly_max == both
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.toml"
        save_profile(path, t, person=Person(28, "female", "pregnancy"))
        assert load_profile(path).targets.weekly_max == both


# --------------------------------------------------------------------------- healthy day


def test_healthy_default_and_none() -> None:
    """healthy=None holds exactly HEALTHY_DEFAULT's rules (none for now); an empty set holds
    no healthy-day bound at all."""
    from mealplan.targets import HEALTHY_DEFAULT, HEALTHY_RULES, healthy_rules_on

    assert set(HEALTHY_RULES) >= HEALTHY_DEFAULT
    assert healthy_rules_on(targets_for(Person(45, "female"))) == HEALTHY_DEFAULT
    t = targets_for(Person(45, "female"), healthy=())
    assert healthy_rules_on(t) == frozenset()
    for col in ("saturated_fat_g", "fiber_g", "fruit_veg_g", "vitamin_c_mg"):
        assert t.bounds_for(col) == (), col


def test_healthy_day_female_45() -> None:
    """Every rule on (female 45, 1,800 kcal): saturated fat <= 20 g (10 % of energy / 9),
    fibre >= 25.2 g (14 per 1,000 kcal), fruit and vegetables >= 400 g, vitamin C >= 75 mg
    (its supplement UL too), protein >= 45 g (10 % of energy beats 0.8 g/kg x 52 = 41.6 g)."""
    from mealplan.targets import HEALTHY_RULES, healthy_rules_on

    t = targets_for(Person(45, "female", weight_kg=52.0, energy_kcal=1800),
                    healthy=HEALTHY_RULES)
    assert _maxes(t, "saturated_fat_g") == [20.0] and _mins(t, "saturated_fat_g") == []
    assert _mins(t, "fiber_g") == [25.2]
    assert _mins(t, "fruit_veg_g") == [400.0]
    assert _mins(t, "vitamin_c_mg") == [75.0] and _supp_max(t, "vitamin_c_mg") == [2000.0]
    assert _mins(t, "protein_g") == [45.0] and _maxes(t, "protein_g") == [157.5]
    assert healthy_rules_on(t) == set(HEALTHY_RULES)
    for name, rule in HEALTHY_RULES.items():
        (b,) = [b for b in t.bounds_for(rule.column) if not b.supplements_only]
        assert f"healthy-day rule '{name}'" in b.reason and b.source, name
    # a heavier person: the g/kg minimum wins
    heavy = targets_for(Person(45, "female", weight_kg=90.0, energy_kcal=1800),
                        healthy=["protein_share"])
    assert _mins(heavy, "protein_g") == [72.0]
    validate_targets(t)


def test_healthy_day_keto_drops_fibre_and_saturated_fat() -> None:
    """Keto keeps fruit and vegetables and vitamin C; 14 g of fibre per 1,000 kcal and
    saturated fat under 10 % do not fit 20-50 g of net carbs with 70-80 % of energy from fat."""
    from mealplan.targets import HEALTHY_RULES, healthy_rules_on

    t = targets_for(Person(40, "male", energy_kcal=2400), keto_net_carbs=25,
                    healthy=HEALTHY_RULES)
    assert healthy_rules_on(t) == set(HEALTHY_RULES) - {"fibre", "saturated_fat"}
    assert _maxes(t, "saturated_fat_g") == [] and _mins(t, "fiber_g") == []
    assert _mins(t, "fruit_veg_g") == [400.0]


def test_healthy_day_kidney_male_65_drops_protein_share_fruit_veg_and_fibre() -> None:
    """Kidney mode: KDOQI holds protein, and the clinician's potassium cap decides how much
    produce and fibre-rich food fits; saturated fat and vitamin C stay."""
    from mealplan.targets import HEALTHY_RULES, healthy_rules_on

    t = targets_for(Person(65, "male", weight_kg=70.0, height_cm=175.0),
                    ckd=KidneyLimits(2000, 1000), healthy=HEALTHY_RULES)
    assert healthy_rules_on(t) == set(HEALTHY_RULES) - {"protein_share", "fruit_veg", "fibre"}
    assert _mins(t, "protein_g") == [42.0] and _maxes(t, "protein_g") == [56.0]
    assert _mins(t, "vitamin_c_mg") == [90.0]
    assert _mins(t, "fruit_veg_g") == [] and _mins(t, "fiber_g") == []
    assert t.weekly_max == ()


def test_pregnancy_with_healthy_vitamin_c_holds_it_once() -> None:
    """Pregnancy and the vitamin C rule: one minimum (the pregnancy RDA), marked as the rule."""
    from mealplan.targets import healthy_rules_on

    t = targets_for(Person(28, "female", "pregnancy"), healthy=["vitamin_c"])
    assert _mins(t, "vitamin_c_mg") == [85.0] and _supp_max(t, "vitamin_c_mg") == [2000.0]
    assert healthy_rules_on(t) == {"vitamin_c"}


def test_unknown_healthy_rule_is_refused() -> None:
    """A misspelt rule name is an error naming the field and the choices."""
    with pytest.raises(TargetsError, match=r"healthy: unknown rule 'fiber' \(choose from"):
        targets_for(Person(45, "female"), healthy=["fiber"])
    from mealplan.targets import healthy_rules_on
    assert healthy_rules_on(targets_for(Person(45, "female"), healthy="fibre")) == {"fibre"}
