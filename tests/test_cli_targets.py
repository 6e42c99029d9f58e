"""CLI: ``mealplan targets show/save`` and the reusable person options."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from mealplan.cli import main
from mealplan.commands.targets import add_person_arguments, describe_bound, targets_from_args
from mealplan.errors import TargetsError
from mealplan.profiles import load_profile
from mealplan.targets import Anticoagulant, Bound, Person, targets_for


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_show_prints_every_bound_with_source_and_warnings(
        capsys: pytest.CaptureFixture[str]) -> None:
    """show lists each bound, its source and reason, and the safety warnings."""
    code, out, err = _run(capsys, "targets", "show", "--sex", "female", "--age", "45",
                          "--anticoagulant", "--vitk-min", "80", "--vitk-max", "120")
    assert code == 0 and err == ""
    assert "Magnesium [magnesium_mg]: at least 320 mg a day" in out
    assert "Sodium [sodium_mg]: at most 2,300 mg a day" in out
    assert "Sodium [sodium_mg]: aim 1,500 mg a day (an aim, not a floor)" in out
    assert "Magnesium [magnesium_mg]: at most 350 mg a day from supplements" in out
    assert "[vitamin_k_total_ug]: 80-120 µg a day" in out
    assert "k2_ug" not in out
    shown = targets_for(Person(45, "female"), anticoagulant=Anticoagulant(80, 120))
    assert out.count("source: ") == len(shown.bounds) + len(shown.aims)
    assert "Warnings:" in out and "warfarin" in out and "Not medical advice" in out
    assert "flags left out: vitamin_k_antagonist_caution" in out


def test_show_pregnancy_ckd_keto_diet(capsys: pytest.CaptureFixture[str]) -> None:
    """Life stage, kidney limits, keto cap and diet options all reach the output."""
    code, out, _ = _run(capsys, "targets", "show", "--sex", "female", "--age", "31",
                        "--life-stage", "pregnancy", "--weight", "62", "--height", "165",
                        "--ckd", "--potassium-max", "2000", "--phosphorus-max", "800",
                        "--keto", "--diet", "vegetarian", "--nut-free",
                        "--favourite", "gouda", "--weekly", "vitamin_d_ug")
    assert code == 0
    # kidney disease: no magnesium minimum (the kidney clears it), the supplement cap stays
    assert "Magnesium [magnesium_mg]: at least" not in out
    assert "Magnesium [magnesium_mg]: at most 350 mg a day from supplements" in out
    assert "Potassium [potassium_mg]: at most 2,000 mg a day" in out
    assert "[net_carbs_g]: at most 25 g a day" in out
    assert "weekly average at least 15 µg, each day at least 7.5 µg" in out
    assert "diet: vegetarian" in out and "no allergens: peanuts, tree_nuts" in out
    assert "Pregnancy" in out and "Kidney disease" in out
    assert "reference body" not in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--sex", "female", "--age", "17"], "age: 17 is under 19"),
    (["--age", "40"], "--sex is required"),
    (["--sex", "male"], "--age is required"),
    (["--sex", "male", "--age", "40", "--anticoagulant", "--vitk-min", "80"],
     "--anticoagulant needs --vitk-min and --vitk-max"),
    (["--sex", "male", "--age", "40", "--vitk-min", "80"], "only apply with --anticoagulant"),
    (["--sex", "male", "--age", "40", "--ckd"], "--ckd needs --potassium-max"),
    (["--sex", "male", "--age", "40", "--potassium-max", "9"], "only apply with --ckd"),
    (["--sex", "male", "--age", "40", "--keto", "60"], "keto_net_carbs: 60.0 g/day"),
    (["--sex", "male", "--age", "40", "--life-stage", "pregnancy"],
     "life_stage: pregnancy applies to sex 'female' only"),
    (["--sex", "male", "--age", "40", "--allergen", "lupin"], "diet.allergens: unknown"),
    (["--sex", "male", "--age", "40", "--weekly", "retinol_ug"], "no minimum bound"),
    (["--profile", "nope.toml"], "file not found"),
    (["--profile", "x.toml", "--age", "40", "--keto"],
     "--profile cannot be combined with --age, --keto"),
])
def test_bad_input_exits_2_with_a_message(capsys: pytest.CaptureFixture[str], argv: list[str],
                                          message: str) -> None:
    """Every bad combination is a clear message on stderr and exit code 2, no traceback."""
    code, out, err = _run(capsys, "targets", "show", *argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_save_then_show_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """save writes an editable profile; show --profile prints the same targets."""
    path = tmp_path / "me.toml"
    code, out, _ = _run(capsys, "targets", "save", str(path), "--name", "Me", "--sex", "male",
                        "--age", "72", "--weight", "80", "--height", "180",
                        "--activity", "sedentary", "--dairy-free")
    assert code == 0 and f"to {path}" in out
    prof = load_profile(path)
    assert prof.name == "Me" and prof.person == Person(72, "male", None, 80.0, 180.0,
                                                         "sedentary")
    assert prof.targets.diet.allergens == {"milk"}
    _, shown, _ = _run(capsys, "targets", "show", "--profile", str(path))
    _, built, _ = _run(capsys, "targets", "show", "--sex", "male", "--age", "72", "--weight",
                       "80", "--height", "180", "--activity", "sedentary", "--dairy-free")
    assert shown == built
    # A hand edit is honoured, and a bad edit is reported by field.
    text = path.read_text(encoding="utf-8").replace("min = 420.0", "min = 400.0", 1)
    path.write_text(text, encoding="utf-8")
    _, shown, _ = _run(capsys, "targets", "show", "--profile", str(path))
    assert "Magnesium [magnesium_mg]: at least 400 mg a day" in shown
    path.write_text(text.replace("min = 400.0", "min = -4.0", 1), encoding="utf-8")
    code, _, err = _run(capsys, "targets", "show", "--profile", str(path))
    assert code == 2 and "bounds[3].min: negative value -4" in err


def test_helpers_for_other_commands() -> None:
    """add_person_arguments + targets_from_args work on any parser (e.g. mealplan plan)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=7)
    add_person_arguments(parser)
    args = parser.parse_args(["--sex", "female", "--age", "50", "--energy", "1900",
                              "--supplements", "--full-dri"])
    t = targets_from_args(args)
    assert t.energy_kcal == 1900 and t.allow_supplements
    assert t == targets_for(Person(50, "female", energy_kcal=1900), full_dri=True,
                            allow_supplements=True)
    with pytest.raises(TargetsError):
        targets_from_args(parser.parse_args([]))


