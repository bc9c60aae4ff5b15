"""The WSGI handler readers' requests go through: Django's, with each request's host worked
out once (the server, `byline bake` and the background re-render use it)."""

from __future__ import annotations

import django
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest


class ReaderRequest(WSGIRequest):
    """Django's request, remembering what get_host() found. A post page asks for its host
    about twenty times (each remembered piece's key, each post link, the feeds), and each
    time Django took it from the headers again and checked it against ALLOWED_HOSTS: 2-3% of
    a post page's CPU in a bake. A request's headers and the settings do not change while it
    is served; a host that is not allowed raises every time, as in Django."""

    def get_host(self) -> str:
        host = self.__dict__.get("_byline_host")
        if host is None:
            host = self.__dict__["_byline_host"] = super().get_host()
        return host


class ReaderHandler(WSGIHandler):
    request_class = ReaderRequest


def reader_application() -> ReaderHandler:
    """django.core.wsgi.get_wsgi_application(), with ReaderHandler."""
    django.setup(set_prefix=False)
    return ReaderHandler()
