"""Mixed load on a scratch Byline site over loopback: reads, comments and searches, bounded.

Sets up a site of its own (a scratch var/ with SQLite, or a scratch database on the
PostgreSQL named by --database-url, with --redis-url for the cache), starts `byline serve`
on 127.0.0.1 with production settings (DEBUG off, collected static files), and drives it for
--duration seconds (default 60) with concurrent clients:

- readers GET the home page, blog front, archive, posts, tag and author pages, and feeds;
- searchers GET /search/?q=<word>;
- commenters fetch a post, wait out the form guard's minimum fill time (the token on the page
  is what a person's browser sends), and post a comment with a unique marker, from an address
  of their own (X-Forwarded-For, with BYLINE_TRUSTED_PROXIES=1 as behind nginx).

It samples the memory (RSS) of the whole server process tree every few seconds, and at the end
checks that every comment the server accepted (303) is in the database. It prints a JSON
report and exits non-zero on any 5xx or any lost comment.

    .venv/bin/python bench/load_mixed.py --duration 60
    .venv/bin/python bench/load_mixed.py --duration 300 --database-url postgres://… --redis-url …

The fault scripts (bench/fault_*.py) reuse these pieces.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BYLINE = [sys.executable, "-m", "byline.cli"]
SEARCH_WORDS = ["ballmer", "partners", "microsoft", "cloud", "blog", "windows", "zzznothing"]
MIN_FILL_SECONDS = 1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the site ----------------------------------------------------------------------------


class Site:
    """A scratch Byline site and its `byline serve`."""

    def __init__(self, *, database_url: str = "", redis_url: str = "", workers: int = 2):
        self.var = Path(tempfile.mkdtemp(prefix="byline-load-"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.scratch_db = None
        self.admin_url = None
        env = {
            **os.environ,
            "BYLINE_VAR_DIR": str(self.var),
            "BYLINE_DEBUG": "0",
            "BYLINE_FORMGUARD_MIN_SECONDS": str(MIN_FILL_SECONDS),
            "BYLINE_COMMENTS_MODERATION": "none",
            # Each commenter has an address of its own (X-Forwarded-For behind one proxy).
            "BYLINE_TRUSTED_PROXIES": "1",
            "BYLINE_COMMENTS_RATE_LIMIT": "1000/m",
            "BYLINE_REQUEST_LOG": "0",
            "BYLINE_LOG_LEVEL": "ERROR",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("REDIS_URL", None)
        if database_url:
            url = urlsplit(database_url)
            self.scratch_db = f"byline_load_{uuid.uuid4().hex[:8]}"
            self.admin_url = urlunsplit(url._replace(path="/postgres"))
            subprocess.run(
                ["psql", "-q", self.admin_url, "-c", f"CREATE DATABASE {self.scratch_db}"],
                check=True,
            )
            env["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{self.scratch_db}"))
        else:
            env["DATABASE_URL"] = f"sqlite:///{self.var / 'load.sqlite3'}"
        if redis_url:
            env["REDIS_URL"] = redis_url
            env["BYLINE_CACHE_PREFIX"] = f"load{uuid.uuid4().hex[:8]}"
        self.env = env
        self.server: subprocess.Popen | None = None

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*BYLINE, *args], env=self.env, cwd=ROOT, check=check, capture_output=True, text=True
        )

    def prepare(self) -> None:
        self.manage("migrate", "--noinput", "-v0")
        self.manage("demo", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")

    def start(self) -> None:
        self.server = subprocess.Popen(
            [*BYLINE, "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(self.var / "serve.log", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("byline serve did not come up within 90 s; see " + str(self.var))

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)

    def cleanup(self) -> None:
        self.stop()
        if self.scratch_db:
            subprocess.run(
                [
                    "psql",
                    "-q",
                    self.admin_url,
                    "-c",
                    f"DROP DATABASE IF EXISTS {self.scratch_db} WITH (FORCE)",
                ],
                check=False,
                capture_output=True,
            )

    def process_tree(self) -> list[int]:
        """The pids of `serve` and everything under it (granian and its workers, helpers)."""
        if not self.server:
            return []
        children: dict[int, list[int]] = defaultdict(list)
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children[ppid].append(int(entry.name))
        pids, todo = [], [self.server.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo.extend(children.get(pid, []))
        return pids

    def granian_workers(self) -> list[int]:
        """Worker processes: children of the granian main process."""
        result = []
        for pid in self.process_tree():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
                parent = Path(f"/proc/{ppid}/cmdline").read_bytes().replace(b"\0", b" ")
            except (OSError, ValueError):
                continue
            if b"granian" in parent and b"granian" in cmdline:
                result.append(pid)
        return result

    def rss_mb(self) -> float:
        total = 0
        for pid in self.process_tree():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return round(total / 1024, 1)

    def comments_with_markers(self) -> set[str]:
        code = (
            "from byline.comments.models import ReaderComment\n"
            "for body in ReaderComment.objects.filter(body__startswith='load-')"
            ".values_list('body', flat=True): print(body.split()[0])"
        )
        return set(self.manage("shell", "-c", code).stdout.split())


# --- the clients -------------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: dict | None = None,
    headers=None,
    timeout: float = 60,
):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Host": f"127.0.0.1:{port}", **(headers or {})}
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"http://127.0.0.1:{port}"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        content = response.read()
        return response.status, content
    finally:
        connection.close()


class Recorder:
    """Every request's kind, status (or the error) and latency, with the time it ended."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple[float, str, int | str, float]] = []
        self.accepted: set[str] = set()

    def add(self, kind: str, status, seconds: float) -> None:
        with self.lock:
            self.rows.append((time.monotonic(), kind, status, seconds))

    def summary(self, started: float) -> dict:
        by_kind: dict[str, list[float]] = defaultdict(list)
        statuses: Counter = Counter()
        for _, kind, status, seconds in self.rows:
            by_kind[kind].append(seconds * 1000)
            statuses[str(status)] += 1
        elapsed = max(time.monotonic() - started, 1e-9)
        latency = {}
        for kind, values in sorted(by_kind.items()):
            values.sort()
            latency[kind] = {
                "n": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(values[int(len(values) * 0.95) - 1], 1),
                "p99_ms": round(values[max(int(len(values) * 0.99) - 1, 0)], 1),
            }
        return {
            "requests": len(self.rows),
            "rps": round(len(self.rows) / elapsed, 1),
            "statuses": dict(sorted(statuses.items())),
            "5xx": sum(n for s, n in statuses.items() if s.startswith("5")),
            "errors": sum(n for s, n in statuses.items() if not s.isdigit()),
            "latency": latency,
        }


