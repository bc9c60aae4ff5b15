"""Benchmark of `byline bake`: full bakes of a site of N posts in one process and in several
(`--jobs`), each then `--changed` with nothing changed; pages per second, wall and CPU time.

    .venv/bin/python bench/bake_bench.py --var /tmp/byline-bench-10k [--posts 10000] \
        [--jobs 1,2] [--rounds 2] [--pages N] [--pelican PATH/TO/pelican]

Uses a scratch SQLite site under --var (set up on first use: migrate, collectstatic, demo,
demo --posts N), never the development database; bakes into --var/bake-jobs-N.

CPU time is the user + system time of the bake and every process it started (its workers):
on a shared machine wall time depends on the neighbours, CPU time much less. The load
average is printed before and after each run.

Each build starts without the last run's output and page store: they are renamed aside
(into --var/set-aside), and deleted when the bench ends, after every measurement. Deleting
them before a build made it pay for the deletion: ext4 without a journal, as on this
machine, does not hand out an inode freed in the last 60 s (the last 6 minutes while its
inode table block is unwritten, which the build's own new inodes make it again), and the
kernel's `find_inode_bit` and `recently_deleted` looking for a free one among those just
freed took a quarter of the CPU of a bake's first minute. Waiting 65 s after a sync, as this
script did, did not end it: 6,000 pages of a bake took 24% more CPU (`perf`, 2026-12-05)
than with a store that was never deleted. Pelican's output is set aside the same way.
A bench started within minutes of the last one's end still finds its deleted inodes.

With --pelican (a `pelican` from a virtualenv of its own: it is no dependency of Byline),
the same posts (title, date, blog, authors, tags, body text) are written out as Markdown and
Pelican builds them with its default theme in the same run, for comparison.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BYLINE = [sys.executable, "-m", "byline.cli"]
EXPORT = r"""
import sys
from pathlib import Path

import django

django.setup()
from django.utils.html import strip_tags

from byline.blogs.models import PostPage

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
posts = (
    PostPage.objects.live()
    .public()
    .select_related()
    .prefetch_related("post_authors__author", "tags")
    .order_by("pk")
)
count = 0
for post in posts.iterator(chunk_size=500):
    blog = post.get_parent().title
    authors = ", ".join(a.author.name for a in post.post_authors.all()) or "Staff"
    tags = ", ".join(t.name for t in post.tags.all())
    paragraphs = [strip_tags(str(block.value)) for block in post.body]
    text = "\n\n".join(p for p in paragraphs if p.strip())
    (out / f"{post.pk}.md").write_text(
        f"Title: {post.title}\nDate: {post.date:%Y-%m-%d %H:%M}\nSlug: {post.slug}-{post.pk}\n"
        f"Category: {blog}\nAuthors: {authors}\nTags: {tags}\nSummary: {post.excerpt}\n\n"
        f"{text}\n"
    )
    count += 1
print(count)
"""
# A bake of the first N pages the crawl finds (--pages), in a process of its own as
# `byline bake` would be: the same Baker, stopped after N pages.
LIMITED = r"""
import sys
import time
from pathlib import Path

import django

django.setup()
from byline.pagecache import bake


class Limited(bake.Baker):
    def fetched(self, queue):
        for number, found in enumerate(super().fetched(queue)):
            if number == LIMIT:
                return
            yield found


out, LIMIT, jobs, changed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
baker = Limited(out, host="localhost", scheme="http", changed=changed == "1", jobs=jobs)
started = time.process_time()
report = baker.run()
cpu = time.process_time() - started  # this process's own: with --jobs 1, the whole bake
print(f"Baked {report.pages} pages into {out}: {report.rendered} rendered, {cpu:.3f} s CPU")
"""
PELICANCONF = """
SITENAME = "Bench"
SITEURL = "http://localhost"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
RELATIVE_URLS = False
"""


def children_cpu() -> tuple[float, float]:
    """User and system CPU seconds of this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def load() -> str:
    return "/".join(f"{figure:.1f}" for figure in os.getloadavg())


def timed(command: list[str], env: dict[str, str]) -> tuple[str, float, float, float]:
    """Its output, wall seconds, CPU seconds (with its children's) and of those the
    kernel's (system time: on this machine's file system, what creating files cost)."""
    user, system = children_cpu()
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    user_after, system_after = children_cpu()
    kernel = system_after - system
    return result.stdout, seconds, user_after - user + kernel, kernel


