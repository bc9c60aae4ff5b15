"""Feed, sitemap and robots.txt views: thin wrappers over feeds.py and sitemaps.py."""

from __future__ import annotations

import datetime

from django.contrib.sites.requests import RequestSite
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.html import escape
from django.utils.http import http_date
from django.views import View
from django.views.decorators.http import require_safe

from byline.feeds.feeds import FEED_CLASSES
from byline.feeds.sitemaps import MAX_URLS, AuthorSitemap, PageSitemap, PostSitemap, TagSitemap


@require_safe
def feed(request: HttpRequest, kind: str, fmt: str, **slug) -> HttpResponse:
    # A Feed instance per request: PostFeed keeps the request and the source on itself.
    return FEED_CLASSES[fmt]()(request, kind=kind, slug=next(iter(slug.values()), ""))


class SitemapView(View):
    """/sitemap.xml: one sitemap while the site has at most `max_urls` URLs, an index of
    per-section sitemaps (/sitemap-<section>.xml?p=N) past that, as sitemaps.org requires.

    The XML is written here rather than by django.contrib.sitemaps' templates, which took
    ~0.3 ms a URL (15 s for a full 50,000-URL file); the Sitemap classes still do the paging.
    """

    max_urls = MAX_URLS
    sections = {
        "pages": PageSitemap,
        "posts": PostSitemap,
        "authors": AuthorSitemap,
        "tags": TagSitemap,
    }

    def get(self, request: HttpRequest, section: str | None = None) -> HttpResponse:
        sitemaps = {name: cls(request, limit=self.max_urls) for name, cls in self.sections.items()}
        if section is not None:
            if section not in sitemaps:
                raise Http404("No such sitemap")
            return self.urlset(request, [sitemaps[section]], page=request.GET.get("p", "1"))
        if sum(sitemap.paginator.count for sitemap in sitemaps.values()) <= self.max_urls:
            return self.urlset(request, list(sitemaps.values()), page="1")
        return self.index(request, sitemaps)

    def urlset(self, request: HttpRequest, sitemaps: list, *, page: str) -> HttpResponse:
        if not (page.isascii() and page.isdigit()) or len(page) > 9:
            raise Http404("No such page")
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<urlset xmlns="{SITEMAP_NS}">\n']
        latest = None
        for sitemap in sitemaps:
            try:
                urls = sitemap.get_urls(page=int(page), site=RequestSite(request))
            except (EmptyPage, PageNotAnInteger):
                raise Http404("No such page") from None
            for url in urls:
                parts.append(f"<url><loc>{escape(url['location'])}</loc>")
                if url["lastmod"]:
                    parts.append(f"<lastmod>{_w3c(url['lastmod'])}</lastmod>")
                    latest = max(latest, url["lastmod"]) if latest else url["lastmod"]
                parts.append("</url>\n")
        parts.append("</urlset>\n")
        return _xml_response(request, "".join(parts), latest)

    def index(self, request: HttpRequest, sitemaps: dict) -> HttpResponse:
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<sitemapindex xmlns="{SITEMAP_NS}">\n',
        ]
        latest = None
        for name, sitemap in sitemaps.items():
            url = request.build_absolute_uri(reverse("feeds:sitemap-section", args=[name]))
            lastmod = sitemap.get_latest_lastmod()
            if lastmod:
                latest = max(latest, lastmod) if latest else lastmod
            for number in sitemap.paginator.page_range:
                loc = url if number == 1 else f"{url}?p={number}"
                parts.append(f"<sitemap><loc>{escape(loc)}</loc>")
                if lastmod:
                    parts.append(f"<lastmod>{_w3c(lastmod)}</lastmod>")
                parts.append("</sitemap>\n")
        parts.append("</sitemapindex>\n")
        return _xml_response(request, "".join(parts), latest)


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _w3c(moment) -> str:
    """W3C Datetime to the second, in UTC, as sitemaps.org shows it."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _xml_response(request: HttpRequest, body: str, last_modified) -> HttpResponse:
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    # Search engines need not show a sitemap as a result (as django.contrib.sitemaps does).
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    return (
        get_conditional_response(
            request,
            last_modified=int(last_modified.timestamp()) if last_modified else None,
            response=response,
        )
        or response
    )


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read everything but the admin and search results (endless, thin pages);
    the sitemap line is absolute, as the robots.txt standard (RFC 9309) asks."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('feeds:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
