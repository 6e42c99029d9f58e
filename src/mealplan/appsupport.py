"""Pure helpers behind the Streamlit app: no UI here, so they are tested directly.

Uploads and custom foods (validated with the food-table loader, with a size limit), foods
imported from FoodData Central (search hits as a table, FDC foods as a custom table, the
user's check of diet tags and allergens, and why a custom food cannot be planned yet), the
food browser and "best foods" views, the dietitian's bound editor (targets <-> a table and
back, with row/column errors), and a Plan turned into display tables and charts.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Literal

import altair as alt
import pandas as pd

from .errors import (
    FDCError,
    FoodTableError,
    Problem,
    ProfileError,
    SolverTimeoutError,
    StoreError,
    TargetsError,
)
from .foods import (
    META_COLUMNS,
    FoodTable,
    merge_tables,
    parse_food_csv,
    split_list,
    validate_frame,
)
from .plan import BoundCheck, Diagnosis, Lock, Objective, Plan, PlanOptions, plan_headline
from .solve import excluded_flags
from .targets import (
    K2_MAX_UG,
    K2_MIN_UG,
    KETO_DEFAULT_NET_CARBS,
    WEEKLY_FLOOR_FRACTION,
    Anticoagulant,
    Bound,
    KidneyLimits,
    Person,
    Targets,
    bound_problems,
    diet_filter,
    filter_foods,
    hold_weekly,
    targets_for,
)
from .units import (
    ALLERGENS,
    DIET_TAGS,
    FLAGS,
    NUTRIENTS,
    MealSlot,
    amount_text,
    nutrient_label,
    unit_of,
)

if TYPE_CHECKING:
    from .fdc import FDCSearchHit

__all__ = [
    "BOUND_COLUMNS",
    "EXCLUDABLE_FLAGS",
    "FDC_UNCHECKED_NOTE",
    "KEY_NUTRIENTS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_MB",
    "AppSettings",
    "BoundEdit",
    "apply_edits",
    "as_basis",
    "ban_food",
    "best_foods",
    "bound_keys",
    "bounds_frame",
    "build_targets",
    "combine_tables",
    "compare_saved_plans",
    "coverage_chart",
    "coverage_frame",
    "custom_food_table",
    "custom_foods_frame",
    "diagnosis_frame",
    "edits_from_frame",
    "evidence_rows",
    "fdc_food_table",
    "fdc_hits_frame",
    "food_browser_frame",
    "k2_frame",
    "limit_advice",
    "lock_item",
    "parse_fdc_ids",
    "plan_grid",
    "plan_options",
    "plan_status",
    "planning_blockers",
    "read_upload",
    "retag_food",
    "saved_plan_items",
    "saved_plan_summary",
    "weekly_summary",
]

# Keep in step with server.maxUploadSize in .streamlit/config.toml (Streamlit checks first,
# in megabytes; read_upload checks again so the limit also holds outside Streamlit).
MAX_UPLOAD_MB = 2
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024

# The nutrients the app shows first (the cramp nutrients, then the limits).
KEY_NUTRIENTS: tuple[str, ...] = (
    "energy_kcal", "magnesium_mg", "potassium_mg", "calcium_mg", "vitamin_d_ug", "k2_ug",
    "vitamin_b6_mg", "vitamin_b12_ug", "vitamin_e_mg", "sodium_mg", "protein_g",
    "net_carbs_g",
)

BOUND_COLUMNS: tuple[str, ...] = ("key", "nutrient", "label", "min", "max", "unit", "period",
                                  "supplements_only", "source", "reason")

Basis = Literal["100 g", "portion", "100 kcal"]

# Flags a person may choose to leave out (the sidebar's "leave out" list). Supplements have
# their own switch; the safety flags are set by the safety modes, never by hand.
EXCLUDABLE_FLAGS: dict[str, str] = {
    "fortified": "fortified foods (vitamins added: plant drinks, cereals)",
    "uv_vitamin_d": "UV-treated mushrooms (vitamin D from UV light)",
    "fermented": "fermented foods (natto, sauerkraut, miso ...)",
}
assert set(EXCLUDABLE_FLAGS) <= set(FLAGS)

FDC_UNCHECKED_NOTE = (
    "FoodData Central does not say which diets a food suits or which allergens it contains, "
    "so an imported food has no diet tag and lists every allergen: a vegetarian, vegan or "
    "pescatarian plan, or any allergy in the sidebar, leaves it out until you check the "
    "label and set its diet tags and allergens under \"Check an imported food\".")
MAX_FDC_IDS = 20


# -- uploads and custom foods ---------------------------------------------------------------
def read_upload(raw: bytes, filename: str, max_bytes: int = MAX_UPLOAD_BYTES) -> FoodTable:
    """Validate an uploaded food table CSV.

    Args:
        raw: the file's bytes.
        filename: its name (shown in errors).
        max_bytes: size limit.

    Returns:
        The validated table.

    Raises:
        FoodTableError: if the file is too large, not a .csv, or fails validation (every
            problem with its row and column).
    """
    if len(raw) > max_bytes:
        raise FoodTableError(filename, [Problem(
            f"file is {_size(len(raw))}; the limit is {_size(max_bytes)}")])
    if not filename.lower().endswith(".csv"):
        raise FoodTableError(filename, [Problem("not a .csv file")])
    return parse_food_csv(raw, filename)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.3g} MB"
    return f"{n / 1024:.3g} KB"


def custom_food_table(fields: Mapping[str, object], label: str = "custom food") -> FoodTable:
    """Build a one-food table from a form's fields, validated like any food table.

    Args:
        fields: column -> value (``id``, ``name``, nutrient columns, ``portion_name`` ...);
            None, NaN and empty strings mean unknown. At least one nutrient must be given.
        label: the name shown in errors.

    Returns:
        A validated one-row table.

    Raises:
        FoodTableError: naming each bad field.
    """
    cols = list(fields)
    for req in ("id", "name"):
        if req not in cols:
            cols.append(req)
    nutrient_cols = [c for c in cols if unit_of(c) is not None and c not in META_COLUMNS]
    if not any(not _blank(fields.get(c)) for c in nutrient_cols):
        raise FoodTableError(label, [Problem("give at least one nutrient amount per 100 g")])
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(cols)
    w.writerow(["" if _blank(fields.get(c)) else _cell(fields[c]) for c in cols])
    return parse_food_csv(buf.getvalue().encode("utf-8"), label)


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (
        isinstance(v, str) and not v.strip())


def _cell(v: object) -> str:
    if isinstance(v, (list, tuple, set, frozenset)):
        return ";".join(sorted(str(x) for x in v))
    if isinstance(v, float):
        return f"{v:g}"
    return str(v).strip()


def combine_tables(base: FoodTable, extra: Sequence[FoodTable]) -> FoodTable:
    """The base table plus the user's tables (ids must not clash).

    Raises:
        FoodTableError: naming each clashing id.
    """
    return base if not extra else merge_tables([base, *extra])


# -- FoodData Central -------------------------------------------------------------------------
def parse_fdc_ids(text: str, max_ids: int = MAX_FDC_IDS) -> list[int]:
    """FDC IDs typed by a person: whole numbers separated by commas, semicolons or spaces.

    Args:
        text: e.g. ``"173944, 171287"``.
        max_ids: the most IDs accepted at once.

    Returns:
        The IDs in the order typed, each once.

    Raises:
        FDCError: naming every word that is not an FDC ID, or when there are too many.
    """
    words = [w for w in re.split(r"[\s,;]+", text.strip()) if w]
    bad = [w for w in words if not w.isdigit() or int(w) <= 0]
    if bad:
        raise FDCError("not an FDC ID (a positive whole number, as in the search results): "
                       + ", ".join(f"'{w}'" for w in bad))
    ids = list(dict.fromkeys(int(w) for w in words))
    if len(ids) > max_ids:
        raise FDCError(f"{len(ids)} FDC IDs at once; add at most {max_ids} at a time")
    return ids


def fdc_hits_frame(hits: Sequence[FDCSearchHit]) -> pd.DataFrame:
    """FoodData Central search hits as a table: FDC ID, description, data type, category
    or brand, and the key nutrients per 100 g (empty where FDC does not report them).

    Args:
        hits: from :meth:`mealplan.fdc.FDCClient.search`.

    Returns:
        One row per hit, indexed by FDC ID.
    """
    shown = [n for n in KEY_NUTRIENTS if n != "net_carbs_g"]
    rows: list[dict[str, Any]] = []
    for h in hits:
        row: dict[str, Any] = {
            "fdc_id": h.fdc_id, "description": h.description, "data type": h.data_type,
            "category / brand": h.brand_owner or h.food_category or ""}
        for n in shown:
            v = h.nutrients.get(n)
            row[f"{nutrient_label(n)} ({unit_of(n)}/100 g)"] = (
                None if v is None else round(float(v), 3))
        rows.append(row)
    cols = ["fdc_id", "description", "data type", "category / brand",
            *(f"{nutrient_label(n)} ({unit_of(n)}/100 g)" for n in shown)]
    return pd.DataFrame(rows, columns=cols).set_index("fdc_id")


def fdc_food_table(foods: Sequence[Mapping[str, Any]], label: str | None = None) -> FoodTable:
    """FoodData Central foods as a custom food table (rows from :func:`mealplan.fdc.fdc_to_rows`,
    validated like any food table).

    Args:
        foods: full FDC foods (from :meth:`mealplan.fdc.FDCClient.get_foods`).
        label: the table's source name; default ``"FoodData Central (FDC 1, 2)"``.

    Returns:
        The table: no diet tag and every allergen listed on each food (unchecked).

    Raises:
        FDCError: no food given, or a food cannot be converted (incomplete, no energy).
        FoodTableError: a converted row fails validation (naming row and column).
    """
    from .fdc import fdc_to_rows
    from .tableio import rows_to_frame

    if not foods:
        raise FDCError("no FoodData Central food to add")
    rows = fdc_to_rows(foods)
    name = label or "FoodData Central (" + ", ".join(
        str(r["source"]) for r in rows) + ")"
    return validate_frame(rows_to_frame(rows), name)


def retag_food(tables: Sequence[FoodTable], food_id: str, diet_tags: Iterable[str],
               allergens: Iterable[str]) -> list[FoodTable]:
    """Set a custom food's diet tags and allergens after a person checked them.

    Args:
        tables: the session's custom tables.
        food_id: the food to change.
        diet_tags: the diets it suits (``vegan``, ``vegetarian``, ``pescatarian``).
        allergens: the allergens it contains (empty: checked, none).

    Returns:
        New tables (the given ones are not changed); the food's notes say it was checked.

    Raises:
        FoodTableError: unknown food id, diet tag or allergen (naming the column).
    """
    tags, alls = set(diet_tags), set(allergens)
    where = next((i for i, t in enumerate(tables) if t.has(food_id)), None)
    problems: list[Problem] = []
    if where is None:
        problems.append(Problem(f"no custom food '{food_id}' in this session", column="id"))
    for col, words, allowed in (("diet_tags", tags, DIET_TAGS), ("allergens", alls, ALLERGENS)):
        for w in sorted(words - allowed):
            problems.append(Problem(f"unknown word '{w}' (allowed: "
                                    f"{', '.join(sorted(allowed))})", column=col))
    if problems or where is None:
        raise FoodTableError(f"custom food '{food_id}'", problems)
    t = tables[where]
    df = t.df.copy()
    df.loc[food_id, "diet_tags"] = ";".join(sorted(tags))
    df.loc[food_id, "allergens"] = ";".join(sorted(alls))
    if "notes" in df.columns:
        old = str(df.at[food_id, "notes"] or "")
        kept = [p for p in old.split("; ") if p and "not checked" not in p
                and "checked by you" not in p]
        df.loc[food_id, "notes"] = "; ".join([*kept, "diet tags and allergens checked by you"])
    out = list(tables)
    out[where] = FoodTable(df, t.source, t.nutrients)
    return out


def planning_blockers(table: FoodTable, targets: Targets,
                      options: PlanOptions | None = None) -> dict[str, list[str]]:
    """Why each food of a table cannot be planned with these targets (the diet filter and
    the missing-value policy of :func:`mealplan.solve.candidate_pool`).

    Args:
        table: e.g. the session's custom foods.
        targets: the current targets (diet filter and bounds).
        options: planning options (bans, nutrients whose unknown value counts as zero).

    Returns:
        Food id -> reasons; an empty list means the planner may use the food.
    """
    opts = options or PlanOptions()
    diet = targets.diet
    by_diet = (set(filter_foods(table, diet_filter(diet=diet.diet)).ids)
               if diet.diet is not None else set(table.ids))
    capped = sorted({b.nutrient for b in targets.bounds if b.max is not None
                     and not b.supplements_only} - set(opts.unknown_as_zero))
    out: dict[str, list[str]] = {}
    for fid in table.ids:
        reasons: list[str] = []
        if fid not in by_diet:
            reasons.append(f"no diet tag allows it in a {diet.diet} plan")
        hit = sorted(table.list_of(fid, "allergens") & diet.allergens)
        if hit:
            reasons.append("lists allergen" + ("s " if len(hit) > 1 else " ")
                           + ", ".join(a.replace("_", " ") for a in hit))
        flags = sorted(table.list_of(fid, "flags") & diet.exclude_flags)
        if flags:
            reasons.append("flagged " + ", ".join(flags) + " (left out in the sidebar)")
        unsafe = sorted(table.list_of(fid, "flags") & excluded_flags(targets)
                        - diet.exclude_flags)
        if unsafe:
            reasons.append("flagged " + ", ".join(unsafe)
                           + " (left out by a safety mode, or supplements not allowed)")
        if fid in diet.exclude_foods or fid in opts.bans:
            reasons.append("left out by you")
        # a column the upload lacks is unknown for every row, as in the merged table the
        # planner sees: the same rule as candidate_pool, or the food looks plannable but
        # is never planned
        unknown = [n for n in capped if n not in table.df.columns
                   or math.isnan(table.value(fid, n))]
        if unknown:
            reasons.append(", ".join(nutrient_label(n) for n in unknown)
                           + " unknown but capped by an upper limit: add "
                           + ("this value" if len(unknown) == 1 else "these values")
                           + " (0 if the food has none)")
        out[fid] = reasons
    return out


def custom_foods_frame(tables: Sequence[FoodTable],
                       blockers: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """The session's custom foods: name, source, diet tags, allergens, and whether the
    planner can use each now.

    Args:
        tables: the custom tables.
        blockers: from :func:`planning_blockers` (None: the column says "not checked").

    Returns:
        One row per food, indexed by id.
    """
    every = ";".join(sorted(ALLERGENS))
    rows = []
    for t in tables:
        for fid in t.ids:
            r = t.row(fid)
            alls = str(r.get("allergens", "") or "")
            reasons = None if blockers is None else blockers.get(fid)
            rows.append({
                "id": fid, "name": r["name"], "source": r.get("source", ""),
                "diet tags": str(r.get("diet_tags", "") or "") or "(none)",
                "allergens": ("every allergen (not checked)"
                              if split_list(alls) == split_list(every)
                              else alls.replace(";", ", ") or "none"),
                "planner": ("not checked" if reasons is None else
                            "can be planned" if not reasons else
                            "left out: " + "; ".join(reasons)),
            })
    return pd.DataFrame(rows, columns=["id", "name", "source", "diet tags", "allergens",
                                       "planner"]).set_index("id")


# -- browsing -------------------------------------------------------------------------------
def _shown_nutrients(table: FoodTable) -> list[str]:
    return [n for n in KEY_NUTRIENTS if n in table.df.columns]


def food_browser_frame(table: FoodTable, query: str = "", group: str | None = None,
                       ) -> pd.DataFrame:
    """Foods matching a search, with their portion, key nutrients and sources.

    Args:
        table: the food table.
        query: words that must all occur in the name, id, group or source (any case).
        group: keep only this food group.

    Returns:
        One row per food.
    """
    df = table.df
    mask = pd.Series(True, index=df.index)
    for word in query.lower().split():
        hay = (df["name"].astype(str) + " " + df["id"].astype(str) + " "
               + df["food_group"].astype(str) + " " + df["source"].astype(str)).str.lower()
        mask &= hay.str.contains(word, regex=False)
    if group:
        mask &= df["food_group"] == group
    sub = df[mask]
    out = pd.DataFrame({
        "name": sub["name"],
        "group": sub["food_group"],
        "portion": [f"{n} ({g:g} g)" for n, g in zip(sub["portion_name"], sub["portion_g"],
                                                     strict=True)],
    }, index=sub.index)
    for n in _shown_nutrients(table):
        out[f"{nutrient_label(n)} ({unit_of(n)}/100 g)"] = sub[n]
    out["diet"] = sub["diet_tags"]
    out["allergens"] = sub["allergens"]
    out["source"] = sub["source"]
    out["K2 source"] = sub["k2_source"]
    out.index.name = "id"
    return out


def as_basis(text: object) -> Basis:
    """A "best foods" basis from a widget's value (default: per portion)."""
    return "100 g" if text == "100 g" else "100 kcal" if text == "100 kcal" else "portion"


