"""Cheap looks at a text file's first bytes: is it HTML, is it subtitles?

Both work on the raw head of the file in any of the encodings text comes in
(UTF-16 is turned to ASCII-compatible bytes first), so sniffing never needs
the whole file or the encoding detector.
"""

from __future__ import annotations

import re

# An SRT cue timing line, or WebVTT's (which allows mm:ss.ttt).
_CUE = re.compile(
    rb"^\s*(?:\d{1,2}:)?\d{1,2}:\d{2}[,.]\d{1,3}\s*-->\s*(?:\d{1,2}:)?\d{1,2}:\d{2}[,.]\d{1,3}",
    re.MULTILINE,
)
_HTML = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])",
                   re.IGNORECASE | re.DOTALL)
_HTML_TAGS = re.compile(rb"<(?:head|body|p|div|h1|h2|article|meta|title)[\s>]", re.IGNORECASE)
SUBTITLE_SUFFIXES = (".srt", ".vtt", ".webvtt")
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".xht", ".shtml")


def ascii_head(head: bytes) -> bytes:
    """UTF-16/32 text (with a BOM) made byte-per-character, so byte patterns match."""
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            body = head[len(bom):]
            width = 4 if "32" in codec else 2
            body = body[: len(body) - len(body) % width]
            return body.decode(codec, errors="replace").encode("utf-8", errors="replace")
    return head.removeprefix(b"\xef\xbb\xbf")


def looks_like_subtitles(head: bytes, extension: str = "") -> bool:
    """A WebVTT header, or an SRT cue (``00:00:01,000 --> 00:00:03,500``) near the top."""
    text = ascii_head(head)
    if text.lstrip().startswith(b"WEBVTT"):
        return True
    match = _CUE.search(text[:2048])
    if match is None:
        return False
    # The cue must come before any prose: within the first few lines, after an index.
    before = text[: match.start()].strip().splitlines()
    return len(before) <= 3 or extension in SUBTITLE_SUFFIXES


def looks_like_html(head: bytes, extension: str = "") -> bool:
    """An HTML doctype or ``<html`` first, or HTML tags in a file named ``.html``."""
    text = ascii_head(head)
    if _HTML.match(text):
        return True
    return extension in HTML_SUFFIXES and bool(_HTML_TAGS.search(text))
