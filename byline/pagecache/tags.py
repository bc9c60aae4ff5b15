"""The names of the page store's tags, in one place: what a stored page depends on (a change
to it purges the page) and which collection it belongs to (a listing and all its pages,
purged together when a post arrives in or leaves it).

Also which collection each reader URL that is not a Wagtail page belongs to, by its URL name:
the page store is built on every app that serves readers, and knows their URLs; they know
nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

# Collections and dependencies with one member each.
HOME = "home"  # the home page
SITE = "site"  # site-wide feeds, sitemaps, robots.txt
BLOGS = "blogs"  # /blogs/
ALL_POSTS = "all-posts"  # a page showing so many posts that it depends on every one
FEATURED_SITE = "featured:site"  # every page showing the site-wide Featured list
CORRECTIONS = "corrections"  # /corrections/, its pages and its feeds


def post(pk: int) -> str:
    """Any page that showed this post (noted as the post was loaded for it)."""
    return f"post:{pk}"


def post_page(pk: int) -> str:
    """The post's own page."""
    return f"postpage:{pk}"


def comments(pk: int) -> str:
    """Pages showing the comments of the page `pk` (its own page, its comment feed)."""
    return f"comments:{pk}"


def comments_blog(slug: str) -> str:
    return f"comments-blog:{slug}"


def page(pk: int) -> str:
    """A Wagtail page that is neither a post, a blog, the home page nor /blogs/."""
    return f"page:{pk}"


def blog(pk: int) -> str:
    return f"blog:{pk}"


def blog_slug(slug: str) -> str:
    """Pages addressed by the blog's slug (its feeds)."""
    return f"blog-slug:{slug}"


def author(pk: int) -> str:
    return f"author:{pk}"


def author_slug(slug: str) -> str:
    return f"author-slug:{slug}"


def tag(pk: int) -> str:
    return f"tag:{pk}"


def tag_slug(slug: str) -> str:
    return f"tag-slug:{slug}"


def image(pk: int) -> str:
    """Any page that showed this image (noted as the image was loaded for it)."""
    return f"image:{pk}"


def _feed(kwargs: Mapping) -> list[str]:
    kind = kwargs.get("kind")
    if kind == "blog":
        return [blog_slug(kwargs["blog"])]
    if kind == "author":
        return [author_slug(kwargs["author"])]
    if kind == "tag":
        return [tag_slug(kwargs["tag"])]
    return [SITE]  # site feeds, sitemaps, robots.txt


# The collections of reader URLs that are views, not Wagtail pages, by URL name (or, for a
# name ending in ":", every URL of that namespace). A view not named here is never stored.
VIEW_COLLECTIONS: dict[str, Callable[[Mapping], list[str]]] = {
    "blogs:author": lambda kwargs: [author_slug(kwargs["slug"])],
    "blogs:tag": lambda kwargs: [tag_slug(kwargs["slug"])],
    "feeds:": _feed,
    "comments:post-feed": lambda kwargs: [comments(kwargs["post_id"])],
    "comments:blog-feed": lambda kwargs: [comments_blog(kwargs["blog"])],
    "corrections:": lambda kwargs: [CORRECTIONS],
}


def view_collections(view_name: str, kwargs: Mapping) -> list[str] | None:
    """The collections of the page the view `view_name` answered, or None: not stored."""
    collections = VIEW_COLLECTIONS.get(view_name)
    if collections is None:
        namespace, _, _ = view_name.partition(":")
        collections = VIEW_COLLECTIONS.get(f"{namespace}:")
    return collections(kwargs) if collections is not None else None
