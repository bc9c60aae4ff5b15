"""Previews of pages through one middleware chain per process, not one per preview.

Wagtail (7.4, wagtail/models/preview.py) serves a preview by building a request handler and
loading the whole middleware stack for each preview: every middleware is constructed anew,
and WhiteNoise's constructor walks and stats every static file (35-40 ms of CPU of a post's
preview, a third of it). This mixin serves the same dummy request, with the same flags
(`is_dummy`, `is_preview`, `preview_mode`, a private Cache-Control), through a handler loaded
once per process, as the server's own handler is. A change of settings (tests'
override_settings) loads it again.

    class PostPage(PreviewHandlerMixin, Page): ...

Every page type of Byline's takes it (tests/test_architecture.py checks).
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.test.signals import setting_changed
from django.utils.cache import patch_cache_control

# The attribute a dummy request carries its page and preview mode under.
_PREVIEW_ATTR = "_byline_preview"


class _PreviewHandler(BaseHandler):
    """The end of the middleware chain: the page's serve_preview, as in Wagtail's own
    handler, with the page taken from the request rather than from a closure."""

    def _get_response(self, request: HttpRequest) -> HttpResponse:
        page, preview_mode = getattr(request, _PREVIEW_ATTR)
        request.is_preview = True
        request.preview_mode = preview_mode
        response = page.serve_preview(request, preview_mode)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        patch_cache_control(response, private=True)
        return response


_lock = threading.Lock()
_handler: _PreviewHandler | None = None


def preview_handler() -> _PreviewHandler:
    """The process's preview handler, its middleware loaded on first use."""
    global _handler
    with _lock:
        if _handler is None:
            handler = _PreviewHandler()
            handler.load_middleware()
            _handler = handler
        return _handler


def _forget_handler(**kwargs: Any) -> None:
    global _handler
    with _lock:
        _handler = None


setting_changed.connect(_forget_handler, dispatch_uid="byline-core-preview-handler")


class PreviewHandlerMixin:
    """Serve previews through the process's preview handler (see the module's docstring)."""

    def make_preview_request(
        self,
        original_request: HttpRequest | None = None,
        preview_mode: str | None = None,
        extra_request_attrs: dict | None = None,
    ) -> HttpResponse:
        request = WSGIRequest(self._get_dummy_headers(original_request))
        # Tells middleware this is no request of a reader's (as Wagtail's handler does).
        request.is_dummy = True
        for name, value in (extra_request_attrs or {}).items():
            setattr(request, name, value)
        setattr(request, _PREVIEW_ATTR, (self, preview_mode))
        return preview_handler().get_response(request)
