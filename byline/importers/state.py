"""What an import's passes hand forward: the options, the report, and what each pass added.

run.py makes one ImportState once the target blog is known and hands it, with the scanned
file (scan.py), to each pass in turn; a pass reads what the passes before it added and adds
its own part. Nothing here reads the file or writes a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import timezone

from byline.importers.models import ImportedItem

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile
    from taggit.models import Tag

    from byline.importers.convert import ImageRef
    from byline.importers.links import LinkMap
    from byline.importers.pages import NewPost
    from byline.importers.quiet import Postponed
    from byline.importers.report import ImportReport
    from byline.importers.target import Target


@dataclass(frozen=True)
class ImportOptions:
    """What the import was asked to do (see services.wordpress_import())."""

    path: Path
    blog_slug: str | None = None
    media_dir: Path | None = None  # resolved: attachments are read from inside it only
    dry_run: bool = False
    progress: Callable[[int, int], None] | None = None  # (items done, items in the file)


@dataclass(slots=True)
class Place:
    """Where one item goes: its new address and, for a post or page, its slug (numbered if
    taken) and the WordPress id of its parent page (0: the top level)."""

    url: str = ""
    slug: str = ""
    parent: int = 0


@dataclass
class Mappings:
    """How each WordPress id maps to a Byline object, kept as ImportedItem rows for the
    next run and for export: read once at the start, written a batch at a time."""

    source: str
    rows: dict[tuple[str, str], ImportedItem] = field(default_factory=dict)
    unsaved: dict[tuple[str, str], ImportedItem] = field(default_factory=dict)

    @classmethod
    def load(cls, source: str) -> Mappings:
        rows = ImportedItem.objects.filter(source=source)
        return cls(source, {(row.kind, row.wp_key): row for row in rows})

    def row(self, kind: str, key: str) -> ImportedItem | None:
        return self.rows.get((kind, key))

    def object(self, kind: str, key: str, model):
        """What an earlier run made of WordPress's `kind` `key`, if it is still there."""
        row = self.rows.get((kind, key))
        if row is None or row.object_id is None:
            return None
        return model.objects.filter(pk=row.object_id).first()

    def remember(self, kind: str, key: str, obj, **extra) -> ImportedItem:
        """Record that WordPress's `kind` `key` became `obj`, for the next run and export."""
        row = self.rows.get((kind, key))
        if row is None:
            row = ImportedItem(source=self.source, kind=kind, wp_key=key[:255])
            self.rows[(kind, key)] = row
        row.object_id = obj.pk
        row.object_model = obj._meta.label_lower
        for name, value in extra.items():
            setattr(row, name, value)
        self.unsaved[(kind, key)] = row
        return row

    def save(self, *, forget: bool = False) -> None:
        """Write what remember() noted, in a few statements rather than one per object.

        With `forget`, called between items, the rows of posts, pages and comments leave
        memory once written: each is looked up only while its own item is imported, and
        keeping them all made the import's memory grow with the file."""
        now = timezone.now()
        rows = list(self.unsaved.values())
        for row in rows:
            row.imported_at = now  # auto_now is not applied by bulk_update
        # Split before bulk_create, which sets the new rows' pks: they were once updated
        # again straight after, and bulk_update's CASE per field and row made that the
        # slowest statement of the import.
        new = [row for row in rows if row.pk is None]
        known = [row for row in rows if row.pk is not None]
        ImportedItem.objects.bulk_create(new, batch_size=500)
        if known:
            ImportedItem.objects.bulk_update(
                known,
                ["object_id", "object_model", "guid", "old_url", "sticky", "imported_at"],
                batch_size=100,
            )
        if forget:
            for kind, key in self.unsaved:
                if kind in {"post", "page", "comment"}:
                    self.rows.pop((kind, key), None)
        self.unsaved.clear()


@dataclass
class ImportState:
    """Everything the passes share. The first six are there from the start; the rest fill up
    pass by pass, in run.py's order (every pass also notes mappings and reports):

    - terms: `author_ids`, `tags`, and the old archive addresses in `links.tags`;
    - coauthors: `coauthor_ids` (Co-Authors Plus bylines and guest authors);
    - media: `images`, `image_by_attachment`, `stored_files`, a `places` entry per file
      imported, and the old file addresses in `links.media`;
    - addresses: the `places` of every post, page and other attachment, the `page_ids` that
      earlier runs made, and the old item addresses in `links.paths`;
    - pages (with comments): the `page_ids` of this run, the `last_child_step` below each
      parent page written to, and `tags` made on first use.
    """

    options: ImportOptions
    report: ImportReport
    target: Target
    mappings: Mappings
    links: LinkMap  # every old address and the new one it answers with
    stored_files: list[FieldFile]  # removed again by run.py if the import is rolled back
    author_ids: dict[str, int] = field(default_factory=dict)  # login -> Author pk
    coauthor_ids: dict[str, int] = field(default_factory=dict)  # "cap-<login>" -> Author pk
    tags: dict[str, Tag] = field(default_factory=dict)  # term slug -> tag
    images: dict[str, ImageRef] = field(default_factory=dict)  # links.media_key() -> image
    image_by_attachment: dict[int, ImageRef] = field(default_factory=dict)  # WordPress id
    places: dict[str, Place] = field(default_factory=dict)  # item key -> where it goes
    page_ids: dict[str, int] = field(default_factory=dict)  # item key -> the page it became
    last_child_step: dict[int, int] = field(default_factory=dict)  # parent pk -> path step
    new_posts: list[NewPost] = field(default_factory=list)  # held back, written in bulk
    postponed: Postponed | None = None  # what bulk writes note for indexing (quiet.py)
