"""Files only Byline's own user may read: the SQLite database, backups, generated secrets.

Each is made with mode 0600 exactly, whatever the process umask. What writes them otherwise
asks for 0644 (SQLite) or 0666 (``open``, ``tarfile``), which the usual umask 022 leaves
readable by every account on the machine: readers' comments and addresses, the sessions of
signed-in editors, the secret key that signs them.

Usage::

    from byline.core import private_files

    private_files.sqlite_database("/srv/byline/var/byline.sqlite3")  # before SQLite opens it
    with private_files.create(Path("site.tar.gz.partial")) as handle:
        handle.write(data)
    private_files.write(Path("var/admin-password"), password + "\\n")
    key = private_files.read_or_create(Path("var/secret_key"), make=new_key)

This module is imported by ``settings.py``, so it must not import Django.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

MODE = 0o600


def _open_new(path: Path) -> int:
    """A descriptor for a new file at `path` (FileExistsError if there is one), mode 0600.

    O_NOFOLLOW: a link someone left at the name is not followed to a file elsewhere. The
    fchmod makes the mode exact, since os.open's mode is narrowed by the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, MODE)
    try:
        os.fchmod(fd, MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def narrow(path: Path) -> None:
    """Take the group's and others' permissions off an existing file of this user's (one made
    before Byline made it private); a missing file, or another user's, is left alone."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    if info.st_mode & 0o077 and info.st_uid == os.geteuid():
        os.chmod(path, stat.S_IMODE(info.st_mode) & ~0o077)


def create(path: Path) -> BinaryIO:
    """A new file at `path` for writing, mode 0600; any file already at that name is removed
    first (a partial file a killed run left)."""
    path.unlink(missing_ok=True)
    return os.fdopen(_open_new(path), "wb")


def write(path: Path, text: str) -> None:
    """Replace `path` with a 0600 file holding `text`: written under a temporary name and
    renamed into place, so a file that was there before, with whatever mode, is gone whole."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, MODE)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_or_create(path: Path, *, make: Callable[[], str]) -> str:
    """The text of `path` (stripped); if there is no such file, `make()`'s, saved there 0600.

    Several processes starting at once on a new machine (``byline serve``'s workers, the
    scheduler, the task worker) must all end with the same text. Each writes its candidate in
    full under a temporary name and hard-links it to `path`: link() never replaces an existing
    name, so the first link wins, and every process then reads the winner's file, which is
    complete from the moment it has its name."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, MODE)
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
        with contextlib.suppress(FileExistsError):  # another process won: its text it is
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_text().strip()


def sqlite_database(name: str) -> None:
    """Make the SQLite database file `name` private before SQLite first opens it.

    SQLite creates a missing database 0644 and gives the -wal and -shm files it makes beside it
    the database file's own mode; an empty file is a valid new database. So an empty 0600 file
    made here keeps all three private. A database from before is narrowed instead, with the
    -wal and -shm files it has. In-memory databases and URI names are left to SQLite."""
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    if not path.parent.is_dir():
        return  # SQLite will say that it cannot open the file
    try:
        os.close(_open_new(path))
    except FileExistsError:
        for existing in (path, Path(f"{name}-wal"), Path(f"{name}-shm")):
            narrow(existing)
