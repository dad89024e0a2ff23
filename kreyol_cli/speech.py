"""Text to a stream of audio parts: sentence chunks fanned out to workers.

``speak`` reads text lazily, splits it into sentence chunks, synthesizes
them through an executor (cache first) and yields ``AudioPart``s in order,
so the first audio can be written as soon as the first sentence is done.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

from kreyol_cli.cache import Cache
from kreyol_cli.executor import Executor
from kreyol_cli.segment import iter_units, split_sentences
from kreyol_cli.synthesize import AudioPart, VoiceService, synthesize_chunk


def iter_sentences(lines: Iterable[str]) -> Iterator[str]:
    """Sentences of a text stream (paragraph shape does not matter for speech)."""
    for unit in iter_units(lines):
        yield from split_sentences(unit.text)


def speak(sentences: Iterable[str], service: VoiceService, cache: Cache, executor: Executor
          ) -> Iterator[AudioPart]:
    """Synthesize each sentence as one chunk; parts come back in input order."""
    task = functools.partial(synthesize_chunk, service, cache=cache)
    yield from executor.map(task, sentences)


def first_audible(parts: Iterator[AudioPart]) -> tuple[list[AudioPart], Iterator[AudioPart]]:
    """Read parts until one has audio. Returns (parts read, the rest); the
    first list is empty of audio only when the whole input is silent."""
    head: list[AudioPart] = []
    for part in parts:
        head.append(part)
        if part.pcm:
            break
    return head, parts
