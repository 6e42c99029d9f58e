"""Full SR28 import: the shipped excerpt always, the whole release when ../shared is present."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from mealplan.errors import DataFileError, FoodTableError
from mealplan.foods import load_default_table, load_food_table
from mealplan.sr28 import FoodDescription
from mealplan.sr28_import import convert_sr28, exclusion_reason, import_sr28, write_sr28_table
from mealplan.tableio import load_tables
from mealplan.units import ALLERGENS

EXCERPT = Path(__file__).parent / "data" / "sr28_excerpt"
FULL = Path(__file__).resolve().parent.parent.parent / "shared" / "usda-sr28"

KEPT = {
    "cheese_cheddar_01009", "egg_whole_raw_fresh_01123", "yogurt_greek_plain_whole_milk_01293",
    "chicken_broilers_or_fryers_breast_meat_05064", "turkey_retail_parts_breast_meat_only_05708",
    "soup_cream_of_chicken_canned_prepared_06416", "bananas_raw_09040", "spinach_raw_11457",
    "seeds_pumpkin_and_squash_seed_kernels_12014",
    "beverages_abbott_eas_whey_protein_powder_14033", "beverages_water_tap_drinking_14411",
    "fish_salmon_atlantic_wild_raw_15076", "natto_16113",
    "morningstar_farms_breakfast_bacon_strips_16542",
}


def test_realism_rule_on_excerpt() -> None:
    """The default import keeps the plannable foods and counts each reason for the rest."""
    result = convert_sr28(EXCERPT)
    assert set(result.table.ids) == KEPT
    assert result.total == 23 and result.kept == 14
    assert result.excluded == {
        "alcoholic drink": 2,  # beer by name, hard cider by alcohol content (Nutr_No 221)
        "group 0200 spices and herbs (used by the pinch)": 1,
        "group 0300 baby foods and infant formula": 1,
        "group 2100 fast foods": 1,
        "group 3500 American Indian/Alaska Native foods": 1,
        "group 3600 restaurant foods": 1,
        "not eaten as sold (condensed, dry or mix form)": 1,
        "not eaten as sold (leavening agent)": 1,
    }


def test_include_all_keeps_every_food() -> None:
    """include_all keeps all 23 foods of the excerpt."""
    table = import_sr28(EXCERPT, include_all=True)
    assert len(table) == 23
    assert table.has("beverages_amber_hard_cider_14250")
    assert table.has("spices_basil_dried_02003")


def test_row_values_and_columns() -> None:
    """A row carries SR28 values per 100 g, its group, source, NDB and first portion."""
    t = import_sr28(EXCERPT)
    banana = t.row("bananas_raw_09040")
    assert banana["name"] == "Bananas, raw"
    assert banana["ndb_number"] == "09040"
    assert banana["food_group"] == "Fruits and Fruit Juices"
    assert banana["source"] == "USDA SR28 NDB 09040"
    assert t.value("bananas_raw_09040", "magnesium_mg") == 27
    assert t.value("bananas_raw_09040", "potassium_mg") == 358
    assert t.value("bananas_raw_09040", "energy_kcal") == 89
    assert t.value("bananas_raw_09040", "vitamin_b6_mg") == 0.367
    assert banana["portion_name"] == "1 cup, mashed (225 g)" and banana["portion_g"] == 225
    assert (banana["min_portions"], banana["max_portions"]) == (1.0, 2.0)
    assert t.list_of("bananas_raw_09040", "slots") == {"breakfast", "lunch", "dinner", "snack"}
    assert t.list_of("bananas_raw_09040", "diet_tags") == frozenset()
    assert t.list_of("bananas_raw_09040", "allergens") == ALLERGENS


def test_k2_is_mk4_only() -> None:
    """k2_ug is MK-4 where SR28 measured it (cheddar 8.6 µg), unknown elsewhere."""
    t = import_sr28(EXCERPT)
    assert t.value("cheese_cheddar_01009", "k2_ug") == 8.6
    assert t.value("cheese_cheddar_01009", "mk4_ug") == 8.6
    assert "MK-4" in t.row("cheese_cheddar_01009")["k2_source"]
    assert math.isnan(t.value("bananas_raw_09040", "k2_ug"))
    assert t.row("bananas_raw_09040")["k2_source"] == ""
    assert t.value("seeds_pumpkin_and_squash_seed_kernels_12014", "k2_ug") == 0.0


def test_portion_fallbacks_and_vitamin_d_iu() -> None:
    """No WEIGHT row -> grams; a 1,171 g first portion is skipped; vitamin D from IU."""
    t = import_sr28(EXCERPT)
    yogurt = t.row("yogurt_greek_plain_whole_milk_01293")
    assert (yogurt["portion_name"], yogurt["portion_g"]) == ("g", 1.0)
    assert (yogurt["min_portions"], yogurt["max_portions"]) == (10.0, 500.0)
    assert t.row("turkey_retail_parts_breast_meat_only_05708")["portion_g"] == 85
    assert t.value("morningstar_farms_breakfast_bacon_strips_16542", "vitamin_d_ug") == 0.0
    assert math.isnan(t.value("fish_salmon_atlantic_wild_raw_15076", "vitamin_d_ug"))


@pytest.mark.parametrize(("group", "desc", "alcohol", "reason"), [
    ("0900", "Bananas, raw", None, None),
    ("0200", "Spices, basil, dried", None, "group 0200"),
    ("1400", "Beverages, AMBER, hard cider", 4.2, "alcoholic drink"),
    ("1400", "Alcoholic beverage, wine, table, red", None, "alcoholic drink"),
    ("1400", "Beverages, tea, black, brewed", 0.0, None),
    ("0100", "Infant formula, soy based", None, "infant formula"),
    ("0600", "Soup, onion, dry, mix", None, "not eaten as sold"),
    ("0600", "Soup, onion, dry, mix, prepared with water", None, None),
    ("1400", "Beverages, Protein powder whey based", None, None),
    ("0100", "Milk, dry, nonfat, regular", None, None),  # an ingredient people measure
    ("1800", "Leavening agents, baking soda", None, "not eaten as sold"),
])
def test_exclusion_reason(group: str, desc: str, alcohol: float | None,
                          reason: str | None) -> None:
    """Each realism rule, and foods that look similar but stay."""
    food = FoodDescription("99999", group, desc, "", "", "", None, "")
    got = exclusion_reason(food, alcohol)
    assert (got is None) if reason is None else (got is not None and got.startswith(reason))


def test_skip_ndb() -> None:
    """skip_ndb leaves out foods (e.g. those already in the shipped table) and counts them."""
    result = convert_sr28(EXCERPT, skip_ndb={"16113", "09040"})
    assert not result.table.has("natto_16113")
    assert result.excluded["already in the shipped table"] == 2


def test_write_is_atomic_and_round_trips(tmp_path: Path) -> None:
    """The CSV loads back to the same foods and values; no temporary file is left."""
    result = convert_sr28(EXCERPT)
    out = write_sr28_table(result, tmp_path / "sr28.csv")
    assert [p.name for p in tmp_path.iterdir()] == ["sr28.csv"]
    back = load_food_table(out)
    assert back.ids == result.table.ids
    assert back.value("cheese_cheddar_01009", "calcium_mg") == 710
    assert back.row("egg_whole_raw_fresh_01123")["portion_name"] == "1 large (50 g)"


def test_write_failure_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing directory is a clear error; a failed replace keeps the old file intact."""
    result = convert_sr28(EXCERPT)
    with pytest.raises(FoodTableError, match="does not exist"):
        write_sr28_table(result, tmp_path / "nope" / "sr28.csv")
    target = tmp_path / "taken"
    target.mkdir()  # a directory is never replaced by a file
    (target / "keep.txt").write_text("x")
    with pytest.raises(FoodTableError, match="is a directory"):
        write_sr28_table(result, target)
    assert (target / "keep.txt").read_text() == "x"
    old = tmp_path / "old.csv"
    old.write_text("old content")

    def failing_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("mealplan.fileio.os.replace", failing_replace)
    with pytest.raises(FoodTableError, match="cannot write"):
        write_sr28_table(result, old)
    assert old.read_text() == "old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv", "taken"]


