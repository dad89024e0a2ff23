"""Decode text files whatever their encoding: BOMs, then UTF-8, then a detector.

Text reaches kreyol in UTF-8 mostly, but also in Windows' cp1252 (Word's
"Save as plain text", subtitles from old rippers), Mac Roman, and UTF-16 with a
BOM (Notepad's "Unicode"). The order is:

1. a byte-order mark (UTF-32 before UTF-16: their BOMs share a prefix);
2. UTF-8, which almost never decodes text in another encoding by accident;
3. charset-normalizer, which ranks the legacy code pages by how readable the
   result is (chaos and coherence of the decoded text).

An explicit ``encoding`` (``--encoding``) skips all of this.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from typing import IO

from kreyol_cli.errors import InputError, UsageError

__all__ = ["decode_bytes", "detect_encoding", "iter_decoded", "check_encoding"]

#: BOMs, longest first: a UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Legacy encodings of English, French and Creole text, most common first.
_WESTERN = ("cp1252", "mac_roman", "cp850", "cp437", "iso8859_15")
_LATIN = frozenset(
    "ÀÂÄÆÇÈÉÊËÎÏÔÖÙÛÜàâäæçèéêëîïôöùûüÁÍÑÓÚáíñóúòÒìÌãõÃÕåÅøØßÿŒœŸ"
    "’‘“”«»–—…•€°·\u00a0§©®ºª¡¿"
)
_SAMPLE = 1 << 20  # how much the detector reads of a large file
_STREAM_SAMPLE = 1 << 16  # of a stream: a pipe's reader should start soon


#: Codecs that need no warning: UTF-8, or a Unicode encoding its BOM declares.
UNICODE = ("utf-8", "ascii", "utf-8-sig", "utf-16", "utf-32")


def guessed_warning(name: str, codec: str) -> str:
    """The warning every command gives when it read a file in a detected code page."""
    return f"{name} is not UTF-8: read it as {codec} (pass --encoding to choose another)"


def check_encoding(encoding: str) -> str:
    """The canonical name of ``encoding``.

    Raises:
        UsageError: Python does not know the encoding.
    """
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise UsageError(f"unknown encoding {encoding!r}: try utf-8, latin-1 or cp1252") from None


def detect_encoding(head: bytes, *, complete: bool = True) -> str:
    """The encoding of text that starts with ``head``.

    Args:
        head: The bytes (or the first megabyte of them).
        complete: Whether ``head`` is the whole input; if not, a UTF-8 sequence
            cut at its end is not held against UTF-8.

    Raises:
        InputError: Binary data that no text encoding explains.
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    return _detected(head[:_SAMPLE])


def _detected(data: bytes) -> str:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise InputError("binary data, not text")
    best = matches[0]
    # Several code pages often decode a short Latin text equally well (cp1250 and
    # cp1252 differ in a few letters). Among those tied with the best, take the
    # one English, French and Creole text is most likely written in.
    tied = [m for m in matches if m.chaos <= best.chaos + 0.02]
    texts = {str(m) for m in tied}
    for preferred in _WESTERN:
        try:
            text = data.decode(preferred)
        except UnicodeDecodeError:
            continue
        if any(m.encoding == preferred for m in tied) or text in texts:
            return codecs.lookup(preferred).name
    # On a few lines the detector may even pick a CJK code page. Our readers
    # write in Latin script: a Western code page that gives only Latin letters
    # and common punctuation wins over a guess that gives anything else.
    if not _latin(str(best)):
        for preferred in _WESTERN:
            try:
                if _latin(data.decode(preferred)):
                    return codecs.lookup(preferred).name
            except UnicodeDecodeError:
                continue
    return codecs.lookup(best.encoding).name


def _latin(text: str) -> bool:
    return all(ch < "\x80" or ch in _LATIN for ch in text)


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, codec name used)``.

    A BOM is removed from the text. With ``encoding`` given, that encoding is
    used as is (a UTF-8 BOM is still dropped).

    Raises:
        UsageError: ``encoding`` is unknown.
        InputError: The bytes are not valid in ``encoding``, or are binary.
    """
    if encoding is not None:
        name = check_encoding(encoding)
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
    else:
        name = detect_encoding(data)
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid {name} (byte {data[exc.start]:#04x} at offset {exc.start}); "
            f"pass the right --encoding, e.g. --encoding cp1252"
        ) from None
    return text.removeprefix("\ufeff"), name


def iter_decoded(stream: IO[bytes], encoding: str | None = None, *, name: str = "input",
                 on_detect: Callable[[str], None] | None = None) -> Iterator[str]:
    """Decode a binary stream lazily, block by block as it arrives.

    Without ``encoding``: a BOM decides; else the stream is read as UTF-8, and
    if bytes that are not UTF-8 come while everything before was ASCII, the
    encoding is detected from there on (``on_detect`` is told which). So a
    pipe's reader starts at once, and a cp1252 file still reads right.

    Raises:
        UsageError: ``encoding`` is unknown.
        InputError: (while iterating) bytes that are not valid in the encoding.
    """
    if encoding is not None:
        codec = check_encoding(encoding)
        head = _read_block(stream, 4)
        if codec == "utf-8" and head.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        yield from _blocks(stream, head, codec, name)
        return
    head = _read_block(stream, 4)
    for bom, codec in _BOMS:
        if head.startswith(bom):
            yield from _blocks(stream, head, codec, name)
            return
    carry = head
    ascii_so_far = True
    offset = 0
    while True:
        block = _read1(stream)
        data = carry + block
        if not data:
            return
        try:
            text, carry = data.decode("utf-8"), b""
        except UnicodeDecodeError as exc:
            if block and exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
                text, carry = data[: exc.start].decode("utf-8"), data[exc.start:]
            elif ascii_so_far and data[: exc.start].isascii():
                data += _read_block(stream, _STREAM_SAMPLE)
                try:
                    codec = _detected(data[:_SAMPLE])
                except InputError:
                    raise InputError(f"{name} is a binary file, not text") from None
                if on_detect is not None:
                    on_detect(codec)
                yield from _blocks(stream, data, codec, name, offset)
                return
            else:
                raise InputError(
                    f"{name} is not valid UTF-8 (byte offset {offset + exc.start}): pass its "
                    f"--encoding (e.g. --encoding cp1252)"
                ) from None
        offset += len(data) - len(carry)
        ascii_so_far = ascii_so_far and text.isascii()
        if text:
            yield text
        if not block:
            return


def _read1(stream: IO[bytes]) -> bytes:
    return stream.read1(1 << 16) if hasattr(stream, "read1") else stream.read(1 << 16)


def _read_block(stream: IO[bytes], size: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        block = stream.read1(size - got) if hasattr(stream, "read1") else stream.read(size - got)
        if not block:
            break
        chunks.append(block)
        got += len(block)
    return b"".join(chunks)


def _blocks(stream: IO[bytes], head: bytes, codec: str, name: str, start: int = 0
            ) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    offset = start
    block = head
    first = True
    while True:
        final = not block
        try:
            text = decoder.decode(block, final=final)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name} is not valid {codec} (byte offset {offset + exc.start}): "
                f"pass its --encoding (e.g. --encoding cp1252)"
            ) from None
        offset += len(block)
        if first and text:
            text = text.removeprefix("\ufeff")
            first = False
        if text:
            yield text
        if final:
            return
        block = _read1(stream)
