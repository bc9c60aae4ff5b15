"""Files only Byline's own user may read, such as the secrets it generates under var/.

Usage::

    from byline.core import private_files

    key = private_files.read_or_create(Path("var/secret_key"), make=new_key)

This module is imported by ``settings.py``, so it must not import Django.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

MODE = 0o600


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
