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
from collections.abc import Iterator

from django.db.models.signals import post_save
from modelsearch import index
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

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
                    objects = list(model.get_indexed_objects().filter(pk__in=chunk))
                    for backend in backends:
                        backend.add_bulk(model, objects)
                if ReferenceIndex.is_indexed(model):
                    for obj in model.objects.filter(pk__in=chunk):
                        ReferenceIndex.create_or_update_for_object(obj)


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
