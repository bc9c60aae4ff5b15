"""The signal the corrections app sends when what readers see of a post's notes changes.

Whoever keeps rendered pages (the page store) listens::

    from byline.corrections.signals import corrections_changed

    def purge(sender, *, post_id, **kwargs): ...

    corrections_changed.connect(purge)

Sent once the transaction commits, with `post_id`, the post whose correction, clarification or
update was added, edited or deleted.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

corrections_changed = Signal()


def announce_corrections_change(*, post_id: int) -> None:
    transaction.on_commit(lambda: corrections_changed.send(sender=None, post_id=post_id))
