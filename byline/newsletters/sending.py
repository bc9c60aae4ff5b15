"""Sending an issue, in batches, at a set rate, so that it neither loses nor repeats a mail.

Every recipient of every issue has a Delivery row (unique per issue and subscriber). A worker
takes the issue's lease, then for each ready row: builds the message, marks the row SENDING,
hands the message to the mail server, marks it SENT. A worker that dies leaves the rest
QUEUED, and the next run (after the lease runs out) goes on from there; the one message it
may have been handing over stays SENDING and is never sent again: at most once, by design.

Failures: a 4xx answer or a server that cannot be reached is temporary (the row waits with
back-off: BACKOFF below, then it fails). A 5xx answer to RCPT TO that is about the mailbox
(5.1.x, or a bare 550/551/553) refuses the recipient for good: the row fails and the address
is suppressed (services.address_suppress). A 5xx answer to the message itself (DATA: content
policy, size; MAIL FROM; signing in; a 5.7.x policy answer to RCPT TO such as "relay access
denied"; a provider's API refusing the request) is nobody's address's fault and would come
back for every reader: the issue stops, the rest waits, and the editor sees why on the
issue's page, where they can resume it. A row whose message was refused goes back behind the
rows never tried; refused the same way again after a resume, it is that reader's (a sandboxed
provider that sends only to verified addresses): the row fails, nobody is suppressed.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
import secrets
import smtplib
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from byline.blogs.models import BlogPage, PostPage
from byline.blogs.visibility import is_readable, is_restricted, under_unpublished
from byline.mailguard.protect import protect_text
from byline.newsletters import mail, scopes
from byline.newsletters.content import RenderedPost, render_post
from byline.newsletters.models import (
    Delivery,
    DeliveryStatus,
    DigestClock,
    Frequency,
    Issue,
    PostSending,
    Subscriber,
    SubscriberStatus,
    Subscription,
)
from byline.newsletters.services import address_suppress

logger = logging.getLogger(__name__)

# Seconds to wait after the 1st, 2nd… temporary failure; past the last, the delivery fails.
BACKOFF = [60, 300, 1800, 7200, 21600]
LEASE = datetime.timedelta(minutes=10)
PENDING = [DeliveryStatus.QUEUED, DeliveryStatus.RETRY, DeliveryStatus.DIGEST]
# This many recipients in a row at the start of a batch refused at RCPT TO with the same
# answer is the server refusing us (a relay or login problem it words as a mailbox one), not
# that many bad addresses: the issue stops rather than suppress them.
SAME_REFUSALS = 3


# --- which posts are mailed ---------------------------------------------------------------


def mailable(post: PostPage, *, now: datetime.datetime | None = None) -> str | None:
    """Why `post` must not be mailed now, or None if it may be."""
    now = now or timezone.now()
    if post.alias_of_id is not None:
        return "an alias (the post it shows is mailed, once)"
    if not post.live:
        return "not live"
    max_age = datetime.timedelta(hours=settings.BYLINE_NEWSLETTERS_MAX_POST_AGE_HOURS)
    if post.date is not None and post.date < now - max_age:
        return "dated too long ago (an import or a back-dated post)"
    if is_restricted(post):
        return "restricted"  # what readers may see is visibility.py's to say
    if under_unpublished(post):
        return "under an unpublished page (its blog, say): readers cannot reach it"
    if PostSending.objects.filter(page=post, enabled=False).exists():
        return "turned off by an editor"
    return None


def issue_create(post: PostPage) -> Issue | None:
    """The post's issue if it may be mailed and has none yet; None otherwise."""
    if mailable(post) is not None:
        return None
    issue, created = Issue.objects.get_or_create(page=post)
    return issue if created else None


# --- recipients -----------------------------------------------------------------------------


def _post_scopes(post: PostPage) -> tuple[BlogPage | None, list[int]]:
    blog = post.get_parent().specific
    return (blog if isinstance(blog, BlogPage) else None), [
        a.pk for a in post.authors if a.pk is not None
    ]


