"""``mealplan plan`` and ``mealplan explain``: thin wrappers over :mod:`mealplan.solve`."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from dataclasses import replace

from mealplan import DISCLAIMER
from mealplan.commands.targets import (
    add_person_arguments,
    build_options_given,
    number,
    targets_from_args,
)
from mealplan.errors import InfeasiblePlanError, Problem, TargetsError
from mealplan.foods import (
    FoodTable,
    load_default_table,
    load_food_table,
    load_supplements,
    merge_tables,
)
from mealplan.plan import DISH_MINUTES_MAX, DISH_MINUTES_MIN, PlanOptions, plan_headline
from mealplan.solve import make_plan, regenerate_meal, solve_diet_lp
from mealplan.targets import Bound, Targets
from mealplan.units import MealSlot, nutrient_label

__all__ = ["load_tables", "register"]


def load_tables(paths: Sequence[str] | None, *, with_shipped: bool = True) -> FoodTable:
    """The shipped table merged with the user's tables (an id in two tables is an error)."""
    tables = [load_default_table()] if with_shipped or not paths else []
    tables += [load_food_table(p) for p in paths or ()]
    return tables[0] if len(tables) == 1 else merge_tables(tables)


def _check_targets_options(args: argparse.Namespace) -> None:
    """``--targets FILE`` replaces every person option: refuse them together, never ignore."""
    if args.targets is None:
        return
    clash = build_options_given(args) + (["--profile"] if args.profile is not None else [])
    if clash:
        raise TargetsError("command line", [Problem(
            f"--targets cannot be combined with {', '.join(clash)}: the targets file holds "
            "every bound; edit it, or build targets from the options without --targets")])


def _targets(args: argparse.Namespace, table: FoodTable) -> Targets:
    _check_targets_options(args)
    if args.targets:
        from mealplan.profiles import load_profile

        targets = load_profile(args.targets).targets
    else:
        targets = targets_from_args(args)
    missing = sorted({b.nutrient for b in targets.bounds if b.nutrient not in table.df.columns})
    if missing:
        raise TargetsError("targets", [Problem(
            f"bound on '{n}', a column the food table lacks", column=n) for n in missing])
    _check_ids(targets, table, from_profile=bool(args.targets or args.profile))
    return targets


def _check_ids(targets: Targets, table: FoodTable, *, from_profile: bool) -> None:
    """Food ids and groups the diet names must exist: a typo must not pass in silence."""
    d = targets.diet
    problems = []
    for what, ids in (("--exclude-food", d.exclude_foods), ("--dislike", d.dislikes),
                      ("--favourite", d.favourites)):
        name = what if not from_profile else what.lstrip("-").replace("-", "_")
        for fid in sorted(ids):
            if not table.has(fid):
                near = difflib.get_close_matches(fid, table.ids, n=3, cutoff=0.6)
                hint = f" (did you mean {', '.join(near)}?)" if near else ""
                problems.append(Problem(f"{name}: unknown food id '{fid}'{hint}"))
    known = (sorted({str(x) for x in table.df["food_group"]})
             if "food_group" in table.df.columns else [])
    for g in sorted(d.exclude_groups):
        if g.casefold() not in {k.casefold() for k in known}:
            problems.append(Problem(f"--exclude-group: unknown food group '{g}' (known: "
                                    f"{', '.join(known)})"))
    if problems:
        raise TargetsError("profile" if from_profile else "command line", problems)


def _options(args: argparse.Namespace) -> PlanOptions:
    slots = tuple(args.slots.split(",")) if args.slots else tuple(s.value for s in MealSlot)
    bad = [s for s in slots if s not in {m.value for m in MealSlot}]
    if bad:
        raise TargetsError("command line", [Problem(
            f"--slots: unknown meal slot(s) {', '.join(bad)}")])
    if not 1 <= args.days <= 14:
        raise TargetsError("command line", [Problem("--days: must be 1 to 14")])
    if args.time_limit <= 0:
        raise TargetsError("command line", [Problem("--time-limit: must be above 0 seconds")])
    if args.work_limit < 1:
        raise TargetsError("command line", [Problem("--work-limit: must be at least 1 node")])
    if args.max_days_per_food < 1:
        raise TargetsError("command line", [Problem(
            "--max-days-per-food: must be at least 1 day")])
    if args.max_days_per_side < 1:
        raise TargetsError("command line", [Problem(
            "--max-days-per-side: must be at least 1 day")])
    if args.max_purchases is not None and args.max_purchases < 1:
        raise TargetsError("command line", [Problem(
            "--max-purchases: must be at least 1 (leave it out for the default, "
            f"{PlanOptions.max_purchases}; --no-purchase-limit for none)")])
    if not 0 <= args.fish_per_week <= 14:
        raise TargetsError("command line", [Problem("--fish-per-week: must be 0 to 14")])
    for flag, value in (("--max-minutes", args.max_minutes),
                        ("--weekend-minutes", args.weekend_minutes)):
        if value is not None and not DISH_MINUTES_MIN <= value <= DISH_MINUTES_MAX:
            raise TargetsError("command line", [Problem(
                f"{flag}: must be {DISH_MINUTES_MIN} to {DISH_MINUTES_MAX} minutes")])
    dishes = None
    if args.dishes:
        from mealplan.dishes import load_dishes

        dishes = load_dishes(args.dishes)
    return PlanOptions(days=args.days, slots=slots, continuous=args.continuous,
                       objective=args.objective, max_days_per_food=args.max_days_per_food,
                       time_limit=args.time_limit, day_time_limit=args.time_limit,
                       day_node_limit=args.work_limit,
                       usual_foods=frozenset(args.usual or ()),
                       use_dishes=not args.no_dishes, meal_patterns=not args.no_meal_patterns,
                       natto=args.natto, fish_per_week=args.fish_per_week, dish_table=dishes,
                       max_dish_minutes=args.max_minutes,
                       weekend_dish_minutes=args.weekend_minutes,
                       leftovers=not args.no_leftovers,
                       max_days_per_side=args.max_days_per_side,
                       max_purchases=None if args.no_purchase_limit else (
                           args.max_purchases or PlanOptions.max_purchases))


