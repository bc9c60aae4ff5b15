"""Two `byline serve` processes on one database and one cache are one site: a login, a rate-limit
count and a publishing change made through one are seen through the other at once.

With DATABASE_URL on PostgreSQL and REDIS_URL set (CI's second run) the two servers share a
scratch PostgreSQL database and Redis; otherwise they share one SQLite file and the file cache
of one var/ directory, so the test always runs.
"""

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from html import unescape
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from tests.test_serve import free_port

BYLINE = [sys.executable, "-m", "byline.cli"]
POST_PATH = "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/"


def on_postgres_and_redis() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(
        os.environ.get("REDIS_URL")
    )


class Browser:
    """Just enough of a browser: cookies per host, no redirects followed, Origin on POST."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, data: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Host": f"127.0.0.1:{port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{port}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, dict(response.getheaders()), content

    def get(self, port, path):
        return self.request(port, "GET", path)

    def post(self, port, path, data):
        return self.request(port, "POST", path, data)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)" name="{name}"', html
    )
    assert match, f"no {name} in the page"
    return unescape(match.group(1))


def redis_url_of_its_own(url: str) -> str:
    """`url` with a database no test worker uses: each worker's cache.clear() (conftest)
    empties its whole database, and the servers' counters, sessions and pages with it."""
    named = re.search(r"/(\d+)$", url)
    base = int(named.group(1)) if named else 15
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    workers = {max(base - index, 0) for index in range(count)}
    free = [db for db in range(base - count, -1, -1) if db not in workers] or [
        db for db in range(16) if db not in workers
    ]
    return re.sub(r"/\d*$", "", url) + f"/{free[0]}"


@pytest.fixture(scope="module")
def shared_env(request, tmp_path_factory):
    """One migrated site with the demo content, on PostgreSQL or SQLite (see the docstring)."""
    var = tmp_path_factory.mktemp("scale_out")
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(var),
        "BYLINE_DEBUG": "1",  # unhashed static names: no collectstatic needed here
        "BYLINE_FORMGUARD_MIN_SECONDS": "0",
        "BYLINE_COMMENTS_MODERATION": "none",
        "BYLINE_COMMENTS_RATE_LIMIT": "2/h",
        "BYLINE_REQUEST_LOG": "0",
    }
    scratch_db = None
    if on_postgres_and_redis():
        url = urlsplit(os.environ["DATABASE_URL"])
        scratch_db = f"byline_scale_{uuid.uuid4().hex[:8]}"
        admin_url = urlunsplit(url._replace(path="/postgres"))
        subprocess.run(["psql", admin_url, "-c", f"CREATE DATABASE {scratch_db}"], check=True)
        env["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{scratch_db}"))
        env["BYLINE_CACHE_PREFIX"] = scratch_db  # keys apart from other runs' too
        env["REDIS_URL"] = redis_url_of_its_own(os.environ["REDIS_URL"])
        migrate = [*BYLINE, "migrate", "--noinput", "-v0"]
        subprocess.run(migrate, env=env, check=True, capture_output=True)
    else:
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), var / "shared.sqlite3")
        env["DATABASE_URL"] = f"sqlite:///{var / 'shared.sqlite3'}"
        env.pop("REDIS_URL", None)
    subprocess.run([*BYLINE, "demo", "-v0"], env=env, check=True, capture_output=True)
    env["ADMIN_PASSWORD"] = (var / "admin-password").read_text().strip()
    yield env
    if scratch_db:
        import redis

        client = redis.Redis.from_url(env["REDIS_URL"])
        for key in client.scan_iter(match=f"*{scratch_db}*"):
            client.delete(key)
        subprocess.run(
            ["psql", admin_url, "-c", f"DROP DATABASE IF EXISTS {scratch_db} WITH (FORCE)"],
            check=False,
            capture_output=True,
        )


