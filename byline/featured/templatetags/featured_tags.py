"""Template tag: the Featured list for a page."""

from __future__ import annotations

from django import template

from byline.blogs.models import BlogPage
from byline.featured.services import ShownItem, featured_items_for

register = template.Library()


@register.simple_tag(takes_context=True)
def featured_for(context: template.Context, page) -> list[ShownItem]:
    """The Featured items to show beside `page` now (see services.featured_items_for)."""
    blog = context.get("blog")  # a post page's context has its blog
    if not isinstance(blog, BlogPage) or isinstance(page, BlogPage):
        blog = None
    return featured_items_for(page=page, blog=blog, request=context.get("request"))
