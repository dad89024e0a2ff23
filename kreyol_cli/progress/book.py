"""What the progress display and the JSON events report: a stage's count, or a whole book.

These hold numbers only; ``screen`` draws them and ``Reporter`` emits them.
"""

from __future__ import annotations

import time
from typing import Any

#: JSON consumers want every step of small jobs, not a flood on big ones.
JSON_INTERVAL_S = 0.2


class _State:
    final = False
    _emitted: tuple | None = None
    _last_emit = float("-inf")

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last_emit >= JSON_INTERVAL_S:
            self._last_emit = now
            return True
        return False


class StageTask(_State):
    """The count of one stage (``translate``, ``synthesize`` ...); the total may be unknown."""

    def __init__(self, reporter, name: str, total: int | None, unit: str) -> None:
        self.reporter = reporter
        self.stage = name
        self.total = total
        self.unit = unit
        self.done = 0
        self.audio_s = 0.0
        self.started = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def eta(self) -> float | None:
        if not self.total or not self.done:
            return None
        return self.elapsed / self.done * max(self.total - self.done, 0)

    def set_total(self, total: int | None) -> None:
        self.total = total
        self.reporter.refresh(self)

    def advance(self, n: int = 1, audio_s: float = 0.0) -> None:
        self.done += n
        self.audio_s += audio_s
        self.reporter.refresh(self)

    def finish(self) -> None:
        """Success: now the total is known (it is what was done)."""
        self.final = True
        if self.total is None:
            self.total = self.done
        self.reporter.refresh(self)

    def as_event(self) -> dict[str, Any]:
        eta = self.eta()
        return {"event": "progress", "stage": self.stage, "done": self.done,
                "total": self.total, "unit": self.unit,
                "eta_s": None if eta is None else round(eta, 3),
                "audio_s": round(self.audio_s, 3), "chapter": None}


class BookProgress(_State):
    """A book read chapter by chapter.

    Book-level progress is counted in ``unit`` (``pages`` of a PDF, or
    ``characters`` of a text file); a chapter weighs what it covers and is
    counted in proportion to its sentences spoken, so the ETA is for the book.

    Args:
        reporter: The ``Reporter`` to refresh.
        stage: Stage name in events.
        unit: ``pages`` or ``characters``.
        total: Book size in ``unit``, ``None`` if unknown.
        chapters: Number of chapters, ``None`` while unknown.
    """

    def __init__(self, reporter, stage: str, unit: str, total: float | None,
                 chapters: int | None) -> None:
        self.reporter = reporter
        self.stage = stage
        self.unit = unit
        self.total = total
        self.chapters = chapters
        self.chapters_done = 0
        self.audio_s = 0.0
        self.started = time.monotonic()
        self._before = 0.0  # units of the chapters finished
        self.chapter: dict[str, Any] | None = None
        self._weight = 0.0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def done(self) -> float:
        if self.chapter is None or not self.chapter["total"]:
            return self._before
        part = self._weight * self.chapter["done"] / self.chapter["total"]
        done = self._before + part
        return min(done, self.total) if self.total is not None else done

    def eta(self) -> float | None:
        done = self.done
        if self.total is None or done <= 0:
            return None
        return self.elapsed / done * max(self.total - done, 0.0)

    def start_chapter(self, index: int, title: str, sentences: int, weight: float) -> None:
        """Chapter ``index`` (0-based) begins: ``sentences`` to speak, ``weight`` in units."""
        self.chapter = {"index": index, "title": title, "done": 0, "total": sentences}
        self._weight = max(weight, 0.0)
        self.reporter.refresh(self)

    def advance(self, sentences: int = 1, audio_s: float = 0.0) -> None:
        if self.chapter is not None:
            self.chapter["done"] += sentences
        self.audio_s += audio_s
        self.reporter.refresh(self)

    def finish_chapter(self, *, audio_s: float, file: str | None, start_s: float,
                       end_s: float) -> None:
        """The current chapter is encoded: a ✓ line, and a ``chapter_done`` event."""
        chapter = self.chapter
        if chapter is None:
            return
        self._before += self._weight
        if self.total is not None:
            self._before = min(self._before, self.total)
        self.chapters_done += 1
        self.chapter = None
        self._weight = 0.0
        r = self.reporter
        from kreyol_cli.progress.screen import clock

        r.line(f"✓ {chapter['title']}", f" ({clock(audio_s)})")
        r.event("chapter_done", self.stage, index=chapter["index"], title=chapter["title"],
                file=file, start_s=round(start_s, 3), end_s=round(end_s, 3),
                audio_s=round(audio_s, 3))
        r.refresh(self)

    def finish(self) -> None:
        self.final = True
        if self.total is not None:
            self._before = self.total
        elif self.chapters_done:
            self.total = self._before
        if self.chapters is None:
            self.chapters = self.chapters_done
        self.reporter.refresh(self)

    def as_event(self) -> dict[str, Any]:
        eta = self.eta()
        chapter = None
        if self.chapter is not None:
            chapter = dict(self.chapter)
        return {"event": "progress", "stage": self.stage, "done": round(self.done, 3),
                "total": self.total, "unit": self.unit,
                "eta_s": None if eta is None else round(eta, 3),
                "audio_s": round(self.audio_s, 3), "chapter": chapter,
                "chapters_done": self.chapters_done, "chapters_total": self.chapters}
