"""Extraction: PDFs built with pdf_factory, text and Markdown, errors, memory."""

from __future__ import annotations

import io
import json
import sys
import tracemalloc
from pathlib import Path

import pytest
from pdf_factory import SAMPLE, Columns, Heading, Image, Lines, Para, Spec, make_long_pdf, make_pdf

from kreyol_cli.domain import PageRange
from kreyol_cli.errors import EncryptedPdfError, InputError, NoTextError, UsageError
from kreyol_cli.extract import extract_document, iter_document, render_document
from kreyol_cli.readers.text import join_lines, normalize

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def titles(doc) -> list[str]:
    return [c.title for c in doc.chapters]


def text_of(doc) -> str:
    return "\n\n".join(c.text for c in doc.chapters)


# --- chapters ---------------------------------------------------------------


def _book(tmp_path: Path, *, toc: bool, title: str = "My Book") -> Path:
    spec = Spec(
        title=title,
        author="Ann Lee",
        toc=[(1, "The River", 2), (2, "Stones", 2), (1, "The Market", 3), (1, "Rain", 4)]
        if toc
        else [],
    )
    pages = [
        [Heading("My Book", 28), Para("by Ann Lee")],
        [Heading("The River"), Para(SAMPLE), Para("This sentence goes on to the next")],
        [Para("page, where it ends."), Heading("The Market"), Para("Fish and bread.")],
        [Heading("Rain"), Para("It rains in May.")],
    ]
    return make_pdf(tmp_path / "book.pdf", pages, spec)


def test_outline_chapters(tmp_path):
    doc = extract_document(_book(tmp_path, toc=True))
    assert titles(doc) == ["The River", "The Market", "Rain"]  # top level only
    river, market, rain = doc.chapters
    assert (river.start_page, river.end_page) == (2, 3)
    assert (market.start_page, market.end_page) == (3, 3)
    assert (rain.start_page, rain.end_page) == (4, 4)
    assert river.text.endswith("This sentence goes on to the next page, where it ends.")
    assert market.text == "Fish and bread."  # the heading is the title, not the text
    assert doc.info.title == "My Book" and doc.info.author == "Ann Lee"
    assert "My Book" not in text_of(doc)  # the cover repeats the metadata: dropped


def test_heading_chapters_without_outline(tmp_path):
    doc = extract_document(_book(tmp_path, toc=False, title=""))
    assert titles(doc) == ["The River", "The Market", "Rain"]
    assert doc.info.title == "My Book"  # no metadata: the largest heading
    assert doc.chapters[1].text == "Fish and bread."


def test_page_groups_without_structure(tmp_path):
    pages = [[Para(f"Page {n} tells its own story. " + SAMPLE)] for n in range(1, 24)]
    doc = extract_document(make_pdf(tmp_path / "plain.pdf", pages))
    assert titles(doc) == ["Pages 1–10", "Pages 11–20", "Pages 21–23"]
    assert doc.chapters[1].text.startswith("Page 11 tells")
    assert doc.info.title == "plain"  # the file stem


def test_two_columns_read_column_by_column(tmp_path):
    left = ["Left one starts here and runs on. " * 4, "Left two comes next in the column. " * 3]
    right = ["Right one is the top of column two. " * 4, "Right two ends the page. " * 3]
    pages = [[Heading("Columns", 18), Columns(left, right), Para("A wide closing line.")]]
    doc = extract_document(make_pdf(tmp_path / "cols.pdf", pages))
    text = text_of(doc)
    order = [text.index(s) for s in ("Left one", "Left two", "Right one", "Right two", "A wide")]
    assert order == sorted(order)
    assert "Left one starts here and runs on. Left one" in text  # lines were not interleaved


def test_running_headers_footers_and_page_numbers_removed(tmp_path):
    spec = Spec(header="The Quiet Valley", page_numbers=True)
    pages = [[Para(f"Part {n}. " + SAMPLE)] for n in range(1, 6)]
    pages[2].append(Para("The Quiet Valley is also named in the body, which stays."))
    doc = extract_document(make_pdf(tmp_path / "hf.pdf", pages, spec))
    text = text_of(doc)
    assert text.count("The Quiet Valley") == 1
    paragraphs = text.split("\n\n")
    assert not any(p.strip().isdigit() for p in paragraphs)
    assert paragraphs[0].startswith("Part 1.")


def test_headings_and_repeated_body_lines_at_page_top_are_kept(tmp_path):
    # Chapter headings in the header zone repeat as "Chapter #", and the same full-width
    # body line opens every page: neither is a running header.
    spec = Spec(header="Chapter Book", page_numbers=True, top=20)
    pages = [[Heading(f"Chapter {n}"), Para(SAMPLE), Para(f"Story {n}.")] for n in range(1, 7)]
    doc = extract_document(make_pdf(tmp_path / "top.pdf", pages, spec))
    assert titles(doc) == [f"Chapter {n}" for n in range(1, 7)]
    assert all(c.text == f"{SAMPLE}\n\nStory {c.index + 1}." for c in doc.chapters)


