"""A post going live gets its one issue; a post taken down stops its issue."""

from __future__ import annotations

from django.db import transaction

from byline.blogs.models import PostPage
from byline.newsletters.models import Issue
from byline.newsletters.sending import issue_cancel, issue_create


def page_published(sender, instance, **kwargs) -> None:
    # Wagtail sends page_published for a revision scheduled for later too, with the page
    # still not live: issue_create (mailable) waits for the real go-live.
    if not isinstance(instance, PostPage) or not instance.live:
        return
    transaction.on_commit(lambda: _start(instance.pk))


def _start(page_id: int) -> None:
    from byline.newsletters.tasks import send_issue

    post = PostPage.objects.filter(pk=page_id).first()
    if post is None:
        return
    issue = issue_create(post)
    if issue is not None:
        send_issue.enqueue(issue.pk)


def page_unpublished(sender, instance, **kwargs) -> None:
    issue = Issue.objects.filter(page_id=instance.pk, cancelled_at__isnull=True).first()
    if issue is not None:
        issue_cancel(issue)
