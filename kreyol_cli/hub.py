"""Talking to the Hugging Face Hub during a pull: errors told apart, progress
fed to kreyol's display, interruption honoured, and the HF cache left as found.

``huggingface_hub`` is imported inside the functions: this module is loaded
only by ``kreyol models pull``.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kreyol_cli.errors import CorruptModelError, NetworkError, OutputError, one_line


@contextlib.contextmanager
def downloads_removed(repo_id: str, *, keep: bool) -> Iterator[None]:
    """Remove what the block adds to the Hugging Face cache for ``repo_id``.

    Files that were there before (a user's own cached copy) stay. With
    ``keep``, a successful block keeps its downloads; a failed or interrupted
    one never does.
    """
    from huggingface_hub import constants
    from huggingface_hub.file_download import repo_folder_name

    cache = Path(constants.HF_HUB_CACHE)
    folder = repo_folder_name(repo_id=repo_id, repo_type="model")
    roots = [cache / folder, cache / ".locks" / folder]
    created = [d for d in (cache, cache / ".locks", *roots) if not d.exists()]
    before = {p for root in roots if root.exists() for p in root.rglob("*")}
    succeeded = False
    try:
        yield
        succeeded = True
    finally:
        if not (succeeded and keep):
            for root in roots:
                if not root.exists():
                    continue
                for path in sorted(root.rglob("*"), reverse=True):  # children first
                    if path in before:
                        continue
                    if path.is_dir() and not path.is_symlink():
                        with contextlib.suppress(OSError):
                            path.rmdir()
                    else:
                        path.unlink(missing_ok=True)
            for directory in reversed(created):
                with contextlib.suppress(OSError):
                    # huggingface_hub tags a cache it creates; an empty one goes.
                    if {p.name for p in directory.iterdir()} <= {"CACHEDIR.TAG"}:
                        (directory / "CACHEDIR.TAG").unlink(missing_ok=True)
                    directory.rmdir()  # only if empty


class _Cancelled(Exception):
    """Raised in huggingface_hub's download threads once the pull is interrupted."""


def bar_class(display):
    """A tqdm stand-in that feeds huggingface_hub's byte counts to ``display``.

    Its ``cancelled`` flag (set by :func:`interruptible`) makes the next
    progress update of a download thread raise, which ends that download.
    """
    bars: list = []

    class HubBar:
        cancelled = False

        def __init__(self, *args, total=None, initial=0, unit="it", **kwargs) -> None:
            self.total, self.n, self.unit = total, initial, unit
            self.format_dict: dict[str, Any] = {"rate": None}
            if unit == "B":
                bars.append(self)

        def update(self, n=1) -> None:
            if HubBar.cancelled:
                raise _Cancelled("interrupted")
            self.n += n or 0
            if self.unit == "B" and display is not None:
                display.update(max(b.n for b in bars), max((b.total or 0) for b in bars) or None)

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            pass

        def refresh(self, *args, **kwargs) -> None:
            pass

        close = set_description = set_description_str = set_postfix_str = refresh

    return HubBar


#: Bytes huggingface_hub reads between two progress updates (its own default
#: is 10 MiB: a minute on a slow line before an interrupted download notices).
_CHUNK = 256 * 1024


@contextlib.contextmanager
def interruptible(bar) -> Iterator[None]:
    """Let Ctrl-C and SIGTERM stop a download now, not when its files are done.

    ``snapshot_download`` fetches files in worker threads, and the main thread,
    interrupted, still waits for them to finish: minutes for a 300 MB
    checkpoint on a slow line. The signal handler also sets the bar class's
    ``cancelled`` flag (``bar``: a :func:`bar_class`), so each thread stops at its
    next chunk.
    """
    import signal

    from huggingface_hub import constants

    previous: dict[int, Any] = {}

    def handler(signum, frame):
        old = previous[signum]
        if old is signal.SIG_IGN:
            return
        bar.cancelled = True
        if callable(old):
            return old(signum, frame)
        raise KeyboardInterrupt

    chunk = constants.DOWNLOAD_CHUNK_SIZE
    constants.DOWNLOAD_CHUNK_SIZE = min(chunk, _CHUNK)
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):  # not the main thread: leave signals be
                previous[sig] = signal.signal(sig, handler)
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        constants.DOWNLOAD_CHUNK_SIZE = chunk


def call(what: str, func, *args, **kwargs):
    """Run a huggingface_hub call, turning its network failures into NetworkError."""
    from huggingface_hub.errors import (
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        return func(*args, **kwargs)
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        raise CorruptModelError(
            f"{what}: the hub has no such repository or revision ({type(exc).__name__}); "
            f"check repo/revision in models.toml"
        ) from None
    except (OfflineModeIsEnabled, LocalEntryNotFoundError) as exc:
        raise NetworkError(
            f"{what}: not downloaded yet and the Hugging Face Hub is unreachable or offline "
            f"({one_line(exc)}); connect to the internet and retry, or copy a converted model "
            f"directory here and pass it with --model PATH"
        ) from None
    except (HfHubHTTPError, OSError) as exc:
        disk = _disk_error(exc)
        if disk is not None:
            from huggingface_hub import constants

            raise OutputError(
                f"{what}: cannot write to the Hugging Face cache {constants.HF_HUB_CACHE} "
                f"({disk.strerror or disk}); free space there, or set HF_HOME to a writable "
                f"folder with room"
            ) from None
        raise NetworkError(
            f"{what}: download failed ({one_line(exc)}); check your connection (and HF_ENDPOINT) "
            f"and retry"
        ) from None
    except Exception as exc:
        if type(exc).__module__.startswith(("httpx", "httpcore", "requests", "urllib3")):
            raise NetworkError(
                f"{what}: cannot reach the Hugging Face Hub ({one_line(exc)}); connect to the "
                f"internet and retry"
            ) from None
        raise


#: Errors of the local disk, not of the network (sockets never carry these).
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def _disk_error(exc: BaseException | None) -> OSError | None:
    """The local file-system error behind ``exc`` (a full or read-only disk, a
    file where a folder should be), if that is what it is."""
    for _ in range(4):
        if exc is None:
            return None
        if isinstance(exc, OSError) and (exc.errno in _DISK_ERRNOS or exc.filename):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None

