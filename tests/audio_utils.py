"""Helpers to check audio the way a listener would: decode it, measure how
long and how loud it is, and find the pauses in it."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import numpy as np

#: Samples at or below this magnitude (of 32767) count as silence.
QUIET = 64


def parse_wav(data: bytes) -> tuple[int, np.ndarray]:
    """``(sample_rate, int16 samples)`` of a 16-bit mono WAV file or stream.

    Works on streamed WAV too, whose header announces an unknown length: the
    samples are whatever follows the header.
    """
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", data[:16]
    assert data[12:16] == b"fmt ", data[12:16]
    fmt_size, tag, channels, rate, _, _, bits = struct.unpack("<IHHIIHH", data[16:36])
    assert (tag, channels, bits) == (1, 1, 16), (tag, channels, bits)
    assert data[36:40] == b"data"
    return rate, pcm_samples(data[44:])


def read_wav(path: Path) -> tuple[int, np.ndarray]:
    return parse_wav(Path(path).read_bytes())


def pcm_samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2")


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def decode(path: Path, sample_rate: int = 22050) -> np.ndarray:
    """Any audio file decoded by ffmpeg to mono int16 at ``sample_rate``."""
    proc = subprocess.run(
        [ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(path),
         "-f", "s16le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"],
        capture_output=True, check=False, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return pcm_samples(proc.stdout)


def duration(path: Path, sample_rate: int = 22050) -> float:
    """Seconds of audio in any file, by decoding all of it."""
    return len(decode(path, sample_rate)) / sample_rate


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if samples.size else 0.0


def quiet_runs(samples: np.ndarray, sample_rate: int, *, min_seconds: float = 0.1
               ) -> list[tuple[float, float]]:
    """``(start, length)`` in seconds of every run of near-silence at least
    ``min_seconds`` long."""
    quiet = np.abs(samples.astype(np.int32)) <= QUIET
    edges = np.diff(np.concatenate(([0], quiet.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(s / sample_rate, (e - s) / sample_rate) for s, e in zip(starts, ends, strict=True)
            if (e - s) >= min_seconds * sample_rate]


def inner_pauses(samples: np.ndarray, sample_rate: int, *, min_seconds: float = 0.1
                 ) -> list[float]:
    """Lengths of the pauses strictly inside the audio (not at its ends)."""
    end = len(samples) / sample_rate
    return [length for start, length in quiet_runs(samples, sample_rate, min_seconds=min_seconds)
            if start > 0 and start + length < end - 1e-9]
