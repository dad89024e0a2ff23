"""Reading inputs and writing outputs safely.

``-`` means stdin or stdout everywhere. Files are written to a temporary
name in the destination directory and renamed into place only on success,
so an error, Ctrl-C or a crash never leaves a half-written file where the
user expects a good one.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from kreyol_cli.errors import InputError, OutputError, UsageError


def check_encoding(encoding: str) -> str:
    from kreyol_cli.textcodec import check_encoding as check

    return check(encoding)


def read_lines(source: str | None, texts: Iterable[str] = (), *, encoding: str | None = None,
               warn: Callable[[str], None] | None = None) -> Iterator[str]:
    """Lines of input, newline kept: TEXT arguments (one line each), a file, or stdin.

    Without ``encoding`` the encoding is detected (BOM, UTF-8, else the
    likeliest code page, see :mod:`kreyol_cli.textcodec`) and ``warn`` is told
    when it is not UTF-8.

    Raises:
        InputError: Missing or unreadable file, or text that is not in ``encoding``.
    """
    texts = list(texts or ())
    if texts and source is not None:
        raise UsageError("give TEXT arguments or --input, not both")
    if texts:
        for text in texts:  # each argument is a line, ended like one
            yield text if text.endswith("\n") else text + "\n"
        return
    if encoding is not None:
        encoding = check_encoding(encoding)
    if source is None or source == "-":
        from kreyol_cli.readers import cached_stdin

        cached = cached_stdin()
        stream = io.BytesIO(cached) if cached is not None else sys.stdin.buffer
        yield from _decode(stream, "standard input", encoding, warn)
        return
    with open_input(source) as handle:
        yield from _decode(handle, source, encoding, warn)


def check_input(source: str) -> None:
    """Refuse an input file that is missing or a folder, in the same words for every command.

    Raises:
        InputError: No such file, or a folder.
    """
    path = Path(source)
    if path.is_dir():
        raise InputError(f"{source} is a folder, not a file: name the files in it "
                         f"(e.g. {source.rstrip('/') or ''}/*.pdf)")
    if not path.exists():
        raise InputError(f"{source}: no such file")


def open_input(source: str) -> IO[bytes]:
    """Open an input file for reading (after :func:`check_input`).

    Raises:
        InputError: Missing, a folder, or unreadable.
    """
    check_input(source)
    try:
        return Path(source).open("rb")
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror}") from None


def text_source(texts: list[str] | None, source: str | None) -> tuple[list[str], str | None]:
    """TEXT arguments and ``--input`` as given, except that a lone ``-`` argument
    means stdin, as everywhere (``echo Bonjou | kreyol phonemize -``)."""
    if texts == ["-"] and source is None:
        return [], "-"
    return list(texts or ()), source


def reads_terminal(texts: list[str], source: str | None) -> bool:
    """Whether the input is a person typing at a terminal (stdin, no TEXT)."""
    return not texts and source in (None, "-") and sys.stdin.isatty()


TERMINAL_HINT = "reading text from the terminal; Ctrl-D to end"


def nonempty(lines: Iterator[str]) -> Iterator[str] | None:
    """``lines``, or ``None`` when there are none at all (empty input: exit 0, and
    no model to load)."""
    import itertools

    first = next(lines, None)
    return None if first is None else itertools.chain([first], lines)


#: Extensions of formats that cannot be empty: an empty book.pdf is a broken download.
BINARY_EXTENSIONS = (".pdf", ".epub", ".docx", ".odt", ".mobi", ".fb2", ".xps", ".cbz")


def is_empty_input(source: str) -> bool:
    """Whether a file (or ``-``, stdin) holds no bytes at all: empty in, empty out.

    stdin is not consumed. A file named as a binary format (``book.epub``) is
    never "empty input": zero bytes there is a download that did not finish,
    which its reader reports.
    """
    if source != "-":
        try:
            path = Path(source)
            return (path.is_file() and path.stat().st_size == 0
                    and path.suffix.lower() not in BINARY_EXTENSIONS)
        except OSError:
            return False
    if sys.stdin.isatty():
        return False
    stream = sys.stdin.buffer
    if hasattr(stream, "peek"):
        return stream.peek(1) == b""
    if hasattr(stream, "getbuffer"):  # an in-memory stdin (tests)
        return stream.tell() >= len(stream.getbuffer())
    return False


def same_file(a: str | None, b: str | None) -> bool:
    """Whether two paths (not ``-``) name one existing file."""
    if not a or not b or "-" in (a, b):
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _decode(stream: IO[bytes], name: str, encoding: str | None,
            warn: Callable[[str], None] | None) -> Iterator[str]:
    from kreyol_cli.textcodec import guessed_warning, iter_decoded

    def detected(codec: str) -> None:
        if warn is not None:
            warn(guessed_warning(name, codec))

    blocks = iter_decoded(stream, encoding, name=name, on_detect=detected)
    buffer = ""
    for text in blocks:
        buffer += text
        *lines, buffer = buffer.splitlines(keepends=True) or [""]
        # splitlines keeps a trailing partial line as the last element. A
        # trailing "\r" waits for the next block: it may be half of a "\r\n".
        if buffer.endswith("\n"):
            lines.append(buffer)
            buffer = ""
        yield from lines
    if buffer:
        yield buffer


@contextlib.contextmanager
def atomic_output(path: str | Path, *, binary: bool = False, encoding: str = "utf-8"
                  ) -> Iterator[IO]:
    """Write ``path`` atomically: a temp file in the same directory, renamed on success.

    A device or FIFO (``-o /dev/null``, a named pipe) is written directly: see
    :func:`temp_beside`.

    Raises:
        OutputError: The directory does not exist or is not writable.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{path} is a directory: give a file name")
    fd, tmp = temp_beside(target)
    try:
        handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline="")
        with handle:
            yield handle
            handle.flush()
            sync(handle.fileno())
        commit_temp(tmp, target)
    except BaseException:
        discard_temp(tmp, target)
        raise


