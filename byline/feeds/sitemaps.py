"""sitemaps.org sitemaps of every public page: an index of sections, each read as plain rows.

    SiteSitemap(request).sections()     # what /sitemap.xml lists: name, URL count, lastmod
    SiteSitemap(request).urls("posts-3")  # (absolute URL, lastmod) pairs of one section

Posts are split by page id into sections of `POSTS_PER_SECTION` ids: a section never holds
more URLs than that (sitemaps.org allows 50,000 a file), keeps its contents as posts are added,
and is one range scan on the primary key to read. Nothing here builds a page object or asks a
page for its URL: at 10,000 posts, going through django.contrib.sitemaps, a PostPage and its
URL routing per item took 1.5 s a request (bench/feeds_bench.py); rows and the URL rule below
take a small fraction of that.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, F, Max, Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from wagtail.models import Page

from byline.blogs.listing import Scope, newest_post_ids
from byline.blogs.models import BlogPage, PostPage, PostPageAuthor, PostPageTag
from byline.blogs.visibility import readable_q
from byline.core import frame
from byline.feeds.sources import site_root

# Post ids per posts section; also the most posts a site may have and still get one sitemap
# file rather than an index (a small site's crawler then needs one request).
POSTS_PER_SECTION = 5_000
# How many of a listing's newest posts its lastmod looks at: about its first page.
LISTING_POSTS = 20
# The sitemaps.org protocol's limit for one file.
MAX_URLS = 50_000


@dataclass(frozen=True)
class Section:
    name: str  # "pages", "authors", "tags" or "posts-<n>"
    count: int | None  # URLs in it, when known without reading it
    lastmod: datetime.datetime | None


def _raw_rows(queryset: QuerySet) -> Iterator[tuple]:
    """The queryset's rows as the database driver returns them: Django's per-value converters
    cost more than the rest of a sitemap line together (SQLite datetimes are parsed in Python
    one by one), and _aware below does the one conversion needed."""
    compiler = queryset.query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            yield from batch


def _aware(value: datetime.datetime | str) -> datetime.datetime:
    """A stored date-time as an aware datetime: SQLite gives ISO text in UTC (USE_TZ), the
    PostgreSQL driver an aware datetime already."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _newest(*moments: datetime.datetime | None) -> datetime.datetime | None:
    return max(filter(None, moments), default=None)


