"""Generate benchmark books: N pages of English (or Creole) corpus sentences,
a chapter every ``pages_per_chapter`` pages, listed in the PDF outline."""

from __future__ import annotations

from pathlib import Path

from bench.model import CORPUS


def corpus(lang: str) -> list[str]:
    column = 0 if lang == "en" else 1
    return [line.split("\t")[column].strip() for line in CORPUS.read_text("utf-8").splitlines()
            if "\t" in line and not line.startswith("#")]


def make_pdf(path: Path, pages: int, *, lang: str = "en", sentences_per_page: int = 12,
             pages_per_chapter: int = 10, distinct: int | None = None) -> Path:
    """Write the book; each page holds ``sentences_per_page`` sentences, taken
    in turn from the first ``distinct`` corpus sentences (all by default)."""
    import pymupdf

    sentences = corpus(lang)[:distinct]
    doc = pymupdf.open()
    toc = []
    at = 0
    for page_no in range(pages):
        page = doc.new_page(width=595, height=842)
        # Below the top 12% of the page: short lines that repeat up there are
        # running headers to kreyol's extractor, and would be dropped.
        y = 180
        if page_no % pages_per_chapter == 0:
            title = f"Chapter {page_no // pages_per_chapter + 1}"
            page.insert_text((72, y), title, fontsize=20, fontname="hebo")
            toc.append([1, title, page_no + 1])
            y += 40
        words: list[str] = []
        for _ in range(sentences_per_page):
            words.extend(sentences[at % len(sentences)].split())
            at += 1
        line: list[str] = []
        for word in words:  # wrap at ~80 characters
            if sum(len(w) + 1 for w in line) + len(word) > 80:
                page.insert_text((72, y), " ".join(line), fontsize=11)
                y += 15
                line = []
            line.append(word)
        if line:
            page.insert_text((72, y), " ".join(line), fontsize=11)
    doc.set_toc(toc)
    doc.save(str(path), garbage=3, deflate=True)
    doc.close()
    return path


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
    """A Creole PDF holding exactly ``sentences``, ``per_page`` to a page."""
    import pymupdf

    doc = pymupdf.open()
    toc = []
    for page_no, start in enumerate(range(0, len(sentences), per_page)):
        page = doc.new_page(width=595, height=842)
        y = 180
        if page_no % pages_per_chapter == 0:
            title = f"Chapit {page_no // pages_per_chapter + 1}"
            page.insert_text((72, y), title, fontsize=20, fontname="hebo")
            toc.append([1, title, page_no + 1])
            y += 40
        for sentence in sentences[start:start + per_page]:
            page.insert_text((72, y), sentence, fontsize=11)
            y += 15
    doc.set_toc(toc)
    doc.save(str(path), garbage=3, deflate=True)
    doc.close()
    return path