def best_foods(table: FoodTable, nutrient: str, basis: Basis = "portion", n: int = 15,
               include_supplements: bool = False) -> pd.DataFrame:
    """The foods richest in one nutrient.

    Args:
        table: the food table.
        nutrient: a nutrient column.
        basis: per 100 g, per household portion, or per 100 kcal (energy density matters
            when calories are limited).
        n: how many foods.
        include_supplements: whether supplement rows may appear.

    Returns:
        Columns name, amount, unit, basis, portion, source; richest first. Foods whose
        value is unknown are left out.

    Raises:
        KeyError: if the table has no such nutrient column.
    """
    df = table.df
    if nutrient not in df.columns:
        raise KeyError(f"the food table has no column '{nutrient}'")
    if not include_supplements:
        df = df[~df["flags"].astype(str).str.contains("supplement", regex=False)]
    per100 = df[nutrient].astype(float)
    if basis == "100 g":
        amount = per100
    elif basis == "portion":
        amount = per100 * df["portion_g"].astype(float) / 100.0
    else:
        kcal = df["energy_kcal"].astype(float) if "energy_kcal" in df.columns else None
        if kcal is None:
            raise KeyError("the food table has no column 'energy_kcal'")
        amount = (per100 / kcal * 100.0).where(kcal > 0)
    out = pd.DataFrame({
        "name": df["name"],
        "amount": amount.round(3),
        "unit": unit_of(nutrient) or "",
        "basis": basis,
        "portion": [f"{p} ({g:g} g)" for p, g in zip(df["portion_name"], df["portion_g"],
                                                     strict=True)],
        "source": df["k2_source"].where(df["k2_source"] != "", df["source"])
        if nutrient == "k2_ug" else df["source"],
    }, index=df.index)
    out = out.dropna(subset=["amount"])
    out = out[out["amount"] > 0].sort_values("amount", ascending=False, kind="stable").head(n)
    out.index.name = "id"
    return out


