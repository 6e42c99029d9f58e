"""``mealplan audit PLAN.json``: check a plan against every meal, day and week rule.

A thin layer over :mod:`mealplan.audit`: read the plan (any plan in the JSON format of
``mealplan plan --format json``, also one made by hand), audit it against the shipped food
table (plus the user's ``--table`` files and the shipped supplements), print a per-rule
summary and each failure. Exit 0 when every rule passes, 1 when any fails, 2 on bad input
(the error names the file and the JSON path of what is wrong).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from mealplan.audit import AuditReport, Finding, audit_plan, load_plan_json
from mealplan.errors import DataFileError
from mealplan.fileio import check_output_path, write_text_atomic
from mealplan.foods import (
    FoodTable,
    load_default_table,
    load_food_table,
    load_supplements,
    merge_tables,
)

__all__ = ["register", "render_markdown", "render_text"]

EXIT_OK = 0
EXIT_RULES_FAILED = 1
FORMATS = ("text", "json", "markdown")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``audit`` command to the CLI.

    Args:
        subparsers: the top-level sub-parsers object of ``mealplan``.
    """
    p = subparsers.add_parser(
        "audit", help="check a plan JSON against the meal, day and week rules",
        description="Check a plan (JSON from `mealplan plan --format json`, or made by hand) "
        "against every meal-pattern and healthy-day rule, per meal, per day and per week, "
        "with every number recomputed from the food table.",
        epilog="Exit codes: 0 every rule passes, 1 at least one rule fails, 2 bad input "
        "(the file and the JSON path of the problem are named).")
    p.add_argument("plan", metavar="PLAN.json",
                   help="the plan to audit (format mealplan-plan)")
    p.add_argument("--table", action="append", metavar="FILE",
                   help="a user food table (CSV) merged with the shipped one, for plans made "
                   "with it; repeatable")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default): a summary per rule and each failure; json: the full "
                   "report; markdown: a printable report")
    p.add_argument("--out", metavar="FILE",
                   help="write the report to FILE (atomically) instead of stdout")
    p.add_argument("--all", action="store_true",
                   help="list passing and skipped findings too, not only the failures")
    p.set_defaults(handler=_cmd_audit)


def _table(paths: Sequence[str] | None) -> FoodTable:
    return merge_tables([load_default_table(), *(load_food_table(p) for p in paths or ()),
                         load_supplements()])


def _cmd_audit(args: argparse.Namespace) -> int:
    if args.out is not None:
        check_output_path(args.out, DataFileError, inputs=[args.plan, *(args.table or ())])
    table = _table(args.table)
    plan = load_plan_json(args.plan, table)
    report = audit_plan(plan, table, source=args.plan)
    if args.format == "json":
        text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "markdown":
        text = render_markdown(report, show_all=args.all)
    else:
        text = render_text(report, show_all=args.all)
    if args.out:
        write_text_atomic(args.out, text, DataFileError)
        verdict = "every rule passes" if report.ok else f"{len(report.failed)} findings fail"
        sys.stdout.write(f"wrote {args.out}: {verdict}\n")
    else:
        sys.stdout.write(text)
    return EXIT_OK if report.ok else EXIT_RULES_FAILED


def _headline(report: AuditReport) -> str:
    rows = report.summary()
    failing = sum(1 for r in rows if r.failed)
    judged = sum(1 for r in rows if r.total)
    diet = "keto" if report.keto else "not keto"
    verdict = ("every rule passes" if not failing
               else f"{failing} of {judged} rules fail ({len(report.failed)} findings)")
    return f"Audit of {report.source}: {report.days} days, {diet}; {verdict}."


def _shown(report: AuditReport, show_all: bool) -> list[Finding]:
    if show_all:
        return list(report.findings)
    return list(report.failed)


def _mark(f: Finding) -> str:
    return "skip" if f.skipped else "ok" if f.ok else "FAIL"


def render_text(report: AuditReport, *, show_all: bool = False) -> str:
    """The report as plain text: headline, a table of rules (failed first), findings.

    Args:
        report: the audit.
        show_all: list passing and skipped findings too.

    Returns:
        Text ending in a newline.
    """
    rows = report.summary()
    width = max(len(r.rule) for r in rows) if rows else 4
    lines = [_headline(report), *report.notes, ""]
    lines.append(f"{'rule':{width}}  {'scope':5}  passed")
    lines.append(f"{'-' * width}  -----  ------")
    for r in rows:
        count = f"{r.passed}/{r.total}" if r.total else "skipped"
        flag = "  FAIL" if r.failed else ""
        lines.append(f"{r.rule:{width}}  {r.scope:5}  {count:>6}{flag}")
    shown = _shown(report, show_all)
    if shown:
        lines += ["", "Findings:" if show_all else "Failures:"]
        order = {r.rule: i for i, r in enumerate(rows)}
        for f in sorted(shown, key=lambda f: (order.get(f.rule, 0), f.day or 0)):
            lines.append(f"- [{_mark(f)}] {f.where}: {f.rule}: {f.detail}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    out = []
    for ch in " ".join(text.split()):
        out.append({"&": "&amp;", "<": "&lt;", ">": "&gt;"}.get(ch, ch))
        if ch in "\\|[]*_`":
            out[-1] = "\\" + ch
    return "".join(out)


def render_markdown(report: AuditReport, *, show_all: bool = False) -> str:
    """The report as Markdown: headline, a table of rules with sources, findings.

    Args:
        report: the audit.
        show_all: list passing and skipped findings too.

    Returns:
        Markdown ending in a newline.
    """
    lines = ["# Plan audit", "", _md(_headline(report)), ""]
    lines += [f"- {_md(n)}" for n in report.notes]
    if report.notes:
        lines.append("")
    lines += ["| rule | scope | passed | description | source |",
              "| --- | --- | ---: | --- | --- |"]
    for r in report.summary():
        count = f"{r.passed}/{r.total}" if r.total else "skipped"
        if r.failed:
            count = f"**{count}**"
        lines.append(f"| {_md(r.rule)} | {r.scope} | {count} | {_md(r.description)} | "
                     f"{_md(r.source or '-')} |")
    shown = _shown(report, show_all)
    if shown:
        lines += ["", "## Findings" if show_all else "## Failures", ""]
        lines += [f"- {_mark(f)}, {_md(f.where)}: {_md(f.rule)}: {_md(f.detail)}"
                  for f in shown]
    return "\n".join(lines) + "\n"
