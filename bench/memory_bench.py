"""Memory of each `byline serve` process through a mixed load on a 100,000-post SQLite site.

Issue #14 asks for under 150 MB RSS per web worker after a 5-minute mixed load at 100,000
posts. This builds a scratch SQLite site once (`byline demo --posts N`; reused with --var,
topped up if it holds fewer posts), starts `byline serve` on it with production settings as
bench/load_mixed.py does (DEBUG off, the page store on, 2 workers), and drives it for
--duration seconds with load_mixed's readers and searchers and with its commenters
(which read the comment form's own token, not the subscribe form's). Readers and commenters pick
posts from a sample spread over the whole range of posts (oldest to newest), not only the
ones the home page links to, so that the database pages a worker touches are those of a
large site. Every --interval seconds it reads the RSS (VmRSS, and its anonymous
and file-backed parts) of each process: each granian web worker on its own, and apart from
them the task worker, the scheduler, the page store's sweeper, granian's main process and
`serve` itself.

It prints a JSON report: per web worker the RSS at start (before the load), at 60 s, 120 s
and the end, and its peak; the other processes likewise; statuses per kind of request
(anything but 200 and 303 is counted apart, so wrong addresses show); the comments accepted
and found afterwards. Comments written by the load are deleted afterwards, so that a reused
site stays the same from run to run. Exits non-zero on a 5xx, a lost comment or a request
that got neither 200 nor 303.

    .venv/bin/python bench/memory_bench.py --var DIR [--posts 100000] [--duration 300]
        [--threads 4] [--env BYLINE_SQLITE_CACHE_KB=2000] [--env MALLOC_ARENA_MAX=2] [--diagnose]

With --diagnose, each web worker also writes where its memory goes every --interval seconds
(bench/memory_diag/sitecustomize.py: glibc's heap in use and free, SQLite's allocations, the
objects the collector tracks, the pieces byline.core.frame remembers), and the report gives
each worker's first and last such line.

The first build of 100,000 posts takes minutes of CPU: run it under `nice`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_mixed import (  # noqa: E402
    ROOT,
    Recorder,
    Site,
    commenter,
    discover,
    reader,
    searcher,
)

MARKS = (60, 120)


class ScratchSite(Site):
    """load_mixed's Site on a var/ directory of our choosing, kept between runs."""

    def __init__(self, var: Path, *, workers: int, extra_env: dict[str, str]):
        super().__init__(workers=workers)
        shutil.rmtree(self.var, ignore_errors=True)  # the temporary one Site made
        self.var = var
        self.env.update(
            {
                "BYLINE_VAR_DIR": str(var),
                # The same database file as bench/render_serve_bench.py uses, so that one
                # scratch site serves both.
                "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite3'}",
                **extra_env,
            }
        )

    def build(self, posts: int) -> None:
        """migrate and collectstatic every time (a reused site may predate the code); the
        demo content once, and synthetic posts up to `posts`."""
        self.var.mkdir(parents=True, exist_ok=True)
        fresh = not (self.var / "bench.sqlite3").exists()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        have = 0
        if fresh:
            self.manage("demo", "-v0")
        else:
            code = (
                "from byline.blogs.models import PostPage\n"
                "print(PostPage.objects.filter(slug__startswith='synthetic-').count())"
            )
            have = int(self.manage("shell", "-v0", "-c", code).stdout.split()[-1])
        if posts > have:
            started = time.monotonic()
            print(f"adding {posts - have} synthetic posts (minutes)", file=sys.stderr)
            self.manage("demo", "--posts", str(posts - have), "-v0")
            print(f"  done in {time.monotonic() - started:.0f} s", file=sys.stderr)
        # Pages stored by an earlier run would answer readers without a render: start cold.
        shutil.rmtree(self.var / "pagecache", ignore_errors=True)

    def sample_posts(self, count: int, seed: int) -> list[str]:
        """Addresses of `count` live posts drawn evenly at random from all of them."""
        code = (
            "import random\n"
            "from byline.blogs.models import PostPage\n"
            "ids = list(PostPage.objects.live().values_list('pk', flat=True))\n"
            f"chosen = random.Random({seed}).sample(ids, min({count}, len(ids)))\n"
            "for post in PostPage.objects.filter(pk__in=chosen):\n"
            "    print(post.get_url())\n"
        )
        out = self.manage("shell", "-v0", "-c", code).stdout
        return [line for line in out.split() if line.startswith("/")]

    def cleanup(self) -> None:
        """Stop the server, and whatever of its process group outlived it (granian's workers
        are left running when the server is stopped before it came up)."""
        super().cleanup()
        if self.server:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.server.pid, signal.SIGKILL)

    def delete_load_comments(self) -> None:
        code = (
            "from byline.comments.models import ReaderComment\n"
            "ReaderComment.objects.filter(body__startswith='load-').delete()"
        )
        self.manage("shell", "-v0", "-c", code, check=False)


