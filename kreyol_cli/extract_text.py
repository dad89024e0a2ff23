"""Text clean-up shared by the extractors, and chapters from plain text and Markdown.

Everything here is pure string work: no I/O, no PyMuPDF.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from kreyol_cli.domain import Chapter

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
# Zero-width characters and the soft hyphen carry no sound; drop them.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_TRANSLATE = {ord(k): v for k, v in _LIGATURES.items()} | _INVISIBLE
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace but newline, incl. NBSP and thin spaces

_HYPHENS = "-\u2010\u00ad"
_SENTENCE_END = ".!?…:;»\"”’)]"
_RULE = re.compile(r"^\s*(?:\*\s*){3,}$|^\s*(?:-\s*){3,}$|^\s*(?:_\s*){3,}$")


def normalize(text: str) -> str:
    """Compose accents (NFC), expand ligatures, and turn odd spaces into one plain space.

    Newlines are kept; zero-width characters and soft hyphens are removed.
    """
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    return _SPACES.sub(" ", text)


def line_ends_hyphenated(line: str) -> bool:
    """Whether ``line`` ends with a letter followed by a hyphen (or a soft hyphen)."""
    line = line.rstrip()
    if line.endswith("\u00ad") and len(line) > 1:
        return True
    return len(line) >= 2 and line[-1] in _HYPHENS and line[-2].isalpha()


def join_lines(head: str, tail: str) -> str:
    """Join a line to the text before it, repairing line-end hyphenation.

    ``"infor-" + "mation"`` gives ``"information"``; a hyphen before an upper-case
    word is a real one and is kept (``"Port-au-" + "Prince"``).
    """
    head, tail = head.rstrip(), tail.strip()
    if not head:
        return tail
    if not tail:
        return head
    if line_ends_hyphenated(head):
        if tail[0].islower() or head.endswith("\u00ad"):
            return head[:-1] + tail
        return head + tail
    return f"{head} {tail}"


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends like a finished sentence (so a break after it is a real one)."""
    text = text.rstrip()
    return bool(text) and text[-1] in _SENTENCE_END


def is_rule(line: str) -> bool:
    """A plain-text scene or chapter break: ``***``, ``---``, ``* * *`` or ``___``."""
    return bool(_RULE.match(line))


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, or one per line when the text is not hard-wrapped."""
    filled = [ln for ln in lines if ln.strip()]
    if not filled:
        return []
    lengths = sorted(len(ln) for ln in filled)
    hard_wrapped = any(not ln.strip() for ln in lines) and lengths[len(lengths) // 2] < 100
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line.strip():
            if current:
                paragraphs.append(current)
            current = ""
        elif hard_wrapped:
            current = join_lines(current, line)
        else:
            paragraphs.append(line.strip())
    if current:
        paragraphs.append(current)
    return [" ".join(p.split()) for p in paragraphs]


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"<[^>\n]+>"), ""),  # inline HTML
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<!\w)([*_])(?!\s)(.+?)(?<!\s)\1(?!\w)"), r"\2"),
    (re.compile(r"`([^`]*)`"), r"\1"),
]
_MD_PREFIX = re.compile(r"^\s{0,3}(?:>\s?)*(?:[-*+]\s+|\d+[.)]\s+)?")


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
        else:
            line = raw if in_fence else _markdown_line(_MD_PREFIX.sub("", raw, count=1))
            if not in_fence and _MD_PREFIX.match(raw).group(0).strip():
                body.append("")  # list items and quotes start paragraphs
            body.append(line)
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


def plain_sections(text: str) -> list[tuple[str | None, list[str]]]:
    """Split plain text at rule lines (``***``, ``---``, ``* * *``) into sections.

    A section that opens with a short line standing alone (no final punctuation,
    a blank line after it) takes that line as its heading.
    """
    sections: list[list[str]] = [[]]
    for line in text.splitlines():
        if is_rule(line):
            sections.append([])
        else:
            sections[-1].append(line)
    result: list[tuple[str | None, list[str]]] = []
    for lines in sections:
        paragraphs = _paragraphs(lines)
        if not paragraphs:
            continue
        heading = None
        first = paragraphs[0]
        short = len(first.split()) <= 8 and not ends_sentence(first)
        if len(sections) > 1 and len(paragraphs) > 1 and short:
            heading, paragraphs = first, paragraphs[1:]
        result.append((heading, paragraphs))
    return result


def text_chapters(
    sections: list[tuple[str | None, list[str]]], fallback_title: str, *, front: bool = False
) -> Iterator[Chapter]:
    """Chapters from ``(heading, paragraphs)`` sections.

    An untitled section is titled ``fallback_title`` when it is the only one, or
    the first one and ``front`` is set (text before Markdown's first chapter
    heading); otherwise ``"Chapter N"``.
    """
    index = 0
    for position, (heading, paragraphs) in enumerate(sections):
        if not paragraphs:
            continue  # a heading with no text under it has nothing to read
        if heading:
            title = heading
        elif len(sections) == 1 or (front and position == 0):
            title = fallback_title
        else:
            title = f"Chapter {index + 1}"
        yield Chapter(index, title, None, None, "\n\n".join(paragraphs))
        index += 1