# -- the sidebar's settings (the saved "profile") --------------------------------------------
@dataclass(frozen=True)
class BoundEdit:
    """A dietitian's change to one bound, kept apart from the defaults so that it survives a
    change of person or safety mode (new safety bounds still appear).

    ``key`` identifies the default bound (see :func:`bound_keys`); additions have
    ``"<nutrient>|added"``.
    """

    key: str
    nutrient: str
    supplements_only: bool = False
    min: float | None = None
    max: float | None = None
    period: Literal["day", "week"] = "day"
    action: Literal["change", "remove", "add"] = "change"
    source: str = ""


@dataclass(frozen=True)
class AppSettings:
    """Everything the sidebar asks; saved as a client's profile (JSON)."""

    age: int = 55
    sex: Literal["female", "male"] = "female"
    life_stage: Literal["pregnancy", "lactation"] | None = None
    weight_kg: float | None = None
    height_cm: float | None = None
    activity: str = "light"
    energy_kcal: float | None = None
    diet: str | None = None
    keto: bool = False
    keto_net_carbs: float = KETO_DEFAULT_NET_CARBS
    allergens: tuple[str, ...] = ()
    exclude_foods: tuple[str, ...] = ()
    favourites: tuple[str, ...] = ()
    dislikes: tuple[str, ...] = ()
    exclude_flags: tuple[str, ...] = ()
    anticoagulant: bool = False
    vitk_min_ug: float | None = None
    vitk_max_ug: float | None = None
    ckd: bool = False
    potassium_max_mg: float | None = None
    phosphorus_max_mg: float | None = None
    days: int = 7
    slots: tuple[str, ...] = tuple(s.value for s in MealSlot)
    supplements: bool = False
    objective: Objective = "balanced"
    k2_min: float = K2_MIN_UG
    k2_max: float = K2_MAX_UG
    weekly: tuple[str, ...] = ()
    bound_edits: tuple[BoundEdit, ...] = ()
    cooking_salt_g: float = 0.0  # salt added in cooking or at the table, g a day
    work_limit: int = PlanOptions.day_node_limit  # search nodes a day (deterministic)
    time_limit_s: float = PlanOptions.time_limit  # wall-clock safety net

    def to_json(self) -> str:
        """The settings as JSON text (what the store saves as a profile)."""
        d = asdict(self)
        d["format"] = "mealplan-app-settings"
        d["version"] = 1
        return json.dumps(d, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, source: str = "saved profile") -> AppSettings:
        """Read settings saved by :meth:`to_json` (unknown keys are reported, not ignored).

        Raises:
            ProfileError: naming each bad field.
        """
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProfileError(source, [Problem(f"not JSON: {exc.msg}", exc.lineno)]) from None
        if not isinstance(raw, dict):
            raise ProfileError(source, [Problem("not a JSON object")])
        raw.pop("format", None)
        raw.pop("version", None)
        problems: list[Problem] = []
        names = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for k, v in raw.items():
            if k not in names:
                problems.append(Problem(f"unknown setting '{k}'", column=k))
                continue
            default = getattr(cls(), k)
            if k == "bound_edits":
                try:
                    kwargs[k] = tuple(BoundEdit(**e) for e in v)
                except TypeError as exc:
                    problems.append(Problem(f"bad bound edit: {exc}", column=k))
            elif isinstance(default, tuple):
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    problems.append(Problem("must be a list of words", column=k))
                else:
                    kwargs[k] = tuple(v)
            elif isinstance(default, bool):
                if not isinstance(v, bool):
                    problems.append(Problem("must be true or false", column=k))
                else:
                    kwargs[k] = v
            elif isinstance(default, int | float) or default is None:
                if v is not None and (isinstance(v, bool) or not isinstance(v, int | float | str)):
                    problems.append(Problem(f"unexpected value {v!r}", column=k))
                else:
                    kwargs[k] = v
            else:
                kwargs[k] = v
        if problems:
            raise ProfileError(source, problems)
        return cls(**kwargs)


