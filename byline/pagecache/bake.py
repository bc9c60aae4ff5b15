"""`byline bake`: the whole public site as static files, for any web server or CDN.

Pages are found the way a reader (or a search engine) finds them: from the home page, the
sitemaps and the feeds, following links within the site. Each is rendered through the whole
Django stack (so e-mail protection and security headers are as served) and kept in the page
store too, so that ``--changed`` re-renders only pages the store has purged since (exact
invalidation) and rewrites only files whose bytes differ.

With ``jobs`` above one, pages are rendered in that many forked worker processes, a chunk of
addresses at a time, while this process keeps the crawl: it takes their answers in the order
it asked, so the pages found and the manifest are those of a one-process bake. Each worker
writes the files of the pages it rendered and sends back only what the crawl needs (the
file's name and etag, the links): the bodies do not travel back, and the files, one
directory per post, are made in parallel.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import hashlib
import json
import logging
import multiprocessing
import os
import re
import shutil
import traceback
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from byline.core import frame
from byline.core.callstack import in_roomy_frame
from byline.core.handler import ReaderHandler
from byline.ops.db_router import read_from_primary
from byline.pagecache.inprocess import page_environ
from byline.pagecache.keys import PAGE_QUERY, PageKey, bake_key
from byline.pagecache.store import get_store

logger = logging.getLogger(__name__)

MANIFEST = ".byline-bake.json"
LINK = re.compile(rb"""(?:href|src)\s*=\s*["']([^"'<>\s]+)["']""")
# LINK from where it must start: found_links looks for those words with bytes.find.
LINK_AT = re.compile(rb"""\s*=\s*["']([^"'<>\s]+)["']""")
LOC = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>")
SEEDS = [
    "/",
    "/blogs/",
    "/feed/",
    "/atom/",
    "/feed.json",
    "/sitemap.xml",
    "/sitemap-news.xml",
    "/robots.txt",
]
EXTENSIONS = {
    "text/html": "html",
    "application/rss+xml": "xml",
    "application/atom+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/feed+json": "json",
    "application/json": "json",
    "application/manifest+json": "webmanifest",
    "text/plain": "txt",
}
NEVER = ("/admin/", "/static/", "/media/", "/documents/", "/search/", "/comments/", "/healthz")
# Files this small are not worth a .gz beside them.
GZIP_FROM = 512
# Pieces of single posts, authors and tags a bake's process keeps (byline.core.frame): each
# listed post is on several listings (its blog's, its authors', its tags', its months'), and
# within the serving bound a crawl would load it again for each. About 10 kB a piece.
ITEMS_HELD = 40_000
# The collector's thresholds while a bake renders. Rendering allocates a great many
# short-lived containers, and with Python's (700, 10, 10) a process collected about 280
# times a thousand pages: 2.6% of its CPU, 1.2% with these, for 8 MB more at its peak. The
# oldest generation keeps Python's 10, so that cycles there are still collected in a long
# bake.
GC_THRESHOLDS = (50_000, 20, 10)
# How much of an SQLite database a bake's connections read through a memory map (SQLite
# caps it at its build's limit, 2 GB by default). A bake reads much of the database, and
# through the page cache serving is sized for (BYLINE_SQLITE_CACHE_KB: 2 MB) SQLite made a
# read() per 4 kB page, about 420 a post page at 10,000 posts; mapped, the same pages cost
# 5-6% less CPU a page. The mapped pages are the OS's file cache, shared between processes.
SQLITE_MMAP_BYTES = 2**31
# Pages a worker is sent at once: enough that a page's round trip through the pipes is a
# small part of its render, few enough that the workers share the crawl's first pages.
CHUNK = 16
# Addresses taken from the crawl's queue ahead of the workers, for each to find pages of its
# own sections among them (section_worker).
LOOKAHEAD = 32 * CHUNK


class BakeError(Exception):
    """A page could not be baked (a server error, a worker that failed or died)."""


@dataclass
class BakeReport:
    pages: int = 0
    rendered: int = 0
    written: int = 0
    removed: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass
class Page:
    """What a render (or the page store) gave for one address. `status` 0: an answer that is
    not a public page (personal, time-bound or encoded), not for baking."""

    status: int
    content_type: str = ""
    body: bytes = b""
    # The gzipped body and the body's etag when the page store made them; the links to
    # follow, worked out where the page was rendered when that is a worker (None when not
    # yet).
    gzipped: bytes | None = None
    etag: str = ""
    links: list[tuple[str, str]] | None = None
    # Its file, once written (or found unchanged) where it was rendered; None when not yet.
    filed: Filed | None = None


@dataclass
class Filed:
    """A page's place in the bake: its file (relative to the bake; "" when the page cannot
    have one), the etag of its bytes, and whether this bake wrote them (they differed from
    the last bake's, or the file was missing)."""

    name: str
    etag: str = ""
    written: bool = False


class PageFiles:
    """Writes pages under the bake's folder: each page's file and, past GZIP_FROM bytes, its
    .gz beside it; only when its bytes differ from the last bake's (`old`: file name → etag)
    or the file is missing."""

    def __init__(self, out: Path, old: dict[str, str]) -> None:
        self.out = out
        self.old = old
        self.folders: set[Path] = set()

    def file(self, path: str, query: str, page: Page) -> Filed:
        name = file_for(path, query, page.content_type)
        if name is None:
            return Filed("")
        target = (self.out / name).resolve()
        if not target.is_relative_to(self.out):
            return Filed("")
        body = page.body
        etag = page.etag or hashlib.sha256(body).hexdigest()[:32]
        if self.old.get(name) == etag and target.exists():
            return Filed(name, etag)
        self.write(target, body)
        if len(body) >= GZIP_FROM:
            self.write(
                target.with_name(target.name + ".gz"),
                page.gzipped if page.gzipped is not None else gzipped(body),
            )
        return Filed(name, etag, written=True)

    def write(self, target: Path, data: bytes) -> None:
        folder = target.parent
        if folder not in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        _write(target, data)


def default_jobs() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0))


