"""Profiles: exact TOML round-trip, atomic save, and one test per class of invalid profile."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mealplan.errors import ProfileError, TargetsError
from mealplan.foods import parse_food_csv
from mealplan.profiles import (
    Profile,
    load_profile,
    profile_from_toml,
    profile_to_toml,
    save_profile,
)
from mealplan.targets import (
    Anticoagulant,
    Bound,
    DietFilter,
    KidneyLimits,
    Person,
    Targets,
    targets_for,
)
from mealplan.units import ALLERGENS, FLAGS, NUTRIENTS

# --------------------------------------------------------------------------- round trip

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
_amount = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
_ids = st.frozensets(st.from_regex(r"[a-z][a-z0-9]{0,6}(_[a-z0-9]{1,4})?", fullmatch=True),
                     max_size=4)


@st.composite
def _bounds(draw: st.DrawFn) -> Bound:
    col = draw(st.sampled_from(sorted(NUTRIENTS)))
    kind = draw(st.sampled_from(["min", "max", "both", "week", "supp"]))
    a, b = sorted((draw(_amount), draw(_amount)))
    unit = draw(st.sampled_from(["", NUTRIENTS[col].unit]))
    src, why = draw(_text), draw(_text)
    if kind == "min":
        return Bound(col, a, None, unit, src, why)
    if kind == "max":
        return Bound(col, None, b, unit, src, why)
    if kind == "both":
        return Bound(col, a, b, unit, src, why)
    if kind == "week":
        return Bound(col, b, None, unit, src, why, "week", a)
    return Bound(col, None, b, unit, src, why, supplements_only=True)


_diets = st.builds(
    DietFilter,
    diet=st.sampled_from([None, "vegan", "vegetarian", "pescatarian"]),
    keto=st.booleans(),
    allergens=st.frozensets(st.sampled_from(sorted(ALLERGENS))),
    exclude_foods=_ids,
    exclude_groups=st.frozensets(_text.filter(str.strip), max_size=3),
    exclude_flags=st.frozensets(st.sampled_from(sorted(FLAGS))),
    dislikes=_ids,
    favourites=st.just(frozenset({"fav_food"})),
)
_people = st.builds(
    Person,
    age=st.integers(19, 120),
    sex=st.just("female"),
    life_stage=st.sampled_from([None, "pregnancy", "lactation"]),
    weight_kg=st.none() | st.floats(25, 400),
    height_cm=st.none() | st.floats(100, 250),
    activity=st.sampled_from(["sedentary", "light", "moderate", "active", "very_active"]),
    energy_kcal=st.none() | st.floats(800, 6000),
).filter(lambda p: p.life_stage is None or p.age <= 50)
_targets = st.builds(
    Targets,
    bounds=st.lists(_bounds(), min_size=1, max_size=6).map(tuple),
    diet=_diets,
    energy_kcal=st.none() | st.floats(1, 10000),
    modes=st.frozensets(st.sampled_from(["anticoagulant", "ckd", "pregnancy", "lactation",
                                         "keto"])),
    warnings=st.lists(_text, max_size=3).map(tuple),
    allow_supplements=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(targets=_targets, person=st.none() | _people, name=_text)
def test_profile_round_trips_exactly(targets: Targets, person: Person | None,
                                     name: str) -> None:
    """Any valid profile written as TOML reads back equal, field for field."""
    profile = Profile(targets, person, name)
    text = profile_to_toml(profile)
    assert profile_from_toml(text) == profile
    assert profile_to_toml(profile_from_toml(text)) == text


@pytest.mark.parametrize("kwargs", [
    {},
    {"anticoagulant": Anticoagulant(80, 120), "full_dri": True},
    {"ckd": KidneyLimits(2000, 800), "keto_net_carbs": 30, "macro_shares": True},
    {"weekly": ["vitamin_d_ug", "k2_ug"]},
])
def test_built_targets_round_trip_through_a_file(tmp_path: Path,
                                                 kwargs: dict[str, object]) -> None:
    """save_profile then load_profile returns the same targets and person."""
    person = Person(34, "female", "pregnancy", 63.5, 166.0, "moderate")
    t = targets_for(person, **kwargs)  # type: ignore[arg-type]
    path = tmp_path / "anna.toml"
    save_profile(path, t, person=person, name="Anna")
    loaded = load_profile(path)
    assert loaded == Profile(t, person, "Anna")
    assert [p.name for p in tmp_path.iterdir()] == ["anna.toml"]  # no temp files left


def test_save_is_atomic_and_refuses_invalid_targets(tmp_path: Path) -> None:
    """An invalid profile is never written; the old file stays intact."""
    path = tmp_path / "p.toml"
    good = targets_for(Person(45, "female"))
    save_profile(path, good)
    before = path.read_text(encoding="utf-8")
    bad = Targets((Bound("magnesium_mg", 500, 400),))
    with pytest.raises(ProfileError, match=r"bounds\[1\].min"):
        save_profile(path, bad)
    assert path.read_text(encoding="utf-8") == before
    assert len(list(tmp_path.iterdir())) == 1


def test_minimal_targets_file_for_a_generic_table() -> None:
    """A targets file for a user's own table needs only [[bounds]] naming its columns."""
    table = parse_food_csv(b"id,name,omega3_mg,energy_kcal\nflax,Flaxseed,22800,534\n",
                           "my.csv")
    text = '[[bounds]]\nnutrient = "omega3_mg"\nmin = 250\n\n' \
           '[[bounds]]\nnutrient = "energy_kcal"\nmax = 2000\n'
    p = profile_from_toml(text, "t.toml", table=table)
    assert p.targets.bounds == (Bound("omega3_mg", 250.0), Bound("energy_kcal", None, 2000.0))
    assert p.person is None and p.targets.diet == DietFilter()


