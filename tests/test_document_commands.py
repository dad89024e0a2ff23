"""Every command that takes a document reads it with the same readers: translate -i,
tts -i and audiobook on EPUB, DOCX and non-UTF-8 text; --source auto; Creole passed
through."""

from __future__ import annotations

import json

import pytest
from conftest import TINY_MARIAN, corpus_pairs
from doc_factory import (
    EpubChapter,
    docx_bytes,
    encrypted_docx_bytes,
    epub_bytes,
    w_footnote_ref,
    w_para,
    w_run,
)
from test_audiobook import chapters_of

from kreyol_cli.errors import ExitCode
from kreyol_cli.language import choose_source, detect_language

PAIRS = [p for p in corpus_pairs() if len(p[0]) > 12]
FRENCH = ("Les enfants jouent dans la cour de l'école. Le médecin viendra demain au village. "
          "Il faut protéger les forêts de notre pays.")
CREOLE = ("Timoun yo ap jwe nan lakou lekòl la. Doktè a ap vini nan bouk la demen. Nou dwe "
          "pwoteje forè peyi nou an.")


def english_docx(tmp_path, chapters: int = 2, per_chapter: int = 3):
    """A DOCX of corpus sentences (the tiny model knows them), one Heading 1 per chapter."""
    body, expected = [], []
    for c in range(chapters):
        chunk = PAIRS[c * per_chapter:(c + 1) * per_chapter]
        title_en, title_ht = PAIRS[-(c + 1)]
        body.append(w_para(w_run(title_en), style="Heading1"))
        body.append(w_para(w_run(chunk[0][0]), w_footnote_ref(c + 1),
                           w_run(" " + " ".join(en for en, _ in chunk[1:]))))
        expected.append((title_ht, [ht for _, ht in chunk]))
    path = tmp_path / "lesson.docx"
    notes = {c + 1: "A note that is never read." for c in range(chapters)}
    path.write_bytes(docx_bytes(body, footnotes=notes, title="Lesson", language="en-US"))
    return path, expected


# --- language ------------------------------------------------------------------------------


def test_language_identifier_on_real_sentences():
    assert detect_language(FRENCH)[0] == "fr"
    assert detect_language(CREOLE)[0] == "ht"
    assert detect_language(" ".join(en for en, _ in PAIRS[:10]))[0] == "en"
    assert detect_language(" ".join(ht for _, ht in PAIRS[:10]))[0] == "ht"


@pytest.mark.parametrize(("requested", "path", "declared", "sample", "expected"), [
    ("fr", "book.ht.pdf", "en", CREOLE, ("fr", "--source")),
    ("auto", "book.ht.pdf", "en", FRENCH, ("ht", "from the file name")),
    (None, "book.epub", "fr", CREOLE, ("fr", "from the document's metadata")),
    (None, "book.epub", "es", CREOLE, ("ht", None)),
    (None, None, "", "Merci.", ("en", None)),  # too short to tell: English, and said so
])
def test_source_auto_order(requested, path, declared, sample, expected):
    language, how = choose_source(requested, path, declared, sample)
    assert language == expected[0]
    if expected[1]:
        assert how == expected[1]
    if sample == "Merci.":
        assert "too short" in how and "--source" in how


# --- translate ------------------------------------------------------------------------------


def test_translate_creole_is_copied_through(cli, tmp_path):
    text = "Bonjou tout moun.\n\n- Mèsi anpil.\n"
    tagged = tmp_path / "nouvel.ht.txt"
    tagged.write_text(text, "utf-8")
    result = cli("translate", "-i", tagged)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == text
    assert "copied through untranslated" in result.stderr
    explicit = cli("translate", "--source", "ht", "Mwen byen, mèsi.")
    assert explicit.exit_code == 0 and explicit.stdout == "Mwen byen, mèsi.\n"
    untagged = tmp_path / "nouvel.txt"
    untagged.write_text(CREOLE + "\n", "utf-8")
    detected = cli("translate", "-i", untagged)
    assert detected.exit_code == 0 and detected.stdout == CREOLE + "\n"
    assert "Haitian Creole (ht), detected from the text" in detected.stderr


