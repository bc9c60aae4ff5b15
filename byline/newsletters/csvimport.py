"""Reading subscriber lists exported from Mailchimp, Substack, Ghost and WordPress/Jetpack.

Each export names its columns differently; :func:`detect` finds the address column and what
the file says about consent. An address is imported as confirmed only when the file says so
(Mailchimp's CONFIRM_TIME or OPTIN_TIME, Ghost's subscribed_to_emails, a status column that
says subscribed/confirmed/active); otherwise it is kept as not confirmed and gets nothing.
A row that says the reader left or bounced (Mailchimp's UNSUB_TIME or CLEAN_TIME, a status
of unsubscribed/cleaned/bounced, Substack's email_disabled) is kept as such, so that an import
never brings back someone who had left.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from byline.newsletters.models import SubscriberStatus, normalize_email

ADDRESS_COLUMNS = ["email address", "email", "e-mail", "email_address", "subscriber", "mail"]
YES = {"1", "true", "yes", "y", "t"}
CONFIRMED_WORDS = {"subscribed", "confirmed", "active", "opted-in", "opted in"}
LEFT_WORDS = {"unsubscribed", "inactive", "cancelled", "canceled"}
BOUNCED_WORDS = {"cleaned", "bounced", "complained", "blocked", "spam"}


@dataclass(frozen=True)
class Row:
    email: str
    status: str  # a SubscriberStatus


@dataclass
class Layout:
    format: str  # mailchimp, substack, ghost, wordpress, generic
    address: str
    columns: set[str]


def _lower(header: list[str]) -> list[str]:
    return [name.strip().lstrip("\ufeff").lower() for name in header]


def detect(header: list[str]) -> Layout:
    columns = set(_lower(header))
    address = next((name for name in ADDRESS_COLUMNS if name in columns), None)
    if address is None:
        raise ValueError("no e-mail column found (looked for: " + ", ".join(ADDRESS_COLUMNS) + ")")
    if {"confirm_time", "optin_time"} & columns or "member_rating" in columns:
        kind = "mailchimp"
    elif "subscribed_to_emails" in columns:
        kind = "ghost"
    elif "email_disabled" in columns or "active_subscription" in columns:
        kind = "substack"
    elif "subscribed_date" in columns or "date_subscribed" in columns or "blog_id" in columns:
        kind = "wordpress"
    else:
        kind = "generic"
    return Layout(format=kind, address=address, columns=columns)


def _status(layout: Layout, row: dict[str, str]) -> str:
    get = lambda name: (row.get(name) or "").strip().lower()  # noqa: E731
    if get("unsub_time") or get("email_disabled") in YES:
        return SubscriberStatus.UNSUBSCRIBED
    if get("clean_time"):
        return SubscriberStatus.SUPPRESSED
    word = get("status") or get("subscription_status") or get("state")
    if word in BOUNCED_WORDS:
        return SubscriberStatus.SUPPRESSED
    if word in LEFT_WORDS:
        return SubscriberStatus.UNSUBSCRIBED
    if layout.format == "mailchimp" and (get("confirm_time") or get("optin_time")):
        return SubscriberStatus.CONFIRMED
    if layout.format == "ghost":
        return (
            SubscriberStatus.CONFIRMED
            if get("subscribed_to_emails") in YES
            else SubscriberStatus.UNSUBSCRIBED
        )
    if word in CONFIRMED_WORDS or get("confirmed") in YES:
        return SubscriberStatus.CONFIRMED
    return SubscriberStatus.PENDING


def read_rows(text: str) -> tuple[Layout, Iterator[Row], list[str]]:
    """The layout, the rows (valid addresses only) and a list of problems found (bad
    addresses, by line number); raises ValueError for a file without an address column."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError("the file is empty") from None
    layout = detect(header)
    names = _lower(header)
    problems: list[str] = []
    rows: list[Row] = []
    seen: set[str] = set()
    for number, values in enumerate(reader, start=2):
        record = dict(zip(names, values, strict=False))
        email = normalize_email(record.get(layout.address, ""))
        if not email:
            continue
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            problems.append(f"line {number}: not an e-mail address: {email[:80]!r}")
            continue
        if email in seen:
            continue
        seen.add(email)
        rows.append(Row(email=email, status=_status(layout, record)))
    return layout, iter(rows), problems