def _subscriptions_q(post: PostPage) -> Q:
    blog, author_ids = _post_scopes(post)
    condition = Q(blog__isnull=True, author__isnull=True)
    if blog is not None:
        condition |= Q(blog=blog)
    if author_ids:
        condition |= Q(author_id__in=author_ids)
    return condition


def issue_list_recipients(issue: Issue) -> int:
    """One Delivery per confirmed subscriber of the post's blog, its authors or everything:
    one each, however many of those they follow. Safe to run again (the constraint)."""
    post = issue.page.specific
    subscriber_ids = (
        Subscription.objects.filter(
            _subscriptions_q(post), confirmed=True, subscriber__status=SubscriberStatus.CONFIRMED
        )
        .values_list("subscriber_id", "subscriber__frequency")
        .distinct()
        .order_by()
    )
    rows, count = [], 0
    for subscriber_id, frequency in subscriber_ids.iterator(chunk_size=2000):
        status = (
            DeliveryStatus.QUEUED if frequency == Frequency.EACH_POST else DeliveryStatus.DIGEST
        )
        rows.append(Delivery(issue=issue, subscriber_id=subscriber_id, status=status))
        if len(rows) >= 2000:
            count += len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))
            rows = []
    count += len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))
    Issue.objects.filter(pk=issue.pk).update(listed=True)
    return count


def _scopes_by_subscriber(post: PostPage, subscriber_ids: list[int]) -> dict[int, list[str]]:
    """Each subscriber's lists this post came through, most specific first (blog, author,
    everything): the first names the List-Id; all of them are what one click leaves."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = Subscription.objects.filter(
        _subscriptions_q(post), subscriber_id__in=subscriber_ids, confirmed=True
    )
    order = {"blog": 0, "author": 1, "all": 2}
    for subscription in rows:
        found[subscription.subscriber_id].append(subscription.scope)
    for scope_list in found.values():
        scope_list.sort(key=lambda scope: order[scope.split(":")[0]])
    return found


def _list_name(scope: str, post: PostPage) -> str:
    target = scopes.resolve(scope)
    return target.name if target else scopes.publication_name()


# --- failures -----------------------------------------------------------------------------


_ENHANCED = re.compile(rb"\s*[245]\.(\d{1,3})\.\d{1,3}\b")


def _rcpt_answers(error: Exception) -> list[tuple[int, int | None]]:
    """Each RCPT TO refusal's reply code and its enhanced status code's subject (RFC 3463:
    1 the address, 7 security or policy), None when the server gave none."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused):
        return []
    answers = []
    for code, text in error.recipients.values():
        text = text if isinstance(text, bytes) else str(text).encode()
        match = _ENHANCED.match(text)
        answers.append((code, int(match.group(1)) if match else None))
    return answers


def _refuses_recipient(error: Exception) -> bool:
    """The server refused the mailbox for good at RCPT TO (every message here has one), or
    the provider rejected the address: the one failure that suppresses an address. Only an
    answer about the address counts (5.1.x, or a bare 550/551/553): "554 5.7.1 Relay access
    denied" is about us, and would suppress the whole list."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = _rcpt_answers(error)
        return bool(answers) and all(
            subject == 1 or (subject is None and code in (550, 551, 553))
            for code, subject in answers
        )
    return isinstance(error, AnymailRecipientsRefused)


def _refuses_message(error: Exception) -> bool:
    """A 5xx answer that is not about the recipient: to the message (DATA), the sender (MAIL
    FROM), the sign-in, or a policy answer (5.7.x) to RCPT TO; or a provider's API refusing
    the request (a 4xx other than 429). The same message would get it for every reader."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = _rcpt_answers(error)
        return any(code >= 500 and subject == 7 for code, subject in answers)
    if isinstance(error, AnymailAPIError) and not isinstance(error, AnymailRecipientsRefused):
        # Anymail's requests backends give the HTTP answer, not status_code.
        status = error.status_code or getattr(error.response, "status_code", None)
        return status is not None and 400 <= status < 500 and status != 429
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _is_connection_error(error: Exception) -> bool:
    """The server is gone, not this recipient refused (SMTPException is an OSError too, and so
    is Anymail's API error, which is an outage only when the provider is busy or failing:
    429, 5xx, or no answer)."""
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    if _refuses_message(error):
        return False
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _describe(error: Exception) -> str:
    """The error for the admin and the log: servers quote the address they refused, and
    neither is a place for a reader's address."""
    return protect_text(f"{type(error).__name__}: {error}", {})[:255]


