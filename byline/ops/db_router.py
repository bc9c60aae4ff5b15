"""Reads from a PostgreSQL read replica, writes to the primary (DATABASE_REPLICA_URL).

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database and this router. Reads
go to the replica, except in a request that has written (or is inside a transaction): a
reader who just posted a comment, or an editor who just published, must see their own change,
and a replica may lag the primary by a moment. A render the page store will keep, and a
`byline bake`, read the primary too (``read_from_primary()``): what they keep outlives the lag.
Migrations run on the primary only; the replica gets them through replication.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"

_state = threading.local()
# Apart from the request's pin, which ReplicaPinningMiddleware sets afresh on every request
# (the bake renders each page as a request of its own).
_primary_reads: ContextVar[bool] = ContextVar("byline_primary_reads", default=False)


def _pinned() -> bool:
    # in_atomic_block does not open a connection just to ask.
    return (
        _primary_reads.get()
        or getattr(_state, "pinned", False)
        or connections[PRIMARY].in_atomic_block
    )


class PrimaryReplicaRouter:
    """Django database router: see the module docstring."""

    def db_for_read(self, model, **hints) -> str:
        return PRIMARY if _pinned() else REPLICA

    def db_for_write(self, model, **hints) -> str:
        _state.pinned = True  # this request (or task) has written: read your own writes
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two doors

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        return db == PRIMARY


class ReplicaPinningMiddleware:
    """Reset the pin at the start of each request; editors (logged in) and every non-safe
    request read from the primary throughout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _state.pinned = request.method not in {"GET", "HEAD", "OPTIONS"} or bool(
            request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        )
        try:
            return self.get_response(request)
        finally:
            _state.pinned = False


@contextmanager
def read_from_primary() -> Iterator[None]:
    """Send every read inside the block to the primary. For renders that are kept: the page
    store purges a page when a post is unpublished or a comment removed, and the next reader's
    render, read from a replica a moment behind, would store the old page again, served until
    another purge or for BYLINE_PAGECACHE_MAX_AGE (a day)."""
    token = _primary_reads.set(True)
    try:
        yield
    finally:
        _primary_reads.reset(token)
