"""Pronunciation lexicons users own: ``word<TAB>pronunciation``, one per line.

A key is a word or a phrase of several words, with the case rule of the
shipped exceptions: a lower-case key matches any case, a key with a capital
matches only that spelling. The pronunciation is either IPA or a respelling
in Creole orthography (``Jean-Jacques<TAB>Jan Jak``), which most users can
write and IPA they cannot:

* between slashes or brackets (``/ʒã ʒak/``, ``[ʒã ʒak]``) it is IPA;
* written only with the letters of Creole spelling (a-z, à è ò, spaces,
  hyphens, apostrophes) it is a respelling, read by kreyol's Creole rules;
* anything else (``ʒãʒak``) is IPA.

``$KREYOL_HOME/lexicon.tsv`` is always read; ``--lexicon FILE`` adds a
project file whose entries win over it. :class:`Lexicon` is a frozen,
picklable value, so synthesis workers receive it with the voice service.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kreyol_cli.errors import InputError

FILENAME = "lexicon.tsv"
_APOSTROPHES = "'’ʼ‘`´"
_ORTHOGRAPHY = frozenset("abcdefghijklmnopqrstuvwxyzàèò -'’")
#: Written around IPA by convention; dropped.
_BRACKETS = (("/", "/"), ("[", "]"))
#: Marks kreyol's own readings never carry; stripped so IPA and respellings compare.
_MARKS = str.maketrans("", "", "ˈˌ.‿")


class LexiconError(InputError):
    """A lexicon file that cannot be used (the message names file and line)."""


@dataclass(frozen=True)
class Entry:
    """One lexicon line.

    Attributes:
        words: The key's words as written (NFC), case kept.
        ipa: Its IPA; words of a phrase separated by single spaces.
        given: The pronunciation as written in the file.
        kind: ``"ipa"`` or ``"respelling"``.
        origin: ``FILE:LINE`` where it was read.
    """

    words: tuple[str, ...]
    ipa: str
    given: str
    kind: str
    origin: str

    @property
    def key(self) -> str:
        return " ".join(self.words)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word).strip(_APOSTROPHES).replace("’", "'")


def _matches(key_word: str, word: str) -> bool:
    if key_word == key_word.lower():
        return key_word == word.lower()
    return key_word == word


@dataclass(frozen=True)
class Lexicon:
    """Entries in priority order (later files override earlier ones)."""

    entries: tuple[Entry, ...] = ()
    _index: dict[str, list[Entry]] = field(default_factory=dict, init=False, compare=False,
                                           repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Entry]] = {}
        winners: dict[tuple[str, ...], Entry] = {}
        for entry in self.entries:  # a later entry with the same key replaces the earlier
            winners[entry.words] = entry
        for entry in winners.values():
            index.setdefault(entry.words[0].lower(), []).append(entry)
        for bucket in index.values():
            # Longest phrase first; an exact-case key before a lower-case one.
            bucket.sort(key=lambda e: (-len(e.words), e.key == e.key.lower()))
        self._index.update(index)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def match(self, words: Sequence[str], start: int = 0) -> Entry | None:
        """The entry whose key is the longest phrase of ``words`` starting at ``start``."""
        first = _fold(words[start]).lower()
        for entry in self._index.get(first, ()):
            n = len(entry.words)
            if start + n <= len(words) and all(
                _matches(k, _fold(w)) for k, w in zip(entry.words, words[start:start + n],
                                                      strict=True)):
                return entry
        return None

    def combined(self, other: Lexicon) -> Lexicon:
        """This lexicon with ``other``'s entries winning."""
        return Lexicon(self.entries + other.entries)


def is_respelling(text: str) -> bool:
    """Whether a pronunciation is written in Creole orthography (not IPA)."""
    return bool(text.strip()) and set(unicodedata.normalize("NFC", text.lower())) <= _ORTHOGRAPHY


def to_ipa(pronunciation: str) -> tuple[str, str]:
    """``(ipa, kind)`` of a pronunciation as users write it (see the module doc)."""
    text = unicodedata.normalize("NFC", pronunciation.strip())
    for left, right in _BRACKETS:
        if len(text) > 2 and text.startswith(left) and text.endswith(right):
            return _clean_ipa(text[1:-1]), "ipa"
    if is_respelling(text):
        from kreyol_cli.creole.g2p import phonemize

        return " ".join(phonemize(text)), "respelling"
    return _clean_ipa(text), "ipa"


def _clean_ipa(text: str) -> str:
    # ASCII g is the usual slip for IPA ɡ (U+0261); kreyol's readings use ɡ.
    return " ".join(text.translate(_MARKS).replace("g", "ɡ").split())


