"""The one interface every format reader implements, and what it returns.

A reader is a small object with a ``name`` and two methods, in the shape of
markitdown's converters:

* ``accepts(stream, info)``: a cheap look at the first bytes (magic numbers, a
  zip's member names), with the file extension only as a hint. It leaves the
  stream where it found it.
* ``convert(stream, info, options)``: the document's :class:`Reading`: its
  info at once, and its chapters as a lazy iterator.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, NamedTuple, Protocol

from kreyol_cli.domain import Chapter, DocumentInfo, PageRange

NOTES = ("drop", "end")


@dataclass(frozen=True)
class StreamInfo:
    """Where the bytes come from.

    Attributes:
        source: The path as given, or ``"-"`` for stdin.
        name: How messages name the input (the path, or ``stdin``).
        extension: The lower-case suffix (``".epub"``); a hint only.
        stem: The fallback title: the file name without suffix or language tag.
    """

    source: str
    name: str
    extension: str
    stem: str


@dataclass(frozen=True)
class ReadOptions:
    """How to read (picklable).

    Attributes:
        pages: PDF pages to read (``None``: all).
        password: Password of an encrypted PDF.
        encoding: Encoding of text input; ``None`` detects it.
        notes: ``drop`` footnotes and their markers, or keep the notes at the
            ``end`` of their chapter.
    """

    pages: PageRange | None = None
    password: str | None = None
    encoding: str | None = None
    notes: str = "drop"


class Reading(NamedTuple):
    """A document being read: its info, its chapters (lazy), and its warnings.

    ``warnings`` fills while ``chapters`` is consumed.
    """

    info: DocumentInfo
    chapters: Iterator[Chapter]
    warnings: list[str]


class Reader(Protocol):
    name: str

    def accepts(self, stream: IO[bytes], info: StreamInfo) -> bool: ...

    def convert(self, stream: IO[bytes], info: StreamInfo, options: ReadOptions) -> Reading: ...


def peek(stream: IO[bytes], size: int = 4096) -> bytes:
    """The first ``size`` bytes of ``stream``; its position is restored."""
    position = stream.tell()
    try:
        stream.seek(0)
        return stream.read(size)
    finally:
        stream.seek(position)


def zip_names(stream: IO[bytes]) -> list[str] | None:
    """The member names of a zip stream, or ``None`` if it is not a readable zip."""
    import zipfile

    if not peek(stream, 4).startswith(b"PK\x03\x04"):
        return None
    position = stream.tell()
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        stream.seek(position)


def zip_mimetype(stream: IO[bytes]) -> str:
    """The ``mimetype`` member of an OCF/ODF zip (EPUB, ODT), or ``""``.

    Both formats store it first and uncompressed, so it shows at byte 38.
    """
    head = peek(stream, 256)
    if not head.startswith(b"PK\x03\x04") or len(head) < 30:
        return ""
    size = int.from_bytes(head[18:22], "little")
    name_len = int.from_bytes(head[26:28], "little")
    extra_len = int.from_bytes(head[28:30], "little")
    start = 30 + name_len + extra_len
    stored = head[8:10] == b"\0\0"
    if head[30:30 + name_len] != b"mimetype" or not stored or size > 100:
        return ""
    return head[start:start + size].decode("ascii", "replace").strip()