def test_hyphenation_repaired_real_hyphens_kept(tmp_path):
    lines = ["The teacher gave us infor-", "mation about the well-", "Known town of Port-au-",
             "Prince and its ti-", "moun."]
    doc = extract_document(make_pdf(tmp_path / "hy.pdf", [[Lines(lines)]]))
    assert doc.chapters[0].text == (
        "The teacher gave us information about the well-Known town of Port-au-Prince "
        "and its timoun."
    )


def test_ligatures_and_odd_whitespace(tmp_path):
    doc = extract_document(make_pdf(tmp_path / "lig.pdf", [[Para("The ﬁrst ﬂower in the oﬃce")]]))
    assert doc.chapters[0].text == "The first flower in the office"
    assert normalize("a\u00a0b\u2009c\u200bd\u00ade ﬀ ﬄ") == "a b cde ff ffl"
    assert normalize("e\u0300") == "è"  # composed, as Creole spelling expects
    assert join_lines("infor-", "mation") == "information"
    assert join_lines("ti-", "Moun") == "ti-Moun"


def test_paragraph_continues_across_page_break(tmp_path):
    pages = [[Para(SAMPLE), Para("The road climbs the hill and")], [Para("reaches the school.")]]
    doc = extract_document(make_pdf(tmp_path / "cont.pdf", pages))
    assert doc.chapters[0].text.split("\n\n")[-1] == (
        "The road climbs the hill and reaches the school."
    )


# --- errors and warnings ----------------------------------------------------------


def test_encrypted_pdf(tmp_path):
    path = make_pdf(tmp_path / "locked.pdf", [[Para("Secret garden text.")]], Spec(password="pw1"))
    with pytest.raises(EncryptedPdfError, match="--password"):
        extract_document(path)
    with pytest.raises(EncryptedPdfError, match="wrong password"):
        extract_document(path, password="nope")
    assert extract_document(path, password="pw1").chapters[0].text == "Secret garden text."


def test_image_only_pages_give_one_warning(tmp_path):
    pages = [[Para("One.")], [Image()], [Para("Three.")], [Image()]]
    doc = extract_document(make_pdf(tmp_path / "scan.pdf", pages))
    assert text_of(doc) == "One.\n\nThree."
    assert len(doc.warnings) == 1
    assert "2 page(s)" in doc.warnings[0] and "pages 2, 4" in doc.warnings[0]
    assert "ocrmypdf in.pdf out.pdf" in doc.warnings[0]


