"""The CLI edge: exceptions become one-line messages and documented exit codes."""

from __future__ import annotations

import functools
import os
import sys

import typer

from kreyol_cli.errors import ExitCode, KreyolError, from_os_error
from kreyol_cli.progress import console

INTERRUPTED = "interrupted: run the same command again to resume"

#: Set by the root ``--debug`` option or ``KREYOL_DEBUG=1``.
state = {"debug": bool(os.environ.get("KREYOL_DEBUG"))}


def fail(message: str, code: int) -> None:
    """Print ``error: message`` on stderr (an ``error`` event under ``--progress
    json``) and exit with ``code``."""
    from kreyol_cli.progress import json_run

    reporter = json_run()
    if reporter is not None:
        reporter.fatal(message.strip().splitlines()[0] if message.strip() else message, code)
    else:
        console.print(f"[red]error:[/red] {_escape(message)}", markup=True, highlight=False)
    raise typer.Exit(code)


def handle_errors(func):
    """Decorator for every command: map exceptions to exit codes, no traceback
    unless ``--debug``."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from kreyol_cli.progress import new_run

        new_run()
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KreyolError as exc:
            if state["debug"]:
                console.print_exception()
            fail(str(exc), int(exc.exit_code))
        except KeyboardInterrupt:
            console.print(INTERRUPTED, highlight=False)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            # The reader went away (| head): not an error of ours.
            _silence_stdout()
            raise typer.Exit(0) from None
        except OSError as exc:
            known = from_os_error(exc)
            if known is None:
                _unexpected(exc)
            if state["debug"]:
                console.print_exception()
            fail(str(known), int(known.exit_code))
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            _unexpected(exc)

    return wrapper


def _unexpected(exc: BaseException) -> None:
    if state["debug"]:
        console.print_exception()
    fail(
        f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for details, "
        f"and please report it)",
        int(ExitCode.ERROR),
    )


def _escape(text: str) -> str:
    from rich.markup import escape

    lines = text.strip().splitlines()
    return escape(lines[0] if lines else text)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def table_console():
    """A stdout console for tables. Piped or captured output gets a wide page
    instead of 80 columns, so names and dates are not cut to "transl…"."""
    from rich.console import Console

    out = Console()
    return out if out.is_terminal else Console(width=160)
