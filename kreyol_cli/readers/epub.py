"""EPUB 2 and 3 e-books (the ``epub`` reader).

The package (container, OPF, spine, navigation document or NCX) is read with
ebooklib; each spine document's XHTML with lxml through
:mod:`kreyol_cli.readers.markup`. PyMuPDF opens EPUBs too, but lays them out
as pages: footnote numbers end up glued to words ("seed.1"), notes inline in
the text, and ``dc:language`` and front/back matter are lost.

Chapters follow the table of contents in spine order: a spine document the
contents do not name continues the chapter before it (Calibre splits long
chapters into several files). Cover, title page, copyright, table of contents
and the like are kept but marked ``front``; appendices, notes, colophon
``back``. Images are skipped. A book with no text (a comic, a scanned book)
is refused like a scanned PDF; a DRM-encrypted one with a clear message.
"""

from __future__ import annotations

import io
import posixpath
import warnings as _warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO
from urllib.parse import unquote

from kreyol_cli.domain import Chapter, DocumentInfo
from kreyol_cli.errors import EncryptedError, InputError, NoTextError
from kreyol_cli.readers.base import Reading, ReadOptions, StreamInfo, zip_mimetype, zip_names
from kreyol_cli.readers.markup import (
    Section,
    epub_types,
    note_targets,
    parse_xhtml,
    section_text,
    sections_of,
    tag_of,
)

FRONT = {"cover", "frontmatter", "titlepage", "halftitlepage", "copyright-page", "dedication",
         "epigraph", "foreword", "preface", "toc", "imprint", "contributors", "seriespage",
         "other-credits", "errata", "landmarks", "loi", "lot"}
BACK = {"backmatter", "afterword", "appendix", "glossary", "bibliography", "index", "colophon",
        "endnotes", "rearnotes", "footnotes", "acknowledgments", "credits", "conclusion"}
# Font obfuscation (IDPF, Adobe) is not DRM: the text is readable.
FONT_OBFUSCATION = ("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC")


class EpubReader:
    name = "epub"

    def accepts(self, stream: IO[bytes], info: StreamInfo) -> bool:
        if zip_mimetype(stream) == "application/epub+zip":
            return True
        names = zip_names(stream) or []
        return "META-INF/container.xml" in names and info.extension in (".epub", ".epub3", "")

    def convert(self, stream: IO[bytes], info: StreamInfo, options: ReadOptions) -> Reading:
        data = stream.read()
        _check_drm(data, info.name)
        book = _open(data, info.name)
        meta = _metadata(book)
        warnings: list[str] = []
        parts = _spine_parts(book, info.name)
        if not parts:
            raise InputError(f"{info.name} has an empty spine (no chapters listed); "
                             f"the e-book is damaged")
        title = meta["title"] or info.stem
        chapters = list(_chapters(parts, _toc(book), title, options.notes))
        if not chapters:
            raise NoTextError(f"{info.name} has no text, only images (a comic or a scanned "
                              f"book?); kreyol reads text")
        doc = DocumentInfo(title, meta["author"], 1, info.source, "epub",
                           language=meta["language"])
        return Reading(doc, iter(chapters), warnings)


READER = EpubReader()


