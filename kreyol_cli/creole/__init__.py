"""Haitian Creole front end: text normalization and grapheme-to-phoneme rules.

Pure Python (``foreign`` borrows espeak-ng from piper): ``normalize`` turns written Creole into words,
``phonemize_word``/``phonemize`` turn words into IPA by the official
orthography's rules, ``sentence_phonemes`` shapes that IPA for Piper, and
``map_to_voice`` fits it to a voice trained on another language. ``lexicon``
reads the pronunciation lexicons users own; ``foreign`` reads names and loans
whose spelling cannot be Creole.

No rules version is needed for caches: audio is keyed by the phonemes sent to
the voice, so a rules change re-renders exactly the sentences it changes.
"""

from kreyol_cli.creole.g2p import phonemize, phonemize_word, sentence_phonemes
from kreyol_cli.creole.normalize import normalize
from kreyol_cli.creole.phonemes import map_to_voice, phoneme_error_rate, tokenize_ipa

__all__ = [
    "map_to_voice",
    "normalize",
    "phoneme_error_rate",
    "phonemize",
    "phonemize_word",
    "sentence_phonemes",
    "tokenize_ipa",
]