def bound_keys(bounds: Sequence[Bound]) -> list[str]:
    """A stable key per bound: nutrient, supplements-only, shape (min/max/range), and the
    occurrence of that combination (so the UL and a kidney cap on phosphorus differ).

    Args:
        bounds: the bounds, in order.

    Returns:
        One key per bound, e.g. ``"calcium_mg|food|min|0"``, ``"calcium_mg|food|max|0"``.
    """
    seen: dict[str, int] = {}
    keys = []
    for b in bounds:
        shape = "range" if b.min is not None and b.max is not None else (
            "min" if b.min is not None else "max")
        stem = f"{b.nutrient}|{'supplements' if b.supplements_only else 'food'}|{shape}"
        keys.append(f"{stem}|{seen.get(stem, 0)}")
        seen[stem] = seen.get(stem, 0) + 1
    return keys


def build_targets(s: AppSettings) -> Targets:
    """Targets from the sidebar's settings: the cramp profile, the K2 window, safety modes
    and the dietitian's edits.

    Args:
        s: the settings.

    Returns:
        The targets (warnings included).

    Raises:
        TargetsError: naming the field at fault (age, keto cap, the K2 window, safety-mode
            limits, an edited bound ...).
    """
    problems: list[Problem] = []
    if s.anticoagulant and (s.vitk_min_ug is None or s.vitk_max_ug is None):
        problems.append(Problem("blood thinner mode needs the daily vitamin K band agreed "
                                "with your clinician (both ends)", column="vitamin K band"))
    if s.ckd and (s.potassium_max_mg is None or s.phosphorus_max_mg is None):
        problems.append(Problem("kidney mode needs the potassium and phosphorus limits your "
                                "clinician set", column="kidney limits"))
    if not s.anticoagulant and s.k2_min > s.k2_max:
        problems.append(Problem(f"the K2 window is upside down: {s.k2_min:g} > {s.k2_max:g} µg",
                                column="K2 window"))
    if not 1 <= s.days <= 14:
        problems.append(Problem(f"{s.days} days: choose 1 to 14", column="days"))
    if not s.slots:
        problems.append(Problem("choose at least one meal", column="meals"))
    if problems:
        raise TargetsError("settings", problems)
    diet = diet_filter(diet=s.diet, keto=s.keto, allergens=s.allergens,
                       exclude_foods=s.exclude_foods, dislikes=s.dislikes,
                       favourites=s.favourites, exclude_flags=s.exclude_flags)
    person = Person(age=int(s.age), sex=s.sex, life_stage=s.life_stage, weight_kg=s.weight_kg,
                    height_cm=s.height_cm, activity=s.activity, energy_kcal=s.energy_kcal)
    t = targets_for(
        person, diet=diet, keto_net_carbs=s.keto_net_carbs if s.keto else None,
        anticoagulant=(Anticoagulant(float(s.vitk_min_ug), float(s.vitk_max_ug))
                       if s.anticoagulant and s.vitk_min_ug is not None
                       and s.vitk_max_ug is not None else None),
        ckd=(KidneyLimits(float(s.potassium_max_mg), float(s.phosphorus_max_mg))
             if s.ckd and s.potassium_max_mg is not None and s.phosphorus_max_mg is not None
             else None),
        allow_supplements=s.supplements, cooking_salt_g=float(s.cooking_salt_g))
    if (s.k2_min, s.k2_max) != (K2_MIN_UG, K2_MAX_UG):
        t = replace(t, bounds=tuple(
            replace(b, min=s.k2_min, max=s.k2_max, source=f"your K2 window (default "
                    f"{K2_MIN_UG:g}-{K2_MAX_UG:g} µg: {b.source})")
            if b.nutrient == "k2_ug" else b for b in t.bounds))
    if s.weekly:
        t = hold_weekly(t, s.weekly)
    return apply_edits(t, s.bound_edits)


