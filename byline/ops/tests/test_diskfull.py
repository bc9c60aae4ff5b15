"""A full disk during an upload is a clear 507 and leaves no partial file and no row.

A real full disk needs a filesystem of its own (bench/fault_disk_full.py mounts a tmpfs); here
the disk is the one thing faked: a storage that writes half of each file and then gets ENOSPC
from the "disk", exactly as os.write reports it.
"""

import errno
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse
from wagtail.images import get_image_model

from byline.ops.diskfull import CleanFileSystemStorage, is_disk_full

from .conftest import image_bytes


class FullDisk(ContentFile):
    """Content whose second chunk never reaches the disk: the write fails with ENOSPC."""

    def chunks(self, chunk_size=None):
        data = self.read()
        yield data[: len(data) // 2]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FullDiskStorage(CleanFileSystemStorage):
    def _save(self, name, content):
        return super()._save(name, FullDisk(content.read()))


def test_a_failed_write_leaves_no_partial_file(tmp_path):
    storage = CleanFileSystemStorage(location=tmp_path)
    with pytest.raises(OSError) as raised:
        storage.save("images/big.png", FullDisk(b"x" * 10_000))
    assert raised.value.errno == errno.ENOSPC
    assert not any(path.is_file() for path in Path(tmp_path).rglob("*"))


def test_a_file_that_was_there_before_is_not_removed(tmp_path):
    (tmp_path / "keep.txt").write_text("keep")
    storage = CleanFileSystemStorage(location=tmp_path)
    assert storage.save("new.txt", ContentFile(b"new")) == "new.txt"
    assert (tmp_path / "keep.txt").read_text() == "keep"


@pytest.mark.parametrize(
    ("error", "full"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), True),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), True),
        (OperationalError("database or disk is full"), True),
        (OSError(errno.EACCES, "Permission denied"), False),
        (ValueError("nothing to do with disks"), False),
    ],
)
def test_what_counts_as_a_full_disk(error, full):
    assert is_disk_full(error) is full


def test_a_full_disk_behind_another_error_counts():
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("save failed") from inner
    except RuntimeError as outer:
        assert is_disk_full(outer)


@pytest.mark.django_db
def test_an_upload_onto_a_full_disk_is_a_clear_507_and_saves_nothing(editor, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FullDiskStorage"},
    }
    editor.raise_request_exception = False
    response = editor.post(
        reverse("wagtailimages:add"),
        {
            "title": "big",
            "file": SimpleUploadedFile("big.jpg", image_bytes(400, 300)),
            "collection": 1,
        },
    )
    assert response.status_code == 507
    assert "Not saved: the server is out of disk space" in response.content.decode()
    assert not get_image_model().objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not any(path.is_file() for path in media.rglob("*")) if media.exists() else True
