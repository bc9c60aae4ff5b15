"""Bad input (issue #14): reader pages over a post with 1,000 comments, a 1 MB post, a blog
of 50,000 posts, a tag on every post and a search for the corpus's most common word.

    nice -n 19 .venv/bin/python bench/bad_input.py [--var var/bench-bad-input]
        [--posts 50000] [--warm 5] [--only "1 MB post,search deep"]

Uses a scratch SQLite site under --var, never the development database, built on first use:
migrate, collectstatic, `byline demo`, then (in a process of its own) N synthetic posts in
one blog (`demo --posts N` spreads them over four; the same generator is called with only
the first), one tag added to every post, a post with 1,000 approved comments (a third of
them replies, a few with links or an e-mail address), a post whose body is about 1 MB of
rich text (paragraphs with links, headings, quotations, a few e-mail addresses), both
published through Wagtail as an editor would, and the corpus's most common word counted.
What was built is noted in --var/bad-input.json; delete the folder to build again. The
build took ~10 minutes for 50,000 posts on a busy 2-core machine; a run after it ~2 minutes.

Pages: the two posts; the big blog's front, its last page and its archive; the tag's page,
last page and feed; the search's first and last page (the ranking window's); the site feed;
the sitemap index and its sections (each kind, and the first and last of the numbered ones).
Each page is rendered in this process through Django's test client (every middleware, the
page store off: BYLINE_PAGECACHE=0), after a few renders of other pages so that templates
and imports are loaded. Per page: the CPU time (time.process_time, so neighbours on a shared
machine shift it little) of the first render right after a change (a new content version
and new listing counts: nothing remembered, what the first reader after an edit gets), its
queries, the median CPU time of --warm renders after it and the queries of one of them
(django.test.utils.CaptureQueriesContext), and the response's size. Renders over 1 s of CPU
are marked SLOW. Exits non-zero if any page answers anything but 200 (a 5xx above all).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BYLINE = [sys.executable, "-m", "byline.cli"]
TAG = "Everywhere"
SLOW_MS = 1000
COMMENTS = 1000
BODY_BYTES = 1_000_000


def load() -> str:
    return "/".join(f"{figure:.1f}" for figure in os.getloadavg())


def site_env(var: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite3'}",
        "BYLINE_LOG_LEVEL": "WARNING",
        "BYLINE_PAGECACHE": "0",
        "BYLINE_PAGECACHE_REDIS_URL": "off",
        "BYLINE_REQUEST_LOG": "0",
        "ALLOWED_HOSTS": "localhost,testserver",
        "DJANGO_SETTINGS_MODULE": "byline.settings",
    }
    for name in ("REDIS_URL", "BYLINE_TASKS_IMMEDIATE", "BYLINE_DEBUG"):
        env.pop(name, None)
    return env


def setup(var: Path, posts: int) -> dict:
    """The cases' facts, building the site first if it is not there yet."""
    env = site_env(var)
    facts_file = var / "bad-input.json"
    fresh = not (var / "bench.sqlite3").exists()
    var.mkdir(parents=True, exist_ok=True)
    # migrate and collectstatic every time (a reused site may predate the code).
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        *([["demo", "-v0"]] if fresh else []),
    ):
        subprocess.run([*BYLINE, *command], env=env, check=True, cwd=ROOT)
    if not facts_file.exists():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--var", str(var), "--posts", str(posts), "--build"],
            env=env,
            check=True,
            cwd=ROOT,
        )
        print(f"built the cases in {time.perf_counter() - started:.0f} s", flush=True)
    os.environ.update(env)
    return json.loads(facts_file.read_text())


# -- building the cases (in a process of its own) --------------------------------------------


def _words(rng, count: int) -> str:
    from byline.demo.synthetic import WORDS

    glue = ["the", "and", "of", "to", "in", "a", "for", "with", "on", "that", "is", "as"]
    return " ".join(
        rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(glue) for _ in range(count)
    )


