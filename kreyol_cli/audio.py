"""Audio sinks: PCM in, a file or stream out, written as it is produced.

WAV and raw PCM are written directly; FLAC, Ogg Vorbis, MP3 and M4B/AAC are
encoded by streaming the PCM into the ffmpeg binary that the
``imageio-ffmpeg`` wheel ships, so ``pip install`` is the only set-up and
memory stays flat however long the audio is. (pydub would hold the whole
recording in memory before encoding it.)

Files are encoded to a temporary name and renamed into place on success.
"""

from __future__ import annotations

import contextlib
import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kreyol_cli.errors import OutputError, UsageError
from kreyol_cli.fileio import commit_temp, discard_temp, sync, temp_beside

FORMATS = ("wav", "flac", "ogg", "mp3", "raw", "m4b", "m4a")
_CODECS = {
    "flac": ["-c:a", "flac", "-f", "flac"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "4", "-f", "ogg"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3"],
    "m4b": ["-c:a", "aac", "-b:a", "64k", "-f", "ipod"],
    "m4a": ["-c:a", "aac", "-b:a", "64k", "-f", "ipod"],
}


def codec_args(fmt: str) -> list[str]:
    """ffmpeg's output arguments for ``fmt`` (codec, bitrate, container)."""
    return list(_CODECS[fmt])


def ffmpeg_exe() -> str:
    """The ffmpeg binary shipped by imageio-ffmpeg (or ``KREYOL_FFMPEG``)."""
    env = os.environ.get("KREYOL_FFMPEG")
    if env:
        return env
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise OutputError(
            f"no ffmpeg for compressed audio ({exc}): `pip install imageio-ffmpeg`, or use "
            f"--format wav"
        ) from None


def ffmpeg_error(err: list[str], target: Path | None, what: str) -> OutputError:
    """The user's error for an ffmpeg that failed: a full disk says so plainly
    (ffmpeg's own words are "[out#0/ipod @ 0x…] Error closing file")."""
    from kreyol_cli.errors import DiskFullError

    if any("No space left on device" in line for line in err) or (
            target is not None and _nearly_full(target.parent)):
        return DiskFullError()
    return OutputError(f"{what}: {err[-1] if err else 'unknown error'}")


def _nearly_full(folder: Path) -> bool:
    try:
        stat = os.statvfs(folder if str(folder) else ".")
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < 64 * 1024


def choose_format(output: str, fmt: str | None) -> str:
    """The audio format: ``--format`` if given, else the output's extension.

    Raises:
        UsageError: Unknown format, or none can be inferred.
    """
    if fmt:
        fmt = fmt.lower().lstrip(".")
        if fmt not in FORMATS:
            raise UsageError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
        return fmt
    if output == "-":
        return "wav"
    ext = Path(output).suffix.lower().lstrip(".")
    if ext in FORMATS:
        return ext
    if ext == "pcm":
        return "raw"
    raise UsageError(
        f"cannot tell the audio format of {output!r}: end it in .wav/.flac/.ogg/.mp3 or pass "
        f"--format"
    )


def wav_header(sample_rate: int, data_bytes: int = 0xFFFFFFFF - 36) -> bytes:
    """A 16-bit mono WAV header. The default size marks a stream of unknown
    length, which players and ffmpeg read until end of input."""
    riff = min(data_bytes + 36, 0xFFFFFFFF)
    return (b"RIFF" + struct.pack("<I", riff) + b"WAVEfmt " +
            struct.pack("<IHHIIHH", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16) +
            b"data" + struct.pack("<I", min(data_bytes, 0xFFFFFFFF)))


class AudioSink:
    """Receives PCM blocks; ``close`` finishes the file (or stream)."""

    bytes_written = 0

    def write(self, pcm: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish successfully."""

    def abort(self) -> None:
        """Give up: remove anything partial."""


class StreamSink(AudioSink):
    """Raw PCM or a WAV stream on a binary stream (stdout)."""

    def __init__(self, stream: IO[bytes], sample_rate: int, wav: bool) -> None:
        self.stream = stream
        if wav:
            stream.write(wav_header(sample_rate))

    def write(self, pcm: bytes) -> None:
        self.stream.write(pcm)
        self.stream.flush()
        self.bytes_written += len(pcm)

    def close(self) -> None:
        self.stream.flush()


class WavFileSink(AudioSink):
    """A WAV file: header patched with the real size when done."""

    def __init__(self, path: Path, sample_rate: int) -> None:
        self.path = path
        self.sample_rate = sample_rate
        # One open of the target: a FIFO opened, closed and opened again would
        # give its reader end of file at once, then block kreyol for ever.
        fd, self.tmp = temp_beside(path)
        self.handle = os.fdopen(fd, "wb")  # closed in close/abort
        # A pipe cannot have its header patched at the end: it gets the
        # streaming header (unknown length) up front, as -o - does.
        self.handle.write(wav_header(sample_rate, 0) if self.handle.seekable() else wav_header(sample_rate))

    def write(self, pcm: bytes) -> None:
        self.handle.write(pcm)
        self.bytes_written += len(pcm)

    def close(self) -> None:
        if self.handle.seekable():  # a FIFO keeps the streaming header
            self.handle.seek(0)
            self.handle.write(wav_header(self.sample_rate, self.bytes_written))
        self.handle.flush()
        sync(self.handle.fileno())
        self.handle.close()
        commit_temp(self.tmp, self.path)

    def abort(self) -> None:
        # Closing flushes the buffer, which fails again on a full disk; the file
        # is closed all the same, and the temp file must still go.
        with contextlib.suppress(OSError):
            self.handle.close()
        discard_temp(self.tmp, self.path)


class FfmpegSink(AudioSink):
    """PCM piped into ffmpeg, which encodes to a temp file (or to stdout)."""

    def __init__(self, path: Path | None, sample_rate: int, fmt: str,
                 extra_args: list[str] | None = None) -> None:
        self.path = path
        exe = ffmpeg_exe()
        self.tmp, out_fd = None, None
        if path is not None:
            fd, tmp = temp_beside(path)
            if tmp == str(path):  # in place (a FIFO, /dev/stdout): ffmpeg writes to that one open
                if fmt in ("m4b", "m4a"):
                    os.close(fd)
                    raise UsageError(f"m4b/m4a cannot be streamed to {path}: give -o FILE.m4b")
                out_fd = fd
            else:
                os.close(fd)
                self.tmp = tmp
        cmd = [exe, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
               "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
               *(extra_args or []), *_CODECS[fmt], self.tmp or "pipe:1"]
        try:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                stdout=out_fd if out_fd is not None else None if path is None else subprocess.DEVNULL,
            )
        except OSError as exc:
            if self.tmp is not None:
                discard_temp(self.tmp, self.path)
            raise OutputError(f"cannot start ffmpeg ({exc.strerror}): use --format wav") from None
        finally:
            if out_fd is not None:
                os.close(out_fd)  # ffmpeg holds its own copy

    def write(self, pcm: bytes) -> None:
        try:
            self.proc.stdin.write(pcm)
        except BrokenPipeError:
            self._fail()
        self.bytes_written += len(pcm)

    def close(self) -> None:
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            self._fail()
        if self.tmp is not None:
            commit_temp(self.tmp, self.path)

    def _fail(self) -> None:
        err = self.proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
        self.abort()
        if self.path is None and err and "Broken pipe" in err[-1]:
            # The reader of stdout went away (| head): the same as for WAV streams.
            raise BrokenPipeError(err[-1])
        raise ffmpeg_error(err, self.path, "ffmpeg failed")

    def abort(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.proc.stdin.close()
        with contextlib.suppress(OSError):
            self.proc.kill()
        self.proc.wait()
        if self.tmp is not None:
            discard_temp(self.tmp, self.path)


@contextlib.contextmanager
def open_sink(output: str, fmt: str, sample_rate: int) -> Iterator[AudioSink]:
    """A sink for ``output`` (``-`` is stdout) in ``fmt``; finished on success,
    removed on any error or interruption.

    Raises:
        OutputError: Audio to a terminal, or the output cannot be written.
    """
    check_output(output)
    if output == "-":
        sys.stdout.flush()
        stdout = sys.stdout.buffer
        if fmt in ("raw", "wav"):
            sink: AudioSink = StreamSink(stdout, sample_rate, wav=fmt == "wav")
        else:
            if fmt in ("m4b", "m4a"):
                raise UsageError("m4b/m4a cannot be streamed: give -o FILE.m4b")
            stdout.flush()
            sink = FfmpegSink(None, sample_rate, fmt)
    elif fmt == "raw":
        sink = _RawFileSink(Path(output))
    elif fmt == "wav":
        sink = WavFileSink(Path(output), sample_rate)
    else:
        sink = FfmpegSink(Path(output), sample_rate, fmt)
    try:
        yield sink
    except BaseException:
        sink.abort()
        raise
    try:
        sink.close()
    except BrokenPipeError:
        sink.abort()
        raise
    except OSError as exc:
        # The rename into place (or the final flush) failed: leave nothing behind.
        sink.abort()
        from kreyol_cli.errors import from_os_error

        raise from_os_error(exc) or OutputError(f"cannot write {output}: {exc.strerror or exc}"
                                                ) from None


def check_output(output: str) -> None:
    """Refuse an output that cannot work, before any audio is synthesized.

    Raises:
        OutputError: Audio to a terminal, a missing folder, or a folder where
            the file should go.
    """
    if output == "-" and sys.stdout.isatty() or output != "-" and _is_terminal(output):
        raise OutputError(
            "refusing to write audio to a terminal: redirect it (> out.wav), pipe it "
            "(| aplay) or give -o FILE"
        )
    if output == "-":
        return
    path = Path(output)
    if path.is_dir():
        raise OutputError(f"cannot write {output}: it is a folder (give a file name)")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"cannot write {output}: folder {directory} does not exist")


def _is_terminal(output: str) -> bool:
    """Whether ``output`` (``/dev/stdout``, ``/dev/tty``, a link to one) leads to a terminal."""
    import stat

    from kreyol_cli.target import resolve

    where = resolve(output)
    if where.kind == "fd":
        return os.isatty(where.fd)
    try:
        if where.kind != "special" or not stat.S_ISCHR(os.stat(where.path).st_mode):
            return False
        fd = os.open(where.path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


class _RawFileSink(WavFileSink):
    """Headerless PCM to a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, self.tmp = temp_beside(path)
        self.handle = os.fdopen(fd, "wb")  # closed in close/abort

    def close(self) -> None:
        self.handle.flush()
        sync(self.handle.fileno())
        self.handle.close()
        commit_temp(self.tmp, self.path)
