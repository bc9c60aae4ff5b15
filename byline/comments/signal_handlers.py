"""What follows a change of a comment: reply mail, and a signal so cached pages are purged."""

from __future__ import annotations

from byline.comments.models import CommentStatus, ReaderComment
from byline.comments.signals import comments_changed
from byline.comments.tasks import mail_reply_notification


def comment_saved(sender, instance: ReaderComment, created: bool, **kwargs) -> None:
    before = instance._loaded_status
    instance._loaded_status = instance.status
    now_approved = instance.status == CommentStatus.APPROVED
    # Only on the way in to "approved" (or created so): editing an approved reply, or saving a
    # stale copy of it, must not mail the parent's author again.
    if now_approved and before != CommentStatus.APPROVED and instance.parent_id:
        mail_reply_notification.enqueue(instance.pk)
    if now_approved or before == CommentStatus.APPROVED:
        comments_changed.send(sender=ReaderComment, post=instance.post)


def comment_deleted(sender, instance: ReaderComment, **kwargs) -> None:
    if instance.status == CommentStatus.APPROVED:
        comments_changed.send(sender=ReaderComment, post=instance.post)
