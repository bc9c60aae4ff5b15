"""Old WordPress addresses: what each one becomes in Byline, for redirects and link rewriting."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from wagtail.contrib.redirects.models import Redirect

# WordPress's own archive addresses, under the blog's base path.
_TERM_ARCHIVE = re.compile(r"^/(category|tag|author)/(?:[^/]+/)*([^/]+)(/feed(?:/[a-z0-9]+)?)?/?$")
_DATE_ARCHIVE = re.compile(r"^/(\d{4})(?:/(\d{2}))?(?:/(\d{2}))?/?$")
_RESIZED = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")
# WordPress's feeds of the whole site, by path (WordPress answers /feed/<type>/ and
# /?feed=<type>), and what each is in Byline: its RSS, its Atom, or the comments.
SITE_FEEDS = {
    "/feed": "rss",
    "/feed/rss2": "rss",
    "/feed/rss": "rss",
    "/feed/rdf": "rss",
    "/feed/atom": "atom",
    "/rss": "rss",
    "/comments/feed": "comments",
    "/comments/feed/rss2": "comments",
    "/comments/feed/atom": "comments",
}
FEED_PARAMETERS = {
    "rss2": "rss", "rss": "rss", "rdf": "rss", "atom": "atom",
    "comments-rss2": "comments", "comments-atom": "comments",
}  # fmt: skip
# A term's, an author's or a post's feed: /category/x/feed/, /category/x/feed/atom/ …
FEED_SUFFIXES = {"feed/": "rss", "feed/rss2/": "rss", "feed/rss/": "rss",
                 "feed/rdf/": "rss", "feed/atom/": "atom"}  # fmt: skip


def media_key(url: str) -> str:
    """The part of an uploads URL that names the file, whatever host or size variant
    (image-300x200.jpg is a thumbnail of image.jpg)."""
    path = unquote(urlsplit(url.strip()).path)
    if "/uploads/" in path:
        path = path.split("/uploads/", 1)[1]
    return _RESIZED.sub("", path.lstrip("/")).lower()


def feed_of(listing_url: str, kind: str) -> str:
    """Byline's feed of a listing (a tag, an author, a blog): /tags/x/feed/, /tags/x/atom/."""
    return posixpath.join(listing_url, "atom/" if kind == "atom" else "feed/")


@dataclass
class LinkMap:
    """Every old address the import knows of and the new address it answers with."""

    hosts: set[str] = field(default_factory=set)
    base_path: str = ""
    paths: dict[str, str] = field(default_factory=dict)  # normalised old path -> new URL
    media: dict[str, str] = field(default_factory=dict)  # media_key -> new URL
    tags: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, slug) -> new URL
    blog_url: str = "/"
    # Byline's feeds for WordPress's site-wide ones (run.py sets the blog's comments feed).
    feeds: dict[str, str] = field(
        default_factory=lambda: {"rss": "/feed/", "atom": "/atom/", "comments": "/feed/"}
    )

    @classmethod
    def for_site(cls, *urls: str) -> LinkMap:
        links = cls()
        for url in urls:
            parts = urlsplit(url.strip())
            if parts.hostname:
                host = parts.hostname.lower()
                links.hosts |= {host, host.removeprefix("www."), f"www.{host.removeprefix('www.')}"}
                if not links.base_path:
                    links.base_path = parts.path.rstrip("/")
        return links

    def old_path(self, url: str) -> str | None:
        """The normalised path (with query) of an address on the old site, else None."""
        parts = urlsplit(url.strip())
        if parts.scheme and parts.scheme not in {"http", "https"}:
            return None
        if parts.hostname and parts.hostname.lower() not in self.hosts:
            return None
        if not parts.hostname and not parts.path.startswith("/"):
            return None
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        return Redirect.normalise_path(path)

    def add(self, old_url: str, new_url: str) -> None:
        path = self.old_path(old_url)
        if path is not None and path not in self.paths:
            self.paths[path] = new_url

    def relative(self, path: str) -> str:
        """A path below the blog's base (a site in a subfolder keeps that prefix)."""
        base = self.base_path
        return path[len(base) :] or "/" if base and path.startswith(base) else path

    def resolve(self, url: str) -> str | None:
        """The new address for an old one, or None if the import knows no new home for it."""
        if not url or url.startswith("#"):
            return None
        parts = urlsplit(url.strip())
        if parts.hostname and parts.hostname.lower() not in self.hosts and "/uploads/" in url:
            return self.media.get(media_key(url))
        path = self.old_path(url)
        if path is None:
            return None
        if path in self.paths:
            return self.paths[path]
        if "/uploads/" in path:
            return self.media.get(media_key(url))
        local = self.relative(unquote(path.split("?", 1)[0]))
        if local.rstrip("/") in SITE_FEEDS:
            return self.feeds[SITE_FEEDS[local.rstrip("/")]]
        if match := _TERM_ARCHIVE.match(local):
            kind, slug, feed = match.groups()
            target = self.tags.get(("author" if kind == "author" else "tag", slug.lower()))
            if target and feed:
                return feed_of(target, FEED_SUFFIXES.get(feed.strip("/") + "/", "rss"))
            return target
        if match := _DATE_ARCHIVE.match(local):
            year, month, _day = match.groups()
            return f"{self.blog_url}{year}/{month}/" if month else f"{self.blog_url}{year}/"
        return None

    def rewrite(self, url: str) -> str:
        """For content: the new address if there is one, the link as it was otherwise."""
        new = self.resolve(url)
        if new is None:
            return url
        fragment = urlsplit(url).fragment
        return f"{new}#{fragment}" if fragment else new
