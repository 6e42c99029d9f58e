"""Old home of the app's pure helpers, kept only as a re-export for code that still imports
it (``tests/test_solve_review.py``). New code imports from ``mealplan.ui``'s modules:
``settings``, ``bounds_editor``, ``custom_foods``, ``fdc_import``, ``foods_browser``,
``plan_table``, ``chart``, ``saved``, ``evidence_text``.
"""

from __future__ import annotations

from mealplan.ui.bounds_editor import (
    BOUND_COLUMNS,
    BoundEdit,
    apply_edits,
    bound_keys,
    bounds_frame,
    edits_from_frame,
)
from mealplan.ui.chart import coverage_chart
from mealplan.ui.custom_foods import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_MB,
    combine_tables,
    custom_food_table,
    custom_foods_frame,
    planning_blockers,
    read_upload,
)
from mealplan.ui.evidence_text import evidence_rows
from mealplan.ui.fdc_import import (
    FDC_UNCHECKED_NOTE,
    fdc_food_table,
    fdc_hits_frame,
    parse_fdc_ids,
    retag_food,
)
from mealplan.ui.foods_browser import as_basis, best_foods, food_browser_frame
from mealplan.ui.plan_table import (
    ban_food,
    coverage_frame,
    diagnosis_frame,
    k2_frame,
    limit_advice,
    lock_item,
    plan_grid,
    plan_status,
    weekly_summary,
)
from mealplan.ui.saved import compare_saved_plans, saved_plan_items, saved_plan_summary
from mealplan.ui.settings import EXCLUDABLE_FLAGS, AppSettings, build_targets, plan_options
from mealplan.ui.text import KEY_NUTRIENTS

__all__ = [
    "BOUND_COLUMNS", "EXCLUDABLE_FLAGS", "FDC_UNCHECKED_NOTE", "KEY_NUTRIENTS",
    "MAX_UPLOAD_BYTES", "MAX_UPLOAD_MB", "AppSettings", "BoundEdit", "apply_edits", "as_basis",
    "ban_food", "best_foods", "bound_keys", "bounds_frame", "build_targets", "combine_tables",
    "compare_saved_plans", "coverage_chart", "coverage_frame", "custom_food_table",
    "custom_foods_frame", "diagnosis_frame", "edits_from_frame", "evidence_rows",
    "fdc_food_table", "fdc_hits_frame", "food_browser_frame", "k2_frame", "limit_advice",
    "lock_item", "parse_fdc_ids", "plan_grid", "plan_options", "plan_status",
    "planning_blockers", "read_upload", "retag_food", "saved_plan_items", "saved_plan_summary",
    "weekly_summary",
]
