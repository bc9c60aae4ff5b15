"""Sending an issue, in batches, at a set rate, so that it neither loses nor repeats a mail.

Every recipient of every issue has a Delivery row (unique per issue and subscriber). A worker
takes the issue's lease, then for each ready row: builds the message, marks the row SENDING,
hands the message to the mail server, marks it SENT. A worker that dies leaves the rest
QUEUED, and the next run (after the lease runs out) goes on from there; the one message it
may have been handing over stays SENDING and is never sent again: at most once, by design.

Failures: a 4xx answer or a server that cannot be reached is temporary (the row waits with
back-off: BACKOFF below, then it fails); a 5xx answer for the recipient is permanent and
suppresses the address (services.address_suppress).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import secrets
import smtplib
import time
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import Q
from django.utils import timezone

from byline.blogs.models import BlogPage, PostPage
from byline.blogs.visibility import is_restricted
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


# --- which posts are mailed ---------------------------------------------------------------


def mailable(post: PostPage, *, now: datetime.datetime | None = None) -> str | None:
    """Why `post` must not be mailed now, or None if it may be."""
    now = now or timezone.now()
    if not post.live:
        return "not live"
    max_age = datetime.timedelta(hours=settings.BYLINE_NEWSLETTERS_MAX_POST_AGE_HOURS)
    if post.date is not None and post.date < now - max_age:
        return "dated too long ago (an import or a back-dated post)"
    if is_restricted(post):
        return "restricted"  # what readers may see is visibility.py's to say
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
            _subscriptions_q(post), subscriber__status=SubscriberStatus.CONFIRMED
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
    rows = Subscription.objects.filter(_subscriptions_q(post), subscriber_id__in=subscriber_ids)
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


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(
        error, smtplib.SMTPSenderRefused
    ):
        return error.smtp_code >= 500
    return False


def _is_connection_error(error: Exception) -> bool:
    """The server is gone, not this recipient refused (SMTPException is an OSError too)."""
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:255]


def _record_failure(
    delivery_ids: list[int], attempts: int, error: Exception, now
) -> datetime.datetime | None:
    """Note a failed attempt; returns when the rows will be tried again (None: never)."""
    rows = Delivery.objects.filter(pk__in=delivery_ids)
    if _is_permanent(error):
        rows.update(status=DeliveryStatus.FAILED, last_error=_describe(error), claim="")
        for email in Subscriber.objects.filter(deliveries__pk__in=delivery_ids).values_list(
            "email", flat=True
        ):
            address_suppress(email=email, reason=_describe(error))
        return None
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
        if issue.cancelled_at is not None:
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
                .order_by("pk")[: settings.BYLINE_NEWSLETTERS_BATCH_SIZE]
            )
            if not batch:
                break
            # Unpublished or restricted since the last batch: the rest is cancelled.
            post.refresh_from_db(fields=["live"])
            if not post.live or is_restricted(post):
                issue_cancel(issue)
                return None
            unreachable_until = _send_batch(issue, rendered, batch, pacer=pacer, now=now)
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
    try again (the row it stopped at waits with back-off; the rest stay queued)."""
    post = rendered.post
    by_subscriber = _scopes_by_subscriber(post, [d.subscriber_id for d in batch])
    names: dict[str, str] = {}
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # down, refusing, DNS: every row of the batch waits
        logger.warning("Newsletter mail server unreachable: %s", error)
        first = batch[0]
        return _record_failure([first.pk], first.attempts, error, now())
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
                retry_at = _record_failure([delivery.pk], delivery.attempts, error, now())
                if _is_connection_error(error):
                    return retry_at
                continue
            Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
                status=DeliveryStatus.SENT, sent_at=now(), claim=""
            )
            pacer.wait()
    finally:
        with contextlib.suppress(Exception):  # a server gone mid-batch cannot be told goodbye
            connection.close()
    return None


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


def digests_send(frequency: str, *, now: datetime.datetime | None = None) -> int:
    """One digest to each subscriber of `frequency` with posts waiting: every post still
    readable, once. Returns the number of digests sent."""
    now = now or timezone.now()
    label = "daily" if frequency == Frequency.DAILY else "weekly"
    waiting = (
        Delivery.objects.filter(status=DeliveryStatus.DIGEST, subscriber__frequency=frequency)
        .values_list("subscriber_id", flat=True)
        .distinct()
        .order_by()
    )
    rendered: dict[int, RenderedPost | None] = {}
    sent = 0
    connection = get_connection()
    for subscriber_id in list(waiting):
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
            continue
        subscriber = rows[0].subscriber
        posts, keep, scope_set = [], [], []
        for row in rows:
            if row.issue_id not in rendered:
                post = row.issue.page.specific
                ok = row.issue.cancelled_at is None and post.live and not is_restricted(post)
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
            continue
        message = mail.digest_message(
            posts, email=subscriber.email, scope_list=scope_set, frequency_label=label
        )
        try:
            connection.send_messages([message])
        except Exception as error:
            # Back to waiting (or failed/suppressed): the next run tries again.
            if _is_permanent(error):
                _record_failure(keep, 0, error, now)
            else:
                Delivery.objects.filter(pk__in=keep).update(
                    status=DeliveryStatus.DIGEST, claim="", last_error=_describe(error)
                )
            if _is_connection_error(error):
                break
            continue
        Delivery.objects.filter(pk__in=keep, claim=claim).update(
            status=DeliveryStatus.SENT, sent_at=now, in_digest=True, claim=""
        )
        sent += 1
    connection.close()
    DigestClock.objects.filter(frequency=frequency, next_run_at__lte=now).delete()
    digest_schedule(frequency, now=now)
    return sent


def pending_issues() -> list[Issue]:
    """Issues with mail still to send (for `byline newsletters send` and after a restart)."""
    return list(
        Issue.objects.filter(
            cancelled_at__isnull=True,
        )
        .filter(
            Q(listed=False)
            | Q(deliveries__status__in=[DeliveryStatus.QUEUED, DeliveryStatus.RETRY])
        )
        .distinct()
    )
