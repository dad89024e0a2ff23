"""The subtitle types: a cue, a whole subtitle file, and their timestamps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMATS = ("srt", "vtt")


@dataclass(frozen=True)
class Cue:
    """One subtitle cue.

    Attributes:
        index: The SRT cue number as written in the file; for WebVTT, the
            cue's position (1, 2, ...).
        start: Start time in milliseconds.
        end: End time in milliseconds.
        text: The cue text as written, styling tags included, lines joined
            with ``\\n``.
        identifier: The WebVTT cue identifier (``""`` when none, and for SRT).
        settings: WebVTT cue settings (``align:start position:10%``) or the
            SRT coordinates after the timing (``X1:100 X2:200 ...``).
        line: Line number of the cue's timing line in the file (messages).
    """

    index: int
    start: int
    end: int
    text: str
    identifier: str = ""
    settings: str = ""
    line: int = 0

    @property
    def duration(self) -> int:
        return self.end - self.start

    @property
    def name(self) -> str:
        """How messages name the cue: its WebVTT identifier, else its number."""
        return self.identifier or str(self.index)


@dataclass
class Subtitles:
    """A parsed subtitle file.

    Attributes:
        format: ``srt`` or ``vtt``.
        cues: The cues in file order.
        encoding: The codec the file was decoded with.
        document: For WebVTT, the ``webvtt.WebVTT`` document, so its header,
            STYLE and NOTE blocks are written back unchanged.
    """

    format: str
    cues: list[Cue]
    encoding: str = "utf-8"
    document: Any = field(default=None, repr=False)


def format_timestamp(ms: int, fmt: str) -> str:
    """``00:01:02,345`` (SRT) or ``00:01:02.345`` (WebVTT)."""
    hours, rest = divmod(max(0, int(ms)), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    sep = "," if fmt == "srt" else "."
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{millis:03d}"
