"""Template tag: responsive <picture> markup for an image in one of the presets."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from byline.images.presets import image_alt, picture_html

register = template.Library()
register.filter("alt_text", image_alt)


@register.simple_tag
def responsive_image(
    image, preset: str, alt: str | None = None, position: int = 0, css_class: str = ""
) -> SafeString:
    """{% responsive_image image "card" alt=item.alt position=forloop.counter0 %}: Wagtail's
    <picture> markup (the {% picture %} tag's) for one of the presets in images/presets.py,
    with width, height, srcset, sizes, AVIF/WebP sources and lazy loading past the first
    `eager` images; nothing when the image is missing or unreadable."""
    return picture_html(image, preset, alt=alt, position=position or 0, css_class=css_class)
