"""Benchmark of the file page store's sweeper (byline/pagecache/sweep.py): how long a sweep
of N stored pages takes when there is nothing to remove (every sweep of a quiet site), when
the store is past its cap, and when every page has expired.

    .venv/bin/python bench/pagecache_sweep_bench.py [--pages 10000] [--kib 28]

Each page is stored as a render would store it, with six tag markers (its post, comments,
its own page, an author of 50, a tag of 200, the Featured list). Wall and CPU seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--kib", type=int, default=28)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="byline-sweep-bench-"))
    try:
        run(args, var)
    finally:
        shutil.rmtree(var, ignore_errors=True)


def run(args: argparse.Namespace, var: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "byline.settings",
            "BYLINE_VAR_DIR": str(var),
            "BYLINE_PAGECACHE_REDIS_URL": "off",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from byline.pagecache.store import Entry, FileStore
    from byline.pagecache.sweep import sweep

    store = FileStore(var / "pagecache")
    body = os.urandom(args.kib * 1024)
    start = time.perf_counter()
    for n in range(args.pages):
        deps = [f"post:{n}", f"comments:{n}", "featured:site", f"author:{n % 50}", f"tag:{n % 200}"]
        entry = Entry(
            200,
            [("Content-Type", "text/html")],
            {"identity": body},
            "e",
            0.0,
            time.time() + 3600,
            deps=deps,
            collections=[f"postpage:{n}"],
        )
        store.put(f"{n:064x}", entry, generation="")
    print(f"{args.pages} pages of {args.kib} KiB stored in {time.perf_counter() - start:.1f} s")
    size = store.usage()
    cases = [
        ("nothing to remove", 0, None),
        ("nothing to remove, again", 0, None),
        ("past the cap (cap at 80% of the store)", int(size * 0.8), None),
        ("every page expired", 0, time.time() + 7200),
    ]
    for label, cap, now in cases:
        store.max_bytes = cap
        cpu, wall = time.process_time(), time.perf_counter()
        report = sweep(store, now=now)
        print(
            f"{label}: {time.perf_counter() - wall:.2f} s wall, "
            f"{time.process_time() - cpu:.2f} s CPU | {report}"
        )


if __name__ == "__main__":
    main()