# --------------------------------------------------------------------------- invalid profiles

_BASE = '[[bounds]]\nnutrient = "magnesium_mg"\nmin = 300\nunit = "mg"\n'


def _err(text: str, **kw: object) -> str:
    with pytest.raises(ProfileError) as exc:
        profile_from_toml(text, "p.toml", **kw)  # type: ignore[arg-type]
    assert isinstance(exc.value, TargetsError)
    return str(exc.value)


@pytest.mark.parametrize(("text", "message"), [
    pytest.param(_BASE + 'max = 200\n', "bounds[1].min: 300 is greater than max 200",
                 id="min-above-max"),
    pytest.param('[[bounds]]\nnutrient = "magic_dust"\nmin = 1\n',
                 "bounds[1].nutrient: unknown nutrient 'magic_dust'", id="unknown-nutrient"),
    pytest.param('[[bounds]]\nnutrient = "vitamin_d_ug"\nmin = 15\nunit = "mg"\n',
                 "bounds[1].unit: 'mg' is the wrong unit for vitamin_d_ug (expected 'µg')",
                 id="wrong-unit"),
    pytest.param('[[bounds]]\nnutrient = "sodium_mg"\nmax = -5\n',
                 "bounds[1].max: negative value -5", id="negative"),
    pytest.param(_BASE + '[[bounds]]\nnutrient = "k2_ug"\nmin = 200\nmax = 100\n',
                 "bounds[2].min: the vitamin K2 window is upside down: min 200 is greater "
                 "than max 100", id="k2-upside-down"),
    pytest.param(_BASE + 'min = 3\n', "not valid TOML", id="toml-duplicate-key"),
    pytest.param('[[bounds]\nnutrient = 1', "not valid TOML", id="toml-syntax"),
    pytest.param('[[bounds]]\nnutrient = "iron_mg"\nmin = "lots"\n',
                 "bounds[1].min: must be a number, not text 'lots'", id="wrong-type-number"),
    pytest.param('[[bounds]]\nnutrient = "iron_mg"\nmin = true\n',
                 "bounds[1].min: must be a number, not true", id="wrong-type-bool"),
    pytest.param(_BASE + 'supplements_only = "yes"\n',
                 "bounds[1].supplements_only: must be true or false", id="wrong-type-flag"),
    pytest.param('[[bounds]]\nnutrient = 7\nmin = 1\n',
                 "bounds[1].nutrient: must be text, not int 7", id="wrong-type-text"),
    pytest.param('bounds = "magnesium"\n', "bounds: must be a list of [[bounds]] tables",
                 id="wrong-type-bounds"),
    pytest.param('name = "x"\n', "bounds: is required", id="no-bounds"),
    pytest.param(_BASE + 'minimum = 3\n', "bounds[1].minimum: unknown field",
                 id="unknown-field"),
    pytest.param(_BASE + 'period = "month"\n', "bounds[1].period: must be 'day' or 'week'",
                 id="bad-period"),
    pytest.param('version = 2\n' + _BASE, "version: 2 is not supported", id="version"),
    pytest.param('[person]\nage = 12\nsex = "female"\n' + _BASE,
                 "person.age: 12 is under 19", id="person-under-19"),
    pytest.param('[person]\nage = 40.5\nsex = "female"\n' + _BASE,
                 "person.age: must be a whole number", id="person-age-type"),
    pytest.param('[diet]\nallergens = ["lupin"]\n' + _BASE,
                 "diet.allergens: unknown 'lupin'", id="diet-allergen"),
    pytest.param('[diet]\nallergens = "milk"\n' + _BASE,
                 "diet.allergens: must be a list of text", id="diet-type"),
    pytest.param('modes = ["vampire"]\n' + _BASE, "modes: unknown 'vampire'", id="mode"),
    pytest.param('energy_kcal = 0\n' + _BASE, "energy_kcal: must be a number > 0",
                 id="energy"),
])
def test_invalid_profile_message_names_the_field(text: str, message: str) -> None:
    """Each class of invalid profile gives a ProfileError naming the field."""
    assert message in _err(text)


