"""``mealplan foods``: browse the food table (list, search, show, top).

Every sub-command reads the shipped table, or a user's CSV with ``--table PATH``. A table
that fails validation raises :class:`mealplan.errors.FoodTableError`, which the CLI prints
with every problem and exits 2; an unknown id or nutrient exits 2 with a clear message.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from collections.abc import Sequence
from typing import TextIO

import pandas as pd

from mealplan.foods import FoodTable, load_food_table
from mealplan.household import portion_label
from mealplan.units import DIET_TAGS, nutrient_label, unit_of

__all__ = ["register", "register_extra"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
PER_CHOICES = ("100g", "100kcal", "portion")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``foods`` command and its sub-commands to the CLI.

    Args:
        subparsers: the top-level sub-parsers object of ``mealplan``.
    """
    parser = subparsers.add_parser("foods", help="browse the food table",
                                   description="Browse the food table (values per 100 g).")
    parser.set_defaults(handler=lambda args: _help(parser))
    sub = parser.add_subparsers(dest="foods_command", metavar="SUBCOMMAND")

    p = sub.add_parser("list", help="list foods")
    p.add_argument("--group", help="only this food group (case-insensitive substring)")
    _diet_arg(p)
    _table_arg(p)
    p.set_defaults(handler=_list)

    p = sub.add_parser("search", help="find foods whose name or id contains TEXT")
    p.add_argument("text", help="words to find in food names and ids")
    _table_arg(p)
    p.set_defaults(handler=_search)

    p = sub.add_parser("show", help="one food: nutrients per 100 g and per portion, sources")
    p.add_argument("id", help="a food id, e.g. natto (see `mealplan foods search`)")
    _table_arg(p)
    p.set_defaults(handler=_show)

    p = sub.add_parser("top", help="foods richest in a nutrient")
    p.add_argument("nutrient", help="a nutrient column, e.g. magnesium_mg or k2_ug")
    p.add_argument("--per", choices=PER_CHOICES, default="100g",
                   help="rank per 100 g (default), per 100 kcal or per portion")
    p.add_argument("-n", type=int, default=10, help="how many foods (default 10)")
    _diet_arg(p)
    _table_arg(p)
    p.set_defaults(handler=_top)

    register_extra(sub)


def register_extra(foods_subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Let ``mealplan.commands.fdc`` (if installed) add its ``foods`` sub-commands.

    Args:
        foods_subparsers: the sub-parsers object of the ``foods`` command.
    """
    try:
        module = importlib.import_module("mealplan.commands.fdc")
    except ModuleNotFoundError as exc:
        if exc.name == "mealplan.commands.fdc":
            return
        raise
    hook = getattr(module, "register_foods", None)
    if hook is not None:
        hook(foods_subparsers)


def _echo(text: str = "", *, file: TextIO | None = None) -> None:
    """The CLI's output edge: plain text to stdout (or ``file``)."""
    print(text, file=file or sys.stdout)


def _table_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--table", metavar="PATH", help="use this food table CSV instead of the "
                   "shipped one")


def _diet_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--diet", choices=sorted(DIET_TAGS), help="only foods with this diet tag")


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_BAD_INPUT


def _load(args: argparse.Namespace) -> FoodTable:
    return load_food_table(args.table)


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "-"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]),
                      *(line(r) for r in rows)])


def _filter(table: FoodTable, diet: str | None) -> pd.DataFrame:
    df = table.df
    if diet:
        df = df[[diet in table.list_of(fid, "diet_tags") for fid in df.index]]
    return df


def _list(args: argparse.Namespace) -> int:
    table = _load(args)
    df = _filter(table, args.diet)
    if args.group:
        df = df[df["food_group"].str.lower().str.contains(args.group.lower(), regex=False)]
    rows = [[str(fid), str(r["name"]), str(r["food_group"]), str(r["portion_name"])]
            for fid, r in df.iterrows()]
    _echo(_table(["id", "name", "group", "portion"], rows, set()))
    _echo(f"\n{len(rows)} food{'s' if len(rows) != 1 else ''}")
    return EXIT_OK


