"""What a feed covers: the whole site, one blog, one author or one tag, and its posts."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.html import strip_tags
from taggit.models import Tag
from wagtail.models import Page, PageLogEntry, Site

from byline.blogs.models import Author, BlogPage, PostPage, PostQuerySet

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
    posts: PostQuerySet

    def feed_path(self, fmt: str) -> str:
        name = f"feeds:{self.kind}-{fmt}"
        return reverse(name, kwargs={self.kind: self.slug}) if self.slug else reverse(name)

    def last_modified(self):
        """When what this feed shows last changed: the newest publish among its posts or the
        newest unpublish/delete of any post (which can take an item away without publishing
        anything). Without the latter, a client that sends only If-Modified-Since would be
        told 304 after a post was withdrawn."""
        published = self.posts.aggregate(latest=Max("last_published_at"))["latest"]
        withdrawn = PageLogEntry.objects.filter(
            action__in=("wagtail.unpublish", "wagtail.delete"),
            content_type__model="postpage",
            content_type__app_label="blogs",
        ).aggregate(latest=Max("timestamp"))["latest"]
        candidates = [moment for moment in (published, withdrawn) if moment is not None]
        return max(candidates) if candidates else None


def site_root(request: HttpRequest) -> Page | None:
    site = Site.find_for_request(request)
    return site.root_page if site else None


def site_name(request: HttpRequest) -> str:
    site = Site.find_for_request(request)
    return (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME


def _site_posts(request: HttpRequest) -> PostQuerySet:
    posts = PostPage.objects.published()
    root = site_root(request)
    return posts.descendant_of(root) if root is not None else posts.none()


def site_source(request: HttpRequest) -> FeedSource:
    name = site_name(request)
    return FeedSource(
        kind="site",
        slug="",
        title=name,
        description=f"The latest posts from {name}.",
        link="/",
        posts=_site_posts(request),
    )


def blog_source(request: HttpRequest, slug: str) -> FeedSource:
    root = site_root(request)
    blog = (
        BlogPage.objects.live().descendant_of(root).filter(slug=slug).first()
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
        posts=blog.posts(),
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
        posts=_site_posts(request).filter(post_authors__author=author),
    )


def tag_source(request: HttpRequest, slug: str) -> FeedSource:
    tag = Tag.objects.filter(slug=slug).first()
    posts = _site_posts(request).filter(tags=tag) if tag else None
    # As with /tags/<tag>/: a tag with no published post is not something a reader can follow.
    if tag is None or not posts.exists():
        raise Http404("No such tag")
    return FeedSource(
        kind="tag",
        slug=slug,
        title=f"Tagged “{tag.name}” · {site_name(request)}",
        description=f"The latest posts tagged “{tag.name}”.",
        link=reverse("blogs:tag", kwargs={"slug": tag.slug}),
        posts=posts,
    )


SOURCES = {"site": site_source, "blog": blog_source, "author": author_source, "tag": tag_source}
