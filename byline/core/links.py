"""Absolute addresses for what leaves the site without a request to take a host from: e-mail.

Every one starts with the base URL, WAGTAILADMIN_BASE_URL (BYLINE_BASE_URL, by default
http://127.0.0.1:<PORT>), never with a Wagtail Site record's host and port, which
`page.get_full_url()` uses: the record is an editor's to set, and one left at Wagtail's
"localhost:80" put a second host beside the base URL's in the same reply notification.
With BYLINE_BASE_URL=https://news.example.com:

    absolute_url("/comments/unsubscribe/abc/")  # https://news.example.com/comments/unsubscribe/abc/
    page_absolute_url(post)  # https://news.example.com/blogs/bekkers-blog/2011/07/why/
"""

from __future__ import annotations

from django.conf import settings
from wagtail.models import Page


def base_url() -> str:
    """The public origin, without a trailing slash (settings.env_origin checked its form)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """A root-relative path (from reverse(), or a page's) under the base URL."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a root-relative path: {path!r}")
    return base_url() + path


def page_absolute_url(page: Page) -> str:
    """A page's address under the base URL: Wagtail's path for it within its site (a post's
    dated one), without the Site record's root_url that `page.get_full_url()` begins with."""
    parts = page.get_url_parts()
    if parts is None or parts[2] is None:
        raise ValueError(f"{page!r} has no address: it is in no site")
    return absolute_url(parts[2])
