"""Fixtures for the page store: a store of each kind, a stored page to put in it, and a client
that goes through the store-serving layer in front of Django, as `byline serve` does."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from byline.pagecache import keys, store
from byline.pagecache.wsgi import PageStoreApp
from tests.factories import build_site_tree

# The Redis variant runs where Redis is part of the run (CI's second pass sets REDIS_URL),
# against its own database and key prefix, removed afterwards.
STORES = ["file", "redis"] if os.environ.get("REDIS_URL") else ["file"]
REDIS_TEST_URL = "redis://127.0.0.1:6379/0"


def stored_page(*, deps: list[str], collections: list[str]) -> store.Entry:
    """A small page as the store keeps it, good for an hour, under these tags."""
    return store.Entry(
        status=200,
        headers=[("Content-Type", "text/html")],
        bodies={"identity": b"page"},
        etag="e",
        last_modified=0.0,
        expires=time.time() + 3600,
        deps=list(deps),
        collections=list(collections),
    )


@pytest.fixture(params=STORES)
def page_store(request, settings, tmp_path):
    settings.BYLINE_PAGECACHE = True
    settings.BYLINE_PAGECACHE_DIR = tmp_path / "pagecache"
    if request.param == "redis":
        prefix = f"byline-test-pagecache-{uuid.uuid4().hex}:"
        settings.BYLINE_PAGECACHE_REDIS_URL = REDIS_TEST_URL
        settings.BYLINE_PAGECACHE_PREFIX = prefix
    else:
        settings.BYLINE_PAGECACHE_REDIS_URL = ""
    keys.reset_config()
    the_store = store.get_store()
    yield the_store
    if request.param == "redis":
        names = list(the_store.client.scan_iter(match=f"{prefix}*"))
        if names:
            the_store.client.delete(*names)
    store._stores.clear()
    keys.reset_config()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def state(self) -> str:
        return self.headers.get("x-byline-cache", "")

    @property
    def text(self) -> str:
        return self.body.decode()


class StoreClient:
    """Requests through PageStoreApp(Django), the way byline/wsgi.py builds it."""

    def __init__(self, host: str = "localhost"):
        self.app = PageStoreApp(WSGIHandler())
        self.factory = RequestFactory()
        self.host = host

    def request(self, method: str, path: str, **headers) -> Answer:
        headers.setdefault("HTTP_HOST", self.host)
        environ = self.factory.generic(method, path, **headers).environ
        captured = {}

        def start_response(status, response_headers, exc_info=None):
            captured["status"] = int(status.split()[0])
            captured["headers"] = {k.lower(): v for k, v in response_headers}

        # As Django's test client does: the test's transaction must survive the request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = self.app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return Answer(captured["status"], captured["headers"], body)

    def get(self, path: str, **headers) -> Answer:
        return self.request("GET", path, **headers)


@pytest.fixture
def reader(page_store):
    return StoreClient()


@pytest.fixture
def tree(db):
    return build_site_tree()


@pytest.fixture
def worker_queue(settings, reader, tree):
    """Tasks go to the database queue `byline serve` uses, run by its own worker; the
    publication's settings row (made by the first page ever served) is already there."""
    from byline.images.tests.test_background import DATABASE_TASKS, run_worker

    settings.TASKS = DATABASE_TASKS
    reader.get("/")
    run_worker()
