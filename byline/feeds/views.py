"""Feed, sitemap and robots.txt views: thin wrappers over feeds.py and sitemaps.py."""

from __future__ import annotations

import datetime
import html
import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.html import escape
from django.utils.http import http_date
from django.views import View
from django.views.decorators.http import require_safe

from byline.feeds.feeds import FEED_CLASSES
from byline.feeds.sitemaps import POSTS_PER_SECTION, Section, SiteSitemap, news_items
from byline.feeds.sources import site_name, withdrawn_at


@require_safe
def feed(request: HttpRequest, kind: str, fmt: str, **slug) -> HttpResponse:
    # A Feed instance per request: PostFeed keeps the request and the source on itself.
    return FEED_CLASSES[fmt]()(request, kind=kind, slug=next(iter(slug.values()), ""))


class SitemapView(View):
    """/sitemap.xml: an index of sections (/sitemap-<section>.xml) and the news sitemap. On a
    site small enough (at most `single_file_posts` posts) one section, /sitemap-all.xml, holds
    every URL: a crawler reads two files (past that size /sitemap-all.xml redirects to the
    index). A sitemap file cannot name another, so even then /sitemap.xml is an index, which
    is how crawlers find /sitemap-news.xml beside robots.txt.

    The XML is written here rather than by django.contrib.sitemaps' templates, which took
    ~0.3 ms a URL.
    """

    single_file_posts = POSTS_PER_SECTION

    def get(self, request: HttpRequest, section: str | None = None) -> HttpResponse:
        sitemap = SiteSitemap(request)
        withdrawn = withdrawn_at()
        if section is not None and section != ALL:
            urls = list(sitemap.urls(section))
            if not urls and section.startswith("posts-"):
                raise Http404("No such sitemap")  # past the last post, or a gap in the ids
            return self.urlset(request, [urls], withdrawn=withdrawn)
        sections = sitemap.sections()
        small = sum(s.count or 0 for s in sections) <= self.single_file_posts
        if section == ALL:
            if not small:
                # The site outgrew one file: its URLs are in the sections the index lists. A
                # crawler that learnt this address while the site was small is sent there
                # (temporarily: were the site to shrink, the file would be back).
                return HttpResponseRedirect(reverse("feeds:sitemap"))
            everything = [sitemap.urls(s.name) for s in sections]
            return self.urlset(request, everything, withdrawn=withdrawn)
        if small:
            lastmod = max(filter(None, (s.lastmod for s in sections)), default=None)
            sections = [Section(ALL, None, lastmod)]
        return self.index(request, sections, withdrawn=withdrawn)

    def urlset(self, request: HttpRequest, sections: list, *, withdrawn) -> HttpResponse:
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<urlset xmlns="{SITEMAP_NS}">\n']
        latest = withdrawn
        for urls in sections:
            for location, lastmod in urls:
                # html.escape rather than Django's escape: same text, none of the SafeString
                # wrapping, and it runs once per URL.
                if lastmod is None:
                    parts.append(f"<url><loc>{html.escape(location)}</loc></url>\n")
                    continue
                parts.append(
                    f"<url><loc>{html.escape(location)}</loc>"
                    f"<lastmod>{_w3c(lastmod)}</lastmod></url>\n"
                )
                latest = lastmod if latest is None or lastmod > latest else latest
        parts.append("</urlset>\n")
        return _xml_response(request, "".join(parts), latest)

    def index(self, request: HttpRequest, sections: list[Section], *, withdrawn) -> HttpResponse:
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<sitemapindex xmlns="{SITEMAP_NS}">\n',
        ]
        latest = withdrawn
        for section in sections:
            loc = request.build_absolute_uri(reverse("feeds:sitemap-section", args=[section.name]))
            parts.append(f"<sitemap><loc>{escape(loc)}</loc>")
            # A withdrawal (an unpublish, a restriction, a move) takes a URL out of a section
            # without making anything in it newer; which section is not known here, so every
            # one is as new as the last withdrawal, for crawlers to read them again.
            lastmod = max(filter(None, [section.lastmod, withdrawn]), default=None)
            if lastmod:
                parts.append(f"<lastmod>{_w3c(lastmod)}</lastmod>")
                latest = max(filter(None, [latest, lastmod]))
            parts.append("</sitemap>\n")
        news = request.build_absolute_uri(reverse("feeds:sitemap-news"))
        parts.append(f"<sitemap><loc>{escape(news)}</loc></sitemap>\n")
        parts.append("</sitemapindex>\n")
        return _xml_response(request, "".join(parts), latest)


# The section of every URL on a small site.
ALL = "all"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


@require_safe
def news_sitemap(request: HttpRequest) -> HttpResponse:
    """/sitemap-news.xml: the posts of the last two days for Google News, each with its
    publication (the site's name, the language's primary subtag), date and title."""
    publication = (
        f"<news:publication><news:name>{html.escape(site_name(request))}</news:name>"
        f"<news:language>{html.escape(settings.LANGUAGE_CODE.split('-')[0].lower())}"
        "</news:language></news:publication>"
    )
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n',
    ]
    items = news_items(request)
    for item in items:
        parts.append(
            f"<url><loc>{html.escape(item.loc)}</loc><news:news>{publication}"
            f"<news:publication_date>{_w3c(item.published)}</news:publication_date>"
            f"<news:title>{html.escape(item.title)}</news:title></news:news></url>\n"
        )
    parts.append("</urlset>\n")
    changes = [item.modified for item in items] + [withdrawn_at()]
    return _xml_response(request, "".join(parts), max(filter(None, changes), default=None))


def _w3c(moment) -> str:
    """W3C Datetime to the second, in UTC, as sitemaps.org shows it."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds")


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
        f"Sitemap: {request.build_absolute_uri(reverse('feeds:sitemap-news'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def web_app_manifest(request: HttpRequest) -> HttpResponse:
    """/manifest.webmanifest: the site's name, colours and icons for "Add to home screen"
    (W3C Web Application Manifest); the icons are the favicon's drawing at app sizes."""
    name = site_name(request)
    manifest = {
        "name": name,
        "short_name": name if len(name) <= 12 else name.split()[0][:12],
        "start_url": "/",
        "scope": "/",
        "display": "browser",
        "background_color": "#fffefb",
        "theme_color": "#9b1c1c",
        "icons": [
            {"src": static("img/favicon.svg"), "type": "image/svg+xml", "sizes": "any"},
            {"src": static("img/icon-192.png"), "type": "image/png", "sizes": "192x192"},
            {"src": static("img/icon-512.png"), "type": "image/png", "sizes": "512x512"},
        ],
    }
    return HttpResponse(
        json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json"
    )