def discover(port: int) -> dict[str, list[str]]:
    """Reader URLs from the running site: the home page's links plus the fixed addresses."""
    # The first render of a page (cold caches, a busy machine) may be slow; wait for it.
    _, home = request(port, "GET", "/", timeout=300)
    links = set(re.findall(r'href="(/[^"#?]*)"', home.decode("utf-8", "replace")))
    reads = sorted(
        link
        for link in links
        if not link.startswith(("/static/", "/media/", "/admin/", "/comments/"))
    )
    reads += ["/", "/blogs/", "/feed/", "/atom/", "/feed.json", "/sitemap.xml"]
    posts = [link for link in reads if re.match(r"^/blogs/[^/]+/\d{4}/\d{2}/[^/]+/$", link)]
    return {"reads": reads, "posts": posts or ["/"]}


def reader(port: int, urls: dict, recorder: Recorder, stop: threading.Event) -> None:
    rng = random.Random()
    while not stop.is_set():
        path = rng.choice(urls["reads"])
        started = time.monotonic()
        try:
            status, _ = request(port, "GET", path)
        except OSError as error:
            status = type(error).__name__
        recorder.add("read", status, time.monotonic() - started)


def searcher(port: int, urls: dict, recorder: Recorder, stop: threading.Event) -> None:
    rng = random.Random()
    while not stop.is_set():
        path = "/search/?" + urlencode({"q": rng.choice(SEARCH_WORDS)})
        started = time.monotonic()
        try:
            status, _ = request(port, "GET", path)
        except OSError as error:
            status = type(error).__name__
        recorder.add("search", status, time.monotonic() - started)


