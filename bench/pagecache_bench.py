"""Benchmark of the read path: the reference post through `byline serve` (answered from the
page store) against nginx serving the same bytes from a file, in the same run; wrk at 16 and
64 connections, requests/s and p99; memory per worker under load.

    .venv/bin/python bench/pagecache_bench.py [--var /tmp/byline-bench] [--seconds 10]
        [--workers 2] [--rounds 2] [--no-request-log] [--accept-encoding gzip] [--tracking]

The request log is on, as it is by default (one JSON line per request, here to /dev/null);
--no-request-log measures without it (BYLINE_REQUEST_LOG=0). nginx runs without an access
log either way. With --accept-encoding, wrk asks for that coding, Byline answers with its
precompressed variant and nginx with a .gz file beside the page (gzip_static). With
--tracking, every request carries an fbclid of its own and utm_source, as clicks from a
share do (a wrk script); nginx, serving a file, ignores them.

Needs wrk and nginx (Debian packages). Uses a scratch site of its own (SQLite under --var,
set up on first use: migrate, collectstatic, demo), never the development database.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BYLINE = [sys.executable, "-m", "byline.cli"]
POST = "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/"
NGINX_CONF = """
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/html;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/www;
        gzip_static on;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[bytes, dict]:
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), {k.lower(): v for k, v in response.headers.items()}


def fetch_encoded(url: str, coding: str) -> bytes:
    """The stored variant in `coding`, as sent (not decoded)."""
    request = urllib.request.Request(url, headers={"Host": "localhost", "Accept-Encoding": coding})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers.get("Content-Encoding") == coding, response.headers
        return response.read()


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


# Each request a click from a share: its own fbclid (wrk's threads count apart, so a random
# part too) and a utm_source.
TRACKING_SCRIPT = """
local n = 0
request = function()
  n = n + 1
  local query = "?fbclid=IwAR" .. n .. "x" .. math.random(1000000000) .. "&utm_source=facebook"
  return wrk.format(nil, wrk.path .. query)
end
"""


def wrk(
    url: str, connections: int, seconds: int, headers: list[str], script: Path | None = None
) -> tuple[float, float]:
    """Requests/s and p99 latency (ms)."""
    extra = [arg for header in headers for arg in ("-H", header)]
    if script is not None:
        extra += ["-s", str(script)]
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            "Host: localhost",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    if "Non-2xx" in out or "Socket errors" in out:
        print("  wrk reported errors:\n" + out, file=sys.stderr)
    return rate, p99


def worker_rss_mb(server: subprocess.Popen) -> list[float]:
    """RSS of every process under `byline serve` that runs granian's workers."""
    out = subprocess.run(["ps", "-eo", "pid,ppid,rss,args"], capture_output=True, text=True).stdout
    children: dict[int, list[tuple[int, int, str]]] = {}
    for line in out.splitlines()[1:]:
        pid, ppid, rss, args = line.split(None, 3)
        children.setdefault(int(ppid), []).append((int(pid), int(rss), args))
    found, todo = [], [server.pid]
    while todo:
        pid = todo.pop()
        for child, rss, _args in children.get(pid, []):
            todo.append(child)
            if not children.get(child):  # granian's workers are the leaves
                found.append(rss / 1024)
    return found


def setup(env: dict, var: Path) -> None:
    # migrate and collectstatic every time (a reused site may predate the code); the
    # content only once.
    fresh = not (var / "bench.sqlite3").exists()
    var.mkdir(parents=True, exist_ok=True)
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        *([["demo", "-v0"]] if fresh else []),
    ):
        subprocess.run([*BYLINE, *command], env=env, check=True, cwd=ROOT)
    # Pages stored by an older run may predate the code too.
    shutil.rmtree(var / "pagecache", ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, default=Path("/tmp/byline-bench"))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-request-log", action="store_true")
    parser.add_argument("--accept-encoding", choices=["gzip"], default=None)
    parser.add_argument("--tracking", action="store_true", help="a new fbclid every request")
    args = parser.parse_args()
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(args.var),
        "DATABASE_URL": f"sqlite:///{args.var / 'bench.sqlite3'}",
        "BYLINE_LOG_LEVEL": "WARNING",
        "BYLINE_REQUEST_LOG": "0" if args.no_request_log else "1",
    }
    env.pop("REDIS_URL", None)
    setup(env, args.var)
    tmp = Path(tempfile.mkdtemp(prefix="byline-bench-"))
    tmp.chmod(0o755)  # nginx's workers run as another user
    script = None
    if args.tracking:
        script = tmp / "tracking.lua"
        script.write_text(TRACKING_SCRIPT)
    byline_port, nginx_port = free_port(), free_port()
    server = subprocess.Popen(
        [
            *BYLINE,
            "serve",
            "--port",
            str(byline_port),
            "--workers",
            str(args.workers),
            "--no-background",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    nginx = None
    try:
        base = f"http://127.0.0.1:{byline_port}"
        wait_for(f"{base}/healthz")
        for _ in range(5):  # the first render may fill in image sizes (a purge): retry
            body, headers = fetch(base + POST)
            if headers.get("x-byline-cache") == "hit":
                break
        assert headers.get("x-byline-cache") == "hit", headers
        (tmp / "www" / POST.strip("/")).mkdir(parents=True)
        (tmp / "www" / POST.strip("/") / "index.html").write_bytes(body)
        headers_sent = []
        if args.accept_encoding:
            headers_sent = [f"Accept-Encoding: {args.accept_encoding}"]
            gz = fetch_encoded(base + POST, args.accept_encoding)
            (tmp / "www" / POST.strip("/") / "index.html.gz").write_bytes(gz)
        (tmp / "nginx.conf").write_text(
            NGINX_CONF.format(workers=args.workers, tmp=tmp, port=nginx_port)
        )
        nginx = subprocess.Popen(["nginx", "-c", str(tmp / "nginx.conf"), "-p", str(tmp)])
        wait_for(f"http://127.0.0.1:{nginx_port}{POST}")
        assert fetch(f"http://127.0.0.1:{nginx_port}{POST}")[0] == body
        print(
            f"reference post: {len(body)} bytes, {args.workers} workers each, "
            f"wrk -t2 -d{args.seconds}s, request log {'off' if args.no_request_log else 'on'}, "
            f"Accept-Encoding: {args.accept_encoding or '(none)'}, "
            f"{'a new fbclid every request, ' if args.tracking else ''}"
            f"BYLINE_THREADS={os.environ.get('BYLINE_THREADS', '4 (default)')}"
        )
        for round_ in range(1, args.rounds + 1):
            for connections in (16, 64):
                load = os.getloadavg()[0]
                rate, p99 = wrk(base + POST, connections, args.seconds, headers_sent, script)
                rss = worker_rss_mb(server)
                n_rate, n_p99 = wrk(
                    f"http://127.0.0.1:{nginx_port}{POST}",
                    connections,
                    args.seconds,
                    headers_sent,
                    script,
                )
                print(
                    f"round {round_} c={connections}: byline {rate:.0f} req/s p99 {p99:.2f} ms | "
                    f"nginx {n_rate:.0f} req/s p99 {n_p99:.2f} ms | ratio {rate / n_rate:.2f} | "
                    f"worker RSS after load (MB): {', '.join(f'{m:.0f}' for m in rss)} | "
                    f"load average {load:.1f}"
                )
    finally:
        if nginx is not None:
            nginx.send_signal(signal.SIGQUIT)
            nginx.wait(timeout=30)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