class SiteSitemap:
    """The sitemap of the Wagtail site answering the request (its page tree, its posts)."""

    posts_per_section = POSTS_PER_SECTION

    def __init__(self, request: HttpRequest):
        self.request = request
        self.root = site_root(request)
        # The scheme and host the request came in on (https behind a proxy with BYLINE_HTTPS).
        self.base = f"{request.scheme}://{request.get_host()}"

    # -- queries --------------------------------------------------------------------------

    def _posts(self) -> QuerySet:
        """Published posts of this site, unordered (each caller asks for what it needs)."""
        if self.root is None:
            return PostPage.objects.none()
        return PostPage.objects.filter(
            readable_q(),
            date__isnull=False,
            path__startswith=self.root.path,
            depth__gt=self.root.depth,
        )

    def _published(self, relation: str) -> Q:
        """_posts()'s conditions, across `relation` to the post: a plain join, which both
        databases plan better than an IN (subquery)."""
        if self.root is None:
            return Q(pk__in=[])
        return readable_q(relation) & Q(
            **{
                f"{relation}__date__isnull": False,
                f"{relation}__path__startswith": self.root.path,
                f"{relation}__depth__gt": self.root.depth,
            }
        )

    def _remembered(self, name: str, read):
        """What `read()` lists for this site, kept per content version (byline.core.frame):
        the grouped statements over every post, byline and tagging cost 0.1-0.5 s at 50,000
        posts, the pages' 3 queries per blog 50 ms; only pages, authors and tags, which start
        a new version, change them."""
        if self.root is None:
            return read()
        return frame.remembered(self.request, ("sitemap", self.root.pk, name), read)

    def post_sections(self) -> list[Section]:
        """One grouped query: every non-empty posts section, its size and newest change."""
        return self._remembered("post-sections", self._read_post_sections)

    def _read_post_sections(self) -> list[Section]:
        rows = (
            self._posts()
            .annotate(section=F("pk") / self.posts_per_section)
            .values("section")
            .annotate(count=Count("pk"), latest=Max("last_published_at"), newest=Max("date"))
            .order_by("section")
        )
        return [
            Section(f"posts-{row['section']}", row["count"], _newest(row["latest"], row["newest"]))
            for row in rows
        ]

    def sections(self) -> list[Section]:
        posts = self.post_sections()
        newest = _newest(*(section.lastmod for section in posts))
        # Listings, author and tag pages change when a post does; their own sections list the
        # exact times, the index needs only an upper bound and gets it without reading them.
        return [
            Section("pages", None, newest),
            Section("authors", None, newest),
            Section("tags", None, newest),
            *posts,
        ]

    # -- URLs -----------------------------------------------------------------------------

    def urls(self, name: str) -> Iterator[tuple[str, datetime.datetime | None]]:
        """The section's (absolute URL, lastmod) pairs; Http404 for a section there is not."""
        if name == "pages":
            return self._page_urls()
        if name == "authors":
            return self._author_urls()
        if name == "tags":
            return self._tag_urls()
        number = name.removeprefix("posts-")
        if name.startswith("posts-") and number.isascii() and number.isdigit() and len(number) < 12:
            return self._post_urls(int(number))
        raise Http404("No such sitemap")

    def _post_urls(self, number: int) -> Iterator[tuple[str, datetime.datetime | None]]:
        first = number * self.posts_per_section
        rows = (
            self._posts()
            .filter(pk__gte=first, pk__lt=first + self.posts_per_section)
            .order_by("pk")
            .values_list("url_path", "slug", "date", "last_published_at")
        )
        # PostPage.get_url_parts's rule: the blog's path, then yyyy/mm/slug/ in local time
        # (test_sitemaps checks the two agree).
        site = self.base + "/"
        cut = len(self.root.url_path) if self.root else 0
        zone = timezone.get_current_timezone()
        for url_path, slug, date, published in _raw_rows(rows):
            date = _aware(date)
            published = _aware(published) if published else date
            local = date.astimezone(zone)
            blog_path = url_path[cut : -(len(slug) + 1)]
            # Percent-encoded where not ASCII, as reverse() writes a post's address.
            path = iri_to_uri(f"{blog_path}{local.year:04d}/{local.month:02d}/{slug}/")
            yield f"{site}{path}", max(published, date)

    def _page_urls(self) -> Iterator[tuple[str, datetime.datetime | None]]:
        """Every other live, public page: home, /blogs/, blog fronts and any other page. A
        listing is as new as the newest change among the posts its first page shows: the
        newest posts by date, found by walking the date index (a grouped maximum over every
        post under each page took 1 s at 100,000 posts). A few queries per page, and there are
        only a handful besides posts."""
        if self.root is None:
            return
        for path, lastmod in self._remembered("pages", self._read_pages):
            yield f"{self.base}/{path}", lastmod

    def _read_pages(self) -> list[tuple[str, datetime.datetime | None]]:
        pages = list(
            Page.objects.filter(readable_q())
            .descendant_of(self.root, inclusive=True)
            .not_type(PostPage)
            .order_by("path")
            .values_list("path", "url_path", "last_published_at", "numchild")
        )
        cut = len(self.root.url_path)
        found = []
        for path, url_path, published, numchild in pages:
            newest = None
            if numchild:
                ids = newest_post_ids(Scope(tree_path=path), LISTING_POSTS)
                newest = PostPage.objects.filter(pk__in=ids).aggregate(
                    latest=Max("last_published_at")
                )["latest"]
            found.append((url_path[cut:], _newest(published, newest)))
        return found

    def _author_urls(self) -> Iterator[tuple[str, datetime.datetime | None]]:
        yield from self._grouped_urls(
            "authors", PostPageAuthor, "post", "author__slug", "blogs:author"
        )

    def _tag_urls(self) -> Iterator[tuple[str, datetime.datetime | None]]:
        yield from self._grouped_urls(
            "tags", PostPageTag, "content_object", "tag__slug", "blogs:tag"
        )

    def _grouped_urls(
        self, name: str, links, post: str, slug: str, route: str
    ) -> Iterator[tuple[str, datetime.datetime | None]]:
        """A page per slug of `links` (bylines, taggings) on published posts (reached by
        `post`), as new as the newest of those posts."""

        def read() -> list[tuple[str, datetime.datetime | None]]:
            rows = (
                links.objects.filter(self._published(post))
                .values_list(slug)
                .annotate(latest=Max(f"{post}__last_published_at"))
                .order_by(slug)[:MAX_URLS]
            )
            # Django's reverse(), not the remembered one: each slug is asked for once here, and
            # up to MAX_URLS of them would push out the addresses every page shares.
            return [(reverse(route, kwargs={"slug": value}), latest) for value, latest in rows]

        for path, latest in self._remembered(name, read):
            yield f"{self.base}{path}", latest


# Google News sitemaps list articles published in the last two days, at most 1,000 of them
# (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap).
NEWS_WINDOW = datetime.timedelta(days=2)
NEWS_MAX_URLS = 1_000


@dataclass(frozen=True)
class NewsItem:
    loc: str
    published: datetime.datetime
    title: str
    modified: datetime.datetime  # its last publication, for Last-Modified


def news_items(request: HttpRequest, *, now: datetime.datetime | None = None) -> list[NewsItem]:
    """The site's published, public posts of the last two days, newest first, from blogs
    that have not opted out (BlogPage.in_news_sitemap)."""
    root = site_root(request)
    if root is None:
        return []
    now = now or timezone.now()
    opted_out = BlogPage.objects.filter(in_news_sitemap=False).values_list("path", flat=True)
    posts = PostPage.objects.published().filter(
        path__startswith=root.path, date__gte=now - NEWS_WINDOW, date__lte=now
    )
    for path in opted_out:
        posts = posts.exclude(path__startswith=path)
    rows = posts.values_list("url_path", "slug", "date", "title", "last_published_at")
    rows = rows[:NEWS_MAX_URLS]
    # PostPage.get_url_parts's rule, as in SiteSitemap._post_urls.
    site = f"{request.scheme}://{request.get_host()}/"
    cut = len(root.url_path)
    zone = timezone.get_current_timezone()
    items = []
    for url_path, slug, date, title, published in rows:
        local = date.astimezone(zone)
        blog_path = url_path[cut : -(len(slug) + 1)]
        loc = site + iri_to_uri(f"{blog_path}{local.year:04d}/{local.month:02d}/{slug}/")
        items.append(NewsItem(loc, date, title, max(published or date, date)))
    return items
