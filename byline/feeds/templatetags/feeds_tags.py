"""Template tags for page metadata: the <head> block every page includes, and JSON-LD."""

from django import template
from django.utils.safestring import SafeString

from byline.feeds import metadata

register = template.Library()


@register.inclusion_tag("feeds/includes/head_tags.html", takes_context=True)
def feeds_head(context) -> dict:
    return {"meta": metadata.head_metadata(context), "site_name": context.get("site_name", "")}


@register.simple_tag(takes_context=True)
def post_json_ld(context, post) -> SafeString:
    request = context["request"]
    return SafeString(
        "".join(metadata.json_ld(data) for data in metadata.post_json_ld(request, post))
    )


@register.simple_tag(takes_context=True)
def author_json_ld(context, author) -> SafeString:
    return metadata.json_ld(metadata.author_json_ld(context["request"], author))


@register.simple_tag(takes_context=True)
def blog_json_ld(context, blog) -> SafeString:
    return metadata.json_ld(metadata.blog_json_ld(context["request"], blog))
