"""Template tags for page metadata: the <head> block every page includes, and JSON-LD."""

from collections.abc import Callable

from django import template
from django.utils.safestring import SafeString

from byline.core import frame
from byline.feeds import metadata

register = template.Library()


@register.inclusion_tag("feeds/includes/head_tags.html", takes_context=True)
def feeds_head(context) -> dict:
    return {"meta": metadata.head_metadata(context), "site_name": context.get("site_name", "")}


def _remembered(request, key: tuple, render: Callable[[], SafeString]) -> SafeString:
    """`render()` once per content version, page and address the site is reached at
    (byline.core.frame): a page's JSON-LD reads its authors, tags, image and corrections,
    each of which starts a new version when it changes. A preview shows the editor's state."""
    where = (request.scheme, request.get_host())
    return frame.remembered_unless_preview(request, (*key, *where), render, per_page=True)


@register.simple_tag(takes_context=True)
def post_json_ld(context, post) -> SafeString:
    request = context["request"]

    def render() -> SafeString:
        return SafeString(
            "".join(metadata.json_ld(data) for data in metadata.post_json_ld(request, post))
        )

    return _remembered(request, ("post-json-ld", post.pk), render)


@register.simple_tag(takes_context=True)
def author_json_ld(context, author) -> SafeString:
    return metadata.json_ld(metadata.author_json_ld(context["request"], author))


@register.simple_tag(takes_context=True)
def blog_json_ld(context, blog) -> SafeString:
    request = context["request"]
    return _remembered(
        request,
        ("blog-json-ld", blog.pk),
        lambda: metadata.json_ld(metadata.blog_json_ld(request, blog)),
    )
