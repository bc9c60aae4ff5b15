"""Which pages carry reader comments, and whose moderation policy governs them.

Posts take comments under their blog's policy. Standard pages ("About", pages imported from
WordPress) take them when an editor opens them, under the site default policy, since no blog
is above them.
"""

from __future__ import annotations

from django.http import HttpRequest
from wagtail.models import Page

from byline.blogs.models import BlogPage, PostPage
from byline.blogs.visibility import accepts, readable_q
from byline.publication.models import StandardPage


def commented_page(page_id: int, request: HttpRequest | None = None) -> Page | None:
    """The published post or live standard page with this id, as its own type; else None.

    Without `request` (a comment feed: anyone may fetch it), only a page no view restriction
    covers. With one, also a restricted page whose restrictions the request passes (a reader
    who entered the post's password may comment on it); never one it does not pass."""
    if request is None:
        post = PostPage.objects.published().filter(pk=page_id).first()
        return post or StandardPage.objects.filter(readable_q(), pk=page_id).first()
    page = (
        PostPage.objects.at_their_address().filter(pk=page_id).first()
        or StandardPage.objects.live().filter(pk=page_id).first()
    )
    return page if page is not None and accepts(page, request) else None


def governing_blog(page: Page) -> BlogPage | None:
    """The blog whose comment settings apply to `page`: its parent, when that is a blog."""
    if isinstance(page, PostPage):
        parent = page.get_parent().specific
        return parent if isinstance(parent, BlogPage) else None
    return None


def page_noun(page: Page | None) -> str:
    """ "post" or "page", for messages such as "Comments are closed for this post"."""
    return "post" if page is None or isinstance(page, PostPage) else "page"
