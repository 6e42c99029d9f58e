"""``mealplan foods fdc-search | fdc-add | import-sr28``: bring more foods into a table.

- ``fdc-search TEXT [--data-type T]... [-n N]``: look foods up in USDA FoodData Central.
- ``fdc-add FDC_ID... --table FILE``: fetch foods and append them to a user's table (created
  if needed; all or nothing, written atomically; an id already there is an error).
- ``import-sr28 DIR --out FILE [--include-all] [--skip-shipped]``: convert the whole SR28
  release into a food table.

FoodData Central needs the network: the API key comes from ``FDC_API_KEY`` (``DEMO_KEY``
otherwise), the address from ``FDC_BASE_URL``, the cache from ``MEALPLAN_CACHE_DIR``. Errors
(:class:`mealplan.errors.FDCError`, :class:`mealplan.errors.DataFileError`) are raised to
:mod:`mealplan.cli`, which prints one message and exits 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from mealplan.errors import DataFileError, FoodTableError
from mealplan.fdc import DATA_TYPES, FDCClient, add_fdc_foods
from mealplan.fileio import check_output_path
from mealplan.foods import load_default_table
from mealplan.sr28_import import convert_sr28, write_sr28_table

__all__ = ["register_foods"]

EXIT_OK = 0
SR28_FILES = ("FOOD_DES.txt", "FD_GROUP.txt", "NUT_DATA.txt", "WEIGHT.txt")


def register_foods(foods_subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``fdc-search``, ``fdc-add`` and ``import-sr28`` under ``mealplan foods``.

    Args:
        foods_subparsers: the sub-parsers object of the ``foods`` command.
    """
    p = foods_subparsers.add_parser(
        "fdc-search", help="search USDA FoodData Central (needs the network)",
        description="Search USDA FoodData Central. Values per 100 g. Set FDC_API_KEY to "
                    "your own key (DEMO_KEY allows 30 requests an hour).")
    p.add_argument("text", help="words to look for, e.g. 'pumpkin seeds'")
    p.add_argument("--data-type", action="append", choices=DATA_TYPES, metavar="TYPE",
                   help="only this FDC data type (repeatable): " + ", ".join(DATA_TYPES))
    p.add_argument("-n", type=int, default=10, help="how many hits (1-200, default 10)")
    p.set_defaults(handler=_search)

    p = foods_subparsers.add_parser(
        "fdc-add", help="add FoodData Central foods to your food table",
        description="Fetch foods by FDC ID and append them to a food table CSV (created if "
                    "missing). Nothing is written unless every food can be added.")
    p.add_argument("fdc_ids", nargs="+", metavar="FDC_ID", help="FDC IDs (from fdc-search)")
    p.add_argument("--table", required=True, metavar="FILE", help="your food table CSV")
    p.set_defaults(handler=_add)

    p = foods_subparsers.add_parser(
        "import-sr28", help="convert the whole USDA SR28 release into a food table",
        description="Convert the USDA SR28 release files (FOOD_DES.txt, FD_GROUP.txt, "
                    "NUT_DATA.txt, WEIGHT.txt) into a food table CSV. By default foods a "
                    "person would not plan with are left out (baby, fast and restaurant "
                    "foods, spices, alcoholic drinks, dry mixes, ...).")
    p.add_argument("path", metavar="DIR", help="the folder holding the SR28 files")
    p.add_argument("--out", required=True, metavar="FILE", help="the CSV to write")
    p.add_argument("--include-all", action="store_true",
                   help="keep every food (skip the realism rule)")
    p.add_argument("--skip-shipped", action="store_true",
                   help="leave out foods whose NDB number is in the shipped table")
    p.set_defaults(handler=_import_sr28)


def _echo(text: str = "", *, file: TextIO | None = None) -> None:
    print(text, file=file or sys.stdout)


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}".rstrip("0").rstrip(".") or "0"


def _search(args: argparse.Namespace) -> int:
    with FDCClient() as client:
        if client.using_demo_key:
            _echo("note: using DEMO_KEY (30 requests an hour); set FDC_API_KEY to your own "
                  "key", file=sys.stderr)
        hits = client.search(args.text, data_types=args.data_type, page_size=args.n)
    if not hits:
        _echo(f"no FoodData Central food matches '{args.text}'")
        return EXIT_OK
    headers = ["fdc_id", "type", "kcal", "Mg mg", "K mg", "description"]
    rows = [[str(h.fdc_id), h.data_type,
             _fmt(h.nutrients.get("energy_kcal")), _fmt(h.nutrients.get("magnesium_mg")),
             _fmt(h.nutrients.get("potassium_mg")),
             h.description + (f" ({h.brand_owner})" if h.brand_owner else "")]
            for h in hits]
    widths = [max(len(headers[i]), *(len(r[i]) for r in rows)) for i in range(len(headers))]
    for cells in (headers, ["-" * w for w in widths], *rows):
        _echo("  ".join(c.rjust(w) if 2 <= i <= 4 else c.ljust(w)
                        for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip())
    _echo(f"\nper 100 g. Add with: mealplan foods fdc-add {hits[0].fdc_id} --table my_foods.csv")
    return EXIT_OK


def _add(args: argparse.Namespace) -> int:
    # before any request: the table is read and rewritten in place, so only its own rules
    check_output_path(args.table, FoodTableError, replace_ok=False)
    with FDCClient() as client:
        rows = add_fdc_foods(args.fdc_ids, args.table, client)
    for r in rows:
        _echo(f"added {r['id']}: {r['name']} [{r['portion_name']}]")
    _echo(f"{len(rows)} food{'s' if len(rows) != 1 else ''} added to {args.table}. Diet tags "
          "and allergens are not known: edit them before using diet or allergen filters.")
    return EXIT_OK


def _import_sr28(args: argparse.Namespace) -> int:
    start = time.monotonic()
    check_output_path(args.out, DataFileError,  # before the long conversion
                      inputs=[Path(args.path) / n for n in SR28_FILES])
    skip = ({str(n) for n in load_default_table().df["ndb_number"] if str(n)}
            if args.skip_shipped else set())
    result = convert_sr28(args.path, include_all=args.include_all, skip_ndb=skip)
    out = write_sr28_table(result, args.out)
    _echo(f"wrote {result.kept:,} of {result.total:,} SR28 foods to {out} "
          f"in {time.monotonic() - start:.1f} s")
    for reason, count in result.excluded.items():
        _echo(f"  left out {count:>5,}  {reason}")
    if result.excluded and not args.include_all:
        _echo("  (--include-all keeps every food)")
    return EXIT_OK
