"""Encoded audio kept across runs, so a rebuilt audiobook is not re-encoded.

A chapter file (``--split chapters``) or the whole book's audio stream
(``--split none``, before chapters are added) is stored in the ``encoded``
cache namespace under a key made of the audio cache keys of its sentences,
in order, and everything that shapes the encoding (codec, bitrate, tags,
sample rate, the ffmpeg binary). The same key means the same PCM going into
the same encoder, so the stored file is byte for byte what a cold run
writes: a rerun (``--mode redo``) copies it into place instead of reading
every sentence's PCM and encoding it again. Each sentence's timing and text
are stored beside it, so subtitles and chapter marks come out the same too.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kreyol_cli.audio import AudioSink, ffmpeg_exe
from kreyol_cli.cache import Cache
from kreyol_cli.fileio import atomic_output

NAMESPACE = "encoded"
#: Bump when the way audio is encoded changes (sink arguments, muxing).
ENCODE_VERSION = "1"


@dataclass(frozen=True)
class PartInfo:
    """An audio part without its PCM: what the pipeline needs once the audio
    is encoded (the attributes ``synthesize.AudioPart`` has too)."""

    samples: int
    silence: int
    characters: int
    substitutions: tuple[tuple[str, str], ...] = ()
    cached: bool = True
    seconds: float = 0.0
    pcm: bytes = b""


class Parts:
    """The parts of one encoded file, compactly (24 bytes a sentence), so a
    whole book's worth stays small."""

    def __init__(self) -> None:
        self.numbers = array("q")  # samples, silence, characters per part
        self.substitutions: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.numbers) // 3

    def add(self, part) -> None:
        self.numbers.extend((part.samples, part.silence, part.characters))
        self.substitutions.update(part.substitutions)

    def to_value(self) -> dict:
        return {"numbers": self.numbers.tobytes(), "substitutions": self.substitutions}

    @classmethod
    def from_value(cls, value: dict) -> Parts:
        parts = cls()
        parts.numbers.frombytes(value["numbers"])
        parts.substitutions = dict(value["substitutions"])
        if len(parts.numbers) % 3:
            raise ValueError("truncated")
        return parts

    def __iter__(self) -> Iterator[PartInfo]:
        subs = tuple(sorted(self.substitutions.items()))
        for i in range(0, len(self.numbers), 3):
            samples, silence, characters = self.numbers[i:i + 3]
            yield PartInfo(samples, silence, characters, subs if i == 0 else ())


@dataclass(frozen=True)
class SegmentRef:
    """Stands in the task stream for a stored segment (picklable)."""

    index: int


@dataclass
class Segment:
    """A stored encoded file, open for reading, and the parts it holds."""

    key: str
    parts: Parts
    handle: IO[bytes]


class KeyBuilder:
    """The key of an encoding of audio chunks, built chunk by chunk: the
    chunks' audio keys in order, the encoder arguments (tags included) and
    the ffmpeg binary."""

    def __init__(self, encoding: list[str]) -> None:
        try:
            exe = ffmpeg_exe()
            ffmpeg = [exe, os.stat(exe).st_size]
        except Exception:  # noqa: BLE001 - no ffmpeg: nothing is encoded, the key is unused
            ffmpeg = None
        self.digest = hashlib.sha256(
            json.dumps([ENCODE_VERSION, encoding, ffmpeg]).encode("utf-8"))

    def add(self, chunk_key: str) -> None:
        self.digest.update(b"\0" + chunk_key.encode("utf-8"))

    def key(self) -> str:
        return f"encoded:{self.digest.hexdigest()}"


def segment_key(chunk_keys: Iterable[str], encoding: list[str]) -> str:
    """``KeyBuilder`` in one call."""
    builder = KeyBuilder(encoding)
    for key in chunk_keys:
        builder.add(key)
    return builder.key()


def lookup(cache: Cache, key: str) -> Segment | None:
    """The stored segment, or ``None`` (missing, incomplete or not readable)."""
    value = cache.get(NAMESPACE, key + ":parts", count=False)
    if value is None:
        return None
    try:
        parts = Parts.from_value(value)
    except (TypeError, ValueError, KeyError):
        return None
    handle = cache.open_file(NAMESPACE, key)
    if handle is None:
        return None
    return Segment(key, parts, handle)


def store(cache: Cache, key: str, path: Path, parts: Parts) -> None:
    """Keep ``path`` (just encoded from ``parts``) for later runs."""
    if not cache.enabled:
        return
    cache.set_file(NAMESPACE, key, path)
    cache.set(NAMESPACE, key + ":parts", parts.to_value())


class CopySink(AudioSink):
    """Writes a stored segment to ``path`` (atomically, on ``close``).

    The PCM of its parts is not needed and not accepted.
    """

    def __init__(self, segment: Segment, path: Path) -> None:
        self.segment = segment
        self.path = path

    def write(self, pcm: bytes) -> None:
        raise RuntimeError("a stored segment takes no PCM")

    def close(self) -> None:
        try:
            with atomic_output(self.path, binary=True) as out:
                shutil.copyfileobj(self.segment.handle, out, 1 << 20)
        finally:
            self.segment.handle.close()

    def abort(self) -> None:
        self.segment.handle.close()
