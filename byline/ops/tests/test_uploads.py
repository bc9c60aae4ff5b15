"""Uploads through the Wagtail admin are checked for size and type, with a clear message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from .conftest import image_bytes


def upload_image(editor, name: str, data: bytes):
    return editor.post(
        reverse("wagtailimages:add"),
        {"title": name, "file": SimpleUploadedFile(name, data), "collection": 1},
    )


def upload_document(editor, name: str, data: bytes):
    return editor.post(
        reverse("wagtaildocs:add"),
        {"title": name, "file": SimpleUploadedFile(name, data), "collection": 1},
    )


def test_the_limits_come_from_the_environment_with_sane_defaults(settings):
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 20 * 2**20
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE == 50 * 2**20
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    assert "html" not in settings.WAGTAILDOCS_EXTENSIONS


@pytest.mark.django_db
class TestImages:
    def test_a_good_image_is_accepted(self, editor):
        response = upload_image(editor, "good.jpg", image_bytes())
        assert response.status_code == 302
        assert get_image_model().objects.filter(title="good.jpg").exists()

    def test_an_oversized_image_is_refused_with_the_limit(self, editor, settings):
        settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1000
        data = image_bytes(400, 400, "PNG")
        assert len(data) > 1000
        response = upload_image(editor, "big.png", data)
        assert response.status_code == 200
        assert "This file is too big" in response.content.decode()
        assert not get_image_model().objects.exists()

    def test_a_text_file_renamed_jpg_is_refused(self, editor):
        response = upload_image(editor, "notes.jpg", b"Meeting notes, not a picture.\n" * 20)
        assert response.status_code == 200
        assert "Upload a valid image" in response.content.decode()
        assert not get_image_model().objects.exists()

    def test_svg_is_not_an_allowed_type(self, editor):
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        response = upload_image(editor, "logo.svg", svg)
        assert response.status_code == 200
        assert "Not a supported image format" in response.content.decode()
        assert not get_image_model().objects.exists()


@pytest.mark.django_db
class TestDocuments:
    def test_a_pdf_is_accepted(self, editor):
        response = upload_document(editor, "report.pdf", b"%PDF-1.4\n%%EOF\n")
        assert response.status_code == 302
        assert get_document_model().objects.filter(title="report.pdf").exists()

    def test_an_oversized_document_is_refused_with_the_limit(self, editor, settings):
        settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1000
        response = upload_document(editor, "big.pdf", b"%PDF-1.4\n" + b"x" * 2000)
        assert response.status_code == 200
        assert "This file is too big" in response.content.decode()
        assert not get_document_model().objects.exists()

    def test_an_html_page_is_not_an_allowed_type(self, editor):
        response = upload_document(editor, "page.html", b"<script>alert(1)</script>")
        assert response.status_code == 200
        assert "File extension" in response.content.decode()
        assert not get_document_model().objects.exists()


@pytest.mark.django_db
def test_a_form_body_past_the_limit_is_a_400_not_a_500(editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = editor.post(
        reverse("wagtailimages:add"),
        {"title": "x" * 5000, "collection": 1},
    )
    assert response.status_code == 400