def _status_fields(pid: int) -> dict[str, int] | None:
    """VmRSS and its parts, in kB, from /proc/<pid>/status."""
    wanted = {"VmRSS", "RssAnon", "RssFile", "RssShmem"}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    fields = {}
    for line in lines:
        name, _, value = line.partition(":")
        if name in wanted:
            fields[name] = int(value.split()[0])
    return fields


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of `pid` so far, from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def _role(pid: int, workers: set[int]) -> str:
    if pid in workers:
        return "web worker"
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    words = [word.decode(errors="replace") for word in cmdline if word]
    for role, needle in (
        ("granian main", "granian"),
        ("task worker", "db_worker"),
        ("scheduler", "scheduler"),
        ("page store sweeper", "pagecache_sweep"),
        ("serve", "serve"),
    ):
        if needle in words:
            return role
    return " ".join(words)[:60] or "?"


def sample(site: ScratchSite) -> dict[int, dict]:
    """{pid: {"role": …, "rss_mb": …, "anon_mb": …, "file_mb": …, "shmem_mb": …}}"""
    workers = set(site.granian_workers())
    result = {}
    for pid in site.process_tree():
        fields = _status_fields(pid)
        role = _role(pid, workers)
        if not fields or role == "gone":
            continue
        result[pid] = {
            "role": role,
            "rss_mb": round(fields.get("VmRSS", 0) / 1024, 1),
            "anon_mb": round(fields.get("RssAnon", 0) / 1024, 1),
            "file_mb": round(fields.get("RssFile", 0) / 1024, 1),
            "shmem_mb": round(fields.get("RssShmem", 0) / 1024, 1),
            "cpu_s": _cpu_seconds(pid),
        }
    return result


def memory_report(samples: list[tuple[float, dict[int, dict]]]) -> dict:
    """Per process: RSS at start, at 60 s and 120 s, at the end, and the peak."""
    series: dict[int, list[tuple[float, dict]]] = defaultdict(list)
    roles: dict[int, str] = {}
    for elapsed, processes in samples:
        for pid, values in processes.items():
            series[pid].append((elapsed, values))
            roles[pid] = values["role"]
    report = {}
    numbered: Counter = Counter()
    for pid in sorted(series, key=lambda pid: (roles[pid] != "web worker", roles[pid], pid)):
        points = series[pid]
        numbered[roles[pid]] += 1
        name = f"{roles[pid]} {numbered[roles[pid]]}"

        def at(mark: float, points=points) -> float | None:
            later = [values["rss_mb"] for elapsed, values in points if elapsed >= mark]
            return later[0] if later else None

        last_elapsed, last = points[-1]
        report[name] = {
            "pid": pid,
            "start_mb": points[0][1]["rss_mb"],
            **{f"at_{mark}s_mb": at(mark) for mark in MARKS},
            "end_mb": last["rss_mb"],
            "end_s": round(last_elapsed),
            "peak_mb": max(values["rss_mb"] for _, values in points),
            "end_anon_mb": last["anon_mb"],
            "end_file_mb": last["file_mb"],
            "end_shmem_mb": last["shmem_mb"],
            # CPU time spent during the load: a rate that other jobs on the machine skew
            # less than requests per wall-clock second.
            "load_cpu_s": round(last["cpu_s"] - points[0][1]["cpu_s"], 1)
            if last["cpu_s"] is not None and points[0][1]["cpu_s"] is not None
            else None,
        }
    return report


DIAGNOSIS = Path(__file__).resolve().parent / "memory_diag"


def diagnosis_environment(var: Path, every: float) -> dict[str, str]:
    """What makes each web worker write memory_diag's lines under var/memdiag/."""
    directory = var / "memdiag"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    path = os.pathsep.join(filter(None, [str(DIAGNOSIS), os.environ.get("PYTHONPATH")]))
    return {
        "PYTHONPATH": path,
        "BYLINE_MEMDIAG_DIR": str(directory),
        "BYLINE_MEMDIAG_EVERY": str(every),
    }


def diagnosis(var: Path, memory: dict) -> dict:
    """Each web worker's first and last line of memory_diag."""
    result = {}
    for name, values in memory.items():
        path = var / "memdiag" / f"{values['pid']}.jsonl"
        if not name.startswith("web worker") or not path.exists():
            continue
        lines = [json.loads(line) for line in path.read_text().splitlines() if line]
        if lines:
            result[name] = {"first": lines[0], "last": lines[-1]}
    return result


def requests_per_cpu_second(requests: int, memory: dict) -> float | None:
    """Requests answered per second of the web workers' CPU time during the load."""
    spent = [v["load_cpu_s"] for name, v in memory.items() if name.startswith("web worker")]
    if not spent or None in spent or not sum(spent):
        return None
    return round(requests / sum(spent), 1)


