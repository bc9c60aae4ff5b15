"""Under each post: "More from <blog>" (the column's posts before this one) and "Related"
(published posts sharing the most tags with it, newest first among equals).

The column's list comes out of the query that finds the previous post (PostPage.get_context):
no query more. The related list costs a fixed number of queries however many posts share
a tag, and stays fast when one tag is on every post:

1. this post's tags with the number of posts carrying each, and the largest post id (an
   estimate of the number of posts, as in ``listing.newest_post_ids``);
2. for each of the post's rarest ``MAX_TAGS`` tags, only the ``PER_TAG`` newest posts
   carrying it (a tag on every post is read ``PER_TAG`` rows deep, not to the end). These
   lists are the same for every post carrying the tag, so each process keeps them per
   content version (byline.core.frame): a bake or a crawl reads each tag's list once, not
   once per post (it was 20 of a cold post render's 80 ms at 10,000 posts). Those not held
   are read in one statement;
3. the candidates are ranked here (tags shared, then newest) and the best loaded, with the
   posts editors pinned (PostPageRelated) first, in their order.

A bake (``frame.reading_ahead``) renders every post, so each of its processes reads what
both lists are made from once per content version (``PostIndex``: every readable post's link
row, every post's tags, the pinned posts) and makes each post's lists from it without a
statement; the same posts, in the same order, as the statements give (the tests compare them).

Usage::

    posts = related_posts(post, exclude={post.pk, *(p.pk for p in column)})
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import math
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.http import HttpRequest

from byline.blogs.plans import walk_date_index
from byline.core.statements import raw_instances

# How many posts each list shows.
MORE_COUNT = 5
RELATED_COUNT = 5
# The newest posts looked at per tag, and the rarest tags looked at per post: what bounds the
# work when a tag is on every post (an old post's related list then leans to newer posts
# sharing its rarer tags, which is what a reader following tags wants anyway).
PER_TAG = 200
MAX_TAGS = 8


# What a link to a post (its title, address and date: "More from", "Related", the previous
# post) reads. Loading only these keeps the post's body and Wagtail's thirty-odd page columns
# out of the statement: its compilation, its rows and the related list's GROUP BY were most of
# a post page's query time.
LINK_FIELDS = ("title", "slug", "url_path", "path", "depth", "date", "live")
_PAGE_LINK_COLUMNS = [field for field in LINK_FIELDS if field != "date"]


def column_around(
    blog,
    *,
    date,
    pk: int,
    older: int,
    newer: int,
    walk: bool,
    count: int = MORE_COUNT,
    request: HttpRequest | None = None,
) -> tuple[list, object | None]:
    """The column around the post (`date`, `pk`) of `blog`: up to `count` of its published
    posts before it in date order, ties by id (newest first: "More from", the first is the
    previous post), and the first after it (the next post, or None).

    One hand-written statement (the ORM's two cost 3 ms of CPU to build for 1 ms of query)
    reads `older` posts from the post's date back and `newer` from it on: windows wider than
    what is shown, as posts sharing the post's date-time come in either. The rows are
    compared as they come, and only the posts shown become page objects (the windows'
    25 objects through raw() cost four times the statement). `walk`: walk the date index
    (plans.walk_date_index); otherwise the blog's posts are read by tree path and sorted, the
    date compared as an expression so that SQLite stays off the date index. In a bake, the
    same windows are taken from the held PostIndex."""
    from byline.blogs.visibility import readable_sql

    index = held_index(request)
    if index is not None:
        return _held_column_around(index, blog.path, date, pk, older, newer, count)

    readable, readable_params = readable_sql("pg")
    columns = ", ".join(f"pg.{f}" for f in _PAGE_LINK_COLUMNS)
    scope, scope_params = "pg.path LIKE %s AND pg.depth = %s", [f"{blog.path}%", blog.depth + 1]
    when = "p.date"
    if not walk:
        scope += " AND pg.path >= %s AND pg.path <= %s"
        scope_params += [blog.path, blog.path + "Z" * blog.steplen]
        when = "COALESCE(p.date, p.date)"
    at = connection.ops.adapt_datetimefield_value(date)
    parts, params = [], []
    for side, compare, order, limit in (
        ("older", "<=", "DESC", older),
        ("newer", ">=", "ASC", newer),
    ):
        parts.append(
            f"""SELECT * FROM (
                SELECT p.page_ptr_id, pg.id, {columns}, p.date, '{side}' AS side
                FROM blogs_postpage p JOIN wagtailcore_page pg ON pg.id = p.page_ptr_id
                WHERE {scope} AND p.date IS NOT NULL AND {readable}
                  AND p.page_ptr_id <> %s AND {when} {compare} %s
                ORDER BY {when} {order}, p.page_ptr_id {order} LIMIT %s
            ) AS {side}_posts"""
        )
        params += [*scope_params, *readable_params, pk, at, limit]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)  # noqa: S608
        rows = [_link_row(row) for row in cursor.fetchall()]
    at_key = (date, pk)
    before = sorted((r for r in rows if r[-1] == "older" and (r[-2], r[0]) < at_key), key=_when)
    after = sorted((r for r in rows if r[-1] == "newer" and (r[-2], r[0]) > at_key), key=_when)
    more = [_link_post(row) for row in before[::-1][:count]]
    return more, (_link_post(after[0]) if after else None)


def _when(row: tuple) -> tuple:
    return row[-2], row[0]


@functools.cache
def _link_columns() -> list[tuple[str, Any, list]]:
    """The columns column_around reads, in order (the post's id, the page's LINK_FIELDS but
    the date, then the date), each with the converters the ORM would apply to it."""
    from byline.blogs.models import PostPage

    names = ("page_ptr", "id", *_PAGE_LINK_COLUMNS, "date")
    columns = []
    for field in (PostPage._meta.get_field(name) for name in names):
        column = field.get_col(field.model._meta.db_table)
        converters = connection.ops.get_db_converters(column)
        converters += column.get_db_converters(connection)
        columns.append((field.attname, column, converters))
    return columns


@functools.cache
def _link_init_order() -> tuple[list[str], list[int]]:
    """The loaded fields' names in the model's order, as from_db takes them, and where each
    is in a row."""
    from byline.blogs.models import PostPage

    read = [name for name, _column, _converters in _link_columns()]
    names = [f.attname for f in PostPage._meta.concrete_fields if f.attname in read]
    return names, [read.index(name) for name in names]


def _link_row(row: tuple) -> tuple:
    """A row of column_around's statement with its values as the ORM gives them (SQLite's
    dates are text, its booleans integers), its side ("older" or "newer") last."""
    values = []
    for value, (_name, column, converters) in zip(row, _link_columns(), strict=False):
        for converter in converters:
            value = converter(value, column, connection)
        values.append(value)
    values.append(row[-1])
    return tuple(values)


def _link_post(row: tuple):
    """The post of a column_around row, as raw() would load it: the link fields, the rest
    deferred."""
    from byline.blogs.models import PostPage

    names, positions = _link_init_order()
    return PostPage.from_db(connection.alias, names, [row[i] for i in positions])


def _tag_sizes(post_id: int) -> tuple[list[tuple[int, int]], int]:
    """This post's tags as (tag id, posts carrying it), rarest first, and the largest post
    id."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.tag_id,
                   (SELECT COUNT(*) FROM blogs_postpagetag c WHERE c.tag_id = t.tag_id),
                   (SELECT COALESCE(MAX(page_ptr_id), 0) FROM blogs_postpage)
            FROM blogs_postpagetag t WHERE t.content_object_id = %s
            """,
            [post_id],
        )
        rows = cursor.fetchall()
    total = rows[0][2] if rows else 0
    return sorted(((tag_id, size) for tag_id, size, _ in rows), key=lambda r: (r[1], r[0])), total


def _newest_with_tag(walk: bool) -> str:
    """One tag's newest dated posts (this one among them). Walking the date index and
    checking each post's tags stops after about PER_TAG / f posts for a tag on a fraction f
    of them; starting from the tag's rows sorts all of them (plans.walk_date_index chooses).
    CROSS JOIN and the unary + keep SQLite on the chosen plan, as in
    listing.newest_post_ids."""
    if walk:
        return """
            SELECT p.page_ptr_id AS post_id FROM blogs_postpage p
            CROSS JOIN blogs_postpagetag t
            WHERE t.content_object_id = p.page_ptr_id AND +t.tag_id = %s
              AND p.date IS NOT NULL
            ORDER BY p.date DESC, p.page_ptr_id DESC LIMIT %s
        """
    return """
        SELECT p.page_ptr_id AS post_id FROM blogs_postpagetag t, blogs_postpage p
        WHERE t.tag_id = %s AND p.page_ptr_id = t.content_object_id AND p.date IS NOT NULL
        ORDER BY p.date DESC, p.page_ptr_id DESC LIMIT %s
    """


_EPOCH = datetime(1970, 1, 1)


def _stamp(value: datetime | str) -> float:
    """A post's date as seconds, comparable between the posts of one database (SQLite's
    cursor gives text, PostgreSQL's an aware datetime)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return (value.replace(tzinfo=None) - _EPOCH).total_seconds()


