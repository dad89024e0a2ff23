"""Extract a document (PDF, text, Markdown or stdin) into chapters, and render it.

``iter_document`` streams: it returns the document's info at once and yields
chapters as pages are read. ``extract_document`` collects them for small inputs
and tests. PDF work lives in :mod:`kreyol_cli.extract_pdf`, text clean-up and
plain-text chapters in :mod:`kreyol_cli.extract_text`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from kreyol_cli.domain import Chapter, Document, DocumentInfo, PageRange
from kreyol_cli.errors import InputError, UsageError
from kreyol_cli.extract_text import (
    looks_like_markdown,
    markdown_byline,
    markdown_sections,
    normalize,
    plain_sections,
    text_chapters,
)

__all__ = ["FORMATS", "extract_document", "iter_document", "iter_rendered", "render_document"]

FORMATS = ("text", "json", "markdown")
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown"}


def iter_document(
    source: str | Path,
    *,
    pages: PageRange | None = None,
    password: str | None = None,
    encoding: str = "utf-8",
) -> tuple[DocumentInfo, Iterator[Chapter], list[str]]:
    """Open a document and stream its chapters.

    Args:
        source: A PDF, ``.txt`` or ``.md`` path, or ``"-"`` for stdin (text,
            Markdown, or a PDF's bytes).
        pages: Pages to read (PDF only).
        password: Password of an encrypted PDF.
        encoding: Encoding of text input.

    Returns:
        The document's info, a lazy iterator of chapters (pages are read as it is
        consumed), and the list of warnings, which fills as iteration proceeds.

    Raises:
        InputError: The input is missing, empty, unreadable, not UTF-8 (or
            ``encoding``), not a PDF, or a truncated PDF.
        EncryptedPdfError: Encrypted PDF and no or a wrong password.
        NoTextError: The PDF has no text layer.
        UsageError: ``pages`` selects no page, or ``encoding`` is unknown.
    """
    from kreyol_cli.extract_pdf import open_pdf, pdf_document

    if str(source) == "-":
        if sys.stdin.isatty():
            raise UsageError("no input on stdin; pipe text into kreyol or pass a file")
        data = sys.stdin.buffer.read()
        if b"%PDF-" in data[:1024]:
            return pdf_document(open_pdf(data, "stdin", password), "-", "stdin", pages)
        return _text_document(data, "-", "stdin", "Untitled", pages, encoding)

    path = Path(source)
    name = str(source)
    if not path.exists():
        raise InputError(f"{name}: no such file")
    if path.is_dir():
        raise InputError(f"{name} is a directory; pass a PDF, .txt or .md file")
    try:
        if path.suffix.lower() == ".pdf" or _starts_like_pdf(path):
            return pdf_document(open_pdf(path, name, password), name, _title_stem(path), pages)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    return _text_document(data, name, name, _title_stem(path), pages, encoding,
                          path.suffix.lower())


def extract_document(
    source: str | Path,
    *,
    pages: PageRange | None = None,
    password: str | None = None,
    encoding: str = "utf-8",
) -> Document:
    """Extract a whole document into memory (see :func:`iter_document`)."""
    info, chapters, warnings = iter_document(
        source, pages=pages, password=password, encoding=encoding
    )
    return Document(info, list(chapters), warnings)


def _title_stem(path: Path) -> str:
    """The file stem as a fallback title, without a language tag (``book.ht.pdf``)."""
    return re.sub(r"\.(ht|en|fr)$", "", path.stem) or path.stem


def _starts_like_pdf(path: Path) -> bool:
    with path.open("rb") as fh:
        return b"%PDF-" in fh.read(1024)


def _text_document(
    data: bytes,
    source: str,
    name: str,
    stem: str,
    pages: PageRange | None,
    encoding: str,
    suffix: str = "",
) -> tuple[DocumentInfo, Iterator[Chapter], list[str]]:
    warnings = [] if pages is None else ["--pages applies to PDF input only; ignored"]
    if b"\0" in data[:4096]:
        raise InputError(f"{name} is a binary file, not a PDF, text or Markdown file")
    try:
        text = data.decode(encoding)
    except LookupError:
        raise UsageError(f"--encoding {encoding!r}: unknown encoding") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not valid {encoding} (byte {data[exc.start]:#04x} at offset "
            f"{exc.start}); pass its encoding, e.g. --encoding cp1252"
        ) from None
    text = normalize(text.lstrip("\ufeff")).replace("\r\n", "\n").replace("\r", "\n")
    markdown = suffix in _MARKDOWN_SUFFIXES or (not suffix and looks_like_markdown(text))
    author = ""
    if markdown:
        title, sections = markdown_sections(text)
        author, sections = markdown_byline(text, sections)
        first_heading = next((h for h, _ in sections if h), None)
        title = title or first_heading or stem
    else:
        title, sections = stem, plain_sections(text)
    if not any(paragraphs for _, paragraphs in sections):
        raise InputError(f"{name} has no text")
    info = DocumentInfo(title, author, 1, source, "markdown" if markdown else "text")
    return info, text_chapters(sections, title, front=markdown), warnings


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
                "\\" + p if p.startswith(("#", ">", "- ", "* ")) else p
                for p in chapter.text.split("\n\n")
            )
            yield f"\n## {chapter.title}\n\n{text}\n"
        else:
            yield f"{chapter.title}\n\n{chapter.text}\n" if i == 0 else (
                f"\n{chapter.title}\n\n{chapter.text}\n"
            )


def _json_pieces(
    info: DocumentInfo, chapters: Iterable[Chapter], warnings: list[str]
) -> Iterator[str]:
    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    yield (
        f'{{\n  "title": {dump(info.title)},\n  "author": {dump(info.author)},\n'
        f'  "pages": {info.pages},\n  "chapters": ['
    )
    sep = "\n    "
    for chapter in chapters:
        item = {
            "title": chapter.title,
            "start_page": chapter.start_page,
            "end_page": chapter.end_page,
            "text": chapter.text,
        }
        yield f"{sep}{dump(item)}"
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
