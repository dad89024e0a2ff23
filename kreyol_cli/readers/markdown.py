"""Markdown files: ``#`` headings make chapters, list items keep their markers.

Decoding is shared with plain text (:func:`kreyol_cli.readers.text.decode_input`).
"""

from __future__ import annotations

import re
from typing import IO

from kreyol_cli.domain import DocumentInfo
from kreyol_cli.errors import InputError
from kreyol_cli.readers.base import Reading, ReadOptions, StreamInfo, peek
from kreyol_cli.readers.text import _paragraphs, decode_input, is_rule, strip_note_markers, text_chapters

SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"<[^>\n]+>"), ""),  # inline HTML
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<!\w)([*_])(?!\s)(.+?)(?<!\s)\1(?!\w)"), r"\2"),
    (re.compile(r"`([^`]*)`"), r"\1"),
]
_MD_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)*")
_MD_ITEM = re.compile(r"^(\s*)(?:([-*+])|(\d{1,3}[.)]))\s+")


def _markdown_line(line: str) -> str:
    for pattern, repl in _MD_INLINE:
        line = pattern.sub(repl, line)
    return line


def looks_like_markdown(text: str) -> bool:
    """Whether text read from stdin has Markdown ``#``/``##`` headings."""
    return any(re.match(r"#{1,2}\s+\S", ln) for ln in text.splitlines())


def markdown_sections(text: str) -> tuple[str | None, list[tuple[str | None, list[str]]]]:
    """Split Markdown into ``(document title, [(heading, paragraphs), ...])``.

    ``#`` headings are chapters when there are two or more of them; otherwise a
    single ``#`` is the document title and ``##`` headings are the chapters.
    Deeper headings stay in the text as paragraphs of their own.
    """
    lines = text.splitlines()
    levels = [len(m.group(1)) for ln in lines if (m := _MD_HEADING.match(ln))]
    chapter_level = 1 if levels.count(1) >= 2 or 2 not in levels else 2
    doc_title: str | None = None
    sections: list[tuple[str | None, list[str]]] = []
    heading: str | None = None
    body: list[str] = []
    in_fence = False
    for raw in lines:
        if raw.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            body.append("")
            continue
        match = None if in_fence else _MD_HEADING.match(raw)
        if match and len(match.group(1)) == chapter_level:
            if heading is not None or any(b.strip() for b in body):
                sections.append((heading, _paragraphs(body)))
            heading, body = _markdown_line(match.group(2)), []
        elif match and len(match.group(1)) < chapter_level:
            doc_title = doc_title or _markdown_line(match.group(2))
            body.append("")
        elif match:  # a sub-heading: a paragraph of its own
            body.extend(["", _markdown_line(match.group(2)), ""])
        elif not in_fence and is_rule(raw):
            body.append("")
        elif in_fence:
            body.append(raw)
        else:
            quoted = _MD_QUOTE.match(raw).group(0)
            line = raw[len(quoted):]
            item = _MD_ITEM.match(line)
            if item:  # list items keep their marker ("* a" is written "- a")
                marker = "-" if item.group(2) else item.group(3)
                line = f"{marker} {line[item.end():]}"
            if quoted.strip() or item:
                body.append("")  # list items and quotes start paragraphs
            body.append(_markdown_line(line))
    if heading is not None or any(b.strip() for b in body):
        sections.append((heading, _paragraphs(body)))
    if chapter_level == 1 and doc_title is None and len(sections) == 1 and sections[0][0]:
        doc_title = sections[0][0]
    return doc_title, sections


_BYLINE = re.compile(r"\A\s*#[ \t]+[^\n]+\n(?:[ \t]*\n)*[ \t]*([*_])([^*_\n]+)\1[ \t]*(?:\n|\Z)")


def markdown_byline(text: str, sections: list[tuple[str | None, list[str]]]
                    ) -> tuple[str, list[tuple[str | None, list[str]]]]:
    """The author of a Markdown book written as ``# Title`` then ``*Author*``
    (the shape kreyol writes ``NAME.ht.md`` in), and the sections without that
    line; ``("", sections)`` when there is no such byline."""
    m = _BYLINE.match(text)
    if not m or not sections or sections[0][0] is not None:
        return "", sections
    author = m.group(2).strip()
    if sections[0][1] != [author]:
        return "", sections
    return author, sections[1:]


class MarkdownReader:
    """Markdown, by extension, or text whose lines include ``#``/``##`` headings."""

    name = "markdown"

    def accepts(self, stream: IO[bytes], info: StreamInfo) -> bool:
        head = peek(stream, 8192)
        if b"\0" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return False
        if info.extension in SUFFIXES:
            return True
        if info.extension not in ("", ".txt", ".text"):
            return False
        try:
            sample = head.decode("utf-8", errors="ignore")
        except ValueError:
            return False
        return info.extension == "" and looks_like_markdown(sample)

    def convert(self, stream: IO[bytes], info: StreamInfo, options: ReadOptions) -> Reading:
        text, codec, warnings = decode_input(stream.read(), info, options)
        if options.notes == "drop":
            text = strip_note_markers(text)
        title, sections = markdown_sections(text)
        author, sections = markdown_byline(text, sections)
        if not any(paragraphs for _, paragraphs in sections):
            raise InputError(f"{info.name} has no text")
        first_heading = next((h for h, _ in sections if h), None)
        title = title or first_heading or info.stem
        doc = DocumentInfo(title, author, 1, info.source, "markdown", encoding=codec)
        return Reading(doc, text_chapters(sections, title, front=True), warnings)


READER = MarkdownReader()
