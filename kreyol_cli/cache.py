"""On-disk result cache: one diskcache database per namespace, with TTLs.

Namespaces (``translation``, ``audio``) live in separate directories under
``Settings.cache_dir`` so each has its own size limit, statistics and
eviction. diskcache is SQLite in WAL mode plus plain files, so several kreyol
processes (overlapping cron jobs, joblib workers) can share one cache.

A cache is an accelerator, never a point of failure: an unreadable or corrupt
namespace is reported once, moved aside, rebuilt empty, and the run goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kreyol_cli.settings import Settings

log = logging.getLogger(__name__)

NAMESPACES = ("translation", "audio", "encoded", "memory")
#: Namespaces whose plain-data pickles, written before values were framed, are
#: still read (cachevalue): human work, and text that cannot be checked anyway.
#: Audio and encoded values of before are recomputed: they had no checksum.
LEGACY_READABLE = ("memory", "translation")
#: Namespaces of human work, not results: cleared only when named (``-n memory``).
KEPT = ("memory",)
_MISSING = object()
#: Open diskcache connections of this process, by (pid, directory).
_POOL: dict[tuple[int, str], Any] = {}


def make_key(stage: str, text: str, **parts: Any) -> str:
    """A cache key that changes whenever anything that changes the output does.

    Args:
        stage: The pipeline stage (``"translate"``, ``"tts"`` ...).
        text: The input text of the chunk.
        **parts: Model name and revision, options: anything that changes the
            result. Values must be JSON-serializable.

    Returns:
        ``stage:<sha256>``; the text enters through its own hash.
    """
    text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    blob = json.dumps({"stage": stage, "text": text_hash, **parts}, sort_keys=True, default=str)
    return f"{stage}:{hashlib.sha256(blob.encode('utf-8')).hexdigest()}"


@dataclass(frozen=True)
class NamespaceStats:
    """Statistics of one namespace, as ``kreyol cache stats`` shows them."""

    namespace: str
    directory: str
    entries: int
    bytes: int
    hits: int
    misses: int
    oldest: float | None
    newest: float | None
    ttl: int
    size_limit: int

    @property
    def hit_rate(self) -> float | None:
        total = self.hits + self.misses
        return self.hits / total if total else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "directory": self.directory,
            "entries": self.entries,
            "bytes": self.bytes,
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": self.hit_rate,
            "oldest": self.oldest,
            "newest": self.newest,
            "ttl_s": self.ttl,
            "size_limit": self.size_limit,
        }


class Cache:
    """Namespaced, TTL'd, process-safe cache. Picklable (reopens lazily).

    Args:
        settings: Where the cache lives and its TTLs and size limits.
        enabled: ``False`` turns every read into a miss and every write into
            a no-op (``--no-cache``).
        read: ``False`` turns every read into a miss but still writes.
        warn: Called with a one-line message when a namespace is rebuilt.
    """

    def __init__(self, settings: Settings, *, enabled: bool = True, read: bool = True,
                 warn=None) -> None:
        self.settings = settings
        self.enabled = enabled
        #: ``False``: never serve from the cache but still store (``--mode force``).
        self.read = read
        self._warn = warn
        self._open: dict[str, Any] = {}
        #: Hits and misses of this process, per namespace (for run reports).
        self.session_hits: dict[str, int] = {}
        self.session_misses: dict[str, int] = {}
        self._flushed: dict[tuple[str, str], int] = {}
        if enabled and not _writable(settings.cache_dir):
            # One line, not a "corrupt, rebuilding" warning per namespace and lookup.
            self.enabled = False
            self._report("cache is read-only: not caching")

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_open"] = {}
        state["_warn"] = None
        return state

    # -- opening and repair -------------------------------------------------

    def directory(self, namespace: str) -> Path:
        return self.settings.cache_dir / namespace

    def _db(self, namespace: str):
        db = self._open.get(namespace)
        if db is None:
            # One connection per process and directory: copies of this object
            # unpickled in a worker for every task share it instead of reopening.
            pool_key = (os.getpid(), str(self.directory(namespace)))
            db = _POOL.get(pool_key)
            if db is None:
                db = _POOL[pool_key] = self._connect(namespace)
            self._open[namespace] = db
        return db

    def _connect(self, namespace: str):
        import diskcache

        from kreyol_cli.cachevalue import LegacyDisk, SafeDisk

        directory = self.directory(namespace)
        options = {"size_limit": self.settings.size_limits.get(namespace, 2**30), "statistics": 0,
                   "eviction_policy": "least-recently-stored",
                   "disk": LegacyDisk if namespace in LEGACY_READABLE else SafeDisk}
        try:
            directory.mkdir(parents=True, exist_ok=True)
            return diskcache.Cache(str(directory), **options)
        except (sqlite3.DatabaseError, OSError, ValueError) as exc:
            self._report(f"cache '{namespace}' is unreadable ({exc}); rebuilding it")
            self._discard(directory)
            directory.mkdir(parents=True, exist_ok=True)
            return diskcache.Cache(str(directory), **options)

    def _discard(self, directory: Path) -> None:
        """Move a broken namespace aside (atomic), then delete it."""
        if not directory.exists():
            return
        aside = directory.with_name(f"{directory.name}.broken-{time.time_ns()}")
        try:
            directory.rename(aside)
        except OSError:
            aside = directory
        shutil.rmtree(aside, ignore_errors=True)

    def _rebuild(self, namespace: str, exc: BaseException) -> None:
        self._report(f"cache '{namespace}' is corrupt ({exc}); rebuilding it")
        db = self._open.pop(namespace, None)
        _POOL.pop((os.getpid(), str(self.directory(namespace))), None)
        if db is not None:
            with contextlib.suppress(Exception):  # closing a broken db may fail in any way
                db.close()
        self._discard(self.directory(namespace))

    def _report(self, message: str) -> None:
        if self._warn is not None:
            self._warn(message)
            log.debug(message)  # log.warning too would print it twice on stderr
        else:
            log.warning(message)

    # -- the API -------------------------------------------------------------

    def get(self, namespace: str, key: str, *, count: bool = True) -> Any | None:
        """The cached value, or ``None`` on a miss (or when disabled).

        ``count=False`` leaves the hit/miss counters alone: for lookups made in
        worker processes, whose caller records the outcome with ``record``.
        """
        if not self.enabled or not self.read:
            return None
        value = _MISSING
        for attempt in range(2):
            try:
                value = self._db(namespace).get(key, default=_MISSING, retry=True)
                break
            except (sqlite3.DatabaseError, OSError, EOFError, ValueError) as exc:
                if attempt:
                    return None
                self._rebuild(namespace, exc)
            except Exception as exc:  # noqa: BLE001 - a corrupt entry, whatever it raised
                self._drop(namespace, key, exc)
                value = _MISSING
                break
        if count:
            self.record(namespace, hit=value is not _MISSING)
        return None if value is _MISSING else value

    def _drop(self, namespace: str, key: str, exc: BaseException) -> None:
        """Delete a corrupt entry so it is recomputed; say so once per namespace."""
        self.delete(namespace, key)
        reported = self.__dict__.setdefault("_dropped", set())
        if namespace not in reported:
            reported.add(namespace)
            self._report(f"cache '{namespace}': a corrupt entry was dropped ({exc}); recomputing it")

    def record(self, namespace: str, *, hit: bool) -> None:
        """Count a hit or a miss (kept in memory, written to disk by ``flush``)."""
        counter = self.session_hits if hit else self.session_misses
        counter[namespace] = counter.get(namespace, 0) + 1

    def flush(self) -> None:
        """Add this process's hits and misses to the namespaces' lifetime counters.

        diskcache's own statistics write to SQLite on every lookup, which made
        fully cached runs several times slower; one transaction per run does it.
        """
        for ns in set(self.session_hits) | set(self.session_misses):
            hits = self.session_hits.get(ns, 0) - self._flushed.get((ns, "hits"), 0)
            misses = self.session_misses.get(ns, 0) - self._flushed.get((ns, "misses"), 0)
            if not (hits or misses) or not self.enabled:
                continue
            try:
                db = self._db(ns)
                with db.transact(retry=True):
                    db.reset("hits", db.reset("hits") + hits)
                    db.reset("misses", db.reset("misses") + misses)
            except (sqlite3.DatabaseError, OSError):
                continue
            self._flushed[(ns, "hits")] = self.session_hits.get(ns, 0)
            self._flushed[(ns, "misses")] = self.session_misses.get(ns, 0)

    def set(self, namespace: str, key: str, value: Any) -> None:
        """Store ``value`` with the namespace's TTL. Failures only warn."""
        self._write(namespace, lambda db, ttl: db.set(key, value, expire=ttl, retry=True))

    def set_file(self, namespace: str, key: str, path: Path) -> None:
        """Store the contents of the file ``path`` (streamed, not held in memory),
        with its checksum under ``KEY:sum``."""

        def put(db, ttl) -> None:
            with open(path, "rb") as handle:
                db.set(key, handle, expire=ttl, read=True, retry=True)
            db.set(key + ":sum", _file_sum(path), expire=ttl, retry=True)

        self._write(namespace, put)

    def _write(self, namespace: str, put) -> None:
        """Run ``put(db, ttl)``: a corrupt cache is rebuilt once, then failures only warn."""
        if not self.enabled:
            return
        ttl = self.settings.ttls.get(namespace)
        for attempt in range(2):
            try:
                put(self._db(namespace), ttl)
                return
            except (sqlite3.DatabaseError, OSError) as exc:
                if attempt:
                    self._report(f"cannot write to cache '{namespace}' ({exc}); continuing")
                    return
                self._rebuild(namespace, exc)

    def open_file(self, namespace: str, key: str):
        """A binary file object on a value stored with ``set_file``, or ``None``.

        The caller closes it. It stays readable if the entry is evicted meanwhile.
        """
        if not self.enabled or not self.read:
            return None
        try:
            db = self._db(namespace)
            expected = db.get(key + ":sum", default=None, retry=True)
            handle = db.get(key, default=None, read=True, retry=True)
        except (sqlite3.DatabaseError, OSError, ValueError):
            return None
        except Exception as exc:  # noqa: BLE001 - a corrupt entry, whatever it raised
            self._drop(namespace, key, exc)
            return None
        if not hasattr(handle, "read"):
            return None
        if expected is None or _file_sum(handle) != expected:
            handle.close()
            self._drop(namespace, key, ValueError("checksum mismatch"))
            return None
        handle.seek(0)
        return handle

    def delete(self, namespace: str, key: str) -> None:
        with contextlib.suppress(sqlite3.DatabaseError, OSError):
            db = self._db(namespace)
            db.delete(key, retry=True)
            db.delete(key + ":sum", retry=True)

    def namespaces(self) -> list[str]:
        """Known namespaces plus any other directory found in the cache root."""
        found = set(NAMESPACES)
        root = self.settings.cache_dir
        if root.is_dir():
            found.update(p.name for p in root.iterdir() if p.is_dir() and "." not in p.name)
        return sorted(found)

    def stats(self, namespace: str) -> NamespaceStats:
        """Entries, size, hit/miss counters and age range of a namespace."""
        directory = self.directory(namespace)
        ttl = self.settings.ttls.get(namespace, 0)
        limit = self.settings.size_limits.get(namespace, 0)
        if not (directory / "cache.db").exists():
            return NamespaceStats(namespace, str(directory), 0, 0, 0, 0, None, None, ttl, limit)
        try:
            self.flush()
            db = self._db(namespace)
            hits, misses = db.reset("hits"), db.reset("misses")
            (count, oldest, newest), = db._sql(  # noqa: SLF001 - no public API for ages
                "SELECT COUNT(*), MIN(store_time), MAX(store_time) FROM Cache"
            ).fetchall()
            volume = db.volume()
        except (sqlite3.DatabaseError, OSError) as exc:
            self._rebuild(namespace, exc)
            return NamespaceStats(namespace, str(directory), 0, 0, 0, 0, None, None, ttl, limit)
        return NamespaceStats(namespace, str(directory), count, volume, hits, misses,
                              oldest, newest, ttl, limit)

    def clear(self, namespace: str | None = None) -> int:
        """Remove every entry (of one namespace, or all but the translation
        memory). Returns the count."""
        removed = 0
        for ns in [namespace] if namespace else [n for n in self.namespaces() if n not in KEPT]:
            if not (self.directory(ns) / "cache.db").exists():
                continue
            try:
                db = self._db(ns)
                removed += db.clear(retry=True)
                db.reset("hits", 0)
                db.reset("misses", 0)
            except (sqlite3.DatabaseError, OSError) as exc:
                self._rebuild(ns, exc)
        return removed

    def prune(self, older_than: int | None = None) -> dict[str, int]:
        """Drop expired entries (and, if given, those stored more than
        ``older_than`` seconds ago), then cull to the size limit."""
        result = {}
        for ns in self.namespaces():
            if not (self.directory(ns) / "cache.db").exists():
                continue
            try:
                db = self._db(ns)
                removed = db.expire(retry=True)
                if older_than is not None:
                    removed += self._evict_older(db, time.time() - older_than)
                result[ns] = removed + db.cull(retry=True)
            except (sqlite3.DatabaseError, OSError) as exc:
                self._rebuild(ns, exc)
                result[ns] = 0
        return result

    @staticmethod
    def _evict_older(db, cutoff: float) -> int:
        keys = [k for (k,) in db._sql(  # noqa: SLF001 - diskcache has no age query
            "SELECT key FROM Cache WHERE store_time < ?", (cutoff,)).fetchall()]
        return sum(1 for k in keys if db.delete(k, retry=True))

    def close(self) -> None:
        self.flush()
        for ns, db in self._open.items():
            _POOL.pop((os.getpid(), str(self.directory(ns))), None)
            db.close()
        self._open.clear()


def _file_sum(source) -> dict[str, Any]:
    """Size and blake2b of a file (a path, or an open binary handle read to its end)."""
    digest, size = hashlib.blake2b(digest_size=16), 0
    with contextlib.ExitStack() as stack:
        handle = stack.enter_context(open(source, "rb")) if isinstance(source, str | Path) else source
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return {"size": size, "blake2b": digest.hexdigest()}


def _writable(directory: Path) -> bool:
    """Whether ``directory`` (or, while it does not exist, its nearest existing
    parent) can be written; ``False`` on a read-only file system even for root."""
    for candidate in (directory, *directory.parents):
        if candidate.exists():
            return os.access(candidate, os.W_OK)
    return False
