"""Words set in capitals: read as words, or spelled letter by letter.

School books and notices set headings in capitals (``DLO``, ``RISK AK
DEZAS``, ``GEN 8 AN``); a Creole word in capitals is still a word. Haitians
spell acronyms (``SMS``, ``PDF``, ``ONU``, ``MENFP``) and read the
pronounceable ones (``UNICEF``, ``MINUSTAH``). The rule, in order:

1. a known acronym (``data/acronyms.txt``) is spelled;
2. a short Creole word (``data/words.txt``) is read;
3. a word no Creole or French syllable structure can say (no vowel, ``MENFP``'s
   final ``nfp``, ``SMS``'s initial ``sm``) is spelled;
4. in a line set all in capitals, or when it has four letters or more, it is read;
5. otherwise (an unknown word of two or three letters in mixed text) it is spelled.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

_FOLD = str.maketrans("áàâäéèêëíìîïóòôöúùûüç", "aaaaeeeeiiiioooouuuuc")
# Digraphs that are one consonant, written as one placeholder letter.
_DIGRAPHS = (("tch", "C"), ("ch", "C"), ("sh", "C"), ("dj", "J"), ("ph", "F"), ("th", "T"),
             ("gh", "G"), ("ng", "N"), ("qu", "K"), ("ck", "K"))
_VOWELS = frozenset("aeiou")
_GLIDES = frozenset("lrwy")
_STOPS = frozenset("bcdfgkptvCJFTGK")
_NASALS = frozenset("mnN")


def _table(name: str) -> frozenset[str]:
    text = resources.files("kreyol_cli.creole").joinpath(f"data/{name}").read_text("utf-8")
    return frozenset(
        unicodedata.normalize("NFC", line.strip()) for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


@lru_cache(maxsize=1)
def acronyms() -> frozenset[str]:
    """All-caps words spelled letter by letter (``ONU``, ``MENFP``)."""
    return _table("acronyms.txt")


@lru_cache(maxsize=1)
def short_words() -> frozenset[str]:
    """Short Creole words that are words even in capitals (``dlo``, ``nou``)."""
    return _table("words.txt")


def _onset(run: str, initial: bool) -> bool:
    if len(run) <= 1:
        return True
    if len(run) == 2:
        first, second = run
        if second in "wy":
            return True  # bw, pwa, nwa, chw, sy, ny
        if second in "lr":
            return first in _STOPS
        return initial and first == "s" and second in "ptk"  # STOP, SPÒ
    if len(run) == 3:
        return run[0] in _STOPS and run[1] in "lr" and run[2] in "wy" or (
            initial and run[0] == "s" and run[1] in "ptk" and run[2] in _GLIDES)
    return False


def _coda(run: str, final: bool) -> bool:
    if len(run) <= 1:
        return True
    if len(run) == 2:
        # fanm, pann, bank, risk, pòs, teks (x), ...
        return run[0] in _NASALS or run[0] in "lrs" or run[1] in "st"
    if len(run) == 3:
        return final and run[0] in _NASALS | set("lr") and run[2] in "st"
    return False


def pronounceable(word: str) -> bool:
    """Whether a word has a syllable structure Creole (or French) can say.

    Letters are grouped into vowels and consonant runs; the first run must be
    an onset (``pl``, ``bw``, ``tr``), the last a coda (``nk``, ``sk``), and
    each inner run a coda followed by an onset (``elektrik``: ``k`` + ``tr``).
    """
    s = unicodedata.normalize("NFC", word).lower().translate(_FOLD)
    if not s.isalpha() or not s.isascii():
        return False
    for digraph, mark in _DIGRAPHS:
        s = s.replace(digraph, mark)
    s = re.sub(r"(?<=[aeiou])h|h(?=[aeiou])|^h", "", s)  # h is silent: MINUSTAH, Haïti
    # y is a vowel between consonants or at the end after one (ANDY, MYRIAM).
    s = re.sub(r"(?<![aeiou])y(?![aeiou])", "i", s)
    if not any(ch in _VOWELS for ch in s):
        return False
    runs = re.split(r"[aeiou]+", s)
    if not _onset(runs[0], initial=True) or not _coda(runs[-1], final=True):
        return False
    for run in runs[1:-1]:
        if not any(_coda(run[:cut], final=False) and _onset(run[cut:], initial=False)
                   for cut in range(len(run) + 1)):
            return False
    return True


def is_caps(word: str) -> bool:
    """Whether a word is written in capitals (two letters or more, no lower case)."""
    letters = word.strip("'’ʼ‘`´")
    return len(letters) >= 2 and letters.replace("-", "").isalpha() and letters.isupper()


def spelled(word: str, shouted: bool = False) -> bool:
    """Whether an all-caps word is read letter by letter (see the module doc).

    Args:
        word: The word as written.
        shouted: Whether its whole line is set in capitals.
    """
    if not is_caps(word):
        return False
    bare = word.strip("'’ʼ‘`´")
    if bare in acronyms():
        return True
    lower = unicodedata.normalize("NFC", bare).lower()
    if lower in short_words():
        return False
    if not all(pronounceable(part) for part in lower.split("-") if part):
        return True
    return not (shouted or len(bare) >= 4)


def shouted(text: str) -> bool:
    """Whether a line is set in capitals: no lower-case letter, and a word of two
    letters or more (a heading of one word, ``SPÒ``, is a heading too)."""
    return not any(ch.islower() for ch in text) and any(
        len(word) >= 2 for word in re.findall(r"[^\W\d_]+", text))
