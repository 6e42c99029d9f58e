"""CLI sub-commands. Each module exposes ``register(subparsers)``; handlers return exit codes.

Handlers raise :class:`mealplan.errors.MealPlanError` subclasses; :mod:`mealplan.cli`
translates them into a message and an exit code at the edge.
"""