def parse(text: str, origin: str, errors: list[str] | None = None) -> Lexicon:
    """Parse lexicon text; ``origin`` names the file in messages.

    Args:
        text: The file's text.
        origin: The file's name, for messages.
        errors: If given, malformed lines are appended here (one message
            each) and skipped, so a check can report them all at once.

    Raises:
        LexiconError: (without ``errors``) A line without a TAB between word
            and pronunciation, or with an empty side.
    """
    entries: list[Entry] = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, tab, pronunciation = raw.strip("\r\n").partition("\t")
        message = None
        if not tab or not key.strip() or not pronunciation.strip():
            message = (f"{origin}:{number}: expected 'word<TAB>pronunciation', got "
                       f"{line[:60]!r} (separate the word and its IPA or respelling with "
                       f"one TAB)")
        else:
            ipa, kind = to_ipa(pronunciation.split("\t")[0])
            if not ipa.strip():
                message = f"{origin}:{number}: {pronunciation.strip()!r} has nothing to pronounce"
        if message is not None:
            if errors is None:
                raise LexiconError(message)
            errors.append(message)
            continue
        words = tuple(_fold(w) for w in key.split())
        entries.append(Entry(words, ipa, pronunciation.strip(), kind, f"{origin}:{number}"))
    return Lexicon(tuple(entries))


def read(path: str | Path, errors: list[str] | None = None) -> Lexicon:
    """Read a lexicon file (``errors``: as in :func:`parse`).

    Raises:
        LexiconError: The file is missing, not UTF-8, or has a malformed line.
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise LexiconError(f"{path}: no such lexicon file") from None
    except UnicodeDecodeError:
        raise LexiconError(f"{path}: not UTF-8 text; save the lexicon as UTF-8") from None
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse(text, str(path), errors)


def load(home: Path, extra: Iterable[str | Path] = ()) -> Lexicon:
    """``$KREYOL_HOME/lexicon.tsv`` (if present), then each ``--lexicon`` file."""
    lexicon = Lexicon()
    if (home / FILENAME).is_file():
        lexicon = read(home / FILENAME)
    for path in extra:
        lexicon = lexicon.combined(read(path))
    return lexicon


def unknown_symbols(ipa: str, inventory: Mapping[str, object] | Iterable[str]) -> list[str]:
    """Characters of ``ipa`` that are neither in ``inventory`` nor a phoneme
    kreyol knows how to fit to a voice (see ``phonemes.FALLBACKS``)."""
    from kreyol_cli.creole.phonemes import FALLBACKS

    # A voice's map also holds digits and ASCII punctuation: not phonemes.
    known = {ch for ch in set(inventory) | set(FALLBACKS)
             if ch.isalpha() or unicodedata.category(ch)[0] in "ML" or ch in "ˈˌːˑ"} | {" "}
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", ipa):
        if ch not in known and ch not in out:
            out.append(ch)
    return out


def duplicates(lexicon: Lexicon) -> list[tuple[Entry, Entry]]:
    """``(first, later)`` pairs of entries with the same key in one lexicon."""
    seen: dict[tuple[str, ...], Entry] = {}
    out = []
    for entry in lexicon.entries:
        if entry.words in seen:
            out.append((seen[entry.words], entry))
        seen[entry.words] = entry
    return out


def problems(lexicon: Lexicon, inventory: Iterable[str], voice: str) -> list[str]:
    """One line per problem: unknown IPA symbols and duplicate words."""
    inventory = set(inventory)
    out = []
    for entry in lexicon.entries:
        unknown = unknown_symbols(entry.ipa, inventory)
        if unknown:
            out.append(f"{entry.origin}: unknown IPA symbol{'s' * (len(unknown) > 1)} "
                       f"{' '.join(repr(u) for u in unknown)} in {entry.given!r} for "
                       f"{entry.key!r} (not a phoneme of voice {voice}; write IPA, or a "
                       f"respelling in Creole letters)")
    for first, later in duplicates(lexicon):
        out.append(f"{later.origin}: {later.key!r} is already at {first.origin}; "
                   f"the later line wins: keep one")
    return out


def check_for_voice(lexicon: Lexicon, inventory: Iterable[str], voice: str) -> None:
    """Raise on the first unknown IPA symbol (what ``tts`` and ``audiobook`` do).

    Raises:
        LexiconError: An entry uses a symbol the voice cannot say.
    """
    inventory = set(inventory)
    for entry in lexicon.entries:
        if unknown_symbols(entry.ipa, inventory):
            raise LexiconError(problems(Lexicon((entry,)), inventory, voice)[0])