def in_place(target: str | Path) -> bool:
    """Whether ``target`` is written where it is rather than replaced: one of
    this process's descriptors (``/dev/stdout``), a device or a FIFO, or a
    link to one (``kreyol_cli.target``)."""
    from kreyol_cli.target import resolve

    return resolve(target).in_place


def temp_beside(target: Path) -> tuple[int, str]:
    """A new ``.NAME.*.part`` file beside what ``target`` leads to: (fd, path).

    Same folder as the final file (a symlink's target, not the link), so the
    final ``os.replace`` is an atomic rename there and the link stays; the
    ``.part`` suffix lets a later run sweep up what a killed run left. For an
    in-place target (:func:`in_place`) it is the target itself, opened once
    for writing; :func:`commit_temp` and :func:`discard_temp` then leave it be.

    Raises:
        OutputError: The folder does not exist or is not writable.
    """
    from kreyol_cli.target import open_in_place, resolve

    where = resolve(target)
    if where.in_place:
        return open_in_place(where, target), str(target)
    final = Path(where.path)
    directory = final.parent
    if not directory.is_dir():
        raise OutputError(f"cannot write {target}: folder {directory} does not exist")
    try:
        return tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise OutputError(f"cannot write {target}: the file name is too long") from None
        raise OutputError(f"cannot write {target}: {exc.strerror} (choose another -o)") from None


def commit_temp(tmp: str | Path, target: str | Path) -> None:
    """Put a finished temp file from :func:`temp_beside` in place of what
    ``target`` leads to, with the replaced file's permissions."""
    if str(tmp) != str(target):
        from kreyol_cli.target import keep_owner_and_mode, resolve

        final = resolve(target).path
        keep_owner_and_mode(str(tmp), final, _public_mode())
        os.replace(tmp, final)


def discard_temp(tmp: str | Path, target: str | Path) -> None:
    """Remove an unfinished temp file from :func:`temp_beside` (never the target)."""
    if str(tmp) != str(target):
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def sync(fd: int) -> None:
    """fsync, where the file supports it (a device or pipe does not)."""
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EROFS, errno.ESPIPE):
            raise


def make_public(path: str | Path) -> None:
    """Give a mkstemp file (private) the permissions a normal new file gets."""
    os.chmod(path, _public_mode())


def _public_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def text_output(path: str | None, *, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """stdout for ``None``/``-``, else an atomic file."""
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    with atomic_output(path, encoding=encoding) as handle:
        yield handle