def line(
    label: str,
    pages: int,
    timing: tuple[float, float, float],
    before: str,
    extra: str = "",
) -> None:
    seconds, cpu, kernel = timing
    print(
        f"{label}: {pages} pages{extra}, {seconds:.1f} s wall ({pages / seconds:.0f} pages/s), "
        f"{cpu:.1f} s CPU ({pages / cpu:.0f} pages per CPU second; {kernel:.1f} s of it in "
        f"the kernel); load {before} before, {load()} after",
        flush=True,
    )


def set_aside(args: argparse.Namespace, path: Path) -> None:
    """Move `path` out of the way, to be deleted when the bench ends (see the docstring)."""
    if path.exists():
        aside = args.var / "set-aside"
        aside.mkdir(exist_ok=True)
        path.rename(aside / f"{time.time_ns()}-{path.name}")


def bake(args: argparse.Namespace, env: dict[str, str], jobs: int) -> None:
    out = args.var / f"bake-jobs-{jobs}"
    set_aside(args, out)
    # A full bake renders every page whatever the store holds; --changed then reads the store.
    set_aside(args, args.var / "pagecache")
    for label, extra in (("full bake", []), ("--changed, nothing changed", ["--changed"])):
        before = load()
        if args.pages:
            command = [sys.executable, "-c", LIMITED, str(out), str(args.pages), str(jobs)]
            command.append("1" if extra else "0")
        else:
            command = [*BYLINE, "bake", str(out), "--base-url", "http://localhost"]
            command += ["--jobs", str(jobs), *extra]
        stdout, *timing = timed(command, env)
        match = re.search(r"Baked (\d+) pages.*?: (\d+) rendered", stdout)
        pages, rendered = int(match.group(1)), int(match.group(2))
        line(f"--jobs {jobs}, {label}", pages, timing, before, f" ({rendered} rendered)")


def pelican(args: argparse.Namespace, env: dict[str, str]) -> None:
    work = args.var / "pelican"
    content, output = work / "content", work / "output"
    if not content.is_dir():
        stdout, *_ = timed([sys.executable, "-c", EXPORT, str(content)], env)
        print(f"Pelican: {stdout.strip()} posts written out as Markdown", flush=True)
    (work / "pelicanconf.py").write_text(PELICANCONF)
    set_aside(args, output)
    before = load()
    _, *timing = timed(
        [args.pelican, str(content), "-o", str(output), "-s", str(work / "pelicanconf.py"), "-q"],
        env,
    )
    pages = sum(
        1 for _, _, names in os.walk(output) for name in names if name.endswith((".html", ".xml"))
    )
    line("Pelican, full build", pages, timing, before)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, default=Path("/tmp/byline-bench-10k"))
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--jobs", default="1,2", help="Worker counts to bake with, in turn.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pelican", help="A pelican executable, to build the same posts.")
    parser.add_argument(
        "--pages", type=int, default=0, help="Stop each bake after this many pages (0: all)."
    )
    args = parser.parse_args()
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(args.var),
        "DATABASE_URL": f"sqlite:///{args.var / 'bench.sqlite3'}",
        "BYLINE_LOG_LEVEL": "WARNING",
        "BYLINE_PAGECACHE_REDIS_URL": "off",
        "DJANGO_SETTINGS_MODULE": "byline.settings",
    }
    # The scratch site's own store (--var/pagecache), whatever the caller's shell says.
    for name in ("REDIS_URL", "BYLINE_PAGECACHE_DIR"):
        env.pop(name, None)
    if not (args.var / "bench.sqlite3").exists():
        args.var.mkdir(parents=True, exist_ok=True)
        for command in (
            ["migrate", "--noinput", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
            ["demo", "-v0"],
            ["demo", "--posts", str(args.posts), "-v0"],
        ):
            subprocess.run([*BYLINE, *command], env=env, check=True, cwd=ROOT)
    print(f"{os.cpu_count()} CPUs, load {load()}", flush=True)
    try:
        for round_ in range(1, args.rounds + 1):
            print(f"-- round {round_}", flush=True)
            if args.pelican:
                pelican(args, env)
            for jobs in (int(n) for n in args.jobs.split(",")):
                bake(args, env, jobs)
    finally:
        shutil.rmtree(args.var / "set-aside", ignore_errors=True)


if __name__ == "__main__":
    main()
