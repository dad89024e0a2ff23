"""Sentences across cues, and their translations spread back over the cues.

A subtitle sentence often runs over two or three cues ("The school is
near" / "the church."). Translated cue by cue it would be nonsense, so
consecutive cues whose text does not end a sentence are joined into a
chain, the chain is split into sentences, and each sentence is translated
whole. A translated sentence that spanned several cues is cut at word
boundaries in proportion to how much of the source each cue held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kreyol_cli.segment import split_sentences
from kreyol_cli.subtitles.markup import Styled

#: A chain never grows past this: song lyrics without punctuation must not
#: become one 40-cue "sentence".
MAX_CHAIN_CUES = 6
MAX_CHAIN_CHARS = 400
#: A pause this long between cues ends a sentence, punctuation or not.
MAX_GAP_MS = 2000
_CLOSERS = "\"'”’»)]>"
_ELLIPSIS = re.compile(r"(\.\.\.|…)$")


@dataclass
class Chain:
    """Consecutive pieces of cue text translated together.

    Attributes:
        items: ``(cue, line)`` positions of the pieces, in order.
        texts: The source text of each piece.
        sentences: The chain's sentences.
        spans: Per sentence, ``(item, characters of the sentence in it)``.
    """

    items: list[tuple[int, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    spans: list[list[tuple[int, int]]] = field(default_factory=list)


def ends_sentence(text: str, following: str = "") -> bool:
    """Does a cue ending in ``text`` end its sentence, given the next cue's text?"""
    text = text.rstrip().rstrip(_CLOSERS)
    if _ELLIPSIS.search(text):
        nxt = following.lstrip(" -–—\"'“«")
        return not (nxt[:1].islower() or nxt.startswith(("...", "…")))
    return text[-1:] in ".!?…"


def chains(styled: list[Styled], times: list[tuple[int, int]] | None = None) -> list[Chain]:
    """Group the translatable pieces of the cues into chains of sentences.

    Args:
        styled: The cues taken apart.
        times: ``(start, end)`` of each cue in milliseconds: a pause longer
            than ``MAX_GAP_MS`` ends a chain.
    """
    result: list[Chain] = []
    current: Chain | None = None
    for c, cue in enumerate(styled):
        if times is not None and c and times[c][0] - times[c - 1][1] > MAX_GAP_MS:
            current = None
        if not any(line.text for line in cue.lines):
            current = None  # an empty cue, or one of "---": a break
        for j, line in enumerate(cue.lines):
            if not line.text:
                continue
            joinable = not cue.dialogue and line.spoken
            if (current is not None and joinable
                    and not ends_sentence(current.texts[-1], line.text)
                    and len(current.items) < MAX_CHAIN_CUES
                    and sum(map(len, current.texts)) + len(line.text) < MAX_CHAIN_CHARS):
                current.items.append((c, j))
                current.texts.append(line.text)
                continue
            current = Chain([(c, j)], [line.text])
            result.append(current)
            if not joinable:
                current = None
    for chain in result:
        _split(chain)
    return result


def _split(chain: Chain) -> None:
    joined = " ".join(chain.texts)
    bounds, at = [], 0
    for text in chain.texts:
        bounds.append((at, at + len(text)))
        at += len(text) + 1
    chain.sentences = split_sentences(joined)
    cursor = 0
    for sentence in chain.sentences:
        start = joined.find(sentence, cursor)
        if start < 0:  # cannot happen with single-space joins; stay safe
            start = cursor
        end = start + len(sentence)
        cursor = end
        chain.spans.append([(i, min(end, b) - max(start, a))
                            for i, (a, b) in enumerate(bounds) if min(end, b) > max(start, a)])


def spread(text: str, weights: list[int]) -> list[str]:
    """Cut ``text`` at word boundaries into ``len(weights)`` consecutive pieces
    whose lengths follow ``weights``. Each piece gets a word when there are
    enough words; a cut lands after punctuation when one is near."""
    if len(weights) <= 1:
        return [text]
    words = text.split()
    n, m = len(words), len(weights)
    ends = []  # characters before each possible cut (after word k)
    at = 0
    for word in words:
        at += len(word) + (1 if at else 0)
        ends.append(at)
    total = sum(weights) or m
    length = ends[-1] if ends else 0
    cuts, prev, acc = [], 0, 0
    for k in range(1, m):
        acc += weights[k - 1]
        target = length * acc / total
        pieces_left = m - k
        lo = prev + 1 if n - prev > pieces_left else prev
        hi = max(lo, n - pieces_left) if n >= m else max(lo, n)
        cut = min(range(lo, min(hi, n) + 1),
                  key=lambda c, t=target: (_cut_cost(words, ends, c, t), -c)) if n else 0
        cuts.append(cut)
        prev = cut
    bounds = [0, *cuts, n]
    return [" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def _cut_cost(words: list[str], ends: list[int], cut: int, target: float) -> float:
    pos = ends[cut - 1] if cut else 0
    after_punct = cut and words[cut - 1][-1:] in ",;:.!?…"
    return abs(pos - target) - (4 if after_punct else 0)


def spread_back(chain: Chain, translations: list[str]) -> list[str]:
    """The translated text of each piece of ``chain``."""
    pieces: list[list[str]] = [[] for _ in chain.items]
    for span, translated in zip(chain.spans, translations, strict=True):
        for (item, _), part in zip(span, spread(translated, [w for _, w in span]), strict=True):
            if part:
                pieces[item].append(part)
    return [" ".join(p) for p in pieces]
