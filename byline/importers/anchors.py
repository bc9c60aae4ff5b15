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

# Ids asked for in one statement: SQLite refuses more than 32,766 bound values (250,000 as
# Debian builds it) and PostgreSQL 65,535, and a post with more comments than that must still
# render. Django's own max_query_params for SQLite (999) is for older builds and would split
# ordinary threads.
BATCH = 30_000


def old_comment_anchors(comment_ids: Iterable[int]) -> dict[int, str]:
    """Byline comment id -> its WordPress anchor ("comment-881"), for the imported comments
    among `comment_ids` whose old anchor is not already their own. An old anchor that is
    the own anchor of another comment shown with them is left out: two elements with one
    id would send the old link to the first of them either way."""
    ids = set(comment_ids)
    if not ids:
        return {}
    own = {f"comment-{pk}" for pk in ids}
    ordered = sorted(ids)
    rows = []
    for start in range(0, len(ordered), BATCH):
        rows += ImportedItem.objects.filter(
            kind=ImportedItem.Kind.COMMENT,
            object_model=COMMENT_MODEL,
            object_id__in=ordered[start : start + BATCH],
        ).values_list("object_id", "wp_key")
    anchors = {}
    for pk, key in rows:
        wp_id = key.rsplit(":", 1)[-1]
        anchor = f"comment-{wp_id}"
        if wp_id.isdigit() and wp_id != "0" and anchor not in own:
            anchors[pk] = anchor
    return anchors
