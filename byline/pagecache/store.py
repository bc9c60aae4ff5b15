"""The page store: rendered pages with their headers, shared by every worker and app server.

Files under ``BYLINE_PAGECACHE_DIR`` (var/pagecache) by default, Redis when
``BYLINE_PAGECACHE_REDIS_URL`` (default: ``REDIS_URL``) is set. An entry is one blob: a small
JSON header (status, headers, validators, expiry, what the page depends on) followed by the
body as it is, gzipped and brotli-compressed, so a hit is one read.

Purging races with rendering: a render that read the database before a change may finish
after the purge and store a stale page. Every purge therefore bumps a *generation* first, and
a render stores only if the generation it saw when it started is still current after the
entry is written (and takes the entry back out otherwise). A render begun after the bump
may mark its page before the purge lists the tag and store it after the purge deleted the
old one; its page stays, so the purge leaves the marks made since its bump in place.

The file store holds at most ``BYLINE_PAGECACHE_MAX_MB``: past it a render is answered but
not kept, until the sweeper (byline.pagecache.sweep, run by ``byline serve``) has taken out
expired entries and, near the cap, the least recently written ones. Redis expires entries by
itself and is capped by its ``maxmemory`` (docs/scaling.md).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import struct
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.conf import settings

from byline.core.smallfiles import read_small

logger = logging.getLogger(__name__)

MAGIC = b"BPS1"


@dataclass
class Entry:
    """One stored page."""

    status: int
    headers: list[tuple[str, str]]
    bodies: dict[str, bytes]
    etag: str
    last_modified: float
    expires: float
    path: str = ""
    deps: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    # "scheme://host[:port]" the page was asked for: with `path`, what a background re-render
    # asks for again (byline.pagecache.refresh). Empty in entries stored before it was kept.
    origin: str = ""
    # When it was rendered, to the microsecond (last_modified is whole seconds): a re-render
    # after a change takes the entries rendered before it (byline.pagecache.refresh).
    rendered: float = 0.0
    # Answer headers worked out from the fields above (byline.pagecache.respond), kept with
    # the entry so that repeated hits on it share them.
    prepared: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def encode(self) -> bytes:
        lengths = {name: len(body) for name, body in self.bodies.items()}
        meta = json.dumps(
            {
                "s": self.status,
                "h": self.headers,
                "e": self.etag,
                "lm": self.last_modified,
                "x": self.expires,
                "p": self.path,
                "d": self.deps,
                "c": self.collections,
                "o": self.origin,
                "r": self.rendered,
                "l": lengths,
            },
            separators=(",", ":"),
        ).encode()
        return b"".join(
            [MAGIC, struct.pack(">I", len(meta)), meta, *(self.bodies[n] for n in lengths)]
        )

    @classmethod
    def decode(cls, blob: bytes) -> Entry | None:
        """The entry in `blob`, or None for anything that is not one (a torn or foreign file)."""
        if len(blob) < 8 or blob[:4] != MAGIC:
            return None
        (size,) = struct.unpack(">I", blob[4:8])
        try:
            meta = json.loads(blob[8 : 8 + size])
        except ValueError:
            return None
        bodies, offset = {}, 8 + size
        for name, length in meta["l"].items():
            bodies[name] = blob[offset : offset + length]
            offset += length
        if offset != len(blob):
            return None
        return cls(
            status=meta["s"],
            headers=[tuple(pair) for pair in meta["h"]],
            bodies=bodies,
            etag=meta["e"],
            last_modified=meta["lm"],
            expires=meta["x"],
            path=meta["p"],
            deps=meta["d"],
            collections=meta["c"],
            origin=meta.get("o", ""),
            rendered=meta.get("r", 0.0),
        )


class PageStore(Protocol):
    def get(self, key: str) -> Entry | None: ...
    def generation(self) -> str: ...
    def put(self, key: str, entry: Entry, *, generation: str) -> bool: ...
    def purge(self, tags: set[str], *, cascade: set[str] = frozenset()) -> int: ...
    def purge_all(self) -> None: ...
    # For re-rendering in the background (byline.pagecache.refresh):
    def bump(self) -> None: ...
    def members(self, tags: set[str]) -> set[str]: ...
    def keys(self) -> set[str]: ...
    def head(self, key: str) -> EntryHead | None: ...
    def delete(self, key: str) -> None: ...
    def note_hits(self, counts: dict[str, int]) -> None: ...
    def hit_counts(self) -> dict[str, int]: ...


@dataclass(frozen=True)
class EntryHead:
    """What a re-render needs to know of a stored page, read without its bodies."""

    path: str
    origin: str
    # When it was rendered; for an entry stored before that was kept, its Last-Modified.
    rendered: float
    expires: float


def _head_of(meta_bytes: bytes) -> EntryHead | None:
    try:
        meta = json.loads(meta_bytes)
        rendered = float(meta.get("r") or meta["lm"])
        return EntryHead(meta["p"], meta.get("o", ""), rendered, float(meta["x"]))
    except (ValueError, KeyError, TypeError):
        return None


def _hit_lines(counts: dict[str, int]) -> bytes:
    return "".join(f"{key} {n}\n" for key, n in counts.items() if _is_key(key)).encode()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


_KEY = re.compile(r"[0-9a-f]{64}")


def _is_key(key: str) -> bool:
    # Keys are sha256 hex digests; anything else never names a file.
    return _KEY.fullmatch(key) is not None


class FileStore:
    """Entries as files under `root`, written atomically (temp file, then os.replace); one
    directory per dependency tag holding an empty marker file per entry that depends on it.
    The markers one put() makes are hard links to one empty file where the file system has
    them: a page has ~40 tags, and a link costs a fraction of a new file (no inode to
    allocate). Nothing reads more of a marker than its name and its mtime, so stores
    written with a file per marker and stores written with links are read alike.

    With `max_bytes`, the store refuses an entry that would take it past that many bytes of
    entries (put() returns False) until a sweep makes room. What it holds is the size the
    last sweep measured (file `usage`) plus what was written since: every put appends a byte
    per KiB it wrote to file `ledger`, whose size every process can read in one stat()
    (appends with O_APPEND land whole, whichever process makes them)."""

    def __init__(self, root: Path, *, max_bytes: int = 0):
        self.root = Path(root)
        self.entries = self.root / "e"
        self.tags = self.root / "t"
        self.generation_file = self.root / "generation"
        self.usage_file = self.root / "usage"
        self.ledger = self.root / "ledger"
        # Read at every put (twice and once): plain strings for read_small.
        self._generation_name = os.fspath(self.generation_file)
        self._usage_name = os.fspath(self.usage_file)
        self.max_bytes = max_bytes
        self._full = False  # said so in the log once, until a put fits again
        self._memo: dict[str, tuple[tuple[int, int, int], Entry]] = {}
        # A plain string: the hit path builds its file name without pathlib's parsing.
        self._entries_prefix = os.fspath(self.entries) + os.sep
        self._tags_prefix = os.fspath(self.tags) + os.sep
        # Tag -> its marker directory, as put() names ~40 of them a page (most of them shared
        # with the pages stored before it). Only names: nothing here says a directory exists.
        self._marker_dirs: dict[str, str] = {}
        # Cleared when the file system refuses hard links: then a file per marker.
        self._links = True

    def _entry_path(self, key: str) -> Path:
        if not _is_key(key):
            raise ValueError("not a page key")
        return self.entries / key[:2] / key

    def _tag_dir(self, tag: str) -> Path:
        return Path(self._marker_dir(tag))

    MARKER_DIRS = 8192

    def _marker_dir(self, tag: str) -> str:
        directory = self._marker_dirs.get(tag)
        if directory is None:
            if len(self._marker_dirs) >= self.MARKER_DIRS:
                self._marker_dirs.clear()
            digest = _digest(tag)
            directory = f"{self._tags_prefix}{digest[:2]}{os.sep}{digest}"
            self._marker_dirs[tag] = directory
        return directory

    # Decoded entries this process read lately, each with the identity of the file it came
    # from: a hit costs one stat() instead of a read and a decode, and a purged or replaced
    # file is noticed at once (the file stays the only truth). Bounded: ~50 KB an entry.
    MEMO_ENTRIES = 512

    def get(self, key: str) -> Entry | None:
        if not _is_key(key):
            return None
        path = f"{self._entries_prefix}{key[:2]}/{key}"
        try:
            stat = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        memo = self._memo.get(key)
        if memo is not None and memo[0] == identity:
            entry = memo[1]
        else:
            try:
                with open(path, "rb") as file:
                    blob = file.read()
            except (FileNotFoundError, NotADirectoryError):
                return None
            entry = Entry.decode(blob)
            if entry is None:
                return None
            if len(self._memo) >= self.MEMO_ENTRIES:
                self._memo.clear()
            self._memo[key] = (identity, entry)
        if entry.expires <= time.time():
            return None
        return entry

    def generation(self) -> str:
        try:
            return read_small(self._generation_name).decode()
        except FileNotFoundError:
            return ""

    def _bump(self) -> int:
        """A new generation; returns the mtime (ns) of the file holding it, read from the
        clock that dates the markers, at or before the moment it became current."""
        return self._write(self.generation_file, uuid.uuid4().hex.encode())

    def _write(self, target: Path, data: bytes) -> int:
        """Replace `target` with `data`; returns the mtime (ns) of the file written."""
        fd, temp = _temporary(target.parent)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                written = os.fstat(file.fileno()).st_mtime_ns
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return written

    def usage(self) -> int:
        """Bytes of entries: what the last sweep measured, plus what was written since."""
        try:
            measured = int(read_small(self._usage_name) or 0)
        except (FileNotFoundError, ValueError):
            measured = 0
        try:
            written = os.stat(self.ledger).st_size * 1024
        except FileNotFoundError:
            written = 0
        return measured + written

    def start_measuring(self) -> None:
        """Before a sweep walks the entries: what was written since the last sweep joins the
        measured size and the ledger starts afresh, so that a put made during the walk may
        be counted twice (until the next sweep) but never missed."""
        self._write(self.usage_file, str(self.usage()).encode())
        self.ledger.unlink(missing_ok=True)

    def measured(self, size: int) -> None:
        """After a sweep (or purge_all): the bytes of the entries it left."""
        self._write(self.usage_file, str(size).encode())

    def _note_written(self, size: int) -> None:
        fd = os.open(self.ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, b"." * (size // 1024 + 1))
        finally:
            os.close(fd)

    def put(self, key: str, entry: Entry, *, generation: str) -> bool:
        path = self._entry_path(key)
        blob = entry.encode()
        if self.max_bytes and self.usage() + len(blob) > self.max_bytes:
            if not self._full:
                logger.warning(
                    "The page store is full (BYLINE_PAGECACHE_MAX_MB): pages are served but "
                    "not stored until `byline pagecache_sweep` (run by `byline serve`) makes room"
                )
            self._full = True
            return False  # the reader still gets the render
        self._full = False
        # Markers first: a purge that comes after them finds the entry, whenever it lands.
        self._mark({*entry.deps, *entry.collections}, key, path.parent)
        self._write(path, blob)
        self._note_written(len(blob))
        if self.generation() != generation:
            path.unlink(missing_ok=True)
            return False
        return True

    def _mark(self, tags: set[str], key: str, shard: Path) -> None:
        """A marker named `key` in the directory of each of `tags`: made, or when there
        already (the entry is stored again) given a new mtime, as the sweeper leaves a marker
        younger than its grace alone, its entry perhaps still on its way.

        New markers are hard links to one empty file made for this put (in the entry's
        shard, named as a temporary file, so that the sweeper takes it out should a crash
        leave it there): they share its mtime, which is now. A page stored for the first time
        finds none of its markers, one stored again most of them: each marker's outcome is
        the guess for the next, one system call a marker when right."""
        anchor = None
        try:
            there = True
            for tag in tags:
                directory = self._marker_dir(tag)
                marker = f"{directory}{os.sep}{key}"
                if there:
                    try:
                        os.utime(marker)
                        continue
                    except FileNotFoundError:
                        there = False
                if anchor is None and self._links:
                    anchor = _anchor(shard)
                try:
                    self._new_marker(anchor, marker)
                except FileExistsError:
                    there = True
                    _touch(marker)
                except FileNotFoundError:
                    # A new tag, or a purge or a sweep took its empty directory out just now.
                    _make_dir(directory)
                    try:
                        self._new_marker(anchor, marker)
                    except (FileExistsError, FileNotFoundError):
                        # Made meanwhile (by a put of the same page), or the anchor is gone.
                        _touch(marker)
        finally:
            if anchor is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(anchor)

    def _new_marker(self, anchor: str | None, marker: str) -> None:
        """Make `marker`; FileExistsError when it is there, FileNotFoundError when its
        directory (or the anchor) is not."""
        if anchor is not None:
            try:
                os.link(anchor, marker)
                return
            except (FileExistsError, FileNotFoundError):
                raise
            except OSError as error:
                # No hard links on this file system: a file per marker from now on. (Too
                # many links to the anchor: a file for this one.)
                if error.errno != errno.EMLINK:
                    self._links = False
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))

    def _members(self, tag: str) -> list[str]:
        directory = self._tag_dir(tag)
        try:
            names = os.listdir(directory)
        except FileNotFoundError:
            return []
        return [name for name in names if _is_key(name)]

    def _drop_tag(self, tag: str, keys: list[str], bumped: int) -> None:
        """Take the markers of `keys` out of `tag`'s directory, except those made or
        refreshed at or after `bumped` (the mtime of the purge's generation): a render that
        read that generation may have marked before the purge listed the tag and be about to
        write its entry, which stays (its generation is current) and must stay findable. At
        worst a stale marker stays; the sweep takes it out."""
        directory = self._marker_dir(tag)
        for key in keys:
            _unmark_if_older(f"{directory}{os.sep}{key}", bumped)
        # Another entry may have registered meanwhile: then its marker (and the tag) stays.
        with contextlib.suppress(OSError):
            os.rmdir(directory)

    def purge(self, tags: set[str], *, cascade: set[str] = frozenset()) -> int:
        """Remove every entry depending on one of `tags`; for `cascade` tags, also every entry
        of a collection (a listing with its pages) that one of those entries belongs to."""
        bumped = self._bump()
        removed = 0
        todo, seen = set(tags) | set(cascade), set()
        cascading = set(cascade)
        while todo:
            tag = todo.pop()
            seen.add(tag)
            keys = self._members(tag)
            for key in keys:
                path = self._entry_path(key)
                if tag in cascading:
                    try:
                        entry = Entry.decode(path.read_bytes())
                    except FileNotFoundError:
                        entry = None
                    if entry is not None:
                        todo.update(set(entry.collections) - seen)
                try:
                    path.unlink()
                    removed += 1
                except FileNotFoundError:
                    pass
            self._drop_tag(tag, keys, bumped)
        return removed

    def purge_all(self) -> None:
        self._bump()
        for directory in (self.entries, self.tags):
            if directory.exists():
                # Out of the way in one step, then deleted: stores carry on in a fresh tree.
                doomed = self.root / f".old-{uuid.uuid4().hex}"
                try:
                    directory.rename(doomed)
                except FileNotFoundError:
                    continue
                shutil.rmtree(doomed, ignore_errors=True)
        self.measured(0)
        self.ledger.unlink(missing_ok=True)

    # -- for re-rendering in the background ----------------------------------------------

    def bump(self) -> None:
        """A new generation: a render begun before cannot store what it read."""
        self._bump()

    def members(self, tags: set[str]) -> set[str]:
        """The keys of the entries depending on one of `tags`."""
        return {key for tag in tags for key in self._members(tag)}

    def keys(self) -> set[str]:
        """The keys of every entry."""
        found = set()
        for shard in _listdir(self.entries):
            found.update(name for name in _listdir(self.entries / shard) if _is_key(name))
        return found

    def head(self, key: str) -> EntryHead | None:
        try:
            with open(self._entry_path(key), "rb") as file:
                start = file.read(8)
                if len(start) < 8 or start[:4] != MAGIC:
                    return None
                (size,) = struct.unpack(">I", start[4:8])
                return _head_of(file.read(size))
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return None

    def delete(self, key: str) -> None:
        """Remove one entry (its markers go with the next sweep)."""
        self._entry_path(key).unlink(missing_ok=True)

    # Past this size the hit log is summed up before more is added to it.
    HITS_MAX_BYTES = 4 * 2**20

    def note_hits(self, counts: dict[str, int]) -> None:
        """Add to the hit counts (file `hits`: a line "key count" per key and flush, appended
        in one write, so that every process can add to it at once)."""
        hits = self.root / "hits"
        try:
            if os.stat(hits).st_size > self.HITS_MAX_BYTES:
                self.compact_hits()
        except FileNotFoundError:
            pass
        data = _hit_lines(counts)
        if not data:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(hits, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    def hit_counts(self) -> dict[str, int]:
        """Hits per key since the counts were last halved (by compact_hits)."""
        try:
            data = (self.root / "hits").read_bytes()
        except FileNotFoundError:
            return {}
        return _sum_hits(data)

    def compact_hits(self, *, decay: float = 0.5) -> None:
        """Sum the hit log up into one line per key, older hits counting `decay` times less
        (what was read last month matters less than what is read now). Hits noted while it
        runs may be lost: counts order the re-renders, nothing depends on them exactly."""
        hits, old = self.root / "hits", self.root / f".hits-{uuid.uuid4().hex}"
        try:
            os.replace(hits, old)
        except FileNotFoundError:
            return
        try:
            data = old.read_bytes()
        finally:
            old.unlink(missing_ok=True)
        counts = _sum_hits(data)
        self.note_hits({k: int(n * decay) for k, n in counts.items() if int(n * decay) > 0})


def _sum_hits(data: bytes) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in data.split(b"\n"):
        key, _, n = line.decode("ascii", "replace").partition(" ")
        if _is_key(key) and n.isdigit():
            counts[key] = counts.get(key, 0) + int(n)
    return counts


def _temporary(directory: Path) -> tuple[int, str]:
    """A new empty file named as a temporary one in `directory` (made when missing)."""
    try:
        return tempfile.mkstemp(dir=directory, prefix=".tmp-")
    except FileNotFoundError:
        _make_dir(directory)
        return tempfile.mkstemp(dir=directory, prefix=".tmp-")


def _make_dir(directory: str | Path) -> None:
    """Make `directory` (and its parents), there or not: one mkdir() when its parent is."""
    try:
        os.mkdir(directory)
    except FileNotFoundError:
        os.makedirs(directory, exist_ok=True)
    except FileExistsError:
        pass


def _anchor(shard: Path) -> str:
    """A new empty file in `shard` (made when missing) for markers to link to, named as a
    temporary file."""
    name = os.path.join(shard, f".tmp-{uuid.uuid4().hex}")
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileNotFoundError:
        _make_dir(shard)
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.close(fd)
    return name


def _unmark_if_older(marker: str, since: int) -> bool:
    """Unlink `marker` unless its mtime (ns) is `since` or later, also when a put refreshes
    it meanwhile: the marker is held open across the unlink, so a refresh that lands between
    the look and the unlink shows on it, and it is made again. True if this call took it out.
    (Both the purge and the sweeper unlink markers this way.)"""
    try:
        fd = os.open(marker, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        if os.fstat(fd).st_mtime_ns >= since:
            return False
        try:
            os.unlink(marker)
        except FileNotFoundError:
            return False
        if os.fstat(fd).st_mtime_ns >= since:
            # Refreshed just before the unlink (a refresh after it finds no file and makes
            # one itself).
            with contextlib.suppress(FileNotFoundError):
                os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, 0o644))
            return False
        return True
    finally:
        os.close(fd)


def _touch(marker: str) -> None:
    """Give `marker` a new mtime, or make it if it went meanwhile (Path.touch, on a name)."""
    try:
        os.utime(marker)
    except FileNotFoundError:
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, 0o644))


def _listdir(directory: Path) -> list[str]:
    try:
        return os.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return []


class RedisStore:
    """Entries as Redis strings under `prefix`, a set per dependency tag; every app server
    pointing at the same Redis shares them."""

    def __init__(self, url: str, prefix: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix

    def _entry_key(self, key: str) -> str:
        if not _is_key(key):
            raise ValueError("not a page key")
        return f"{self.prefix}e:{key}"

    def get(self, key: str) -> Entry | None:
        blob = self.client.get(self._entry_key(key))
        entry = Entry.decode(blob) if blob else None
        if entry is None or entry.expires <= time.time():
            return None
        return entry

    def generation(self) -> str:
        value = self.client.get(f"{self.prefix}gen")
        return value.decode() if value else ""

    def put(self, key: str, entry: Entry, *, generation: str) -> bool:
        ttl = max(1, int(entry.expires - time.time()) + 1)
        # One transaction, tag sets and entry together: a purge's taking out of an entry
        # and of its keys in the tag sets (one transaction too) falls wholly before it or
        # after it, never between, which would leave the entry without its keys.
        pipe = self.client.pipeline(transaction=True)
        for tag in {*entry.deps, *entry.collections}:
            pipe.sadd(f"{self.prefix}t:{tag}", key)
            # Outlives every entry it lists, so a purge always finds them.
            pipe.expire(f"{self.prefix}t:{tag}", settings.BYLINE_PAGECACHE_MAX_AGE + 60)
        pipe.set(f"{self.prefix}c:{key}", json.dumps(entry.collections), ex=ttl)
        pipe.set(self._entry_key(key), entry.encode(), ex=ttl)
        pipe.execute()
        if self.generation() != generation:
            self.client.delete(self._entry_key(key))
            return False
        return True

    def purge(self, tags: set[str], *, cascade: set[str] = frozenset()) -> int:
        self.client.incr(f"{self.prefix}gen")
        removed = 0
        todo, seen = set(tags) | set(cascade), set()
        cascading = set(cascade)
        while todo:
            tag = todo.pop()
            seen.add(tag)
            tag_key = f"{self.prefix}t:{tag}"
            keys = [k.decode() for k in self.client.smembers(tag_key)]
            keys = [k for k in keys if _is_key(k)]
            if keys and tag in cascading:
                for collections in self.client.mget([f"{self.prefix}c:{k}" for k in keys]):
                    if collections:
                        todo.update(set(json.loads(collections)) - seen)
            if keys:
                pipe = self.client.pipeline(transaction=True)
                pipe.delete(*(self._entry_key(k) for k in keys))
                pipe.srem(tag_key, *keys)
                removed += pipe.execute()[0]
        return removed

    def purge_all(self) -> None:
        self.client.incr(f"{self.prefix}gen")
        batch = []
        for name in self.client.scan_iter(match=f"{self.prefix}[etc]:*", count=1000):
            batch.append(name)
            if len(batch) >= 1000:
                self.client.delete(*batch)
                batch = []
        if batch:
            self.client.delete(*batch)

    # -- for re-rendering in the background ----------------------------------------------

    def bump(self) -> None:
        self.client.incr(f"{self.prefix}gen")

    def members(self, tags: set[str]) -> set[str]:
        if not tags:
            return set()
        names = self.client.sunion([f"{self.prefix}t:{tag}" for tag in tags])
        return {key for key in (name.decode() for name in names) if _is_key(key)}

    def keys(self) -> set[str]:
        start = len(f"{self.prefix}e:")
        return {
            key
            for key in (
                name.decode()[start:]
                for name in self.client.scan_iter(match=f"{self.prefix}e:*", count=1000)
            )
            if _is_key(key)
        }

    def head(self, key: str) -> EntryHead | None:
        name = self._entry_key(key)
        start = self.client.getrange(name, 0, 7)
        if len(start) < 8 or start[:4] != MAGIC:
            return None
        (size,) = struct.unpack(">I", start[4:8])
        return _head_of(self.client.getrange(name, 8, 8 + size - 1))

    def delete(self, key: str) -> None:
        self.client.delete(self._entry_key(key))

    # The most-read pages kept in the hit counts; the rest are forgotten.
    HITS_KEPT = 100_000

    def note_hits(self, counts: dict[str, int]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for key, n in counts.items():
            if _is_key(key):
                pipe.zincrby(f"{self.prefix}hits", n, key)
        pipe.zremrangebyrank(f"{self.prefix}hits", 0, -self.HITS_KEPT - 1)
        pipe.execute()

    def hit_counts(self) -> dict[str, int]:
        pairs = self.client.zrange(f"{self.prefix}hits", 0, -1, withscores=True)
        return {name.decode(): int(score) for name, score in pairs}


_stores: dict[tuple, PageStore] = {}
# The store of the current settings, so a hit does not read three settings to find it.
_current: list[PageStore] = []


def forget_stores() -> None:
    """Look the store up from the settings again on next use (tests change them)."""
    _current.clear()


def get_store() -> PageStore:
    """The store the settings name (one per process, made on first use)."""
    if _current and _stores:  # (tests clear _stores to start afresh)
        return _current[0]
    url = settings.BYLINE_PAGECACHE_REDIS_URL
    prefix, root = settings.BYLINE_PAGECACHE_PREFIX, str(settings.BYLINE_PAGECACHE_DIR)
    max_bytes = int(settings.BYLINE_PAGECACHE_MAX_MB * 2**20)
    config = (url, prefix) if url else (root, max_bytes)
    store = _stores.get(config)
    if store is None:
        store = RedisStore(*config) if url else FileStore(Path(root), max_bytes=max_bytes)
        _stores[config] = store
    _current[:] = [store]
    return store