def _same_answer(error: Exception) -> str:
    """A RCPT TO refusal's answer with the address (which servers often quote) left out."""
    return protect_text(str(list(error.recipients.values())[0]), {})


def _refuse_recipient(delivery_ids: list[int], error: Exception) -> None:
    """The rows fail and their reader's address is suppressed (see _refuses_recipient)."""
    Delivery.objects.filter(pk__in=delivery_ids).update(
        status=DeliveryStatus.FAILED, last_error=_describe(error), claim=""
    )
    for email in Subscriber.objects.filter(deliveries__pk__in=delivery_ids).values_list(
        "email", flat=True
    ):
        address_suppress(email=email, reason=_describe(error))


class IssueStopped(Exception):
    """The mail server refused the issue's message itself (see issue_stop)."""


def issue_stop(issue: Issue, error: Exception, *, delivery_ids: list[int], now) -> None:
    """Stop `issue` after the server refused its message itself: the rows tried wait again
    (nothing was delivered, and the reader is not at fault), behind the rows never tried (see
    _ready), so that a refusal that was about one reader after all cannot stop every resume
    before anyone else is tried; the others wait as they are, no address is suppressed; the
    editor sees the reason on the issue's page and resumes it there (issue_resume)."""
    reason = _describe(error)
    Delivery.objects.filter(pk__in=delivery_ids).update(
        status=DeliveryStatus.RETRY,
        attempts=F("attempts") + 1,
        next_attempt_at=now,
        last_error=reason,
        claim="",
    )
    Issue.objects.filter(pk=issue.pk, stopped_at__isnull=True).update(
        stopped_at=now, stop_reason=reason
    )
    logger.error("Newsletter for %r stopped: the mail server refused it: %s", str(issue), reason)


def issue_resume(issue: Issue) -> bool:
    """An editor's go-ahead after a stop: the issue is sent on from where it stopped (by the
    task worker). Returns whether it had stopped."""
    from byline.newsletters.tasks import send_issue

    resumed = Issue.objects.filter(pk=issue.pk, stopped_at__isnull=False).update(
        stopped_at=None, stop_reason=""
    )
    if resumed:
        transaction.on_commit(lambda: send_issue.enqueue(issue.pk))
    return bool(resumed)


def _record_failure(
    delivery_ids: list[int], attempts: int, error: Exception, now
) -> datetime.datetime | None:
    """Note a failed attempt that refused neither the recipient nor the message; returns
    when the rows will be tried again (None: never)."""
    rows = Delivery.objects.filter(pk__in=delivery_ids)
    if _is_connection_error(error):
        # The server, not the address: wait (at most the longest back-off) for as long as it
        # takes; nothing is lost to an outage.
        attempts = min(attempts, len(BACKOFF) - 1)
    elif attempts >= len(BACKOFF):
        rows.update(
            status=DeliveryStatus.FAILED,
            attempts=attempts + 1,
            last_error=_describe(error),
            claim="",
        )
        return None
    retry_at = now + datetime.timedelta(seconds=BACKOFF[attempts])
    rows.update(
        status=DeliveryStatus.RETRY,
        attempts=attempts + 1,
        next_attempt_at=retry_at,
        last_error=_describe(error),
        claim="",
    )
    return retry_at


