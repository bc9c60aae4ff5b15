"""Uncached render time and query count of reader pages as a site grows.

    .venv/bin/python bench/render_pages.py --sizes 1000,10000,100000 [--repeat 30] [--keep]
    .venv/bin/python bench/render_pages.py --sizes 100000 --var /tmp/site-100k


Builds a scratch site (its own SQLite database in a temporary var/, or DATABASE_URL if
given), loads the reference content, grows it to each size with `byline demo --posts`, and
renders each page in-process through Django's test client (no HTTP server, no page store):
median and p95 milliseconds and the number of SQL queries per page. The scratch directory
(a 100,000-post database is a few hundred MB) is deleted at the end unless --keep. --var
reuses a site built before (its db.sqlite3, grown only by what is missing) and keeps it.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000", help="comma-separated post counts")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--var", type=Path, help="an existing site's var/ to reuse and keep")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    if args.var:
        args.keep = True
        args.var.mkdir(parents=True, exist_ok=True)
    scratch = args.var or Path(tempfile.mkdtemp(prefix="byline-bench-"))
    try:
        run(args, sizes, scratch)
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def run(args: argparse.Namespace, sizes: list[int], scratch: Path) -> None:
    name = "db.sqlite3" if args.var else "bench.sqlite3"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / name}")
    os.environ["BYLINE_VAR_DIR"] = str(scratch)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["BYLINE_TASKS_IMMEDIATE"] = "1"
    os.environ.setdefault("BYLINE_REQUEST_LOG", "0")  # the figures, not a line per render
    os.environ["DJANGO_SETTINGS_MODULE"] = "byline.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from byline.blogs.counts import posts_changed
    from byline.blogs.models import BlogPage, PostPage

    # Hashed static names need collectstatic; the page's work is the same without them.
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": staticfiles}).enable()
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0)
    client = Client()
    print(f"database: {connection.vendor}; repeat: {args.repeat}")
    print(
        f"{'posts':>7}  {'page':<28} {'median ms':>9} {'p95 ms':>7} {'queries':>7} "
        f"{'after change':>12}"
    )
    have = PostPage.objects.count()
    for size in sizes:
        started = time.monotonic()
        if size > have:
            call_command("demo", posts=size - have, verbosity=0)
        grown = time.monotonic() - started
        have = max(have, size)
        blog = BlogPage.objects.get(slug="channel-strategy")
        newest = PostPage.objects.child_of(blog).published().first()
        year = newest.local_date.year
        pages = {
            "reference post": "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/",
            "synthetic post": newest.url,
            "blog front": "/blogs/channel-strategy/",
            "blog front, page 2": "/blogs/channel-strategy/?page=2",
            "blog archive": "/blogs/channel-strategy/archive/",
            "year listing": f"/blogs/channel-strategy/{year}/",
            "home": "/",
            "author page": "/authors/ada-okafor/",
            "tag page": "/tags/azure/",
        }
        total = PostPage.objects.count()
        print(f"# {total} posts (grown in {grown:.1f} s); load average {os.getloadavg()[0]:.1f}")
        for name, url in pages.items():
            for _ in range(3):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            times = []
            for _ in range(args.repeat):
                begin = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - begin) * 1000)
            # The test client's request_started clears the query log that the capture
            # slices, on every request: start it empty, and read the capture at once.
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            query_count = len(queries)
            # The first render after a post changed counts the listing's posts again
            # (byline/blogs/counts.py); every later one reads the counts kept.
            after_change = []
            for _ in range(max(3, args.repeat // 4)):
                posts_changed()
                begin = time.perf_counter()
                client.get(url)
                after_change.append((time.perf_counter() - begin) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(
                f"{total:>7}  {name:<28} {statistics.median(times):>9.1f} {p95:>7.1f} "
                f"{query_count:>7} {statistics.median(after_change):>12.1f}"
            )


if __name__ == "__main__":
    main()
