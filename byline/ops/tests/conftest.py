"""Fixtures for the operations tests: an editor signed in, a small site with an image."""

import io

import pytest
from django.contrib.auth import get_user_model
from PIL import Image as PILImage


def image_bytes(width: int = 64, height: int = 48, fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), "#336699").save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def editor(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client
