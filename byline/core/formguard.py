"""Protection for reader forms on pages cached for everyone: origin, shared token, honeypot, rate.

Reader pages are rendered once and served to every anonymous reader from the page store, so a
form on them cannot carry Django's per-reader CSRF token. What the guard does instead:

1. **Same-origin check** (:func:`check_origin`). A cross-site forgery needs a victim's browser,
   and every current browser says where a POST comes from: ``Sec-Fetch-Site`` (Fetch Metadata)
   and ``Origin`` (RFC 6454, sent on every POST since 2020). A POST saying ``cross-site`` or
   ``same-site``, or an ``Origin`` other than this site's (or one of ``CSRF_TRUSTED_ORIGINS``),
   is refused with 403. A request with neither header cannot come from a browser driven by
   another site, so it is not a forgery; it may be a bot, which the other defences handle.
   The guarded views also never act on a reader's session or login (``request.user`` is not
   read), so there is no ambient authority for a forger to borrow in the first place.
2. **A signed, time-stamped form token that is the same for every reader** (:func:`form_token`).
   It is ``<unix time>:<signature>`` signed with ``SECRET_KEY`` for one purpose, so it can sit
   in a cached page. It proves the form came from this site (a bot must fetch a page first) and
   gives a *minimum fill time*: a person takes more than ``BYLINE_FORMGUARD_MIN_SECONDS`` (3 s)
   from page to submit; a script posting at once does not. Nothing slower is ever refused for
   time. A token older than ``BYLINE_FORMGUARD_MAX_AGE`` (7 days) is not accepted, but the
   form comes back with the reader's text and a fresh token, so they only press send again:
   keep cached pages with forms fresher than that and nobody ever sees it.
3. **A honeypot field** that is ``hidden`` (no CSS needed, so no inline style under the CSP)
   and out of the tab order; people leave it empty, form-filling bots do not.
4. **A per-IP rate limit** (:func:`rate_limit`), ``"5/m"``-style, counted in the shared cache
   so it holds across workers and app servers. The cache key holds a salted hash of the
   address (:func:`ip_hash`), never the address itself; nothing here stores a raw IP. An
   IPv6 address counts as its whole /64 (:func:`address_key`), as everywhere Byline counts,
   limits or blocks by address.

Usage (a reader form on a cached page)::

    from django import forms
    from django.views.decorators.csrf import csrf_exempt
    from byline.core import formguard

    class ContactForm(formguard.FormGuardMixin, forms.Form):
        formguard_purpose = "mailguard.contact"   # tokens of one form do not fit another
        message = forms.CharField(widget=forms.Textarea)

    @csrf_exempt  # the guard replaces the per-reader token; see above
    def contact(request):
        if request.method == "POST":
            try:
                formguard.check_request(request, scope="contact", rate="5/m")
            except formguard.Refused as refusal:
                return HttpResponse(refusal.message, status=refusal.status)
            form = ContactForm(request.POST)
            if form.is_valid():   # bots (honeypot, too fast) get a non-field error
                ...
        else:
            form = ContactForm()
        return render(request, "contact.html", {"form": form})

and in the template, inside the ``<form method="post">``: ``{{ form.formguard_html }}`` plus the
visible fields (``form.visible_fields`` leaves the honeypot out). A form that wants to keep bot
submissions for review instead (comments keep spam) sets ``formguard_reject_bots = False`` and
reads ``form.formguard_bot_signals`` (e.g. ``["honeypot", "too_fast"]``) after validation.
"""

from __future__ import annotations

import ipaddress
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.html import format_html
from django.utils.safestring import SafeString

TOKEN_FIELD = "formguard_token"


