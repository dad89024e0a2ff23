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


def run_books(requests: Iterable[Callable[[], AudiobookRequest]], inputs: list[str], cache,
              executor, reporter, on_done: Callable[[BookOutcome, dict | None], None]
              ) -> list[BookOutcome]:
    """Run each book in turn, going on past failures.

    Args:
        requests: One factory per book; it may raise (a model that is not
            pulled fails that book only).
        inputs: The input of each book, for the outcome.
        cache, executor, reporter: Shared by every book.
        on_done: Called after each book with its outcome and report.

    Raises:
        KeyboardInterrupt: Ctrl-C stops the whole run (books done so far stay done).
    """
    outcomes = []
    for make, input in zip(requests, inputs, strict=True):
        outdir = Path()
        report = None
        try:
            req = make()
            outdir = req.outdir
            reporter.event("start", "audiobook", input=input, outdir=str(outdir), schema=1)
            report = run_audiobook(req, cache, executor, reporter)
            outcome = BookOutcome(input, outdir, "complete", int(ExitCode.OK),
                                  len(report["chapters"]), report["audio_duration_s"])
        except AlreadyDoneError as exc:
            outcome = BookOutcome(input, outdir, "already done", int(exc.exit_code),
                                  message=str(exc))
        except KreyolError as exc:
            outcome = BookOutcome(input, outdir, "failed", int(exc.exit_code), message=str(exc))
        except OSError as exc:
            known = from_os_error(exc)
            if known is None:
                raise
            outcome = BookOutcome(input, outdir, "failed", int(known.exit_code),
                                  message=str(known))
        outcomes.append(outcome)
        on_done(outcome, report)
    return outcomes


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
