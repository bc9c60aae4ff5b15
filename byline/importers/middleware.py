"""Redirects for WordPress's query-string addresses (/?p=123), which no 404 ever reaches, and
for the comment feed of each imported post (/<post>/feed/, /?p=123&feed=rss2)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.urls import reverse
from wagtail.contrib.redirects.middleware import get_redirect
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Site

from byline.blogs.visibility import readable_q
from byline.comments.pages import commented_page

# WordPress's plain-permalink parameters. Wagtail's RedirectMiddleware acts on 404s only, but
# /?p=123 is the home page with a query string and answers 200, so these need a look first.
LEGACY_PARAMETERS = frozenset(
    {"p", "page_id", "attachment_id", "cat", "tag", "author", "feed", "m", "year", "monthnum"}
)
# WordPress gives every post and page a feed of its comments at <its address>feed/ (and
# feed/rss2/, feed/atom/ …) and at ?p=ID&feed=rss2.
_ITEM_FEED = re.compile(r"^(?P<page>/.+?/)feed/(?:(?:rss2|rss|rdf|atom)/)?$")
_ITEM_PARAMETERS = ("p", "page_id")


class LegacyQueryRedirectMiddleware:
    """Send /?p=ID, /?page_id=ID (and the like) to the imported page, as stored in
    Wagtail's redirects by `byline import-wordpress`; send an imported post's old comment
    feed to Byline's feed of its comments. Other requests pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        if not LEGACY_PARAMETERS.isdisjoint(request.GET):
            redirect = _legacy_redirect(request)
            if redirect is not None and redirect.link:
                if redirect.is_permanent:
                    return HttpResponsePermanentRedirect(redirect.link)
                return HttpResponseRedirect(redirect.link)
            if "feed" in request.GET:
                for name in _ITEM_PARAMETERS:
                    value = request.GET.get(name, "")
                    if value.isdigit():
                        feed = _comments_feed(request, f"{request.path}?{name}={value}")
                        if feed:
                            return HttpResponsePermanentRedirect(feed)
        response = self.get_response(request)
        if response.status_code == 404 and (match := _ITEM_FEED.match(request.path)):
            feed = _comments_feed(request, match["page"])
            if feed:
                return HttpResponsePermanentRedirect(feed)
        return response


def _legacy_redirect(request: HttpRequest) -> Redirect | None:
    """The redirect stored for this address, else for its WordPress parameters alone: a link
    shared on Facebook comes back as /?p=123&fbclid=…, a newsletter's with utm_* parameters,
    a comment's reply link as /?p=123&replytocom=4, and each is still the post's old address."""
    full = Redirect.normalise_path(request.get_full_path(), decode_unicode=False)
    redirect = get_redirect(request, full)
    if redirect is not None or request.path != "/":
        # WordPress's plain links are at its root; elsewhere (a search by author or year,
        # whose names WordPress shares) no second lookup.
        return redirect
    legacy = [
        part
        for part in request.META.get("QUERY_STRING", "").split("&")
        if part.partition("=")[0] in LEGACY_PARAMETERS
    ]
    path = Redirect.normalise_path(f"{request.path}?{'&'.join(legacy)}", decode_unicode=False)
    return get_redirect(request, path) if path != full else None


def _comments_feed(request: HttpRequest, old_path: str) -> str | None:
    """Byline's comment feed of the page at an old address: the page its redirect leads to
    (every imported post's and page's old address has one), else the page at that very
    path (a WordPress page that kept its address, /about/). None for a page readers may not
    see: its 404 stays a 404, and no redirect gives its id away."""
    if "\x00" in old_path:
        return None  # no page's address; PostgreSQL refuses a NUL in a query (a 500)
    redirect = get_redirect(request, Redirect.normalise_path(old_path, decode_unicode=False))
    if redirect is not None:
        pages = Page.objects.filter(pk=redirect.redirect_page_id)
    else:
        site = Site.find_for_request(request)
        if site is None:
            return None
        pages = Page.objects.filter(url_path=site.root_page.url_path + old_path.lstrip("/"))
    page_id = pages.filter(readable_q()).values_list("pk", flat=True).first()
    # Only a page with a comment feed: a blog's front or the home page has none, and a
    # redirect to a 404 would be worse than the 404.
    if page_id is None or commented_page(page_id) is None:
        return None
    return reverse("comments:post-feed", kwargs={"post_id": page_id})
