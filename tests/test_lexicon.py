"""User pronunciation lexicons: format, G2P, the CLI, and audio re-rendered
only where a lexicon entry changes the phonemes."""

from __future__ import annotations

import json

import pytest

from kreyol_cli.creole import lexicon as lexicons
from kreyol_cli.creole.g2p import readings, sentence_phonemes
from kreyol_cli.errors import ExitCode

CREOLE_BOOK = """# Ti Liv Kowòt

*Mari Jozèf*

## Lekòl la

Bonjou zanmi. Kowòt ale lekòl chak jou. Lapli ap tonbe.

## Mache a

Manman m ap vann diri. Kowòt achte pen nan mache a. Mèsi anpil.
"""
#: The sentences that say "Kowòt" (the title is spoken too: "Ti Liv Kowòt.").
WITH_ENTRY = ["Ti Liv Kowòt.", "Kowòt ale lekòl chak jou.", "Kowòt achte pen nan mache a."]


def write(path, text):
    path.write_text(text, "utf-8")
    return path


def test_a_respelling_gives_the_same_phonemes_as_the_ipa():
    respelled = lexicons.parse("Jean-Jacques\tJan Jak\n", "a.tsv")
    ipa = lexicons.parse("Jean-Jacques\t/ʒã ʒak/\n", "b.tsv")
    sentence = "Jean-Jacques rive."
    assert respelled.entries[0].kind == "respelling" and ipa.entries[0].kind == "ipa"
    assert sentence_phonemes(sentence, respelled) == sentence_phonemes(sentence, ipa)
    assert sentence_phonemes(sentence, respelled)[:7] == list("ʒa\u0303 ʒak")


def test_case_rules_and_phrases():
    lexicon = lexicons.parse("kowòt\tkoɣɔt\nPaul\tpɔl\nJean Baptiste\tJan Batis\n", "l.tsv")
    said = {r.text: (r.ipa, r.source) for r in readings("KOWÒT ak Kowòt, paul, Paul, "
                                                        "Jean Baptiste", lexicon)}
    assert said["Kowòt"] == ("koɣɔt", "lexicon l.tsv:1")  # lower-case key: any case
    assert said["paul"][1] != "lexicon l.tsv:2"  # a capitalised key: only that spelling
    assert said["Paul"] == ("pɔl", "lexicon l.tsv:2")
    assert said["Jean Baptiste"] == ("ʒã batis", "lexicon l.tsv:3")  # one reading, 2 words


def test_phonemize_applies_lexicons_and_explains(cli, tmp_path, kreyol_home):
    assert cli("phonemize", "Kowòt rive.").stdout == "kowɔt ɣive\n"
    kreyol_home.mkdir(parents=True)
    write(kreyol_home / "lexicon.tsv", "Kowòt\tKowot\n")  # always read
    assert cli("phonemize", "Kowòt rive.").stdout == "kowot ɣive\n"
    project = write(tmp_path / "p.tsv", "Kowòt\t/kɔɣɔt/\n")  # the project file wins
    assert cli("phonemize", "--lang", "en", "--explain", "hi").exit_code == ExitCode.USAGE
    result = cli("phonemize", "--lexicon", project, "--explain", "Kowòt rive Jean-Jacques.")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Kowòt\tkɔɣɔt\tlexicon {project}:1",
        "rive\tɣive\trules",
        "Jean-Jacques\tʒãʒak\tfrench",
    ]


def test_lexicon_check_shows_entries_and_reports_problems(cli, tmp_path):
    good = write(tmp_path / "good.tsv", "# names\nJean-Jacques\tJan Jak\nKowòt\t/kɔɣɔt/\n")
    result = cli("lexicon", "check", good)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Jean-Jacques\tʒã ʒak\trespelling\t{good}:2", f"Kowòt\tkɔɣɔt\tipa\t{good}:3"]

    bad = write(tmp_path / "bad.tsv", "Kowòt\t/kɔ3ɔt/\nKowòt\tKowot\n")
    result = cli("lexicon", "check", bad)
    assert result.exit_code == ExitCode.INPUT
    errors = result.stderr.strip().splitlines()
    assert errors[0].startswith(f"error: {bad}:1: unknown IPA symbol '3' in '/kɔ3ɔt/'")
    assert errors[1].startswith(f"error: {bad}:2: 'Kowòt' is already at {bad}:1")
    assert len(errors) == 3  # and the summary