def copy_excerpt(tmp_path: Path) -> Path:
    """A writable copy of the excerpt."""
    dst = tmp_path / "sr28"
    shutil.copytree(EXCERPT, dst)
    return dst


def test_bad_release_files(tmp_path: Path) -> None:
    """Missing directory, missing file, a malformed line and an unknown group are named."""
    with pytest.raises(DataFileError, match="not a directory"):
        convert_sr28(tmp_path / "missing")
    d = copy_excerpt(tmp_path)
    (d / "WEIGHT.txt").unlink()
    with pytest.raises(DataFileError, match=r"WEIGHT\.txt: 1 problem\n  - file not found"):
        convert_sr28(d)
    d = copy_excerpt(tmp_path / "b")
    with (d / "FOOD_DES.txt").open("ab") as fh:
        fh.write(b"~99999~^~0900~^~Broken line\r\n")
    with pytest.raises(DataFileError, match=r"FOOD_DES\.txt: 1 problem\n  - line 24: "):
        convert_sr28(d)
    d = copy_excerpt(tmp_path / "c")
    raw = (d / "FD_GROUP.txt").read_bytes().replace(b"~0900~^~Fruits and Fruit Juices~\r\n", b"")
    (d / "FD_GROUP.txt").write_bytes(raw)
    with pytest.raises(DataFileError, match=r"food group 0900 is not in FD_GROUP\.txt"):
        convert_sr28(d)


