"""sitemaps.org sitemaps of every public page, through django.contrib.sitemaps."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page

from byline.blogs.models import Author, PostPage
from byline.feeds.sources import site_root

# The sitemaps.org protocol's limit for one file, and so the point past which /sitemap.xml
# becomes an index of several.
MAX_URLS = 50_000


class _SiteSitemap(Sitemap):
    """A sitemap for the Wagtail site answering the request (URLs come from its page tree)."""

    limit = MAX_URLS

    def __init__(self, request: HttpRequest, limit: int = MAX_URLS):
        self.request = request
        self.root = site_root(request)
        self.limit = limit

    def get_protocol(self, protocol: str | None = None) -> str:
        # The scheme the request came in on (https behind a proxy with BYLINE_HTTPS), not
        # Django's default guess.
        return self.request.scheme

    def posts(self):
        return (
            PostPage.objects.published().descendant_of(self.root)
            if self.root
            else (PostPage.objects.none())
        )


class PostSitemap(_SiteSitemap):
    """Posts, read as plain rows: building 50,000 PostPage objects and asking each for its URL
    took ~1 ms a post (measured at 10,000); rows and the URL rule below take a tenth of that."""

    def items(self):
        # Ordered by id so that pages of a large sitemap keep their contents as posts are added.
        return (
            self.posts()
            .order_by("pk")
            .values_list("url_path", "slug", "date", "last_published_at", named=True)
        )

    def location(self, row) -> str:
        # PostPage.get_url_parts's rule: the blog's path, then yyyy/mm/slug/ in local time
        # (test_sitemaps checks the two agree).
        tree_path = row.url_path[len(self.root.url_path) - 1 :]
        local = timezone.localtime(row.date)
        return f"{tree_path[: -(len(row.slug) + 1)]}{local:%Y}/{local:%m}/{row.slug}/"

    def lastmod(self, row):
        return max(row.last_published_at or row.date, row.date)

    def get_latest_lastmod(self):
        # One query, not a walk over every post (Django's default).
        return self.posts().aggregate(latest=Max("last_published_at"))["latest"]


class PageSitemap(_SiteSitemap):
    """Every other live, public page of the tree: home, /blogs/, blog fronts, other pages."""

    def items(self):
        if self.root is None:
            return []
        pages = (
            Page.objects.live()
            .public()
            .descendant_of(self.root, inclusive=True)
            .not_type(PostPage)
            .order_by("path")
        )
        items = list(pages)
        for page in items:
            # A listing (home, /blogs/, a blog front) is as new as the newest post under it;
            # one query per page, and there are only a handful besides posts.
            newest_post = (
                self.posts()
                .filter(path__startswith=page.path)
                .aggregate(latest=Max("last_published_at"))["latest"]
            )
            page.sitemap_lastmod = max(
                filter(None, [page.last_published_at, newest_post]), default=None
            )
        return items

    def location(self, page: Page) -> str:
        return page.get_url(self.request)

    def lastmod(self, page: Page):
        return page.sitemap_lastmod


class AuthorSitemap(_SiteSitemap):
    def items(self):
        return list(
            Author.objects.filter(post_links__post__in=self.posts())
            .annotate(latest=Max("post_links__post__last_published_at"))
            .order_by("slug")
        )

    def lastmod(self, author: Author):
        return author.latest


class TagSitemap(_SiteSitemap):
    def items(self):
        return list(
            Tag.objects.filter(blogs_postpagetag_items__content_object__in=self.posts())
            .annotate(latest=Max("blogs_postpagetag_items__content_object__last_published_at"))
            .order_by("slug")
        )

    def location(self, tag: Tag) -> str:
        return reverse("blogs:tag", kwargs={"slug": tag.slug})

    def lastmod(self, tag: Tag):
        return tag.latest
