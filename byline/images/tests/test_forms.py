"""The admin's image upload (StrictImageForm): a file that will not decode fails at upload,
with a message the editor can act on, instead of breaking pages later."""

import io
import struct
import zlib

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model

from byline.images.tests.factories import image_bytes


@pytest.fixture
def editor(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_header(width: int, height: int, extra: bytes = b"") -> bytes:
    """A PNG whose header claims width × height, with one row of real pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + extra
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * (1 + 3 * min(width, 16))))
        + png_chunk(b"IEND", b"")
    )


def upload(editor, name: str, data: bytes):
    return editor.post(
        reverse("wagtailimages:add"),
        {"title": name, "file": SimpleUploadedFile(name, data), "collection": 1},
    )


@pytest.mark.django_db
class TestImageUpload:
    def test_a_good_image_is_accepted(self, editor):
        response = upload(editor, "good.jpg", image_bytes())
        assert response.status_code == 302
        assert get_image_model().objects.filter(title="good.jpg").exists()

    def test_not_an_image(self, editor):
        response = upload(editor, "notes.jpg", b"Meeting notes, not a picture.\n" * 20)
        assert response.status_code == 200
        assert "Upload a valid image" in response.content.decode()
        assert not get_image_model().objects.exists()

    def test_truncated_image(self, editor):
        whole = image_bytes(800, 600)
        response = upload(editor, "cut.jpg", whole[: len(whole) // 2])
        assert response.status_code == 200
        assert "could not be read: the file is damaged, cut short" in response.content.decode()
        assert not get_image_model().objects.exists()

    def test_decompression_bomb(self, editor):
        """A few hundred bytes claiming 20,000 × 20,000 pixels (400 million, over the 64
        million of WAGTAILIMAGES_MAX_IMAGE_PIXELS)."""
        response = upload(editor, "bomb.png", png_with_header(20_000, 20_000))
        assert response.status_code == 200
        assert "too many pixels" in response.content.decode()
        assert not get_image_model().objects.exists()

    def test_hostile_metadata_text_chunk(self, editor):
        """A compressed text chunk that inflates past Pillow's safety limit."""
        bomb = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * 20_000_000, 9))
        response = upload(editor, "meta.png", png_with_header(16, 16, extra=bomb))
        assert response.status_code == 200
        assert "could not be read" in response.content.decode()
        assert not get_image_model().objects.exists()

    def test_hostile_metadata_exif(self, editor):
        """An EXIF block whose directory points past its own end."""
        buffer = io.BytesIO()
        exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + b"\xff\xff" + b"\x01\x12\x00\x03"
        PILImage.new("RGB", (64, 64), "navy").save(buffer, "JPEG", exif=exif)
        response = upload(editor, "exif.jpg", buffer.getvalue())
        # Either it decodes (Pillow ignores the bad directory) or the editor is told; never 500.
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert "could not be read" in response.content.decode()
