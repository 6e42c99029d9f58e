"""The README's examples are produced by the code, so they cannot drift.

Run with ``MEALPLAN_UPDATE_README=1`` to rewrite the block after a deliberate change.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from mealplan.cli import main
from mealplan.fileio import write_text_atomic

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- refusal-example:start -->", "<!-- refusal-example:end -->"
COMMAND = ("mealplan plan --days 1 --sex female --age 45 --diet vegan "
           "--exclude-flag fortified --exclude-flag uv_vitamin_d")


def refusal_block(capsys: pytest.CaptureFixture[str]) -> str:
    """The command and what it prints from its error line on (the disclaimer comes first)."""
    capsys.readouterr()
    code = main(shlex.split(COMMAND)[1:])
    captured = capsys.readouterr()
    assert code == 3 and captured.out == ""
    err = captured.err
    explanation = err[err.index("error: "):].rstrip("\n")
    return f"```\n$ {COMMAND}\n{explanation}\n```"


def test_readme_refusal_example(capsys: pytest.CaptureFixture[str]) -> None:
    text = README.read_text(encoding="utf-8")
    m = re.search(re.escape(START) + r"\n(.*?)" + re.escape(END), text, flags=re.S)
    assert m is not None, "README.md lacks the refusal-example markers"
    block = refusal_block(capsys)
    if os.environ.get("MEALPLAN_UPDATE_README") == "1":
        write_text_atomic(README, text[:m.start(1)] + block + "\n" + text[m.end(1):])
        return
    assert m.group(1).rstrip("\n") == block, (
        "README.md's refusal example is out of date: run MEALPLAN_UPDATE_README=1 "
        "pytest tests/test_readme.py")
    # plain numbers, and only real shortfalls
    assert "e+" not in block and "reaches at most" in block
