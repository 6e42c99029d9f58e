"""The food-table build: reproducible bytes, values equal SR28, coverage, and the SR28 reader."""

from __future__ import annotations

import csv
import importlib.util
import io
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mealplan import sr28
from mealplan.errors import DataFileError
from mealplan.units import NUTRIENTS

REPO = Path(__file__).resolve().parents[1]
SHARED_SR28 = REPO.parent / "shared" / "usda-sr28"
needs_sr28 = pytest.mark.skipif(
    not (SHARED_SR28 / "NUT_DATA.txt").exists(),
    reason="../shared/usda-sr28 not present: the build and SR28 cross-checks need the "
           "USDA SR28 release files beside the repository",
)


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_foods", REPO / "scripts" /
                                                  "build_foods.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_foods"] = module
    spec.loader.exec_module(module)
    return module


build_foods = _load_script()


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A fresh build into a temporary folder (via the script's main)."""
    if not (SHARED_SR28 / "NUT_DATA.txt").exists():
        pytest.skip("../shared/usda-sr28 not present: cannot rebuild the food table")
    out = tmp_path_factory.mktemp("build")
    assert build_foods.main(["--sr28", str(SHARED_SR28), "--out", str(out)]) == 0
    return {n: (out / n).read_bytes() for n in ("foods.csv", "supplements.csv")}


@needs_sr28
@pytest.mark.parametrize("name", ["foods.csv", "supplements.csv"])
def test_build_is_byte_identical_to_committed_files(built: dict[str, bytes], name: str) -> None:
    """A rebuild reproduces foods/ and the package data byte for byte."""
    assert built[name] == (REPO / "foods" / name).read_bytes()
    assert built[name] == (REPO / "src" / "mealplan" / "data" / name).read_bytes()
    assert b"\r" not in built[name]


@needs_sr28
def test_every_value_equals_sr28(built: dict[str, bytes]) -> None:
    """Every nutrient cell equals NUT_DATA for its NDB, recomputed with a plain parser."""
    rows = _rows(built["foods.csv"])
    wanted = {r["ndb_number"] for r in rows}
    by_no = {n.sr28_nutr_no: c for c, n in NUTRIENTS.items() if n.sr28_nutr_no}
    truth: dict[tuple[str, str], float] = {}
    with (SHARED_SR28 / "NUT_DATA.txt").open(encoding="latin-1") as fh:
        for line in fh:
            f = line.rstrip("\r\n").split("^")
            ndb, no = f[0].strip("~"), f[1].strip("~")
            if ndb in wanted and no in by_no:
                truth[(ndb, by_no[no])] = float(f[2])
    checked = 0
    for r in rows:
        for col in by_no.values():
            want = truth.get((r["ndb_number"], col))
            if want is None:
                assert r[col] == "", (r["id"], col)
            else:
                assert float(r[col]) == pytest.approx(want, abs=1e-9), (r["id"], col)
                checked += 1
    assert checked > 5000


@needs_sr28
def test_group_and_portion_come_from_sr28(built: dict[str, bytes]) -> None:
    """food_group and the household portion match FD_GROUP/FOOD_DES and WEIGHT."""
    rows = {r["id"]: r for r in _rows(built["foods.csv"])}
    assert rows["banana"]["food_group"] == "Fruits and Fruit Juices"
    assert rows["banana"]["portion_name"] == '1 medium (7" to 7-7/8" long) (118 g)'
    assert rows["banana"]["source"] == "USDA SR28 NDB 09040"
    assert (rows["natto"]["portion_name"], rows["natto"]["portion_g"]) == ("10 g", "10")


@needs_sr28
def test_coverage_of_the_mission(built: dict[str, bytes]) -> None:
    """>= 250 foods, natto, >= 12 cheeses and every required kind of food are present."""
    rows = _rows(built["foods.csv"])
    ids = {r["id"] for r in rows}
    assert len(rows) >= 250
    assert "natto" in ids
    cheeses = [r for r in rows if r["id"].startswith("cheese_")]
    assert len(cheeses) >= 12
    required = [
        "spinach_raw", "spinach_cooked", "kale_raw", "chard_cooked", "collards_cooked",
        "beet_greens_cooked", "turnip_greens_cooked", "banana", "almonds", "cashews_roasted",
        "brazil_nuts", "pumpkin_seeds", "sunflower_seeds", "chia_seeds", "flaxseed", "tahini",
        "walnuts", "peanuts", "peanut_butter", "tofu_firm_calcium", "tempeh", "edamame",
        "soymilk_fortified", "lentils", "chickpeas", "black_beans", "kidney_beans", "oats_dry",
        "brown_rice", "quinoa", "bread_whole_wheat", "buckwheat", "barley", "potato_baked",
        "sweet_potato_baked", "avocado", "salmon_sockeye", "sardines_oil", "mackerel_atlantic",
        "herring_atlantic", "trout_rainbow_farmed", "tuna_light_water", "egg_boiled",
        "egg_yolk", "milk_whole", "yogurt_whole_plain", "yogurt_greek_nonfat", "kefir_lowfat",
        "almond_drink_unsweetened", "cereal_all_bran", "mushrooms_crimini_uv", "chicken_breast",
        "beef_liver", "sauerkraut", "olive_oil", "butter_salted", "dark_chocolate_70",
    ]
    assert not [f for f in required if f not in ids]
    for cheese in ("gouda", "edam", "swiss", "cheddar", "parmesan_hard", "brie", "camembert",
                   "blue", "feta", "mozzarella", "cottage", "cream", "ricotta_whole",
                   "muenster"):
        assert f"cheese_{cheese}" in ids


@needs_sr28
def test_flags_and_diet_tags(built: dict[str, bytes]) -> None:
    """Liver is flagged high_vitamin_a, natto carries the warfarin caution, tags are nested."""
    rows = _rows(built["foods.csv"])
    for r in rows:
        flags = set(r["flags"].split(";"))
        tags = set(r["diet_tags"].split(";")) - {""}
        if "liver" in r["name"].lower():
            assert "high_vitamin_a" in flags, r["id"]
        if "vegan" in tags:
            assert tags == {"vegan", "vegetarian", "pescatarian"}, r["id"]
        if "vegetarian" in tags:
            assert "pescatarian" in tags, r["id"]
        if r["food_group"] in ("Poultry Products", "Beef Products", "Pork Products"):
            assert not tags, r["id"]
        if "UV-exposed" in r["name"]:
            assert "uv_vitamin_d" in flags
    natto = next(r for r in rows if r["id"] == "natto")
    assert "vitamin_k_antagonist_caution" in natto["flags"]
    vegan = [r for r in rows if "vegan" in r["diet_tags"]]
    assert len(vegan) >= 150
    assert any("fortified" in r["flags"] and "vegan" in r["diet_tags"] for r in rows)


@needs_sr28
def test_k2_rule(built: dict[str, bytes]) -> None:
    """K2 = SR28 MK-4 + literature long-chain; unknown stays empty; range brackets it."""
    rows = {r["id"]: r for r in _rows(built["foods.csv"])}
    assert rows["natto"]["k2_ug"] == "939"
    assert rows["cheese_gouda"]["k2_ug"] == "32"
    cheddar = rows["cheese_cheddar"]
    assert float(cheddar["k2_ug"]) == pytest.approx(float(cheddar["mk4_ug"]) + 13.1)
    assert rows["miso"]["k2_ug"] == ""  # no data: unknown, never zero
    assert rows["cheese_edam"]["k2_ug"] == ""  # no usable number in the literature
    for r in rows.values():
        if r["k2_ug"]:
            assert r["k2_source"], r["id"]
            if r["k2_low_ug"]:
                assert float(r["k2_low_ug"]) <= float(r["k2_ug"]) <= float(r["k2_high_ug"])


@needs_sr28
def test_supplements_are_flagged_per_capsule(built: dict[str, bytes]) -> None:
    """Supplements: flagged, group Supplements, 1 g portion, values = dose x 100, no energy."""
    rows = {r["id"]: r for r in _rows(built["supplements.csv"])}
    assert len(rows) >= 4
    for r in rows.values():
        assert "supplement" in r["flags"].split(";")
        assert r["food_group"] == "Supplements"
        assert r["portion_g"] == "1"
        assert r["energy_kcal"] == r["protein_g"] == r["fat_g"] == r["carbs_g"] == "0"
        assert r["source"].startswith("typical label dose")
    assert rows["supplement_k2_mk7_100"]["k2_ug"] == "10000"
    assert rows["supplement_vitamin_d3_25"]["vitamin_d_ug"] == "2500"


@needs_sr28
def test_unknown_ndb_fails_loudly(tmp_path: Path) -> None:
    """An NDB number that SR28 does not have stops the build, naming the row."""
    foods = tmp_path / "foods"
    shutil.copytree(REPO / "foods", foods)
    sel = foods / "selection.csv"
    text = sel.read_text(encoding="utf-8").replace(",09040,", ",99999,")
    sel.write_text(text, encoding="utf-8")
    with pytest.raises(build_foods.BuildError) as exc:
        build_foods.build(SHARED_SR28, foods)
    assert any("NDB 99999 is not in SR28" in str(p) and p.column == "ndb_number"
               for p in exc.value.problems)


def test_format_number() -> None:
    """Numbers are written in one fixed way."""
    f = build_foods.format_number
    assert [f(None), f(0.0), f(118.0), f(21.700000000000003), f(0.12345), f(-0.0)] == [
        "", "0", "118", "21.7", "0.1235", "0"]


def test_k2_values_rules() -> None:
    """The K2 rule in code: add long chain, MK-4 literature only when SR28 lacks MK-4."""
    rule = build_foods.K2Rule
    add = rule("x", "add_long_chain", 13.1, 13.1, 19.6, "lit")
    assert build_foods.k2_values(8.6, add, True)[:3] == (21.7, 21.7, 28.2)
    lit = rule("y", "mk4_literature", 15.0, 15.0, 32.0, "lit")
    assert build_foods.k2_values(None, lit, False)[0] == 15.0
    assert build_foods.k2_values(0.2, lit, False)[0] == 0.2  # never double counted
    only = rule("z", "mk4_only", None, None, 38.1, "lit")
    assert build_foods.k2_values(None, only, True)[0] is None
    assert build_foods.k2_values(0.0, None, False)[0] == 0.0  # measured zero, not fermented
    assert build_foods.k2_values(0.0, None, True)[0] is None  # fermented: long chain unknown
    assert build_foods.k2_values(None, None, False) == (None, None, None, "")


# --- the SR28 reader on small fixtures -------------------------------------------------

def _write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))


