"""Reader URLs of the feeds app: feeds for the site, each blog, author and tag; sitemaps."""

from django.urls import path

from byline.feeds import views
from byline.feeds.sources import FORMATS

app_name = "feeds"

PREFIXES = {
    "site": "",
    "blog": "blogs/<uslug:blog>/",
    "author": "authors/<uslug:author>/",
    "tag": "tags/<uslug:tag>/",
}

urlpatterns = [
    path(
        f"{prefix}{suffix}",
        views.feed,
        {"kind": kind, "fmt": fmt},
        name=f"{kind}-{fmt}",
    )
    for kind, prefix in PREFIXES.items()
    for fmt, (suffix, _label) in FORMATS.items()
] + [
    path("sitemap.xml", views.SitemapView.as_view(), name="sitemap"),
    # Before sitemap-<section>.xml, which would take "news" for a section.
    path("sitemap-news.xml", views.news_sitemap, name="sitemap-news"),
    path("sitemap-<slug:section>.xml", views.SitemapView.as_view(), name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("manifest.webmanifest", views.web_app_manifest, name="manifest"),
]
