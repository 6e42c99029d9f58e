"""The Plan tab's audit panel (no Streamlit): the plan shown, checked against every meal,
day and week rule by :func:`mealplan.audit.audit_plan`, as two tables a person reads.

The audit reads the plan's JSON (:func:`mealplan.export.plan_to_dict`), exactly as
``mealplan audit PLAN.json`` does, and recomputes every number from the food table (plus the
supplements), so the panel and the CLI cannot disagree.
"""

from __future__ import annotations

import pandas as pd

from mealplan.audit import AuditReport, audit_plan
from mealplan.foods import FoodTable, merge_tables
from mealplan.plan import Plan
from mealplan.ui.text import plural

__all__ = ["audit_failures_frame", "audit_headline", "audit_rules_frame", "audit_this_plan"]


def audit_this_plan(plan: Plan, table: FoodTable, supplements: FoodTable | None = None
                    ) -> AuditReport:
    """Audit a plan as the CLI's ``mealplan audit`` would audit its JSON.

    Args:
        plan: the plan shown.
        table: the food table it was planned from (the session's custom foods included).
        supplements: the supplements table (needed when the plan holds a supplement).

    Returns:
        The audit report.
    """
    from mealplan.export import plan_to_dict

    tables = [table] + ([supplements] if supplements is not None and len(supplements)
                        else [])
    full = merge_tables(tables) if len(tables) > 1 else table
    return audit_plan(plan_to_dict(plan), full, source="this plan")


def audit_headline(report: AuditReport) -> str:
    """One line: how many rules pass, e.g. "2 of 25 rules fail (5 findings)"."""
    rows = report.summary()
    judged = [r for r in rows if r.total]
    failing = [r for r in judged if r.failed]
    if not failing:
        return f"Every rule passes ({plural(len(judged), 'rule')} checked)."
    return (f"{len(failing)} of {plural(len(judged), 'rule')} "
            f"{'fails' if len(failing) == 1 else 'fail'} "
            f"({plural(len(report.failed), 'finding')}).")


def audit_rules_frame(report: AuditReport) -> pd.DataFrame:
    """One row per rule, failed rules first: rule, where it applies, passed/total, result."""
    rows = []
    for r in report.summary():
        rows.append({
            "rule": r.rule,
            "per": r.scope,
            "passed": f"{r.passed}/{r.total}" if r.total else "not judged",
            "result": ("fails" if r.failed else "passes") if r.total else "not judged",
        })
    return pd.DataFrame(rows, columns=["rule", "per", "passed", "result"])


def audit_failures_frame(report: AuditReport) -> pd.DataFrame:
    """Every failed finding with where it is (day and meal), in rule order then by day."""
    order = {r.rule: i for i, r in enumerate(report.summary())}
    failed = sorted(report.failed, key=lambda f: (order.get(f.rule, 0), f.day or 0,
                                                  f.slot or ""))
    return pd.DataFrame([{"where": f.where, "rule": f.rule, "why": f.detail} for f in failed],
                        columns=["where", "rule", "why"])
