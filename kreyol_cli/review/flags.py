"""Why a reviewer should look at a machine-translated sentence first.

Each check returns a short reason or nothing: untranslated English or French
words left in the Creole, source copied through, repeated tokens (a decoder
loop), a length ratio outside the usual band, a glossary term not honoured.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Creole/English length ratio band. On the fixture corpus (75 everyday
#: sentence pairs) the ratio runs 0.53-1.35, median 0.84; Creole is shorter
#: than English and French. Outside 0.4-2.0 something was dropped or looped.
RATIO_BAND = (0.4, 2.0)
#: Frequent English and French words that are not Creole words (Creole a, la,
#: pa, men, se, de, an, te, ki, sa, li, nou, pou, je, on, son, tout are left out
#: on purpose: they are Creole words too).
_FOREIGN_WORDS = """
the and of is are was were with for this that these those to have has had be been
you your we they he she it its his her their what which who when where why how not
but from by at or if then than there here will would can could should about into
le les des une est et du avec dans pour que qui ce cette ces tu il elle nous vous
ils elles sont être avoir mais aussi très sur par au aux leur leurs mon notre
votre était ont fait comme plus tous
"""
_FOREIGN = frozenset(_FOREIGN_WORDS.split())
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def untranslated(source: str, target: str) -> str | None:
    found = [w for w in dict.fromkeys(_words(target)) if w in _FOREIGN]
    if found:
        return f"untranslated English or French words: {', '.join(found[:5])}"
    return None


def copied(source: str, target: str) -> str | None:
    src, tgt = _words(source), _words(target)
    if len(src) >= 2 and src == tgt:
        return "the source was copied through untranslated"
    return None


def repeated(source: str, target: str) -> str | None:
    words = _words(target)
    for n in (1, 2, 3):
        for i in range(len(words) - 3 * n + 1):
            gram = words[i:i + n]
            if words[i + n:i + 2 * n] == gram and words[i + 2 * n:i + 3 * n] == gram:
                return f"repeated words: {' '.join(gram)!r} three times in a row"
    return None


def dropped(source: str, target: str) -> str | None:
    words = source.split()
    kept = [w.strip(".,;:!?\"'()«»“”") for w in words[1:]]
    capitals = [w for w in kept if w[:1].isupper()]
    if len(capitals) * 2 >= len(kept):  # Title Case (a heading): capitals are not names
        capitals = []
    names = capitals + [w for w in kept if any(ch.isdigit() for ch in w)]
    lost = [w for w in dict.fromkeys(names) if w and w not in target]
    if lost:
        return f"names or numbers of the source missing: {', '.join(lost[:5])}"
    return None


def length_ratio(source: str, target: str) -> str | None:
    if len(source.strip()) < 20:
        return None  # short lines (titles, "Yes.") vary too much to judge
    ratio = len(target.strip()) / len(source.strip())
    low, high = RATIO_BAND
    if not low <= ratio <= high:
        return f"length ratio {ratio:.2f} is outside the usual {low}-{high}"
    return None


CHECKS = (untranslated, copied, repeated, dropped, length_ratio)


def reasons(source: str, target: str, missed: Sequence[dict] = ()) -> list[str]:
    """Every reason to review this sentence, most telling first."""
    out = [r for check in CHECKS if (r := check(source, target))]
    for term in missed:
        out.append(f"glossary term not honoured: {term['source']!r} -> {term['target']!r}")
    return out
