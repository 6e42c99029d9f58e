"""Build the shipped food and supplement tables from the curated selection + USDA SR28.

Usage::

    python scripts/build_foods.py [--sr28 PATH] [--out DIR]

Reads ``foods/selection.csv`` (which foods, which household portion, tags), the K2 files
(``foods/k2_mapping.csv`` + ``foods/k2_menaquinones.csv``) and the SR28 release files, and
writes ``foods/foods.csv`` and ``foods/supplements.csv`` plus byte-identical copies in
``src/mealplan/data/``. With ``--out DIR`` both files are written to DIR only (used by the
tests to compare a fresh build with the committed files).

Every nutrient value is the SR28 NUT_DATA value for the food's NDB number (empty when SR28
has none). The output is deterministic: fixed column order, fixed number formatting, "\\n"
line ends. The table is validated with :func:`mealplan.foods.parse_food_csv` before writing,
and files are written atomically.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from mealplan import sr28  # noqa: E402
from mealplan.errors import DataFileError, MealPlanError, Problem  # noqa: E402
from mealplan.foods import parse_food_csv  # noqa: E402
from mealplan.units import NUTRIENTS  # noqa: E402

__all__ = ["COLUMNS", "BuildError", "build", "format_number", "main"]

NUTRIENT_COLUMNS = [c for c, n in NUTRIENTS.items() if n.sr28_nutr_no is not None]
COLUMNS = [
    "id", "name", "ndb_number", "food_group", "source",
    *NUTRIENT_COLUMNS,
    "k2_ug", "k2_low_ug", "k2_high_ug", "k2_source",
    "portion_name", "portion_g", "min_portions", "max_portions",
    "slots", "diet_tags", "allergens", "kind", "flags", "notes",
]
SELECTION_COLUMNS = [
    "id", "name", "ndb_number", "portion_seq", "portion_metric_g", "min_portions",
    "max_portions", "slots", "diet_tags", "allergens", "kind", "flags", "k2_key", "notes",
]
MAPPING_COLUMNS = ["k2_key", "mode", "value_ug", "low_ug", "high_ug", "source", "rule"]
SUPPLEMENT_COLUMNS = [
    "id", "name", "portion_name", "doses", "min_portions", "max_portions", "slots",
    "diet_tags", "allergens", "flags", "source", "notes",
]
K2_MODES = ("add_long_chain", "mk4_literature", "mk4_only")
MACROS = ("energy_kcal", "protein_g", "fat_g", "carbs_g", "fiber_g", "sugars_g")
SUPPLEMENT_UNITS_PER_100G = 100  # one 1 g "portion" = one capsule: values per 100 units


class BuildError(DataFileError):
    """The curated inputs are inconsistent with each other or with SR28."""


@dataclass(frozen=True)
class K2Rule:
    """One row of ``k2_mapping.csv``."""

    key: str
    mode: str
    value: float | None
    low: float | None
    high: float | None
    source: str


def format_number(x: float | None) -> str:
    """Fixed formatting: up to 4 decimals, no trailing zeros, "" for missing."""
    if x is None:
        return ""
    text = f"{round(x, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _read_csv(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(str(path), [Problem("file not found")]) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise BuildError(str(path), [Problem("required column is missing", column=c)
                                     for c in missing])
    return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


def _opt_float(path: Path, row: int, column: str, value: str,
               problems: list[Problem]) -> float | None:
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        problems.append(Problem(f"'{value}' is not a number ({path.name})", row, column))
        return None


def read_k2_rules(path: Path) -> dict[str, K2Rule]:
    """Read ``k2_mapping.csv`` into rules keyed by k2 key."""
    problems: list[Problem] = []
    rules: dict[str, K2Rule] = {}
    for i, r in enumerate(_read_csv(path, MAPPING_COLUMNS), start=1):
        if r["mode"] not in K2_MODES:
            problems.append(Problem(f"unknown mode '{r['mode']}' (use {', '.join(K2_MODES)})",
                                    i, "mode"))
        if r["k2_key"] in rules:
            problems.append(Problem(f"duplicate k2_key '{r['k2_key']}'", i, "k2_key"))
        value = _opt_float(path, i, "value_ug", r["value_ug"], problems)
        if r["mode"] != "mk4_only" and value is None:
            problems.append(Problem("value_ug is required for this mode", i, "value_ug"))
        rules[r["k2_key"]] = K2Rule(
            key=r["k2_key"], mode=r["mode"], value=value,
            low=_opt_float(path, i, "low_ug", r["low_ug"], problems),
            high=_opt_float(path, i, "high_ug", r["high_ug"], problems),
            source=r["source"],
        )
    if problems:
        raise BuildError(str(path), problems)
    return rules


def k2_values(
    mk4: float | None, rule: K2Rule | None, fermented: bool
) -> tuple[float | None, float | None, float | None, str]:
    """The K2 planning value, its range and its source for one food.

    The rule (also in foods/SOURCES.md): ``add_long_chain`` adds literature long-chain
    menaquinones (MK-5..MK-13) to SR28 MK-4 (0 when not measured); ``mk4_literature`` uses
    a literature value that is mostly MK-4 only where SR28 has no MK-4; ``mk4_only`` plans
    with SR28 MK-4 alone and keeps the literature as the high end. Without a rule: SR28
    MK-4 where measured (a measured 0 counts as a known 0 only for non-fermented foods),
    else unknown.

    Returns:
        (k2_ug, k2_low_ug, k2_high_ug, k2_source); None means empty (unknown).
    """
    if rule is None:
        if mk4 is None or (fermented and mk4 == 0):
            return None, None, None, ""
        note = "SR28 MK-4" if not fermented else "SR28 MK-4 (long-chain MKs unknown: lower bound)"
        return mk4, None, None, note
    if rule.mode == "add_long_chain":
        base = mk4 or 0.0
        assert rule.value is not None
        k2 = base + rule.value
        low = base + rule.low if rule.low is not None else None
        high = base + rule.high if rule.high is not None else None
        src = ("SR28 MK-4 + " if mk4 else "") + rule.source
    elif rule.mode == "mk4_literature":
        if mk4 is not None:
            k2, src = mk4, "SR28 MK-4 (literature total mostly MK-4, not added)"
        else:
            k2, src = rule.value, rule.source
        low, high = rule.low, rule.high
    else:  # mk4_only
        k2, low, high, src = mk4, rule.low, rule.high, rule.source
    if k2 is not None:
        low = k2 if low is None else min(low, k2)
        high = k2 if high is None else max(high, k2)
    def r4(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    return r4(k2), r4(low), r4(high), src


def _portion_name(amount: float, description: str, grams: float) -> str:
    return f"{format_number(amount)} {description} ({format_number(grams)} g)"


def build_foods(sr28_dir: Path, foods_dir: Path) -> bytes:
    """Build the food table CSV bytes from the selection, the K2 files and SR28.

    Raises:
        BuildError: an NDB number, portion Seq or k2 key does not resolve.
        DataFileError: SR28 files are missing or malformed.
        FoodTableError: the built table fails the loader's validation.
    """
    sel_path = foods_dir / "selection.csv"
    selection = _read_csv(sel_path, SELECTION_COLUMNS)
    rules = read_k2_rules(foods_dir / "k2_mapping.csv")
    _read_csv(foods_dir / "k2_menaquinones.csv", ["food", "k2_total_ug_per_100g", "source"])
    groups = sr28.read_food_groups(sr28_dir)
    descriptions = sr28.read_foods(sr28_dir)
    ndbs = {r["ndb_number"] for r in selection}
    nutr_nos = {n.sr28_nutr_no for n in NUTRIENTS.values() if n.sr28_nutr_no}
    values = sr28.read_nutrient_values(sr28_dir, ndbs, nutr_nos)
    weights = sr28.read_weights(sr28_dir, ndbs)

    problems: list[Problem] = []
    out_rows: list[dict[str, str]] = []
    for i, r in enumerate(selection, start=1):
        ndb = r["ndb_number"]
        if ndb not in descriptions:
            problems.append(Problem(f"NDB {ndb} is not in SR28 FOOD_DES.txt", i, "ndb_number"))
            continue
        if r["k2_key"] and r["k2_key"] not in rules:
            problems.append(Problem(f"k2_key '{r['k2_key']}' is not in k2_mapping.csv", i,
                                    "k2_key"))
            continue
        if bool(r["portion_seq"]) == bool(r["portion_metric_g"]):
            problems.append(Problem("give exactly one of portion_seq and portion_metric_g", i,
                                    "portion_seq"))
            continue
        if r["portion_seq"]:
            match = [p for p in weights.get(ndb, []) if str(p.seq) == r["portion_seq"]]
            if not match:
                problems.append(Problem(
                    f"NDB {ndb} has no WEIGHT Seq {r['portion_seq']}", i, "portion_seq"))
                continue
            portion_name = _portion_name(match[0].amount, match[0].description,
                                         match[0].grams)
            portion_g = match[0].grams
        else:
            g = _opt_float(sel_path, i, "portion_metric_g", r["portion_metric_g"], problems)
            if g is None:
                continue
            portion_name, portion_g = f"{format_number(g)} g", g
        food = descriptions[ndb]
        vals = values.get(ndb, {})
        row = {
            "id": r["id"], "name": r["name"], "ndb_number": ndb,
            "food_group": groups.get(food.group_code, food.group_code),
            "source": f"USDA SR28 NDB {ndb}",
        }
        for col in NUTRIENT_COLUMNS:
            no = NUTRIENTS[col].sr28_nutr_no
            row[col] = format_number(vals.get(no)) if no else ""
        fermented = "fermented" in r["flags"].split(";")
        k2, low, high, k2_src = k2_values(vals.get("428"), rules.get(r["k2_key"]), fermented)
        row.update(k2_ug=format_number(k2), k2_low_ug=format_number(low),
                   k2_high_ug=format_number(high), k2_source=k2_src)
        row.update(portion_name=portion_name, portion_g=format_number(portion_g))
        for c in ("min_portions", "max_portions", "slots", "diet_tags", "allergens", "kind",
                  "flags", "notes"):
            row[c] = r[c]
        out_rows.append(row)
    if problems:
        raise BuildError(str(sel_path), problems)
    return _to_csv(out_rows)


def build_supplements(foods_dir: Path) -> bytes:
    """Build the supplements table CSV bytes from ``supplements_selection.csv``.

    Values are per 100 units (dose x 100) with a nominal 1 g portion, so one portion is one
    capsule. Energy and macros are 0; every other standard nutrient is 0 unless dosed.
    """
    path = foods_dir / "supplements_selection.csv"
    problems: list[Problem] = []
    out_rows: list[dict[str, str]] = []
    for i, r in enumerate(_read_csv(path, SUPPLEMENT_COLUMNS), start=1):
        doses: dict[str, float] = {}
        for part in r["doses"].split(";"):
            name, _, amount = part.partition("=")
            name = name.strip()
            if name not in NUTRIENTS:
                problems.append(Problem(f"unknown nutrient '{name}' in doses", i, "doses"))
                continue
            x = _opt_float(path, i, "doses", amount.strip(), problems)
            if x is not None:
                doses[name] = x
        flags = set(r["flags"].split(";")) - {""}
        if "supplement" not in flags:
            problems.append(Problem("every supplement must be flagged 'supplement'", i, "flags"))
        row = {"id": r["id"], "name": r["name"], "ndb_number": "", "food_group": "Supplements",
               "source": r["source"]}
        for col in [*NUTRIENT_COLUMNS, "k2_ug"]:
            row[col] = format_number(doses.get(col, 0.0) * SUPPLEMENT_UNITS_PER_100G)
        k2 = doses.get("k2_ug", 0.0) * SUPPLEMENT_UNITS_PER_100G
        row.update(k2_low_ug=format_number(k2), k2_high_ug=format_number(k2),
                   k2_source=r["source"] if k2 else "")
        row.update(portion_name=r["portion_name"], portion_g="1")
        for c in ("min_portions", "max_portions", "slots", "diet_tags", "allergens", "notes"):
            row[c] = r[c]
        row["kind"] = "supplement"
        row["flags"] = ";".join(sorted(flags))
        out_rows.append(row)
    if problems:
        raise BuildError(str(path), problems)
    return _to_csv(out_rows)


def _to_csv(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def build(sr28_dir: Path, foods_dir: Path) -> dict[str, bytes]:
    """Build both tables and validate them with the loader.

    Returns:
        ``{"foods.csv": bytes, "supplements.csv": bytes}``.
    """
    out = {"foods.csv": build_foods(sr28_dir, foods_dir),
           "supplements.csv": build_supplements(foods_dir)}
    for name, data in out.items():
        parse_food_csv(data, name)
    return out


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to ``path`` via a temporary file + os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sr28", type=Path, default=REPO.parent / "shared" / "usda-sr28",
                        help="folder with the SR28 release files (default: ../shared/usda-sr28)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write both tables here only (default: foods/ and package data)")
    args = parser.parse_args(argv)
    try:
        tables = build(args.sr28, REPO / "foods")
    except MealPlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    targets = [args.out] if args.out else [REPO / "foods", REPO / "src" / "mealplan" / "data"]
    for folder in targets:
        for name, data in tables.items():
            write_atomic(folder / name, data)
            rows = data.count(b"\n") - 1
            print(f"wrote {folder / name} ({rows} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
