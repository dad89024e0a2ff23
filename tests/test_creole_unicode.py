"""Creole front end against every kind of character and very long numbers.

No input may crash ``phonemize`` / ``sentence_phonemes`` / ``normalize`` or
take more than a bounded time, and no digit may reach the voice.
"""

from __future__ import annotations

import re
import sys
import time
import unicodedata

import pytest

from kreyol_cli.creole import normalize, phonemize, sentence_phonemes
from kreyol_cli.creole.g2p import read_word

#: Seconds one short input may take (generous: 2 shared cores).
BUDGET = 2.0


def _by_category(per_category: int = 12) -> dict[str, list[str]]:
    """Up to ``per_category`` code points of each Unicode general category,
    spread over the whole code space (every script's digits, superscripts,
    fractions, circled numbers, letterlike symbols, emoji, marks, RTL, CJK)."""
    found: dict[str, list[str]] = {}
    for cp in range(0, sys.maxunicode + 1, 97):
        ch = chr(cp)
        found.setdefault(unicodedata.category(ch), [])
        if len(found[unicodedata.category(ch)]) < per_category:
            found[unicodedata.category(ch)].append(ch)
    return found


SAMPLES = [
    *"²³¹⁰⁴⁹₂½¼¾⅓⅔⅕⅛⅞⅟①⑳⑴⒈⓪❶➀٣۴७৫๙០᠑𝟐𝟗Ⅳⅻↀ〇十万ℕℵ™℃℉Ω№⁄",
    "😀", "👩🏽‍🏫", "🇭🇹", "\u0301", "\u200d", "\u202e", "\ufeff", "مرحبا", "שלום", "漢字", "한국어",
]


def _check(text: str) -> None:
    start = time.monotonic()
    words = phonemize(text)
    phonemes = sentence_phonemes(text)
    spoken = normalize(text)
    assert time.monotonic() - start < BUDGET, repr(text)
    assert not re.search(r"[0-9]", " ".join(words) + "".join(phonemes)), (text, words)
    assert not any(ch.isdigit() for ch in spoken), (text, spoken)


@pytest.mark.parametrize("category", sorted(_by_category()))
def test_every_unicode_category_is_read_without_crashing(category):
    for ch in _by_category()[category]:
        for text in (ch, f"Kay la gen 5{ch} pitit.", f"{ch}{ch}{ch}", f"LESON {ch} AK 2{ch}"):
            _check(text)


@pytest.mark.parametrize("ch", SAMPLES)
def test_number_like_symbols_are_read(ch):
    _check(f"{ch} Premye etap, 3{ch} m{ch} x{ch}")
    assert read_word(f"x{ch}").ipa is not None


def test_every_digit_of_every_script_is_read_as_a_number():
    nd = [chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Nd"]
    assert len(nd) > 500
    text = " ".join(nd)
    assert not re.search(r"[0-9]", normalize(text))
    assert normalize(" ".join(ch for ch in nd if unicodedata.decimal(ch) == 7)).split() == ["sèt"] * sum(
        1 for ch in nd if unicodedata.decimal(ch) == 7
    )


@pytest.mark.parametrize(("text", "words"), [
    ("Kay la gen 50 m².", "Kay la gen senkant mèt kare."),
    ("10 km²", "dis kilomèt kare"),
    ("x³", "x kib"),
    ("E=mc²", "E egal mc kare"),
    ("① Premye etap", "en Premye etap"),
    ("½ lit lwil", "yon demi lit lwil"),
    ("2½ kilo", "de e demi kilo"),
    ("¾ tas", "twa ka tas"),
    ("10⁶", "dis pisans sis"),
    ("٣ pitit", "twa pitit"),
    ("𝐃𝐢𝐫𝐞𝐤𝐬𝐲𝐨𝐧 𝟐𝟗 out", "Direksyon ventnèf out"),  # styled text as on social media
    ("Chapit Ⅳ", "Chapit kat"),
    ("30℃", "trant degre selsiyis"), ("№ 5", "nimewo senk"), ("Coca-Cola™", "Coca-Cola"), ("ﬁn", "fin"),
])  # fmt: skip
def test_symbols_are_read_as_creole_words(text, words):
    assert normalize(text) == words


def test_symbols_no_longer_crash_the_cli(cli):
    for text in ("Kay la gen 50 m².", "x³", "E=mc²", "① Premye etap"):
        result = cli("phonemize", text)
        assert result.exit_code == 0, (text, result.output)
        assert result.stdout.strip()


@pytest.mark.parametrize("text", [
    "1" * 100_000, "Li peye " + "1" * 5000 + " goud.", "3," + "7" * 5000, "1 " * 50_000,
    "1." * 50_000, "1-" * 50_000, "+1" * 50_000, "1" * 5000 + "em", "a." * 50_000,
    "a@" * 30_000, "$" + "9" * 5000, "1" * 5000 + "%",
])  # fmt: skip
def test_huge_numbers_are_read_digit_by_digit_in_linear_time(text, caplog):
    start = time.monotonic()
    words = phonemize(text)
    assert time.monotonic() - start < 10, len(text)
    assert words
    assert "normalize failed" not in caplog.text  # no traceback printed, nothing kept unread


def test_a_long_number_is_digits_and_a_short_one_a_cardinal():
    assert normalize("Li peye " + "1" * 20 + " goud") == "Li peye " + " ".join(["en"] * 20) + " goud"
    assert normalize("Li peye 1 500 000 goud") == "Li peye yon milyon senk san mil goud"


def test_any_text_is_read_without_crashing():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    @hypothesis.settings(max_examples=300, deadline=2000, database=None)
    @hypothesis.given(st.text(max_size=40))
    def check(text):
        _check(text)

    check()
