"""Benchmark of the editor's server time: saving a draft, publishing, scheduling, creating a
post and previewing it, on a site of N posts (issue #14, item 5).

    nice -n 19 .venv/bin/python bench/editor_save.py [--var var/bench-editor] [--posts 100000]
        [--runs 7] [--profile DIR] [--slow N] [--only "save draft,publish"]

Uses a scratch SQLite site under --var (set up on first use: migrate, collectstatic, demo,
demo --posts N), never the development database. Each action is the Wagtail admin's own
form, POSTed through Django's test Client logged in as a superuser, so the figures are the
request's whole server side (middleware, form, save, signals, on-commit work) without the
network. Background tasks are queued to the database backend as in production; no worker
runs them here, so their cost is not the request's. The store holds the post, its blog and
the home page before each run, so that a purge has something to remove.

For each action: the median wall and CPU time (time.process_time) of --runs runs after a
warm-up, and the queries of the warm-up run. With --profile, one more run of each action is
profiled (cProfile) into DIR/<action>.prof and its top functions printed.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import logging
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BYLINE = [sys.executable, "-m", "byline.cli"]


def setup_site(var: Path, posts: int) -> None:
    """Point Django at the scratch site under `var`, building it on first use."""
    os.environ.update(
        {
            "BYLINE_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite3'}",
            "BYLINE_LOG_LEVEL": "WARNING",
            "BYLINE_PAGECACHE_REDIS_URL": "off",
            "DJANGO_SETTINGS_MODULE": "byline.settings",
        }
    )
    for name in ("REDIS_URL", "BYLINE_TASKS_IMMEDIATE", "BYLINE_DEBUG"):
        os.environ.pop(name, None)
    if not (var / "bench.sqlite3").exists():
        var.mkdir(parents=True, exist_ok=True)
        for command in (
            ["migrate", "--noinput", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
            ["demo", "-v0"],
            ["demo", "--posts", str(posts), "-v0"],
        ):
            subprocess.run([*BYLINE, *command], env=os.environ, check=True, cwd=ROOT)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Each request's log line would bury the figures.
    logging.getLogger("byline.requests").setLevel(logging.WARNING)


def credits(post, author_id: int) -> dict:
    """The byline formset as the edit form posts it: the post's own credits by id."""
    from wagtail.test.utils.form_data import inline_formset

    if not post.pk:
        return inline_formset([{"author": author_id}])
    from byline.blogs.models import PostPageAuthor

    rows = PostPageAuthor.objects.filter(post_id=post.pk).order_by("sort_order")
    items = [{"id": row.pk, "author": row.author_id or ""} for row in rows]
    return inline_formset(items or [{"author": author_id}], initial=len(items))


