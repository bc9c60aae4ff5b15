"""Two `byline serve` processes sharing one page store and one database: a change made
anywhere is seen through either at once."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from byline.pagecache.tests.conftest import REDIS_TEST_URL, STORES
from tests.ports import free_port

BYLINE = [sys.executable, "-m", "byline.cli"]
POST = "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/"
APPROVE_A_COMMENT = """
from byline.blogs.models import PostPage
from byline.comments.models import ReaderComment
post = PostPage.objects.get(slug="why-partners-like-steve-ballmer")
comment = ReaderComment.objects.create(
    post=post, name="Reader", email="r@example.com", body="Shared store works", status="pending"
)
comment.status = "approved"
comment.save()
"""
RETITLE_THE_POST = """
from byline.blogs.models import PostPage

post = PostPage.objects.get(slug="why-partners-like-steve-ballmer")
post.title = "Why partners still like Steve Ballmer"
post.save_revision().publish()
"""


def get(port: int, path: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("X-Byline-Cache", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", error.read()


@pytest.fixture(scope="module", params=STORES)
def site_env(request, tmp_path_factory, migrated_sqlite):
    tmp_path = tmp_path_factory.mktemp("two-servers")
    shutil.copyfile(migrated_sqlite, tmp_path / "serve.sqlite3")
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "BYLINE_DEBUG": "1",  # unhashed static names: no collectstatic needed
        "BYLINE_PAGECACHE_DIR": str(tmp_path / "pagecache"),
        "BYLINE_PAGECACHE_REDIS_URL": "off",
    }
    env.pop("REDIS_URL", None)
    prefix = f"byline-test-two-servers-{uuid.uuid4().hex}:"
    if request.param == "redis":
        env.update(BYLINE_PAGECACHE_REDIS_URL=REDIS_TEST_URL, BYLINE_PAGECACHE_PREFIX=prefix)
    subprocess.run([*BYLINE, "demo", "-v0"], env=env, check=True, capture_output=True)
    yield env
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_TEST_URL)
        names = list(client.scan_iter(match=f"{prefix}*"))
        if names:
            client.delete(*names)


@pytest.fixture
def two_servers(site_env):
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [*BYLINE, "serve", "--port", str(port), "--workers", "1", "--no-background"],
            env=site_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if get(port, "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.3)
            else:
                pytest.fail(f"byline serve on {port} did not start")
        yield ports
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def change(site_env, code: str) -> None:
    subprocess.run([*BYLINE, "shell", "-c", code], env=site_env, check=True, capture_output=True)


def warm(port: int, path: str) -> None:
    # The first render may be refused by the store (a change raced it: Wagtail fills in
    # image sizes on first use); a later one is kept.
    for _ in range(5):
        if get(port, path)[1] == "hit":
            return
    pytest.fail(f"{path} never came from the store")


def test_a_change_is_seen_through_every_server_at_once(two_servers, site_env):
    a, b = two_servers
    warm(a, POST)
    # Rendered through one server, served by the other from the shared store.
    assert get(b, POST)[1] == "hit"
    warm(b, "/blogs/bekkers-blog/")
    assert get(a, "/blogs/bekkers-blog/")[1] == "hit"

    change(site_env, APPROVE_A_COMMENT)
    status, state, body = get(b, POST)
    assert status == 200 and state != "hit" and b"Shared store works" in body
    assert b"Shared store works" in get(a, POST)[2]

    change(site_env, RETITLE_THE_POST)
    for port in (a, b):
        status, state, body = get(port, "/blogs/bekkers-blog/")
        assert b"still like Steve Ballmer" in body
        assert b"still like Steve Ballmer" in get(port, POST)[2]


# These tests share servers started once for the module and build on each other's
# changes: one test worker must run them all, in order (make test uses --dist loadgroup).
pytestmark = pytest.mark.xdist_group("test_two_servers")
