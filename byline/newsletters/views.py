"""Reader views: sign up, confirm, preferences and one-click unsubscribe; none needs an account
or JavaScript, and none is kept in the page store (each answer is for one reader)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from byline.core import formguard
from byline.newsletters import scopes, services, tokens
from byline.newsletters.forms import PreferencesForm, SignupForm
from byline.newsletters.models import Subscriber, SubscriberStatus


def _refused(request: HttpRequest, refusal: formguard.Refused) -> HttpResponse:
    """The page saying why a form was turned away, with the refusal's status (and when to
    try again, if it says)."""
    response = render(
        request, "newsletters/refused.html", {"message": refusal.message}, status=refusal.status
    )
    if refusal.retry_after:
        response["Retry-After"] = str(refusal.retry_after)
    return response


def _refused_origin(request: HttpRequest) -> HttpResponse | None:
    """The refusal page for a POST that did not come from this site's pages, else None."""
    try:
        formguard.check_origin(request)
    except formguard.Refused as refusal:
        return _refused(request, refusal)
    return None


def _link_problem(request: HttpRequest, error: tokens.BadToken, *, kind: str) -> HttpResponse:
    return render(
        request,
        "newsletters/link_problem.html",
        {"expired": error.expired, "kind": kind},
        status=400,
    )


@never_cache
@require_http_methods(["GET"])
def signup_page(request: HttpRequest) -> HttpResponse:
    """The form on a page of its own (?scope=blog:3), for links from anywhere."""
    target = scopes.resolve(request.GET.get("scope", scopes.ALL)) or scopes.resolve(scopes.ALL)
    form = SignupForm(initial={"scope": target.scope})
    return render(request, "newsletters/signup.html", {"form": form, "target": target})


@never_cache
@csrf_exempt  # the form sits on pages cached for everyone; formguard replaces the CSRF token
@require_http_methods(["POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    try:
        formguard.check_request(
            request, scope="newsletters", rate=settings.BYLINE_NEWSLETTERS_RATE_LIMIT
        )
    except formguard.Refused as refusal:
        return _refused(request, refusal)
    form = SignupForm(request.POST)
    if not form.is_valid():
        target = form.cleaned_data.get("scope") or scopes.resolve(scopes.ALL)
        return render(
            request, "newsletters/signup.html", {"form": form, "target": target}, status=400
        )
    try:
        services.subscription_request(
            email=form.cleaned_data["email"], scope=form.cleaned_data["scope"].scope
        )
    except services.Busy as busy:
        message = "We are receiving unusually many sign-ups. Please try again in an hour."
        return _refused(
            request, formguard.Refused(message, status=429, retry_after=busy.retry_after)
        )
    # The same answer whether a mail went or not: the form tells nobody who subscribes.
    return HttpResponseRedirect(reverse("newsletters:sent"), status=303)


@never_cache
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletters/sent.html")


@never_cache
@csrf_exempt  # the signed link is the proof; the origin is checked below
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners follow links in mail, and must not subscribe anyone); the
    button POSTs, and that confirms."""
    try:
        email, scope = tokens.read_confirm_token(token)
    except tokens.BadToken as error:
        return _link_problem(request, error, kind="confirm")
    target = scopes.resolve(scope)
    if target is None:
        return render(request, "newsletters/link_problem.html", {"gone": True}, status=404)
    if request.method == "POST":
        if (refused := _refused_origin(request)) is not None:
            return refused
        services.subscription_confirm(email=email, target=target)
        return render(
            request,
            "newsletters/confirmed.html",
            {
                "target": target,
                "preferences_url": reverse(
                    "newsletters:preferences", args=[tokens.manage_token(email)]
                ),
            },
        )
    return render(request, "newsletters/confirm.html", {"target": target, "email": email})


def _confirmed_subscriptions(subscriber: Subscriber) -> list:
    """The lists a reader gets; not those an import recorded that they have yet to confirm."""
    return list(subscriber.subscriptions.filter(confirmed=True).select_related("blog", "author"))


@never_cache
@csrf_exempt  # the signed link is the proof; the origin is checked below
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = tokens.read_manage_token(token)
    except tokens.BadToken as error:
        return _link_problem(request, error, kind="preferences")
    subscriber = Subscriber.objects.by_email(email).first()
    if subscriber is None or subscriber.status != SubscriberStatus.CONFIRMED:
        return render(request, "newsletters/preferences.html", {"subscriber": None})
    subscriptions = _confirmed_subscriptions(subscriber)
    saved = False
    if request.method == "POST":
        if (refused := _refused_origin(request)) is not None:
            return refused
        if "unsubscribe_all" in request.POST:
            services.subscriber_unsubscribe(email=email)
            return render(request, "newsletters/unsubscribed.html", {"everything": True})
        form = PreferencesForm(request.POST, subscriptions=subscriptions)
        if form.is_valid():
            subscriber = services.preferences_save(
                subscriber=subscriber,
                keep=set(form.cleaned_data["keep"]),
                frequency=form.cleaned_data["frequency"],
            )
            if subscriber.status != SubscriberStatus.CONFIRMED:
                return render(request, "newsletters/unsubscribed.html", {"everything": True})
            subscriptions = _confirmed_subscriptions(subscriber)
            saved = True
        else:
            return render(
                request,
                "newsletters/preferences.html",
                {"subscriber": subscriber, "form": form},
                status=400,
            )
    form = PreferencesForm(
        subscriptions=subscriptions,
        initial={"keep": [s.scope for s in subscriptions], "frequency": subscriber.frequency},
    )
    return render(
        request,
        "newsletters/preferences.html",
        {"subscriber": subscriber, "form": form, "saved": saved},
    )


@never_cache
@csrf_exempt  # RFC 8058: the mailbox provider POSTs here with no cookie and no token of ours
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click: a POST (the provider's, or the button's) leaves at once, with no further
    question; a GET (a person, or a link scanner) shows the button."""
    try:
        data = tokens.read_unsubscribe_token(token)
    except tokens.BadToken as error:
        return _link_problem(request, error, kind="unsubscribe")
    names = [t.name for t in map(scopes.resolve, data.scopes) if t is not None]
    if request.method == "POST":
        services.subscriber_unsubscribe(
            email=data.email, scope_list=data.scopes, issue_id=data.issue_id
        )
        return render(
            request,
            "newsletters/unsubscribed.html",
            {
                "names": names,
                "everything": not data.scopes,
                "preferences_url": reverse(
                    "newsletters:preferences", args=[tokens.manage_token(data.email)]
                ),
            },
        )
    return render(request, "newsletters/unsubscribe.html", {"names": names})
