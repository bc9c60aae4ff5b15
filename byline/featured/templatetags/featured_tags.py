"""Template tag: the Featured list for a page."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
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


def _featured(context: template.Context, page) -> tuple[tuple[ShownItem, ...], float | None, tuple]:
    """The items to show beside `page` now, when that list next changes (epoch seconds, or
    None) and the key it is remembered under."""
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

    key = (site.pk if site else None, blog_id)
    items, until = frame.remembered(request, ("featured", *key), read, until=lambda v: v[1])
    return items, until, key


@register.simple_tag(takes_context=True)
def featured_for(context: template.Context, page) -> list[ShownItem]:
    """The Featured items to show beside `page` now (see services.featured_items_for), read
    once per content version and site in each process (byline.core.frame), and again when
    an item's window next opens or closes."""
    return list(_featured(context, page)[0])


@register.simple_tag(takes_context=True)
def featured_aside(context: template.Context, page) -> SafeString:
    """The Featured aside beside `page`: its HTML made once per list, like the list itself
    (the same for every page of a blog; its images are the bulk of a render's time)."""
    items, until, key = _featured(context, page)
    if not items:
        return SafeString("")
    request = context.get("request")

    def render() -> SafeString:
        return render_to_string(
            "featured/includes/featured_list.html", {"featured": items, "request": request}
        )

    return frame.remembered(request, ("featured-aside", *key), render, until=lambda _: until)
