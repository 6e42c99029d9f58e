"""The ``mealplan`` command line: a thin layer over the library.

Exit codes: 0 success, 2 bad input, 3 no plan exists (explanation printed), 4 a limit
(the work limit, or the wall-clock safety net) stopped the solver before it found a plan,
1 any other failure. Errors never print a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from . import DISCLAIMER, __version__
from .errors import (
    DataFileError,
    FDCError,
    InfeasiblePlanError,
    MealPlanError,
    SolverTimeoutError,
    StoreError,
)

__all__ = ["EXIT_BAD_INPUT", "EXIT_INFEASIBLE", "EXIT_TIMEOUT", "build_parser", "limit_advice",
           "main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_TIMEOUT = 4

# Sub-command modules under mealplan.commands, registered in this order if present.
COMMAND_MODULES = ("foods", "targets", "plan")

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="mealplan",
        description="Meal plans for nocturnal leg cramps. " + DISCLAIMER,
    )
    parser.add_argument("--version", action="version", version=f"mealplan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"mealplan.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"mealplan.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def limit_advice(exc: SolverTimeoutError) -> str:
    """What to do about a limit that stopped the solver, in the CLI's terms."""
    if exc.limit == "time":
        return (f"Give it more time with --time-limit SECONDS (now {exc.value:g} s), or plan "
                "fewer days or with fewer filters")
    return (f"Raise the search effort with --work-limit NODES (now {exc.value:g} a day), or "
            "loosen a target (a wider cap or a lower minimum)")


def _exit_code_for(exc: MealPlanError) -> int:
    if isinstance(exc, InfeasiblePlanError):
        return EXIT_INFEASIBLE
    if isinstance(exc, SolverTimeoutError):
        return EXIT_TIMEOUT
    if isinstance(exc, DataFileError | FDCError | StoreError):
        return EXIT_BAD_INPUT
    return EXIT_FAILURE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (also used as the console-script entry point)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return handler(args)
    except SolverTimeoutError as exc:
        print(f"error: {exc}. {limit_advice(exc)}", file=sys.stderr)  # noqa: T201
        return _exit_code_for(exc)
    except MealPlanError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - the CLI's edge
        return _exit_code_for(exc)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)  # noqa: T201
        return EXIT_FAILURE


if __name__ == "__main__":
    raise SystemExit(main())