def apply_edits(targets: Targets, edits: Sequence[BoundEdit]) -> Targets:
    """Apply a dietitian's edits to (possibly new) default targets.

    Returns:
        New targets. An edit of a bound the defaults no longer have is ignored, except
        additions.

    Raises:
        TargetsError: if the result has an invalid bound.
    """
    by_key = {e.key: e for e in edits}
    out: list[Bound] = []
    for b, key in zip(targets.bounds, bound_keys(targets.bounds), strict=True):
        e = by_key.get(key)
        if e is None or e.action == "add":
            out.append(b)
        elif e.action == "remove":
            continue
        else:
            daily_min = b.daily_min if e.period == "week" and b.period == "week" else None
            if e.period == "week" and daily_min is None and e.min is not None:
                daily_min = round(e.min * WEEKLY_FLOOR_FRACTION, 6)
            out.append(replace(b, min=e.min, max=e.max, period=e.period, daily_min=daily_min,
                               source=e.source or f"edited by you (default: {b.source})"))
    for e in edits:
        if e.action == "add":
            out.append(Bound(e.nutrient, e.min, e.max, unit_of(e.nutrient) or "",
                             e.source or "added by you", "", e.period,
                             round(e.min * WEEKLY_FLOOR_FRACTION, 6)
                             if e.period == "week" and e.min is not None else None))
    problems = bound_problems(out, prefix="bounds")
    if problems:
        raise TargetsError("edited bounds", problems)
    return replace(targets, bounds=tuple(out))


# -- the dietitian's bound editor -----------------------------------------------------------
def bounds_frame(targets: Targets) -> pd.DataFrame:
    """Every bound as an editable table (one row per bound, in target order)."""
    rows = [{
        "key": key,
        "nutrient": b.nutrient,
        "label": nutrient_label(b.nutrient) + (" (supplements)" if b.supplements_only else ""),
        "min": math.nan if b.min is None else float(b.min),
        "max": math.nan if b.max is None else float(b.max),
        "unit": b.unit or (unit_of(b.nutrient) or ""),
        "period": b.period,
        "supplements_only": bool(b.supplements_only),
        "source": b.source,
        "reason": b.reason,
    } for b, key in zip(targets.bounds, bound_keys(targets.bounds), strict=True)]
    return pd.DataFrame(rows, columns=list(BOUND_COLUMNS))


def _num(v: object) -> float | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    x = float(v)  # type: ignore[arg-type]
    return None if math.isnan(x) else x


