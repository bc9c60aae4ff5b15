"""Feed and sitemap generation time over a synthetic site (see bench/search_bench.py for the
set-up). Each URL is fetched ROUNDS times through Django's test client, uncached.

    BYLINE_VAR_DIR=/tmp/bench-10k .venv/bin/python bench/feeds_bench.py [ROUNDS]
"""

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "byline.settings")
os.environ.setdefault("BYLINE_LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

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


def main(rounds: int) -> None:
    client = Client(HTTP_HOST="localhost")
    print(f"{PostPage.objects.published().count()} published posts; {rounds} rounds")
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        etag = response.get("ETag")
        started = time.perf_counter()
        conditional = client.get(url, headers={"If-None-Match": etag}) if etag else None
        revalidate = (time.perf_counter() - started) * 1000
        print(
            f"{url:28} median {statistics.median(samples):8.1f} ms  max {max(samples):8.1f} ms"
            f"  {len(response.content) / 1024:8.0f} KiB"
            + (f"  304 in {revalidate:.1f} ms" if conditional is not None else "")
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
