"""Re-rendering stored pages in the background after a change that leaves them correct in
substance (a Featured list, an author's bio, the publication's settings, an import), most-read
first, while readers keep getting the copy they had: no stampede of renders after a purge.

    refresh(tags={tags.FEATURED_SITE})   # on commit: every page showing the Featured list
    refresh(everything=True)             # on commit: every stored page

A change that removes or hides something (an unpublished or deleted post, a view restriction,
a removed comment) purges at once instead (byline.pagecache.services.purge): readers must not
be shown it again, even for the seconds a re-render takes.

On commit, refresh() starts a new generation of the store (a render begun before the change
cannot store what it read) and queues rerender_pages, which the task worker runs: it finds
the stored pages depending on the tags and rendered before the change, orders them by the
hits the store counted (byline.pagecache.hits), and renders each again through Django as a
reader's request would, replacing the entry. A page that is no longer the same for every
reader (gone, restricted), or whose new copy is not kept, is removed. Every SLICE_SECONDS it
queues the rest and stops, so that other background work (mail, renditions) waits no longer
than that.

Without a worker (the immediate task backend: tests, BYLINE_TASKS_IMMEDIATE) the editor's
request would wait for every render, and with BYLINE_PAGECACHE_REFRESH=0 (to compare, in
bench/featured_change.py) it is not wanted: both purge as before.
"""

from __future__ import annotations

import logging
import os
import time

from django.conf import settings
from django.db import transaction
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend
from wagtail.models import Page

from byline.core.handler import ReaderHandler, ReaderRequest
from byline.pagecache.inprocess import page_environ
from byline.pagecache.keys import PageKey, normal_host
from byline.pagecache.store import EntryHead, get_store

logger = logging.getLogger(__name__)

# How long one run of the task renders before it queues the rest behind other tasks.
SLICE_SECONDS = 10.0


def refresh_enabled() -> bool:
    """BYLINE_PAGECACHE_REFRESH (default on): re-render in the background rather than purge.
    A setting when one is given (tests), else the environment variable."""
    value = getattr(settings, "BYLINE_PAGECACHE_REFRESH", None)
    if value is None:
        value = os.environ.get("BYLINE_PAGECACHE_REFRESH", "1").strip().lower() not in {
            "0",
            "false",
            "no",
            "off",
        }
    return bool(value)


def in_background() -> bool:
    """Whether a task worker would run the re-render (not the request that queues it)."""
    return not isinstance(rerender_pages.get_backend(), ImmediateBackend)


def refresh(*, tags: set[str] = frozenset(), everything: bool = False) -> None:
    """Once the current transaction commits, re-render in the background the stored pages
    depending on `tags` (or every stored page); they are served as they are meanwhile."""
    if not settings.BYLINE_PAGECACHE:
        return
    if not (refresh_enabled() and in_background()):
        from byline.pagecache.services import purge

        purge(tags=tags, everything=everything)
        return
    tags = sorted(tags)

    def run() -> None:
        since = time.time()
        try:
            get_store().bump()
            rerender_pages.enqueue(tags=tags, everything=everything, since=since)
        except Exception:
            # No re-render queued: the pages must not stay as they are. Purge them.
            logger.exception("Could not queue a re-render of the page store; purging instead")
            from byline.pagecache.services import purge_now

            purge_now(set(tags), set(), everything)

    transaction.on_commit(run)


def purge_post_later(post) -> None:
    """Once the current transaction commits, purge in the background every page showing
    `post` (byline.pagecache.services.purge_post, which looks up its blog, bylines, tags and
    neighbours); at once where no worker would (the immediate backend) or nothing can be
    queued."""
    if not settings.BYLINE_PAGECACHE:
        return
    from byline.pagecache.services import purge_post

    if not in_background():
        purge_post(post)
        return
    post_id, path = post.pk, post.path

    def run() -> None:
        try:
            purge_post_pages.enqueue(post_id=post_id, path=path)
        except Exception:
            logger.exception("Could not queue the purge of post %s; purging now", post_id)
            purge_post(Page(pk=post_id, path=path))

    transaction.on_commit(run)


@task()
def purge_post_pages(*, post_id: int, path: str) -> None:
    """The background half of purge_post_later (outside a transaction, so at once)."""
    from byline.pagecache.services import purge_post

    purge_post(Page(pk=post_id, path=path))


def stale_pages(store, *, tags: list[str], everything: bool, since: float) -> list[tuple]:
    """(key, head) of the stored pages depending on `tags` (all with `everything`) rendered
    before `since`, most-read first. (Every page stored before a change was rendered before
    it: refresh() starts a new generation as it notes `since`, and a render that began before
    cannot store after that.)"""
    keys = store.keys() if everything else store.members(set(tags))
    stale = []
    for key in keys:
        head = store.head(key)
        if head is not None and head.rendered < since:
            stale.append((key, head))
    hits = store.hit_counts()
    stale.sort(key=lambda pair: hits.get(pair[0], 0), reverse=True)
    return stale


@task()
def rerender_pages(*, tags: list[str], everything: bool = False, since: float) -> int:
    """Render again, most-read first, the stored pages depending on `tags` (or all) that were
    rendered before `since`; queue the rest after SLICE_SECONDS. Returns how many it did."""
    store = get_store()
    started = time.monotonic()
    handler = ReaderHandler()
    done = 0
    for key, head in stale_pages(store, tags=tags, everything=everything, since=since):
        if time.monotonic() - started > SLICE_SECONDS:
            rerender_pages.enqueue(tags=tags, everything=everything, since=since)
            break
        try:
            rerender(handler, store, key, head)
        except Exception:  # noqa: BLE001
            # One page failing must not leave the others stale: this one goes.
            logger.exception("Could not re-render %s", head.path)
            store.delete(key)
        done += 1
    return done


def rerender(handler: ReaderHandler, store, key: str, head: EntryHead) -> bool:
    """Render the page stored under `key` as a reader's request for it would, storing the
    new copy in its place; remove the entry when the new copy is not stored (the page gone,
    restricted or personal, the store full) or the entry cannot be asked for again (stored
    before entries kept their origin). Whether it stored."""
    scheme, _, host = head.origin.partition("://")
    parts = normal_host(host, scheme) if host else None
    if scheme not in ("http", "https") or parts is None:
        store.delete(key)  # stored before entries kept their origin
        return False
    path, _, query = head.path.partition("?")
    _domain, port = parts
    page = PageKey(key=key, path=path, query=query, host=host, port=port)
    environ = page_environ(page, scheme=scheme)
    # The handler's middleware and view, without the request signals, which would close
    # the worker's (or a test's) database connection.
    response = handler.get_response(ReaderRequest(environ))
    try:
        stored = response.get("X-Byline-Cache", "") == "miss"
    finally:
        response.close()
    if not stored:
        # Gone, restricted or personal now; or not kept (the store full, or another change
        # while it rendered): the old copy goes, and the next reader renders it.
        store.delete(key)
    return stored