def edits_from_frame(frame: pd.DataFrame, defaults: Targets,
                     known_nutrients: Sequence[str] | None = None) -> tuple[BoundEdit, ...]:
    """Compare an edited bounds table with the defaults and return the edits.

    Rows are matched to default bounds by their ``key`` column (:func:`bound_keys`). A
    default bound missing from the table is recorded as removed; a row without a known key
    (a new row, or one whose nutrient was changed) is an addition.

    Args:
        frame: the table from :func:`bounds_frame`, after editing.
        defaults: the targets the table was made from, before any edit.
        known_nutrients: columns a new bound may name (default: the standard nutrients).

    Returns:
        The edits (empty when the table equals the defaults).

    Raises:
        TargetsError: listing every bad cell by row (1-based) and column.
    """
    problems: list[Problem] = []
    known = set(known_nutrients) if known_nutrients is not None else set(NUTRIENTS) | {
        "net_carbs_g", "vitamin_k_total_ug"}
    base = dict(zip(bound_keys(defaults.bounds), defaults.bounds, strict=True))
    seen: set[str] = set()
    added = 0
    edits: list[BoundEdit] = []
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        nutrient = str(rec.get("nutrient") or "").strip()
        if not nutrient or nutrient.lower() in ("nan", "none", "<na>"):
            problems.append(Problem("nutrient is empty", i, "nutrient"))
            continue
        raw_key = rec.get("key")
        key = str(raw_key).strip() if isinstance(raw_key, str) else ""
        old = base.get(key)
        if old is None or old.nutrient != nutrient or key in seen:
            old = None
            key = f"{nutrient}|added|{added}"
            added += 1
        seen.add(key)
        sup = rec.get("supplements_only")
        sup_only = old.supplements_only if old is not None else (
            bool(sup) if isinstance(sup, bool | int) else False)
        vals: dict[str, float | None] = {}
        bad_number = False
        for col in ("min", "max"):
            try:
                x = _num(rec.get(col))
            except (TypeError, ValueError):
                problems.append(Problem(f"'{rec.get(col)}' is not a number", i, col))
                bad_number = True
                continue
            if x is not None and (x < 0 or math.isinf(x)):
                problems.append(Problem(f"{x:g} is not a finite amount >= 0", i, col))
                bad_number = True
            vals[col] = x
        if bad_number:
            continue
        lo, hi = vals.get("min"), vals.get("max")
        if lo is not None and hi is not None and lo > hi:
            what = "the K2 window is upside down: " if nutrient == "k2_ug" else ""
            problems.append(Problem(f"{what}min {lo:g} is above max {hi:g} for {nutrient}",
                                    i, "min"))
            continue
        if lo is None and hi is None:
            problems.append(Problem("give a min, a max or both (delete the row to drop it)",
                                    i, "min"))
            continue
        period = str(rec.get("period") or "day").strip()
        if period not in ("day", "week"):
            problems.append(Problem(f"period '{period}' must be day or week", i, "period"))
            continue
        per: Literal["day", "week"] = "week" if period == "week" else "day"
        if per == "week" and lo is None:
            problems.append(Problem("a weekly bound needs a min", i, "period"))
            continue
        if old is None:
            if nutrient not in known:
                problems.append(Problem(f"unknown nutrient '{nutrient}'", i, "nutrient"))
                continue
            edits.append(BoundEdit(key, nutrient, sup_only, lo, hi, per, "add"))
        elif (lo, hi, per) != (old.min, old.max, old.period):
            edits.append(BoundEdit(key, nutrient, sup_only, lo, hi, per, "change"))
    for key, b in base.items():
        if key not in seen:
            edits.append(BoundEdit(key, b.nutrient, b.supplements_only, b.min, b.max, b.period,
                                   "remove"))
    if problems:
        raise TargetsError("bounds table", problems)
    return tuple(edits)


# -- a plan as tables and charts ------------------------------------------------------------
def plan_grid(plan: Plan) -> pd.DataFrame:
    """Every item of the plan: day, meal, food, household amount, grams."""
    rows: list[dict[str, Any]] = []
    for d in plan.days:
        for m in d.meals:
            for it in m.items:
                rows.append({"day": d.day, "meal": m.slot, "food": it.name,
                             "amount": it.household, "grams": round(it.grams, 1),
                             "supplement": it.is_supplement, "food_id": it.food_id})
    return pd.DataFrame(rows, columns=["day", "meal", "food", "amount", "grams",
                                       "supplement", "food_id"])


def _checks_with_bounds(plan: Plan) -> list[tuple[BoundCheck, Bound | None]]:
    """Pair each check with the bound it checks (checks come in bound order: one per day,
    plus the weekly average for weekly bounds); None where the order does not match."""
    expected: list[Bound] = []
    for b in plan.targets.bounds:
        expected += [b] * (len(plan.days) + (1 if b.period == "week" else 0))
    if len(expected) == len(plan.checks) and all(
            b.nutrient == c.nutrient for b, c in zip(expected, plan.checks, strict=True)):
        return list(zip(plan.checks, expected, strict=True))
    return [(c, None) for c in plan.checks]


def coverage_frame(plan: Plan) -> pd.DataFrame:
    """Per day and bounded nutrient: value, min, max, and value as % of min and of max.

    Bounds that count supplements only are left out (they are not intake targets).
    """
    rows = []
    for c, b in _checks_with_bounds(plan):
        if c.day is None or (b is not None and b.supplements_only):
            continue
        rows.append({
            "day": c.day, "nutrient": c.nutrient, "label": nutrient_label(c.nutrient),
            "value": c.value, "unit": c.unit, "min": c.min, "max": c.max,
            "pct_of_min": None if not c.min else 100.0 * c.value / c.min,
            "pct_of_max": None if not c.max else 100.0 * c.value / c.max,
            "status": c.status,
        })
    df = pd.DataFrame(rows, columns=["day", "nutrient", "label", "value", "unit", "min", "max",
                                     "pct_of_min", "pct_of_max", "status"])
    # A nutrient with two bound rows (e.g. food and supplement) keeps the first of each day.
    return df.drop_duplicates(subset=["day", "nutrient"], keep="first").reset_index(drop=True)


