"""Byline's posts, pages, authors, tags and comments as a WordPress export (WXR 1.2)."""

from __future__ import annotations

import datetime
from typing import IO

from django.utils import timezone
from lxml import etree
from wagtail.models import Page, PageViewRestriction, Site

from byline.blogs.models import Author, BlogPage, PostPage
from byline.comments.models import ReaderComment
from byline.importers.models import ImportedItem
from byline.publication.models import StandardPage

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


def wordpress_export(
    *, out: IO[bytes], blog: BlogPage | None = None, pages: bool | None = None
) -> int:
    """Write every post (of `blog`, or of all blogs) with its authors, tags and comments, and
    the standard pages with theirs (by default only for a whole-site export: a blog's export
    is one columnist moving out, not the publication's "About").

    Written element by element (lxml's incremental writer), so a large site needs no more
    memory than a small one. Returns the number of posts and pages written."""
    site = Site.objects.filter(is_default_site=True).first()
    base = (site.root_url if site else "http://localhost").rstrip("/")
    posts = PostPage.objects.all() if blog is None else PostPage.objects.child_of(blog)
    posts = posts.order_by("pk").prefetch_related("post_authors__author", "tagged_items__tag")
    sticky = set(
        ImportedItem.objects.filter(
            kind="post", sticky=True, object_model="blogs.postpage"
        ).values_list("object_id", flat=True)
    )
    passwords = Passwords()
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
                xf.write(_post_item(post, base, post.pk in sticky, passwords.of(post)))
                count += 1
            if pages if pages is not None else blog is None:
                # In tree order, so that every parent comes before its children (WordPress's
                # importer copes either way; a reader of the file need not).
                for page in StandardPage.objects.order_by("path").iterator(chunk_size=200):
                    xf.write(_page_item(page, base, passwords.of(page)))
                    count += 1
    return count


class Passwords:
    """The shared password a reader must give for each page, as WordPress's post_password.

    Wagtail's password restriction covers the page's subtree: a post under a restricted blog
    and a page under a restricted page are asked for it too, so they are written with it
    (WordPress's passwords cover one post each; left out, those would be public there).
    Read once: a site has a handful of restrictions, and a query per page is for nothing."""

    def __init__(self) -> None:
        self.by_path = dict(
            PageViewRestriction.objects.filter(restriction_type=PageViewRestriction.PASSWORD)
            .order_by("-pk")  # the oldest wins when a page has two
            .values_list("page__path", "password")
        )

    def of(self, page: Page) -> str:
        """The page's own password, else its nearest restricted ancestor's, else ""."""
        steplen = Page.steplen
        for end in range(len(page.path), 0, -steplen):
            password = self.by_path.get(page.path[:end])
            if password:
                return password
        return ""


def _content(page: PostPage | StandardPage) -> str:
    """The body as WordPress keeps it: HTML, with embeds as [embed] shortcodes (rendering an
    embed would fetch its provider's HTML, and WordPress wants the URL anyway)."""
    parts = []
    for block in page.body:
        if block.block_type == "embed":
            parts.append(f"[embed]{block.value.url}[/embed]")
        else:
            parts.append(str(block.render()))
    return "\n\n".join(parts)


def _status(page: Page) -> str:
    if page.live:
        return "publish"
    if page.go_live_at and page.go_live_at > timezone.now():
        return "future"
    return "draft"


def _item(page: Page, base: str, *, kind: str, date, creator: str) -> etree._Element:
    """What posts and pages have alike: title, addresses, body, dates, status, comments."""
    query = "page_id" if kind == "page" else "p"
    item = etree.Element("item")
    _el(item, "title", page.title)
    url = page.get_full_url() if page.live else f"{base}/?{query}={page.pk}"
    _el(item, "link", url)
    _el(item, "guid", f"{base}/?{query}={page.pk}").set("isPermaLink", "false")
    _el(item, "dc:creator", creator, cdata=True)
    _el(item, "description", "")
    _el(item, "content:encoded", _content(page), cdata=True)
    _el(item, "excerpt:encoded", getattr(page, "excerpt", ""), cdata=True)
    _el(item, "wp:post_id", page.pk)
    status = _status(page)
    local, gmt = _dates(date)
    _el(
        item,
        "wp:post_date",
        local if local[0] != "0" else _dates(page.latest_revision_created_at)[0],
    )
    _el(item, "wp:post_date_gmt", gmt)
    _el(item, "wp:comment_status", "open" if page.comments_open else "closed")
    _el(item, "wp:ping_status", "closed")
    _el(item, "wp:post_name", page.slug)
    _el(item, "wp:status", status)
    return item


def _post_item(post: PostPage, base: str, sticky: bool, password: str) -> etree._Element:
    authors = post.authors
    status = _status(post)
    date = post.date or (post.go_live_at if status == "future" else None)
    item = _item(post, base, kind="post", date=date, creator=authors[0].slug if authors else "")
    _el(item, "wp:post_parent", 0)
    _el(item, "wp:menu_order", 0)
    _el(item, "wp:post_type", "post")
    _el(item, "wp:post_password", password, cdata=True)
    _el(item, "wp:is_sticky", 1 if sticky else 0)
    for link in post.tagged_items.all():
        tag = link.tag
        element = _el(item, "category", tag.name, cdata=True)
        element.set("domain", "post_tag")
        element.set("nicename", tag.slug)
    _comments(item, post)
    return item


def _page_item(page: StandardPage, base: str, password: str) -> etree._Element:
    status = _status(page)
    date = page.first_published_at or (page.go_live_at if status == "future" else None)
    item = _item(page, base, kind="page", date=date, creator="")
    parent = page.get_parent()
    is_page = parent is not None and parent.specific_class is StandardPage
    _el(item, "wp:post_parent", parent.pk if is_page else 0)
    siblings = StandardPage.objects.sibling_of(page).filter(path__lt=page.path)
    _el(item, "wp:menu_order", siblings.count())
    _el(item, "wp:post_type", "page")
    _el(item, "wp:post_password", password, cdata=True)
    _el(item, "wp:is_sticky", 0)
    _comments(item, page)
    return item


def _comments(item: etree._Element, page: Page) -> None:
    for comment in ReaderComment.objects.filter(post=page).order_by("pk"):
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
        _el(element, "wp:comment_type", comment.kind)
        _el(element, "wp:comment_parent", comment.parent_id or 0)
