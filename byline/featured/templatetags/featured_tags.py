"""Template tags: the Featured list for a page, and responsive <picture> markup."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from byline.blogs.models import BlogPage
from byline.featured.services import ShownItem, featured_items_for
from byline.images.presets import picture_html

register = template.Library()


@register.simple_tag(takes_context=True)
def featured_for(context: template.Context, page) -> list[ShownItem]:
    """The Featured items to show beside `page` now (see services.featured_items_for)."""
    blog = context.get("blog")  # a post page's context has its blog
    if not isinstance(blog, BlogPage) or isinstance(page, BlogPage):
        blog = None
    return featured_items_for(page=page, blog=blog, request=context.get("request"))


@register.simple_tag
def responsive_image(
    image, preset: str, alt: str | None = None, position: int = 0, css_class: str = ""
) -> SafeString:
    """{% responsive_image image "card" alt=item.alt position=forloop.counter0 %}: Wagtail's
    <picture> markup (the {% picture %} tag's) for one of the presets in images/presets.py,
    with width, height, srcset, sizes, AVIF/WebP sources and lazy loading past the first
    `eager` images; nothing when the image is missing or unreadable."""
    return picture_html(image, preset, alt=alt, position=position or 0, css_class=css_class)