def coverage_chart(frame: pd.DataFrame, day: int) -> alt.LayerChart:
    """Bars of one day's intake as % of target (100% = the minimum; x marks the upper limit).

    Args:
        frame: :func:`coverage_frame`.
        day: which day.

    Returns:
        An Altair layered chart.
    """
    d = frame[frame["day"] == day].copy()
    # Percent of the minimum where there is one, else of the maximum (limits such as sodium).
    d["pct"] = d["pct_of_min"].where(d["pct_of_min"].notna(), d["pct_of_max"]).astype(float)
    d["limit_pct"] = [100.0 * mx / mn if (mn and mx and not math.isnan(mx)) else
                      (100.0 if (mx and not mn) else math.nan)
                      for mn, mx in zip(d["min"].astype(float).fillna(0.0),
                                        d["max"].astype(float), strict=True)]
    d["text"] = [f"{v:.4g} {u} (min {mn if mn == mn and mn is not None else '-'}, "
                 f"max {mx if mx == mx and mx is not None else '-'})"
                 for v, u, mn, mx in zip(d["value"], d["unit"], d["min"], d["max"], strict=True)]
    base = alt.Chart(d).encode(y=alt.Y("label:N", sort=None, title=None,
                                       axis=alt.Axis(labelOverlap=False, labelLimit=180)))
    bars = base.mark_bar().encode(
        x=alt.X("pct:Q", title="% of minimum (nutrients with only a limit: % of the limit); "
                                  "+ marks the upper limit"),
        color=alt.Color("status:N", scale=alt.Scale(domain=["ok", "low", "high"],
                                                    range=["#2e7d32", "#f9a825", "#c62828"])),
        tooltip=["label:N", "text:N", "status:N"],
    )
    rule = alt.Chart(pd.DataFrame({"x": [100.0]})).mark_rule(strokeDash=[4, 3]).encode(x="x:Q")
    limits = base.mark_point(shape="cross", size=90, color="#c62828").encode(
        x="limit_pct:Q", tooltip=["label:N", "text:N"])
    chart = alt.LayerChart(layer=[bars, rule, limits], height=max(200, 26 * len(d)))
    return chart


def k2_frame(plan: Plan) -> pd.DataFrame:
    """Vitamin K2 per day against its band (the K2 window)."""
    cov = coverage_frame(plan)
    k2 = cov[cov["nutrient"] == "k2_ug"]
    return k2[["day", "value", "min", "max", "status"]].reset_index(drop=True)


def weekly_summary(plan: Plan) -> pd.DataFrame:
    """Per bounded nutrient: average, lowest and highest day, the bound and how many days
    fall outside it."""
    cov = coverage_frame(plan)
    rows = []
    for nutrient, g in cov.groupby("nutrient", sort=False):
        rows.append({
            "nutrient": nutrient_label(str(nutrient)),
            "average": round(float(g["value"].mean()), 3),
            "lowest": round(float(g["value"].min()), 3),
            "highest": round(float(g["value"].max()), 3),
            "unit": g["unit"].iloc[0],
            "min": g["min"].iloc[0],
            "max": g["max"].iloc[0],
            "days outside": int((g["status"] != "ok").sum()),
        })
    return pd.DataFrame(rows)


def plan_status(plan: Plan) -> str:
    """How good the plan is in plain words, then the wall-clock time and the solver."""
    i = plan.info
    return (f"{plan_headline(plan)} Planned in {i.solve_seconds:.1f} s by {i.solver}"
            + (f" ({i.method})" if i.method else "") + ".")


def limit_advice(exc: SolverTimeoutError) -> str:
    """What to do about a limit that stopped the solver, in the app's terms."""
    if exc.limit == "time":
        return (f"Raise “Give up after (seconds)” under Solver in the sidebar (now "
                f"{exc.value:g} s), or plan fewer days.")
    return (f"Raise “Search effort per day” under Solver in the sidebar (now {exc.value:g}), "
            "or loosen a target on the Dietitian tab.")


def diagnosis_frame(diagnosis: Diagnosis) -> pd.DataFrame:
    """The unmet bounds of an infeasible request as a table."""
    rows = [{
        "nutrient": nutrient_label(s.nutrient),
        "bound": f"{'at least' if s.kind == 'min' else 'at most'} {amount_text(s.bound)} "
                 f"{s.unit}",
        "best possible": f"{amount_text(s.best)} {s.unit}",
        "days": ", ".join(str(d) for d in s.days) if s.days else "every day",
    } for s in diagnosis.shortfalls]
    return pd.DataFrame(rows, columns=["nutrient", "bound", "best possible", "days"])


def plan_options(s: AppSettings, bans: frozenset[str] = frozenset(),
                 locks: Sequence[Lock] = ()) -> PlanOptions:
    """Planning options from the settings plus the plan's bans and locks.

    Args:
        s: the settings (days, meals, objective, favourites).
        bans: food ids banned from the plan.
        locks: items locked in place.

    Returns:
        The options.
    """
    order = [m.value for m in MealSlot]
    slots = tuple(sorted(set(s.slots), key=lambda x: order.index(x) if x in order else 99))
    return PlanOptions(days=int(s.days), slots=slots, objective=s.objective,
                       bans=frozenset(bans), locks=tuple(locks),
                       usual_foods=frozenset(s.favourites),
                       day_node_limit=int(s.work_limit), time_limit=float(s.time_limit_s),
                       day_time_limit=float(s.time_limit_s))


# -- edits in place -------------------------------------------------------------------------
def lock_item(plan: Plan, day: int, slot: str, food_id: str) -> Plan:
    """Lock an item of the plan: later re-plans (regenerate, swap, ban) keep it.

    The plan itself does not change (the item is already in it); its options gain the lock.

    Raises:
        TargetsError: if the day/meal has no such item.
    """
    if not 1 <= day <= len(plan.days):
        raise TargetsError("plan", [Problem(f"no day {day} in this plan", column="day")])
    found = [it for m in plan.day(day).meals if m.slot == slot for it in m.items
             if it.food_id == food_id]
    if not found:
        raise TargetsError("plan", [Problem(f"day {day} {slot} has no '{food_id}'",
                                            column="food_id")])
    lock = Lock(day, slot, food_id, found[0].portions)
    others = [lk for lk in plan.options.locks
              if (lk.day, lk.slot, lk.food_id) != (day, slot, food_id)]
    locks = (*others, lock)
    return replace(plan, options=replace(plan.options, locks=locks))


