"""Exit codes and the exceptions that carry them.

The library raises; only the CLI exits. Every ``KreyolError`` subclass names
the exit code the command line returns for it, and its message is the one
line the user reads: what went wrong and what to do about it.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in the README (keep both in sync)."""

    OK = 0
    ERROR = 1  # unexpected failure (a bug: please report it, rerun with --debug)
    USAGE = 2  # bad command-line arguments or options
    INPUT = 3  # input missing, unreadable, not in --encoding, not a document, truncated/damaged
    MODEL = 4  # unknown, missing or corrupt model or voice
    LANGUAGE = 5  # language pair or language not supported by the model
    OUTPUT = 6  # output cannot be written (or audio refused to a terminal)
    NETWORK = 7  # download needed but the hub cannot be reached
    ENCRYPTED = 8  # encrypted PDF and no (or a wrong) --password; DRM e-book; password DOCX
    NO_TEXT = 9  # the document has no text to read (scanned PDF, image-only e-book, script page)
    ALREADY_DONE = 10  # audiobook output already complete (--mode skip)
    LOCKED = 11  # another kreyol run holds the lock on the output folder
    INTERRUPTED = 130  # Ctrl-C / SIGTERM


class KreyolError(Exception):
    """Base class of every error kreyol reports to the user."""

    exit_code: ExitCode = ExitCode.ERROR


class UsageError(KreyolError):
    exit_code = ExitCode.USAGE


class InputError(KreyolError):
    exit_code = ExitCode.INPUT


class ModelError(KreyolError):
    exit_code = ExitCode.MODEL


class UnknownModelError(ModelError):
    """A name that is neither a registry entry nor an existing path."""


class ModelNotInstalledError(ModelError):
    """A registry entry that has not been pulled yet."""


class CorruptModelError(ModelError):
    """A model or voice directory that is missing files or cannot be loaded."""


class LanguageError(KreyolError):
    exit_code = ExitCode.LANGUAGE


class OutputError(KreyolError):
    exit_code = ExitCode.OUTPUT


class DiskFullError(OutputError):
    """The destination's file system is full (ENOSPC, or ffmpeg could not finish)."""

    def __init__(self, message: str = "disk full: free space or choose another -o") -> None:
        super().__init__(message)


def one_line(exc: BaseException, limit: int = 160) -> str:
    """An exception's message as one short line, for "... (reason)" in an error."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def from_os_error(exc: OSError) -> KreyolError | None:
    """The user-facing error for an ``OSError`` that has one (a full disk), else ``None``."""
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError()
    if exc.errno == errno.EROFS:
        where = f" ({exc.filename})" if exc.filename else ""
        return OutputError(f"read-only file system{where}: choose another -o")
    return None


class NetworkError(KreyolError):
    exit_code = ExitCode.NETWORK


class EncryptedError(InputError):
    """Encrypted input kreyol cannot open: DRM e-books, password-protected Office files."""

    exit_code = ExitCode.ENCRYPTED


class EncryptedPdfError(EncryptedError):
    """An encrypted PDF and no (or a wrong) ``--password``."""


class NoTextError(InputError):
    exit_code = ExitCode.NO_TEXT


class AlreadyDoneError(KreyolError):
    exit_code = ExitCode.ALREADY_DONE


class LockedError(KreyolError):
    exit_code = ExitCode.LOCKED
