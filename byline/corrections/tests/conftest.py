"""Fixtures for the corrections app: a small site with one published post."""

import datetime

import pytest

from byline.corrections.models import Correction, CorrectionKind
from tests.factories import build_site_tree, make_post


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


@pytest.fixture
def tree(db):
    return build_site_tree()


@pytest.fixture
def post(tree):
    return make_post(
        tree.blog,
        title="Why partners like Steve Ballmer",
        slug="ballmer",
        date=at(2025, 6, 2),
        authors=[tree.author],
        body=[("paragraph", "<p>The body of the post.</p>")],
    )


@pytest.fixture
def note():
    """A note on `post`: note(post, kind, text, when)."""

    def make(post, kind=CorrectionKind.CORRECTION, text="The launch was in May.", when=None):
        return Correction.objects.create(
            post=post, kind=kind, text=text, published_at=when or at(2025, 6, 5)
        )

    return make
