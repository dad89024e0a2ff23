"""The document readers: EPUB, DOCX, ODT, HTML, text encodings, subtitles sniffing,
PDF headers and footnotes, and the bad files people really have.

Fixtures are built by tests/doc_factory.py in the shape real tools write them.
Each case lists what a reader must say and what it must never say (site chrome,
comments, deleted text, footnote markers), markitdown-style.
"""

from __future__ import annotations

import io
import json

import pymupdf
import pytest
from doc_factory import (
    EpubChapter,
    docx_bytes,
    encrypted_docx_bytes,
    epub_bytes,
    odt_bytes,
    w_comment,
    w_deleted,
    w_footnote_ref,
    w_inserted,
    w_para,
    w_run,
    w_table,
    web_page,
)
from pdf_factory import Para, make_pdf

from kreyol_cli.errors import EncryptedError, ExitCode, InputError, NoTextError
from kreyol_cli.extract import extract_document
from kreyol_cli.readers import ReadOptions, reader_for, stream_info
from kreyol_cli.textcodec import decode_bytes


def text_of(doc) -> str:
    return "\n\n".join(c.text for c in doc.chapters)


def write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def reader_name(data: bytes, name: str = "input") -> str:
    return reader_for(io.BytesIO(data), stream_info(name)).name


# --- EPUB -----------------------------------------------------------------------------

NOTEREF = '<a epub:type="noteref" href="#fn{n}-1" id="ref{n}-1"><sup>1</sup></a>'
CALIBRE_REF = '<a href="#filepos1234"><sup class="calibre30">2</sup></a>'


def garden_epub(**kwargs) -> bytes:
    return epub_bytes([
        EpubChapter("Copyright", ["© 2024 Marie Jean. All rights reserved."], kind="frontmatter"),
        EpubChapter("Chapter One: The Seed",
                    [f"The children plant a mango seed.{NOTEREF.format(n=2)} They water it "
                     "every day.",
                     "<img src='../Images/seed.png' alt='A seed'/>They wait.",
                     "<table><tr><th>Day</th><th>Height</th></tr>"
                     "<tr><td>Monday</td><td>2 cm</td></tr></table>"],
                    notes=["Mango trees grow well in Haiti."]),
        EpubChapter("Chapter Two: The Rain",
                    [f"The rain comes in May.{CALIBRE_REF} The tree grows.",
                     '<p class="note"><a id="filepos1234"></a>2. May is the wet month.</p>'],
                    heading="h2"),
        EpubChapter("About the author", ["Marie Jean is a teacher in Jacmel."], kind="backmatter"),
    ], **kwargs)


def test_epub_chapters_follow_the_nav_in_spine_order(tmp_path):
    doc = extract_document(write(tmp_path, "garden.epub", garden_epub()))
    assert doc.info.kind == "epub"
    assert (doc.info.title, doc.info.author, doc.info.language) == ("The Garden", "Marie Jean", "en")
    assert [(c.title, c.matter) for c in doc.chapters] == [
        ("Copyright", "front"),
        ("Chapter One: The Seed", "body"),
        ("Chapter Two: The Rain", "body"),
        ("About the author", "back"),
    ]
    one, two = doc.chapters[1], doc.chapters[2]
    assert one.text == ("The children plant a mango seed. They water it every day.\n\n"
                        "They wait.\n\nDay, Height\n\nMonday, 2 cm")
    assert two.text == "The rain comes in May. The tree grows."
    text = text_of(doc)
    for unread in ("seed.1", "Mango trees grow", "May is the wet month", "A seed", "Cover",
                   "Contents"):
        assert unread not in text


def test_epub_notes_kept_at_the_end_of_their_chapter(tmp_path):
    doc = extract_document(write(tmp_path, "garden.epub", garden_epub()), notes="end")
    one, two = doc.chapters[1], doc.chapters[2]
    assert one.text.endswith("Monday, 2 cm\n\nNotes\n\n1. Mango trees grow well in Haiti.")
    assert "seed.1" not in one.text  # the marker is never read mid-sentence
    assert two.text == "The rain comes in May. The tree grows.\n\nNotes\n\n2. May is the wet month."


