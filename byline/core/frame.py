"""What every reader page shares, read once per content version instead of once per request.

The page frame (the Wagtail site answering a host, the view restrictions, the masthead's and
footer's links, the footer, the Featured lists) changes only when an editor changes
something. Every such change bumps one *content version*, shared by every process (worker,
task worker, app server): a key in Redis with REDIS_URL, else a file beside the file cache's
(a cache private to one process, such as LocMemCache, would not reach the others). A request
reads the version once (one cache get, or one small file read) and each process keeps the
pieces it built under that version in memory: while nothing changes, a render reads the
frame with no query.

    remembered(request, ("nav", site.pk), lambda: read_the_links(site))

Pieces of one page (a post's neighbours, the HTML of its comment form) are remembered with
`per_page=True`: at most MAX_PER_PAGE of them per process, the least recently used dropped
first, so that a crawler walking 100,000 posts does not grow a worker without bound. Pieces
of one post, author or tag that many pages show (a post as listings load it, its summary, a
tag's newest posts) are remembered with `per_item=True`, bounded apart (MAX_PER_ITEM), so
that the pieces of pages read once (a crawl's) do not push out those every listing reuses;
a bake, which reads each listed post's pieces on several pages, raises that bound
(`holding_items`).

Whoever keeps whole rendered pages (the page store) learns what a render showed by watching
the rows it loads; a remembered piece loads none on a hit. So a piece is built under the
dependency tracker registered with `track_dependencies`, and what it noted then is noted
again each time the piece is used.

A bump happens at once (inside the editor's transaction: a bump that fails fails the change,
so nothing hidden stays shown) and again once the transaction commits, so that no process
keeps under the new version what it read before the commit. Versions are random tokens,
never reused: a cache that loses the key (eviction, a cull) only starts a new version.
Pieces are read from the primary database (see byline.ops.db_router): a replica a moment
behind must not be kept under a version that outlives it.

Apps above core remember their own pieces (publication's footer, featured's lists) and bump
on their own changes; core bumps on pages, restrictions and sites (connect()).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.http import HttpRequest

from byline.core.smallfiles import read_small

logger = logging.getLogger(__name__)

VERSION_KEY = "byline:frame:version"
# The attribute a request keeps its version under: read once per request.
_REQUEST_ATTR = "_byline_frame_version"
# Most hosts remembered per version: a Host header is the client's to choose.
MAX_HOSTS = 64
# Most per-page pieces kept per process: a post's context is a few dozen kB, so this bounds
# them to a few MB while the most-read pages (the ones that matter) stay.
MAX_PER_PAGE = 256
# Most pieces of single posts, authors and tags per process: a post as a listing loads it is
# about 10 kB, its summary 1 kB, so this bounds them to about 10 MB.
MAX_PER_ITEM = 1024

T = TypeVar("T")
_lock = threading.Lock()
_version: str | None = None
_pieces: dict[Hashable, tuple[Any, float | None, Any]] = {}
_per_page: OrderedDict[Hashable, tuple[Any, float | None, Any]] = OrderedDict()
_per_item: OrderedDict[Hashable, tuple[Any, float | None, Any]] = OrderedDict()


class DependencyTracker:
    """What the page store registers (byline.pagecache.tracking): `start()` begins noting
    the rows a build loads, `stop(token)` ends it and returns them (also noting them for a
    render being tracked around it), `replay(noted)` notes them again on a hit."""

    def start(self) -> Any:
        return None

    def stop(self, token: Any, *, replay: bool = True) -> Any:
        return None

    def replay(self, noted: Any) -> None:
        pass

    def noted_for(self, rows: Iterable[Any]) -> Any:
        """What loading `rows` (model instances) notes: the notes of one piece among several
        built together."""
        return None


_tracker = DependencyTracker()


def track_dependencies(tracker: DependencyTracker) -> None:
    global _tracker
    _tracker = tracker


class _FileVersion:
    """The version as a small file beside the file cache's entries (not one of them: the
    cache culls a random third of its entries when full, and a lost version costs every
    process its frame). Written whole (a temporary file renamed over it); read in one
    open() and read()."""

    def __init__(self, path: Path):
        self.path = path
        self._name = os.fspath(path)

    def get(self) -> str | None:
        # Not pathlib's read_text: a page asks two or three times (its request once, callers
        # without one each time).
        try:
            return read_small(self._name).decode() or None
        except FileNotFoundError:
            return None

    def _temporary(self, value: str) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".frame-")
        with os.fdopen(fd, "w") as file:
            file.write(value)
        return temporary

    def add(self, value: str) -> None:
        temporary = self._temporary(value)
        try:
            os.link(temporary, self.path)  # only if there is none yet
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)

    def set(self, value: str) -> None:
        os.replace(self._temporary(value), self.path)


class _CacheVersion:
    """The version as a key of the shared cache (Redis)."""

    def get(self) -> str | None:
        return cache.get(VERSION_KEY)

    def add(self, value: str) -> None:
        cache.add(VERSION_KEY, value, timeout=None)

    def set(self, value: str) -> None:
        cache.set(VERSION_KEY, value, timeout=None)


def _store() -> _FileVersion | _CacheVersion:
    config = settings.CACHES["default"]
    if config["BACKEND"].endswith("FileBasedCache"):
        return _file_version(config["LOCATION"])
    return _CacheVersion()


@functools.lru_cache(maxsize=8)
def _file_version(location: str) -> _FileVersion:
    return _FileVersion(Path(location) / "frame-version")


def content_version() -> str | None:
    """The current content version, or None when it cannot be read (then nothing is
    remembered: every request reads what it shows)."""
    try:
        store = _store()
        version = store.get()
        if version is None:
            # First use, or the key was evicted: a new version (never an old one).
            store.add(uuid.uuid4().hex)
            version = store.get()
    except Exception:
        logger.warning("Could not read the content version; the frame is read afresh.")
        return None
    return version


def request_version(request: HttpRequest | None) -> str | None:
    """The content version as `request` first read it (one cache get per request)."""
    if request is None:
        return content_version()
    try:
        return getattr(request, _REQUEST_ATTR)
    except AttributeError:
        version = content_version()
        setattr(request, _REQUEST_ATTR, version)
        return version


def _set_new_version() -> None:
    _store().set(uuid.uuid4().hex)


def _bump_after_commit() -> None:
    try:
        _set_new_version()
    except Exception:
        # The bump inside the transaction happened; say so loudly all the same.
        logger.exception("Could not bump the content version after a commit")


def bump(*args: Any, **kwargs: Any) -> None:
    """Something readers see in the frame changed (usable as a signal receiver): a new
    version now (an error here fails the change) and another once the transaction commits."""
    _set_new_version()
    transaction.on_commit(_bump_after_commit)


def _read_from_primary() -> contextlib.AbstractContextManager:
    # With a read replica, reads inside a transaction go to the primary (byline.ops.db_router);
    # on a single database no transaction is needed (and SQLite's would take the write lock).
    if len(connections.databases) > 1:
        return transaction.atomic()
    return contextlib.nullcontext()


def _enter(version: str) -> None:
    """Under _lock: forget what was kept under another version."""
    global _version
    if _version != version:
        _version = version
        _pieces.clear()
        _per_page.clear()
        _per_item.clear()


def _live(held: tuple[Any, float | None, Any] | None) -> bool:
    return held is not None and (held[1] is None or held[1] > time.time())


def _bounded(per_item: bool) -> tuple[OrderedDict, int]:
    return (_per_item, MAX_PER_ITEM) if per_item else (_per_page, MAX_PER_PAGE)


def _keep_bounded(key: Hashable, held: tuple[Any, float | None, Any], per_item: bool) -> None:
    """Under _lock: keep a single page's (or item's) piece, dropping the least recently used
    beyond the bound."""
    kept, bound = _bounded(per_item)
    kept[key] = held
    kept.move_to_end(key)
    while len(kept) > bound:
        kept.popitem(last=False)


@contextlib.contextmanager
def holding_items(count: int) -> Iterator[None]:
    """Keep up to `count` pieces of single posts, authors and tags in this process while
    inside (a bake: it shows each listed post on several pages; see MAX_PER_ITEM), and read
    ahead (see reading_ahead)."""
    global MAX_PER_ITEM, _reading_ahead
    before, MAX_PER_ITEM = MAX_PER_ITEM, max(count, MAX_PER_ITEM)
    was_reading_ahead, _reading_ahead = _reading_ahead, True
    try:
        yield
    finally:
        MAX_PER_ITEM, _reading_ahead = before, was_reading_ahead
        with _lock:
            while len(_per_item) > MAX_PER_ITEM:
                _per_item.popitem(last=False)


_reading_ahead = False


def reading_ahead() -> bool:
    """Whether this process is inside `holding_items`: a crawl that reads most items, where a
    piece built for one page may as well build those the next pages will ask for in the same
    statement (a listing's next posts). Serving keeps to what each page asks for, within
    MAX_PER_ITEM."""
    return _reading_ahead


def _build_noted(build: Callable[[], T], *, replay: bool = True) -> tuple[T, Any]:
    """`build()` from the primary, with the rows it loaded as the tracker noted them (and,
    unless `replay` is false, noted for the render around it too)."""
    token = _tracker.start()
    try:
        with _read_from_primary():
            value = build()
    finally:
        noted = _tracker.stop(token, replay=replay)
    return value, noted


def note_loaded(rows: Iterable[Any]) -> None:
    """Note `rows` (model instances) for the render being tracked, as loading them would:
    for rows loaded once and handed out again."""
    _tracker.replay(_tracker.noted_for(rows))


def remembered(
    request: HttpRequest | None,
    key: Hashable,
    build: Callable[[], T],
    *,
    until: Callable[[T], float | None] | None = None,
    per_page: bool = False,
    per_item: bool = False,
) -> T:
    """`build()`, or what it returned under the current content version in this process.
    `until(value)` may give a time (epoch seconds) after which the value is built again
    (a Featured item's window). `per_page` keeps it among the bounded pieces of single pages,
    `per_item` among those of single posts, authors and tags (see above; it wins over
    `per_page`). What `build`
    returns is shared by every request of this process: it must not be changed by whoever
    reads it."""
    version = request_version(request)
    if version is None:
        return build()
    bounded = per_page or per_item
    with _lock:
        _enter(version)
        kept = _bounded(per_item)[0] if bounded else _pieces
        held = kept.get(key)
        if held is not None and bounded:
            kept.move_to_end(key)
    if _live(held):
        _tracker.replay(held[2])
        return held[0]
    value, noted = _build_noted(build)
    expires = until(value) if until is not None else None
    with _lock:
        if _version == version:
            if bounded:
                _keep_bounded(key, (value, expires, noted), per_item)
            else:
                _pieces[key] = (value, expires, noted)
    return value


def remembered_unless_preview(
    request: HttpRequest | None,
    key: Hashable,
    build: Callable[[], T],
    *,
    until: Callable[[T], float | None] | None = None,
    per_page: bool = False,
    per_item: bool = False,
) -> T:
    """`remembered`, but in a preview `build()` every time: a preview shows the editor's
    unsaved state under the live page's keys."""
    if getattr(request, "is_preview", False):
        return build()
    return remembered(request, key, build, until=until, per_page=per_page, per_item=per_item)


def remembered_each(
    request: HttpRequest | None,
    keys: list[Hashable],
    build_missing: Callable[[list[Hashable]], dict[Hashable, Any]],
    *,
    rows_of: Callable[[Any], Iterable[Any]] | None = None,
    ahead: Iterable[Hashable] = (),
) -> dict[Hashable, Any]:
    """`remembered` for several pieces of single posts, authors or tags at once (per_item),
    those not held built together by one `build_missing(missing_keys)` (a single statement
    rather than one per piece), which returns a value for each it found (a key it leaves out
    is missing from the answer too).

    With `rows_of(value)`, the model instances a piece was made of, each piece notes what its
    own rows note. Without it, each piece built together notes what the whole build loaded:
    a page using one may be purged by a change to another of its batch, never kept past a
    change to its own. `ahead` names pieces to build with the missing ones, if any are
    missing and they are not held (kept, not returned): only with `rows_of`, so that reading
    ahead does not widen what each piece notes."""
    if ahead and rows_of is None:
        raise ValueError("remembered_each reads ahead only with rows_of")
    version = request_version(request)
    if version is None:
        return build_missing(list(keys))
    found: dict[Hashable, Any] = {}
    with _lock:
        _enter(version)
        for key in keys:
            held = _per_item.get(key)
            if _live(held):
                _per_item.move_to_end(key)
                found[key] = held
    for held in found.values():
        _tracker.replay(held[2])
    values = {key: held[0] for key, held in found.items()}
    missing = [key for key in keys if key not in found]
    if not missing:
        return values
    if rows_of is None:
        built, noted = _build_noted(lambda: build_missing(missing))
        notes = dict.fromkeys(built, noted)
    else:
        wanted = set(missing)
        with _lock:
            extra = [
                key
                for key in dict.fromkeys(ahead)
                if key not in wanted and not _live(_per_item.get(key))
            ]
        built, _batch = _build_noted(lambda: build_missing(missing + extra), replay=False)
        notes = {key: _tracker.noted_for(rows_of(value)) for key, value in built.items()}
        for key in missing:
            if key in built:
                _tracker.replay(notes[key])
    with _lock:
        if _version == version:
            for key, value in built.items():
                _keep_bounded(key, (value, None, notes[key]), per_item=True)
    values.update((key, built[key]) for key in missing if key in built)
    return values


def forget() -> None:
    """Drop what this process remembers (tests that change the database behind its back)."""
    global _version
    with _lock:
        _version = None
        _pieces.clear()
        _per_page.clear()
        _per_item.clear()


# -- the pieces core knows: the site for a host, and view restrictions -----------------------


def find_site(request: HttpRequest):
    """Wagtail's Site.find_for_request lookup, remembered per host and port; and the sites'
    root paths, which every page URL of the request is made from."""
    from django.http.request import split_domain_port

    _give_site_root_paths(request)
    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    key = ("site", hostname, port)
    with _lock:
        known = key in _pieces or sum(1 for k in _pieces if k[0] == "site") < MAX_HOSTS
    if not known:
        return _wagtail_find_site(request)
    return remembered(request, key, lambda: _wagtail_find_site(request))


_wagtail_find_site: Callable[[HttpRequest], Any] = None  # type: ignore[assignment]


def _give_site_root_paths(request: HttpRequest) -> None:
    """Give `request` the sites' root paths, which Wagtail reads (from the shared cache, once
    per request) to make any page's URL: remembered per content version here, as sites and
    pages start a new one. Wagtail keeps them on the request under this attribute."""
    if hasattr(request, "_wagtail_cached_site_root_paths"):
        return
    from wagtail.models import Site

    request._wagtail_cached_site_root_paths = remembered(
        request, ("site-root-paths",), Site.get_site_root_paths
    )


def install_site_lookup() -> None:
    """Make Wagtail's Site.find_for_request (every caller's) use find_site."""
    global _wagtail_find_site
    from wagtail.models import Site

    if _wagtail_find_site is None:
        _wagtail_find_site = Site._find_for_request
        Site._find_for_request = staticmethod(find_site)


class Restrictions(list):
    """The view restrictions covering a page: a list that answers `exists()` as the queryset
    Wagtail's Page.get_view_restrictions() returns does."""

    def exists(self) -> bool:
        return bool(self)

    def __call__(self) -> Restrictions:
        # Set on a page in place of its get_view_restrictions method; unlike a closure, it
        # pickles with the page.
        return self


def _all_restrictions() -> tuple[list, list[str]]:
    from wagtail.models import Page, PageViewRestriction

    restrictions = list(PageViewRestriction.objects.select_related("page").order_by("pk"))
    alias_paths = list(
        Page.objects.filter(alias_of__isnull=False).values_list("path", flat=True)[:1000]
    )
    return [(r.page.path, r) for r in restrictions], alias_paths


def remember_view_restrictions(request: HttpRequest, page) -> None:
    """Give `page` the restrictions covering it from the remembered list, so Wagtail's check
    before serving (and is_restricted) runs no query. Pages under an alias are left to
    Wagtail, which resolves aliases to their source's restrictions."""
    restrictions, alias_paths = remembered(request, ("restrictions",), _all_restrictions)
    if len(alias_paths) >= 1000 or any(page.path.startswith(path) for path in alias_paths):
        return
    covering = Restrictions(r for path, r in restrictions if page.path.startswith(path))
    page.get_view_restrictions = covering


def connect() -> None:
    """Bump the version on every change to pages, view restrictions and sites."""
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.models import Page, PageViewRestriction, Site
    from wagtail.signals import (
        page_published,
        page_slug_changed,
        page_unpublished,
        post_page_move,
    )

    from byline.core.signals import site_changed

    uid = "byline-frame"

    def page_saved_or_deleted(sender, instance, **kwargs) -> None:
        if isinstance(instance, Page):
            bump()

    for signal in (post_save, post_delete):
        # Pages of every type (the signal's sender is the concrete class).
        signal.connect(page_saved_or_deleted, dispatch_uid=f"{uid}-page-{signal}", weak=False)
        signal.connect(bump, sender=PageViewRestriction, dispatch_uid=f"{uid}-pvr-{signal}")
        signal.connect(bump, sender=Site, dispatch_uid=f"{uid}-site-{signal}")
    # Who may pass a "these groups" restriction.
    m2m_changed.connect(
        bump, sender=PageViewRestriction.groups.through, dispatch_uid=f"{uid}-pvr-groups"
    )
    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(bump, dispatch_uid=f"{uid}-{signal}")
    site_changed.connect(bump, dispatch_uid=f"{uid}-site-changed")