@pytest.mark.parametrize(("bound", "text"), [
    (Bound("k2_ug", 100, 200, "µg"), "100-200 µg a day"),
    (Bound("magnesium_mg", 320.5, unit="mg"), "at least 320.5 mg a day"),
    (Bound("retinol_ug", None, 3000, "µg"), "at most 3,000 µg a day"),
    (Bound("k2_ug", 100, 200, "µg", period="week", daily_min=50),
     "weekly average at least 100 µg, each day at least 50 µg, at most 200 µg a day"),
])
def test_describe_bound(bound: Bound, text: str) -> None:
    """Ranges are described in words."""
    assert describe_bound(bound) == text


def test_console_script_has_no_traceback_on_bad_input() -> None:
    """The real process prints one error line and exits 2."""
    proc = subprocess.run([sys.executable, "-m", "mealplan.cli", "targets", "show", "--sex",
                           "female", "--age", "10"], capture_output=True, text=True,
                          check=False, timeout=60)
    assert proc.returncode == 2
    assert "under 19" in proc.stderr and "Traceback" not in proc.stderr


def test_show_pregnancy_lists_the_new_rules(capsys: pytest.CaptureFixture[str]) -> None:
    """Pregnancy (female 28): folate, iron, vitamin C lines, the choline aim, the fish cap,
    the iodine statement and the fish advice, each with a primary source."""
    code, out, _ = _run(capsys, "targets", "show", "--sex", "female", "--age", "28",
                        "--life-stage", "pregnancy")
    assert code == 0
    assert "Folate (DFE) [folate_dfe_ug]: at least 600 µg a day" in out
    assert "Folate (DFE) [folate_dfe_ug]: at most 1,000 µg a day from supplements" in out
    assert "Iron [iron_mg]: at least 27 mg a day" in out
    assert "Iron [iron_mg]: at most 45 mg a day" in out
    assert "Vitamin C [vitamin_c_mg]: at least 85 mg a day" in out
    assert "Choline [choline_mg]: aim 450 mg a day (an aim, not a floor)" in out
    assert "Fish [kind fish]: at most 340 g a week (any 7 days of the plan)" in out
    assert "https://www.fda.gov/food/consumers/advice-about-eating-fish" in out
    assert "Iodine (220 µg a day) is not in the food data" in out
    assert "227-340 g (8-12 oz) a week of low-mercury fish" in out
    t = targets_for(Person(28, "female", "pregnancy"))
    assert out.count("source: ") == len(t.bounds) + len(t.aims) + len(t.weekly_max)
    assert "[on] fibre: fibre at least 14 g per 1,000 kcal" in out


def test_show_healthy_day(capsys: pytest.CaptureFixture[str]) -> None:
    """--healthy all (female 45, 1,800 kcal) prints each healthy-day bound and marks the
    rules on; a comma list turns on only those; a bad name exits 2."""
    code, out, _ = _run(capsys, "targets", "show", "--sex", "female", "--age", "45",
                        "--energy", "1800", "--healthy", "all")
    assert code == 0
    assert "Saturated fat [saturated_fat_g]: at most 20 g a day" in out
    assert "Fibre [fiber_g]: at least 25.2 g a day" in out
    assert "[fruit_veg_g]: at least 400 g a day" in out
    assert "Vitamin C [vitamin_c_mg]: at least 75 mg a day" in out
    assert "healthy-day rule 'protein_share'" in out
    assert "[on] saturated_fat" in out and "[off]" not in out
    assert "dietaryguidelines.gov" in out and "doi:10.17226/10490" in out
    _, some, _ = _run(capsys, "targets", "show", "--sex", "female", "--age", "45",
                      "--healthy", "fibre,fruit_veg")
    assert "[on] fibre" in some and "[off] saturated_fat" in some
    assert "saturated_fat_g" not in some
    with pytest.raises(SystemExit) as exc:  # argparse refuses the value itself
        main(["targets", "show", "--sex", "female", "--age", "45", "--healthy", "fiber"])
    assert exc.value.code == 2
    assert "unknown healthy-day rule 'fiber'" in capsys.readouterr().err


def test_show_kidney_healthy_day(capsys: pytest.CaptureFixture[str]) -> None:
    """Male 65 with kidney disease and every healthy rule: protein_share is off."""
    code, out, _ = _run(capsys, "targets", "show", "--sex", "male", "--age", "65", "--ckd",
                        "--potassium-max", "2000", "--phosphorus-max", "1000",
                        "--healthy", "all")
    assert code == 0
    assert "[off] protein_share" in out and "[off] fruit_veg" in out and "[off] fibre" in out
    assert "[on] saturated_fat" in out
    assert "Vitamin C [vitamin_c_mg]: at least 90 mg a day" in out
