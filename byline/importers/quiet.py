"""The per-save work an import postpones, and then does once, in bulk, before it commits.

Every Wagtail page save asks for its search entry and its reference-index rows to be
rebuilt, and every comment save asks the page store to purge its page. An import saves each
page twice (the page, then its revision) and thousands of pages in a row: done per save,
that was most of the import's time, and the search part grows with the index (the database
backend recomputes an average over the whole index table on every add). Here the saves are
only noted, and each object is indexed once at the end, a chunk at a time, inside the
import's transaction, so that the import stays all or nothing.

The receivers are disconnected for the whole process while the import runs: it runs as
`byline import-wordpress`, a process of its own, not in a server's threads.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.signals import post_save
from modelcluster.models import ClusterableModel, get_all_child_relations
from modelsearch import index
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from byline.core.bulk import insert_own_rows

CHUNK = 500


class Postponed:
    """The objects saved while the import ran, per model, to index once at the end."""

    def __init__(self, searched: set[type]) -> None:
        self.searched = searched
        self.saved: dict[type, set] = defaultdict(set)

    def note(self, sender, instance, raw: bool = False, **kwargs) -> None:
        if not raw and (sender in self.searched or ReferenceIndex.is_indexed(sender)):
            self.saved[sender].add(instance.pk)

    def finish(self) -> None:
        """Bring the search index and the reference index up to date for every noted object."""
        backends = list(get_search_backends(with_auto_update=True))
        for model, pks in self.saved.items():
            ordered = sorted(pks)
            for start in range(0, len(ordered), CHUNK):
                chunk = ordered[start : start + CHUNK]
                if model in self.searched:
                    objects = list(indexed_objects(model, chunk))
                    for backend in backends:
                        backend.add_bulk(model, objects)
                if ReferenceIndex.is_indexed(model):
                    index_references(model, model.objects.filter(pk__in=chunk))

    def index_now(self, model: type[Model], objects: list[Model]) -> None:
        """Index objects just written in bulk (not saved, so not noted), as they are in
        memory, with every relation the index reads already on them: reading them back at
        the end was most of the time indexing took. Saved again later in the import, an
        object is noted then and indexed again at the end."""
        if not objects:
            return
        if model in self.searched:
            for backend in get_search_backends(with_auto_update=True):
                backend.add_bulk(model, objects)
        if ReferenceIndex.is_indexed(model):
            index_references(model, objects, new=True)


def indexed_objects(model: type[Model], pks: list) -> QuerySet:
    """model.get_indexed_objects() of these pks, with the relations of its search fields'
    relations prefetched too: Wagtail prefetches only the first level, and a post's byline
    (its second: post_authors, then each credit's author) was read one query per post."""
    queryset = model.get_indexed_objects().filter(pk__in=pks)
    lookups = list(_nested_lookups(model, model.get_search_fields()))
    return queryset.prefetch_related(*lookups) if lookups else queryset


def _nested_lookups(model: type[Model], fields: list, prefix: str = "") -> Iterator[str]:
    for field in fields:
        if not isinstance(field, index.RelatedFields):
            continue
        try:
            relation = model._meta.get_field(field.field_name)
        except FieldDoesNotExist:
            continue  # a method or property: nothing to prefetch
        if not relation.is_relation or relation.related_model is None:
            continue
        path = f"{prefix}{field.field_name}"
        if prefix:
            yield path
        yield from _nested_lookups(relation.related_model, field.fields, f"{path}__")


def index_references(model: type[Model], objects: Iterable[Model], *, new: bool = False) -> None:
    """ReferenceIndex.create_or_update_for_object() for many objects of one model at once:
    the same rows, but the existing rows read, the new ones written and the stale ones
    deleted in one statement per chunk, and the child relations prefetched, where Wagtail
    spends five or more queries per object. `objects`: a queryset (its child relations are
    prefetched here) or objects in memory, their child relations on them. `new`: the objects
    were inserted just now, so have no rows yet, and none are read."""
    content_types = [
        ContentType.objects.get_for_model(m, for_concrete_model=False)
        for m in [model, *model._meta.get_parent_list()]
    ]
    content_type, base_content_type = content_types[0], content_types[-1]
    known_content_type_ids = {ct.id for ct in content_types}
    if isinstance(objects, QuerySet):
        relations = [relation.get_accessor_name() for relation in get_all_child_relations(model)]
        if relations and issubclass(model, ClusterableModel):
            objects = objects.prefetch_related(*relations)
    objects = list(objects)
    # object id -> {reference: (content_type_id, row id)}
    existing = {} if new else _indexed_rows(base_content_type, [obj.pk for obj in objects])
    new_rows, stale_ids = [], []
    for obj in objects:
        references = set(ReferenceIndex._extract_references_from_object(obj))
        found = existing.get(str(obj.pk), {})
        new_rows.extend(
            ReferenceIndex(
                content_type=content_type,
                base_content_type=base_content_type,
                object_id=obj.pk,
                to_content_type_id=to_content_type_id,
                to_object_id=to_object_id,
                model_path=model_path,
                content_path=content_path,
                content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
            )
            for to_content_type_id, to_object_id, model_path, content_path in references
            if (to_content_type_id, to_object_id, model_path, content_path) not in found
        )
        # As Wagtail does: a row recorded under a more specific model than this one is
        # left alone (it may be a reference this model cannot see).
        stale_ids.extend(
            row_id
            for reference, (content_type_id, row_id) in found.items()
            if reference not in references and content_type_id in known_content_type_ids
        )
    insert_own_rows(
        ReferenceIndex, new_rows, ignore_conflicts=connection.features.supports_ignore_conflicts
    )
    if stale_ids:
        ReferenceIndex.objects.filter(id__in=stale_ids).delete()


def _indexed_rows(base_content_type, pks: list) -> dict[str, dict[tuple, tuple[int, int]]]:
    """The reference-index rows of these objects, per object id (as text): each reference
    (to_content_type_id, to_object_id, model_path, content_path) with its row's
    content_type_id and id."""
    existing: dict[str, dict[tuple, tuple[int, int]]] = defaultdict(dict)
    for row in ReferenceIndex.objects.filter(
        base_content_type=base_content_type, object_id__in=[str(pk) for pk in pks]
    ).values_list(
        "id", "content_type_id", "object_id", "to_content_type_id", "to_object_id",
        "model_path", "content_path",
    ):  # fmt: skip
        row_id, content_type_id, object_id, *reference = row
        existing[object_id][tuple(reference)] = (content_type_id, row_id)
    return existing


def _comment_receiver():
    """The comments app's post_save receiver: reply mail (imported comments were answered
    long ago: they arrive marked as notified) and a page-store purge per comment (the import
    purges every stored page once, on commit)."""
    from byline.comments.models import ReaderComment
    from byline.comments.signal_handlers import comment_saved

    return comment_saved, ReaderComment, "comments-saved"


@contextlib.contextmanager
def postponed_indexing() -> Iterator[Postponed]:
    """Mute the per-save search, reference-index and comment receivers; note the saves.
    The caller runs `.finish()` on what it gets before its transaction commits."""
    searched = {
        model
        for model in index.get_indexed_models()
        if getattr(model, "search_auto_update", True)
        and post_save.disconnect(post_save_signal_handler, sender=model)
    }
    postponed = Postponed(searched)
    comment_saved, comment_model, uid = _comment_receiver()
    comments_muted = post_save.disconnect(sender=comment_model, dispatch_uid=uid)
    post_save.connect(postponed.note, weak=False, dispatch_uid="importers-postponed")
    try:
        with disable_reference_index_auto_update():
            yield postponed
    finally:
        post_save.disconnect(dispatch_uid="importers-postponed")
        if comments_muted:
            post_save.connect(comment_saved, sender=comment_model, dispatch_uid=uid)
        for model in searched:
            post_save.connect(post_save_signal_handler, sender=model)
