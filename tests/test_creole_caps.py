"""All-caps headings: Creole words in capitals are read, acronyms are spelled.

``data/ht_caps_lines.tsv`` holds real headings (Védrine's school report,
Pawòl Lakay, a Pwoteksyon Sivil notice) and ones written in the style of
MENFP books and MSPP/DPC posters; its header names the sources. Measured
(exact phoneme match with the reading column): 84% before this work, 100% now.
"""

from __future__ import annotations

import pytest

from kreyol_cli.creole import phonemize
from kreyol_cli.creole.caps import pronounceable, shouted, spelled
from kreyol_cli.creole.g2p import read_word
from tests.creole_sets import rows, said

ROWS = rows("ht_caps_lines.tsv")


def test_the_caps_set_is_big_and_sourced():
    assert len(ROWS) >= 100
    assert all(len(row) == 3 and row[2] for row in ROWS)
    assert sum(row[2] != "written" for row in ROWS) >= 15  # real public headings


def test_caps_lines_are_read_like_their_reading():
    wrong = [(line, said(line), said(reading)) for line, reading, _ in ROWS if said(line) != said(reading)]
    assert 1 - len(wrong) / len(ROWS) >= 0.97, wrong


@pytest.mark.parametrize(("word", "ipa"), [
    ("DLO", "dlo"), ("BWA", "bwa"), ("NOU", "nu"), ("YE", "je"), ("PLAJ", "plaʒ"), ("FRI", "fɣi"),
    ("LEKÒL", "lekɔl"), ("PÒTOPRENS", "pɔtopɣɛ̃s"),
])  # fmt: skip
def test_a_creole_word_in_capitals_is_a_word(word, ipa):
    assert read_word(word).ipa == ipa
    assert read_word(word).source != "acronym"


@pytest.mark.parametrize(("word", "ipa"), [
    ("SMS", "ɛsɛmɛs"), ("PDF", "pedeɛf"), ("ONU", "oɛni"), ("MENFP", "ɛmeɛnɛfpe"),
])  # fmt: skip
def test_acronyms_are_spelled(word, ipa):
    assert read_word(word).ipa == ipa
    assert phonemize(f"VOYE {word} LA") [1] == ipa  # spelled in a shouted line too


def test_pronounceable_acronyms_are_read():
    assert phonemize("UNICEF AK MINUSTAH") == ["junisɛf", "ak", "minista"]


def test_numbers_in_a_shouted_line_do_not_unshout_it():
    assert phonemize("GEN 8 AN") == ["ɡɛ̃", "ɥit", "ã"]
    assert phonemize("RISK AK DEZAS") == ["ɣisk", "ak", "dezas"]


@pytest.mark.parametrize("word", ["dlo", "pwoblèm", "elektrik", "enstriksyon", "fanm", "risk",
                                  "minustah", "tranblemanntè", "spò", "bwa"])
def test_pronounceable(word):
    assert pronounceable(word)


@pytest.mark.parametrize("word", ["pdf", "sms", "menfp", "mspp", "pnh", "brh", "x"])
def test_not_pronounceable(word):
    assert not pronounceable(word)


def test_short_unknown_caps_are_spelled_in_mixed_text_and_read_in_headings():
    assert spelled("EDH") and spelled("KDP")
    assert spelled("KDP", True)  # no vowel: spelled even in a heading
    assert not spelled("Lekòl") and not spelled("A")
    assert shouted("SPÒ") and shouted("GEN 8 AN") and not shouted("Gen 8 AN")