def _meal_to_regenerate(args: argparse.Namespace, options: PlanOptions) -> tuple[int, str] | None:
    """``--regenerate-meal DAY:MEAL`` as (day, meal), checked against the plan's options."""
    if args.regenerate_meal is None:
        return None
    day_text, _, meal = str(args.regenerate_meal).partition(":")
    if not day_text.strip().isdigit() or not meal:
        raise TargetsError("command line", [Problem(
            f"--regenerate-meal: '{args.regenerate_meal}' is not DAY:MEAL (e.g. 3:lunch)")])
    day = int(day_text)
    if not 1 <= day <= options.days:
        raise TargetsError("command line", [Problem(
            f"--regenerate-meal: day {day} is not in a {options.days}-day plan")])
    if meal not in options.slots:
        raise TargetsError("command line", [Problem(
            f"--regenerate-meal: '{meal}' is not a planned meal "
            f"({', '.join(options.slots)})")])
    return day, meal


def _cmd_plan(args: argparse.Namespace) -> int:
    from mealplan.export import ExportError, to_csv, to_json, to_markdown, write_atomic
    from mealplan.fileio import check_output_path

    if args.out is not None:  # before any work: a bad --out must not cost a whole solve
        check_output_path(args.out, ExportError,
                          inputs=[*(args.table or ()), args.targets, args.profile])
    table = load_tables(args.table, with_shipped=not args.only_table)
    targets = _targets(args, table)
    options = _options(args)
    regenerate = _meal_to_regenerate(args, options)
    unknown = sorted(f for f in options.usual_foods if not table.has(f))
    if unknown:
        raise TargetsError("command line", [Problem(f"--usual: unknown food id '{f}'")
                                            for f in unknown])
    supplements = load_supplements()  # used only when allowed; the diagnosis may suggest them
    try:
        plan = make_plan(table, targets, options, supplements)
        if regenerate is not None:  # the same request plans the same week: change one meal
            plan = regenerate_meal(plan, *regenerate, table, supplements)
    except InfeasiblePlanError as exc:
        print(DISCLAIMER, file=sys.stderr)
        for w in targets.warnings:
            print(f"warning: {w}", file=sys.stderr)
        raise exc
    fmt = args.format
    text = (to_json(plan) if fmt == "json" else to_csv(plan) if fmt == "csv"
            else to_markdown(plan, table))
    if args.out:
        write_atomic(args.out, text)
        print(f"wrote {args.out}: {plan.options.days} days, verified. {plan_headline(plan)} "
              f"({plan.info.solve_seconds:.1f} s)")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    table = load_tables(args.table, with_shipped=not args.only_table)
    targets = _targets(args, table)
    if args.minimums_only:
        targets = replace(targets, bounds=tuple(
            Bound(b.nutrient, b.min, None, b.unit, b.source, b.reason)
            for b in targets.bounds if b.min is not None))
    lp = solve_diet_lp(table, targets, objective=args.objective)
    print(f"Diet LP (one day, continuous grams, minimise {lp.objective_unit}): {lp.status}, "
          f"{lp.seconds:.2f} s")
    if lp.status != "optimal":
        print("No combination of foods meets these bounds; run `mealplan plan` with the same "
              "options for an explanation of which ones.")
        return 3
    print(f"Objective: {lp.objective:.4g} {lp.objective_unit}")
    print("\nFoods (g/day):")
    for fid, g in sorted(lp.grams.items(), key=lambda kv: -kv[1]):
        print(f"  {g:8.1f}  {table.row(fid)['name']}  [{fid}]")
    print("\nBinding bounds and shadow prices:")
    if not lp.binding:
        print("  none: no bound limits the optimum")
    for b in lp.binding:
        print("  " + b.describe(lp.objective_unit))
    print("\nTotals:")
    for n, v in sorted(lp.totals.items()):
        print(f"  {nutrient_label(n):32s} {v:10.1f}")
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--table", action="append", metavar="FILE",
                   help="a user food table (CSV) merged with the shipped one; repeatable")
    p.add_argument("--only-table", action="store_true",
                   help="use only the --table files, not the shipped table")
    p.add_argument("--targets", metavar="FILE",
                   help="a targets/profile TOML (bounds on any columns of the table)")
    add_person_arguments(p)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``plan`` and ``explain``."""
    p = subparsers.add_parser("plan", help="plan days of meals that meet every target",
                              description="Plan 1-14 days of meals. " + DISCLAIMER)
    _common(p)
    p.add_argument("--days", type=int, default=7, help="days to plan, 1-14 (default 7)")
    p.add_argument("--slots", help="comma-separated meal slots (default all four: "
                   "breakfast,lunch,dinner,snack)")
    p.add_argument("--usual", action="append", metavar="ID",
                   help="a food you usually eat (objective 'usual'); repeatable")
    p.add_argument("--objective", choices=("balanced", "cost", "usual"), default="balanced",
                   help="balanced: close to your energy goal with few foods (default); cost: "
                        "cheapest (needs price_per_100g); usual: prefer the --usual foods")
    p.add_argument("--continuous", action="store_true",
                   help="amounts in grams instead of whole household portions")
    p.add_argument("--max-days-per-food", type=int, default=3,
                   help="days a dish, main, cheese or nut may appear in the plan (staples "
                        "exempt; default 3; single-food sides: --max-days-per-side)")
    p.add_argument("--max-days-per-side", type=int, default=PlanOptions.max_days_per_side,
                   metavar="N",
                   help="days a single-food side (fruit, a vegetable, bread, a grain or "
                        "cereal, yogurt, milk) may appear (at least --max-days-per-food; "
                        f"default {PlanOptions.max_days_per_side})")
    p.add_argument("--max-purchases", type=int, metavar="N",
                   help="shopping lines the plan may need (every egg style is one purchase; "
                        f"default {PlanOptions.max_purchases} a week); a day that cannot keep "
                        "to it buys as few more as its targets allow")
    p.add_argument("--no-purchase-limit", action="store_true",
                   help="no limit on the shopping list's length")
    p.add_argument("--work-limit", type=int, default=PlanOptions.day_node_limit,
                   metavar="NODES",
                   help="search effort per day in branch-and-bound nodes (default "
                        f"{PlanOptions.day_node_limit}); the same on any machine, so the same "
                        "input always gives the same plan")
    p.add_argument("--time-limit", type=number, default=PlanOptions.time_limit,
                   metavar="SECONDS",
                   help="safety net in wall-clock seconds (default "
                        f"{PlanOptions.time_limit:g}); plans normally stop on the work limit "
                        "long before")
    p.add_argument("--natto", action="store_true",
                   help="I eat natto: natto rice bowls (a whole 40-50 g pack, rich in vitamin "
                        "K2) up to 3 times a week; off by default (never with warfarin)")
    p.add_argument("--fish-per-week", type=int, default=PlanOptions.fish_per_week,
                   metavar="N", help="servings of fish a week at most (default "
                                     f"{PlanOptions.fish_per_week})")
    p.add_argument("--max-minutes", type=int, metavar="N",
                   help="weeknight limit: no dish that takes more than N minutes to prepare "
                        "and cook (default: no limit)")
    p.add_argument("--weekend-minutes", type=int, metavar="N",
                   help="the limit on days 6 and 7 of each week instead (default: as "
                        "--max-minutes)")
    p.add_argument("--no-leftovers", action="store_true",
                   help="do not cook once and eat twice (by default the dinner dish of days "
                        "1, 3 and 5 is cooked for two and is the next day's lunch)")
    p.add_argument("--regenerate-meal", metavar="DAY:MEAL",
                   help="plan the week, then plan this one meal again (e.g. 3:lunch): the "
                        "same request gives the same week, so this changes only that meal")
    p.add_argument("--dishes", metavar="FILE",
                   help="your own dish table (CSV, the format of foods/DISHES.md) instead of "
                        "the shipped dishes")
    p.add_argument("--no-dishes", action="store_true",
                   help="plan single foods only, no named dishes")
    p.add_argument("--no-meal-patterns", action="store_true",
                   help="do not hold meals to their usual shape (breakfast with a base and "
                        "milk or fruit; lunch and dinner with one main, a vegetable and a "
                        "starch)")
    p.add_argument("--format", choices=("markdown", "csv", "json"), default="markdown",
                   help="output format (default markdown)")
    p.add_argument("--out", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    p.set_defaults(handler=_cmd_plan)

    e = subparsers.add_parser(
        "explain", help="the diet LP: binding bounds and their shadow prices",
        description="Solve one day as a continuous diet LP and show which bounds bind and "
                    "what each costs (shadow prices in plain units).")
    _common(e)
    e.add_argument("--objective", choices=("auto", "cost", "grams"), default="auto",
                   help="minimise cost (needs price_per_100g) or grams of food; auto: cost "
                        "when every food has a price")
    e.add_argument("--minimums-only", action="store_true",
                   help="the classic diet problem: only nutrient minimums")
    e.set_defaults(handler=_cmd_explain)
