"""Search latency, p50 and p99, over a synthetic site.

    BYLINE_VAR_DIR=/tmp/bench-100k .venv/bin/byline migrate
    BYLINE_VAR_DIR=/tmp/bench-100k .venv/bin/byline demo --posts 100000
    BYLINE_VAR_DIR=/tmp/bench-100k .venv/bin/byline update_index
    BYLINE_VAR_DIR=/tmp/bench-100k .venv/bin/byline collectstatic --noinput
    BYLINE_VAR_DIR=/tmp/bench-100k .venv/bin/python bench/search_bench.py [ROUNDS]

Times the whole request (/search/?q=…, through Django's test client: parsing, ranking, the
page of posts, snippets, template) and, separately, the ranking statement alone. The queries
mix the synthetic site's vocabulary, where every word is in nearly every post (the worst case:
the ranking window fills), with selective ones (tags, author names, absent words) and
filters.
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
from wagtail.models import Site  # noqa: E402

from byline.blogs.models import PostPage  # noqa: E402
from byline.search import engines  # noqa: E402
from byline.search.query import parse  # noqa: E402
from byline.search.services import RANK_WINDOW  # noqa: E402

QUERIES = [
    "partner",
    "cloud security",
    '"managed service"',
    "licensing strategy roadmap",
    "copilot",
    "okafor",
    "azure identity",
    "nothinglikethis",
    "partner&year=2014",
    "cloud&blog=cloud-desk",
    "security&author=chen-wei",
    "margin&page=3",
]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main(rounds: int) -> None:
    client = Client(HTTP_HOST="localhost")
    posts = PostPage.objects.published().count()
    print(f"{posts} published posts; {rounds} rounds of {len(QUERIES)} queries")
    for query in QUERIES:  # warm the caches and the connection
        assert client.get(f"/search/?q={query}").status_code == 200
    whole, ranking = [], []
    root = Site.objects.get(is_default_site=True).root_page
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            response = client.get(f"/search/?q={query}")
            whole.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            words = query.split("&")[0]
            started = time.perf_counter()
            engines.ranked_post_ids(
                parse(words), engines.Filters(site_path=root.path), window=RANK_WINDOW
            )
            ranking.append((time.perf_counter() - started) * 1000)
    for label, samples in (("whole request", whole), ("ranking only", ranking)):
        print(
            f"{label:14} p50 {percentile(samples, 0.5):7.1f} ms   p99 "
            f"{percentile(samples, 0.99):7.1f} ms   mean {statistics.fmean(samples):7.1f} ms"
            f"   n={len(samples)}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
