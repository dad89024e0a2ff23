"""Sentence and chunk splitting that never drops text.

Two jobs:

* ``iter_units`` reads a text stream line by line and yields ``Unit``s: the
  pieces to translate with the literal text around them (indentation, list
  markers, blank lines), so a translation can be written back in the same
  shape. Hard-wrapped prose lines are joined into one unit; one sentence per
  line stays one unit per line.
* ``split_sentences`` splits a unit into sentences; ``split_long`` splits a
  sentence that is still too long for a model. Joining the pieces with
  single spaces gives back the input up to whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# A leading list marker, heading mark or quote marker is kept as is.
_MARKER = re.compile(
    r"^(?P<prefix>\s*(?:(?:[-*+•·–—▪◦]|\d{1,3}[.)]|[a-zA-Z][.)]|[ivxlcdmIVXLCDM]{1,6}[.)]|#{1,6}|>)\s+)?)"
)
# Every line boundary str.splitlines knows: a form feed (page break in pdftotext
# output) or U+2028 ends a line like "\n" does and must be written back.
_LINE_ENDS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_ENDS_SENTENCE = re.compile(r"[.!?…:;»\"”’)\]]\s*$")
_ABBREVIATIONS = {
    # English
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "no",
    "fig", "vol", "p", "pp", "ch", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "inc", "ltd", "co", "mt", "ave", "approx",
    # French
    "m", "mm", "mme", "mmes", "mlle", "mlles", "me", "mgr", "pr", "ste", "cf", "env",
    "av", "bd", "éd", "p.ex", "c.-à-d",
    # Creole ("Jan", "pa" and "sen" are everyday words that end sentences: not here)
    "egz",
}
# A sentence ends at . ! ? … (possibly repeated, possibly followed by closing
# quotes or brackets) when whitespace and an opening capital, digit or quote follow.
_BOUNDARY = re.compile(
    r"(?<=[.!?…])([\"”’»)\]]*)(\s+)(?=[\"“‘«(\[]?[\-–—]?\s?[A-ZÀ-ÖØ-Þ0-9])"
)


@dataclass(frozen=True)
class Unit:
    """A piece of text to translate and the literal text around it.

    Attributes:
        prefix: Indentation and list/heading marker written before the text.
        text: The text to translate (may be empty: a blank line).
        newline: The line break after the unit (``""`` at the end of input).
    """

    prefix: str
    text: str
    newline: str = "\n"

    def render(self, translated: str) -> str:
        return f"{self.prefix}{translated}{self.newline}"


def _split_marker(line: str) -> tuple[str, str]:
    m = _MARKER.match(line)
    prefix = m.group("prefix") if m else ""
    return prefix, line[len(prefix):]


def iter_units(lines: Iterable[str]) -> Iterator[Unit]:
    """Group input lines into units, streaming.

    A line continues the previous one when the previous one does not end a
    sentence, the new one has no list marker and starts in lower case: that
    is a hard-wrapped paragraph, translated as one piece (and written back as
    one line, since the translation's line lengths differ).
    """
    pending: list[str] = []
    pending_prefix = ""
    pending_newline = "\n"

    def flush() -> Iterator[Unit]:
        nonlocal pending
        if pending:
            yield Unit(pending_prefix, " ".join(pending), pending_newline)
            pending = []

    for raw in lines:
        body = raw.rstrip(_LINE_ENDS)
        newline = raw[len(body):] or ""
        if not body.strip():
            yield from flush()
            yield Unit(body, "", newline)
            continue
        prefix, text = _split_marker(body)
        text = text.rstrip()
        continues = (
            pending
            and not prefix.strip()
            and not _ENDS_SENTENCE.search(pending[-1])
            and text[:1].islower()
        )
        if continues:
            pending.append(text.strip())
            pending_newline = newline
            continue
        yield from flush()
        if not prefix.strip():
            # Keep pure indentation as the prefix.
            stripped = body.lstrip()
            prefix, text = body[: len(body) - len(stripped)], stripped.rstrip()
        pending, pending_prefix, pending_newline = [text], prefix, newline
    yield from flush()


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences. ``" ".join(result)`` equals the input
    with its whitespace runs between sentences folded to one space."""
    text = text.strip()
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.start(2)
        candidate = text[start:end]
        if _is_abbreviation(candidate):
            continue
        sentences.append(candidate.strip())
        start = m.end(2)
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def _is_abbreviation(candidate: str) -> bool:
    """Does ``candidate`` end with an abbreviation or an initial, not a sentence?"""
    if not candidate.endswith("."):
        return False
    word = candidate.rstrip(".").rsplit(None, 1)[-1] if candidate.strip(".") else ""
    word = word.lstrip("\"“‘«([")
    if len(word) == 1 and word.isupper():  # initials: "J. Smith" (not Creole "mache a.")
        return True
    return word.lower() in _ABBREVIATIONS


def split_long(pieces: list[str], limit: int, *, word_start: str = "▁") -> list[list[str]]:
    """Split a token sequence into windows of at most ``limit`` tokens.

    Windows end at a word boundary (a token starting with ``word_start``) or,
    failing that, after a clause mark (, ; :), or at the hard limit when a
    "word" is itself longer than the limit. No token is dropped.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    windows: list[list[str]] = []
    start = 0
    n = len(pieces)
    while n - start > limit:
        end = start + limit
        cut = None
        # Prefer the last clause mark in the window, then the last word start.
        for i in range(end - 1, start + limit // 2, -1):
            if pieces[i].strip(word_start) in {",", ";", ":", "—", "–"}:
                cut = i + 1
                break
        if cut is None:
            for i in range(end, start, -1):
                if i < n and pieces[i].startswith(word_start):
                    cut = i
                    break
        if cut is None or cut <= start:
            cut = end
        windows.append(pieces[start:cut])
        start = cut
    if start < n or not windows:
        windows.append(pieces[start:])
    return windows


#: Longest piece of text spoken at once. Piper's decoder holds activations for
#: all the audio of what it speaks at once, so peak memory follows the longest
#: piece: for a line with no full stop, 400-phoneme pieces peaked at 0.75-1.1 GB
#: RSS, 200-character pieces at 0.52 GB against 0.45 GB for the same words as
#: sentences of up to 139 characters; 150 matches ordinary long sentences
#: (kreyol tts -j 1, children's ru_maxrss).
SPEECH_CHARS = 150


def speech_pieces(sentence: str, limit: int = SPEECH_CHARS) -> list[str]:
    """``sentence`` cut into pieces of at most ``limit`` characters, at the last
    clause mark (, ; :) in the second half of a piece, else at the last space,
    else (one enormous "word") at the limit. No text is dropped."""
    pieces: list[str] = []
    rest = sentence.strip()
    while len(rest) > limit:
        window = rest[:limit + 1]
        cut = max(window.rfind(mark, limit // 2) for mark in (", ", "; ", ": ", " — "))
        cut = cut + 1 if cut > 0 else window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces
