"""Translation glossaries: file formats, matching, the tiny model made to use
the terms, cache keys, and the sentences where a term could not be honoured."""

from __future__ import annotations

import json

import pytest
from conftest import TINY_MARIAN

from kreyol_cli.errors import ExitCode
from kreyol_cli.glossary import GlossaryError, honoured, parse, read


def test_tsv_and_spreadsheet_csv_read_the_same(tmp_path):
    tsv = tmp_path / "g.tsv"
    tsv.write_text("# terms\ndoctor\tmedsen\nPfizer\n", "utf-8")
    csv_comma = tmp_path / "g.csv"
    csv_comma.write_bytes('\ufeffsource,target\n"doctor","medsen"\nPfizer,\n'.encode())
    csv_semicolon = tmp_path / "g2.csv"
    csv_semicolon.write_text("Term;Creole\ndoctor;medsen\nPfizer;Pfizer\n", "utf-8")
    expected = [("doctor", "medsen", False), ("Pfizer", "Pfizer", True)]
    for path in (tsv, csv_comma, csv_semicolon):
        assert [(t.source, t.target, t.protected) for t in read(path).terms] == expected, path


def test_a_header_row_in_the_users_language_is_not_a_term(tmp_path):
    """A French-locale spreadsheet: 'Français;Kreyòl' is the header, else every
    'Français' in a French text would have to come out as 'Kreyòl'."""
    glossary = tmp_path / "glossaire.csv"
    glossary.write_bytes("\ufeffFrançais;Kreyòl;Remarque\r\nmédecin;doktè;\r\n"
                         "Pfizer;;marque\r\n".encode())
    assert [(t.source, t.target) for t in read(glossary).terms] == [
        ("médecin", "doktè"), ("Pfizer", "Pfizer")]


def test_a_term_typed_with_a_straight_apostrophe_matches_a_curly_one():
    """French text from a word processor has l’hôpital; the spreadsheet glossary
    l'hôpital. Unmatched, the term was silently not applied (not even a miss)."""
    glossary = parse("l'hôpital\tlopital\n", "g")
    assert [t.source for t in glossary.matches("Je vais à l’hôpital demain.")] == ["l'hôpital"]
    assert honoured(parse("l’ap\tl’ap\n", "g").terms[0], "Li di l'ap vini.")


def test_excel_legacy_csv_and_unicode_text_glossaries_are_read(tmp_path):
    """Excel's plain 'CSV' on Windows is cp1252; its 'Unicode Text' is UTF-16 TSV."""
    legacy = tmp_path / "termes.csv"
    legacy.write_bytes("Français;Kreyòl\r\nmédecin;doktè\r\n".encode("cp1252"))
    warnings: list[str] = []
    assert [(t.source, t.target) for t in read(legacy, warnings.append).terms] == [
        ("médecin", "doktè")]
    assert warnings == [f"{legacy} is not UTF-8: read it as cp1252 (what Excel's plain 'CSV' "
                        f"writes on Windows); if accented letters look wrong, save it as "
                        f"'CSV UTF-8'"]
    unicode_text = tmp_path / "termes.txt"
    unicode_text.write_bytes("source\tCreole\r\nvaccine\tvaksen\r\n".encode("utf-16"))
    assert [(t.source, t.target) for t in read(unicode_text).terms] == [("vaccine", "vaksen")]


def test_matching_follows_case_and_word_boundaries():
    glossary = parse("doctor\tmedsen\nBen\nDoctor Jean\tDoktè Jan\n", "g")
    assert [t.source for t in glossary.matches("The doctor and the DOCTOR.")] == ["doctor"]
    assert glossary.matches("Benjamin and the doctors") == ()  # whole words only
    assert glossary.matches("ben is a word") == ()  # "Ben" is a name: that spelling
    assert [t.source for t in glossary.matches("Doctor Jean is here.")] == ["Doctor Jean"]


