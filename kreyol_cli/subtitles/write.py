"""Writing cues back as SRT or WebVTT, every index and timing as they were."""

from __future__ import annotations

import re
from datetime import timedelta

from kreyol_cli.subtitles.cues import Subtitles, format_timestamp

# Markup one format has and the other does not: {\an8} and <font> are SRT
# only; voice, class, ruby and timestamp tags are WebVTT only.
_SRT_ONLY = re.compile(r"\{\\[^}]*\}|</?font\b[^>]*>", re.IGNORECASE)
_VTT_ONLY = re.compile(r"</?(?:v|c|lang|ruby|rt)\b[^>]*>|</?c(?:\.[\w-]+)+>|<\d[\d:.]*>")


def write_subtitles(subtitles: Subtitles, texts: list[str], fmt: str | None = None) -> str:
    """The file text of ``subtitles`` with each cue's text replaced by ``texts``.

    Args:
        subtitles: The parsed source (indexes, timings, settings, WebVTT blocks).
        texts: New cue texts, one per cue.
        fmt: ``srt`` or ``vtt``; default: the source's format.
    """
    fmt = fmt or subtitles.format
    cues = subtitles.cues
    if fmt == "srt":
        import srt

        strip = _VTT_ONLY if subtitles.format == "vtt" else None
        return srt.compose(
            [srt.Subtitle(cue.index, timedelta(milliseconds=cue.start),
                          timedelta(milliseconds=cue.end),
                          strip.sub("", text) if strip else text,
                          cue.settings if subtitles.format == "srt" else "")
             for cue, text in zip(cues, texts, strict=True)],
            reindex=False,
        )
    import webvtt

    if subtitles.format == "vtt" and subtitles.document is not None:
        document = subtitles.document
        for caption, text in zip(document.captions, texts, strict=True):
            caption.text = text
        return document.content
    document = webvtt.WebVTT(captions=[
        webvtt.Caption(format_timestamp(cue.start, "vtt"), format_timestamp(cue.end, "vtt"),
                       _SRT_ONLY.sub("", text), identifier=str(cue.index))
        for cue, text in zip(cues, texts, strict=True)
    ])
    return document.content
