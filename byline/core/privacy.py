"""Wagtail's page password form, with a limit on guesses from one address."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from wagtail.views import authenticate_with_password

from byline.core import formguard


def page_password(
    request: HttpRequest, page_view_restriction_id: int, page_id: int
) -> HttpResponse:
    """Wagtail's own view, behind a rate limit on submissions per address and restriction: a
    page's password is a short secret an editor chose, and a script could otherwise try
    thousands a minute. Every submission counts, right or wrong, so that a correct guess
    after the limit is refused too."""
    if request.method == "POST" and settings.BYLINE_PAGE_PASSWORD_RATE_LIMIT:
        try:
            formguard.rate_limit(
                request,
                scope=f"page-password:{page_view_restriction_id}",
                rate=settings.BYLINE_PAGE_PASSWORD_RATE_LIMIT,
            )
        except formguard.Refused as refusal:
            response = TemplateResponse(
                request, "password_refused.html", {"message": refusal.message}, status=429
            )
            response["Retry-After"] = str(refusal.retry_after)
            response["Cache-Control"] = "no-store"
            return response
    return authenticate_with_password(request, page_view_restriction_id, page_id)