# --- the send loop ------------------------------------------------------------------------


class Pacer:
    """Keeps to BYLINE_NEWSLETTERS_SEND_RATE messages a second (0: as fast as the server takes)."""

    def __init__(self, rate: float):
        self.rate, self.started, self.count = rate, time.monotonic(), 0

    def wait(self) -> None:
        self.count += 1
        if self.rate > 0:
            ahead = self.count / self.rate - (time.monotonic() - self.started)
            if ahead > 0:
                time.sleep(ahead)


def _take_lease(issue: Issue, now) -> bool:
    return bool(
        Issue.objects.filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=issue.pk
        ).update(lease_until=now + LEASE)
    )


def issue_cancel(issue: Issue) -> int:
    """Stop an issue (its post was unpublished or restricted): nothing more of it goes out."""
    Issue.objects.filter(pk=issue.pk, cancelled_at__isnull=True).update(cancelled_at=timezone.now())
    return Delivery.objects.filter(issue=issue, status__in=PENDING).update(
        status=DeliveryStatus.CANCELLED
    )


def _ready(issue: Issue, now) -> Q:
    """The rows to send now; taken by ("attempts", "pk"): those never tried go first."""
    return Q(issue=issue) & (
        Q(status=DeliveryStatus.QUEUED) | Q(status=DeliveryStatus.RETRY, next_attempt_at__lte=now)
    )


