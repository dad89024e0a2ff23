"""``kreyol translate`` end to end: exact output, document shape, formats,
inputs and outputs, streaming and bounded memory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT, TINY_M2M, TINY_MARIAN, TINY_NLLB, corpus_pairs, run_kreyol

from kreyol_cli.errors import ExitCode

PAIRS = corpus_pairs()
EN = [en for en, _ in PAIRS]
HT = dict(PAIRS)
ENV = {"PYTHONPATH": str(ROOT)}


def install_default_model(home: Path) -> Path:
    """Put the tiny Marian model where `kreyol models pull opus-mt-en-ht` would."""
    target = home / "models" / "opus-mt-en-ht"
    shutil.copytree(TINY_MARIAN, target)
    return target


def kreyol(*args, **kwargs) -> subprocess.CompletedProcess:
    return run_kreyol(*args, env=ENV, **kwargs)


def popen(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kreyol_cli", *map(str, args)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, **ENV})


def no_temp_files(directory: Path) -> bool:
    return not [p for p in directory.iterdir() if p.name.endswith(".part")]


# ------------------------------------------------------------ exact output --


def test_corpus_exact_through_the_default_model(cli, kreyol_home):
    install_default_model(kreyol_home)
    result = cli("translate", input="\n".join(EN) + "\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [ht for _, ht in PAIRS]
    assert "Traceback" not in result.stderr


def test_document_shape_is_kept(cli):
    doc = (
        "# Good morning.\n"
        "\n"
        "How are you? I am fine, thank you.\n"
        "\n"
        "\n"
        "- The church is big.\n"
        "- God is good.\n"
        "  * We sing in the choir.\n"
        "1. Open your notebook.\n"
        "2) Write your name.\n"
        "\n"
        "    The teacher is in the classroom.\n"
        "The school is near\n"
        "the church.\r\n"
        "Goodbye."
    )
    expected = (
        "# Bonjou.\n"
        "\n"
        "Kijan ou ye? Mwen byen, mèsi.\n"
        "\n"
        "\n"
        "- Legliz la gran.\n"
        "- Bondye bon.\n"
        "  * Nou chante nan koral la.\n"
        "1. Louvri kaye ou.\n"
        "2) Ekri non ou.\n"
        "\n"
        "    Pwofesè a nan sal klas la.\n"
        "Lekòl la toupre legliz la.\r\n"  # hard-wrapped lines joined into one
        "Orevwa."  # no newline at the end of input: none at the end of output
    )
    result = cli("translate", "-m", TINY_MARIAN, input=doc)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.decode("utf-8") == expected  # .stdout would fold the CRLF


def test_jsonl_one_object_per_sentence_and_cached_flips(cli):
    text = "Good morning. How are you?\n\n- Goodbye.\n"
    first = cli("translate", "-m", TINY_MARIAN, "--format", "jsonl", input=text)
    assert first.exit_code == 0, first.stderr
    rows = [json.loads(line) for line in first.stdout.splitlines()]
    assert rows == [
        {"source": "Good morning.", "translation": "Bonjou.", "cached": False},
        {"source": "How are you?", "translation": "Kijan ou ye?", "cached": False},
        {"source": "Goodbye.", "translation": "Orevwa.", "cached": False},
    ]
    again = cli("translate", "-m", TINY_MARIAN, "-f", "jsonl", input=text)
    assert [json.loads(line)["cached"] for line in again.stdout.splitlines()] == [True] * 3
    fresh = cli("translate", "-m", TINY_MARIAN, "-f", "jsonl", "--no-cache", input=text)
    assert [json.loads(line)["cached"] for line in fresh.stdout.splitlines()] == [False] * 3


def test_text_arguments_are_lines(cli):
    result = cli("translate", "-m", TINY_MARIAN, "Good morning.", "Thank you very much.")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Bonjou.\nMèsi anpil.\n"


def test_input_file_and_output_file(cli, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("Good evening.\n\nExcuse me.\n", "utf-8")
    out = tmp_path / "out" / "ht.txt"
    out.parent.mkdir()
    out.write_text("old content\n", "utf-8")
    result = cli("translate", "-m", TINY_MARIAN, "-i", src, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # the payload went to the file only
    assert out.read_text("utf-8") == "Bonswa.\n\nEskize m.\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["ht.txt"]  # no temp file left


def test_latin1_input_with_encoding(cli, tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes("Good morning.\nCafé.\n".encode("latin-1"))
    result = cli("translate", "-m", TINY_MARIAN, "-i", src, "--encoding", "latin-1", "-f",
                 "jsonl")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(x)["source"] for x in result.stdout.splitlines()] == ["Good morning.",
                                                                           "Café."]


def test_crlf_split_across_read_blocks_makes_no_blank_line(tmp_path):
    from kreyol_cli.fileio import read_lines

    head = "a" * ((1 << 16) - 1)  # the "\r" is the last byte of the first block
    src = tmp_path / "crlf.txt"
    src.write_bytes(f"{head}\r\nsecond\r\n".encode())
    assert list(read_lines(str(src))) == [f"{head}\r\n", "second\r\n"]


# ------------------------------------------------------------- long lines --


@pytest.mark.parametrize("kind", ["words", "no-spaces"])
def test_50k_character_line_translates_whole(cli, tmp_path, kind):
    words = " ".join(en.rstrip(".?!").lower().replace(",", "") for en in EN)
    line = ((words + " ") * 100)[:50_000] if kind == "words" else "x" * 50_000
    src = tmp_path / "long.txt"
    src.write_text(line + "\n", "utf-8")
    result = cli("translate", "-m", TINY_MARIAN, "-i", src, "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    (row,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert row["source"] == line.strip()
    # ~125-250 windows of 200 tokens each came back translated, not one window's worth.
    assert len(row["translation"]) > 2_000


# ------------------------------------------------------------- subprocess --


def test_subprocess_stdin_to_stdout():
    result = kreyol("translate", "-m", TINY_MARIAN, input="\n".join(EN[:10]).encode())
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode("utf-8").splitlines() == [HT[en] for en in EN[:10]]
    assert result.stderr.decode() == ""  # no progress noise when stderr is not a terminal


def _read_lines_until(stream, count: int, timeout: float) -> list[bytes]:
    got: list[bytes] = []

    def reader():
        while len(got) < count:
            line = stream.readline()
            if not line:
                return
            got.append(line)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(timeout)
    return got


def test_streams_output_before_stdin_is_closed():
    proc = popen("translate", "-m", TINY_MARIAN)
    try:
        lines = [EN[i % len(EN)] for i in range(200)]
        for start in range(0, 200, 50):  # a few batches, stdin stays open
            proc.stdin.write(("\n".join(lines[start:start + 50]) + "\n").encode())
            proc.stdin.flush()
        first = _read_lines_until(proc.stdout, 64, timeout=60)
        assert proc.poll() is None, "kreyol exited before its input ended"
        assert len(first) == 64, "no output while stdin was still open"
        assert [x.decode().rstrip("\n") for x in first] == [HT[en] for en in lines[:64]]
        proc.stdin.close()
        rest = proc.stdout.read().decode().splitlines()
        assert proc.wait(timeout=60) == 0
        assert len(first) + len(rest) == 200
    finally:
        proc.kill()
        proc.wait()


def _peak_rss_kib(args, stdin_path: Path, stdout_path: Path, home: Path) -> tuple[int, int]:
    """Run kreyol with a fresh KREYOL_HOME; return its exit status and its own peak RSS (KiB)."""
    with stdin_path.open("rb") as fin, stdout_path.open("wb") as fout:
        proc = subprocess.Popen([sys.executable, "-m", "kreyol_cli", *map(str, args)],
                                stdin=fin, stdout=fout, stderr=subprocess.DEVNULL,
                                env={**os.environ, **ENV, "KREYOL_HOME": str(home)})
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss


@pytest.mark.slow
def test_memory_stays_bounded_on_big_input(tmp_path):
    """4 MB of repeated sentences (from the cache after the first batch) must not
    cost more memory than a few KB of input: nothing holds the whole document."""
    block = "\n".join(EN) + "\n\n"
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_text(block * 3, "utf-8")
    big.write_text(block * (4_000_000 // len(block)), "utf-8")
    size_kib = big.stat().st_size // 1024
    args = ["translate", "-m", TINY_MARIAN, "--jobs", "1"]
    # Both runs start with an empty cache, so both load the model for their first batch.
    status, base = _peak_rss_kib(args, small, tmp_path / "small.out", tmp_path / "home-small")
    assert status == 0
    status, peak = _peak_rss_kib(args, big, tmp_path / "big.out", tmp_path / "home-big")
    assert status == 0
    with (tmp_path / "big.out").open(encoding="utf-8") as out:
        n_lines = sum(1 for _ in out)
    assert n_lines == big.read_text("utf-8").count("\n")
    # Holding the document (its lines, units and results as Python objects) would cost
    # several times its size; streaming costs about nothing more than a tiny input.
    assert peak - base < size_kib, f"peak {peak} KiB vs {base} KiB for a {size_kib} KiB input"


# ------------------------------------------------------ NLLB and M2M-100 --


def write_user_registry(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "models.toml").write_text(f"""
[models.tiny-nllb]
kind = "translation"
family = "nllb"
path = "{TINY_NLLB}"
languages = ["en-ht", "fr-ht", "de-ht"]
lang_codes = {{ en = "eng_Latn", fr = "fra_Latn", ht = "hat_Latn" }}

