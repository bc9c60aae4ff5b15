"""What `byline serve` runs and how: granian in front, the helpers beside it, one supervisor.

The command (``management/commands/serve.py``) reads its options and refuses what cannot work;
this module says what a public deployment is missing, builds the command lines and keeps the
processes running until the server stops or the command is told to.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}


def production_problems() -> list[str]:
    """What a deployment that serves public host names is missing; nothing for a local run."""
    if not set(settings.ALLOWED_HOSTS) - LOCAL_HOSTS:
        return []
    problems = []
    if not os.environ.get("SECRET_KEY"):
        problems.append(
            "SECRET_KEY: set a long random value (the same on every app server); the key "
            "generated under var/ is for local use only"
        )
    if settings.DEBUG:
        problems.append("BYLINE_DEBUG: set it to 0; debug pages leak settings and code")
    if "*" in settings.ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS: name your host names instead of '*'")
    if not settings.BYLINE_HTTPS and not settings.BYLINE_ALLOW_PLAIN_HTTP:
        problems.append(
            "BYLINE_HTTPS=1: serve readers over TLS (secure cookies, HSTS, redirect); "
            "set BYLINE_ALLOW_PLAIN_HTTP=1 only on a private network"
        )
    return problems


def static_files_stale() -> bool:
    """Whether the collected static files are missing, or older than a source file: the
    manifest (hashed names) is what whitenoise serves from when DEBUG is off. Checking is a
    stat per source file: a few milliseconds for Byline's and Wagtail's."""
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            if storage.get_modified_time(path).timestamp() > collected:
                return True
    return False


def collect_static() -> None:
    """`collectstatic --noinput`, as the deploy docs had people run by hand before serving."""
    call_command("collectstatic", interactive=False, verbosity=0)


def granian_command(
    *, host: str, port: int, workers: int, threads: int, max_rss_mb: int = 0
) -> list[str]:
    """The granian command line `serve` runs: WSGI, `workers` processes of `threads` threads,
    each replaced when its memory stays at `max_rss_mb` or more (0: never)."""
    # Two samples in a row: a page that swells a worker for a moment (a 1 MB post's feed) and
    # gives the memory back does not cost a respawn and the fresh worker's cold caches.
    ceiling = ["--workers-max-rss", str(max_rss_mb), "--rss-samples", "2"] if max_rss_mb else []
    return [
        sys.executable,
        # Without docstrings and asserts: 3.4 MB less per worker (bench/RESULTS.md, memory).
        # Neither Byline nor what a reader's request runs needs them.
        "-OO",
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        # granian's default is hundreds of threads per worker; under a spike they contend for
        # Python's lock and the slowest answers wait longest (bench/RESULTS.md, page store).
        "--blocking-threads",
        str(threads),
        "--respawn-failed-workers",
        *ceiling,
        "--no-ws",
        "byline.wsgi:application",
    ]


def helper_commands(*, background: bool) -> dict[str, list[str]]:
    """What `serve` runs beside granian: the scheduler and the task worker (unless another
    server runs them), and the sweeper of the page store's files, which are this box's own."""
    byline = [sys.executable, "-m", "byline.cli"]
    commands = {}
    if background:
        commands["scheduler"] = [*byline, "scheduler"]
        # Background work (newsletters, re-renders, renditions) at a lower CPU priority, so
        # that a long send slows readers less on a small box (bench/newsletter_send.py).
        nice = settings.BYLINE_TASKS_NICE
        lower = ["nice", "-n", str(nice)] if nice and shutil.which("nice") else []
        commands["tasks"] = [*lower, *byline, "db_worker", "--queue-name", "*", "--interval", "1"]
    interval = settings.BYLINE_PAGECACHE_SWEEP_INTERVAL
    # Redis expires pages itself.
    if settings.BYLINE_PAGECACHE and not settings.BYLINE_PAGECACHE_REDIS_URL and interval > 0:
        commands["pagecache"] = [*byline, "pagecache_sweep", "--every", str(interval)]
    return commands


# glibc gives each thread that allocates an arena of its own (up to 8 per core) and keeps
# what a thread frees in its arena: a worker's threads grew it by 25 MB more than one arena
# did over the same 600 renders (bench/memory_bench.py). Python's lock serialises most
# allocation anyway, and granian's own (Rust) side allocates with jemalloc.
MALLOC_ENVIRONMENT = {"MALLOC_ARENA_MAX": "1"}


def child_environment(environ=None) -> dict[str, str]:
    """The environment the server and helpers run with: MALLOC_ENVIRONMENT unless the
    environment sets those variables itself."""
    environ = os.environ if environ is None else environ
    return {**MALLOC_ENVIRONMENT, **environ}


def supervise(commands: dict[str, list[str]], *, report: Callable[[str], object]) -> int | None:
    """Run every command; restart the helpers if they die (saying so through `report`); stop
    all when the one named "server" stops or on SIGINT/SIGTERM. Returns the server's exit code."""
    env = child_environment()
    children = {name: subprocess.Popen(argv, env=env) for name, argv in commands.items()}
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping:
            time.sleep(0.5)
            for name, child in list(children.items()):
                if child.poll() is None:
                    continue
                if name == "server":
                    stopping = True
                    break
                report(f"{name} exited with {child.returncode}; restarting it")
                children[name] = subprocess.Popen(commands[name], env=env)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return children["server"].returncode


def stopped_cleanly(code: int | None) -> bool:
    """Whether the server's exit code is a normal stop (including by our own signal)."""
    return code in (0, None, -signal.SIGTERM, -signal.SIGINT)