def statuses_by_kind(recorder: Recorder) -> dict:
    """{kind: {status: n}} and the requests that got neither 200 nor 303, by address kind."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for _, kind, status, _ in recorder.rows:
        counts[kind][str(status)] += 1
    return {kind: dict(sorted(counter.items())) for kind, counter in sorted(counts.items())}


def run(site: ScratchSite, args: argparse.Namespace) -> dict:
    found = discover(site.port)
    posts = site.sample_posts(args.sample_posts, args.seed)
    # Half of the reads go to the site's fixed pages (home, fronts, archives, feeds, tags,
    # authors), half to posts spread over all of them.
    fixed = found["reads"] * max(1, len(posts) // max(len(found["reads"]), 1))
    urls = {"reads": fixed + posts, "posts": posts}
    recorder, stop = Recorder(), threading.Event()
    threads = [
        threading.Thread(target=target, args=(site.port, urls, recorder, stop), daemon=True)
        for target, count in (
            (reader, args.readers),
            (searcher, args.searchers),
            (commenter, args.commenters),
        )
        for _ in range(count)
    ]
    started = time.monotonic()
    samples = [(0.0, sample(site))]
    for thread in threads:
        thread.start()
    while True:
        left = args.duration - (time.monotonic() - started)
        if left <= 0:
            break
        stop.wait(min(args.interval, left))
        samples.append((round(time.monotonic() - started, 1), sample(site)))
    stop.set()
    for thread in threads:
        thread.join(timeout=40)
    summary = recorder.summary(started)
    by_kind = statuses_by_kind(recorder)
    unexpected = {
        kind: {status: n for status, n in counts.items() if status not in {"200", "303"}}
        for kind, counts in by_kind.items()
    }
    site.stop()
    memory = memory_report(samples)
    accepted = recorder.accepted
    stored = site.comments_with_markers()
    if not args.keep_comments:
        site.delete_load_comments()
    return {
        "duration_s": round(samples[-1][0]),
        "requests": summary["requests"],
        "rps": summary["rps"],
        "requests_per_worker_cpu_s": requests_per_cpu_second(summary["requests"], memory),
        "statuses": by_kind,
        "not_200_or_303": {kind: counts for kind, counts in unexpected.items() if counts},
        "5xx": summary["5xx"],
        "latency": summary["latency"],
        "addresses": {
            "fixed_pages": len(found["reads"]),
            "posts_sampled": len(posts),
            "posts_sample_first_last": [posts[0], posts[-1]] if posts else [],
        },
        "comments": {
            "accepted": len(accepted),
            "found_afterwards": len(accepted & stored),
            "lost": len(accepted - stored),
        },
        "memory": memory,
        "diagnosis": diagnosis(site.var, memory) if args.diagnose else None,
        "memory_samples": [
            {"t": elapsed, **{str(pid): v["rss_mb"] for pid, v in processes.items()}}
            for elapsed, processes in samples
        ]
        if args.samples
        else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var", type=Path, required=True, help="the scratch site (kept)")
    parser.add_argument("--posts", type=int, default=100_000, help="synthetic posts (100,000)")
    parser.add_argument("--duration", type=float, default=300, help="seconds of load (300)")
    parser.add_argument("--interval", type=float, default=5, help="seconds between samples")
    parser.add_argument("--workers", type=int, default=2, help="granian workers (2)")
    parser.add_argument("--threads", type=int, help="BYLINE_THREADS (default: the setting's)")
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--searchers", type=int, default=1)
    parser.add_argument("--commenters", type=int, default=2)
    parser.add_argument("--sample-posts", type=int, default=5000, help="posts to read (5000)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the server, e.g. BYLINE_PAGECACHE=0 (repeatable)",
    )
    parser.add_argument("--samples", action="store_true", help="print every sample too")
    parser.add_argument(
        "--diagnose", action="store_true", help="where each web worker's memory goes (see above)"
    )
    parser.add_argument("--keep-comments", action="store_true", help="keep the load's comments")
    args = parser.parse_args()
    if not 1 <= args.duration <= 1800:
        raise SystemExit("--duration must be between 1 and 1800 s")
    extra_env = dict(item.split("=", 1) for item in args.env)
    if args.threads:
        extra_env["BYLINE_THREADS"] = str(args.threads)
    if args.diagnose:
        extra_env.update(diagnosis_environment(args.var.resolve(), args.interval))
    site = ScratchSite(args.var.resolve(), workers=args.workers, extra_env=extra_env)
    site.build(args.posts)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    try:
        site.start()
        report = run(site, args)
    finally:
        site.cleanup()
    report = {
        "commit": commit,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "posts": args.posts,
        "workers": args.workers,
        "env": extra_env,
        **report,
    }
    print(json.dumps({k: v for k, v in report.items() if v is not None}, indent=2))
    failed = report["5xx"] or report["comments"]["lost"] or report["not_200_or_303"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
