"""Citations: every address a user can see points at an official or primary source.

Scanned: every ``http(s)://host`` in the shipped data (``src/mealplan/data/*``), the seeds
(``seeds/*.toml``, ``seeds/*.md``), ``foods/SOURCES.md`` and every ``foods/*.csv`` (K2
literature table included), ``README.md``, every string literal of ``src/mealplan/**/*.py``
and ``app.py``, and the sources the running code builds (target bounds, DRI rows, the
evidence base). A host passes when it is, or is a subdomain of, one of
:data:`ALLOWED_DOMAINS`; secondary copies (scribd, content farms, blogs, forums, document
mirrors) fail. Local addresses (``localhost``) are not citations and are skipped.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from mealplan.dri import load_dri
from mealplan.evidence import load_evidence
from mealplan.targets import (
    HEALTHY_RULES,
    SAFETY_MODE_RULES,
    Anticoagulant,
    KidneyLimits,
    Person,
    targets_for,
)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"

# Official or primary sources only (a host matches the domain or any subdomain of it).
ALLOWED_DOMAINS: dict[str, str] = {
    "nationalacademies.org": "NASEM (www., nap.nationalacademies.org)",
    "nap.edu": "National Academies Press (www.nap.edu, books.nap.edu)",
    "nih.gov": "NIH: NCBI Bookshelf, PubMed, PMC (ncbi.nlm.nih.gov and subdomains), ODS",
    "canada.ca": "Health Canada DRI tables",
    "fda.gov": "US Food and Drug Administration",
    "usda.gov": "USDA: FoodData Central, ARS, NAL (fdc.nal.usda.gov, api.nal.usda.gov, ...)",
    "doi.org": "DOI resolver: the publisher's record of a paper",
    # Norwegian Food Safety Authority's official food composition table: an official
    # government source.
    "matvaretabellen.no": "Matvaretabellen (Norwegian Food Safety Authority)",
    # J-STAGE (Japan Science and Technology Agency) is the publishing platform of many Japanese
    # society journals: its article page is the publisher's own record of the paper.
    "jstage.jst.go.jp": "J-STAGE: Japanese journals' own publisher platform",
    # Japan's Ministry of Education (MEXT) issues the Standard Tables of Food Composition in
    # Japan: an official government food composition table.
    "mext.go.jp": "MEXT: Standard Tables of Food Composition in Japan",
    # The Dietary Guidelines for Americans are published by USDA and HHS on this site: the
    # guideline's own document, not a copy.
    "dietaryguidelines.gov": "USDA/HHS: Dietary Guidelines for Americans",
    # The World Health Organization's own publications (e.g. WHO/FAO TRS 916, 2003).
    "who.int": "World Health Organization",
}
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0"})

# Secondary addresses still shipped because no primary source could be confirmed from the
# material at hand: each awaits a decision (replace with the primary source, or drop the
# row). Remove an entry when it is fixed; test_pending_list_is_current keeps this honest.
# Empty now: K2 rows whose primary source could not be identified carry no address at all
# (their notes say "PRIMARY SOURCE NOT IDENTIFIED; decision pending").
PENDING_DECISION: dict[str, frozenset[str]] = {}

_URL = re.compile(r"https?://[^\s\"'<>()\[\]{}|`\\,;]+")
_HOST = re.compile(r"https?://(?:[^@/\s]*@)?([^/:?#\s]+)")


def host_of(url: str) -> str:
    """The host of an address, lower case, without user or port."""
    m = _HOST.match(url)
    return m.group(1).lower().rstrip(".") if m else ""


def allowed(host: str) -> bool:
    """Whether a host is one of ALLOWED_DOMAINS or a subdomain of one."""
    return any(host == d or host.endswith("." + d) for d in ALLOWED_DOMAINS)


def urls_in(text: str) -> Iterator[str]:
    """Every http(s) address in a text, except local ones and placeholders (``https://...``)."""
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".:")
        host = host_of(url)
        if host and re.search(r"[a-z0-9]", host) and host not in LOCAL_HOSTS:
            yield url


