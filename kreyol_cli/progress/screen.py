"""The live display: at most two lines at the bottom of the terminal, redrawn in place.

Line one is the whole run (a book: chapter k/N, pages or characters done of
the total, audio made, elapsed, ETA; or a stage's count). Line two is the
current chapter and disappears with it. Every line is cut to the terminal's
width, and what is unknown (a total, an ETA) is shown as unknown, never as a
full bar.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

BAR = 12


def clock(seconds: float | None) -> str:
    """``75.4`` -> ``1:15``; ``3725`` -> ``1:02:05``; ``None`` -> ``?``."""
    if seconds is None:
        return "?"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis."""
    line = Text(text)
    line.truncate(max(width, 1), overflow="ellipsis")
    return line.plain


def amount(value: float, unit: str) -> str:
    """A count for humans: ``12``, ``4,120``, ``41.2k``."""
    value = int(value)
    if unit == "characters" and value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:,}"


def _unit_label(unit: str) -> str:
    return "chars" if unit == "characters" else unit


def bar(fraction: float | None, width: int = BAR) -> Text:
    """A bar for a known fraction; an empty dotted track when the total is unknown."""
    if fraction is None:
        return Text("·" * width, style="dim")
    filled = round(max(0.0, min(fraction, 1.0)) * width)
    return Text("━" * filled, style="green") + Text("─" * (width - filled), style="dim")


def _fit_segments(head: Text, segments: list[tuple[int, str]], width: int) -> Text:
    """``head`` (a bar) then the segments (priority, text) joined by `` · ``. When
    the line is too wide the bar goes first, then the least important segments."""
    kept = list(segments)
    while True:
        line = head.copy()
        if head.plain and sum(len(s) + 3 for _, s in kept) - 3 + head.cell_len > width:
            head = Text("")
            continue
        for i, (_, seg) in enumerate(kept):
            line.append((" · " if i else "") + seg)
        if line.cell_len <= width or not kept:
            break
        kept.remove(min(kept, key=lambda s: s[0]))
    line.truncate(width, overflow="ellipsis")
    return line


def book_lines(book, width: int) -> list[Text]:
    """The book's overall line and (while one runs) its chapter line."""
    chapters = f"chapter {min(book.chapters_done + 1, book.chapters or 10**9)}"
    if book.chapter is None and book.final:
        chapters = f"{book.chapters_done} chapter{'s' if book.chapters_done != 1 else ''}"
    elif book.chapters:
        chapters += f"/{book.chapters}"
    unit = _unit_label(book.unit)
    if book.total is not None:
        count = f"{amount(book.done, book.unit)}/{amount(book.total, book.unit)} {unit}"
        fraction = book.done / book.total if book.total else 1.0
    else:
        count = f"{amount(book.done, book.unit)}/? {unit}"
        fraction = None
    eta = book.eta()
    head = bar(fraction) + Text(" ") if width >= 50 else Text("")
    segments = [(6, chapters), (4, count), (2, f"{clock(book.audio_s)} audio"),
                (3, clock(book.elapsed)), (5, f"eta {clock(eta)}")]
    lines = [_fit_segments(head, segments, width)]
    chapter = book.chapter
    if chapter is not None:
        total = chapter["total"]
        counts = f" {chapter['done']}/{total if total else '?'}"
        fraction = chapter["done"] / total if total else None
        track = bar(fraction, 8) if width >= 40 else Text("")
        room = width - 4 - len(counts) - (track.cell_len + 1 if track.plain else 0)
        title = fit(chapter["title"], max(room, 4))
        line = Text("  ▸ ") + Text(title, style="bold")
        if track.plain:
            line += Text(" ") + track
        line += Text(counts)
        line.truncate(width, overflow="ellipsis")
        lines.append(line)
    return lines


def stage_lines(task, width: int) -> list[Text]:
    """A stage's one line: its bar and count when the total is known, else the count so far."""
    unit = task.unit
    if task.total is not None:
        fraction = task.done / task.total if task.total else 1.0
        head = bar(fraction) + Text(" ")
        segments = [(6, task.stage), (5, f"{task.done:,}/{task.total:,} {unit}"),
                    (3, clock(task.elapsed)), (4, f"eta {clock(task.eta())}")]
    else:
        head = bar(None) + Text(" ")
        segments = [(6, task.stage), (5, f"{task.done:,} {unit} so far"),
                    (3, clock(task.elapsed))]
    if task.audio_s:
        segments.append((2, f"{clock(task.audio_s)} audio"))
    if width < 50:
        head = Text("")
    return [_fit_segments(head, segments, width)]


class _Renderable:
    def __init__(self, state) -> None:
        self.state = state

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if hasattr(self.state, "chapters_done"):
            lines = book_lines(self.state, width)
        else:
            lines = stage_lines(self.state, width)
        for line in lines:
            line.no_wrap = True
            line.overflow = "ellipsis"
            yield line


class Screen:
    """A rich ``Live`` showing one state at the bottom of the terminal (transient)."""

    def __init__(self, console: Console | None, state, *, auto_refresh: bool = True) -> None:
        self.state = state
        self.stage = state.stage
        self._live = None
        if console is not None:
            from rich.live import Live

            # Never redirect stdout: it carries the payload (translations, audio).
            self._live = Live(_Renderable(state), console=console, transient=True,
                              auto_refresh=auto_refresh, refresh_per_second=4,
                              redirect_stdout=False, redirect_stderr=False)
        self._auto = auto_refresh

    def start(self) -> None:
        if self._live is not None:
            self._live.start(refresh=True)

    def update(self) -> None:
        if self._live is not None and not self._auto:
            self._live.refresh()

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
