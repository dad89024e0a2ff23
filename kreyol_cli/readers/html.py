"""Web pages and exported HTML articles (the ``html`` reader).

A saved web page is mostly site chrome: menus, cookie banners, "log in"
boxes, sidebars, share buttons, comment forms, footers. When a page has any
of that, readability-lxml (the Arc90 Readability algorithm, as in Firefox's
Reader View) picks the main article; a plain exported document (Pandoc,
LibreOffice, Google Docs "Web page") is read whole. Either way
:mod:`kreyol_cli.readers.markup` turns it into paragraphs: ``<h1>``/``<h2>``
give chapters, ``lang`` gives the language.

Measured on a saved WordPress-style page (tests/doc_factory.web_page):
readability kept every article paragraph, heading and list and none of the
chrome, and kept the footnote links, so notes can be told from text;
trafilatura (68 MB installed with its dependencies, 145 ms to import, against
15 MB and 38 ms) flattened "[1]" into the sentence; jusText, with its English
stoplist, kept none of the short paragraphs.
"""

from __future__ import annotations

import re
from typing import IO

from kreyol_cli.domain import DocumentInfo
from kreyol_cli.errors import InputError, NoTextError
from kreyol_cli.readers.base import Reading, ReadOptions, StreamInfo, peek
from kreyol_cli.readers.markup import (
    chapter_level,
    chapters_from_sections,
    merge,
    parse_html,
    sections_of,
    tag_of,
)
from kreyol_cli.readers.sniff import looks_like_html

CHROME = re.compile(
    r"cookie|consent|gdpr|sidebar|menu|navbar|breadcrumb|share|social|related|newsletter|"
    r"subscribe|login|log-in|signin|sign-in|signup|register|comment|widget|advert|promo|"
    r"banner|popup|modal|footer|masthead|skip-link",
    re.IGNORECASE,
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


class HtmlReader:
    name = "html"

    def accepts(self, stream: IO[bytes], info: StreamInfo) -> bool:
        return looks_like_html(peek(stream, 4096), info.extension)

    def convert(self, stream: IO[bytes], info: StreamInfo, options: ReadOptions) -> Reading:
        data = stream.read()
        text, codec, warnings = _decode(data, info, options)
        root = parse_html(_XML_DECL.sub("", text))
        language = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
                    or "").lower().split("-")[0]
        title, author = _title(root), _meta(root, "author")
        main = _main_content(root, text)
        sections = sections_of(main)
        if not any(s.paragraphs for s in sections):
            raise NoTextError(_no_text(info.name, data))
        shown = False  # the title is the article's own headline
        if sections and sections[0].heading and title and _same(sections[0].heading, title) \
                and sum(1 for s in sections if s.level == sections[0].level) == 1:
            first = sections[0]
            sections[0] = type(first)(None, 0, first.paragraphs, first.notes)
            shown = True
        elif title and _same(title, _title(root, headline=True)):
            shown = True
        level = chapter_level(sections)
        title = title or next((s.heading for s in sections if s.heading), "") or info.stem
        chapters = chapters_from_sections(merge(sections, level), title, options.notes,
                                          fallback_is_heading=shown)
        doc = DocumentInfo(title, author, 1, info.source, "html", language=language,
                           encoding=codec)
        return Reading(doc, chapters, warnings)


READER = HtmlReader()


def _decode(data: bytes, info: StreamInfo, options: ReadOptions) -> tuple[str, str, list[str]]:
    from kreyol_cli.textcodec import decode_bytes

    encoding = options.encoding
    if encoding is None and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = _CHARSET.search(data[:4096])
        if declared:
            encoding = declared.group(1).decode("ascii")
    try:
        text, codec = decode_bytes(data, encoding)
    except (InputError, LookupError):
        text, codec = decode_bytes(data)  # a wrong <meta charset>: detect instead
    return text, codec, []


def _meta(root, name: str) -> str:
    for element in root.iter("meta"):
        if (element.get("name") or element.get("property") or "").lower() in (name, f"og:{name}"):
            return " ".join((element.get("content") or "").split())
    return ""


def _title(root, *, headline: bool = False) -> str:
    """The page's title: og:title, else its one ``<h1>``, else ``<title>`` without the
    site name. ``headline``: only the ``<h1>`` (the title as printed on the page)."""
    og = "" if headline else _meta(root, "title")
    if og:
        return og
    h1 = [e for e in root.iter("h1")]
    if len(h1) == 1:
        return " ".join(h1[0].text_content().split())
    if headline:
        return ""
    element = root.find(".//title")
    text = " ".join((element.text_content() if element is not None else "").split())
    return re.split(r"\s+[|–—]\s+|\s+-\s+", text)[0] if text else ""


def _same(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return "".join(ch for ch in text.casefold() if ch.isalnum())

    return norm(a) == norm(b)


def _has_chrome(root) -> bool:
    for element in root.iter():
        tag = tag_of(element)
        if tag in ("nav", "aside", "form"):
            return True
        if tag in ("header", "footer") and element.getparent() is not None and \
                tag_of(element.getparent()) == "body":
            return True
        if CHROME.search(f"{element.get('class') or ''} {element.get('id') or ''}"):
            return True
    return False


def _main_content(root, text: str):
    """The article's element: readability's pick on a page with site chrome, else the body."""
    body = root.find("body")
    if body is None:
        body = root
    if not _has_chrome(root):
        return body
    from readability import Document

    try:
        summary = Document(text).summary(html_partial=True)
    except Exception:  # noqa: BLE001 - readability fails on pages with no candidates
        return body
    article = parse_html(summary)
    for element in list(article.iter()):
        if element.getparent() is not None and CHROME.search(
                f"{element.get('class') or ''} {element.get('id') or ''}"):
            element.getparent().remove(element)
    return article


def _no_text(name: str, data: bytes) -> str:
    scripts = sum(len(m) for m in re.findall(rb"<script\b.*?</script>", data, re.S | re.I))
    if scripts > len(data) / 2:
        return (f"{name} has no text to read: it is almost all script (a page that builds "
                f"itself in the browser). Open it in a browser and save it again with File > "
                f"Save Page As, or print it to PDF")
    return f"{name} has no text to read"
