"""Plain text files, and the text clean-up every reader shares.

The clean-up (``normalize``, ``join_lines`` ...) is pure string work. The
reader decodes the bytes (``kreyol_cli.textcodec``: BOM, UTF-8, else a
detector; ``--encoding`` wins), splits sections at rule lines, and keeps the
shape of the lines: list items stay items, one sentence per line stays one
paragraph per line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import IO

from kreyol_cli.domain import Chapter, DocumentInfo
from kreyol_cli.errors import InputError
from kreyol_cli.readers.base import Reading, ReadOptions, StreamInfo, peek

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
# A list item: "- a", "* a", "• a", "1. a", "2) a", "a) a".
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•▪◦–]|\d{1,3}[.)]|[a-z][.)])\s+\S")
# Footnote markers in running text: "[12]", "[a]" and superscript digits.
_NOTE_MARKER = re.compile(r"(?<=\S)(?:\[\d{1,3}\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)(?=[\s.,;:!?)]|$)")
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
        elif hard_wrapped and _LIST_ITEM.match(line):
            if current:  # a list item starts a paragraph of its own, even when wrapped
                paragraphs.append(current)
            current = line.strip()
        elif hard_wrapped:
            current = join_lines(current, line)
        else:
            paragraphs.append(line.strip())
    if current:
        paragraphs.append(current)
    return [" ".join(p.split()) for p in paragraphs]


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
        yield Chapter(index, title, None, None, "\n\n".join(paragraphs), heading=bool(heading))
        index += 1


def strip_note_markers(text: str) -> str:
    """Remove footnote markers (``[12]``, ``²``) glued to the end of a word."""
    return _NOTE_MARKER.sub("", text)


def decode_input(data: bytes, info: StreamInfo, options: ReadOptions) -> tuple[str, str, list[str]]:
    """Decode a text file: ``(text, encoding, warnings)``; newlines made ``\\n``.

    Raises:
        InputError: Binary data, or bytes not valid in ``options.encoding``.
        UsageError: Unknown ``options.encoding``.
    """
    from kreyol_cli.textcodec import UNICODE, decode_bytes, guessed_warning

    warnings: list[str] = []
    if options.encoding is None and b"\0" in data[:4096] and not data.startswith(_UTF16_32_BOMS):
        raise InputError(f"{info.name} is a binary file, not a document kreyol reads "
                         f"(PDF, EPUB, DOCX, ODT, HTML, text or Markdown)")
    try:
        text, codec = decode_bytes(data, options.encoding)
    except InputError as exc:
        raise InputError(f"{info.name} is {exc}" if str(exc).startswith("not valid")
                         else f"{info.name}: {exc}") from None
    if options.encoding is None and codec not in UNICODE:
        warnings.append(guessed_warning(info.name, codec))
    text = normalize(text).replace("\r\n", "\n").replace("\r", "\n")
    return text, codec, warnings


#: Encodings that need no warning: UTF-8, or a Unicode file with its byte-order mark.
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class TextReader:
    """Plain text: the fallback for anything that decodes as text."""

    name = "text"

    def accepts(self, stream: IO[bytes], info: StreamInfo) -> bool:
        head = peek(stream, 4096)
        return b"\0" not in head or head.startswith(_UTF16_32_BOMS)

    def convert(self, stream: IO[bytes], info: StreamInfo, options: ReadOptions) -> Reading:
        text, codec, warnings = decode_input(stream.read(), info, options)
        if options.notes == "drop":
            text = strip_note_markers(text)
        sections = plain_sections(text)
        if not any(paragraphs for _, paragraphs in sections):
            raise InputError(f"{info.name} has no text")
        doc = DocumentInfo(info.stem, "", 1, info.source, "text", encoding=codec)
        return Reading(doc, text_chapters(sections, info.stem), warnings)


READER = TextReader()
