"""The signal the featured app sends when what a featured list shows may have changed.

Whoever keeps rendered pages (the page store) listens::

    from byline.featured.signals import featured_changed

    def purge(sender, *, blog_id, reason, **kwargs):
        pages = featured_affected_pages(blog_id=blog_id)  # byline.featured.services
        ...

    featured_changed.connect(purge)

It is sent after the transaction commits, once per change (saving a list with its items sends
it once; receivers should still be idempotent). `blog_id` is the blog
whose own list changed, or None for the site-wide list; `reason` says what happened
("list-saved", "list-deleted", "item-saved", "item-deleted", "page-changed", "image-changed").
A window opening or closing changes nothing in the database, so no signal marks it: ask
`featured_next_change()` when the output next changes and expire the pages then.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.dispatch import Signal

featured_changed = Signal()

_state = threading.local()


@contextmanager
def items_saved_with_their_list() -> Iterator[None]:
    """While a list saves its items, announce the list once, not each item too."""
    _state.quiet = True
    try:
        yield
    finally:
        _state.quiet = False


def announce_featured_change(
    *, sender: type, blog_id: int | None, reason: str, item: bool = False
) -> None:
    """Send featured_changed (from `sender`, the model that changed: FeaturedList or
    FeaturedItem) once the current transaction commits, at once outside one."""
    if item and getattr(_state, "quiet", False):
        return
    transaction.on_commit(
        lambda: featured_changed.send(sender=sender, blog_id=blog_id, reason=reason)
    )
