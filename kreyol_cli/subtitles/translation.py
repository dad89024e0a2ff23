"""Translating a subtitle file cue by cue, sentences kept whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kreyol_cli.subtitles.align import chains, spread_back
from kreyol_cli.subtitles.cues import Cue, Subtitles
from kreyol_cli.subtitles.markup import put_together, take_apart
from kreyol_cli.subtitles.wrap import too_long


@dataclass(frozen=True)
class TranslatedCue:
    """A cue and its translation, ready to write.

    Attributes:
        cue: The source cue (index, timing, settings).
        text: The translated cue text: styling kept, lines re-wrapped.
        cached: Every sentence of it came from the cache.
    """

    cue: Cue
    text: str
    cached: bool = True


@dataclass
class SubtitleTranslation:
    """The translated cues and what the user should hear about them.

    Attributes:
        cues: One ``TranslatedCue`` per source cue, in file order.
        dropped_styling: Names of cues whose inner styling was dropped.
        too_long: Names of cues longer than two lines of 42 characters.
    """

    cues: list[TranslatedCue]
    dropped_styling: list[str]
    too_long: list[str]


def translate_subtitles(subtitles: Subtitles, translate: Callable[[list[str]], list],
                        *, out_format: str | None = None, batch_sentences: int = 64,
                        on_batch: Callable[[int], None] | None = None) -> SubtitleTranslation:
    """Translate every cue of ``subtitles``.

    Args:
        subtitles: The parsed file.
        translate: Sentences in, one ``SentenceResult`` per sentence out
            (``translate_with_cache`` bound to a service and a cache).
        out_format: The format written (escaping differs); default: the input's.
        batch_sentences: Sentences per call to ``translate`` (progress steps).
        on_batch: Called with the number of sentences after each call.
    """
    fmt = subtitles.format
    out_format = out_format or fmt
    styled = [take_apart(cue.text, fmt) for cue in subtitles.cues]
    pieces: list[list[str]] = [["" for _ in s.lines] for s in styled]
    cached = [True] * len(styled)
    groups = chains(styled, [(cue.start, cue.end) for cue in subtitles.cues])
    batch: list = []

    def flush() -> None:
        flat = [s for chain in batch for s in chain.sentences]
        results = translate(flat) if flat else []
        at = 0
        for chain in batch:
            mine = results[at:at + len(chain.sentences)]
            at += len(chain.sentences)
            for (c, j), text in zip(chain.items, spread_back(chain, [r.translation for r in mine]),
                                    strict=True):
                pieces[c][j] = text
                cached[c] = cached[c] and all(r.cached for r in mine)
        if on_batch is not None and flat:
            on_batch(len(flat))
        batch.clear()

    count = 0
    for chain in groups:
        batch.append(chain)
        count += len(chain.sentences)
        if count >= batch_sentences:
            flush()
            count = 0
    flush()
    out, long_cues = [], []
    for cue, style, texts, hit in zip(subtitles.cues, styled, pieces, cached, strict=True):
        out.append(TranslatedCue(cue, put_together(style, texts, out_format), hit))
        if style.lines and not style.dialogue:
            line = style.lines[0]
            if too_long(f"{style.label}{line.head}{texts[0]}{line.tail}"):
                long_cues.append(cue.name)
    return SubtitleTranslation(out, [c.name for c, s in zip(subtitles.cues, styled, strict=True)
                                     if s.dropped], long_cues)
