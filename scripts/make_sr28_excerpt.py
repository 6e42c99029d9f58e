"""Cut a small excerpt of the USDA SR28 release for tests: tests/data/sr28_excerpt/.

The excerpt keeps FD_GROUP.txt and NUTR_DEF.txt whole and, from FOOD_DES.txt, NUT_DATA.txt
and WEIGHT.txt, the lines of the foods in NDB_NUMBERS, byte for byte (latin-1, CRLF), so the
reader and the importer see the release's own format. The foods are chosen to exercise the
importer: plain foods of several groups, MK-4 (cheddar, egg, chicken), a food without any
WEIGHT row, a food whose first portion weighs over 400 g, vitamin D only in IU, and one
food for every realism rule (spices, baby food/infant formula, fast food, restaurant food,
Alaska Native food, alcohol by name and by Nutr_No 221, condensed soup and its prepared
form, a leavening agent, a protein powder that stays).

Usage: python scripts/make_sr28_excerpt.py [--src ../shared/usda-sr28] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT.parent / "shared" / "usda-sr28"
DEFAULT_OUT = ROOT / "tests" / "data" / "sr28_excerpt"

NDB_NUMBERS = (
    "09040",  # Bananas, raw (0900)
    "01009",  # Cheese, cheddar: MK-4 8.6 µg
    "01123",  # Egg, whole, raw, fresh
    "05064",  # Chicken breast, roasted
    "12014",  # Pumpkin seed kernels, dried
    "11457",  # Spinach, raw
    "16113",  # Natto
    "15076",  # Salmon, Atlantic, wild, raw
    "01293",  # Yogurt, Greek, plain, whole milk: no WEIGHT row -> grams
    "05708",  # Turkey breast: first portion 1,171 g -> next usable portion
    "16542",  # MORNINGSTAR bacon strips: vitamin D only in IU (324)
    "14411",  # Water, tap: a plain drink that stays
    "14033",  # EAS whey protein powder: powder that stays
    "06416",  # Cream of chicken soup, prepared with water: stays
    "06016",  # Cream of chicken soup, condensed: not eaten as sold
    "18372",  # Baking soda: leavening agent
    "02003",  # Basil, dried: spices and herbs
    "03800",  # Infant formula (0300)
    "14003",  # Beer: "Alcoholic beverage" in the name
    "14250",  # Hard cider: alcohol by Nutr_No 221 only
    "21002",  # Fast foods, biscuit with egg
    "36412",  # Restaurant, Latino, tamale
    "35175",  # Seal, bearded (Alaska Native)
)
WHOLE = ("FD_GROUP.txt", "NUTR_DEF.txt")
FILTERED = ("FOOD_DES.txt", "NUT_DATA.txt", "WEIGHT.txt")


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to path via a temporary file and os.replace."""
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.",
                                     delete=False) as fh:
        fh.write(data)
        tmp = fh.name
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main() -> int:
    """Cut the excerpt and report what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    keep = {f"~{n}~".encode() for n in NDB_NUMBERS}
    args.out.mkdir(parents=True, exist_ok=True)
    for name in WHOLE:
        data = (args.src / name).read_bytes()
        write_atomic(args.out / name, data)
        print(f"{name}: {len(data.splitlines())} lines (whole file)")
    for name in FILTERED:
        lines = (args.src / name).read_bytes().splitlines(keepends=True)
        kept = [ln for ln in lines if ln.split(b"^", 1)[0] in keep]
        if kept and not kept[-1].endswith(b"\n"):
            kept[-1] += b"\r\n"
        write_atomic(args.out / name, b"".join(kept))
        print(f"{name}: {len(kept)} of {len(lines)} lines")
    found = {ln.split(b"^", 1)[0] for ln in (args.out / "FOOD_DES.txt").read_bytes().splitlines()}
    missing = sorted(n for n in NDB_NUMBERS if f"~{n}~".encode() not in found)
    if missing:
        print(f"missing from FOOD_DES.txt: {', '.join(missing)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