def address(path: str, query: str) -> str:
    return path + (f"?{query}" if query else "")


def file_for(path: str, query: str, content_type: str) -> str | None:
    """The file (relative to the bake) a page goes into, or None if it cannot have one:
    /a/b/ → a/b/index.html (index.page-2.html for ?page=2), /feed.json → feed.json."""
    segments = path.split("/")
    if any(s in (".", "..") or s.startswith(".") for s in segments if s) or "\\" in path:
        return None
    kind = content_type.split(";")[0].strip().lower()
    extension = EXTENSIONS.get(kind)
    if extension is None:
        return None
    page = PAGE_QUERY.fullmatch(query)
    if query and not page:
        return None
    if path.endswith("/"):
        suffix = f".page-{page.group(1)}" if page else ""
        return f"{path.lstrip('/')}index{suffix}.{extension}"
    return None if page else path.lstrip("/")


def links_in(
    body: bytes,
    content_type: str,
    *,
    base: str,
    host: str,
    scheme: str,
    memo: dict[bytes, tuple[str, str] | None] | None = None,
) -> list[tuple[str, str]]:
    """The addresses on `host` a page at `base` links to (a sitemap: lists), in order, that
    a bake follows: not the admin, static files, search or anything personal. `memo` (kept
    by the caller for one host and scheme) holds what links that do not depend on `base`
    came to: most links of a site (its navigation, tags, posts) are on many pages."""
    if not content_type.startswith(("text/html", "application/xml", "text/xml")):
        return []
    found = []
    origin = f"{scheme}://{host}{base}"
    own = host.encode()
    for raw in LOC.findall(body) if "xml" in content_type else found_links(body):
        if raw.startswith((b"http://", b"https://")) and _netloc(raw).lower() != own:
            # Another site's (a share link is one per post): what urlsplit would conclude,
            # without it, and without keeping it in the memo.
            continue
        if memo is not None and raw.startswith((b"/", b"http://", b"https://")):
            # An absolute path or URL goes to the same place from every page.
            try:
                target = memo[raw]
            except KeyError:
                target = memo[raw] = _link_target(raw, origin, host)
        else:
            target = _link_target(raw, origin, host)
        if target is not None:
            found.append(target)
    return found


