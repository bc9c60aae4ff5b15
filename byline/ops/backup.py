"""One-file backups of a site (database and media) and their verified restore.

An archive is a gzipped tar holding the database (an SQLite online-backup copy, or a
``pg_dump --format=custom`` file), the media directory under ``media/``, and last a manifest
(``byline-backup.json``) with the SHA-256 and size of every other member. Restoring reads the
whole archive and checks it against the manifest, and checks the database copy itself
(``PRAGMA integrity_check`` / ``pg_restore --list``), before it touches anything.

Usage::

    from byline.ops.backup import backup_site, restore_site
    summary = backup_site(path=Path("site.tar.gz"))
    restore_site(path=Path("site.tar.gz"), force=False)   # RestoreRefused on a non-empty site
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection

from byline.core import private_files

FORMAT = 1
MANIFEST = "byline-backup.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
# Wagtail's initial migration makes a root page and a welcome page: a migrated but unused
# database has those two and nothing else.
WAGTAIL_INITIAL_PAGES = 2


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


class RestoreRefused(BackupError):
    """A restore that would overwrite a site with content, without ``force``."""


@dataclass(frozen=True)
class Summary:
    engine: str
    database_bytes: int
    media_files: int
    media_bytes: int


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _pg_env() -> dict[str, str]:
    """libpq's variables for the default database, so no password appears in a process list."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(argv: list[str], *, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {result.stderr.strip() or result.returncode}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(functools.partial(handle.read, 1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dump_database(engine: str, directory: Path) -> Path:
    if engine == "sqlite":
        target = directory / SQLITE_MEMBER
        connection.ensure_connection()
        # The online backup API copies a consistent snapshot while the site keeps serving
        # (and works for WAL databases, where copying the file would not).
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return target
    target = directory / POSTGRES_MEMBER
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)],
        env=_pg_env(),
    )
    return target


def _media_files() -> list[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    files = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files.append((path, MEDIA_PREFIX + path.relative_to(root).as_posix()))
    return files


def backup_site(*, path: Path) -> Summary:
    """Write the database and the media to one archive at `path`.

    The archive is written beside `path` under a temporary name and renamed into place only
    when complete, so a failure (a full disk) never leaves a truncated archive that looks good.
    """
    engine = _engine()
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"could not write {path}: {error.strerror or error}") from error
    partial = path.with_name(f".{path.name}.partial")
    manifest = {
        "format": FORMAT,
        "created": datetime.datetime.now(datetime.UTC).isoformat(),
        "engine": engine,
        "files": {},
    }
    try:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".byline-backup-") as scratch:
            dump = _dump_database(engine, Path(scratch))
            members = [(dump, dump.name), *_media_files()]
            # The archive holds the whole database (readers' addresses, editors' sessions):
            # 0600, as the database itself, whatever the umask.
            with (
                private_files.create(partial) as raw,
                tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive,
            ):
                for source, name in members:
                    manifest["files"][name] = {
                        "sha256": _sha256(source),
                        "size": source.stat().st_size,
                    }
                    archive.add(source, arcname=name, recursive=False)
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(datetime.datetime.now().timestamp())
                archive.addfile(info, io.BytesIO(data))
            os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"could not write {path}: {error.strerror or error}") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    files = manifest["files"]
    media = [info for name, info in files.items() if name.startswith(MEDIA_PREFIX)]
    return Summary(
        engine=engine,
        database_bytes=files[dump.name]["size"],
        media_files=len(media),
        media_bytes=sum(info["size"] for info in media),
    )


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts and bool(pure.parts)


