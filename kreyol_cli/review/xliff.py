"""XLIFF 1.2 review files, shaped like those Okapi and OmegaT exchange.

One ``<file>`` (``original`` = the input's name, ``source-language``,
``target-language="ht"``, ``datatype="plaintext"``), a ``<group>`` per
chapter, a ``<trans-unit>`` per sentence with ``<source>``, ``<target
state=...>`` (``needs-review-translation`` when flagged), ``<note>``s with
the chapter, position and review reasons, and the machine translation in an
``<alt-trans>`` so edits can be told apart on import.

Written and read with the standard library's ElementTree: translate-toolkit
(the reference Python XLIFF library) installs 20 MB with lxml and takes 54 ms
to import ``translate.storage.xliff``; ElementTree is already there and
imports in 10 ms. Files with a DOCTYPE are refused (no entity expansion).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from kreyol_cli.review import Review, ReviewFileError, Segment

NS = "urn:oasis:names:tc:xliff:document:1.2"
_NAMESPACES = (NS, "urn:oasis:names:tc:xliff:document:1.1", "")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_QUOTE = {'"': "&quot;"}
_PLACE = re.compile(r"^chapter (\d+)(?:, sentence (\d+))?")


_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="{ns}" version="1.2">
  <file original="{original}" source-language="{src}" target-language="{tgt}" \
datatype="plaintext">
    <header>
      <tool tool-id="kreyol" tool-name="kreyol" tool-version="{tool}"/>
      <note>Machine translation into Haitian Creole. Correct the targets; segments marked \
needs-review-translation have reasons in their notes. Then: kreyol audiobook DOCUMENT \
--corrections THIS-FILE</note>
    </header>
    <body>
"""
_TAIL = """    </body>
  </file>
</xliff>
"""


class Writer:
    """Writes a review as XLIFF 1.2, one ``<trans-unit>`` at a time.

    Elements are written without a prefix under the root's default namespace.
    """

    def __init__(self, out, review: Review) -> None:
        self.out, self.review, self.chapter = out, review, None
        self.out.write(_HEAD.format(ns=NS, original=escape(review.original, _QUOTE),
                                    src=escape(review.source_lang, _QUOTE),
                                    tgt=escape(review.target_lang, _QUOTE),
                                    tool=escape(review.tool or "0", _QUOTE)).encode("utf-8"))

    def add(self, seg: Segment) -> None:
        if seg.chapter != self.chapter:
            if self.chapter is not None:
                self.out.write(b"      </group>\n")
            title = f' resname="{escape(seg.chapter_title, _QUOTE)}"' if seg.chapter_title else ""
            self.out.write(f'      <group id="c{seg.chapter}"{title}>\n'.encode())
            self.chapter = seg.chapter
        lang = self.review.target_lang
        unit = ET.Element("trans-unit", {"id": seg.id, "resname": f"c{seg.chapter}.s{seg.position}",
                                         _XML_SPACE: "preserve"})
        ET.SubElement(unit, "source", {_XML_LANG: self.review.source_lang}).text = seg.source
        state = ("final" if seg.origin == "memory"
                 else "needs-review-translation" if seg.reasons else "translated")
        ET.SubElement(unit, "target", {_XML_LANG: lang, "state": state}).text = seg.target
        place = f"chapter {seg.chapter}, sentence {seg.position}"
        if seg.chapter_title:
            place += f" ({seg.chapter_title})"
        ET.SubElement(unit, "note", {"from": "kreyol"}).text = place
        if seg.reasons:
            ET.SubElement(unit, "note", {"from": "kreyol", "priority": "1"}).text = (
                "review: " + "; ".join(seg.reasons))
        alt = ET.SubElement(unit, "alt-trans", {"origin": "kreyol-machine-translation"})
        ET.SubElement(alt, "target", {_XML_LANG: lang}).text = seg.machine
        ET.indent(unit, space="  ", level=4)
        self.out.write(b"        " + ET.tostring(unit, encoding="utf-8",
                                                 xml_declaration=False) + b"\n")

    def close(self) -> None:
        if self.chapter is not None:
            self.out.write(b"      </group>\n")
        self.out.write(_TAIL.encode())


def dump(review: Review) -> bytes:
    """A whole review as XLIFF bytes."""
    out = io.BytesIO()
    writer = Writer(out, review)
    for seg in review.segments:
        writer.add(seg)
    writer.close()
    return out.getvalue()


def _text(element) -> str:
    return "".join(element.itertext()) if element is not None else ""


def load(data: bytes, name: str) -> Review:
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ReviewFileError(f"{name}: XLIFF with a DOCTYPE is not accepted; export it again")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ReviewFileError(f"{name}: not well-formed XML ({exc}); was it saved as XLIFF?"
                              ) from None
    ns = next((n for n in _NAMESPACES if root.tag == (f"{{{n}}}xliff" if n else "xliff")), None)
    if ns is None:
        if root.tag.split("}")[-1] == "xliff":  # XLIFF 2.x: another namespace and layout
            raise ReviewFileError(f"{name}: XLIFF {root.get('version') or '2'} is not read; "
                                  f"save or export it from the CAT tool as XLIFF 1.2")
        raise ReviewFileError(f"{name}: not an XLIFF 1.2 file (root element "
                              f"{root.tag.split('}')[-1]!r})")

    def q(tag: str) -> str:
        return f"{{{ns}}}{tag}" if ns else tag

    files = root.findall(q("file"))
    if not files:
        raise ReviewFileError(f"{name}: XLIFF without a <file> element")
    first = files[0]
    review = Review(first.get("original", ""), first.get("source-language", ""),
                    first.get("target-language", ""))
    for unit in root.iter(q("trans-unit")):
        if unit.get("translate") == "no":
            continue
        target = unit.find(q("target"))
        alt = unit.find(q("alt-trans"))
        machine = _text(alt.find(q("target"))) if alt is not None else ""
        chapter, position = 0, 0
        for note in unit.findall(q("note")):
            m = _PLACE.match(_text(note))
            if m:
                chapter, position = int(m.group(1)), int(m.group(2) or 0)
        review.segments.append(Segment(unit.get("id", ""), chapter, "", position,
                                       _text(unit.find(q("source"))), _text(target), machine))
    if not review.segments:
        raise ReviewFileError(f"{name}: no <trans-unit> to read")
    return review
