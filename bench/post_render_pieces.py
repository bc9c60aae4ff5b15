"""CPU per post page rendered cold, as a bake renders it: N distinct posts through the bake's
renderer (every middleware, the page store on) and written out as a bake's worker writes
it, split by remembered piece.

    BYLINE_VAR_DIR=DIR DATABASE_URL=sqlite:///DIR/bench.sqlite3 BYLINE_LOG_LEVEL=WARNING \
    BYLINE_PAGECACHE_REDIS_URL=off DJANGO_SETTINGS_MODULE=byline.settings \
        .venv/bin/python bench/post_render_pieces.py [N]

DIR is a scratch site such as the one bake_bench.py builds (10,000 posts); never the
development database. Each piece's time includes the pieces built inside it. For a before
and after, run it with PYTHONPATH set to another checkout (a `git worktree`) in turn.
"""

from __future__ import annotations

import collections
import sys
import tempfile
import time
from pathlib import Path

import django

django.setup()

from byline.blogs.models import PostPage  # noqa: E402
from byline.core import frame  # noqa: E402
from byline.ops.db_router import read_from_primary  # noqa: E402
from byline.pagecache import bake  # noqa: E402

spent: collections.Counter = collections.Counter()
_remembered = frame.remembered


def timed(request, key, build, **kwargs):
    """frame.remembered, adding each build's CPU time to its piece's name."""
    name = key[1] if key and key[0] == "fragment" else key[0]

    def build_timed():
        started = time.process_time()
        try:
            return build()
        finally:
            spent[name] += time.process_time() - started

    return _remembered(request, key, build_timed, **kwargs)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    frame.remembered = timed
    posts = PostPage.objects.live().public().order_by("-pk")[: count * 2]
    urls = [post.url for post in posts.specific()]
    # As a bake's worker does: render, find the links, write the file and its .gz.
    out = tempfile.TemporaryDirectory(prefix="byline-pieces-")
    files = bake.PageFiles(Path(out.name), {})
    renderer = bake.Renderer(host="localhost", scheme="http", files=files)
    with read_from_primary(), out:
        for url in urls[:20]:  # the whole site's pieces: the frame, the asides
            renderer.render(url, "")
        spent.clear()
        started = time.process_time()
        for url in urls[count : 2 * count]:
            renderer.finish(url, "", renderer.render(url, ""))
        cpu = time.process_time() - started
    print(f"{count} posts: {cpu * 1000 / count:.1f} ms CPU a page")
    for name, seconds in spent.most_common():
        print(f"  {name}: {seconds * 1000 / count:.1f} ms a page")


if __name__ == "__main__":
    main()
