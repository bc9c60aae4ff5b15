"""Protects every address in every reader response, once per render (see protect.py).

Listed last in MIDDLEWARE, so it sees a response as the view made it, and everything listed
before it (the page store, compression, ETags) sees the protected one: a page kept in the
store was protected when it was rendered and costs nothing more when it is served.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from byline.mailguard.directory import AuthorDirectory
from byline.mailguard.protect import protect_html, protect_text

logger = logging.getLogger(__name__)

_HTML = frozenset({"text/html", "application/xhtml+xml"})
# Code served as text: an address in it could only be a string, and rewriting code is not
# this middleware's business (static files do not come through here anyway).
_CODE = frozenset({"text/css", "text/javascript", "text/ecmascript"})


def response_kind(content_type: str) -> str | None:
    """ "html" for pages, "text" for feeds, sitemaps, JSON and plain text, None otherwise."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in _HTML:
        return "html"
    if media in _CODE:
        return None
    if media.startswith("text/") or media in {"application/json", "application/xml"}:
        return "text"
    if media.endswith(("+xml", "+json")):  # RSS, Atom, JSON Feed, JSON-LD
        return "text"
    return None


class MailguardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt_paths = tuple(settings.BYLINE_MAILGUARD_EXEMPT_PATHS)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        kind = self._kind(request, response)
        if kind is not None:
            self._protect(request, response, kind)
        return response

    def _kind(self, request: HttpRequest, response: HttpResponseBase) -> str | None:
        if getattr(response, "mailguard_exempt", False) or response.streaming:
            return None
        if response.status_code in (204, 304) or request.path.startswith(self.exempt_paths):
            return None
        kind = response_kind(response.get("Content-Type", ""))
        if kind is not None and response.has_header("Content-Encoding"):
            # Compression belongs before this middleware in MIDDLEWARE; say so loudly rather
            # than ship an address or a corrupted body.
            logger.error("mailguard: %s came compressed; not protected", request.path)
            return None
        return kind

    def _protect(self, request: HttpRequest, response: HttpResponseBase, kind: str) -> None:
        charset = response.charset
        source = response.content.decode(charset, errors="surrogateescape")
        directory = AuthorDirectory(request)
        try:
            if kind == "html":
                protected = protect_html(source, directory)
            else:
                protected = protect_text(source, directory)
        except Exception:
            # Never a broken page, and never an address: fall back to plain removal, which
            # cannot break markup (an address never spans a tag).
            logger.exception("mailguard: could not protect %s; addresses removed", request.path)
            protected = protect_text(source, directory)
        if protected is not source:
            response.content = protected.encode(charset, errors="surrogateescape")
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
