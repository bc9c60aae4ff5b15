"""Search latency, p50 and p99, over a synthetic site.

    BYLINE_VAR_DIR=/tmp/bench-100k .venv/bin/byline migrate
    BYLINE_VAR_DIR=/tmp/bench-100k .venv/bin/byline demo --posts 100000   # indexed as it goes
    BYLINE_VAR_DIR=/tmp/bench-100k .venv/bin/byline collectstatic --noinput
    BYLINE_VAR_DIR=/tmp/bench-100k .venv/bin/byline serve --port 8123 --no-background &
    BYLINE_VAR_DIR=/tmp/bench-100k .venv/bin/python bench/search_bench.py \\
        [--rounds 20] [--url http://127.0.0.1:8123]

Times the whole request (/search/?q=…: parsing, ranking, the page of posts, snippets,
template) and, separately, the ranking statement alone. With --url the request goes over HTTP
to a running `byline serve` (one keep-alive connection, one request at a time); without it,
through Django's test client in this process. The queries mix the synthetic site's vocabulary,
where every word is in nearly every post (the worst case: the ranking window fills), with
selective ones (tags, author names, absent words) and filters (a year and an author are
listed first; a quarter-of-the-site blog is walked).
"""

import argparse
import http.client
import os
import statistics
import time
from urllib.parse import quote, urlsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "byline.settings")
os.environ.setdefault("BYLINE_LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from wagtail.models import Site  # noqa: E402

from byline.blogs.models import Author, BlogPage, PostPage  # noqa: E402
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


def path_for(query: str) -> str:
    words, _, rest = query.partition("&")
    return f"/search/?q={quote(words)}" + (f"&{rest}" if rest else "")


def filters_for(query: str, root_path: str) -> tuple[str, engines.Filters]:
    words, *pairs = query.split("&")
    options = dict(pair.split("=", 1) for pair in pairs)
    blog = BlogPage.objects.filter(slug=options["blog"]).first() if "blog" in options else None
    author = Author.objects.filter(slug=options["author"]).first() if "author" in options else None
    return words, engines.Filters(
        site_path=root_path,
        blog_path=blog.path if blog else "",
        author_id=author.pk if author else None,
        year=int(options["year"]) if "year" in options else None,
    )


def http_getter(base: str):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)

    def get(path: str) -> int:
        connection.request("GET", path, headers={"Host": parts.netloc})
        response = connection.getresponse()
        response.read()
        return response.status

    return get


def client_getter():
    client = Client(HTTP_HOST="localhost")
    return lambda path: client.get(path).status_code


def report(label: str, samples: list[float]) -> None:
    print(
        f"{label:14} p50 {percentile(samples, 0.5):7.1f} ms   p99 "
        f"{percentile(samples, 0.99):7.1f} ms   mean {statistics.fmean(samples):7.1f} ms"
        f"   n={len(samples)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--url", help="a running `byline serve`, e.g. http://127.0.0.1:8123")
    args = parser.parse_args()
    get = http_getter(args.url) if args.url else client_getter()
    posts = PostPage.objects.published().count()
    how = f"over HTTP to {args.url}" if args.url else "through the test client"
    print(f"{posts} published posts; {args.rounds} rounds of {len(QUERIES)} queries, {how}")
    root = Site.objects.get(is_default_site=True).root_page
    plans = {query: filters_for(query, root.path) for query in QUERIES}
    for query in QUERIES:  # warm the caches and the connection
        assert get(path_for(query)) == 200, query
    whole, cpu, ranking, per_query = [], [], [], {query: [] for query in QUERIES}
    for _ in range(args.rounds):
        for query in QUERIES:
            started, cpu_started = time.perf_counter(), time.process_time()
            status = get(path_for(query))
            elapsed = (time.perf_counter() - started) * 1000
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert status == 200, (query, status)
            whole.append(elapsed)
            per_query[query].append(elapsed)
            words, filters = plans[query]
            started = time.perf_counter()
            engines.ranked_post_ids(parse(words), filters, window=RANK_WINDOW)
            ranking.append((time.perf_counter() - started) * 1000)
    report("whole request", whole)
    report("ranking only", ranking)
    if not args.url:
        # In-process, the CPU time a request used: what the request costs on a machine whose
        # other processes make wall-clock times wait for a core.
        report("request CPU", cpu)
    for query, samples in per_query.items():
        print(f"  {query:32} median {statistics.median(samples):7.1f} ms")


if __name__ == "__main__":
    main()
