"""How cache values are stored: framed bytes with a checksum, never pickles.

diskcache pickles any value that is not bytes, str or a number, and unpickles
whatever row it finds, so a file planted in a shared ``$KREYOL_HOME/cache``
could run code. Here every value is written as

    b"KRYV" | version (1 byte) | blake2b-128 of the body | body
    body = u32 length | JSON skeleton | (u64 length | bytes) for each blob

where the skeleton is the value with every ``bytes`` replaced by
``{"$b": index}``. Reading checks the frame and the checksum; a mismatch is a
``CorruptValue`` (the entry is dropped and recomputed, never served). Keys are
strings, stored as text: a pickled key is refused as well.

Values written before this format: strings (translations) are read as they
are; pickles only where a namespace allows it (the translation memory and
translations), through an unpickler that builds no object but dicts, lists
and plain values, after the same opcode check as checkpoints.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import struct
from typing import Any

import diskcache
from diskcache.core import MODE_PICKLE, UNKNOWN

MAGIC = b"KRYV"
VERSION = 1
_DIGEST = 16
#: The only file names diskcache gives values (``Disk.filename``): a row naming
#: any other path (``/etc/shadow``, ``../x``) is planted, never read or deleted.
_OWN_FILE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{28}\.val$")
#: The largest value kept in a pickle of before this format that is still read.
MAX_LEGACY_BYTES = 64 << 20


class CorruptValue(Exception):
    """A cache row that is not a value this format wrote, or fails its checksum."""


def encode(value: Any) -> bytes:
    """``value`` (JSON types and ``bytes``, nested) as a framed, checksummed blob."""
    blobs: list[bytes] = []

    def strip(item: Any) -> Any:
        if isinstance(item, bytes | bytearray | memoryview):
            blobs.append(bytes(item))
            return {"$b": len(blobs) - 1}
        if isinstance(item, dict):
            return {str(k): strip(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [strip(v) for v in item]
        return item

    head = json.dumps(strip(value), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    body = b"".join([struct.pack("<I", len(head)), head,
                     *(struct.pack("<Q", len(b)) + b for b in blobs)])
    return MAGIC + bytes([VERSION]) + hashlib.blake2b(body, digest_size=_DIGEST).digest() + body


def decode(data: bytes) -> Any:
    """The value ``encode`` framed in ``data``.

    Raises:
        CorruptValue: Not this format, another version, or a checksum mismatch.
    """
    start = len(MAGIC) + 1 + _DIGEST
    if len(data) < start + 4 or data[: len(MAGIC)] != MAGIC or data[len(MAGIC)] != VERSION:
        raise CorruptValue("not a kreyol cache value")
    body = memoryview(data)[start:]
    if hashlib.blake2b(body, digest_size=_DIGEST).digest() != data[len(MAGIC) + 1 : start]:
        raise CorruptValue("checksum mismatch")
    (head_len,) = struct.unpack_from("<I", body, 0)
    try:
        skeleton = json.loads(bytes(body[4 : 4 + head_len]))
    except (ValueError, RecursionError) as exc:
        raise CorruptValue("unreadable value") from exc
    blobs, at = [], 4 + head_len
    while at < len(body):
        (n,) = struct.unpack_from("<Q", body, at)
        blobs.append(bytes(body[at + 8 : at + 8 + n]))
        at += 8 + n
    return _restore(skeleton, blobs)


def _restore(item: Any, blobs: list[bytes]) -> Any:
    if isinstance(item, dict):
        if set(item) == {"$b"}:
            try:
                return blobs[item["$b"]]
            except (IndexError, TypeError) as exc:
                raise CorruptValue("a blob that is not there") from exc
        return {k: _restore(v, blobs) for k, v in item.items()}
    if isinstance(item, list):
        return [_restore(v, blobs) for v in item]
    return item


class _PlainUnpickler(pickle.Unpickler):
    """Builds dicts, lists, tuples, strings, bytes and numbers; no class at all."""

    def find_class(self, module: str, name: str) -> Any:
        raise CorruptValue(f"a pickled {module}.{name}")

    def persistent_load(self, pid: Any) -> Any:
        raise CorruptValue("a pickled persistent id")


def _legacy(data: bytes) -> Any:
    """A value pickled by an older kreyol, if it is plain data."""
    from kreyol_cli.checkpoint import checked_pickle  # numpy: only for old caches

    if len(data) > MAX_LEGACY_BYTES:
        raise CorruptValue("an old value too large to check")
    try:
        return _PlainUnpickler(checked_pickle(data)).load()
    except CorruptValue:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the row holds, it is not served
        raise CorruptValue("an old value that is not plain data") from exc


class SafeDisk(diskcache.Disk):
    """diskcache's Disk with values framed by ``encode``; pickles never loaded."""

    #: Whether pickles of plain data written before this format are still read.
    legacy = False

    def store(self, value: Any, read: bool, key: Any = UNKNOWN):
        if read:  # a file handle, streamed as is (its checksum is kept beside it)
            return super().store(value, read, key)
        return super().store(encode(value), False, key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if filename is not None and not _OWN_FILE.match(filename):
            raise CorruptValue("a value file outside the cache")
        if mode == MODE_PICKLE:
            if not self.legacy:
                raise CorruptValue("a pickled value")
            return _legacy(self._raw(filename, value))
        data = super().fetch(mode, filename, value, read)
        if read and hasattr(data, "read"):
            return data
        if isinstance(data, str):  # a translation as older kreyol wrote it
            return data
        if isinstance(data, bytes):
            return decode(data)
        raise CorruptValue("not a kreyol cache value")

    def remove(self, file_path: str) -> None:
        if file_path is not None and _OWN_FILE.match(file_path):
            super().remove(file_path)

    def get(self, key: Any, raw: bool) -> Any:
        if not raw:
            raise CorruptValue("a pickled key")
        return super().get(key, raw)

    def _raw(self, filename: str | None, value: Any) -> bytes:
        if value is not None:
            return bytes(value)
        with open(os.path.join(self._directory, filename), "rb") as handle:
            return handle.read(MAX_LEGACY_BYTES + 1)


class LegacyDisk(SafeDisk):
    """``SafeDisk`` that also reads the plain-data pickles of older kreyol."""

    legacy = True