@pytest.fixture(scope="module")
def servers(shared_env):
    """Two app servers (ports) in front of the one site."""
    ports = [free_port(), free_port()]
    log = open(os.path.join(shared_env["BYLINE_VAR_DIR"], "servers.log"), "wb")  # noqa: SIM115
    processes = [
        subprocess.Popen(
            [*BYLINE, "serve", "--port", str(port), "--workers", "1", "--no-background"],
            env=shared_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for port in ports
    ]
    try:
        for port in ports:
            # Generous: starting Django and granian on a busy CI machine can take a while.
            deadline = time.monotonic() + 180
            while True:
                try:
                    if Browser().get(port, "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"no server on port {port} within 180 s"
                time.sleep(0.3)
        yield ports
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


@pytest.fixture(scope="module")
def editor(servers, shared_env):
    """An editor signed in through the first server's login form."""
    first, _ = servers
    browser = Browser()
    _, _, page = browser.get(first, "/admin/login/")
    status, headers, _ = browser.post(
        first,
        "/admin/login/",
        {
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
            "username": "admin",
            "password": shared_env["ADMIN_PASSWORD"],
            "next": "/admin/",
        },
    )
    assert status == 302, "the admin could not sign in"
    return browser


def test_the_servers_share_the_backends_ci_asks_for(servers, shared_env, settings):
    """Guard against the test quietly testing less than it says on PostgreSQL and Redis."""
    if on_postgres_and_redis():
        assert shared_env["DATABASE_URL"].startswith("postgres")
        assert shared_env.get("REDIS_URL")
        # Not the Redis database this test worker (or another) clears before every test.
        assert shared_env["REDIS_URL"] != settings.CACHES["default"]["LOCATION"]
    else:
        assert shared_env["DATABASE_URL"].startswith("sqlite")
        assert "REDIS_URL" not in shared_env


def test_a_login_through_one_server_is_a_login_through_the_other(servers, editor):
    _, second = servers
    status, _, page = editor.get(second, "/admin/")
    assert status == 200
    assert "Dashboard" in page or "wagtail" in page.lower()
    # A stranger without the session cookie is sent to the login form by the same server.
    assert Browser().get(second, "/admin/")[0] == 302


def comment(browser: Browser, port: int, body: str) -> int:
    _, _, page = browser.get(port, POST_PATH)
    action = re.search(r'action="(/comments/post/\d+/)"', page).group(1)
    status, _, _ = browser.post(
        port,
        action,
        {
            "name": "Ann Reader",
            "email": "ann@example.com",
            "website": "",
            "body": body,
            # the comment form's own token (the newsletter form above it has another)
            "formguard_token": hidden(page[page.index(action) :], "formguard_token"),
            "phone": "",
        },
    )
    return status


def test_the_comment_rate_limit_counts_across_servers(servers):
    """2 comments an hour per address: two through the first server use the allowance, so the
    third, through the second server, is refused with 429."""
    first, second = servers
    reader = Browser()
    assert comment(reader, first, "First thoughts from the first server.") == 303
    assert comment(reader, first, "Second thoughts from the first server.") == 303
    assert comment(reader, second, "Third thoughts, through the second server.") == 429


def test_a_comment_posted_through_one_is_on_the_page_through_the_other(servers):
    first, second = servers
    _, _, page = Browser().get(second, POST_PATH)
    assert "First thoughts from the first server." in page


def test_unpublishing_and_publishing_through_one_server_show_through_the_other(servers, editor):
    first, second = servers
    _, _, page = editor.get(first, POST_PATH)
    page_id = re.search(r'action="/comments/post/(\d+)/"', page).group(1)

    _, _, confirm = editor.get(first, f"/admin/pages/{page_id}/unpublish/")
    status, _, _ = editor.post(
        first,
        f"/admin/pages/{page_id}/unpublish/",
        {"csrfmiddlewaretoken": hidden(confirm, "csrfmiddlewaretoken")},
    )
    assert status == 302
    assert Browser().get(second, POST_PATH)[0] == 404

    publish = f"/admin/bulk/wagtailcore/page/publish/?id={page_id}&next=/admin/"
    _, _, confirm = editor.get(second, publish)
    status, _, _ = editor.post(
        second, publish, {"csrfmiddlewaretoken": hidden(confirm, "csrfmiddlewaretoken")}
    )
    assert status == 302
    assert Browser().get(first, POST_PATH)[0] == 200


# These tests share servers started once for the module and build on each other's
# changes: one test worker must run them all, in order (make test uses --dist loadgroup).
pytestmark = pytest.mark.xdist_group("test_scale_out")
