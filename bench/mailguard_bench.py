"""Render-time cost of e-mail protection on the reference post, and on pathological pages.

    .venv/bin/python bench/mailguard_bench.py [--repeat 200]

Builds a scratch site (its own SQLite database in a temporary var/), loads the reference
content, and renders the reference post in-process through Django's test client (no HTTP
server, no page store) with and without MailguardMiddleware, alternating the two so that load
from elsewhere on the machine hits both alike. Then times protect_html() alone: on the
reference post as rendered (what the middleware adds to a render), on the same post with an
editor's addresses in its body, and on a 1 MB page with none and with 5,000 addresses.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:8.3f} ms   p95 {p95 * 1000:8.3f} ms"


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="byline-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ["BYLINE_VAR_DIR"] = str(scratch)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["BYLINE_TASKS_IMMEDIATE"] = "1"
    os.environ["BYLINE_REQUEST_LOG"] = "0"  # one log line per render would be timed too
    os.environ["DJANGO_SETTINGS_MODULE"] = "byline.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from byline.blogs.models import BlogPage
    from byline.demo.reference import POST_SLUG, load_reference_content
    from byline.mailguard.directory import AuthorDirectory
    from byline.mailguard.protect import protect_html
    from tests.factories import make_post

    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": staticfiles}).enable()
    call_command("migrate", verbosity=0)
    load_reference_content()
    post_url = f"/blogs/bekkers-blog/2011/07/{POST_SLUG}/"
    editor_post = make_post(
        BlogPage.objects.get(slug="bekkers-blog"),
        slug="addresses",
        body=[
            (
                "paragraph",
                '<p>Mail <a href="mailto:sbekker@example.com">sbekker@example.com</a>, '
                "sbekker&#64;example.com, tips@example.org or newsdesk%40example.org.</p>",
            )
        ],
    )

    # A test client builds its middleware chain on its first request and keeps it: one
    # client per stack, each first used under its own MIDDLEWARE.
    with_guard = list(settings.MIDDLEWARE)
    without_guard = [name for name in with_guard if not name.endswith("MailguardMiddleware")]
    clients = {"with": Client(), "without": Client()}
    for label, stack in (("with", with_guard), ("without", without_guard)):
        with override_settings(MIDDLEWARE=stack):
            assert clients[label].get(post_url).status_code == 200
    plain = clients["without"].get(editor_post.url).content.decode()
    assert "sbekker@example.com" in plain, "the unguarded client must see the plain address"
    for url in (post_url, editor_post.url):
        samples = {"with": [], "without": []}
        for _ in range(args.repeat):
            for label in ("with", "without"):
                started = time.perf_counter()
                clients[label].get(url)
                samples[label].append(time.perf_counter() - started)
        print(f"render {url} ({args.repeat} renders each)")
        for label in ("without", "with"):
            print(f"  {label + ' mailguard':<20} {summary(samples[label])}")
        extra = statistics.median(samples["with"]) - statistics.median(samples["without"])
        print(f"  difference of medians {extra * 1000:+.3f} ms")

    directory = AuthorDirectory()
    dict(directory)  # read the authors once, as the middleware does per response
    reference_html = clients["without"].get(post_url).content.decode()
    editor_html = plain
    filler = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 16 + "</p>\n"
    quiet = "<html><body>" + filler * (1_000_000 // len(filler)) + "</body></html>"
    rows = "".join(
        f'<li><a href="mailto:user{n}@example{n % 9}.com">user{n}@example{n % 9}.com</a> '
        f"{'x' * 120}</li>\n"
        for n in range(5000)
    )
    busy = f"<html><body><ul>{rows}</ul></body></html>"
    print("protect_html() alone")
    for label, html, repeat in [
        (f"reference post, {len(reference_html):,} chars", reference_html, args.repeat),
        (f"post with 5 addresses, {len(editor_html):,} chars", editor_html, args.repeat),
        (f"1 MB page, no address, {len(quiet):,} chars", quiet, 20),
        (f"5,000 addresses, {len(busy):,} chars", busy, 5),
    ]:
        print(f"  {label:<42} {summary(timed(lambda h=html: protect_html(h, directory), repeat))}")


if __name__ == "__main__":
    main()
