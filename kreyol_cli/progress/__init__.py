"""Progress and messages on stderr: a two-line live display, JSON-lines events, or nothing.

stdout carries the payload only, so everything here writes to one shared
rich Console on stderr. The live display appears only when stderr is a
terminal: one line for the whole book (or stage) and one transient line for
the current chapter; a finished chapter leaves one "✓ title (mm:ss)" line.
Scripts ask for ``--progress json`` and get one JSON object per event and
line, in the schema documented in docs/PROGRESS.md.

Warnings always reach the user (stderr, or ``warning`` events); ``quiet``
silences progress and notes only.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

from kreyol_cli.progress.book import BookProgress, StageTask
from kreyol_cli.progress.screen import Screen, clock, fit

#: The one console for logs, warnings and the live display.
console = Console(stderr=True, highlight=False, soft_wrap=True)

MODES = ("auto", "json", "none")
#: The run's JSON reporter, if it asked for one: the CLI edge reports a fatal
#: error as an ``error`` event there, so a JSON reader never meets a plain line.
_JSON_RUN: list[Reporter] = []

__all__ = ["MODES", "BookProgress", "Reporter", "StageTask", "StepDisplay", "clock", "console", "fit"]


class Reporter:
    """Reports progress, notes and warnings for one run.

    Args:
        mode: ``auto`` (live display on a terminal, silent otherwise), ``json``
            (JSON lines on stderr) or ``none``.
        quiet: Silence progress and notes; warnings still print.
        stream: Where JSON events go (stderr by default; tests pass a buffer).
        out: The console for messages and the display (tests pass a fixed-size
            one); defaults to the shared stderr console.
        auto_refresh: Redraw the display on a timer (the elapsed clock ticks);
            ``False`` redraws on every update, which tests replay exactly.
    """

    def __init__(self, mode: str = "auto", *, quiet: bool = False, stream=None,
                 out: Console | None = None, auto_refresh: bool = True) -> None:
        if mode not in MODES:
            from kreyol_cli.errors import UsageError

            raise UsageError(f"--progress {mode!r}: use one of {', '.join(MODES)}")
        self.console = out or console
        self.mode = "none" if quiet and mode == "auto" else mode
        self.quiet = quiet
        self.started = time.monotonic()
        self._stream = stream
        self._lock = threading.Lock()
        self._screen: Screen | None = None
        self._auto_refresh = auto_refresh
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        if self.mode == "auto" and not self.console.is_terminal:
            self.mode = "none"
        if self.mode == "json":
            _JSON_RUN[:] = [self]

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    # -- messages ------------------------------------------------------------

    def warn(self, message: str) -> None:
        """A warning: printed once per distinct message (even when quiet), and kept."""
        with self._lock:
            if message in self._warned:
                return
            self._warned.add(message)
            self.warnings.append(message)
        if self.mode == "json":
            self._emit({"event": "warning", "stage": self._stage_name(), "message": message})
        else:
            from rich.markup import escape

            self.console.print(f"[yellow]warning:[/yellow] {escape(message)}", markup=True,
                               highlight=False)

    def note(self, message: str) -> None:
        """An informational line, silenced by ``--quiet``."""
        if self.quiet:
            return
        if self.mode == "json":
            self._emit({"event": "note", "stage": self._stage_name(), "message": message})
        else:
            self.console.print(message, markup=False, highlight=False)

    def error(self, message: str) -> None:
        """An error that does not end the run (one book of several): always shown,
        except in JSON mode, where the book's ``book_failed`` event carries it."""
        if self.mode != "json":
            from rich.markup import escape

            self.console.print(f"[red]error:[/red] {escape(message)}", markup=True,
                               highlight=False)

    def event(self, name: str, stage: str | None = None, **fields: Any) -> None:
        """A structured event (JSON mode only), e.g. ``already_done``."""
        if self.mode == "json":
            self._emit({"event": name, "stage": stage or self._stage_name(), **fields})

    def fatal(self, message: str, exit_code: int) -> None:
        """The error that ends the run, as an ``error`` event (JSON mode)."""
        self._emit({"event": "error", "stage": "run", "message": message,
                    "exit_code": exit_code})

    def line(self, text: str, suffix: str = "") -> None:
        """A line above the live display (a finished chapter's ``✓ title (1:05)``),
        ``text`` cut so that ``suffix`` fits; display mode only."""
        if self.mode == "auto" and not self.quiet:
            width = self.console.width
            self.console.print(fit(text, width - len(suffix)) + suffix, markup=False,
                               highlight=False, soft_wrap=False, overflow="ellipsis",
                               no_wrap=True)

    def _stage_name(self) -> str:
        return self._screen.stage if self._screen is not None else "run"

    def _emit(self, obj: dict[str, Any]) -> None:
        obj = {"event": obj.pop("event"), "stage": obj.pop("stage"),
               "elapsed_s": round(self.elapsed, 3), **obj}
        stream = self._stream or sys.stderr
        with self._lock:
            stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
            stream.flush()

    # -- progress --------------------------------------------------------------

    @contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "sentences"
              ) -> Iterator[StageTask]:
        """One counted stage: ``with r.stage("translate") as t: t.advance()``.

        On an error or Ctrl-C the count stays where it was (it is not filled up).
        """
        task = StageTask(self, name, total, unit)
        self._show(task)
        try:
            yield task
        except BaseException:
            self._hide()
            raise
        task.finish()
        self._hide()

    @contextmanager
    def book(self, unit: str, total: float | None, chapters: int | None = None,
             stage: str = "synthesize") -> Iterator[BookProgress]:
        """The whole book: chapter k/N, ``unit`` done/total, audio made, ETA."""
        book = BookProgress(self, stage, unit, total, chapters)
        self._show(book)
        try:
            yield book
        except BaseException:
            self._hide()
            raise
        book.finish()
        self._hide()

    def _show(self, state) -> None:
        if self.mode == "auto":
            self._screen = Screen(self.console, state, auto_refresh=self._auto_refresh)
            self._screen.start()
        elif self.mode == "json":
            self._screen = Screen(None, state)

    def _hide(self) -> None:
        if self._screen is not None:
            self._screen.stop()
            self._screen = None

    def refresh(self, state) -> None:
        """Called by a stage or book after each change."""
        if self.mode == "auto" and self._screen is not None:
            self._screen.update()
        elif self.mode == "json":
            event = state.as_event()
            key = (event["done"], event["total"], json.dumps(event.get("chapter")))
            if key != state._emitted and (state.due() or state.final):
                state._emitted = key
                self._emit(event)

    def close(self) -> None:
        self._hide()


def __getattr__(name: str):
    if name == "StepDisplay":  # steps.py imports Reporter from here
        from kreyol_cli.progress.steps import StepDisplay

        return StepDisplay
    raise AttributeError(f"module 'kreyol_cli.progress' has no attribute {name!r}")


def json_run() -> Reporter | None:
    """The reporter of this run if it writes JSON events, else ``None``."""
    return _JSON_RUN[0] if _JSON_RUN else None


def new_run() -> None:
    """Forget the previous run's JSON reporter (each command starts a run)."""
    _JSON_RUN.clear()
