"""PDF to chapters with PyMuPDF, streaming (the ``pdf`` reader).

Two passes over the selected pages. The first keeps only small statistics: the
body font size, heading sizes, lines repeated in the page margins, pages with no
text. The second reads the pages again one at a time and yields each chapter as
soon as its last page has been read, so memory stays flat however long the book.
Reading a page's lines, fonts and columns is :mod:`kreyol_cli.readers.pagelayout`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kreyol_cli.domain import Chapter, DocumentInfo, PageRange
from kreyol_cli.errors import EncryptedPdfError, InputError, NoTextError, UsageError
from kreyol_cli.readers.base import Reading, ReadOptions, StreamInfo, peek
from kreyol_cli.readers.pagelayout import (
    HEADING_RATIO,
    Block,
    Line,
    Stats,
    block_paragraphs,
    in_margin,
    load_pymupdf,
    margin_key,
    read_page,
    reading_order,
)
from kreyol_cli.readers.text import ends_sentence, join_lines

if TYPE_CHECKING:
    import pymupdf


OCR_HINT = "run OCRmyPDF first: `ocrmypdf in.pdf out.pdf`"
PAGES_PER_GROUP = 10
_PAGE_NUMBER = re.compile(
    r"^(?:page|paj|pag\.?|p\.)?\s*[-–—(\[]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[-–—)\]]?"
    r"(?:\s*(?:/|of|sur|sou|de)\s*\d{1,4})?$",
    re.IGNORECASE,
)
# The first line of a footnote at the foot of a page: "3 Data from ...", "* See ...".
_NOTE_START = re.compile(r"^\s*(?:\d{1,3}|[*†‡]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)[.)]?\s*\S")
_BAD_TITLE = re.compile(r"^(?:untitled|document\d*)$|\.(?:docx?|odt|pdf|indd|tex|qxd)$", re.I)


# --- opening -----------------------------------------------------------------


def check_pdf_bytes(name: str, head: bytes, tail: bytes, size: int) -> None:
    """Refuse empty, non-PDF and truncated files before PyMuPDF tries to repair them.

    Raises:
        InputError: With a message saying what is wrong and what to do.
    """
    if size == 0:
        raise InputError(f"{name} is empty (0 bytes); check that the download or copy finished")
    if b"%PDF-" not in head:
        raise InputError(
            f"{name} is not a PDF (no %PDF header); pass a PDF, .txt or .md file, "
            "or rename it if it is text"
        )
    if b"%%EOF" not in tail:
        raise InputError(
            f"{name} is truncated (the end of the PDF is missing); download or copy it again"
        )


def open_pdf(source: Path | bytes, name: str, password: str | None) -> pymupdf.Document:
    """Open and unlock a PDF.

    Raises:
        InputError: Empty, not a PDF, truncated or damaged beyond repair.
        EncryptedPdfError: Encrypted and no or a wrong password.
    """
    pymupdf = load_pymupdf()

    if isinstance(source, Path):
        size = source.stat().st_size
        with source.open("rb") as fh:
            head = fh.read(1024)
            fh.seek(max(0, size - 4096))
            tail = fh.read()
    else:
        size, head, tail = len(source), source[:1024], source[-4096:]
    check_pdf_bytes(name, head, tail, size)
    try:
        if isinstance(source, Path):
            doc = pymupdf.open(source, filetype="pdf")
        else:
            doc = pymupdf.open(stream=source, filetype="pdf")
    except (pymupdf.FileDataError, pymupdf.EmptyFileError, RuntimeError, ValueError) as exc:
        raise InputError(f"{name} is a damaged PDF ({exc}); repair it or get a new copy") from None
    if doc.needs_pass:
        if password is None:
            doc.close()
            raise EncryptedPdfError(f"{name} is encrypted; pass --password")
        if not doc.authenticate(password):
            doc.close()
            raise EncryptedPdfError(f"{name}: wrong password; pass the right one with --password")
    if doc.page_count == 0:
        doc.close()
        raise InputError(f"{name} has no pages")
    return doc


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _matches(block: Block, title: str) -> bool:
    want, have = _norm(title), _norm(block.text)
    if not want or not have or len(block.lines) > 3:
        return False
    if have == want:
        return True
    shorter = min(len(want), len(have))
    return shorter >= 3 and shorter >= 0.5 * max(len(want), len(have)) and (
        have.startswith(want) or want.startswith(have)
    )


class _ChapterBuilder:
    """Collects paragraphs of the chapter being read and hands out finished chapters."""

    def __init__(self, front_title: str, drop: set[str]) -> None:
        self.title: str | None = None  # None: front matter before the first chapter
        self.front_title = front_title
        self.drop = drop  # normalized lines not repeated in front matter (title, author)
        self.paragraphs: list[str] = []
        self.start: int | None = None
        self.end: int | None = None
        self.after_heading = True
        self.index = 0
        self.notes: list[str] = []  # footnotes kept for the end of the chapter
        self.heading = True  # False for "Pages 1-10" stand-in titles

    def start_chapter(self, title: str | None, page: int) -> Chapter | None:
        done = self.finish()
        self.title, self.start, self.end = title, page, page
        self.heading = True
        return done

    def add(self, text: str, page: int, *, may_continue: bool, heading: bool = False) -> None:
        if self.start is None:
            self.start = page
        self.end = page
        if (
            may_continue
            and self.paragraphs
            and not self.after_heading
            and not heading
            and not ends_sentence(self.paragraphs[-1])
        ):
            self.paragraphs[-1] = join_lines(self.paragraphs[-1], text)
        else:
            self.paragraphs.append(text)
        self.after_heading = heading

    def finish(self) -> Chapter | None:
        paragraphs, self.paragraphs, self.after_heading = self.paragraphs, [], True
        if self.notes:
            paragraphs += ["Notes", *self.notes]
            self.notes = []
        title = self.title
        if title is None:
            paragraphs = [p for p in paragraphs if _norm(p) not in self.drop]
            title = self.front_title
        if not paragraphs or self.start is None:
            return None
        chapter = Chapter(self.index, title, self.start, self.end, "\n\n".join(paragraphs),
                          heading=self.heading)
        self.index += 1
        return chapter


# --- the document ------------------------------------------------------------------


def _metadata(doc: pymupdf.Document) -> tuple[str, str]:
    meta = doc.metadata or {}
    title = " ".join((meta.get("title") or "").split())
    author = " ".join((meta.get("author") or "").split())
    return ("" if _BAD_TITLE.search(title) else title), author


def _selected(doc: pymupdf.Document, pages: PageRange | None, warnings: list[str]) -> range:
    count = doc.page_count
    if pages is None:
        return range(count)
    selected = pages.clamp(count)
    if not selected:
        raise UsageError(f"--pages {pages.start}-{pages.end or ''}: the PDF has {count} page(s)")
    if pages.end is not None and pages.end > count:
        warnings.append(f"the PDF has only {count} pages; read pages {pages.start}-{count}")
    return selected


def _outline(doc: pymupdf.Document) -> list[tuple[int, str]]:
    toc = [(lvl, " ".join(t.split()), p) for lvl, t, p, *_ in doc.get_toc(simple=True)]
    toc = [(lvl, t, p) for lvl, t, p in toc if t and 1 <= p <= doc.page_count]
    if not toc:
        return []
    top = min(lvl for lvl, _, _ in toc)
    return sorted(((p - 1, t) for lvl, t, p in toc if lvl == top), key=lambda m: m[0])


def pdf_document(
    doc: pymupdf.Document, name: str, stem: str, pages: PageRange | None, notes: str = "drop"
) -> tuple[DocumentInfo, Iterator[Chapter], list[str]]:
    """Read statistics from an open PDF, then stream its chapters.

    The generator closes ``doc`` when it ends.

    Raises:
        NoTextError: No selected page has a text layer.
        UsageError: ``pages`` selects no page.
    """
    warnings: list[str] = []
    try:
        selected = _selected(doc, pages, warnings)
        stats = Stats()
        for number in selected:
            stats.add_page(doc.load_page(number), number + 1)
        if stats.text_pages == 0:
            raise NoTextError(f"{name} has no text layer (a scanned PDF?); {OCR_HINT}")
    except BaseException:
        doc.close()
        raise
    running, chapter_level, heading_title = stats.finish()
    if stats.image_pages:
        shown = ", ".join(map(str, stats.image_pages[:10]))
        more = ", ..." if len(stats.image_pages) > 10 else ""
        warnings.append(
            f"{len(stats.image_pages)} page(s) have no text layer and were skipped "
            f"(pages {shown}{more}); {OCR_HINT}"
        )
    title, author = _metadata(doc)
    info = DocumentInfo(title or heading_title or stem, author, doc.page_count, name, "pdf")
    body = stats.body_size
    layout = _Layout(set(running), chapter_level, body, _outline(doc), notes)
    info = DocumentInfo(info.title, info.author, info.pages, name, "pdf",
                        removed=tuple(sorted(set(running.values()))))
    return info, _chapters(doc, selected, layout, info), warnings


@dataclass
class _Layout:
    running: set[int]
    chapter_level: tuple[float, bool] | None
    body: float
    outline: list[tuple[int, str]]
    notes: str = "drop"


def _chapters(
    doc: pymupdf.Document, selected: range, layout: _Layout, info: DocumentInfo
) -> Iterator[Chapter]:
    drop = {_norm(info.title), _norm(info.author)}
    drop |= {_norm(f"{w} {info.author}") for w in ("by", "pa", "par", "de")}
    builder = _ChapterBuilder(info.title, drop - {""})
    markers = layout.outline
    earlier = [t for p, t in markers if p < selected.start]
    if earlier:
        builder.title = earlier[-1]
    groups = not markers and layout.chapter_level is None
    try:
        for k, number in enumerate(selected):
            if groups and k % PAGES_PER_GROUP == 0:
                last = min(number + PAGES_PER_GROUP, selected.stop)
                title = f"Pages {number + 1}–{last}" if last > number + 1 else f"Page {last}"
                done = builder.start_chapter(title, number + 1)
                builder.heading = False
                if done is not None:
                    yield done
            yield from _read_chapter_page(doc.load_page(number), number, builder, layout)
        last = builder.finish()
        if last is not None:
            yield last
    finally:
        doc.close()


def _read_chapter_page(
    page: pymupdf.Page, number: int, builder: _ChapterBuilder, layout: _Layout
) -> Iterator[Chapter]:
    rect = page.rect
    blocks = []
    read = read_page(page)
    for block in read:
        kept = [ln for ln in block.lines if not _is_margin_noise(ln, rect, layout)]
        if kept:
            blocks.append(Block(kept))
    if not blocks:
        # Header removal never takes a page's only text: a line repeated on every
        # page of a short document may be all there is to read.
        blocks = [Block(kept) for block in read
                  if (kept := [ln for ln in block.lines if not _PAGE_NUMBER.match(ln.text)])]
    blocks, notes = _split_footnotes(blocks, rect, layout.body)
    if layout.notes == "end":
        builder.notes += notes
    ordered = reading_order(blocks)
    page_no = number + 1
    pending = [t for p, t in layout.outline if p == number]
    starts: dict[int, list[str]] = {}
    position = 0
    for title in pending:
        found = (i for i in range(position, len(ordered)) if _matches(ordered[i][0], title))
        position = next(found, position)
        starts.setdefault(position, []).append(title)
    for i, (block, new_column) in enumerate(ordered):
        skip = False
        for title in starts.get(i, ()):
            done = builder.start_chapter(title, page_no)
            if done is not None:
                yield done
            skip = skip or _matches(block, title)
        if skip:
            continue
        level = block.level
        if not layout.outline and level is not None and level == layout.chapter_level:
            done = builder.start_chapter(block.text, page_no)
            if done is not None:
                yield done
            continue
        heading = level is not None and level[0] >= layout.body * HEADING_RATIO
        paragraphs = [block.text] if heading else block_paragraphs(block)
        for j, text in enumerate(paragraphs):
            fresh = j == 0 and (i == 0 or new_column)  # may continue the previous page/column
            builder.add(text, page_no, may_continue=fresh, heading=heading)


def _split_footnotes(blocks: list[Block], rect: pymupdf.Rect, body: float
                     ) -> tuple[list[Block], list[str]]:
    """Take footnotes off the foot of a page: small type, low on the page, opening
    with a note number."""
    text_blocks, notes = [], []
    for block in blocks:
        small = max(ln.size for ln in block.lines) <= body * 0.9
        low = block.y0 >= rect.height * 0.55
        if small and low and _NOTE_START.match(block.lines[0].text) and len(blocks) > 1:
            notes.append(block.text)
        else:
            text_blocks.append(block)
    return text_blocks, notes


def _is_margin_noise(line: Line, rect: pymupdf.Rect, layout: _Layout) -> bool:
    if not in_margin(line, rect):
        return False
    if _PAGE_NUMBER.match(line.text) and line.size <= layout.body * 1.3:
        return True
    return margin_key(line.text) in layout.running


class PdfReader:
    """PDF files (``%PDF-`` within the first kilobyte, as PDF readers allow)."""

    name = "pdf"

    def accepts(self, stream: IO[bytes], info: StreamInfo) -> bool:
        return b"%PDF-" in peek(stream, 1024)

    def convert(self, stream: IO[bytes], info: StreamInfo, options: ReadOptions) -> Reading:
        source: Path | bytes = Path(info.source) if info.source != "-" else stream.read()
        try:
            doc = open_pdf(source, info.name, options.password)
        except OSError as exc:
            raise InputError(f"{info.name}: cannot read ({exc.strerror or exc})") from None
        return Reading(*pdf_document(doc, info.source, info.stem, options.pages, options.notes))


READER = PdfReader()
