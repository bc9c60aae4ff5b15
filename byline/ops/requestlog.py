"""Structured request logs: one JSON line per request, with nothing a log should not keep.

Each line has the method, the path (never the query string, and with signed tokens in the
path replaced by their parameter name), the status, the duration in milliseconds, the bytes
of the body, and the client address only as a salted hash (the same one comments and rate
limits use). No cookies, no headers, no form data. Lines go to the ``byline.requests`` logger,
which settings send through :class:`JsonFormatter`; for example::

    {"ts": "2026-11-28T00:10:01.123+00:00", "level": "INFO", "logger": "byline.requests",
     "method": "GET", "path": "/blogs/bekkers-blog/", "status": 200, "duration_ms": 12.4,
     "bytes": 18234, "client": "5f0c…"}

Two ways in, one line per request either way: :class:`RequestLogApp` wraps the WSGI
application outermost (so it also logs pages the page store answers before Django runs, and
counts the bytes actually sent), and :class:`RequestLogMiddleware`, first in MIDDLEWARE, logs
what reaches Django; under the WSGI wrapper the middleware only hands it the path with its
tokens hidden (it knows the URL pattern) and leaves the logging to it.
"""

from __future__ import annotations

import datetime
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from types import SimpleNamespace

from django.http import HttpRequest, HttpResponse

from byline.core.formguard import client_ip, ip_hash

logger = logging.getLogger("byline.requests")

# URL parameters that carry secrets (signed unsubscribe links, password-reset tokens): their
# values are logged as "<name>".
SECRET_URL_PARAMETERS = frozenset({"token", "uidb64", "key", "signature"})
# Set in the WSGI environ by RequestLogApp; the middleware leaves the path for it here.
ENVIRON_ACTIVE = "byline.requestlog"
ENVIRON_PATH = "byline.requestlog.path"


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
        if request.META.get(ENVIRON_ACTIVE):
            request.META[ENVIRON_PATH] = _loggable_path(request)
        elif logger.isEnabledFor(logging.INFO):
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


class RequestLogApp:
    """WSGI middleware: one line per request when the response has been sent (or dropped)."""

    def __init__(self, application: Callable):
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not logger.isEnabledFor(logging.INFO):
            return self.application(environ, start_response)
        started = time.perf_counter()
        environ[ENVIRON_ACTIVE] = True
        seen: dict = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        result = self.application(environ, recording_start_response)
        return _LoggedBody(result, environ, seen, started)


class _LoggedBody:
    """The response body, passed through; logs the request when the server closes it."""

    def __init__(self, body: Iterable[bytes], environ: dict, seen: dict, started: float):
        self.body, self.environ, self.seen, self.started = body, environ, seen, started
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            environ = self.environ
            logger.info(
                "request",
                extra={
                    "fields": {
                        "method": environ.get("REQUEST_METHOD", ""),
                        "path": environ.get(ENVIRON_PATH) or _environ_path(environ),
                        "status": self.seen.get("status"),
                        "duration_ms": round((time.perf_counter() - self.started) * 1000, 1),
                        "bytes": self.sent,
                        "client": ip_hash(client_ip(SimpleNamespace(META=environ))),
                    }
                },
            )


def _environ_path(environ: dict) -> str:
    # PEP 3333: PATH_INFO is latin-1 decoded bytes; show it as the UTF-8 it was.
    raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return raw.encode("latin-1", "replace").decode("utf-8", "replace") or "/"


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
