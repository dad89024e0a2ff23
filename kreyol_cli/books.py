"""Many books at once: ``kreyol audiobook FILE... -o OUTDIR``.

Each book goes to ``OUTDIR/NAME/``. The voice, the translation models and the
worker pool are made once and shared; a book that fails is reported with its
reason and the next one goes on. The run's exit code is the most serious of
the books' outcomes, so cron sees 10 only when every book was already done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kreyol_cli.errors import AlreadyDoneError, ExitCode, KreyolError, from_os_error
from kreyol_cli.pipeline import AudiobookRequest, run_audiobook

#: Outcomes from least to most serious; anything else (an error) ranks above them,
#: and an unexpected error (1) above every other.
_RANK = {ExitCode.ALREADY_DONE: 0, ExitCode.OK: 1, ExitCode.LOCKED: 2}


@dataclass
class BookOutcome:
    """What became of one book.

    Attributes:
        input: The input file.
        outdir: Its output folder.
        status: ``complete``, ``already done`` or ``failed``.
        exit_code: What a run of this book alone would have exited with.
        chapters: Chapters made (0 unless complete).
        audio_s: Seconds of audio made.
        message: The reason, for ``already done`` and ``failed``.
    """

    input: str
    outdir: Path
    status: str
    exit_code: int
    chapters: int = 0
    audio_s: float = 0.0
    message: str = ""


def severity(code: int) -> tuple[int, int]:
    """Sort key: a higher key is a more serious outcome."""
    if code in _RANK:
        return (_RANK[code], 0)
    return (4, 0) if code == ExitCode.ERROR else (3, 0)


def overall_exit(outcomes: Iterable[BookOutcome]) -> int:
    """The most serious outcome's exit code (the first of equals); 0 for none."""
    worst = None
    for outcome in outcomes:
        if worst is None or severity(outcome.exit_code) > severity(worst):
            worst = outcome.exit_code
    return int(ExitCode.OK if worst is None else worst)


def unique_names(names: list[str]) -> list[str]:
    """``["a", "a", "b"]`` -> ``["a", "a-2", "b"]``: one folder per book."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return out


def run_one(make: Callable[[], AudiobookRequest], input: str, cache, executor, reporter,
            on_done: Callable[[BookOutcome, dict | None], None]) -> BookOutcome:
    """One book. "Already done" is an outcome; other errors propagate to the caller.

    Raises:
        KreyolError: The book failed (its message and exit code are the user's).
    """
    req = make()
    reporter.event("start", "audiobook", input=input, outdir=str(req.outdir), schema=1)
    try:
        report = run_audiobook(req, cache, executor, reporter)
    except AlreadyDoneError as exc:
        outcome = BookOutcome(input, req.outdir, "already done", int(exc.exit_code),
                              message=str(exc))
        on_done(outcome, None)
        return outcome
    outcome = BookOutcome(input, req.outdir, "complete", int(ExitCode.OK),
                          len(report["chapters"]), report["audio_duration_s"])
    on_done(outcome, report)
    return outcome


def run_books(requests: Iterable[Callable[[], AudiobookRequest]], inputs: list[str],
              folders: list[Path], cache, executor, reporter,
              on_done: Callable[[BookOutcome, dict | None], None]) -> list[BookOutcome]:
    """Run each book in turn, going on past failures.

    Args:
        requests: One factory per book; it may raise (a model that is not
            pulled fails that book only).
        inputs: The input of each book, for the outcome.
        folders: The output folder of each book, for the outcome (also of a book
            that failed before its request was made).
        cache, executor, reporter: Shared by every book.
        on_done: Called after each book with its outcome and report.

    Raises:
        KeyboardInterrupt: Ctrl-C stops the whole run (books done so far stay done).
    """
    outcomes = []
    for make, input, folder in zip(requests, inputs, folders, strict=True):
        try:
            outcome = run_one(make, input, cache, executor, reporter, on_done)
        except (KreyolError, OSError) as exc:
            known = exc if isinstance(exc, KreyolError) else from_os_error(exc)
            if known is None:
                raise
            outcome = BookOutcome(input, folder, "failed", int(known.exit_code),
                                  message=str(known))
            on_done(outcome, None)
        outcomes.append(outcome)
    return outcomes


def announce(reporter, several: bool) -> Callable[[BookOutcome, dict | None], None]:
    """What the user hears when a book ends: a note, a ``note:`` for "already
    done" (silent with ``--quiet``), an ``error:`` line for a failed book of
    several, and JSON events."""
    from kreyol_cli.progress import clock

    def on_done(outcome: BookOutcome, report: dict | None) -> None:
        if several:
            reporter.event("book_done" if outcome.status != "failed" else "book_failed",
                           "audiobook", input=outcome.input, outdir=str(outcome.outdir),
                           status=outcome.status, exit_code=outcome.exit_code,
                           message=outcome.message)
        if outcome.status == "complete":
            chapters = len(report["chapters"])
            reporter.note(f"wrote {outcome.outdir}/: {', '.join(report['outputs'])} "
                          f"({chapters} chapter{'' if chapters == 1 else 's'}, "
                          f"{clock(report['audio_duration_s'])} of audio, "
                          f"{report['elapsed_s']:.0f} s)")
        elif outcome.status == "already done":
            reporter.event("already_done", "audiobook", message=outcome.message)
            if reporter.mode != "json":
                reporter.note(f"note: {outcome.message}")
        elif several:
            message = outcome.message
            reporter.error(message if message.startswith(outcome.input) else
                           f"{outcome.input}: {message}")

    return on_done


def summary_table(outcomes: list[BookOutcome]):
    """A rich table: book, chapters, audio length, status."""
    from rich.table import Table

    from kreyol_cli.progress import clock

    table = Table(title=None, box=None, pad_edge=False)
    for column, justify in (("book", "left"), ("chapters", "right"), ("audio", "right"),
                            ("status", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for o in outcomes:
        status = o.status if o.status != "failed" else f"failed ({o.exit_code}): {o.message}"
        done = o.status == "complete"
        table.add_row(Path(o.input).name, str(o.chapters) if done else "-",
                      clock(o.audio_s) if done else "-", status)
    return table
