"""Mail about comments, sent by the task worker off the request path (django-tasks)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.mail import EmailMessage, send_mass_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from byline.comments.models import CommentStatus, ReaderComment
from byline.core.links import absolute_url

UNSUBSCRIBE_SALT = "byline.comments.unsubscribe"


def unsubscribe_url(comment: ReaderComment) -> str:
    """A signed link that stops reply mail to this comment's author; it never expires."""
    token = signing.dumps({"c": comment.pk, "e": comment.email}, salt=UNSUBSCRIBE_SALT)
    return absolute_url(reverse("comments:unsubscribe", args=[token]))


def moderator_addresses() -> list[str]:
    """BYLINE_COMMENTS_MODERATORS, else every active editor allowed to change comments."""
    if settings.BYLINE_COMMENTS_MODERATORS:
        return list(settings.BYLINE_COMMENTS_MODERATORS)
    permission = Permission.objects.filter(
        content_type__app_label="comments", codename="change_readercomment"
    )
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(
        Q(is_superuser=True)
        | Q(user_permissions__in=permission)
        | Q(groups__permissions__in=permission)
    )
    return sorted(set(users.values_list("email", flat=True)))


@task()
def mail_moderators(comment_id: int) -> int:
    """Tell moderators a comment waits; returns the number of messages sent."""
    comment = ReaderComment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None or comment.status != CommentStatus.PENDING:
        return 0
    recipients = moderator_addresses()
    if not recipients:
        return 0
    context = {
        "comment": comment,
        "post": comment.post,
        "queue_url": absolute_url(reverse("wagtailsnippets_comments_readercomment:list"))
        + "?status=pending",
    }
    subject = f"Comment awaiting moderation on “{comment.post.title}”"
    body = render_to_string("comments/mail/moderators.txt", context)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
    return send_mass_mail(messages)


@task()
def mail_reply_notification(comment_id: int) -> int:
    """Tell the author of the comment replied to, if they asked to hear about replies."""
    reply = ReaderComment.objects.select_related("parent", "post").filter(pk=comment_id).first()
    if reply is None or reply.status != CommentStatus.APPROVED:
        return 0
    # Claimed first, in one UPDATE: a retried or duplicated task must not mail twice.
    claimed = ReaderComment.objects.filter(pk=reply.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    parent = reply.parent
    if (
        parent is None
        or not parent.notify_replies
        or not parent.email
        or parent.email == reply.email
        or parent.status != CommentStatus.APPROVED
    ):
        return 0
    unsubscribe = unsubscribe_url(parent)
    context = {
        "reply": reply,
        "parent": parent,
        "post": reply.post,
        "reply_url": reply.get_full_url(),
        "unsubscribe_url": unsubscribe,
    }
    message = EmailMessage(
        subject=f"{reply.name} replied to your comment on “{reply.post.title}”",
        body=render_to_string("comments/mail/reply.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[parent.email],
        # RFC 8058: mail clients offer a one-click unsubscribe that POSTs to this address.
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    return message.send()
