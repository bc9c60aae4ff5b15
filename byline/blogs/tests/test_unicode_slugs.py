"""Slugs in other scripts than ASCII (a French or German column, an imported WordPress tag):
every page that has one is reachable at its percent-encoded address and links to it."""

import pytest

from tests.factories import AuthorFactory, make_post

pytestmark = pytest.mark.django_db


def test_post_tag_and_author_with_accented_slugs_are_served_and_linked(client, tree):
    author = AuthorFactory(name="Jürgen Müller", slug="jürgen-müller")
    post = make_post(
        tree.blog, title="Café crème", slug="café-crème", authors=[author], tags=["Économie"]
    )
    assert post.url == "/blogs/bekkers-blog/2011/07/caf%C3%A9-cr%C3%A8me/"
    page = client.get(post.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/tags/%C3%A9conomie/"' in html
    assert 'href="/authors/j%C3%BCrgen-m%C3%BCller/"' in html
    for address, shows in (
        ("/tags/%C3%A9conomie/", "Café crème"),
        ("/authors/j%C3%BCrgen-m%C3%BCller/", "Café crème"),
        ("/tags/%C3%A9conomie/feed/", "Café crème"),
        ("/authors/j%C3%BCrgen-m%C3%BCller/feed/", "Café crème"),
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        assert shows in response.content.decode(), address


def test_an_accented_blog_has_its_feeds(client, tree):
    from byline.blogs.models import BlogPage

    blog = tree.blogs.add_child(instance=BlogPage(title="Économie", slug="économie"))
    make_post(blog, title="Les taux", slug="les-taux")
    front = client.get("/blogs/%C3%A9conomie/")
    assert front.status_code == 200
    assert "/blogs/%C3%A9conomie/feed/" in front.content.decode()
    feed = client.get("/blogs/%C3%A9conomie/feed/")
    assert feed.status_code == 200 and "Les taux" in feed.content.decode()
