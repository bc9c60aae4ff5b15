"""Template tags for lists of posts that many pages share, each post's HTML made once."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import template
from django.http import HttpRequest
from django.template.defaultfilters import date as format_date
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from wagtail.embeds.embeds import get_embed
from wagtail.embeds.exceptions import EmbedException
from wagtail.templatetags.wagtailcore_tags import pageurl

from byline.core import frame
from byline.core.dates import machine_datetime
from byline.images.presets import image_loading

register = template.Library()


@register.filter
def embed_title(embed) -> str:
    """The title the provider gave an embed (read from Wagtail's store of embeds, where its
    HTML came from), or "" when there is none."""
    try:
        return get_embed(embed.url, embed.max_width, embed.max_height).title or ""
    except EmbedException:
        return ""


# An <iframe> start tag without a title attribute.
_UNTITLED_FRAME = re.compile(r"<iframe\b(?![^>]*\stitle\s*=)", re.IGNORECASE)


@register.filter
def titled_frames(html: str, title: str) -> SafeString:
    """An embed provider's HTML with `title` on each <iframe> that has none (a frame needs a
    name for screen readers; several providers send none); unchanged when `title` is empty,
    so that filters chained caption, embed title, fallback give the first one there is."""
    if not title:
        return mark_safe(html)
    start = f'<iframe title="{escape(title)}"'
    return mark_safe(_UNTITLED_FRAME.sub(lambda _: start, str(html)))


def _host(request: HttpRequest | None) -> str:
    # Part of what a post's HTML is kept under: its address is relative only on its own site.
    return request.get_host() if request is not None else ""


@register.simple_tag(takes_context=True)
def post_link_items(context: template.Context, posts: Iterable) -> SafeString:
    """``<li>`` for each post: its title linked, and its date. A post is in the "More from"
    and "Related" lists of many others, so in a crawl (a bake, frame.reading_ahead) each
    item is made once per content version in this process (per item: titles, dates and
    addresses are pages' fields, whose changes start a new version), for the host, because
    an address is relative only on its own site, whose time zone the date is shown in.
    Serving makes a post's lists once per content version anyway (post_page.html keeps them
    in "post-around"), and keeps its bounded per-item room for listings' posts."""
    request = context.get("request")
    host = _host(request)

    def item(post) -> SafeString:
        local = template_localtime(post.date)
        return format_html(
            '<li><a href="{}">{}</a> <time datetime="{}">{}</time></li>',
            pageurl(context, post),
            post.title,
            machine_datetime(local),
            format_date(local, "F j, Y"),
        )

    def kept_item(post) -> SafeString:
        if not frame.reading_ahead():
            return item(post)
        return frame.remembered_unless_preview(
            request, ("post-link", post.pk, host), lambda: item(post), per_item=True
        )

    return mark_safe("".join(kept_item(post) for post in posts))  # noqa: S308 -- format_html


@register.simple_tag(takes_context=True)
def post_summaries(
    context: template.Context, posts: Iterable, heading_level: int | None = None
) -> SafeString:
    """Each post's summary (blogs/includes/post_summary.html), made once per content version
    in this process for each heading level, image loading (eager for the first few, lazy
    for the rest: only for a post with a lead image, as nothing else in a summary depends
    on it) and comment count (per item: a post is on its blog's, its months', its authors'
    and its tags' listings); the host, because an address is relative only on its own
    site."""
    request = context.get("request")
    host = _host(request)
    summary = context.template.engine.get_template("blogs/includes/post_summary.html")

    def build(post, position: int) -> SafeString:
        with context.push(post=post, heading_level=heading_level, position=position):
            return mark_safe(summary.render(context))  # noqa: S308 -- a template's output

    return mark_safe(  # noqa: S308 -- each summary is a template's output
        "".join(
            frame.remembered_unless_preview(
                request,
                (
                    "post-summary",
                    post.pk,
                    heading_level,
                    image_loading(position, "thumb") if post.lead_image_id else None,
                    # Carried by listings' posts (for_listing); none on a post read alone.
                    getattr(post, "approved_comment_count", None),
                    host,
                ),
                lambda post=post, position=position: build(post, position),
                per_item=True,
            )
            for position, post in enumerate(posts)
        )
    )


@register.simple_tag(takes_context=True)
def author_names(context: template.Context, authors: Iterable, links: bool = True) -> SafeString:
    """A post's authors as a byline reads them (blogs/includes/author_names.html), each a
    link to their page unless `links` is false: made once per content version for each list
    of authors (an author's change starts a new version), since every post of a column
    names the same ones, twice on its page."""
    authors = list(authors)
    names = context.template.engine.get_template("blogs/includes/author_names.html")
    # A deleted author's kept credit has no key: its name stands for it.
    key = ("author-names", bool(links), *((a.pk, a.slug, a.name) for a in authors))

    def build() -> SafeString:
        with context.push(authors=authors, links=links):
            return mark_safe(names.render(context))  # noqa: S308 -- a template's output

    return frame.remembered_unless_preview(context.get("request"), key, build, per_item=True)