class Refused(Exception):
    """A request the guard turns away, with the HTTP status to answer and a reader's message."""

    def __init__(self, message: str, *, status: int = 403, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


# --- addresses ---------------------------------------------------------------------------


def client_ip(meta: Mapping[str, Any]) -> str:
    """The reader's address from a request's META (or a WSGI environ, which is the same
    mapping): REMOTE_ADDR, or, behind ``BYLINE_TRUSTED_PROXIES`` proxies, the X-Forwarded-For
    entry that many hops from the right (entries further left are whatever the client chose to
    send, so they are never trusted)."""
    proxies = settings.BYLINE_TRUSTED_PROXIES
    if proxies > 0:
        hops = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies and _is_ip(hops[-proxies]):
            return hops[-proxies]
    remote = meta.get("REMOTE_ADDR", "")
    # Always a valid address, since callers store it in IP fields (django-axes does): a request
    # made inside the process (Client.force_login's HttpRequest) has none at all.
    return remote if _is_ip(remote) else "0.0.0.0"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def address_key(ip: str) -> str:
    """The address as Byline counts, limits and blocks it: an IPv4 address as it is, an
    IPv4-mapped IPv6 one (``::ffff:192.0.2.1``) as its IPv4 address, and any other IPv6
    address as its /64 network.

    A home or a phone is given a whole /64 at least (RFC 6177) and its devices pick addresses
    in it at will, new ones every day (temporary addresses, RFC 8981): counted one by one, a
    single client could be a new address whenever a limit or a blocklist stood in its way.
    Anything that is not an address is returned unchanged."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))
    return str(address)


def _keyed_hash(purpose: str, text: str) -> str:
    """HMAC-SHA256 of `text` keyed with BYLINE_IP_HASH_SALT, else SECRET_KEY, cut to 32."""
    secret = settings.BYLINE_IP_HASH_SALT or None
    return salted_hmac(purpose, text, secret=secret, algorithm="sha256").hexdigest()[:32]


def ip_hash(ip: str) -> str:
    """A salted, keyed hash of an address's :func:`address_key`: stable enough to count and
    block by, useless for recovering the address. Every count and blocklist by address goes
    through here."""
    return _keyed_hash("byline.formguard.ip", address_key(ip))


def counted_hash(text: str) -> str:
    """A salted, keyed hash of what a limit counts other than an address (an e-mail address
    a form would write to), as ip_hash: the cache never holds the text itself."""
    return _keyed_hash("byline.formguard.counted", text)


# --- origin ------------------------------------------------------------------------------


def _origin_of(url: str) -> str:
    """The scheme and host of `url`; "" for one that has none or cannot be read (a Referer of
    "http://[" raised ValueError: a 500 where a refusal is due)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def check_origin(request: HttpRequest) -> None:
    """Refuse (403) a POST that its browser says came from another site."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE", "").lower()
    # "same-site" is a sibling subdomain, which may be someone else's (a hosted blog, a
    # taken-over CNAME); only this exact origin may post.
    if fetch_site in {"cross-site", "same-site"}:
        raise Refused("This form must be sent from this site.")
    own = f"{request.scheme}://{request.get_host()}".lower()
    trusted = {own, *(origin.lower() for origin in settings.CSRF_TRUSTED_ORIGINS)}
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        if origin.lower() not in trusted:  # also refuses "null" (sandboxed frames, file:)
            raise Refused("This form must be sent from this site.")
        return
    referer = request.META.get("HTTP_REFERER")
    if referer and _origin_of(referer) not in trusted:
        raise Refused("This form must be sent from this site.")


# --- rate limit --------------------------------------------------------------------------

_RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\w*\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """``"5/m"`` -> 5 per 60 s; also ``"100/h"``, ``"3/10m"``, ``"20/day"``.

    Raises ValueError for anything else, so a typo in a setting fails loudly at the first use.
    """
    match = _RATE.match(text or "")
    if not match:
        raise ValueError(f"not a rate like '5/m': {text!r}")
    count, multiple, unit = match.groups()
    seconds = int(multiple or 1) * _RATE_UNITS[unit.lower()]
    if int(count) < 1 or seconds < 1:
        raise ValueError(f"not a rate like '5/m': {text!r}")
    return Rate(count=int(count), seconds=seconds)


def cache_count(key: str, *, timeout: int) -> int:
    """Add one to the counter `key` in the default cache, kept `timeout` seconds from now;
    the new count. touch() after incr(), because the file cache's incr() rewrites the entry
    with the default timeout (300 s): a day's count became five minutes'."""
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
    cache.touch(key, timeout)
    return count


def rate_limit(
    request: HttpRequest,
    *,
    scope: str,
    rate: str,
    now: float | None = None,
    counted: str | None = None,
    message: str = "Too many submissions from your address",
) -> None:
    """Count this request against its address (or against `counted`, such as the e-mail
    address a form would write to); refuse (429) past the rate, with `message`.

    A sliding window, estimated from two fixed ones: the count so far in this window plus the
    previous window's count weighted by how much of it still lies within the last period. A
    plain fixed window would forget everything at its boundary and let a burst of twice the
    rate through across it. The counters live in the default cache (Redis when scaled out, so
    every server counts together), keyed by the address's salted hash.
    """
    limit = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    elapsed = now / limit.seconds - window  # fraction of this window gone
    who = ip_hash(client_ip(request.META)) if counted is None else counted_hash(counted)
    prefix = f"formguard:rate:{scope}:{who}"
    key = f"{prefix}:{window}"
    # The counter is read during the next window too.
    keep = max(1, math.ceil((window + 2) * limit.seconds - now) + 1)
    used = cache_count(key, timeout=keep)
    previous = cache.get(f"{prefix}:{window - 1}", 0)
    if used + previous * (1 - elapsed) <= limit.count:
        return
    if used > limit.count:  # this window alone is over: wait for it to end
        wait = (window + 1) * limit.seconds - now
    else:  # the previous window still weighs too much: wait until it has slid far enough out
        wait = ((1 - (limit.count - used) / previous) - elapsed) * limit.seconds
    retry_after = max(1, math.ceil(round(wait, 6)))
    raise Refused(
        f"{message}; please try again in {retry_after} s.",
        status=429,
        retry_after=retry_after,
    )


def check_request(request: HttpRequest, *, scope: str, rate: str | None) -> None:
    """Everything a guarded POST must pass before its form is even read: the origin check,
    then the rate limit (``rate=None`` turns the limit off)."""
    check_origin(request)
    if rate:
        rate_limit(request, scope=scope, rate=rate)


# --- form token --------------------------------------------------------------------------


def _signer(purpose: str) -> signing.Signer:
    return signing.Signer(salt=f"byline.formguard.{purpose}")


def form_token(purpose: str, *, now: float | None = None) -> str:
    """The token for a form: the same for every reader at a given second, so it may be cached."""
    return _signer(purpose).sign(str(int(time.time() if now is None else now)))


def token_age(purpose: str, token: str, *, now: float | None = None) -> float:
    """Seconds since `token` was made; ValueError if it is not a genuine token for `purpose`."""
    try:
        issued = int(_signer(purpose).unsign(token or ""))
    except (signing.BadSignature, ValueError) as error:
        raise ValueError("not a form token") from error
    return (time.time() if now is None else now) - issued


class FormGuardMixin:
    """Adds the shared token and the honeypot to a Django form; see the module docstring."""

    formguard_purpose = "form"
    # False keeps bots' submissions valid and lists why in `formguard_bot_signals`, for forms
    # that keep spam for review rather than refuse it.
    formguard_reject_bots = True
    formguard_honeypot = "phone"  # a field name form-filling bots cannot resist

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.formguard_bot_signals: list[str] = []
        self.fields[TOKEN_FIELD] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=form_token(self.formguard_purpose)
        )
        self.fields[self.formguard_honeypot] = forms.CharField(
            required=False,
            label="Leave this empty",
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def visible_fields(self):
        return [
            field for field in super().visible_fields() if field.name != self.formguard_honeypot
        ]

    def formguard_html(self) -> SafeString:
        """The token and the honeypot, to put inside the <form>."""
        return format_html(
            '{}<p class="formguard-trap" hidden aria-hidden="true">'
            '<label for="{}">{}</label> {}</p>',
            self[TOKEN_FIELD],
            self[self.formguard_honeypot].id_for_label,
            self.fields[self.formguard_honeypot].label,
            self[self.formguard_honeypot],
        )

    def _formguard_refresh_token(self) -> None:
        # A bound form shows what was posted; give it a good token so that sending the
        # corrected form again works.
        self.data = self.data.copy()
        self.data[self.add_prefix(TOKEN_FIELD)] = form_token(self.formguard_purpose)

    def clean(self):
        cleaned = super().clean()
        try:
            age = token_age(self.formguard_purpose, cleaned.get(TOKEN_FIELD, ""))
        except ValueError:
            self._formguard_refresh_token()
            raise forms.ValidationError(
                "This form could not be checked. Please send it again.", code="token_invalid"
            ) from None
        if age > settings.BYLINE_FORMGUARD_MAX_AGE:
            self._formguard_refresh_token()
            raise forms.ValidationError(
                "This page had been open a long time. Please send the form again.",
                code="token_expired",
            )
        if cleaned.get(self.formguard_honeypot):
            self.formguard_bot_signals.append("honeypot")
        if age < settings.BYLINE_FORMGUARD_MIN_SECONDS:
            self.formguard_bot_signals.append("too_fast")
        if self.formguard_bot_signals and self.formguard_reject_bots:
            raise forms.ValidationError(
                "This looked automated, so it was not sent. If you are a person, please wait "
                "a few seconds and send it again.",
                code="bot",
            )
        return cleaned
