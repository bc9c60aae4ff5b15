"""The newsletter sign-up on the pages issue #16 names: a post and its blog front offer the
blog, an author's page the author, the home page the whole publication."""

import lxml.html
import pytest

from tests.factories import build_site_tree, make_post

pytestmark = pytest.mark.django_db


def signup_scopes(client, url: str) -> list[str]:
    page = lxml.html.fromstring(client.get(url).content)
    forms = page.xpath("//form[@action='/newsletter/subscribe/']")
    return [form.xpath(".//input[@name='scope']")[0].get("value") for form in forms]


def test_each_reader_page_offers_its_own_newsletter(client):
    tree = build_site_tree()
    post = make_post(tree.blog, authors=[tree.author])
    blog = f"blog:{tree.blog.pk}"
    assert signup_scopes(client, post.url) == [blog]
    assert signup_scopes(client, tree.blog.url) == [blog]
    assert signup_scopes(client, f"/authors/{tree.author.slug}/") == [f"author:{tree.author.pk}"]
    assert signup_scopes(client, "/") == ["all"]
