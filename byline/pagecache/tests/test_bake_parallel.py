"""`byline bake --jobs N`: the same files as a bake in one process, and a page that fails
fails the bake (naming the page) in a worker as in one process, never a hang."""

import datetime
import gzip
import hashlib
import json
import multiprocessing
import os
import signal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from byline.corrections.models import Correction
from byline.pagecache import bake as baking
from tests.factories import make_post

# Committed rows: the workers read the database through connections of their own.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(tree, settings, page_store):
    settings.BYLINE_POSTS_PER_PAGE = 2  # listings of several pages (?page=2, ?page=3)
    posts = []
    for number in range(7):
        posts.append(
            make_post(
                tree.blog,
                title=f"Post number {number}",
                date=datetime.datetime(2011, 1 + number, 3, 9, tzinfo=datetime.UTC),
                authors=[tree.author],
                tags=["microsoft", f"topic-{number % 3}"],
            )
        )
    # A correction in the corrections feeds, whose date an empty feed would take from the clock.
    Correction.objects.create(
        post=posts[2],
        text="The launch was in May.",
        published_at=datetime.datetime(2011, 8, 1, 12, tzinfo=datetime.UTC),
    )
    return posts


@pytest.fixture
def no_hang():
    """A bake that hangs fails the test instead of the run."""

    def hung(signum, frame):
        raise TimeoutError("the bake hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(300)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def bake(out, jobs, *args):
    call_command(
        "bake", str(out), "--base-url", "http://localhost", "--jobs", str(jobs), *args, verbosity=0
    )


def tree_of(root):
    """Every file under `root` (the manifest too) and its bytes."""
    found = {}
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as file:
                found[os.path.relpath(path, root)] = file.read()
    return found


def test_two_processes_bake_the_same_files_as_one(site, no_hang, tmp_path, monkeypatch):
    # Two bakes in one process differ too, where a render takes the clock or chance: forms
    # carry a token stamped with the second it was made (byline.core.formguard) and e-mail
    # addresses are hidden with a key drawn for each render (byline.mailguard). Both bakes
    # draw the same here, so that what is left to differ is what the workers did.
    from byline.core import formguard
    from byline.mailguard import addresses

    monkeypatch.setattr(formguard, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    monkeypatch.setattr(addresses, "secrets", SimpleNamespace(randbelow=lambda n: 41))
    bake(tmp_path / "one", 1)
    bake(tmp_path / "two", 2)
    one, two = tree_of(tmp_path / "one"), tree_of(tmp_path / "two")
    assert sorted(one) == sorted(two)
    different = [name for name in one if one[name] != two[name]]
    assert different == []
    files = json.loads(one[baking.MANIFEST])["files"]
    # A site worth comparing: every post, listings of several pages, their .gz beside them.
    for post in site:
        assert post.url.strip("/") + "/index.html" in files
    assert "blogs/bekkers-blog/index.page-3.html" in files
    assert "index.html.gz" in one
    assert b"formguard_token" in one["index.html"]
    assert b"data-mailguard=" in one[site[0].url.strip("/") + "/index.html"]
    assert not any(name.startswith(".tmp-") or "/.tmp-" in name for name in one)


def test_workers_write_the_files_and_send_back_no_bodies(site, no_hang, tmp_path):
    """The process keeping the crawl gets each page's file name, etag and links, not its
    bytes: the workers wrote the file (and its .gz) where they rendered it."""
    seen = []

    class Watching(baking.Baker):
        def fetched(self, queue):
            for path, query, page in super().fetched(queue):
                seen.append((path, page))
                yield path, query, page

    out = tmp_path / "site"
    report = Watching(out, host="localhost", scheme="http", changed=False, jobs=2).run()
    baked = [(path, page) for path, page in seen if page.status == 200 and page.filed.name]
    assert len(baked) == report.pages == report.written
    for path, page in baked:
        assert page.body == b"" and page.gzipped is None, path
        file = out / page.filed.name
        assert hashlib.sha256(file.read_bytes()).hexdigest()[:32] == page.filed.etag, path
    post = out / site[0].url.strip("/") / "index.html"
    assert gzip.decompress(post.with_name("index.html.gz").read_bytes()) == post.read_bytes()


def test_changed_in_two_processes_renders_only_what_changed(
    site, no_hang, tmp_path, django_capture_on_commit_callbacks
):
    out = tmp_path / "site"
    baker = baking.Baker(out, host="localhost", scheme="http", changed=False, jobs=2)
    full = baker.run()
    assert full.rendered == full.pages + len(full.skipped)
    unchanged = baking.Baker(out, host="localhost", scheme="http", changed=True, jobs=2).run()
    assert unchanged.pages == full.pages and unchanged.written == 0
    assert unchanged.skipped == ["/authors/scott-bekker/contact/"] == full.skipped
    assert unchanged.rendered == 1
    # Each worker's process has ended, the one sent nothing too.
    assert multiprocessing.active_children() == []

    first = site[0]
    with django_capture_on_commit_callbacks(execute=True):
        first.title = "Post number 0, revised"
        first.save_revision().publish()
    report = baking.Baker(out, host="localhost", scheme="http", changed=True, jobs=2).run()
    assert "Post number 0, revised" in (out / first.url.strip("/") / "index.html").read_text()
    assert 0 < report.written < report.pages
    assert report.rendered < report.pages


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_page_that_fails_to_render_fails_the_bake_and_is_named(
    site, no_hang, tmp_path, monkeypatch, jobs
):
    from byline.blogs.models import PostPage

    broken = site[3]
    get_context = PostPage.get_context

    def failing(self, request, *args, **kwargs):
        if self.pk == broken.pk:
            raise RuntimeError("the template is broken")
        return get_context(self, request, *args, **kwargs)

    # Forked workers start with this process's classes, the broken page's among them.
    monkeypatch.setattr(PostPage, "get_context", failing)
    with pytest.raises(CommandError) as failure:
        bake(tmp_path / "site", jobs)
    assert broken.url in str(failure.value)
    assert "500" in str(failure.value)
    assert not (tmp_path / "site" / baking.MANIFEST).exists()


def test_a_worker_that_dies_fails_the_bake(site, no_hang, tmp_path, monkeypatch):
    victim = site[5].url
    finish = baking.Renderer.finish

    def dying(self, path, query, page):
        if path == victim:
            os._exit(3)  # as the kernel's OOM killer would end it: no exception, no answer
        return finish(self, path, query, page)

    monkeypatch.setattr(baking.Renderer, "finish", dying)
    with pytest.raises(CommandError) as failure:
        bake(tmp_path / "site", 2)
    assert "worker died" in str(failure.value)
    assert not (tmp_path / "site" / baking.MANIFEST).exists()


def test_pages_of_a_section_go_to_the_same_worker():
    """A blog's posts and listings, a tag's pages, an author's pages: one worker each (among
    enough workers that sharing one by chance is unlikely), and sections spread."""
    many = 10_007
    blog = {
        baking.section_worker(path, many)
        for path in (
            "/blogs/bekkers-blog/",
            "/blogs/bekkers-blog/2011/01/post-number-0/",
            "/blogs/bekkers-blog/2011/",
        )
    }
    assert len(blog) == 1
    assert baking.section_worker("/tags/azure/", many) != baking.section_worker(
        "/tags/office/", many
    )
    assert baking.section_worker("/authors/mary-jo/", many) == baking.section_worker(
        "/authors/mary-jo/contact/", many
    )
    sections = [f"/tags/tag-{number}/" for number in range(40)]
    assert {baking.section_worker(path, 3) for path in sections} == {0, 1, 2}
    assert baking.section_worker("/", 4) in range(4)


def test_a_worker_without_pages_of_its_own_takes_others(site, no_hang, tmp_path, monkeypatch):
    """Every section falling to one worker leaves the other none of its own: it renders
    pages from the backlog all the same, and the bake is whole."""
    notes = tmp_path / "rendered-by"
    notes.mkdir()
    render = baking.Renderer.render

    def noting(self, path, query):
        # In the worker: a line in a file named after its process.
        with open(notes / str(os.getpid()), "a") as file:
            file.write(f"{path}?{query}\n")
        return render(self, path, query)

    monkeypatch.setattr(baking.Renderer, "render", noting)
    monkeypatch.setattr(baking, "section_worker", lambda path, jobs: 0)
    report = baking.Baker(
        tmp_path / "site", host="localhost", scheme="http", changed=False, jobs=2
    ).run()
    by_worker = {note.name: note.read_text().splitlines() for note in notes.iterdir()}
    assert len(by_worker) == 2
    assert all(len(pages) >= 1 for pages in by_worker.values())
    assert sum(len(pages) for pages in by_worker.values()) == report.rendered
    assert (tmp_path / "site" / baking.MANIFEST).exists()


def test_a_worker_that_dies_while_another_is_first_in_line_fails_the_bake(
    site, no_hang, tmp_path, monkeypatch
):
    """Each worker has a pool of its own: one that died is found when its pages come up or
    when it is sent more, whichever comes first, and the bake fails naming one of them."""
    import time

    render = baking.Renderer.render

    def slow_or_dying(self, path, query):
        if path.startswith("/tags/"):
            os._exit(3)
        time.sleep(0.05)
        return render(self, path, query)

    monkeypatch.setattr(baking.Renderer, "render", slow_or_dying)
    monkeypatch.setattr(
        baking, "section_worker", lambda path, jobs: 1 if path.startswith("/tags/") else 0
    )
    with pytest.raises(CommandError) as failure:
        bake(tmp_path / "site", 2)
    assert "worker died" in str(failure.value)
    assert not (tmp_path / "site" / baking.MANIFEST).exists()
