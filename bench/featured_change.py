"""Benchmark: a Featured-list change on a 10,000-post site under reader load, with stored pages
re-rendered in the background (the default) against purging them (BYLINE_PAGECACHE_REFRESH=0),
in the same run.

    .venv/bin/python bench/featured_change.py [--var DIR] [--pages 1000] [--seconds 60]
        [--rounds 1] [--posts 10000]

For each mode: `byline serve` (2 workers, with its task worker) on a fresh page store; the
first --pages post pages of the site stored (each read until it is a hit); wrk (2 threads, 8
connections) reading them in turn for 10 s (baseline), then again for --seconds while, 2 s in,
an editor renames the first item of the site-wide Featured list (shown on every post page).
Reported per mode: readers' requests/s and p99 over the baseline and over the change, how many
of their answers were renders (not hits), and the time from the change's commit until every
one of the stored pages is fresh (stored again, rendered after the change), read from the
store's files. (After a purge only readers store pages again: a page wrk does not reach
again before it stops stays missing, "never".)

Needs wrk (Debian package). Uses a scratch site of its own (SQLite under --var, by default
in the system's temporary directory): migrate, collectstatic, demo and `demo --posts N` on
first use, then the task worker once to make the demo images' renditions.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BYLINE = [sys.executable, "-m", "byline.cli"]
POST_PATH = re.compile(r"^/blogs/[^/]+/\d{4}/\d{2}/[^/]+/$")
LUA = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = math.random(#paths)
  hits, renders = 0, 0
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Host"] = "localhost"})
end
function response(status, headers, body)
  local state = headers["X-Byline-Cache"] or headers["x-byline-cache"]
  if state == "hit" then hits = hits + 1 else renders = renders + 1 end
end
function done(summary, latency, requests)
  local h, r = 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits")
    r = r + thread:get("renders")
  end
  io.write(string.format("ANSWERS hits=%d renders=%d\\n", h, r))
end
"""
CHANGE = (
    "import time; from byline.featured.models import FeaturedItem; "
    "item = FeaturedItem.objects.filter(featured_list__blog=None).order_by('sort_order')[0]; "
    "item.title = 'Bench feature %d' % time.time(); item.save(); "
    "print('CHANGED', time.time(), item.title)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[bytes, dict]:
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read(), {k.lower(): v for k, v in response.headers.items()}


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def setup(env: dict, var: Path, posts: int) -> None:
    fresh = not (var / "bench.sqlite3").exists()
    var.mkdir(parents=True, exist_ok=True)
    commands = [["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]]
    if fresh:
        commands += [["demo", "-v0"], ["demo", "--posts", str(posts), "-v0"]]
    # The demo's images have their renditions made, as the worker would have long before.
    commands.append(["db_worker", "--batch", "--queue-name", "*", "--no-startup-delay"])
    for command in commands:
        subprocess.run([*BYLINE, *command], env=env, check=True, cwd=ROOT)


def post_paths(base: str, count: int) -> list[str]:
    """The first `count` post addresses in the sitemap (an index on a large site)."""
    body, _ = fetch(base + "/sitemap.xml")
    locs = re.findall(rb"<loc>\s*([^<\s]+)\s*</loc>", body)
    if b"<sitemapindex" in body:
        nested = []
        for loc in locs:
            child = base + urllib.request.urlparse(loc.decode()).path
            nested += re.findall(rb"<loc>\s*([^<\s]+)\s*</loc>", fetch(child)[0])
            if len(nested) >= count * 2:
                break
        locs = nested
    paths = []
    for loc in locs:
        path = urllib.request.urlparse(loc.decode()).path
        if POST_PATH.match(path) and path not in paths:
            paths.append(path)
    return paths[:count]


def store_all(base: str, paths: list[str]) -> float:
    """Read every page until the store answers it; seconds taken."""
    started = time.monotonic()

    def until_hit(path: str) -> None:
        for _ in range(10):
            if fetch(base + path)[1].get("x-byline-cache") == "hit":
                return
        raise SystemExit(f"{path} is never answered from the store")

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(until_hit, paths))
    return time.monotonic() - started


def rendered_at(store: Path, path: str) -> float | None:
    """When the stored page for `path` was rendered, from its file's header; None if none."""
    key = hashlib.sha256(f"http\nlocalhost\n{path}\n".encode()).hexdigest()
    try:
        with open(store / "e" / key[:2] / key, "rb") as file:
            head = file.read(8)
            (size,) = struct.unpack(">I", head[4:8])
            return float(json.loads(file.read(size)).get("r") or 0)
    except (FileNotFoundError, struct.error, ValueError):
        return None


def wrk(base: str, urls_file: Path, script: Path, seconds: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", str(script), base]
        + [str(urls_file)],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    answers = re.search(r"ANSWERS hits=(\d+) renders=(\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p99": float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit],
        "hits": int(answers.group(1)),
        "renders": int(answers.group(2)),
        "errors": "Socket errors" in out or "Non-2xx" in out,
    }


def run_mode(env: dict, var: Path, refresh: bool, args, tmp: Path) -> dict:
    store = var / "pagecache"
    shutil.rmtree(store, ignore_errors=True)
    port = free_port()
    mode_env = {**env, "BYLINE_PAGECACHE_REFRESH": "1" if refresh else "0"}
    server = subprocess.Popen(
        [*BYLINE, "serve", "--port", str(port), "--workers", "2"],
        env=mode_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        paths = post_paths(base, args.pages)
        urls_file = tmp / "paths.txt"
        urls_file.write_text("\n".join(paths) + "\n")
        script = tmp / "rotate.lua"
        script.write_text(LUA)
        stored_in = store_all(base, paths)
        baseline = wrk(base, urls_file, script, 10)

        changed: dict = {}

        def change() -> None:
            time.sleep(2)
            out = subprocess.run(
                [*BYLINE, "shell", "-c", CHANGE],
                env=mode_env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            match = re.search(r"CHANGED ([\d.]+) (.+)", out)
            changed["at"], changed["title"] = float(match.group(1)), match.group(2).strip()

        editor = threading.Thread(target=change)
        editor.start()
        fresh_at: list[float] = []

        def watch() -> None:
            editor.join()
            deadline = time.time() + args.seconds + 600
            while time.time() < deadline:
                stale = sum(1 for p in paths if (rendered_at(store, p) or 0) <= changed["at"])
                if not stale:
                    fresh_at.append(time.time())
                    return
                time.sleep(0.25)

        watcher = threading.Thread(target=watch)
        watcher.start()
        during = wrk(base, urls_file, script, args.seconds)
        watcher.join()
        sample = fetch(base + paths[-1])[0].decode()
        assert changed["title"] in sample, "the last page does not show the change"
        return {
            "pages": len(paths),
            "stored_in": stored_in,
            "baseline": baseline,
            "during": during,
            "fresh_after": fresh_at[0] - changed["at"] if fresh_at else None,
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--var", type=Path, default=Path(tempfile.gettempdir()) / "byline-bench-featured"
    )
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(args.var),
        "DATABASE_URL": f"sqlite:///{args.var / 'bench.sqlite3'}",
        "BYLINE_LOG_LEVEL": "WARNING",
        "BYLINE_REQUEST_LOG": "0",
        "BYLINE_PAGECACHE": "1",
    }
    env.pop("REDIS_URL", None)
    env.pop("BYLINE_TASKS_IMMEDIATE", None)
    setup(env, args.var, args.posts)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    print(f"commit {commit}, {args.posts} posts, {args.pages} stored post pages, wrk -t2 -c8")
    with tempfile.TemporaryDirectory(prefix="byline-bench-") as tmp:
        for round_ in range(1, args.rounds + 1):
            for refresh in (True, False):
                name = "re-render in background" if refresh else "purge (old)"
                r = run_mode(env, args.var, refresh, args, Path(tmp))
                b, d = r["baseline"], r["during"]
                fresh = f"{r['fresh_after']:.1f} s" if r["fresh_after"] is not None else "never"
                print(
                    f"round {round_} | {name:24} | stored in {r['stored_in']:.0f} s | "
                    f"baseline {b['rps']:.0f} req/s p99 {b['p99']:.1f} ms | "
                    f"during change {d['rps']:.0f} req/s p99 {d['p99']:.1f} ms, "
                    f"{d['renders']} of {d['hits'] + d['renders']} answers rendered"
                    f"{' (wrk errors)' if d['errors'] else ''} | all fresh after {fresh}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
