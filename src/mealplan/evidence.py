"""The evidence base: why each nutrient is targeted (``seeds/evidence.toml``).

Each entry names a food-table column and gives its role in cramps, the target and why, the
best foods, cautions, the seed articles that say so (file names listed in
``seeds/README.md``) and official sources. The app shows an entry next to each bound.

The file is read from the repository's ``seeds/`` when running from a checkout, else from
the copy shipped in the package (``mealplan/data/evidence.toml``); a test keeps them equal.

:data:`BUILTIN_EVIDENCE` adds the entries the file does not have yet: the pregnancy and
breastfeeding nutrients (folate, vitamin C, choline, and iodine, which the food data cannot
count) and the healthy-day columns (saturated fat, fibre, fruit and vegetables), each citing
primary sources only. :func:`load_evidence` appends them after the file's entries; an entry
in the file for the same column wins.
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
    "BUILTIN_EVIDENCE",
    "FISH_ADVICE",
    "SEED_TITLES",
    "EvidenceEntry",
    "evidence_for",
    "evidence_path",
    "load_evidence",
    "parse_evidence",
    "repo_seeds_dir",
    "seed_article_names",
    "seed_citation",
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


_IOM_1998 = ("IOM 1998, Dietary Reference Intakes for Thiamin, Riboflavin, Niacin, Vitamin B6, "
             "Folate, Vitamin B12, Pantothenic Acid, Biotin, and Choline: "
             "https://doi.org/10.17226/6015")
_IOM_2000 = ("IOM 2000, Dietary Reference Intakes for Vitamin C, Vitamin E, Selenium, and "
             "Carotenoids: https://doi.org/10.17226/9810")
_IOM_2001 = ("IOM 2001, Dietary Reference Intakes for Vitamin A, Vitamin K, Arsenic, Boron, "
             "Chromium, Copper, Iodine, Iron, Manganese, Molybdenum, Nickel, Silicon, Vanadium, "
             "and Zinc: https://doi.org/10.17226/10026")
_IOM_2005 = ("IOM 2005, Dietary Reference Intakes for Energy, Carbohydrate, Fiber, Fat, Fatty "
             "Acids, Cholesterol, Protein, and Amino Acids: https://doi.org/10.17226/10490")
_VITAMIN_TABLES = ("DRI summary tables, vitamins (RDA/AI and UL): "
                   "https://www.ncbi.nlm.nih.gov/books/NBK56068/table/summarytables.t2/, "
                   "https://www.ncbi.nlm.nih.gov/books/NBK56068/table/summarytables.t7/")
_ODS_IODINE = ("NIH Office of Dietary Supplements, Iodine fact sheet for health professionals: "
               "https://ods.od.nih.gov/factsheets/Iodine-HealthProfessional/")
_DGA = ("USDA and HHS, Dietary Guidelines for Americans 2020-2025: "
        "https://www.dietaryguidelines.gov/sites/default/files/2020-12/"
        "Dietary_Guidelines_for_Americans_2020-2025.pdf")
_WHO_TRS916 = ("WHO/FAO 2003, Diet, nutrition and the prevention of chronic diseases (TRS 916): "
               "https://www.who.int/publications/i/item/924120916X")
_FDA_FISH = ("FDA/EPA, Advice about Eating Fish (2021): "
             "https://www.fda.gov/food/consumers/advice-about-eating-fish")

# Entries not (yet) in seeds/evidence.toml, by column; written in our own words.
BUILTIN_EVIDENCE: dict[str, EvidenceEntry] = {e.column: e for e in (
    EvidenceEntry(
        "folate_dfe_ug", "Folate (DFE)",
        "Needed to make DNA and new cells; enough folate early in pregnancy lowers the risk of "
        "neural tube defects such as spina bifida.",
        "Pregnancy: at least 600 µg DFE a day; breastfeeding: 500 µg (RDA). Held in those "
        "modes. Upper limit 1,000 µg a day of folic acid from supplements and fortified foods, "
        "counted on supplements here (food folate has no upper limit).",
        "The RDA covers almost all women in that life stage. DFE (dietary folate "
        "equivalents) counts folic acid as 1.7 times food folate because it is better "
        "absorbed.",
        ("leafy greens (spinach, asparagus)", "beans, lentils and chickpeas",
         "fortified breakfast cereals", "oranges", "avocado"),
        ("A planned day of food is not a substitute for the folic acid supplement many "
         "health services advise before and in early pregnancy: ask your midwife or doctor.",),
        (), (_IOM_1998, _VITAMIN_TABLES)),
    EvidenceEntry(
        "vitamin_c_mg", "Vitamin C",
        "Keeps connective tissue and gums healthy and helps the body absorb iron from plant "
        "foods.",
        "At least the RDA: 75 mg women, 90 mg men; 85 mg in pregnancy, 120 mg breastfeeding. "
        "Held in pregnancy and breastfeeding, and for everyone with the healthy-day rule "
        "'vitamin_c'. Upper limit 2,000 mg a day, counted on supplements (food stays far "
        "below it).",
        "The RDA covers almost all healthy adults; the upper limit guards against diarrhoea "
        "from large supplement doses.",
        ("peppers", "citrus fruit", "kiwi", "strawberries", "broccoli and other cabbages"),
        ("Cooking, especially boiling, destroys part of it: raw fruit and vegetables count "
         "most.",),
        (), (_IOM_2000, _VITAMIN_TABLES)),
    EvidenceEntry(
        "choline_mg", "Choline",
        "Builds cell membranes and the nerve messenger acetylcholine; the baby's brain and "
        "spinal cord need it during pregnancy and breastfeeding.",
        "Pregnancy: 450 mg a day; breastfeeding: 550 mg (AI), held as an aim, not a floor. "
        "Upper limit 3,500 mg a day, counted on supplements.",
        "An AI rather than an RDA: the evidence is thinner. Most diets fall short of it, and "
        "35 foods in the table have no choline value (counted as none), so a hard floor "
        "could refuse good plans.",
        ("eggs (cooked)", "meat and poultry", "fish", "milk and soy foods", "beans"),
        ("Prenatal supplements often carry little or no choline.",),
        (), (_IOM_1998, _VITAMIN_TABLES)),
    EvidenceEntry(
        "iodine_ug", "Iodine (not in the food data)",
        "Needed to make thyroid hormones, which the baby's brain development depends on.",
        "Pregnancy: 220 µg a day; breastfeeding: 290 µg (RDA); upper limit 1,100 µg. Not "
        "targeted: USDA SR28, the source of the food table, has no iodine values, so no plan "
        "can count it.",
        "Use iodised salt or a supplement with 150 µg of iodine, as your midwife or doctor "
        "advises; the NIH Office of Dietary Supplements reports the American Thyroid "
        "Association's advice of a daily 150 µg iodine supplement in pregnancy and while "
        "breastfeeding.",
        ("iodised salt", "milk and yogurt", "eggs", "cod and other sea fish"),
        ("Kelp and other seaweeds carry very high, variable iodine: they are left out in "
         "pregnancy and breastfeeding.",),
        (), (_IOM_2001, _ODS_IODINE)),
    EvidenceEntry(
        "saturated_fat_g", "Saturated fat",
        "Raises LDL cholesterol; keeping it low protects the heart.",
        "Under 10 % of energy (healthy-day rule 'saturated_fat'): 0.10 x energy / 9 grams a "
        "day.",
        "The Dietary Guidelines for Americans set the 10 % limit from age 2; replacing "
        "saturated fat with unsaturated fat lowers cardiovascular risk.",
        ("olive, rapeseed and sunflower oils instead of butter", "nuts and seeds", "fish",
         "lean meat and low-fat dairy"),
        ("Cheese is the main vitamin K2 source without natto, and it is high in saturated "
         "fat: the rule limits how much cheese a day can hold.",),
        (), (_DGA,)),
    EvidenceEntry(
        "fiber_g", "Fibre",
        "Keeps the gut regular and lowers the risk of heart disease.",
        "At least 14 g per 1,000 kcal (healthy-day rule 'fibre'): the basis of the adult AI.",
        "The AI is set at 14 g per 1,000 kcal from the intakes that protected against "
        "coronary heart disease.",
        ("whole grains and oats", "beans, lentils and chickpeas", "vegetables", "fruit",
         "nuts and seeds"),
        ("Raise fibre gradually and drink enough to avoid bloating.",),
        (), (_IOM_2005,)),
    EvidenceEntry(
        "fruit_veg_g", "Fruit and vegetables",
        "Bring potassium, magnesium, vitamin C, folate and fibre; a diet rich in them lowers "
        "the risk of chronic disease.",
        "At least 400 g a day (healthy-day rule 'fruit_veg'), potatoes and other starchy "
        "roots not counted; dried fruit counts twice its weight.",
        "The WHO/FAO expert consultation set 400 g a day of fruit and vegetables as the "
        "population goal.",
        ("any vegetable", "fresh fruit", "leafy greens", "tomatoes", "berries"),
        (),
        (), (_WHO_TRS916,)),
)}
# Pregnancy fish advice, quoted by the warnings and the Evidence & safety tab.
FISH_ADVICE = (
    "Pregnancy and breastfeeding: 227-340 g (8-12 oz) a week of low-mercury fish (salmon, "
    "sardines, herring, trout, pollock, cod, canned light tuna, shrimp), no more than 340 g; "
    "avoid king mackerel, marlin, orange roughy, shark, swordfish, tilefish from the Gulf of "
    f"Mexico and bigeye tuna. Source: {_FDA_FISH}")


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
        Entries by food-table column: the file's, then :data:`BUILTIN_EVIDENCE` for columns
        the file does not cover.

    Raises:
        DataFileError: if the file is unreadable or invalid.
    """
    out = dict(_load(str(evidence_path() if path is None else Path(path))))
    for column, entry in BUILTIN_EVIDENCE.items():
        out.setdefault(column, entry)
    return out


def evidence_for(column: str) -> EvidenceEntry | None:
    """The evidence entry for one column, or None if the column has none."""
    return load_evidence().get(column)


# The seed articles' titles as published (000 carries none in our copy: described instead),
# so a reader sees which article is meant; the file name stays the citation.
SEED_TITLES: dict[str, str] = {
    "000_7973ab7d68f1019b.txt": "an untitled article on vitamin K2 and night leg cramps",
    "001_d47cce2fa73e81b5.txt": "“What Vitamin Can Stop Leg Cramps? The Complete Guide”",
    "002_66a573742d3c9354.txt": "“Does Vitamin K2 Help Circulation in Legs? Understanding Its "
                                "Vascular Benefits”",
    "003_b2bee32f9008c321.txt": "“Leg Cramps at Night or Nocturnal Cramps”",
    "004_f1bdf3b20688c983.txt": "“Magnesium and Leg Cramps: Exploring the Connection”",
}


def seed_citation(file_name: str) -> str:
    """A seed article as a reader sees it: its title, then its file name (the citation)."""
    title = SEED_TITLES.get(file_name)
    return f"{title} ({file_name})" if title else file_name


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