def test_epub_json_marks_front_and_back_matter(cli, tmp_path):
    path = write(tmp_path, "garden.epub", garden_epub(lang="fr-FR"))
    result = cli("extract", path, "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "epub" and data["language"] == "fr"
    assert [c["matter"] for c in data["chapters"]] == ["front", "body", "body", "back"]


def test_epub2_ncx_and_a_chapter_split_over_two_files(tmp_path):
    # Calibre splits long chapters (chapter01_split_001.xhtml): a spine file the
    # table of contents does not name continues the chapter before it.
    data = epub_bytes([EpubChapter("Part One", ["First half."]),
                       EpubChapter("", ["Second half."], heading="p"),
                       EpubChapter("Part Two", ["The end."])], ncx_only=True)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    ncx = files["OEBPS/toc.ncx"].decode()
    start = ncx.index('<navPoint id="navPoint-2"')
    files["OEBPS/toc.ncx"] = (ncx[:start] + ncx[ncx.index("</navPoint>", start) + 11:]).encode()
    from doc_factory import _zip

    doc = extract_document(write(tmp_path, "split.epub", _zip(files)))
    assert [(c.title, c.text) for c in doc.chapters] == [
        ("Part One", "First half.\n\nSecond half."), ("Part Two", "The end.")]


def test_image_only_epub_is_refused_like_a_scan(cli, tmp_path):
    data = epub_bytes([EpubChapter("", ["<img src='../Images/p1.png' alt=''/>"], heading="p"),
                       EpubChapter("", ["<img src='../Images/p2.png' alt=''/>"], heading="p")])
    path = write(tmp_path, "comic.epub", data)
    with pytest.raises(NoTextError, match="only images"):
        extract_document(path)
    out = tmp_path / "comic.txt"
    result = cli("extract", path, "-o", out)
    assert result.exit_code == ExitCode.NO_TEXT and not out.exists()


@pytest.mark.parametrize(
    ("case", "code", "says"),
    [
        ("drm", ExitCode.ENCRYPTED, "DRM"),
        ("missing", ExitCode.INPUT, "OEBPS/Text/chapter02.xhtml, which is not in the file"),
        ("truncated", ExitCode.INPUT, "damaged or truncated zip"),
    ],
)
def test_bad_epubs_one_line_and_nothing_written(cli, tmp_path, case, code, says):
    chapters = [EpubChapter("One", ["Text one."]), EpubChapter("Two", ["Text two."])]
    data = {
        "drm": lambda: epub_bytes(chapters, encrypted=True),
        "missing": lambda: epub_bytes(chapters, missing="Text/chapter02.xhtml"),
        "truncated": lambda: epub_bytes(chapters)[:-300],
    }[case]()
    path = write(tmp_path, "book.epub", data)
    out = tmp_path / "book.txt"
    result = cli("extract", path, "-o", out)
    assert result.exit_code == code
    assert says in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [path]  # no output, no temp file


def test_font_obfuscation_is_not_drm(tmp_path):
    data = epub_bytes([EpubChapter("One", ["Text one."])], encrypted=True,
                      algorithm="http://www.idpf.org/2008/embedding")
    doc = extract_document(write(tmp_path, "fonts.epub", data))
    assert text_of(doc) == "Text one."


# --- DOCX -------------------------------------------------------------------------------


def lesson_docx(**kwargs) -> bytes:
    body = [
        w_para(w_run("School garden lesson plan"), style="Title"),
        w_para(w_run("Introduction"), style="Heading1"),
        w_para(w_run("Children learn to plant seeds."), w_footnote_ref(1),
               w_run(" They water them every morning.")),
        w_para(w_run("The teacher "), w_deleted("never "), w_inserted("always "),
               w_run("checks the soil."), w_comment(0, " Then they rest.")),
        w_para(w_run("Bring a shovel."), style="ListParagraph", num=1),
        w_para(w_run("Bring water."), style="ListParagraph", num=1),
        w_table([["Day", "Task"], ["Monday", "Plant"]]),
        w_para(w_run("Harvest"), style="Heading1"),
        w_para(w_run("Details"), style="Heading2"),
        w_para(w_run("The seeds grow into plants.")),
    ]
    return docx_bytes(body, footnotes={1: "Use seeds from the local market."},
                      comments={0: "Check this sentence with the director."}, **kwargs)


def test_docx_headings_lists_tables_and_what_is_left_out(tmp_path):
    doc = extract_document(write(tmp_path, "lesson.docx", lesson_docx()))
    assert (doc.info.kind, doc.info.title, doc.info.author, doc.info.language) == (
        "docx", "Lesson plan", "Marie Jean", "en")
    assert [c.title for c in doc.chapters] == ["Introduction", "Harvest"]
    assert doc.chapters[0].text == (
        "Children learn to plant seeds. They water them every morning.\n\n"
        "The teacher always checks the soil. Then they rest.\n\n"
        "- Bring a shovel.\n\n- Bring water.\n\nDay, Task\n\nMonday, Plant")
    assert doc.chapters[1].text == "Details\n\nThe seeds grow into plants."
    text = text_of(doc)
    for unread in ("never", "Check this sentence", "Ministry of Education", "local market",
                   "[1]", "School garden lesson plan"):
        assert unread not in text


def test_docx_footnotes_at_the_end_and_one_chapter_without_headings(tmp_path):
    doc = extract_document(write(tmp_path, "lesson.docx", lesson_docx()), notes="end")
    assert doc.chapters[0].text.endswith("Notes\n\n1. Use seeds from the local market.")
    plain = docx_bytes([w_para(w_run("Dear parents,")), w_para(w_run("School opens Monday."))])
    doc = extract_document(write(tmp_path, "letter.docx", plain))
    assert [(c.title, c.text) for c in doc.chapters] == [
        ("Lesson plan", "Dear parents,\n\nSchool opens Monday.")]


def test_password_docx_and_truncated_docx(cli, tmp_path):
    locked = write(tmp_path, "locked.docx", encrypted_docx_bytes())
    result = cli("extract", locked, "-o", tmp_path / "out.txt")
    assert result.exit_code == ExitCode.ENCRYPTED
    assert "protected by a password" in result.stderr and result.stderr.count("\n") == 1
    with pytest.raises(EncryptedError):
        extract_document(locked)
    half = write(tmp_path, "half.docx", lesson_docx()[:2000])
    result = cli("extract", half, "-o", tmp_path / "out.txt")
    assert result.exit_code == ExitCode.INPUT and "truncated zip" in result.stderr
    assert not (tmp_path / "out.txt").exists()


# --- ODT --------------------------------------------------------------------------------

ODT_BODY = (
    '<text:h text:outline-level="1">Introduction</text:h>'
    '<text:p>Les enfants plantent des graines.<text:note text:id="ftn1" '
    'text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body>'
    "<text:p>Graines du marché local.</text:p></text:note-body></text:note> Ils les arrosent."
    "</text:p>"
    '<text:p>Le professeur <text:change text:change-id="ct1"/>vérifie le sol.'
    "<office:annotation><dc:creator>R</dc:creator><text:p>Vérifier avec la directrice."
    "</text:p></office:annotation></text:p>"
    "<text:list><text:list-item><text:p>Une pelle.</text:p></text:list-item>"
    "<text:list-item><text:p>De l'eau.</text:p></text:list-item></text:list>"
    '<text:h text:outline-level="1">Récolte</text:h><text:p>Les graines<text:s/> poussent.'
    "</text:p>"
)
ODT_TRACKED = (
    '<text:tracked-changes><text:changed-region text:id="ct1"><text:deletion>'
    "<office:change-info><dc:creator>E</dc:creator></office:change-info>"
    "<text:p>jamais </text:p></text:deletion></text:changed-region></text:tracked-changes>"
)


def test_odt_headings_notes_and_what_is_left_out(tmp_path):
    path = write(tmp_path, "rapport.odt", odt_bytes(ODT_BODY, tracked=ODT_TRACKED))
    doc = extract_document(path)
    assert (doc.info.kind, doc.info.title, doc.info.language) == ("odt", "Rapport", "fr")
    assert [(c.title, c.text) for c in doc.chapters] == [
        ("Introduction", "Les enfants plantent des graines. Ils les arrosent.\n\n"
                         "Le professeur vérifie le sol.\n\n- Une pelle.\n\n- De l'eau."),
        ("Récolte", "Les graines poussent."),
    ]
    kept = extract_document(path, notes="end")
    assert kept.chapters[0].text.endswith("Notes\n\n1. Graines du marché local.")
    for unread in ("jamais", "directrice"):
        assert unread not in text_of(kept)


# --- HTML -------------------------------------------------------------------------------

ARTICLE = """<p>Every year before the rainy season, the farmers of Jacmel plant new trees on the
hills.<sup id="cite_ref-1" class="reference"><a href="#cite_note-1">[1]</a></sup> This spring,
three schools joined them.<sup class="noprint Template-Fact">[<i><a href="/wiki/Citation_needed">
citation needed</a></i>]</sup></p>
<h2><span class="mw-headline" id="Why">Why trees matter</span><span class="mw-editsection">
<span class="mw-editsection-bracket">[</span><a href="/edit">edit</a>
<span class="mw-editsection-bracket">]</span></span></h2>
<p>Trees hold the soil when the heavy rains come, and they give shade and fruit to the families
who live nearby.</p>
<ul><li>Mango trees give fruit after four years.</li><li>Mahogany grows slowly.</li></ul>
<h2>How to help</h2>
<p>Anyone can help by watering the young trees during the dry weeks of the summer, or by giving
seeds to the school gardens.</p>
<h2>References</h2>
<ol class="references"><li id="cite_note-1"><span class="mw-cite-backlink"><a href="#cite_ref-1">
↑</a></span> Ministry of Agriculture, 2023 report.</li></ol>"""

CHROME = ["We use cookies", "Accept all cookies", "Home", "Donate", "Log in", "Register",
          "Related posts", "Ten tips", "Leave a comment", "Post comment", "Newsletter",
          "Subscribe", "Most read", "All rights reserved", "Privacy policy", "Facebook",
          "Tagged", "dataLayer", "_q", "edit", "citation needed", "[1]", "Ministry"]


def test_web_page_main_content_only(tmp_path):
    path = write(tmp_path, "trees.html", web_page(ARTICLE))
    doc = extract_document(path)
    assert (doc.info.kind, doc.info.title, doc.info.author, doc.info.language) == (
        "html", "Planting trees before the rains", "Marie Jean", "en")
    assert [c.title for c in doc.chapters] == ["Planting trees before the rains",
                                               "Why trees matter", "How to help"]
    assert doc.chapters[0].text == ("Every year before the rainy season, the farmers of Jacmel "
                                    "plant new trees on the hills. This spring, three schools "
                                    "joined them.")
    assert doc.chapters[1].text.endswith("- Mango trees give fruit after four years.\n\n"
                                         "- Mahogany grows slowly.")
    text = text_of(doc) + " ".join(c.title for c in doc.chapters)
    for chrome in CHROME:
        assert chrome not in text, chrome


def test_web_page_text_output_starts_with_its_headline(cli, tmp_path):
    path = write(tmp_path, "trees.html", web_page(ARTICLE))
    result = cli("extract", path)
    assert result.stdout.startswith("Planting trees before the rains\n\nEvery year before")
    assert "\n\nWhy trees matter\n\nTrees hold the soil" in result.stdout


def test_exported_html_without_chrome_is_read_whole(tmp_path):
    page = ("<!DOCTYPE html>\n<html lang='ht'><head><meta charset='windows-1252'>"
            "<title>Ti istwa</title></head><body><h1>Premye pati</h1><p>Timoun yo ap jwe nan "
            "lakou a.</p><h1>Dezyèm pati</h1><p>Lapli ap tonbe.</p></body></html>")
    doc = extract_document(write(tmp_path, "istwa.htm", page.encode("cp1252")))
    assert doc.info.language == "ht"
    assert [(c.title, c.text) for c in doc.chapters] == [
        ("Premye pati", "Timoun yo ap jwe nan lakou a."), ("Dezyèm pati", "Lapli ap tonbe.")]


def test_script_page_has_no_text(cli, tmp_path):
    script = "<script>" + "window.__APP__=" + "{}" * 20000 + "</script>"
    page = f"<!doctype html><html><head>{script}</head><body><div id='root'></div>{script}" \
           f"</body></html>"
    path = write(tmp_path, "app.html", page)
    result = cli("extract", path, "-o", tmp_path / "app.txt")
    assert result.exit_code == ExitCode.NO_TEXT
    assert "almost all script" in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "app.txt").exists()


