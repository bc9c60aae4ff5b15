"""Full renders through `byline serve` with the page store off, page by page, against nginx
serving the reference post's bytes from a file in the same run; optionally the same for an
earlier checkout, in the same run, for a before and after.

    .venv/bin/python bench/render_serve_bench.py [--var DIR] [--seconds 10]
        [--connections 8] [--workers 2] [--rounds 1] [--baseline CHECKOUT]
    .venv/bin/python bench/render_serve_bench.py --cpu [--renders 40] [--var DIR]
        [--rounds 2] [--baseline CHECKOUT]

Each reader page (the reference post, home, blog front, archive, the site feed, search,
author and tag pages) is loaded with wrk -t2 for --seconds at --connections; requests/s,
p99 and the ratio to nginx's rate for the post's bytes. BYLINE_PAGECACHE=0: every request
renders. The request log is on, as by default (to /dev/null). --baseline runs `byline serve`
from another checkout (a `git worktree` of an earlier commit) on the same database, beside
this one: both are up, and wrk loads one at a time, page by page in turn.

--cpu measures no HTTP: each checkout renders every page in a process of its own through
Django's full stack (the test client, every middleware), the page store off, and reports
the queries of a render and the median in-process CPU time per render (process_time, so a
loaded machine shifts it little) after a few warming renders, and the same for a render
right after a new content version (the first reader after any change: nothing remembered);
with --baseline the
checkouts take turns, --rounds times. Needs neither wrk nor nginx.

Needs wrk and nginx (Debian packages) without --cpu. Uses a scratch site of its own (SQLite
under --var, set up on first use: migrate, collectstatic, demo), never the development
database.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pagecache_bench import NGINX_CONF, POST, fetch, free_port, setup, wait_for, wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "reference post": POST,
    "home": "/",
    "blog front": "/blogs/bekkers-blog/",
    "archive": "/blogs/bekkers-blog/archive/",
    "/feed/": "/feed/",
    "search": "/search/?q=partner",
    "author": "/authors/scott-bekker/",
    "tag": "/tags/partners/",
}


CPU_CHILD = """
import json, os, statistics, sys, time
import django
django.setup()
from django.core import signals
from django.db import close_old_connections, connection
from django.test import Client
signals.request_started.disconnect(close_old_connections)
signals.request_finished.disconnect(close_old_connections)
pages, renders = json.loads(sys.argv[1]), int(sys.argv[2])
client = Client(HTTP_HOST="localhost")
results = {}
for name, url in pages.items():
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    connection.force_debug_cursor = True
    connection.queries_log.clear()
    client.get(url)
    queries = len(connection.queries_log)
    connection.force_debug_cursor = False
    cpu = []
    for _ in range(renders):
        start = time.process_time()
        client.get(url)
        cpu.append(time.process_time() - start)
    # The first render after a change: a new content version, nothing remembered.
    from byline.core import frame
    cold = []
    for _ in range(max(5, renders // 3)):
        frame.bump()
        start = time.process_time()
        client.get(url)
        cold.append(time.process_time() - start)
    results[name] = (queries, statistics.median(cpu) * 1000, statistics.median(cold) * 1000)
print(json.dumps(results))
"""


def cpu_per_render(checkout: Path, env: dict, renders: int) -> dict[str, tuple[int, float, float]]:
    """{page: (queries, median CPU ms, median CPU ms after a new content version)} of
    in-process renders by `checkout`."""
    out = subprocess.run(
        [sys.executable, "-c", CPU_CHILD, json.dumps(PAGES), str(renders)],
        env={
            **env,
            "PYTHONPATH": str(checkout),
            "DJANGO_SETTINGS_MODULE": "byline.settings",
            "ALLOWED_HOSTS": "localhost,testserver",
            "BYLINE_REQUEST_LOG": "0",
        },
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name: tuple(value) for name, value in json.loads(out.splitlines()[-1]).items()}


def measure_cpu(checkouts: dict[str, Path], env: dict, args: argparse.Namespace) -> None:
    print(
        f"in-process renders, page store off: queries, median CPU ms of {args.renders}, and"
        " median CPU ms of a render after a new content version (nothing remembered)"
    )
    for round_ in range(1, args.rounds + 1):
        results = {
            name: cpu_per_render(path, env, args.renders) for name, path in checkouts.items()
        }
        header = " | ".join(f"{name}: queries, CPU ms, cold ms" for name in results)
        print(f"round {round_}:\n  {'page':<15} | {header}")
        for page in PAGES:
            cells = " | ".join(
                "{:4d} {:7.1f} {:7.1f}".format(*results[name][page]) for name in results
            )
            print(f"  {page:<15} | {cells}")


def start_server(checkout: Path, env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "byline.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-background",
        ],
        env={**env, "PYTHONPATH": str(checkout)},
        cwd=checkout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(f"http://127.0.0.1:{port}/healthz")
    return server


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def measure(checkouts: dict[str, Path], env: dict, args: argparse.Namespace) -> dict:
    """{checkout: {page: (req/s, p99)}}, every server up at once but loaded one at a time,
    page by page in turn, so that a change in the machine's load falls on both alike."""
    servers, bases = [], {}
    try:
        for name, checkout in checkouts.items():
            port = free_port()
            servers.append(start_server(checkout, env, port, args.workers))
            bases[name] = f"http://127.0.0.1:{port}"
        for base in bases.values():
            for url in PAGES.values():  # warm every worker's templates and caches
                for _ in range(2 * args.workers):
                    fetch(base + url)
        results: dict[str, dict] = {name: {} for name in checkouts}
        for page, url in PAGES.items():
            for name, base in bases.items():
                results[name][page] = wrk(base + url, args.connections, args.seconds, [])
        return results
    finally:
        for server in servers:
            stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, help="the scratch site (default: a new temporary one)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--baseline", type=Path, help="an earlier checkout to measure too")
    parser.add_argument("--cpu", action="store_true", help="in-process CPU per render, no HTTP")
    parser.add_argument("--renders", type=int, default=40, help="renders per page with --cpu")
    args = parser.parse_args()
    var = args.var or Path(tempfile.mkdtemp(prefix="byline-render-"))
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite3'}",
        "BYLINE_LOG_LEVEL": "WARNING",
        "BYLINE_PAGECACHE": "0",
    }
    env.pop("REDIS_URL", None)
    setup(env, var)
    checkouts = {"this": ROOT}
    if args.baseline:
        checkouts = {"baseline": args.baseline.resolve(), **checkouts}
    if args.cpu:
        try:
            measure_cpu(checkouts, env, args)
        finally:
            if not args.var:
                shutil.rmtree(var, ignore_errors=True)
        return

    tmp = Path(tempfile.mkdtemp(prefix="byline-render-nginx-"))
    tmp.chmod(0o755)  # nginx's workers run as another user
    nginx = None
    try:
        port = free_port()
        server = start_server(ROOT, env, port, 1)
        try:
            body, _ = fetch(f"http://127.0.0.1:{port}{POST}")
        finally:
            stop_server(server)
        (tmp / "www" / POST.strip("/")).mkdir(parents=True)
        (tmp / "www" / POST.strip("/") / "index.html").write_bytes(body)
        nginx_port = free_port()
        (tmp / "nginx.conf").write_text(
            NGINX_CONF.format(workers=args.workers, tmp=tmp, port=nginx_port)
        )
        nginx = subprocess.Popen(["nginx", "-c", str(tmp / "nginx.conf"), "-p", str(tmp)])
        nginx_url = f"http://127.0.0.1:{nginx_port}{POST}"
        wait_for(nginx_url)
        print(
            f"byline serve, page store off, {args.workers} workers; wrk -t2 "
            f"-c{args.connections} -d{args.seconds}s; nginx serves the post's {len(body)} bytes"
        )
        for round_ in range(1, args.rounds + 1):
            n_rate, n_p99 = wrk(nginx_url, args.connections, args.seconds, [])
            print(f"round {round_}: nginx {n_rate:.0f} req/s p99 {n_p99:.2f} ms")
            results = measure(checkouts, env, args)
            n_rate_after, _ = wrk(nginx_url, args.connections, args.seconds, [])
            n_mean = (n_rate + n_rate_after) / 2
            print(f"  nginx after: {n_rate_after:.0f} req/s; ratios against {n_mean:.0f}")
            header = " | ".join(f"{name}: req/s, p99 ms, x nginx" for name in results)
            print(f"  {'page':<15} | {header}")
            for page in PAGES:
                cells = " | ".join(
                    f"{rate:7.0f} {p99:8.1f} {rate / n_mean:.4f}"
                    for rate, p99 in (results[name][page] for name in results)
                )
                print(f"  {page:<15} | {cells}")
    finally:
        if nginx is not None:
            nginx.send_signal(signal.SIGQUIT)
            nginx.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
        if not args.var:
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