@dataclass(frozen=True)
class TagNewest:
    """One tag's newest dated posts, newest first (ties: highest id first): their ids,
    dates (as _stamp) and whether readers may see them. Arrays, so that a process keeping
    hundreds of tags' lists holds a few kB for each."""

    ids: array
    stamps: array
    readable: bytes


def _tag_lists(wanted: list[tuple[int, int]], *, total: int, depth: int) -> dict[tuple, TagNewest]:
    """The `depth` newest dated posts of each (tag id, posts carrying it) in `wanted`, in one
    statement, keyed as tag_lists remembers them."""
    from byline.blogs.visibility import readable_sql

    parts, params = [], []
    for tag_id, size in wanted:
        # Parenthesised so that each part keeps its own ORDER BY and LIMIT (both databases).
        sql = _newest_with_tag(walk_date_index(size=size, wanted=depth, total=total))
        parts.append(f"SELECT {int(tag_id)} AS tag_id, post_id FROM ({sql}) AS tag_{len(parts)}")
        params += [tag_id, depth]
    readable, readable_params = readable_sql("pg")
    sql = f"""
        SELECT c.tag_id, c.post_id, p.date, CASE WHEN {readable} THEN 1 ELSE 0 END
        FROM ({" UNION ALL ".join(parts)}) AS c
        JOIN blogs_postpage p ON p.page_ptr_id = c.post_id
        JOIN wagtailcore_page pg ON pg.id = c.post_id
    """  # noqa: S608 -- fixed SQL; every value is a parameter or an int
    rows: dict[int, list[tuple[float, int, int]]] = {tag_id: [] for tag_id, _ in wanted}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*readable_params, *params])
        for tag_id, post_id, date, shown in cursor.fetchall():
            rows[tag_id].append((_stamp(date), post_id, shown))
    lists = {}
    for tag_id, found in rows.items():
        found.sort(reverse=True)
        lists[("related-tag", tag_id, depth)] = TagNewest(
            ids=array("q", (post_id for _, post_id, _ in found)),
            stamps=array("d", (stamp for stamp, _, _ in found)),
            readable=bytes(1 if shown else 0 for _, _, shown in found),
        )
    return lists