def test_image_only_pdf_raises_no_text(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", [[Image()], [Image()]])
    with pytest.raises(NoTextError, match="ocrmypdf in.pdf out.pdf"):
        iter_document(path)


def test_bad_files_have_distinct_messages(tmp_path):
    good = make_pdf(tmp_path / "good.pdf", [[Para(SAMPLE)] for _ in range(3)])
    data = good.read_bytes()
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "half.pdf").write_bytes(data[: len(data) // 2])
    (tmp_path / "notes.pdf").write_text("just some notes\n")
    messages = {}
    for name in ("missing.pdf", "empty.pdf", "half.pdf", "notes.pdf"):
        with pytest.raises(InputError) as info:
            extract_document(tmp_path / name)
        assert type(info.value) is InputError
        messages[name] = str(info.value)
    assert "no such file" in messages["missing.pdf"]
    assert "empty" in messages["empty.pdf"]
    assert "truncated" in messages["half.pdf"]
    assert "not a PDF" in messages["notes.pdf"]
    assert len(set(messages.values())) == 4
    assert all("\n" not in m for m in messages.values())


def test_pages_option(tmp_path):
    pages = [[Para(f"Text of page {n}.")] for n in range(1, 8)]
    path = make_pdf(tmp_path / "p.pdf", pages)
    doc = extract_document(path, pages=PageRange(3, 5))
    assert text_of(doc) == "Text of page 3.\n\nText of page 4.\n\nText of page 5."
    assert titles(doc) == ["Pages 3–5"]
    assert doc.chapters[0].start_page == 3 and doc.chapters[0].end_page == 5
    assert doc.info.pages == 7
    assert extract_document(path, pages=PageRange(6, 99)).warnings  # clamped, said so
    with pytest.raises(UsageError):
        extract_document(path, pages=PageRange(9, 12))


def test_pages_inside_an_outline_chapter(tmp_path):
    doc = extract_document(_book(tmp_path, toc=True), pages=PageRange(3, 3))
    assert titles(doc) == ["The River", "The Market"]
    assert doc.chapters[0].text == "page, where it ends."


# --- text, Markdown, stdin -----------------------------------------------------------


def test_markdown_chapters(tmp_path):
    md = tmp_path / "notes.md"
    md.write_text(
        "# Garden Book\n\nIntro line.\n\n## First *Steps*\n\nWe dig the **soil**\nand plant "
        "[seeds](http://x).\n\n- one item\n- two items\n\n## Water\n\n### Sub\n\nRain helps.\n"
    )
    doc = extract_document(md)
    assert doc.info.title == "Garden Book" and doc.info.kind == "markdown"
    assert titles(doc) == ["Garden Book", "First Steps", "Water"]
    assert doc.chapters[1].text == "We dig the soil and plant seeds.\n\n- one item\n\n- two items"
    assert doc.chapters[2].text == "Sub\n\nRain helps."
    assert doc.chapters[1].start_page is None


def test_plain_text_rules_split_chapters(tmp_path):
    txt = tmp_path / "story.txt"
    txt.write_text("Morning\n\nThe sun rises\nover the hill.\n\n* * *\n\nNight falls. It is late.\n")
    doc = extract_document(txt)
    assert titles(doc) == ["Morning", "Chapter 2"]
    assert doc.chapters[0].text == "The sun rises over the hill."
    single = tmp_path / "single.txt"
    single.write_text("One paragraph per line, not wrapped at all.\nA second paragraph here.\n")
    doc = extract_document(single)
    assert titles(doc) == ["single"]
    assert doc.chapters[0].text.split("\n\n") == [
        "One paragraph per line, not wrapped at all.",
        "A second paragraph here.",
    ]


def test_stdin_markdown(monkeypatch):
    data = b"# Alpha\n\nFirst.\n\n# Beta\n\nSecond.\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    doc = extract_document("-")
    assert titles(doc) == ["Alpha", "Beta"] and doc.info.source == "-"


def test_non_utf8_text(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Lekòl la bèl.\n".encode("latin-1"))
    detected = extract_document(path)
    assert detected.chapters[0].text == "Lekòl la bèl."
    assert detected.info.encoding == "cp1252"
    assert detected.warnings == [f"{path} is not UTF-8: read it as cp1252 (pass --encoding to "
                                 f"choose another)"]
    with pytest.raises(InputError, match="--encoding"):
        extract_document(path, encoding="utf-8")
    assert extract_document(path, encoding="latin-1").chapters[0].text == "Lekòl la bèl."
    with pytest.raises(UsageError):
        extract_document(path, encoding="no-such-codec")


# --- rendering ----------------------------------------------------------------------


def test_render_formats(tmp_path):
    doc = extract_document(_book(tmp_path, toc=True))
    assert json.loads(render_document(doc, "json")) == doc.to_dict()
    text = render_document(doc, "text")
    assert text.startswith("The River\n\nThe river runs")
    assert "\n\nThe Market\n\nFish and bread.\n\nRain\n\nIt rains in May.\n" in text
    assert "\n\n\n" not in text
    markdown = render_document(doc, "markdown")
    assert markdown.startswith("# My Book\n\n## The River\n\n")
    with pytest.raises(UsageError):
        render_document(doc, "html")


def test_render_json_with_no_chapters(tmp_path):
    doc = extract_document(_book(tmp_path, toc=True))
    doc.chapters = []
    assert json.loads(render_document(doc, "json"))["chapters"] == []


# --- streaming and memory ------------------------------------------------------------


def _peak_while_iterating(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        _, chapters, _ = iter_document(path)
        count = sum(1 for _ in chapters)
        return tracemalloc.get_traced_memory()[1], count
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_on_a_1000_page_pdf(tmp_path):
    small = make_long_pdf(tmp_path / "small.pdf", 100)
    large = make_long_pdf(tmp_path / "large.pdf", 1000)
    small_peak, small_count = _peak_while_iterating(small)
    large_peak, large_count = _peak_while_iterating(large)
    assert (small_count, large_count) == (10, 100)
    # Holding every page's text would cost over 2 MB more for the large book.
    assert large_peak < 3 * small_peak, (small_peak, large_peak)


def test_iter_document_is_lazy(tmp_path):
    path = make_long_pdf(tmp_path / "lazy.pdf", 30)
    info, chapters, warnings = iter_document(path)
    assert info.pages == 30 and warnings == []
    first = next(chapters)
    assert first.title == "Pages 1–10" and first.end_page == 10


# --- the shipped examples ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title", "chapters"),
    [
        ("ti-liv-kreyol.ht.pdf", "Ti Liv Kreyòl", ["Jaden lekòl la", "Jou mache", "Sezon lapli"]),
        (
            "little-book.en.pdf",
            "The Little Book",
            ["The Lighthouse Keeper", "Bread on Sunday", "The Night Train"],
        ),
    ],
)
def test_examples_extract_to_their_chapters(name, title, chapters):
    doc = extract_document(EXAMPLES / name)
    assert doc.info.title == title
    assert titles(doc) == chapters
    assert doc.warnings == []
    for chapter in doc.chapters:
        words = len(chapter.text.split())
        assert 100 <= words <= 220, (chapter.title, words)
        assert title not in chapter.text  # the running header is gone
        assert not any(p.strip().isdigit() for p in chapter.text.split("\n\n"))
