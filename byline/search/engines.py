"""Ranked post ids for a query, per search engine.

On the database backend Wagtail's own query compiler is far too slow for a publication: it
scores every match with a correlated subquery, and a word found in most posts took over five
minutes at 10,000 posts (measured, see bench/search_bench.py). Here the same index Wagtail
keeps (its FTS5 table on SQLite, its tsvector columns on PostgreSQL) is read directly, in one
statement that walks matches newest first, applies the filters and scores only the first
`window` of them. Elasticsearch/OpenSearch rank well on their own and go through Wagtail.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from modelsearch.conf import get_app_config
from wagtail.search.backends import get_search_backend

from byline.blogs.listing import subtree
from byline.blogs.models import PostPage
from byline.blogs.plans import walk_date_index
from byline.blogs.visibility import readable_q, readable_sql
from byline.search.query import ParsedQuery, fts5_expression, tsquery_parts

# A filter that leaves at most this many posts is applied first, and the matches are walked
# through its posts; a broader one is applied to matches as they are walked, newest first,
# since a quarter of the site or more fills the ranking window within a few thousand matches.
CANDIDATE_LIMIT = 20_000


@dataclass(frozen=True)
class Filters:
    site_path: str  # the tree path of the site's root page
    blog_path: str = ""
    author_id: int | None = None
    year: int | None = None


@dataclass(frozen=True)
class Hits:
    ids: list[int]  # best first
    truncated: bool  # more posts matched than were ranked


def _filter_sql(filters: Filters, params: list) -> str:
    readable, readable_params = readable_sql("pg")
    clauses = [readable, "p.date IS NOT NULL", "pg.path >= %s AND pg.path <= %s"]
    params += readable_params
    params += subtree(filters.blog_path or filters.site_path)
    if filters.author_id is not None:
        # IN (a list the database builds once) rather than EXISTS per post, so that the
        # candidate query below can start from the author's bylines.
        clauses.append(
            "p.page_ptr_id IN (SELECT a.post_id FROM blogs_postpageauthor a WHERE a.author_id = %s)"
        )
        params.append(filters.author_id)
    if filters.year is not None:
        clauses.append("p.date >= %s AND p.date < %s")
        params += _year_bounds(filters.year)
    return " AND ".join(clauses)


def _year_bounds(year: int) -> list:
    start = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=datetime.UTC)
    return [
        connection.ops.adapt_datetimefield_value(start),
        connection.ops.adapt_datetimefield_value(end),
    ]


def filter_first(filters: Filters, window: int) -> bool:
    """Whether to list the filter's posts first rather than filter matches as they are walked.

    Walking newest first, a filter that keeps a fraction f of the posts passes about `window`
    matches after `window / f` of them: it pays when that is fewer rows than the filter's own
    posts, that is when (filter size)^2 > window x posts. A year is the exception: its posts
    are bunched in walk order (ids follow dates), behind every newer post, so a year is always
    listed first. Past CANDIDATE_LIMIT posts, listing costs too much whatever the walk.
    One statement of estimates: index-only counts that include posts that are not live, and
    the largest post id for the number of posts (one index lookup, where a count reads them
    all).
    """
    counts, params = ["(SELECT COALESCE(MAX(page_ptr_id), 0) FROM blogs_postpage)"], []
    if filters.blog_path:
        counts.append("(SELECT COUNT(*) FROM wagtailcore_page WHERE path >= %s AND path <= %s)")
        params += subtree(filters.blog_path)
    if filters.author_id is not None:
        counts.append("(SELECT COUNT(*) FROM blogs_postpageauthor WHERE author_id = %s)")
        params.append(filters.author_id)
    if filters.year is not None:
        counts.append("(SELECT COUNT(*) FROM blogs_postpage WHERE date >= %s AND date < %s)")
        params += _year_bounds(filters.year)
    if len(counts) == 1:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(counts), params)
        posts, *sizes = cursor.fetchone()
    size = min(sizes)
    if size > CANDIDATE_LIMIT:
        return False
    return filters.year is not None or not walk_date_index(size=size, wanted=window, total=posts)


def _index_table() -> str:
    return get_app_config().get_model("IndexEntry")._meta.db_table


def _sqlite(query: ParsedQuery, filters: Filters, window: int) -> Hits:
    entry = _index_table()
    fts = f"{entry}_fts"
    params: list = [fts5_expression(query), ContentType.objects.get_for_model(PostPage).pk]
    if filter_first(filters, window):
        # A narrow filter (a year, an author, a small blog): list its posts' index rows once
        # and walk the matches through that list. The unary + keeps SQLite from handing the
        # list to FTS5 as rowid lookups, which re-run the whole match per row (80 s for a
        # year at 100,000 posts against 0.02 s this way).
        where = _filter_sql(filters, params)
        params.append(window + 1)
        sql = f"""
            SELECT CAST(e.object_id AS INTEGER), bm25({fts}, 0.0, 1.0, 4.0)
            FROM {fts}
            JOIN {entry} e ON e.id = {fts}.rowid
            WHERE {fts} MATCH %s AND +{fts}.rowid IN (
                SELECT pe.id
                FROM blogs_postpage p
                JOIN wagtailcore_page pg ON pg.id = p.page_ptr_id
                JOIN {entry} pe
                  ON pe.content_type_id = %s AND pe.object_id = CAST(p.page_ptr_id AS TEXT)
                WHERE {where}
            )
            ORDER BY {fts}.rowid DESC
            LIMIT %s
        """  # noqa: S608 -- table names are Django's own; every value is a parameter
    else:
        where = _filter_sql(filters, params)
        params.append(window + 1)
        # FTS5 yields matches in rowid order natively, so ORDER BY rowid DESC LIMIT stops
        # early; bm25 (weights: autocomplete 0, body 1, title 4) is computed only for rows
        # that pass. Without a narrow filter the window fills within the first few hundred
        # or thousand matches.
        sql = f"""
            SELECT p.page_ptr_id, bm25({fts}, 0.0, 1.0, 4.0)
            FROM {fts}
            JOIN {entry} e ON e.id = {fts}.rowid
            JOIN blogs_postpage p ON p.page_ptr_id = CAST(e.object_id AS INTEGER)
            JOIN wagtailcore_page pg ON pg.id = p.page_ptr_id
            WHERE {fts} MATCH %s AND e.content_type_id = %s AND {where}
            ORDER BY {fts}.rowid DESC
            LIMIT %s
        """  # noqa: S608 -- as above
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _ranked(rows, window, lower_is_better=True)


def _postgres(query: ParsedQuery, filters: Filters, window: int) -> Hits:
    entry = _index_table()
    parts = tsquery_parts(query)
    tsquery = " && ".join(f"{function}(%s)" for function, _text in parts)
    params: list = [text for _function, text in parts]
    content_type = ContentType.objects.get_for_model(PostPage).pk
    if filter_first(filters, window):
        # A narrow filter: list its posts once (MATERIALIZED keeps PostgreSQL from folding
        # the list back into a walk of every newer match), then match and rank only them.
        # A year at 100,000 posts: 50-60 ms against 125-170 ms walking from the newest.
        where = _filter_sql(filters, params)
        params += [content_type, window + 1]
        sql = f"""
            WITH q AS (SELECT {tsquery} AS query),
            candidates AS MATERIALIZED (
                SELECT CAST(p.page_ptr_id AS varchar) AS object_id
                FROM blogs_postpage p
                JOIN wagtailcore_page pg ON pg.id = p.page_ptr_id
                WHERE {where}
            )
            SELECT CAST(e.object_id AS INTEGER),
                   4 * ts_rank(e.title, q.query) + ts_rank(e.body, q.query)
            FROM {entry} e
            CROSS JOIN q
            WHERE e.content_type_id = %s
              AND e.object_id IN (SELECT object_id FROM candidates)
              AND (e.title @@ q.query OR e.body @@ q.query)
            ORDER BY e.id DESC
            LIMIT %s
        """  # noqa: S608 -- table names are Django's own; every value is a parameter
    else:
        params.append(content_type)
        where = _filter_sql(filters, params)
        params.append(window + 1)
        # The title counts four times the body, as the SQLite weights above.
        sql = f"""
            WITH q AS (SELECT {tsquery} AS query)
            SELECT p.page_ptr_id,
                   4 * ts_rank(e.title, q.query) + ts_rank(e.body, q.query)
            FROM {entry} e
            CROSS JOIN q
            JOIN blogs_postpage p ON p.page_ptr_id = CAST(e.object_id AS INTEGER)
            JOIN wagtailcore_page pg ON pg.id = p.page_ptr_id
            WHERE (e.title @@ q.query OR e.body @@ q.query)
              AND e.content_type_id = %s AND {where}
            ORDER BY e.id DESC
            LIMIT %s
        """  # noqa: S608 -- as above
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _ranked(rows, window, lower_is_better=False)


def _ranked(rows: list, window: int, *, lower_is_better: bool) -> Hits:
    truncated = len(rows) > window
    rows = rows[:window]
    # Equal scores fall back to the newer post (larger id) first.
    if lower_is_better:
        rows.sort(key=lambda row: (row[1], -row[0]))
    else:
        rows.sort(key=lambda row: (-row[1], -row[0]))
    return Hits(ids=[row[0] for row in rows], truncated=truncated)


def _wagtail(query: ParsedQuery, filters: Filters, window: int) -> Hits:
    """Any other Wagtail backend (Elasticsearch, OpenSearch): its own ranking and filters."""
    from modelsearch.query import And, Phrase, PlainText

    posts = PostPage.objects.filter(
        readable_q(), date__isnull=False, path__startswith=filters.blog_path or filters.site_path
    )
    if filters.year is not None:
        posts = posts.filter(date__year=filters.year)
    if filters.author_id is not None:
        ids = PostPage.objects.filter(post_authors__author_id=filters.author_id).values_list(
            "pk", flat=True
        )
        posts = posts.filter(pk__in=list(ids))
    parts = []
    if query.words:
        parts.append(PlainText(" ".join(query.words), operator="and"))
    parts += [Phrase(" ".join(phrase)) for phrase in query.phrases]
    search_query = parts[0] if len(parts) == 1 else And(parts)
    results = get_search_backend().search(search_query, posts)[: window + 1]
    ids = [post.pk for post in results]
    return Hits(ids=ids[:window], truncated=len(ids) > window)


def is_database_backend() -> bool:
    backend = settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]
    return backend in ("wagtail.search.backends.database", "modelsearch.backends.database")


def ranked_post_ids(query: ParsedQuery, filters: Filters, *, window: int) -> Hits:
    if is_database_backend() and connection.vendor == "sqlite":
        return _sqlite(query, filters, window)
    if is_database_backend() and connection.vendor == "postgresql":
        return _postgres(query, filters, window)
    return _wagtail(query, filters, window)
