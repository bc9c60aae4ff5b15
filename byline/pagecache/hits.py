"""How often each stored page is read: counted on every hit, kept by the store, read to
re-render the most-read pages first (byline.pagecache.refresh).

A hit adds one to a counter in this process's memory (a dict update, no I/O); every
FLUSH_EVERY hits the counts go to the store in one write and start again. A process that
stops loses at most that many: the counts order re-renders, nothing depends on them exactly.
"""

from __future__ import annotations

import logging

from byline.pagecache.store import get_store

logger = logging.getLogger(__name__)

FLUSH_EVERY = 1024

_counts: dict[str, int] = {}
_noted = [0]


def note_hit(key: str) -> None:
    """One more read of the stored page `key`."""
    _counts[key] = _counts.get(key, 0) + 1
    _noted[0] += 1
    if _noted[0] >= FLUSH_EVERY:
        flush()


def flush() -> None:
    """Hand this process's counts to the store."""
    global _counts
    # Swapped, not copied: a hit on another thread lands in one dict or the other.
    counts, _counts = _counts, {}
    _noted[0] = 0
    if not counts:
        return
    try:
        get_store().note_hits(counts)
    except Exception:  # noqa: BLE001
        # A full disk or Redis refusing costs the counts, never the reader's page.
        logger.exception("Could not note hits in the page store")
