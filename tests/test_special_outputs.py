"""Outputs that are not plain new files: ``-o`` as a symlink, a dangling link,
a link to ``/proc/self/fd/1`` (what ``/dev/stdout`` is), a FIFO with and
without a reader, a process substitution and a null device.

Every output used to be written to a temp file and renamed into place, which
replaced a link with a plain file and, as root, ``/dev/stdout`` or
``/dev/null`` with a regular file, breaking every later program. These tests
never touch the real /dev: the links, FIFOs and devices live in tmp_path.
Every reader has a deadline, and a FIFO left unread is unblocked by the test.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kreyol_cli.errors import ExitCode

COMMANDS = {
    "translate": ["translate", "Bonjou tout moun.", "--source", "ht"],
    "phonemize": ["phonemize", "Bonjou tout moun"],
    "extract": ["extract", "TEXT"],
    "tts-wav": ["tts", "Bonjou.", "--format", "wav"],
    "tts-mp3": ["tts", "Bonjou.", "--format", "mp3"],
    "tts-raw": ["tts", "Bonjou.", "--format", "raw"],
}
DEADLINE = 120


def _args(tmp_path: Path, name: str, output: Path | str) -> list[str]:
    text = tmp_path / "a.txt"
    if not text.exists():
        text.write_text("Bonjou tout moun.\n", "utf-8")
    return [str(text) if a == "TEXT" else a for a in COMMANDS[name]] + ["-o", str(output)]


def _run(tmp_path: Path, name: str, output: Path | str, **kwargs) -> subprocess.CompletedProcess:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-m", "kreyol_cli", *_args(tmp_path, name, output)],
                          timeout=DEADLINE, **streams)


def _to_stdout(tmp_path: Path, name: str) -> bytes:
    done = _run(tmp_path, name, "-")
    assert done.returncode == 0, done.stderr
    return done.stdout


def _temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(".*.part")]


class FifoReader:
    """Drains a FIFO in a thread; ``result()`` waits at most ``DEADLINE`` and,
    if no writer ever came, opens the write end itself so the thread ends."""

    def __init__(self, path: Path) -> None:
        self.path, self.data = path, b""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as fifo:
            self.data = fifo.read()

    def result(self) -> bytes:
        self.thread.join(DEADLINE)
        if self.thread.is_alive():
            with contextlib.suppress(OSError):
                os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            self.thread.join(5)
        return self.data


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_symlink_is_written_through_and_stays_a_link(cli, tmp_path, name):
    real = tmp_path / "real"
    plain = tmp_path / "plain.out"
    assert cli(*_args(tmp_path, name, plain)).exit_code == 0
    real.write_bytes(b"old")
    os.chmod(real, 0o600)
    link = tmp_path / "link.out"
    link.symlink_to("real")
    result = cli(*_args(tmp_path, name, link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == "real"
    assert real.read_bytes() == plain.read_bytes()
    assert stat.S_IMODE(real.stat().st_mode) == 0o600  # replacing never widens the mode
    assert _temp_files(tmp_path) == []


@pytest.mark.parametrize("name", ["translate", "tts-wav", "tts-mp3"])
def test_a_dangling_symlink_creates_its_target(cli, tmp_path, name):
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.out"
    link.symlink_to("sub/new.out")
    result = cli(*_args(tmp_path, name, link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert (tmp_path / "sub" / "new.out").stat().st_size > 0


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_link_to_proc_self_fd_1_writes_to_stdout_like_dash(tmp_path, name):
    expected = _to_stdout(tmp_path, name)
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    done = _run(tmp_path, name, link)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected and len(expected) > 10
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    assert _temp_files(tmp_path) == []


def test_a_link_to_stdout_appends_when_the_shell_appends(tmp_path):
    log = tmp_path / "log.txt"
    log.write_text("before\n", "utf-8")
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    with open(log, "ab") as out:  # kreyol ... -o /dev/stdout >> log.txt
        done = _run(tmp_path, "translate", link, stdout=out, stderr=subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    assert log.read_text("utf-8") == "before\nBonjou tout moun.\n"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_process_substitution_gets_the_whole_output(tmp_path, name):
    expected = _to_stdout(tmp_path, name)
    read_end, write_end = os.pipe()
    received: list[bytes] = []

    def drain() -> None:
        with os.fdopen(read_end, "rb") as pipe:
            received.append(pipe.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        done = subprocess.run(  # kreyol ... -o >(wc -c)
            [sys.executable, "-m", "kreyol_cli", *_args(tmp_path, name, f"/dev/fd/{write_end}")],
            capture_output=True, timeout=DEADLINE, pass_fds=(write_end,))
    finally:
        os.close(write_end)
    reader.join(DEADLINE)
    assert done.returncode == 0, done.stderr
    assert received == [expected]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_named_pipe_with_a_reader_receives_the_output_once(cli, tmp_path, name):
    expected = _to_stdout(tmp_path, name)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    result = cli(*_args(tmp_path, name, fifo))
    data = reader.result()
    assert result.exit_code == ExitCode.OK, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a pipe, not replaced by a file
    assert data == expected


@pytest.mark.parametrize("name", ["phonemize", "tts-wav", "tts-mp3"])
def test_a_named_pipe_nobody_reads_fails_in_bounded_time(cli, tmp_path, monkeypatch, name):
    from kreyol_cli import target

    monkeypatch.setattr(target, "FIFO_WAIT", 0.5)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    result = cli(*_args(tmp_path, name, fifo))
    assert result.exit_code == ExitCode.OUTPUT, result.stderr
    assert "no program opened the named pipe for reading" in result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.fixture
def null_device(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can make a device node")
    path = tmp_path / "null"
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    os.chmod(path, 0o666)  # mknod applies the umask
    return path


@pytest.mark.parametrize("name", list(COMMANDS))
@pytest.mark.parametrize("via_link", [False, True], ids=["device", "link-to-device"])
def test_writing_to_a_null_device_leaves_it_a_device(cli, tmp_path, null_device, name, via_link):
    output = null_device
    if via_link:
        output = tmp_path / "devnull"
        output.symlink_to(null_device)
    result = cli(*_args(tmp_path, name, output))
    assert result.exit_code == 0, result.stderr
    st = os.stat(null_device)
    assert stat.S_ISCHR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o666
    assert _temp_files(tmp_path) == []


@pytest.mark.parametrize("how", ["same", "dot", "link"])
def test_tts_refuses_to_overwrite_its_own_input(cli, tmp_path, how):
    text = tmp_path / "l.ht.txt"
    text.write_text("Bonjou tout moun.\n", "utf-8")
    before = text.read_bytes()
    output = {"same": text, "dot": tmp_path / "." / "l.ht.txt", "link": tmp_path / "l.wav"}[how]
    if how == "link":
        output.symlink_to(text)
    result = cli("tts", "-i", text, "-o", output, "--format", "wav")
    assert result.exit_code == ExitCode.OUTPUT
    assert "refusing to overwrite the input file" in result.stderr
    assert text.read_bytes() == before


def test_audio_to_dev_stdout_on_a_terminal_is_refused_like_dash(tmp_path):
    import pty

    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "kreyol_cli", "tts", "Bonjou.", "-o", str(link),
                               "--format", "mp3"], stdout=follower, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=DEADLINE)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == ExitCode.OUTPUT
    assert b"refusing to write audio to a terminal" in done.stderr