def issue_send(
    issue: Issue,
    *,
    now: Callable[[], datetime.datetime] = timezone.now,
    time_budget: float | None = None,
) -> datetime.datetime | None:
    """Send what is ready of `issue`, batch by batch. Returns when to run again (a retry is
    waiting, or the time budget ran out), or None when nothing is left to do now."""
    if not _take_lease(issue, now()):
        return now() + LEASE  # another worker has it; look again when its lease ends
    started = time.monotonic()
    budget = settings.BYLINE_NEWSLETTERS_TASK_SECONDS if time_budget is None else time_budget
    try:
        issue.refresh_from_db()
        post = issue.page.specific
        if issue.cancelled_at is not None or issue.stopped_at is not None:
            return None
        if mailable(post, now=issue.created) is not None:
            issue_cancel(issue)
            return None
        if not issue.listed:
            issue_list_recipients(issue)
        rendered = render_post(post)
        pacer = Pacer(settings.BYLINE_NEWSLETTERS_SEND_RATE)
        while True:
            Issue.objects.filter(pk=issue.pk).update(lease_until=now() + LEASE)
            batch = list(
                Delivery.objects.filter(_ready(issue, now()))
                .select_related("subscriber")
                .order_by("attempts", "pk")[: settings.BYLINE_NEWSLETTERS_BATCH_SIZE]
            )
            if not batch:
                break
            # Unpublished or restricted since the last batch (or its blog unpublished): the
            # rest is cancelled.
            post.refresh_from_db(fields=["live"])
            if not is_readable(post):
                issue_cancel(issue)
                return None
            try:
                unreachable_until = _send_batch(issue, rendered, batch, pacer=pacer, now=now)
            except IssueStopped:
                return None  # until an editor resumes it
            if unreachable_until is not None:
                return unreachable_until  # the whole issue waits for the mail server
            if time.monotonic() - started > budget:
                return now()
        if Delivery.objects.filter(issue=issue, status=DeliveryStatus.QUEUED).exists():
            return now()
        retry = (
            Delivery.objects.filter(issue=issue, status=DeliveryStatus.RETRY)
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if retry is None:
            Issue.objects.filter(pk=issue.pk, finished_at__isnull=True).update(finished_at=now())
            digest_schedule_all()
        return retry
    finally:
        Issue.objects.filter(pk=issue.pk).update(lease_until=None)


def _send_batch(
    issue, rendered: RenderedPost, batch: list[Delivery], *, pacer, now
) -> datetime.datetime | None:
    """Send one batch over one connection. If the server cannot be reached, returns when to
    try again (the row it stopped at waits with back-off; the rest stay queued). Raises
    IssueStopped when the server refuses the message itself."""
    post = rendered.post
    by_subscriber = _scopes_by_subscriber(post, [d.subscriber_id for d in batch])
    names: dict[str, str] = {}
    # The batch's first recipient refusals, held back until a mail goes, another answer comes
    # or the batch ends: SAME_REFUSALS of one answer in a row stop the issue instead.
    held: list[tuple[int, Exception]] = []
    leading = True
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # down, refusing, DNS: every row of the batch waits
        first = batch[0]
        if _refuses_message(error):  # a 5xx before any recipient: signing in, the greeting
            issue_stop(issue, error, delivery_ids=[], now=now())
            raise IssueStopped from error
        logger.warning("Newsletter mail server unreachable: %s", _describe(error))
        return _record_failure([first.pk], first.attempts, error, now())
    stopped = False
    try:
        for delivery in batch:
            subscriber = delivery.subscriber
            scope_list = by_subscriber.get(delivery.subscriber_id, [])
            if subscriber.status != SubscriberStatus.CONFIRMED or not scope_list:
                # Left (or was suppressed) since the issue was listed.
                Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.CANCELLED)
                continue
            if scope_list[0] not in names:
                names[scope_list[0]] = _list_name(scope_list[0], post)
            name = names[scope_list[0]]
            message = mail.post_message(
                rendered,
                email=subscriber.email,
                scope_list=scope_list,
                list_name=name,
                issue_id=issue.pk,
            )
            claim = secrets.token_hex(8)
            claimed = Delivery.objects.filter(
                pk=delivery.pk, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.RETRY]
            ).update(status=DeliveryStatus.SENDING, claim=claim)
            if not claimed:
                continue
            try:
                connection.send_messages([message])
            except Exception as error:
                if _refuses_recipient(error):
                    if leading and isinstance(error, smtplib.SMTPRecipientsRefused):
                        held.append((delivery.pk, error))
                        answers = {_same_answer(refusal) for _, refusal in held}
                        if len(answers) == 1 and len(held) >= SAME_REFUSALS:
                            stopped = True
                            issue_stop(issue, error, delivery_ids=[pk for pk, _ in held], now=now())
                            raise IssueStopped from error
                        if len(answers) == 1:
                            continue
                    leading = False
                    _refuse_held(held)
                    _refuse_recipient([delivery.pk], error)
                    continue
                leading = False
                _refuse_held(held)
                if _refuses_message(error):
                    if delivery.status == DeliveryStatus.RETRY and delivery.last_error == (
                        _describe(error)
                    ):
                        # This row's message was refused in just this way before the issue
                        # was resumed, and the rows never tried have gone on since: it is
                        # about this reader (a sandbox sends only to verified addresses), but
                        # not a reason to suppress them.
                        Delivery.objects.filter(pk=delivery.pk).update(
                            status=DeliveryStatus.FAILED,
                            attempts=delivery.attempts + 1,
                            last_error=_describe(error),
                            claim="",
                        )
                        continue
                    issue_stop(issue, error, delivery_ids=[delivery.pk], now=now())
                    raise IssueStopped from error
                retry_at = _record_failure([delivery.pk], delivery.attempts, error, now())
                if _is_connection_error(error):
                    return retry_at
                continue
            leading = False
            _refuse_held(held)
            Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
                status=DeliveryStatus.SENT, sent_at=now(), claim=""
            )
            pacer.wait()
    finally:
        if not stopped:
            _refuse_held(held)  # fewer than SAME_REFUSALS, or the batch ended on an outage
        with contextlib.suppress(Exception):  # a server gone mid-batch cannot be told goodbye
            connection.close()
    return None