def test_a_guessed_source_language_is_a_warning_even_in_cron(cli, tmp_path):
    """Off a terminal and with --quiet, a source language that is only a default guess
    (a word or two) is still said: the error that follows (an English model to pull
    for a Creole "Bonjou.") makes sense only with it."""
    expected = "warning: source language: English (en), by default: the text is too short"
    piped = cli("translate", "--quiet", input="Bonjou.\n")
    assert piped.exit_code == ExitCode.MODEL
    assert piped.stderr.startswith(expected)
    assert "pass --source" in piped.stderr.splitlines()[0]
    (tmp_path / "mo.txt").write_text("Bonjou.\n", "utf-8")
    book = cli("audiobook", tmp_path / "mo.txt", "-o", tmp_path / "out", "--quiet")
    assert book.exit_code == ExitCode.MODEL
    assert book.stderr.startswith(expected)
    # A choice that is not a guess stays out of cron logs.
    (tmp_path / "long.txt").write_text(CREOLE + "\n", "utf-8")
    sure = cli("translate", "--quiet", "-i", tmp_path / "long.txt")
    assert sure.exit_code == 0 and sure.stderr == ""


def test_translate_a_docx(cli, tmp_path):
    path, expected = english_docx(tmp_path)
    result = cli("translate", "-m", TINY_MARIAN, "-i", path)
    assert result.exit_code == 0, result.stderr
    paragraphs = result.stdout.strip().split("\n\n")
    assert paragraphs == [expected[0][0], " ".join(expected[0][1]),
                          expected[1][0], " ".join(expected[1][1])]


def test_translate_a_cp1252_file_without_a_flag(cli, tmp_path):
    path = tmp_path / "old.en.txt"
    path.write_bytes(f"{PAIRS[0][0]}\n{PAIRS[1][0]}\n".encode("cp1252"))
    result = cli("translate", "-m", TINY_MARIAN, "-i", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{PAIRS[0][1]}\n{PAIRS[1][1]}\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_translate_unicode_files_with_a_bom(cli, tmp_path, encoding):
    path = tmp_path / "notepad.en.txt"
    path.write_bytes(f"{PAIRS[0][0]}\r\n{PAIRS[1][0]}\r\n".encode(encoding))
    result = cli("translate", "-m", TINY_MARIAN, "-i", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [PAIRS[0][1], PAIRS[1][1]]
    assert "warning" not in result.stderr


def test_tts_reads_an_epub(cli, tmp_path):
    epub = tmp_path / "ti-liv.epub"
    epub.write_bytes(epub_bytes([EpubChapter("Premye pati", ["Bonjou tout moun."])], lang="ht"))
    out = tmp_path / "ti-liv.wav"
    result = cli("tts", "-i", epub, "-o", out)
    assert result.exit_code == 0, result.stderr
    from audio_utils import duration

    assert duration(out) > 1.0


def test_bad_document_leaves_no_output(cli, tmp_path):
    epub = tmp_path / "broken.epub"
    epub.write_bytes(epub_bytes([EpubChapter("One", ["Text."])])[:-200])
    out = tmp_path / "out.txt"
    result = cli("translate", "-m", TINY_MARIAN, "-i", epub, "-o", out)
    assert result.exit_code == ExitCode.INPUT and "truncated zip" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.epub"]


# --- audiobook -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "code"), [
    ("drm.en.epub", epub_bytes([EpubChapter("One", ["Text."])], encrypted=True),
     ExitCode.ENCRYPTED),
    ("half.en.epub", epub_bytes([EpubChapter("One", ["Text."])])[:-300], ExitCode.INPUT),
    ("locked.en.docx", encrypted_docx_bytes(), ExitCode.ENCRYPTED),
])
def test_audiobook_bad_documents_leave_nothing(cli, tmp_path, name, data, code):
    path = tmp_path / name
    path.write_bytes(data)
    result = cli("audiobook", path, "-o", tmp_path / "out", "-m", TINY_MARIAN, "-q")
    assert result.exit_code == code, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_audiobook_from_a_creole_epub(cli, tmp_path):
    """dc:language says Creole: no translation; chapters from the nav, front matter kept."""
    book = epub_bytes([
        EpubChapter("Copyright", ["© 2024 Ekip kreyol."], kind="frontmatter"),
        EpubChapter("Jaden lekòl la", ["Timoun yo plante yon grenn mango.<a epub:type="
                                       "\"noteref\" href=\"#fn2-1\"><sup>1</sup></a> Yo wouze l "
                                       "chak jou."], notes=["Mango pouse byen an Ayiti."]),
        EpubChapter("Sezon lapli", ["Lapli tonbe nan mwa me. Pye bwa a grandi."]),
    ], title="Ti Jaden", author="Ekip kreyol", lang="ht")
    path = tmp_path / "ti-jaden.epub"
    path.write_bytes(book)
    out = tmp_path / "book"
    result = cli("audiobook", path, "-o", out, "--quiet")
    assert result.exit_code == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert "translation" not in report["models"]
    assert [t for _, _, t in chapters_of(out / "ti-jaden.m4b")] == [
        "Copyright", "Jaden lekòl la", "Sezon lapli"]
    text = (out / "ti-jaden.ht.md").read_text()
    assert "Timoun yo plante yon grenn mango. Yo wouze l chak jou." in text
    assert "Mango pouse" not in text and "mango.1" not in text


