"""Reading SRT and WebVTT files into ``Subtitles``.

SRT is parsed with the ``srt`` library and WebVTT with ``webvtt-py``: both
keep what real files carry (``{\\an8}``, ``<font>``, SRT coordinates, WebVTT
identifiers, cue settings, STYLE and NOTE blocks). Before either parser
runs, every timing line is checked here, because a bad timing must stop the
run with the line number, not silently drop a cue.
"""

from __future__ import annotations

import re
from pathlib import Path

from kreyol_cli.errors import InputError
from kreyol_cli.subtitles.cues import FORMATS, Cue, Subtitles

_TS = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TS}\s*-->\s*{_TS}(?:[ \t]+(.*?))?\s*$")
_SRT_START = re.compile(rf"^\s*\d+\s*\n\s*{_TS}\s*-->")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
EXTENSIONS = {".srt": "srt", ".vtt": "vtt", ".webvtt": "vtt"}


def sniff(head: bytes | str) -> str | None:
    """``srt``, ``vtt`` or ``None``: a cheap look at the start of a file."""
    if isinstance(head, bytes):
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            head = head.decode("utf-16", errors="ignore")
        else:
            head = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    head = head.lstrip("\ufeff\ufffe \t\r\n").replace("\r\n", "\n").replace("\r", "\n")
    if head.startswith("WEBVTT") and (len(head) == 6 or head[6] in " \t\n"):
        return "vtt"
    if _SRT_START.match(head):
        return "srt"
    return None


def format_of(path: str | None, head: bytes | str = b"") -> str | None:
    """The subtitle format of a file: from its content, else its extension."""
    found = sniff(head) if head else None
    if found is None and path not in (None, "-"):
        found = EXTENSIONS.get(Path(path).suffix.lower())
    return found


def load(data: bytes | str, *, name: str = "the input", encoding: str | None = None,
         fmt: str | None = None) -> Subtitles:
    """Parse subtitle bytes (or text).

    Args:
        data: The file's bytes, or already-decoded text.
        name: How messages name the input (its path).
        encoding: Force this codec; by default BOMs, then UTF-8, then cp1252.
        fmt: ``srt`` or ``vtt``; by default sniffed from the content.

    Raises:
        InputError: Empty input, binary data, no cues, or a broken timing.
    """
    if isinstance(data, bytes):
        from kreyol_cli.textcodec import decode_bytes

        if not data.strip():
            raise InputError(f"{name} is empty: there are no subtitles to read")
        try:
            text, codec = decode_bytes(data, encoding)
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None
    else:
        text, codec = data.removeprefix("\ufeff"), "utf-8"
    # Lines of spaces count as blank lines (Netflix files have them; webvtt-py
    # would otherwise lose the identifier of the cue after one).
    text = "\n".join(line.rstrip() for line in
                     text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    if not text.strip():
        raise InputError(f"{name} is empty: there are no subtitles to read")
    if len(_CONTROL.findall(text[:65536])) > 2:
        raise InputError(f"{name} is binary data, not a subtitle file (SRT or WebVTT)")
    fmt = fmt or sniff(text)
    if fmt not in FORMATS:
        raise InputError(
            f"{name} is not a subtitle file: expected SRT (1 / 00:00:01,000 --> 00:00:03,000 "
            f"/ text) or WebVTT (a first line WEBVTT)"
        )
    timings = _check_timings(text, name, fmt)
    cues = _parse_srt(text, name) if fmt == "srt" else None
    document = None
    if fmt == "vtt":
        cues, document = _parse_vtt(text, name)
    if len(cues) != len(timings):
        parsed = {(c.start, c.end) for c in cues}
        line = next((ln for ln, start, end in timings if (start, end) not in parsed),
                    timings[-1][0] if timings else 1)
        raise InputError(f"{name} line {line}: this cue cannot be read (is a blank line or "
                         f"its number missing?)")
    if not cues:
        raise InputError(f"{name} has no subtitle cues")
    cues = [Cue(c.index, c.start, c.end, c.text, c.identifier, c.settings, line)
            for c, (line, _, _) in zip(cues, timings, strict=True)]
    return Subtitles(fmt, cues, codec, document)


def read_subtitles(data: bytes | str, *, name: str = "the input", encoding: str | None = None,
                   fmt: str | None = None) -> list[Cue]:
    """The cues of an SRT or WebVTT file (see ``load`` for the arguments).

    Raises:
        InputError: Empty input, binary data, no cues, or a broken timing.
    """
    return load(data, name=name, encoding=encoding, fmt=fmt).cues


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)) * 1000 + \
        int(millis.ljust(3, "0"))


def _check_timings(text: str, name: str, fmt: str) -> list[tuple[int, int, int]]:
    """``(line, start, end)`` of every timing line, or a clear error."""
    sep = "," if fmt == "srt" else "."
    example = f"00:00:01{sep}000 --> 00:00:03{sep}500"
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if "-->" not in line:
            continue
        m = _TIMING.match(line)
        if m is None:
            raise InputError(f"{name} line {number}: cannot read the timing {line.strip()!r} "
                             f"(expected {example})")
        g = m.groups()
        start, end = _ms(*g[0:4]), _ms(*g[4:8])
        if int(g[2]) > 59 or int(g[6]) > 59 or int(g[1]) > 59 and g[0] is not None:
            raise InputError(f"{name} line {number}: cannot read the timing {line.strip()!r} "
                             f"(minutes and seconds go up to 59)")
        if end < start:
            raise InputError(f"{name} line {number}: the cue ends before it starts "
                             f"({line.strip()}): fix its timing")
        found.append((number, start, end))
    return found


def _parse_srt(text: str, name: str) -> list[Cue]:
    import srt

    try:
        subs = list(srt.parse(text))
    except srt.SRTParseError as exc:
        line = text.count("\n", 0, exc.expected_start) + 1
        raise InputError(f"{name} line {line}: not an SRT cue (expected a number, a timing "
                         f"line and text)") from None
    except ValueError as exc:
        raise InputError(f"{name}: cannot read the subtitles ({exc})") from None
    return [Cue(s.index, _td_ms(s.start), _td_ms(s.end), s.content, "", s.proprietary.strip())
            for s in subs]


def _td_ms(delta) -> int:
    return round(delta.total_seconds() * 1000)


def _parse_vtt(text: str, name: str) -> tuple[list[Cue], object]:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        document = webvtt.WebVTT.from_string(text)
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise InputError(f"{name} is not a valid WebVTT file ({exc})") from None
    cues = [Cue(i, c.start_time.in_milliseconds(), c.end_time.in_milliseconds(), c.raw_text,
                c.identifier or "", str(c.settings))
            for i, c in enumerate(document.captions, 1)]
    return cues, document