def _ranked_ids(
    post_id: int,
    *,
    exclude: Iterable[int],
    count: int,
    per_tag: int,
    max_tags: int,
    request: HttpRequest | None = None,
) -> tuple[list[int], list[int]]:
    """The post's tag ids looked at, and the ids of the `count` best candidates: readable
    posts among the `per_tag` newest others carrying each tag, by tags shared, then newest,
    then highest id. Reads the tags (query 1) and those tags' lists this process does not
    hold under the current content version (query 2, one statement)."""
    from byline.core import frame

    index = held_index(request)
    tags, total = _tag_sizes(post_id) if index is None else index.tag_sizes_of(post_id)
    tags = tags[:max_tags]
    if not tags:
        return [], []
    # One more than per_tag: this post may be among its own tags' newest.
    depth = per_tag + 1
    sizes = dict(tags)
    lists = frame.remembered_each(
        request,
        [("related-tag", tag_id, depth) for tag_id, _ in tags],
        lambda keys: _tag_lists(
            [(key[1], sizes[key[1]]) for key in keys], total=total, depth=depth
        ),
    )
    left_out = {post_id, *exclude}
    shared: Counter[int] = Counter()
    stamps: dict[int, float] = {}
    for newest in lists.values():
        # The per_tag newest others: this post, when among them, is passed over.
        ids = newest.ids[:depth]
        end = depth if post_id in ids else per_tag
        found = [
            (candidate, stamp)
            for candidate, stamp, readable in zip(
                ids[:end], newest.stamps[:end], newest.readable[:end], strict=True
            )
            if readable and candidate not in left_out
        ]
        shared.update(candidate for candidate, _ in found)
        stamps.update(found)
    # Tuples compare in C: most tags shared, then newest, then highest id.
    best = heapq.nlargest(count, ((times, stamps[pk], pk) for pk, times in shared.items()))
    return [tag_id for tag_id, _ in tags], [pk for _, _, pk in best]


