"""The post feeds: one Feed class per format over any FeedSource, via Django's syndication."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Enclosure
from django.utils.html import escape, strip_tags
from django.utils.http import http_date, quote_etag
from django.utils.text import Truncator

from byline.blogs.extensions import post_amendments, post_modified
from byline.blogs.models import PostPage
from byline.blogs.remembered import remembered_posts
from byline.core import frame
from byline.feeds import generators
from byline.feeds.sources import SOURCES, FeedSource, site_name

# Addresses never leave in a feed, even one an editor typed into a post (DESIGN.md: "author
# addresses never reach a scraper"); the post page shows them protected.
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MAILTO_RE = re.compile(r"""href=(["'])mailto:[^"']*\1""", re.IGNORECASE)
# Root-relative links and images in a post body, made absolute: a feed is read away from the
# site, where "/media/…" means nothing.
ROOT_RELATIVE_RE = re.compile(r"""\b(href|src)=(["'])/(?!/)""", re.IGNORECASE)


def tag_authority() -> str:
    """The authority of the tag: URIs (RFC 4151) that name posts; a setting so that moving the
    site to another host does not make every reader see every post again."""
    return settings.BYLINE_FEED_TAG_AUTHORITY or (
        urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"
    )


def post_guid(post: PostPage) -> str:
    """A post's id in every feed, fixed at first publication: the page's translation key (kept
    through renames, moves and slug changes) dated with the day it was first published."""
    first = post.first_published_at or post.date
    return f"tag:{tag_authority()},{first:%Y-%m-%d}:post:{post.translation_key}"


def scrub_addresses(html: str, *, replacement_href: str) -> str:
    html = MAILTO_RE.sub(f'href="{escape(replacement_href)}"', html)
    return EMAIL_RE.sub("(address on the post page)", html)


class PostFeed(Feed):
    """Posts of a FeedSource, newest first; subclasses pick the format."""

    feed_type = generators.RssFeed
    fmt = "rss"

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.request = request
        response = super().__call__(request, *args, **kwargs)
        # The ETag is the body's own hash, so anything that changes what a reader gets (an
        # edit, a renamed author, the full-content setting) changes it; Last-Modified comes
        # from the data. get_conditional_response applies RFC 9110's precedence rules.
        response.headers["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        # A correction changes an item's updated date without publishing anything.
        corrected = [post_modified(post, self.amendments.get(post.pk, [])) for post in self.posts]
        last_modified = max(filter(None, [self.posts_modified, *corrected]), default=None)
        if last_modified is not None:
            response.headers["Last-Modified"] = http_date(last_modified.timestamp())
        else:
            del response.headers["Last-Modified"]
        response.headers["Cache-Control"] = "public, max-age=300"
        return (
            get_conditional_response(
                request,
                etag=response.headers["ETag"],
                last_modified=int(last_modified.timestamp()) if last_modified else None,
                response=response,
            )
            or response
        )

    def get_object(self, request: HttpRequest, kind: str, slug: str = "") -> FeedSource:
        builder = SOURCES[kind]
        self.source = builder(request, slug) if slug else builder(request)
        return self.source

    def title(self, source: FeedSource) -> str:
        return source.title

    def description(self, source: FeedSource) -> str:
        return source.description

    def subtitle(self, source: FeedSource) -> str:
        return source.description

    def link(self, source: FeedSource) -> str:
        return self.request.build_absolute_uri(source.link)

    def feed_url(self, source: FeedSource) -> str:
        return self.request.build_absolute_uri(source.feed_path(self.fmt))

    def author_name(self, source: FeedSource) -> str:
        # RFC 4287 4.1.1: a feed needs an author unless every entry has one; a post may have
        # none, so the publication stands as the feed's author.
        return site_name(self.request)

    def items(self, source: FeedSource) -> list[PostPage]:
        # The posts, their corrections and updates (for each item's updated date) and when
        # the list last changed (for Last-Modified) change only with the content version
        # (pages, authors, images, corrections): each process reads them once per version.
        limit = settings.BYLINE_FEED_ITEMS
        key = ("feed", source.scope, limit)
        self.posts = remembered_posts(
            self.request, key, lambda: source.newest_posts(limit), fresh_values=False
        )

        def dates() -> tuple[dict, object]:
            amendments = post_amendments([post.pk for post in self.posts])
            return amendments, source.last_modified(self.posts)

        self.amendments, self.posts_modified = frame.remembered(
            self.request, ("feed-dates", *key), dates, per_page=True
        )
        return self.posts

    def item_title(self, post: PostPage) -> str:
        return post.title

    def item_link(self, post: PostPage) -> str:
        return self.request.build_absolute_uri(post.get_url(self.request))

    def item_guid(self, post: PostPage) -> str:
        return post_guid(post)

    item_guid_is_permalink = False

    def item_pubdate(self, post: PostPage):
        return post.date

    def item_updateddate(self, post: PostPage):
        # The same item, updated: a correction moves the date; a silent republish does not.
        return post_modified(post, self.amendments.get(post.pk, []))

    def item_categories(self, post: PostPage) -> list[str]:
        return [tag.name for tag in post.tags.all()]

    def item_description(self, post: PostPage) -> str:
        return escape(self.summary(post))

    def item_enclosures(self, post: PostPage) -> list[Enclosure]:
        image = post.lead_image
        if image is None or not image.file:
            return []
        # The original file, not a rendition: its size is in the database, so a feed costs no
        # image processing and no storage round trip per item.
        url = self.request.build_absolute_uri(image.file.url)
        mime_type = mimetypes.guess_type(image.file.name)[0] or "image/jpeg"
        return [Enclosure(url, str(image.get_file_size() or 0), mime_type)]

    def item_extra_kwargs(self, post: PostPage) -> dict:
        return {
            "author_names": [author.name for author in post.authors],
            "author_urls": [
                # A deleted author keeps the credit but has no page to link to.
                self.request.build_absolute_uri(url) if (url := author.get_absolute_url()) else ""
                for author in post.authors
            ],
            "summary": self.summary(post),
            "content_html": self.content_html(post) if settings.BYLINE_FEED_FULL_CONTENT else "",
        }

    def summary(self, post: PostPage) -> str:
        """The excerpt, or the start of the body when the editor wrote none (plain text)."""
        text = post.excerpt or Truncator(strip_tags(str(post.body)).strip()).words(
            settings.BYLINE_FEED_SUMMARY_WORDS
        )
        return EMAIL_RE.sub("(address on the post page)", text)

    def content_html(self, post: PostPage) -> str:
        root = self.request.build_absolute_uri("/")

        def render() -> str:
            # Block by block, as the post page does, without StreamField's wrapping <div>s.
            context = {"request": self.request, "page": post}
            html = "".join(block.render_as_block(context=context) for block in post.body)
            html = ROOT_RELATIVE_RE.sub(rf"\1=\2{root}", html)
            return scrub_addresses(html, replacement_href=self.item_link(post))

        # The same for every feed the post is in, once per content version.
        key = ("feed-content", post.pk, root)
        return frame.remembered(self.request, key, render, per_page=True)


class PostAtomFeed(PostFeed):
    feed_type = generators.AtomFeed
    fmt = "atom"


class PostJsonFeed(PostFeed):
    feed_type = generators.JsonFeed
    fmt = "json"

    def item_description(self, post: PostPage) -> str:
        return ""


FEED_CLASSES = {"rss": PostFeed, "atom": PostAtomFeed, "json": PostJsonFeed}