def test_imported_table_merges_with_shipped(tmp_path: Path) -> None:
    """Imported ids (slug + NDB) never clash with the shipped table's short ids."""
    out = write_sr28_table(convert_sr28(EXCERPT), tmp_path / "sr28.csv")
    merged = load_tables([out])
    assert len(merged) == len(load_default_table()) + 14
    assert merged.has("natto") and merged.has("natto_16113")


def test_id_clash_between_shipped_and_user_table_names_the_id(tmp_path: Path) -> None:
    """A user table reusing a shipped id is an error naming the id and both tables."""
    user = tmp_path / "mine.csv"
    user.write_text("id,name,energy_kcal\nnatto,My natto,200\n", encoding="utf-8")
    with pytest.raises(FoodTableError, match=r"food id 'natto' is in both .* and .*mine\.csv"):
        load_tables([user])


# -- the whole release (skipped when ../shared is not there) -------------------------------

needs_full = pytest.mark.skipif(not (FULL / "FOOD_DES.txt").exists(),
                                reason=f"the SR28 release is not at {FULL}")


def _release_records(name: str) -> list[list[str]]:
    text = (FULL / name).read_text(encoding="latin-1")
    return [[f.strip("~") for f in line.split("^")] for line in text.splitlines() if line.strip()]


@needs_full
@pytest.mark.slow
def test_full_release_include_all() -> None:
    """Every food of FOOD_DES.txt is in; values agree with the independent ABBREV.txt.

    The release's FOOD_DES.txt has 8,789 foods; ABBREV.txt also has 8,789 but one differs
    (33879 only in ABBREV, 22996 only in FOOD_DES): 8,790 NDB numbers in all. ABBREV and
    NUT_DATA disagree on a handful of values (9-21 foods per nutrient, e.g. 01252 energy
    312 vs 307); the importer follows NUT_DATA.
    """
    table = import_sr28(FULL, include_all=True)
    foods = _release_records("FOOD_DES.txt")
    assert len(table) == len(foods) == 8789
    assert len(set(table.ids)) == len(table)
    by_ndb = table.df.set_index("ndb_number")
    abbrev = [f for f in _release_records("ABBREV.txt") if f[0] in by_ndb.index]
    assert len(abbrev) == 8788
    # ABBREV columns: 3 Energ_Kcal, 10 Calcium_mg, 12 Magnesium_mg, 14 Potassium_mg
    for idx, col in ((3, "energy_kcal"), (10, "calcium_mg"), (12, "magnesium_mg"),
                     (14, "potassium_mg")):
        agree = 0
        for fields in abbrev:
            ours = float(by_ndb.at[fields[0], col])
            theirs = float(fields[idx]) if fields[idx] else math.nan
            agree += (math.isnan(ours) and math.isnan(theirs)) or math.isclose(ours, theirs)
        assert agree >= len(abbrev) - 25, col
    assert float(by_ndb.at["09040", "magnesium_mg"]) == 27
    assert int(table.df["k2_ug"].notna().sum()) == 588  # MK-4 measured for 588 foods


@needs_full
@pytest.mark.slow
def test_full_release_realism_rule() -> None:
    """The default import drops 1,411 foods, and keeps no baby, fast or restaurant food."""
    result = convert_sr28(FULL)
    assert result.total == 8789
    assert result.kept == 7378 < result.total
    assert sum(result.excluded.values()) == result.total - result.kept
    groups = set(result.table.df["food_group"])
    assert not groups & {"Baby Foods", "Fast Foods", "Restaurant Foods", "Spices and Herbs",
                         "American Indian/Alaska Native Foods"}
    names = result.table.df["name"].str.lower()
    assert not names.str.contains("alcoholic beverage").any()
    assert not names.str.contains("infant formula").any()