def post_form(post, author_id: int, **overrides) -> dict:
    from django.utils import timezone
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    data = {
        "title": post.title,
        "slug": post.slug,
        "date": (timezone.localtime(post.date).strftime("%Y-%m-%d %H:%M") if post.date else ""),
        "excerpt": "An excerpt, edited.",
        "body": streamfield(
            [
                ("paragraph", rich_text(f"<p>Edited at {time.time()}: <i>readers</i>.</p>")),
                ("paragraph", rich_text("<p>A second paragraph with a <b>word</b>.</p>")),
            ]
        ),
        "post_authors": credits(post, author_id),
        "tags": "Azure, Partners",
        "pinned_related": inline_formset([]),
        "comments_open": "on",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(overrides)
    return nested_form_data(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, default=ROOT / "var" / "bench-editor")
    parser.add_argument("--posts", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--slow", type=int, default=0, help="print the N slowest queries")
    parser.add_argument("--only", default="", help="comma-separated actions to run")
    args = parser.parse_args()
    setup_site(args.var, args.posts)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from byline.blogs.models import Author, BlogPage, PostPage

    user = get_user_model().objects.filter(username="bench-editor").first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench-editor", "e@example.com", "pw")
    editor = Client()
    editor.force_login(user)
    reader = Client()
    # The biggest blog's most recent post: the neighbours and counts of a long blog.
    blog = max(BlogPage.objects.all(), key=lambda b: b.get_children_count())
    post = PostPage.objects.child_of(blog).live().order_by("-date", "-pk").first()
    author_id = Author.objects.values_list("pk", flat=True).first()
    total = PostPage.objects.count()
    print(f"site: {total} posts; blog {blog.slug!r}: {blog.get_children_count()} posts")
    print(f"post: {post.pk} {post.url}")
    edit = f"/admin/pages/{post.pk}/edit/"
    preview = f"/admin/pages/{post.pk}/edit/preview/"
    add = f"/admin/pages/add/blogs/postpage/{blog.pk}/"
    created = [0]

    def fill_store() -> None:
        post.refresh_from_db()
        for url in (post.url, blog.url, "/"):
            reader.get(url)

    def unschedule() -> None:
        post.refresh_from_db()
        post.__dict__.pop("scheduled_revision", None)
        revision = post.scheduled_revision
        if revision is not None:
            editor.post(f"/admin/pages/{post.pk}/revisions/{revision.pk}/unschedule/")
            post.refresh_from_db()

    def save_draft():
        return editor.post(edit, post_form(post, author_id))

    def publish():
        return editor.post(edit, {**post_form(post, author_id), "action-publish": "publish"})

    def schedule():
        when = timezone.localtime(timezone.now() + datetime.timedelta(days=3))
        form = post_form(post, author_id, go_live_at=when.strftime("%Y-%m-%d %H:%M"))
        return editor.post(edit, {**form, "action-publish": "publish"})

    def create():
        created[0] += 1
        new = PostPage(title=f"Bench new post {time.time_ns()}", slug=f"bench-new-{time.time_ns()}")
        return editor.post(add, post_form(new, author_id))

    def preview_post():
        return editor.post(preview, post_form(post, author_id))

    def preview_render():
        return editor.get(preview, {"in_preview_panel": "true", "mode": ""})

    actions = {
        "save draft": (save_draft, 302),
        "publish": (publish, 302),
        "schedule": (schedule, 302),
        "create draft": (create, 302),
        "preview (POST form)": (preview_post, 200),
        "preview (render)": (preview_render, 200),
    }
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        actions = {k: v for k, v in actions.items() if k in wanted}

    def one(name: str, action, status: int, *, queries: bool = False):
        unschedule()
        fill_store()
        if name == "preview (render)":
            preview_post()
        if queries:
            with CaptureQueriesContext(connection) as captured:
                response = action()
            count = len(captured.captured_queries)
            if args.slow:
                slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
                print(f"\n{name}: slowest queries")
                for query in slowest[: args.slow]:
                    print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
        else:
            count = None
        if not queries:
            cpu, wall = time.process_time(), time.perf_counter()
            response = action()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        else:
            cpu = wall = 0.0
        if response.status_code != status:
            import re

            html = response.content.decode(errors="replace")
            errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.{0,300})', html, re.S)
            body = "\n".join(" ".join(e.split()) for e in errors)[:3000] or html[:300]
            raise SystemExit(f"{name}: HTTP {response.status_code}, expected {status}\n{body}")
        return wall, cpu, count

    results = {}
    for name, (action, status) in actions.items():
        _, _, count = one(name, action, status, queries=True)
        results[name] = {"queries": count, "wall": [], "cpu": []}
    for _ in range(args.runs):
        for name, (action, status) in actions.items():
            wall, cpu, _ = one(name, action, status)
            results[name]["wall"].append(wall)
            results[name]["cpu"].append(cpu)

    print(f"\n{'action':<22}{'wall ms':>9}{'cpu ms':>9}{'queries':>9}   (median of {args.runs})")
    for name, figures in results.items():
        wall = statistics.median(figures["wall"]) * 1000
        cpu = statistics.median(figures["cpu"]) * 1000
        print(f"{name:<22}{wall:>9.1f}{cpu:>9.1f}{figures['queries']:>9}")

    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        for name, (action, _status) in actions.items():
            unschedule()
            fill_store()
            if name == "preview (render)":
                preview_post()
            profiler = cProfile.Profile()
            profiler.enable()
            action()
            profiler.disable()
            stem = "".join(c if c.isalnum() else "_" for c in name).strip("_")
            target = args.profile / f"{stem}.prof"
            profiler.dump_stats(target)
            print(f"\n=== {name}: {target}")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
