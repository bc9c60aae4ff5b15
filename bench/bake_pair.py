"""CPU per page of a one-process bake of the first N pages, this checkout against another, in
turn (A B A B ...): the ratio of each pair is taken, so that a shared machine's drift moves
both sides of it alike.

    .venv/bin/python bench/bake_pair.py --var DIR --base ../other [--pages 2000] [--pairs 5]

DIR is a scratch site such as bake_bench.py builds (10,000 posts); never the development
database. The other checkout is usually a `git worktree` of the commit to compare with; both
run with this checkout's virtualenv. Each run starts with an empty page store and output
folder, renders in this process as `byline bake --jobs 1` does, and prints its CPU seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bake_bench import LIMITED  # the bake of the first N pages

ROOT = Path(__file__).resolve().parent.parent


def run(checkout: Path, var: Path, pages: int, scratch: Path) -> float:
    """CPU milliseconds a page for one limited bake with `checkout`'s code."""
    out, store = scratch / "out", scratch / "store"
    for folder in (out, store):
        shutil.rmtree(folder, ignore_errors=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "byline.settings",
        "BYLINE_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite3'}",
        "BYLINE_LOG_LEVEL": "WARNING",
        "BYLINE_PAGECACHE_REDIS_URL": "off",
        "BYLINE_PAGECACHE_DIR": str(store),
        "PYTHONPATH": str(checkout),
    }
    result = subprocess.run(
        [sys.executable, "-c", LIMITED, str(out), str(pages), "1", "0"],
        env=env,
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    )
    done, cpu = re.search(r"Baked (\d+) pages.*, ([\d.]+) s CPU", result.stdout).groups()
    return float(cpu) * 1000 / int(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var", type=Path, required=True)
    parser.add_argument("--base", type=Path, required=True, help="The checkout to compare with.")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    if not (args.var / "bench.sqlite3").exists():
        sys.exit(f"No site in {args.var}: build one with bench/bake_bench.py --var {args.var}")
    scratch = Path(tempfile.mkdtemp(prefix="byline-bake-pair-"))
    try:
        run(ROOT, args.var, min(args.pages, 200), scratch)  # warm the disk cache
        this, base = [], []
        for pair in range(1, args.pairs + 1):
            this.append(run(ROOT, args.var, args.pages, scratch))
            base.append(run(args.base, args.var, args.pages, scratch))
            print(f"pair {pair}: {this[-1]:.2f} against {base[-1]:.2f} ms CPU a page")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ratios = sorted(a / b for a, b in zip(this, base, strict=True))
    print(
        f"{args.pages} pages, {args.pairs} pairs: this checkout {statistics.median(this):.2f} ms "
        f"CPU a page (median), the other {statistics.median(base):.2f}; ratio median "
        f"{statistics.median(ratios):.3f} (from {ratios[0]:.3f} to {ratios[-1]:.3f})"
    )


if __name__ == "__main__":
    main()
