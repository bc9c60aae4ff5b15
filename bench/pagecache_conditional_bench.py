"""Benchmark of a revalidation on the page store's hit path: the If-None-Match and
If-Modified-Since check of byline/pagecache/respond.py against the same rule through Django's
django.utils.http.parse_etags, and against django.utils.cache.get_conditional_response.

    .venv/bin/python bench/pagecache_conditional_bench.py [--rounds 7] [--number 200000]

A hit runs before Django, with the WSGI environ and no HttpRequest, so Django's function needs
a stand-in request; parse_etags can stand in for the hand-written loop as it is. Each figure is
the median over the rounds of this process's CPU time per call, in nanoseconds; "whole 304 hit"
is a request with a matching If-None-Match through PageStoreApp (key, file store, answer).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from types import SimpleNamespace

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
    "wsgi.url_scheme": "http",
}
ETAG = "0123456789abcdef0123456789abcdef"


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
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=200_000)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="byline-conditional-bench-"))
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
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils.cache import get_conditional_response
    from django.utils.http import parse_etags, parse_http_date_safe

    from byline.pagecache import keys, respond
    from byline.pagecache.store import Entry, get_store
    from byline.pagecache.wsgi import PageStoreApp

    def with_parse_etags(entry, environ) -> bool:
        """respond.not_modified, its If-None-Match loop replaced by parse_etags."""
        if_none_match = environ.get("HTTP_IF_NONE_MATCH", "")
        if if_none_match:
            if len(if_none_match) > respond.MAX_CONDITIONAL:
                return False
            tags = parse_etags(if_none_match)
            if tags == ["*"]:
                return True
            for tag in tags:
                opaque = tag.removeprefix("W/")[1:-1]
                if opaque == entry.etag or opaque.rsplit("-", 1)[0] == entry.etag:
                    return True
            return False
        since = environ.get("HTTP_IF_MODIFIED_SINCE", "")
        if since and len(since) < 100:
            parsed = parse_http_date_safe(since)
            return parsed is not None and int(entry.last_modified) <= parsed
        return False

    def with_get_conditional_response(entry, environ) -> bool:
        request = SimpleNamespace(META=environ, method=environ["REQUEST_METHOD"])
        etag = respond.representation_etag(entry, "identity")
        last_modified = int(entry.last_modified)
        return get_conditional_response(request, etag=etag, last_modified=last_modified) is not None

    body = b"<!doctype html><p>" + b"A post worth reading. " * 2000
    now = time.time()
    entry = Entry(
        200, [("Content-Type", "text/html")], {"identity": body}, ETAG, now - 60, now + 3600
    )
    key = keys.page_key(ENVIRON)
    store = get_store()
    assert store.put(key.key, entry, generation=store.generation())
    app = PageStoreApp(lambda environ, start_response: 1 / 0)  # a hit never reaches Django

    def start_response(status, headers, exc_info=None):
        return None

    cases = {
        "If-None-Match matches": {"HTTP_IF_NONE_MATCH": f'"{ETAG}"'},
        "W/ matches": {"HTTP_IF_NONE_MATCH": f'W/"{ETAG}"'},
        "3 tags, none matches": {"HTTP_IF_NONE_MATCH": '"a-br", "b-gzip", "c"'},
        "If-Modified-Since": {"HTTP_IF_MODIFIED_SINCE": respond._http_date(entry.last_modified)},
    }
    checks = {
        "hand-written": respond.not_modified,
        "parse_etags": with_parse_etags,
        "get_conditional_response": with_get_conditional_response,
    }
    for case, headers in cases.items():
        environ = {**ENVIRON, **headers}
        answers = {check(entry, environ) for check in checks.values()}
        assert len(answers) == 1, (case, answers)
        figures = " | ".join(
            f"{name} {per_call_ns(partial(check, entry, environ), args.number, args.rounds):.0f}"
            for name, check in checks.items()
        )
        print(f"{case} ({answers.pop()}): {figures} ns")

    revalidation = {**ENVIRON, **cases["If-None-Match matches"]}
    own = respond.not_modified
    figures = []
    for name, check in (("hand-written", own), ("parse_etags", with_parse_etags)):
        respond.not_modified = check
        try:
            ns = per_call_ns(
                lambda: app(dict(revalidation), start_response), args.number // 10, args.rounds
            )
        finally:
            respond.not_modified = own
        figures.append(f"{name} {ns:.0f}")
    print(f"whole 304 hit: {' | '.join(figures)} ns (Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
