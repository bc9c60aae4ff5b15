"""The store-serving layer: answers anonymous readers from the page store before Django runs.

A hit reads one entry from the store (a file or a Redis key) and answers: no view, no
middleware, no database. Everything else goes to Django, marked, when its key allows
(byline.pagecache.keys.PageKey.storable), so that the storing middleware keeps what it renders;
without the query's tracking parameters (utm_source, fbclid…) when the key left them out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from byline.pagecache.hits import note_hit
from byline.pagecache.keys import ENVIRON_KEY, page_key
from byline.pagecache.respond import STATUS_LINES, respond
from byline.pagecache.store import get_store

logger = logging.getLogger(__name__)


class PageStoreApp:
    """WSGI middleware around Django's application."""

    def __init__(self, application: Callable):
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            key = page_key(environ)
        except Exception:
            logger.exception("Could not work out a page key")
            key = None
        if key is not None:
            try:
                entry = get_store().get(key.key)
            except Exception:
                # A store that is down must not take the site with it: render instead.
                logger.exception("Could not read the page store")
                entry = None
            if entry is not None:
                note_hit(key.key)
                status, headers, body = respond(entry, environ, state="hit")
                start_response(STATUS_LINES[status], headers)
                # A list: the server sends it in one write, and the request log sees it whole.
                return [body]
            if key.dropped:
                # Django renders the address without the tracking parameters: the same page,
                # so it is stored for the plain address (and its pagination links stay clean).
                environ["QUERY_STRING"] = key.query
            if key.storable:
                environ[ENVIRON_KEY] = key
        return self.application(environ, start_response)
