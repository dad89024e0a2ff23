"""Outputs that are not regular files: ``-o /dev/null`` and named pipes.

Every output is written to a temp file and renamed into place, which on a
device node would replace the node itself: run as root, ``kreyol translate
-o /dev/null`` turned /dev/null into a regular file, breaking every program
on the machine that writes to it. These tests use a null device and a FIFO
of their own inside tmp_path, never the real /dev/null.
"""

from __future__ import annotations

import os
import stat
import threading

import pytest

from kreyol_cli.errors import ExitCode


@pytest.fixture
def null_device(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can make a device node")
    path = tmp_path / "null"
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    os.chmod(path, 0o666)  # mknod applies the umask
    return path


def _still_a_device(path) -> bool:
    st = os.stat(path)
    return stat.S_ISCHR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o666


@pytest.mark.parametrize("args", [
    ["phonemize", "Bonjou tout moun", "-o", "DEV"],
    ["extract", "TEXT", "-o", "DEV"],
    ["tts", "Bonjou.", "-o", "DEV", "--format", "wav"],
    ["tts", "Bonjou.", "-o", "DEV", "--format", "mp3"],
    ["tts", "Bonjou.", "-o", "DEV", "--format", "raw"],
])
def test_writing_to_a_null_device_leaves_it_a_device(cli, tmp_path, null_device, args):
    text = tmp_path / "a.txt"
    text.write_text("Bonjou tout moun.\n", "utf-8")
    args = [str(null_device) if a == "DEV" else str(text) if a == "TEXT" else a for a in args]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert _still_a_device(null_device)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files


def _through_a_fifo(path, run) -> tuple[object, bytes]:
    """Run ``run()`` writing into a new FIFO at ``path`` while a reader drains it."""
    os.mkfifo(path)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(path.read_bytes()))
    reader.start()
    result = run()
    reader.join(timeout=60)
    assert stat.S_ISFIFO(os.stat(path).st_mode)  # still a pipe, not replaced by a file
    return result, received[0] if received else b""


def test_a_named_pipe_receives_the_output(cli, tmp_path):
    fifo = tmp_path / "ipa.fifo"
    result, data = _through_a_fifo(fifo, lambda: cli("phonemize", "Bonjou tout moun", "-o", fifo))
    assert result.exit_code == ExitCode.OK, result.stderr
    assert data == "bɔ̃ʒu tut mun\n".encode()


def test_a_wav_into_a_named_pipe_keeps_its_streaming_header(cli, tmp_path):
    fifo = tmp_path / "speech.wav"
    result, data = _through_a_fifo(fifo, lambda: cli("tts", "Bonjou.", "-o", fifo))
    assert result.exit_code == ExitCode.OK, result.stderr
    assert data[:4] == b"RIFF" and len(data) > 10_000
