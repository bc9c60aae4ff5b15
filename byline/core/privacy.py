"""Wagtail's page and document password forms, with a limit on guesses from one address;
documents behind a restriction served as private to one reader."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from wagtail.documents import get_document_model
from wagtail.documents.views.serve import (
    authenticate_with_password as authenticate_for_documents,
)
from wagtail.documents.views.serve import serve as serve_document
from wagtail.views import authenticate_with_password

from byline.core import formguard


def page_password(
    request: HttpRequest, page_view_restriction_id: int, page_id: int
) -> HttpResponse:
    """Wagtail's own view, behind a rate limit on submissions per address and restriction: a
    page's password is a short secret an editor chose, and a script could otherwise try
    thousands a minute. Every submission counts, right or wrong, so that a correct guess
    after the limit is refused too."""
    refused = refused_past_limit(
        request,
        scope=f"page-password:{page_view_restriction_id}",
        rate=settings.BYLINE_PAGE_PASSWORD_RATE_LIMIT,
    )
    if refused is not None:
        return refused
    _readable_return_url(request)
    return authenticate_with_password(request, page_view_restriction_id, page_id)


def document_password(request: HttpRequest, restriction_id: int) -> HttpResponse:
    """Wagtail's form for a password-protected collection of documents, under the same
    limit as pages' (BYLINE_PAGE_PASSWORD_RATE_LIMIT): unlimited, one worker took about 300
    guesses a second at a collection's password."""
    refused = refused_past_limit(
        request,
        scope=f"document-password:{restriction_id}",
        rate=settings.BYLINE_PAGE_PASSWORD_RATE_LIMIT,
    )
    if refused is not None:
        return refused
    _readable_return_url(request)
    return authenticate_for_documents(request, restriction_id)


def document_file(request: HttpRequest, document_id: str, document_filename: str) -> HttpResponse:
    """Wagtail's view of a document, marked `Cache-Control: private` when its collection is
    restricted: Wagtail sends only `Vary: Cookie`, which some CDNs ignore (they keep a PDF
    by its extension), and the copy one reader unlocked would be served to everyone."""
    response = serve_document(request, document_id, document_filename)
    if response.status_code in (200, 206, 304):
        document = (
            get_document_model().objects.filter(pk=document_id).select_related("collection").first()
        )
        if document is None or document.collection.get_view_restrictions().exists():
            patch_cache_control(response, private=True)
    return response


def _readable_return_url(request: HttpRequest) -> None:
    """A posted return_url that is a bare word ("x") becomes "/": Wagtail hands it to
    redirect(), which reads a word without "/" or "." as a view's name and raised
    NoReverseMatch, a 500 for a right password sent with a mangled form."""
    value = request.POST.get("return_url") if request.method == "POST" else None
    if value and "/" not in value and "." not in value:
        request.POST = request.POST.copy()
        request.POST["return_url"] = "/"


def refused_past_limit(
    request: HttpRequest, *, scope: str, rate: str, **counting: str
) -> HttpResponse | None:
    """The 429 page ("Too many tries") for a POST past `rate` in `scope` from its address,
    else None (also when `rate` is empty: no limit). Every POST counts, right or wrong.
    `counting`: what formguard.rate_limit counts instead of the address (`counted`,
    `message`)."""
    if request.method != "POST" or not rate:
        return None
    try:
        formguard.rate_limit(request, scope=scope, rate=rate, **counting)
    except formguard.Refused as refusal:
        response = TemplateResponse(
            request, "password_refused.html", {"message": refusal.message}, status=429
        )
        response["Retry-After"] = str(refusal.retry_after)
        response["Cache-Control"] = "no-store"
        return response
    return None
