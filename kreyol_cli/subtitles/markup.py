"""A cue's text taken apart for translation and put back together.

Styling that covers a whole cue or a whole line (``<i>…</i>`` on every line,
``<font color=…>`` around the cue, ``{\\an8}`` at its start) is kept around
the translation. Styling inside a line cannot follow the words through a
translation: it is dropped, and ``Styled.dropped`` says so. Dialogue cues
(every line starts with a dash) keep one line per speaker; speaker labels
(``[Alba]``) and the brackets of sound descriptions stay as they are.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_OVERRIDE = re.compile(r"\{\\[^}]*\}")
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>|<\d[\d:.]*>")
_OPEN = re.compile(r"<([A-Za-z]+)(?:[ .][^<>]*)?>")
_LEAD_TAGS = re.compile(r"^(?:<[A-Za-z][^<>]*>)+")
_DASH = re.compile(r"^[-–—]\s*")
_LABEL = re.compile(r"^(\[[^\]\n]{1,40}\]|\([^)\n]{1,40}\)|[A-Z][A-Z .'-]{1,30}:)\s+(?=\S)")
_WHOLE = re.compile(r"^([\[(♪#]+\s*)(.*?)(\s*[\])♪#]*)$")


@dataclass(frozen=True)
class Line:
    """A piece of a cue translated on its own.

    Attributes:
        head: What is written before the text and kept: a dialogue dash, a
            speaker label, an opening bracket or music note.
        text: The words to translate (no tags, whitespace collapsed).
        tail: What follows the text and is kept (a closing bracket or note).
        wrap: Opening tags around this line (dialogue cues style per line).
        outer: A dialogue dash written before those tags (``- <i>Yes.</i>``).
    """

    head: str
    text: str
    tail: str = ""
    wrap: tuple[str, ...] = ()
    outer: str = ""

    @property
    def spoken(self) -> bool:
        """Said in a voice-over: not a sound description or song lyrics."""
        return bool(self.text) and not any(ch in self.head for ch in "[(♪#")


@dataclass(frozen=True)
class Styled:
    """A cue's text taken apart.

    Attributes:
        lead: Override codes at the start (``{\\an8}``), written back first.
        wrap: Opening tags around the whole text (or each line, ``per_line``).
        per_line: The wrapping tags are repeated on every line, as Netflix
            files do (``<i>one</i>`` / ``<i>two</i>``).
        lines: One ``Line`` for ordinary cues, one per speaker in dialogue.
        dialogue: One line per speaker, never re-wrapped together.
        dropped: Styling inside a line was removed.
        label: A speaker label written before the styled text (``[Alba] <i>…``).
    """

    lead: str
    wrap: tuple[str, ...]
    per_line: bool
    lines: tuple[Line, ...]
    dialogue: bool = False
    dropped: bool = False
    label: str = ""

    @property
    def source(self) -> str:
        """The words of the cue to translate, as one string."""
        return " ".join(line.text for line in self.lines if line.text)

    @property
    def speech(self) -> str:
        """What a voice-over says for this cue."""
        return " ".join(line.text for line in self.lines if line.spoken)


def take_apart(text: str, fmt: str = "srt") -> Styled:
    """Split a cue's text into kept styling and the words to translate."""
    lead = ""
    m = re.match(r"^(?:\{\\[^}]*\}\s*)+", text)
    if m:
        lead, text = m.group(0).strip(), text[m.end():]
    dropped = bool(_OVERRIDE.search(text))
    text = _OVERRIDE.sub("", text)
    raw = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if not raw:
        return Styled(lead, (), False, (), dropped=dropped)
    plain = [_TAG.sub("", ln).strip() for ln in raw]
    if len(raw) >= 2 and all(_DASH.match(p) for p in plain):
        lines = []
        for ln in raw:
            outer = ""
            if (m := _DASH.match(ln)) and ln[m.end():].startswith("<"):
                outer, ln = m.group(0), ln[m.end():]
            opens, inner = _unwrap(ln)
            line, lost = _line(inner, fmt, dash=not outer)
            lines.append(Line(line.head, line.text, line.tail, opens, outer))
            dropped |= lost
        return Styled(lead, (), False, tuple(lines), dialogue=True, dropped=dropped)
    label = ""
    if (m := _LABEL.match(raw[0])) and _TAG.match(raw[0], m.end()):
        label, raw[0] = m.group(0), raw[0][m.end():]
    wrapped = [_unwrap(ln) for ln in raw]
    if len(raw) > 1 and wrapped[0][0] and all(w[0] == wrapped[0][0] for w in wrapped):
        opens, per_line, inners = wrapped[0][0], True, [w[1] for w in wrapped]
    else:
        opens, whole = _unwrap("\n".join(raw))
        per_line, inners = False, whole.split("\n")
    line, lost = _line(" ".join(inners), fmt, dash=True)
    return Styled(lead, opens, per_line, (line,), dropped=dropped or lost, label=label)