def ban_food(plan: Plan, food_id: str, table: FoodTable,
             supplements: FoodTable | None = None) -> Plan:
    """Ban a food from the plan: only the days that had it are planned again.

    Raises:
        TargetsError: if the food is locked somewhere in the plan.
        InfeasiblePlanError: if the changed days cannot be planned without it.
    """
    from .solve import make_plan

    locked = [lk for lk in plan.options.locks if lk.food_id == food_id]
    if locked:
        raise TargetsError("plan", [Problem(
            f"'{food_id}' is locked on day {locked[0].day}; it cannot also be banned",
            column="food_id")])
    options = replace(plan.options, bans=plan.options.bans | {food_id})
    keep = {d.day: d for d in plan.days if food_id not in d.food_ids()}
    if len(keep) == len(plan.days):
        return replace(plan, options=options)
    return make_plan(table, plan.targets, options, supplements=supplements, keep_days=keep)


# -- saved plans (their JSON export) ----------------------------------------------------------
def _saved_days(data: Mapping[str, Any], source: str) -> list[Mapping[str, Any]]:
    days = data.get("days")
    if not isinstance(days, list) or not all(isinstance(d, Mapping) for d in days):
        raise StoreError(f"{source}: the saved plan has no list of days")
    return days


def saved_plan_items(data: Mapping[str, Any], source: str = "saved plan") -> pd.DataFrame:
    """The items of a saved plan (its JSON export) as a table.

    Raises:
        StoreError: if the JSON does not have the export's shape.
    """
    rows: list[dict[str, Any]] = []
    for i, d in enumerate(_saved_days(data, source), start=1):
        meals = d.get("meals", [])
        if not isinstance(meals, list):
            raise StoreError(f"{source}: day {i} has no list of meals")
        for m in meals:
            items = m.get("items", []) if isinstance(m, Mapping) else []
            for it in items if isinstance(items, list) else []:
                if not isinstance(it, Mapping):
                    continue
                portions = it.get("portions")
                unit = it.get("portion_name", "")
                rows.append({
                    "day": d.get("day", i), "meal": m.get("slot", ""),
                    "food": it.get("name", it.get("food_id", "")),
                    "amount": it.get("household") or (
                        f"{portions:g} x {unit}" if isinstance(portions, int | float) else ""),
                    "grams": it.get("grams"),
                })
    return pd.DataFrame(rows, columns=["day", "meal", "food", "amount", "grams"])


def _saved_averages(data: Mapping[str, Any], source: str) -> dict[str, float]:
    days = _saved_days(data, source)
    sums: dict[str, float] = {}
    for d in days:
        totals = d.get("totals", {})
        if not isinstance(totals, Mapping):
            continue
        for k, v in totals.items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                sums[str(k)] = sums.get(str(k), 0.0) + float(v)
    return {k: v / len(days) for k, v in sums.items()} if days else {}


def saved_plan_summary(plan_id: int, name: str, created_at: str,
                       data: Mapping[str, Any]) -> dict[str, Any]:
    """One row describing a saved plan (days, foods, averages of the cramp nutrients).

    Raises:
        StoreError: if the JSON does not have the export's shape.
    """
    items = saved_plan_items(data, f"plan #{plan_id}")
    avg = _saved_averages(data, f"plan #{plan_id}")
    row: dict[str, Any] = {"id": plan_id, "name": name, "saved": created_at,
                           "days": len(_saved_days(data, name)),
                           "foods": int(items["food"].nunique()) if len(items) else 0,
                           "verified": data.get("verified", "")}
    for n in ("energy_kcal", "magnesium_mg", "potassium_mg", "calcium_mg", "k2_ug"):
        if n in avg:
            row[f"{nutrient_label(n)} ({unit_of(n)}/day)"] = round(avg[n], 1)
    return {"row": row}


def compare_saved_plans(plans: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Daily averages of every nutrient, one column per saved plan.

    Raises:
        StoreError: if a plan's JSON does not have the export's shape.
    """
    cols = {label: _saved_averages(data, label) for label, data in plans.items()}
    nutrients: list[str] = []
    for avg in cols.values():
        nutrients += [n for n in avg if n not in nutrients]
    order = [n for n in KEY_NUTRIENTS if n in nutrients] + [
        n for n in nutrients if n not in KEY_NUTRIENTS]
    frame = pd.DataFrame({label: [round(avg.get(n, math.nan), 2) for n in order]
                          for label, avg in cols.items()},
                         index=[f"{nutrient_label(n)} ({unit_of(n) or ''})" for n in order])
    frame.index.name = "per day"
    return frame


# -- evidence -----------------------------------------------------------------------------------
def evidence_rows() -> list[dict[str, str]]:
    """The evidence base as titled Markdown blocks (one per targeted nutrient).

    Raises:
        DataFileError: if the evidence file is invalid.
    """
    from .evidence import load_evidence

    out = []
    for e in load_evidence().values():
        lines = [f"**Role.** {e.role}", f"**Target.** {e.target}", f"**Why.** {e.why}"]
        if e.foods:
            lines.append("**Foods.** " + ", ".join(e.foods))
        lines += [f"⚠️ {c}" for c in e.cautions]
        if e.seeds:
            lines.append("**Seed articles:** " + ", ".join(f"`{s}`" for s in e.seeds))
        if e.sources:
            lines.append("**Sources:** " + "; ".join(e.sources))
        out.append({"column": e.column, "title": f"{e.name} ({e.column})",
                    "body": "\n\n".join(lines)})
    return out