def long_body(rng, size: int) -> list[dict]:
    """About `size` bytes of stream data: a long post as an editor would write it, with a
    heading every dozen paragraphs, quotations, links in most paragraphs and a few e-mail
    addresses (as text and as mailto: links, which mailguard rewrites)."""
    import uuid

    blocks, total, number = [], 0, 0
    while total < size:
        number += 1
        block_id = str(uuid.UUID(int=rng.getrandbits(128)))
        if number % 12 == 1:
            text = _words(rng, 6).capitalize()
            block = {"type": "heading", "value": {"text": text, "level": "h2", "anchor": ""}}
        elif number % 25 == 0:
            quote = f"<p>{_words(rng, 60)}, <i>{_words(rng, 8)}</i>.</p>"
            block = {
                "type": "quotation",
                "value": {
                    "text": quote,
                    "speaker": "An analyst",
                    "source_title": "the transcript",
                    "source_url": f"https://example.com/transcripts/{number}",
                    "date": None,
                    "emphasis_added": True,
                },
            }
        else:
            sentences = []
            for sentence in range(rng.randint(4, 8)):
                text = _words(rng, rng.randint(12, 28))
                if sentence == 1:
                    text += (
                        f' (see <a href="https://example.com/news/{number}-{sentence}">'
                        f"{_words(rng, 3)}</a>)"
                    )
                if sentence == 3:
                    text = f"<b>{text}</b>"
                sentences.append(text[0].upper() + text[1:] + ".")
            if number % 150 == 2:
                sentences.append(f"Comment below or e-mail me at columnist{number}@example.com.")
            if number % 150 == 77:
                sentences.append(
                    f'Tips go to <a href="mailto:tips{number}@example.org">the tips desk</a>.'
                )
            block = {"type": "paragraph", "value": "<p>" + " ".join(sentences) + "</p>"}
        block["id"] = block_id
        blocks.append(block)
        total += len(json.dumps(block))
    return blocks


