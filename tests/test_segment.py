"""Sentence and unit splitting: the document keeps its shape and no text is dropped."""

from __future__ import annotations

import random

import pytest

from kreyol_cli.segment import Unit, iter_units, split_long, split_sentences


def words(text: str) -> list[str]:
    return text.split()


def render_identity(units) -> str:
    """Write units back with their own text: what translate does with an identity model."""
    return "".join(u.render(u.text) for u in units)


# ------------------------------------------------------------------ units --


def test_units_keep_markers_indentation_and_blank_lines():
    lines = ["# Title\n", "\n", "- item one\n", "  * nested item\n", "1. first\n",
             "b) second\n", "    Indented line.\n", "   \n", "> quoted.\n", "End."]
    units = list(iter_units(lines))
    assert [(u.prefix, u.text, u.newline) for u in units] == [
        ("# ", "Title", "\n"),
        ("", "", "\n"),
        ("- ", "item one", "\n"),
        ("  * ", "nested item", "\n"),
        ("1. ", "first", "\n"),
        ("b) ", "second", "\n"),
        ("    ", "Indented line.", "\n"),
        ("   ", "", "\n"),
        ("> ", "quoted.", "\n"),
        ("", "End.", ""),
    ]
    assert render_identity(units) == "".join(lines)


def test_hard_wrapped_paragraph_is_joined_into_one_unit():
    lines = ["The school is near\n", "the church and\n", "the market.\n", "\n", "New paragraph.\n"]
    units = list(iter_units(lines))
    assert [u.text for u in units] == ["The school is near the church and the market.", "",
                                       "New paragraph."]
    assert render_identity(units) == ("The school is near the church and the market.\n\n"
                                      "New paragraph.\n")


def test_one_sentence_per_line_stays_one_unit_per_line():
    lines = ["Good morning.\n", "good evening.\n", "How are you\n", "Thank you.\n"]
    # A line ending a sentence is never continued; a capitalised line starts a new unit.
    assert [u.text for u in iter_units(lines)] == ["Good morning.", "good evening.", "How are you",
                                                   "Thank you."]


def test_crlf_and_other_line_breaks_are_written_back():
    lines = ["One.\r\n", "Two.\x0c", "Three.\u2028", "\x0c", "Four."]
    units = list(iter_units(lines))
    assert [u.newline for u in units] == ["\r\n", "\x0c", "\u2028", "\x0c", ""]
    assert render_identity(units) == "".join(lines)


def test_iter_units_streams():
    consumed = []

    def lines():
        for i in range(1000):
            consumed.append(i)
            yield f"Sentence number {i}.\n"

    first = next(iter_units(lines()))
    assert first.text == "Sentence number 0."
    assert len(consumed) <= 2  # one line of look-ahead at most


def test_unit_render():
    assert Unit("  - ", "x", "\n").render("Bonjou.") == "  - Bonjou.\n"


@pytest.mark.parametrize("seed", range(5))
def test_no_word_is_lost_on_random_documents(seed):
    rng = random.Random(seed)
    vocab = ["the", "School", "is", "near.", "Dr.", "e.g.", "«", "Bonjou!", "1.", "-", "*", "»",
             "a)", "what?", "(see", "p.", "3)", "…", "ÉCOLE", "été.", "—", "#", ">", "x" * 30]
    lines = []
    for _ in range(200):
        kind = rng.random()
        if kind < 0.15:
            lines.append(rng.choice(["", "  ", "\t"]) + rng.choice(["\n", "\r\n"]))
            continue
        indent = rng.choice(["", "", "  ", "\t"])
        body = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 12)))
        lines.append(indent + body + rng.choice(["\n", "\r\n", ""]))
    text = "".join(lines)
    units = list(iter_units(text.splitlines(keepends=True)))
    assert words("".join(u.prefix + " " + u.text + u.newline for u in units)) == words(text)
    for u in units:
        assert " ".join(split_sentences(u.text)).split() == u.text.split()


# ------------------------------------------------------------- sentences --


def test_split_sentences_basic_and_abbreviations():
    assert split_sentences("Dr. Smith is here. He said \"Hello!\" Then he left... OK? 3 cats. "
                           "J. Doe came.") == [
        "Dr. Smith is here.", 'He said "Hello!"', "Then he left...", "OK?", "3 cats.",
        "J. Doe came."]
    assert split_sentences("Il est là. M. Dupont arrive! Bon.") == [
        "Il est là.", "M. Dupont arrive!", "Bon."]
    assert split_sentences("  ") == []
    assert split_sentences("no punctuation at all") == ["no punctuation at all"]


def test_split_sentences_folds_only_whitespace():
    text = "One.   Two?\tThree!\n Four… five. Six"
    assert " ".join(split_sentences(text)) == " ".join(text.split())


# ---------------------------------------------------------------- windows --


def test_split_long_prefers_word_starts_and_keeps_every_token():
    pieces = ["▁a", "b", "c", "▁d", "e", "▁f", "g", "▁h"]
    windows = split_long(pieces, 4)
    assert [t for w in windows for t in w] == pieces
    assert all(len(w) <= 4 for w in windows)
    assert all(w[0].startswith("▁") for w in windows)  # no word was cut


def test_split_long_prefers_clause_marks():
    # A clause mark in the second half of a window ends it, rather than the last word.
    pieces = ["▁one", "▁two", "▁three", "▁four", "▁,", "▁five", "▁six", "▁seven"]
    assert split_long(pieces, 6)[0] == ["▁one", "▁two", "▁three", "▁four", "▁,"]


def test_split_long_hard_cuts_a_word_longer_than_the_limit():
    pieces = ["x"] * 25
    windows = split_long(pieces, 10)
    assert [len(w) for w in windows] == [10, 10, 5]


def test_split_long_short_and_empty():
    assert split_long(["▁a"], 5) == [["▁a"]]
    assert split_long([], 5) == [[]]
    with pytest.raises(ValueError):
        split_long(["▁a"], 0)


@pytest.mark.parametrize("seed", range(3))
def test_split_long_random(seed):
    rng = random.Random(seed)
    pieces = [rng.choice(["▁w", "x", "▁,", "y"]) for _ in range(5000)]
    for limit in (1, 7, 200):
        windows = split_long(pieces, limit)
        assert [t for w in windows for t in w] == pieces
        assert max(map(len, windows)) <= limit


def test_creole_sentences_ending_in_a_determiner_are_split():
    # "a", "la", "an" end countless Creole sentences; only capital letters are initials.
    text = "Timoun yo ale nan mache a. Nan jou 2 a, Mari te pote zoranj. J. Pòl vini."
    assert split_sentences(text) == [
        "Timoun yo ale nan mache a.", "Nan jou 2 a, Mari te pote zoranj.", "J. Pòl vini."]
