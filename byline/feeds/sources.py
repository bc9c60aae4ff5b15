"""What a feed covers: the whole site, one blog, one author or one tag, and its posts."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max
from django.http import Http404, HttpRequest
from django.utils.html import strip_tags
from taggit.models import Tag
from wagtail.models import Page, PageLogEntry, Site

from byline.blogs.listing import Scope, newest_post_ids, site_tree_path
from byline.blogs.models import Author, BlogPage, PostPage
from byline.blogs.visibility import readable_q
from byline.core import frame
from byline.core.reversing import reverse

# The formats each source is served in: the URL name suffix, the path piece and the label.
FORMATS = {
    "rss": ("feed/", "RSS"),
    "atom": ("atom/", "Atom"),
    "json": ("feed.json", "JSON Feed"),
}


@dataclass(frozen=True)
class FeedSource:
    """One feed's subject: `kind` is "site", "blog", "author" or "tag"; `slug` is empty for
    the site."""

    kind: str
    slug: str
    title: str
    description: str
    link: str  # the reader page the feed mirrors, a path
    scope: Scope

    def feed_path(self, fmt: str) -> str:
        name = f"feeds:{self.kind}-{fmt}"
        return reverse(name, kwargs={self.kind: self.slug}) if self.slug else reverse(name)

    def newest_posts(self, limit: int) -> list[PostPage]:
        """The `limit` newest posts, with what a feed item shows, in a fixed number of queries."""
        ids = newest_post_ids(self.scope, limit)
        posts = (
            PostPage.objects.filter(pk__in=ids)
            .select_related("lead_image")
            .prefetch_related("post_authors__author", "tags")
        )
        by_id = {post.pk: post for post in posts}
        return [by_id[pk] for pk in ids if pk in by_id]

    @staticmethod
    def last_modified(posts: list[PostPage]):
        """When what a feed of `posts` shows last changed: the newest publish among them (a
        post the feed does not show changes nothing in it) or the last time a page went out
        of readers' sight (which can take an item away without publishing anything). Without
        the latter, a client that sends only If-Modified-Since would be told 304 after a
        post was withdrawn."""
        moments = [post.last_published_at for post in posts] + [withdrawn_at()]
        return max(filter(None, moments), default=None)


# What Wagtail logs when a page may leave readers' sight: unpublished by an editor or on its
# expiry, deleted, moved (under a restricted blog, say), or a view restriction put on it,
# changed or lifted. Logged against the page acted on, which may be a blog above the posts.
WITHDRAWING_ACTIONS = (
    "wagtail.unpublish",
    "wagtail.unpublish.scheduled",
    "wagtail.delete",
    "wagtail.move",
    "wagtail.view_restriction.create",
    "wagtail.view_restriction.edit",
    "wagtail.view_restriction.delete",
)


def withdrawn_at():
    """When a page last went out of readers' sight (or its restrictions changed): that takes
    posts out of feeds and sitemaps without making anything in them newer. Any page's: a
    restriction on a blog withdraws every post under it, and sitemaps list pages too."""
    return PageLogEntry.objects.filter(action__in=WITHDRAWING_ACTIONS).aggregate(
        latest=Max("timestamp")
    )["latest"]


def withdrawal_logged(sender: type, instance: PageLogEntry, created: bool, **kwargs) -> None:
    """A new content version once a withdrawal is logged (a post_save receiver): the feeds'
    and sitemaps' remembered Last-Modified is read again (withdrawn_at)."""
    if created and instance.action in WITHDRAWING_ACTIONS:
        frame.bump()


def site_root(request: HttpRequest) -> Page | None:
    site = Site.find_for_request(request)
    return site.root_page if site else None


def site_name(request: HttpRequest) -> str:
    site = Site.find_for_request(request)
    return (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME


def site_source(request: HttpRequest) -> FeedSource:
    name = site_name(request)
    return FeedSource(
        kind="site",
        slug="",
        title=name,
        description=f"The latest posts from {name}.",
        link="/",
        scope=Scope(tree_path=site_tree_path(request)),
    )


def blog_source(request: HttpRequest, slug: str) -> FeedSource:
    root = site_root(request)
    blog = (
        BlogPage.objects.filter(readable_q()).descendant_of(root).filter(slug=slug).first()
        if root is not None
        else None
    )
    if blog is None:
        raise Http404("No such blog")
    return FeedSource(
        kind="blog",
        slug=slug,
        title=f"{blog.title} · {site_name(request)}",
        description=strip_tags(blog.description).strip() or f"The latest posts of {blog.title}.",
        link=blog.get_url(request) or "/",
        scope=Scope(tree_path=blog.path),
    )


def author_source(request: HttpRequest, slug: str) -> FeedSource:
    author = Author.objects.filter(slug=slug).first()
    if author is None:
        raise Http404("No such author")
    return FeedSource(
        kind="author",
        slug=slug,
        title=f"{author.name} · {site_name(request)}",
        description=f"The latest posts by {author.name}.",
        link=author.get_absolute_url(),
        scope=Scope(tree_path=site_tree_path(request), author_id=author.pk),
    )


def tag_source(request: HttpRequest, slug: str) -> FeedSource:
    tag = Tag.objects.filter(slug=slug).first()
    scope = Scope(tree_path=site_tree_path(request), tag_id=tag.pk) if tag else None
    # As with /tags/<tag>/: a tag with no published post is not something a reader can follow.
    if scope is None or not newest_post_ids(scope, 1):
        raise Http404("No such tag")
    return FeedSource(
        kind="tag",
        slug=slug,
        title=f"Tagged “{tag.name}” · {site_name(request)}",
        description=f"The latest posts tagged “{tag.name}”.",
        link=reverse("blogs:tag", kwargs={"slug": tag.slug}),
        scope=scope,
    )


SOURCES = {"site": site_source, "blog": blog_source, "author": author_source, "tag": tag_source}
