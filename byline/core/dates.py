"""Moments as HTML's <time datetime> takes them."""

from __future__ import annotations

import datetime

from django.utils.timezone import template_localtime


def machine_datetime(value: datetime.datetime | datetime.date | None) -> str:
    """`value` in ISO 8601 as a <time datetime> attribute accepts it: a datetime in the
    current time zone to the second (HTML allows at most three digits of a second's
    fraction, and a post dated "now" or a comment carries six), a date as YYYY-MM-DD."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return template_localtime(value).replace(microsecond=0).isoformat()
    return value.isoformat()
