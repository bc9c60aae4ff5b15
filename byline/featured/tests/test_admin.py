"""Editors' side: image uploads that fail clearly instead of breaking pages later, and
featured lists edited through the Wagtail admin."""

import io
import struct
import zlib

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from byline.core.testing import make_post
from byline.featured.models import FeaturedList

from .conftest import image_bytes


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


def list_form(name: str, items: list[dict], blog: str = "") -> dict:
    return nested_form_data(
        {
            "name": name,
            "blog": blog,
            "items": inline_formset(
                [
                    {
                        "page": "",
                        "url": "",
                        "title": "",
                        "summary": "",
                        "image": "",
                        "image_alt": "",
                        "show_from": "",
                        "show_until": "",
                        **item,
                    }
                    for item in items
                ]
            ),
        }
    )


@pytest.mark.django_db
class TestListAdmin:
    def test_editor_creates_an_ordered_list(self, editor, tree):
        first = make_post(tree.blog, title="First")
        second = make_post(tree.blog, title="Second")
        response = editor.post(
            reverse("wagtailsnippets_featured_featuredlist:add"),
            list_form(
                "Site-wide",
                [{"page": second.pk, "ORDER": 1}, {"page": first.pk, "ORDER": 2}],
            ),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        featured = FeaturedList.objects.get(name="Site-wide")
        assert [item.page_id for item in featured.items.all()] == [second.pk, first.pk]
        assert "Second" in editor.get("/").content.decode()

    def test_unpublished_page_and_backwards_window_are_refused(self, editor, tree):
        draft = make_post(tree.blog, title="Draft story", live=False)
        live = make_post(tree.blog, title="Live story")
        response = editor.post(
            reverse("wagtailsnippets_featured_featuredlist:add"),
            list_form(
                "Site-wide",
                [
                    {"page": draft.pk},
                    {
                        "page": live.pk,
                        "show_from": "2025-07-02 10:00",
                        "show_until": "2025-07-01 10:00",
                    },
                ],
            ),
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "“Draft story” is not published" in html
        assert "The window must end after it starts." in html
        assert not FeaturedList.objects.exists()

    def test_image_without_alt_text_is_refused(self, editor, tree, make_image):
        post = make_post(tree.blog, title="Story")
        response = editor.post(
            reverse("wagtailsnippets_featured_featuredlist:add"),
            list_form("Site-wide", [{"page": post.pk, "image": make_image().pk}]),
        )
        assert response.status_code == 200
        assert "Describe the image for readers who cannot see it" in response.content.decode()
