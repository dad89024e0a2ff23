"""The translation memory: sentences a person corrected, which win over the model.

Corrections imported from a reviewed file (``--corrections``) are stored in
the ``memory`` namespace of the cache, keyed by the language pair and the
source sentence (whitespace and Unicode form normalized), with no expiry. In
every later run, on any document, a sentence found there is not translated:
the correction is used. ``cache clear`` without ``-n memory`` keeps it: it
is human work, not a recomputable result.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kreyol_cli.cache import Cache
from kreyol_cli.errors import OutputError

NAMESPACE = "memory"
_REVISION = "__revision__"


def normalize_source(text: str) -> str:
    """The form a source sentence is looked up by."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def key(source_lang: str, target_lang: str, sentence: str) -> str:
    digest = hashlib.sha256(normalize_source(sentence).encode("utf-8")).hexdigest()
    return f"tm:{source_lang}:{target_lang}:{digest}"


@dataclass(frozen=True)
class Correction:
    """One remembered sentence."""

    source: str
    target: str
    source_lang: str = "en"
    target_lang: str = "ht"
    origin: str = ""
    added: float = 0.0

    def to_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "source_lang": self.source_lang,
                "target_lang": self.target_lang, "origin": self.origin, "added": self.added}


def _get(cache: Cache, k: str):
    # Not cache.get: the memory is read even under --no-cache and --mode force,
    # which are about recomputing results, not about forgetting human work.
    if not (cache.directory(NAMESPACE) / "cache.db").exists():
        return None
    from kreyol_cli.cachevalue import CorruptValue

    try:
        return cache._db(NAMESPACE).get(k, retry=True)  # noqa: SLF001
    except (sqlite3.DatabaseError, OSError, CorruptValue):
        return None


def _set(cache: Cache, k: str, value) -> None:
    try:
        cache._db(NAMESPACE).set(k, value, retry=True)  # noqa: SLF001 - never expires
    except (sqlite3.DatabaseError, OSError) as exc:
        raise OutputError(f"cannot write the translation memory in "
                          f"{cache.directory(NAMESPACE)} ({exc})") from None


def lookup(cache: Cache, source_lang: str, target_lang: str, sentence: str) -> str | None:
    """The corrected translation of a sentence, if one is remembered."""
    found = _get(cache, key(source_lang, target_lang, sentence))
    return found["target"] if isinstance(found, dict) else None


def add(cache: Cache, corrections: Iterable[Correction]) -> int:
    """Remember corrections (a later one for the same sentence replaces it).

    Returns:
        How many were new or changed. A correction already remembered as is
        changes nothing, not even the revision, so a nightly ``audiobook
        --corrections FILE`` of an unchanged file still finds its book done.
    """
    n = 0
    now = time.time()
    for c in corrections:
        k = key(c.source_lang, c.target_lang, c.source)
        known = _get(cache, k)
        if isinstance(known, dict) and known.get("target") == c.target.strip():
            continue
        entry = Correction(normalize_source(c.source), c.target.strip(), c.source_lang,
                           c.target_lang, c.origin, now)
        _set(cache, k, entry.to_dict())
        n += 1
    if n:
        bump(cache)
    return n


def bump(cache: Cache) -> None:
    """Change the memory's revision (audiobook fingerprints include it)."""
    _set(cache, _REVISION, {"revision": time.time_ns()})


def revision(cache: Cache) -> int:
    found = _get(cache, _REVISION)
    return found["revision"] if isinstance(found, dict) else 0


def entries(cache: Cache) -> Iterator[Correction]:
    """Every remembered sentence, oldest first."""
    if not (cache.directory(NAMESPACE) / "cache.db").exists():
        return
    db = cache._db(NAMESPACE)  # noqa: SLF001 - iteration is not part of Cache's API
    rows = []
    # Keys stored as text only: a pickled key (planted, never written by kreyol) is skipped.
    for (k,) in db._sql("SELECT key FROM Cache WHERE raw = 1").fetchall():  # noqa: SLF001
        value = _get(cache, k)
        if k != _REVISION and isinstance(value, dict) and "target" in value:
            with contextlib.suppress(TypeError):
                rows.append(Correction(**value))
    yield from sorted(rows, key=lambda c: c.added)


def clear(cache: Cache) -> int:
    """Forget every correction; returns how many there were."""
    n = sum(1 for _ in entries(cache))
    cache.clear(NAMESPACE)
    bump(cache)
    return n
