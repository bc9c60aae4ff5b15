"""What an e-mail provider reports back through django-anymail's webhooks: bounces and
complaints suppress the address, a provider-side unsubscribe unsubscribes.

The webhook views are anymail's own, served under /newsletter/anymail/<provider>/tracking/
(e.g. ``postmark``, ``mailgun``, ``amazon_ses``, ``sendgrid``), and only once
ANYMAIL_WEBHOOK_SECRET is set: without it anymail would take events from anyone, and anyone
could then stop the mail of any address.
"""

from __future__ import annotations

import functools

from anymail.signals import EventType, RejectReason
from django.conf import settings
from django.http import Http404
from django.urls import path

from byline.newsletters.services import address_suppress, subscriber_unsubscribe

SUPPRESSING_REJECTIONS = {RejectReason.BOUNCED, RejectReason.SPAM}


def provider_event(sender, event, esp_name: str, **kwargs) -> None:
    """anymail's ``tracking`` signal: one normalized event from a provider."""
    if not event.recipient:
        return
    reason = f"{esp_name}: {event.event_type}"
    if event.description:
        reason += f" ({event.description})"
    if event.event_type in (EventType.BOUNCED, EventType.COMPLAINED) or (
        event.event_type == EventType.REJECTED and event.reject_reason in SUPPRESSING_REJECTIONS
    ):
        address_suppress(email=event.recipient, reason=reason)
    elif event.event_type == EventType.UNSUBSCRIBED:
        subscriber_unsubscribe(email=event.recipient)


def _only_with_a_secret(view):
    @functools.wraps(view)  # keeps anymail's csrf_exempt: providers post without a token
    def guarded(request, *args, **kwargs):
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            raise Http404("Provider webhooks are off (ANYMAIL_WEBHOOK_SECRET is not set)")
        return view(request, *args, **kwargs)

    return guarded


def webhook_patterns() -> list:
    """anymail's tracking webhooks (not its inbound ones), each behind the secret check."""
    from anymail import urls as anymail_urls

    return [
        path(str(pattern.pattern), _only_with_a_secret(pattern.callback), name=pattern.name)
        for pattern in anymail_urls.urlpatterns
        if pattern.name and pattern.name.endswith("_tracking_webhook")
    ]