def test_reader_parses_fields_and_weights(tmp_path: Path) -> None:
    """Text in ~, ^ inside text, latin-1 micro sign, CRLF, missing values."""
    _write(tmp_path, "FD_GROUP.txt", ["~0900~^~Fruits and Fruit Juices~"])
    _write(tmp_path, "FOOD_DES.txt", [
        "~09040~^~0900~^~Bananas, raw~^~BANANAS,RAW~^^^~Y~^~Peel^stem~^36^~Musa~^^3.37^8.37^3.6"])
    _write(tmp_path, "NUTR_DEF.txt", ["~428~^~\u00b5g~^~MK4~^~Menaquinone-4~^~1~^~8950~"])
    _write(tmp_path, "NUT_DATA.txt", [
        "~09040~^~304~^27^1^^~1~^^^^^^^^^^^01/2003^",
        "~09040~^~428~^0.5^^^~4~^^^^^^^^^^^^",
        "~01001~^~304~^2^^^~1~^^^^^^^^^^^^",
    ])
    _write(tmp_path, "WEIGHT.txt", ["~09040~^2^1^~cup, sliced~^150^^",
                                    "~09040~^1^1^~medium~^118^^"])
    assert sr28.read_food_groups(tmp_path) == {"0900": "Fruits and Fruit Juices"}
    food = sr28.read_foods(tmp_path)["09040"]
    assert (food.long_desc, food.refuse_pct, food.scientific_name) == ("Bananas, raw", 36.0,
                                                                        "Musa")
    assert sr28.read_nutrient_defs(tmp_path)["428"].units == "µg"
    assert sr28.read_nutrient_values(tmp_path, ["09040"], ["304"]) == {"09040": {"304": 27.0}}
    assert sr28.read_nutrient_values(tmp_path)["01001"] == {"304": 2.0}
    w = sr28.read_weights(tmp_path)["09040"]
    assert [(p.seq, p.description, p.grams) for p in w] == [(1, "medium", 118.0),
                                                            (2, "cup, sliced", 150.0)]


