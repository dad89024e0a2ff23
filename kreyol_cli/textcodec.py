"""Decoding text files as people have them: BOMs, then UTF-8, then cp1252.

A minimal version for the subtitle readers; the readers package brings the
full detector.
"""

from __future__ import annotations

import codecs

from kreyol_cli.errors import InputError, UsageError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``: ``encoding`` if given, else by BOM, UTF-8, then cp1252.

    Returns:
        ``(text, codec)``: the text without its BOM and the codec used.

    Raises:
        UsageError: ``encoding`` is not a known codec.
        InputError: The bytes are not valid in ``encoding``.
    """
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise UsageError(f"unknown encoding {encoding!r}: try utf-8, utf-16 or cp1252") from None
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            raise InputError(f"not valid {name} (byte offset {exc.start}): check --encoding"
                             ) from None
        return text.removeprefix("\ufeff"), name
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(name), name
            except UnicodeDecodeError as exc:
                raise InputError(f"starts with a {name} byte-order mark but is not valid "
                                 f"{name} (byte offset {exc.start}): pass --encoding"
                                 ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("cp1252", errors="replace"), "cp1252"
