"""WordPress comments to reader comments, threads and statuses kept."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import defaultdict
from typing import TYPE_CHECKING

import nh3
from django.utils import timezone
from lxml import etree
from lxml import html as lxml_html
from wagtail.models import Page

from byline.blogs.models import PostPage
from byline.comments.models import CommentKind, ReaderComment, normalize_email
from byline.comments.text import render_body
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
    """WordPress stores comment HTML; Byline keeps what the reader wrote as plain text, and
    shows it escaped with paragraphs, line breaks and every web address as a link
    (comments/text.py). So a link keeps its address beside its words ("words (address)"),
    a list item its dash, a quotation its "> ", and paragraph breaks survive as blank lines."""
    content = content.replace("\r\n", "\n")
    if "<" not in content:
        return _paragraphs(html.unescape(content))
    try:
        root = lxml_html.fragment_fromstring(content, create_parent="div")
    except (etree.ParserError, ValueError):
        return _paragraphs(html.unescape(nh3.clean(content, tags=set())))
    return _paragraphs(_text_of(root))


def _text_of(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(_child_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _child_text(child: etree._Element) -> str:
    tag = child.tag.lower()
    if tag in {"script", "style"}:
        return ""
    if tag == "br":
        return "\n"
    inner = _text_of(child)
    if tag == "a":
        href = (child.get("href") or "").strip()
        words = " ".join(inner.split())
        if not href.lower().startswith(("http://", "https://")) or words == href:
            return inner
        return f"{words} ({href})" if words else href
    if tag == "li":
        return "\n- " + inner.strip()
    if tag == "blockquote":
        lines = [line.strip() for line in inner.strip().splitlines()]
        return "\n\n" + "\n".join(f"> {line}" if line else ">" for line in lines) + "\n\n"
    if tag in {"p", "div", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table"}:
        return f"\n\n{inner}\n\n"
    return inner


def _paragraphs(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return "\n\n".join(part.strip() for part in re.split(r"\n\s*\n", text) if part.strip())


def import_comments(
    state: ImportState,
    scanned: ScannedFile,
    page: Page,
    item: WPItem,
    *,
    held: list[tuple[str, ReaderComment, str]] | None = None,
) -> None:
    """The item's comments onto the post or page it became, each reply under the comment it
    answers, whatever order the file lists them in. With `held`, new comments are not saved
    but added to it, for write_held_comments()."""
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
        reply = _save(state, scanned, page, item, comment, saved.get(comment.parent), held)
        if reply is not None:
            saved[comment.wp_id] = reply
        return True  # even if refused: the replies to it then go to the top level

    parents = {n: position[c.parent] if c.parent else None for n, c in enumerate(comments)}
    placed = parents_first(parents, place)
    for n, comment in enumerate(comments):
        if n not in placed:  # in a reply loop, or below one: the loop is broken at the top
            _save(state, scanned, page, item, comment, None, held)


def import_new_comments(
    state: ImportState, scanned: ScannedFile, posts: list[tuple[Page, WPItem]]
) -> None:
    """The comments of pages written just now (pages.write_new_posts()), placed as
    import_comments() places them, then written in bulk. An item with a comment an earlier
    run imported has its comments updated one by one, as always."""
    held: list[tuple[str, ReaderComment, str]] = []
    for page, item in posts:
        if any(state.mappings.row("comment", _key(item, c)) for c in item.comments):
            import_comments(state, scanned, page, item)
        else:
            import_comments(state, scanned, page, item, held=held)
    write_held_comments(state, held)


def write_held_comments(state: ImportState, held: list[tuple[str, ReaderComment, str]]) -> None:
    """Insert new comments a reply level at a time (a reply needs its parent's id), doing
    what ReaderComment.save() does first: the address normalised, the body rendered, the
    depth below the parent."""
    levels: dict[int, list[ReaderComment]] = defaultdict(list)
    for _, comment, _digest in held:
        comment.email = normalize_email(comment.email)
        comment.body_html = render_body(comment.body)
        comment.depth = comment.parent.depth + 1 if comment.parent is not None else 0
        levels[comment.depth].append(comment)
    for depth in sorted(levels):
        ReaderComment.objects.bulk_create(levels[depth])
    for key, comment, digest in held:
        state.mappings.remember("comment", key, comment, guid=digest)
    if state.postponed is not None:  # what post_save would have had indexed
        state.postponed.index_now(ReaderComment, [comment for _, comment, _ in held])


def _key(item: WPItem, comment: WPComment) -> str:
    return f"{item.wp_id or item.guid}:{comment.wp_id}"


def _digest(comment: WPComment) -> str:
    """What the comment was in WordPress when imported (kept in its row's `guid`, as a
    post's is): a re-run leaves a comment WordPress did not change as Byline has it, since
    approved, marked as spam or deleted by a moderator here."""
    fields = [
        comment.author,
        comment.author_email,
        comment.author_url,
        comment.content,
        comment.approved,
        comment.date,
        comment.date_gmt,
        comment.type,
        comment.parent,
    ]
    return hashlib.sha256(json.dumps(fields, default=str).encode()).hexdigest()


def _save(
    state: ImportState,
    scanned: ScannedFile,
    page: Page,
    item: WPItem,
    comment: WPComment,
    parent: ReaderComment | None,
    held: list[tuple[str, ReaderComment, str]] | None = None,
) -> ReaderComment | None:
    key = _key(item, comment)
    digest = _digest(comment)
    row = state.mappings.row("comment", key)
    if row is not None and row.guid == digest:
        # Unchanged in WordPress since the last run: what moderators did here stands, a
        # deletion included (a spam comment deleted here is not brought back).
        kept = ReaderComment.objects.filter(pk=row.object_id).first() if row.object_id else None
        state.report.counts[
            "comments unchanged" if kept else "comments deleted in Byline, not brought back"
        ] += 1
        return kept
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
    saved = ReaderComment.objects.filter(pk=row.object_id).first() if row else None
    saved = saved or ReaderComment(post=page)
    saved.post = page
    saved.kind = kind
    saved.parent = parent
    # Spaces collapsed, as the comment form collapses them: the "first" moderation policy
    # knows a regular by name and address.
    saved.name = (" ".join(html.unescape(comment.author).split()) or "Anonymous")[:100]
    saved.email = comment.author_email[:254] if "@" in comment.author_email else ""
    website = comment.author_url.strip()
    saved.website = website[:300] if website.startswith(("http://", "https://")) else ""
    saved.body = _plain_text(comment.content) or "(empty)"
    saved.status = status
    saved.created = created
    # Old comments were answered long ago: no reply mail for them now.
    saved.notified_at = saved.notified_at or timezone.now()
    is_new = saved.pk is None
    if is_new and held is not None:
        held.append((key, saved, digest))
    else:
        saved.save()
        state.mappings.remember("comment", key, saved, guid=digest)
    noun = "comments" if kind == CommentKind.COMMENT else f"{kind}s"
    state.report.counts[f"{noun} created" if is_new else f"{noun} updated"] += 1
    return saved
