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
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse

from byline.core.formguard import client_ip, ip_hash

logger = logging.getLogger("byline.requests")

# URL parameters that carry secrets (signed unsubscribe links, password-reset tokens): their
# values are logged as "<name>".
SECRET_URL_PARAMETERS = frozenset({"token", "uidb64", "key", "signature"})
# Set in the WSGI environ by RequestLogApp; the middleware leaves the path for it here.
ENVIRON_ACTIVE = "byline.requestlog"
ENVIRON_PATH = "byline.requestlog.path"
# Set by renders no client asked for (a bake's pages, a background re-render): not logged,
# as they are not requests; a bake of 20,000 pages would otherwise write 20,000 lines.
ENVIRON_NOT_A_REQUEST = "byline.requestlog.not_a_request"


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
        elif logger.isEnabledFor(logging.INFO) and not request.META.get(ENVIRON_NOT_A_REQUEST):
            logger.info(
                "request",
                extra={
                    "fields": {
                        "method": request.method,
                        "path": _loggable_path(request),
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "bytes": _body_bytes(response),
                        "client": ip_hash(client_ip(request.META)),
                    }
                },
            )
        return response


class RequestLogApp:
    """WSGI middleware: one line per request when the response has been sent (or dropped).

    A body handed over whole (a list: what the page store answers) is logged at once and
    passed on as it is, so the server can still send it in one write; any other body is
    logged when the server closes it."""

    def __init__(self, application: Callable):
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not logger.isEnabledFor(logging.INFO):
            return self.application(environ, start_response)
        started = time.perf_counter()
        environ[ENVIRON_ACTIVE] = True
        seen: list[str] = []

        def recording_start_response(status, headers, exc_info=None):
            seen.append(status)
            return start_response(status, headers, exc_info)

        result = self.application(environ, recording_start_response)
        if type(result) is list:
            log_request(environ, seen, started, sum(map(len, result)))
            return result
        return _LoggedBody(result, environ, seen, started)


class _LoggedBody:
    """The response body, passed through; logs the request when the server closes it."""

    def __init__(self, body: Iterable[bytes], environ: dict, seen: list[str], started: float):
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
            log_request(self.environ, self.seen, self.started, self.sent)


def log_request(environ: dict, seen: list[str], started: float, sent: int) -> None:
    """Write the line for a request answered with `seen[-1]` and `sent` body bytes."""
    fields = {
        "method": environ.get("REQUEST_METHOD", ""),
        "path": environ.get(ENVIRON_PATH) or _environ_path(environ),
        "status": int(seen[-1].split(" ", 1)[0]) if seen else None,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "bytes": sent,
        "client": client_hash(environ),
    }
    # makeRecord and handle, not logger.info: the same record and handlers, without the
    # caller lookup (a walk up the stack) that no line of this log shows.
    logger.handle(
        logger.makeRecord(
            logger.name, logging.INFO, __file__, 0, "request", (), None, extra={"fields": fields}
        )
    )


# Hashes of the addresses seen lately: a salted HMAC costs more than the rest of a page-store
# hit, and a reader asks for many pages. Bounded, and only short headers are kept.
_client_hashes: dict[tuple[str, str | None], str] = {}
CLIENT_HASHES = 4096


def client_hash(environ: Mapping[str, Any]) -> str:
    """`ip_hash(client_ip(environ))`, remembered by the two headers it depends on."""
    forwarded_for = environ.get("HTTP_X_FORWARDED_FOR")
    key = (environ.get("REMOTE_ADDR", ""), forwarded_for)
    try:
        return _client_hashes[key]
    except KeyError:
        pass
    value = ip_hash(client_ip(environ))
    if forwarded_for is None or len(forwarded_for) <= 256:
        if len(_client_hashes) >= CLIENT_HASHES:
            _client_hashes.clear()
        _client_hashes[key] = value
    return value


def forget_client_hashes() -> None:
    """Hash addresses afresh (the salt, the key or the trusted proxies changed)."""
    _client_hashes.clear()


def _environ_path(environ: dict) -> str:
    # PEP 3333: PATH_INFO is latin-1 decoded bytes; show it as the UTF-8 it was.
    raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return raw.encode("latin-1", "replace").decode("utf-8", "replace") or "/"


_ENCODER = json.JSONEncoder(default=str)


@lru_cache(maxsize=4)
def _second(timestamp: int) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _timestamp(created: float) -> str:
    # What isoformat(timespec="milliseconds") gives, with the date part made once a second.
    whole = int(created)
    return f"{_second(whole)}.{int((created - whole) * 1000):03d}+00:00"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (or the record's `fields`),
    and the traceback of an exception when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": _timestamp(record.created),
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
        return _ENCODER.encode(entry)
