"""Failures a user meets: documented exit code, one line on stderr, no traceback,
and no half-written output left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, TINY_MARIAN, corpus_pairs

from kreyol_cli.errors import ExitCode

EN = [en for en, _ in corpus_pairs()]


def one_line_error(result) -> str:
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def broken_copy(tmp_path: Path, how: str) -> Path:
    model = tmp_path / "broken-model"
    shutil.copytree(TINY_MARIAN, model)
    if how == "missing model.bin":
        (model / "model.bin").unlink()
    elif how == "garbage model.bin":
        (model / "model.bin").write_bytes(os.urandom(4096))
    elif how == "no tokenizer":
        for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
            (model / name).unlink()
    elif how == "garbage tokenizer":
        (model / "source.spm").write_bytes(b"not a sentencepiece model")
    return model


def test_unknown_model_lists_known_ones(cli):
    result = cli("translate", "-m", "no-such-model", "Hello.")
    assert result.exit_code == ExitCode.MODEL
    line = one_line_error(result)
    assert "no-such-model" in line and "opus-mt-en-ht" in line and "nllb-200-distilled-600M" in line
    assert "kreyol models pull" in line


def test_model_not_pulled(cli):
    result = cli("translate", "Hello.")  # the default en->ht model is not installed
    assert result.exit_code == ExitCode.MODEL
    assert "`kreyol models pull opus-mt-en-ht`" in one_line_error(result)


def test_missing_model_directory(cli, tmp_path):
    result = cli("translate", "-m", tmp_path / "nowhere", "Hello.")
    assert result.exit_code == ExitCode.MODEL
    assert "does not exist" in one_line_error(result)


@pytest.mark.parametrize("how", ["missing model.bin", "garbage model.bin", "no tokenizer",
                                 "garbage tokenizer"])
def test_corrupt_model_directory(cli, tmp_path, how):
    model = broken_copy(tmp_path, how)
    out = tmp_path / "out.txt"
    result = cli("translate", "-m", model, "-o", out, "Hello.")
    assert result.exit_code == ExitCode.MODEL
    line = one_line_error(result)
    assert str(model) in line and "again" in line
    assert "models pull" not in line or "missing" not in how  # a path cannot be pulled
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "kreyol-home") == [
        "broken-model"]  # neither out.txt nor a .part temp file


def test_corrupt_installed_model_suggests_pull_force(cli, kreyol_home):
    target = kreyol_home / "models" / "opus-mt-en-ht"
    shutil.copytree(TINY_MARIAN, target)
    (target / "model.bin").unlink()
    result = cli("translate", "Hello.")
    assert result.exit_code == ExitCode.MODEL
    assert "kreyol models pull opus-mt-en-ht --force" in one_line_error(result)


@pytest.mark.parametrize(("args", "fragment"), [
    (["--source", "de"], "supported pairs"),
    (["--target", "fr"], "translates en to fr"),
    (["-m", str(TINY_MARIAN), "--source", "fr"], "does not translate fr to ht"),
])
def test_unsupported_language_pair(cli, kreyol_home, args, fragment):
    shutil.copytree(TINY_MARIAN, kreyol_home / "models" / "opus-mt-en-ht")
    result = cli("translate", *args, "Hello.")
    assert result.exit_code == ExitCode.LANGUAGE
    assert fragment in one_line_error(result)


def test_empty_input_is_not_an_error(cli, tmp_path):
    for text in ("", "\n\n", "  \n"):
        result = cli("translate", "-m", TINY_MARIAN, input=text)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == text
        assert result.stderr == ""
    out = tmp_path / "empty.txt"
    result = cli("translate", "-m", TINY_MARIAN, "-o", out, input="")
    assert result.exit_code == 0 and out.read_bytes() == b""


def test_non_utf8_input_is_detected_and_named(cli, tmp_path):
    src = tmp_path / "latin1.txt"
    src.write_bytes("Good morning.\nÇa va? Très bien.\n".encode("latin-1"))
    result = cli("translate", "-m", TINY_MARIAN, "-s", "en", "-i", src)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Bonjou."
    assert f"warning: {src} is not UTF-8: read it as cp1252" in result.stderr
    forced = cli("translate", "-m", TINY_MARIAN, "-s", "en", "-i", src, "--encoding", "utf-8")
    assert forced.exit_code == ExitCode.INPUT
    line = one_line_error(forced)
    assert "--encoding" in line and "utf-8" in line and str(src) in line
    fixed = cli("translate", "-m", TINY_MARIAN, "-s", "en", "-i", src, "--encoding", "latin-1")
    assert fixed.exit_code == 0, fixed.stderr
    assert "warning" not in fixed.stderr
    assert fixed.stdout.splitlines()[0] == "Bonjou."


def test_non_utf8_stdin(cli):
    result = cli("translate", "-m", TINY_MARIAN, "-s", "en", "--encoding", "utf-8",
                 input=b"caf\xe9\n")
    assert result.exit_code == ExitCode.INPUT
    assert "--encoding" in one_line_error(result)
    detected = cli("translate", "-m", TINY_MARIAN, "-s", "en", input=b"Good morning.\ncaf\xe9\n")
    assert detected.exit_code == 0, detected.stderr
    assert detected.stdout.splitlines()[0] == "Bonjou."
    assert "standard input is not UTF-8: read it as cp1252" in detected.stderr


def test_unknown_encoding_and_missing_input(cli, tmp_path):
    result = cli("translate", "-m", TINY_MARIAN, "--encoding", "klingon", input="Hello.\n")
    assert result.exit_code == ExitCode.USAGE
    assert "klingon" in one_line_error(result)
    result = cli("translate", "-m", TINY_MARIAN, "-i", tmp_path / "absent.txt")
    assert result.exit_code == ExitCode.INPUT
    assert "no such file" in one_line_error(result)


@pytest.mark.parametrize("where", ["missing folder", "folder is a file", "a directory"])
def test_unwritable_output_leaves_nothing(cli, tmp_path, where):
    (tmp_path / "plain-file").write_text("x")
    target = {"missing folder": tmp_path / "no" / "such" / "out.txt",
              "folder is a file": tmp_path / "plain-file" / "out.txt",
              "a directory": tmp_path}[where]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = cli("translate", "-m", TINY_MARIAN, "-o", target, "Good morning.")
    assert result.exit_code == ExitCode.OUTPUT
    one_line_error(result)
    assert result.stdout == ""
    after = sorted(p.name for p in tmp_path.rglob("*") if "kreyol-home" not in p.parts)
    assert after == [n for n in before if n != "kreyol-home"]


def test_bad_format_is_a_usage_error(cli):
    result = cli("translate", "-m", TINY_MARIAN, "--format", "xml", "Hello.")
    assert result.exit_code == ExitCode.USAGE
    assert "jsonl" in one_line_error(result)


# ------------------------------------------------------------------ Ctrl-C --


def _start(args, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kreyol_cli", *map(str, args)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _feed(proc: subprocess.Popen, n: int) -> None:
    proc.stdin.write(("\n".join(EN[i % len(EN)] for i in range(n)) + "\n").encode())
    proc.stdin.flush()


def _interrupt(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    return proc.returncode, err.decode()


def test_ctrl_c_with_output_file_leaves_no_file(tmp_path):
    out = tmp_path / "out.txt"
    proc = _start(["translate", "-m", TINY_MARIAN, "-o", out], tmp_path)
    _feed(proc, 2000)  # stdin stays open: the run is mid-stream when interrupted
    deadline = time.monotonic() + 60
    parts: list[Path] = []
    while time.monotonic() < deadline:
        parts = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
        if parts and parts[0].stat().st_size > 0:  # translations are being written
            break
        time.sleep(0.1)
    assert parts and parts[0].stat().st_size > 0, "no output was written within 60 s"
    code, err = _interrupt(proc)
    assert code == ExitCode.INTERRUPTED
    assert "interrupted: run the same command again to resume" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "kreyol-home") == []


def test_ctrl_c_while_streaming_to_stdout(tmp_path):
    proc = _start(["translate", "-m", TINY_MARIAN], tmp_path)
    _feed(proc, 200)
    first = proc.stdout.readline()
    assert first.decode().strip() == "Bonjou."
    code, err = _interrupt(proc)
    assert code == ExitCode.INTERRUPTED
    assert "Traceback" not in err


def test_sigterm_cleans_up_like_ctrl_c(tmp_path):
    out = tmp_path / "out.txt"
    proc = _start(["translate", "-m", TINY_MARIAN, "-o", out], tmp_path)
    _feed(proc, 100)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob("*.part")):
        time.sleep(0.1)
    proc.terminate()
    proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.INTERRUPTED
    assert not out.exists() and not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("command", [
    ["extract", "{d}"], ["translate", "-i", "{d}"], ["tts", "-i", "{d}", "-o", "{d}.wav"],
    ["phonemize", "-i", "{d}"], ["audiobook", "{d}", "-o", "{d}-book"]])
def test_a_folder_as_input_is_the_same_line_on_every_command(cli, tmp_path, command):
    """Four wordings ('is a directory; pass a document file', '... give a text file',
    '... give a text file or a document', 'is a folder: give documents') were one."""
    folder = tmp_path / "books"
    folder.mkdir()
    result = cli(*[a.format(d=folder) for a in command])
    assert result.exit_code == ExitCode.INPUT
    assert result.stderr == (f"error: {folder} is a folder, not a file: name the files in "
                             f"it (e.g. {folder}/*.pdf)\n")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "kreyol-home") == ["books"]
