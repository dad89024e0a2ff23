"""Generate benchmark books: pages of English or Creole sentences, a chapter
every ``pages_per_chapter`` pages, listed in the PDF outline."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from pathlib import Path

from bench.model import CORPUS


def corpus(lang: str) -> list[str]:
    column = 0 if lang == "en" else 1
    return [line.split("\t")[column].strip() for line in CORPUS.read_text("utf-8").splitlines()
            if "\t" in line and not line.startswith("#")]


def write_book(path: Path, pages: Iterable[list[str]], *, chapter_word: str = "Chapter",
               pages_per_chapter: int = 10) -> Path:
    """Write one page per list of text lines, with a titled chapter (and an
    outline entry) every ``pages_per_chapter`` pages."""
    import pymupdf

    doc = pymupdf.open()
    toc = []
    for page_no, lines in enumerate(pages):
        page = doc.new_page(width=595, height=842)
        # Below the top 12% of the page: short lines that repeat up there are
        # running headers to kreyol's extractor, and would be dropped.
        y = 180
        if page_no % pages_per_chapter == 0:
            title = f"{chapter_word} {page_no // pages_per_chapter + 1}"
            page.insert_text((72, y), title, fontsize=20, fontname="hebo")
            toc.append([1, title, page_no + 1])
            y += 40
        for line in lines:
            page.insert_text((72, y), line, fontsize=11)
            y += 15
    doc.set_toc(toc)
    doc.save(str(path), garbage=3, deflate=True)
    doc.close()
    return path


def make_pdf(path: Path, pages: int, *, lang: str = "en", sentences_per_page: int = 12,
             pages_per_chapter: int = 10, distinct: int | None = None) -> Path:
    """Write the book; each page holds ``sentences_per_page`` sentences, taken
    in turn from the first ``distinct`` corpus sentences (all by default),
    wrapped at about 80 characters."""
    sentences = corpus(lang)[:distinct]

    def page_lines(page_no: int) -> list[str]:
        start = page_no * sentences_per_page
        text = " ".join(sentences[(start + i) % len(sentences)] for i in range(sentences_per_page))
        return textwrap.wrap(text, 80)

    return write_book(path, (page_lines(n) for n in range(pages)),
                      pages_per_chapter=pages_per_chapter)


def distinct_creole_sentences(n: int) -> list[str]:
    """``n`` different everyday Creole sentences (numbers make each one unique,
    and kreyol's normalizer reads them out, so each is real synthesis work)."""
    people = ["Jan", "Mari", "Pyè", "Rozlin", "Jozèf", "Anita"]
    things = ["mango", "zoranj", "liv", "kreyon", "pen", "bannann"]
    places = ["nan mache a", "lekòl la", "lavil la", "legliz la", "lakay li"]
    return [f"Nan jou {i + 1} a, {people[i % 6]} te pote {i % 17 + 2} "
            f"{things[i % 6]} {places[i % 5]}." for i in range(n)]


def make_creole_book(path: Path, sentences: list[str], *, per_page: int = 6,
                     pages_per_chapter: int = 10) -> Path:
    """A Creole PDF holding exactly ``sentences``, one per line, ``per_page`` to a page."""
    pages = (sentences[i:i + per_page] for i in range(0, len(sentences), per_page))
    return write_book(path, pages, chapter_word="Chapit", pages_per_chapter=pages_per_chapter)
