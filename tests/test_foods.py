"""The food-table loader: the shipped table, every class of bad input, user tables, merging."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mealplan.errors import FoodTableError
from mealplan.foods import (
    FoodTable,
    load_default_table,
    load_food_table,
    load_supplements,
    merge_tables,
    parse_food_csv,
    split_list,
)

DATA = Path(__file__).parent / "data"
SMALL = DATA / "foods_small.csv"


def _problems(exc: pytest.ExceptionInfo[FoodTableError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_shipped_table_loads_with_derived_columns() -> None:
    """The shipped table validates, has >= 250 foods and the derived columns."""
    t = load_default_table()
    assert len(t) >= 250
    assert {"net_carbs_g", "vitamin_k_total_ug"} <= set(t.nutrients)
    assert "k2_low_ug" not in t.nutrients  # a range, not a plannable nutrient
    banana = t.row("banana")
    assert banana["net_carbs_g"] == pytest.approx(banana["carbs_g"] - banana["fiber_g"])
    natto = t.row("natto")
    assert natto["vitamin_k_total_ug"] == pytest.approx(natto["vitamin_k1_ug"] + 939)
    assert math.isnan(t.value("miso", "k2_ug"))  # unknown stays unknown
    assert t.list_of("natto", "flags") >= {"vitamin_k_antagonist_caution", "staple"}


def test_shipped_supplements_are_flagged_and_mergeable() -> None:
    """Every supplement carries the flag; merging with the foods keeps every row."""
    s = load_supplements()
    assert len(s) >= 4
    assert all("supplement" in s.list_of(i, "flags") for i in s.ids)
    merged = merge_tables([load_default_table(), s])
    assert len(merged) == len(load_default_table()) + len(s)


def test_small_fixture_loads() -> None:
    """A minimal user table loads; missing list columns get defaults."""
    t = load_food_table(SMALL)
    assert t.ids == ["test_cheese", "test_greens", "test_fish"]
    assert t.value("test_cheese", "k2_ug") == 32
    assert math.isnan(t.value("test_greens", "k2_ug"))
    assert t.list_of("test_fish", "allergens") == {"fish"}


GOOD = SMALL.read_text(encoding="utf-8")


def _edit(row: int, column: str, value: str, text: str = GOOD) -> bytes:
    """The fixture with one cell replaced (row 1 = first data row)."""
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df.loc[row - 1, column] = value
    return df.to_csv(index=False).encode()


BAD_CELLS = [
    ("non_numeric", 2, "magnesium_mg", "lots", "'lots' is not a number"),
    ("negative", 1, "protein_g", "-3", "negative value -3"),
    ("nan", 1, "fat_g", "nan", "not a finite number"),
    ("inf", 3, "energy_kcal", "inf", "not a finite number"),
    ("required_empty", 2, "name", "", "name is empty"),
    ("id_empty", 2, "id", "", "id is empty"),
    ("duplicate_id", 3, "id", "test_cheese", "duplicate id 'test_cheese' (first on row 1)"),
    ("malformed_id", 1, "id", "Test-Cheese", "malformed id 'Test-Cheese'"),
    ("double_underscore_id", 1, "id", "test__cheese", "malformed id"),
    ("unknown_slot", 1, "slots", "brunch", "unknown slot 'brunch'"),
    ("unknown_tag", 1, "diet_tags", "carnivore", "unknown diet_tag 'carnivore'"),
    ("unknown_allergen", 1, "allergens", "mustard", "unknown allergen 'mustard'"),
    ("unknown_flag", 1, "flags", "tasty", "unknown flag 'tasty'"),
    ("portion_zero", 2, "portion_g", "0", "portion grams must be > 0"),
    ("portion_negative", 2, "portion_g", "-1", "negative value -1"),
    ("min_gt_max", 3, "min_portions", "5", "min_portions 5 is greater than max_portions 2"),
    ("max_zero", 1, "max_portions", "0", "max_portions must be > 0"),
    ("no_slot", 1, "slots", "", "no meal slot"),
]


@pytest.mark.parametrize(("case", "row", "column", "value", "message"), BAD_CELLS,
                         ids=[c[0] for c in BAD_CELLS])
def test_bad_cell_names_row_and_column(case: str, row: int, column: str, value: str,
                                       message: str) -> None:
    """Each class of bad cell is reported with its row and column."""
    with pytest.raises(FoodTableError) as exc:
        parse_food_csv(_edit(row, column, value), "user.csv")
    probs = _problems(exc)
    assert any(p.startswith(f"row {row}, column '{column}'") and message in p for p in probs), probs
    assert exc.value.render().startswith("user.csv: ")


def test_missing_file() -> None:
    """A missing file is a FoodTableError naming the path."""
    with pytest.raises(FoodTableError, match="file not found") as exc:
        load_food_table(DATA / "no_such_table.csv")
    assert "no_such_table.csv" in str(exc.value)


def test_directory_instead_of_file() -> None:
    """A directory is not a CSV file."""
    with pytest.raises(FoodTableError, match="is a directory"):
        load_food_table(DATA)


def test_missing_required_column() -> None:
    """Dropping 'name' is reported against that column."""
    df = pd.read_csv(SMALL, dtype=str, keep_default_na=False).drop(columns=["name"])
    with pytest.raises(FoodTableError) as exc:
        parse_food_csv(df.to_csv(index=False).encode(), "user.csv")
    assert "column 'name': required column is missing" in _problems(exc)


def test_wrong_encoding_latin1() -> None:
    """Latin-1 bytes are reported with the byte and line, with the fix."""
    raw = GOOD.replace("Test greens", "Test gr\u00fcne").encode("latin-1")
    with pytest.raises(FoodTableError, match=r"not UTF-8 text \(byte 0xfc on line 3\)"):
        parse_food_csv(raw, "user.csv")


def test_empty_file() -> None:
    """An empty (or blank) file says so."""
    with pytest.raises(FoodTableError, match="the file is empty"):
        parse_food_csv(b"  \n", "user.csv")


def test_header_only() -> None:
    """A header without rows says so."""
    with pytest.raises(FoodTableError, match="header but no food rows"):
        parse_food_csv(GOOD.splitlines()[0].encode() + b"\n", "user.csv")


def test_unknown_unitless_column() -> None:
    """A column that is neither a known field nor has a unit suffix is named."""
    raw = _edit(1, "colour", "red")
    with pytest.raises(FoodTableError) as exc:
        parse_food_csv(raw, "user.csv")
    assert any("column 'colour'" in p and "unknown column" in p for p in _problems(exc))


def test_duplicate_header_column() -> None:
    """A column named twice is reported as such, not as an unknown column."""
    lines = GOOD.splitlines()
    raw = "\n".join([lines[0] + ",fat_g", *(line + ",1" for line in lines[1:])]).encode()
    with pytest.raises(FoodTableError) as exc:
        parse_food_csv(raw, "user.csv")
    assert _problems(exc) == ["column 'fat_g': column appears more than once"]


def test_every_problem_listed_at_once() -> None:
    """Two bad rows give two problems in one error."""
    raw = _edit(3, "fat_g", "x", _edit(1, "protein_g", "-1").decode())
    with pytest.raises(FoodTableError) as exc:
        parse_food_csv(raw, "user.csv")
    probs = _problems(exc)
    assert len(probs) == 2
    assert probs[0].startswith("row 1, column 'protein_g'")
    assert probs[1].startswith("row 3, column 'fat_g'")
    assert "2 problems" in exc.value.render()


def test_user_table_with_extra_nutrients_no_portions_and_price() -> None:
    """Extra nutrient columns are kept; no portions means grams; price is read."""
    raw = (b"id,name,magnesium_mg,selenium_ug,copper_mg,price_per_100g\n"
           b"nut_mix,Nut mix,250,190,1.2,2.5\n")
    t = parse_food_csv(raw, "mine.csv")
    assert t.nutrients == ("magnesium_mg", "selenium_ug", "copper_mg")
    row = t.row("nut_mix")
    assert (row["portion_name"], row["portion_g"]) == ("g", 1.0)
    assert (row["min_portions"], row["max_portions"]) == (10.0, 500.0)
    assert row["price_per_100g"] == 2.5
    assert t.list_of("nut_mix", "slots") == {"breakfast", "lunch", "dinner", "snack"}


def test_grams_only_portion_gets_a_name() -> None:
    """portion_g without portion_name names the unit after its weight."""
    t = parse_food_csv(b"id,name,energy_kcal,portion_g\nrice_cake,Rice cake,387,9\n", "m.csv")
    assert t.row("rice_cake")["portion_name"] == "9 g"


def test_portion_name_without_grams() -> None:
    """portion_name alone is an error on portion_g."""
    with pytest.raises(FoodTableError, match="portion_name given without portion_g"):
        parse_food_csv(b"id,name,energy_kcal,portion_name\na,A,1,1 cup\n", "m.csv")


def test_merge_tables_id_clash() -> None:
    """An id in two tables is reported with both table names."""
    a = load_food_table(SMALL)
    b = parse_food_csv(b"id,name,energy_kcal\ntest_fish,Other fish,100\n", "mine.csv")
    with pytest.raises(FoodTableError) as exc:
        merge_tables([a, b])
    assert f"food id 'test_fish' is in both {SMALL} and mine.csv" in _problems(exc)[0]


def test_merge_tables_unions_nutrients() -> None:
    """Merged tables keep every nutrient column of either table."""
    a = load_food_table(SMALL)
    b = parse_food_csv(b"id,name,selenium_ug\nnut,Nut,19\n", "mine.csv")
    m = merge_tables([a, b])
    assert "selenium_ug" in m.nutrients and "magnesium_mg" in m.nutrients
    assert math.isnan(m.value("nut", "magnesium_mg"))
    assert m.list_of("nut", "allergens") == frozenset()


def test_subset_and_without() -> None:
    """subset/without keep table order and metadata."""
    t = load_food_table(SMALL)
    assert t.subset(["test_fish", "test_cheese"]).ids == ["test_cheese", "test_fish"]
    assert t.without(["test_cheese"]).ids == ["test_greens", "test_fish"]
    with pytest.raises(KeyError, match="unknown food id 'nope'"):
        t.row("nope")


def test_split_list() -> None:
    """split_list trims words and treats blanks/NaN as empty."""
    assert split_list(" a; b ;;") == {"a", "b"}
    assert split_list(math.nan) == frozenset()
    assert split_list("") == frozenset()


_ids = st.from_regex(r"[a-z][a-z0-9]{0,6}(_[a-z0-9]{1,4}){0,2}", fullmatch=True)
_amount = st.one_of(st.none(), st.floats(min_value=0, max_value=1e5, allow_nan=False,
                                         allow_infinity=False))
_row = st.fixed_dictionaries({
    "name": st.text(alphabet=st.characters(categories=("L", "N", "Zs"), max_codepoint=0x2FF),
                    min_size=1, max_size=20).map(str.strip).filter(bool),
    "energy_kcal": st.one_of(st.none(), st.floats(min_value=0, max_value=1000,  # pure fat: 900
                                                  allow_nan=False)),
    "magnesium_mg": _amount,
    "k2_ug": _amount,
    "portion_g": st.floats(min_value=0.1, max_value=1000, allow_nan=False),
    "slots": st.sets(st.sampled_from(["breakfast", "lunch", "dinner", "snack"]), min_size=1),
    "allergens": st.sets(st.sampled_from(["milk", "egg", "soy"])),
})


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(_ids, _row, min_size=1, max_size=6))
def test_round_trip(rows: dict[str, dict[str, object]]) -> None:
    """A valid random table written to CSV loads back with equal values."""
    records = []
    for fid, r in rows.items():
        rec = dict(r, id=fid, portion_name="1 unit")
        rec["slots"] = ";".join(sorted(r["slots"]))  # type: ignore[call-overload]
        rec["allergens"] = ";".join(sorted(r["allergens"]))  # type: ignore[call-overload]
        records.append(rec)
    df = pd.DataFrame(records)
    t: FoodTable = parse_food_csv(df.to_csv(index=False).encode(), "rt.csv")
    assert t.ids == list(rows)
    for fid, r in rows.items():
        assert t.row(fid)["name"] == r["name"]
        for col in ("energy_kcal", "magnesium_mg", "k2_ug"):
            want = r[col]
            got = t.value(fid, col)
            if want is None:
                assert math.isnan(got)
            else:
                assert got == pytest.approx(want, rel=1e-12, abs=0)
        assert t.list_of(fid, "slots") == r["slots"]
        assert t.list_of(fid, "allergens") == r["allergens"]


# -- strict reading (issue 11) ----------------------------------------------------------------

def test_trailing_comma_row_is_an_error_naming_the_row() -> None:
    """A row with one field more than the header (a trailing comma) is refused, not shifted.

    Before: pandas used the extra field as the index, so food 'oats' was named "100" with
    50 kcal (the magnesium value), exit 0.
    """
    raw = b"id,name,energy_kcal,magnesium_mg\nbar_a,oats,100,50,\n"
    with pytest.raises(FoodTableError, match=r"row 1: has 5 fields but the header has 4 "
                                             r"\(a trailing comma\?\)"):
        parse_food_csv(raw, "t.csv")


def test_short_row_and_semicolons_are_errors() -> None:
    """A short row names its row; a semicolon-separated file gets a delimiter hint."""
    with pytest.raises(FoodTableError, match=r"row 2: has 2 fields but the header has 3"):
        parse_food_csv(b"id,name,energy_kcal\na,A,1\nb,B\n", "t.csv")
    with pytest.raises(FoodTableError, match=r"use ';' as the delimiter"):
        parse_food_csv(b"id;name;energy_kcal\na;A;1\n", "t.csv")


def test_quoted_commas_and_blank_lines_still_read() -> None:
    """The strict reader keeps what was valid: quoted commas, blank lines, spaces."""
    t = parse_food_csv(b'id,name,energy_kcal\n\nmy_a, "Oats, rolled",380 \n\n', "t.csv")
    assert t.ids == ["my_a"] and t.row("my_a")["name"] == "Oats, rolled"


@pytest.mark.parametrize(("column", "value", "most"), [
    ("energy_kcal", "1e308", "1000"), ("magnesium_mg", "100001", "100000"),
    ("k2_ug", "1e300", "1e+08"), ("fat_g", "101", "100")])
def test_impossible_amounts_are_refused(column: str, value: str, most: str) -> None:
    """More than 100 g of anything (or 1000 kcal) per 100 g is refused, naming the cell."""
    raw = f"id,name,{column}\nmy_a,A,{value}\n".encode()
    with pytest.raises(FoodTableError, match=rf"row 1, column '{column}': {value} is above "
                                             + re.escape(most)):
        parse_food_csv(raw, "t.csv")


def test_shipped_table_is_named_not_its_install_path() -> None:
    """Errors about the shipped table say "shipped food table", never the server's path."""
    mine = parse_food_csv(b"id,name,energy_kcal\nnatto,Mine,1\n", "upload.csv")
    with pytest.raises(FoodTableError) as info:
        merge_tables([load_default_table(), mine])
    assert "in both shipped food table and upload.csv" in str(info.value)
    assert "site-packages" not in str(info.value) and "/" not in str(info.value)


