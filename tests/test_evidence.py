"""Evidence base: shipped copy identical, every targeted nutrient covered, seeds cited exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from mealplan.errors import DataFileError
from mealplan.evidence import (
    BUILTIN_EVIDENCE,
    FISH_ADVICE,
    evidence_for,
    evidence_path,
    load_evidence,
    parse_evidence,
    repo_seeds_dir,
    seed_article_names,
)
from mealplan.targets import HEALTHY_RULES, Anticoagulant, KidneyLimits, Person, targets_for

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_copy_is_identical_to_seeds() -> None:
    """src/mealplan/data/evidence.toml is a byte-for-byte copy of seeds/evidence.toml."""
    repo = ROOT / "seeds" / "evidence.toml"
    shipped = ROOT / "src" / "mealplan" / "data" / "evidence.toml"
    assert shipped.read_bytes() == repo.read_bytes()
    assert repo_seeds_dir() == ROOT / "seeds"
    assert evidence_path() == repo


def test_shipped_copy_parses_to_the_same_entries() -> None:
    """Both files load to the same entries."""
    assert load_evidence(ROOT / "src" / "mealplan" / "data" / "evidence.toml") == load_evidence()


@pytest.mark.parametrize("kwargs", [
    {},
    {"full_dri": True, "macro_shares": True},
    {"keto_net_carbs": 25, "macro_shares": True},
    {"anticoagulant": Anticoagulant(80, 120)},
    {"ckd": KidneyLimits(2000, 800)},
    {"healthy": HEALTHY_RULES},
    {"healthy": HEALTHY_RULES, "keto_net_carbs": 25, "ckd": KidneyLimits(2000, 800)},
])
def test_every_targeted_nutrient_has_an_evidence_entry(kwargs: dict[str, object]) -> None:
    """Each column any profile bounds or aims at is explained in the evidence base."""
    entries = load_evidence()
    for person in (Person(45, "female"), Person(30, "female", "pregnancy"), Person(75, "male"),
                   Person(30, "female", "lactation")):
        t = targets_for(person, **kwargs)  # type: ignore[arg-type]
        missing = ({b.nutrient for b in t.bounds} | {a.nutrient for a in t.aims}) - set(entries)
        assert not missing, missing


def test_cramp_nutrients_cite_seed_articles() -> None:
    """The nutrients the product targets for cramps are each backed by a seed article."""
    for col in ("magnesium_mg", "potassium_mg", "calcium_mg", "vitamin_d_ug", "k2_ug",
                "vitamin_b6_mg", "vitamin_b12_ug", "vitamin_e_mg", "sodium_mg"):
        entry = evidence_for(col)
        assert entry is not None and entry.seeds, col
        assert entry.foods and entry.role and entry.target
    k2 = evidence_for("k2_ug")
    assert k2 is not None and "000_7973ab7d68f1019b.txt" in k2.seeds
    assert any("warfarin" in c for c in k2.cautions)


def test_cited_seed_files_are_listed_in_readme() -> None:
    """Every cited seed file name is in seeds/README.md's list of five articles."""
    listed = seed_article_names()
    assert len(listed) == 5 and len(set(listed)) == 5
    cited = {s for e in load_evidence().values() for s in e.seeds}
    assert cited <= set(listed), cited - set(listed)
    assert cited == set(listed)  # and every article is used somewhere


@pytest.mark.parametrize(("text", "message"), [
    ("[[nutrient]\n", "not valid TOML"),
    ("x = 1\n", "nutrient: add [[nutrient]] tables"),
    ('[[nutrient]]\ncolumn = "k2_ug"\n', "nutrient[1].name: required text"),
    ('[[nutrient]]\ncolumn = "k2_ug"\nname = "K2"\nrole = "r"\ntarget = "t"\nwhy = "w"\n'
     'foods = []\ncautions = []\nsources = []\nseeds = ["seed1.txt"]\n',
     "nutrient[1].seeds: not seed file names: seed1.txt"),
    ('[[nutrient]]\ncolumn = "k2_ug"\nname = "K2"\nrole = "r"\ntarget = "t"\nwhy = "w"\n'
     'foods = "cheese"\ncautions = []\nsources = []\nseeds = []\n',
     "nutrient[1].foods: must be a list of text"),
])
def test_invalid_evidence_is_reported_by_field(text: str, message: str) -> None:
    """A damaged evidence file names the field."""
    with pytest.raises(DataFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_evidence(text, "evidence.toml")


def test_builtin_entries_cover_pregnancy_nutrients_and_the_healthy_day() -> None:
    """Folate, vitamin C, choline, iodine and the healthy-day columns are explained, each with
    a primary source; iodine says plainly that the food data cannot count it."""
    entries = load_evidence()
    for col in ("folate_dfe_ug", "vitamin_c_mg", "choline_mg", "iodine_ug", "saturated_fat_g",
                "fiber_g", "fruit_veg_g"):
        e = entries[col]
        assert e.role and e.target and e.why and e.sources, col
        assert all("https://" in src for src in e.sources), col
    iodine = entries["iodine_ug"]
    assert "Not targeted" in iodine.target and "no iodine values" in iodine.target
    assert "150 µg" in iodine.why and "ods.od.nih.gov" in " ".join(iodine.sources)
    assert "aim, not a floor" in entries["choline_mg"].target
    assert "fda.gov" in FISH_ADVICE and "227-340 g" in FISH_ADVICE
    assert not {s for e in BUILTIN_EVIDENCE.values() for s in e.seeds}


def test_file_entry_wins_over_a_builtin(tmp_path: Path) -> None:
    """When the evidence file gains an entry for a built-in column, the file's entry is used."""
    text = ('[[nutrient]]\ncolumn = "fiber_g"\nname = "Fibre (file)"\nrole = "r"\n'
            'target = "t"\nwhy = "w"\nfoods = []\ncautions = []\nsources = []\nseeds = []\n')
    path = tmp_path / "evidence.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_evidence(path)
    assert loaded["fiber_g"].name == "Fibre (file)"
    assert loaded["folate_dfe_ug"] == BUILTIN_EVIDENCE["folate_dfe_ug"]
    assert next(iter(loaded)) == "fiber_g"


def test_every_seed_article_has_a_title_and_the_tab_shows_it_with_its_file_name() -> None:
    """Issue 13: the Evidence tab named only a file; a reader sees the article's title too."""
    from mealplan.evidence import SEED_TITLES, seed_citation
    from mealplan.ui.evidence_text import evidence_rows

    assert set(SEED_TITLES) == set(seed_article_names())
    k2 = next(r for r in evidence_rows() if r["column"] == "k2_ug")
    for name in evidence_for("k2_ug").seeds:  # type: ignore[union-attr]
        assert seed_citation(name) in k2["body"]
        assert SEED_TITLES[name] in k2["body"] and name in k2["body"]
    assert seed_citation("other.txt") == "other.txt"
