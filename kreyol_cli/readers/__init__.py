"""Document readers: one module per format behind one interface (see ``base``).

``read_document`` opens a path or stdin, finds the reader by content (magic
bytes, a zip's members; the extension is only a hint), and returns a
:class:`~kreyol_cli.readers.base.Reading`. Reader modules are imported only
when the registry looks at them, and their libraries (PyMuPDF, mammoth, lxml,
ebooklib, readability) only when a file of theirs is converted, so
``kreyol --help`` stays fast.

Adding a format is one module with a ``READER`` object and one name in
``READERS`` (tried in this order; the first that accepts the input wins).
"""

from __future__ import annotations

import importlib
import io
import re
import sys
from pathlib import Path
from typing import IO

from kreyol_cli.errors import EncryptedError, InputError, UsageError
from kreyol_cli.readers.base import NOTES, Reader, Reading, ReadOptions, StreamInfo, peek, zip_names

__all__ = ["READERS", "FORMATS_HELP", "Reading", "ReadOptions", "StreamInfo", "read_document",
           "reader_for", "stdin_bytes"]

READERS = (
    "pdf",
    "epub",
    "docx",
    "odt",
    "ebook",  # MOBI, FB2, XPS, CBZ through PyMuPDF
    "html",
    "subtitles",  # SRT, WebVTT: the words of the cues (kreyol_cli.subtitles)
    "markdown",
    "text",
)

#: One line per format, for ``kreyol extract --help`` and the README.
FORMATS_HELP = (
    "PDF, EPUB, MOBI, FB2, XPS, CBZ, Word .docx, OpenDocument .odt, HTML (a saved web page: "
    "main content only), SRT/WebVTT subtitles, Markdown and plain text in any encoding"
)

# stdin is read once per process; keyed by the stream, so a test runner that
# swaps sys.stdin between invocations gets fresh input.
_STDIN: tuple[object, bytes] | None = None


def stdin_bytes() -> bytes:
    """Standard input, read once per process (a second reader gets the same bytes).

    Raises:
        UsageError: stdin is a terminal (nothing piped in).
    """
    global _STDIN
    cached = cached_stdin()
    if cached is not None:
        return cached
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("no input on stdin; pipe a document into kreyol or pass a file")
    _STDIN = (sys.stdin, sys.stdin.buffer.read())
    return _STDIN[1]


def cached_stdin() -> bytes | None:
    """The bytes of stdin if a reader has already read it all, else ``None``."""
    if _STDIN is not None and _STDIN[0] is sys.stdin:
        return _STDIN[1]
    return None


def stream_info(source: str | Path) -> StreamInfo:
    """The name, extension hint and fallback title of ``source``."""
    if str(source) == "-":
        return StreamInfo("-", "stdin", "", "Untitled")
    path = Path(source)
    return StreamInfo(str(source), str(source), path.suffix.lower(), title_stem(path))


def title_stem(path: Path) -> str:
    """The file stem as a fallback title, without a language tag (``book.ht.pdf``)."""
    return re.sub(r"\.(ht|en|fr)$", "", path.stem) or path.stem


def _load(name: str) -> Reader:
    try:
        module = importlib.import_module(f"kreyol_cli.readers.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"kreyol_cli.readers.{name}" or name not in _FALLBACKS:
            raise
        return _FALLBACKS[name]()
    return module.READER


def reader_for(stream: IO[bytes], info: StreamInfo) -> Reader:
    """The first reader in ``READERS`` that accepts ``stream``.

    Raises:
        InputError: Empty input, a damaged zip, a password-protected Office
            file, or bytes no reader accepts.
    """
    head = peek(stream, 8)
    if not head:
        raise InputError(f"{info.name} is empty (0 bytes); check that the download or copy "
                         f"finished")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2 compound file
        _refuse_ole(stream, info)
    if head.startswith(b"PK\x03\x04") and zip_names(stream) is None:
        raise InputError(f"{info.name} is a damaged or truncated zip file (EPUB, DOCX and ODT "
                         f"are zips); download or copy it again")
    for name in READERS:
        reader = _load(name)
        if reader.accepts(stream, info):
            _check_named(reader, info)
            return reader
    raise InputError(f"{info.name} is a binary file, not a document kreyol reads "
                     f"({FORMATS_HELP})")


#: Extensions of formats with magic bytes. A file named so that is only text is most
#: likely a failed download (an HTML error page saved as book.pdf): say so, rather
#: than read the error page aloud.
_NAMED = {".pdf": "a PDF (no %PDF header)", ".epub": "an EPUB", ".docx": "a Word .docx file",
          ".odt": "an OpenDocument .odt file"}


def _check_named(reader: Reader, info: StreamInfo) -> None:
    if info.extension in _NAMED and reader.name in ("html", "markdown", "text", "subtitles"):
        raise InputError(
            f"{info.name} is not {_NAMED[info.extension]}: it is {reader.name} "
            f"(a failed download?); get the file again, or rename it if it is {reader.name}"
        )


def _refuse_ole(stream: IO[bytes], info: StreamInfo) -> None:
    """Word writes a password-protected .docx as an OLE2 file with an
    ``EncryptionInfo`` stream; an old binary .doc has a ``WordDocument`` stream."""
    stream.seek(0)
    data = stream.read(32 << 20)
    stream.seek(0)
    if "EncryptionInfo".encode("utf-16-le") in data:
        raise EncryptedError(
            f"{info.name} is protected by a password: open it in Word or LibreOffice, remove "
            f"the password (File > Info > Protect Document) and save it as .docx"
        )
    kind = "an old Word .doc file" if "WordDocument".encode("utf-16-le") in data else \
        "an old Office (OLE2) file"
    raise InputError(f"{info.name} is {kind}: open it in Word or LibreOffice and save it as "
                     f".docx")


#: Readers that honour ``--pages`` (PDF, and what PyMuPDF lays out in pages).
PAGED = ("pdf", "ebook")


def read_document(source: str | Path, options: ReadOptions | None = None) -> Reading:
    """Open ``source`` (a path, or ``"-"`` for stdin) with the reader its content calls for.

    Raises:
        InputError (and subclasses): Missing, unreadable, empty or damaged input.
        UsageError: Bad options (``--notes``, ``--encoding``, ``--pages``).
    """
    options = options or ReadOptions()
    if options.notes not in NOTES:
        raise UsageError(f"--notes {options.notes!r}: use drop or end")
    info = stream_info(source)
    if info.source == "-":
        stream: IO[bytes] = io.BytesIO(stdin_bytes())
    else:
        from kreyol_cli.fileio import open_input

        stream = open_input(str(source))
    try:
        reader = reader_for(stream, info)
        stream.seek(0)
        reading = reader.convert(stream, info, options)
        if options.pages is not None and reader.name not in PAGED:
            reading.warnings.append("--pages applies to PDF input only; ignored")
        return reading
    finally:
        stream.close()


_FALLBACKS: dict[str, type] = {}
