"""Words inside Creole text that cannot be Creole spelling: names and French loans.

The official orthography (IPN 1979/1980) writes every sound one way and has
no silent letter, so some spellings can only be French (or English): the
letters c (outside ``ch``/``tch``), q, x and a lone u; accented é ê â î ô û ç
œ; vowel pairs such as ``ai au ea eau ei eu ie oi``; doubled consonants other
than ``nn``/``mm``; ``ph th gh rh``; an ``r`` that no vowel follows (Creole
drops it: *pò*, *frè*); a ``y`` between consonants; and a closed ``e``
before a final consonant (Creole writes *è*: *Michèl*). Such words are read
with espeak-ng's French rules (shipped inside piper) and the result is moved
to Creole habits: French front rounded vowels unround (*y* i, *ø* e, *œ* ɛ),
schwa is *e*, an r before a consonant or at the end of a word is dropped,
before a rounded vowel it is w, elsewhere ɣ; final clusters simplify (*-ste*
s: Batis, *-ct* k: kontak, *-ble* b: tab).

The choice (names lexicon first, then these rules) was measured on
``tests/test_creole_names.py``'s list; see that file for the figures.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = "'’ʼ‘`´"
_FOREIGN_LETTERS = frozenset("qxéêëâäîïôöûüùçœæÿ")
_PATTERNS = re.compile(
    r"(?:ai|au|ea|ei|eu|ie|oi|ae|ue|ph|th|gh|rh|tz|([bcdfgklprstvz])\1"
    r"|r(?![aàeèioòuyʊ])"
    # A final ny is Creole (moutany, Espay is ay): y between consonants is not.
    r"|(?<![aàeèioòuʊn])y(?![aàeèioòuʊ])|(?<=n)y(?=[^aàeèioòuʊ])"
    # chr/chl are French k (Christian; Creole achte, chwal keep ch); -ste and a mute e
    # after èv/èz are French (Baptiste, Geneviève; Creole libète keeps its e).
    r"|ch(?=[rl])|ste$|è[vz]e$"
    r"|e[bcdfgjklpqrstvxz]$|e[bcdfgjklpqrstvxz][bcdfgjklpqrstvxz]$|nd$)"
)
_ROUNDED = ("o", "ɔ", "u")
_VOWELS = frozenset("aeiouyɛɔøœəɑɐɪʊ")
_TO_CREOLE = {"y": "i", "ø": "e", "œ": "ɛ", "ə": "e", "ɑ": "a", "ɐ": "a", "ɪ": "i",
              "ʊ": "u", "ɜ": "ɛ", "ʌ": "ɔ", "æ": "a", "ɒ": "ɔ", "ɹ": "ʁ", "r": "ʁ", "ɾ": "ʁ",
              "ɲ": "nj", "ɡ": "ɡ", "g": "ɡ"}


def looks_foreign(word: str) -> bool:
    """Whether a word's spelling cannot be Creole orthography.

    Creole words (``pitit``, ``tchwe``, ``kreyòl``, ``Ayiti``) are never
    flagged; ``Jean-Jacques``, ``Pierre``, ``Beauvoir`` and ``Thérèse`` are.
    """
    bare = unicodedata.normalize("NFC", word.strip(_APOSTROPHES)).lower()
    for part in re.split(r"[-'’ʼ]", bare):
        if not part.isalpha() or part == "y":  # y'ap: y is "yo"
            continue
        if set(part) & _FOREIGN_LETTERS:
            return True
        rest = part.replace("tch", "").replace("ch", "")
        if "c" in rest:
            return True
        if "u" in rest.replace("ou", "").replace("ui", ""):
            return True
        if _PATTERNS.search(part.replace("ou", "ʊ")):
            return True
    return False


def french_ipa(word: str) -> str:
    """espeak-ng's French IPA of a word (stress and length marks dropped)."""
    from kreyol_cli import espeak

    phonemes = espeak.phonemize("fr", word)
    text = "".join(ch for sentence in phonemes for ch in sentence)
    text = re.sub(r"[ˈˌːˑ\s.,;:!?\-'\"]", "", unicodedata.normalize("NFC", text))
    return text


def creolize(ipa: str) -> str:
    """French IPA moved to Haitian habits (see the module doc)."""
    chars = list(unicodedata.normalize("NFD", ipa))
    out: list[str] = []
    for i, ch in enumerate(chars):
        if ch in ("ʁ", "r", "ɹ", "ɾ"):
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if nxt not in _VOWELS:
                continue  # post-vocalic r is not pronounced: Pierre pyè, Port pò
            out.append("w" if nxt in _ROUNDED else "ɣ")
            continue
        out.append(_TO_CREOLE.get(ch, ch))
    text = unicodedata.normalize("NFC", "".join(out))
    text = text.replace("œ̃", "ɛ̃").replace("ɑ̃", "ã").replace("ð", "t").replace("θ", "t")
    # Two vowels in a row get a glide: Raphaël Rafayèl, Léogâne Leyogàn, Miragoâne Miragwàn.
    text = re.sub(r"(?<=[aeɛ])(?=[ɛoɔ])", "j", text)
    text = re.sub(r"[oɔ](?=a)", "w", text)
    text = re.sub(r"(?<=[^aeiouɛɔ\u0303])i(?=[aeɛoɔ])", "j", text)  # Richelieu Richlye
    # Final clusters simplify: Baptiste Batis, Ernest Ènès, contact kontak, table tab.
    return re.sub(r"(?<=s)t$|(?<=k)t$|(?<=[bpdtkɡfv])l$", "", text)


def _spelling(word: str) -> str:
    """Spellings Haitians read against the French rules, rewritten first."""
    if word[:1].isupper():
        # -tion in a name is tyon: Pétion Petyon (in a common noun it is syon: nasyon).
        word = re.sub(r"tion(?=$|-)", "tyon", word)
        # A final -er after a consonant is è in a name: Wesner Wesnè (not -ier Didye, -ger Woje).
        word = re.sub(r"(?<=[^aeiougjy])er$", "èr", word)
    return word


@lru_cache(maxsize=4096)
def read(word: str) -> str:
    """A foreign-spelled word as a Haitian reads it; empty if espeak-ng fails."""
    try:
        return creolize(french_ipa(_spelling(word)))
    except Exception:  # noqa: BLE001 - a missing espeak-ng must not stop the speech
        return ""