@pytest.mark.slow
def test_audiobook_from_an_english_docx(cli, tmp_path):
    path, expected = english_docx(tmp_path)
    out = tmp_path / "book"
    result = cli("audiobook", path, "-o", out, "--model", TINY_MARIAN, "--quiet")
    assert result.exit_code == 0, result.stderr
    assert [t for _, _, t in chapters_of(out / "lesson.m4b")] == [t for t, _ in expected]
    text = (out / "lesson.ht.md").read_text()
    for _, sentences in expected:
        assert " ".join(sentences) in text
    assert "never read" not in text


@pytest.mark.slow
def test_audiobook_reads_cp1252_and_honours_encoding(cli, tmp_path):
    path = tmp_path / "fab.ht.txt"
    path.write_bytes("Lekòl la louvri lendi. Mèsi anpil, pwofesè.\n".encode("cp1252"))
    out = tmp_path / "book"
    result = cli("audiobook", path, "-o", out, "--progress", "none")
    assert result.exit_code == 0, result.stderr
    assert "read it as cp1252" in result.stderr
    assert "Lekòl la louvri lendi. Mèsi anpil, pwofesè." in (out / "fab.ht.md").read_text()
    forced = cli("audiobook", path, "-o", tmp_path / "b2", "--encoding", "utf-8")
    assert forced.exit_code == ExitCode.INPUT and "--encoding" in forced.stderr


def test_a_guessed_encoding_is_the_same_warning_for_text_and_subtitles(cli, tmp_path):
    """One wording, whichever reader met the cp1252 file (it was two)."""
    text = tmp_path / "kafe.ht.txt"
    text.write_bytes("Kafe a cho, café.\n".encode("cp1252"))
    film = tmp_path / "kafe.ht.srt"
    film.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nKafe a cho, café.\n".encode("cp1252"))
    for path in (text, film):
        result = cli("translate", "-i", path, "--quiet")
        assert result.exit_code == 0, result.stderr
        assert "café" in result.stdout
        assert result.stderr == (f"warning: {path} is not UTF-8: read it as cp1252 "
                                 f"(pass --encoding to choose another)\n")


def test_creole_subtitles_copied_through_come_out_utf8_and_as_jsonl(cli, tmp_path):
    """Copy-through wrote the input's bytes (UTF-16 stayed UTF-16; the README says
    the output is UTF-8) and ignored --format jsonl."""
    film = tmp_path / "lekol.ht.srt"
    text = "1\n00:00:01,000 --> 00:00:02,000\nLekòl la louvri.\n"
    film.write_bytes(text.encode("utf-16"))
    out = tmp_path / "out.srt"
    result = cli("translate", "-i", film, "-o", out, "--quiet")
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes() == text.encode("utf-8")
    lines = cli("translate", "-i", film, "--format", "jsonl", "--quiet")
    assert [json.loads(x) for x in lines.stdout.splitlines()] == [
        {"index": 1, "start": 1.0, "end": 2.0, "source": "Lekòl la louvri.",
         "translation": "Lekòl la louvri.", "cached": False}]
