"""Progress of work done in steps, such as a model pull: download, then conversion."""

from __future__ import annotations

import threading

from kreyol_cli.progress import Reporter


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
                    self.reporter.event("progress", stage=name, done=0, total=total)
                return
            if self._progress is None:
                from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

                self._progress = Progress(
                    TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[amount]}"),
                    TimeElapsedColumn(), console=self.reporter.console, transient=False,
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
