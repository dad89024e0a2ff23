"""``-`` is stdin on every command; empty input; a person typing at a terminal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest
from conftest import ROOT, TINY_MARIAN

from kreyol_cli.errors import ExitCode


def test_translate_dash_is_stdin(cli):
    result = cli("translate", "-m", TINY_MARIAN, "-", input="Good morning.\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Bonjou.\n"


def test_phonemize_dash_is_stdin(cli):
    result = cli("phonemize", "-", input="Bonjou\n")
    assert (result.exit_code, result.stdout) == (0, "bɔ̃ʒu\n")


def test_tts_dash_is_stdin(cli, tmp_path):
    out = tmp_path / "a.wav"
    result = cli("tts", "-", "-o", out, input="Bonjou.\n")
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 10_000


def test_extract_dash_is_stdin(cli):
    result = cli("extract", "-", input="# Tit\n\nBonjou tout moun.\n")
    assert result.exit_code == 0, result.stderr
    assert "Bonjou tout moun." in result.stdout


def test_audiobook_dash_is_stdin(cli, tmp_path):
    out = tmp_path / "out"
    result = cli("audiobook", "-", "-s", "ht", "-o", out, "-q", input="# Tit\n\nBonjou.\n")
    assert result.exit_code == 0, result.stderr
    assert (out / "audiobook.m4b").exists()
    again = cli("audiobook", "-", "-s", "ht", "-o", out, "-q", input="# Tit\n\nMèsi.\n")
    assert again.exit_code == 0, again.stderr  # stdin again: the same book, remade


def test_phonemize_writes_to_o(cli, tmp_path):
    out = tmp_path / "ipa.txt"
    result = cli("phonemize", "Bonjou tout moun", "-o", out)
    assert (result.exit_code, result.stdout) == (0, "")
    assert out.read_text("utf-8") == "bɔ̃ʒu tut mun\n"


@pytest.mark.parametrize("args", [["translate"], ["translate", "-m", "opus-mt-en-ht"],
                                  ["tts", "-o", "OUT"], ["phonemize"], ["extract", "-"],
                                  ["extract", "EMPTY"], ["translate", "-i", "EMPTY"]])
def test_empty_input_exits_0_without_loading_a_model(cli, tmp_path, args):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    args = [str(empty) if a == "EMPTY" else str(tmp_path / "x.wav") if a == "OUT" else a
            for a in args]
    result = cli(*args, input="")  # and no model was ever pulled
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "x.wav").exists()


def test_extract_empty_file_as_json_is_an_empty_document(cli, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    result = cli("extract", empty, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["chapters"] == []


def test_translate_refuses_to_overwrite_its_input(cli, tmp_path):
    src = tmp_path / "x.txt"
    src.write_text("Good morning.\n", "utf-8")
    result = cli("translate", "-m", TINY_MARIAN, "-i", src, "-o", src)
    assert result.exit_code == ExitCode.OUTPUT
    assert "refusing to overwrite the input file" in result.stderr
    assert src.read_text("utf-8") == "Good morning.\n"


def test_translate_text_argument_ends_with_a_newline(cli):
    result = cli("translate", "-m", TINY_MARIAN, "Good morning.")
    assert result.stdout == "Bonjou.\n"


def test_reading_from_a_terminal_prints_a_hint(tmp_path):
    """stdin is a terminal (a pty): a hint on stderr, and the typed text is translated."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "kreyol_cli", "translate", "-m",
                             str(TINY_MARIAN)], stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT, text=True, env=os.environ)
    os.close(slave)
    os.write(master, b"Good morning.\n\x04")
    out, err = proc.communicate(timeout=120)
    os.close(master)
    assert proc.returncode == 0, err
    assert err == "reading text from the terminal; Ctrl-D to end\n"
    assert out == "Bonjou.\n"


def test_empty_input_to_tts_is_quiet_under_quiet(cli, tmp_path):
    """Empty input is "nothing to do" (exit 0), not a warning a cron job mails."""
    out = tmp_path / "x.wav"
    quiet = cli("tts", "-o", out, "-q", input="")
    assert (quiet.exit_code, quiet.stderr) == (0, "")
    told = cli("tts", "-o", out, input="")
    assert told.exit_code == 0
    assert told.stderr == "nothing to say: the input is empty; no audio written\n"
    assert not out.exists()
