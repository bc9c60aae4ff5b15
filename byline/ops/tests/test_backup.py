"""`byline backup` and `byline restore`: a round trip brings content and media back identical,
on whichever database the suite runs (SQLite, or PostgreSQL with pg_dump/pg_restore)."""

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.images import get_image_model
from wagtail.models import Page

from byline.blogs.models import PostPage
from byline.comments.models import CommentStatus, ReaderComment
from byline.ops.backup import MANIFEST
from tests.factories import build_site_tree, make_post

from .conftest import image_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def snapshot() -> dict:
    """What a reader or an editor would notice: pages, posts, comments, users, images."""
    return {
        "pages": list(Page.objects.order_by("path").values_list("path", "title", "slug", "live")),
        "posts": list(PostPage.objects.order_by("pk").values_list("pk", "title", "date")),
        "comments": list(ReaderComment.objects.order_by("pk").values_list("pk", "body", "status")),
        "users": list(get_user_model().objects.order_by("pk").values_list("username", "password")),
        "images": list(get_image_model().objects.order_by("pk").values_list("title", "file")),
    }


def media_files() -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def site():
    tree = build_site_tree()
    post = make_post(tree.blog, title="Why Partners Like Steve Ballmer", slug="why")
    make_post(tree.blog, title="A second post", slug="second")
    ReaderComment.objects.create(
        post=post,
        name="Ann",
        email="ann@example.com",
        body="Well put.",
        status=CommentStatus.APPROVED,
        ip_hash="x" * 32,
    )
    get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    get_image_model().objects.create(
        title="Ballmer", file=ImageFile(io.BytesIO(image_bytes()), name="ballmer.jpg")
    )
    (Path(settings.MEDIA_ROOT) / "documents").mkdir(parents=True, exist_ok=True)
    (Path(settings.MEDIA_ROOT) / "documents" / "notes.txt").write_text("Notes\n")
    return tree


def backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def restore(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def test_round_trip_brings_content_and_media_back_identical(site, tmp_path):
    before, media_before = snapshot(), media_files()
    assert len(media_before) == 2
    archive = tmp_path / "backups" / "site.tar.gz"
    assert "2 media files" in backup(archive)

    # Everything changes after the backup: a post goes, a post comes, media are lost.
    PostPage.objects.get(slug="why").delete()
    make_post(site.blog, title="Written after the backup", slug="after")
    for path in Path(settings.MEDIA_ROOT).rglob("*.jpg"):
        path.unlink()
    (Path(settings.MEDIA_ROOT) / "stray.txt").write_text("not in the backup")

    assert "restored" in restore(archive, "--force")
    assert snapshot() == before
    assert media_files() == media_before


def test_restore_into_an_empty_site_needs_no_force(site, tmp_path):
    before, media_before = snapshot(), media_files()
    archive = tmp_path / "site.tar.gz"
    backup(archive)
    # What a freshly migrated site has: no users, only Wagtail's root page, no media.
    get_user_model().objects.all().delete()
    Page.objects.filter(depth__gt=1).delete()
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()

    restore(archive)
    assert snapshot() == before
    assert media_files() == media_before


def test_restore_refuses_a_site_with_content_without_force(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    backup(archive)
    make_post(site.blog, title="Written after the backup", slug="after")
    with pytest.raises(CommandError, match="--force"):
        restore(archive)
    assert PostPage.objects.filter(slug="after").exists()


def rewrite(archive: Path, target: Path, change) -> None:
    """Copy `archive` to `target`, passing each member's bytes through `change(name, data)`."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source:
            data = source.extractfile(member).read()
            data = change(member.name, data)
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))


def test_a_tampered_archive_is_refused_before_anything_changes(site, tmp_path):
    archive, bad = tmp_path / "site.tar.gz", tmp_path / "bad.tar.gz"
    backup(archive)
    rewrite(archive, bad, lambda name, data: b"Changed\n" if name.endswith("notes.txt") else data)
    make_post(site.blog, title="Written after the backup", slug="after")
    before, media_before = snapshot(), media_files()

    with pytest.raises(CommandError, match="does not match its manifest: media/documents/notes"):
        restore(bad, "--force")
    with pytest.raises(CommandError, match="does not match its manifest"):
        restore(bad, "--check")
    assert snapshot() == before
    assert media_files() == media_before


def test_a_truncated_or_foreign_file_is_refused(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    backup(archive)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="not a readable Byline backup"):
        restore(cut, "--force")
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        tar.add(Path(settings.MEDIA_ROOT) / "documents" / "notes.txt", arcname="notes.txt")
    with pytest.raises(CommandError, match="no Byline backup manifest"):
        restore(other, "--force")
    assert PostPage.objects.filter(slug="why").exists()


def test_an_archive_with_a_path_outside_the_site_is_refused(site, tmp_path):
    archive, bad = tmp_path / "site.tar.gz", tmp_path / "bad.tar.gz"
    backup(archive)
    with tarfile.open(archive) as source, tarfile.open(bad, "w:gz") as copy:
        for member in source:
            copy.addfile(member, source.extractfile(member))
        evil = tarfile.TarInfo("../../evil.txt")
        evil.size = 4
        copy.addfile(evil, io.BytesIO(b"evil"))
    with pytest.raises(CommandError, match="unsafe entry"):
        restore(bad, "--force")
    assert not (tmp_path.parent / "evil.txt").exists()


def test_check_reports_a_sound_archive_and_its_manifest(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    backup(archive)
    assert "is a sound backup" in restore(archive, "--check")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    engine = (
        "postgresql" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
    )
    assert manifest["engine"] == engine
    assert set(manifest["files"]) >= {"media/documents/notes.txt"}


def test_the_archive_is_0600_whatever_the_umask(site, tmp_path):
    """A backup holds the whole database: readable by this user only, like the database, even
    under the usual umask 022 (tarfile alone would make it 0644) and over an older archive."""
    archive = tmp_path / "site.tar.gz"
    archive.write_bytes(b"an older archive")
    archive.chmod(0o644)
    umask = os.umask(0o022)
    try:
        backup(archive)
    finally:
        os.umask(umask)
    assert archive.stat().st_mode & 0o777 == 0o600
    assert "is a sound backup" in restore(archive, "--check")


def test_a_backup_to_an_unwritable_place_fails_cleanly(site, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file, not a directory")
    with pytest.raises(CommandError):
        backup(blocked / "site.tar.gz")
