"""The planner's public API: from a food table and targets to a verified Plan.

Import the planner from here. The code lives in :mod:`mealplan.planning`, one module per job:

- :func:`make_plan` (the day-by-day week, its parallel chains, verification):
  ``planning/week.py``; one day's model, weights and solve: ``planning/day.py``
- :func:`candidate_pool`, :func:`excluded_flags`, :data:`UPPER_FILL` (which foods a plan
  may use): ``planning/pool.py``
- :func:`diagnose` (why no plan exists): ``planning/diagnosis.py``
- :func:`apply_fix` and the suggested fixes: ``planning/fixes.py``
- :func:`regenerate_day`, :func:`regenerate_meal`, :func:`swap_item`: ``planning/edits.py``
- :func:`solve_diet_lp`, :class:`DietLP`, :class:`BindingBound`: ``planning/dietlp.py``

The MILP's maths is in :mod:`mealplan.model`'s docstring.
"""

from mealplan.planning import *  # noqa: F403 (the public API is the package's __all__)
from mealplan.planning import __all__ as __all__
