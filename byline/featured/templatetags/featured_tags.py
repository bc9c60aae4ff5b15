"""Template tag: the Featured list for a page."""

from __future__ import annotations

from django import template
from django.utils import timezone
from wagtail.models import Site

from byline.blogs.models import BlogPage
from byline.core import frame
from byline.featured.services import (
    ShownItem,
    blog_id_of,
    featured_items_for,
    featured_next_change,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def featured_for(context: template.Context, page) -> list[ShownItem]:
    """The Featured items to show beside `page` now (see services.featured_items_for), read
    once per content version and site in each process (byline.core.frame), and again when
    an item's window next opens or closes."""
    request = context.get("request")
    blog = context.get("blog")  # a post page's context has its blog
    if isinstance(page, BlogPage):
        blog_id = page.pk
    elif isinstance(blog, BlogPage):
        blog_id = blog.pk
    else:
        blog_id = blog_id_of(page)
    site = Site.find_for_request(request) if request is not None else None

    def read() -> tuple[tuple[ShownItem, ...], float | None]:
        now = timezone.now()
        items = featured_items_for(page=page, blog_id=blog_id, request=request, now=now)
        moment = featured_next_change(blog_id=blog_id, now=now)
        return tuple(items), moment.timestamp() if moment is not None else None

    items, _ = frame.remembered(
        request, ("featured", site.pk if site else None, blog_id), read, until=lambda v: v[1]
    )
    return list(items)
