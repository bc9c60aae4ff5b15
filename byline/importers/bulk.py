"""New pages of an import written in batches: the rows add_child() and save_revision() write.

An import of 10,000 posts spent most of its time in Wagtail's per-page work: add_child() and
Page.save() (validation that asks the database about every foreign key and the slug, the
url_path, the child relations one statement each, a log entry), save_revision() (the page
serialised, the revision, the page saved again) and the live revision set. For new pages
under one parent the same rows are written here in a few statements per batch: paths
numbered as treebeard numbers them, fields validated in memory, then the pages, their own
table's rows, their child relations, revisions, "created" log entries and the parent's child
count, each in bulk. byline/demo/synthetic.py writes its posts the same way.

What Wagtail's per-save signal handlers would have done (search entry, reference index) is
left to the caller: the importer indexes each batch from memory (quiet.Postponed.index_now()).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Model
from django.utils import timezone
from modelcluster.models import ClusterableModel, get_all_child_relations
from treebeard.exceptions import PathOverflow
from wagtail.models import Page, PageLogEntry, Revision

from byline.core.bulk import insert_own_rows

# Foreign keys of a page that validation would check one query each; the writer sets them
# from rows it has just read (parent, locale, content type) or leaves them empty.
_TRUSTED_RELATIONS = {field.name for field in Page._meta.concrete_fields if field.is_relation}


def next_child_path(last_child_step: dict[int, int], parent: Page) -> str:
    """The path of a new last child of `parent`, as treebeard's add_child() gives it, less
    its per-child work: it locks and reads the parent again and looks its last child up for
    every child, where an import looks them up once per parent and counts on from there (it
    is the only writer below the parent: the lock taken on first use is held until the
    import commits). `last_child_step` keeps the count, per parent pk."""
    step = last_child_step.get(parent.pk)
    if step is None:
        Page.objects.select_for_update().values_list("pk").get(pk=parent.pk)
        last = parent.get_last_child()
        step = last._get_lastpos_in_path() if last else 0
    step += 1
    last_child_step[parent.pk] = step
    if len(Page._int2str(step)) > Page.steplen:  # as treebeard's _inc_path() refuses
        raise PathOverflow(f"Path Overflow from: {parent.path!r}, child {step}")
    return Page._get_path(parent.path, parent.depth + 1, step)


def add_children(
    parent: Page,
    pages: Sequence[Page],
    *,
    next_path: Callable[[Page], str],
) -> list[tuple[type[Model], list[Model]]]:
    """Write `pages`, new and all of one specific type, as the last children of `parent`, in
    order, each with a revision of itself and a "created" log entry, as
    parent.add_child(instance=page) then page.save_revision() would.

    A page whose `live` is set is published with that revision (its first and last
    published times as set, or now), as the importer publishes: live_revision set, no
    publish log entry or signal. Any other page is a draft whose revision is unpublished.
    Raises ValidationError as Page.save() would, before anything is written.

    No post_save is sent: the caller indexes the pages and the child objects returned, per
    child model (search, references), as Wagtail's receivers would have."""
    if not pages:
        return []
    model = type(pages[0])
    if any(type(page) is not model or page.pk is not None for page in pages):
        raise ValueError("add_children() writes new pages of one type")
    now = timezone.now()
    relations = (
        [relation.get_accessor_name() for relation in get_all_child_relations(model)]
        if issubclass(model, ClusterableModel)
        else []
    )
    for page in pages:
        # A child relation never set holds nothing yet: said so in memory, so that reading
        # it (to write it, to serialise the revision) asks nothing of the database.
        held = getattr(page, "_cluster_related_objects", {})
        for name in relations:
            if name not in held:
                setattr(page, name, [])
        page.depth = parent.depth + 1
        page.path = next_path(parent)
        page.numchild = 0
        page.locale_id = page.locale_id or parent.locale_id
        page.draft_title = page.title
        page.url_path = f"{parent.url_path}{page.slug}/"
        page._cached_parent_obj = parent
        if page.live:
            page.has_unpublished_changes = False
            page.first_published_at = page.first_published_at or now
            page.last_published_at = page.last_published_at or now
        # What the model's own save() adds (a post's date when it goes live).
        _before_save(page)
    _validate(parent, pages)

    _insert_pages(model, pages)
    children = _insert_child_relations(model, pages)

    # As save_revision() does: the revision holds the page as saved (no revision yet, not
    # "changed"); the page then points at it, and a draft has unpublished changes.
    content_type = ContentType.objects.get_for_model(model)
    base_content_type = ContentType.objects.get_for_model(Page)
    revisions = Revision.objects.bulk_create(
        Revision(
            content_type=content_type,
            base_content_type=base_content_type,
            object_id=str(page.pk),
            created_at=now,
            content=page.serializable_data(),
            object_str=str(page),
        )
        for page in pages
    )
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = revision
        page.latest_revision_created_at = revision.created_at
        if page.live:
            page.live_revision = revision
        else:
            page.has_unpublished_changes = True
    _update_revision_fields(pages)

    # Page.save() logs every new page as created, by its owner.
    insert_own_rows(
        PageLogEntry,
        [
            PageLogEntry(
                content_type=content_type,
                label=page.get_admin_display_title(),
                action="wagtail.create",
                timestamp=now,
                data={},
                user_id=page.owner_id,
                content_changed=True,
                page_id=page.pk,
            )
            for page in pages
        ],
    )
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
    parent.numchild += len(pages)
    return children


