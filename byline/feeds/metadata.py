"""Page metadata for machines: feed autodiscovery, canonical, Open Graph, Twitter and JSON-LD."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from byline.blogs.extensions import amendments_of_post, post_modified
from byline.blogs.models import Author, BlogPage, PostPage
from byline.core import frame
from byline.core.reversing import reverse
from byline.feeds.sources import FORMATS, site_name
from byline.images.presets import SOCIAL_SPEC, rendition_url

logger = logging.getLogger(__name__)

FEED_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
# The rendition social cards use: 1.91:1 at the size Facebook and X recommend.
SOCIAL_IMAGE_SPEC = SOCIAL_SPEC
# As django.utils.html.json_script: "</script>" and "<!--" inside a string cannot end or
# comment out the data block.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@dataclass
class HeadMetadata:
    canonical: str
    title: str
    description: str = ""
    og_type: str = "website"
    image: str = ""
    image_alt: str = ""
    feeds: list[tuple[str, str, str]] = field(default_factory=list)  # (type, title, href)
    article: dict = field(default_factory=dict)


def absolute(request: HttpRequest, url: str) -> str:
    return request.build_absolute_uri(url)


def plain(text: str, words: int = 40) -> str:
    return Truncator(" ".join(strip_tags(text or "").split())).words(words)


def post_description(post: PostPage) -> str:
    """The post's summary for machines, worked out once per post object: the <head> and the
    JSON-LD both ask, and a post without an excerpt (as WordPress imports often are) renders
    its whole body for it."""
    if not hasattr(post, "_byline_description"):
        post._byline_description = post.search_description or post.excerpt or plain(str(post.body))
    return post._byline_description


def tag_names(post: PostPage) -> list[str]:
    """The post's tag names, read once per post object (the <head> and the JSON-LD both
    ask)."""
    if not hasattr(post, "_byline_tag_names"):
        post._byline_tag_names = [tag.name for tag in post.tag_list()]
    return post._byline_tag_names


def social_image(request: HttpRequest, image) -> tuple[str, str]:
    if image is None:
        return "", ""
    try:
        url = rendition_url(image, SOCIAL_IMAGE_SPEC)  # made ahead, never in the request
    except Exception:  # a missing or damaged original costs the card its image, not a 500
        logger.exception("social image: no rendition of image %s", image.pk)
        return "", ""
    return absolute(request, url), getattr(image, "default_alt_text", "") or ""


def _feed_links(request: HttpRequest, kind: str, slug: str, label: str) -> list:
    """The feeds of the site, a blog, an author or a tag, as <link>s: remembered per content
    version and host, as every post of a blog shows its blog's (six URLs reversed, a tenth
    of a millisecond a page)."""

    def build() -> tuple:
        links = []
        for fmt, (_suffix, fmt_label) in FORMATS.items():
            name = f"feeds:{kind}-{fmt}"
            href = reverse(name, kwargs={kind: slug}) if slug else reverse(name)
            links.append((FEED_TYPES[fmt], f"{label} ({fmt_label})", absolute(request, href)))
        return tuple(links)

    key = ("feed-links", request.scheme, request.get_host(), kind, slug, label)
    return list(frame.remembered(request, key, build, per_item=bool(slug)))


def head_metadata(context) -> HeadMetadata | None:
    """What the <head> of the page being rendered tells machines, from its template context."""
    request = context.get("request")
    if request is None:
        return None
    name = site_name(request)
    canonical = absolute(request, request.path)
    page_obj = context.get("page_obj")
    number = getattr(page_obj, "number", 1)
    if isinstance(number, int) and number > 1:
        canonical += f"?page={number}"
    meta = HeadMetadata(canonical=canonical, title=name)
    page = context.get("page")
    author, tag = context.get("author"), context.get("tag")
    if isinstance(page, PostPage):
        blog = context.get("blog") or page.get_parent().specific
        meta.title = page.seo_title or page.title
        meta.description = post_description(page)
        meta.og_type = "article"
        meta.image, meta.image_alt = social_image(request, page.lead_image)
        meta.article = {
            "published_time": page.date.isoformat() if page.date else "",
            "modified_time": post_modified(page, amendments_of_post(page)).isoformat()
            if page.date
            else "",
            "tags": tag_names(page),
        }
        meta.feeds = _feed_links(request, "blog", blog.slug, blog.title)
    elif isinstance(page, BlogPage):
        meta.title = page.seo_title or page.title
        meta.description = page.search_description or plain(page.description)
        meta.feeds = _feed_links(request, "blog", page.slug, page.title)
    elif isinstance(author, Author):
        meta.title = author.name
        meta.description = plain(author.short_bio or author.bio) or f"Posts by {author.name}."
        meta.og_type = "profile"
        meta.image, meta.image_alt = social_image(request, author.photo)
        meta.feeds = _feed_links(request, "author", author.slug, author.name)
    elif tag is not None and hasattr(tag, "slug"):
        meta.title = f"Posts tagged “{tag.name}”"
        meta.description = f"Posts tagged “{tag.name}” on {name}."
        meta.feeds = _feed_links(request, "tag", tag.slug, f"Tagged “{tag.name}”")
    elif page is not None and hasattr(page, "title"):
        meta.title = getattr(page, "seo_title", "") or page.title
        meta.description = getattr(page, "search_description", "") or plain(
            getattr(page, "tagline", "")
        )
    meta.feeds = _feed_links(request, "site", "", name) + meta.feeds
    return meta


def json_ld(data: dict) -> SafeString:
    """A JSON-LD data block; a data block is not script, so a CSP without 'unsafe-inline'
    allows it."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(  # noqa: S308 -- escaped like json_script above
        f'<script type="application/ld+json">{payload.translate(JSON_SCRIPT_ESCAPES)}</script>'
    )


