"""(X)HTML to sections of plain paragraphs: the common ground of EPUB, DOCX, ODT and web pages.

EPUB chapters are XHTML, mammoth turns a DOCX into HTML, the ODT reader
writes HTML, and a saved web page is HTML: one walk over the element tree
serves them all. It keeps what is read aloud and leaves out the rest:

* headings start sections (the caller says which levels are chapters);
* paragraphs, list items (with their ``-`` or ``1.`` marker) and table rows
  (cells joined by commas) become paragraphs;
* scripts, styles, forms, navigation, images and hidden elements are skipped;
* footnote and endnote *markers* (``<a epub:type="noteref">``, a link in a
  ``<sup>``, a bare superscript number) are dropped from the sentence, and
  the notes themselves (``epub:type="footnote"``, the targets of those links)
  are collected apart, so a caller can drop them or put them at the end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kreyol_cli.domain import Chapter
from kreyol_cli.readers.text import normalize

EPUB_NS = "{http://www.idpf.org/2007/ops}"
BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "nav", "ol", "p",
    "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
SKIP = frozenset({
    "audio", "button", "canvas", "datalist", "embed", "form", "head", "iframe", "img", "input",
    "map", "math", "meta", "noscript", "object", "option", "picture", "script", "select", "style",
    "svg", "template", "textarea", "video", "link", "title",
})
NOTE_TYPES = {"footnote", "endnote", "rearnote", "note", "footnotes", "endnotes", "rearnotes"}
NOTE_ROLES = {"doc-footnote", "doc-endnote", "doc-endnotes"}
_MARKER = re.compile(r"^\s*[\[(]?(?:\d{1,4}|[*†‡§]+|[ivx]{1,5})[\])]?\s*$", re.I)
_BACKLINK = re.compile(r"^\s*(?:[↑↩⤴^]|\^|back|retour)\s*$", re.I)
_SPACES = re.compile(r"\s+")
# Not read aloud wherever they sit: Wikipedia's "[edit]" links and "[citation
# needed]" tags, screen-reader-only labels.
_UNREAD_CLASS = re.compile(r"\b(?:mw-editsection|noprint|sr-only|screen-reader-text|"
                           r"visually-hidden|mw-jump-link)\b")


@dataclass
class Section:
    """A heading and the paragraphs under it.

    Attributes:
        heading: The heading text, or ``None`` for text before the first one.
        level: The heading's level (1-6), 0 for none.
        paragraphs: Plain paragraphs in reading order.
        notes: Footnote/endnote texts found in this section.
    """

    heading: str | None
    level: int = 0
    paragraphs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def tag_of(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def epub_types(element) -> set[str]:
    value = element.get(f"{EPUB_NS}type") or element.get("epub:type") or ""
    return set(value.split())


def _is_hidden(element) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if _UNREAD_CLASS.search(element.get("class") or ""):
        return True
    style = (element.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _is_note_body(element) -> bool:
    return bool(epub_types(element) & NOTE_TYPES) or element.get("role") in NOTE_ROLES


def _fragment(href: str | None) -> str | None:
    if not href or "#" not in href:
        return None
    return href.split("#", 1)[1] or None


def _is_noteref(element) -> bool:
    """A footnote marker: ``<a epub:type="noteref">``, a role, or a number linked in a sup."""
    tag = tag_of(element)
    if "noteref" in epub_types(element) or element.get("role") == "doc-noteref":
        return True
    text = "".join(element.itertext())
    if tag == "sup":
        return bool(_MARKER.match(text))
    if tag == "a" and _fragment(element.get("href")):
        parent = element.getparent()
        in_sup = parent is not None and tag_of(parent) == "sup"
        classes = (element.get("class") or "").lower()
        has_sup = any(tag_of(c) == "sup" for c in element)
        return bool(_MARKER.match(text)) and (in_sup or has_sup or "note" in classes
                                             or "fn" in classes or text.strip().startswith("["))
    return False


def note_targets(root) -> set[str]:
    """Ids that footnote markers in ``root`` point to."""
    targets = set()
    for element in root.iter():
        if tag_of(element) in ("a", "sup") and _is_noteref(element):
            links = [element] if tag_of(element) == "a" else element.iter()
            for link in links:
                target = _fragment(link.get("href"))
                if target:
                    targets.add(target)
    return targets


class _Walker:
    def __init__(self, targets: set[str]) -> None:
        self.targets = targets
        self.sections: list[Section] = [Section(None)]
        # A note belongs to the section that refers to it, wherever its text
        # sits (mammoth and Wikipedia put all notes at the end of the page).
        self.referenced: dict[str, Section] = {}

    def is_target(self, element) -> bool:
        """A block a footnote marker links to: by its own id, or an anchor opening it
        (Calibre's ``<p><a id="filepos12"></a>1. The note.</p>``)."""
        if element.get("id") in self.targets:
            return True
        first = next(iter(element), None)
        return (first is not None and not (element.text or "").strip()
                and tag_of(first) in ("a", "span") and first.get("id") in self.targets)

    # --- inline text ---------------------------------------------------------------

    def inline(self, element, *, in_note: bool = False) -> str:
        parts: list[str] = []
        self._inline(element, parts, in_note, top=True)
        return clean("".join(parts))

    def _inline(self, element, parts: list[str], in_note: bool, top: bool = False) -> None:
        tag = tag_of(element)
        if not tag:  # a comment or processing instruction: only its tail is text
            return
        if not top and (tag in SKIP or _is_hidden(element)):
            return
        if not top and not in_note and _is_noteref(element):
            for link in element.iter():
                target = _fragment(link.get("href"))
                if target:
                    self.referenced.setdefault(target, self.sections[-1])
            return
        if not top and not in_note and _is_note_body(element):
            self.note(element)  # an inline note (ODT's text:note): read apart
            return
        if "pagebreak" in epub_types(element):
            return
        if in_note and tag == "a" and _BACKLINK.match("".join(element.itertext())):
            return
        if tag == "br":
            parts.append(" ")
            return
        if element.text:
            parts.append(element.text)
        for child in element:
            self._inline(child, parts, in_note)
            if child.tail:
                parts.append(child.tail)
        if tag in BLOCK:
            parts.append(" ")

    # --- blocks ------------------------------------------------------------------------

    def paragraph(self, text: str) -> None:
        if text:
            self.sections[-1].paragraphs.append(text)

    def note(self, element, prefix: str = "") -> None:
        text = self.inline(element, in_note=True)
        if not text:
            return
        if prefix and not text.startswith(prefix.strip()):
            text = prefix + text
        first = next(iter(element), None)
        ids = [element.get("id"), first.get("id") if first is not None else None]
        owner = next((self.referenced[i] for i in ids if i in self.referenced), None)
        (owner or self.sections[-1]).notes.append(text)

    def walk(self, element) -> None:
        tag = tag_of(element)
        if not tag or tag in SKIP or tag == "nav" or _is_hidden(element):
            return
        if _is_note_body(element) or (tag in BLOCK and self.is_target(element)):
            self.note(element)
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = self.inline(element)
            if text:
                self.sections.append(Section(text, int(tag[1])))
            return
        if tag in ("ul", "ol"):
            self.list(element, ordered=tag == "ol")
            return
        if tag == "table":
            for row in element.iter():
                if tag_of(row) == "tr":
                    cells = [self.inline(c) for c in row if tag_of(c) in ("td", "th")]
                    self.paragraph(", ".join(c for c in cells if c))
            return
        if tag == "hr":
            return
        self.mixed(element)

    def mixed(self, element) -> None:
        """A block whose children may be inline runs and blocks, in any order."""
        run: list[str] = [element.text or ""]

        def flush() -> None:
            self.paragraph(clean("".join(run)))
            run.clear()

        for child in element:
            tag = tag_of(child)
            if tag in BLOCK:
                flush()
                self.walk(child)
            else:
                self._inline(child, run, False)
            if child.tail:
                run.append(child.tail)
        flush()

    def list(self, element, *, ordered: bool) -> None:
        number = int(element.get("start") or 1) if (element.get("start") or "1").isdigit() else 1
        for item in element:
            if tag_of(item) != "li":
                if tag_of(item) in ("ul", "ol"):
                    self.list(item, ordered=tag_of(item) == "ol")
                continue
            if _is_note_body(item) or self.is_target(item):
                self.note(item, f"{number}. " if ordered else "")
                number += 1
                continue
            nested = [c for c in item if tag_of(c) in ("ul", "ol")]
            for child in nested:
                item.remove(child)  # read after the item's own text
            text = self.inline(item)
            if text:
                self.paragraph(f"{number}. {text}" if ordered else f"- {text}")
                number += 1
            for child in nested:
                self.list(child, ordered=tag_of(child) == "ol")


def clean(text: str) -> str:
    """One line of normalized text: odd spaces and line breaks become single spaces."""
    text = _SPACES.sub(" ", normalize(text)).strip()
    return re.sub(r"\s+([,.;:!?])(?=\s|$)", r"\1", text)


def sections_of(root, *, targets: set[str] | None = None) -> list[Section]:
    """Walk an element (``<html>``, ``<body>`` or any block) into sections.

    Args:
        root: An lxml element.
        targets: Ids of footnote bodies (default: those ``root``'s markers link to).
    """
    walker = _Walker(note_targets(root) if targets is None else targets)
    walker.walk(root)
    return [s for s in walker.sections if s.heading or s.paragraphs or s.notes]


def chapter_level(sections: list[Section]) -> int:
    """The heading level that makes chapters: ``h1`` if there are two, else ``h2``..."""
    levels = [s.level for s in sections if s.level]
    for level in sorted(set(levels)):
        if levels.count(level) >= 2:
            return level
    return min(levels, default=0)


def merge(sections: list[Section], level: int) -> list[Section]:
    """Fold sections below ``level`` into the chapter above them (their heading a paragraph).

    Headings above ``level`` (a lone ``h1`` over ``h2`` chapters) are dropped
    from the text: they are the document's title.
    """
    out: list[Section] = []
    for section in sections:
        if section.level and section.level <= level or not out:
            if section.level and section.level < level:
                section = Section(None, 0, section.paragraphs, section.notes)
            out.append(Section(section.heading, section.level, list(section.paragraphs),
                               list(section.notes)))
            continue
        chapter = out[-1]
        if section.heading:
            chapter.paragraphs.append(section.heading)
        chapter.paragraphs += section.paragraphs
        chapter.notes += section.notes
    return out


def section_text(section: Section, notes: str) -> str:
    """The section's paragraphs, and its notes at the end when ``notes == "end"``."""
    paragraphs = list(section.paragraphs)
    if notes == "end" and section.notes:
        paragraphs += ["Notes"] + section.notes
    return "\n\n".join(paragraphs)


def chapters_from_sections(
    sections: list[Section], fallback: str, notes: str, *, matter: str = "body", start: int = 0,
    fallback_is_heading: bool = False,
) -> Iterator[Chapter]:
    """Chapters from merged sections; an untitled one is called ``fallback`` or "Chapter N".

    ``fallback_is_heading`` says the fallback title is printed in the document
    itself (a web page's ``<h1>``), so text output shows it.
    """
    index = start
    for section in sections:
        text = section_text(section, notes)
        if not text:
            continue
        if section.heading:
            title, heading = section.heading, True
        else:
            named = len(sections) == 1 or index == start
            title = fallback if named else f"Chapter {index + 1}"
            heading = named and fallback_is_heading
        yield Chapter(index, title, None, None, text, matter=matter, heading=heading)
        index += 1


def parse_html(data: bytes | str):
    """Parse HTML (or XHTML) into an lxml tree root, leniently.

    Bytes are decoded first (BOM, UTF-8, else detected): lxml alone would take
    undeclared bytes for Latin-1.
    """
    import lxml.html

    if isinstance(data, bytes):
        from kreyol_cli.textcodec import decode_bytes

        data = decode_bytes(data)[0]
    data = re.sub(r"^\s*<\?xml[^>]*\?>", "", data)
    return lxml.html.document_fromstring(data or "<html></html>")


def parse_xhtml(data: bytes):
    """Parse XHTML strictly as XML (self-closing tags matter), else as HTML."""
    from lxml import etree

    try:
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True,
                                                      huge_tree=True))
    except etree.XMLSyntaxError:
        return parse_html(data)