def related_post_ids(
    post_id: int,
    *,
    exclude: Iterable[int] = (),
    count: int = RELATED_COUNT,
    per_tag: int = PER_TAG,
    max_tags: int = MAX_TAGS,
) -> list[int]:
    """Ids of the `count` published, public posts sharing the most tags with the post
    `post_id` (ties: newest first, then highest id), leaving out `post_id` and `exclude`;
    at most two queries, whatever the number of candidates."""
    return _ranked_ids(post_id, exclude=exclude, count=count, per_tag=per_tag, max_tags=max_tags)[1]


def related_posts(
    post,
    *,
    exclude: Iterable[int] = (),
    count: int = RELATED_COUNT,
    request: HttpRequest | None = None,
) -> list:
    """The related list under `post`: the posts editors pinned (PostPageRelated), in their
    order, then those sharing the most tags with it (see related_post_ids), published and
    public, leaving out `exclude`; at least `count` long when there are enough, and every
    pinned post. Two queries whatever the number of candidates (three when this process
    has yet to read one of its tags' lists): the tags read, then the chosen posts loaded in
    one statement (its count of shared tags re-ranks the handful chosen)."""
    if count <= 0:
        return []
    tag_ids, ranked_ids = _ranked_ids(
        post.pk,
        exclude=exclude,
        count=count,
        per_tag=PER_TAG,
        max_tags=MAX_TAGS,
        request=request,
    )
    left_out = [post.pk, *exclude]
    index = held_index(request)
    if index is None:
        found = _load_related(post.pk, tag_ids, ranked_ids, left_out)
    else:
        found = index.related(post.pk, tag_ids, ranked_ids, left_out=set(left_out))
    pinned = sum(1 for found_post in found if found_post.pinned_at is not None)
    return found[: max(count, pinned)]


