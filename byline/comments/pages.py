"""Which pages carry reader comments, and whose moderation policy governs them.

Posts take comments under their blog's policy. Standard pages ("About", pages imported from
WordPress) take them when an editor opens them, under the site default policy, since no blog
is above them.
"""

from __future__ import annotations

from wagtail.models import Page

from byline.blogs.models import BlogPage, PostPage
from byline.publication.models import StandardPage


def commented_page(page_id: int) -> Page | None:
    """The published post or live standard page with this id, as its own type; else None."""
    post = PostPage.objects.published().filter(pk=page_id).first()
    if post is not None:
        return post
    return StandardPage.objects.live().filter(pk=page_id).first()


def governing_blog(page: Page) -> BlogPage | None:
    """The blog whose comment settings apply to `page`: its parent, when that is a blog."""
    if isinstance(page, PostPage):
        parent = page.get_parent().specific
        return parent if isinstance(parent, BlogPage) else None
    return None


def page_noun(page: Page | None) -> str:
    """ "post" or "page", for messages such as "Comments are closed for this post"."""
    return "post" if page is None or isinstance(page, PostPage) else "page"
