"""`byline serve` as `make run` and production start it: granian, scheduler, task worker."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from byline.ops.serve import granian_command, helper_commands
from tests.ports import free_port

BYLINE = [sys.executable, "-m", "byline.cli"]
SCHEDULE_A_POST_THAT_IS_ALREADY_DUE = """
import datetime
from django.utils import timezone
from byline.blogs.models import BlogPage, PostPage

blog = BlogPage.objects.get(slug="bekkers-blog")
post = PostPage(title="Due while we were down", slug="due", live=False)
blog.add_child(instance=post)
post.go_live_at = timezone.now() + datetime.timedelta(hours=1)
revision = post.save_revision()
revision.publish()
past = timezone.now() - datetime.timedelta(minutes=1)
revision.content["go_live_at"] = past.isoformat()
revision.approved_go_live_at = past
revision.save()
"""


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def answered(url: str, seconds: float = 60) -> tuple[int | None, bytes]:
    """The first 200 from `url` within `seconds` (a server starting, or changing workers),
    else the last answer: (None, b"") when nothing answered at all."""
    deadline, status, body = time.monotonic() + seconds, None, b""
    while time.monotonic() < deadline:
        try:
            status, body = get(url)
            if status == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    return status, body


@contextlib.contextmanager
def serving(env: dict, *options: str):
    """`byline serve` on a free port with `options`; yields the process and its address, and
    stops it (SIGTERM, as systemd does) on leaving."""
    port = free_port()
    server = subprocess.Popen(
        [*BYLINE, "serve", "--port", str(port), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise


@pytest.fixture(scope="module")
def site_env(tmp_path_factory, migrated_sqlite):
    """A separate SQLite site in a scratch var/ (never the test database, never PostgreSQL),
    made once for this module."""
    tmp_path = tmp_path_factory.mktemp("serve")
    shutil.copyfile(migrated_sqlite, tmp_path / "serve.sqlite3")
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "BYLINE_SCHEDULER_INTERVAL": "1",
        "BYLINE_DEBUG": "1",  # unhashed static names: no collectstatic needed for this test
    }
    env.pop("REDIS_URL", None)
    subprocess.run([*BYLINE, "demo", "-v0"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*BYLINE, "shell", "-c", SCHEDULE_A_POST_THAT_IS_ALREADY_DUE],
        env=env,
        check=True,
        capture_output=True,
    )
    return env


def test_serve_serves_publishes_what_is_due_and_stops_cleanly(site_env):
    with serving(site_env, "--workers", "1") as (server, base):
        status, _ = answered(f"{base}/healthz")
        assert status == 200, "byline serve did not answer /healthz within 60 s"

        status, body = get(f"{base}/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/")
        assert status == 200
        assert b"Posted by" in body

        # The page store's sweeper inside `serve` has measured the store once at least.
        usage = Path(site_env["BYLINE_VAR_DIR"]) / "pagecache" / "usage"
        deadline = time.monotonic() + 30
        while not usage.exists() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert usage.exists(), "byline serve did not sweep the page store"

        # The scheduler inside `serve` publishes the post that fell due while nothing ran:
        # within a minute, as it may start after the server on a busy machine (a CI run
        # beside other work missed 30 s once).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, body = get(f"{base}/blogs/bekkers-blog/")
            if b"Due while we were down" in body:
                break
            time.sleep(0.5)
        assert b"Due while we were down" in body
    assert server.returncode == 0, server.stdout.read().decode()[-2000:]


def test_serve_refuses_a_bad_port(site_env):
    result = subprocess.run(
        [*BYLINE, "serve", "--port", "70000"], env=site_env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "--port must be between 1 and 65535" in result.stderr


def test_serve_refuses_a_bad_thread_count(site_env):
    env = {**site_env, "BYLINE_THREADS": "0"}
    result = subprocess.run([*BYLINE, "serve"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "--threads (BYLINE_THREADS) must be at least 1, not 0" in result.stderr


def test_serve_refuses_a_negative_memory_ceiling(site_env):
    env = {**site_env, "BYLINE_WORKER_MAX_RSS_MB": "-5"}
    result = subprocess.run([*BYLINE, "serve"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "--max-rss (BYLINE_WORKER_MAX_RSS_MB) must be 0 (never) or more, not -5" in (
        result.stderr
    )


def children(pid: int) -> list[int]:
    """The processes `pid` started, as Linux lists them for each of its threads."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def granian_workers(serve_pid: int) -> set[int]:
    """The web workers under `byline serve`: the processes granian's main process started."""
    workers = set()
    for pid in children(serve_pid):
        try:
            if b"granian" in Path(f"/proc/{pid}/cmdline").read_bytes():
                workers.update(children(pid))
        except FileNotFoundError:  # it ended while we looked
            pass
    return workers


def test_serve_replaces_a_worker_over_its_memory_ceiling(site_env):
    """A real worker is well over 1 MB, so with the ceiling at 1 MB the worker serving the first
    request is replaced and a fresh one answers after. granian samples every 5 s here (30 in
    production) and acts on the second sample over: a worker it stops while still loading
    Django ignores the signal and holds granian up."""
    env = {**site_env, "BYLINE_WORKER_MAX_RSS_MB": "1", "GRANIAN_RSS_SAMPLE_INTERVAL": "5"}
    env["GRANIAN_RESPAWN_INTERVAL"] = "0.5"
    with serving(env, "--workers", "1", "--no-background") as (server, base):
        status, _ = answered(f"{base}/healthz")
        assert status == 200, "byline serve did not answer /healthz within 60 s"
        first = granian_workers(server.pid)

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = granian_workers(server.pid)
            if now and not now & first:
                break
            time.sleep(0.2)
        assert now and not now & first, "the worker over its ceiling was not replaced"
        assert answered(f"{base}/healthz", seconds=30)[0] == 200
    assert b"RSS over threshold" in server.stdout.read()


