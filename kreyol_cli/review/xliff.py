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

import re
import xml.etree.ElementTree as ET

from kreyol_cli.review import Review, ReviewFileError, Segment

NS = "urn:oasis:names:tc:xliff:document:1.2"
_NAMESPACES = (NS, "urn:oasis:names:tc:xliff:document:1.1", "")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PLACE = re.compile(r"^chapter (\d+)(?:, sentence (\d+))?")


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def dump(review: Review) -> bytes:
    ET.register_namespace("", NS)
    root = ET.Element(_q("xliff"), {"version": "1.2"})
    file = ET.SubElement(root, _q("file"), {
        "original": review.original, "source-language": review.source_lang,
        "target-language": review.target_lang, "datatype": "plaintext"})
    header = ET.SubElement(file, _q("header"))
    ET.SubElement(header, _q("tool"), {"tool-id": "kreyol", "tool-name": "kreyol",
                                       "tool-version": review.tool or "0"})
    ET.SubElement(header, _q("note")).text = (
        "Machine translation into Haitian Creole. Correct the targets; segments marked "
        "needs-review-translation have reasons in their notes. Then: kreyol audiobook "
        "DOCUMENT --corrections THIS-FILE")
    body = ET.SubElement(file, _q("body"))
    groups: dict[int, ET.Element] = {}
    for seg in review.segments:
        group = groups.get(seg.chapter)
        if group is None:
            attrs = {"id": f"c{seg.chapter}"}
            if seg.chapter_title:
                attrs["resname"] = seg.chapter_title
            group = groups[seg.chapter] = ET.SubElement(body, _q("group"), attrs)
        unit = ET.SubElement(group, _q("trans-unit"), {
            "id": seg.id, "resname": f"c{seg.chapter}.s{seg.position}",
            "{http://www.w3.org/XML/1998/namespace}space": "preserve"})
        ET.SubElement(unit, _q("source"), {_XML_LANG: review.source_lang}).text = seg.source
        state = ("final" if seg.origin == "memory"
                 else "needs-review-translation" if seg.reasons else "translated")
        ET.SubElement(unit, _q("target"), {_XML_LANG: review.target_lang,
                                           "state": state}).text = seg.target
        place = f"chapter {seg.chapter}, sentence {seg.position}"
        if seg.chapter_title:
            place += f" ({seg.chapter_title})"
        ET.SubElement(unit, _q("note"), {"from": "kreyol"}).text = place
        if seg.reasons:
            ET.SubElement(unit, _q("note"), {"from": "kreyol", "priority": "1"}).text = (
                "review: " + "; ".join(seg.reasons))
        alt = ET.SubElement(unit, _q("alt-trans"), {"origin": "kreyol-machine-translation"})
        ET.SubElement(alt, _q("target"), {_XML_LANG: review.target_lang}).text = seg.machine
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


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