def commenter(port: int, urls: dict, recorder: Recorder, stop: threading.Event) -> None:
    rng = random.Random()
    address = f"198.18.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    while not stop.is_set():
        post = rng.choice(urls["posts"])
        try:
            _, page = request(port, "GET", post)
            html = page.decode("utf-8", "replace")
            action = re.search(r'action="(/comments/post/\d+/)"', html).group(1)
            # The comment form's own token (the newsletter form before it has one too, which
            # the comment view refuses).
            form = html[html.index('id="comment-form"') :]
            token = unescape(re.search(r'name="formguard_token" value="([^"]*)"', form).group(1))
        except (OSError, AttributeError, ValueError):
            time.sleep(0.5)  # the page did not come (server down): try again shortly
            continue
        # A person reads before writing: wait out the minimum fill time.
        stop.wait(MIN_FILL_SECONDS + 0.2)
        marker = f"load-{uuid.uuid4().hex[:12]}"
        form = {
            "name": "Load Reader",
            "email": f"{marker}@example.com",
            "website": "",
            "body": f"{marker} A comment written under load, number {rng.randrange(10**6)}.",
            "formguard_token": token,
            "phone": "",
        }
        started = time.monotonic()
        try:
            status, _ = request(
                port, "POST", action, body=form, headers={"X-Forwarded-For": address}
            )
        except OSError as error:
            status = type(error).__name__
        recorder.add("comment", status, time.monotonic() - started)
        if status == 303:
            with recorder.lock:
                recorder.accepted.add(marker)


def run_load(
    site: Site,
    *,
    duration: float,
    readers: int,
    searchers: int,
    commenters: int,
    during=None,
) -> dict:
    """Drive the site for `duration` s; `during(site, recorder, started)` runs beside the load
    (the fault scripts inject their fault there). Returns the report."""
    urls = discover(site.port)
    recorder, stop = Recorder(), threading.Event()
    threads = [
        threading.Thread(target=target, args=(site.port, urls, recorder, stop), daemon=True)
        for target, count in ((reader, readers), (searcher, searchers), (commenter, commenters))
        for _ in range(count)
    ]
    memory = []
    started = time.monotonic()
    for thread in threads:
        thread.start()
    fault = None
    if during is not None:
        fault = threading.Thread(target=during, args=(site, recorder, started), daemon=True)
        fault.start()
    samples = max(int(duration // 5), 2)
    for _index in range(samples):
        stop.wait(duration / samples)
        memory.append((round(time.monotonic() - started), site.rss_mb()))
    stop.set()
    for thread in threads:
        thread.join(timeout=40)
    if fault is not None:
        fault.join(timeout=60)
    report = recorder.summary(started)
    report["duration_s"] = round(time.monotonic() - started, 1)
    report["clients"] = {"readers": readers, "searchers": searchers, "commenters": commenters}
    report["memory_rss_mb"] = {
        "samples": memory,
        "first": memory[0][1],
        "last": memory[-1][1],
        "max": max(mb for _, mb in memory),
    }
    found = site.comments_with_markers()
    report["comments"] = {
        "accepted": len(recorder.accepted),
        "found_afterwards": len(recorder.accepted & found),
        "lost": sorted(recorder.accepted - found)[:10],
    }
    report["_recorder"] = recorder
    return report


def print_report(report: dict) -> int:
    public = {key: value for key, value in report.items() if not key.startswith("_")}
    print(json.dumps(public, indent=2))
    failed = report["5xx"] or report["comments"]["lost"]
    return 1 if failed else 0


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (60)")
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--searchers", type=int, default=1)
    parser.add_argument("--commenters", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="granian workers (2)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (scratch DB)")
    parser.add_argument("--redis-url", default="", help="Redis for the cache")
    return parser


def main() -> int:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    if not 1 <= args.duration <= 900:
        raise SystemExit("--duration must be between 1 and 900 s")
    site = Site(database_url=args.database_url, redis_url=args.redis_url, workers=args.workers)
    try:
        site.prepare()
        site.start()
        report = run_load(
            site,
            duration=args.duration,
            readers=args.readers,
            searchers=args.searchers,
            commenters=args.commenters,
        )
    finally:
        site.cleanup()
    return print_report(report)


if __name__ == "__main__":
    sys.exit(main())
