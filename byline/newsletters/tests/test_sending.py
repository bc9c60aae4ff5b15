"""Sending neither loses nor repeats: a worker killed mid-send resumes where it stopped,
temporary failures wait and retry, permanent ones suppress the address; all over real SMTP."""

from __future__ import annotations

import datetime
import socket

import pytest
from django.utils import timezone

from byline.newsletters import sending
from byline.newsletters.models import Delivery, DeliveryStatus, Issue, Subscriber, SubscriberStatus

from .conftest import add_subscriber, fresh_post

pytestmark = pytest.mark.django_db

ADDRESSES = [f"reader{number}@example.com" for number in range(6)]


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs in the worker's loop."""


@pytest.fixture
def issue(tree):
    for address in ADDRESSES:
        add_subscriber(address, blog=tree.blog)
    # Published without running the on-commit hook: the test drives the worker itself.
    post = fresh_post(tree.blog)
    return sending.issue_create(post)


def received(mailserver) -> list[str]:
    return sorted(m["X-Envelope-To"] for m in mailserver.messages)


def test_resume_after_the_worker_is_killed(issue, mailserver, settings, monkeypatch):
    """Killed after two mails (batches of 4, so in the middle of the first batch): the rerun
    sends the other four; everyone has it exactly once, nobody is missed."""
    settings.BYLINE_NEWSLETTERS_BATCH_SIZE = 4
    sent = {"count": 0}
    original = sending.Pacer.wait

    def wait_then_die(self):
        original(self)
        sent["count"] += 1
        if sent["count"] == 2:
            raise WorkerKilled

    monkeypatch.setattr(sending.Pacer, "wait", wait_then_die)
    with pytest.raises(WorkerKilled):
        sending.issue_send(issue)
    assert len(mailserver.messages) == 2
    statuses = sorted(Delivery.objects.values_list("status", flat=True))
    assert statuses.count(DeliveryStatus.SENT) == 2 and statuses.count(DeliveryStatus.QUEUED) == 4
    monkeypatch.setattr(sending.Pacer, "wait", original)
    # A killed worker never let go of its lease: another worker waits for it to run out.
    Issue.objects.filter(pk=issue.pk).update(lease_until=timezone.now() + sending.LEASE)
    assert sending.issue_send(issue) is not None and len(mailserver.messages) == 2
    later = timezone.now() + sending.LEASE + datetime.timedelta(seconds=1)
    assert sending.issue_send(issue, now=lambda: later) is None
    assert received(mailserver) == sorted(ADDRESSES)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 6
    assert Issue.objects.get(pk=issue.pk).finished_at is not None
    # And running it yet again sends nothing.
    sending.issue_send(issue, now=lambda: later)
    assert len(mailserver.messages) == 6


def test_the_one_message_in_flight_is_never_sent_twice(issue, mailserver):
    """A worker killed while handing a message over leaves that row SENDING: it may have gone,
    so it is not sent again (at most once)."""
    sending.issue_list_recipients(issue)
    in_flight = Delivery.objects.order_by("pk").first()
    Delivery.objects.filter(pk=in_flight.pk).update(status=DeliveryStatus.SENDING)
    sending.issue_send(issue)
    assert in_flight.subscriber.email not in received(mailserver)
    assert len(mailserver.messages) == 5


def test_temporary_failure_retries_with_back_off(issue, mailserver):
    mailserver.refuse["reader2@example.com"] = "451 4.3.0 Try again later"
    start = timezone.now()
    again = sending.issue_send(issue, now=lambda: start)
    assert received(mailserver) == sorted(set(ADDRESSES) - {"reader2@example.com"})
    waiting = Delivery.objects.get(subscriber__email="reader2@example.com")
    assert waiting.status == DeliveryStatus.RETRY and waiting.attempts == 1
    assert waiting.next_attempt_at == start + datetime.timedelta(seconds=sending.BACKOFF[0])
    assert again == waiting.next_attempt_at
    # Not yet due: nothing happens.
    sending.issue_send(issue, now=lambda: start + datetime.timedelta(seconds=30))
    assert len(mailserver.messages) == 5
    # Still refusing at the next try: a longer wait.
    due = start + datetime.timedelta(seconds=sending.BACKOFF[0])
    sending.issue_send(issue, now=lambda: due)
    waiting.refresh_from_db()
    assert waiting.attempts == 2
    assert waiting.next_attempt_at == due + datetime.timedelta(seconds=sending.BACKOFF[1])
    # The server takes it now.
    del mailserver.refuse["reader2@example.com"]
    assert sending.issue_send(issue, now=lambda: waiting.next_attempt_at) is None
    assert received(mailserver) == sorted(ADDRESSES)


