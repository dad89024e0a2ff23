"""OpenDocument text, .odt (the ``odt`` reader).

``content.xml`` is walked with the standard library's ElementTree and written
as simple HTML for :mod:`kreyol_cli.readers.markup`: ``text:h`` outline levels
give headings, lists and tables stay as text, ``text:note`` footnotes become
notes, comments (``office:annotation``) and tracked deletions
(``text:tracked-changes``) are left out. Title, author and language come from
``meta.xml``.

odfpy was measured first: its ODF2XHTML crashed (``TypeError`` in ``xhtml()``)
on a LibreOffice-shaped file with a footnote, and read the deleted text of
tracked changes as body text; it adds only a DOM over the same XML.
"""

from __future__ import annotations

import io
import zipfile
from html import escape
from typing import IO
from xml.etree import ElementTree

from kreyol_cli.domain import DocumentInfo
from kreyol_cli.errors import InputError, NoTextError
from kreyol_cli.readers.base import Reading, ReadOptions, StreamInfo, zip_mimetype, zip_names
from kreyol_cli.readers.markup import (
    chapter_level,
    chapters_from_sections,
    merge,
    parse_html,
    sections_of,
)

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
MIMETYPES = ("application/vnd.oasis.opendocument.text",
             "application/vnd.oasis.opendocument.text-template")
_META = {"dc": "http://purl.org/dc/elements/1.1/",
         "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
         "office": OFFICE}
_SKIP = {f"{{{OFFICE}}}annotation", f"{{{OFFICE}}}annotation-end", f"{{{TEXT}}}tracked-changes",
         f"{{{TEXT}}}table-of-content", f"{{{TEXT}}}sequence-decls", f"{{{TEXT}}}bookmark-ref"}


class OdtReader:
    name = "odt"

    def accepts(self, stream: IO[bytes], info: StreamInfo) -> bool:
        if zip_mimetype(stream) in MIMETYPES:
            return True
        names = zip_names(stream) or []
        return "content.xml" in names and info.extension in (".odt", ".ott")

    def convert(self, stream: IO[bytes], info: StreamInfo, options: ReadOptions) -> Reading:
        data = stream.read()
        warnings: list[str] = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
                if "META-INF/manifest.xml" in names and b"encryption-data" in archive.read(
                        "META-INF/manifest.xml"):
                    from kreyol_cli.errors import EncryptedError

                    raise EncryptedError(f"{info.name} is protected by a password: open it in "
                                         f"LibreOffice, remove the password and save it again")
                content = ElementTree.fromstring(archive.read("content.xml"))
                meta = _meta(archive.read("meta.xml")) if "meta.xml" in names else {}
        except (KeyError, zipfile.BadZipFile, ElementTree.ParseError) as exc:
            raise InputError(f"{info.name} is a damaged OpenDocument file ({exc}); open and "
                             f"save it again in LibreOffice") from None
        body = content.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
        if body is None:
            raise InputError(f"{info.name} is not an OpenDocument text (no office:text)")
        html = "".join(_html(child) for child in body)
        sections = sections_of(parse_html(f"<html><body>{html}</body></html>").find("body"))
        if not any(s.paragraphs for s in sections):
            raise NoTextError(f"{info.name} has no text to read")
        title = meta.get("title") or info.stem
        level = chapter_level(sections)
        chapters = chapters_from_sections(merge(sections, min(level, 2) if level else 0),
                                          title, options.notes)
        doc = DocumentInfo(title, meta.get("author", ""), 1, info.source, "odt",
                           language=meta.get("language", ""))
        return Reading(doc, chapters, warnings)


READER = OdtReader()


def _meta(xml: bytes) -> dict[str, str]:
    root = ElementTree.fromstring(xml)
    out = {}
    for key, path in (("title", ".//dc:title"), ("author", ".//dc:creator"),
                      ("author", ".//meta:initial-creator"), ("language", ".//dc:language")):
        element = root.find(path, _META)
        if element is not None and element.text and key not in out:
            out[key] = " ".join(element.text.split())
    if "language" in out:
        out["language"] = out["language"].lower().split("-")[0]
    return out


def _inline(element) -> str:
    """An element's text as escaped HTML; notes become spans the walker collects."""
    parts = [escape(element.text or "")]
    for child in element:
        tag = child.tag
        if tag in _SKIP:
            pass
        elif tag == f"{{{TEXT}}}s":
            parts.append(" " * int(child.get(f"{{{TEXT}}}c", "1")))
        elif tag in (f"{{{TEXT}}}tab", f"{{{TEXT}}}line-break"):
            parts.append(" ")
        elif tag == f"{{{TEXT}}}note":
            body = child.find(f"{{{TEXT}}}note-body")
            number = child.findtext(f"{{{TEXT}}}note-citation") or ""
            if body is not None:
                inner = " ".join(_inline(p) for p in body)
                parts.append(f'<span epub:type="footnote">{escape(number)}. {inner}</span>')
        else:
            parts.append(_inline(child))
        parts.append(escape(child.tail or ""))
    return "".join(parts)


def _html(element) -> str:
    tag = element.tag
    if tag in _SKIP:
        return ""
    if tag == f"{{{TEXT}}}h":
        level = min(int(element.get(f"{{{TEXT}}}outline-level", "1") or 1), 6)
        return f"<h{level}>{_inline(element)}</h{level}>"
    if tag == f"{{{TEXT}}}p":
        return f"<p>{_inline(element)}</p>"
    if tag == f"{{{TEXT}}}list":
        items = []
        for item in element:
            if item.tag in (f"{{{TEXT}}}list-item", f"{{{TEXT}}}list-header"):
                items.append("<li>" + "".join(_html(c) for c in item) + "</li>")
        return "<ul>" + "".join(items) + "</ul>"
    if tag == f"{{{TABLE}}}table":
        rows = []
        for row in element.iter(f"{{{TABLE}}}table-row"):
            cells = [" ".join(_inline(p) for p in cell)
                     for cell in row if cell.tag == f"{{{TABLE}}}table-cell"]
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        return "<table>" + "".join(rows) + "</table>"
    if tag == f"{{{TEXT}}}section":
        return "".join(_html(child) for child in element)
    return ""