def _load_related(
    post_id: int, tag_ids: list[int], ranked_ids: list[int], left_out: list[int]
) -> list:
    """The pinned and the ranked posts, readable and dated, not left out, in one statement:
    pinned first in their order, then by tags shared (of `tag_ids`), newest first."""
    from byline.blogs.models import PostPage
    from byline.blogs.visibility import readable_sql

    # One IN (subquery) over the pinned and the ranked ids: SQLite looks each up by key. An
    # OR of two IN conditions made it scan every post (21 ms rather than 6 at 10,000 posts).
    sql, params = "SELECT related_post_id FROM blogs_postpagerelated WHERE post_id = %s", [post_id]
    for ranked_id in ranked_ids:
        sql += " UNION ALL SELECT %s"
        params.append(ranked_id)
    readable, readable_params = readable_sql("pg")
    shared = (
        "(SELECT COUNT(*) FROM blogs_postpagetag t WHERE t.content_object_id = p.page_ptr_id"
        f" AND t.tag_id IN ({', '.join(['%s'] * len(tag_ids))}))"
        if tag_ids
        else "0"
    )
    # Hand-written rather than built by the ORM: the ORM's version (an annotated, grouped,
    # published() queryset) spent three times the statement's own time compiling it. The
    # same rule (readable_sql), the same order: pinned first in their order, then by tags
    # shared, newest first.
    return raw_instances(
        PostPage,
        f"""
            SELECT p.page_ptr_id, pg.id, {", ".join(f"pg.{f}" for f in _PAGE_LINK_COLUMNS)},
                   p.date,
                   (SELECT r.sort_order FROM blogs_postpagerelated r
                    WHERE r.post_id = %s AND r.related_post_id = p.page_ptr_id
                    LIMIT 1) AS pinned_at,
                   {shared} AS shared_tags
            FROM blogs_postpage p JOIN wagtailcore_page pg ON pg.id = p.page_ptr_id
            WHERE p.date IS NOT NULL AND {readable}
              AND p.page_ptr_id IN ({sql})
              AND p.page_ptr_id NOT IN ({", ".join(["%s"] * len(left_out))})
            ORDER BY pinned_at ASC NULLS LAST, shared_tags DESC, p.date DESC,
                     p.page_ptr_id DESC
            """,  # noqa: S608 -- fixed SQL; every value is a parameter
        [post_id, *tag_ids, *readable_params, *params, *left_out],
    )


@dataclass(frozen=True)
class PostIndex:
    """What a bake's process holds to make every post's column without a statement: each
    readable, dated post's link row (as column_around reads it) by id, and each blog's in
    date order (ties by id); every post's tag rows, how many rows each tag has and the
    largest post id (as _tag_sizes reads them); each post's pinned posts with their place.
    About 1 kB a post, and half as much again for each post a column has shown (`posts`)."""

    rows: dict[int, tuple]
    # A blog's tree path → its posts' (date, id) in ascending order, and their rows alike.
    columns: dict[str, tuple[list[tuple], list[tuple]]]
    post_tags: dict[int, list[int]]
    tag_counts: dict[int, int]
    max_post_id: int
    pinned: dict[int, list[tuple[int, int | None]]]
    # Each post a column showed, as _link_post made it for the first: making one takes 30 µs
    # of CPU, a copy 5, and a post is in about ten columns (its neighbours', its tags').
    posts: dict[int, Any] = dataclasses.field(default_factory=dict)

    def link_post(self, row: tuple) -> Any:
        """_link_post(row) for this page: a fresh copy of the one made first, noted for the
        page as its loading would be."""
        from byline.blogs.remembered import fresh_copy
        from byline.core import frame

        post = self.posts.get(row[0])
        if post is None:
            # Noted by its loading, for the page being made.
            post = self.posts[row[0]] = _link_post(row)
        else:
            frame.note_loaded([post])
        return fresh_copy(post)

    def tag_sizes_of(self, post_id: int) -> tuple[list[tuple[int, int]], int]:
        """What _tag_sizes(post_id) reads."""
        found = [(tag_id, self.tag_counts[tag_id]) for tag_id in self.post_tags.get(post_id, ())]
        return sorted(found, key=lambda r: (r[1], r[0])), self.max_post_id

    def related(
        self, post_id: int, tag_ids: list[int], ranked_ids: list[int], *, left_out: set[int]
    ) -> list:
        """What _load_related loads, from the index: the pinned and the ranked, readable
        and dated, not left out; pinned first in their order, then by tags shared (of
        `tag_ids`), newest first, highest id first."""
        pinned_at: dict[int, int | None] = {}
        for related_id, sort_order in self.pinned.get(post_id, ()):
            pinned_at.setdefault(related_id, sort_order)
        looked_at = set(tag_ids)
        chosen = []
        for candidate in dict.fromkeys([*pinned_at, *ranked_ids]):
            row = self.rows.get(candidate)
            if row is None or candidate in left_out:
                continue
            shared = sum(1 for tag_id in self.post_tags.get(candidate, ()) if tag_id in looked_at)
            chosen.append((pinned_at.get(candidate), shared, row))
        chosen.sort(key=lambda c: _when(c[2]), reverse=True)
        chosen.sort(key=lambda c: (c[0] is None, c[0] or 0, -c[1]))
        posts = []
        for at, shared, row in chosen:
            post = self.link_post(row)
            post.pinned_at, post.shared_tags = at, shared
            posts.append(post)
        return posts


