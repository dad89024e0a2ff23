"""Read a document into chapters, and render it as text, JSON or Markdown.

``iter_document`` streams: it returns the document's info at once and yields
chapters as they are read. ``extract_document`` collects them for small inputs
and tests. The formats themselves live in :mod:`kreyol_cli.readers`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kreyol_cli.domain import Chapter, Document, DocumentInfo, PageRange
from kreyol_cli.errors import UsageError
from kreyol_cli.readers import ReadOptions, read_document

__all__ = ["FORMATS", "WarningRelay", "extract_document", "iter_document", "iter_rendered",
           "render_document"]

FORMATS = ("text", "json", "markdown")


class WarningRelay:
    """Passes on the warnings a reader adds to its list while its chapters are read,
    each once, as soon as it appears (a warning about page 3 shows before page 300
    is read)."""

    def __init__(self, warnings: list[str], warn: Callable[[str], None] | None) -> None:
        self.warnings = warnings
        self.warn = warn
        self.reported = 0

    def flush(self) -> None:
        """Pass on the warnings added since the last call."""
        for message in self.warnings[self.reported:]:
            if self.warn is not None:
                self.warn(message)
        self.reported = len(self.warnings)

    def chapters(self, chapters: Iterable[Chapter]) -> Iterator[Chapter]:
        """``chapters``, flushing before each one and after the last."""
        for chapter in chapters:
            self.flush()
            yield chapter
        self.flush()


def iter_document(
    source: str | Path,
    *,
    pages: PageRange | None = None,
    password: str | None = None,
    encoding: str | None = None,
    notes: str = "drop",
) -> tuple[DocumentInfo, Iterator[Chapter], list[str]]:
    """Open a document and stream its chapters.

    Args:
        source: A document path (PDF, EPUB, DOCX, ODT, HTML, subtitles, Markdown,
            text, ...), or ``"-"`` for stdin.
        pages: Pages to read (PDF only).
        password: Password of an encrypted PDF.
        encoding: Encoding of text input; ``None`` detects it.
        notes: ``drop`` footnotes, or keep them at the ``end`` of their chapter.

    Returns:
        The document's info, a lazy iterator of chapters, and the list of
        warnings, which fills as iteration proceeds.

    Raises:
        InputError: The input is missing, empty, unreadable, damaged or not a
            document (and subclasses: EncryptedPdfError, NoTextError).
        UsageError: ``pages`` selects no page, ``encoding`` or ``notes`` is unknown.
    """
    options = ReadOptions(pages=pages, password=password, encoding=encoding, notes=notes)
    return tuple(read_document(source, options))


def extract_document(
    source: str | Path,
    *,
    pages: PageRange | None = None,
    password: str | None = None,
    encoding: str | None = None,
    notes: str = "drop",
) -> Document:
    """Extract a whole document into memory (see :func:`iter_document`)."""
    info, chapters, warnings = iter_document(
        source, pages=pages, password=password, encoding=encoding, notes=notes
    )
    return Document(info, list(chapters), warnings)


def iter_rendered(
    info: DocumentInfo, chapters: Iterable[Chapter], fmt: str, warnings: list[str]
) -> Iterator[str]:
    """Render a document piece by piece, one chapter at a time.

    ``warnings`` is read only after the last chapter (JSON puts it at the end).

    Raises:
        UsageError: Unknown format.
    """
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "json":
        yield from _json_pieces(info, chapters, warnings)
        return
    if fmt == "markdown":
        yield f"# {info.title}\n"
    for i, chapter in enumerate(chapters):
        if fmt == "markdown":
            text = "\n\n".join(
                "\\" + p if p.startswith(("#", ">", "* ")) else p
                for p in chapter.text.split("\n\n")
            )
            yield f"\n## {chapter.title}\n\n{text}\n"
        else:
            # Text output is what `kreyol translate` and `tts` read aloud: a title
            # the document does not have (the file name) is not put in it.
            title = f"{chapter.title}\n\n" if chapter.heading else ""
            yield f"{title}{chapter.text}\n" if i == 0 else f"\n{title}{chapter.text}\n"


def _json_pieces(
    info: DocumentInfo, chapters: Iterable[Chapter], warnings: list[str]
) -> Iterator[str]:
    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    head = "".join(f"  {dump(k)}: {dump(v)},\n" for k, v in Document.info_dict(info).items())
    yield f'{{\n{head}  "chapters": ['
    sep = "\n    "
    for chapter in chapters:
        yield f"{sep}{dump(Document.chapter_dict(chapter))}"
        sep = ",\n    "
    closing = "\n  ]" if sep != "\n    " else "]"
    yield f'{closing},\n  "warnings": {dump(list(warnings))}\n}}\n'


def render_document(doc: Document, fmt: str) -> str:
    """Render a document as ``"text"``, ``"json"`` or ``"markdown"``.

    Text is chapter title, blank line, paragraphs separated by blank lines, and a
    blank line between chapters: the input ``kreyol translate`` expects.

    Raises:
        UsageError: Unknown format.
    """
    return "".join(iter_rendered(doc.info, doc.chapters, fmt, doc.warnings))
