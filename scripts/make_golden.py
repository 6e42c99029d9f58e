"""Regenerate tests/golden/small_3day.json and its .meta.json (only after a deliberate change).

The plan is exact for the HiGHS version recorded in the meta file (the locked one); the
meta file also records day 1's proven optimum, which holds on every version.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_solve import GOLDEN_OPTIONS, SMALL, SMALL_TARGETS, golden_meta, table_from  # noqa: E402

from mealplan.export import to_json, write_atomic  # noqa: E402
from mealplan.solve import make_plan  # noqa: E402

plan = make_plan(table_from(SMALL), SMALL_TARGETS, GOLDEN_OPTIONS)
out = write_atomic(ROOT / "tests" / "golden" / "small_3day.json", to_json(plan))
meta = write_atomic(ROOT / "tests" / "golden" / "small_3day.meta.json",
                    json.dumps(golden_meta(), indent=1, sort_keys=True) + "\n")
print(f"wrote {out} and {meta}")
