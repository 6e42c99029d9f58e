"""The audit: every meal-pattern and healthy-day rule, per meal, per day and per week.

:func:`audit_plan` reads any plan in the JSON format of :mod:`mealplan.export` (also one
made by hand: totals, checks and targets may be left out) and judges it the way a dietitian
would, with every number **recomputed from the food table**; the plan's own ``totals`` and
``checks`` are never read. A single food counts by ``food_id`` and ``grams``; a dish item
(one with a ``"dish"`` object) counts by its ingredients (``food_id`` and grams as served).
What a food is in a meal comes from the table's ``kind`` column.

Rules (their names are stable; :func:`rule_catalogue` lists them with their sources):

- **meal**: every rule of :func:`mealplan.patterns.meal_rules` for the plan's slots (read
  through :func:`mealplan.patterns.check_meal`, so the planner, the verifier and the audit
  cannot disagree), plus :data:`NO_RAW_EGG`, :data:`VEG_75` (lunch and dinner) and
  :data:`NOT_SINGLE_FOOD` (lunch and dinner).
- **day**: :func:`mealplan.patterns.day_rules`; the energy shares of carbohydrate, fat and
  saturated fat, fibre per 1,000 kcal, fruit and vegetables, a fresh fruit and vitamin C
  (none of these on keto days: the AMDR and the healthy day assume a usual diet), and every
  target of the plan (:data:`DAY_TARGETS`).
- **week** (each block of 7 days): named dishes at lunch and dinner, cheeses, foods to buy,
  fish servings, natto days; and the plan's weekly targets on average
  (:data:`WEEK_TARGETS`, over the whole plan).

A rule that cannot be judged (a food without a ``kind``, a plan without targets, a table
without the nutrient) gives a *skipped* finding that says why; skipped findings neither
pass nor fail. Bounds of the plan's targets are compared with a 0.1 % tolerance, because
the JSON rounds them to 4 significant digits.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeGuard

from .dishes import NATTO_ID
from .errors import DataFileError, Problem
from .fileio import read_bytes_limited
from .foods import ID_PATTERN, FoodTable
from .patterns import (
    FRUIT_PORTION_G,
    GramsRule,
    Rule,
    Shape,
    check_day,
    check_meal,
    item_roles,
    rules_for,
)
from .purchase import purchase_key
from .units import MealSlot, amount_text, nutrient_label, unit_of

__all__ = [
    "AUDIT_FORMAT",
    "CARB_SHARE",
    "CHEESES_WEEK",
    "DAY_TARGETS",
    "DISHES_80",
    "FAT_SHARE",
    "FIBRE_PER_1000",
    "FISH_WEEK",
    "FOODS_WEEK",
    "FRESH_FRUIT",
    "FRUIT_VEG_400",
    "LEFTOVERS_WEEK",
    "NATTO_WEEK",
    "NOT_SINGLE_FOOD",
    "NO_RAW_EGG",
    "SAT_FAT_SHARE",
    "VEG_75",
    "VITAMIN_C",
    "WEEK_TARGETS",
    "AuditReport",
    "Finding",
    "RuleInfo",
    "RuleSummary",
    "audit_plan",
    "load_plan_json",
    "plan_is_keto",
    "plan_problems",
    "rule_catalogue",
]

Scope = Literal["meal", "day", "week"]
_Bad = Callable[[str, str], None]
AUDIT_FORMAT = "mealplan-audit"

# Rule names (stable: tests, the README and saved audits use them).
NO_RAW_EGG = "no raw egg"
VEG_75 = "lunch/dinner has >= 75 g of vegetables"
NOT_SINGLE_FOOD = "main meal is not a single food"
CARB_SHARE = "carbohydrate 45-65 % of energy"
FAT_SHARE = "fat 20-35 % of energy"
SAT_FAT_SHARE = "saturated fat < 10 % of energy"
FIBRE_PER_1000 = "fibre >= 14 g per 1,000 kcal"
FRUIT_VEG_400 = "fruit and vegetables >= 400 g"
FRESH_FRUIT = "at least one fresh fruit"
VITAMIN_C = "vitamin C at least the plan's minimum"
DAY_TARGETS = "every daily target of the plan is met"
DISHES_80 = ">= 80 % of lunches and dinners are named dishes"
CHEESES_WEEK = "at most 3 different cheeses a week"
FOODS_WEEK = "at most 35 distinct foods to buy a week"
FISH_WEEK = "fish at most 3 servings a week"
NATTO_WEEK = "natto at most 3 days a week"
LEFTOVERS_WEEK = "at least 2 cook-once-eat-twice pairs a week"
WEEK_TARGETS = "every weekly target of the plan is met on average"

# Numbers of the rules above.
VEG_MEAL_G = 75.0
CARB_RANGE = (45.0, 65.0)
FAT_RANGE = (20.0, 35.0)
SAT_FAT_MAX = 10.0
FIBRE_G_PER_1000_KCAL = 14.0
FRUIT_VEG_G = 400.0
DISH_SHARE = 0.8
MAX_CHEESES = 3
MAX_FOODS = 35
FISH_SERVING_G = 50.0
MAX_FISH = 3
MAX_NATTO_DAYS = 3
MIN_LEFTOVER_PAIRS = 2
WEEK_DAYS = 7
BOUND_TOL = 1e-3  # relative: the plan JSON rounds bounds to 4 significant digits
KCAL_PER_G = {"carbs_g": 4.0, "fat_g": 9.0, "saturated_fat_g": 9.0}
_MAIN_SLOTS = ("lunch", "dinner")
_SLOTS = tuple(s.value for s in MealSlot)
_DISH_ROLES = ("breakfast", "main", "meal", "side", "snack")

_AMDR = ("IOM 2005, Dietary Reference Intakes for Energy, Carbohydrate, Fiber, Fat, Fatty "
         "Acids, Cholesterol, Protein, and Amino Acids (AMDR), doi:10.17226/10490")
_DGA = "USDA and HHS, Dietary Guidelines for Americans 2020-2025"
_WHO = ("WHO/FAO 2003, Diet, Nutrition and the Prevention of Chronic Diseases, WHO Technical "
        "Report Series 916")


@dataclass(frozen=True)
class RuleInfo:
    """One rule of the audit: its name, scope, a one-line description and its source."""

    rule: str
    scope: Scope
    description: str
    source: str | None = None


_OWN_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(NO_RAW_EGG, "meal", "no raw egg as an item or an ingredient (salmonella)"),
    RuleInfo(VEG_75, "meal", f"lunch and dinner hold at least {VEG_MEAL_G:g} g of vegetables "
             "(one USDA cup-equivalent is about 75-90 g cooked)",
             f"{_DGA}, USDA Food Patterns (Appendix 3)"),
    RuleInfo(NOT_SINGLE_FOOD, "meal", "lunch and dinner are more than one food (a dish of "
             "several foods counts)"),
    RuleInfo(CARB_SHARE, "day", "carbohydrate gives 45-65 % of energy (4 kcal/g); not on "
             "keto days", _AMDR),
    RuleInfo(FAT_SHARE, "day", "fat gives 20-35 % of energy (9 kcal/g); not on keto days",
             _AMDR),
    RuleInfo(SAT_FAT_SHARE, "day", "saturated fat gives less than 10 % of energy (9 kcal/g)",
             _DGA),
    RuleInfo(FIBRE_PER_1000, "day", "at least 14 g of fibre per 1,000 kcal eaten (the AI)",
             _AMDR),
    RuleInfo(FRUIT_VEG_400, "day", "at least 400 g of fruit and vegetables (potatoes not "
             "counted; dried fruit counts twice its weight)", _WHO),
    RuleInfo(FRESH_FRUIT, "day", f"at least one fresh fruit of >= {FRUIT_PORTION_G:g} g, "
             "alone or in a dish; not on keto days", f"{_DGA}, USDA Food Patterns"),
    RuleInfo(VITAMIN_C, "day", "vitamin C reaches the minimum (RDA) in the plan's targets; "
             "not on keto days", "IOM 2000, Dietary Reference Intakes for Vitamin C, Vitamin "
             "E, Selenium, and Carotenoids, doi:10.17226/9810"),
    RuleInfo(DAY_TARGETS, "day", "every daily bound of the plan's targets (and the daily "
             "floor of each weekly one) holds, recomputed from the food table"),
    RuleInfo(DISHES_80, "week", f"at least {DISH_SHARE:.0%} of lunches and dinners hold a "
             "named main or meal dish (or a breakfast dish served as the main, such as "
             "shakshuka) with its prep time"),
    RuleInfo(CHEESES_WEEK, "week", f"at most {MAX_CHEESES} different cheeses (kind cheese) "
             "as items or ingredients"),
    RuleInfo(FOODS_WEEK, "week", f"at most {MAX_FOODS} distinct foods to buy, supplements "
             "excluded"),
    RuleInfo(FISH_WEEK, "week", f"at most {MAX_FISH} fish servings (an item or a dish with "
             f">= {FISH_SERVING_G:g} g of fish)",
             "FDA and EPA, Advice about Eating Fish (2021): 2-3 servings a week"),
    RuleInfo(NATTO_WEEK, "week", f"natto on at most {MAX_NATTO_DAYS} days"),
    RuleInfo(LEFTOVERS_WEEK, "week", f"at least {MIN_LEFTOVER_PAIRS} dishes cooked once and "
             "eaten twice (an item marked as the leftovers of an earlier meal that holds the "
             "same dish); judged only when the plan's options ask for leftovers"),
    RuleInfo(WEEK_TARGETS, "week", "every weekly bound of the plan's targets holds on the "
             "average over the plan's days"),
)
_OWN: dict[str, RuleInfo] = {r.rule: r for r in _OWN_RULES}


def _modes(keto: bool, kidney: bool) -> set[str]:
    """The plan modes the audit judges by (as :attr:`mealplan.targets.Targets.modes`)."""
    return {m for m, on in (("keto", keto), ("ckd", kidney)) if on}


def rule_catalogue(slots: Iterable[str] = _SLOTS, *, keto: bool = False,
                   kidney: bool = False) -> tuple[RuleInfo, ...]:
    """Every rule the audit checks for these slots, in report order (meal, day, week).

    Args:
        slots: the meal slots of the plan.
        keto: the keto variant of the meal patterns.
        kidney: kidney mode's variant (30 g of added fat a meal, as the planner allows).

    Returns:
        The rules, each once.
    """
    out: list[RuleInfo] = []
    seen: set[str] = set()

    def add(info: RuleInfo) -> None:
        if info.rule not in seen:
            seen.add(info.rule)
            out.append(info)

    slots = list(slots)
    meal_r, day_r = rules_for(slots, _modes(keto, kidney))
    for r in meal_r:
        add(RuleInfo(r.text, "meal", f"meal pattern ({r.slot}): {r.text}"))
    for info in _OWN_RULES:
        if info.scope == "meal" and (info.rule == NO_RAW_EGG
                                     or any(s in _MAIN_SLOTS for s in slots)):
            add(info)
    for r in day_r:
        add(RuleInfo(r.text, "day", f"meal pattern (day): {r.text}"))
    for info in _OWN_RULES:
        if info.scope != "meal":
            add(info)
    return tuple(out)


@dataclass(frozen=True)
class Finding:
    """One rule judged at one place: a meal (day and slot), a day, or a week (day None)."""

    rule: str
    scope: Scope
    day: int | None
    slot: str | None
    ok: bool
    detail: str
    skipped: bool = False  # could not be judged (detail says why): neither passed nor failed

    @property
    def where(self) -> str:
        """Where the finding is, in words: "day 2 lunch", "day 3", "days 1-7"."""
        if self.scope == "week":
            head = self.detail.split(":", 1)[0]
            return head if head.startswith("day") else "plan"
        return f"day {self.day}" + (f" {self.slot}" if self.slot else "")


@dataclass(frozen=True)
class RuleSummary:
    """How often one rule passed: ``passed`` of ``total`` judged findings (+ ``skipped``)."""

    rule: str
    scope: Scope
    passed: int
    total: int
    skipped: int = 0
    description: str = ""
    source: str | None = None

    @property
    def failed(self) -> int:
        """Findings of this rule that failed."""
        return self.total - self.passed


@dataclass(frozen=True)
class AuditReport:
    """The audit of one plan: every finding, the rules checked, and notes on what was not."""

    findings: tuple[Finding, ...]
    rules: tuple[RuleInfo, ...]
    keto: bool
    days: int
    notes: tuple[str, ...] = ()
    source: str = "plan"

    @property
    def failed(self) -> tuple[Finding, ...]:
        """The findings that failed (skipped ones never do)."""
        return tuple(f for f in self.findings if not f.ok and not f.skipped)

    @property
    def ok(self) -> bool:
        """Whether every judged finding passed."""
        return not self.failed

    def summary(self) -> list[RuleSummary]:
        """One line per rule: failed rules first, then passing, then never judged ones."""
        rows: list[RuleSummary] = []
        for info in self.rules:
            mine = [f for f in self.findings if f.rule == info.rule]
            judged = [f for f in mine if not f.skipped]
            rows.append(RuleSummary(info.rule, info.scope, sum(f.ok for f in judged),
                                    len(judged), len(mine) - len(judged), info.description,
                                    info.source))
        order = {r.rule: i for i, r in enumerate(rows)}
        return sorted(rows, key=lambda r: (0 if r.failed else 2 if not r.total else 1,
                                           order[r.rule]))

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready values (``format: mealplan-audit``, version 1)."""
        return {
            "format": AUDIT_FORMAT, "format_version": 1, "source": self.source,
            "days": self.days, "keto": self.keto, "ok": self.ok,
            "failed": len(self.failed), "notes": list(self.notes),
            "rules": [{"rule": s.rule, "scope": s.scope, "passed": s.passed,
                       "total": s.total, "skipped": s.skipped,
                       "description": s.description, "source": s.source}
                      for s in self.summary()],
            "findings": [asdict(f) for f in self.findings],
        }


