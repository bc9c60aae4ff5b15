"""The author contact page and its confirmation (post/redirect/get)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from byline.blogs.models import Author
from byline.core import formguard
from byline.mailguard.forms import ContactForm
from byline.mailguard.services import contact_message_send


def _author(slug: str) -> Author:
    # Only authors with an address can be written to.
    return get_object_or_404(Author.objects.exclude(email=""), slug=slug)


@csrf_exempt  # formguard stands in for the per-reader CSRF token: the form page is cached
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    author = _author(slug)
    refusal = None
    if request.method == "POST":
        form = ContactForm(request.POST)
        try:
            formguard.check_request(
                request, scope="mailguard.contact", rate=settings.BYLINE_CONTACT_RATE_LIMIT
            )
        except formguard.Refused as error:
            refusal = error
        else:
            if form.is_valid():
                contact_message_send(
                    author=author,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    subject=form.cleaned_data["subject"],
                    message=form.cleaned_data["message"],
                )
                return redirect("mailguard:contact-sent", slug=author.slug)
    else:
        form = ContactForm()
    response = TemplateResponse(
        request,
        "mailguard/contact.html",
        {"author": author, "form": form, "refusal": refusal and refusal.message},
        status=refusal.status if refusal else 200,
    )
    if refusal is not None and refusal.retry_after:
        response["Retry-After"] = str(refusal.retry_after)
    return response


@require_http_methods(["GET", "HEAD"])
def contact_sent(request: HttpRequest, slug: str) -> HttpResponse:
    return TemplateResponse(request, "mailguard/contact_sent.html", {"author": _author(slug)})