def found_links(body: bytes) -> list[bytes]:
    """LINK.findall(body), in about two thirds of the time: the regular expression tried
    every byte of a page for its two first words (140-152 µs of CPU for a 19 kB post page,
    96 this way); bytes.find finds them, and the rest is matched where they are."""
    starts = []
    for word in (b"href", b"src"):
        at = body.find(word)
        while at >= 0:
            starts.append((at, len(word)))
            at = body.find(word, at + 1)
    starts.sort()
    found, end = [], 0
    for at, length in starts:
        if at < end:
            continue  # inside the last link found, as findall would not look there
        match = LINK_AT.match(body, at + length)
        if match is not None:
            found.append(match.group(1))
            end = match.end()
    return found


def _netloc(url: bytes) -> bytes:
    """The network location of an absolute http(s) URL, as urlsplit finds it."""
    rest = url.split(b"//", 1)[1]
    return _NETLOC_END.split(rest, 1)[0]


_NETLOC_END = re.compile(rb"[/?#]")


def _link_target(raw: bytes, origin: str, host: str) -> tuple[str, str] | None:
    """The (path, query) a link found on the page at `origin` leads to, if a bake follows it."""
    try:
        url = raw.decode("utf-8").replace("&amp;", "&")
    except UnicodeDecodeError:
        return None
    parts = urlsplit(urljoin(origin, url))
    if parts.netloc.lower() != host or parts.scheme not in ("http", "https"):
        return None
    # The path as a server hands it to Django: a post's non-ASCII slug is percent-encoded in
    # its links (/2011/07/caf%C3%A9/), and its page and file are at the decoded one. What a
    # bake never follows is judged on that path too (/%61dmin/ is /admin/).
    path = unquote(parts.path)
    if path.startswith(NEVER) or (parts.query and not PAGE_QUERY.fullmatch(parts.query)):
        return None
    return path, parts.query


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body, 6, mtime=0)


class Renderer:
    """Renders pages through the whole Django stack, as the first reader of each would get
    them, storing each in the page store on the way (its middleware does)."""

    def __init__(self, *, host: str, scheme: str, files: PageFiles | None = None):
        self.host = host
        self.scheme = scheme
        self.files = files
        self.handler = ReaderHandler()
        # Where links not relative to their page lead (see links_in), for every page.
        self.links: dict[bytes, tuple[str, str] | None] = {}

    def render(self, path: str, query: str) -> Page:
        key = bake_key(path, query, host=self.host, scheme=self.scheme)
        page = PageKey(key=key, path=path, query=query, host=self.host)
        # Its entry without brotli: the bake's files have none (services.compressed).
        environ = page_environ(page, scheme=self.scheme, gzip_only=True)
        response = self.handler(environ, lambda status, headers, exc_info=None: None)
        try:
            body = b"".join(response)
            content_type = response.get("Content-Type", "")
            encoding = response.get("Content-Encoding", "")
            status = response.status_code
            stored = response.has_header("X-Byline-Cache")
            entry = getattr(response, "stored_entry", None)
        finally:
            response.close()
        if status >= 500:
            raise BakeError(f"{address(path, query)} answered {status}")
        if encoding or not stored:
            # Only what the store would keep is a public page: the same for every reader,
            # nothing personal or time-bound (an author's contact form carries a form token).
            return Page(0)
        # The store gzipped the page as the bake does (level 6, no time), and worked out its
        # etag as the bake does: not twice.
        if entry is None:
            return Page(status, content_type, body)
        return Page(status, content_type, body, gzipped=entry.bodies.get("gzip"), etag=entry.etag)

    def finish(self, path: str, query: str, page: Page) -> Page:
        """The page with its file written and what the crawl needs of it worked out: done in
        the worker, in parallel, rather than in the process that keeps the crawl, which then
        needs neither the body nor its gzip."""
        if page.status == 200:
            page.links = links_in(
                page.body,
                page.content_type,
                base=path,
                host=self.host,
                scheme=self.scheme,
                memo=self.links,
            )
            page.filed = self.files.file(path, query, page)
            page.body, page.gzipped = b"", None
        return page