def _before_save(page: Page) -> None:
    # PostPage.save() dates a post that goes live; kept in step with it (byline.blogs).
    if hasattr(page, "date") and page.date is None and page.live:
        page.date = page.go_live_at or page.first_published_at or timezone.now()


def _validate(parent: Page, pages: Sequence[Page]) -> None:
    """Page.save()'s validation, without its queries: a live page's fields and clean() as
    full_clean() runs them, a draft's title as minimal_clean() does; the foreign keys are
    the writer's own, the path and translation key new; the slugs are checked against the
    parent's children in one query for the batch."""
    for page in pages:
        if page.live:
            page.clean_fields(exclude=_TRUSTED_RELATIONS)
            # Page.clean() is the model's clean() and the slug check done below.
            super(Page, page).clean()
        else:
            page.title = page._meta.get_field("title").clean(page.title, page)
    slugs = [page.slug for page in pages]
    taken = set(parent.get_children().filter(slug__in=slugs).values_list("slug", flat=True))
    seen: set[str] = set()
    for page in pages:
        if page.slug in taken or page.slug in seen:
            raise ValidationError(
                {
                    "slug": f"The slug '{page.slug}' is already in use within the parent "
                    f"page at '{parent.url_path}'."
                }
            )
        seen.add(page.slug)


def _insert_pages(model: type[Page], pages: Sequence[Page]) -> None:
    """The pages' rows in Page's table (bulk_create refuses a multi-table model), then in
    their own model's tables, below Page's, with the new ids."""
    page_fields = [field for field in Page._meta.concrete_fields if not field.primary_key]
    rows = Page.objects.bulk_create(
        Page(**{field.attname: getattr(page, field.attname) for field in page_fields})
        for page in pages
    )
    for page, row in zip(pages, rows, strict=True):
        page.pk = page.id = row.pk
        for parent_link in model._meta.parents.values():
            if parent_link is not None:
                setattr(page, parent_link.attname, row.pk)
        page._state.adding = False
        page._state.db = row._state.db
    for table_model in reversed(model._meta.get_parent_list()):
        if table_model is not Page:
            insert_own_rows(table_model, pages)
    insert_own_rows(model, pages)


def _insert_child_relations(
    model: type[Page], pages: Sequence[Page]
) -> list[tuple[type[Model], list[Model]]]:
    """The child objects the pages hold in memory (a post's bylines and tags), written in
    bulk, one statement per relation, as modelcluster's commit() writes them one by one.
    Each child model's own save() is not called: the writer sets what it would set."""
    written = []
    if not issubclass(model, ClusterableModel):
        return written
    for relation in get_all_child_relations(model):
        name = relation.get_accessor_name()
        parental_key = relation.field.attname
        objects = []
        for page in pages:
            children = list(getattr(page, name).all())
            for child in children:
                if child.pk is not None:
                    raise ValueError(f"{name} of a new page holds a saved object")
                setattr(child, parental_key, page.pk)
            objects.extend(children)
        if objects:
            relation.related_model.objects.bulk_create(objects)
            written.append((relation.related_model, objects))
    return written


def _update_revision_fields(pages: Sequence[Page]) -> None:
    """What save_revision() and the live revision change on each page: one UPDATE a page,
    sent as one executemany (bulk_update's CASE per field and row is slower)."""
    quote = connection.ops.quote_name
    fields = [
        Page._meta.get_field(name)
        for name in (
            "latest_revision",
            "latest_revision_created_at",
            "live_revision",
            "has_unpublished_changes",
        )
    ]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(Page._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
    rows = [
        [
            *(field.get_db_prep_save(getattr(page, field.attname), connection) for field in fields),
            page.pk,
        ]
        for page in pages
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