def _search(args: argparse.Namespace) -> int:
    table = _load(args)
    needle = args.text.lower()
    df = table.df
    mask = [needle in str(fid).lower() or needle in str(n).lower()
            for fid, n in zip(df.index, df["name"], strict=True)]
    df = df[mask]
    if df.empty:
        _echo(f"no food matches '{args.text}'")
        return EXIT_OK
    rows = [[str(fid), str(r["name"]), str(r["food_group"])] for fid, r in df.iterrows()]
    _echo(_table(["id", "name", "group"], rows, set()))
    return EXIT_OK


def _unknown_food(table: FoodTable, food_id: str) -> int:
    close = [i for i in table.ids if food_id.lower() in i][:5]
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    _echo(f"error: unknown food id '{food_id}' in {table.source}{hint}; "
          "try 'mealplan foods search TEXT'", file=sys.stderr)
    return EXIT_BAD_INPUT


def _show(args: argparse.Namespace) -> int:
    table = _load(args)
    if not table.has(args.id):
        return _unknown_food(table, args.id)
    r = table.row(args.id)
    grams = float(r["portion_g"])
    _echo(f"{r['name']}  [{args.id}]")
    for label, col in (("group", "food_group"), ("source", "source"),
                       ("NDB", "ndb_number")):
        if str(r[col]):
            _echo(f"{label + ':':9}{r[col]}")
    _echo(f"{'portion:':9}{portion_label(str(r['portion_name']), grams)} "
          f"({r['min_portions']:g}-{r['max_portions']:g} per meal item)")
    for label, col in (("slots", "slots"), ("diet", "diet_tags"), ("allergens", "allergens"),
                       ("flags", "flags")):
        _echo(f"{label + ':':11}{str(r[col]).replace(';', ', ') or '-'}")
    _echo()
    rows = []
    for n in table.nutrients:
        per100 = float(r[n])
        rows.append([nutrient_label(n), unit_of(n) or "", _fmt(per100),
                     _fmt(per100 * grams / 100.0)])
    _echo(_table(["nutrient", "unit", "per 100 g", "per portion"], rows, {2, 3}))
    if "k2_ug" in table.df.columns:
        low = float(r["k2_low_ug"]) if "k2_low_ug" in table.df.columns else math.nan
        high = float(r["k2_high_ug"]) if "k2_high_ug" in table.df.columns else math.nan
        _echo()
        if not (math.isnan(low) and math.isnan(high)):
            _echo(f"K2 range:  {_fmt(low)}-{_fmt(high)} µg/100 g")
        _echo(f"K2 source: {r['k2_source'] or 'none (unknown K2 is left empty)'}")
    if str(r["notes"]):
        _echo(f"notes:     {r['notes']}")
    return EXIT_OK


def _top(args: argparse.Namespace) -> int:
    table = _load(args)
    if args.nutrient not in table.df.columns or args.nutrient not in (
            *table.nutrients, "k2_low_ug", "k2_high_ug"):
        _echo(f"error: unknown nutrient '{args.nutrient}'; available: "
              + ", ".join(table.nutrients), file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.n < 1:
        _echo("error: -n must be at least 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    df = _filter(table, args.diet)
    values = df[args.nutrient].astype(float)
    if args.per == "portion":
        score = values * df["portion_g"].astype(float) / 100.0
        unit_label = "per portion"
    elif args.per == "100kcal":
        if "energy_kcal" not in df.columns:
            _echo("error: --per 100kcal needs an energy_kcal column", file=sys.stderr)
            return EXIT_BAD_INPUT
        kcal = df["energy_kcal"].astype(float)
        score = (values / kcal * 100.0).where(kcal > 0)
        unit_label = "per 100 kcal"
    else:
        score = values
        unit_label = "per 100 g"
    score = score.dropna().sort_values(ascending=False, kind="stable").head(args.n)
    unit = unit_of(args.nutrient) or ""
    rows = [[str(i + 1), str(fid), str(df.at[fid, "name"]), _fmt(float(v)),
             str(df.at[fid, "portion_name"])]
            for i, (fid, v) in enumerate(score.items())]
    _echo(f"{nutrient_label(args.nutrient)} ({unit} {unit_label})")
    _echo(_table(["#", "id", "name", f"{unit} {unit_label}", "portion"], rows, {0, 3}))
    return EXIT_OK
