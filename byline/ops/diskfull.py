"""A full disk is an answer the editor can act on, and leaves no half-written file behind.

Without this, a write that runs out of space (ENOSPC, or EDQUOT under a quota) is a 500 and
Django's file storage leaves the partial file in MEDIA_ROOT. :class:`CleanFileSystemStorage`
removes the partial file; :class:`DiskFullMiddleware` answers 507 Insufficient Storage
(RFC 4918 §11.5) with a page saying nothing was saved. The database write that would have
followed the file never happens, and the request's transaction (if any) is rolled back.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from collections.abc import Callable

from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

FULL = {errno.ENOSPC, errno.EDQUOT}


def is_disk_full(error: BaseException) -> bool:
    """True for an out-of-space error, also when SQLite reports it ("database or disk is
    full") and when it is the cause of another exception."""
    while error is not None:
        if isinstance(error, OSError) and error.errno in FULL:
            return True
        if isinstance(error, DatabaseError) and "disk is full" in str(error).lower():
            return True
        error = error.__cause__ or error.__context__
    return False


class CleanFileSystemStorage(FileSystemStorage):
    """Django's file storage, minus the partial file a failed write leaves behind."""

    def _save(self, name, content):
        full_path = self.path(name)
        existed = os.path.exists(full_path)
        try:
            return super()._save(name, content)
        except OSError:
            if not existed:
                with contextlib.suppress(OSError):
                    os.remove(full_path)
            raise


class DiskFullMiddleware:
    """Turns an out-of-space error anywhere in a request into a clear 507 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not is_disk_full(exception):
            return None
        logger.error("disk full while handling %s %s", request.method, request.path)
        return render(request, "ops/disk_full.html", status=507)