def _py_strings(path: Path) -> str:
    """Every string literal of a Python file (messages, captions, f-string parts, docstrings)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return "\n".join(n.value for n in ast.walk(tree)
                     if isinstance(n, ast.Constant) and isinstance(n.value, str))


def shipped_texts() -> Iterator[tuple[str, str]]:
    """(path relative to the repository, text) of every user-visible shipped text."""
    files = [p for p in sorted((ROOT / "src" / "mealplan" / "data").iterdir())
             if p.suffix in (".csv", ".toml", ".md")]
    files += sorted((ROOT / "seeds").glob("*.toml")) + sorted((ROOT / "seeds").glob("*.md"))
    files += [ROOT / "foods" / "SOURCES.md", *sorted((ROOT / "foods").glob("*.csv"))]
    files.append(ROOT / "README.md")
    for p in files:
        yield p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")
    for p in [*sorted((ROOT / "src" / "mealplan").rglob("*.py")), ROOT / "app.py"]:
        yield p.relative_to(ROOT).as_posix(), _py_strings(p)


def runtime_sources() -> Iterator[tuple[str, str]]:
    """Sources the code builds: every target bound, DRI row and evidence entry."""
    for row in load_dri():
        yield "DRI row", "\n".join((row.source, row.ul_note))
    for e in load_evidence().values():
        yield f"evidence {e.column}", "\n".join((*e.sources, *e.cautions, e.target, e.why))
    people = {(r.sex, a, r.life_stage) for r in load_dri()
              for a in (r.age_min, r.age_max or r.age_min + 20)}
    for sex, age, stage in sorted(people, key=str):
        person = Person(age, sex, stage)
        for kwargs in ({"full_dri": True, "macro_shares": True, "healthy": HEALTHY_RULES},
                       {"anticoagulant": Anticoagulant(80, 120), "ckd": KidneyLimits(2000, 800)}):
            t = targets_for(person, **kwargs)  # type: ignore[arg-type]
            for b in t.bounds:
                yield f"bound {b.nutrient} for {sex} {age} {stage or ''}", b.source
            for a in t.aims:
                yield f"aim {a.nutrient} for {sex} {age} {stage or ''}", a.source
            for c in t.weekly_max:
                yield f"weekly cap {c.kind} for {sex} {age} {stage or ''}", c.source
            yield f"warnings for {sex} {age} {stage or ''}", "\n".join(t.warnings)
    for name, rule in HEALTHY_RULES.items():
        yield f"healthy rule {name}", rule.source
    for mode, text in SAFETY_MODE_RULES.items():
        yield f"safety mode {mode}", text


def offenders(texts: Iterator[tuple[str, str]]) -> dict[str, set[str]]:
    """Addresses outside ALLOWED_DOMAINS, by where they were found."""
    found: dict[str, set[str]] = {}
    for where, text in texts:
        bad = {u for u in urls_in(text) if not allowed(host_of(u))}
        if bad:
            found.setdefault(where, set()).update(bad)
    return found


# --------------------------------------------------------------------------- the checks


def test_shipped_texts_cite_only_official_or_primary_sources() -> None:
    """No shipped text points at a secondary website (except the listed pending decisions)."""
    found = offenders(shipped_texts())
    unexpected = {where: sorted(urls - PENDING_DECISION.get(where, frozenset()))
                  for where, urls in found.items()}
    unexpected = {where: urls for where, urls in unexpected.items() if urls}
    assert not unexpected, unexpected


def test_sources_built_at_runtime_cite_only_official_or_primary_sources() -> None:
    """Bound sources, DRI citations and evidence entries the user sees are all primary."""
    found = offenders(runtime_sources())
    assert not found, found


def test_pending_list_is_current() -> None:
    """Every pending address is still shipped: fixed ones must leave PENDING_DECISION."""
    found = offenders(shipped_texts())
    for where, urls in PENDING_DECISION.items():
        stale = urls - found.get(where, set())
        assert not stale, (where, sorted(stale))


def test_dri_table_cites_a_report_with_a_doi_on_every_row() -> None:
    """Each DRI row names the IOM/NASEM report (DOI) and an official summary table."""
    for row in load_dri():
        assert re.search(r"doi:10\.17226/\d+", row.report), row
        assert allowed(host_of(row.summary_table_url)), row


@pytest.mark.skipif(not (REFERENCE / "dri.csv").is_file(),
                    reason="../shared/reference/dri.csv not present")
def test_shipped_dri_table_is_an_exact_copy_of_the_reference() -> None:
    """src/mealplan/data/dri.csv is byte-for-byte the reference DRI table."""
    shipped = ROOT / "src" / "mealplan" / "data" / "dri.csv"
    assert shipped.read_bytes() == (REFERENCE / "dri.csv").read_bytes()


# --------------------------------------------------------------------------- the scanner


@pytest.mark.parametrize(("text", "expected"), [
    ("see https://www.scribd.com/document/1/x and http://zanotowane.pl/a.html",
     {"https://www.scribd.com/document/1/x", "http://zanotowane.pl/a.html"}),
    ("(https://www.lexology.com/library/detail.aspx?g=8460ac81)",
     {"https://www.lexology.com/library/detail.aspx?g=8460ac81"}),
    ("http://222.198.130.40:81/Qikan/Article", {"http://222.198.130.40:81/Qikan/Article"}),
    ("https://evilnih.gov/x and https://nih.gov.example.com/y",
     {"https://evilnih.gov/x", "https://nih.gov.example.com/y"}),
    ("http://books.nap.edu/openbook.php?record_id=13050&page=424; "
     "https://www.ncbi.nlm.nih.gov/books/NBK545442/table/appJ_tab3/, "
     "https://pmc.ncbi.nlm.nih.gov/articles/PMC5946231/ https://ods.od.nih.gov/factsheets/x/ "
     "https://nap.nationalacademies.org/read/9956 https://fdc.nal.usda.gov/api-key-signup "
     "https://www.canada.ca/en/x.html https://www.fda.gov/food https://doi.org/10.3390/x "
     "https://www.matvaretabellen.no/en/liver-pork-raw/ "
     "https://www.jstage.jst.go.jp/article/jhej1987/50/4/50_4_309/_article/-char/en "
     "http://www.mext.go.jp/b_menu/shingi/gijyutu/gijyutu3/toushin/05031802.htm "
     "https://www.who.int/publications/i/item/924120916X "
     "https://www.dietaryguidelines.gov/sites/default/files/2020-12/x.pdf", set()),
    ("https://who.int.example.com/x https://notwho.int/y https://fakedietaryguidelines.gov/z",
     {"https://who.int.example.com/x", "https://notwho.int/y",
      "https://fakedietaryguidelines.gov/z"}),
    ("https://jstage.jst.go.jp.example.com/x https://notmext.go.jp/y",
     {"https://jstage.jst.go.jp.example.com/x", "https://notmext.go.jp/y"}),
    ("run it and open http://localhost:8501; source = \"RDA: https://...\"", set()),
])
def test_scanner_flags_secondary_hosts_only(text: str, expected: set[str]) -> None:
    """The scanner catches secondary hosts, including look-alikes, and passes official ones."""
    assert {u for u in urls_in(text) if not allowed(host_of(u))} == expected
