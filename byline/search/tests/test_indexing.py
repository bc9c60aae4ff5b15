"""Indexing a post reads each of its search fields once, and finds it by every column."""

from __future__ import annotations

from modelsearch.backends import get_search_backend
from wagtail.fields import StreamField

from byline.blogs.models import PostPage
from tests.factories import make_post


def test_a_post_body_is_read_once_per_index_write(tree, monkeypatch):
    post = make_post(tree.blog, title="Partner programs", body=[("paragraph", "<p>Margins</p>")])
    reads = []
    stock = StreamField.get_searchable_content

    def counted(field, value):
        reads.append(field.name)
        return stock(field, value)

    monkeypatch.setattr(StreamField, "get_searchable_content", counted)
    get_search_backend().add(PostPage.objects.get(pk=post.pk))
    # Wagtail's database backends read it once per column: three times, five on PostgreSQL.
    assert reads == ["body"]
    found = {
        word: [page.pk for page in PostPage.objects.live().search(word)]
        for word in ("partner", "margins")
    }
    assert found == {"partner": [post.pk], "margins": [post.pk]}