def held_index(request: HttpRequest | None) -> PostIndex | None:
    """The PostIndex of this content version in a bake (frame.reading_ahead), else None."""
    from byline.core import frame

    # Without a version nothing is remembered: the index would be read again for every
    # post, where the statements cost a millisecond.
    if request is None or not frame.reading_ahead() or frame.request_version(request) is None:
        return None
    return frame.remembered(request, ("post-index",), _read_index)


def _read_index() -> PostIndex:
    """Four statements over every post. Nothing is loaded as a model, so nothing is noted as
    what a page shows: each page notes the posts it shows as it makes them (_link_post)."""
    from wagtail.models import Page

    from byline.blogs.visibility import readable_sql

    readable, readable_params = readable_sql("pg")
    columns = ", ".join(f"pg.{f}" for f in _PAGE_LINK_COLUMNS)
    rows: dict[int, tuple] = {}
    columns_by_blog: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT p.page_ptr_id, pg.id, {columns}, p.date, NULL
                FROM blogs_postpage p JOIN wagtailcore_page pg ON pg.id = p.page_ptr_id
                WHERE p.date IS NOT NULL AND {readable}""",  # noqa: S608 -- fixed SQL
            readable_params,
        )
        for raw in cursor.fetchall():
            row = _link_row(raw)
            rows[row[0]] = row
            path = row[_link_path_at()]
            columns_by_blog.setdefault(path[: -Page.steplen], []).append(row)
        cursor.execute("SELECT content_object_id, tag_id FROM blogs_postpagetag ORDER BY id")
        post_tags: dict[int, list[int]] = {}
        tag_counts: Counter[int] = Counter()
        for post_id, tag_id in cursor.fetchall():
            post_tags.setdefault(post_id, []).append(tag_id)
            tag_counts[tag_id] += 1
        cursor.execute("SELECT COALESCE(MAX(page_ptr_id), 0) FROM blogs_postpage")
        max_post_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT post_id, related_post_id, sort_order FROM blogs_postpagerelated ORDER BY id"
        )
        pinned: dict[int, list[tuple[int, int | None]]] = {}
        for post_id, related_id, sort_order in cursor.fetchall():
            pinned.setdefault(post_id, []).append((related_id, sort_order))
    columns_in_order = {}
    for path, blog_rows in columns_by_blog.items():
        blog_rows.sort(key=_when)
        columns_in_order[path] = ([_when(row) for row in blog_rows], blog_rows)
    return PostIndex(rows, columns_in_order, post_tags, dict(tag_counts), max_post_id, pinned)


@functools.cache
def _link_path_at() -> int:
    """Where a link row holds the page's tree path."""
    return [name for name, _column, _converters in _link_columns()].index("path")


def _held_column_around(
    index: PostIndex, blog_path: str, date, pk: int, older: int, newer: int, count: int
) -> tuple[list, object | None]:
    """column_around's windows, taken from the held index: `older` posts from the post's
    date back and `newer` from it on (the post itself left out), then compared as
    column_around compares its rows."""
    keys, rows = index.columns.get(blog_path, ([], []))
    older_rows, newer_rows = [], []
    at = bisect_right(keys, (date, math.inf)) - 1
    while at >= 0 and len(older_rows) < older:
        if keys[at][1] != pk:
            older_rows.append(rows[at])
        at -= 1
    at = bisect_left(keys, (date, -math.inf))
    while at < len(keys) and len(newer_rows) < newer:
        if keys[at][1] != pk:
            newer_rows.append(rows[at])
        at += 1
    at_key = (date, pk)
    before = [row for row in older_rows if _when(row) < at_key]
    after = [row for row in newer_rows if _when(row) > at_key]
    more = [index.link_post(row) for row in before[:count]]
    return more, (index.link_post(after[0]) if after else None)
