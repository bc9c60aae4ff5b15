"""What "published and public" costs reader pages: renders with no view restriction, with a
whole blog restricted, and with 100 single posts restricted, on one built site.

    .venv/bin/python bench/privacy_bench.py --var /tmp/site-100k [--repeat 20]

Needs a site built by bench/render_pages.py (--var keeps it). Renders in-process through
Django's test client (no page store): median ms and queries per page, and the first render
after the change (which recounts the listings). The restrictions are removed at the end.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var", type=Path, required=True, help="a site's var/ (render_pages)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{args.var / 'db.sqlite3'}")
    os.environ["BYLINE_VAR_DIR"] = str(args.var)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["BYLINE_TASKS_IMMEDIATE"] = "1"
    os.environ.setdefault("BYLINE_REQUEST_LOG", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "byline.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from wagtail.models import PageViewRestriction

    from byline.blogs.models import BlogPage, PostPage

    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": staticfiles}).enable()
    client = Client()
    measured = BlogPage.objects.get(slug="channel-strategy")
    other = BlogPage.objects.exclude(pk=measured.pk).exclude(slug="bekkers-blog").first()
    pages = {
        "home": "/",
        "blog front": f"/blogs/{measured.slug}/",
        "blog archive": f"/blogs/{measured.slug}/archive/",
        "author page": "/authors/ada-okafor/",
        "tag page": "/tags/azure/",
        "site feed": "/feed/",
        "sitemap posts-0": "/sitemap-posts-0.xml",
        "search": "/search/?q=partner",
        "post": PostPage.objects.child_of(measured).published().first().url,
    }

    def measure(label: str) -> None:
        print(f"# {label}; load average {os.getloadavg()[0]:.1f}")
        for name, url in pages.items():
            first_start = time.perf_counter()
            assert client.get(url).status_code == 200, url
            first = (time.perf_counter() - first_start) * 1000
            times = []
            for _ in range(args.repeat):
                begin = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - begin) * 1000)
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            print(
                f"  {name:<18} {statistics.median(times):>8.1f} ms {len(queries):>4} queries"
                f"   first after the change {first:>7.1f} ms"
            )

    created = []
    try:
        measure("no restriction")
        created.append(
            PageViewRestriction.objects.create(page=other, restriction_type="login", password="")
        )
        measure(f"one blog restricted ({other.title}, {other.get_children().count()} posts)")
        for post in PostPage.objects.child_of(measured).published()[10:110]:
            created.append(
                PageViewRestriction.objects.create(
                    page=post, restriction_type="password", password="x"
                )
            )
        measure("and 100 posts of the measured blog restricted one by one")
    finally:
        for restriction in created:
            restriction.delete()


if __name__ == "__main__":
    main()