[models.tiny-m2m]
kind = "translation"
family = "m2m100"
path = "{TINY_M2M}"
languages = ["en-ht", "fr-ht"]
""", "utf-8")


@pytest.mark.parametrize("name", ["tiny-nllb", "tiny-m2m"])
@pytest.mark.parametrize("source", ["en", "fr"])
def test_multilingual_models_from_the_cli(cli, kreyol_home, name, source):
    write_user_registry(kreyol_home)
    text = "Bonjour. Comment allez-vous?\n\nMerci.\n"
    result = cli("translate", "-m", name, "--source", source, "-f", "jsonl", "--beam", "1",
                 input=text)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["source"] for r in rows] == ["Bonjour.", "Comment allez-vous?", "Merci."]
    assert all(isinstance(r["translation"], str) for r in rows)


def test_multilingual_unknown_language_exit_code(cli, kreyol_home):
    write_user_registry(kreyol_home)
    # Not a pair the entry serves: refused by the registry.
    result = cli("translate", "-m", "tiny-m2m", "--source", "de", "Hallo.")
    assert result.exit_code == ExitCode.LANGUAGE
    assert "en-ht" in result.stderr
    # A pair the entry claims but no language code for it: refused at load.
    result = cli("translate", "-m", "tiny-nllb", "--source", "de", "Hallo.")
    assert result.exit_code == ExitCode.LANGUAGE
    assert "'de'" in result.stderr
    assert "Traceback" not in result.stderr


def test_translation_on_a_terminal_is_not_mixed_with_a_progress_bar(tmp_path):
    """In a terminal, `kreyol translate "Good morning."` printed
    '············ translate · 0 sentences so far · 0:00Bonjou.': the bar on stderr and
    the translation on stdout shared the screen line."""
    leader, follower = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kreyol_cli", "translate", "-m", str(TINY_MARIAN),
         "Good morning."], stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "60", "TERM": "xterm"})
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        screen += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    text = screen.decode("utf-8", "replace").replace("\r\n", "\n")
    assert "sentences so far" not in text and "translate ·" not in text
    assert text.endswith("Bonjou.\n")
    assert "source language: English (en)" in text  # the note still shows
