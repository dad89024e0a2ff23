"""Subtitles: SRT and WebVTT read, translated cue by cue, written back, and
spoken as a timed voice-over.

Modules: ``cues`` (types), ``parse``/``write`` (files), ``markup`` (styling
kept around the words), ``align`` (sentences across cues), ``wrap`` (two
lines of 42), ``translation`` and ``voiceover`` (the two jobs).
"""

from __future__ import annotations

from kreyol_cli.subtitles.cues import Cue, Subtitles, format_timestamp
from kreyol_cli.subtitles.parse import format_of, load, read_subtitles, sniff

__all__ = ["Cue", "Subtitles", "cues_text", "format_of", "format_timestamp", "load",
           "read_subtitles", "sniff"]


def cues_text(cues: list[Cue], fmt: str = "srt") -> str:
    """The words of the cues as plain text: no timings or markup, a sentence
    split over several cues joined on one line, each sentence run ended by a
    newline. Dialogue keeps one line per speaker."""
    from kreyol_cli.subtitles.align import ends_sentence
    from kreyol_cli.subtitles.markup import take_apart

    out: list[str] = []
    current: list[str] = []
    for cue in cues:
        styled = take_apart(cue.text, fmt)
        for line in styled.lines:
            if not line.text:
                continue
            words = f"{line.head}{line.text}{line.tail}".strip()
            if styled.dialogue or not line.spoken:
                if current:
                    out.append(" ".join(current))
                    current = []
                out.append(words)
                continue
            current.append(words)
            if ends_sentence(line.text):
                out.append(" ".join(current))
                current = []
    if current:
        out.append(" ".join(current))
    return "".join(line + "\n" for line in out)
