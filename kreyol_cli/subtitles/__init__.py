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
    """The words of the cues as plain text, for reading (``extract``) or an
    audiobook: no timings or markup; a sentence split over several cues on
    one line; each dialogue speaker on a line of their own."""
    from kreyol_cli.subtitles.align import chains
    from kreyol_cli.subtitles.markup import take_apart

    styled = [take_apart(cue.text, fmt) for cue in cues]
    out = []
    for chain in chains(styled, [(cue.start, cue.end) for cue in cues]):
        words = []
        for c, j in chain.items:
            line = styled[c].lines[j]
            label = styled[c].label if j == 0 else ""
            words.append(f"{label}{line.head}{line.text}{line.tail}".strip())
        out.append(" ".join(words) + "\n")
    return "".join(out)