def _refuse_held(held: list[tuple[int, Exception]]) -> None:
    for pk, error in held:
        _refuse_recipient([pk], error)
    held.clear()


# --- digests ------------------------------------------------------------------------------


def digest_due(frequency: str, after: datetime.datetime) -> datetime.datetime:
    """The next digest run after `after`: each day (Mondays for weekly) at
    BYLINE_NEWSLETTERS_DIGEST_HOUR, local time."""
    local = timezone.localtime(after)
    due = local.replace(
        hour=settings.BYLINE_NEWSLETTERS_DIGEST_HOUR, minute=0, second=0, microsecond=0
    )
    if due <= local:
        due += datetime.timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        due += datetime.timedelta(days=(7 - due.weekday()) % 7)
    return due


def digest_schedule(
    frequency: str, *, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """Make sure the next digest run of `frequency` is queued, once (DigestClock). Returns the
    time it is due, or None when nobody waits for that digest."""
    from byline.newsletters.tasks import enqueue_at, send_digests

    if not Delivery.objects.filter(
        status=DeliveryStatus.DIGEST, subscriber__frequency=frequency
    ).exists():
        return None
    now = now or timezone.now()
    due = digest_due(frequency, now)
    clock = DigestClock.objects.filter(frequency=frequency).first()
    if clock is not None and now < clock.next_run_at <= due:
        return clock.next_run_at
    DigestClock.objects.update_or_create(frequency=frequency, defaults={"next_run_at": due})
    enqueue_at(send_digests, due, frequency)
    return due


def digest_schedule_all() -> None:
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        digest_schedule(frequency)


@dataclass(frozen=True)
class DigestRun:
    sent: int  # digests handed to the mail server
    # When to run on: the time budget ran out, or the mail server could not be reached.
    # None: every digest waiting was dealt with, or another worker has the run (which
    # schedules the next one itself: asking again could send a second digest that day).
    again: datetime.datetime | None


def _take_digest_lease(frequency: str, now: datetime.datetime) -> bool:
    DigestClock.objects.get_or_create(frequency=frequency, defaults={"next_run_at": now})
    return bool(
        DigestClock.objects.filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now), frequency=frequency
        ).update(lease_until=now + LEASE)
    )


def digests_send(
    frequency: str,
    *,
    now: datetime.datetime | None = None,
    time_budget: float | None = None,
) -> DigestRun:
    """One digest to each subscriber of `frequency` with posts waiting: every post still
    readable, once. Paced, leased and sliced as issue_send is: past the time budget, or with
    the mail server unreachable, the rest waits for the run that DigestRun.again asks for
    (not for the next day's); otherwise the next day's (or week's) run is scheduled."""
    now = now or timezone.now()
    if not _take_digest_lease(frequency, now):
        return DigestRun(sent=0, again=None)
    started = time.monotonic()
    budget = settings.BYLINE_NEWSLETTERS_TASK_SECONDS if time_budget is None else time_budget
    label = "daily" if frequency == Frequency.DAILY else "weekly"
    waiting = (
        Delivery.objects.filter(status=DeliveryStatus.DIGEST, subscriber__frequency=frequency)
        .values_list("subscriber_id", flat=True)
        .distinct()
        .order_by()
    )
    rendered: dict[int, RenderedPost | None] = {}
    sent = 0
    again = None
    pacer = Pacer(settings.BYLINE_NEWSLETTERS_SEND_RATE)
    connection = get_connection()
    try:
        subscriber_ids = list(waiting)
        for position, subscriber_id in enumerate(subscriber_ids, start=1):
            DigestClock.objects.filter(frequency=frequency).update(
                lease_until=timezone.now() + LEASE
            )
            outcome = _send_digest(
                subscriber_id, connection, rendered=rendered, label=label, now=now
            )
            if isinstance(outcome, datetime.datetime):
                again = outcome  # the server is unreachable: everyone after waits for it
                break
            if outcome:
                sent += 1
                pacer.wait()
            if time.monotonic() - started > budget and position < len(subscriber_ids):
                again = timezone.now()  # the worker's other tasks go first; then the rest
                break
    finally:
        with contextlib.suppress(Exception):  # a server gone mid-run cannot be told goodbye
            connection.close()
        DigestClock.objects.filter(frequency=frequency).update(lease_until=None)
    if again is None:
        digest_schedule(frequency, now=now)
    return DigestRun(sent=sent, again=again)