def test_oversized_input_fails_fast() -> None:
    """`--table /dev/zero` is refused at the size cap instead of reading until memory ends."""
    with pytest.raises(FoodTableError, match="larger than 64 MB"):
        load_food_table("/dev/zero")


def test_every_shipped_food_has_a_kind_and_fruit_veg_grams_follow_it() -> None:
    """Each shipped food says what it is in a meal; fruit and vegetable grams come from it."""
    t = load_default_table()
    kinds = {fid: next(iter(t.list_of(fid, "kind")), "") for fid in t.ids}
    assert all(kinds.values()), [f for f, k in kinds.items() if not k]
    assert kinds["banana"] == "fruit" and kinds["potato_baked"] == "starchy_veg"
    assert t.value("banana", "fruit_veg_g") == 100.0
    assert t.value("potato_baked", "fruit_veg_g") == 0.0  # WHO: potatoes not counted
    assert t.value("raisins", "fruit_veg_g") == 200.0  # 1/2 cup dried = 1 cup fruit
    assert t.value("salmon_atlantic_wild", "fruit_veg_g") == 0.0
    assert "fruit_veg_g" in t.nutrients


def test_kind_must_be_one_known_word() -> None:
    """A wrong kind is named with its row and column; two kinds are refused."""
    raw = (b"id,name,energy_kcal,kind\n"
           b"a_food,A food,100,fruit\n"
           b"b_food,B food,100,froot\n"
           b"c_food,C food,100,fruit;vegetable\n")
    with pytest.raises(FoodTableError) as e:
        parse_food_csv(raw, "mine.csv")
    text = str(e.value)
    assert "row 2" in text and "'froot'" in text and "kind" in text
    assert "row 3" in text and "one word" in text