# --- sniffing by content ------------------------------------------------------------------

SRT = "1\n00:00:01,000 --> 00:00:03,500\nGood morning.\n\n2\n00:00:04,000 --> 00:00:06,000\n" \
      "How are you?\n"
VTT = "WEBVTT\n\n00:01.000 --> 00:03.500\nGood morning.\n"


def test_formats_found_by_content_not_name(tmp_path):
    assert reader_name(garden_epub(), "book.zip") == "epub"
    assert reader_name(lesson_docx(), "download") == "docx"
    assert reader_name(odt_bytes(ODT_BODY), "rapport") == "odt"
    assert reader_name(web_page(ARTICLE).encode(), "page.txt") == "html"
    assert reader_name(SRT.encode(), "film") == "subtitles"
    assert reader_name(VTT.encode("utf-16"), "film.txt") == "subtitles"
    assert reader_name(SRT.encode("cp1252"), "film.srt") == "subtitles"
    assert reader_name(b"# Title\n\nText.\n", "-") == "markdown"
    assert reader_name("Lekòl la.\n".encode("cp1252"), "a.txt") == "text"
    pdf = make_pdf(tmp_path / "x.pdf", [[Para("Hello.")]]).read_bytes()
    assert reader_name(pdf, "x.bin") == "pdf"


