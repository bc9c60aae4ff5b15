"""Post counts and archive months of listings, counted once per change to the posts.

"Page 3 of 250" and a blog's archive of months count every post in scope: at 100,000 posts
that is 0.1-0.25 s of SQL on each render of a blog front or archive, where everything else on
the page costs a few milliseconds. The counts change only when posts are published,
unpublished, deleted or moved (or an import lands), so they are kept in the shared cache
under a generation that each such change replaces: every server sees the new generation at
once, and counts from the old one are never read again (they expire on their own).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from byline.blogs.archive import ArchiveYear, archive_years

logger = logging.getLogger(__name__)

GENERATION_KEY = "byline:listing-counts:generation"
# An unchanged site recounts hourly: cheap, and it bounds how long counts can stay wrong if
# the cache missed a change while it was unreachable.
KEEP_SECONDS = 3600
# What this process read or counted, by key, for a minute: a key names its generation, so an
# entry is never out of date for it, and every post page asks for its blog's archive, which
# the shared cache would otherwise unpickle on each render. The minute keeps the hourly
# recount reaching every process within the hour (and a minute); the bound keeps old
# generations' entries from piling up.
KEEP_IN_PROCESS_SECONDS = 60
MAX_IN_PROCESS = 512
_in_process: dict[str, tuple[float, Any]] = {}

T = TypeVar("T")


def generation() -> str:
    current = cache.get(GENERATION_KEY)
    if current is None:
        current = uuid.uuid4().hex
        # add(): when two processes start a generation at once, both use the first one's.
        if not cache.add(GENERATION_KEY, current, timeout=None):
            current = cache.get(GENERATION_KEY) or current
    return current


def generation_or_none() -> str | None:
    """The generation, or None when the cache does not answer (what is counted then is
    counted afresh, never kept)."""
    try:
        return generation()
    except Exception:
        logger.warning("Listing counts' generation not read: the cache did not answer")
        return None


def posts_changed(**kwargs) -> None:
    """Start a new generation now, for this transaction's own reads, and again once it
    commits: a render in another process between the two may have counted without the
    change and kept that under the first new generation."""

    def renew() -> None:
        try:
            cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        except Exception:  # a publish must not fail for it; KEEP_SECONDS bounds the damage
            logger.warning("Listing counts not renewed: the cache did not answer", exc_info=True)

    renew()
    transaction.on_commit(renew, robust=True)


def remembered(name: str, count: Callable[[], T]) -> T:
    """`count()`, or what it gave in this generation. Months depend on the site's time zone,
    which a deploy may change without any post changing."""
    try:
        key = f"byline:listing-counts:{generation()}:{settings.TIME_ZONE}:{name}"
        kept = _in_process.get(key)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        value = cache.get(key)
    except Exception:  # the cache is down: count every time rather than fail the page
        logger.warning("Listing counts not cached: the cache did not answer", exc_info=True)
        return count()
    if value is None:
        value = count()
        try:
            cache.set(key, value, timeout=KEEP_SECONDS)
        except Exception:
            logger.warning("Listing counts not kept: the cache did not answer", exc_info=True)
            return value
    if len(_in_process) >= MAX_IN_PROCESS:
        _in_process.clear()
    _in_process[key] = (time.monotonic() + KEEP_IN_PROCESS_SECONDS, value)
    return value


def blog_archive(blog) -> list[ArchiveYear]:
    """The blog's years and months with their post counts (see archive.archive_years)."""
    return remembered(f"blog:{blog.pk}:archive", lambda: archive_years(blog.posts()))


def blog_post_count(blog) -> int:
    return sum(year.count for year in blog_archive(blog))


def year_months(blog, year: int):
    """The months of `year` in the blog's archive, newest first (empty when it has none)."""
    for archive_year in blog_archive(blog):
        if archive_year.year == year:
            return archive_year.months
    return []


def month_post_count(blog, year: int, month: int) -> int:
    return sum(m.count for m in year_months(blog, year) if m.month.month == month)


def scope_post_count(name: str, posts: Callable[[], QuerySet]) -> int:
    """The number of the posts `posts()` makes (a queryset, built only when the number is
    not remembered), under a name that says which posts they are."""
    return remembered(name, lambda: posts().count())


def site_post_count(published: Callable[[], QuerySet]) -> int:
    """How many posts are published on every site (`published()` makes that queryset: the
    caller passes it since the models use this module, and it is built only when the number
    is not remembered; building it cost a post page more than reading the number): the
    yardstick for which plan reads a blog's posts."""
    return scope_post_count("posts", published)
