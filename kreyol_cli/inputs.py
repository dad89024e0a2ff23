"""Lines of text for ``translate`` and ``tts``, from any input a reader knows.

Plain text and Markdown are streamed line by line as they are, so
``translate`` keeps their shape. Any other document (PDF, EPUB, DOCX, ODT,
HTML, and subtitles the cue-by-cue path did not take) goes through its reader and
comes out as the text ``kreyol extract`` prints: chapter headings and
paragraphs separated by blank lines.
"""

from __future__ import annotations

import io
import itertools
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

#: Readers whose input is already lines of text to keep as they are.
LINE_READERS = ("text", "markdown")


@dataclass
class InputText:
    """Lines to process, and what the input says about itself.

    Attributes:
        lines: Lines, newline kept (lazy).
        declared: The language the document declares (``""`` if none).
        path: The file name (``None`` for stdin or TEXT arguments).
        kind: The reader used (``"text"`` for TEXT arguments).
    """

    lines: Iterator[str]
    declared: str = ""
    path: str | None = None
    kind: str = "text"

    def sample(self, limit: int = 3000) -> str:
        """Read ahead up to ``limit`` characters; ``lines`` still yields them all."""
        taken: list[str] = []
        size = 0
        for line in self.lines:
            taken.append(line)
            size += len(line)
            if size >= limit:
                break
        self.lines = itertools.chain(taken, self.lines)
        return "".join(taken)


def input_text(
    source: str | None,
    texts: Iterable[str] = (),
    *,
    encoding: str | None = None,
    notes: str = "drop",
    warn: Callable[[str], None] | None = None,
) -> InputText:
    """Open TEXT arguments, a file or stdin (``None``/``-``) as lines.

    Raises:
        InputError, UsageError: As the readers and :func:`kreyol_cli.fileio.read_lines`.
    """
    from kreyol_cli.fileio import read_lines

    texts = list(texts or ())
    if texts:
        return InputText(read_lines(source, texts, encoding=encoding or "utf-8"))
    name = "-" if source in (None, "-") else str(source)
    kind = _sniff(name)
    if kind in LINE_READERS:
        lines = read_lines(None if name == "-" else name, encoding=encoding, warn=warn)
        return InputText(lines, "", None if name == "-" else name, kind)
    from kreyol_cli.extract import iter_document

    info, chapters, warnings = iter_document(name, encoding=encoding, notes=notes)
    return InputText(_rendered(info, chapters, warnings, warn), info.language,
                     None if name == "-" else name, info.kind)


def _sniff(name: str) -> str:
    from kreyol_cli.fileio import check_input, is_empty_input, open_input
    from kreyol_cli.readers import reader_for, stdin_bytes, stream_info

    info = stream_info(name)
    if name == "-":
        head = stdin_head()
        if not _binary_document(head):
            return "text"  # streamed: a pipe's reader starts at once
        stream = io.BytesIO(stdin_bytes())
    else:
        check_input(name)
        if is_empty_input(name):
            return "text"  # empty in, empty out, exit 0 (as for stdin)
        stream = open_input(name)
    with stream:
        return reader_for(stream, info).name


def stdin_head(size: int = 4096) -> bytes:
    """The first bytes of standard input, which stays unread (``b""`` from a
    terminal, where peeking would wait for the typing, or from an unpeekable stream)."""
    from kreyol_cli.readers import cached_stdin

    cached = cached_stdin()
    if cached is not None:
        return cached[:size]
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None or not hasattr(buffer, "peek") or sys.stdin.isatty():
        return b""
    try:
        return buffer.peek(size)[:size]
    except (OSError, ValueError):
        return b""


def _binary_document(head: bytes) -> bool:
    from kreyol_cli.readers.sniff import looks_like_html

    return b"%PDF-" in head[:1024] or head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) \
        or looks_like_html(head)


def _rendered(info, chapters, warnings: list[str], warn) -> Iterator[str]:
    from kreyol_cli.extract import WarningRelay, iter_rendered

    relay = WarningRelay(warnings, warn)
    pending = ""
    for piece in iter_rendered(info, relay.chapters(chapters), "text", warnings):
        pending += piece
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"
    if pending:
        yield pending
    relay.flush()