def _send_digest(
    subscriber_id: int, connection, *, rendered: dict, label: str, now: datetime.datetime
) -> bool | datetime.datetime:
    """One subscriber's digest: whether it went, or, when the mail server could not be
    reached, when to try again (their posts wait for it, with back-off)."""
    claim = secrets.token_hex(8)
    Delivery.objects.filter(subscriber_id=subscriber_id, status=DeliveryStatus.DIGEST).update(
        status=DeliveryStatus.SENDING, claim=claim
    )
    rows = list(
        Delivery.objects.filter(claim=claim)
        .select_related("subscriber", "issue")
        .order_by("issue__created")
    )
    if not rows:
        return False  # another run took them
    subscriber = rows[0].subscriber
    posts, keep, scope_set = [], [], []
    for row in rows:
        if row.issue.stopped_at is not None:
            # The mail server refused this post's message: it waits, as it does for those who
            # get each post, and goes in a digest after the editor resumes it.
            Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.DIGEST, claim="")
            continue
        if row.issue_id not in rendered:
            post = row.issue.page.specific
            ok = row.issue.cancelled_at is None and is_readable(post)
            rendered[row.issue_id] = render_post(post) if ok else None
        if rendered[row.issue_id] is None or subscriber.status != SubscriberStatus.CONFIRMED:
            Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.CANCELLED, claim="")
            continue
        posts.append(rendered[row.issue_id])
        keep.append(row.pk)
        for scope in _scopes_by_subscriber(rendered[row.issue_id].post, [subscriber_id]).get(
            subscriber_id, []
        ):
            if scope not in scope_set:
                scope_set.append(scope)
    if not posts:
        return False
    message = mail.digest_message(
        posts, email=subscriber.email, scope_list=scope_set, frequency_label=label
    )
    try:
        connection.send_messages([message])
    except Exception as error:
        # Back to waiting (or, for a recipient refused for good, failed and suppressed).
        if _refuses_recipient(error):
            _refuse_recipient(keep, error)
            return False
        if _refuses_message(error):
            logger.error("A %s digest was refused by the mail server: %s", label, _describe(error))
        waiting = Delivery.objects.filter(pk__in=keep)
        if _is_connection_error(error):
            attempts = max(row.attempts for row in rows if row.pk in keep)
            waiting.update(
                status=DeliveryStatus.DIGEST,
                claim="",
                attempts=attempts + 1,
                last_error=_describe(error),
            )
            logger.warning("Newsletter mail server unreachable: %s", _describe(error))
            return timezone.now() + datetime.timedelta(
                seconds=BACKOFF[min(attempts, len(BACKOFF) - 1)]
            )
        # Refused for now (4xx), or the message refused: the next run tries again.
        waiting.update(status=DeliveryStatus.DIGEST, claim="", last_error=_describe(error))
        return False
    Delivery.objects.filter(pk__in=keep, claim=claim).update(
        status=DeliveryStatus.SENT, sent_at=now, in_digest=True, claim=""
    )
    return True


def pending_issues() -> list[Issue]:
    """Issues with mail still to send (for `byline newsletters send` and after a restart)."""
    return list(
        Issue.objects.filter(cancelled_at__isnull=True, stopped_at__isnull=True)
        .filter(
            Q(listed=False)
            | Q(deliveries__status__in=[DeliveryStatus.QUEUED, DeliveryStatus.RETRY])
        )
        .distinct()
    )
