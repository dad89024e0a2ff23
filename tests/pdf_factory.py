"""Build small PDFs for the extraction tests with PyMuPDF.

A page is a list of items laid out top to bottom: ``Para`` (wrapped text),
``Lines`` (explicit line breaks, for hyphenation), ``Heading``, ``Columns``
(two columns side by side) and ``Image`` (a picture with no text layer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

WIDTH, HEIGHT = 595, 842
LEFT, RIGHT, TOP = 72, 523, 90


@dataclass
class Para:
    text: str
    size: float = 11
    indent: bool = False


@dataclass
class Lines:
    lines: list[str]
    size: float = 11


@dataclass
class Heading:
    text: str
    size: float = 20
    bold: bool = True


@dataclass
class Columns:
    left: list[str]
    right: list[str]
    size: float = 11


@dataclass
class Image:
    height: float = 300


@dataclass
class Spec:
    """Whole-document options."""

    title: str = ""
    author: str = ""
    toc: list[tuple[int, str, int]] = field(default_factory=list)
    header: str = ""  # running header on every page
    page_numbers: bool = False  # footer "N" on every page
    password: str | None = None
    top: float = TOP  # where the first item starts


def _font(bold: bool) -> str:
    return "hebo" if bold else "helv"


def _draw(page: pymupdf.Page, x: float, y: float, text: str, size: float, bold=False) -> None:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:  # ligatures and the like need a real font program
        writer = pymupdf.TextWriter(page.rect)
        writer.append((x, y), text, font=pymupdf.Font(_font(bold)), fontsize=size)
        writer.write_text(page)
        return
    page.insert_text((x, y), text, fontsize=size, fontname=_font(bold))


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` points."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and pymupdf.get_text_length(candidate, _font(bold), size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _draw_lines(page, lines, x, y, size, indent=0.0) -> float:
    for i, line in enumerate(lines):
        _draw(page, x + (indent if i == 0 else 0), y, line, size)
        y += size * 1.35
    return y


def _image(page: pymupdf.Page, rect: pymupdf.Rect) -> None:
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
    pix.clear_with(180)
    page.insert_image(rect, pixmap=pix)


def draw_page(page: pymupdf.Page, items: list, spec: Spec, number: int) -> None:
    y = spec.top
    for item in items:
        if isinstance(item, Heading):
            y += item.size * 0.5
            for line in wrap(item.text, RIGHT - LEFT, item.size, item.bold):
                _draw(page, LEFT, y + item.size, line, item.size, item.bold)
                y += item.size * 1.3
            y += item.size
        elif isinstance(item, Para):
            indent = 2 * item.size if item.indent else 0
            lines = wrap(item.text, RIGHT - LEFT - indent, item.size)
            y = _draw_lines(page, lines, LEFT, y + item.size, item.size, indent) + item.size * 0.6
        elif isinstance(item, Lines):
            y = _draw_lines(page, item.lines, LEFT, y + item.size, item.size) + item.size * 0.6
        elif isinstance(item, Columns):
            width = (RIGHT - LEFT - 24) / 2
            bottom = y
            for x, paras in ((LEFT, item.left), (LEFT + width + 24, item.right)):
                cy = y
                for text in paras:
                    lines = wrap(text, width, item.size)
                    cy = _draw_lines(page, lines, x, cy + item.size, item.size) + item.size * 0.6
                bottom = max(bottom, cy)
            y = bottom
        elif isinstance(item, Image):
            _image(page, pymupdf.Rect(LEFT, y, RIGHT, y + item.height))
            y += item.height + 10
        else:
            raise TypeError(item)
    if spec.header:
        _draw(page, LEFT, 45, spec.header, 9)
    if spec.page_numbers:
        _draw(page, WIDTH / 2 - 5, HEIGHT - 40, str(number), 9)


def make_pdf(path: Path, pages: list[list], spec: Spec | None = None) -> Path:
    """Write a PDF with one page per list of items; return its path."""
    spec = spec or Spec()
    doc = pymupdf.open()
    for number, items in enumerate(pages, 1):
        draw_page(doc.new_page(width=WIDTH, height=HEIGHT), items, spec, number)
    if spec.toc:
        doc.set_toc([list(entry) for entry in spec.toc])
    doc.set_metadata({"title": spec.title, "author": spec.author})
    if spec.password:
        doc.save(
            path,
            encryption=pymupdf.PDF_ENCRYPT_AES_256,
            user_pw=spec.password,
            owner_pw=spec.password + "-owner",
        )
    else:
        doc.save(path, garbage=3, deflate=True)
    doc.close()
    return path


def make_long_pdf(path: Path, pages: int) -> Path:
    """A plain ``pages``-page PDF, each page a different ~2 KB paragraph; built fast."""
    doc = pymupdf.open()
    words = ["river", "stone", "market", "garden", "rain", "school", "bread", "lamp", "road", "song"]
    for n in range(pages):
        text = " ".join(f"{words[(n * 7 + i) % len(words)]}{n}" for i in range(300)) + "."
        page = doc.new_page(width=WIDTH, height=HEIGHT)
        page.insert_textbox(pymupdf.Rect(LEFT, TOP, RIGHT, HEIGHT - 72), text, fontsize=10)
    doc.save(path, garbage=3, deflate=True)
    doc.close()
    return path


SAMPLE = (
    "The river runs past the old school and the market, where people meet every "
    "morning to buy bread, fruit and fish. Children walk along the road with their "
    "books, and the teachers wait for them at the gate under the mango trees."
)


def make_chaptered_pdf(path: Path, chapters: int, *, long_title_at: int | None = None,
                       title: str = "A Book of Many Chapters") -> Path:
    """A ``chapters``-chapter PDF with an outline, one page and three sentences per
    chapter; chapter ``long_title_at`` (0-based) gets a 103-character title."""
    pages, toc = [], []
    for c in range(chapters):
        name = f"Chapter {c + 1}: The river and the school"
        if c == long_title_at:
            name = (f"Chapter {c + 1}: " + "A very long chapter title about the river, "
                    "the school, the market and the long road home in the rainy season")[:103]
        pages.append([Heading(name, size=16), Para(SAMPLE)])
        toc.append((1, name, c + 1))
    return make_pdf(path, pages, Spec(title=title, author="Kreyol Tests", toc=toc))
