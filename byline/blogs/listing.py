"""Which published posts a listing shows, newest first, read in a plan that stays fast
however many posts the site has: for feeds, sitemaps and the author and tag pages."""

from __future__ import annotations

import datetime
from array import array
from dataclasses import dataclass

from django.db import connection
from django.http import HttpRequest
from wagtail.models import Page, Site

from byline.blogs.models import PostPage
from byline.blogs.plans import walk_date_index
from byline.blogs.remembered import fresh_copy, listed_posts, remembered_posts
from byline.blogs.visibility import readable_sql
from byline.core import frame


@dataclass(frozen=True)
class Scope:
    """Which published posts a feed or listing takes: those under a tree path (the site's or
    a blog's), optionally only one author's or one tag's, or only those dated from `since`
    to before `until` (a blog's year or month)."""

    tree_path: str
    author_id: int | None = None
    tag_id: int | None = None
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


def subtree(path: str) -> list[str]:
    """Bounds of the tree paths at and under `path`, as a range either database can look up
    in the path index (a LIKE prefix can use it on neither, as collated): treebeard paths are
    made of 0-9 and A-Z, so every descendant lies between the path and the path padded with
    Zs to the column's length, in any collation that puts letters after digits."""
    return [path, path.ljust(Page._meta.get_field("path").max_length, "Z")]


def site_tree_path(request: HttpRequest) -> str:
    """The tree path of the request's site; with no site for the host, a path no page has,
    so that what is listed under it is empty."""
    site = Site.find_for_request(request)
    return site.root_page.path if site is not None else "~"


def newest_post_ids(
    scope: Scope, limit: int, *, offset: int = 0, walk: bool | None = None
) -> list[int]:
    """Ids of the scope's `limit` newest published posts after the first `offset`, newest
    first.

    Two plans, chosen here because SQLite (no table statistics) picks badly on its own: it
    started from the blog's pages or the author's bylines and sorted them all, 0.4-0.85 s at
    100,000 posts. Walking the date index newest first and checking each post stops after
    about limit / f posts for a scope keeping a fraction f of them; starting from the scope
    costs its size. The walk wins when size^2 > limit x posts (estimates: an index-only count,
    and the largest post id for the number of posts, which is one index lookup). `walk`
    forces one plan (tests check the two agree).
    """
    narrow, narrow_params, count, count_params = "", [], "", []
    if scope.author_id is not None:
        narrow = "IN (SELECT post_id FROM blogs_postpageauthor WHERE author_id = %s)"
        count = "SELECT COUNT(*) FROM blogs_postpageauthor WHERE author_id = %s"
        narrow_params = count_params = [scope.author_id]
    elif scope.tag_id is not None:
        narrow = "IN (SELECT content_object_id FROM blogs_postpagetag WHERE tag_id = %s)"
        count = "SELECT COUNT(*) FROM blogs_postpagetag WHERE tag_id = %s"
        narrow_params = count_params = [scope.tag_id]
    elif len(scope.tree_path) > 2 * Page.steplen:  # a blog, not the whole site
        count = "SELECT COUNT(*) FROM wagtailcore_page WHERE path >= %s AND path <= %s"
        count_params = subtree(scope.tree_path)
    with connection.cursor() as cursor:
        if walk is None and not count:
            walk = True
        elif walk is None:
            cursor.execute(
                f"SELECT ({count}), (SELECT COALESCE(MAX(page_ptr_id), 0) FROM blogs_postpage)",
                count_params,
            )
            size, posts = cursor.fetchone()
            walk = walk_date_index(size=size, wanted=offset + limit, total=posts)
        # CROSS JOIN keeps SQLite on the posts' date index (the join condition goes in WHERE:
        # PostgreSQL allows no ON after CROSS JOIN); the unary + keeps it from starting at the
        # author's or tag's list. PostgreSQL plans from its statistics either way.
        join = "CROSS JOIN" if walk else ","
        plus = "+" if walk else ""
        where = f"AND {plus}p.page_ptr_id {narrow}" if narrow else ""
        dated, dated_params = "", []
        for bound, compare in ((scope.since, ">="), (scope.until, "<")):
            if bound is not None:
                dated += f" AND p.date {compare} %s"
                dated_params.append(connection.ops.adapt_datetimefield_value(bound))
        readable, readable_params = readable_sql("pg")
        cursor.execute(
            f"""
            SELECT p.page_ptr_id FROM blogs_postpage p {join} wagtailcore_page pg
            WHERE pg.id = p.page_ptr_id
              AND p.date IS NOT NULL {dated} AND {readable}
              AND pg.path >= %s AND pg.path <= %s {where}
            ORDER BY p.date DESC, p.page_ptr_id DESC
            LIMIT %s OFFSET %s
            """,  # noqa: S608 -- fixed SQL; every value is a parameter
            [
                *dated_params,
                *readable_params,
                *subtree(scope.tree_path),
                *narrow_params,
                limit,
                offset,
            ],
        )
        return [row[0] for row in cursor.fetchall()]


# Ids a listing reads at once: the posts of ten pages, so that a crawl (or a bake) walking a
# tag's or author's pages runs one id statement for ten of them (a deep page's OFFSET costs
# about as much as the first ten pages').
IDS_READ = 100


class ScopeListing:
    """A scope's published posts, newest first, as a sequence a Paginator can page through:
    its length is `count` (counted once, by the caller) and a slice is the ids around it (read
    IDS_READ at a time in a fast plan) plus the listing's own queries for those posts."""

    def __init__(self, scope: Scope, count: int, *, request: HttpRequest | None = None) -> None:
        """With `request`, each slice is remembered per content version (see
        byline.blogs.remembered)."""
        self.scope = scope
        self._count = count
        self.request = request

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, window: slice) -> list[PostPage]:
        if not isinstance(window, slice):
            raise TypeError("a ScopeListing is read a page, a slice, at a time")
        start = window.start or 0
        stop = self._count if window.stop is None else window.stop
        if stop <= start:
            return []
        if self.request is not None:
            return remembered_posts(
                self.request, ("scope", self.scope, start, stop), lambda: self._read(start, stop)
            )
        return [fresh_copy(post) for post in self._read(start, stop)]

    def _read(self, start: int, stop: int) -> list[PostPage]:
        blocks = self._blocks(start, stop)
        # A crawl (a bake) will list the posts of the blocks' other pages too: loading them
        # with this page's missing ones costs a third as much a post as ten at a time.
        ahead = [pk for _block, held in blocks for pk in held] if frame.reading_ahead() else []
        return listed_posts(self.request, self._window(blocks, start, stop), ahead=ahead)

    def ids(self, start: int, stop: int) -> list[int]:
        """The ids of the scope's posts from `start` to `stop`, from the blocks of IDS_READ
        that hold them, each remembered per content version (per item: the scope's)."""
        return self._window(self._blocks(start, stop), start, stop)

    def _blocks(self, start: int, stop: int) -> list[tuple[int, array]]:
        return [
            (
                block,
                frame.remembered(
                    self.request,
                    ("scope-ids", self.scope, block),
                    lambda block=block: array(
                        "q", newest_post_ids(self.scope, IDS_READ, offset=block)
                    ),
                    per_item=True,
                ),
            )
            for block in range(start - start % IDS_READ, stop, IDS_READ)
        ]

    @staticmethod
    def _window(blocks: list[tuple[int, array]], start: int, stop: int) -> list[int]:
        return [pk for block, held in blocks for pk in held[max(start - block, 0) : stop - block]]