SPLIT_SRT = ("1\n00:00:01,000 --> 00:00:03,000\n<i>The school is</i>\n\n"
             "2\n00:00:03,100 --> 00:00:05,000\n<i>near the church.</i>\n\n"
             "3\n00:00:06,000 --> 00:00:08,000\n{\\an8}Good morning.\n")


def test_extract_of_subtitles_is_their_words_not_their_timings(cli, tmp_path):
    """extract (and so audiobook) read cue numbers and timings aloud:
    '1 00:00:01,000 --> 00:00:03,500 Good morning.'"""
    path = tmp_path / "film.srt"
    path.write_bytes(SPLIT_SRT.encode("cp1252"))
    result = cli("extract", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "The school is near the church.\n\nGood morning.\n"
    assert result.stderr == ""  # ASCII: nothing to say about the encoding


def test_audiobook_of_subtitles_speaks_the_words(cli, tmp_path):
    path = tmp_path / "film.ht.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nBonjou tout moun.\n\n"
                    "2\n00:00:03,000 --> 00:00:04,000\nMèsi anpil.\n", "utf-8")
    out = tmp_path / "out"
    result = cli("audiobook", path, "-o", out, "-q")
    assert result.exit_code == 0, result.stderr
    text = (out / "film.ht.md").read_text("utf-8")
    assert "Bonjou tout moun.\n\nMèsi anpil." in text
    assert "-->" not in text and "00:00" not in text