# --------------------------------------------------------------------------- reading

def load_plan_json(path: str | Path, table: FoodTable | None = None) -> dict[str, Any]:
    """Read a plan JSON file and check its shape (and its food ids, given a table).

    Args:
        path: a file in the JSON format of :mod:`mealplan.export`, or one made by hand.
        table: when given, every food id (and dish ingredient) must be in it; an unknown id
            comes with the closest ids of the table.

    Returns:
        The plan as a dict.

    Raises:
        DataFileError: naming the file and, for each problem, the JSON path of what is
            wrong (``days[0].meals[1].items[2].food_id``): not JSON, another format, no
            days, an item without a food id or grams, an unknown food id.
    """
    label = str(path)
    raw = read_bytes_limited(path, DataFileError, what="plan JSON file")
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DataFileError(label, [Problem("not UTF-8 text; a plan file is UTF-8 JSON")]
                            ) from None
    except json.JSONDecodeError as exc:
        raise DataFileError(label, [Problem(
            f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]) from None
    problems = plan_problems(doc, table)
    if problems:
        raise DataFileError(label, problems)
    assert isinstance(doc, dict)  # plan_problems refuses anything else
    return doc


def _is_number(x: object) -> TypeGuard[int | float]:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _suggest(food_id: str, table: FoodTable) -> str:
    close = difflib.get_close_matches(food_id, table.ids, n=3, cutoff=0.6)
    close += [i for i in table.ids if food_id and food_id in i and i not in close][:3]
    return f" (did you mean: {', '.join(close[:3])}?)" if close else ""


def plan_problems(doc: object, table: FoodTable | None = None) -> list[Problem]:
    """Everything wrong with a plan's shape (and food ids, given a table), each at its path.

    Args:
        doc: the parsed JSON.
        table: the food table food ids must be in; None skips the id check.

    Returns:
        The problems, each message starting with its JSON path; empty when the plan is fine.
    """
    out: list[Problem] = []

    def bad(path: str, msg: str) -> None:
        out.append(Problem(f"{path}: {msg}" if path else msg))

    if not isinstance(doc, dict):
        bad("", "the file holds no JSON object; a plan is {\"format\": \"mealplan-plan\", "
            "\"days\": [...]}")
        return out
    fmt = doc.get("format")
    if fmt is not None and fmt != "mealplan-plan":
        bad("format", f"is {fmt!r}, not 'mealplan-plan': this is not a plan file")
        return out
    version = doc.get("format_version", 1)
    if not (isinstance(version, int) and not isinstance(version, bool)) or version > 1:
        bad("format_version", f"{version!r}: this mealplan reads version 1")
    days = doc.get("days")
    if not isinstance(days, list) or not days:
        bad("days", "missing or empty: a plan has a list of days" if not isinstance(days, list)
            else "empty: a plan has at least one day")
        return out
    seen_days: dict[int, int] = {}
    for di, day in enumerate(days):
        dp = f"days[{di}]"
        if not isinstance(day, dict):
            bad(dp, "not an object with 'day' and 'meals'")
            continue
        n = day.get("day", di + 1)
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            bad(f"{dp}.day", f"{n!r} is not a day number (1, 2, ...)")
        elif n in seen_days:
            bad(f"{dp}.day", f"day {n} appears twice (also days[{seen_days[n]}])")
        else:
            seen_days[n] = di
        meals = day.get("meals")
        if not isinstance(meals, list):
            bad(f"{dp}.meals", "missing: a day has a list of meals")
            continue
        for mi, meal in enumerate(meals):
            mp = f"{dp}.meals[{mi}]"
            if not isinstance(meal, dict):
                bad(mp, "not an object with 'slot' and 'items'")
                continue
            slot = meal.get("slot")
            if slot not in _SLOTS:
                bad(f"{mp}.slot", f"{slot!r} is not a meal slot ({', '.join(_SLOTS)})")
            items = meal.get("items")
            if not isinstance(items, list):
                bad(f"{mp}.items", "missing: a meal has a list of items")
                continue
            for ii, item in enumerate(items):
                _item_problems(item, f"{mp}.items[{ii}]", table, bad)
    targets = doc.get("targets")
    if targets is not None:
        if not isinstance(targets, list):
            bad("targets", "not a list of bounds")
        else:
            for bi, b in enumerate(targets):
                _bound_problems(b, f"targets[{bi}]", bad)
    modes = doc.get("modes")
    if modes is not None and not (isinstance(modes, list)
                                  and all(isinstance(m, str) for m in modes)):
        bad("modes", "not a list of words")
    return out


def _item_problems(item: object, ip: str, table: FoodTable | None,
                   bad: _Bad) -> None:
    if not isinstance(item, dict):
        bad(ip, "not an object with 'food_id' and 'grams'")
        return
    fid = item.get("food_id")
    dish = item.get("dish")
    if not isinstance(fid, str) or not fid:
        bad(f"{ip}.food_id", "missing: every item names its food (or dish) id")
    elif dish is None and table is not None and not table.has(fid):
        bad(f"{ip}.food_id", f"unknown food id '{fid}' in {table.source}{_suggest(fid, table)}")
    elif dish is not None and not ID_PATTERN.match(fid):
        bad(f"{ip}.food_id", f"'{fid}' is not a dish id (lowercase letters, digits, single "
            "underscores)")
    grams = item.get("grams")
    if not _is_number(grams) or grams < 0:
        bad(f"{ip}.grams", f"{grams!r} is not a weight in grams (a number >= 0)")
    sup = item.get("is_supplement", False)
    if not isinstance(sup, bool):
        bad(f"{ip}.is_supplement", f"{sup!r} is not true or false")
    lo = item.get("leftovers_of")
    if lo is not None and not (isinstance(lo, dict) and isinstance(lo.get("day"), int)
                               and not isinstance(lo.get("day"), bool)
                               and isinstance(lo.get("meal"), str)):
        bad(f"{ip}.leftovers_of", f"{lo!r} is not {{\"day\": N, \"meal\": \"dinner\"}}")
    if dish is None:
        return
    dp = f"{ip}.dish"
    if not isinstance(dish, dict):
        bad(dp, "not an object with 'role' and 'ingredients'")
        return
    role = dish.get("role")
    if role not in _DISH_ROLES:
        bad(f"{dp}.role", f"{role!r} is not a dish role ({', '.join(_DISH_ROLES)})")
    for key in ("prep_minutes", "cook_minutes"):
        v = dish.get(key)
        if v is not None and (not _is_number(v) or v < 0):
            bad(f"{dp}.{key}", f"{v!r} is not a number of minutes")
    ings = dish.get("ingredients")
    if not isinstance(ings, list) or not ings:
        bad(f"{dp}.ingredients", "missing or empty: a dish lists its ingredients with grams")
        return
    for gi, ing in enumerate(ings):
        gp = f"{dp}.ingredients[{gi}]"
        if not isinstance(ing, dict):
            bad(gp, "not an object with 'food_id' and 'grams'")
            continue
        gid = ing.get("food_id")
        if not isinstance(gid, str) or not gid:
            bad(f"{gp}.food_id", "missing: every ingredient names its food id")
        elif table is not None and not table.has(gid):
            bad(f"{gp}.food_id",
                f"unknown food id '{gid}' in {table.source}{_suggest(gid, table)}")
        g = ing.get("grams")
        if not _is_number(g) or g < 0:
            bad(f"{gp}.grams", f"{g!r} is not a weight in grams (a number >= 0)")


def _bound_problems(b: object, bp: str, bad: _Bad) -> None:
    if not isinstance(b, dict):
        bad(bp, "not a bound object")
        return
    if not isinstance(b.get("nutrient"), str):
        bad(f"{bp}.nutrient", "missing: a bound names its nutrient column")
    for key in ("min", "max", "daily_min"):
        v = b.get(key)
        if v is not None and not _is_number(v):
            bad(f"{bp}.{key}", f"{v!r} is not a number or null")
    if b.get("period", "day") not in ("day", "week"):
        bad(f"{bp}.period", f"{b.get('period')!r} is not 'day' or 'week'")


def plan_is_keto(plan: Mapping[str, Any]) -> bool:
    """Whether a plan is keto: its ``modes`` say so, else its targets cap ``net_carbs_g``."""
    modes = plan.get("modes")
    if isinstance(modes, list):
        return "keto" in modes
    return any(isinstance(b, dict) and b.get("nutrient") == "net_carbs_g"
               and b.get("max") is not None for b in plan.get("targets") or ())


# --------------------------------------------------------------------------- the model

@dataclass(frozen=True)
class _Part:
    """One food eaten: a single item, or one ingredient of a dish."""

    food_id: str
    grams: float
    kind: str
    supplement: bool


@dataclass(frozen=True)
class _Item:
    food_id: str
    grams: float
    supplement: bool
    dish: Mapping[str, Any] | None
    parts: tuple[_Part, ...]
    leftovers_of: tuple[int, str] | None = None

    @property
    def kind_grams(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for p in self.parts:
            out[p.kind] = out.get(p.kind, 0.0) + p.grams
        return out

    def shape(self) -> Shape:
        kg = self.kind_grams
        if self.dish is not None:
            return Shape(item_roles("dish", kg, str(self.dish.get("role"))), kg)
        kind = self.parts[0].kind
        return Shape(item_roles(kind, kg), kg)

    def label(self) -> str:
        roles = self.shape().roles
        tags = ", ".join(r if n == 1 else f"{r} x{n}" for r, n in roles.items() if n)
        what = f"dish {self.food_id}" if self.dish is not None else self.food_id
        return f"{what} {self.grams:.0f} g" + (f" [{tags}]" if tags else "")


@dataclass(frozen=True)
class _Meal:
    slot: str
    items: tuple[_Item, ...]

    @property
    def foods(self) -> tuple[_Item, ...]:
        return tuple(i for i in self.items if not i.supplement)


@dataclass(frozen=True)
class _Day:
    day: int
    meals: tuple[_Meal, ...]

    @property
    def parts(self) -> list[_Part]:
        return [p for m in self.meals for it in m.items for p in it.parts]

    @property
    def foods(self) -> list[_Item]:
        return [it for m in self.meals for it in m.foods]


def _kind(table: FoodTable, fid: str) -> str:
    words = table.list_of(fid, "kind") if "kind" in table.df.columns else frozenset()
    return next(iter(words), "")


def _read(plan: Mapping[str, Any], table: FoodTable) -> list[_Day]:
    days: list[_Day] = []
    for di, d in enumerate(plan["days"]):
        meals = []
        for m in d["meals"]:
            items = []
            for it in m["items"]:
                sup = bool(it.get("is_supplement", False))
                dish = it.get("dish")
                if dish is not None:
                    parts = tuple(_Part(g["food_id"], float(g["grams"]),
                                        _kind(table, g["food_id"]), sup)
                                  for g in dish["ingredients"])
                else:
                    parts = (_Part(it["food_id"], float(it["grams"]),
                                   _kind(table, it["food_id"]), sup),)
                lo = it.get("leftovers_of")
                items.append(_Item(it["food_id"], float(it["grams"]), sup, dish, parts,
                                   (int(lo["day"]), str(lo["meal"])) if lo else None))
            meals.append(_Meal(m["slot"], tuple(items)))
        days.append(_Day(int(d.get("day", di + 1)), tuple(meals)))
    return days


@dataclass
class _Total:
    value: float = 0.0
    unknown: list[str] = field(default_factory=list)

    def note(self) -> str:
        return (f" (unknown for {', '.join(sorted(set(self.unknown)))}: counted as 0)"
                if self.unknown else "")


def _total(parts: Iterable[_Part], table: FoodTable, column: str) -> _Total | None:
    """Recomputed total of ``column`` over ``parts``; None when the table lacks the column."""
    if column not in table.df.columns:
        return None
    t = _Total()
    for p in parts:
        v = table.value(p.food_id, column)
        if math.isnan(v):
            t.unknown.append(p.food_id)
        else:
            t.value += v * p.grams / 100.0
    return t


# --------------------------------------------------------------------------- the audit

def audit_plan(plan: Mapping[str, Any], table: FoodTable, *, keto: bool | None = None,
               source: str = "plan") -> AuditReport:
    """Audit a plan against every rule, recomputing every number from the food table.

    Args:
        plan: a plan in the JSON format of :mod:`mealplan.export` (as loaded by
            :func:`load_plan_json`, or built by hand); ``totals`` and ``checks`` are ignored.
        table: the food table (with the supplements, if the plan has any).
        keto: judge the keto variant of the rules; None reads it from the plan (``modes``,
            else a ``net_carbs_g`` maximum in its targets).
        source: how to name the plan in errors and in the report.

    Returns:
        The :class:`AuditReport`.

    Raises:
        DataFileError: naming ``source`` and the JSON path of each problem, when the plan
            is malformed or names a food id that is not in ``table``.
    """
    problems = plan_problems(plan, table)
    if problems:
        raise DataFileError(source, problems)
    is_keto = plan_is_keto(plan) if keto is None else keto
    modes = plan.get("modes")
    # kidney mode: the planner's own variant (30 g of added fat a meal; no fibre or fruit
    # and vegetable minimum next to the potassium cap), so planner and audit agree
    kidney = isinstance(modes, list) and "ckd" in modes
    days = sorted(_read(plan, table), key=lambda d: d.day)
    options = plan.get("options")
    slot_list = options.get("slots") if isinstance(options, dict) else None
    if isinstance(slot_list, list) and all(s in _SLOTS for s in slot_list):
        slots = [str(s) for s in slot_list]
    else:
        slots = [s for s in _SLOTS if any(m.slot == s for d in days for m in d.meals)]
    rules = rules_for(slots, _modes(is_keto, kidney))[0]
    targets = plan.get("targets")
    notes: list[str] = []
    if keto is None and is_keto:
        notes.append("keto plan (from its modes or its net-carb cap): carbohydrate share, "
                     "fat share, fresh fruit and vitamin C are not judged")
    if kidney:
        notes.append("kidney mode: up to 30 g of added fat a meal; fibre and fruit and "
                     "vegetables are not judged (the mode drops them beside its potassium cap)")
    if not targets:
        notes.append("the plan carries no targets: the target rules are skipped")
    findings: list[Finding] = []
    for d in days:
        for m in d.meals:
            findings += _meal_findings(d.day, m, rules, table)
        findings += _day_findings(d, table, is_keto, targets or [], kidney=kidney)
    findings += _week_findings(days, table, targets or [],
                               leftovers=isinstance(options, dict)
                               and options.get("leftovers") is True)
    return AuditReport(tuple(findings), rule_catalogue(slots, keto=is_keto, kidney=kidney),
                       is_keto,
                       len(days), tuple(notes), source)


def _meal_findings(day: int, meal: _Meal, rules: Sequence[Rule],
                   table: FoodTable) -> list[Finding]:
    out: list[Finding] = []
    foods = meal.foods
    listing = "; ".join(it.label() for it in foods) or "no food"
    no_kind = sorted({p.food_id for it in foods for p in it.parts if not p.kind})
    shapes = [it.shape() for it in foods]

    def add(rule: str, ok: bool, detail: str, skipped: bool = False) -> None:
        out.append(Finding(rule, "meal", day, meal.slot, ok, detail, skipped))

    for r in rules:
        if r.slot != meal.slot:
            continue
        if no_kind:
            add(r.text, True, f"kind not stated for {', '.join(no_kind)}: the pattern "
                "cannot be judged", skipped=True)
            continue
        broken = check_meal(meal.slot, shapes, [r])
        extra = broken[0].removeprefix(r.text).strip(" ()") if broken else ""
        add(r.text, not broken, f"{extra}: {listing}" if extra else listing)
    raw = sorted({p.food_id for it in meal.items for p in it.parts
                  if p.kind == "egg" and "raw_animal" in table.list_of(p.food_id, "flags")})
    add(NO_RAW_EGG, not raw, f"raw egg: {', '.join(raw)}" if raw else "no raw egg")
    if meal.slot in _MAIN_SLOTS:
        veg = sum(p.grams for it in foods for p in it.parts if p.kind == "vegetable")
        add(VEG_75, veg >= VEG_MEAL_G - 1e-6,
            f"{veg:.0f} g of vegetables (at least {VEG_MEAL_G:g} g): {listing}")
        n_foods = sum(len(it.parts) for it in foods)
        add(NOT_SINGLE_FOOD, n_foods >= 2,
            f"{n_foods} food{'s' if n_foods != 1 else ''}: {listing}")
    return out


def _share(parts: Sequence[_Part], table: FoodTable, column: str,
           kcal: _Total) -> tuple[float, str] | None:
    t = _total(parts, table, column)
    if t is None:
        return None
    pct = 100.0 * KCAL_PER_G[column] * t.value / kcal.value
    return pct, (f"{nutrient_label(column).lower()} {t.value:.0f} g = {pct:.1f} % of "
                 f"{kcal.value:,.0f} kcal{t.note()}")


def _day_findings(d: _Day, table: FoodTable, keto: bool,
                  targets: Sequence[Mapping[str, Any]], *, kidney: bool = False
                  ) -> list[Finding]:
    out: list[Finding] = []

    def add(rule: str, ok: bool, detail: str, skipped: bool = False) -> None:
        out.append(Finding(rule, "day", d.day, None, ok, detail, skipped))

    def skip(rule: str, why: str) -> None:
        add(rule, True, why, skipped=True)

    shapes = [it.shape() for it in d.foods]
    for r in rules_for((), _modes(keto, False))[1]:
        broken = check_day(shapes, [r])
        kind = r.kind if isinstance(r, GramsRule) else "cheese"
        grams = sum(s.kind_grams.get(kind, 0.0) for s in shapes)
        add(r.text, not broken, broken[0] if broken else f"{grams:.0f} g of {kind}")
    food_parts = [p for p in d.parts if not p.supplement]
    kcal = _total(food_parts, table, "energy_kcal")
    share_rules = ((CARB_SHARE, "carbs_g", CARB_RANGE), (FAT_SHARE, "fat_g", FAT_RANGE),
                   (SAT_FAT_SHARE, "saturated_fat_g", (None, SAT_FAT_MAX)))
    for rule, column, (lo, hi) in share_rules:
        if keto:  # the healthy day's shares are not keto targets (issue 14: non-keto days)
            skip(rule, "keto day: not judged (the AMDR ranges and the saturated fat cap "
                 "assume a usual diet)")
            continue
        if kcal is None or kcal.value <= 0:
            skip(rule, "no energy recomputed for this day")
            continue
        got = _share(food_parts, table, column, kcal)
        if got is None:
            skip(rule, f"the food table has no {column} column")
            continue
        pct, detail = got
        if lo is None:  # saturated fat: at most its cap (the planner's bound sits on it)
            add(rule, pct <= hi + 1e-6, f"{detail} (at most {hi:g} %)")
        else:
            add(rule, lo - 1e-9 <= pct <= hi + 1e-9, f"{detail} ({lo:g}-{hi:g} %)")
    fibre = _total(food_parts, table, "fiber_g")
    if keto:
        skip(FIBRE_PER_1000, "keto day: not judged (14 g per 1,000 kcal does not fit 20-50 g "
             "of net carbs)")
    elif kidney:
        skip(FIBRE_PER_1000, "kidney mode: not judged (the mode drops it beside its potassium "
             "cap)")
    elif kcal is None or kcal.value <= 0 or fibre is None:
        skip(FIBRE_PER_1000, "no energy or no fiber_g column")
    else:
        per = 1000.0 * fibre.value / kcal.value
        add(FIBRE_PER_1000, per >= FIBRE_G_PER_1000_KCAL - 1e-9,
            f"fibre {fibre.value:.1f} g in {kcal.value:,.0f} kcal = {per:.1f} g per 1,000 kcal "
            f"(at least {FIBRE_G_PER_1000_KCAL:g}){fibre.note()}")
    fv = _total(food_parts, table, "fruit_veg_g")
    if kidney:
        skip(FRUIT_VEG_400, "kidney mode: not judged (the mode drops it beside its potassium "
             "cap)")
    elif fv is None:
        skip(FRUIT_VEG_400, "the food table has no kinds, so no fruit_veg_g")
    else:
        add(FRUIT_VEG_400, fv.value >= FRUIT_VEG_G - 1e-6,
            f"{fv.value:.0f} g of fruit and vegetables (at least {FRUIT_VEG_G:g} g){fv.note()}")
    if keto:
        skip(FRESH_FRUIT, "keto day: not judged")
        skip(VITAMIN_C, "keto day: not judged")
    else:
        fruits = [f"{it.food_id} {it.kind_grams.get('fruit', 0.0):.0f} g" for it in d.foods
                  if it.kind_grams.get("fruit", 0.0) >= FRUIT_PORTION_G - 1e-6]
        add(FRESH_FRUIT, bool(fruits), f"fresh fruit: {', '.join(fruits)}" if fruits else
            f"no item or dish with >= {FRUIT_PORTION_G:g} g of fresh fruit")
        vc_min = [float(b["min"]) for b in targets if b.get("nutrient") == "vitamin_c_mg"
                  and b.get("min") is not None and not b.get("supplements_only")]
        vc = _total(d.parts, table, "vitamin_c_mg")
        if not vc_min:
            skip(VITAMIN_C, "no vitamin C target in this plan")
        elif vc is None:
            skip(VITAMIN_C, "the food table has no vitamin_c_mg column")
        else:
            lo = max(vc_min)
            add(VITAMIN_C, vc.value >= lo * (1 - BOUND_TOL),
                f"vitamin C {vc.value:.0f} mg (at least {lo:g} mg){vc.note()}")
    if not targets:
        skip(DAY_TARGETS, "no targets in this plan")
    else:
        add(*_day_targets(d, table, targets))
    return out


def _bound_text(b: Mapping[str, Any], value: float, lo: float | None, hi: float | None) -> str:
    col = str(b["nutrient"])
    unit = str(b.get("unit") or unit_of(col) or "")
    label = nutrient_label(col) + (" (supplements)" if b.get("supplements_only") else "")
    if lo is not None and value < lo * (1 - BOUND_TOL) - 1e-9:
        return f"{label} {amount_text(value)} {unit} < {amount_text(lo)} {unit}"
    if hi is not None and value > hi * (1 + BOUND_TOL) + 1e-9:
        return f"{label} {amount_text(value)} {unit} > {amount_text(hi)} {unit}"
    return ""


def _bound_parts(d: _Day, b: Mapping[str, Any]) -> list[_Part]:
    return [p for p in d.parts if p.supplement or not b.get("supplements_only")]


def _day_targets(d: _Day, table: FoodTable, targets: Sequence[Mapping[str, Any]]
                 ) -> tuple[str, bool, str]:
    broken: list[str] = []
    missing: list[str] = []
    n = 0
    for b in targets:
        week = b.get("period") == "week"
        lo = b.get("daily_min") if week else b.get("min")
        hi = b.get("max")
        if lo is None and hi is None:
            continue
        t = _total(_bound_parts(d, b), table, str(b["nutrient"]))
        if t is None:
            missing.append(str(b["nutrient"]))
            continue
        n += 1
        text = _bound_text(b, t.value, lo, hi)
        if text:
            broken.append(text + t.note())
    note = f"; not in the table: {', '.join(missing)}" if missing else ""
    if broken:
        return DAY_TARGETS, False, "; ".join(broken) + note
    return DAY_TARGETS, True, f"{n} bounds met{note}"


def _weeks(days: Sequence[_Day]) -> list[tuple[str, list[_Day]]]:
    if len(days) <= WEEK_DAYS:
        first, last = days[0].day, days[-1].day
        return [(f"days {first}-{last}" if first != last else f"day {first}", list(days))]
    out = []
    for i in range(0, len(days), WEEK_DAYS):
        block = list(days[i:i + WEEK_DAYS])
        out.append((f"days {block[0].day}-{block[-1].day}", block))
    return out


def _leftover_pairs(block: Sequence[_Day]) -> list[str]:
    """'day 1 dinner -> day 2 lunch: dish' for every leftovers item of ``block`` whose named
    earlier meal holds the same dish."""
    meals = {(d.day, m.slot): m for d in block for m in d.meals}
    out = []
    for d in block:
        for m in d.meals:
            for it in m.items:
                src = meals.get(it.leftovers_of) if it.leftovers_of else None
                if (it.leftovers_of is not None and src is not None and it.dish is not None
                        and it.leftovers_of[0] < d.day
                        and any(x.food_id == it.food_id and x.dish for x in src.items)):
                    out.append(f"day {it.leftovers_of[0]} {it.leftovers_of[1]} -> day {d.day} "
                               f"{m.slot}: {it.food_id}")
    return out


def _week_findings(days: Sequence[_Day], table: FoodTable,
                   targets: Sequence[Mapping[str, Any]], *,
                   leftovers: bool = False) -> list[Finding]:
    out: list[Finding] = []

    def add(rule: str, ok: bool, detail: str, skipped: bool = False) -> None:
        out.append(Finding(rule, "week", None, None, ok, detail, skipped))

    for where, block in _weeks(days):
        mains = [m for d in block for m in d.meals if m.slot in _MAIN_SLOTS]
        # a named dish that is the meal's main: a main or meal dish, or a breakfast dish
        # served as one (shakshuka at lunch; patterns.item_roles)
        named = [m for m in mains if any(
            it.dish is not None and it.dish.get("role") in ("main", "meal", "breakfast")
            and it.dish.get("prep_minutes") is not None for it in m.items)]
        if not mains:
            add(DISHES_80, True, f"{where}: no lunch or dinner planned", skipped=True)
        else:
            share = len(named) / len(mains)
            add(DISHES_80, share >= DISH_SHARE - 1e-9,
                f"{where}: {len(named)} of {len(mains)} lunches and dinners ({share:.0%}) "
                f"hold a named dish with its prep time (at least {DISH_SHARE:.0%})")
        parts = [p for d in block for p in d.parts if not p.supplement]
        cheeses = sorted({p.food_id for p in parts if p.kind == "cheese"})
        add(CHEESES_WEEK, len(cheeses) <= MAX_CHEESES,
            f"{where}: {len(cheeses)} cheese{'s' if len(cheeses) != 1 else ''}"
            + (f" ({', '.join(cheeses)})" if cheeses else "") + f", at most {MAX_CHEESES}")
        # what a cook buys: one purchase per purchase key (eggs any style, one salmon)
        foods = sorted({purchase_key(p.food_id) for p in parts})
        add(FOODS_WEEK, len(foods) <= MAX_FOODS,
            f"{where}: {len(foods)} distinct foods to buy (at most {MAX_FOODS}; cooking "
            "variants of one purchase count once)")
        fish = [f"day {d.day} {it.food_id}" for d in block for it in d.foods
                if it.kind_grams.get("fish", 0.0) >= FISH_SERVING_G - 1e-6]
        add(FISH_WEEK, len(fish) <= MAX_FISH,
            f"{where}: {len(fish)} fish serving{'s' if len(fish) != 1 else ''}"
            + (f" ({', '.join(fish)})" if fish else "") + f", at most {MAX_FISH}")
        if not leftovers:
            add(LEFTOVERS_WEEK, True, f"{where}: the plan does not ask for leftovers",
                skipped=True)
        elif len(block) < WEEK_DAYS:
            add(LEFTOVERS_WEEK, True, f"{where}: not a whole week", skipped=True)
        else:
            pairs = _leftover_pairs(block)
            add(LEFTOVERS_WEEK, len(pairs) >= MIN_LEFTOVER_PAIRS,
                f"{where}: {len(pairs)} cook-once-eat-twice pair"
                f"{'s' if len(pairs) != 1 else ''}" + (f" ({'; '.join(pairs)})" if pairs else "")
                + f", at least {MIN_LEFTOVER_PAIRS}")
        natto = [d.day for d in block if any(p.food_id == NATTO_ID for p in d.parts)]
        add(NATTO_WEEK, len(natto) <= MAX_NATTO_DAYS,
            f"{where}: natto on {len(natto)} day{'s' if len(natto) != 1 else ''}"
            + (f" ({', '.join(map(str, natto))})" if natto else "")
            + f", at most {MAX_NATTO_DAYS}")
    weekly = [b for b in targets if b.get("period") == "week" and b.get("min") is not None]
    if not weekly:
        add(WEEK_TARGETS, True, "no weekly targets in this plan", skipped=True)
        return out
    broken: list[str] = []
    missing: list[str] = []
    for b in weekly:
        totals = [_total(_bound_parts(d, b), table, str(b["nutrient"])) for d in days]
        if any(t is None for t in totals):
            missing.append(str(b["nutrient"]))
            continue
        avg = sum(t.value for t in totals if t is not None) / len(days)
        text = _bound_text(b, avg, b.get("min"), None)
        if text:
            broken.append(f"average {text}")
    note = f"; not in the table: {', '.join(missing)}" if missing else ""
    add(WEEK_TARGETS, not broken,
        ("; ".join(broken) if broken else f"{len(weekly) - len(missing)} weekly bounds met "
         f"on average over {len(days)} days") + note)
    return out
