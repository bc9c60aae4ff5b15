"""Feed and sitemap generation time and queries over a synthetic site (see
bench/search_bench.py for the set-up). Each URL is fetched ROUNDS times through Django's test
client, uncached; every section the sitemap index lists is fetched too.

    BYLINE_VAR_DIR=/tmp/bench-10k .venv/bin/python bench/feeds_bench.py [ROUNDS]
"""

import os
import re
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "byline.settings")
os.environ.setdefault("BYLINE_LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from byline.blogs.models import PostPage  # noqa: E402

URLS = [
    "/feed/",
    "/atom/",
    "/feed.json",
    "/blogs/cloud-desk/feed/",
    "/authors/chen-wei/atom/",
    "/tags/azure/feed.json",
    "/sitemap.xml",
    "/robots.txt",
]
LOC = re.compile(rb"<loc>https?://[^/<]+(/[^<]*)</loc>")


def measure(client: Client, url: str, rounds: int) -> tuple[float, float, int, int, float | None]:
    """Median and max milliseconds, queries, KiB, and a revalidation's milliseconds."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Counted now: the next request's request_started signal empties the query log.
    query_count = len(queries)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    revalidate = None
    if etag := response.get("ETag"):
        started = time.perf_counter()
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        revalidate = (time.perf_counter() - started) * 1000
    size = len(response.content) // 1024
    return statistics.median(samples), max(samples), query_count, size, revalidate


def main(rounds: int) -> None:
    client = Client(HTTP_HOST="localhost")
    print(f"{PostPage.objects.published().count()} published posts; {rounds} rounds")
    index = client.get("/sitemap.xml").content
    sections = [match.decode() for match in LOC.findall(index)] if b"<sitemapindex" in index else []
    for url in URLS + sections:
        median, slowest, queries, size, revalidate = measure(client, url, rounds)
        print(
            f"{url:28} median {median:8.1f} ms  max {slowest:8.1f} ms  {queries:3} queries"
            f"  {size:6} KiB" + (f"  304 in {revalidate:.1f} ms" if revalidate else "")
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
