"""PDF to chapters with PyMuPDF, streaming (the ``pdf`` reader).

Two passes over the selected pages. The first keeps only small statistics: the
body font size, heading sizes, lines repeated in the page margins, pages with no
text. The second reads the pages again one at a time and yields each chapter as
soon as its last page has been read, so memory stays flat however long the book.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kreyol_cli.domain import Chapter, DocumentInfo, PageRange
from kreyol_cli.errors import EncryptedPdfError, InputError, NoTextError, UsageError
from kreyol_cli.readers.base import Reading, ReadOptions, StreamInfo, peek
from kreyol_cli.readers.text import ends_sentence, join_lines, normalize

if TYPE_CHECKING:
    import pymupdf


def _pymupdf():
    """Import PyMuPDF without its optional layout add-on.

    pymupdf 2.x imports ``pymupdf.layout`` (a neural layout model on
    onnxruntime) whenever it is installed: about a second per run, for
    analysis kreyol does not use. Blocking that one import before the
    first ``import pymupdf`` makes PyMuPDF skip it, as it does when the
    add-on is absent.
    """
    if "pymupdf" not in sys.modules:
        sys.modules.setdefault("pymupdf.layout", None)  # type: ignore[arg-type]
    import pymupdf

    return pymupdf


OCR_HINT = "run OCRmyPDF first: `ocrmypdf in.pdf out.pdf`"
PAGES_PER_GROUP = 10
_MARGIN = 0.12  # top and bottom share of the page where running headers/footers live
_HEADING_RATIO = 1.15  # a heading's font is at least this much larger than the body's
_PAGE_NUMBER = re.compile(
    r"^(?:page|paj|pag\.?|p\.)?\s*[-–—(\[]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[-–—)\]]?"
    r"(?:\s*(?:/|of|sur|sou|de)\s*\d{1,4})?$",
    re.IGNORECASE,
)
# A footnote marker set as a superscript span: "12", "*", "†", "[3]".
_SUP_MARKER = re.compile(r"^\s*[\[(]?(?:\d{1,3}|[*†‡§]+)[\])]?\s*$")
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
    pymupdf = _pymupdf()

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


# --- reading one page ----------------------------------------------------------


@dataclass
class _Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool

    @property
    def level(self) -> tuple[float, bool]:
        return (round(self.size * 2) / 2, self.bold)


@dataclass
class _Block:
    lines: list[_Line]

    @property
    def x0(self) -> float:
        return min(ln.x0 for ln in self.lines)

    @property
    def x1(self) -> float:
        return max(ln.x1 for ln in self.lines)

    @property
    def y0(self) -> float:
        return min(ln.y0 for ln in self.lines)

    @property
    def text(self) -> str:
        text = ""
        for line in self.lines:
            text = join_lines(text, line.text)
        return text

    @property
    def level(self) -> tuple[float, bool] | None:
        """The common font level of a short block standing alone, else None."""
        levels = {ln.level for ln in self.lines}
        text = self.text
        if len(levels) != 1 or len(self.lines) > 3 or len(text.split()) > 20:
            return None
        if sum(ch.isalpha() for ch in text) < 2:
            return None
        return levels.pop()


def _is_bold(span: dict) -> bool:
    font = span["font"].lower()
    return bool(span["flags"] & 16) or any(w in font for w in ("bold", "black", "heavy", "semib"))


def _read_page(page: pymupdf.Page) -> list[_Block]:
    """The page's text blocks; a block is also split where the font size changes."""
    pymupdf = _pymupdf()

    blocks: list[_Block] = []
    raw_blocks = page.get_text("dict", flags=pymupdf.TEXTFLAGS_TEXT)["blocks"]
    sizes = [s["size"] for b in raw_blocks for ln in b.get("lines", ()) for s in ln["spans"]
             if s["text"].strip()]
    largest = max(sizes, default=0.0)
    for raw in raw_blocks:
        current: list[_Line] = []
        for line in raw.get("lines", ()):
            # A footnote number set in small type on a line of its own (raised above
            # the baseline, MuPDF may not join it to its word) is not read either.
            spans_text = "".join(s["text"] for s in line["spans"])
            if _SUP_MARKER.match(spans_text) and all(
                    s["size"] < 0.8 * largest for s in line["spans"] if s["text"].strip()):
                continue
            # Superscript footnote markers are not read mid-sentence (the note is
            # kept or dropped with the note itself, see _Layout.notes).
            raw_spans = [s for s in line["spans"]
                         if not (s["flags"] & 1 and _SUP_MARKER.match(s["text"])
                                 and len(line["spans"]) > 1)]
            spans = [s for s in raw_spans if s["text"].strip()]
            if not spans:
                continue
            text = normalize("".join(s["text"] for s in raw_spans)).strip()
            if not text:
                continue
            main = max(spans, key=lambda s: len(s["text"]))
            item = _Line(text, *line["bbox"], round(main["size"], 1), all(map(_is_bold, spans)))
            if current and _starts_new_block(current, item):
                blocks.append(_Block(current))
                current = []
            current.append(item)
        if current:
            blocks.append(_Block(current))
    return blocks


