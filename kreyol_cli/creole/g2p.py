"""Haitian Creole orthography -> IPA phonemes.

The rules follow the official orthography (IPN 1979/1980, used in schools and
by Akademi Kreyòl Ayisyen), where spelling is phonemic and no letter is silent:

* digraphs: ``ch`` ʃ, ``tch`` tʃ, ``dj`` dʒ, ``ou`` u, ``ui`` ɥi, ``ng`` ŋ;
* nasal vowels ``an`` ã, ``en`` ɛ̃, ``on`` ɔ̃, ``oun`` ũ, unless a vowel
  letter follows the ``n`` (then the vowel is oral and ``n`` starts the next
  syllable: ``ane`` ane, ``tounen`` tunɛ̃); a grave accent blocks nasality
  (``pàn`` pan, ``chèn`` ʃɛn, ``kòn`` kɔn); ``ann``/``anm`` are nasal vowel +
  n/m (``pann`` pãn, ``fanm`` fãm);
* ``r`` is ɣ, merged with w before rounded vowels (``larouze`` lawuze);
* ``y`` is the glide j everywhere (``pye``, ``bay``, ``anyen`` ãjɛ̃).

Output uses ɡ (U+0261), precomposed ``ã`` etc. where Unicode has them, and no
stress or length marks. Words the rules cannot read live in
``data/exceptions.tsv`` (loans, acronyms said as words) and ``data/names.tsv``
(Haitian names and places spelled the French way); other words whose
spelling cannot be Creole are read by :mod:`kreyol_cli.creole.foreign`. A
user's :class:`~kreyol_cli.creole.lexicon.Lexicon` wins over all of these.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from kreyol_cli.creole import caps
from kreyol_cli.creole.normalize import LETTER_NAMES, normalize

if TYPE_CHECKING:
    from kreyol_cli.creole.lexicon import Lexicon

#: Vowel letters after which an ``n`` is a syllable onset, not nasality.
_VOWEL_LETTERS = frozenset("aàeèioòu")
#: Vowel letters that start a nasal digraph with a following ``n``.
_NASAL = {"a": "ã", "e": "ɛ̃", "o": "ɔ̃"}
_SINGLE = {
    "a": "a", "à": "a", "b": "b", "d": "d", "e": "e", "è": "ɛ", "f": "f",
    "g": "ɡ", "h": "h", "i": "i", "j": "ʒ", "k": "k", "l": "l", "m": "m",
    "n": "n", "o": "o", "ò": "ɔ", "p": "p", "q": "k", "s": "s", "t": "t",
    # A lone u is not Creole; French /y/ became /i/ (la lune -> lalin).
    "u": "i", "v": "v", "w": "w", "x": "ks", "y": "j", "z": "z",
}  # fmt: skip
# French and other spellings met in names and loans, folded to Creole letters.
_FOLD = str.maketrans({
    "é": "e", "ê": "è", "ë": "è", "â": "a", "ä": "a", "á": "a", "î": "i", "ï": "i",
    "í": "i", "ì": "i", "ô": "o", "ö": "o", "ó": "o", "û": "u", "ü": "u", "ú": "u",
    "ù": "u", "ç": "s", "ñ": "ny", "œ": "è", "æ": "è", "ø": "e", "ß": "s", "ÿ": "i",
})  # fmt: skip

_APOSTROPHES = "'’ʼ‘`´"
_LETTERS_ONLY = re.compile(r"[^a-zàèòéêëâäáîïíìôöóûüúùçñœæøßÿ]")


def _read_table(name: str) -> dict[str, str]:
    table: dict[str, str] = {}
    text = resources.files("kreyol_cli.creole").joinpath(f"data/{name}").read_text("utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, ipa = line.partition("\t")
        if ipa.strip():
            table[unicodedata.normalize("NFC", word.strip())] = ipa.strip()
    return table


@lru_cache(maxsize=1)
def exceptions() -> dict[str, str]:
    """The shipped exceptions lexicon: spelling -> IPA.

    Keys keep their case: a capitalised key (a place name) only matches that
    spelling, a lower-case key matches any case.
    """
    return _read_table("exceptions.tsv")


@lru_cache(maxsize=1)
def names() -> dict[str, str]:
    """The shipped lexicon of Haitian first names, family names and places
    spelled the French way, as Haitians say them (same key rules)."""
    return _read_table("names.tsv")


def _in(table: dict[str, str], word: str) -> str | None:
    bare = word.strip(_APOSTROPHES)
    keys = (bare, bare.lower(), bare.lower().replace("-", ""))
    if caps.is_caps(bare):  # PÒTOPRENS is the place name Pòtoprens
        keys += (bare.title(),)
    for key in keys:
        if key in table:
            return table[key]
    return None


def _lookup(word: str) -> str | None:
    found = _in(exceptions(), word)
    return found if found is not None else _in(names(), word)


def is_acronym(word: str) -> bool:
    """Whether a word is read letter by letter (an all-caps acronym).

    Known acronyms and unpronounceable all-caps words are spelled, and so are
    unknown ones of two or three letters; Creole words in capitals (``DLO``,
    ``PLAJ``) and pronounceable longer ones (``UNESCO``) are read as words.
    See :mod:`kreyol_cli.creole.caps`.
    """
    return caps.spelled(word)


def spell(word: str) -> str:
    """IPA for a word read letter by letter with Creole letter names."""
    folded = unicodedata.normalize("NFC", word).lower().translate(_FOLD)
    return "".join(
        _rules(LETTER_NAMES[ch]) if ch in LETTER_NAMES else _rules(ch) for ch in folded if ch.isalpha()
    )


@dataclass(frozen=True)
class Reading:
    """How one word (or lexicon phrase, or punctuation mark) is read.

    Attributes:
        text: The written word(s).
        ipa: Its IPA; empty for punctuation and for words with nothing to say.
        source: What produced it: ``lexicon FILE:LINE``, ``exceptions``,
            ``names``, ``french``, ``number``, ``acronym``, ``rules`` or
            ``punctuation``.
    """

    text: str
    ipa: str
    source: str


def read_word(word: str, lexicon: Lexicon | None = None) -> Reading:
    """Read one written word: a user lexicon entry, the shipped exceptions
    and names, Creole numbers, spelled acronyms, French rules for words that
    cannot be Creole spelling, and the Creole rules, in that order."""
    word = unicodedata.normalize("NFC", word.strip())
    if not word:
        return Reading(word, "", "rules")
    if lexicon:
        entry = lexicon.match([word])
        if entry is not None and len(entry.words) == 1:
            return Reading(word, entry.ipa, f"lexicon {entry.origin}")
    found = _in(exceptions(), word)
    if found is not None:
        return Reading(word, found, "exceptions")
    found = _in(names(), word)
    if found is not None:
        return Reading(word, found, "names")
    if any(ch.isdigit() for ch in word):
        spoken = normalize(word)
        # normalize leaves no digit; this stops any recursion (², ٣) whatever it does.
        spoken = "".join(" " if ch.isdigit() else ch for ch in spoken)
        ipa = "".join(read_word(part, lexicon).ipa for part in re.findall(r"[^\W_]+", spoken))
        return Reading(word, ipa, "number")
    if is_acronym(word):
        return Reading(word, spell(word), "acronym")
    if caps.is_caps(word):
        word = word.lower()  # a word in capitals is read like its lower case
    from kreyol_cli.creole import foreign

    if foreign.looks_foreign(word):
        ipa = foreign.read(word)
        if ipa:
            return Reading(word, ipa, "french")
    return Reading(word, _rules(word), "rules")


def phonemize_word(word: str, lexicon: Lexicon | None = None) -> str:
    """IPA of one written word, as a string without spaces.

    The exceptions lexicon wins over the rules; unknown all-caps acronyms are
    spelled out; digits are read as Creole numbers. Apostrophes (``m'ap``) and
    hyphens (``wi-fi``) join the parts into one phonological word.

    Args:
        word: One orthographic word; punctuation around it is ignored.
        lexicon: A user lexicon, consulted first.

    Returns:
        The IPA string, empty if the word has no letters or digits.
    """
    return read_word(word, lexicon).ipa


def _rules(word: str) -> str:
    s = _LETTERS_ONLY.sub("", unicodedata.normalize("NFC", word).lower().translate(_FOLD))
    return "".join(_read(s))


def _read(s: str) -> list[str]:
    """Read a lower-case, letters-only word left to right, longest digraph first."""
    out: list[str] = []
    i, n = 0, len(s)

    def at(k: int) -> str:
        return s[k] if 0 <= k < n else ""

    def nasal_n(k: int) -> bool:
        # An n at k closes a nasal vowel unless a vowel letter follows it.
        return at(k) == "n" and at(k + 1) not in _VOWEL_LETTERS

    while i < n:
        c, rest = s[i], s[i:]
        if rest.startswith("tch"):
            out.append("tʃ")
            i += 3
        elif rest.startswith(("ch", "sh")):
            out.append("ʃ")
            i += 2
        elif rest.startswith("dj"):
            out.append("dʒ")
            i += 2
        elif rest.startswith(("ph", "th", "qu", "ck")):
            # Spellings of French/English names only; official Creole lacks them.
            out.append({"p": "f", "t": "t", "q": "k", "c": "k"}[c])
            i += 2
        elif rest.startswith("ou"):
            if nasal_n(i + 2):
                # After m/n the n of oun is heard: moun [mun], timoun [timun].
                out.append("un" if at(i - 1) in ("m", "n") else "ũ")
                i += 3
            else:
                out.append("u")
                i += 2
        elif c in _NASAL and nasal_n(i + 1):
            out.append(_NASAL[c])
            i += 2
        elif rest.startswith("ui"):
            out.append("ɥi")
            i += 2
        elif rest.startswith("ng"):
            # Only reached when no nasal digraph absorbed the n (bilding, pinga).
            out.append("ŋ")
            i += 1 if at(i + 2) in _VOWEL_LETTERS else 2
        elif c == "r":
            # r and w merged before rounded vowels (o, ò, ou, on, oun).
            out.append("w" if at(i + 1) in ("o", "ò") else "ɣ")
            i += 1
        elif c == "c":
            out.append("s" if at(i + 1) in ("e", "è", "i", "y") else "k")
            i += 1
        else:
            out.append(_SINGLE.get(c, ""))
            i += 1
    return out


# A word: letters/digits, with inner apostrophes or hyphens (m'ap, wi-fi, pa-m).
_WORD = re.compile(r"[^\W_]+(?:['’ʼ-][^\W_]+)*['’ʼ]?")
_TOKEN = re.compile(_WORD.pattern + r"|[.,?!:;]")
#: Punctuation that survives into Piper's phoneme list.
SENTENCE_PUNCTUATION = frozenset(".,?!:;")


def _words(tokens: list[str], lexicon: Lexicon | None = None, shouted: bool = False) -> list[str]:
    """Lower-case the words of a shouted (all-caps) line so they are read, not spelled;
    acronyms in it (``SMS``) stay in capitals and are spelled."""
    if not shouted:
        return tokens
    return [t if _lookup(t) is not None or (lexicon and lexicon.match([t])) or caps.spelled(t, True)
            else t.lower() for t in tokens]


def readings(text: str, lexicon: Lexicon | None = None) -> list[Reading]:
    """How each word and punctuation mark of a line is read, in order.

    A lexicon phrase (``Jean Baptiste``) is one reading; the longest phrase
    starting at a word wins. Lexicon keys match the text as written (``COVID-19``)
    and, failing that, as normalized (numbers read out). Punctuation readings
    have an empty ``ipa``.
    """
    shouted = caps.shouted(text)
    if not lexicon:
        return _readings(normalize(text), None, shouted)
    text = unicodedata.normalize("NFC", text)
    words = list(_WORD.finditer(text))
    out: list[Reading] = []
    pos = i = 0
    while i < len(words):
        # A phrase never spans punctuation: only whitespace between its words.
        end = i + 1
        while end < len(words) and not text[words[end - 1].end():words[end].start()].strip():
            end += 1
        entry = lexicon.match([w.group(0) for w in words[i:end]])
        if entry is None:
            i += 1
            continue
        last = words[i + len(entry.words) - 1]
        out += _readings(normalize(text[pos:words[i].start()]), lexicon, shouted)
        out.append(Reading(text[words[i].start():last.end()], entry.ipa,
                           f"lexicon {entry.origin}"))
        pos, i = last.end(), i + len(entry.words)
    return out + _readings(normalize(text[pos:]), lexicon, shouted)


def _readings(normalized: str, lexicon: Lexicon | None, shouted: bool = False) -> list[Reading]:
    tokens = _words(_TOKEN.findall(normalized), lexicon, shouted)
    out: list[Reading] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in SENTENCE_PUNCTUATION:
            out.append(Reading(token, "", "punctuation"))
            i += 1
            continue
        entry = None
        if lexicon:
            end = i
            while end < len(tokens) and tokens[end] not in SENTENCE_PUNCTUATION:
                end += 1
            entry = lexicon.match(tokens[i:end])
        if entry is not None:
            n = len(entry.words)
            out.append(Reading(" ".join(tokens[i:i + n]), entry.ipa, f"lexicon {entry.origin}"))
            i += n
            continue
        out.append(read_word(token, lexicon))
        i += 1
    return out


def phonemize(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """IPA of each word of a line of Creole text, punctuation dropped.

    Args:
        text: Creole text; it is normalized first (numbers, abbreviations...).
        lexicon: A user lexicon, consulted first.

    Returns:
        One IPA string per spoken word (a lexicon phrase is one), in order.
    """
    return [r.ipa for r in readings(text, lexicon) if r.ipa]


def sentence_phonemes(sentence: str, lexicon: Lexicon | None = None) -> list[str]:
    """Phonemes of a sentence in the shape Piper's espeak path produces.

    Single code points in NFD (a nasal vowel is the vowel, then U+0303), words
    separated by ``" "``, and sentence punctuation (``, . ? ! : ;``) as its own
    entries right after the word it follows. Feed the result to
    :func:`map_to_voice`, then to ``piper.phoneme_ids.phonemes_to_ids``.

    Args:
        sentence: Creole text (normalized here).
        lexicon: A user lexicon, consulted first.

    Returns:
        The phoneme list; empty when the sentence has nothing to say.
    """
    out: list[str] = []
    for reading in readings(sentence, lexicon):
        if reading.source == "punctuation":
            while out and out[-1] == " ":
                out.pop()
            # One mark per run ("?!" -> "?"), and never before the first word.
            if out and out[-1] not in SENTENCE_PUNCTUATION:
                out.append(reading.text)
            continue
        if not reading.ipa:
            continue
        if out:
            out.append(" ")
        out.extend(unicodedata.normalize("NFD", reading.ipa))
    while out and out[-1] == " ":
        out.pop()
    return out
