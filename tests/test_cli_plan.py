"""`mealplan plan` and `mealplan explain`: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mealplan.cli import main


def test_plan_json_to_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 1-day plan on the shipped table is written as JSON with the documented shape."""
    out = tmp_path / "plan.json"
    code = main(["plan", "--days", "1", "--sex", "female", "--age", "45", "--format", "json",
                 "--out", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    assert data["verified"] is True and len(data["days"]) == 1
    item = data["days"][0]["meals"][0]["items"][0]
    assert {"food_id", "grams", "portions"} <= set(item)
    assert "magnesium_mg" in data["days"][0]["totals"]
    assert "verified" in capsys.readouterr().out


def test_plan_infeasible_exits_3_with_explanation(capsys: pytest.CaptureFixture[str]) -> None:
    """Vegan without fortified foods or UV mushrooms: exit 3, vitamin D named, no traceback."""
    code = main(["plan", "--days", "1", "--sex", "female", "--age", "45", "--diet", "vegan",
                 "--exclude-flag", "fortified", "--exclude-flag", "uv_vitamin_d"])
    err = capsys.readouterr().err
    assert code == 3
    assert "Vitamin D reaches at most" in err
    assert "Traceback" not in err


def test_one_name_per_option(capsys: pytest.CaptureFixture[str]) -> None:
    """`--exclude-food` is the one way to leave a food out; the old `--exclude` is gone."""
    with pytest.raises(SystemExit) as stop:
        main(["plan", "--sex", "female", "--age", "45", "--exclude", "natto"])
    assert stop.value.code == 2 and "--exclude-food" in capsys.readouterr().err


@pytest.mark.parametrize("argv, needle", [
    (["plan", "--days", "0", "--sex", "female", "--age", "45"], "--days"),
    (["plan", "--sex", "female", "--age", "45", "--exclude-food", "no_such_food"],
     "no_such_food"),
    (["plan", "--sex", "female", "--age", "45", "--exclude-food", "nato"],
     "unknown food id 'nato' (did you mean natto"),
    (["plan", "--sex", "female", "--age", "45", "--dislike", "kael"], "--dislike: unknown food"),
    (["plan", "--sex", "female", "--age", "45", "--favourite", "x1"], "--favourite: unknown"),
    (["plan", "--sex", "female", "--age", "45", "--exclude-group", "Fishh"],
     "unknown food group 'Fishh'"),
    (["plan", "--sex", "female", "--age", "45", "--work-limit", "0"], "--work-limit"),
    (["plan", "--sex", "female", "--age", "45", "--time-limit", "0"], "--time-limit"),
    (["plan", "--sex", "female", "--age", "45", "--max-minutes", "2"],
     "--max-minutes: must be 5 to 600 minutes"),
    (["plan", "--sex", "female", "--age", "45", "--weekend-minutes", "900"],
     "--weekend-minutes: must be 5 to 600 minutes"),
    (["plan", "--sex", "female", "--age", "45", "--table", "missing.csv"], "missing.csv"),
    (["plan", "--sex", "female", "--age", "45", "--slots", "brunch"], "brunch"),
])
def test_plan_bad_input_exits_2(argv: list[str], needle: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """Bad input: exit 2 and a message naming what is wrong."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_explain_prints_shadow_prices(capsys: pytest.CaptureFixture[str]) -> None:
    """`explain` solves the diet LP and names binding bounds with shadow prices."""
    code = main(["explain", "--sex", "female", "--age", "45", "--minimums-only"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Binding bounds and shadow prices" in out
    assert "raises the grams of food by" in out


def test_every_flag_has_help() -> None:
    """A newcomer reads `--help`: every option and argument of every command says what it does."""
    import argparse

    from mealplan.cli import build_parser

    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, name: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, sp in action.choices.items():
                    walk(sp, f"{name} {sub}")
            elif not action.help and not isinstance(action, argparse._HelpAction):
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), "mealplan")
    assert missing == []