# The worker process's renderer (made by _start_worker in each worker).
_renderer: Renderer | None = None


def _worker_died(waiting: deque) -> BakeError:
    """The bake's error for a worker that died, naming a page it had been sent."""
    for path, query, _page, sent, _index in waiting:
        if sent is not None and sent.done() and isinstance(sent.exception(), BrokenProcessPool):
            return BakeError(
                f"A bake worker died while rendering {address(path, query)} or a page sent with it"
            )
    return BakeError("A bake worker died")


def section_worker(path: str, jobs: int) -> int:
    """Which of `jobs` workers renders `path` when it is free to: the same for every page of
    a section (the first two parts of the path: a blog's posts and listings, a tag's or an
    author's pages), which share what a process remembers (a column's posts, the summaries
    of a listing's posts, the posts a listing reads ahead) and another worker would make
    again. On 10,000 posts, two workers sent pages as they came took 16.5 s (18%) more CPU
    than one process in one run, about 7 s of it pieces made in both; sent by section, two
    workers took 2.5-4.6% less CPU than when sent pages as they came."""
    section = "/".join(path.split("/", 3)[:3])
    return zlib.crc32(section.encode()) % jobs


def _start_worker(host: str, scheme: str, out: Path, old: dict[str, str]) -> None:
    global _renderer
    _renderer = Renderer(host=host, scheme=scheme, files=PageFiles(out, old))


def _render_chunk(pages: list[tuple[str, str]]) -> list[Page] | tuple[str, str]:
    """In a worker: `pages` rendered, or the address of the first that failed and why."""
    # Renders from the top of a fresh frame chunk (byline.core.callstack): a worker's own
    # depth left them crossing a chunk's edge, a tenth of its CPU.
    return in_roomy_frame(lambda: _render_pages(pages))


def _render_pages(pages: list[tuple[str, str]]) -> list[Page] | tuple[str, str]:
    results = []
    with read_from_primary():
        for path, query in pages:
            try:
                results.append(_renderer.finish(path, query, _renderer.render(path, query)))
            except BakeError as error:
                return address(path, query), str(error)
            except Exception:
                return address(path, query), traceback.format_exc()
    return results


