"""The installed ``mealplan`` command as a separate process: what reaches stdout and stderr.

capsys cannot see what a C library writes to the file descriptors (HiGHS prints a banner
from C++ when a process creates its first solver), so these tests run the real command.
They also check determinism: the same input gives the same output with two busy processes
competing for the two cores as on a quiet machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

MEALPLAN = [sys.executable, "-m", "mealplan.cli"]
REFUSAL = ["plan", "--days", "1", "--sex", "female", "--age", "45", "--diet", "vegan",
           "--exclude-flag", "fortified", "--exclude-flag", "uv_vitamin_d"]
WEEK = ["plan", "--days", "7", "--sex", "female", "--age", "45", "--format", "json"]
TIMINGS = ("solve_seconds", "build_seconds")


def run(args: Sequence[str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run([*MEALPLAN, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, check=False)


def no_banner(text: str) -> None:
    """HiGHS's banner: "Running HiGHS 1.x ... Copyright ..." and a THIRD_PARTY_NOTICES line."""
    assert "Running HiGHS" not in text and "Copyright" not in text
    assert "THIRD_PARTY" not in text


def without_timings(doc: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in doc.items() if k not in TIMINGS}


@contextmanager
def two_busy_processes() -> Iterator[None]:
    """Two processes spinning on the CPU (both cores of a CI machine) while the body runs."""
    spin = "import time\nend = time.monotonic() + 900\nwhile time.monotonic() < end: pass\n"
    procs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(2)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=30)


def test_plan_json_to_stdout_parses() -> None:
    """`plan --format json > file` gives valid JSON: no solver banner on stdout or stderr."""
    r = run(["plan", "--days", "2", "--sex", "female", "--age", "45", "--format", "json"])
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["format"] == "mealplan-plan" and len(doc["days"]) == 2 and doc["verified"]
    no_banner(r.stdout)
    no_banner(r.stderr)


@pytest.mark.parametrize("fmt, first", [("markdown", "# Meal plan: 1 day"),
                                        ("csv", "day,slot,food_id,name,portions")])
def test_plan_other_formats_start_clean(fmt: str, first: str) -> None:
    r = run(["plan", "--days", "1", "--sex", "male", "--age", "60", "--format", fmt])
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(first)
    no_banner(r.stdout + r.stderr)


@pytest.mark.parametrize("args, first", [
    (["explain", "--sex", "female", "--age", "45"], "Diet LP"),
    (["targets", "show", "--sex", "female", "--age", "45"], "Daily targets"),
    (["foods", "show", "natto"], ""),
])
def test_other_commands_print_no_banner(args: list[str], first: str) -> None:
    r = run(args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(first)
    no_banner(r.stdout + r.stderr)


def test_plan_out_file_is_json(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    r = run(["plan", "--days", "1", "--sex", "female", "--age", "45", "--format", "json",
             "--out", str(out)])
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["verified"] is True
    assert r.stdout.startswith(f"wrote {out}: 1 days, verified. Every target met")
    no_banner(r.stdout + r.stderr)


def test_refusal_is_explained_without_banner() -> None:
    r = run(REFUSAL)
    assert r.returncode == 3
    assert r.stdout == ""
    no_banner(r.stderr)
    assert "Vitamin D reaches at most" in r.stderr and "e+" not in r.stderr


@pytest.mark.slow
def test_same_output_quiet_and_under_load() -> None:
    """The week and the vegan refusal: identical output, apart from timings, at any load.

    No wall-clock limit decides anything on the default path (work limits only), so two
    processes spinning on both cores change how long it takes, never what comes out.
    """
    quiet_week = run(WEEK)
    quiet_refusal = run(REFUSAL)
    with two_busy_processes():
        busy_week = run(WEEK)
        busy_refusal = run(REFUSAL)
    assert quiet_week.returncode == busy_week.returncode == 0
    assert without_timings(json.loads(quiet_week.stdout)) == without_timings(
        json.loads(busy_week.stdout))
    assert quiet_refusal.returncode == busy_refusal.returncode == 3
    assert quiet_refusal.stderr == busy_refusal.stderr


def test_closed_stderr_or_stdout_loses_no_output(tmp_path: Path) -> None:
    """With stderr closed the plan still reaches stdout; with stdout closed, --out still gets
    it (the solver-banner silencer must not hand a closed fd out as a saved copy)."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    args = ["plan", "--days", "1", "--sex", "female", "--age", "40", "--format", "json"]
    r = subprocess.run(f"{sys.executable} -m mealplan.cli {' '.join(args)} 2>&-", shell=True,
                       capture_output=True, text=True, timeout=600, env=env, check=False)
    assert r.returncode == 0 and json.loads(r.stdout)["verified"] is True
    out = tmp_path / "p.json"
    r = subprocess.run(f"{sys.executable} -m mealplan.cli {' '.join(args)} --out {out} 1>&-",
                       shell=True, capture_output=True, text=True, timeout=600, env=env,
                       check=False)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and json.loads(out.read_text())["verified"] is True
