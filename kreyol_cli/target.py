"""Where an output path really leads, so that writing it never harms the system.

``-o`` may name a regular file, a symlink (to a file, dangling, or to
``/proc/self/fd/1`` as ``/dev/stdout`` is), a device such as ``/dev/null``, a
named pipe, or a process substitution (``/dev/fd/63``). ``resolve`` follows
the links one by one:

- a link to one of this process's descriptors (``/proc/self/fd/N``,
  ``/dev/fd/N``) is that descriptor: it is duplicated and written in place,
  sharing the offset and flags of the shell's redirection (``>>`` appends);
- a device, FIFO or socket is opened once and written in place;
- anything else is a file: the final target of the links, replaced
  atomically where it lies, so the links stay links.

A named pipe nobody reads would block ``open`` forever; kreyol waits up to
``FIFO_WAIT`` seconds for a reader, then gives up with exit 6.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import time
from dataclasses import dataclass

from kreyol_cli.errors import OutputError

#: Seconds to wait for a program to open a named pipe for reading.
FIFO_WAIT = 60.0
_OWN_FD = re.compile(r"^/(?:proc/(?:self|thread-self|(\d+))/fd|dev/fd)/(\d+)$")
_MAX_HOPS = 40  # the kernel's own limit on symlinks in a path


@dataclass(frozen=True)
class Target:
    """What an output path leads to.

    Attributes:
        kind: ``"fd"`` (one of this process's descriptors), ``"special"``
            (a device, FIFO or socket) or ``"file"``.
        path: The path to open (``"special"``) or to replace (``"file"``).
        fd: The descriptor, for ``"fd"``.
    """

    kind: str
    path: str
    fd: int = -1

    @property
    def in_place(self) -> bool:
        return self.kind != "file"


def resolve(path: str | os.PathLike) -> Target:
    """Follow ``path``'s symlinks to what writing it would really reach."""
    current = os.path.abspath(os.fspath(path))
    for _ in range(_MAX_HOPS):
        own = _OWN_FD.match(current)
        if own and (own.group(1) is None or int(own.group(1)) == os.getpid()):
            return Target("fd", current, int(own.group(2)))
        try:
            link = os.readlink(current)
        except OSError:
            break  # not a link (or not there): the end of the chain
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))
    else:
        raise OutputError(f"cannot write {path}: too many levels of symbolic links")
    try:
        mode = os.stat(current).st_mode
    except OSError:
        return Target("file", current)
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return Target("file", current)
    return Target("special", current)


def open_in_place(target: Target, shown: str | os.PathLike) -> int:
    """A descriptor open for writing on an ``fd`` or ``special`` target.

    Raises:
        OutputError: It cannot be opened, or no program opened the named
            pipe for reading within ``FIFO_WAIT`` seconds.
    """
    try:
        if target.kind == "fd":
            return os.dup(target.fd)
        if stat.S_ISFIFO(os.stat(target.path).st_mode):
            return _open_fifo(target.path, shown)
        return os.open(target.path, os.O_WRONLY)
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror} (choose another -o)") from None


def _open_fifo(path: str, shown: str | os.PathLike) -> int:
    """Open a FIFO for writing once a reader has it open (``O_NONBLOCK`` fails
    with ENXIO until then), then make the descriptor blocking again."""
    deadline = time.monotonic() + FIFO_WAIT
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            if time.monotonic() >= deadline:
                raise OutputError(f"cannot write {shown}: no program opened the named pipe for "
                                  f"reading within {FIFO_WAIT:g} s (start the reader first)"
                                  ) from None
            time.sleep(0.02)
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    return fd


def keep_owner_and_mode(tmp: str, final: str, default_mode: int) -> None:
    """Give ``tmp`` the permissions (and, as root, the owner) of the file it
    replaces, or ``default_mode`` for a new file: replacing an output never
    widens who can read it."""
    try:
        old = os.stat(final)
    except OSError:
        os.chmod(tmp, default_mode)
        return
    os.chmod(tmp, stat.S_IMODE(old.st_mode))
    if os.geteuid() == 0:
        with contextlib.suppress(OSError):
            os.chown(tmp, old.st_uid, old.st_gid)
