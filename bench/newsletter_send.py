"""Benchmark: one post mailed to --subscribers confirmed subscribers through a local SMTP sink,
with readers on the page store during the send.

    .venv/bin/python bench/newsletter_send.py [--var DIR] [--subscribers 100000]
        [--list all|blog] [--rate 0] [--seconds 30] [--idle-seconds 15] [--runs 1]

On a scratch site of its own (SQLite under --var, by default in the system's temporary
directory: migrate, collectstatic and demo on first use) it makes exactly --subscribers
confirmed subscribers, each once on the publication-wide list (or, --list blog, on the first
blog's), inserted in bulk. It runs an SMTP sink (aiosmtpd, in this process, on a free loopback
port, its thread niced by --sink-nice: a mail server is another machine in production) that
counts what it is handed per recipient and keeps nothing, and starts `byline
serve` (2 workers, with its task worker) pointed at it, with BYLINE_NEWSLETTERS_SEND_RATE=--rate
(0: as fast as the sink takes them).

Readers: wrk (2 threads, 8 connections) reads --pages stored post pages (each read until the
store answers it) for --idle-seconds before the send (idle), then for --seconds from the moment
the --warmup'th message reaches the sink after a new post is published in the first blog and
the pages that publishing purged are stored again (during the send: the post's issue is made
on commit, and the task worker lists its recipients and sends them in batches).

Reported per run: the time from publishing until the last delivery is sent, when the first
message reached the sink, messages a second over the whole send and over the sending alone,
the task worker's resident memory (VmRSS sampled every 0.2 s: before, peak; and the kernel's
VmHWM at the end), the readers' requests/s and p99 idle and during (and their ratio), and the
checks: every delivery sent, the sink got exactly one message for each subscriber and no other.

Needs wrk (Debian package). Every timeout is bounded (--timeout for the send, 30 minutes by
default); it talks only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# The site, the page store and wrk are driven as in the Featured-change benchmark beside this
# one (run as `python bench/newsletter_send.py`, this folder is on the path).
from featured_change import LUA, free_port, post_paths, store_all, wait_for, wrk

ROOT = Path(__file__).resolve().parent.parent
BYLINE = [sys.executable, "-m", "byline.cli"]
POST_PATH = re.compile(r"^/blogs/[^/]+/\d{4}/\d{2}/[^/]+/$")
DOMAIN = "bench.example"  # a reserved name (RFC 2606): nothing leaves the sink anyway
SUBSCRIBERS = """
import time
from django.db import transaction
from django.utils import timezone
from byline.blogs.models import BlogPage
from byline.newsletters.models import Subscriber, SubscriberStatus, Subscription
N, DOMAIN, LIST = {count}, {domain!r}, {list!r}
blog = BlogPage.objects.live().order_by("path").first() if LIST == "blog" else None
started = time.monotonic()
mine = Subscriber.objects.filter(email__endswith="@" + DOMAIN)
mine.filter(email__gte="reader%07d@" % N).delete()
Subscription.objects.filter(subscriber__in=mine).exclude(blog=blog, author=None).delete()
have = set(mine.values_list("email", flat=True))
now = timezone.now()
wanted = ["reader%07d@%s" % (i, DOMAIN) for i in range(N)]
missing = [e for e in wanted if e not in have]
with transaction.atomic():
    for start in range(0, len(missing), 5000):
        Subscriber.objects.bulk_create(
            Subscriber(email=e, status=SubscriberStatus.CONFIRMED, confirmed_at=now,
                       source="import:bench")
            for e in missing[start:start + 5000]
        )
    mine.exclude(status=SubscriberStatus.CONFIRMED).update(status=SubscriberStatus.CONFIRMED)
    subscribed = set(Subscription.objects.filter(subscriber__in=mine).values_list(
        "subscriber_id", flat=True))
    ids = [pk for pk in mine.values_list("pk", flat=True) if pk not in subscribed]
    for start in range(0, len(ids), 5000):
        Subscription.objects.bulk_create(
            Subscription(subscriber_id=pk, blog=blog) for pk in ids[start:start + 5000]
        )
