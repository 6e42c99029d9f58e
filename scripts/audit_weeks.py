"""Plan a week for each profile and audit it (mealplan.audit): per-rule pass rates.

    .venv/bin/python scripts/audit_weeks.py                 # every profile below, 7 days
    .venv/bin/python scripts/audit_weeks.py --days 3 --profile "male 40 keto"
    .venv/bin/python scripts/audit_weeks.py --markdown      # the overall table for the README
    .venv/bin/python scripts/audit_weeks.py --save /tmp/weeks  # and keep each plan's JSON

Each week is planned by today's planner, exported to the plan JSON and audited exactly as
`mealplan audit` would (every number recomputed from the food table). Printed: per profile
its status, seconds and the rules that fail (passed/total); then every rule over all
profiles, failed rules first. A profile the planner refuses is reported and left out of the
totals. Measures only: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from mealplan.audit import AuditReport, RuleSummary, audit_plan
from mealplan.errors import InfeasiblePlanError, SolverError
from mealplan.export import plan_to_dict, write_atomic
from mealplan.foods import FoodTable, load_default_table, load_supplements, merge_tables
from mealplan.plan import PlanOptions
from mealplan.solve import make_plan
from mealplan.targets import (
    KETO_DEFAULT_NET_CARBS,
    Anticoagulant,
    KidneyLimits,
    Person,
    Targets,
    diet_filter,
    targets_for,
)

PROFILES: dict[str, Callable[[], Targets]] = {
    "female 45 omnivore": lambda: targets_for(Person(45, "female")),
    "male 75": lambda: targets_for(Person(75, "male")),
    "female 30 vegetarian": lambda: targets_for(Person(30, "female"),
                                                diet=diet_filter(diet="vegetarian")),
    "female 35 vegan + supplements": lambda: targets_for(
        Person(35, "female"), diet=diet_filter(diet="vegan"), allow_supplements=True),
    "female 35 vegan without supplements": lambda: targets_for(
        Person(35, "female"), diet=diet_filter(diet="vegan")),
    "male 40 keto": lambda: targets_for(Person(40, "male"), diet=diet_filter(keto=True),
                                        keto_net_carbs=KETO_DEFAULT_NET_CARBS),
    "pregnancy 28": lambda: targets_for(Person(28, "female", "pregnancy")),
    "warfarin female 60 (90-120)": lambda: targets_for(
        Person(60, "female"), anticoagulant=Anticoagulant(90, 120)),
    "kidney male 65 (K 2000, P 1000)": lambda: targets_for(
        Person(65, "male"), ckd=KidneyLimits(2000, 1000)),
}


def _combine(reports: list[AuditReport]) -> list[RuleSummary]:
    """Every rule over all reports: passed and total summed, failed rules first."""
    rows: dict[str, RuleSummary] = {}
    for report in reports:
        for s in report.summary():
            old = rows.get(s.rule)
            rows[s.rule] = s if old is None else RuleSummary(
                s.rule, s.scope, old.passed + s.passed, old.total + s.total,
                old.skipped + s.skipped, s.description, s.source)
    scope_order = {"meal": 0, "day": 1, "week": 2}
    return sorted(rows.values(), key=lambda r: (0 if r.failed else 2 if not r.total else 1,
                                                scope_order[r.scope]))


def _pct(s: RuleSummary) -> str:
    return f"{100.0 * s.passed / s.total:5.1f} %" if s.total else "      -"


def _print_table(rows: list[RuleSummary], *, markdown: bool) -> None:
    if markdown:
        print("| rule | scope | passed | % |")
        print("| --- | --- | ---: | ---: |")
        for s in rows:
            count = f"{s.passed}/{s.total}" if s.total else "skipped"
            print(f"| {s.rule} | {s.scope} | {count} | {_pct(s).strip()} |")
        return
    width = max(len(s.rule) for s in rows)
    for s in rows:
        count = f"{s.passed}/{s.total}" if s.total else "skipped"
        print(f"  {s.rule:{width}}  {s.scope:5}  {count:>8}  {_pct(s)}")


def run(names: list[str], days: int, table: FoodTable, supplements: FoodTable,
        markdown: bool, save: Path | None = None) -> None:
    """Plan, audit and print each named profile, then the overall table."""
    audit_table = merge_tables([table, supplements])
    reports: list[AuditReport] = []
    for name in names:
        t0 = time.perf_counter()
        try:
            plan = make_plan(table, PROFILES[name](), PlanOptions(days=days), supplements)
        except (InfeasiblePlanError, SolverError) as exc:
            first = str(exc).splitlines()[0]
            print(f"\n== {name}: no plan ({type(exc).__name__}: {first})")
            continue
        seconds = time.perf_counter() - t0
        doc = plan_to_dict(plan)
        if save is not None:  # the plan as `mealplan audit` reads it (one file per profile)
            save.mkdir(parents=True, exist_ok=True)
            write_atomic(save / (name.replace(" ", "_").replace("/", "-") + ".json"),
                         json.dumps(doc, indent=1, ensure_ascii=False))
        report = audit_plan(doc, audit_table, source=name)
        reports.append(report)
        rows = report.summary()
        failing = [s for s in rows if s.failed]
        print(f"\n== {name}: {plan.info.status}, {seconds:.1f} s, "
              f"{'keto, ' if report.keto else ''}{len(failing)} of "
              f"{sum(1 for s in rows if s.total)} rules fail")
        if failing:
            _print_table(failing, markdown=False)
    if not reports:
        return
    total_days = sum(r.days for r in reports)
    print(f"\n== overall: {len(reports)} profiles, {total_days} days")
    _print_table(_combine(reports), markdown=markdown)


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7, help="days per profile (default 7)")
    parser.add_argument("--profile", action="append", choices=sorted(PROFILES),
                        help="only this profile (repeatable; default all)")
    parser.add_argument("--markdown", action="store_true",
                        help="print the overall table as Markdown (for the README)")
    parser.add_argument("--save", type=Path, metavar="DIR",
                        help="also write each profile's plan JSON into DIR")
    args = parser.parse_args()
    run(args.profile or list(PROFILES), args.days, load_default_table(), load_supplements(),
        args.markdown, args.save)


if __name__ == "__main__":
    main()
