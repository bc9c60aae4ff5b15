"""One run of `byline import-wordpress`: its state, and the order of its passes."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Site

from byline.blogs.models import BlogIndexPage, BlogPage
from byline.core.signals import site_changed
from byline.importers import addresses, media, pages, terms
from byline.importers.convert import ImageRef
from byline.importers.links import LinkMap
from byline.importers.models import ImportedItem
from byline.importers.quiet import postponed_indexing
from byline.importers.scan import ImportRefused, ImportReport, ItemInfo, scan
from byline.importers.wxr import Channel, Record, WPAuthor, WPTerm, read_wxr
from byline.publication.models import PublicationPage


class WordPressImport:
    """One run of `byline import-wordpress`. See services.wordpress_import().

    The file is read twice, streaming: once (scan) for every item's id and new address,
    once (pages) to write the items; in between, authors, tags and media are written and
    every address is planned, so that links between items can be rewritten in one go."""

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
        self.creators: set[str] = set()  # dc:creator logins, declared or not
        self.author_ids: dict[str, int] = {}
        self.terms: dict[tuple[str, str], WPTerm] = {}
        self.tag_ids: dict[tuple[str, str], Tag] = {}
        self.items: dict[str, ItemInfo] = {}
        self.by_wp_id: dict[int, ItemInfo] = {}
        self.images: dict[str, ImageRef] = {}  # media_key -> image
        self.image_by_attachment: dict[int, ImageRef] = {}
        self.saved_files: list = []
        self.offset: datetime.timedelta | None = None
        self.mapped: dict[tuple[str, str], ImportedItem] = {}
        self.unsaved: dict[tuple[str, str], ImportedItem] = {}
        self.children: dict[int, list[int]] = {}

    def run(self) -> ImportReport:
        scan(self)
        try:
            with transaction.atomic(), postponed_indexing() as postponed:
                self._prepare_site()
                terms.import_authors(self)
                terms.import_terms(self)
                media.import_media(self)
                addresses.plan_addresses(self)
                pages.import_items(self)
                self.report.counts["tags"] = len({tag.pk for tag in self.tag_ids.values()})
                addresses.make_redirects(self)
                self.save_mappings()
                if self.dry_run:
                    transaction.set_rollback(True)
                else:
                    postponed.finish()
                    # Pages went live without Revision.publish() (see pages._write), so the
                    # page store hears of the import once, purging every stored page on
                    # commit.
                    site_changed.send(sender=WordPressImport, reason="import")
        except BaseException:
            media.remove_saved_files(self)
            raise
        if self.dry_run:
            media.remove_saved_files(self)
        return self.report

    def records(self) -> Iterator[Record]:
        """The file's records, read again from the start (streaming)."""
        with open(self.path, "rb") as source:
            yield from read_wxr(source)

    def _prepare_site(self) -> None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        home = site.root_page.specific if site else None
        if not isinstance(home, PublicationPage):
            raise ImportRefused(
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

    def remember(self, kind: str, key: str, obj, **extra) -> ImportedItem:
        """Record that WordPress's `kind` `key` became `obj`, for the next run and export."""
        row = self.mapped.get((kind, key))
        if row is None:
            row = ImportedItem(source=self.source, kind=kind, wp_key=key[:255])
            self.mapped[(kind, key)] = row
        row.object_id = obj.pk
        row.object_model = obj._meta.label_lower
        for name, value in extra.items():
            setattr(row, name, value)
        self.unsaved[(kind, key)] = row
        return row

    def save_mappings(self, *, forget: bool = False) -> None:
        """Write what remember() noted, in a few statements rather than one per object.

        With `forget`, called between items, the rows of posts, pages and comments leave
        memory once written: each is looked up only while its own item is imported, and
        keeping them all made the import's memory grow with the file."""
        now = timezone.now()
        rows = list(self.unsaved.values())
        for row in rows:
            row.imported_at = now  # auto_now is not applied by bulk_update
        ImportedItem.objects.bulk_create([r for r in rows if r.pk is None], batch_size=500)
        ImportedItem.objects.bulk_update(
            [r for r in rows if r.pk is not None],
            ["object_id", "object_model", "guid", "old_url", "sticky", "imported_at"],
            batch_size=500,
        )
        if forget:
            for kind, key in self.unsaved:
                if kind in {"post", "page", "comment"}:
                    self.mapped.pop((kind, key), None)
        self.unsaved.clear()

    def mapped_object(self, kind: str, key: str, model):
        """What an earlier run made of WordPress's `kind` `key`, if it is still there."""
        row = self.mapped.get((kind, key))
        if row is None or row.object_id is None:
            return None
        return model.objects.filter(pk=row.object_id).first()