def _check_drm(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "META-INF/encryption.xml" not in archive.namelist():
                return
            xml = archive.read("META-INF/encryption.xml").decode("utf-8", "replace")
    except zipfile.BadZipFile:
        raise InputError(f"{name} is a damaged or truncated EPUB; download or copy it "
                         f"again") from None
    import re

    algorithms = re.findall(r'Algorithm="([^"]+)"', xml)
    if any(a not in FONT_OBFUSCATION for a in algorithms):
        raise EncryptedError(
            f"{name} is protected by DRM (its text is encrypted); kreyol cannot read it. "
            f"Use a DRM-free copy of the book"
        )


def _open(data: bytes, name: str):
    from ebooklib import epub

    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            return epub.read_epub(io.BytesIO(data), {"ignore_ncx": True})  # nav first, NCX if none
    except KeyError as exc:
        import re

        quoted = re.search(r"'([^']+)'", str(exc.args[0] if exc.args else exc))
        missing = quoted.group(1) if quoted else str(exc)
        raise InputError(f"{name} is damaged: it lists {missing}, which is not in the file; "
                         f"get a new copy or repair it (e.g. with Calibre or Sigil)") from None
    except (epub.EpubException, zipfile.BadZipFile) as exc:
        raise InputError(f"{name} is a damaged EPUB ({exc}); download or copy it again") from None
    except Exception as exc:  # noqa: BLE001 - ebooklib raises lxml and IndexError on bad OPFs
        raise InputError(f"{name} is a damaged EPUB ({type(exc).__name__}: {exc}); get a new "
                         f"copy or repair it (e.g. with Calibre or Sigil)") from None


def _first(book, field_name: str) -> str:
    values = book.get_metadata("DC", field_name)
    return " ".join(str(values[0][0]).split()) if values and values[0][0] else ""


def _metadata(book) -> dict[str, str]:
    language = _first(book, "language").lower().replace("_", "-")
    return {"title": _first(book, "title"), "author": _first(book, "creator"),
            "language": language.split("-")[0]}


@dataclass
class _Part:
    href: str
    root: object
    matter: str
    sections: list[Section] = field(default_factory=list)


def _spine_parts(book, name: str) -> list[_Part]:
    import ebooklib

    items = []
    bodymatter = _bodymatter_href(book)
    for idref, linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None:
            raise InputError(f"{name} is damaged: its spine names {idref!r}, which is not in "
                             f"the manifest; get a new copy or repair it")
        if item.get_type() != ebooklib.ITEM_DOCUMENT or isinstance(item, _nav_types()):
            continue
        root = parse_xhtml(item.get_content())
        matter = _matter(root, linear)
        items.append(_Part(item.get_name(), root, matter))
    if bodymatter:
        names = [p.href for p in items]
        if bodymatter in names:
            for part in items[: names.index(bodymatter)]:
                if part.matter == "body":
                    part.matter = "front"
    targets = set().union(*(note_targets(p.root) for p in items)) if items else set()
    for part in items:
        body = next((e for e in part.root.iter() if tag_of(e) == "body"), part.root)
        part.sections = sections_of(body, targets=targets)
    return items


def _nav_types() -> tuple[type, ...]:
    from ebooklib import epub

    return (epub.EpubNav, epub.EpubNcx)


def _matter(root, linear: str) -> str:
    types: set[str] = set()
    for element in root.iter():
        if tag_of(element) in ("html", "body", "section", "div", "nav"):
            types |= epub_types(element)
        if tag_of(element) in ("p", "h1", "h2", "h3"):
            break
    if types & BACK:
        return "back"
    if types & FRONT or linear == "no":
        return "front"
    return "body"


def _bodymatter_href(book) -> str | None:
    """Where the body begins, from the nav's landmarks or the EPUB 2 guide."""
    for ref in getattr(book, "guide", []) or []:
        if ref.get("type") in ("text", "bodymatter", "start"):
            return unquote(ref.get("href", "").split("#")[0])
    return None


def _toc(book) -> dict[str, list[str]]:
    """File name -> the titles the table of contents gives it, at every level, in order."""
    titles: dict[str, list[str]] = {}

    def visit(entries) -> None:
        for entry in entries:
            link, children = (entry[0], entry[1]) if isinstance(entry, tuple) else (entry, [])
            href = getattr(link, "href", None)
            title = " ".join((getattr(link, "title", "") or "").split())
            if href and title:
                titles.setdefault(unquote(href.split("#")[0]), []).append(title)
            visit(children)

    visit(book.toc)
    return titles


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _chapters(parts: list[_Part], toc: dict[str, list[str]], book_title: str, notes: str
              ) -> Iterator[Chapter]:
    index = 0
    current: tuple[str, str, bool, list[Section]] | None = None  # title, matter, real, parts

    def finish(chapter) -> Chapter | None:
        nonlocal index
        title, matter, real, sections = chapter
        texts = [section_text(s, notes) for s in sections]
        text = "\n\n".join(t for t in texts if t)
        if not text:
            return None
        index += 1
        return Chapter(index - 1, title, None, None, text, matter=matter, heading=real)

    for part in parts:
        titles = _toc_titles(toc, part.href)
        pieces = _split(part.sections) if len(titles) > 1 else [(None, part.sections)]
        for n, (heading, sections) in enumerate(pieces):
            toc_title = heading or (titles[0] if titles and n == 0 else None)
            first = next((s.heading for s in sections if s.heading), None)
            new = toc_title is not None or current is None or part.matter != current[1]
            if new:
                if current is not None and (done := finish(current)) is not None:
                    yield done
                title = toc_title or first or (book_title if index == 0 else f"Chapter {index + 1}")
                if toc_title and first and _related(first, toc_title) and \
                        len(_norm(first)) > len(_norm(toc_title)):
                    title = first  # nav "Chapter 1", heading "Chapter 1: The Seed"
                current = (title, part.matter, bool(toc_title or first), [])
            current[3].extend(_fold(sections, current[0] if new else ""))
    if current is not None and (done := finish(current)) is not None:
        yield done


def _split(sections: list[Section]) -> list[tuple[str | None, list[Section]]]:
    """One file holding several chapters (the contents link into it): split at its
    chapter-level headings."""
    from kreyol_cli.readers.markup import chapter_level, merge

    merged = merge(sections, chapter_level(sections))
    return [(s.heading, [Section(None, 0, s.paragraphs, s.notes)]) for s in merged]


def _toc_titles(toc: dict[str, list[str]], href: str) -> list[str]:
    if href in toc:
        return toc[href]
    for path, titles in toc.items():  # hrefs relative to the OPF vs. the nav's folder
        if posixpath.normpath(path).endswith(posixpath.normpath(href)) or \
                posixpath.normpath(href).endswith(posixpath.normpath(path)):
            return titles
    return []


def _related(a: str, b: str) -> bool:
    """Whether two titles name the same chapter ("CHAPTER ONE" / "Chapter One: The Seed")."""
    a, b = _norm(a), _norm(b)
    return bool(a and b) and (a == b or (min(len(a), len(b)) >= 3 and (a in b or b in a)))


def _fold(sections: list[Section], title: str) -> list[Section]:
    """One spine document as sections whose headings are paragraphs, except a first
    heading that repeats the chapter title (it is the title, not text to read twice)."""
    out: list[Section] = []
    for position, section in enumerate(sections):
        paragraphs = list(section.paragraphs)
        opening = position == 0 or not any(s.paragraphs for s in sections[:position])
        if section.heading and not (opening and title and _related(section.heading, title)):
            paragraphs.insert(0, section.heading)
        out.append(Section(None, 0, paragraphs, list(section.notes)))
    return out
