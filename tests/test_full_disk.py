"""A full disk is one plain line and exit 6 on every command, and leaves nothing behind.

The disk is a real 200 KiB tmpfs (needs root, as in CI containers; skipped otherwise).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from conftest import EXAMPLES, TINY_MARIAN, tmpfs

from kreyol_cli.errors import ExitCode

MESSAGE = "error: disk full: free space or choose another -o\n"


@pytest.fixture
def full(tmp_path) -> Path:
    with tmpfs(tmp_path / "small-disk", "size=200k") as disk:
        yield disk


@pytest.fixture
def long_texts(tmp_path) -> dict[str, Path]:
    en = tmp_path / "long.en.txt"
    en.write_text("Good morning. The school is open.\n" * 40_000, "utf-8")
    ht = tmp_path / "long.ht.txt"
    ht.write_text("Bonjou tout moun. Lekòl la louvri.\n" * 300, "utf-8")
    return {"en": en, "ht": ht}


@pytest.mark.parametrize("command", [
    ["translate", "-m", str(TINY_MARIAN), "-i", "{en}", "-o", "{disk}/t.txt"],
    ["extract", "{en}", "-o", "{disk}/e.txt"],
    ["phonemize", "-i", "{en}", "-o", "{disk}/p.txt"],
    ["tts", "-i", "{ht}", "-o", "{disk}/a.wav"],
    ["tts", "-i", "{ht}", "-o", "{disk}/a.mp3"],
    ["audiobook", str(EXAMPLES / "ti-liv-kreyol.ht.pdf"), "-o", "{disk}/book", "-q"],
])
def test_full_disk(cli, full, long_texts, command):
    args = [a.format(disk=full, **long_texts) for a in command]
    result = cli(*args)
    assert result.exit_code == ExitCode.OUTPUT
    assert result.stderr == MESSAGE
    assert list(full.iterdir()) == []  # no partial file, no empty book folder


def test_full_disk_with_several_books_leaves_no_outdir(cli, full, long_texts):
    """`audiobook A B -o DISK/many`: both books fail; the OUTDIR the run made goes too."""
    book = EXAMPLES / "ti-liv-kreyol.ht.pdf"
    result = cli("audiobook", book, long_texts["ht"], "-o", full / "many", "-q")
    assert result.exit_code == ExitCode.OUTPUT
    assert result.stderr.splitlines() == [
        f"error: {book}: disk full: free space or choose another -o",
        f"error: {long_texts['ht']}: disk full: free space or choose another -o"]
    assert list(full.iterdir()) == []


@pytest.mark.parametrize("command", [
    ["tts", "Bonjou tout moun.", "-o", "{disk}/a.wav"],
    ["tts", "Bonjou tout moun.", "-o", "{disk}/a.raw"],
    ["tts", "Bonjou tout moun.", "-o", "{disk}/a.mp3"],
    ["phonemize", "Bonjou tout moun.", "-o", "{disk}/p.txt"],
])
def test_a_disk_already_full_leaves_no_temp_file(cli, full, command):
    """Short output on a disk with no room left fails when the buffer is flushed
    at the end, not while writing: the temp file must go all the same (a .part
    file was left behind by the WAV and raw sinks)."""
    filler = full / "filler"
    with filler.open("wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()
    result = cli(*[a.format(disk=full) for a in command])
    assert result.exit_code == ExitCode.OUTPUT
    assert result.stderr.endswith(MESSAGE)  # after raw's format note
    assert [p.name for p in full.iterdir()] == ["filler"]
