"""Under each post: "More from <blog>" (the column's posts before this one) and "Related"
(published posts sharing the most tags with it, newest first among equals).

The column's list comes out of the query that finds the previous post (PostPage.get_context):
no query more. The related list costs a fixed number of queries however many posts share
a tag, and stays fast when one tag is on every post:

1. this post's tags with the number of posts carrying each, and the largest post id (an
   estimate of the number of posts, as in ``listing.newest_post_ids``);
2. one statement that takes, for each of the post's rarest ``MAX_TAGS`` tags, only the
   ``PER_TAG`` newest posts carrying it (a tag on every post is read ``PER_TAG`` rows deep,
   not to the end), counts the tags each candidate shares (GROUP BY) and keeps the best;
   and loads those posts (the ranking as an IN subquery of the posts' own query), with the
   posts editors pinned (PostPageRelated) first, in their order.

Usage::

    posts = related_posts(post, exclude={post.pk, *(p.pk for p in column)})
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from byline.blogs.plans import walk_date_index

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


def column_before(candidates: Iterable, *, date, pk: int, count: int = MORE_COUNT) -> list:
    """The first `count` of `candidates` (the column's posts, newest first, from this post's
    date back) that come before the post (`date`, `pk`) in date order, ties by id."""
    if hasattr(candidates, "only"):
        candidates = candidates.only(*LINK_FIELDS)
    older = [post for post in candidates if (post.date, post.pk) < (date, pk)]
    return older[:count]


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
    """One tag's PER_TAG newest dated posts other than this one. Walking the date index and
    checking each post's tags stops after about PER_TAG / f posts for a tag on a fraction f
    of them; starting from the tag's rows sorts all of them (plans.walk_date_index chooses).
    CROSS JOIN and the unary + keep SQLite on the chosen plan, as in
    listing.newest_post_ids."""
    if walk:
        return """
            SELECT p.page_ptr_id AS post_id FROM blogs_postpage p
            CROSS JOIN blogs_postpagetag t
            WHERE t.content_object_id = p.page_ptr_id AND +t.tag_id = %s
              AND p.date IS NOT NULL AND p.page_ptr_id <> %s
            ORDER BY p.date DESC, p.page_ptr_id DESC LIMIT %s
        """
    return """
        SELECT p.page_ptr_id AS post_id FROM blogs_postpagetag t, blogs_postpage p
        WHERE t.tag_id = %s AND p.page_ptr_id = t.content_object_id AND p.date IS NOT NULL
          AND p.page_ptr_id <> %s
        ORDER BY p.date DESC, p.page_ptr_id DESC LIMIT %s
    """


def _ranked(
    post_id: int, *, exclude: Iterable[int], count: int, per_tag: int, max_tags: int
) -> tuple[list[int], str, list] | None:
    """The post's tag ids looked at, and the statement (with its parameters) selecting the ids
    of the `count` best candidates; None when the post has no tag. Reads the tags (query 1)."""
    from byline.blogs.visibility import readable_sql

    tags, total = _tag_sizes(post_id)
    tags = tags[:max_tags]
    if not tags:
        return None
    parts, params = [], []
    for tag_id, size in tags:
        # Parenthesised so that each part keeps its own ORDER BY and LIMIT (both databases).
        sql = _newest_with_tag(walk_date_index(size=size, wanted=per_tag, total=total))
        parts.append(f"SELECT post_id FROM ({sql}) AS tag_{len(parts)}")
        params += [tag_id, post_id, per_tag]
    left_out = sorted({post_id, *exclude})
    readable, readable_params = readable_sql("pg")
    sql = f"""
        SELECT c.post_id FROM ({" UNION ALL ".join(parts)}) AS c
        JOIN blogs_postpage p ON p.page_ptr_id = c.post_id
        JOIN wagtailcore_page pg ON pg.id = c.post_id
        WHERE {readable} AND c.post_id NOT IN ({", ".join(["%s"] * len(left_out))})
        GROUP BY c.post_id, p.date
        ORDER BY COUNT(*) DESC, p.date DESC, c.post_id DESC
        LIMIT %s
    """  # noqa: S608 -- fixed SQL; every value is a parameter
    return [tag_id for tag_id, _ in tags], sql, [*params, *readable_params, *left_out, count]


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
    two queries, whatever the number of candidates."""
    ranked = _ranked(post_id, exclude=exclude, count=count, per_tag=per_tag, max_tags=max_tags)
    if ranked is None:
        return []
    _, sql, params = ranked
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def related_posts(post, *, exclude: Iterable[int] = (), count: int = RELATED_COUNT) -> list:
    """The related list under `post`: the posts editors pinned (PostPageRelated), in their
    order, then those sharing the most tags with it (see related_post_ids), published and
    public, leaving out `exclude`; at least `count` long when there are enough, and every
    pinned post. Two queries whatever the number of candidates: the tags read, then the
    candidates ranked and loaded in one statement (the outer count re-ranks the handful of
    posts chosen)."""
    from byline.blogs.models import PostPage
    from byline.blogs.visibility import readable_sql

    if count <= 0:
        return []
    # One IN (subquery) over the pinned and the ranked ids: SQLite looks each up by key. An
    # OR of two IN conditions made it scan every post (21 ms rather than 6 at 10,000 posts).
    sql, params = "SELECT related_post_id FROM blogs_postpagerelated WHERE post_id = %s", [post.pk]
    ranked = _ranked(post.pk, exclude=exclude, count=count, per_tag=PER_TAG, max_tags=MAX_TAGS)
    tag_ids = []
    if ranked is not None:
        tag_ids, ranked_sql, ranked_params = ranked
        sql += f" UNION ALL SELECT post_id FROM ({ranked_sql}) AS ranked"
        params += ranked_params
    left_out = [post.pk, *exclude]
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
    found = list(
        PostPage.objects.raw(
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
            [post.pk, *tag_ids, *readable_params, *params, *left_out],
        )
    )
    pinned = sum(1 for found_post in found if found_post.pinned_at is not None)
    return found[: max(count, pinned)]