def organization(request: HttpRequest) -> dict:
    return {"@type": "Organization", "name": site_name(request), "url": absolute(request, "/")}


def person(request: HttpRequest, author: Author) -> dict:
    # Name and page only: an author's address never goes into machine-readable data.
    data = {"@type": "Person", "name": author.name}
    if url := author.get_absolute_url():  # none for a deleted author's kept credit
        data["url"] = absolute(request, url)
    if author.role:
        data["jobTitle"] = author.role
    if author.short_bio:
        data["description"] = author.short_bio
    if same_as := [link.url for link in author.profile_links]:
        data["sameAs"] = same_as
    return data


def post_json_ld(request: HttpRequest, post: PostPage) -> list[dict]:
    """schema.org BlogPosting and BreadcrumbList for a post (Google's "Article" guidelines)."""
    url = absolute(request, post.get_url(request))
    blog = post.get_parent().specific
    blog_url = absolute(request, blog.get_url(request))
    image, _alt = social_image(request, post.lead_image)
    amendments = amendments_of_post(post)
    posting = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title[:110],
        "description": post_description(post),
        "datePublished": post.date.isoformat() if post.date else None,
        # Moved by a correction or an update, not by a silent republish (a typo fixed).
        "dateModified": post_modified(post, amendments).isoformat() if post.date else None,
        "author": [person(request, author) for author in post.authors] or organization(request),
        "publisher": organization(request),
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "isPartOf": {"@type": "Blog", "name": blog.title, "url": blog_url},
        "keywords": tag_names(post) or None,
        "image": [image] if image else None,
        "correction": [
            {
                "@type": "CorrectionComment",
                "text": amendment.text,
                "datePublished": amendment.published_at.isoformat(),
            }
            for amendment in amendments
            if amendment.is_correction
        ]
        or None,
    }
    crumbs = [
        (site_name(request), absolute(request, "/")),
        (blog.title, blog_url),
        (post.title, url),
    ]
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": crumb_name, "item": crumb_url}
            for position, (crumb_name, crumb_url) in enumerate(crumbs, start=1)
        ],
    }
    return [{key: value for key, value in posting.items() if value is not None}, breadcrumbs]


def author_json_ld(request: HttpRequest, author: Author) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "mainEntity": person(request, author),
        "url": absolute(request, author.get_absolute_url()),
    }


def blog_json_ld(request: HttpRequest, blog: BlogPage) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Blog",
        "name": blog.title,
        "description": plain(blog.description) or None,
        "url": absolute(request, blog.get_url(request)),
        "publisher": organization(request),
        "author": [person(request, author) for author in blog.columnists.prefetch_related("links")]
        or None,
    }
    return {key: value for key, value in data.items() if value is not None}
