"""The purchase table: every food covered, the package copy, SR28's gram facts, bad input."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from mealplan import sr28
from mealplan.errors import PurchaseTableError
from mealplan.foods import load_default_table, load_supplements
from mealplan.purchase import (
    PURCHASE_COLUMNS,
    SECTIONS,
    SOURCE,
    check_against,
    default_purchases_path,
    load_purchases,
    parse_purchase_csv,
    shipped_purchases,
)

REPO = Path(__file__).resolve().parent.parent
PURCHASE_CSV = REPO / "foods" / "purchase.csv"
SHARED_SR28 = REPO.parent / "shared" / "usda-sr28"
needs_sr28 = pytest.mark.skipif(
    not (SHARED_SR28 / "WEIGHT.txt").exists(),
    reason="../shared/usda-sr28 not present: the SR28 cross-checks need the release files")
HEADER = ",".join(PURCHASE_COLUMNS)
EGG = "egg_fried,egg,Eggs,dairy_eggs,egg,50,SR28 01123 seq 1,box of 6,46,SR28 01128 seq 1,,"


def _selection_ids(name: str) -> list[str]:
    with (REPO / "foods" / name).open(encoding="utf-8") as fh:
        return [r["id"] for r in csv.DictReader(fh)]


def test_every_food_has_a_row_and_every_row_a_food() -> None:
    """Each food of selection.csv and each supplement has one row; no row names an unknown id."""
    table = shipped_purchases()
    wanted = _selection_ids("selection.csv") + _selection_ids("supplements_selection.csv")
    assert sorted(table.ids) == sorted(wanted)
    known = load_default_table().ids + load_supplements().ids
    assert check_against(table, known) == []


def test_package_copy_is_byte_identical() -> None:
    """The package's purchase.csv is byte-identical to foods/purchase.csv."""
    assert default_purchases_path().read_bytes() == PURCHASE_CSV.read_bytes()


def test_shipped_table_values() -> None:
    """Spot checks: eggs by the box of 6, natto packs of 45 g, milk by the litre (1,031 g)."""
    t = shipped_purchases()
    fried = t.get("egg_fried")
    assert fried is not None and (fried.key, fried.unit, fried.box, fried.box_name,
                                  fried.unit_g, fried.pack_g) == ("egg", "egg", 6, "box",
                                                                  46.0, 50.0)
    natto = t.get("natto")
    assert natto is not None and (natto.unit, natto.pack_g, natto.box) == ("pack", 45.0, 3)
    milk = t.get("milk_1pct")
    assert milk is not None and milk.unit == "litre" and milk.pack_g == pytest.approx(1031.33)
    rice = t.get("brown_rice")
    assert rice is not None and rice.cooked_weight and rice.section == "grains_pasta"
    assert {p.section for p in t.rows} <= set(SECTIONS)
    assert t.get("no_such_food") is None


@needs_sr28
def test_every_sr28_reference_is_sr28s_number() -> None:
    """Each 'SR28 <NDB> seq <Seq> [x f]' equals that WEIGHT row's grams / amount x f."""
    table = shipped_purchases()
    refs: list[tuple[str, str, float]] = []
    for p in table.rows:
        refs.append((p.food_id, p.pack_source, p.pack_g))
        if p.unit_source:
            refs.append((p.food_id, p.unit_source, p.unit_g))
    parsed = [(fid, SOURCE.match(src), value) for fid, src, value in refs]
    ndbs = {m["ndb"] for _, m, _ in parsed if m is not None and m["ndb"]}
    weights = sr28.read_weights(SHARED_SR28, ndbs)
    checked = 0
    for fid, m, value in parsed:
        assert m is not None, fid
        if not m["ndb"]:
            continue
        (w,) = [x for x in weights[m["ndb"]] if str(x.seq) == m["seq"]]
        factor = float(m["factor"]) if m["factor"] else 1.0
        assert value == pytest.approx(w.grams / w.amount * factor, abs=0.01), (fid, m[0])
        checked += 1
    assert checked > 100


def _error(body: str) -> PurchaseTableError:
    with pytest.raises(PurchaseTableError) as exc:
        parse_purchase_csv((HEADER + "\n" + body + "\n").encode(), "my purchase.csv")
    return exc.value


