"""Subscribing, confirming, choosing, leaving and suppression: the writes readers and mail
servers cause, each keeping the subscriber's invariants whoever calls it."""

from __future__ import annotations

import contextlib
import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from byline.core.formguard import cache_count
from byline.newsletters import scopes
from byline.newsletters.models import (
    ConfirmationRequest,
    Delivery,
    DeliveryStatus,
    Frequency,
    Subscriber,
    SubscriberStatus,
    Subscription,
    email_forms,
    normalize_email,
)

logger = logging.getLogger(__name__)


def _address_key(email: str) -> str:
    # The counter is keyed by a keyed hash: the cache never holds a reader's address.
    return salted_hmac("byline.newsletters.address", email, algorithm="sha256").hexdigest()[:32]


# Providers whose addresses ignore dots in the part before the @ (a.nn@ is ann@), and the
# domain each stands for.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox_of(email: str) -> str:
    """The mailbox an address delivers to, as far as a count of mails to it goes: without a
    +tag (ann+1@, ann+2@ … all reach ann@ at most providers), and at Gmail without dots
    (a.nn@, an.n@ … are ann@gmail.com, googlemail.com is gmail.com)."""
    local, at, domain = normalize_email(email).rpartition("@")
    if not at:
        return normalize_email(email)
    if not domain.isascii():
        # One inbox whichever way its domain is written (bücher. or xn--bcher-kva.).
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("idna").decode("ascii")
    local = local.partition("+")[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def confirmation_allowed(email: str, *, now: datetime.datetime | None = None) -> bool:
    """Count one confirmation mail to `email`'s mailbox; False past
    BYLINE_NEWSLETTERS_CONFIRMATIONS_PER_DAY in this (UTC) day, so the form cannot be used to
    flood a stranger's inbox (with +tags either)."""
    now = now or timezone.now()
    key = f"newsletters:confirmations:{_address_key(mailbox_of(email))}:{now:%Y%m%d}"
    return cache_count(key, timeout=2 * 86400) <= settings.BYLINE_NEWSLETTERS_CONFIRMATIONS_PER_DAY


class Busy(Exception):
    """More confirmation mails this hour than BYLINE_NEWSLETTERS_CONFIRMATIONS_PER_HOUR: a
    flood of sign-ups from many addresses at once; the form asks readers to come back."""

    def __init__(self, retry_after: int):
        super().__init__("too many sign-ups this hour")
        self.retry_after = retry_after


def _site_wide_allowed(now: datetime.datetime) -> None:
    # Per-address limits stop one sender and one inbox; this one stops a botnet signing up
    # thousands of strangers, which would ruin the site's standing with mailbox providers.
    key = f"newsletters:confirmations:all:{now:%Y%m%d%H}"
    if cache_count(key, timeout=7200) > settings.BYLINE_NEWSLETTERS_CONFIRMATIONS_PER_HOUR:
        raise Busy(retry_after=3600 - (now.minute * 60 + now.second))


def subscription_request(*, email: str, scope: str) -> bool:
    """A sign-up from the form: queue a confirmation mail, unless the address already has this
    subscription, is suppressed, or has had its confirmations for today. Returns whether a
    mail was queued; the reader is told the same either way (nothing leaks who subscribes).
    Raises Busy past the site's hourly number of confirmation mails."""
    from byline.newsletters.tasks import mail_confirmation

    email = normalize_email(email)
    subscriber = Subscriber.objects.by_email(email).first()
    if subscriber is not None:
        if subscriber.status == SubscriberStatus.SUPPRESSED:
            return False
        if subscriber.status == SubscriberStatus.CONFIRMED and _has(subscriber, scope):
            return False
    if not confirmation_allowed(email):
        logger.info("Confirmation limit reached for an address; no mail sent")
        return False
    _site_wide_allowed(timezone.now())
    # The task gets the id of a row that holds the address, not the address: the database
    # task backend would keep its arguments for good (models.ConfirmationRequest).
    request = ConfirmationRequest.objects.create(email=email, scope=scope)
    transaction.on_commit(lambda: mail_confirmation.enqueue(request_id=request.pk))
    return True


def _has(subscriber: Subscriber, scope: str) -> bool:
    return any(s.scope == scope for s in subscriber.subscriptions.filter(confirmed=True))


def _target_filter(target: scopes.Target) -> dict:
    return {"blog": target.blog, "author": target.author}


@transaction.atomic
def subscription_confirm(*, email: str, target: scopes.Target) -> Subscriber:
    """The reader followed the confirmation link: they are a confirmed subscriber of `target`,
    and of no other list they did not confirm (an import's record of one stays off).
    Following it again changes nothing."""
    email = normalize_email(email)
    now = timezone.now()
    subscriber = Subscriber.objects.select_for_update().by_email(email).first()
    if subscriber is None:
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"status": SubscriberStatus.CONFIRMED, "confirmed_at": now}
        )
    if subscriber.status != SubscriberStatus.CONFIRMED:
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = now
        subscriber.left_at = None
        subscriber.suppressed_reason = ""
        subscriber.save()
    subscription, _ = Subscription.objects.get_or_create(
        subscriber=subscriber, **_target_filter(target)
    )
    if not subscription.confirmed:
        subscription.confirmed = True
        subscription.save(update_fields=["confirmed"])
    return subscriber


def _scope_q(scope: str) -> Q | None:
    kind, _, pk = scope.partition(":")
    if scope == scopes.ALL:
        return Q(blog__isnull=True, author__isnull=True)
    if kind == "blog" and pk.isdigit():
        return Q(blog_id=int(pk))
    if kind == "author" and pk.isdigit():
        return Q(author_id=int(pk))
    return None


