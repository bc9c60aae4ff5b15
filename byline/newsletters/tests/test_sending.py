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

    from byline.newsletters.models import ConfirmationRequest
    from byline.newsletters.tasks import mail_confirmation, send_issue

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    send_issue.enqueue(issue.pk)
    request = ConfirmationRequest.objects.create(email="new@example.com", scope="all")
    mail_confirmation.enqueue(request_id=request.pk)
    assert DBTaskResult.objects.ready().get_locked().task_path == (
        "byline.newsletters.tasks.mail_confirmation"
    )


@pytest.mark.parametrize(
    "reply",
    [
        "554 5.7.1 Message rejected by content policy",
        "552 5.3.4 Message size exceeds fixed limit",
        "500 5.5.0 Error",
    ],
    ids=["content-policy", "size", "500"],
)
def test_a_refused_message_stops_the_issue_and_suppresses_nobody(
    issue, mailserver, reply, django_capture_on_commit_callbacks
):
    """A 5xx to DATA is about the message, not about a reader: nobody is suppressed, nothing
    more is sent (each would get the same answer), every delivery waits, and the issue stays
    stopped until an editor sends it on."""
    mailserver.refuse_message = reply
    assert sending.issue_send(issue) is None
    stopped = Issue.objects.get(pk=issue.pk)
    assert stopped.stopped_at is not None and reply[:3] in stopped.stop_reason
    assert stopped.finished_at is None
    assert not Subscriber.objects.exclude(status=SubscriberStatus.CONFIRMED).exists()
    # The row refused waits behind the others (see the next test); the rest as they were.
    statuses = sorted(Delivery.objects.values_list("status", flat=True))
    assert statuses == [DeliveryStatus.QUEUED] * 5 + [DeliveryStatus.RETRY]
    # Stopped: neither the worker's next run nor `byline newsletters send` takes it up.
    assert sending.issue_send(issue) is None
    assert sending.pending_issues() == []
    assert mailserver.messages == []

    mailserver.refuse_message = None
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.issue_resume(issue)
    assert received(mailserver) == sorted(ADDRESSES)
    assert Issue.objects.get(pk=issue.pk).finished_at is not None


def test_a_message_refused_for_one_reader_does_not_stop_every_resume(
    issue, mailserver, django_capture_on_commit_callbacks
):
    """A sandboxed provider refuses at DATA what goes to an address it has not verified, with
    a 554 that reads like a refused message: the issue stops (it cannot tell), but the row
    goes behind the others, so the resume sends everyone else; refused the same way again,
    that row fails and nobody is suppressed."""
    mailserver.refuse_data["reader0@example.com"] = (
        "554 Message rejected: Email address is not verified. The following identities "
        "failed the check in region EU-WEST-1: reader0@example.com"
    )
    assert sending.issue_send(issue) is None
    assert Issue.objects.get(pk=issue.pk).stopped_at is not None
    assert mailserver.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        assert sending.issue_resume(issue)
    assert received(mailserver) == sorted(set(ADDRESSES) - {"reader0@example.com"})
    refused = Delivery.objects.get(subscriber__email="reader0@example.com")
    assert refused.status == DeliveryStatus.FAILED
    resumed = Issue.objects.get(pk=issue.pk)
    assert resumed.stopped_at is None and resumed.finished_at is not None
    assert not Subscriber.objects.exclude(status=SubscriberStatus.CONFIRMED).exists()


def test_a_message_refused_for_everyone_stops_the_resume_again_and_loses_nobody(
    issue, mailserver, django_capture_on_commit_callbacks
):
    """Resumed without the cause fixed, the next reader's message is refused in turn: stopped
    again, and the reader who was refused first still waits (nobody's mail is given up)."""
    mailserver.refuse_message = "554 5.7.1 Message rejected by content policy"
    sending.issue_send(issue)
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.issue_resume(issue)
    assert Issue.objects.get(pk=issue.pk).stopped_at is not None
    assert not Delivery.objects.filter(status=DeliveryStatus.FAILED).exists()
    mailserver.refuse_message = None
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.issue_resume(issue)
    assert received(mailserver) == sorted(ADDRESSES)


def test_a_stopped_issue_is_not_sent(issue, mailserver):
    """Stopped (say, by a refusal the server would not repeat): the worker sends nothing
    until an editor resumes it."""
    Issue.objects.filter(pk=issue.pk).update(stopped_at=timezone.now(), stop_reason="554")
    assert sending.issue_send(issue) is None
    assert mailserver.messages == []
    assert not Delivery.objects.filter(issue=issue).exclude(status=DeliveryStatus.QUEUED).exists()


