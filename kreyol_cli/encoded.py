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

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kreyol_cli.audio import AudioSink, ffmpeg_exe
from kreyol_cli.cache import Cache
from kreyol_cli.fileio import make_public, temp_beside

NAMESPACE = "encoded"
#: Bump when the way audio is encoded changes (sink arguments, muxing).
ENCODE_VERSION = "1"


@dataclass(frozen=True)
class PartInfo:
    """An audio part without its PCM: what the pipeline needs once the audio
    is encoded (same attributes as ``synthesize.AudioPart``)."""

    samples: int
    silence: int
    sentences: tuple[tuple[str, int], ...]
    substitutions: tuple[tuple[str, str], ...]
    cached: bool = True
    seconds: float = 0.0
    pcm: bytes = b""

    @classmethod
    def of(cls, part) -> PartInfo:
        return cls(part.samples, part.silence, part.sentences, part.substitutions)


@dataclass(frozen=True)
class SegmentRef:
    """Stands in the task stream for a stored segment (picklable)."""

    index: int


@dataclass
class Segment:
    """A stored encoded file, open for reading, and the parts it holds."""

    key: str
    parts: list[PartInfo]
    handle: IO[bytes]


def segment_key(chunk_keys: Iterable[str], encoding: list[str]) -> str:
    """The key of the encoding of these chunks, in this order, with these
    encoder arguments (tags included)."""
    try:
        exe = ffmpeg_exe()
        ffmpeg = [exe, os.stat(exe).st_size]
    except Exception:  # noqa: BLE001 - no ffmpeg: nothing is encoded, the key is unused
        ffmpeg = None
    digest = hashlib.sha256()
    digest.update(json.dumps([ENCODE_VERSION, encoding, ffmpeg]).encode("utf-8"))
    for key in chunk_keys:
        digest.update(b"\0" + key.encode("utf-8"))
    return f"encoded:{digest.hexdigest()}"


def lookup(cache: Cache, key: str) -> Segment | None:
    """The stored segment, or ``None`` (missing, incomplete or not readable)."""
    parts = cache.get(NAMESPACE, key + ":parts", count=False)
    if parts is None:
        return None
    handle = cache.open_file(NAMESPACE, key)
    if handle is None:
        return None
    try:
        infos = [PartInfo(int(s), int(q), tuple(map(tuple, t)), tuple(map(tuple, u)))
                 for s, q, t, u in parts]
    except (TypeError, ValueError):
        handle.close()
        return None
    return Segment(key, infos, handle)


def store(cache: Cache, key: str, path: Path, parts: list[PartInfo]) -> None:
    """Keep ``path`` (just encoded from ``parts``) for later runs."""
    if not cache.enabled:
        return
    cache.set_file(NAMESPACE, key, path)
    cache.set(NAMESPACE, key + ":parts",
              [(p.samples, p.silence, p.sentences, p.substitutions) for p in parts])


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
        fd, tmp = temp_beside(self.path)
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(self.segment.handle, out, 1 << 20)
            make_public(tmp)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        finally:
            self.segment.handle.close()

    def abort(self) -> None:
        self.segment.handle.close()
