"""Progress and messages on stderr: rich bars, JSON-lines events, or nothing.

stdout carries the payload only, so everything here writes to one shared
rich Console on stderr. Bars appear only when stderr is a terminal; scripts
ask for ``--progress json`` and get one JSON object per event and line.
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

#: The one console for logs, warnings and bars.
console = Console(stderr=True, highlight=False, soft_wrap=True)

MODES = ("auto", "json", "none")


class Reporter:
    """Reports stage progress and warnings.

    Args:
        mode: ``auto`` (bars on a terminal, silent otherwise), ``json``
            (JSON lines on stderr) or ``none``.
        quiet: Silence progress and notes; warnings still print.
        stream: Where JSON events go (stderr by default; tests pass a buffer).
    """

    def __init__(self, mode: str = "auto", *, quiet: bool = False, stream=None) -> None:
        if mode not in MODES:
            from kreyol_cli.errors import UsageError

            raise UsageError(f"--progress {mode!r}: use one of {', '.join(MODES)}")
        self.mode = "none" if quiet and mode == "auto" else mode
        self.quiet = quiet
        self._stream = stream
        self._lock = threading.Lock()
        self._progress = None
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        if self.mode == "auto" and not console.is_terminal:
            self.mode = "none"

    # -- messages ------------------------------------------------------------

    def warn(self, message: str) -> None:
        """A warning: printed once per distinct message, and kept for reports."""
        with self._lock:
            if message in self._warned:
                return
            self._warned.add(message)
            self.warnings.append(message)
        if self.mode == "json":
            self._emit({"event": "warning", "message": message})
        else:
            console.print(f"[yellow]warning:[/yellow] {message}", markup=True)

    def note(self, message: str) -> None:
        """An informational line, silenced by ``--quiet``."""
        if self.quiet:
            return
        if self.mode == "json":
            self._emit({"event": "note", "message": message})
        else:
            console.print(message, markup=False)

    def event(self, name: str, **fields: Any) -> None:
        """A structured event (JSON mode only), e.g. ``chapter_done``."""
        if self.mode == "json":
            self._emit({"event": name, **fields})

    def _emit(self, obj: dict[str, Any]) -> None:
        stream = self._stream or sys.stderr
        with self._lock:
            stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
            stream.flush()

    # -- stages ----------------------------------------------------------------

    @contextmanager
    def stage(self, name: str, total: int | None = None, chapter: str | None = None
              ) -> Iterator[StageTask]:
        """A unit of work with a counter: ``with r.stage("translate", 40) as t: t.advance()``."""
        task = StageTask(self, name, total, chapter)
        if self.mode == "auto":
            if self._progress is None:
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TextColumn,
                    TimeElapsedColumn,
                    TimeRemainingColumn,
                )

                self._progress = Progress(
                    TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                    console=console, transient=False,
                )
                self._progress.start()
            label = f"{name}" + (f" · {chapter}" if chapter else "")
            task._rich_id = self._progress.add_task(label, total=total)
        try:
            yield task
        finally:
            task.finish()

    def _update(self, task: StageTask) -> None:
        if self.mode == "auto" and self._progress is not None and task._rich_id is not None:
            self._progress.update(task._rich_id, completed=task.done, total=task.total)
        elif self.mode == "json":
            state = (task.done, task.total)
            if state != task._emitted:  # no duplicate events
                task._emitted = state
                self._emit(task.as_event())

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class StageTask:
    """Counter of one stage; ``advance`` reports, throttled for JSON output."""

    def __init__(self, reporter: Reporter, name: str, total: int | None, chapter: str | None):
        self.reporter = reporter
        self.name = name
        self.total = total
        self.chapter = chapter
        self.done = 0
        self.started = time.monotonic()
        self._rich_id = None
        self._last_emit = 0.0
        self._emitted: tuple | None = None
        self._finished = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def eta(self) -> float | None:
        if not self.total or not self.done:
            return None
        return self.elapsed / self.done * max(self.total - self.done, 0)

    def as_event(self) -> dict[str, Any]:
        eta = self.eta()
        return {
            "event": "progress",
            "stage": self.name,
            "done": self.done,
            "total": self.total,
            "chapter": self.chapter,
            "elapsed_s": round(self.elapsed, 3),
            "eta_s": None if eta is None else round(eta, 3),
        }

    def set_total(self, total: int | None) -> None:
        self.total = total
        self.reporter._update(self)

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        # JSON consumers want every step of small jobs but not a flood on big ones.
        if self.reporter.mode != "json" or now - self._last_emit >= 0.2 or (
            self.total is not None and self.done >= self.total
        ):
            self._last_emit = now
            self.reporter._update(self)

    def finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        if self.total is None:
            self.total = self.done
        self.reporter._update(self)


class StepDisplay:
    """One display for work done in steps, such as a model pull: download
    (bytes) then conversion (tensors).

    On a terminal each step is a row of one rich display, updated in place;
    otherwise each step is one line when it starts (no bars in logs and cron
    mail); in JSON mode, ``progress`` events as for stages.
    """

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self._progress = None
        self._task = None
        self._unit = ""
        self._name = ""
        self._lock = threading.Lock()

    def step(self, name: str, description: str, unit: str = "", total: int | None = None) -> None:
        """Start a step (the previous one is complete). ``unit``: ``bytes`` or a noun."""
        with self._lock:
            self._finish_task()
            self._name, self._unit = name, unit
            if self.reporter.mode != "auto":
                self.reporter.note(description)
                if self.reporter.mode == "json":
                    self.reporter._emit({"event": "progress", "stage": name, "done": 0,
                                         "total": total})
                return
            if self._progress is None:
                from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

                self._progress = Progress(
                    TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[amount]}"),
                    TimeElapsedColumn(), console=console, transient=False,
                )
                self._progress.start()
            self._task = self._progress.add_task(description, total=total,
                                                 amount=self._amount(0, total))

    def update(self, done: int, total: int | None = None) -> None:
        """Where the current step is; ``total`` may grow as it is learned."""
        with self._lock:
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, completed=done, total=total,
                                      amount=self._amount(done, total))

    def close(self) -> None:
        with self._lock:
            self._finish_task()
            if self._progress is not None:
                self._progress.stop()
                self._progress = None

    def _finish_task(self) -> None:
        if self._progress is not None and self._task is not None:
            task = next(t for t in self._progress.tasks if t.id == self._task)
            total = task.total if task.total is not None else task.completed
            self._progress.update(self._task, completed=total, total=total,
                                  amount=self._amount(int(total), int(total)))
        self._task = None

    def _amount(self, done: int, total: int | None) -> str:
        if self._unit == "bytes":
            return f"{done / 1e6:.1f}/{total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"
        return f"{done}/{total} {self._unit}" if total else (f"{done} {self._unit}" if done else "")
