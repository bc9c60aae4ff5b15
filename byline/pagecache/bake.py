"""`byline bake`: the whole public site as static files, for any web server or CDN.

Pages are found the way a reader (or a search engine) finds them: from the home page, the
sitemaps and the feeds, following links within the site. Each is rendered through the whole
Django stack (so e-mail protection and security headers are as served) and kept in the page
store too, so that ``--changed`` re-renders only pages the store has purged since (exact
invalidation) and rewrites only files whose bytes differ.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

from byline.ops.db_router import read_from_primary
from byline.pagecache.keys import ENVIRON_KEY, PAGE_QUERY, PageKey, bake_key
from byline.pagecache.store import get_store

MANIFEST = ".byline-bake.json"
LINK = re.compile(rb"""(?:href|src)\s*=\s*["']([^"'<>\s]+)["']""")
LOC = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>")
SEEDS = [
    "/",
    "/blogs/",
    "/feed/",
    "/atom/",
    "/feed.json",
    "/sitemap.xml",
    "/sitemap-news.xml",  # named only in robots.txt on a small site, which links nothing
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
    "text/plain": "txt",
}
NEVER = ("/admin/", "/static/", "/media/", "/documents/", "/search/", "/comments/", "/healthz")


@dataclass
class BakeReport:
    pages: int = 0
    rendered: int = 0
    written: int = 0
    removed: int = 0
    skipped: list[str] = field(default_factory=list)


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


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    os.replace(temp, target)


class Baker:
    def __init__(self, out: Path, *, host: str, scheme: str, changed: bool):
        self.out = out.resolve()
        self.host = host
        self.scheme = scheme
        self.changed = changed
        self.handler = WSGIHandler()
        self.store = get_store()
        self.manifest_path = self.out / MANIFEST
        self.old: dict[str, str] = {}
        if changed and self.manifest_path.exists():
            self.old = json.loads(self.manifest_path.read_text()).get("files", {})
        self.files: dict[str, str] = {}
        self.report = BakeReport()

    def render(self, path: str, query: str) -> tuple[int, str, bytes]:
        key = bake_key(path, query, host=self.host, scheme=self.scheme)
        environ = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": path.encode().decode("latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": self.host.split(":")[0],
            "SERVER_PORT": "443" if self.scheme == "https" else "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": self.host,
            "wsgi.url_scheme": self.scheme,
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
            ENVIRON_KEY: PageKey(key=key, path=path, query=query, host=self.host),
        }
        self.report.rendered += 1
        response = self.handler(environ, lambda status, headers, exc_info=None: None)
        try:
            body = b"".join(response)
            content_type = response.get("Content-Type", "")
            encoding = response.get("Content-Encoding", "")
            status = response.status_code
            stored = response.has_header("X-Byline-Cache")
        finally:
            response.close()
        if encoding or not stored:
            # Only what the store would keep is a public page: the same for every reader,
            # nothing personal or time-bound (an author's contact form carries a form token).
            return 0, "", b""
        return status, content_type, body

    def fetch(self, path: str, query: str) -> tuple[int, str, bytes]:
        """A page's status, type and body: from the store when --changed and the store still
        holds the version last baked, rendered otherwise."""
        if self.changed:
            key = bake_key(path, query, host=self.host, scheme=self.scheme)
            entry = self.store.get(key)
            if entry is not None:
                content_type = dict((k.lower(), v) for k, v in entry.headers).get(
                    "content-type", ""
                )
                name = file_for(path, query, content_type)
                if name and self.old.get(name) == entry.etag and (self.out / name).exists():
                    return 200, content_type, entry.bodies["identity"]
        return self.render(path, query)

    def links(self, base: str, body: bytes, content_type: str) -> list[tuple[str, str]]:
        found = []
        pattern = LOC if "xml" in content_type else LINK
        for raw in pattern.findall(body):
            try:
                url = raw.decode("utf-8").replace("&amp;", "&")
            except UnicodeDecodeError:
                continue
            parts = urlsplit(urljoin(f"{self.scheme}://{self.host}{base}", url))
            if parts.netloc.lower() != self.host or parts.scheme not in ("http", "https"):
                continue
            if parts.path.startswith(NEVER) or (
                parts.query and not PAGE_QUERY.fullmatch(parts.query)
            ):
                continue
            found.append((parts.path, parts.query))
        return found

    def bake_pages(self) -> None:
        queue = deque((seed, "") for seed in SEEDS)
        seen = set(queue)
        while queue:
            path, query = queue.popleft()
            status, content_type, body = self.fetch(path, query)
            if status == 0:
                self.report.skipped.append(path + (f"?{query}" if query else ""))
            if status != 200:
                continue
            name = file_for(path, query, content_type)
            if name is None:
                self.report.skipped.append(path + (f"?{query}" if query else ""))
                continue
            target = (self.out / name).resolve()
            if not target.is_relative_to(self.out):
                continue
            self.report.pages += 1
            etag = hashlib.sha256(body).hexdigest()[:32]
            self.files[name] = etag
            if self.old.get(name) != etag or not target.exists():
                _write(target, body)
                if len(body) >= 512:
                    _write(target.with_name(target.name + ".gz"), gzip.compress(body, 6, mtime=0))
                self.report.written += 1
            if content_type.startswith(("text/html", "application/xml", "text/xml")):
                for link in self.links(path, body, content_type):
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
        for name in set(self.old) - set(self.files):
            target = (self.out / name).resolve()
            if target.is_relative_to(self.out):
                for path in (target, target.with_name(target.name + ".gz")):
                    path.unlink(missing_ok=True)
                self.report.removed += 1

    def run(self) -> BakeReport:
        self.out.mkdir(parents=True, exist_ok=True)
        self.bake_pages()
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


def bake(out: Path, *, host: str, scheme: str = "http", changed: bool = False) -> BakeReport:
    """Write the public site under `out` as it is served at `scheme`://`host`."""
    # From the primary, as every render the store keeps (the storing middleware does the same
    # per page): a bake is served until the next one, long after a replica has caught up.
    with read_from_primary():
        return Baker(out, host=host, scheme=scheme, changed=changed).run()
