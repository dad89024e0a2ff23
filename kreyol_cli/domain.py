"""Domain types shared by the stages. Plain, picklable dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageRange:
    """An inclusive, 1-based page range; ``end=None`` means the last page."""

    start: int = 1
    end: int | None = None

    @classmethod
    def parse(cls, text: str) -> PageRange:
        """Parse ``"3"``, ``"3-10"``, ``"3-"`` or ``"-10"``.

        Raises:
            UsageError: The text is not a page range.
        """
        from kreyol_cli.errors import UsageError

        raw = text.strip()
        try:
            if "-" in raw:
                a, b = raw.split("-", 1)
                start = int(a) if a.strip() else 1
                end = int(b) if b.strip() else None
            else:
                start = end = int(raw)
        except ValueError:
            raise UsageError(f"--pages {text!r}: use a page range like 3-10, 5 or 20-") from None
        if start < 1 or (end is not None and end < start):
            raise UsageError(f"--pages {text!r}: pages start at 1 and the range must not be empty")
        return cls(start, end)

    def clamp(self, page_count: int) -> range:
        """The 0-based page indexes this range selects in a document."""
        end = page_count if self.end is None else min(self.end, page_count)
        return range(min(self.start, page_count + 1) - 1, end)


@dataclass(frozen=True)
class DocumentInfo:
    """What is known about a document before its text is read.

    Attributes:
        title: Title from metadata, else the first heading, else the file stem.
        author: Author from metadata, or ``""``.
        pages: Page count (1 for formats without pages: text, EPUB, DOCX, HTML ...).
        source: The input path, or ``"-"`` for stdin.
        kind: The reader that read it: ``"pdf"``, ``"epub"``, ``"docx"``, ``"odt"``,
            ``"html"``, ``"ebook"``, ``"markdown"``, ``"text"`` ...
        language: The language the file declares (EPUB ``dc:language``, DOCX core
            properties, HTML ``lang``), as a lower-case code, or ``""``.
        removed: Running headers and footers left out of the text (PDF).
        encoding: The text encoding used to read it, for text input.
    """

    title: str
    author: str
    pages: int
    source: str
    kind: str
    language: str = ""
    removed: tuple[str, ...] = ()
    encoding: str = ""


@dataclass(frozen=True)
class Chapter:
    """One chapter of extracted text.

    Attributes:
        index: 0-based position in the document.
        title: Chapter heading (never empty; ``"Chapter N"`` when unknown).
        start_page: First page, 1-based (``None`` for plain text).
        end_page: Last page, 1-based, inclusive (``None`` for plain text).
        text: Paragraphs separated by one blank line.
        matter: ``"body"``, or ``"front"``/``"back"`` for an e-book's front and back
            matter (cover, copyright, acknowledgments, notes ...).
        heading: Whether ``title`` is a heading of the document itself (``False``
            for a stand-in such as the file name or "Chapter 2").
    """

    index: int
    title: str
    start_page: int | None
    end_page: int | None
    text: str
    matter: str = "body"
    heading: bool = True


@dataclass
class Document:
    """A fully extracted document (for ``kreyol extract``; the pipeline streams)."""

    info: DocumentInfo
    chapters: list[Chapter]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            **self.info_dict(self.info),
            "chapters": [self.chapter_dict(c) for c in self.chapters],
            "warnings": list(self.warnings),
        }

    @staticmethod
    def info_dict(info: DocumentInfo) -> dict:
        """The document-level keys of the JSON form."""
        return {"title": info.title, "author": info.author, "pages": info.pages,
                "format": info.kind, "language": info.language,
                "encoding": info.encoding, "removed": list(info.removed)}

    @staticmethod
    def chapter_dict(chapter: Chapter) -> dict:
        """One chapter in the JSON form."""
        return {"title": chapter.title, "start_page": chapter.start_page,
                "end_page": chapter.end_page, "matter": chapter.matter, "text": chapter.text}