@pytest.mark.parametrize(("row", "column", "message"), [
    (EGG.replace(",50,", ",fifty,"), "pack_g", "'fifty' is not a number of grams"),
    (EGG.replace(",50,", ",-5,"), "pack_g", "-5 g is not a weight above 0"),
    (EGG.replace("dairy_eggs", "deli"), "section", "unknown section 'deli'"),
    (EGG.replace("box of 6", "six"), "box", "'six' is not like 'box of 6'"),
    (EGG.replace("SR28 01128 seq 1", "USDA"), "unit_source", "'USDA' is not 'retail' nor"),
    (EGG.replace(",46,SR28 01128 seq 1,", ",46,,"), "unit_source", "unit_g needs a unit_source"),
    (EGG.replace(",,", ",maybe,", 1), "cooked_weight", "'maybe' is neither empty nor 'yes'"),
    (EGG.replace("egg_fried", "Egg Fried"), "id", "malformed id 'Egg Fried'"),
    (EGG.replace(",Eggs,", ",,"), "item", "item is empty"),
])
def test_bad_cell_names_file_row_and_column(row: str, column: str, message: str) -> None:
    """Each bad cell is reported with the file, its row and its column."""
    err = _error(EGG.replace("egg_fried", "egg_boiled") + "\n" + row)
    (problem,) = err.problems
    assert (problem.row, problem.column) == (2, column)
    assert message in problem.message
    assert str(err).startswith("my purchase.csv: 1 problem")
    assert f"row 2, column '{column}': " in str(err)


def test_missing_and_unknown_columns() -> None:
    """A missing column and an unknown one are both named."""
    header = HEADER.replace(",pack_g", "").replace("notes", "note")
    with pytest.raises(PurchaseTableError) as exc:
        parse_purchase_csv((header + "\n").encode(), "p.csv")
    text = str(exc.value)
    assert "column 'pack_g': required column is missing" in text
    assert "column 'notes': required column is missing" in text
    assert "column 'note': unknown column" in text


def test_rows_of_one_key_must_agree_and_ids_are_unique() -> None:
    """Two rows of one purchase key with different packs, and a repeated id, are errors."""
    err = _error(EGG + "\n" + EGG.replace("egg_fried", "egg_boiled").replace(",50,", ",60,")
                 + "\n" + EGG)
    text = str(err)
    assert ("row 2, column 'pack_g': purchase key 'egg' has pack_g '50' on row 1, '60' here"
            in text)
    assert "row 3, column 'id': duplicate id 'egg_fried' (first on row 1)" in text


def test_unknown_food_id_is_named_with_a_suggestion() -> None:
    """check_against names the row of an id the food table lacks, with a near match."""
    table = parse_purchase_csv((HEADER + "\n" + EGG.replace("egg_fried", "egg_friedd")
                                + "\n").encode(), "p.csv")
    (problem,) = check_against(table, ["egg_fried", "milk_whole"])
    assert (problem.row, problem.column) == (1, "id")
    assert "unknown food id 'egg_friedd' (did you mean egg_fried?)" in problem.message


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    """A missing file, an empty one and a non-UTF-8 one are named."""
    with pytest.raises(PurchaseTableError, match=r"nope.csv: 1 problem\n  - file not found"):
        load_purchases(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(PurchaseTableError, match="the file is empty"):
        load_purchases(empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\n").encode() + b"caf\xe9,x\n")
    with pytest.raises(PurchaseTableError, match="not UTF-8"):
        load_purchases(latin)
    short = tmp_path / "short.csv"
    short.write_text(HEADER + "\n" + "egg_fried,egg\n", encoding="utf-8")
    with pytest.raises(PurchaseTableError, match="row 1: has 2 fields but the header has 12"):
        load_purchases(short)


def test_shipped_file_parses_with_the_documented_header() -> None:
    """foods/purchase.csv's header is exactly PURCHASE_COLUMNS, in order."""
    first = io.StringIO(PURCHASE_CSV.read_text(encoding="utf-8")).readline().strip()
    assert first == HEADER