def add_comments(post, rng, count: int) -> None:
    """`count` approved comments on `post`: two thirds on the post, a third replies (some to
    replies), a few with a link or an e-mail address, a minute or so apart."""
    import datetime

    from byline.comments.models import CommentStatus, ReaderComment
    from byline.comments.text import render_body

    start = post.date + datetime.timedelta(hours=1)
    made: list[ReaderComment] = []
    for wave in range(3):
        batch = []
        for number in range(len(made), count if wave == 2 else (count * (wave + 2)) // 4):
            body = f"{_words(rng, rng.randint(10, 60)).capitalize()}."
            if number % 7 == 0:
                body += f"\n\nMore at https://example.net/reader/{number}"
            if number % 50 == 0:
                body += f"\n\nWrite to me: reader{number}@example.net"
            parent = rng.choice(made) if made and wave else None
            batch.append(
                ReaderComment(
                    post=post,
                    parent=parent,
                    depth=(parent.depth + 1) if parent else 0,
                    name=f"Reader {number}",
                    email=f"reader{number}@example.net",
                    website=f"https://reader{number}.example.net/" if number % 5 == 0 else "",
                    body=body,
                    body_html=render_body(body),
                    status=CommentStatus.APPROVED,
                    created=start + datetime.timedelta(minutes=number),
                )
            )
        made += ReaderComment.objects.bulk_create(batch, batch_size=500)


def most_common_word() -> tuple[str, int]:
    """The most frequent word (three letters or more) of the posts' titles and bodies."""
    from django.db import connection

    words: Counter = Counter()
    tag = re.compile(r"<[^>]*>")
    word = re.compile(r"[a-z]{3,}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg.title, p.body FROM blogs_postpage p"
            " JOIN wagtailcore_page pg ON pg.id = p.page_ptr_id"
        )
        while rows := cursor.fetchmany(2000):
            for title, body in rows:
                for row in json.loads(body or "[]"):
                    value = row.get("value")
                    if isinstance(value, dict):
                        value = " ".join(str(v) for v in value.values() if isinstance(v, str))
                    words.update(word.findall(tag.sub(" ", str(value)).lower()))
                words.update(word.findall(title.lower()))
    return words.most_common(1)[0]


def build(var: Path, posts: int) -> None:
    import datetime
    import random

    import django

    django.setup()
    from django.utils import timezone
    from taggit.models import Tag

    from byline.blogs.models import Author, PostPage, PostPageAuthor, PostPageTag
    from byline.core.signals import site_changed
    from byline.demo import synthetic

    rng = random.Random(14)
    started = time.perf_counter()
    # demo --posts spreads its posts over four blogs; one blog takes them all here.
    synthetic.BLOGS = synthetic.BLOGS[:1]
    synthetic.add_synthetic_posts(posts)
    blog = synthetic._ensure_blogs_and_authors()[0][0]
    print(f"{posts} posts in {blog.url_path}: {time.perf_counter() - started:.0f} s", flush=True)

    tag, _ = Tag.objects.get_or_create(name=TAG, defaults={"slug": TAG.lower()})
    author = Author.objects.order_by("pk").first()
    now = timezone.now().replace(microsecond=0)
    made = {}
    for key, title, slug, date, body in (
        ("comments", "A post with a thousand comments", "thousand-comments", now, None),
        ("long", "A post of a megabyte", "a-megabyte", now - datetime.timedelta(hours=2), None),
    ):
        if key == "long":
            body = long_body(rng, BODY_BYTES)
        else:
            body = [{"type": "paragraph", "value": f"<p>{_words(rng, 80)}.</p>"}]
        post = PostPage(
            title=title,
            slug=slug,
            date=date,
            excerpt=f"{_words(rng, 20)}.",
            body=body,
            post_authors=[PostPageAuthor(author=author, sort_order=0)],
        )
        blog.add_child(instance=post)
        post.save_revision().publish()
        synthetic.index_posts([post.pk])
        made[key] = PostPage.objects.get(pk=post.pk)
    add_comments(made["comments"], rng, COMMENTS)
    print(f"the two posts: {time.perf_counter() - started:.0f} s", flush=True)

    ids = list(PostPage.objects.values_list("pk", flat=True))
    tagged = set(PostPageTag.objects.filter(tag=tag).values_list("content_object_id", flat=True))
    PostPageTag.objects.bulk_create(
        (PostPageTag(content_object_id=pk, tag=tag) for pk in ids if pk not in tagged),
        batch_size=2000,
    )
    site_changed.send(sender=PostPage, reason="bench")
    word, count = most_common_word()
    print(f"tagged {len(ids)} posts; most common word {word!r} ({count} times)", flush=True)

    long_post = made["long"]
    (var / "bad-input.json").write_text(
        json.dumps(
            {
                "posts": posts,
                "blog": blog.pk,
                "tag": tag.slug,
                "word": word,
                "word_count": count,
                "comments_post": made["comments"].url,
                "long_post": long_post.url,
                "long_post_body_bytes": len(json.dumps(list(long_post.body.raw_data))),
            },
            indent=1,
        )
    )


# -- measuring -------------------------------------------------------------------------------


def cases(facts: dict) -> dict[str, str]:
    """{page: address} of every page measured."""
    from django.conf import settings

    from byline.blogs.models import BlogPage, PostPage
    from byline.search import engines
    from byline.search.query import parse
    from byline.search.services import RANK_WINDOW

    blog = BlogPage.objects.get(pk=facts["blog"])
    per_page = settings.BYLINE_POSTS_PER_PAGE
    blog_posts = PostPage.objects.live().public().descendant_of(blog).count()
    tag_posts = PostPage.objects.live().public().filter(tags__slug=facts["tag"]).distinct().count()
    word = facts["word"]
    # The last page of results: the ranking window's, or fewer pages on a small site.
    root = blog.get_site().root_page
    hits = engines.ranked_post_ids(parse(word), engines.Filters(root.path), window=RANK_WINDOW)
    deep = max(1, math.ceil(len(hits.ids) / settings.BYLINE_SEARCH_PER_PAGE))
    base = blog.url
    return {
        "1000 comments": facts["comments_post"],
        "1 MB post": facts["long_post"],
        "blog front": base,
        "blog last page": f"{base}?page={math.ceil(blog_posts / per_page)}",
        "blog archive": f"{base}archive/",
        "tag": f"/tags/{facts['tag']}/",
        "tag last page": f"/tags/{facts['tag']}/?page={math.ceil(tag_posts / per_page)}",
        "tag feed": f"/tags/{facts['tag']}/feed/",
        "search": f"/search/?q={word}",
        "search deep": f"/search/?q={word}&page={deep}",
        "site feed": "/feed/",
        "sitemap": "/sitemap.xml",
    }


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def render(client, url: str):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.process_time()
        response = client.get(url)
        body = body_of(response)
        cpu = (time.process_time() - started) * 1000
    return response.status_code, cpu, len(queries), body


def measure(client, url: str, warm: int) -> dict:
    from byline.blogs import counts
    from byline.core import frame

    # The first reader after a change: a new content version and new listing counts.
    frame.bump()
    counts.posts_changed()
    status, cold, cold_queries, body = render(client, url)
    result = {"status": status, "cold": cold, "cold_queries": cold_queries, "bytes": len(body)}
    if status != 200:
        return result
    cpus, queries = [], []
    for _ in range(warm):
        status, cpu, count, _ = render(client, url)
        cpus.append(cpu)
        queries.append(count)
    result.update(status=status, warm=statistics.median(cpus), queries=max(queries), body=body)
    return result


def sitemap_sections(body: bytes) -> list[str]:
    """The addresses a sitemap index lists, as paths with their query."""
    locations = re.findall(rb"<loc>\s*([^<\s]+)\s*</loc>", body)
    if not re.search(rb"<sitemapindex", body):
        return []
    return [re.sub(r"^https?://[^/]+", "", url.decode()) for url in locations]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, default=ROOT / "var" / "bench-bad-input")
    parser.add_argument("--posts", type=int, default=50000)
    parser.add_argument("--warm", type=int, default=5, help="warm renders per page")
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        sys.path.insert(0, str(ROOT))
        build(args.var, args.posts)
        return

    facts = setup(args.var, args.posts)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core import signals
    from django.db import close_old_connections
    from django.test import Client

    # One connection for the whole run, as a worker keeps it.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    client = Client(HTTP_HOST="localhost")
    pages = cases(facts)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        pages = {name: url for name, url in pages.items() if name in wanted}
    for url in ("/", "/feed/", "/blogs/", "/search/?q=azure"):  # templates, imports
        client.get(url)
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    print(
        f"commit {git}; {facts['posts']} posts in one blog; most common word "
        f"{facts['word']!r}; 1 MB post body {facts['long_post_body_bytes']} bytes of stream "
        f"data; load {load()}",
        flush=True,
    )
    print(
        f"{'page':<18} {'status':>6} {'cold ms':>8} {'queries':>7} {'warm ms':>8} "
        f"{'queries':>7} {'bytes':>9}  address"
    )
    failed = []
    queue = list(pages.items())
    while queue:
        name, url = queue.pop(0)
        result = measure(client, url, args.warm)
        slow = result["cold"] > SLOW_MS or result.get("warm", 0) > SLOW_MS
        print(
            f"{name:<18} {result['status']:>6} {result['cold']:>8.1f} "
            f"{result['cold_queries']:>7} {result.get('warm', float('nan')):>8.1f} "
            f"{result.get('queries', -1):>7} {result['bytes']:>9}  {url}"
            + ("  SLOW" if slow else ""),
            flush=True,
        )
        if result["status"] != 200:
            failed.append(f"{name} ({url}): {result['status']}")
        if name == "sitemap" and result["status"] == 200:
            # Each kind of section, and of the numbered ones (posts) the first and the last.
            sections = sitemap_sections(result["body"])
            numbered = [url for url in sections if re.search(r"-\d+\.xml", url)]
            chosen = [url for url in sections if url not in numbered] + numbered[:1]
            chosen += numbered[-1:] if len(numbered) > 1 else []
            queue[:0] = [(re.sub(r"^/|\.xml.*$", "", url), url) for url in chosen]
    print(f"load {load()}")
    if failed:
        sys.exit("pages that did not answer 200: " + "; ".join(failed))


if __name__ == "__main__":
    main()
