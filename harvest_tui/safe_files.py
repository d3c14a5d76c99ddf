"""Every file harvest-tui writes goes through here: user-only, atomic, and only regular files.

A path the user names (``--config /dev/null``, a config that is a symlink to somewhere
else, a log directory an attacker could plant a link in) must never make the app write
through a link, truncate a device or replace something that is not a plain file. So:

- :func:`write_private_file` replaces a whole file: it refuses a target that is a symlink
  or exists as anything but a regular file, writes a new 0o600 file next to it (``O_EXCL``,
  never following a link), fsyncs it and renames it over the target. A failure leaves the
  old file whole. Use it for the config file, exports, caches: anything written at once.
- :func:`open_private_append` opens a file to append to (the debug log): ``O_NOFOLLOW``,
  ``O_APPEND``, ``O_CREAT``, mode 0o600, and a regular file or nothing.

Both create missing parent directories as 0o700 (an export, which goes where the user said
or nowhere, passes ``make_parents=False`` and gets :class:`MissingDirectoryError`) and raise
:class:`UnsafeFileError` (an ``OSError``) with a one-line, human message when they refuse;
other failures are the usual ``OSError``. Parent directories may be symlinks (``~/.config``
often is): only the file itself is checked.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import TextIO

__all__ = [
    "MissingDirectoryError",
    "UnsafeFileError",
    "check_target",
    "open_private_append",
    "write_private_file",
]

PRIVATE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700

_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)


class UnsafeFileError(OSError):
    """A target the app refuses to write: a symlink, a device, a directory, a pipe…

    ``strerror`` is the reason ("it is a symbolic link, …"), ``filename`` the path, and
    ``str()`` both on one line.
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(errno.EPERM, reason, str(path))

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


class MissingDirectoryError(FileNotFoundError):
    """The directory a file would go in does not exist, and the caller would not create it.

    ``filename`` is the directory (absolute), and ``str()`` says what to do on one line.
    """

    def __init__(self, directory: Path) -> None:
        super().__init__(errno.ENOENT, "no such directory", str(directory))

    def __str__(self) -> str:
        return f"no directory {self.filename}: create it first"


def _refusal(path: Path, mode: int) -> UnsafeFileError:
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return UnsafeFileError(path, f"it is {kind}, not a regular file; refusing to write it")


def check_target(path: Path) -> None:
    """Raise UnsafeFileError unless `path` is absent or a regular file (not a symlink)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise _refusal(path, mode)


def _make_parent(path: Path) -> None:
    path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)


def _require_parent(path: Path) -> None:
    if not os.path.exists(path.parent):  # followed: a dangling link is no directory either
        raise MissingDirectoryError(path.absolute().parent)


def write_private_file(
    path: Path | str, data: bytes | str, *, encoding: str = "utf-8", make_parents: bool = True
) -> Path:
    """Replace `path` atomically with `data` (text is encoded, newlines kept as given).

    The new file has mode 0o600 whatever the umask or the old file's mode. Missing parent
    directories are created (0o700) unless `make_parents` is False: then a missing one
    raises MissingDirectoryError. Raises UnsafeFileError if `path` is a symlink or exists
    as anything but a regular file, OSError if writing fails (the old file is then
    untouched and no temporary is left). Returns `path`.
    """
    path = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    check_target(path)
    if make_parents:
        _make_parent(path)
    else:
        _require_parent(path)
    # mkstemp opens with O_CREAT | O_EXCL (and O_NOFOLLOW where it exists), mode 0o600.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            os.fchmod(fd, PRIVATE_MODE)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        check_target(path)  # again, as late as possible; rename never follows a link anyway
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)
    return path


def open_private_append(path: Path | str, *, encoding: str = "utf-8") -> TextIO:
    """`path` opened for appending text, created 0o600 if absent; a regular file only.

    Never follows a symlink, never blocks on a named pipe, and tightens the mode of an
    existing file to 0o600. Raises UnsafeFileError when `path` is not a regular file.
    """
    path = Path(path)
    check_target(path)
    _make_parent(path)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0), PRIVATE_MODE)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO):  # a symlink, or a pipe without a reader
            check_target(path)
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _refusal(path, mode)
        os.set_blocking(fd, True)
        if stat.S_IMODE(mode) != PRIVATE_MODE:
            os.fchmod(fd, PRIVATE_MODE)
        return os.fdopen(fd, "a", encoding=encoding)
    except BaseException:
        os.close(fd)
        raise


def _sync_dir(directory: Path) -> None:
    """Make the rename durable; some file systems cannot open a directory: best effort."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
