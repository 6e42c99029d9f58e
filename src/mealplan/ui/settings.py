"""The sidebar's settings (saved as a client's profile) and what they turn into: targets and
planning options (no Streamlit)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from mealplan.errors import (
    MealPlanError,
    Problem,
    ProfileError,
    TargetsError,
)
from mealplan.plan import DISH_MINUTES_MAX, DISH_MINUTES_MIN, Fix, Lock, Objective, PlanOptions
from mealplan.targets import (
    HEALTHY_RULES,
    K2_MAX_UG,
    K2_MIN_UG,
    KETO_DEFAULT_NET_CARBS,
    Anticoagulant,
    KidneyLimits,
    Person,
    Targets,
    diet_filter,
    hold_weekly,
    targets_for,
)
from mealplan.ui.bounds_editor import BoundEdit, apply_edits, bounds_frame, edits_from_frame
from mealplan.units import (
    FLAGS,
    MealSlot,
)

__all__ = ["EXCLUDABLE_FLAGS", "HEALTHY_LABELS", "AppSettings", "build_targets", "dish_minutes",
           "plan_options", "settings_after_fix"]


EXCLUDABLE_FLAGS: dict[str, str] = {
    "fortified": "fortified foods (vitamins added: plant drinks, cereals)",
    "uv_vitamin_d": "UV-treated mushrooms (vitamin D from UV light)",
    "fermented": "fermented foods (natto, sauerkraut, miso ...)",
}
assert set(EXCLUDABLE_FLAGS) <= set(FLAGS)

# The healthy-day rules as the app names them (one per key of HEALTHY_RULES).
HEALTHY_LABELS: dict[str, str] = {name: rule.description for name, rule in HEALTHY_RULES.items()}


MAX_PURCHASES_BOX = 200  # the sidebar's shopping-list limit: 1 to this many a week


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
    natto: bool = False  # "I eat natto" (never planned on warfarin, whatever this says)
    use_dishes: bool = PlanOptions.use_dishes  # named dishes as well as single foods
    meal_patterns: bool = PlanOptions.meal_patterns  # each meal has its usual shape
    fish_per_week: int = PlanOptions.fish_per_week  # fish servings a week, at most
    # weeknight limits: most prep-and-cook minutes per dish on weekdays, and at the weekend
    # (days 6 and 7 of each week); None or 0: no limit (at the weekend: as on weeknights)
    max_dish_minutes: int | None = None
    weekend_dish_minutes: int | None = None
    leftovers: bool = PlanOptions.leftovers  # cook once, eat twice (dinner -> next lunch)
    # shopping lines a week at most (purchases; every egg style is one); None or 0: no limit
    max_purchases: int | None = PlanOptions.max_purchases
    healthy: tuple[str, ...] = tuple(HEALTHY_RULES)  # the healthy-day rules held
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
    unknown = [h for h in s.healthy if h not in HEALTHY_RULES]
    if unknown:
        problems.append(Problem(f"unknown healthy-day rule {', '.join(map(repr, unknown))} "
                                f"(choose from {', '.join(HEALTHY_RULES)})",
                                column="healthy-day rules"))
    if s.max_purchases is not None and not 0 <= s.max_purchases <= MAX_PURCHASES_BOX:
        problems.append(Problem(f"{s.max_purchases} purchases a week: choose 1 to "
                                f"{MAX_PURCHASES_BOX}, or leave it empty for no limit",
                                column="shopping list"))
    if not 0 <= s.fish_per_week <= 21:
        problems.append(Problem(f"{s.fish_per_week} fish servings a week: choose 0 to 21",
                                column="fish per week"))
    for value, column, empty in (
            (s.max_dish_minutes, "weeknight cooking limit", "no limit"),
            (s.weekend_dish_minutes, "weekend limit", "the weeknight limit")):
        if dish_minutes(value) is None and value not in (None, 0):
            problems.append(Problem(
                f"{value} minutes: choose {DISH_MINUTES_MIN} to {DISH_MINUTES_MAX} minutes "
                f"per dish, or leave it empty for {empty}", column=column))
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
        allow_supplements=s.supplements, cooking_salt_g=float(s.cooking_salt_g),
        healthy=s.healthy)
    if (s.k2_min, s.k2_max) != (K2_MIN_UG, K2_MAX_UG):
        t = replace(t, bounds=tuple(
            replace(b, min=s.k2_min, max=s.k2_max, source=f"your K2 window (default "
                    f"{K2_MIN_UG:g}-{K2_MAX_UG:g} µg: {b.source})")
            if b.nutrient == "k2_ug" else b for b in t.bounds))
    if s.weekly:
        t = hold_weekly(t, s.weekly)
    return apply_edits(t, s.bound_edits)



def dish_minutes(value: object) -> int | None:
    """A weeknight limit as the planner takes it: whole minutes from DISH_MINUTES_MIN to
    DISH_MINUTES_MAX, else None (empty, 0, or out of range: :func:`build_targets` names an
    out-of-range value before anything is planned)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None  # a hand-edited profile may hold any JSON
    try:
        minutes = float(value)
    except ValueError:
        return None
    if not minutes.is_integer() or not DISH_MINUTES_MIN <= minutes <= DISH_MINUTES_MAX:
        return None
    return int(minutes)


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
                       use_dishes=bool(s.use_dishes), meal_patterns=bool(s.meal_patterns),
                       natto=bool(s.natto) and not s.anticoagulant,
                       fish_per_week=int(s.fish_per_week),
                       max_dish_minutes=dish_minutes(s.max_dish_minutes),
                       weekend_dish_minutes=dish_minutes(s.weekend_dish_minutes),
                       leftovers=bool(s.leftovers),
                       max_purchases=int(s.max_purchases) if s.max_purchases else None,
                       day_node_limit=int(s.work_limit), time_limit=float(s.time_limit_s),
                       day_time_limit=float(s.time_limit_s))


def settings_after_fix(s: AppSettings, fix: Fix, targets: Targets) -> AppSettings:
    """The sidebar's settings once a fix is applied, so the next "Plan my meals" and a saved
    profile carry it (a relaxed bound becomes a dietitian edit, shown beside the plan).

    Args:
        s: the settings before the fix.
        fix: the fix pressed.
        targets: the targets with the fix applied.

    Returns:
        The new settings.
    """
    if fix.kind == "allow_supplements":
        return replace(s, supplements=True)
    if fix.kind == "eat_natto":
        return replace(s, natto=True)
    if fix.kind == "change_diet" and isinstance(fix.value, str):
        return replace(s, diet=fix.value)
    if fix.kind in ("relax_bound", "hold_weekly"):
        try:
            defaults = build_targets(replace(s, bound_edits=()))
            edits = edits_from_frame(bounds_frame(targets), defaults)
        except MealPlanError:
            return s
        return replace(s, bound_edits=edits)
    if fix.kind == "allow_flag" and isinstance(fix.value, str):
        return replace(s, exclude_flags=tuple(f for f in s.exclude_flags if f != fix.value))
    if fix.kind == "allow_food" and isinstance(fix.value, str):
        return replace(s, exclude_foods=tuple(f for f in s.exclude_foods if f != fix.value),
                       dislikes=tuple(f for f in s.dislikes if f != fix.value))
    return s
