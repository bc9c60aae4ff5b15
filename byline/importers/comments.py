"""WordPress comments to reader comments, threads and statuses kept."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import nh3
from django.utils import timezone
from wagtail.models import Page

from byline.blogs.models import PostPage
from byline.comments.models import CommentKind, ReaderComment
from byline.importers.ordering import parents_first
from byline.importers.scan import parse_wp_date
from byline.importers.wxr import WPComment, WPItem
from byline.publication.models import StandardPage

if TYPE_CHECKING:
    from byline.importers.scan import ScannedFile
    from byline.importers.state import ImportState

# WordPress's comment_approved column: 1, 0 (held), spam, trash (and post-trashed).
_STATUS = {"1": "approved", "approve": "approved", "0": "pending", "hold": "pending",
           "spam": "spam", "trash": "removed", "post-trashed": "removed"}  # fmt: skip
_KINDS = {kind.value for kind in CommentKind}


def _plain_text(content: str) -> str:
    """WordPress stores comment HTML; Byline keeps what the reader wrote as plain text (it
    escapes and links it when shown). Paragraph breaks survive as blank lines."""
    text = content.replace("\r\n", "\n")
    for tag in ("</p>", "<br>", "<br/>", "<br />"):
        text = text.replace(tag, "\n" if tag.startswith("<br") else "\n\n")
    text = html.unescape(nh3.clean(text, tags=set()))
    return "\n\n".join(part.strip() for part in text.split("\n\n") if part.strip())


def import_comments(state: ImportState, scanned: ScannedFile, page: Page, item: WPItem) -> None:
    """The item's comments onto the post or page it became, each reply under the comment it
    answers, whatever order the file lists them in."""
    if not item.comments:
        return
    if not isinstance(page, PostPage | StandardPage):
        state.report.counts["comments not imported"] += len(item.comments)
        return
    comments = item.comments
    position: dict[int, int] = {}  # comment id -> its place in the list (the first one)
    for n, comment in enumerate(comments):
        position.setdefault(comment.wp_id, n)
    for comment in comments:
        if comment.parent and comment.parent not in position:
            state.report.notes.append(
                f"line {item.line}: comment {comment.wp_id} replies to {comment.parent}, "
                "which is not in the file; imported as a top-level comment"
            )
            comment.parent = 0
    saved: dict[int, ReaderComment] = {}

    def place(n: int) -> bool:
        comment = comments[n]
        reply = _save(state, scanned, page, item, comment, saved.get(comment.parent))
        if reply is not None:
            saved[comment.wp_id] = reply
        return True  # even if refused: the replies to it then go to the top level

    parents = {n: position[c.parent] if c.parent else None for n, c in enumerate(comments)}
    placed = parents_first(parents, place)
    for n, comment in enumerate(comments):
        if n not in placed:  # in a reply loop, or below one: the loop is broken at the top
            _save(state, scanned, page, item, comment, None)


def _save(
    state: ImportState,
    scanned: ScannedFile,
    page: Page,
    item: WPItem,
    comment: WPComment,
    parent: ReaderComment | None,
) -> ReaderComment | None:
    key = f"{item.wp_id or item.guid}:{comment.wp_id}"
    status = _STATUS.get(comment.approved.strip().lower())
    if status is None:
        state.report.skip(item, f"comment {comment.wp_id}: unknown status {comment.approved!r}")
        return None
    try:
        created = parse_wp_date(comment.date, comment.date_gmt, scanned.offset)
    except ValueError as error:
        state.report.skip(item, f"comment {comment.wp_id}: {error}")
        return None
    kind = comment.type.strip().lower() or CommentKind.COMMENT
    if kind not in _KINDS:
        # Plugins add their own types (webmention, review…): what a reader reads of them is
        # a comment.
        state.report.counts[f"{kind} comments (kept as comments)"] += 1
        kind = CommentKind.COMMENT
    row = state.mappings.row("comment", key)
    saved = ReaderComment.objects.filter(pk=row.object_id).first() if row else None
    saved = saved or ReaderComment(post=page)
    saved.post = page
    saved.kind = kind
    saved.parent = parent
    saved.name = (html.unescape(comment.author).strip() or "Anonymous")[:100]
    saved.email = comment.author_email[:254] if "@" in comment.author_email else ""
    website = comment.author_url.strip()
    saved.website = website[:300] if website.startswith(("http://", "https://")) else ""
    saved.body = _plain_text(comment.content) or "(empty)"
    saved.status = status
    saved.created = created
    # Old comments were answered long ago: no reply mail for them now.
    saved.notified_at = saved.notified_at or timezone.now()
    is_new = saved.pk is None
    saved.save()
    state.mappings.remember("comment", key, saved)
    noun = "comments" if kind == CommentKind.COMMENT else f"{kind}s"
    state.report.counts[f"{noun} created" if is_new else f"{noun} updated"] += 1
    return saved
