"""Importing a WordPress export: authors, tags, media, posts, pages, comments and redirects."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import html
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import nh3
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from byline.blogs.models import Author, BlogIndexPage, BlogPage, PostPage, PostPageAuthor
from byline.importers.convert import Converter, ImageRef
from byline.importers.links import LinkMap, media_key
from byline.importers.models import ImportedItem
from byline.importers.wxr import Channel, WPAuthor, WPItem, WPTerm, WXRError, read_wxr
from byline.pagecache.signals import site_changed
from byline.publication.models import PublicationPage, StandardPage

IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp", "avif", "svg"}
# Paths that Django routes before the page tree; a page with one of these slugs at the top
# level could never be reached.
RESERVED_TOP_SLUGS = {
    "admin", "authors", "tags", "search", "feed", "atom", "documents", "healthz", "media",
    "static", "sitemap.xml", "robots.txt", "feed.json", "blogs",
}  # fmt: skip
# WordPress writes this for "no date yet" (drafts that were never scheduled).
ZERO_DATE = "0000-00-00 00:00:00"
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


class ImportError_(WXRError):
    """The import cannot run at all (no publication to import into, and the like)."""


@dataclass
class ImportReport:
    """What an import did: counts per kind, and every item it skipped with the reason."""

    counts: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def skip(self, item: WPItem | None, reason: str) -> None:
        where = f"line {item.line}, item {item.wp_id or item.guid!r}" if item else "file"
        self.counts["skipped"] += 1
        self.skipped.append(f"{where}: {reason}")

    def lines(self) -> list[str]:
        head = "Dry run: nothing was saved." if self.dry_run else "Import finished."
        out = [head]
        out += [f"  {kind}: {count}" for kind, count in sorted(self.counts.items())]
        out += [f"  skipped {entry}" for entry in self.skipped]
        out += [f"  note: {entry}" for entry in self.notes]
        return out


@dataclass
class _ItemInfo:
    """What the first pass keeps of each item: enough to know every new address."""

    key: str
    post_type: str
    status: str
    slug: str
    title: str
    date: datetime.datetime | None
    link: str
    guid: str
    parent: int
    wp_id: int
    line: int
    attachment_url: str = ""
    new_url: str = ""
    page_id: int | None = None


def parse_wp_date(local: str, gmt: str, offset: datetime.timedelta | None) -> datetime.datetime:
    """An aware datetime from WordPress's GMT date, or its local one and the site's offset.

    Raises ValueError for a date that cannot be a real publish date."""
    for value, is_gmt in ((gmt, True), (local, False)):
        value = (value or "").strip()
        if not value or value.startswith("0000-00-00"):
            continue
        try:
            parsed = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise ValueError(f"the date {value!r} is not a real date") from None
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            raise ValueError(f"the date {value!r} is outside {EARLIEST_YEAR}–{LATEST_YEAR}")
        if is_gmt:
            return parsed.replace(tzinfo=datetime.UTC)
        if offset is not None:
            return (parsed - offset).replace(tzinfo=datetime.UTC)
        return timezone.make_aware(parsed, timezone.get_default_timezone())
    raise ValueError("the item has no date")


def _key(item: WPItem) -> str:
    if item.wp_id:
        return str(item.wp_id)
    for url in (item.guid, item.link):
        query = parse_qs(urlsplit(url).query)
        for name in ("p", "page_id", "attachment_id"):
            if query.get(name, [""])[0].isdigit():
                item.wp_id = int(query[name][0])
                return str(item.wp_id)
    return "guid:" + hashlib.sha1((item.guid or item.link or item.title).encode()).hexdigest()


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(nh3.clean(fragment or "", tags=set())).split())


def _wp_slug(value: str, fallback: str) -> str:
    slug = slugify(unquote(value or ""), allow_unicode=True) or slugify(
        fallback, allow_unicode=True
    )
    return (slug or "untitled")[:200]


class WordPressImport:
    """One run of `byline import-wordpress`. See wordpress_import()."""

    def __init__(
        self,
        *,
        path: Path,
        blog_slug: str | None,
        media_dir: Path | None,
        dry_run: bool,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.path = path
        self.blog_slug = blog_slug
        self.media_dir = media_dir.resolve() if media_dir else None
        self.dry_run = dry_run
        self.progress = progress or (lambda done, total: None)
        self.report = ImportReport(dry_run=dry_run)
        self.channel = Channel()
        self.source = ""
        self.wp_authors: dict[str, WPAuthor] = {}
        self.author_ids: dict[str, int] = {}
        self.terms: dict[tuple[str, str], WPTerm] = {}
        self.tag_ids: dict[tuple[str, str], Tag] = {}
        self.items: dict[str, _ItemInfo] = {}
        self.by_wp_id: dict[int, _ItemInfo] = {}
        self.images: dict[str, ImageRef] = {}  # media_key -> image
        self.image_by_attachment: dict[int, ImageRef] = {}
        self.saved_files: list = []
        self.offset: datetime.timedelta | None = None
        self.mapped: dict[tuple[str, str], ImportedItem] = {}
        self.children: dict[int, list[int]] = {}
        self.comment_hook: Callable[[PostPage, WPItem], None] | None = None

    # -- the run -------------------------------------------------------------------
    def run(self) -> ImportReport:
        self._scan()
        try:
            with transaction.atomic():
                self._prepare_site()
                self._import_authors()
                self._import_terms()
                self._import_media()
                self._plan_addresses()
                self._import_items()
                self.report.counts["tags"] = len({tag.pk for tag in self.tag_ids.values()})
                self._make_redirects()
                if self.dry_run:
                    transaction.set_rollback(True)
                else:
                    # Pages went live without Revision.publish() (see _write), so the page
                    # store hears of the import once, purging every stored page on commit.
                    site_changed.send(sender=WordPressImport, reason="import")
        except BaseException:
            self._remove_saved_files()
            raise
        if self.dry_run:
            self._remove_saved_files()
        return self.report

    def _records(self):
        with open(self.path, "rb") as source:
            yield from read_wxr(source)

    # -- pass 1: read the whole file once, keep what every address needs ------------
    def _scan(self) -> None:
        seen_slugs: Counter = Counter()
        for record in self._records():
            if isinstance(record, Channel):
                self.channel = record
                site_url = record.base_blog_url or record.link
                self.source = site_url.strip().rstrip("/").lower()[:255]
            elif isinstance(record, WPAuthor):
                if record.login:
                    self.wp_authors[record.login] = record
            elif isinstance(record, WPTerm):
                if record.taxonomy in {"category", "post_tag"} and (record.slug or record.name):
                    slug = _wp_slug(record.slug, record.name)
                    self.terms[(record.taxonomy, slug)] = record
            elif isinstance(record, WPItem):
                self._scan_item(record, seen_slugs)
        self.report.counts["items read"] = len(self.items)

    def _scan_item(self, item: WPItem, seen_slugs: Counter) -> None:
        key = _key(item)
        if key in self.items:
            self.report.skip(item, f"a second item with WordPress id {key}; the first was kept")
            return
        date = None
        try:
            date = parse_wp_date(item.post_date, item.post_date_gmt, self.offset)
        except ValueError as error:
            if item.post_type in {"post", "page"} and item.status not in {"draft", "pending"}:
                self.report.skip(item, str(error))
                return
        if self.offset is None and item.post_date_gmt and item.post_date:
            try:
                gmt = datetime.datetime.strptime(item.post_date_gmt[:19], "%Y-%m-%d %H:%M:%S")
                local = datetime.datetime.strptime(item.post_date[:19], "%Y-%m-%d %H:%M:%S")
                self.offset = local - gmt
            except ValueError:
                pass
        info = _ItemInfo(
            key=key,
            post_type=item.post_type or "post",
            status=item.status or "publish",
            slug=_wp_slug(item.post_name, item.title or key),
            title=item.title,
            date=date,
            link=item.link,
            guid=item.guid,
            parent=item.post_parent,
            wp_id=item.wp_id,
            line=item.line,
            attachment_url=item.attachment_url,
        )
        self.items[key] = info
        if item.wp_id:
            self.by_wp_id[item.wp_id] = info

    # -- where things go ---------------------------------------------------------------
    def _prepare_site(self) -> None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        home = site.root_page.specific if site else None
        if not isinstance(home, PublicationPage):
            raise ImportError_(
                "there is no publication to import into: the default site's root page must "
                "be the publication home (run `byline demo` or create one in the admin)"
            )
        self.site, self.home = site, home
        index = BlogIndexPage.objects.child_of(home).first()
        if index is None:
            index = BlogIndexPage(title="Blogs", slug="blogs")
            home.add_child(instance=index)
            index.save_revision(log_action=False).publish(log_action=False)
        slug = slugify(self.blog_slug or self.channel.title or "blog") or "blog"
        blog = BlogPage.objects.child_of(index).filter(slug=slug).first()
        if blog is None:
            blog = BlogPage(title=self.channel.title or slug, slug=slug)
            index.add_child(instance=blog)
            blog.save_revision(log_action=False).publish(log_action=False)
            self.report.counts["blogs created"] += 1
        self.blog = blog
        self.blog_url = blog.get_url() or f"/blogs/{slug}/"
        self.links = LinkMap.for_site(self.channel.link, self.channel.base_blog_url)
        self.links.blog_url = self.blog_url
        self.mapped = {
            (row.kind, row.wp_key): row for row in ImportedItem.objects.filter(source=self.source)
        }

    def _mapping(self, kind: str, key: str, obj, **extra) -> ImportedItem:
        row = self.mapped.get((kind, key))
        if row is None:
            row = ImportedItem(source=self.source, kind=kind, wp_key=key[:255])
            self.mapped[(kind, key)] = row
        row.object_id = obj.pk
        row.object_model = obj._meta.label_lower
        for name, value in extra.items():
            setattr(row, name, value)
        row.save()
        return row

    def _mapped_object(self, kind: str, key: str, model):
        row = self.mapped.get((kind, key))
        if row is None or row.object_id is None:
            return None
        return model.objects.filter(pk=row.object_id).first()

    # -- authors and tags ------------------------------------------------------------
    def _import_authors(self) -> None:
        declared = set(self.wp_authors)
        creators = set()
        for record in self._records():
            if isinstance(record, WPItem) and record.creator:
                creators.add(record.creator)
        for login in sorted(creators - declared):
            # Files from some exporters (and WordPress.com) name authors only by dc:creator.
            self.wp_authors[login] = WPAuthor(login=login, display_name=login)
            if declared:
                self.report.notes.append(f"author {login!r} is not declared; created from posts")
        for login, wp_author in self.wp_authors.items():
            author = self._mapped_object("author", login, Author)
            slug = slugify(login, allow_unicode=True) or slugify(wp_author.display_name) or "author"
            if author is None:
                author = Author.objects.filter(slug=slug).first() or Author(slug=slug[:255])
                self.report.counts["authors created" if author.pk is None else "authors"] += 1
            author.name = (
                wp_author.display_name
                or " ".join(filter(None, [wp_author.first_name, wp_author.last_name]))
                or login
            )[:255]
            if wp_author.email and "@" in wp_author.email and not author.email:
                author.email = wp_author.email[:254]
            author.save()
            self._mapping("author", login, author)
            self.author_ids[login] = author.pk
            self.links.tags[("author", login.lower())] = author.get_absolute_url()
            self.links.tags[("author", slug.lower())] = author.get_absolute_url()

    def _tag(self, name: str, slug: str) -> Tag:
        # WordPress categories become tags (Byline has no categories): a category and a tag
        # with the same slug are the same tag.
        tag = self.tag_ids.get(("", slug))
        if tag is None:
            tag = (
                Tag.objects.filter(slug=slug).first()
                or Tag.objects.filter(name__iexact=name).first()
                or Tag.objects.create(name=name[:100], slug=slug[:100])
            )
            self.tag_ids[("", slug)] = tag
        return tag

    def _import_terms(self) -> None:
        for (taxonomy, slug), term in self.terms.items():
            tag = self._tag(html.unescape(term.name or slug), slug)
            self._mapping("term", f"{taxonomy}:{slug}", tag)
            self.links.tags[("tag", slug.lower())] = f"/tags/{tag.slug}/"
        self.report.counts["tags"] = len({tag.pk for tag in self.tag_ids.values()})

    # -- media -------------------------------------------------------------------
    def _import_media(self) -> None:
        attachments = [info for info in self.items.values() if info.post_type == "attachment"]
        if attachments and self.media_dir is None:
            self.report.notes.append(
                f"{len(attachments)} attachments were not imported: no --media-dir given"
            )
        for info in attachments:
            url = self._import_attachment(info) if self.media_dir else None
            parent = self.by_wp_id.get(info.parent)
            if url:
                info.new_url = url
            elif parent is not None:
                info.new_url = ""  # resolved to the parent's address once it is known
            if info.attachment_url and url:
                self.links.media[media_key(info.attachment_url)] = url

    def _import_attachment(self, info: _ItemInfo) -> str | None:
        relative = media_key(info.attachment_url) if info.attachment_url else ""
        if not relative:
            self.report.notes.append(f"attachment {info.key} has no file address")
            return None
        candidate = (
            self.media_dir
            / unquote(urlsplit(info.attachment_url).path).split("/uploads/", 1)[-1].lstrip("/")
        ).resolve()
        # Only files inside --media-dir: the export names the path, and an export is not
        # trusted to choose which local file gets read (../../etc/passwd, symlinks).
        if not candidate.is_relative_to(self.media_dir) or not candidate.is_file():
            self.report.notes.append(f"attachment {info.key}: {relative} not found in --media-dir")
            return None
        extension = candidate.suffix.lower().lstrip(".")
        title = (info.title or candidate.stem)[:255]
        if extension in IMAGE_EXTENSIONS:
            model, kind = get_image_model(), "image"
        elif extension in settings.WAGTAILDOCS_EXTENSIONS:
            model, kind = get_document_model(), "document"
        else:
            self.report.notes.append(f"attachment {info.key}: .{extension} files are not imported")
            return None
        obj = self._mapped_object("attachment", info.key, model)
        if obj is None:
            with candidate.open("rb") as handle:
                obj = model(title=title)
                obj.file.save(candidate.name, File(handle), save=False)
                self.saved_files.append(obj.file)
                try:
                    obj.save()
                except Exception as error:  # Pillow or the storage refusing the file
                    self.report.notes.append(f"attachment {info.key}: {error}")
                    return None
            self.report.counts[f"{kind}s"] += 1
        self._mapping("attachment", info.key, obj, old_url=info.link[:2000])
        if kind == "image":
            ref = ImageRef(pk=obj.pk, alt=title)
            self.images[media_key(info.attachment_url)] = ref
            # Content links are rewritten before blocks are made, so the new address too.
            self.images[media_key(obj.file.url)] = ref
            if info.wp_id:
                self.image_by_attachment[info.wp_id] = ref
            return obj.file.url
        return obj.url

    def _remove_saved_files(self) -> None:
        for stored in self.saved_files:
            with contextlib.suppress(OSError):
                stored.storage.delete(stored.name)

    # -- addresses ---------------------------------------------------------------------
    def _plan_addresses(self) -> None:
        """Decide every post's and page's slug and new address before any is written, so
        that links between them can be rewritten whichever comes first in the file."""
        taken: dict[int | str, set[str]] = {}
        mine: dict[str, int] = {}  # page id -> already imported (re-run)
        for info in self.items.values():
            if info.post_type in {"post", "page"}:
                row = self.mapped.get((info.post_type, info.key))
                if row and row.object_id:
                    info.page_id = row.object_id
                    mine[info.key] = row.object_id

        def siblings(parent_key) -> set[str]:
            if parent_key not in taken:
                if parent_key == "blog":
                    parent = self.blog
                elif parent_key == "home":
                    parent = self.home
                else:
                    parent = None
                    row = self.mapped.get(("page", str(parent_key)))
                    if row and row.object_id:
                        parent = Page.objects.filter(pk=row.object_id).first()
                ids = set(mine.values())
                taken[parent_key] = (
                    set(parent.get_children().exclude(pk__in=ids).values_list("slug", flat=True))
                    if parent is not None
                    else set()
                )
                if parent_key == "home":
                    taken[parent_key] |= RESERVED_TOP_SLUGS
            return taken[parent_key]

        def claim(info: _ItemInfo, parent_key) -> None:
            used = siblings(parent_key)
            slug, number = info.slug, 2
            while slug in used:
                slug = f"{info.slug[:190]}-{number}"
                number += 1
            if slug != info.slug:
                self.report.notes.append(
                    f"line {info.line}: slug {info.slug!r} was taken; {slug!r} used instead"
                )
            info.slug = slug
            used.add(slug)

        for info in self.items.values():
            if info.post_type == "post":
                claim(info, "blog")
                if info.date is not None:
                    local = timezone.localtime(info.date)
                    info.new_url = f"{self.blog_url}{local:%Y}/{local:%m}/{info.slug}/"
        pages = [info for info in self.items.values() if info.post_type == "page"]
        for info in pages:
            parent = self.by_wp_id.get(info.parent) if info.parent else None
            if info.parent and (parent is None or parent.post_type != "page"):
                self.report.notes.append(
                    f"line {info.line}: parent page {info.parent} is not in the file; "
                    "the page goes at the top level"
                )
                info.parent = 0
        for info in pages:
            claim(info, info.parent or "home")
        home_url = self.home.get_url() or "/"
        for info in pages:
            chain, node, guard = [], info, 0
            while node is not None and guard < 50:
                chain.append(node.slug)
                node = self.by_wp_id.get(node.parent) if node.parent else None
                guard += 1
            if guard >= 50:  # a parent loop: WordPress forbids it, a hand-made file may not
                info.parent = 0
                chain = [info.slug]
            info.new_url = home_url + "".join(f"{slug}/" for slug in reversed(chain))
        for info in self.items.values():
            if info.post_type == "attachment" and info.parent:
                self.children.setdefault(info.parent, []).append(info.wp_id)
            if info.post_type == "attachment" and not info.new_url:
                parent = self.by_wp_id.get(info.parent)
                info.new_url = parent.new_url if parent else ""
        base = self.links.base_path
        for info in self.items.values():
            if not info.new_url or info.status not in {"publish", "inherit"}:
                continue
            self.links.add(info.link, info.new_url)
            if info.guid.startswith(("http://", "https://")):
                self.links.add(info.guid, info.new_url)
            if info.wp_id:
                name = {"page": "page_id", "attachment": "attachment_id"}.get(info.post_type, "p")
                self.links.add(f"{base}/?{name}={info.wp_id}", info.new_url)
                if name != "p":
                    self.links.add(f"{base}/?p={info.wp_id}", info.new_url)

    # -- posts and pages --------------------------------------------------------------
    def _import_items(self) -> None:
        total = len(self.items)
        deferred: list[WPItem] = []
        done = 0
        for record in self._records():
            if not isinstance(record, WPItem):
                continue
            done += 1
            self.progress(done, total)
            key = _key(record)
            info = self.items.get(key)
            if info is None or info.line != record.line:
                continue  # skipped in the first pass (and reported there)
            kind = info.post_type
            if kind == "attachment":
                continue
            if kind not in {"post", "page"}:
                self.report.skip(record, f"{kind} items are not imported")
                continue
            if info.status in {"trash", "auto-draft", "inherit"}:
                self.report.skip(record, f"status {info.status!r} is not imported")
                continue
            if kind == "page" and info.parent and self._page_parent(info) is None:
                deferred.append(record)
                continue
            self._import_item(record, info)
        for _round in range(len(deferred) + 1):
            waiting = []
            for record in deferred:
                info = self.items[_key(record)]
                if self._page_parent(info) is None:
                    waiting.append(record)
                else:
                    self._import_item(record, info)
            if len(waiting) == len(deferred):
                break
            deferred = waiting
        for record in deferred:
            self.items[_key(record)].parent = 0
            self._import_item(record, self.items[_key(record)])

    def _page_parent(self, info: _ItemInfo) -> Page | None:
        if not info.parent:
            return self.home
        parent = self.by_wp_id.get(info.parent)
        if parent is None or parent.page_id is None:
            return None
        return Page.objects.filter(pk=parent.page_id).first()

    def _import_item(self, item: WPItem, info: _ItemInfo) -> None:
        converter = Converter(
            rewrite_url=self.links.rewrite,
            find_image=self._find_image,
            attachment_url=self._attachment_url,
            own_attachments=self.children.get(info.wp_id, []) if info.wp_id else [],
        )
        body = converter.convert(item.content, key=f"{self.source}/{info.key}")
        for note in converter.notes:
            self.report.notes.append(f"line {item.line}: {note}")
        digest = hashlib.sha256(
            json.dumps(
                [item.title, item.content, item.excerpt, info.slug, str(info.date), info.status,
                 sorted(item.terms), item.creator, item.meta.get("_thumbnail_id", ""),
                 item.comment_status, info.parent],
                default=str,
            ).encode()
        ).hexdigest()  # fmt: skip
        row = self.mapped.get((info.post_type, info.key))
        page = None
        if row and row.object_id:
            page = Page.objects.filter(pk=row.object_id).first()
            page = page.specific if page else None
            if page is not None and row.guid == digest:
                self.report.counts[f"{info.post_type}s unchanged"] += 1
                info.page_id = page.pk
                self._import_comments(page, item)
                return
        if info.post_type == "post":
            page = self._save_post(item, info, body, page)
        else:
            page = self._save_page(item, info, body, page)
        info.page_id = page.pk
        self._mapping(
            info.post_type, info.key, page, guid=digest, old_url=info.link[:2000],
            sticky=item.is_sticky,
        )  # fmt: skip
        self._import_comments(page, item)

    def _common(self, page: Page, item: WPItem, info: _ItemInfo, body: list[dict]) -> None:
        page.title = (html.unescape(item.title).strip() or "(untitled)")[:255]
        page.slug = info.slug
        page.body = body
        live = info.status == "publish"
        page.live = page.live if page.pk and not live else live
        if info.status == "future":
            page.go_live_at = info.date
        if live and info.date:
            page.first_published_at = page.first_published_at or info.date

    def _save_post(self, item, info, body, page: PostPage | None) -> PostPage:
        new = page is None
        page = page or PostPage()
        self._common(page, item, info, body)
        page.date = info.date if info.status in {"publish", "future", "private"} else None
        page.excerpt = _plain(item.excerpt)
        page.comments_open = item.comment_status == "open"
        thumb = item.meta.get("_thumbnail_id", "").strip()
        ref = self.image_by_attachment.get(int(thumb)) if thumb.isdigit() else None
        page.lead_image_id = ref.pk if ref else page.lead_image_id
        author_id = self.author_ids.get(item.creator)
        if author_id and not any(link.author_id == author_id for link in page.post_authors.all()):
            page.post_authors.add(PostPageAuthor(author_id=author_id, sort_order=0))
        tags = [
            self._tag(html.unescape(name or slug), _wp_slug(slug, name))
            for taxonomy, slug, name in item.terms
            if taxonomy in {"category", "post_tag"} and (slug or name)
        ]
        page.tags.set(tags) if tags else page.tags.clear()
        self._write(page, self.blog, new, info)
        return page

    def _save_page(self, item, info, body, page: StandardPage | None) -> StandardPage:
        new = page is None
        if page is not None and not isinstance(page, StandardPage):
            new, page = True, None
        page = page or StandardPage()
        self._common(page, item, info, body)
        self._write(page, self._page_parent(info) or self.home, new, info)
        return page

    def _write(self, page: Page, parent: Page, new: bool, info: _ItemInfo) -> None:
        """Save the page and a revision of it. A published item is written live directly
        rather than through Revision.publish(), which saves the page twice more and fires
        the per-publish work (logs, signals) thousands of times over in a large import;
        scheduled items do go through publish(), which is what schedules them."""
        kind = info.post_type
        live = info.status == "publish"
        if live:
            now = timezone.now()
            page.live = True
            page.has_unpublished_changes = False
            page.first_published_at = page.first_published_at or info.date or now
            page.last_published_at = now
        if new:
            parent.add_child(instance=page)
            self.report.counts[f"{kind}s created"] += 1
        else:
            page.save(clean=False)
            self.report.counts[f"{kind}s updated"] += 1
        revision = page.save_revision(log_action=False, clean=False, changed=not live)
        if live:
            Page.objects.filter(pk=page.pk).update(live_revision=revision)
        elif info.status == "future":
            revision.publish(log_action=False, skip_permission_checks=True)
            self.report.counts["scheduled"] += 1
        else:
            if page.live:  # was live, now a draft in WordPress
                page.unpublish(log_action=False)
            self.report.counts[f"{kind}s not public ({info.status})"] += 1

    def _find_image(self, key: str | int) -> ImageRef | None:
        if isinstance(key, int):
            return self.image_by_attachment.get(key)
        return self.images.get(media_key(key)) if key else None

    def _attachment_url(self, wp_id: int) -> str | None:
        info = self.by_wp_id.get(wp_id)
        if info is None or info.post_type != "attachment":
            return None
        return info.attachment_url or None

    def _import_comments(self, page: Page, item: WPItem) -> None:
        if item.comments and self.comment_hook is not None:
            self.comment_hook(page, item)
        elif item.comments:
            self.report.counts["comments not imported"] += len(item.comments)

    # -- redirects -----------------------------------------------------------------------
    def _make_redirects(self) -> None:
        site = self.site
        existing = set(
            Redirect.objects.filter(site=site, old_path__in=list(self.links.paths)).values_list(
                "old_path", flat=True
            )
        )
        pages: dict[str, int] = {}
        for info in self.items.values():
            if info.page_id and info.status == "publish":
                pages[info.new_url] = info.page_id
        made = 0
        for old_path, new_url in self.links.paths.items():
            if old_path.rstrip("/") == new_url.rstrip("/") or old_path in {"", "/"}:
                continue
            values = {"is_permanent": True}
            if new_url in pages:
                values.update(redirect_page_id=pages[new_url], redirect_link="")
            else:
                values.update(redirect_page=None, redirect_link=new_url)
            if old_path in existing:
                Redirect.objects.filter(site=site, old_path=old_path).update(**values)
            else:
                Redirect.objects.create(site=site, old_path=old_path, **values)
                made += 1
        archives: dict[str, str] = {}
        for (kind, slug), new_url in self.links.tags.items():
            for wp_kind in ["author"] if kind == "author" else ["category", "tag"]:
                for suffix in ("", "feed/"):
                    archives[f"/{wp_kind}/{slug}/{suffix}"] = new_url + suffix
        for info in self.items.values():
            if info.post_type == "post" and info.status == "publish" and info.date:
                local = timezone.localtime(info.date)
                archives[f"/{local:%Y}/"] = f"{self.blog_url}{local:%Y}/"
                archives[f"/{local:%Y}/{local:%m}/"] = f"{self.blog_url}{local:%Y}/{local:%m}/"
        for old, target in archives.items():
            _, created = Redirect.objects.update_or_create(
                site=site,
                old_path=Redirect.normalise_path(self.links.base_path + old),
                defaults={"redirect_link": target, "redirect_page": None, "is_permanent": True},
            )
            made += created
        self.report.counts["redirects created"] += made


def wordpress_import(
    *,
    path: Path,
    blog_slug: str | None = None,
    media_dir: Path | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the WordPress export at `path` into the blog `blog_slug` (created if missing).

    All or nothing: an error anywhere leaves the database (and media storage) as it was.
    Raises WXRError for a file that cannot be imported, naming the problem and its line.
    """
    run = WordPressImport(
        path=path, blog_slug=blog_slug, media_dir=media_dir, dry_run=dry_run, progress=progress
    )
    from byline.importers import comments

    run.comment_hook = comments.hook_for(run)
    return run.run()


__all__ = ["ImportError_", "ImportReport", "WXRError", "parse_wp_date", "wordpress_import"]