@pytest.mark.parametrize(
    "reply",
    ["554 5.7.1 <reader2@example.com>: Relay access denied", "550 5.7.1 Not authorized"],
    ids=["relay-denied", "not-authorized"],
)
def test_a_policy_refusal_at_rcpt_stops_the_issue_and_suppresses_nobody(issue, mailserver, reply):
    """Postfix without a valid login answers RCPT TO with "554 5.7.1 Relay access denied":
    about us, not the address (5.7: security or policy); it would come for every reader."""
    mailserver.refuse["reader2@example.com"] = reply
    assert sending.issue_send(issue) is None
    stopped = Issue.objects.get(pk=issue.pk)
    assert stopped.stopped_at is not None and "5.7.1" in stopped.stop_reason
    assert not Subscriber.objects.exclude(status=SubscriberStatus.CONFIRMED).exists()
    assert Delivery.objects.get(subscriber__email="reader2@example.com").status == (
        DeliveryStatus.RETRY
    )


def test_the_same_refusal_for_the_first_readers_of_a_batch_stops_the_issue(issue, mailserver):
    """Three readers in a row refused at RCPT TO with the same answer, and nobody taken before
    them: the server refusing us in words about the mailbox, not three bad addresses."""
    for address in ADDRESSES:
        mailserver.refuse[address] = f"550 5.1.1 <{address}>: Recipient address rejected"
    assert sending.issue_send(issue) is None
    stopped = Issue.objects.get(pk=issue.pk)
    assert stopped.stopped_at is not None
    assert "@" not in stopped.stop_reason  # the reader's address is no one else's business
    assert not Subscriber.objects.exclude(status=SubscriberStatus.CONFIRMED).exists()
    assert Delivery.objects.filter(status=DeliveryStatus.RETRY).count() == sending.SAME_REFUSALS


def test_two_bad_addresses_at_the_start_of_a_batch_are_still_suppressed(issue, mailserver):
    for address in ADDRESSES[:2]:
        mailserver.refuse[address] = "550 5.1.1 No such user"
    assert sending.issue_send(issue) is None
    assert Issue.objects.get(pk=issue.pk).stopped_at is None
    assert set(
        Subscriber.objects.filter(status=SubscriberStatus.SUPPRESSED).values_list(
            "email", flat=True
        )
    ) == set(ADDRESSES[:2])
    assert received(mailserver) == sorted(ADDRESSES[2:])


def test_a_stop_reason_never_holds_an_address(issue, mailserver, caplog):
    mailserver.refuse_data["reader0@example.com"] = (
        "554 Message rejected: Email address is not verified: reader0@example.com"
    )
    sending.issue_send(issue)
    stopped = Issue.objects.get(pk=issue.pk)
    assert stopped.stopped_at is not None and "not verified" in stopped.stop_reason
    assert "@" not in stopped.stop_reason
    assert "@" not in Delivery.objects.get(subscriber__email="reader0@example.com").last_error
    assert "not verified" in caplog.text and "reader0@" not in caplog.text


def _api_error(status: int):
    import requests
    from anymail.exceptions import AnymailRequestsAPIError

    response = requests.Response()
    response.status_code = status
    return AnymailRequestsAPIError("refused", response=response)


@pytest.mark.parametrize(
    ("status", "stops", "waits"),
    [(400, True, False), (422, True, False), (429, False, True), (503, False, True)],
)
def test_a_providers_api_refusal_stops_the_issue_and_its_outage_waits(status, stops, waits):
    """Anymail's API error is an OSError: a 4xx (the request refused: it would be for every
    reader) is not an outage; too many requests (429) and the provider's own 5xx are."""
    error = _api_error(status)
    assert sending._refuses_message(error) is stops
    assert sending._is_connection_error(error) is waits
    assert not sending._refuses_recipient(error)


def test_a_list_waiting_for_its_confirmation_gets_nothing(tree, mailserver):
    """A confirmed reader's list that waits for its own confirmation (imported, or asked for
    and not yet confirmed) neither lists them for a post nor names the mail they get."""
    from byline.newsletters.models import Subscription

    waiting = add_subscriber("waiting@example.com", blog=tree.blog)
    Subscription.objects.filter(subscriber=waiting).update(confirmed=False)
    both = add_subscriber("both@example.com", blog=tree.blog, everything=True)
    Subscription.objects.filter(subscriber=both, blog=tree.blog).update(confirmed=False)
    sending.issue_send(sending.issue_create(fresh_post(tree.blog)))
    assert received(mailserver) == ["both@example.com"]
    assert not Delivery.objects.filter(subscriber=waiting).exists()  # not even listed
    # Through the list they confirmed (everything), not the blog's they did not.
    [message] = mailserver.messages
    assert f"blog-{tree.blog.pk}." not in message["List-Id"]