def test_lexicon_check_reports_every_malformed_line_in_one_run(cli, tmp_path):
    """A validator lists what to fix at once, in file order, not one line per run."""
    bad = write(tmp_path / "bad.tsv", "Jan\tJan\nPyè koɣɔt\nKowòt\t/kɔ3ɔt/\nPòl\t\nLwi\tLwi\n")
    result = cli("lexicon", "check", bad)
    assert result.exit_code == ExitCode.INPUT
    assert result.stdout.splitlines() == [f"Jan\tʒã\trespelling\t{bad}:1",
                                          f"Kowòt\tkɔ3ɔt\tipa\t{bad}:3",
                                          f"Lwi\tlwi\trespelling\t{bad}:5"]
    errors = result.stderr.strip().splitlines()
    assert [e.split(": ")[1] for e in errors[:-1]] == [f"{bad}:2", f"{bad}:3", f"{bad}:4"]
    assert errors[0].endswith("got 'Pyè koɣɔt' (separate the word and its IPA or respelling "
                              "with one TAB)")
    assert errors[-1] == "error: 3 problems found: fix the lines above"


@pytest.mark.parametrize(("text", "message"), [
    ("Kowòt koɣɔt\n", ":1: expected 'word<TAB>pronunciation', got 'Kowòt koɣɔt'"),
    ("# ok\nKowòt\t[kɔ3ɔt]\n", ":2: unknown IPA symbol '3' in '[kɔ3ɔt]' for 'Kowòt'"),
])
def test_a_bad_lexicon_is_one_clear_line(cli, tmp_path, text, message):
    lexicon = write(tmp_path / "bad.tsv", text)
    result = cli("tts", "--lexicon", lexicon, "Bonjou.", "-o", tmp_path / "a.wav")
    assert result.exit_code == ExitCode.INPUT
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert not (tmp_path / "a.wav").exists()


def test_a_lexicon_edit_resynthesizes_exactly_the_sentences_it_changes(cli, tmp_path):
    book = write(tmp_path / "liv.ht.md", CREOLE_BOOK)
    out = tmp_path / "out"
    first = cli("audiobook", book, "-o", out, "--quiet")
    assert first.exit_code == 0, first.stderr
    report = json.loads((out / "report.json").read_text())
    total = report["speech"]["synthesized_sentences"]
    assert report["speech"]["cached_sentences"] == 0 and total == 10

    lexicon = write(tmp_path / "names.tsv", "Kowòt\tKowot\n")  # [kowot], not [kowɔt]
    again = cli("audiobook", book, "-o", out, "--quiet", "--lexicon", lexicon)
    assert again.exit_code == 0, again.stderr  # a changed lexicon is a new build, not exit 10
    report = json.loads((out / "report.json").read_text())
    assert sorted(report["speech"]["synthesized"]) == sorted(WITH_ENTRY)
    assert report["cache"]["audio"] == {"hits": total - 3, "misses": 3}

    # The same pronunciation written as IPA: the book is already made as asked...
    ipa = write(tmp_path / "ipa.tsv", "Kowòt\t/kowot/\n")
    third = cli("audiobook", book, "-o", out, "--quiet", "--lexicon", ipa)
    assert third.exit_code == ExitCode.ALREADY_DONE, third.stderr
    # ...and rebuilt, every sentence's phonemes are in the cache.
    fourth = cli("audiobook", book, "-o", out, "--quiet", "--lexicon", ipa, "--mode", "redo")
    assert fourth.exit_code == 0, fourth.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["speech"]["synthesized_sentences"] == 0


def test_keys_match_the_text_as_written(cli):
    from conftest import EXAMPLES

    result = cli("phonemize", "--explain", "--lexicon", EXAMPLES / "lexicon.tsv",
                 "COVID-19 rive Les Cayes.")
    assert result.stdout.splitlines()[0] == (
        f"COVID-19\tkovid diznɛf\tlexicon {EXAMPLES / 'lexicon.tsv'}:15")
    assert result.stdout.splitlines()[2].startswith("Les Cayes\tokaj\t")


def test_the_example_files_are_valid(cli):
    from conftest import EXAMPLES

    from kreyol_cli.glossary import read as read_glossary
    from kreyol_cli.review import read as read_review

    assert cli("lexicon", "check", EXAMPLES / "lexicon.tsv").exit_code == 0
    glossary = read_glossary(EXAMPLES / "glossary.csv")
    assert ("Pfizer", "Pfizer") in [(t.source, t.target) for t in glossary.terms]
    review = read_review(EXAMPLES / "lesson.review.xlf")
    assert review.original == "lesson.en.md" and len(review.segments) == 12
