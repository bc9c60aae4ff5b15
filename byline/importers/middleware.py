"""Redirects for WordPress's query-string addresses (/?p=123), which no 404 ever reaches."""

from __future__ import annotations

from collections.abc import Callable

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from wagtail.contrib.redirects.middleware import get_redirect
from wagtail.contrib.redirects.models import Redirect

# WordPress's plain-permalink parameters. Wagtail's RedirectMiddleware acts on 404s only, but
# /?p=123 is the home page with a query string and answers 200, so these need a look first.
LEGACY_PARAMETERS = frozenset(
    {"p", "page_id", "attachment_id", "cat", "tag", "author", "feed", "m", "year", "monthnum"}
)


class LegacyQueryRedirectMiddleware:
    """Send /?p=ID, /?page_id=ID (and the like) to the imported page, as stored in
    Wagtail's redirects by `byline import-wordpress`. Other requests pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"GET", "HEAD"} and not LEGACY_PARAMETERS.isdisjoint(request.GET):
            path = Redirect.normalise_path(request.get_full_path(), decode_unicode=False)
            redirect = get_redirect(request, path)
            if redirect is not None and redirect.link:
                if redirect.is_permanent:
                    return HttpResponsePermanentRedirect(redirect.link)
                return HttpResponseRedirect(redirect.link)
        return self.get_response(request)
