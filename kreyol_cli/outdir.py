"""The output folder of one audiobook run: made, probed, locked, and left tidy.

A run that fails before it produces anything removes the folder it created
(and its lock file). A folder reused for the same book loses the files the
previous run wrote and this one did not (``--format mp3`` then ``m4b``); a
folder that holds another book's audiobook is refused, not overwritten.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from kreyol_cli.errors import DiskFullError, LockedError, OutputError, from_os_error

LOCK_NAME = ".kreyol.lock"
REPORT_NAME = "report.json"


class OutputFolder:
    """``with OutputFolder(path) as folder:`` creates, probes and locks ``path``.

    Raises:
        OutputError: The folder cannot be created or written (DiskFullError when full).
        LockedError: Another run holds the lock.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.created = False
        #: The folders this run made, innermost first (``-o OUTDIR`` of several
        #: books makes ``OUTDIR`` and ``OUTDIR/NAME``).
        self._made: list[Path] = []
        self._lock = None

    def __enter__(self) -> OutputFolder:
        self.created = not self.path.exists()
        self._made = [p for p in (self.path, *self.path.parents) if not p.exists()]
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            probe = self.path / f".kreyol-write-test-{time.time_ns()}"
            probe.touch()
            probe.unlink()
        except OSError as exc:
            self._tidy()
            if isinstance(from_os_error(exc), DiskFullError):
                raise DiskFullError() from None
            raise OutputError(f"cannot write to {self.path}: {exc.strerror} (choose another -o)"
                              ) from None
        self._lock = _lock(self.path)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if exc_type is not None:
            self._tidy()

    def _tidy(self) -> None:
        """Remove the folder if this run made it and left nothing of value in it."""
        if not self.created:
            return
        with contextlib.suppress(OSError):
            (self.path / LOCK_NAME).unlink(missing_ok=True)
            for stale in self.path.glob(".*.part"):
                stale.unlink(missing_ok=True)
            for folder in self._made:
                folder.rmdir()  # only if empty

    def previous_report(self) -> dict | None:
        """The report.json of the last complete run here, if any."""
        try:
            report = json.loads((self.path / REPORT_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return report if isinstance(report, dict) else None

    def check_same_book(self, previous: dict | None, name: str, input_sha256: str | None,
                        input: str) -> None:
        """Refuse to write over another book's audiobook.

        Raises:
            OutputError: ``report.json`` here belongs to a different book.
        """
        if previous is None:
            return
        before = previous.get("fingerprint", {}).get("input_sha256")
        other = str(previous.get("input", "another book"))
        # The same book: the same bytes, or the same name (a new edition of the file).
        if (before and before == input_sha256) or f"{name}.ht.md" in previous.get("outputs", []):
            return
        raise OutputError(
            f"{self.path} already holds the audiobook of {other}: choose another -o for "
            f"{input} (or give several books at once: each goes to OUTDIR/NAME/)"
        )

    def remove_stale(self, previous: dict | None, outputs: list[str], input: str = "-"
                     ) -> list[str]:
        """Delete what the previous run of this book wrote and this one did not
        (never ``input`` itself)."""
        from kreyol_cli.fileio import same_file

        if previous is None:
            return []
        keep = set(outputs) | {REPORT_NAME}
        removed = []
        for name in previous.get("outputs", []):
            if not isinstance(name, str) or name in keep or "/" in name or "\\" in name \
                    or name.startswith(".") or same_file(str(self.path / name), input):
                continue
            with contextlib.suppress(OSError):
                (self.path / name).unlink()
                removed.append(name)
        return removed


def _lock(outdir: Path):
    from filelock import FileLock, Timeout

    lock = FileLock(str(outdir / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise LockedError(
            f"another kreyol run is working in {outdir}: wait for it to finish, or use "
            f"another -o folder"
        ) from None
    return lock
