"""``mealplan targets``: show or save a person's nutrient targets.

``mealplan targets show --sex female --age 45 [options]`` prints every bound with its
source and reason, the diet filter and the safety warnings; ``mealplan targets save FILE
[options]`` writes the same targets as a TOML profile (format: :mod:`mealplan.profiles`).
``--profile FILE`` reads a saved profile instead of building one.

Other commands reuse the options: :func:`add_person_arguments` adds them to a parser and
:func:`targets_from_args` turns the parsed arguments into :class:`~mealplan.targets.Targets`.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from typing import TextIO

from mealplan import DISCLAIMER
from mealplan.errors import Problem, ProfileError, TargetsError
from mealplan.fileio import check_output_path
from mealplan.profiles import MAX_NUMBER, load_profile, save_profile
from mealplan.targets import (
    ACTIVITY_FACTORS,
    DIETS,
    HEALTHY_RULES,
    KETO_DEFAULT_NET_CARBS,
    WEEKLY_FLOOR_FRACTION,
    Anticoagulant,
    Bound,
    DietFilter,
    KidneyLimits,
    Person,
    Targets,
    diet_filter,
    healthy_rules_on,
    targets_for,
)
from mealplan.units import nutrient_label

__all__ = [
    "add_person_arguments",
    "build_options_given",
    "describe_bound",
    "healthy_rules",
    "number",
    "person_from_args",
    "print_targets",
    "register",
    "targets_from_args",
]

EXIT_OK = 0

# Options that build targets from a person; none may be combined with --profile.
_BUILD_OPTIONS = (
    ("sex", "--sex"), ("age", "--age"), ("life_stage", "--life-stage"), ("weight", "--weight"),
    ("height", "--height"), ("activity", "--activity"), ("energy", "--energy"),
    ("diet", "--diet"), ("keto", "--keto"), ("dairy_free", "--dairy-free"),
    ("gluten_free", "--gluten-free"), ("nut_free", "--nut-free"), ("allergen", "--allergen"),
    ("exclude_food", "--exclude-food"), ("exclude_group", "--exclude-group"),
    ("exclude_flag", "--exclude-flag"), ("dislike", "--dislike"), ("favourite", "--favourite"),
    ("anticoagulant", "--anticoagulant"), ("vitk_min", "--vitk-min"),
    ("vitk_max", "--vitk-max"), ("ckd", "--ckd"), ("potassium_max", "--potassium-max"),
    ("phosphorus_max", "--phosphorus-max"), ("protein_per_kg", "--protein-per-kg"),
    ("full_dri", "--full-dri"),
    ("macro_shares", "--no-macro-shares"), ("supplements", "--supplements"),
    ("weekly", "--weekly"), ("weekly_floor", "--weekly-floor"),
    ("cooking_salt", "--cooking-salt"), ("healthy", "--healthy"),
)


def _weekly(values: Sequence[str] | None) -> Sequence[str] | None:
    """--weekly: None (not given) keeps the default weekly nutrients; 'none' holds every
    minimum every day."""
    if not values:
        return None
    return [] if [v.strip().lower() for v in values] == ["none"] else list(values)


def number(text: str) -> float:
    """An argparse type: a finite number no larger than a million (``nan``, ``inf``, ``1e300``
    are refused with a message argparse shows next to the flag's name)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    if abs(x) > MAX_NUMBER:
        raise argparse.ArgumentTypeError(
            f"{text} is larger than {MAX_NUMBER:,.0f}, the most any amount may be")
    return x


def add_person_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the person, diet, safety-mode and ``--profile`` options to a parser.

    Args:
        parser: the sub-command's parser (e.g. ``mealplan plan``).
    """
    g = parser.add_argument_group("person (or --profile FILE)")
    g.add_argument("--profile", metavar="FILE", help="read targets from a saved TOML profile "
                   "instead of building them from the options below")
    g.add_argument("--sex", choices=("female", "male"),
                   help="sex for the DRI tables and the energy estimate")
    g.add_argument("--age", type=int, help="whole years, 19 or over")
    g.add_argument("--life-stage", choices=("pregnancy", "lactation"),
                   help="use the pregnancy or breastfeeding DRIs and safety rules")
    g.add_argument("--weight", type=number, metavar="KG",
                   help="body weight for energy and protein (default: a reference body)")
    g.add_argument("--height", type=number, metavar="CM",
                   help="height for the energy estimate (default: a reference body)")
    g.add_argument("--activity", choices=tuple(ACTIVITY_FACTORS),
                   help="activity level for the energy estimate (default light)")
    g.add_argument("--energy", type=number, metavar="KCAL",
                   help="your own daily energy target (overrides the estimate)")
    g.add_argument("--full-dri", action="store_true", default=None,
                   help="also hold vitamin A, phosphorus, iron, zinc and vitamin K at the RDA")
    g.add_argument("--no-macro-shares", dest="macro_shares", action="store_false", default=None,
                   help="do not hold fat (20-35 %%) and carbohydrate (45-65 %%) as shares of "
                        "energy (held by default; keto holds fat 20-80 %%)")
    g.add_argument("--supplements", action="store_true", default=None,
                   help="let the plan add supplement items")
    g.add_argument("--cooking-salt", type=number, metavar="GRAMS",
                   help="salt you add in cooking or at the table, grams a day (0-5): its "
                        "sodium counts toward the 2,300 mg limit (the food table's cooked "
                        "foods are without added salt)")
    g.add_argument("--healthy", type=healthy_rules, metavar="RULES",
                   help="healthy-day rules to hold: 'all', 'none' or a comma list of "
                        f"{', '.join(HEALTHY_RULES)} (default none)")
    g.add_argument("--weekly", action="append", metavar="NUTRIENT",
                   help="hold this column as a weekly average with a daily floor "
                        "(repeatable), e.g. vitamin_d_ug; default: vitamin_d_ug, "
                        "vitamin_e_mg and k2_ug; 'none': every minimum every day")
    g.add_argument("--weekly-floor", type=number, metavar="FRACTION",
                   help=f"daily floor of weekly nutrients, as a fraction of the minimum "
                        f"(default {WEEKLY_FLOOR_FRACTION:g})")

    d = parser.add_argument_group("diet")
    d.add_argument("--diet", choices=sorted(DIETS),
                   help="plan only foods tagged for this diet")
    d.add_argument("--keto", nargs="?", type=number, const=KETO_DEFAULT_NET_CARBS,
                   metavar="NET_CARBS",
                   help=f"cap net carbs (default {KETO_DEFAULT_NET_CARBS:g} g/day; 20-50)")
    d.add_argument("--dairy-free", action="store_true", default=None,
                   help="leave out foods with the milk allergen")
    d.add_argument("--gluten-free", action="store_true", default=None,
                   help="leave out foods with the gluten allergen")
    d.add_argument("--nut-free", action="store_true", default=None,
                   help="no tree nuts and no peanuts")
    d.add_argument("--allergen", action="append", metavar="NAME",
                   help="leave out foods with this allergen (repeatable)")
    d.add_argument("--exclude-food", action="append", metavar="ID",
                   help="never plan this food (an id from `mealplan foods search`); repeatable")
    d.add_argument("--exclude-group", action="append", metavar="GROUP",
                   help="never plan foods of this food group (e.g. 'Fish'); repeatable")
    d.add_argument("--exclude-flag", action="append", metavar="FLAG",
                   help="e.g. fortified, uv_vitamin_d, supplement (repeatable)")
    d.add_argument("--dislike", action="append", metavar="ID",
                   help="a food the plan should avoid where it can (soft); repeatable")
    d.add_argument("--favourite", action="append", metavar="ID",
                   help="a food the plan should prefer (repeatable)")

    s = parser.add_argument_group("safety modes")
    s.add_argument("--anticoagulant", action="store_true", default=None,
                   help="I take warfarin or another vitamin K antagonist (needs --vitk-min "
                        "and --vitk-max, agreed with your clinician)")
    s.add_argument("--vitk-min", type=number, metavar="UG",
                   help="with --anticoagulant: lowest daily vitamin K (K1 + K2), from your "
                        "clinician")
    s.add_argument("--vitk-max", type=number, metavar="UG",
                   help="with --anticoagulant: highest daily vitamin K (K1 + K2), from your "
                        "clinician")
    s.add_argument("--ckd", action="store_true", default=None,
                   help="chronic kidney disease (needs --potassium-max and --phosphorus-max)")
    s.add_argument("--potassium-max", type=number, metavar="MG",
                   help="with --ckd: daily potassium cap from your clinician")
    s.add_argument("--phosphorus-max", type=number, metavar="MG",
                   help="with --ckd: daily phosphorus cap from your clinician")
    s.add_argument("--protein-per-kg", type=_band, metavar="MIN-MAX",
                   help="with --ckd: daily protein band in g per kg of body weight from your "
                        "clinician (default 0.6-0.8, after KDOQI 2020, not on dialysis)")


def healthy_rules(text: str) -> frozenset[str]:
    """An argparse type: ``all``, ``none`` or a comma list of healthy-day rule names."""
    words = {w.strip() for w in text.split(",") if w.strip()}
    if words == {"all"}:
        return frozenset(HEALTHY_RULES)
    if words == {"none"}:
        return frozenset()
    unknown = sorted(words - set(HEALTHY_RULES))
    if unknown or not words:
        raise argparse.ArgumentTypeError(
            f"unknown healthy-day rule {', '.join(map(repr, unknown)) or repr(text)} (choose "
            f"'all', 'none' or from {', '.join(HEALTHY_RULES)})")
    return frozenset(words)


def _band(text: str) -> tuple[float, float]:
    """``0.6-0.8`` -> (0.6, 0.8)."""
    lo, sep, hi = text.partition("-")
    try:
        if not sep:
            raise ValueError(text)
        band = float(lo), float(hi)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected MIN-MAX in g per kg, e.g. 0.6-0.8, not {text!r}") from None
    if not all(math.isfinite(x) for x in band):
        raise argparse.ArgumentTypeError(f"{text!r}: both ends must be finite numbers")
    return band


def _given(args: argparse.Namespace, dest: str) -> bool:
    return getattr(args, dest, None) is not None


def build_options_given(args: argparse.Namespace) -> list[str]:
    """The person/diet/safety flags given on the command line (those ``--profile`` replaces).

    Args:
        args: parsed arguments (see :func:`add_person_arguments`).

    Returns:
        The flags, e.g. ``["--sex", "--age"]``.
    """
    return [flag for dest, flag in _BUILD_OPTIONS if _given(args, dest)]


def person_from_args(args: argparse.Namespace) -> Person | None:
    """The person the options describe, or None when ``--profile`` is used.

    Args:
        args: parsed arguments (see :func:`add_person_arguments`).

    Returns:
        The person, or None with ``--profile``.

    Raises:
        TargetsError: when ``--sex`` or ``--age`` is missing.
    """
    if args.profile is not None:
        return None
    missing = [flag for dest, flag in (("sex", "--sex"), ("age", "--age"))
               if not _given(args, dest)]
    if missing:
        raise TargetsError("command line", [Problem(
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required "
            "(or give --profile FILE)")])
    return Person(age=args.age, sex=args.sex, life_stage=args.life_stage,
                  weight_kg=args.weight, height_cm=args.height,
                  activity=args.activity or "light", energy_kcal=args.energy)


def targets_from_args(args: argparse.Namespace) -> Targets:
    """Build (or load, with ``--profile``) the targets the options describe.

    Args:
        args: parsed arguments (see :func:`add_person_arguments`).

    Returns:
        The targets.

    Raises:
        TargetsError: missing or conflicting options (named by their flag), or invalid
            values; ProfileError for an unreadable or invalid profile.
    """
    if args.profile is not None:
        clash = build_options_given(args)
        if clash:
            raise TargetsError("command line", [Problem(
                f"--profile cannot be combined with {', '.join(clash)}: edit the profile "
                "file, or build targets from the options without --profile")])
        return load_profile(args.profile).targets
    person = person_from_args(args)
    assert person is not None
    problems: list[Problem] = []
    anticoagulant = None
    if args.anticoagulant:
        if args.vitk_min is None or args.vitk_max is None:
            problems.append(Problem("--anticoagulant needs --vitk-min and --vitk-max: the "
                                    "daily vitamin K band agreed with your clinician"))
        else:
            anticoagulant = Anticoagulant(args.vitk_min, args.vitk_max)
    elif args.vitk_min is not None or args.vitk_max is not None:
        problems.append(Problem("--vitk-min/--vitk-max only apply with --anticoagulant"))
    ckd = None
    if args.ckd:
        if args.potassium_max is None or args.phosphorus_max is None:
            problems.append(Problem("--ckd needs --potassium-max and --phosphorus-max: the "
                                    "daily limits your clinician set"))
        else:
            ckd = KidneyLimits(args.potassium_max, args.phosphorus_max,
                               *(args.protein_per_kg or (0.6, 0.8)))
    elif (args.potassium_max is not None or args.phosphorus_max is not None
          or args.protein_per_kg is not None):
        problems.append(Problem("--potassium-max/--phosphorus-max/--protein-per-kg only apply "
                                "with --ckd"))
    if args.supplements and "supplement" in (args.exclude_flag or ()):
        problems.append(Problem("--supplements conflicts with --exclude-flag supplement: "
                                "allow supplement items, or leave them out, not both"))
    if problems:
        raise TargetsError("command line", problems)
    diet = diet_filter(
        diet=args.diet, dairy_free=bool(args.dairy_free), gluten_free=bool(args.gluten_free),
        nut_free=bool(args.nut_free), allergens=args.allergen or (),
        exclude_foods=args.exclude_food or (), exclude_groups=args.exclude_group or (),
        exclude_flags=args.exclude_flag or (), dislikes=args.dislike or (),
        favourites=args.favourite or ())
    return targets_for(
        person, diet=diet, keto_net_carbs=args.keto, anticoagulant=anticoagulant, ckd=ckd,
        full_dri=bool(args.full_dri), macro_shares=args.macro_shares is not False,
        allow_supplements=bool(args.supplements), weekly=_weekly(args.weekly),
        weekly_floor_fraction=(WEEKLY_FLOOR_FRACTION if args.weekly_floor is None
                               else args.weekly_floor),
        cooking_salt_g=0.0 if args.cooking_salt is None else args.cooking_salt,
        healthy=getattr(args, "healthy", None))


# --------------------------------------------------------------------------- rendering

def _num(x: float) -> str:
    return f"{x:,.1f}".rstrip("0").rstrip(".") if x != int(x) else f"{int(x):,}"


def describe_bound(b: Bound) -> str:
    """One bound's range in words, e.g. ``100-200 µg a day``."""
    u = f" {b.unit}" if b.unit else ""
    if b.supplements_only:
        return f"at most {_num(b.max or 0)}{u} a day from supplements"
    if b.period == "week":
        parts = [f"weekly average at least {_num(b.min or 0)}{u}"]
        if b.daily_min is not None:
            parts.append(f"each day at least {_num(b.daily_min)}{u}")
        if b.max is not None:
            parts.append(f"at most {_num(b.max)}{u} a day")
        return ", ".join(parts)
    if b.min is not None and b.max is not None:
        return f"{_num(b.min)}-{_num(b.max)}{u} a day"
    if b.min is not None:
        return f"at least {_num(b.min)}{u} a day"
    return f"at most {_num(b.max or 0)}{u} a day"


def _diet_lines(d: DietFilter) -> list[str]:
    out = []
    if d.diet:
        out.append(f"diet: {d.diet}")
    if d.keto:
        out.append("keto")
    for label, words in (("no allergens", d.allergens), ("left out", d.exclude_foods),
                         ("groups left out", d.exclude_groups),
                         ("flags left out", d.exclude_flags), ("disliked", d.dislikes),
                         ("favourites", d.favourites)):
        if words:
            out.append(f"{label}: {', '.join(sorted(words))}")
    return out or ["any food"]


def print_targets(t: Targets, out: TextIO) -> None:
    """Print targets for people: each bound with its source and reason, diet, warnings.

    Args:
        t: the targets.
        out: where to write.
    """
    head = "Daily targets"
    if t.energy_kcal is not None:
        head += f" (energy centre {_num(t.energy_kcal)} kcal)"
    if t.modes:
        head += f"; modes: {', '.join(sorted(t.modes))}"
    out.write(head + "\n")
    def entry(head: str, reason: str, source: str) -> None:
        out.write(f"  {head}\n")
        if reason:
            out.write(f"      why: {reason}\n")
        if source:
            out.write(f"      source: {source}\n")

    for b in t.bounds:
        entry(f"{nutrient_label(b.nutrient)} [{b.nutrient}]: {describe_bound(b)}", b.reason,
              b.source)
    for a in t.aims:
        entry(f"{nutrient_label(a.nutrient)} [{a.nutrient}]: aim {_num(a.min)} {a.unit} a day "
              "(an aim, not a floor)", a.reason, a.source)
    for c in t.weekly_max:
        entry(f"{c.kind.capitalize()} [kind {c.kind}]: at most {_num(c.grams)} g a week "
              "(any 7 days of the plan)", c.reason, c.source)
    on = healthy_rules_on(t)
    out.write("Healthy-day rules (--healthy all, none or a comma list):" + "\n")
    for name, rule in HEALTHY_RULES.items():
        out.write(f"  [{'on' if name in on else 'off'}] {name}: {rule.description}" + "\n")
    out.write("Foods: " + "; ".join(_diet_lines(t.diet)) + "\n")
    out.write(f"Supplements: {'allowed' if t.allow_supplements else 'not used'}" + "\n")
    if t.warnings:
        out.write("Warnings:" + "\n")
        for w in t.warnings:
            out.write(f"  ! {w}" + "\n")
    out.write(DISCLAIMER + "\n")


# --------------------------------------------------------------------------- commands

def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``targets`` command (``show``, ``save``) to the CLI.

    Args:
        subparsers: the top-level sub-parsers object of ``mealplan``.
    """
    parser = subparsers.add_parser(
        "targets", help="show or save nutrient targets for a person",
        description="Nutrient targets for easing night cramps, from the DRIs for your sex, "
                    "age and life stage.")
    parser.set_defaults(handler=lambda args: _help(parser))
    sub = parser.add_subparsers(dest="targets_command", metavar="SUBCOMMAND")
    p = sub.add_parser("show", help="print every bound with its source, and the warnings")
    add_person_arguments(p)
    p.set_defaults(handler=_show)
    p = sub.add_parser("save", help="save the targets as a TOML profile you can edit")
    p.add_argument("file", metavar="FILE", help="the TOML profile to write (atomically)")
    p.add_argument("--name", default="", help="a name stored in the profile")
    add_person_arguments(p)
    p.set_defaults(handler=_save)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _show(args: argparse.Namespace) -> int:
    print_targets(targets_from_args(args), sys.stdout)
    return EXIT_OK


def _save(args: argparse.Namespace) -> int:
    check_output_path(args.file, ProfileError, inputs=[args.profile])
    targets = targets_from_args(args)
    person = person_from_args(args)
    name = args.name
    if args.profile is not None:
        old = load_profile(args.profile)
        person, name = old.person, name or old.name
    save_profile(args.file, targets, person=person, name=name)
    sys.stdout.write(f"saved {len(targets.bounds)} bounds to {args.file}\n")
    for w in targets.warnings:
        sys.stdout.write(f"  ! {w}\n")
    return EXIT_OK
