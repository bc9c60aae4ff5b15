"""The admin's "forgot your password?" form, with a limit on the mails a stranger can send."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from wagtail.admin.views.account import PasswordResetView

from byline.core.privacy import refused_past_limit


class LimitedPasswordResetView(PasswordResetView):
    """Wagtail's view, each submission counted against the sender's address
    (BYLINE_PASSWORD_RESET_RATE_LIMIT) and against the e-mail address it names
    (BYLINE_PASSWORD_RESET_RECIPIENT_RATE_LIMIT): without a limit, a script had a reset mail
    sent to an editor for every request it made, flooding their inbox from the site's own
    mail server, and from many addresses the first limit alone does not stop it. The second
    counts any address typed, an editor's or not, so its refusal tells nothing of who has an
    account. django-axes guards signing in, not this."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refused = refused_past_limit(
            request, scope="admin-password-reset", rate=settings.BYLINE_PASSWORD_RESET_RATE_LIMIT
        )
        recipient = recipient_key(request.POST.get("email", ""))
        if refused is None and recipient:
            refused = refused_past_limit(
                request,
                scope="admin-password-reset-recipient",
                rate=settings.BYLINE_PASSWORD_RESET_RECIPIENT_RATE_LIMIT,
                counted=recipient,
                message="Too many reset mails asked for this e-mail address",
            )
        if refused is not None:
            return refused
        return super().post(request, *args, **kwargs)


def recipient_key(email: str) -> str:
    """One key for every spelling of an address that Django's reset form would mail the same
    account at: it matches case-insensitively after NFKC and case folding (so "ſbekker@"
    reaches sbekker@), and counting by lower case alone gave each spelling its own limit."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()
