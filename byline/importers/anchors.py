"""The old anchors of imported comments: #comment-<WordPress id> in links made before the move.

WordPress links a single comment as <post address>#comment-881; Byline's comments answer to
#comment-<their own id>. Every imported comment's WordPress id is kept in its ImportedItem
row (kind "comment", key "<post id>:<comment id>"), so a page can give each comment its old
anchor beside its own, and old links land on the comment. Usage, from a comment template's
context (one query for all the comments shown)::

    anchors = old_comment_anchors(comment.pk for comment in comments)
    # {12: "comment-881", …}: render <span id="comment-881"></span> inside comment 12
"""

from __future__ import annotations

from collections.abc import Iterable

from byline.importers.models import ImportedItem

COMMENT_MODEL = "comments.readercomment"


def old_comment_anchors(comment_ids: Iterable[int]) -> dict[int, str]:
    """Byline comment id -> its WordPress anchor ("comment-881"), for the imported comments
    among `comment_ids` whose old anchor is not already their own. An old anchor that is
    the own anchor of another comment shown with them is left out: two elements with one
    id would send the old link to the first of them either way."""
    ids = set(comment_ids)
    if not ids:
        return {}
    own = {f"comment-{pk}" for pk in ids}
    rows = ImportedItem.objects.filter(
        kind=ImportedItem.Kind.COMMENT, object_model=COMMENT_MODEL, object_id__in=ids
    ).values_list("object_id", "wp_key")
    anchors = {}
    for pk, key in rows:
        wp_id = key.rsplit(":", 1)[-1]
        anchor = f"comment-{wp_id}"
        if wp_id.isdigit() and wp_id != "0" and anchor not in own:
            anchors[pk] = anchor
    return anchors