def test_permanent_failure_suppresses_the_address(issue, mailserver):
    mailserver.refuse["reader3@example.com"] = "550 5.1.1 No such user"
    sending.issue_send(issue)
    failed = Delivery.objects.get(subscriber__email="reader3@example.com")
    assert failed.status == DeliveryStatus.FAILED and "550" in failed.last_error
    subscriber = Subscriber.objects.get(email="reader3@example.com")
    assert (
        subscriber.status == SubscriberStatus.SUPPRESSED
        and "No such user" in subscriber.suppressed_reason
    )
    assert len(mailserver.messages) == 5


def test_a_mail_server_that_is_down(issue, mailserver, settings):
    """Down: nothing is lost, the issue waits; back up: everyone gets it once."""
    port = settings.EMAIL_PORT
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = sock.getsockname()[1]  # nobody listens there
    start = timezone.now()
    again = sending.issue_send(issue, now=lambda: start)
    assert again == start + datetime.timedelta(seconds=sending.BACKOFF[0])
    assert not Delivery.objects.filter(status=DeliveryStatus.SENT).exists()
    settings.EMAIL_PORT = port
    assert sending.issue_send(issue, now=lambda: again) is None
    assert received(mailserver) == sorted(ADDRESSES)


def test_a_subscriber_who_leaves_mid_send_is_skipped(issue, mailserver):
    sending.issue_list_recipients(issue)
    Subscriber.objects.filter(email="reader4@example.com").update(
        status=SubscriberStatus.UNSUBSCRIBED
    )
    sending.issue_send(issue)
    assert "reader4@example.com" not in received(mailserver)
    assert (
        Delivery.objects.get(subscriber__email="reader4@example.com").status
        == DeliveryStatus.CANCELLED
    )


def test_the_task_worker_is_asked_back_when_the_retry_is_due(issue, mailserver, settings):
    """With the database worker `byline serve` runs, a waiting retry is a queued task that
    runs after its back-off, not a busy loop."""
    from django_tasks_db.models import DBTaskResult

    from byline.newsletters.tasks import send_issue

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mailserver.refuse["reader2@example.com"] = "451 4.3.0 Try again later"
    assert send_issue.call(issue.pk).startswith("again at")
    waiting = Delivery.objects.get(subscriber__email="reader2@example.com")
    [queued] = DBTaskResult.objects.filter(task_path="byline.newsletters.tasks.send_issue")
    assert queued.run_after == waiting.next_attempt_at
    assert queued.args_kwargs["args"] == [issue.pk]


def _queries_to_send(tree, count: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(count):
        add_subscriber(f"q{count}-{number}@example.com", blog=tree.blog)
    issue = sending.issue_create(fresh_post(tree.blog))
    with CaptureQueriesContext(connection) as queries:
        sending.issue_send(issue)
    return len(queries)


def test_each_message_costs_the_same_few_queries(tree, mailserver, settings):
    """Mark it sending, mark it sent: two writes a message, whatever the list's size; the rest
    (the batch, its subscribers' lists, the lease) is per batch of 200."""
    small = _queries_to_send(tree, 10)
    Subscriber.objects.all().delete()
    large = _queries_to_send(tree, 30)
    assert len(mailserver.messages) == 40
    assert large - small <= 2 * 20


def test_a_send_waits_behind_a_readers_confirmation_mail(issue, settings):
    """A long send gives the worker back between slices; what a reader waits for (their
    confirmation mail) is taken first, even when it was queued after the send."""
    from django_tasks_db.models import DBTaskResult

    from byline.newsletters.tasks import mail_confirmation, send_issue

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    send_issue.enqueue(issue.pk)
    mail_confirmation.enqueue("new@example.com", "all")
    assert DBTaskResult.objects.ready().get_locked().task_path == (
        "byline.newsletters.tasks.mail_confirmation"
    )
