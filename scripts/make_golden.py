"""Regenerate tests/golden/small_3day.json (only after a deliberate change to the optimiser)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_solve import SMALL, SMALL_TARGETS, table_from  # noqa: E402

from mealplan.export import to_json, write_atomic  # noqa: E402
from mealplan.plan import PlanOptions  # noqa: E402
from mealplan.solve import make_plan  # noqa: E402

plan = make_plan(table_from(SMALL), SMALL_TARGETS,
                 PlanOptions(days=3, max_days_per_food=2, day_soft_seconds=None))
out = write_atomic(ROOT / "tests" / "golden" / "small_3day.json", to_json(plan))
print(f"wrote {out}")
