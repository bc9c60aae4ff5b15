"""Byline's posts, pages, authors, tags and comments as a WordPress export (WXR 1.2)."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from html import escape, unescape
from typing import IO

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from lxml import etree
from taggit.models import Tag
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site

from byline.blogs.blocks import table_rows
from byline.blogs.models import Author, BlogPage, PostPage
from byline.comments.models import ReaderComment
from byline.core.links import base_url, page_absolute_url
from byline.importers.coauthors import TERM_PREFIX, term_slug
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


def _top(name: str) -> etree._Element:
    """A top-level element of the channel, knowing the WXR prefixes (wp:, dc: …): made
    without them, lxml names the namespaces ns0:, ns1: (which WordPress's importer, reading
    by prefix, does not understand)."""
    prefix, _, local = name.rpartition(":")
    return etree.Element(f"{{{NSMAP[prefix]}}}{local}" if prefix else local, nsmap=NSMAP)


def _bytes(element: etree._Element) -> bytes:
    """The element as XML, without the namespace declarations the <rss> element already
    makes (every item would repeat all five)."""
    data = etree.tostring(element, encoding="UTF-8", xml_declaration=False)
    head, _, rest = data.partition(b">")
    return _DECLARATIONS.sub(b"", head) + b">" + rest + b"\n"


_DECLARATIONS = re.compile(rb' xmlns:(?:%s)="[^"]*"' % b"|".join(p.encode() for p in NSMAP))


def _dates(value: datetime.datetime | None) -> tuple[str, str]:
    if value is None:
        return "0000-00-00 00:00:00", "0000-00-00 00:00:00"
    local = timezone.localtime(value)
    gmt = value.astimezone(datetime.UTC)
    return f"{local:%Y-%m-%d %H:%M:%S}", f"{gmt:%Y-%m-%d %H:%M:%S}"


def wordpress_export(
    *, out: IO[bytes], blog: BlogPage | None = None, pages: bool | None = None
) -> int:
    """Write every post (of `blog`, or of all blogs) with its authors, tags and comments, the
    images and documents as attachments, and the standard pages with their comments (by
    default only for a whole-site export: a blog's export is one columnist moving out, not
    the publication's "About").

    Written item by item, so a large site needs no more memory than a small one. Every
    address in it is absolute, on the site's base URL (BYLINE_BASE_URL): an image points at
    its original file, which WordPress's importer fetches. Returns the number of posts and
    pages written."""
    site = Site.objects.filter(is_default_site=True).first()
    base = base_url()
    posts = PostPage.objects.all() if blog is None else PostPage.objects.child_of(blog)
    posts = posts.order_by("pk").prefetch_related("post_authors__author", "tagged_items__tag")
    sticky = set(
        ImportedItem.objects.filter(
            kind="post", sticky=True, object_model="blogs.postpage"
        ).values_list("object_id", flat=True)
    )
    guests = _guest_authors()
    passwords = Passwords()
    media = Media(base)
    count = 0
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    root = etree.tostring(etree.Element("rss", version="2.0", nsmap=NSMAP))
    out.write(root[: -len(b"/>")] + b">\n<channel>\n")
    title = blog.title if blog else (site.site_name if site and site.site_name else "Byline")
    for name, value in [
        ("title", title), ("link", base), ("description", ""), ("language", "en"),
        ("wp:wxr_version", "1.2"), ("wp:base_site_url", base), ("wp:base_blog_url", base),
    ]:  # fmt: skip
        element = _top(name)
        element.text = value
        out.write(_bytes(element))
    for author in Author.objects.order_by("pk"):
        if author.pk not in guests:
            out.write(_bytes(_author(author)))
    # Every tag, a post's or not: an imported category no post had is still the site's.
    for tag in Tag.objects.order_by("pk"):
        element = _top("wp:tag")
        _el(element, "wp:term_id", tag.pk)
        _el(element, "wp:tag_slug", tag.slug, cdata=True)
        _el(element, "wp:tag_name", tag.name, cdata=True)
        out.write(_bytes(element))
    for author in Author.objects.filter(pk__in=guests).order_by("pk"):
        out.write(_bytes(_guest_author_item(author, guests[author.pk], base)))
    for item in media.items(posts):
        out.write(_bytes(item))
    for post in posts.iterator(chunk_size=200):
        out.write(_bytes(_post_item(post, base, post.pk in sticky, passwords.of(post), media)))
        count += 1
    if pages if pages is not None else blog is None:
        # In tree order, so that every parent comes before its children (WordPress's
        # importer copes either way; a reader of the file need not).
        for page in StandardPage.objects.order_by("path").iterator(chunk_size=200):
            out.write(_bytes(_page_item(page, base, passwords.of(page), media)))
            count += 1
    out.write(b"</channel>\n</rss>\n")
    return count


def _author(author: Author) -> etree._Element:
    element = _top("wp:author")
    _el(element, "wp:author_id", author.pk)
    _el(element, "wp:author_login", author.slug, cdata=True)
    _el(element, "wp:author_email", author.email, cdata=True)
    _el(element, "wp:author_display_name", author.name, cdata=True)
    return element


def _guest_authors() -> dict[int, str]:
    """Author pk -> login of the authors that came in as Co-Authors Plus guest authors."""
    rows = ImportedItem.objects.filter(
        kind="author", wp_key__startswith=TERM_PREFIX, object_model="blogs.author"
    ).values_list("object_id", "wp_key")
    return {pk: key.removeprefix(TERM_PREFIX) for pk, key in rows}


def _guest_author_item(author: Author, login: str, base: str) -> etree._Element:
    """A Co-Authors Plus guest author, as the plugin keeps one: an item of type
    guest-author with its profile in cap-* post meta."""
    item = _top("item")
    _el(item, "title", author.name)
    _el(item, "link", absolute(base, author.get_absolute_url()))
    _el(item, "dc:creator", "", cdata=True)
    _el(item, "wp:post_id", GUEST_AUTHOR_IDS + author.pk)
    _el(item, "wp:post_name", term_slug(login), cdata=True)
    _el(item, "wp:status", "publish")
    _el(item, "wp:post_type", "guest-author")
    for key, value in [
        ("display_name", author.name), ("user_login", login), ("user_email", author.email),
        ("website", author.website), ("description", author.bio),
    ]:  # fmt: skip
        if value:
            meta = _el(item, "wp:postmeta", None)
            _el(meta, "wp:meta_key", f"cap-{key}", cdata=True)
            _el(meta, "wp:meta_value", value, cdata=True)
    return item


# WordPress numbers posts, pages, attachments and guest authors in one sequence; Byline's
# pages, images, documents and authors each have their own. Attachments and guest authors
# are written above these offsets so that no two items share an id.
IMAGE_IDS, DOCUMENT_IDS, GUEST_AUTHOR_IDS = 1_000_000_000, 2_000_000_000, 3_000_000_000


def absolute(base: str, url: str) -> str:
    return base + url if url.startswith("/") and not url.startswith("//") else url


class Media:
    """The images and documents as WordPress attachments, and each image's original file:
    what the content and the attachments point at (a rendition's address is Byline's own
    sizing, which WordPress would not find again)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._originals: dict[str, str] = {}  # a rendition's file name -> original's URL

    def image_url(self, image) -> str:
        return absolute(self.base, image.file.url)

    def items(self, posts) -> Iterator[etree._Element]:
        lead_of = dict(
            posts.filter(lead_image__isnull=False)
            .order_by("-pk")
            .values_list("lead_image_id", "pk")
        )
        for image in get_image_model().objects.order_by("pk").iterator(chunk_size=200):
            url = self.image_url(image)
            yield _attachment(IMAGE_IDS + image.pk, image.title, url, image.created_at,
                              lead_of.get(image.pk, 0), image.file.name)  # fmt: skip
        for document in get_document_model().objects.order_by("pk").iterator(chunk_size=200):
            url = absolute(self.base, document.file.url)
            yield _attachment(DOCUMENT_IDS + document.pk, document.title, url,
                              document.created_at, 0, document.file.name)  # fmt: skip

    def original(self, src: str) -> str:
        """The original file's absolute URL for a rendition's address, else `src` made
        absolute."""
        name = src.rsplit("/", 1)[-1]
        if "/images/" in src and name not in self._originals:
            rendition = (
                get_image_model()
                .get_rendition_model()
                .objects.filter(file__endswith=f"images/{name}")
                .select_related("image")
                .first()
            )
            self._originals[name] = self.image_url(rendition.image) if rendition else ""
        return self._originals.get(name) or absolute(self.base, src)


def _attachment(wp_id: int, title: str, url: str, created, parent: int, stored: str):
    item = _top("item")
    _el(item, "title", title)
    _el(item, "link", url)
    _el(item, "guid", url).set("isPermaLink", "false")
    _el(item, "dc:creator", "", cdata=True)
    _el(item, "content:encoded", "", cdata=True)
    _el(item, "excerpt:encoded", "", cdata=True)
    _el(item, "wp:post_id", wp_id)
    local, gmt = _dates(created)
    _el(item, "wp:post_date", local)
    _el(item, "wp:post_date_gmt", gmt)
    _el(item, "wp:post_name", slugify(title) or str(wp_id))
    _el(item, "wp:status", "inherit")
    _el(item, "wp:post_parent", parent)
    _el(item, "wp:post_type", "attachment")
    _el(item, "wp:attachment_url", url, cdata=True)
    meta = _el(item, "wp:postmeta", None)
    _el(meta, "wp:meta_key", "_wp_attached_file", cdata=True)
    _el(meta, "wp:meta_value", stored, cdata=True)
    return item


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


def _content(page: PostPage | StandardPage, media: Media) -> str:
    """The body as WordPress keeps it: HTML, every address absolute. Embeds are [embed]
    shortcodes (rendering one would fetch its provider's HTML, and WordPress wants the URL),
    galleries [gallery ids=…] of the attachments, figures plain <img> of the original file,
    quotations WordPress's <blockquote> with the speaker in <cite>; tables, audio, video and
    files the block editor's own markup (wp:table, wp:audio, wp:video, wp:file)."""
    parts = []
    for block in page.body:
        kind, value = block.block_type, block.value
        if kind == "embed":
            embed = value.get("url") if hasattr(value, "get") else value
            parts.append(f"[embed]{getattr(embed, 'url', embed)}[/embed]")
        elif kind == "quotation":
            speaker = value.get("speaker") or value.get("source_title") or ""
            cite = f"<cite>{escape(speaker)}</cite>" if speaker else ""
            parts.append(
                f"<blockquote>{_absolute_html(str(value['text']), media)}{cite}</blockquote>"
            )
        elif kind == "figure" and value.get("image") is not None:
            parts.append(_figure(value, media))
        elif kind == "table":
            parts.append(_table(value))
        elif kind in {"audio", "video", "file"}:
            parts.append(_media(kind, value, media))
        elif kind == "gallery":
            ids = ",".join(
                str(IMAGE_IDS + v["image"].pk) for v in value["images"] if v.get("image")
            )
            parts.append(f'[gallery ids="{ids}" columns="{value.get("columns") or 3}"]')
        else:
            parts.append(_absolute_html(str(block.render()), media))
    return "\n\n".join(parts)


def _figure(value, media: Media) -> str:
    image = value["image"]
    # Wagtail's ImageBlock gives the image its alt text for this place in the post.
    alt = getattr(image, "contextual_alt_text", None) or ""
    wp_id = IMAGE_IDS + image.pk
    img = (
        f'<img src="{escape(media.image_url(image))}" alt="{escape(alt)}" '
        f'width="{image.width}" height="{image.height}" class="wp-image-{wp_id}" />'
    )
    if value.get("link"):
        img = f'<a href="{escape(absolute(media.base, value["link"]))}">{img}</a>'
    caption = value.get("caption") or ""
    align = value.get("alignment") or "none"
    if caption:
        return (f'[caption id="attachment_{wp_id}" align="align{align}" '
                f'width="{image.width}"]{img} {escape(caption)}[/caption]')  # fmt: skip
    return img


def _table(value) -> str:
    """A table block as WordPress's table block: <figure class="wp-block-table">, the header
    row in <thead>, merged cells as colspan and rowspan, the caption in <figcaption>."""
    rows = table_rows(value)

    def row_html(cells) -> str:
        out = []
        for cell in cells:
            spans = "".join(
                f' {name}="{cell[name]}"' for name in ("colspan", "rowspan") if cell[name] > 1
            )
            scope = f' scope="{cell["scope"]}"' if cell["scope"] == "row" else ""
            out.append(f"<{cell['tag']}{scope}{spans}>{cell['html']}</{cell['tag']}>")
        return f"<tr>{''.join(out)}</tr>"

    head = "".join(row_html(cells) for cells in rows["head"])
    body = "".join(row_html(cells) for cells in rows["body"])
    table = (f"<thead>{head}</thead>" if head else "") + f"<tbody>{body}</tbody>"
    caption = rows["caption"]
    figcaption = f'<figcaption class="wp-element-caption">{escape(caption)}</figcaption>'
    return (
        f'<!-- wp:table -->\n<figure class="wp-block-table"><table>{table}</table>'
        f"{figcaption if caption else ''}</figure>\n<!-- /wp:table -->"
    )


def _media(kind: str, value, media: Media) -> str:
    """An audio, video or file block as WordPress's block of that name, pointing at the
    document's file (its attachment, by id) or at the address the block holds."""
    src = value.src
    if not src:
        return ""
    url = escape(absolute(media.base, src))
    document = value.get("document")
    attributes = {"id": DOCUMENT_IDS + document.pk} if document is not None else {}
    if kind == "file":
        attributes["href"] = absolute(media.base, src)
        text = escape(value.get("text") or (document.title if document is not None else src))
        return (
            f"<!-- wp:file {json.dumps(attributes)} -->\n"
            f'<div class="wp-block-file"><a href="{url}">{text}</a>'
            f'<a href="{url}" class="wp-block-file__button wp-element-button" download>'
            f"Download</a></div>\n<!-- /wp:file -->"
        )
    poster = value.get("poster") and value.poster_src
    poster = f' poster="{escape(absolute(media.base, poster))}"' if poster else ""
    caption = value.get("caption") or ""
    figcaption = f'<figcaption class="wp-element-caption">{escape(caption)}</figcaption>'
    comment = f" {json.dumps(attributes)}" if attributes else ""
    return (
        f"<!-- wp:{kind}{comment} -->\n"
        f'<figure class="wp-block-{kind}"><{kind} controls src="{url}"{poster}></{kind}>'
        f"{figcaption if caption else ''}</figure>\n<!-- /wp:{kind} -->"
    )


_URL_ATTRIBUTE = re.compile(r'\b(src|href)="([^"]*)"')
_RESPONSIVE = re.compile(r'\s(?:srcset|sizes)="[^"]*"|<source\b[^>]*>|</?picture\b[^>]*>')


def _absolute_html(markup: str, media: Media) -> str:
    """Files' addresses made absolute; an image rendition's replaced by its original file,
    and the responsive markup (<picture>, srcset) that only Byline's renditions fill."""
    markup = _RESPONSIVE.sub("", markup)

    def replace(match: re.Match) -> str:
        name, url = match.groups()
        url = unescape(url)
        if name == "src" and url.startswith(settings.MEDIA_URL + "images/"):
            new = media.original(url)
        elif name == "src" or url.startswith((settings.MEDIA_URL, "/documents/")):
            new = absolute(media.base, url)
        else:
            # Links between posts stay root-relative: a re-import maps them by path.
            new = url
        return f'{name}="{escape(new)}"'

    return _URL_ATTRIBUTE.sub(replace, markup)


def _status(page: Page) -> str:
    if page.live:
        return "publish"
    if page.go_live_at and page.go_live_at > timezone.now():
        return "future"
    return "draft"


def _item(page: Page, base: str, *, kind: str, date, creator: str, media: Media) -> etree._Element:
    """What posts and pages have alike: title, addresses, body, dates, status, comments."""
    query = "page_id" if kind == "page" else "p"
    item = _top("item")
    _el(item, "title", page.title)
    url = page_absolute_url(page) if page.live else f"{base}/?{query}={page.pk}"
    _el(item, "link", url)
    _el(item, "guid", f"{base}/?{query}={page.pk}").set("isPermaLink", "false")
    _el(item, "dc:creator", creator, cdata=True)
    _el(item, "description", "")
    _el(item, "content:encoded", _content(page, media), cdata=True)
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


def _post_item(
    post: PostPage, base: str, sticky: bool, password: str, media: Media
) -> etree._Element:
    authors = [author for author in post.authors if author.pk is not None]
    status = _status(post)
    date = post.date or (post.go_live_at if status == "future" else None)
    creator = authors[0].slug if authors else ""
    item = _item(post, base, kind="post", date=date, creator=creator, media=media)
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
    # The byline in order, as Co-Authors Plus keeps it: one author term per author.
    for author in authors:
        element = _el(item, "category", author.slug, cdata=True)
        element.set("domain", "author")
        element.set("nicename", term_slug(author.slug))
    if post.lead_image_id:
        meta = _el(item, "wp:postmeta", None)
        _el(meta, "wp:meta_key", "_thumbnail_id", cdata=True)
        _el(meta, "wp:meta_value", IMAGE_IDS + post.lead_image_id, cdata=True)
    _comments(item, post)
    return item


def _page_item(page: StandardPage, base: str, password: str, media: Media) -> etree._Element:
    status = _status(page)
    date = page.first_published_at or (page.go_live_at if status == "future" else None)
    item = _item(page, base, kind="page", date=date, creator="", media=media)
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
