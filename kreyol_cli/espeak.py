"""espeak-ng, as Piper ships it: one phonemizer per process, one caller at a time.

espeak-ng keeps one global voice in its C library, so two threads (the thread
executor, dask's threads) phonemizing English and French at once would read
each other's voice. Every caller in kreyol goes through :func:`phonemize`.
"""

from __future__ import annotations

import threading
from typing import Any

_LOCK = threading.Lock()
_INSTANCE: list[Any] = []


def phonemize(voice: str, text: str) -> list[list[str]]:
    """Phonemes of ``text`` per sentence, with espeak-ng's ``voice`` (``en-us``, ``fr``)."""
    with _LOCK:
        if not _INSTANCE:
            from piper.phonemize_espeak import EspeakPhonemizer

            _INSTANCE.append(EspeakPhonemizer())
        return _INSTANCE[0].phonemize(voice, text)