def test_granian_runs_the_threads_asked_for():
    """The started server (test above) proves granian accepts the line; this, that it carries
    the count rather than granian's default of hundreds."""
    command = granian_command(host="127.0.0.1", port=8000, workers=2, threads=6)
    assert command[command.index("--blocking-threads") + 1] == "6"
    assert command[command.index("--workers") + 1] == "2"
    # Workers run without docstrings and asserts (3.4 MB each): the started server runs so.
    assert command[1] == "-OO"


def test_granian_replaces_workers_only_when_a_ceiling_is_set():
    command = granian_command(host="127.0.0.1", port=8000, workers=2, threads=2, max_rss_mb=160)
    assert command[command.index("--workers-max-rss") + 1] == "160"
    assert command[command.index("--rss-samples") + 1] == "2"
    assert "--workers-max-rss" not in granian_command(
        host="127.0.0.1", port=8000, workers=2, threads=2, max_rss_mb=0
    )


def test_serve_sweeps_a_file_page_store_and_leaves_redis_alone(settings):
    settings.BYLINE_PAGECACHE_REDIS_URL = ""
    settings.BYLINE_PAGECACHE_SWEEP_INTERVAL = 45
    helpers = helper_commands(background=False)
    assert list(helpers) == ["pagecache"]
    assert helpers["pagecache"][-3:] == ["pagecache_sweep", "--every", "45"]
    assert set(helper_commands(background=True)) == {"scheduler", "tasks", "pagecache"}
    settings.BYLINE_PAGECACHE_REDIS_URL = "redis://127.0.0.1:6379/0"
    assert "pagecache" not in helper_commands(background=True)
    settings.BYLINE_PAGECACHE_REDIS_URL = ""
    settings.BYLINE_PAGECACHE_SWEEP_INTERVAL = 0
    assert "pagecache" not in helper_commands(background=True)


def test_the_task_worker_runs_at_a_lower_cpu_priority(settings):
    settings.BYLINE_TASKS_NICE = 7
    tasks = helper_commands(background=True)["tasks"]
    assert tasks[:3] == ["nice", "-n", "7"] and tasks[4:7] == ["-m", "byline.cli", "db_worker"]
    # The prefix really lowers the priority of the process it starts.
    probe = [*tasks[:3], sys.executable, "-c", "import os; print(os.nice(0))"]
    parent = os.nice(0)
    assert subprocess.run(probe, capture_output=True, text=True).stdout.strip() == str(parent + 7)
    settings.BYLINE_TASKS_NICE = 0
    assert helper_commands(background=True)["tasks"][0] == sys.executable


def test_serve_collects_missing_static_files_itself(site_env, tmp_path):
    """With DEBUG off and nothing collected, `serve` collects the static files before it
    starts (no `collectstatic` by hand), and the page's hashed stylesheet answers."""
    static_root = tmp_path / "static"
    env = {**site_env, "BYLINE_DEBUG": "0", "BYLINE_STATIC_ROOT": str(static_root)}
    with serving(env, "--workers", "1", "--no-background") as (server, base):
        status, body = answered(f"{base}/")
        assert status == 200, "byline serve did not answer / within 60 s"
        assert (static_root / "staticfiles.json").exists()
        stylesheet = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body)
        assert stylesheet, "the page links no hashed stylesheet"
        assert get(base + stylesheet.group(1).decode())[0] == 200
    assert b"Collecting static files" in server.stdout.read()


def test_static_files_are_stale_when_missing_or_older_than_a_source(settings, tmp_path):
    from byline.ops.serve import static_files_stale

    sources, collected = tmp_path / "sources", tmp_path / "collected"
    sources.mkdir(), collected.mkdir()
    (sources / "site.css").write_text("body {}")
    settings.STATICFILES_DIRS = [sources]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = collected
    assert static_files_stale()  # never collected
    manifest = collected / "staticfiles.json"
    manifest.write_text("{}")
    os.utime(sources / "site.css", (time.time() - 60, time.time() - 60))
    assert not static_files_stale()
    (sources / "site.css").write_text("body { color: red }")  # edited after collecting
    os.utime(manifest, (time.time() - 30, time.time() - 30))
    assert static_files_stale()


def test_serve_on_a_public_host_names_the_missing_production_settings(tmp_path):
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "news.example.com",
        "BYLINE_DEBUG": "0",
    }
    for name in ("SECRET_KEY", "BYLINE_HTTPS", "BYLINE_ALLOW_PLAIN_HTTP"):
        env.pop(name, None)
    result = subprocess.run([*BYLINE, "serve"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY: set a long random value" in result.stderr
    assert "BYLINE_HTTPS=1" in result.stderr


def test_allow_plain_http_0_as_in_env_example_still_asks_for_https(tmp_path):
    """.env.example lists BYLINE_ALLOW_PLAIN_HTTP=0: that must mean no, not "set"."""
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "news.example.com",
        "BYLINE_DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "BYLINE_ALLOW_PLAIN_HTTP": "0",
    }
    env.pop("BYLINE_HTTPS", None)
    # Bounded: were "0" taken for yes, serve would start and run.
    result = subprocess.run(
        [*BYLINE, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "BYLINE_HTTPS=1" in result.stderr


# These tests share servers started once for the module and build on each other's
# changes: one test worker must run them all, in order (make test uses --dist loadgroup).
pytestmark = pytest.mark.xdist_group("test_serve")
