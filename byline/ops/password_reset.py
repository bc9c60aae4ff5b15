"""The admin's "forgot your password?" form, with a limit on the mails a stranger can send."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from wagtail.admin.views.account import PasswordResetView

from byline.core.privacy import refused_past_limit


class LimitedPasswordResetView(PasswordResetView):
    """Wagtail's view, each submission counted against the sender's address
    (BYLINE_PASSWORD_RESET_RATE_LIMIT): without a limit, a script had a reset mail sent to an
    editor for every request it made, flooding their inbox from the site's own mail server.
    django-axes guards signing in, not this."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refused = refused_past_limit(
            request, scope="admin-password-reset", rate=settings.BYLINE_PASSWORD_RESET_RATE_LIMIT
        )
        if refused is not None:
            return refused
        return super().post(request, *args, **kwargs)
