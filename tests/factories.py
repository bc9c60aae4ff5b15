"""Builders for tests and benchmarks: a small page tree like the reference site's, and
factories (not shipped: the package `byline` never imports this)."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

import factory
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from byline.blogs.models import Author, BlogIndexPage, BlogPage, PostPage, PostPageAuthor
from byline.publication.models import PublicationPage

_counter = itertools.count(1)
DEFAULT_DATE = datetime.datetime(2011, 7, 13, 12, 0, tzinfo=datetime.UTC)


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    email = factory.LazyAttribute(lambda author: f"{author.slug}@example.com")


@dataclass
class SiteTree:
    home: PublicationPage
    blogs: BlogIndexPage
    blog: BlogPage
    author: Author


def publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def ensure_wagtail_baseline() -> None:
    """Put back the rows Wagtail's migrations create (default locale, root page, root
    collection) when a transactional test's flush has removed them."""
    # The flush also removed content types that ContentType's per-process cache still
    # hands out; forget them so that get_for_model() makes them again.
    ContentType.objects.clear_cache()
    locale = Locale.objects.first() or Locale.objects.create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(
            instance=Page(
                title="Root",
                slug="root",
                content_type=ContentType.objects.get_for_model(Page),
                locale=locale,
            )
        )
    if not Collection.objects.exists():
        Collection.add_root(name="Root")


def build_site_tree() -> SiteTree:
    """Publication home at /, /blogs/, one blog ("Bekker's Blog") and its columnist."""
    ensure_wagtail_baseline()
    root = Page.get_first_root_node()
    home = publish(root, PublicationPage(title="Test Publication", slug="test-publication"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Test"},
    )
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    blogs = publish(home, BlogIndexPage(title="Blogs", slug="blogs"))
    author = AuthorFactory(name="Scott Bekker", slug="scott-bekker", email="sbekker@example.com")
    blog = publish(blogs, BlogPage(title="Bekker's Blog", slug="bekkers-blog"))
    return SiteTree(home=home, blogs=blogs, blog=blog, author=author)


def make_post(
    blog: BlogPage,
    *,
    title: str | None = None,
    slug: str | None = None,
    date: datetime.datetime | None = DEFAULT_DATE,
    authors: list[Author] | tuple = (),
    tags: list[str] | tuple = (),
    body: list | None = None,
    excerpt: str = "",
    live: bool = True,
    comments_open: bool = True,
) -> PostPage:
    """A post under `blog`, published unless live=False (then saved as a draft).
    date=None leaves the date to be set when the post goes live."""
    number = next(_counter)
    post = PostPage(
        title=title or f"Post {number}",
        slug=slug or f"post-{number}",
        date=date,
        excerpt=excerpt,
        body=body if body is not None else [("paragraph", f"<p>Body of post {number}.</p>")],
        comments_open=comments_open,
        live=live,
    )
    for position, author in enumerate(authors):
        post.post_authors.add(PostPageAuthor(author=author, sort_order=position))
    if tags:
        post.tags.add(*tags)
    blog.add_child(instance=post)
    revision = post.save_revision()
    if live:
        revision.publish()
    post.refresh_from_db()
    return post


def make_column(tree: SiteTree, days: int) -> list[PostPage]:
    """Posts "Post 1" to "Post <days>" of the tree's blog, one a day from 1 July 2011, each by
    its author and tagged "microsoft": each is on the blog's, the author's and the tag's
    listings."""
    return [
        make_post(
            tree.blog,
            title=f"Post {day}",
            slug=f"post-{day}",
            date=datetime.datetime(2011, 7, day, 12, tzinfo=datetime.UTC),
            authors=[tree.author],
            tags=["microsoft"],
        )
        for day in range(1, days + 1)
    ]