def put_together(styled: Styled, translations: list[str], fmt: str = "srt", *,
                 width: int = 42, max_lines: int = 2) -> str:
    """The cue text for ``translations`` (one per ``styled.lines``), re-wrapped."""
    from kreyol_cli.subtitles.wrap import wrap

    out: list[str] = []
    if styled.dialogue:
        for line, words in zip(styled.lines, translations, strict=True):
            out.append(line.outer + _close(line.wrap, line.head + _escape(words, fmt) + line.tail))
    elif styled.lines:
        line = styled.lines[0]
        body = " ".join(f"{styled.label}{line.head}{translations[0]}{line.tail}".split())
        rows = wrap(body, width, max_lines)
        label = styled.label.strip()
        if label and rows and rows[0].startswith(label):
            rows[0] = rows[0][len(label):].lstrip()
        else:
            label = ""
        rows = [_escape(row, fmt) for row in rows]
        out = ([_close(styled.wrap, row) for row in rows] if styled.per_line
               else _close(styled.wrap, "\n".join(rows)).split("\n"))
        if label:
            out[0] = f"{label} {out[0]}"
    if styled.lead:
        out = [styled.lead + (out[0] if out else "")] + out[1:]
    return "\n".join(out)


def plain_text(text: str, fmt: str = "srt") -> str:
    """A cue's words without any markup (for reading, not translating)."""
    styled = take_apart(text, fmt)
    return "\n".join(f"{ln.head}{ln.text}{ln.tail}".strip() for ln in styled.lines)


def _unwrap(text: str) -> tuple[tuple[str, ...], str]:
    """Opening tags that wrap all of ``text`` and the text inside them."""
    opens: list[str] = []
    while True:
        m = _OPEN.match(text)
        if not m:
            break
        name = m.group(1).lower()
        close = f"</{name}>"
        inner = text[m.end():]
        if not inner.lower().endswith(close):
            break
        inner = inner[: -len(close)]
        # "<i>a</i> b <i>c</i>" starts and ends with <i>, but not one span.
        if close in inner.lower() or f"<{name}" in inner.lower():
            break
        opens.append(m.group(0))
        text = inner
    return tuple(opens), text


def _close(opens: tuple[str, ...], text: str) -> str:
    closes = "".join(f"</{_OPEN.match(o).group(1)}>" for o in reversed(opens))
    return "".join(opens) + text + closes


def _line(text: str, fmt: str, *, dash: bool) -> tuple[Line, bool]:
    lost = bool(_TAG.search(text))
    text = " ".join(_TAG.sub("", text).split())
    if fmt == "vtt":
        text = html.unescape(text)
    head = ""
    if dash and (m := _DASH.match(text)):
        head, text = m.group(0), text[m.end():]
    if m := _LABEL.match(text):
        head, text = head + m.group(0), text[m.end():]
    if not any(ch.isalnum() for ch in text):  # "---", "...", "♪": kept as written
        return Line(head + text, ""), lost
    tail = ""
    m = _WHOLE.match(text)
    if m and m.group(1) and m.group(3):
        head, text, tail = head + m.group(1), m.group(2), m.group(3)
    return Line(head, text, tail), lost


def _escape(text: str, fmt: str) -> str:
    return html.escape(text, quote=False) if fmt == "vtt" else text
