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

from byline.blogs.models import PostPage
from byline.search.query import ParsedQuery, fts5_expression, tsquery_parts


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
    clauses = ["pg.live", "p.date IS NOT NULL", "pg.path LIKE %s"]
    params.append(f"{filters.blog_path or filters.site_path}%")
    if filters.author_id is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM blogs_postpageauthor a"
            " WHERE a.post_id = p.page_ptr_id AND a.author_id = %s)"
        )
        params.append(filters.author_id)
    if filters.year is not None:
        start = datetime.datetime(filters.year, 1, 1, tzinfo=datetime.UTC)
        end = datetime.datetime(filters.year + 1, 1, 1, tzinfo=datetime.UTC)
        clauses.append("p.date >= %s AND p.date < %s")
        params += [
            connection.ops.adapt_datetimefield_value(start),
            connection.ops.adapt_datetimefield_value(end),
        ]
    return " AND ".join(clauses)


def _index_table() -> str:
    return get_app_config().get_model("IndexEntry")._meta.db_table


def _sqlite(query: ParsedQuery, filters: Filters, window: int) -> Hits:
    entry = _index_table()
    fts = f"{entry}_fts"
    params: list = [fts5_expression(query), ContentType.objects.get_for_model(PostPage).pk]
    where = _filter_sql(filters, params)
    params.append(window + 1)
    # FTS5 yields matches in rowid order natively, so ORDER BY rowid DESC LIMIT stops early;
    # bm25 (weights: autocomplete 0, body 1, title 4) is computed only for rows that pass.
    sql = f"""
        SELECT p.page_ptr_id, bm25({fts}, 0.0, 1.0, 4.0)
        FROM {fts}
        JOIN {entry} e ON e.id = {fts}.rowid
        JOIN blogs_postpage p ON p.page_ptr_id = CAST(e.object_id AS INTEGER)
        JOIN wagtailcore_page pg ON pg.id = p.page_ptr_id
        WHERE {fts} MATCH %s AND e.content_type_id = %s AND {where}
        ORDER BY {fts}.rowid DESC
        LIMIT %s
    """  # noqa: S608 -- table names are Django's own; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _ranked(rows, window, lower_is_better=True)


def _postgres(query: ParsedQuery, filters: Filters, window: int) -> Hits:
    entry = _index_table()
    parts = tsquery_parts(query)
    tsquery = " && ".join(f"{function}(%s)" for function, _text in parts)
    params: list = [text for _function, text in parts]
    params.append(ContentType.objects.get_for_model(PostPage).pk)
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

    posts = PostPage.objects.live().filter(
        date__isnull=False, path__startswith=filters.blog_path or filters.site_path
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
