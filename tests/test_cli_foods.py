"""`mealplan foods`: list, search, show, top, --table, and errors at the CLI edge."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from mealplan.cli import main
from mealplan.foods import load_default_table

SMALL = Path(__file__).parent / "data" / "foods_small.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI and return (exit code, stdout, stderr)."""
    code = main(["foods", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_vegan_dairy_group_is_empty(capsys: pytest.CaptureFixture[str]) -> None:
    """No dairy food is vegan; the count line says 0."""
    code, out, _ = run(capsys, "list", "--group", "dairy", "--diet", "vegan")
    assert code == 0
    assert out.strip().endswith("0 foods")


def test_list_group_filter(capsys: pytest.CaptureFixture[str]) -> None:
    """--group filters by SR28 group; every listed row is in that group."""
    code, out, _ = run(capsys, "list", "--group", "finfish")
    assert code == 0
    rows = out.strip().splitlines()[2:-2]
    assert rows and all("Finfish and Shellfish Products" in r for r in rows)
    assert "salmon_sockeye" in out


def test_search(capsys: pytest.CaptureFixture[str]) -> None:
    """search matches id or name, case-insensitive."""
    code, out, _ = run(capsys, "search", "GOUDA")
    assert code == 0
    assert "cheese_gouda" in out
    code, out, _ = run(capsys, "search", "zzzz")
    assert code == 0 and "no food matches 'zzzz'" in out


def test_show_natto_per_100g_and_portion_with_sources(capsys: pytest.CaptureFixture[str]) -> None:
    """show prints per-100 g and per-portion values and the K2 source."""
    code, out, _ = run(capsys, "show", "natto")
    assert code == 0
    assert "USDA SR28 NDB 16113" in out
    k2 = next(line for line in out.splitlines() if line.startswith("Vitamin K2 (all"))
    assert k2.split()[-2:] == ["939", "93.9"]  # per 100 g, per 10 g portion
    assert "K2 source: Kamao 2007" in out
    assert "K2 range:  775-1,000" in out
    assert "vitamin_k_antagonist_caution" in out


def test_show_unknown_id_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown id is a clear message and exit 2, with suggestions."""
    code, out, err = run(capsys, "show", "gouda")
    assert code == 2
    assert "unknown food id 'gouda'" in err and "cheese_gouda" in err
    assert out == ""


def test_top_magnesium_per_portion_vegan(capsys: pytest.CaptureFixture[str]) -> None:
    """top ranks by the chosen basis and honours --diet and -n."""
    code, out, _ = run(capsys, "top", "magnesium_mg", "--per", "portion", "--diet", "vegan",
                       "-n", "3")
    assert code == 0
    rows = out.strip().splitlines()[3:]
    assert len(rows) == 3
    t = load_default_table()
    vegan = [i for i in t.ids if "vegan" in t.list_of(i, "diet_tags")]
    per_portion = {i: t.value(i, "magnesium_mg") * t.value(i, "portion_g") / 100 for i in vegan
                   if not math.isnan(t.value(i, "magnesium_mg"))}
    expected = sorted(per_portion, key=lambda i: -per_portion[i])[:3]
    assert [r.split()[1] for r in rows] == expected
    assert f"{per_portion[expected[0]]:.0f}" in rows[0]


def test_top_k2_per_100g(capsys: pytest.CaptureFixture[str]) -> None:
    """Natto tops the K2 list; foods with unknown K2 are not ranked."""
    code, out, _ = run(capsys, "top", "k2_ug", "-n", "400")
    assert code == 0
    lines = out.strip().splitlines()
    assert "natto" in lines[3]
    assert "miso" not in out  # K2 unknown


def test_top_per_100kcal(capsys: pytest.CaptureFixture[str]) -> None:
    """--per 100kcal puts UV mushrooms first for vitamin D."""
    code, out, _ = run(capsys, "top", "vitamin_d_ug", "--per", "100kcal", "-n", "2")
    assert code == 0 and "uv" in out.splitlines()[3]


def test_top_unknown_nutrient_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown nutrient is named with the available ones."""
    code, _, err = run(capsys, "top", "vitamin_q_mg")
    assert code == 2
    assert "unknown nutrient 'vitamin_q_mg'" in err and "magnesium_mg" in err


def test_user_table(capsys: pytest.CaptureFixture[str]) -> None:
    """--table uses the user's CSV instead of the shipped table."""
    code, out, _ = run(capsys, "list", "--table", str(SMALL))
    assert code == 0
    assert "test_cheese" in out and "natto" not in out and "3 foods" in out


def test_bad_table_prints_problems_and_exits_2(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    """A bad user table prints the FoodTableError block and exits 2 (no traceback)."""
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,magnesium_mg\nBad Id,Thing,-1\n", encoding="utf-8")
    code, _, err = run(capsys, "show", "x", "--table", str(bad))
    assert code == 2
    assert f"error: {bad}: 2 problems" in err
    assert "row 1, column 'id': malformed id 'Bad Id'" in err
    assert "row 1, column 'magnesium_mg': negative value -1" in err
    assert "Traceback" not in err


def test_missing_table_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A missing --table file exits 2 naming the file."""
    code, _, err = run(capsys, "search", "x", "--table", str(tmp_path / "none.csv"))
    assert code == 2 and "none.csv: 1 problem" in err and "file not found" in err


def test_foods_without_subcommand_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    """`mealplan foods` alone shows its sub-commands."""
    code, out, _ = run(capsys)
    assert code == 2
    for sub in ("list", "search", "show", "top"):
        assert sub in out
