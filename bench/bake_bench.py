"""Benchmark of `byline bake`: a full bake of a site of N posts, then `--changed` with nothing
changed, in pages per second.

    .venv/bin/python bench/bake_bench.py --var /tmp/byline-bench-10k [--posts 10000]

Uses a scratch SQLite site under --var (set up on first use: migrate, collectstatic, demo,
demo --posts N), never the development database; bakes into --var/bake.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BYLINE = [sys.executable, "-m", "byline.cli"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, default=Path("/tmp/byline-bench-10k"))
    parser.add_argument("--posts", type=int, default=10000)
    args = parser.parse_args()
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(args.var),
        "DATABASE_URL": f"sqlite:///{args.var / 'bench.sqlite3'}",
        "BYLINE_LOG_LEVEL": "WARNING",
        "BYLINE_PAGECACHE_REDIS_URL": "off",
    }
    env.pop("REDIS_URL", None)
    if not (args.var / "bench.sqlite3").exists():
        args.var.mkdir(parents=True, exist_ok=True)
        for command in (
            ["migrate", "--noinput", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
            ["demo", "-v0"],
            ["demo", "--posts", str(args.posts), "-v0"],
        ):
            subprocess.run([*BYLINE, *command], env=env, check=True, cwd=ROOT)
    out = args.var / "bake"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(args.var / "pagecache", ignore_errors=True)
    for label, extra in (("full bake", []), ("--changed, nothing changed", ["--changed"])):
        started = time.perf_counter()
        result = subprocess.run(
            [*BYLINE, "bake", str(out), "--base-url", "http://localhost", *extra],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - started
        pages = int(re.search(r"Baked (\d+) pages", result.stdout).group(1))
        print(f"{label}: {result.stdout.strip()} in {seconds:.1f} s: {pages / seconds:.0f} pages/s")


if __name__ == "__main__":
    main()
