"""Newsletter work for the background task worker (django-tasks), off the request path."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from byline.newsletters import mail, scopes, sending
from byline.newsletters.models import ConfirmationRequest, Issue

logger = logging.getLogger(__name__)


def enqueue_at(task_, when: datetime.datetime, *args) -> bool:
    """Enqueue `task_` to run at `when` where the backend can wait (the database worker that
    `byline serve` runs); elsewhere (the immediate backend of tests) leave it to `byline
    newsletters send` and `digest`, which cron can run. Returns whether it was queued."""
    if not task_.get_backend().supports_defer:
        return False
    task_.using(run_after=when).enqueue(*args)
    return True


class ConfirmationNotSent(Exception):
    """The confirmation mail failed; says how, but not to whom."""


@task()
def mail_confirmation(*, request_id: int) -> bool:
    """The double opt-in request: one mail with a signed link that expires.

    The task carries a ConfirmationRequest's id alone and deletes that row, sent or not (the
    reader can ask again): nothing of the address stays with the task, whose arguments, result
    and error the database backend keeps. Returns False when there was nothing to send (the
    reader had the request erased, or the list is gone)."""
    request = ConfirmationRequest.objects.filter(pk=request_id).first()
    if request is None:
        return False
    try:
        target = scopes.resolve(request.scope)
        if target is None:
            return False
        try:
            mail.confirmation_message(email=request.email, target=target).send()
        except Exception as error:
            # SMTP errors name the recipient, and the backend keeps a failed task's error:
            # raised again without the address (and without the original as its context).
            code = getattr(error, "smtp_code", "")
            raise ConfirmationNotSent(f"{type(error).__name__} {code}".strip()) from None
        return True
    finally:
        request.delete()


# Sends and digests run after any other waiting task (a reader's confirmation mail, a stored
# page's re-render): they are long and nobody is waiting on one particular message.
BULK_PRIORITY = -10


@task(priority=BULK_PRIORITY)
def send_issue(issue_id: int) -> str:
    """Send an issue; runs again by itself for retries and for what its time budget left."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return "gone"
    again = sending.issue_send(issue)
    if again is not None:
        enqueue_at(send_issue, max(again, timezone.now()), issue_id)
        return f"again at {again.isoformat()}"
    return "done"


@task(priority=BULK_PRIORITY)
def send_digests(frequency: str) -> int:
    """A daily or weekly digest run; runs again by itself for what its time budget left or
    an unreachable mail server held up, else schedules the next day's (or week's) run."""
    run = sending.digests_send(frequency)
    if run.again is not None:
        enqueue_at(send_digests, max(run.again, timezone.now()), frequency)
    return run.sent
