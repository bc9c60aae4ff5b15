"""A tag renamed or deleted in the admin, or a post's tagging changed outside a page save,
starts a new content version (byline.core.frame): the pieces a process remembered from
before (a post's tag list, its related posts, the per-tag lists they are ranked from) are
built again on the next render."""

import datetime

import lxml.html
import pytest
from taggit.models import Tag

from byline.blogs.models import BlogPage, PostPageTag
from byline.core import frame
from tests.factories import make_post, publish

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture(autouse=True)
def forget_pieces():
    frame.forget()
    yield
    frame.forget()


def at(day: int) -> datetime.datetime:
    return datetime.datetime(2011, 7, day, 12, tzinfo=UTC)


def post_tags(html: str) -> list[str]:
    """The names in the post's "Tags:" line."""
    return lxml.html.fromstring(html).xpath('//p[@class="post-tags"]/a/text()')


def related_titles(html: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    section = doc.xpath('//section[@aria-labelledby="related-posts"]')
    return section[0].xpath(".//li/a/text()") if section else []


def render(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_renamed_tag_shows_its_new_name_under_the_post(client, tree):
    post = make_post(tree.blog, title="Cloud", date=at(5), tags=["azure", "office"])
    assert post_tags(render(client, post.url)) == ["azure", "office"]
    tag = Tag.objects.get(name="azure")
    tag.name = "Microsoft Azure"
    tag.save()
    assert post_tags(render(client, post.url)) == ["Microsoft Azure", "office"]


def test_a_deleted_tag_leaves_the_post_and_its_related_list(client, tree):
    """Two posts of two columns sharing only "azure": the other is this one's related post
    until the tag goes. The related list is ranked from the remembered per-tag lists
    (related.TagNewest) and remembered itself with the post's neighbours."""
    other_blog = publish(tree.blogs, BlogPage(title="Redmond Report", slug="redmond-report"))
    post = make_post(tree.blog, title="Cloud", date=at(5), tags=["azure", "office"])
    make_post(other_blog, title="Also cloud", date=at(3), tags=["azure"])
    html = render(client, post.url)
    assert post_tags(html) == ["azure", "office"]
    assert related_titles(html) == ["Also cloud"]
    Tag.objects.get(name="azure").delete()
    html = render(client, post.url)
    assert related_titles(html) == []
    assert post_tags(html) == ["office"]


def test_a_tagging_changed_without_a_page_save_shows_on_the_next_render(client, tree):
    """Rows of the through model written directly (a script, an import) count too."""
    post = make_post(tree.blog, title="Cloud", date=at(5), tags=["azure"])
    assert post_tags(render(client, post.url)) == ["azure"]
    office = Tag.objects.create(name="office", slug="office")
    PostPageTag.objects.create(content_object_id=post.pk, tag=office)
    assert post_tags(render(client, post.url)) == ["azure", "office"]
    PostPageTag.objects.filter(content_object_id=post.pk, tag__name="azure").delete()
    assert post_tags(render(client, post.url)) == ["office"]


def test_deleting_a_tag_on_many_posts_starts_one_version_not_one_per_post(tree, monkeypatch):
    """The tag's deletion takes its three tagging rows with it, a post_delete signal each;
    those bump nothing (the tag's own deletion does, once). At 0.3 ms of CPU a version
    write, a tag on 10,000 posts would otherwise cost seconds to delete."""
    for day in (1, 2, 3):
        make_post(tree.blog, date=at(day), tags=["azure"])
    writes = []
    write = frame._set_new_version
    monkeypatch.setattr(frame, "_set_new_version", lambda: writes.append(write()))
    Tag.objects.get(name="azure").delete()
    assert PostPageTag.objects.count() == 0
    assert len(writes) == 1  # inside the test's transaction: the one after commit is not run