@contextlib.contextmanager
def sqlite_mapped() -> Iterator[None]:
    """SQLITE_MMAP_BYTES for this process's SQLite connections and those it (or a worker it
    forks) opens inside; after, each open connection maps what it mapped before (none, for
    those opened inside)."""

    def map_file(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
        _map_sqlite(connection, SQLITE_MMAP_BYTES)

    before = {}
    for connection in connections.all(initialized_only=True):
        before[connection.alias] = _mapped_sqlite(connection)
        _map_sqlite(connection, SQLITE_MMAP_BYTES)
    connection_created.connect(map_file)
    try:
        yield
    finally:
        connection_created.disconnect(map_file)
        for connection in connections.all(initialized_only=True):
            try:
                _map_sqlite(connection, before.get(connection.alias, 0))
            except Exception:
                # A connection the bake's failure broke: what went wrong is the bake's error.
                logger.warning("Could not unmap SQLite connection %s", connection.alias)


def _mapped_sqlite(connection: BaseDatabaseWrapper) -> int:
    """How much of its database an SQLite connection maps (0 for an in-memory one)."""
    if connection.vendor != "sqlite" or connection.connection is None:
        return 0
    row = connection.connection.execute("PRAGMA mmap_size").fetchone()
    return row[0] if row else 0


def _map_sqlite(connection: BaseDatabaseWrapper, size: int) -> None:
    if connection.vendor == "sqlite" and connection.connection is not None:
        connection.connection.execute(f"PRAGMA mmap_size={int(size)}")


@contextlib.contextmanager
def collecting_less() -> Iterator[None]:
    """GC_THRESHOLDS inside, for this process and the workers it forks; as they were after."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _write(target: Path, data: bytes) -> None:
    # Beside the target, then renamed over it: a server never reads half a file.
    temp = target.with_name(f".tmp-{os.getpid()}-{target.name}")
    try:
        with open(temp, "wb") as file:
            file.write(data)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class Baker:
    def __init__(self, out: Path, *, host: str, scheme: str, changed: bool, jobs: int = 1) -> None:
        self.out = out.resolve()
        self.host = host
        self.scheme = scheme
        self.changed = changed
        self.jobs = max(1, jobs)
        if self.jobs > 1 and any(
            connection.in_atomic_block for connection in connections.all(initialized_only=True)
        ):
            # Workers open connections of their own, which cannot see this transaction's
            # uncommitted rows (a bake called inside one, as tests do): render here.
            self.jobs = 1
        self.renderer = Renderer(host=host, scheme=scheme) if self.jobs == 1 else None
        self.store = get_store()
        self.manifest_path = self.out / MANIFEST
        # What the last bake into this folder wrote: whatever this one is, the files of pages
        # gone since (unpublished, restricted, deleted) are taken out, or a server would go on
        # serving them. Only --changed trusts it to skip what has not changed.
        self.previous = self.last_files()
        self.old = self.previous if changed else {}
        self.files: dict[str, str] = {}
        self.page_files = PageFiles(self.out, self.old)
        self.report = BakeReport()
        self.links: dict[bytes, tuple[str, str] | None] = {}

    def last_files(self) -> dict[str, str]:
        """The files the last bake into this folder wrote (name -> etag); none before one."""
        try:
            files = json.loads(self.manifest_path.read_bytes()).get("files", {})
        except FileNotFoundError:
            return {}
        except (ValueError, AttributeError) as error:
            raise BakeError(
                f"{self.manifest_path} is not a bake's list of its files ({error}); move it "
                f"away to bake into {self.out} anyway, knowing that the files of pages gone "
                "since the last bake then stay"
            ) from error
        if not isinstance(files, dict):
            raise BakeError(f"{self.manifest_path} is not a bake's list of its files")
        return files

    def stored(self, path: str, query: str) -> Page | None:
        """With --changed, the page from the store when it still holds the version last
        baked (and its file is there); None when it has to be rendered."""
        if not self.changed:
            return None
        entry = self.store.get(bake_key(path, query, host=self.host, scheme=self.scheme))
        if entry is None:
            return None
        content_type = dict((k.lower(), v) for k, v in entry.headers).get("content-type", "")
        name = file_for(path, query, content_type)
        if name and self.old.get(name) == entry.etag and (self.out / name).exists():
            return Page(200, content_type, entry.bodies["identity"])
        return None

    def fetch(self, path: str, query: str) -> Page:
        """A page's status, type and body: from the store when --changed and the store still
        holds the version last baked, rendered otherwise."""
        page = self.stored(path, query)
        if page is not None:
            return page
        self.report.rendered += 1
        with read_from_primary():
            return self.renderer.render(path, query)

    def fetched(self, queue: deque[tuple[str, str]]) -> Iterator[tuple[str, str, Page]]:
        """Each address taken from `queue` (which grows as the caller finds links) with its
        page, in the order taken."""
        if self.jobs == 1:
            while queue:
                path, query = queue.popleft()
                yield path, query, self.fetch(path, query)
            return
        yield from self.fetched_in_parallel(queue)

    def fetched_in_parallel(self, queue: deque[tuple[str, str]]) -> Iterator[tuple[str, str, Page]]:
        # (address, page from the store or None, the chunk's future, place in the chunk),
        # in the order the pages were sent (or found in the store).
        waiting: deque[tuple[str, str, Page | None, Future | None, int]] = deque()
        # Addresses to render, taken from the queue, by the worker of their section.
        pending: list[deque[tuple[str, str]]] = [deque() for _ in range(self.jobs)]
        running: list[list[Future]] = [[] for _ in range(self.jobs)]
        pools: list[ProcessPoolExecutor] = []
        # Pages from the store held at once (their bodies): no more than two chunks a worker.
        held = 2 * self.jobs * CHUNK
        stored = 0
        # Pages sent or found and not yet handed to the crawl, at most: those of the chunks in
        # flight and those done behind a slower one (no bodies: the workers wrote the files).
        limit = 8 * self.jobs * CHUNK

        def fill() -> None:
            nonlocal stored
            while (
                queue
                and stored < held
                and len(waiting) < limit
                and sum(len(addresses) for addresses in pending) < LOOKAHEAD
            ):
                path, query = queue.popleft()
                page = self.stored(path, query)
                if page is not None:
                    waiting.append((path, query, page, None, 0))
                    stored += 1
                else:
                    pending[section_worker(path, self.jobs)].append((path, query))

        def top_up() -> None:
            nonlocal pools
            for worker in range(self.jobs):
                for future in running[worker]:
                    if future.done() and isinstance(future.exception(), BrokenProcessPool):
                        raise _worker_died(waiting)
                running[worker] = [future for future in running[worker] if not future.done()]
                # Two chunks a worker: one rendering, one waiting for it in the pipe.
                while len(running[worker]) < 2 and len(waiting) < limit:
                    # Its own sections' pages, else the last of the longest backlog (the
                    # pages its own worker would come to last).
                    own = bool(pending[worker])
                    source = pending[worker] if own else max(pending, key=len)
                    if not source:
                        break
                    left = sum(len(addresses) for addresses in pending)
                    size = min(CHUNK, max(1, left // self.jobs), len(source))
                    if own:
                        chunk = [source.popleft() for _ in range(size)]
                    else:
                        chunk = [source.pop() for _ in range(size)][::-1]
                    if not pools:
                        pools = self.start_workers()
                    try:
                        future = pools[worker].submit(_render_chunk, chunk)
                    except BrokenProcessPool as error:
                        raise _worker_died(waiting) from error
                    running[worker].append(future)
                    self.report.rendered += len(chunk)
                    for index, (path, query) in enumerate(chunk):
                        waiting.append((path, query, None, future, index))

        try:
            while queue or waiting or any(pending):
                fill()
                top_up()
                if not waiting:
                    continue
                path, query, page, future, index = waiting[0]
                if page is None:
                    # Workers whose chunks are done get more while this one renders.
                    while not future.done():
                        busy = [chunk for chunks in running for chunk in chunks]
                        wait([future, *busy], return_when=FIRST_COMPLETED)
                        fill()
                        top_up()
                    try:
                        answer = future.result()
                    except BrokenProcessPool as error:
                        raise _worker_died(waiting) from error
                    if isinstance(answer, tuple):
                        failed, why = answer
                        raise BakeError(f"Could not bake {failed}: {why}")
                    page = answer[index]
                else:
                    stored -= 1
                waiting.popleft()
                yield path, query, page
        finally:
            for pool in pools:
                pool.shutdown(wait=True, cancel_futures=True)

    def start_workers(self) -> list[ProcessPoolExecutor]:
        """A pool of one process for each worker, so that each is sent its own sections.

        Forked, so that a worker starts with everything this process has loaded; without
        the database connections, which are not to be shared between processes (each
        worker opens its own; an in-memory SQLite database, as in tests, is copied)."""
        connections.close_all()
        context = multiprocessing.get_context("fork")
        pools = [
            ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self.host, self.scheme, self.out, self.old),
            )
            for _ in range(self.jobs)
        ]
        # Every worker forked before any pool starts its threads: a pool forks its processes
        # on its first submit, and then starts threads, which a later pool's fork would copy
        # mid-work (a lock one of them holds stays held in the child). CPython's own pools
        # fork all their processes before their threads for this reason (cpython#90622).
        for pool in pools:
            launch = getattr(pool, "_launch_processes", None)
            if launch is not None:
                launch()
        # And each pool's threads started, which shutdown() stops with its process (a pool
        # never sent a chunk, as in a --changed bake with little to do, would otherwise
        # leave its process waiting for one).
        for pool in pools:
            pool.submit(int)
        return pools

    def bake_pages(self) -> None:
        queue = deque((seed, "") for seed in SEEDS)
        seen = set(queue)
        for path, query, page in self.fetched(queue):
            if page.status == 0:
                self.report.skipped.append(address(path, query))
            if page.status != 200:
                continue
            filed = page.filed or self.page_files.file(path, query, page)
            if not filed.name:
                self.report.skipped.append(address(path, query))
                continue
            self.report.pages += 1
            self.files[filed.name] = filed.etag
            if filed.written:
                self.report.written += 1
            links = page.links
            if links is None:
                links = links_in(
                    page.body,
                    page.content_type,
                    base=path,
                    host=self.host,
                    scheme=self.scheme,
                    memo=self.links,
                )
            for link in links:
                if link not in seen:
                    seen.add(link)
                    queue.append(link)

    def copy_tree(self, source: Path, target: Path, *, only: tuple[str, ...] = ()) -> None:
        """Copy what differs (size or time) from `source` into `target`; with `only`, just
        what is inside those folders (not the files beside them)."""
        if not source.is_dir():
            return
        for directory, _dirs, names in os.walk(source):
            relative = Path(directory).relative_to(source)
            if only and (not relative.parts or relative.parts[0] not in only):
                continue
            for name in names:
                src = Path(directory) / name
                dst = target / relative / name
                stat = src.stat()
                if dst.exists():
                    existing = dst.stat()
                    if existing.st_size == stat.st_size and existing.st_mtime >= stat.st_mtime:
                        continue
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)

    def remove_gone(self) -> None:
        for name in set(self.previous) - set(self.files):
            target = (self.out / name).resolve()
            if target.is_relative_to(self.out):
                for path in (target, target.with_name(target.name + ".gz")):
                    path.unlink(missing_ok=True)
                self.report.removed += 1

    def run(self) -> BakeReport:
        self.out.mkdir(parents=True, exist_ok=True)
        # Workers are forked inside, and so hold as many. One process renders from the top
        # of a fresh frame chunk as workers do (see _render_chunk).
        with frame.holding_items(ITEMS_HELD), collecting_less(), sqlite_mapped():
            in_roomy_frame(self.bake_pages)
        self.remove_gone()
        static = settings.STATIC_URL.strip("/")
        media = settings.MEDIA_URL.strip("/")
        self.copy_tree(Path(settings.STATIC_ROOT), self.out / static)
        # Images only: documents may be private, and are served by Byline, which checks.
        self.copy_tree(
            Path(settings.MEDIA_ROOT), self.out / media, only=("images", "original_images")
        )
        manifest = {"host": self.host, "scheme": self.scheme, "files": self.files}
        _write(self.manifest_path, json.dumps(manifest, indent=0, sort_keys=True).encode())
        return self.report


def bake(
    out: Path, *, host: str, scheme: str = "http", changed: bool = False, jobs: int = 1
) -> BakeReport:
    """Write the public site under `out` as it is served at `scheme`://`host`, rendering in
    `jobs` processes."""
    # From the primary, as every render the store keeps (the storing middleware does the same
    # per page): a bake is served until the next one, long after a replica has caught up.
    with read_from_primary():
        return Baker(out, host=host, scheme=scheme, changed=changed, jobs=jobs).run()
