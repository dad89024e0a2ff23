"""Text layout of PyMuPDF pages: lines and blocks with their fonts, statistics
over a whole document, and reading order across columns.

Used by the PDF reader and, through it, by MOBI, FB2, XPS and CBZ, which
PyMuPDF lays out as pages too. Nothing here decides chapters: see
:mod:`kreyol_cli.readers.pdf`.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kreyol_cli.readers.text import ends_sentence, join_lines, normalize

if TYPE_CHECKING:
    import pymupdf

def load_pymupdf():
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


MARGIN = 0.12  # top and bottom share of the page where running headers/footers live
HEADING_RATIO = 1.15  # a heading's font is at least this much larger than the body's
# A footnote marker set as a superscript span: "12", "*", "†", "[3]".
SUP_MARKER = re.compile(r"^\s*[\[(]?(?:\d{1,3}|[*†‡§]+)[\])]?\s*$")


# --- reading one page ----------------------------------------------------------


@dataclass
class Line:
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
class Block:
    lines: list[Line]

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


def read_page(page: pymupdf.Page) -> list[Block]:
    """The page's text blocks; a block is also split where the font size changes."""
    pymupdf = load_pymupdf()

    blocks: list[Block] = []
    raw_blocks = page.get_text("dict", flags=pymupdf.TEXTFLAGS_TEXT)["blocks"]
    sizes = [s["size"] for b in raw_blocks for ln in b.get("lines", ()) for s in ln["spans"]
             if s["text"].strip()]
    largest = max(sizes, default=0.0)
    for raw in raw_blocks:
        current: list[Line] = []
        for line in raw.get("lines", ()):
            # A footnote number set in small type on a line of its own (raised above
            # the baseline, MuPDF may not join it to its word) is not read either.
            spans_text = "".join(s["text"] for s in line["spans"])
            if SUP_MARKER.match(spans_text) and all(
                    s["size"] < 0.8 * largest for s in line["spans"] if s["text"].strip()):
                continue
            # Superscript footnote markers are not read mid-sentence (the note is
            # kept or dropped with the note itself, see _Layout.notes).
            raw_spans = [s for s in line["spans"]
                         if not (s["flags"] & 1 and SUP_MARKER.match(s["text"])
                                 and len(line["spans"]) > 1)]
            spans = [s for s in raw_spans if s["text"].strip()]
            if not spans:
                continue
            text = normalize("".join(s["text"] for s in raw_spans)).strip()
            if not text:
                continue
            main = max(spans, key=lambda s: len(s["text"]))
            item = Line(text, *line["bbox"], round(main["size"], 1), all(map(_is_bold, spans)))
            if current and _starts_new_block(current, item):
                blocks.append(Block(current))
                current = []
            current.append(item)
        if current:
            blocks.append(Block(current))
    return blocks


def _starts_new_block(lines: list[Line], line: Line) -> bool:
    prev = lines[-1]
    if abs(line.size - prev.size) > 0.1 * max(line.size, prev.size):
        return True
    # Bold lines atop a block are a heading run into its paragraph.
    return len(lines) <= 2 and all(ln.bold for ln in lines) and not line.bold


def margin_key(text: str) -> int:
    return hash(re.sub(r"\d+", "#", " ".join(text.casefold().split())))


def in_margin(line: Line, rect: pymupdf.Rect) -> bool:
    """A short line near the top or bottom edge: where running headers and footers sit.

    Full-width lines there are body text, even when the text repeats.
    """
    if line.x1 - line.x0 > 0.6 * rect.width:
        return False
    return line.y1 <= rect.height * MARGIN or line.y0 >= rect.height * (1 - MARGIN)


# --- first pass: statistics ------------------------------------------------------------


@dataclass
class Stats:
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
        return size >= body * HEADING_RATIO or (bold and not self.body_bold and size >= body)

    def add_page(self, page: pymupdf.Page, number: int) -> None:
        blocks = read_page(page)
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
            margin = [ln for ln in block.lines if in_margin(ln, page.rect)]
            level = block.level
            key = margin_key(block.text) if margin else 0
            if level is not None:
                self.first_text.setdefault(level, (block.text, key))
            if not margin:
                if level is not None:
                    self.levels[level] += 1
                continue
            for line in margin:
                key = margin_key(line.text)
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


def reading_order(blocks: list[Block]) -> list[tuple[Block, bool]]:
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

    def column_of(block: Block) -> int | None:
        if block.y0 >= bottom or max(ln.y1 for ln in block.lines) <= top:
            return None  # above or below the columns: read on its own
        hits = [i for i, (c0, c1) in enumerate(columns) if block.x0 < c1 and block.x1 > c0]
        if len(hits) > 1:
            return None
        if hits:
            return hits[0]
        centre = (block.x0 + block.x1) / 2
        return min(range(len(columns)), key=lambda i: abs(centre - sum(columns[i]) / 2))

    result: list[tuple[Block, bool]] = []
    band: list[list[Block]] = [[] for _ in columns]

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


def block_paragraphs(block: Block) -> list[str]:
    """Split a block into paragraphs at indents, gaps and short sentence-final lines."""
    left, right = block.x0, block.x1
    paragraphs: list[str] = []
    text = ""
    prev: Line | None = None
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
