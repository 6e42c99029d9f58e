"""Fault campaign: bad input and hostile environments through the real CLI, in subprocesses.

Each case runs ``python -m mealplan.cli ...`` in its own directory and asserts four things:
the exit code, a message naming the problem, no Python traceback, and that every file the
case set up beforehand (inputs, and earlier outputs at an ``--out`` path) is byte-for-byte
unchanged and of the same kind (a symlink stays a symlink). The cases are run two at a time
by a module fixture (one process start costs about 1.5 s: pandas), so the module stays well
under a minute on two cores; the test functions then only check the recorded results.

Issue 11 listed the faults; every case here failed before its fix (see the ``why`` texts).
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

MEALPLAN = [sys.executable, "-m", "mealplan.cli"]
DATA = Path(__file__).parent / "data"
PERSON = ["--sex", "female", "--age", "45"]
PLAN1 = ["plan", "--days", "1", *PERSON]
# A refusal (exit 3) when it gets to the solver: an --out error with exit 2 proves the output
# path was checked first.
REFUSAL = ["plan", "--days", "1", *PERSON, "--diet", "vegan", "--exclude-flag", "fortified",
           "--exclude-flag", "uv_vitamin_d"]

HEADER = "id,name,energy_kcal,magnesium_mg"
GOOD_TABLE = f"{HEADER}\nmy_oats,My oats,380,140\n"
BOUNDS = '[[bounds]]\nnutrient = "magnesium_mg"\nmin = 300\n'
# Nine foods whose names are a spreadsheet formula plus HTML and a javascript: link, and a
# targets file any four of them meet.
EVIL_NAMES = "id,name,energy_kcal,magnesium_mg,portion_name,portion_g\n" + "".join(
    f'evil_{i},"=HYPERLINK(""http://x"") <script>alert({i})</script> '
    f'[x](javascript:alert({i}))",{100 + 40 * i},{20 * i},1 cup,{60 + 10 * i}\n'
    for i in range(1, 10))
ENERGY = '[[bounds]]\nnutrient = "energy_kcal"\nmin = 1200\nmax = 3000\n'
EVIL = ["plan", "--days", "1", "--only-table", "--table", "evil.csv", "--targets", "e.toml"]
OLD_OUTPUT = "an earlier plan that must survive\n"


@dataclass(frozen=True)
class Case:
    """One fault: files to create, the command, and what must come out."""

    args: Sequence[str]
    code: int
    message: str  # a regex searched in stderr (stdout for code 0)
    why: str  # what went wrong before the fix
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    links: Mapping[str, str] = field(default_factory=dict)  # name -> target (symlinks)
    modes: Mapping[str, int] = field(default_factory=dict)  # name -> chmod after creating
    env: Mapping[str, str] = field(default_factory=dict)
    stdout: str | None = None  # a file name (in the case dir) to send stdout to, or a device
    forbid: Sequence[str] = ()  # regexes that must not appear in stdout or stderr


def _csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


CASES: dict[str, Case] = {
    # -- food tables --------------------------------------------------------------------------
    "csv-trailing-comma": Case(
        ["foods", "list", "--table", "t.csv"], 2, r"row 1: has 5 fields but the header has 4",
        "the extra field became the index: food 'oats' named '100', exit 0",
        {"t.csv": _csv("bar_a,oats,100,50,")}),
    "csv-short-row": Case(
        ["foods", "list", "--table", "t.csv"], 2, r"row 2: has 3 fields but the header has 4",
        "a short row was padded silently", {"t.csv": _csv("a,A,1,2", "b,B,3")}),
    "csv-semicolons": Case(
        ["foods", "list", "--table", "t.csv"], 2, r"';' as the delimiter",
        "no hint about the delimiter",
        {"t.csv": "id;name;energy_kcal\nmy_a;A;100\n"}),
    "csv-unclosed-quote": Case(
        ["foods", "list", "--table", "t.csv"], 2, r"not a readable CSV",
        "pandas' parser message only", {"t.csv": _csv('a,"A,1,2')}),
    "csv-huge-value": Case(
        ["plan", "--days", "1", *PERSON, "--table", "t.csv"], 2,
        r"row 1, column 'energy_kcal': 1e308 is above 1000",
        "1e308 overflowed to inf in the model: IndexError traceback from PuLP",
        {"t.csv": _csv("my_a,A,1e308,5")}),
    "csv-huge-ug": Case(
        ["foods", "list", "--table", "t.csv"], 2, r"column 'k2_ug': 1e\+300 is above",
        "accepted; broke the solver later",
        {"t.csv": "id,name,energy_kcal,k2_ug\nmy_a,A,100,1e+300\n"}),
    "csv-huge-portion": Case(
        ["foods", "list", "--table", "t.csv"], 2, r"column 'portion_g': 1e9 is above 5000",
        "accepted a billion-gram portion",
        {"t.csv": "id,name,energy_kcal,portion_name,portion_g\nmy_a,A,100,1 x,1e9\n"}),
    "csv-nan": Case(
        ["foods", "list", "--table", "t.csv"], 2, r"'nan' is not a finite number", "kept",
        {"t.csv": _csv("my_a,A,nan,5")}),
    "csv-negative": Case(
        ["foods", "list", "--table", "t.csv"], 2, r"negative value -5", "kept",
        {"t.csv": _csv("my_a,A,100,-5")}),
    "csv-not-utf8": Case(
        ["foods", "list", "--table", "t.csv"], 2, r"not UTF-8 text \(byte 0xe9 on line 2\)",
        "kept", {"t.csv": _csv("my_a,Caf\xe9,100,5").encode("latin-1")}),
    "csv-empty": Case(["foods", "list", "--table", "t.csv"], 2, r"the file is empty", "kept",
                      {"t.csv": ""}),
    "csv-header-only": Case(["foods", "list", "--table", "t.csv"], 2, r"no food rows", "kept",
                            {"t.csv": HEADER + "\n"}),
    "csv-duplicate-id": Case(
        ["foods", "list", "--table", "t.csv"], 2, r"duplicate id 'my_a' \(first on row 1\)",
        "kept", {"t.csv": _csv("my_a,A,1,2", "my_a,B,3,4")}),
    "csv-dev-zero": Case(
        ["foods", "list", "--table", "/dev/zero"], 2,
        r"/dev/zero: 1 problem\n  - file is larger than 64 MB",
        "read until memory ran out"),
    "csv-directory": Case(["foods", "list", "--table", "d"], 2, r"is a directory", "kept",
                          {"d/x": "x"}),
    "csv-missing": Case(["foods", "list", "--table", "nope.csv"], 2, r"file not found", "kept"),
    "csv-id-clash-no-install-path": Case(
        ["plan", "--days", "1", *PERSON, "--table", "t.csv"], 2,
        r"food id 'natto' is in both shipped food table and t\.csv",
        "the message showed the install path of the shipped table",
        {"t.csv": _csv("natto,My natto,200,100")}, forbid=(r"site-packages", r"data/foods")),
    # -- profiles and targets files ----------------------------------------------------------
    "toml-deep-nesting": Case(
        ["plan", "--days", "1", "--targets", "p.toml"], 2, r"nested too deeply",
        "RecursionError traceback", {"p.toml": "x = " + "[" * 5000 + "]" * 5000 + "\n"}),
    "toml-bom": Case(
        ["targets", "show", "--profile", "p.toml"], 0, r"Magnesium \[magnesium_mg\]: at least",
        "opaque 'Invalid statement (at line 1, column 1)'",
        {"p.toml": ("\ufeff" + BOUNDS).encode("utf-8")}),
    "toml-huge-bound": Case(
        ["plan", "--days", "1", "--targets", "p.toml"], 2,
        r"bounds\[1\]\.min: 1e\+20 is larger than 1,000,000",
        "IndexError traceback from PuLP",
        {"p.toml": BOUNDS.replace("300", "1e20")}),
    "toml-nan-bound": Case(
        ["plan", "--days", "1", "--targets", "p.toml"], 2, r"bounds\[1\]\.min: must be a finite",
        "kept", {"p.toml": BOUNDS.replace("300", "nan")}),
    "toml-syntax": Case(
        ["targets", "show", "--profile", "p.toml"], 2, r"not valid TOML: .*line 1", "kept",
        {"p.toml": "[[bounds]\n"}),
    "toml-dev-zero": Case(
        ["plan", "--days", "1", "--targets", "/dev/zero"], 2, r"larger than 64 MB",
        "read until memory ran out"),
    "toml-not-utf8": Case(
        ["targets", "show", "--profile", "p.toml"], 2, r"not UTF-8", "kept",
        {"p.toml": b'name = "\xff"\n' + BOUNDS.encode()}),
    "toml-profile-huge-weight": Case(
        ["targets", "show", "--profile", "p.toml"], 2, r"person\.weight_kg: 1e\+300 is larger",
        "kept", {"p.toml": '[person]\nage = 45\nsex = "female"\nweight_kg = 1e300\n' + BOUNDS}),
    # -- flags ------------------------------------------------------------------------------
    "flag-vitk-1e300": Case(
        [*PLAN1, "--anticoagulant", "--vitk-min", "1e300", "--vitk-max", "1e300"], 2,
        r"argument --vitk-min: 1e300 is larger than 1,000,000",
        "IndexError traceback from PuLP"),
    "flag-vitk-nan": Case(
        [*PLAN1, "--anticoagulant", "--vitk-min", "nan", "--vitk-max", "200"], 2,
        r"argument --vitk-min: 'nan' is not a finite number", "nan reached the model"),
    "flag-energy-inf": Case([*PLAN1, "--energy", "inf"], 2,
                            r"argument --energy: 'inf' is not a finite number", "kept"),
    "flag-potassium-inf": Case(
        [*PLAN1, "--ckd", "--potassium-max=inf", "--phosphorus-max", "800"], 2,
        r"argument --potassium-max: 'inf' is not a finite number", "kept"),
    "flag-keto-nan": Case([*PLAN1, "--keto", "nan"], 2, r"argument --keto: 'nan'", "kept"),
    "flag-weight-huge": Case(["targets", "show", *PERSON, "--weight", "1e400"], 2,
                             r"argument --weight: '1e400' is not a finite number", "kept"),
    "flag-time-limit-nan": Case([*PLAN1, "--time-limit", "nan"], 2,
                                r"argument --time-limit: 'nan'", "nan accepted"),
    "flag-time-limit-zero": Case([*PLAN1, "--time-limit", "0"], 2,
                                 r"--time-limit: must be above 0", "exit 4"),
    "flag-max-days-zero": Case([*PLAN1, "--max-days-per-food", "0"], 2,
                               r"--max-days-per-food: must be at least 1", "exit 3"),
    "flag-max-days-side-zero": Case([*PLAN1, "--max-days-per-side", "0"], 2,
                                    r"--max-days-per-side: must be at least 1", "kept"),
    "flag-max-purchases-zero": Case([*PLAN1, "--max-purchases", "0"], 2,
                                    r"--max-purchases: must be at least 1", "kept"),
    "flag-work-limit-zero": Case([*PLAN1, "--work-limit", "0"], 2,
                                 r"--work-limit: must be at least 1", "kept"),
    "flag-days-zero": Case(["plan", "--days", "0", *PERSON], 2, r"--days: must be 1 to 14",
                           "kept"),
    "flag-supplements-excluded": Case(
        [*PLAN1, "--supplements", "--exclude-flag", "supplement"], 2,
        r"--supplements conflicts with --exclude-flag supplement", "planned a capsule"),
    "flag-targets-with-person": Case(
        ["plan", "--days", "1", "--targets", "p.toml", "--sex", "male", "--age", "30"], 2,
        r"--targets cannot be combined with --sex, --age", "--sex/--age silently ignored",
        {"p.toml": BOUNDS}),
    "flag-targets-with-profile": Case(
        ["explain", "--targets", "p.toml", "--profile", "p.toml"], 2,
        r"--targets cannot be combined with --profile", "--profile silently ignored",
        {"p.toml": BOUNDS}),
    "flag-exclude-food-typo": Case(
        [*PLAN1, "--exclude-food", "nato"], 2, r"unknown food id 'nato' \(did you mean natto",
        "natto planned anyway, exit 0"),
    # -- output paths -----------------------------------------------------------------------
    "out-symlink": Case(
        [*REFUSAL, "--out", "link.md"], 2, r"link\.md.*is a symbolic link",
        "the symlink was replaced by a file; its target never written",
        {"target.md": OLD_OUTPUT}, links={"link.md": "target.md"}),
    "out-is-table": Case(
        [*REFUSAL, "--table", "t.csv", "--out", "t.csv"], 2,
        r"is also an input of this command \(t\.csv\)", "the input table was overwritten",
        {"t.csv": GOOD_TABLE}),
    "out-is-targets": Case(
        ["plan", "--days", "1", "--targets", "p.toml", "--out", "./p.toml"], 2,
        r"is also an input of this command", "the targets file was overwritten",
        {"p.toml": BOUNDS}),
    "out-read-only": Case(
        [*REFUSAL, "--out", "old.md"], 2, r"old\.md.*is read-only",
        "a 0444 file was replaced", {"old.md": OLD_OUTPUT}, modes={"old.md": 0o444}),
    "out-directory": Case([*REFUSAL, "--out", "d"], 2, r"is a directory", "kept", {"d/x": "x"}),
    "out-missing-dir-before-solve": Case(
        [*REFUSAL, "--out", "nowhere/plan.md"], 2, r"directory 'nowhere' does not exist",
        "reported only after the whole solve (exit 3 here)"),
    "out-device": Case(
        [*REFUSAL, "--out", "/dev/null"], 2, r"/dev/null.*not a regular file",
        "/dev/null became a regular file (as root)"),
    "save-over-profile-input": Case(
        ["targets", "save", "p.toml", "--profile", "p.toml"], 2,
        r"is also an input of this command", "the profile was rewritten from itself",
        {"p.toml": BOUNDS}),
    "save-to-symlink": Case(
        ["targets", "save", "link.toml", *PERSON], 2, r"is a symbolic link",
        "the symlink was replaced", {"target.toml": OLD_OUTPUT},
        links={"link.toml": "target.toml"}),
    "sr28-out-missing-dir": Case(
        ["foods", "import-sr28", str(DATA / "sr28_excerpt"), "--out", "nowhere/x.csv"], 2,
        r"directory 'nowhere' does not exist", "checked only after the conversion"),
    "sr28-out-is-input": Case(
        ["foods", "import-sr28", "sr", "--out", "sr/FOOD_DES.txt"], 2,
        r"is also an input of this command", "overwrote the SR28 file it read",
        {f"sr/{p.name}": p.read_bytes() for p in (DATA / "sr28_excerpt").iterdir()
         if p.is_file()}),
    "fdc-add-table-symlink": Case(
        ["foods", "fdc-add", "173944", "--table", "link.csv"], 2, r"is a symbolic link",
        "checked only after fetching (here: no server at all, so exit 2 'cannot reach')",
        {"t.csv": GOOD_TABLE}, links={"link.csv": "t.csv"},
        env={"FDC_BASE_URL": "http://127.0.0.1:9/fdc/v1"}),
    "fdc-add-table-read-only": Case(
        ["foods", "fdc-add", "173944", "--table", "t.csv"], 2, r"is read-only",
        "a read-only table was replaced", {"t.csv": GOOD_TABLE}, modes={"t.csv": 0o444},
        env={"FDC_BASE_URL": "http://127.0.0.1:9/fdc/v1"}),
    "fdc-key-not-latin1": Case(
        ["foods", "fdc-search", "oats"], 2, r"API key .*non-ASCII",
        "UnicodeEncodeError traceback from http.client",
        env={"FDC_API_KEY": "ключ", "FDC_BASE_URL": "http://127.0.0.1:9/fdc/v1"}),
    # -- standard output --------------------------------------------------------------------
    "stdout-full": Case(["foods", "list"], 1, r"cannot write the output: No space left",
                        "OSError traceback", stdout="/dev/full"),
    "stdout-ascii": Case(["foods", "show", "natto"], 0, r"Vitamin K1 .*\?g",
                         "UnicodeEncodeError traceback on 'µg'",
                         env={"PYTHONIOENCODING": "ascii"}),
    # -- exports: injection -----------------------------------------------------------------
    "export-csv-formula": Case(
        [*EVIL, "--format", "csv"], 0, r"\n1,breakfast,evil_\d,\"'=HYPERLINK",
        "the formula went verbatim into the CSV", {"evil.csv": EVIL_NAMES, "e.toml": ENERGY},
        forbid=(r",\"?=HYPERLINK",)),
    "export-markdown-html": Case(
        EVIL, 0, r"&lt;script&gt;alert\(\d\)&lt;/script&gt; \\\[x\\\]\(javascript",
        "raw HTML and a javascript: link passed through",
        {"evil.csv": EVIL_NAMES, "e.toml": ENERGY}, forbid=(r"<script>", r"\[x\]\(javascript")),
}


@dataclass
class Outcome:
    """What one case's process did, and the state of its files before and after."""

    code: int
    out: str
    err: str
    before: dict[str, tuple[str, bytes | str]]
    after: dict[str, tuple[str, bytes | str]]