def test_a_pdf_that_is_an_html_error_page(cli, tmp_path):
    path = write(tmp_path, "book.pdf", "<!DOCTYPE html><html><body><h1>404 Not Found</h1>"
                                       "</body></html>")
    result = cli("extract", path)
    assert result.exit_code == ExitCode.INPUT
    assert "is not a PDF" in result.stderr and "failed download" in result.stderr


# --- text encodings and structure ----------------------------------------------------------

LESSON = "Lekòl la louvri lendi.\nMèsi anpil, pwofesè.\n"


@pytest.mark.parametrize(("encoding", "named"), [
    ("utf-8", None), ("utf-8-sig", None), ("utf-16", None), ("utf-32", None),
    ("cp1252", "cp1252"), ("mac_roman", "mac-roman"),
])
def test_text_encodings_read_without_a_flag(cli, tmp_path, encoding, named):
    path = write(tmp_path, "lesson.txt", LESSON.encode(encoding))
    result = cli("extract", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Lekòl la louvri lendi.\n\nMèsi anpil, pwofesè.\n"
    if named:
        assert f"warning: {path} is not UTF-8: read it as {named}" in result.stderr
    else:
        assert result.stderr == ""


def test_decode_bytes_contract():
    assert decode_bytes("Mèsi".encode("utf-16")) == ("Mèsi", "utf-16")
    assert decode_bytes(b"\xef\xbb\xbfM\xc3\xa8si") == ("Mèsi", "utf-8-sig")
    assert decode_bytes("Très bien, merci beaucoup.".encode("cp1252")) == (
        "Très bien, merci beaucoup.", "cp1252")
    assert decode_bytes(b"caf\xe9", "latin-1") == ("café", "iso8859-1")
    with pytest.raises(InputError, match="--encoding"):
        decode_bytes(b"caf\xe9", "utf-8")


def test_lists_and_lines_kept_and_no_invented_title(cli, tmp_path):
    path = write(tmp_path, "list.txt", "Shopping list\n\n- rice\n- beans\n\nThank you.\n"
                                       "1. Goodbye.\n")
    result = cli("extract", path)
    assert result.stdout == ("Shopping list\n\n- rice\n\n- beans\n\nThank you.\n\n"
                             "1. Goodbye.\n")
    data = json.loads(cli("extract", path, "-f", "json").stdout)
    assert data["title"] == "list" and data["chapters"][0]["title"] == "list"


def test_text_footnote_markers_dropped(tmp_path):
    path = write(tmp_path, "n.txt", "Water is life.[12] Trees need it².\n")
    assert extract_document(path).chapters[0].text == "Water is life. Trees need it."


# --- PDF: running headers and footnotes ---------------------------------------------------


def test_pdf_lines_repeated_on_every_page_are_not_all_taken_for_headers(cli, tmp_path):
    pages = [[Para(f"Paj {n}. Timoun yo ap jwe nan lakou a.")] for n in (1, 2, 3)]
    path = make_pdf(tmp_path / "paj.pdf", pages)  # each line at the top margin
    result = cli("extract", path)
    assert result.exit_code == 0
    assert result.stdout == ("Paj 1. Timoun yo ap jwe nan lakou a.\n\n"
                             "Paj 2. Timoun yo ap jwe nan lakou a.\n\n"
                             "Paj 3. Timoun yo ap jwe nan lakou a.\n")


def test_pdf_removed_headers_are_listed_in_json(cli, tmp_path):
    from pdf_factory import SAMPLE, Spec

    pages = [[Para(f"Part {n}. " + SAMPLE)] for n in range(1, 6)]
    path = make_pdf(tmp_path / "hf.pdf", pages, Spec(header="The Quiet Valley"))
    data = json.loads(cli("extract", path, "-f", "json").stdout)
    assert data["removed"] == ["The Quiet Valley"]
    assert "Quiet Valley" not in " ".join(c["text"] for c in data["chapters"])


def footnoted_pdf(path):
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    y = 120
    for text in ("The river floods in May, and the", "farmers move their goats to the hills."):
        page.insert_text((72, y), text, fontsize=11)
        y += 15
    width = pymupdf.get_text_length("The river floods in May,", fontsize=11)
    page.insert_text((72 + width, 120 - 4), "3", fontsize=7)  # a raised footnote marker
    page.insert_text((72, 760), "3 Data from the 2022 survey.", fontsize=8)
    doc.save(path)
    return path


def test_pdf_footnotes_dropped_or_kept_at_the_end(tmp_path):
    path = footnoted_pdf(tmp_path / "fn.pdf")
    dropped = extract_document(path).chapters[0].text
    assert dropped == "The river floods in May, and the farmers move their goats to the hills."
    kept = extract_document(path, notes="end").chapters[0].text
    assert kept == (dropped + "\n\nNotes\n\n3 Data from the 2022 survey.")


def test_unknown_notes_option(cli, tmp_path):
    path = write(tmp_path, "a.txt", "Hello.\n")
    result = cli("extract", path, "--notes", "margin")
    assert result.exit_code == ExitCode.USAGE and "--notes" in result.stderr


def test_read_options_are_picklable():
    import pickle

    options = ReadOptions(encoding="cp1252", notes="end")
    assert pickle.loads(pickle.dumps(options)) == options


def test_epub_with_all_chapters_in_one_file(tmp_path):
    # Pandoc and some converters write one XHTML file; the nav links into it by #id.
    import zipfile

    from doc_factory import _zip

    one = EpubChapter("Part A", ["Intro text.", '<h2 id="b">Part B</h2>', "Text B.",
                                 '<h2 id="c">Part C</h2>', "Text C."], heading="h2")
    with zipfile.ZipFile(io.BytesIO(epub_bytes([one], cover=False))) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    nav = files["OEBPS/nav.xhtml"].decode()
    extra = ('<li><a href="Text/chapter01.xhtml#b">Part B</a></li>'
             '<li><a href="Text/chapter01.xhtml#c">Part C</a></li>')
    files["OEBPS/nav.xhtml"] = nav.replace("</a></li>\n</ol></nav>",
                                           "</a></li>" + extra + "\n</ol></nav>", 1).encode()
    doc = extract_document(write(tmp_path, "one.epub", _zip(files)))
    assert [(c.title, c.text) for c in doc.chapters] == [
        ("Part A", "Intro text."), ("Part B", "Text B."), ("Part C", "Text C.")]


def test_fb2_through_pymupdf(tmp_path):
    fb2 = """<?xml version="1.0" encoding="UTF-8"?>
<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0">
<description><title-info><author><first-name>Marie</first-name><last-name>Jean</last-name>
</author><book-title>Ti Jaden</book-title><lang>ht</lang></title-info></description>
<body><title><p>Ti Jaden</p></title>
<section><title><p>Premye chapit</p></title><p>Timoun yo plante yon grenn mango.</p></section>
<section><title><p>Dezyèm chapit</p></title><p>Lapli tonbe nan mwa me.</p></section>
</body></FictionBook>
"""
    doc = extract_document(write(tmp_path, "jaden.fb2", fb2))
    assert (doc.info.kind, doc.info.title, doc.info.author) == ("fb2", "Ti Jaden", "Marie Jean")
    assert [(c.title, c.text) for c in doc.chapters] == [
        ("Premye chapit", "Timoun yo plante yon grenn mango."),
        ("Dezyèm chapit", "Lapli tonbe nan mwa me.")]


def test_epub_heading_longer_than_its_nav_entry_is_not_read_twice(tmp_path):
    import zipfile

    from doc_factory import _zip

    data = epub_bytes([EpubChapter("CHAPTER 1<br/>The Seed", ["Text one."]),
                       EpubChapter("Chapter 2", ["Text two."])], cover=False)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files["OEBPS/nav.xhtml"] = files["OEBPS/nav.xhtml"].replace(b"CHAPTER 1The Seed",
                                                                b"Chapter 1")
    doc = extract_document(write(tmp_path, "b.epub", _zip(files)))
    assert [(c.title, c.text) for c in doc.chapters] == [
        ("CHAPTER 1 The Seed", "Text one."), ("Chapter 2", "Text two.")]


def test_cbz_comic_has_no_text(cli, tmp_path):
    from doc_factory import PNG, _zip

    path = write(tmp_path, "comic.cbz", _zip({"001.png": PNG, "002.png": PNG},
                                             first_stored=False))
    result = cli("extract", path)
    assert result.exit_code == ExitCode.NO_TEXT, result.stderr
    assert result.stderr.count("\n") == 1


def test_documents_on_stdin(cli):
    epub = epub_bytes([EpubChapter("Premye pati", ["Bonjou tout moun."])], lang="ht")
    result = cli("extract", "-", input=epub)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Premye pati\n\nBonjou tout moun.\n"
    docx = lesson_docx()
    result = cli("extract", "-", "-f", "json", input=docx)
    assert json.loads(result.stdout)["format"] == "docx"