def _starts_new_block(lines: list[_Line], line: _Line) -> bool:
    prev = lines[-1]
    if abs(line.size - prev.size) > 0.1 * max(line.size, prev.size):
        return True
    # Bold lines atop a block are a heading run into its paragraph.
    return len(lines) <= 2 and all(ln.bold for ln in lines) and not line.bold


def _margin_key(text: str) -> int:
    return hash(re.sub(r"\d+", "#", " ".join(text.casefold().split())))


def _in_margin(line: _Line, rect: pymupdf.Rect) -> bool:
    """A short line near the top or bottom edge: where running headers and footers sit.

    Full-width lines there are body text, even when the text repeats.
    """
    if line.x1 - line.x0 > 0.6 * rect.width:
        return False
    return line.y1 <= rect.height * _MARGIN or line.y0 >= rect.height * (1 - _MARGIN)


# --- first pass: statistics ------------------------------------------------------------


@dataclass
class _Stats:
    """What the first pass learns; small whatever the page count."""

    sizes: Counter = field(default_factory=Counter)  # font size -> characters
    bold_chars: int = 0
    margins: dict = field(default_factory=dict)  # margin key -> [pages, max size, level]
    levels: Counter = field(default_factory=Counter)  # heading-like level -> blocks
    first_text: dict = field(default_factory=dict)  # level -> (text, margin key)
    text_pages: int = 0
    image_pages: list[int] = field(default_factory=list)

    @property
    def body_size(self) -> float:
        return self.sizes.most_common(1)[0][0] if self.sizes else 10.0

    @property
    def body_bold(self) -> bool:
        return self.bold_chars > sum(self.sizes.values()) / 2

    def is_heading_level(self, level: tuple[float, bool]) -> bool:
        size, bold = level
        body = self.body_size
        return size >= body * _HEADING_RATIO or (bold and not self.body_bold and size >= body)

    def add_page(self, page: pymupdf.Page, number: int) -> None:
        blocks = _read_page(page)
        if not blocks:
            if page.get_images():
                self.image_pages.append(number)
            return
        self.text_pages += 1
        seen: set[int] = set()
        for block in blocks:
            for line in block.lines:
                self.sizes[line.size] += len(line.text)
                self.bold_chars += len(line.text) if line.bold else 0
            margin = [ln for ln in block.lines if _in_margin(ln, page.rect)]
            level = block.level
            key = _margin_key(block.text) if margin else 0
            if level is not None:
                self.first_text.setdefault(level, (block.text, key))
            if not margin:
                if level is not None:
                    self.levels[level] += 1
                continue
            for line in margin:
                key = _margin_key(line.text)
                if key in seen:
                    continue
                seen.add(key)
                entry = self.margins.setdefault(key, [0, 0.0, None, line.text])
                entry[0] += 1
                entry[1] = max(entry[1], line.size)
                entry[2] = level if len(block.lines) == 1 else None
        if self.text_pages % 100 == 0:
            self._prune()

    def _prune(self) -> None:
        # Lines seen once in the margins are body text, not running headers; keep
        # only those that may be headings, so the table does not grow with the book.
        for key in [k for k, (n, *_) in self.margins.items() if n == 1]:
            level = self.margins[key][2]
            if level is None or not self.is_heading_level(level):
                del self.margins[key]

    def finish(self) -> tuple[dict[int, str], tuple[float, bool] | None, str | None]:
        """Running headers (key -> text), the chapter heading level (or None), and a title.

        A running header repeats in the margin of at least three pages, and of
        a good share of a long book's pages: a line seen on two pages of ten is
        text, not a header.
        """
        body = self.body_size
        needed = max(3, -(-self.text_pages * 3 // 10))
        running = {
            k: text for k, (n, size, _, text) in self.margins.items()
            if n >= needed and size <= body * 1.1
        }
        levels = Counter({k: v for k, v in self.levels.items() if self.is_heading_level(k)})
        for key, (n, _, level, _text) in self.margins.items():
            if key not in running and level is not None and self.is_heading_level(level):
                levels[level] += n
        chapter_level = max((lv for lv, n in levels.items() if n >= 2), default=None)
        title = None
        for level in sorted(levels, reverse=True):
            text, key = self.first_text.get(level, ("", 0))
            if text and key not in running:
                title = text
                break
        return running, chapter_level, title


# --- second pass: layout ----------------------------------------------------------


def _reading_order(blocks: list[_Block]) -> list[tuple[_Block, bool]]:
    """Blocks in reading order, column by column; the flag marks a new column's start.

    Columns are the x-ranges covered by narrow multi-line blocks. A block that
    crosses columns (a title, a wide paragraph) separates bands read one by one.
    """
    if not blocks:
        return []
    left, right = min(b.x0 for b in blocks), max(b.x1 for b in blocks)
    wide = 0.6 * (right - left)
    body = [b for b in blocks if len(b.lines) >= 2 and b.x1 - b.x0 <= wide]
    spans = sorted((b.x0, b.x1) for b in body)
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    ordered = sorted(blocks, key=lambda b: (b.y0, b.x0))
    if len(columns) < 2:
        return [(b, False) for b in ordered]

    top = min((b.y0 for b in body), default=0.0)
    bottom = max((max(ln.y1 for ln in b.lines) for b in body), default=0.0)

    def column_of(block: _Block) -> int | None:
        if block.y0 >= bottom or max(ln.y1 for ln in block.lines) <= top:
            return None  # above or below the columns: read on its own
        hits = [i for i, (c0, c1) in enumerate(columns) if block.x0 < c1 and block.x1 > c0]
        if len(hits) > 1:
            return None
        if hits:
            return hits[0]
        centre = (block.x0 + block.x1) / 2
        return min(range(len(columns)), key=lambda i: abs(centre - sum(columns[i]) / 2))

    result: list[tuple[_Block, bool]] = []
    band: list[list[_Block]] = [[] for _ in columns]

    def flush() -> None:
        for column in band:
            for i, block in enumerate(column):
                result.append((block, i == 0 and bool(result)))
            column.clear()

    for block in ordered:
        index = column_of(block)
        if index is None:
            flush()
            result.append((block, False))
        else:
            band[index].append(block)
    flush()
    return result


def _block_paragraphs(block: _Block) -> list[str]:
    """Split a block into paragraphs at indents, gaps and short sentence-final lines."""
    left, right = block.x0, block.x1
    paragraphs: list[str] = []
    text = ""
    prev: _Line | None = None
    for line in block.lines:
        if prev is not None:
            indent = line.x0 > left + 0.8 * line.size and prev.x0 <= left + 0.8 * line.size
            gap = line.y0 - prev.y1 > 0.7 * line.size
            short = prev.x1 < right - 0.15 * (right - left) and ends_sentence(prev.text)
            if indent or gap or (short and right - left > 15 * line.size):
                paragraphs.append(text)
                text = ""
        text = join_lines(text, line.text)
        prev = line
    paragraphs.append(text)
    return [p for p in paragraphs if p]


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _matches(block: _Block, title: str) -> bool:
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
        stats = _Stats()
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
    read = _read_page(page)
    for block in read:
        kept = [ln for ln in block.lines if not _is_margin_noise(ln, rect, layout)]
        if kept:
            blocks.append(_Block(kept))
    if not blocks:
        # Header removal never takes a page's only text: a line repeated on every
        # page of a short document may be all there is to read.
        blocks = [_Block(kept) for block in read
                  if (kept := [ln for ln in block.lines if not _PAGE_NUMBER.match(ln.text)])]
    blocks, notes = _split_footnotes(blocks, rect, layout.body)
    if layout.notes == "end":
        builder.notes += notes
    ordered = _reading_order(blocks)
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
        heading = level is not None and level[0] >= layout.body * _HEADING_RATIO
        paragraphs = [block.text] if heading else _block_paragraphs(block)
        for j, text in enumerate(paragraphs):
            fresh = j == 0 and (i == 0 or new_column)  # may continue the previous page/column
            builder.add(text, page_no, may_continue=fresh, heading=heading)


def _split_footnotes(blocks: list[_Block], rect: pymupdf.Rect, body: float
                     ) -> tuple[list[_Block], list[str]]:
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


def _is_margin_noise(line: _Line, rect: pymupdf.Rect, layout: _Layout) -> bool:
    if not _in_margin(line, rect):
        return False
    if _PAGE_NUMBER.match(line.text) and line.size <= layout.body * 1.3:
        return True
    return _margin_key(line.text) in layout.running


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
