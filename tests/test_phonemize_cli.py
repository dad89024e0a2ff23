"""``kreyol phonemize``: the command function, alone and registered in the CLI."""

from __future__ import annotations

import sys

import pytest
import typer
from typer.testing import CliRunner

from kreyol_cli.commands.phonemize import phonemize_command
from kreyol_cli.errors import InputError, KreyolError, LanguageError


def local_app() -> typer.Typer:
    """A bare app around the command; KreyolError propagates for the test to see."""
    app = typer.Typer()
    app.command()(phonemize_command)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps "phonemize" a named subcommand
        pass

    return app


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(local_app(), ["phonemize-command", *args], input=input)


def test_text_arguments_are_lines():
    result = run("M'ap manje diri.", "", "Bonjou, zanmi!")
    assert result.exit_code == 0, result.output
    assert result.stdout == "map mãʒe diɣi\n\nbɔ̃ʒu zãmi\n"


def test_reads_stdin_when_no_text(tmp_path):
    result = run(input="Mwen renmen Ayiti.\n\nLi gen 2 pitit\n")
    assert result.exit_code == 0
    assert result.stdout == "mwɛ̃ ɣɛ̃mɛ̃ ajiti\n\nli ɡɛ̃ de pitit\n"


def test_reads_a_file(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("\ufeffkreyòl\nuit\n", encoding="utf-8")
    result = run("--input", str(source))
    assert result.stdout == "kɣejɔl\nɥit\n"
    assert run("-i", "-", input="pann\n").stdout == "pãn\n"


def test_missing_file_and_bad_bytes_are_input_errors(tmp_path):
    result = run("-i", str(tmp_path / "nope.txt"))
    assert isinstance(result.exception, InputError)
    assert "no such file" in str(result.exception)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"kr\xe9y\xf2l\n")
    result = run("-i", str(bad), "--encoding", "utf-8")
    assert isinstance(result.exception, InputError)
    assert "--encoding" in str(result.exception)
    detected = run("-i", str(bad))  # cp1252, detected without a flag
    assert detected.exit_code == 0 and detected.stdout == "kɣejɔl\n"


def test_unknown_language():
    result = run("--lang", "de", "hallo")
    assert isinstance(result.exception, LanguageError)
    assert issubclass(LanguageError, KreyolError)


def test_english_goes_through_espeak():
    pytest.importorskip("piper.phonemize_espeak")
    result = run("--lang", "en", "Hello world.", "")
    assert result.exit_code == 0, result.output
    first, second = result.stdout.split("\n")[:2]
    assert len(first.split(" ")) == 2 and "l" in first
    assert second == ""


def test_module_import_is_light():
    # CLI start-up stays fast: importing the command must not pull in piper.
    code = "import sys, kreyol_cli.commands.phonemize; print('piper' in sys.modules)"
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_registered_in_kreyol_cli(cli):
    pytest.importorskip("kreyol_cli.commands")
    result = cli("phonemize", "Bonjou zanmi")
    assert result.exit_code == 0
    assert result.stdout == "bɔ̃ʒu zãmi\n"
    result = cli("phonemize", "--lang", "xx", "a")
    assert result.exit_code == int(LanguageError.exit_code)