others = Subscriber.objects.confirmed().exclude(email__endswith="@" + DOMAIN).count()
print("SUBSCRIBERS", mine.confirmed().count(), len(missing), others,
      round(time.monotonic() - started, 1), blog.pk if blog else "all")
"""
PUBLISH = """
import time
from django.utils import timezone
from byline.blogs.models import BlogPage, PostPage
blog = BlogPage.objects.live().order_by("path").first()
stamp = int(time.time())
post = PostPage(
    title="Bench newsletter %d" % stamp,
    slug="bench-newsletter-%d" % stamp,
    date=timezone.now(),
    excerpt="A post mailed to every subscriber, for bench/newsletter_send.py.",
    body=[("paragraph", "<p>" + "A paragraph of a column, sent by e-mail. " * 40 + "</p>")] * 6,
)
blog.add_child(instance=post)
revision = post.save_revision()
at = time.time()
revision.publish()
print("PUBLISHED", at, post.pk)
"""


def shell(env: dict, code: str, timeout: float = 1800) -> str:
    return subprocess.run(
        [*BYLINE, "shell", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    ).stdout


# --- the SMTP sink --------------------------------------------------------------------------


class Sink:
    """An aiosmtpd handler that counts each recipient's messages and keeps nothing else."""

    def __init__(self):
        self.lock = threading.Lock()
        self.per_recipient: collections.Counter[str] = collections.Counter()
        self.messages = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.arrivals: list[float] = []  # to see whether the rate holds to the end of a list

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        with self.lock:
            self.messages += 1
            self.arrivals.append(now)
            self.per_recipient.update(envelope.rcpt_tos)
            if self.first_at is None:
                self.first_at = now
            self.last_at = now
        return "250 Message accepted"

    def reset(self) -> None:
        with self.lock:
            self.per_recipient.clear()
            self.messages, self.first_at, self.last_at = 0, None, None
            self.arrivals = []


def start_sink(nice: int) -> tuple[Sink, object]:
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    # The sink stands for a mail server, which in production is another machine or a
    # provider: its thread (Linux nice values are per thread) yields to the readers and the
    # site, so the readers' figures show what the site's own send costs them.
    done = threading.Event()
    controller.loop.call_soon_threadsafe(lambda: (os.nice(nice), done.set()))
    done.wait(10)
    return sink, controller


# --- the site -------------------------------------------------------------------------------


