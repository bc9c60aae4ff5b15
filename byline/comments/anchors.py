"""Extra anchors for comments that other apps know by an older name (an import's #comment-881).

Comments sit below the importers, so the importers register a lookup here (in their ready())
rather than the comment thread importing them. A lookup takes the ids of the comments being
shown and returns {comment id: old anchor} for those that have one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

AnchorLookup = Callable[[Iterable[int]], dict[int, str]]

_lookups: list[AnchorLookup] = []


def register_old_anchors(lookup: AnchorLookup) -> None:
    if lookup not in _lookups:
        _lookups.append(lookup)


def old_anchors(comment_ids: list[int]) -> dict[int, str]:
    """Comment id -> an older anchor that should also land on it, from every registered
    lookup (the first one to name a comment wins). No query when there are no comments."""
    if not comment_ids or not _lookups:
        return {}
    found: dict[int, str] = {}
    for lookup in _lookups:
        for pk, anchor in lookup(comment_ids).items():
            found.setdefault(pk, anchor)
    return found
