"""IPA phonemes: fitting them to a Piper voice, and scoring them.

No Haitian Creole Piper voice exists, so kreyol drives a voice trained on
another language with Creole phonemes. :func:`map_to_voice` replaces what that
voice lacks by its nearest phoneme; :func:`phoneme_error_rate` is the metric
the G2P rules are held to.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence

_COMBINING = range(0x0300, 0x0370)
#: Marks the metric ignores: stress, length, syllable breaks, linking, spaces.
_IGNORED = frozenset("ˈˌːˑ.‿ \t'")
#: Tie bars (t͡ʃ): affricates count as two tokens, with or without them.
_TIES = frozenset("\u0361\u035c")

#: Nearest substitutes, best first. Each candidate is a sequence of entries.
FALLBACKS: dict[str, tuple[tuple[str, ...], ...]] = {
    "ɥ": (("w",), ("y",), ("u",)),
    "ɣ": (("ʁ",), ("ɹ",), ("r",), ("ɡ",), ("h",)),
    "ʁ": (("ɣ",), ("ɹ",), ("r",)),
    "ɡ": (("g",), ("k",)),
    "g": (("ɡ",), ("k",)),
    "\u0303": (("n",), ("ŋ",), ("m",)),  # nasal vowel -> vowel + n
    "ŋ": (("n", "ɡ"), ("n",)),
    "ɲ": (("n", "j"), ("n",)),
    "ʃ": (("s",),),
    "ʒ": (("ʃ",), ("z",)),
    "j": (("i",), ("ɪ",)),
    "w": (("u",), ("ʊ",)),
    "ɛ": (("e",), ("æ",), ("ə",)),
    "e": (("ɛ",), ("ɪ",), ("i",)),
    "ɔ": (("o",), ("ɑ",), ("ɒ",), ("a",)),
    "o": (("ɔ",), ("ʊ",), ("u",)),
    "a": (("ɐ",), ("ɑ",), ("æ",)),
    "i": (("ɪ",), ("e",)),
    "u": (("ʊ",), ("o",)),
    "y": (("i",), ("ɥ",)),
    "ə": (("ɛ",), ("e",), ("ɐ",)),
    "r": (("ɾ",), ("ɹ",), ("ʁ",), ("ɣ",)),
    "h": (("x",), ("χ",)),
    "ʔ": ((",",),),
}
_VOWEL_CLASS = ("a", "e", "i", "o", "u", "ɛ", "ɔ", "ə")
_CONSONANT_CLASS = ("t", "d", "s", "n", "k", "l")
_PUNCT_CLASS = (",", ".", " ")
_IPA_VOWELS = frozenset("aeiouyæøœɐɑɒɔəɘɛɜɞɤɨɪɯɵɶʉʊʌʏ")


def _class_fallbacks(phoneme: str) -> Iterable[tuple[str, ...]]:
    base = unicodedata.normalize("NFD", phoneme)[:1] or phoneme
    if not base.isalpha():
        return ((p,) for p in _PUNCT_CLASS)
    if base in _IPA_VOWELS:
        return ((v,) for v in _VOWEL_CLASS)
    return ((c,) for c in _CONSONANT_CLASS)


def _replace(phoneme: str, id_map: Mapping[str, Sequence[int]]) -> list[str]:
    for candidate in FALLBACKS.get(phoneme, ()):
        if all(p in id_map for p in candidate):
            return list(candidate)
    # A precomposed or multi-character phoneme: fit each part (ã -> a + n, tʃ -> t ʃ).
    parts = unicodedata.normalize("NFD", phoneme)
    if len(parts) > 1:
        fitted = [[p] if p in id_map else _replace(p, id_map) for p in parts]
        if all(fitted):
            return [q for part in fitted for q in part]
    for candidate in _class_fallbacks(phoneme):
        if all(p in id_map for p in candidate):
            return list(candidate)
    return []


def map_to_voice(
    phonemes: list[str], phoneme_id_map: Mapping[str, Sequence[int]]
) -> tuple[list[str], dict[str, str]]:
    """Replace every phoneme a voice lacks by its nearest available one.

    Substitutes come from :data:`FALLBACKS` (``ɥ -> w``, ``ɣ -> ʁ -> r``,
    U+0303 -> ``n``...), then from splitting a composed phoneme into its
    parts, then from the closest class (a vowel, a consonant or a pause). A
    phoneme with no substitute at all is kept as is (Piper then logs it), so
    nothing disappears silently.

    Args:
        phonemes: Entries as :func:`sentence_phonemes` returns them.
        phoneme_id_map: The voice's ``phoneme_id_map``.

    Returns:
        The mapped list, and ``{missing: replacement}`` (replacement entries
        joined) so the caller can warn once per phoneme.
    """
    mapped: list[str] = []
    substitutions: dict[str, str] = {}
    cache: dict[str, list[str]] = {}
    for phoneme in phonemes:
        if phoneme in phoneme_id_map:
            mapped.append(phoneme)
            continue
        if phoneme not in cache:
            cache[phoneme] = _replace(phoneme, phoneme_id_map) or [phoneme]
            substitutions[phoneme] = "".join(cache[phoneme])
        mapped.extend(cache[phoneme])
    return mapped, substitutions


def tokenize_ipa(ipa: str) -> list[str]:
    """Split IPA into phoneme tokens for scoring.

    A base character and the combining marks after it are one token. Spaces,
    stress, length, syllable dots and tie bars are dropped; ASCII ``g`` is
    read as ``ɡ``. Precomposed letters are decomposed first, so ``ã`` and
    ``a`` + U+0303 compare equal.
    """
    tokens: list[str] = []
    for ch in unicodedata.normalize("NFD", ipa):
        if ch in _IGNORED or ch in _TIES:
            continue
        if ord(ch) in _COMBINING:
            if tokens:
                tokens[-1] += ch
            continue
        tokens.append("ɡ" if ch == "g" else ch)
    return tokens


def _edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def phoneme_error_rate(pairs: Iterable[tuple[str, str]]) -> float:
    """Phoneme error rate of hypotheses against references.

    Args:
        pairs: ``(reference IPA, hypothesis IPA)`` pairs.

    Returns:
        Total edit distance over phoneme tokens divided by the total number of
        reference tokens; 0.0 for no pairs, 1.0 if references are all empty
        but some hypothesis is not.
    """
    edits = total = 0
    for reference, hypothesis in pairs:
        ref, hyp = tokenize_ipa(reference), tokenize_ipa(hypothesis)
        edits += _edit_distance(ref, hyp)
        total += len(ref)
    if total == 0:
        return 0.0 if edits == 0 else 1.0
    return edits / total
