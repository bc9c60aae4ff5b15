"""Stores what Django renders for the page store: first in MIDDLEWARE, so that what it keeps
is the response every other middleware (mailguard, security headers) has finished."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

from byline.ops.db_router import read_from_primary
from byline.pagecache import tracking
from byline.pagecache.keys import ENVIRON_GZIP_ONLY, ENVIRON_KEY, PageKey
from byline.pagecache.respond import respond
from byline.pagecache.services import entry_for
from byline.pagecache.store import get_store

logger = logging.getLogger(__name__)


def keeps(request: HttpRequest, key: PageKey) -> bool:
    """Whether the render of `request` may be filed under `key`: Django read the host the key
    names (not, say, a proxy's X-Forwarded-Host, whose links would then be served for this
    host), on no port or the one the server listens on (behind a proxy the Host has none;
    any other is a typing error or a flood, each port a site of its own), and a ?page=N is
    a page of a listing the view paginated (elsewhere every N would take an entry of its
    own: a post page with ?page=7 is still the post page)."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return False
    if key.host and host != key.host:
        return False
    if key.port and key.port != request.META.get("SERVER_PORT"):
        return False
    return not key.query or key.query == f"page={getattr(request, 'listing_page_number', '')}"


class PageStoreMiddleware:
    """On a request the store-serving layer (byline.pagecache.wsgi) could not answer, note
    what the page depends on while it renders and keep it if it is the same for everyone.

    Requests that did not come through that layer (it found them personal, or it is not in
    front: tests, `byline bake` aside) pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(ENVIRON_KEY)
        if key is None:
            return self.get_response(request)
        store = get_store()
        try:
            generation = store.generation()
        except Exception:
            # A store that is down (Redis refusing, out of memory) costs storing, not the
            # reader's page: render as if the store were not in front.
            logger.exception("Could not read the page store's generation")
            return self.get_response(request)
        token = tracking.start()
        # From the primary: a replica a moment behind would store again what was just purged.
        with read_from_primary():
            try:
                response = self.get_response(request)
            finally:
                deps = tracking.stop(token)
            brotli_too = not request.META.get(ENVIRON_GZIP_ONLY, False)
            entry = (
                entry_for(request, response, deps=deps, brotli_too=brotli_too)
                if keeps(request, key)
                else None
            )
        if entry is None:
            return response
        # What a background re-render asks for again, and whether a change came after this
        # render (byline.pagecache.refresh).
        entry.origin = f"{request.scheme}://{key.host or request.get_host()}"
        entry.rendered = time.time()
        try:
            stored = store.put(key.key, entry, generation=generation)
        except Exception:  # a full disk, Redis refusing or out of memory: serve, don't store
            logger.exception("Could not store %s in the page store", request.path)
            stored = False
        status, headers, body = respond(entry, request.META, state="miss" if stored else "pass")
        answer = HttpResponse(body, status=status)
        for name, value in headers:
            answer[name] = value
        # For a caller in this process that writes the page out too (`byline bake`): its
        # compressed bodies, made once.
        answer.stored_entry = entry
        return answer