def _snapshot(root: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every path under root: its kind and content (a symlink's target, a file's bytes)."""
    out: dict[str, tuple[str, bytes | str]] = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.name.endswith(".lock"):
            continue  # fdc-add's sidecar lock (mealplan.fileio.locked)
        st = p.lstat()
        if stat.S_ISLNK(st.st_mode):
            out[rel] = ("link", os.readlink(p))
        elif stat.S_ISDIR(st.st_mode):
            out[rel] = ("dir", "")
        else:
            out[rel] = (f"file {stat.S_IMODE(st.st_mode):o}", p.read_bytes())
    return out


def _run(name: str, case: Case, root: Path) -> Outcome:
    d = root / name
    d.mkdir()
    for rel, content in case.files.items():
        f = d / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            f.write_bytes(content)
        else:
            f.write_text(content, encoding="utf-8")
    for rel, target in case.links.items():
        (d / rel).symlink_to(target)
    for rel, mode in case.modes.items():
        (d / rel).chmod(mode)
    dev_null = Path("/dev/null").lstat().st_mode
    before = _snapshot(d)
    env = {**os.environ, "PYTHONHASHSEED": "0", "MEALPLAN_CACHE_DIR": str(d / ".cache"),
           **case.env}
    sink = open(case.stdout, "w") if case.stdout else None  # noqa: SIM115 - closed below
    try:
        r = subprocess.run([*MEALPLAN, *case.args], cwd=d, env=env, timeout=120, text=True,
                           stdout=sink or subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    finally:
        if sink is not None:
            sink.close()
    after = _snapshot(d)
    assert Path("/dev/null").lstat().st_mode == dev_null, "/dev/null was replaced"
    return Outcome(r.returncode, r.stdout or "", r.stderr, before, after)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Run every case once, two processes at a time."""
    root = tmp_path_factory.mktemp("faults")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {name: pool.submit(_run, name, case, root) for name, case in CASES.items()}
        return {name: f.result() for name, f in futures.items()}


def test_at_least_40_classes() -> None:
    """The campaign covers at least 40 kinds of bad input or fault (issue 11)."""
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", list(CASES))
def test_fault(name: str, outcomes: dict[str, Outcome]) -> None:
    """Exit code, a message naming the problem, no traceback, inputs and old outputs kept."""
    case, o = CASES[name], outcomes[name]
    shown = o.out + o.err
    assert "Traceback" not in shown, shown
    assert o.code == case.code, f"{name} ({case.why}): exit {o.code}\n{shown[-2000:]}"
    where = o.out if case.code == 0 else o.err
    assert re.search(case.message, where, re.S), (
        f"{name}: {case.message!r} not in:\n{where[-2000:]}")
    for pattern in case.forbid:
        assert not re.search(pattern, shown), f"{name}: {pattern!r} in output"
    new = {k: v for k, v in o.after.items() if k not in o.before and not k.startswith(".cache")}
    assert {k: o.after.get(k) for k in o.before} == o.before, f"{name}: an input changed"
    if case.code != 0:
        assert not new, f"{name}: failed but left {sorted(new)}"


def _start(args: Sequence[str], **kw: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*MEALPLAN, *args], stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONHASHSEED": "0"}, **kw)  # type: ignore[call-overload]


def test_stdout_closed_early_exits_quietly() -> None:
    """`mealplan foods list | head -c 10`: no traceback, no 'Exception ignored', exit 141.

    Before: a BrokenPipeError traceback (or 'Exception ignored ... BrokenPipeError' at exit).
    """
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first write
    try:
        p = _start(["foods", "list"], stdout=write_end)
    finally:
        os.close(write_end)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 141
    assert err == b""


def test_ctrl_c_exits_130_promptly(tmp_path: Path) -> None:
    """Ctrl-C mid-solve: 'interrupted' and exit 130 within a second, the --out file untouched.

    Before: exit 1 after 5-8 s (the solver's worker threads finished their day first).
    """
    out = tmp_path / "plan.md"
    out.write_text(OLD_OUTPUT, encoding="utf-8")
    p = _start(["plan", "--days", "14", *PERSON, "--out", str(out)],
               stdout=subprocess.DEVNULL)
    time.sleep(4.0)  # past the imports and the table load: solving
    assert p.poll() is None, "finished before the interrupt; plan more days"
    start = time.monotonic()
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    elapsed = time.monotonic() - start
    assert p.returncode == 130
    assert b"interrupted" in err and b"Traceback" not in err
    assert elapsed < 1.0
    assert out.read_text(encoding="utf-8") == OLD_OUTPUT
    assert [x.name for x in tmp_path.iterdir()] == ["plan.md"]
