"""Newsletter work for the background task worker (django-tasks), off the request path."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from byline.newsletters import mail, scopes, sending
from byline.newsletters.models import Issue

logger = logging.getLogger(__name__)


def enqueue_at(task_, when: datetime.datetime, *args) -> bool:
    """Enqueue `task_` to run at `when` where the backend can wait (the database worker that
    `byline serve` runs); elsewhere (the immediate backend of tests) leave it to `byline
    newsletters send` and `digest`, which cron can run. Returns whether it was queued."""
    if not task_.get_backend().supports_defer:
        return False
    task_.using(run_after=when).enqueue(*args)
    return True


@task()
def mail_confirmation(email: str, scope: str) -> int:
    """The double opt-in request: one mail with a signed link that expires."""
    target = scopes.resolve(scope)
    if target is None:
        return 0
    return mail.confirmation_message(email=email, target=target).send()


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
    """A daily or weekly digest run; schedules the next one."""
    return sending.digests_send(frequency)
