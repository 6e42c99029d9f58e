"""The ``mealplan`` command line: a thin layer over the library.

Exit codes: 0 success, 2 bad input, 3 no plan exists (explanation printed), 4 a limit
(the work limit, or the wall-clock safety net) stopped the solver before it found a plan,
1 any other failure (also: standard output cannot be written, e.g. a full disk), 130
interrupted (Ctrl-C, at once, even mid-solve), 141 standard output closed early
(``mealplan plan | head``: quietly, like a tool stopped by SIGPIPE). Errors never print a
traceback. Characters the terminal's encoding lacks are shown as ``?``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType

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
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE

# Sub-command modules under mealplan.commands, registered in this order if present.
COMMAND_MODULES = ("foods", "targets", "plan", "audit")

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


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C: stop at once with 130. The solver runs in C and in worker threads, where a
    KeyboardInterrupt would wait for the day's solve; files are written by rename, so no
    output is left half-written."""
    with contextlib.suppress(OSError):
        os.write(2, b"\ninterrupted\n")
    os._exit(EXIT_INTERRUPTED)


@contextlib.contextmanager
def _prompt_interrupt() -> Iterator[None]:
    """Install :func:`_on_sigint` for the command's run (main thread only), then restore."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _tolerant_streams() -> None:
    """Show characters the terminal's encoding lacks as ``?`` instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="replace")


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (also used as the console-script entry point)."""
    _tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        with _prompt_interrupt():
            code = handler(args)
            if sys.stdout is not None:  # None when the process started with fd 1 closed
                sys.stdout.flush()  # a closed or full stdout shows here, not at exit
            return code
    except SolverTimeoutError as exc:
        print(f"error: {exc}. {limit_advice(exc)}", file=sys.stderr)  # noqa: T201
        return _exit_code_for(exc)
    except MealPlanError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - the CLI's edge
        return _exit_code_for(exc)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PIPE_CLOSED
    except OSError as exc:
        if exc.filename is not None:
            raise  # a file error the library should have translated: a bug to report
        _silence_stdout()
        print(f"error: cannot write the output: {exc.strerror or exc}",  # noqa: T201
              file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)  # noqa: T201
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
