"""Comment posting under concurrency, and post page render time as comments grow.

    .venv/bin/python bench/comments_bench.py render [--sizes 0,100,1000] [--repeat 20]
    .venv/bin/python bench/comments_bench.py post [--comments 400] [--concurrency 8]
                                                  [--workers 2]

Both build a scratch site in a temporary var/ with its own SQLite database, or use
DATABASE_URL when given (PostgreSQL: a scratch database is created and dropped).

`render` renders one post in-process through Django's test client (no HTTP server, no page
store) with 0, 100 and 1,000 approved comments (a third of them replies): median and p95
milliseconds and SQL queries per render; the query count must not change with the size.

`post` starts `byline serve` (granian, --workers N, no background worker) and has N clients
POST valid comments through the real form path (origin check, token, spam checks, moderation
`none`, rate limit lifted) as fast as they can: comments stored per second and the p50/p99
latency of a POST (answered with its 303).
"""

import argparse
import concurrent.futures
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scratch_env() -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="byline-bench-comments-"))
    env = {
        "BYLINE_VAR_DIR": str(scratch),
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "BYLINE_COMMENTS_MODERATION": "none",
        "BYLINE_COMMENTS_RATE_LIMIT": "1000000/s",
        "BYLINE_FORMGUARD_MIN_SECONDS": "0",
        "BYLINE_TASKS_IMMEDIATE": "1",
        "BYLINE_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "byline.settings",
    }
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = f"byline_bench_comments_{os.getpid()}"
        parts = urllib.parse.urlsplit(url)
        env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
        env["BENCH_PG_ADMIN_URL"] = url
        env["BENCH_PG_NAME"] = name
    else:
        env["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    return env


def setup_django(env: dict):
    os.environ.update(env)
    if "BENCH_PG_NAME" in env:
        import psycopg

        with psycopg.connect(env["BENCH_PG_ADMIN_URL"], autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{env["BENCH_PG_NAME"]}"')
            conn.execute(f'CREATE DATABASE "{env["BENCH_PG_NAME"]}"')
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    # Source static files, no collectstatic: override_settings also resets the storages.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    call_command("migrate", verbosity=0)
    from tests.factories import build_site_tree, make_post

    tree = build_site_tree()
    return make_post(tree.blog, title="Bench post", slug="bench-post")


def drop_pg(env: dict) -> None:
    if "BENCH_PG_NAME" in env:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(env["BENCH_PG_ADMIN_URL"], autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{env["BENCH_PG_NAME"]}" WITH (FORCE)')


def render(args) -> None:
    env = scratch_env()
    post = setup_django(env)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from byline.comments.models import CommentStatus, ReaderComment
    from byline.comments.text import render_body

    client = Client()
    print(f"database: {connection.vendor}; repeat: {args.repeat}")
    print(f"{'comments':>8} {'median ms':>9} {'p95 ms':>7} {'queries':>7} {'KiB':>6}")
    have = 0
    root = None
    for size in sorted(int(s) for s in args.sizes.split(",")):
        batch = []
        for i in range(have, size):
            if root is None:
                root = ReaderComment.objects.create(
                    post=post,
                    name="Root",
                    email="root@example.com",
                    body="Root comment",
                    status=CommentStatus.APPROVED,
                )
                continue
            body = f"Comment {i}: a paragraph of ordinary length, https://example.com/{i}\n\nTwo."
            reply = i % 3 == 0
            batch.append(
                ReaderComment(
                    post=post,
                    parent=root if reply else None,
                    depth=1 if reply else 0,
                    name=f"Reader {i}",
                    email=f"r{i}@example.com",
                    body=body,
                    body_html=render_body(body),
                    status=CommentStatus.APPROVED,
                )
            )
        ReaderComment.objects.bulk_create(batch, batch_size=500)
        have = size
        for _ in range(3):
            assert client.get(post.url).status_code == 200
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(post.url)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(post.url)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"{size:>8} {statistics.median(times):>9.1f} {p95:>7.1f} {len(queries):>7}"
            f" {len(response.content) / 1024:>6.0f}"
        )
    drop_pg(env)


def _post_one(port: int, path: str, body: bytes) -> tuple[float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    conn.request(
        "POST",
        path,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{port}",
            "Sec-Fetch-Site": "same-origin",
        },
    )
    status = conn.getresponse().status
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, status


def post(args) -> None:
    env = scratch_env()
    target = setup_django(env)
    from django.db import connection

    from byline.comments.models import ReaderComment
    from byline.core import formguard

    vendor = connection.vendor
    connection.close()
    port = args.port
    # `byline serve` wants hashed static files, as in production.
    subprocess.run(
        [str(ROOT / ".venv/bin/byline"), "collectstatic", "--noinput", "--verbosity", "0"],
        env={**os.environ, **env},
        check=True,
    )
    # granian straight on Django (what `byline serve` runs, minus the page store that POSTs
    # bypass), so the figures are the comment path's alone.
    with open(Path(env["BYLINE_VAR_DIR"]) / "serve.log", "w") as log:
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--working-dir",
                str(ROOT / "bench"),
                "comments_wsgi:application",
            ],
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        for _ in range(400):  # granian takes a while to start on a busy machine
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.3)
        token = formguard.form_token("comments.comment", now=time.time() - 60)
        path = f"/comments/post/{target.pk}/"
        bodies = [
            urllib.parse.urlencode(
                {
                    "name": f"Reader {i}",
                    "email": f"reader{i}@example.com",
                    "body": f"Comment number {i} under load.",
                    "formguard_token": token,
                    "phone": "",
                    "website": "",
                }
            ).encode()
            for i in range(args.comments)
        ]
        for warm in bodies[:5]:
            _post_one(port, path, warm.replace(b"Comment+number", b"Warm"))
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda b: _post_one(port, path, b), bodies))
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies = sorted(r[0] * 1000 for r in results)
    statuses = {s: sum(1 for r in results if r[1] == s) for s in {r[1] for r in results}}
    stored = ReaderComment.objects.filter(body__startswith="Comment number").count()
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"database: {vendor}; workers: {args.workers}; clients: {args.concurrency}; "
        f"posts: {args.comments}; statuses: {statuses}; stored: {stored}"
    )
    print(
        f"comments/s: {stored / wall:.1f}  p50: {statistics.median(latencies):.1f} ms  "
        f"p99: {cuts[98]:.1f} ms  max: {latencies[-1]:.1f} ms"
    )
    drop_pg(env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    r = sub.add_parser("render")
    r.add_argument("--sizes", default="0,100,1000")
    r.add_argument("--repeat", type=int, default=20)
    p = sub.add_parser("post")
    p.add_argument("--comments", type=int, default=400)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    {"render": render, "post": post}[args.what](args)


if __name__ == "__main__":
    main()
