"""A correction added, edited or deleted reaches every stored page that shows the post."""

import datetime

import pytest

from byline.corrections.models import Correction
from tests.factories import make_post

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2025, 6, 5, 12, tzinfo=datetime.UTC)


@pytest.fixture
def post(tree):
    return make_post(tree.blog, title="Why partners like Steve Ballmer", authors=[tree.author])


def warm(reader, *paths):
    for path in paths:
        reader.get(path)
        assert reader.get(path).state == "hit", path


def test_a_new_correction_reaches_the_post_and_the_corrections_pages(
    reader, post, django_capture_on_commit_callbacks
):
    paths = (post.url, "/corrections/", "/corrections/feed/", "/corrections/atom/", "/feed/")
    warm(reader, *paths)
    with django_capture_on_commit_callbacks(execute=True):
        Correction.objects.create(post=post, text="The launch was in May.", published_at=AT)
    for path in paths:
        answer = reader.get(path)
        assert answer.state != "hit", path
        assert path == "/feed/" or "The launch was in May." in answer.text, path


def test_editing_and_deleting_a_correction_reach_the_post(
    reader, post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = Correction.objects.create(post=post, text="First wording.", published_at=AT)
    warm(reader, post.url)
    with django_capture_on_commit_callbacks(execute=True):
        note.text = "Second wording."
        note.save()
    assert "Second wording." in reader.get(post.url).text
    warm(reader, post.url)
    with django_capture_on_commit_callbacks(execute=True):
        note.delete()
    answer = reader.get(post.url)
    assert answer.state != "hit" and "Second wording." not in answer.text


def test_unpublishing_a_corrected_post_takes_its_note_off_the_corrections_pages(
    reader, post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Correction.objects.create(post=post, text="The launch was in May.", published_at=AT)
    warm(reader, "/corrections/", "/corrections/feed/")
    with django_capture_on_commit_callbacks(execute=True):
        post.unpublish()
    for path in ("/corrections/", "/corrections/feed/"):
        assert "The launch was in May." not in reader.get(path).text, path
