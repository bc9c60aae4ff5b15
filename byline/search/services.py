"""Reader search over published posts: parse, rank, filter, page and highlight."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from byline.blogs.models import PostPage
from byline.blogs.remembered import listed_posts, remembered_posts
from byline.search import engines
from byline.search.query import ParsedQuery, parse

# How many matches are ranked: a word found in nearly every post (at 100,000 posts, "partner"
# in the synthetic site) would otherwise be scored 100,000 times per search. Past this, the
# newest `RANK_WINDOW` matches are ranked, and the page says so.
RANK_WINDOW = 500
SNIPPET_CHARS = 240


@dataclass
class SearchOutcome:
    query: str  # as the reader typed it, cleaned; templates escape it
    parsed: ParsedQuery
    page: Page | None = None
    truncated: bool = False
    posts: list[tuple[PostPage, SafeString]] = field(default_factory=list)


def search_posts(
    *,
    raw_query: str,
    filters: engines.Filters,
    page_number: int,
    per_page: int | None = None,
    request: HttpRequest | None = None,
) -> SearchOutcome:
    """Rank published posts for `raw_query`; raise Http404 for a page past the last. With
    `request`, the posts of a page of results are remembered per content version (the
    ranking never is: the index may change after the version, in a background task)."""
    from byline.search.query import clean

    parsed = parse(raw_query)
    outcome = SearchOutcome(query=clean(raw_query), parsed=parsed)
    if not parsed:
        return outcome
    hits = engines.ranked_post_ids(parsed, filters, window=RANK_WINDOW)
    paginator = Paginator(hits.ids, per_page or settings.BYLINE_SEARCH_PER_PAGE)
    if page_number > max(paginator.num_pages, 1):
        raise Http404("No such page of results")
    outcome.page = paginator.page(page_number)
    outcome.truncated = hits.truncated
    ids = list(outcome.page.object_list)
    posts = remembered_posts(request, ("posts", tuple(ids)), lambda: listed_posts(request, ids))
    by_id = {post.pk: post for post in posts}
    outcome.posts = [(by_id[pk], snippet(by_id[pk], parsed.all_words)) for pk in ids if pk in by_id]
    return outcome


def body_text(post: PostPage) -> str:
    # The text the index holds for the body (StreamField's searchable content: no templates
    # rendered, ~20x cheaper than rendering each block). It is plain text already (Wagtail
    # strips tags and decodes entities), so "&lt;script&gt;" the author wrote is the text
    # "<script>" here: stripping tags again would eat it. The snippet escapes it.
    pieces = post.body.stream_block.get_searchable_content(post.body)
    return " ".join(" ".join(str(piece) for piece in pieces).split())


def snippet(post: PostPage, words: tuple[str, ...], length: int = SNIPPET_CHARS) -> SafeString:
    """One passage of the post, HTML-escaped, with each matching word (or a longer word it
    begins, as search also finds "partners" for "partner" on PostgreSQL) in <mark>: the
    excerpt when it has a matching word, else the body around its first one, else (the post
    matched on its title, tags or author) the excerpt, or the body's beginning without one.

    Never the excerpt and the body run together: the excerpt is often the body's first lines
    again, and results read them twice (issue #15)."""
    excerpt = " ".join(post.excerpt.split())
    if not words:
        return _passage(excerpt or body_text(post), None, length)
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(word) for word in words) + r")\w*", re.IGNORECASE
    )
    if excerpt and pattern.search(excerpt):
        return _passage(excerpt, pattern, length)
    body = body_text(post)
    if excerpt and not pattern.search(body):
        return _passage(excerpt, pattern, length)
    return _passage(body, pattern, length)


def _passage(text: str, pattern: re.Pattern[str] | None, length: int) -> SafeString:
    """Up to `length` characters of `text` from a little before the first match, at a word
    boundary, with "…" where it is cut and every match in <mark>."""
    first = pattern.search(text) if pattern else None
    start = max(0, (first.start() if first else 0) - length // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    passage = text[start : start + length]
    parts, last = [], 0
    for match in pattern.finditer(passage) if pattern else ():
        parts.append(escape(passage[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(passage[last:]))
    prefix = "… " if start else ""
    suffix = " …" if start + length < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308 -- every piece escaped