def verify_archive(*, path: Path, extract_to: Path | None = None) -> dict:
    """Check every member of the archive against its manifest and return the manifest.

    With `extract_to`, the members are written there as they are read (only regular files with
    plain relative names; links and devices make the archive invalid).
    """
    path = Path(path)
    seen: dict[str, dict] = {}
    manifest = None
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if not _safe_name(member.name) or not (member.isfile() or member.isdir()):
                    raise BackupError(f"{path} holds an unsafe entry: {member.name!r}")
                if member.isdir():
                    continue
                handle = archive.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(handle.read(1 << 24))
                    continue
                digest = hashlib.sha256()
                out = None
                if extract_to is not None:
                    target = extract_to / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    out = target.open("wb")
                try:
                    for block in iter(functools.partial(handle.read, 1 << 20), b""):
                        digest.update(block)
                        if out is not None:
                            out.write(block)
                finally:
                    if out is not None:
                        out.close()
                seen[member.name] = {"sha256": digest.hexdigest(), "size": member.size}
    except (OSError, tarfile.TarError, EOFError, zlib.error, ValueError) as error:
        # OSError covers a missing file and gzip.BadGzipFile; ValueError a bad manifest.
        raise BackupError(f"{path} is not a readable Byline backup: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has no Byline backup manifest (format {FORMAT})")
    expected = manifest.get("files", {})
    if seen != expected:
        changed = sorted(
            set(seen) ^ set(expected) | {n for n in seen if seen[n] != expected.get(n)}
        )
        raise BackupError(f"{path} does not match its manifest: {', '.join(changed[:5])}")
    if manifest.get("engine") not in {"sqlite", "postgresql"}:
        raise BackupError(f"{path} names an unknown database engine")
    return manifest


def site_is_empty() -> bool:
    """True for a database with no users and only Wagtail's initial pages, and no media."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if "auth_user" in tables:
            cursor.execute("SELECT COUNT(*) FROM auth_user")
            if cursor.fetchone()[0]:
                return False
        if "wagtailcore_page" in tables:
            cursor.execute("SELECT COUNT(*) FROM wagtailcore_page")
            if cursor.fetchone()[0] > WAGTAIL_INITIAL_PAGES:
                return False
    return not _media_files()


def _check_database_copy(engine: str, dump: Path) -> None:
    if engine == "sqlite":
        try:
            with sqlite3.connect(f"file:{dump}?mode=ro", uri=True) as copy:
                result = copy.execute("PRAGMA integrity_check").fetchone()[0]
            copy.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"the database in the archive is unreadable: {error}") from error
        if result != "ok":
            raise BackupError(f"the database in the archive is damaged: {result}")
    else:
        _run(["pg_restore", "--list", str(dump)])


def _restore_database(engine: str, dump: Path) -> None:
    if engine == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(dump) as source:
            source.backup(connection.connection)
        source.close()
        return
    # Sessions of this process would hold locks on tables pg_restore drops.
    connection.close()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",  # all or nothing
            "--exit-on-error",
            "--dbname",
            str(settings.DATABASES["default"]["NAME"]),
            str(dump),
        ],
        env=_pg_env(),
    )


def _swap_media(new_media: Path) -> None:
    """Put the restored media in place with two renames, so readers never see half of it."""
    root = Path(settings.MEDIA_ROOT)
    root.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if root.exists():
        old = root.with_name(f".{root.name}.replaced")
        if old.exists():
            shutil.rmtree(old)
        root.rename(old)
    new_media.rename(root)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def restore_site(*, path: Path, force: bool = False) -> dict:
    """Replace this site's database and media with the archive's, after verifying it whole.

    Refuses (RestoreRefused) a site that has content unless `force`; an archive made on
    another database engine is refused too (move between engines with dumpdata/loaddata).
    """
    engine = _engine()
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Extract next to the media directory, so that putting it in place is a rename.
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".byline-restore-") as tmp:
        scratch = Path(tmp)
        manifest = verify_archive(path=path, extract_to=scratch)
        if manifest["engine"] != engine:
            raise BackupError(
                f"{path} holds a {manifest['engine']} database and this site uses {engine}"
            )
        dump = scratch / (SQLITE_MEMBER if engine == "sqlite" else POSTGRES_MEMBER)
        _check_database_copy(engine, dump)
        if not force and not site_is_empty():
            raise RestoreRefused(
                "this site already has content (users, pages or media); "
                "restore with --force to replace it"
            )
        _restore_database(engine, dump)
        new_media = scratch / "media"
        new_media.mkdir(exist_ok=True)
        _swap_media(new_media)
    return manifest
