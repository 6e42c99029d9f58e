"""The evidence base: why each nutrient is targeted (``seeds/evidence.toml``).

Each entry names a food-table column and gives its role in cramps, the target and why, the
best foods, cautions, the seed articles that say so (file names listed in
``seeds/README.md``) and official sources. The app shows an entry next to each bound.

The file is read from the repository's ``seeds/`` when running from a checkout, else from
the copy shipped in the package (``mealplan/data/evidence.toml``); a test keeps them equal.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from .errors import DataFileError, Problem

__all__ = [
    "EvidenceEntry",
    "evidence_for",
    "evidence_path",
    "load_evidence",
    "parse_evidence",
    "repo_seeds_dir",
    "seed_article_names",
]

_LIST_FIELDS = ("foods", "cautions", "seeds", "sources")
_TEXT_FIELDS = ("column", "name", "role", "target", "why")
_SEED_NAME = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")


@dataclass(frozen=True)
class EvidenceEntry:
    """Why one nutrient column is targeted."""

    column: str
    name: str
    role: str
    target: str
    why: str
    foods: tuple[str, ...]
    cautions: tuple[str, ...]
    seeds: tuple[str, ...]  # seed article file names, e.g. "001_d47cce2fa73e81b5.txt"
    sources: tuple[str, ...]


def repo_seeds_dir() -> Path | None:
    """The repository's ``seeds/`` directory when running from a checkout, else None."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "seeds"
        if (cand / "evidence.toml").is_file() and (parent / "pyproject.toml").is_file():
            return cand
    return None


def evidence_path() -> Path:
    """The evidence file in use: the checkout's ``seeds/evidence.toml`` or the shipped copy."""
    seeds = repo_seeds_dir()
    if seeds is not None:
        return seeds / "evidence.toml"
    return Path(str(resources.files("mealplan") / "data" / "evidence.toml"))


def parse_evidence(text: str, source: str) -> dict[str, EvidenceEntry]:
    """Parse evidence TOML text.

    Args:
        text: the TOML text (``[[nutrient]]`` tables).
        source: how to name it in errors.

    Returns:
        Entries by column, in file order.

    Raises:
        DataFileError: bad TOML, a missing or mistyped field (named ``nutrient[2].role``),
            a duplicate column, or a seed name that is not a seed file name.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(source, [Problem(f"not valid TOML: {exc}")]) from None
    raw = doc.get("nutrient")
    if not isinstance(raw, list):
        raise DataFileError(source, [Problem("nutrient: add [[nutrient]] tables")])
    problems: list[Problem] = []
    out: dict[str, EvidenceEntry] = {}
    for i, item in enumerate(raw, start=1):
        at = f"nutrient[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(f"{at}: must be a table"))
            continue
        t = cast(dict[str, Any], item)
        n0 = len(problems)
        for k in t:
            if k not in _TEXT_FIELDS + _LIST_FIELDS:
                problems.append(Problem(f"{at}.{k}: unknown field"))
        for k in _TEXT_FIELDS:
            if not isinstance(t.get(k), str) or not t[k].strip():
                problems.append(Problem(f"{at}.{k}: required text"))
        for k in _LIST_FIELDS:
            v = t.get(k)
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                problems.append(Problem(f"{at}.{k}: must be a list of text"))
        if len(problems) > n0:
            continue
        bad_seeds = [s for s in t["seeds"] if not _SEED_NAME.match(s)]
        if bad_seeds:
            problems.append(Problem(f"{at}.seeds: not seed file names: {', '.join(bad_seeds)}"))
        if t["column"] in out:
            problems.append(Problem(f"{at}.column: '{t['column']}' appears twice"))
            continue
        out[t["column"]] = EvidenceEntry(
            t["column"], t["name"], t["role"], t["target"], t["why"],
            *(tuple(t[k]) for k in _LIST_FIELDS))
    if problems:
        raise DataFileError(source, problems)
    return out


@cache
def _load(path: str) -> dict[str, EvidenceEntry]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path, [Problem(f"cannot read: {exc.strerror}")]) from None
    return parse_evidence(text, path)


def load_evidence(path: str | Path | None = None) -> dict[str, EvidenceEntry]:
    """Load the evidence base (cached per path).

    Args:
        path: an evidence TOML file; None uses :func:`evidence_path`.

    Returns:
        Entries by food-table column.

    Raises:
        DataFileError: if the file is unreadable or invalid.
    """
    return dict(_load(str(evidence_path() if path is None else Path(path))))


def evidence_for(column: str) -> EvidenceEntry | None:
    """The evidence entry for one column, or None if the column has none."""
    return load_evidence().get(column)


def seed_article_names(readme: str | Path | None = None) -> list[str]:
    """The seed article file names listed in ``seeds/README.md``.

    Args:
        readme: the README to read; None uses the checkout's ``seeds/README.md``.

    Returns:
        File names in list order (empty if there is no checkout README).
    """
    if readme is None:
        seeds = repo_seeds_dir()
        if seeds is None:
            return []
        readme = seeds / "README.md"
    text = Path(readme).read_text(encoding="utf-8")
    return re.findall(r"^- (\d{3}_[0-9a-f]{16}\.txt):", text, flags=re.MULTILINE)
