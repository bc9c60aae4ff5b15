"""Benchmark `byline import-wordpress`: CPU time, wall time and peak memory for generated exports.

    .venv/bin/python bench/import_wordpress.py 1000 5000 10000
    .venv/bin/python bench/import_wordpress.py --against HEAD~3 1000 10000

For each size: a fresh SQLite database under a temporary BYLINE_VAR_DIR (migrated, with the
demo publication), a generated WXR file with that many posts (three paragraphs, two tags,
two comments, a link to the previous post each), then the import in a process of its own
whose CPU time (user + system, of that process alone) and peak resident memory (ru_maxrss)
are read when it ends. A streaming read of the file alone is measured the same way, to show
that the parser's memory does not grow with it.

The machine may be shared: compare CPU time, and compare two versions in the same run.
`--against REV` imports each file again with the code of commit REV (extracted with `git
archive` into a temporary directory, run with this checkout's Python), into its own copy of
the same freshly migrated database, the versions alternating size by size; `--no-checkout`
leaves this checkout's own code out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="https://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="https://wordpress.org/export/1.2/">
<channel><title>Bench Blog</title><link>https://bench.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://bench.example</wp:base_blog_url>
<wp:author><wp:author_login>writer</wp:author_login><wp:author_email>w@example.com</wp:author_email>
<wp:author_display_name>The Writer</wp:author_display_name></wp:author>
"""

ITEM = """<item><title>Post number {n}</title>
<link>https://bench.example/{y}/{m:02d}/post-{n}/</link>
<guid isPermaLink="false">https://bench.example/?p={n}</guid><dc:creator>writer</dc:creator>
<content:encoded><![CDATA[The first paragraph of post {n}, with <em>emphasis</em> and a
<a href="https://bench.example/?p={prev}">link to the one before</a>.

A second paragraph that goes on for a while so that the body has some weight to it, as real
posts do; lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.

<blockquote>A quotation in post {n}.</blockquote>]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{n}</wp:post_id><wp:post_date>{y}-{m:02d}-{d:02d} 10:00:00</wp:post_date>
<wp:post_date_gmt>{y}-{m:02d}-{d:02d} 08:00:00</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status><wp:post_name>post-{n}</wp:post_name>
<wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent><wp:post_type>post</wp:post_type>
<category domain="category" nicename="cat-{c}"><![CDATA[Category {c}]]></category>
<category domain="post_tag" nicename="tag-{t}"><![CDATA[Tag {t}]]></category>
<wp:comment><wp:comment_id>{n}1</wp:comment_id><wp:comment_author>Reader</wp:comment_author>
<wp:comment_author_email>r@example.com</wp:comment_author_email>
<wp:comment_date>{y}-{m:02d}-{d:02d} 12:00:00</wp:comment_date>
<wp:comment_date_gmt>{y}-{m:02d}-{d:02d} 10:00:00</wp:comment_date_gmt>
<wp:comment_content>Nice one.</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>{n}2</wp:comment_id><wp:comment_author>Writer</wp:comment_author>
<wp:comment_author_email>w@example.com</wp:comment_author_email>
<wp:comment_date>{y}-{m:02d}-{d:02d} 13:00:00</wp:comment_date>
<wp:comment_date_gmt>{y}-{m:02d}-{d:02d} 11:00:00</wp:comment_date_gmt>
<wp:comment_content>Thanks.</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>{n}1</wp:comment_parent></wp:comment>
</item>
"""


def generate(count: int, path: Path) -> None:
    with path.open("w") as out:
        out.write(HEAD)
        for n in range(1, count + 1):
            day = n % (28 * 12 * 20)
            year, rest = 2000 + day // (28 * 12), day % (28 * 12)
            out.write(
                ITEM.format(
                    n=n,
                    prev=max(n - 1, 1),
                    y=year,
                    m=rest // 28 + 1,
                    d=rest % 28 + 1,
                    c=n % 20,
                    t=n % 50,
                )  # fmt: skip
            )
        out.write("</channel></rss>\n")


CHILD_IMPORT = """
import os, resource, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "byline.settings")
django.setup()
from pathlib import Path
from byline.importers.services import wordpress_import
start, cpu = time.perf_counter(), time.process_time()
report = wordpress_import(path=Path(sys.argv[1]), blog_slug="bench")
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
counts = report.counts
print(f"{elapsed:.1f} {cpu:.1f} {peak:.0f} {counts['posts created']} {counts['comments created']}")

"""

CHILD_PARSE = """
import resource, sys, time
from byline.importers.wxr import read_wxr
start = time.perf_counter()
count = sum(1 for _ in read_wxr(sys.argv[1]))
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{elapsed:.2f} {peak:.0f} {count}")
"""


def measure(count: int, codes: dict[str, Path]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "BYLINE_VAR_DIR": tmp, "BYLINE_TASKS_IMMEDIATE": "1"}
        env.pop("DATABASE_URL", None)
        export = Path(tmp) / "export.xml"
        generate(count, export)
        size = export.stat().st_size / 1e6
        byline = [PYTHON, "-m", "byline.cli"]
        for step in (["migrate", "-v0"], ["demo"]):
            subprocess.run(byline + step, env=env, cwd=ROOT, check=True, capture_output=True)
        parse = subprocess.run(
            [PYTHON, "-c", CHILD_PARSE, str(export)], env=env, cwd=ROOT, check=True,
            capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        print(f"{count} posts ({size:.1f} MB): parse {parse[0]} s, peak {parse[1]} MB", flush=True)
        database = Path(tmp) / "byline.sqlite3"
        fresh = database.read_bytes() if len(codes) > 1 else b""
        for n, (label, code) in enumerate(codes.items()):
            if n:  # the next version imports into the same fresh database
                database.write_bytes(fresh)
            started = time.perf_counter()
            result = subprocess.run(
                [PYTHON, "-c", CHILD_IMPORT, str(export)], env=env, cwd=code, check=True,
                capture_output=True, text=True,
            ).stdout.split()  # fmt: skip
            wall = time.perf_counter() - started
            seconds, cpu = float(result[0]), float(result[1])
            print(
                f"  {label}: import CPU {cpu:.1f} s = {1000 * cpu / count:.1f} ms/post; "
                f"elapsed {seconds:.1f} s = {count / seconds:.0f} posts/s (process wall "
                f"{wall:.0f} s); peak RSS {result[2]} MB; {result[3]} posts, {result[4]} "
                f"comments; load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )


def extract(rev: str, into: Path) -> Path:
    """The tree of commit `rev`, as files under `into` (no change to the repository)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev], cwd=ROOT, check=True, capture_output=True
    ).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000, 10000])
    parser.add_argument(
        "--against", metavar="REV", action="append", default=[],
        help="also import with commit REV's code (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--no-checkout", action="store_true", help="measure only the --against commits"
    )
    args = parser.parse_args()
    other = Path(tempfile.mkdtemp(prefix="bench-import-")) if args.against else None
    try:
        codes = {rev: extract(rev, other / f"tree-{n}") for n, rev in enumerate(args.against)}
        if not args.no_checkout:
            codes["this checkout"] = ROOT
        for size in args.sizes:
            measure(size, codes)
    finally:
        if other is not None:
            shutil.rmtree(other)
