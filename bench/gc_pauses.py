"""How long Python's cyclic garbage collector holds a warm worker's renders, frozen or not.

A process loads Byline as a web worker does (byline.wsgi, which freezes the objects alive
after loading and again after BYLINE_GC_FREEZE_AFTER responses, byline/ops/collector.py),
warms up on the reader pages, then renders them --renders times in turn through Django's
whole stack (the test client, the page store off), timing every collection the collector
makes (gc.callbacks) and every render. The other process is the same with
BYLINE_GC_FREEZE_AFTER=0 (nothing frozen). They take turns, --rounds times, each on its own.

    .venv/bin/python bench/gc_pauses.py [--var DIR] [--renders 2000] [--rounds 2]

Prints per process and round: collections per generation with their total and longest
pause, and the renders' median, p99 and longest. Uses the scratch demo site of
pagecache_bench.py (SQLite under --var, made on first use).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pagecache_bench import POST, ROOT, setup  # noqa: E402

PAGES = ["/", "/blogs/bekkers-blog/", POST, "/feed/", "/search/?q=ballmer",
         "/blogs/bekkers-blog/archive/"]  # fmt: skip

PROBE = r"""
import gc, json, sys, time
import byline.wsgi  # noqa: F401  (loads as a worker does: freezes if configured)
from django.test import Client

paths, renders = json.loads(sys.argv[1]), int(sys.argv[2])
client = Client(HTTP_HOST="127.0.0.1")
for path in paths * 100:  # warm-up: 600 responses, past BYLINE_GC_FREEZE_AFTER's default
    assert client.get(path).status_code == 200, path
pauses, started = {0: [], 1: [], 2: []}, []

def timed(phase, info):
    if phase == "start":
        started.append(time.perf_counter())
    else:
        pauses[info["generation"]].append((time.perf_counter() - started.pop()) * 1000)

gc.callbacks.append(timed)
times = []
for index in range(renders):
    start = time.perf_counter()
    client.get(paths[index % len(paths)])
    times.append((time.perf_counter() - start) * 1000)
gc.callbacks.remove(timed)
times.sort()
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "collections": {g: [len(p), round(sum(p), 1), round(max(p, default=0), 1)]
                    for g, p in pauses.items()},
    "p50": round(times[len(times) // 2], 2),
    "p99": round(times[int(len(times) * 0.99)], 2),
    "max": round(times[-1], 2),
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, default=Path("/tmp/byline-bench"))
    parser.add_argument("--renders", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(args.var),
        "DATABASE_URL": f"sqlite:///{args.var / 'bench.sqlite3'}",
        "BYLINE_LOG_LEVEL": "WARNING",
        "BYLINE_REQUEST_LOG": "0",
        "BYLINE_PAGECACHE": "0",
        "DJANGO_SETTINGS_MODULE": "byline.settings",
    }
    setup(env, args.var)
    for round_ in range(1, args.rounds + 1):
        for label, freeze_after in (("not frozen", "0"), ("frozen", "500")):
            result = subprocess.run(
                [sys.executable, "-c", PROBE, json.dumps(PAGES), str(args.renders)],
                env={**env, "BYLINE_GC_FREEZE_AFTER": freeze_after},
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            report = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"round {round_}, {label}: {json.dumps(report)}", flush=True)


if __name__ == "__main__":
    main()