def setup(env: dict, var: Path) -> None:
    fresh = not (var / "bench.sqlite3").exists()
    var.mkdir(parents=True, exist_ok=True)
    commands = [["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]]
    if fresh:
        commands.append(["demo", "-v0"])
    # The demo's images have their renditions made (and anything else queued is done), so
    # the worker has nothing but the send to do.
    commands.append(["db_worker", "--batch", "--queue-name", "*", "--no-startup-delay"])
    for command in commands:
        subprocess.run([*BYLINE, *command], env=env, check=True, cwd=ROOT, timeout=900)


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def task_worker(server_pid: int, seconds: float = 60) -> int:
    """The pid of `byline serve`'s task worker (db_worker)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for pid in process_tree(server_pid):
            try:
                if b"db_worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return pid
            except OSError:
                continue
        time.sleep(0.3)
    raise SystemExit("no task worker under byline serve")


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    """The task worker's peak VmRSS, sampled until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.stopped = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.peak_kb = max(self.peak_kb, memory_kb(self.pid, "VmRSS"))
            except OSError:
                return  # the worker died: the run will say so
            self.stopped.wait(0.2)


def delivery_counts(database: Path, issue_page_id: int) -> tuple[dict, bool]:
    """The issue's deliveries by status, and whether the issue is finished (read-only)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as db:
        row = db.execute(
            "SELECT id, finished_at FROM newsletters_issue WHERE page_id = ?", (issue_page_id,)
        ).fetchone()
        if row is None:
            return {}, False
        counts = dict(
            db.execute(
                "SELECT status, count(*) FROM newsletters_delivery WHERE issue_id = ? "
                "GROUP BY status",
                (row[0],),
            ).fetchall()
        )
    return counts, row[1] is not None


# --- one run --------------------------------------------------------------------------------


def run(env: dict, args, sink: Sink, tmp: Path) -> dict:
    port = free_port()
    log = open(args.var / "serve.log", "ab")  # noqa: SIM115
    server = subprocess.Popen(
        [*BYLINE, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    sampler = None
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        worker = task_worker(server.pid)
        paths = post_paths(base, args.pages)
        if not paths:
            raise SystemExit("no post pages in the sitemap")
        urls_file = tmp / "paths.txt"
        urls_file.write_text("\n".join(paths) + "\n")
        script = tmp / "rotate.lua"
        script.write_text(LUA)
        store_all(base, paths)
        idle = wrk(base, urls_file, script, args.idle_seconds)
        sink.reset()
        rss_before = memory_kb(worker, "VmRSS")
        sampler = Sampler(worker)
        sampler.start()

        published: dict = {}

        def publish() -> None:
            out = shell(env, PUBLISH, timeout=300)
            match = re.search(r"PUBLISHED ([\d.]+) (\d+)", out)
            published["at"], published["page"] = float(match.group(1)), int(match.group(2))

        publisher = threading.Thread(target=publish)
        publisher.start()
        # Readers are measured while messages go out, not while the post is published (an
        # editor's request and the page store's re-renders, which other benchmarks measure).
        started_wait = time.monotonic()
        while sink.messages < args.warmup and time.monotonic() - started_wait < 600:
            time.sleep(0.05)
        if sink.messages < args.warmup:
            raise SystemExit("no message reached the sink within 10 minutes")
        # Publishing purged the stored pages that list the new post (its column's "More
        # from this column", neighbours); the first reader of each renders it again. Store
        # them again first, so the figures are the send's cost, not the publish's.
        store_all(base, paths)
        during = wrk(base, urls_file, script, args.seconds)
        sent_by_reading_end = sink.messages
        publisher.join(timeout=300)
        if "at" not in published:
            raise SystemExit("the post was not published")
        deadline = time.monotonic() + args.timeout
        counts, finished = {}, False
        while time.monotonic() < deadline:
            counts, finished = delivery_counts(args.var / "bench.sqlite3", published["page"])
            pending = sum(counts.get(s, 0) for s in ("queued", "sending", "retry"))
            if finished or (counts and not pending and sink.messages >= counts.get("sent", 0)):
                break
            if server.poll() is not None:
                raise SystemExit("byline serve stopped during the send; see serve.log")
            time.sleep(1)
        sampler.stopped.set()
        sampler.join()
        hwm = memory_kb(worker, "VmHWM")
        with sink.lock:
            per_recipient = dict(sink.per_recipient)
            messages, first_at, last_at = sink.messages, sink.first_at, sink.last_at
            arrivals = list(sink.arrivals)
        tenth = max(len(arrivals) // 10, 2)
        mine = {a: n for a, n in per_recipient.items() if a.endswith("@" + DOMAIN)}
        total = (last_at - published["at"]) if last_at else None
        sending = (last_at - first_at) if last_at and first_at else None
        return {
            "finished": finished,
            "counts": counts,
            "messages": messages,
            "recipients": len(mine),
            "twice": sum(1 for n in mine.values() if n > 1),
            "others": len(per_recipient) - len(mine),
            "total_s": total,
            "first_after_s": (first_at - published["at"]) if first_at else None,
            "rate_total": messages / total if total else None,
            "rate_sending": (messages - 1) / sending if sending else None,
            "rate_first_tenth": (tenth - 1) / max(arrivals[tenth - 1] - arrivals[0], 1e-9),
            "rate_last_tenth": (tenth - 1) / max(arrivals[-1] - arrivals[-tenth], 1e-9),
            "rss_before_mb": rss_before / 1024,
            "rss_peak_mb": sampler.peak_kb / 1024,
            "hwm_mb": hwm / 1024,
            "idle": idle,
            "during": during,
            "during_within_send": sent_by_reading_end < messages,
        }
    finally:
        if sampler is not None:
            sampler.stopped.set()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--var", type=Path, default=Path(tempfile.gettempdir()) / "byline-bench-newsletter"
    )
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--list", choices=["all", "blog"], default="all")
    parser.add_argument("--rate", type=float, default=0.0, help="messages/s; 0: no pacing")
    parser.add_argument("--pages", type=int, default=20, help="stored post pages read")
    parser.add_argument("--idle-seconds", type=int, default=15)
    parser.add_argument("--seconds", type=int, default=30, help="reading during the send")
    parser.add_argument(
        "--warmup", type=int, default=50, help="messages sent before readers are measured"
    )
    parser.add_argument("--timeout", type=int, default=1800, help="seconds the send may take")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--worker-nice", type=int, default=0, help="BYLINE_TASKS_NICE for the task worker"
    )
    parser.add_argument(
        "--sink-nice", type=int, default=10, help="nice of the SMTP sink's thread (0: none)"
    )
    args = parser.parse_args()
    args.var = args.var.resolve()
    sink, controller = start_sink(args.sink_nice)
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(args.var),
        "DATABASE_URL": f"sqlite:///{args.var / 'bench.sqlite3'}",
        "BYLINE_LOG_LEVEL": "WARNING",
        "BYLINE_REQUEST_LOG": "0",
        "BYLINE_PAGECACHE": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_USE_SSL": "0",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "BYLINE_NEWSLETTERS_SEND_RATE": str(args.rate),
        # `byline serve` starts its worker niced by this (its own default is 10); the flag
        # says how much, to see how much of the readers' slow-down is the worker's CPU share.
        "BYLINE_TASKS_NICE": str(args.worker_nice),
    }
    for name in ("REDIS_URL", "BYLINE_TASKS_IMMEDIATE", "BYLINE_PAGECACHE_REDIS_URL"):
        env.pop(name, None)
    failed = False
    try:
        setup(env, args.var)
        out = shell(env, SUBSCRIBERS.format(count=args.subscribers, domain=DOMAIN, list=args.list))
        _, count, added, others, took, scope = re.search(r"SUBSCRIBERS .*", out).group().split()
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
        print(
            f"commit {commit}, {count} confirmed bench subscribers on list {scope} "
            f"({added} added in {took} s; {others} other confirmed subscribers), "
            f"send rate {args.rate or 'unpaced'}, worker nice {args.worker_nice}, "
            f"sink nice {args.sink_nice}, "
            f"wrk -t2 -c8 on {args.pages} stored post pages",
            flush=True,
        )
        expected = int(count)
        with tempfile.TemporaryDirectory(prefix="byline-bench-") as tmp:
            for number in range(1, args.runs + 1):
                r = run(env, args, sink, Path(tmp))
                i, d = r["idle"], r["during"]
                ok = (
                    r["finished"]
                    and r["recipients"] == expected
                    and r["twice"] == 0
                    and r["counts"].get("sent", 0) == r["messages"]
                )
                failed |= not ok
                print(
                    f"run {number} | {r['messages']} messages, {r['recipients']} bench "
                    f"recipients, {r['twice']} twice, {r['others']} others | deliveries "
                    f"{r['counts']} finished={r['finished']} | "
                    f"total {r['total_s']:.1f} s (first message after {r['first_after_s']:.1f} "
                    f"s) | {r['rate_total']:.0f} msg/s overall, {r['rate_sending']:.0f} msg/s "
                    f"sending ({r['rate_first_tenth']:.0f} in the first tenth, "
                    f"{r['rate_last_tenth']:.0f} in the last) | worker RSS "
                    f"{r['rss_before_mb']:.0f} MB before, peak "
                    f"{r['rss_peak_mb']:.0f} MB, VmHWM {r['hwm_mb']:.0f} MB | readers idle "
                    f"{i['rps']:.0f} req/s p99 {i['p99']:.1f} ms, during {d['rps']:.0f} req/s "
                    f"p99 {d['p99']:.1f} ms ({d['p99'] / i['p99']:.2f}x), {d['renders']} of "
                    f"{d['hits'] + d['renders']} rendered"
                    f"{' (wrk errors)' if d['errors'] or i['errors'] else ''}"
                    f"{'' if r['during_within_send'] else ' (send shorter than the reading)'}"
                    f" | {'OK' if ok else 'FAILED'}",
                    flush=True,
                )
    finally:
        controller.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