def test_toml_syntax_error_gives_line_and_column() -> None:
    """A syntax error says where it is."""
    msg = _err(_BASE + 'max = = 3\n')
    assert "line 5" in msg and "column" in msg


def test_bound_on_a_column_the_table_lacks() -> None:
    """Checked against a food table, a bound on a missing column is named."""
    table = parse_food_csv(b"id,name,magnesium_mg\nspinach,Spinach,79\n", "mine.csv")
    text = _BASE + '\n[[bounds]]\nnutrient = "k2_ug"\nmin = 100\nmax = 200\n'
    assert "bounds[2].nutrient: the food table has no column 'k2_ug'" in _err(text, table=table)


def test_unknown_food_ids_in_a_profile_are_named() -> None:
    """Checked against a table, unknown exclude/favourite ids are listed."""
    table = parse_food_csv(b"id,name,magnesium_mg\nspinach,Spinach,79\n", "mine.csv")
    text = '[diet]\nfavourites = ["kale", "spinach"]\n' + _BASE
    assert "diet.favourites: unknown food id kale" in _err(text, table=table)


def test_every_problem_is_reported_at_once() -> None:
    """Several bad fields give one error listing all of them."""
    text = ('[[bounds]]\nnutrient = "iron_mg"\nmin = -1\n'
            '[[bounds]]\nnutrient = "zinc_mg"\nmin = 9\nmax = 8\n')
    msg = _err(text)
    assert "2 problems" in msg and "bounds[1].min" in msg and "bounds[2].min" in msg


@pytest.mark.parametrize(("setup", "message"), [
    ("missing", "file not found"),
    ("dir", "is a directory"),
    ("latin1", "not UTF-8"),
])
def test_load_profile_file_errors(tmp_path: Path, setup: str, message: str) -> None:
    """Unreadable files are ProfileErrors naming the path."""
    path = tmp_path / "p.toml"
    if setup == "dir":
        path.mkdir()
    elif setup == "latin1":
        path.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    assert str(path) in str(exc.value) and message in str(exc.value)