@transaction.atomic
def subscriber_unsubscribe(
    *, email: str, scope_list: tuple[str, ...] = (), issue_id: int | None = None
) -> Subscriber | None:
    """Leave the lists named (those a mail came for) or, with none, everything. A subscriber
    left with no list is unsubscribed; nothing queued for them is sent."""
    subscriber = Subscriber.objects.select_for_update().by_email(email).first()
    if subscriber is None:
        return None
    now = timezone.now()
    conditions = [q for q in map(_scope_q, scope_list) if q is not None]
    if conditions:
        combined = conditions[0]
        for condition in conditions[1:]:
            combined |= condition
        subscriber.subscriptions.filter(combined).delete()
    else:
        subscriber.subscriptions.all().delete()
    if (
        not subscriber.subscriptions.filter(confirmed=True).exists()
        and subscriber.status == SubscriberStatus.CONFIRMED
    ):
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.left_at = now
        subscriber.save(update_fields=["status", "left_at"])
        _cancel_pending(subscriber)
    if issue_id is not None:
        Delivery.objects.filter(
            issue_id=issue_id, subscriber=subscriber, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=now)
    return subscriber


def _cancel_pending(subscriber: Subscriber) -> None:
    Delivery.objects.filter(
        subscriber=subscriber,
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.RETRY, DeliveryStatus.DIGEST],
    ).update(status=DeliveryStatus.CANCELLED)


@transaction.atomic
def preferences_save(*, subscriber: Subscriber, keep: set[str], frequency: str) -> Subscriber:
    """The preferences page: keep the subscriptions whose scopes are in `keep`, at
    `frequency`. Keeping none is leaving."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    # Lists waiting for the reader's confirmation are not on the page, so not in `keep`.
    for subscription in subscriber.subscriptions.filter(confirmed=True):
        if subscription.scope not in keep:
            subscription.delete()
    if frequency in Frequency.values and frequency != subscriber.frequency:
        # Posts waiting for the old digest go out in the new one (or at once).
        waiting = Delivery.objects.filter(
            subscriber=subscriber, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.DIGEST]
        )
        issue_ids = list(waiting.values_list("issue_id", flat=True))
        if frequency == Frequency.EACH_POST:
            waiting.update(status=DeliveryStatus.QUEUED)
        else:
            waiting.update(status=DeliveryStatus.DIGEST)
        subscriber.frequency = frequency
        subscriber.save(update_fields=["frequency"])
        transaction.on_commit(lambda: _after_frequency_change(frequency, issue_ids))
    if not subscriber.subscriptions.filter(confirmed=True).exists():
        return subscriber_unsubscribe(email=subscriber.email)
    return subscriber


def _after_frequency_change(frequency: str, issue_ids: list[int]) -> None:
    from byline.newsletters.sending import digest_schedule
    from byline.newsletters.tasks import send_issue

    if frequency == Frequency.EACH_POST:
        for issue_id in sorted(set(issue_ids)):
            send_issue.enqueue(issue_id)
    else:
        digest_schedule(frequency)


def address_suppress(*, email: str, reason: str) -> bool:
    """Stop all mail to an address that bounced permanently or complained (the entry point for
    SMTP failures and for a provider's webhooks). Returns whether a subscriber was found."""
    updated = Subscriber.objects.by_email(email).update(
        status=SubscriberStatus.SUPPRESSED,
        suppressed_reason=reason[:255],
        left_at=timezone.now(),
    )
    for subscriber in Subscriber.objects.by_email(email):
        _cancel_pending(subscriber)
    return bool(updated)


# --- readers' data requests (byline/core/datarequests.py) ---------------------------------


def subscribers_export(*, email: str) -> list[dict]:
    records = []
    for subscriber in Subscriber.objects.by_email(email).prefetch_related(
        "subscriptions__blog", "subscriptions__author"
    ):
        records.append(
            {
                "email": subscriber.email,
                "status": subscriber.status,
                "frequency": subscriber.frequency,
                "source": subscriber.source,
                "created": subscriber.created.isoformat(),
                "confirmed_at": subscriber.confirmed_at and subscriber.confirmed_at.isoformat(),
                "left_at": subscriber.left_at and subscriber.left_at.isoformat(),
                "suppressed_reason": subscriber.suppressed_reason,
                "subscriptions": [
                    {
                        "to": s.target_name,
                        "scope": s.scope,
                        "since": s.created.isoformat(),
                        "confirmed": s.confirmed,
                    }
                    for s in subscriber.subscriptions.all()
                ],
                "posts_mailed": [
                    {
                        "post": str(d.issue.page),
                        "status": d.status,
                        "sent_at": d.sent_at and d.sent_at.isoformat(),
                    }
                    for d in subscriber.deliveries.select_related("issue__page")
                ],
            }
        )
    for request in ConfirmationRequest.objects.filter(email__in=email_forms(email)):
        records.append(
            {
                "email": request.email,
                "status": "confirmation mail not yet sent",
                "scope": request.scope,
                "created": request.created.isoformat(),
            }
        )
    return records


def subscribers_erase(*, email: str, dry_run: bool = False) -> int:
    subscribers = Subscriber.objects.by_email(email)
    # A sign-up whose confirmation mail has not gone yet holds the address too.
    requests = ConfirmationRequest.objects.filter(email__in=email_forms(email))
    count = subscribers.count() + requests.count()
    if not dry_run:
        subscribers.delete()  # subscriptions and delivery records go with it
        requests.delete()
    return count
