"""A post's tags and credits read by statements made once (byline.core.statements) are what
the ORM's querysets give, in the editor's order; a preview's unsaved tags are its own."""

import pytest
from taggit.models import Tag

from byline.blogs.models import PostPage, PostPageAuthor
from tests.factories import AuthorFactory, make_post

pytestmark = pytest.mark.django_db


def test_tags_are_the_posts_in_the_order_given(tree):
    post = make_post(tree.blog, tags=["zebra", "apple", "Microsoft", "cloud"])
    other = make_post(tree.blog, tags=["apple", "other"])
    for page in (post, other):
        fresh = PostPage.objects.get(pk=page.pk)
        assert fresh.tag_list() == list(PostPage.objects.get(pk=page.pk).tags.all())
    assert [tag.name for tag in PostPage.objects.get(pk=post.pk).tag_list()] == [
        "zebra",
        "apple",
        "Microsoft",
        "cloud",
    ]
    assert all(isinstance(tag, Tag) for tag in PostPage.objects.get(pk=post.pk).tag_list())
    assert PostPage.objects.get(pk=make_post(tree.blog).pk).tag_list() == []


def test_credits_are_the_posts_in_byline_order(tree):
    first, second = AuthorFactory(name="Kurt Mackie"), AuthorFactory(name="Ann Other")
    post = make_post(tree.blog, authors=[first, tree.author, second])
    # A credit whose author was deleted keeps its name and its place.
    tree.author.delete()
    fresh = PostPage.objects.get(pk=post.pk)
    expected = list(
        PostPageAuthor.objects.filter(post_id=post.pk)
        .order_by("sort_order", "pk")
        .values_list("author_id", "name")
    )
    assert [name for _, name in expected] == ["Kurt Mackie", "Scott Bekker", "Ann Other"]
    assert [author.name for author in fresh.authors] == ["Kurt Mackie", "Scott Bekker", "Ann Other"]
    assert fresh.authors[1].pk is None  # the kept name, no page


def test_a_preview_shows_the_editors_tags_not_the_saved_ones(tree):
    post = make_post(tree.blog, tags=["saved"])
    draft = PostPage.objects.get(pk=post.pk)
    draft.tags.set(["edited", "new"])  # in memory, as the editor's form leaves them
    assert sorted(tag.name for tag in draft.tag_list()) == ["edited", "new"]
    assert [tag.name for tag in PostPage.objects.get(pk=post.pk).tag_list()] == ["saved"]
