"""Structured request logs: one JSON line per request, with nothing a log should not keep.

Each line has the method, the path (never the query string, and with signed tokens in the
path replaced by their parameter name), the status, the duration in milliseconds, the bytes
of the body, and the client address only as a salted hash (the same one comments and rate
limits use). No cookies, no headers, no form data. Lines go to the ``byline.requests`` logger,
which settings send through :class:`JsonFormatter`; for example::

    {"ts": "2026-11-28T00:10:01.123+00:00", "level": "INFO", "logger": "byline.requests",
     "method": "GET", "path": "/blogs/bekkers-blog/", "status": 200, "duration_ms": 12.4,
     "bytes": 18234, "client": "5f0c…"}
"""

from __future__ import annotations

import datetime
import json
import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from byline.core.formguard import client_ip, ip_hash

logger = logging.getLogger("byline.requests")

# URL parameters that carry secrets (signed unsubscribe links, password-reset tokens): their
# values are logged as "<name>".
SECRET_URL_PARAMETERS = frozenset({"token", "uidb64", "key", "signature"})


def _loggable_path(request: HttpRequest) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_PARAMETERS and isinstance(value, str) and value:
                path = path.replace(value, f"<{name}>")
    return path


def _body_bytes(response: HttpResponse) -> int | None:
    length = response.get("Content-Length")
    if length and length.isdigit():
        return int(length)
    if getattr(response, "streaming", False):
        return None  # not known until sent; streamed files set Content-Length themselves
    return len(response.content)


class RequestLogMiddleware:
    """Logs every request that reaches Django; first in MIDDLEWARE, so the duration covers
    the whole stack and the status is the one the reader got."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "request",
                extra={
                    "fields": {
                        "method": request.method,
                        "path": _loggable_path(request),
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "bytes": _body_bytes(response),
                        "client": ip_hash(client_ip(request)),
                    }
                },
            )
        return response


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (or the record's `fields`),
    and the traceback of an exception when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