def test_a_malformed_glossary_is_one_clear_line(cli, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("doctor\tmedsen\n\tmedikaman\n", "utf-8")
    with pytest.raises(GlossaryError, match=r"bad.tsv:2: no source term"):
        read(bad)
    result = cli("translate", "-m", TINY_MARIAN, "--glossary", bad, "Good morning.")
    assert result.exit_code == ExitCode.INPUT and result.stderr.count("\n") == 1
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("médecin;doktè\n".encode("latin-1"))
    result = cli("translate", "-m", TINY_MARIAN, "--glossary", latin1, "Good morning.")
    assert result.exit_code == 0  # read as cp1252, with a warning (an old Excel's 'CSV')
    assert f"warning: {latin1} is not UTF-8: read it as cp1252" in result.stderr


@pytest.mark.parametrize(("sentence", "entry", "term"), [
    ("My name is John.", "John\n", "John"),  # protected: the model garbles the name
    ("The doctor is coming.", "doctor\tmedsen\n", "medsen"),  # required rendering
])
def test_the_tiny_model_uses_the_term_it_would_not_use(cli, tmp_path, sentence, entry, term):
    plain = cli("translate", "-m", TINY_MARIAN, sentence, "--no-cache")
    assert plain.exit_code == 0 and term not in plain.stdout
    glossary = tmp_path / "g.tsv"
    glossary.write_text(entry, "utf-8")
    result = cli("translate", "-m", TINY_MARIAN, sentence, "--glossary", glossary)
    assert result.exit_code == 0, result.stderr
    assert term in result.stdout.split() or f"{term}." in result.stdout
    assert "glossary" not in result.stderr  # honoured: nothing to warn about


def test_cache_keys_hold_only_the_entries_that_matched(tmp_path):
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings
    from kreyol_cli.translate import TranslateOptions, TranslationService

    model = Registry.load(Settings.load()).resolve_translation(str(TINY_MARIAN), "en", "ht")
    one = TranslationService(model, TranslateOptions(), glossary=parse("doctor\tmedsen\n", "a"))
    two = TranslationService(model, TranslateOptions(),
                             glossary=parse("doctor\tmedsen\nchurch\ttanp\n", "b"))
    other = TranslationService(model, TranslateOptions(), glossary=parse("doctor\tdoktè\n", "c"))
    plain = TranslationService(model, TranslateOptions())
    s = "The doctor is coming."
    assert one.key(s, one.terms(s)) == two.key(s, two.terms(s))  # unrelated line edited
    assert one.key(s, one.terms(s)) != other.key(s, other.terms(s))
    assert one.key(s, one.terms(s)) != plain.key(s, plain.terms(s))
    t = "Good morning."
    assert one.key(t, one.terms(t)) == plain.key(t, plain.terms(t))  # no term, same key


def test_a_term_that_cannot_be_honoured_is_warned_and_reported(cli, tmp_path):
    # The tiny model cannot put "tanp" into "We go to church on Sunday." (measured
    # in bench/glossary.py): a miss, reported, not hidden.
    book = tmp_path / "book.en.md"
    book.write_text("# School\n\nWe go to church on Sunday. Good morning.\n", "utf-8")
    glossary = tmp_path / "g.tsv"
    glossary.write_text("church\ttanp\n", "utf-8")
    result = cli("audiobook", book, "-m", TINY_MARIAN, "-o", tmp_path / "out",
                 "--glossary", glossary)
    assert result.exit_code == 0, result.stderr
    warning = "glossary: could not honour 'church' in 'We go to church on Sunday.'"
    assert warning in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["glossary_missed"] == [{"sentence": "We go to church on Sunday.",
                                          "terms": ["church"]}]
    assert any(warning in w for w in report["warnings"])


def test_a_forced_term_is_never_put_after_the_final_full_stop(cli, tmp_path):
    """Forced after "Doktè a ap vini." the term was tacked on ("Doktè a ap vini.
    medsen"): it contained the term, so it passed as honoured, unflagged."""
    glossary = tmp_path / "g.tsv"
    glossary.write_text("doctor\tmedsen\n", "utf-8")
    result = cli("translate", "-m", TINY_MARIAN, "--glossary", glossary,
                 "The doctor is coming.")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Doktè a ap medsen\n"
