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
stress or length marks. Words the rules cannot read (loans, French proper
names, acronyms that are not spelled out) live in ``data/exceptions.tsv``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

from kreyol_cli.creole.normalize import LETTER_NAMES, normalize

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


@lru_cache(maxsize=1)
def exceptions() -> dict[str, str]:
    """The shipped exceptions lexicon: spelling -> IPA.

    Keys keep their case: a capitalised key (a place name) only matches that
    spelling, a lower-case key matches any case.
    """
    table: dict[str, str] = {}
    text = resources.files("kreyol_cli.creole").joinpath("data/exceptions.tsv").read_text("utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, ipa = line.partition("\t")
        if ipa.strip():
            table[unicodedata.normalize("NFC", word.strip())] = ipa.strip()
    return table


def _lookup(word: str) -> str | None:
    table = exceptions()
    bare = word.strip(_APOSTROPHES)
    for key in (bare, bare.lower(), bare.lower().replace("-", "")):
        if key in table:
            return table[key]
    return None


def is_acronym(word: str) -> bool:
    """Whether a word is read letter by letter (an unknown all-caps acronym).

    Short all-caps words (up to four letters) and all-caps words without a
    vowel are spelled; longer ones (``UNESCO``) are read as words.
    """
    letters = word.strip(_APOSTROPHES)
    if len(letters) < 2 or not letters.isalpha() or not letters.isupper():
        return False
    has_vowel = any(ch in "AEIOUÀÈÒÉ" for ch in letters)
    return len(letters) <= 4 or not has_vowel


def spell(word: str) -> str:
    """IPA for a word read letter by letter with Creole letter names."""
    folded = unicodedata.normalize("NFC", word).lower().translate(_FOLD)
    return "".join(
        _rules(LETTER_NAMES[ch]) if ch in LETTER_NAMES else _rules(ch) for ch in folded if ch.isalpha()
    )


def phonemize_word(word: str) -> str:
    """IPA of one written word, as a string without spaces.

    The exceptions lexicon wins over the rules; unknown all-caps acronyms are
    spelled out; digits are read as Creole numbers. Apostrophes (``m'ap``) and
    hyphens (``wi-fi``) join the parts into one phonological word.

    Args:
        word: One orthographic word; punctuation around it is ignored.

    Returns:
        The IPA string, empty if the word has no letters or digits.
    """
    word = unicodedata.normalize("NFC", word.strip())
    if not word:
        return ""
    found = _lookup(word)
    if found is not None:
        return found
    if any(ch.isdigit() for ch in word):
        spoken = normalize(word)
        if any(ch.isdigit() for ch in spoken):  # cannot happen; stops any recursion
            spoken = re.sub(r"\d", " ", spoken)
        return "".join(phonemize_word(part) for part in re.findall(r"[^\W_]+", spoken))
    if is_acronym(word):
        return spell(word)
    return _rules(word)


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


def _words(tokens: list[str]) -> list[str]:
    """Lower-case the words of a shouted (all-caps) line so they are read, not spelled."""
    alpha = [t for t in tokens if t.isalpha()]
    shouted = len(alpha) >= 2 and all(t.isupper() for t in alpha)
    if not shouted:
        return tokens
    return [t if _lookup(t) is not None else t.lower() for t in tokens]


def phonemize(text: str) -> list[str]:
    """IPA of each word of a line of Creole text, punctuation dropped.

    Args:
        text: Creole text; it is normalized first (numbers, abbreviations...).

    Returns:
        One IPA string per spoken word, in order.
    """
    tokens = _words(_WORD.findall(normalize(text)))
    return [ipa for ipa in (phonemize_word(t) for t in tokens) if ipa]


def sentence_phonemes(sentence: str) -> list[str]:
    """Phonemes of a sentence in the shape Piper's espeak path produces.

    Single code points in NFD (a nasal vowel is the vowel, then U+0303), words
    separated by ``" "``, and sentence punctuation (``, . ? ! : ;``) as its own
    entries right after the word it follows. Feed the result to
    :func:`map_to_voice`, then to ``piper.phoneme_ids.phonemes_to_ids``.

    Args:
        sentence: Creole text (normalized here).

    Returns:
        The phoneme list; empty when the sentence has nothing to say.
    """
    out: list[str] = []
    for token in _words(_TOKEN.findall(normalize(sentence))):
        if token in SENTENCE_PUNCTUATION:
            while out and out[-1] == " ":
                out.pop()
            # One mark per run ("?!" -> "?"), and never before the first word.
            if out and out[-1] not in SENTENCE_PUNCTUATION:
                out.append(token)
            continue
        ipa = phonemize_word(token)
        if not ipa:
            continue
        if out:
            out.append(" ")
        out.extend(unicodedata.normalize("NFD", ipa))
    while out and out[-1] == " ":
        out.pop()
    return out
