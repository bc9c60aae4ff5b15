"""Byline's blogs, authors, tags and comments written out as a WordPress export (WXR 1.2)."""

from __future__ import annotations

import datetime
from typing import IO

from django.utils import timezone
from lxml import etree
from wagtail.models import Site

from byline.blogs.models import Author, BlogPage, PostPage
from byline.comments.models import ReaderComment
from byline.importers.models import ImportedItem

WP = "http://wordpress.org/export/1.2/"
NSMAP = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": WP,
}
_STATUS = {"approved": "1", "pending": "0", "spam": "spam", "removed": "trash"}


def _el(parent: etree._Element, name: str, text: str | int | None = "", cdata=False):
    prefix, _, local = name.rpartition(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{local}" if prefix else local)
    value = "" if text is None else str(text)
    element.text = etree.CDATA(value) if cdata and value else value
    return element


def _dates(value: datetime.datetime | None) -> tuple[str, str]:
    if value is None:
        return "0000-00-00 00:00:00", "0000-00-00 00:00:00"
    local = timezone.localtime(value)
    gmt = value.astimezone(datetime.UTC)
    return f"{local:%Y-%m-%d %H:%M:%S}", f"{gmt:%Y-%m-%d %H:%M:%S}"


def wordpress_export(*, out: IO[bytes], blog: BlogPage | None = None) -> int:
    """Write every post (of `blog`, or of all blogs) with its authors, tags and comments.

    Written element by element (lxml's incremental writer), so a large site needs no more
    memory than a small one. Returns the number of posts written."""
    site = Site.objects.filter(is_default_site=True).first()
    base = (site.root_url if site else "http://localhost").rstrip("/")
    posts = PostPage.objects.all() if blog is None else PostPage.objects.child_of(blog)
    posts = posts.order_by("pk").prefetch_related("post_authors__author", "tagged_items__tag")
    sticky = set(
        ImportedItem.objects.filter(
            kind="post", sticky=True, object_model="blogs.postpage"
        ).values_list("object_id", flat=True)
    )
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("rss", version="2.0", nsmap=NSMAP), xf.element("channel"):
            head = etree.Element("head")
            title = blog.title if blog else (site.site_name if site else "Byline")
            _el(head, "title", title)
            _el(head, "link", base)
            _el(head, "description", "")
            _el(head, "language", "en")
            _el(head, "wp:wxr_version", "1.2")
            _el(head, "wp:base_site_url", base)
            _el(head, "wp:base_blog_url", base)
            for child in head:
                xf.write(child)
            for author in Author.objects.order_by("pk"):
                element = etree.Element(f"{{{WP}}}author")
                _el(element, "wp:author_id", author.pk)
                _el(element, "wp:author_login", author.slug, cdata=True)
                _el(element, "wp:author_email", author.email, cdata=True)
                _el(element, "wp:author_display_name", author.name, cdata=True)
                xf.write(element)
            for post in posts.iterator(chunk_size=200):
                xf.write(_item(post, base, post.pk in sticky))
                count += 1
    return count


def _content(post: PostPage) -> str:
    """The body as WordPress keeps it: HTML, with embeds as [embed] shortcodes (rendering an
    embed would fetch its provider's HTML, and WordPress wants the URL anyway)."""
    parts = []
    for block in post.body:
        if block.block_type == "embed":
            parts.append(f"[embed]{block.value.url}[/embed]")
        else:
            parts.append(str(block.render()))
    return "\n\n".join(parts)


def _item(post: PostPage, base: str, sticky: bool) -> etree._Element:
    item = etree.Element("item")
    _el(item, "title", post.title)
    url = post.get_full_url() if post.live else f"{base}/?p={post.pk}"
    _el(item, "link", url)
    _el(item, "guid", f"{base}/?p={post.pk}").set("isPermaLink", "false")
    authors = post.authors
    _el(item, "dc:creator", authors[0].slug if authors else "", cdata=True)
    _el(item, "description", "")
    _el(item, "content:encoded", _content(post), cdata=True)
    _el(item, "excerpt:encoded", post.excerpt, cdata=True)
    _el(item, "wp:post_id", post.pk)
    if post.live:
        status = "publish"
    elif post.go_live_at and post.go_live_at > timezone.now():
        status = "future"
    else:
        status = "draft"
    local, gmt = _dates(post.date or (post.go_live_at if status == "future" else None))
    _el(
        item,
        "wp:post_date",
        local if local[0] != "0" else _dates(post.latest_revision_created_at)[0],
    )
    _el(item, "wp:post_date_gmt", gmt)
    _el(item, "wp:comment_status", "open" if post.comments_open else "closed")
    _el(item, "wp:ping_status", "closed")
    _el(item, "wp:post_name", post.slug)
    _el(item, "wp:status", status)
    _el(item, "wp:post_parent", 0)
    _el(item, "wp:menu_order", 0)
    _el(item, "wp:post_type", "post")
    _el(item, "wp:is_sticky", 1 if sticky else 0)
    for link in post.tagged_items.all():
        tag = link.tag
        element = _el(item, "category", tag.name, cdata=True)
        element.set("domain", "post_tag")
        element.set("nicename", tag.slug)
    for comment in ReaderComment.objects.filter(post=post).order_by("pk"):
        element = _el(item, "wp:comment", None)
        _el(element, "wp:comment_id", comment.pk)
        _el(element, "wp:comment_author", comment.name, cdata=True)
        _el(element, "wp:comment_author_email", comment.email)
        _el(element, "wp:comment_author_url", comment.website)
        local, gmt = _dates(comment.created)
        _el(element, "wp:comment_date", local)
        _el(element, "wp:comment_date_gmt", gmt)
        _el(element, "wp:comment_content", comment.body, cdata=True)
        _el(element, "wp:comment_approved", _STATUS.get(comment.status, "0"))
        _el(element, "wp:comment_type", "comment")
        _el(element, "wp:comment_parent", comment.parent_id or 0)
    return item
