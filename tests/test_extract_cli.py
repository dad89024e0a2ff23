"""`kreyol extract` through the real Typer app: streams, files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import EXAMPLES, run_kreyol
from pdf_factory import SAMPLE, Image, Para, Spec, make_pdf

from kreyol_cli.errors import ExitCode

BOOK = EXAMPLES / "ti-liv-kreyol.ht.pdf"


def assert_clean(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_text_to_stdout_is_translate_input(cli):
    result = cli("extract", BOOK)
    assert result.exit_code == ExitCode.OK
    assert_clean(result)
    assert result.stdout.startswith("Jaden lekòl la\n\nNan lekòl nou an, gen yon ti jaden")
    assert "\n\nJou mache\n\nSamdi se jou mache" in result.stdout
    assert "Paj " not in result.stdout and "\n\n\n" not in result.stdout
    assert result.stderr == ""


def test_json_and_markdown(cli):
    data = json.loads(cli("extract", BOOK, "--format", "json").stdout)
    assert data["title"] == "Ti Liv Kreyòl" and data["author"] == "Ekip kreyol"
    assert [c["title"] for c in data["chapters"]] == ["Jaden lekòl la", "Jou mache", "Sezon lapli"]
    assert data["chapters"][0]["start_page"] == 2 and data["warnings"] == []
    markdown = cli("extract", BOOK, "-f", "markdown").stdout
    assert markdown.startswith("# Ti Liv Kreyòl\n\n## Jaden lekòl la\n\n")


def test_output_file_written_atomically(cli, tmp_path):
    out = tmp_path / "book.txt"
    result = cli("extract", BOOK, "-o", out)
    assert result.exit_code == ExitCode.OK and result.stdout == ""
    assert out.read_text("utf-8") == cli("extract", BOOK).stdout
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "kreyol-home"]
    assert leftovers == ["book.txt"]  # no temporary file left behind


def test_failed_run_leaves_no_file(cli, tmp_path):
    locked = make_pdf(tmp_path / "locked.pdf", [[Para(SAMPLE)]], Spec(password="pw"))
    out = tmp_path / "out" / "book.txt"
    out.parent.mkdir()
    result = cli("extract", locked, "-o", out)
    assert result.exit_code == ExitCode.ENCRYPTED
    assert "--password" in result.stderr
    assert list(out.parent.iterdir()) == []
    assert cli("extract", locked, "--password", "pw", "-o", out).exit_code == ExitCode.OK
    assert out.read_text("utf-8").startswith("The river runs")  # no invented "Page 1" title


def test_refuses_to_overwrite_input(cli, tmp_path):
    src = tmp_path / "notes.txt"
    src.write_text("Hello.\n")
    result = cli("extract", src, "-o", src)
    assert result.exit_code == ExitCode.OUTPUT
    assert src.read_text() == "Hello.\n"


def _bad_inputs(tmp_path):
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "notes.pdf").write_text("not a pdf\n")
    (tmp_path / "latin.txt").write_bytes("bèl\n".encode("latin-1"))
    make_pdf(tmp_path / "scan.pdf", [[Image()]])
    make_pdf(tmp_path / "doc.pdf", [[Para(SAMPLE)]])


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["missing.pdf"], ExitCode.INPUT, "no such file"),
        (["empty.pdf"], ExitCode.INPUT, "empty"),
        (["notes.pdf"], ExitCode.INPUT, "not a PDF"),
        (["latin.txt", "--encoding", "utf-8"], ExitCode.INPUT, "--encoding"),
        (["latin.txt", "--encoding", "klingon"], ExitCode.USAGE, "encoding"),
        (["scan.pdf"], ExitCode.NO_TEXT, "ocrmypdf in.pdf out.pdf"),
        (["doc.pdf", "--pages", "x-y"], ExitCode.USAGE, "--pages"),
        (["doc.pdf", "--pages", "5-9"], ExitCode.USAGE, "--pages"),
        (["doc.pdf", "--format", "html"], ExitCode.USAGE, "html"),
    ],
)
def test_exit_codes(cli, tmp_path, monkeypatch, args, code, says):
    _bad_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = cli("extract", *args)
    assert result.exit_code == code, result.stderr
    assert says in result.stderr
    assert result.stdout == ""
    assert_clean(result)


def test_warnings_go_to_stderr(cli, tmp_path):
    path = make_pdf(tmp_path / "mixed.pdf", [[Para("One.")], [Image()], [Para("Three.")]])
    result = cli("extract", path)
    assert result.exit_code == ExitCode.OK
    assert result.stdout == "One.\n\nThree.\n"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: 1 page(s) have no text layer")


def test_stdin_and_pages(cli, tmp_path):
    result = cli("extract", "-", input="# Alpha\n\nFirst.\n\n# Beta\n\nSecond.\n")
    assert result.stdout == "Alpha\n\nFirst.\n\nBeta\n\nSecond.\n"
    pages = make_pdf(tmp_path / "p.pdf", [[Para(f"Text {n}.")] for n in range(1, 6)])
    assert cli("extract", pages, "--pages", "2-3").stdout == "Text 2.\n\nText 3.\n"


def test_subprocess_streams_and_exit_code(tmp_path):
    done = run_kreyol("extract", EXAMPLES / "little-book.en.pdf")
    assert done.returncode == 0
    assert done.stdout.decode().startswith("The Lighthouse Keeper\n\nMara lives")
    missing = run_kreyol("extract", tmp_path / "nope.pdf")
    assert missing.returncode == ExitCode.INPUT
    assert b"no such file" in missing.stderr and b"Traceback" not in missing.stderr


def test_command_module_does_not_import_pymupdf():
    code = "import sys, kreyol_cli.commands.extract; print('pymupdf' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("name", ["book.epub", "report.docx", "rapò.odt", "BOOK.PDF"])
def test_an_empty_binary_document_is_a_broken_download_on_every_command(cli, tmp_path, name):
    """extract of a 0-byte .epub/.docx printed nothing and exited 0, while translate,
    tts and audiobook said 'empty (0 bytes): check that the download finished' (exit 3)."""
    path = tmp_path / name
    path.write_bytes(b"")
    for args in (["extract", path], ["translate", "-i", path],
                 ["tts", "-i", path, "-o", tmp_path / "a.wav"]):
        result = cli(*args)
        assert result.exit_code == ExitCode.INPUT, args
        assert result.stderr == (f"error: {path} is empty (0 bytes); check that the "
                                 f"download or copy finished\n")
        assert result.stdout == ""


def test_pages_on_a_document_without_pages_is_one_warning(cli, tmp_path):
    from doc_factory import EpubChapter, epub_bytes

    book = tmp_path / "liv.epub"
    book.write_bytes(epub_bytes([EpubChapter("Chapit 1", ["Bonjou tout moun."])], lang="ht"))
    text = tmp_path / "notes.txt"
    text.write_text("Bonjou.\n", "utf-8")
    for path in (book, text):
        result = cli("extract", path, "--pages", "1-2")
        assert result.exit_code == 0, result.stderr
        assert "Bonjou" in result.stdout
        assert result.stderr == "warning: --pages applies to PDF input only; ignored\n"
