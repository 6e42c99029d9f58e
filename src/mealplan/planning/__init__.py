"""The planner: from a food table and targets to a verified :class:`~mealplan.plan.Plan`.

Modules, in the order data flows through them:

``pool``
    Which foods and dishes a plan may use (:func:`candidate_pool`: diet filter, safety
    exclusions, supplements, bans, dishes, missing values) and which of them a day plans
    with (``day_pool``: days-per-food cap, narrowing of a large pool).
``day``
    One day's model: candidates with their objective weights, the day's bounds, the
    :class:`~mealplan.model.DayModel` (its maths is in :mod:`mealplan.model`), its solve
    and the :class:`~mealplan.plan.DayPlan` it gives back.
``week``
    :func:`make_plan`: the days planned one by one with variety and weekly totals carried
    over (or as two parallel chains), then verified by :func:`mealplan.plan.verify_plan`.
``diagnosis``
    :func:`diagnose`: why a day has no plan (unmet bounds, how far a day gets).
``fixes``
    The relaxations that make the failing day plannable, and :func:`apply_fix`.
``edits``
    :func:`regenerate_day`, :func:`regenerate_meal` and :func:`swap_item` on a finished
    plan.
``dietlp``
    :func:`solve_diet_lp`: the plain continuous diet LP and its shadow prices.

Data flows one way: food table -> ``pool`` -> ``day`` (per day, inside ``week``) ->
verified Plan; a refused day -> ``diagnosis`` -> ``fixes``. ``edits`` re-enter ``day``
and ``week``; ``dietlp`` uses only the diet filter. Only ``dietlp`` imports PuLP (the
MILP itself is built in :mod:`mealplan.model`). :mod:`mealplan.solve` is the public face
(it re-exports this package's ``__all__``).
"""

from mealplan.planning.diagnosis import diagnose
from mealplan.planning.dietlp import BindingBound, DietLP, solve_diet_lp
from mealplan.planning.edits import regenerate_day, regenerate_meal, swap_item
from mealplan.planning.fixes import apply_fix
from mealplan.planning.pool import UPPER_FILL, candidate_pool, excluded_flags
from mealplan.planning.week import make_plan

__all__ = [
    "UPPER_FILL",
    "BindingBound",
    "DietLP",
    "apply_fix",
    "candidate_pool",
    "diagnose",
    "excluded_flags",
    "make_plan",
    "regenerate_day",
    "regenerate_meal",
    "solve_diet_lp",
    "swap_item",
]
