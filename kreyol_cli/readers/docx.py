"""Word documents, .docx (the ``docx`` reader).

mammoth turns the document body into semantic HTML, which
:mod:`kreyol_cli.readers.markup` reads like any other: Heading 1/2 styles
give chapters (else the document is one chapter), lists and tables stay as
text, footnotes and endnotes become notes (dropped, or kept at the end of
their chapter with ``--notes end``). Comments, tracked deletions, headers and
footers are left out; tracked insertions are read, as Word shows them.

Measured on a Word-shaped file (tests/doc_factory.docx_bytes): python-docx
(16 MB with lxml, 32 ms import) reads neither footnotes nor text inside a
tracked insertion (``w:ins``); docx2python failed to import in its current
release; mammoth (0.8 MB, pure Python, 34 ms import, 10 ms for the file) got
all of it right. Title, author and language come from ``docProps/core.xml``.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO
from xml.etree import ElementTree

from kreyol_cli.domain import DocumentInfo
from kreyol_cli.errors import InputError, NoTextError
from kreyol_cli.readers.base import Reading, ReadOptions, StreamInfo, zip_names
from kreyol_cli.readers.markup import (
    chapter_level,
    chapters_from_sections,
    merge,
    parse_html,
    sections_of,
)

# Word's built-in "Title" and "Subtitle" styles are the document's title, not chapters.
STYLE_MAP = """
p[style-name='Title'] => p.doc-title:fresh
p[style-name='Subtitle'] => p.doc-subtitle:fresh
"""
_CORE = {"dc": "http://purl.org/dc/elements/1.1/",
         "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}


class DocxReader:
    name = "docx"

    def accepts(self, stream: IO[bytes], info: StreamInfo) -> bool:
        names = zip_names(stream) or []
        return "word/document.xml" in names

    def convert(self, stream: IO[bytes], info: StreamInfo, options: ReadOptions) -> Reading:
        import mammoth

        data = stream.read()
        warnings: list[str] = []
        try:
            result = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP)
        except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, ValueError) as exc:
            raise InputError(f"{info.name} is a damaged Word document ({exc}); open and save it "
                             f"again in Word or LibreOffice") from None
        meta = core_properties(data)
        root = parse_html(f"<html><body>{result.value}</body></html>")
        doc_title = ""
        for element in list(root.iter("p")):
            if (element.get("class") or "").startswith("doc-"):
                doc_title = doc_title or " ".join(element.text_content().split())
                element.getparent().remove(element)
        sections = sections_of(root.find("body"))
        if not any(s.paragraphs for s in sections):
            raise NoTextError(f"{info.name} has no text to read")
        title = meta["title"] or doc_title or info.stem
        level = chapter_level(sections)
        chapters = chapters_from_sections(merge(sections, min(level, 2) if level else 0),
                                          title, options.notes)
        doc = DocumentInfo(title, meta["author"], 1, info.source, "docx",
                           language=meta["language"])
        return Reading(doc, chapters, warnings)


READER = DocxReader()


def core_properties(data: bytes) -> dict[str, str]:
    """Title, author and language from ``docProps/core.xml`` (empty when absent)."""
    out = {"title": "", "author": "", "language": ""}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("docProps/core.xml")
        root = ElementTree.fromstring(xml)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return out
    for key, path in (("title", "dc:title"), ("author", "dc:creator"),
                      ("language", "dc:language")):
        element = root.find(path, _CORE)
        if element is not None and element.text:
            out[key] = " ".join(element.text.split())
    out["language"] = out["language"].lower().replace("_", "-").split("-")[0]
    return out
