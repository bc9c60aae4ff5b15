"""Benchmark of the page store's hit path in one process, without a server: the key of a
request (byline/pagecache/keys.py, run before Django on every request) remembered and
worked out afresh, and a whole hit through PageStoreApp (key, file store, answer).

    .venv/bin/python bench/pagecache_keys_bench.py [--tree DIR] [--rounds 7] [--number 200000]

--tree runs another checkout's byline package (e.g. `git archive COMMIT byline | tar -x -C
DIR`), so that one script compares the hit path before and after a change to the keys.
Each figure is the median over the rounds of the CPU time per call of this process, in
nanoseconds (CPU time, so that other work on the machine counts less than in wall time);
the hit path's is what a reader's request costs in Python before the server writes it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POST = "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/"
ENVIRON = {
    "REQUEST_METHOD": "GET",
    "PATH_INFO": POST,
    "QUERY_STRING": "",
    "SERVER_NAME": "127.0.0.1",
    "SERVER_PORT": "8000",
    "HTTP_HOST": "127.0.0.1:8000",
    "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
    "HTTP_COOKIE": "_ga=GA1.2.3",
    "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    "wsgi.url_scheme": "http",
}


def per_call_ns(function, number: int, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time_ns()
        for _ in range(number):
            function()
        times.append((time.process_time_ns() - start) / number)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=200_000)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="byline-keys-bench-"))
    try:
        run(args, var)
    finally:
        shutil.rmtree(var, ignore_errors=True)


def run(args: argparse.Namespace, var: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "byline.settings",
            "BYLINE_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'unused.sqlite3'}",
            "BYLINE_PAGECACHE_REDIS_URL": "off",
            "BYLINE_PAGECACHE": "1",
        }
    )
    sys.path.insert(0, str(args.tree.resolve()))
    import django

    django.setup()
    from byline.pagecache import keys
    from byline.pagecache.store import Entry, get_store
    from byline.pagecache.wsgi import PageStoreApp

    assert Path(keys.__file__).is_relative_to(args.tree.resolve()), keys.__file__
    key = keys.page_key(ENVIRON)
    body = b"<!doctype html><p>" + b"A post worth reading. " * 2000
    entry = Entry(
        200,
        [("Content-Type", "text/html; charset=utf-8")],
        {"identity": body},
        "e",
        0.0,
        time.time() + 3600,
        path=POST,
    )
    store = get_store()
    assert store.put(key.key, entry, generation=store.generation())

    def not_django(environ, start_response):
        raise AssertionError("a hit must not reach Django")

    app = PageStoreApp(not_django)

    def start_response(status, headers, exc_info=None):
        return None

    def hit():
        app(dict(ENVIRON), start_response)

    answer = []
    app(dict(ENVIRON), lambda status, headers, exc_info=None: answer.append(status))
    assert answer == ["200 OK"], answer

    fresh = [
        {**ENVIRON, "PATH_INFO": f"/blogs/bekkers-blog/2011/07/post-{n}/"} for n in range(4000)
    ]
    position = [0]

    def fresh_key():
        # A new address each call (a crawler's first visit): the key is worked out afresh.
        n = position[0] = (position[0] + 1) % len(fresh)
        if n == 0:
            keys._recent.clear()
        keys.page_key(fresh[n])

    remembered = per_call_ns(lambda: keys.page_key(ENVIRON), args.number, args.rounds)
    worked_out = per_call_ns(fresh_key, args.number // 10, args.rounds)
    whole_hit = per_call_ns(hit, args.number // 10, args.rounds)
    print(
        f"page_key remembered {remembered:.0f} ns | page_key afresh {worked_out:.0f} ns | "
        f"PageStoreApp hit {whole_hit:.0f} ns (median of {args.rounds} rounds; "
        f"Python {sys.version.split()[0]}, tree {args.tree})"
    )


if __name__ == "__main__":
    main()