def test_split_fields() -> None:
    """Quoted text may hold ^; an unclosed ~ is an error."""
    assert sr28.split_fields("~a^b~^1^^~c~") == ["a^b", "1", "", "c"]
    with pytest.raises(ValueError, match="no closing"):
        sr28.split_fields("~abc^1")


@pytest.mark.parametrize(("line", "message"), [
    ("~09040~^~304~^27", "line 2: 3 fields, expected 18"),
    ("~09040~^~304~^lots^1^^~1~^^^^^^^^^^^^", "line 2: Nutr_Val 'lots' is not a number"),
    ("~09040^~304~^27^1^^~1~^^^^^^^^^^^^", "line 2: stray '~'"),
])
def test_reader_malformed_line_names_file_and_line(tmp_path: Path, line: str,
                                                   message: str) -> None:
    """A malformed NUT_DATA line raises DataFileError with the file and line number."""
    _write(tmp_path, "NUT_DATA.txt", ["~09040~^~208~^89^^^~1~^^^^^^^^^^^^", line])
    with pytest.raises(DataFileError) as exc:
        sr28.read_nutrient_values(tmp_path)
    assert exc.value.source.endswith("NUT_DATA.txt")
    assert any(message in str(p) for p in exc.value.problems), exc.value.problems


def test_reader_missing_file(tmp_path: Path) -> None:
    """A missing release file is a DataFileError naming it."""
    with pytest.raises(DataFileError, match=r"FOOD_DES\.txt: 1 problem"):
        sr28.read_foods(tmp_path)
