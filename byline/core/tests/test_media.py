"""Uploaded files: images under /media/, documents only through Wagtail's checked view.

A document in a collection with a view restriction (password, login) must never be served by
its file address; /documents/<id>/<name> checks the restriction, /media/ cannot."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db.models.fields.files import FieldFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from byline.core.views import DOCUMENTS_DIR

pytestmark = pytest.mark.django_db

SECRET = b"%PDF-1.4\nthe minutes of the board\n%%EOF\n"


def document_in(collection: Collection, name: str = "minutes.pdf"):
    return get_document_model().objects.create(
        title=name, file=ContentFile(SECRET, name=name), collection=collection
    )


def private_collection(restriction_type: str) -> Collection:
    collection = Collection.get_first_root_node().add_child(name=f"Board ({restriction_type})")
    CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=restriction_type,
        password="board-only" if restriction_type == CollectionViewRestriction.PASSWORD else "",
    )
    return collection


def media_path(document) -> str:
    return f"/media/{document.file.name}"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(
    "restriction_type", [CollectionViewRestriction.PASSWORD, CollectionViewRestriction.LOGIN]
)
def test_a_restricted_document_is_served_only_past_its_restriction(client, restriction_type):
    document = document_in(private_collection(restriction_type))
    assert document.file.name == f"{DOCUMENTS_DIR}/minutes.pdf"

    by_file = client.get(media_path(document))
    assert by_file.status_code == 404
    assert SECRET not in body(by_file)

    checked = client.get(document.url)
    assert SECRET not in body(checked)
    if restriction_type == CollectionViewRestriction.PASSWORD:
        assert checked.status_code == 200
        assert 'name="password"' in checked.content.decode()
        assert "no-cache" in checked["Cache-Control"]
    else:
        assert checked.status_code == 302
        assert "/login/" in checked["Location"]


def test_a_password_restricted_document_downloads_once_the_password_is_given(client):
    document = document_in(private_collection(CollectionViewRestriction.PASSWORD))
    restriction = CollectionViewRestriction.objects.get()
    client.post(
        f"/documents/authenticate_with_password/{restriction.pk}/",
        {"password": "board-only", "return_url": document.url},
    )
    response = client.get(document.url)
    assert response.status_code == 200
    assert body(response) == SECRET
    # Unlocked for this reader only: no shared cache may keep it for the next.
    assert "private" in response["Cache-Control"]
    # Passing the restriction does not open the file address.
    assert client.get(media_path(document)).status_code == 404


def test_password_guesses_at_a_collection_are_rate_limited(client, settings):
    """As a page's password: three tries, then 429 even for the right password, and the
    document stays closed; another address may still try."""
    settings.BYLINE_PAGE_PASSWORD_RATE_LIMIT = "3/10m"
    document = document_in(private_collection(CollectionViewRestriction.PASSWORD))
    restriction = CollectionViewRestriction.objects.get()
    action = f"/documents/authenticate_with_password/{restriction.pk}/"
    for guess in ("one", "two", "three"):
        response = client.post(action, {"password": guess, "return_url": document.url})
        assert response.status_code == 200
    response = client.post(action, {"password": "board-only", "return_url": document.url})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    # The same restriction's id with leading zeros is the same limit, not Wagtail's view.
    padded = f"/documents/authenticate_with_password/{restriction.pk:020d}/"
    response = client.post(padded, {"password": "board-only", "return_url": document.url})
    assert response.status_code == 429
    assert client.get(document.url).status_code == 200  # the form again, not the file
    assert body(client.get(document.url)) != SECRET
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    elsewhere.post(action, {"password": "board-only", "return_url": document.url})
    assert body(elsewhere.get(document.url)) == SECRET


def test_a_public_document_downloads_through_the_checked_view(client):
    document = document_in(Collection.get_first_root_node(), "programme.pdf")
    assert document.url == f"/documents/{document.pk}/programme.pdf"
    response = client.get(document.url)
    assert response.status_code == 200
    assert body(response) == SECRET
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" not in response.get("Cache-Control", "")
    # Public or not, /media/ leaves documents to that view.
    assert client.get(media_path(document)).status_code == 404


@pytest.mark.parametrize(
    "spelling",
    [
        "/media/documents/minutes.pdf",
        "/media/./documents/minutes.pdf",
        "/media/images/../documents/minutes.pdf",
        "/media//documents/minutes.pdf",
        "/media/Documents/minutes.pdf",
        "/media/documents/",
        "/media/documents",
    ],
)
def test_no_spelling_of_the_documents_folder_is_served(client, spelling):
    document_in(private_collection(CollectionViewRestriction.PASSWORD))
    assert client.get(spelling).status_code == 404


@pytest.mark.parametrize("name", ["a" * 256, "a/" * 2100])
def test_a_name_too_long_for_the_file_system_is_404(client, settings, name):
    """The file system refuses to look such a name up (ENAMETOOLONG): a 500 before."""
    settings.BYLINE_SERVE_MEDIA = True
    assert client.get(f"/media/{name}").status_code == 404


def test_on_a_storage_without_paths_documents_stream_and_never_redirect(client, monkeypatch):
    """Object storage (S3) has file URLs but no paths, where Wagtail's own default is to
    redirect to the file's address: the setting keeps them in the view."""

    def no_path(self):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    monkeypatch.setattr(FieldFile, "path", property(no_path))
    document = document_in(Collection.get_first_root_node(), "programme.pdf")
    response = client.get(document.url)
    assert response.status_code == 200
    assert body(response) == SECRET


def test_documents_dir_is_where_wagtail_stores_documents():
    assert get_document_model()._meta.get_field("file").upload_to == DOCUMENTS_DIR


def test_images_under_media_still_serve(client):
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), "#336699").save(buffer, "JPEG")
    image = get_image_model()(title="cover", file=ImageFile(buffer, name="cover.jpg"))
    image._set_image_file_metadata()
    image.save()
    rendition = image.get_rendition("width-32")
    for url in (image.file.url, rendition.url):
        assert url.startswith("/media/")
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "image/jpeg"
        assert body(response)[:2] == b"\xff\xd8"
