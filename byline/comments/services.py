"""Multi-step work on comments: submitting, moderating, and answering readers' data requests."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from byline.comments.models import (
    CommentStatus,
    ReaderComment,
    normalize_email,
    with_specific_pages,
)
from byline.comments.moderation import ModerationPolicy
from byline.comments.spam import Submission, Verdict, check_submission
from byline.comments.tasks import mail_moderators


def _capped_parent(parent: ReaderComment | None) -> ReaderComment | None:
    # A reply to a comment at the depth cap joins that comment's own thread level instead, so
    # threads never nest deeper than BYLINE_COMMENTS_MAX_DEPTH.
    while parent is not None and parent.depth >= settings.BYLINE_COMMENTS_MAX_DEPTH:
        parent = parent.parent
    return parent


def comment_submit(
    *,
    post,
    blog,
    name: str,
    email: str,
    website: str,
    body: str,
    parent: ReaderComment | None,
    notify_replies: bool,
    ip_hash: str,
    bot_signals: Iterable[str] = (),
    proof_of_work: str | None = None,
) -> ReaderComment:
    """Store a reader's comment with the status the spam checks and the blog's policy give it.

    Sending the same text to the same post again (a double click, a reload) returns the
    comment already stored instead of a second copy.
    """
    email = normalize_email(email)
    since = timezone.now() - datetime.timedelta(days=1)
    existing = (
        ReaderComment.objects.filter(post=post, email=email, body=body, created__gte=since)
        .order_by("-created")
        .first()
    )
    if existing is not None:
        return existing
    finding = check_submission(
        Submission(
            post_id=post.pk,
            name=name,
            email=email,
            website=website,
            body=body,
            ip_hash=ip_hash,
            bot_signals=list(bot_signals),
            proof_of_work=proof_of_work,
        )
    )
    if finding.verdict == Verdict.SPAM:
        status = CommentStatus.SPAM
    elif finding.verdict == Verdict.HOLD:
        status = CommentStatus.PENDING
    else:
        status = ModerationPolicy.for_blog(blog).initial_status(name=name, email=email)
    with transaction.atomic():
        comment = ReaderComment.objects.create(
            post=post,
            parent=_capped_parent(parent),
            name=name,
            email=email,
            website=website,
            body=body,
            status=status,
            moderation_note=finding.reason[:255],
            ip_hash=ip_hash,
            notify_replies=notify_replies,
        )
        if status == CommentStatus.PENDING:
            # Enqueued in the same transaction: the database task backend stores the task
            # with the comment, so the worker never sees one without the other.
            mail_moderators.enqueue(comment.pk)
    return comment


def comments_set_status(*, comments: Iterable[ReaderComment], status: CommentStatus) -> int:
    """Approve, mark as spam or remove; saving each runs the notifications and cache purges
    (signal_handlers.py)."""
    changed = 0
    with transaction.atomic():
        for comment in comments:
            if comment.status != status:
                comment.status = status
                comment.save(update_fields=["status"])
                changed += 1
    return changed


def comments_export(*, email: str) -> list[dict]:
    """Everything stored about the commenter with this address (a data access request)."""
    return [
        {
            "id": comment.pk,
            "kind": comment.kind,
            "post": comment.post.title,
            "post_url": comment.post.get_full_url(),
            "in_reply_to": comment.parent_id,
            "name": comment.name,
            "email": comment.email,
            "website": comment.website,
            "body": comment.body,
            "status": comment.status,
            "notify_replies": comment.notify_replies,
            "created": comment.created.isoformat(),
            "ip_address": "not stored; only a salted hash",
        }
        for comment in with_specific_pages(ReaderComment.objects.by_email(email))
    ]


def comments_erase(*, email: str, dry_run: bool = False) -> int:
    """Erase the commenter with this address: their comments are deleted, except those that
    others replied to, which are emptied and removed so the replies keep their place."""
    comments = list(ReaderComment.objects.by_email(email))
    if dry_run or not comments:
        return len(comments)
    with transaction.atomic():
        for comment in comments:
            if comment.replies.exists():
                comment.name = ""
                comment.email = ""
                comment.website = ""
                comment.body = ""
                comment.ip_hash = ""
                comment.notify_replies = False
                comment.status = CommentStatus.REMOVED
                comment.save()
            else:
                comment.delete()
    return len(comments)
