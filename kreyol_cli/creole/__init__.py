"""Haitian Creole front end: text normalization and grapheme-to-phoneme rules.

Pure Python, no dependencies: ``normalize`` turns written Creole into words,
``phonemize_word``/``phonemize`` turn words into IPA by the official
orthography's rules, ``sentence_phonemes`` shapes that IPA for Piper, and
``map_to_voice`` fits it to a voice trained on another language.
"""

from kreyol_cli.creole.g2p import phonemize, phonemize_word, sentence_phonemes
from kreyol_cli.creole.normalize import normalize
from kreyol_cli.creole.phonemes import map_to_voice, phoneme_error_rate, tokenize_ipa

#: Bump whenever normalize/G2P output can change, so caches keyed on it expire.
RULES_VERSION = "1"

__all__ = [
    "RULES_VERSION",
    "map_to_voice",
    "normalize",
    "phoneme_error_rate",
    "phonemize",
    "phonemize_word",
    "sentence_phonemes",
    "tokenize_ipa",
]
