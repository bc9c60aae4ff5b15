"""A post with two authors, as a reader's browser shows it."""

import pytest

from tests.factories import AuthorFactory, build_site_tree, make_post

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_byline_reads_by_a_and_b_and_both_author_links_work(live_server, page):
    tree = build_site_tree()
    jane = AuthorFactory(name="Jane Doe", slug="jane-doe", role="Contributing editor")
    post = make_post(tree.blog, title="Two hands", authors=[tree.author, jane])

    page.goto(f"{live_server.url}{post.url}")
    assert page.locator(".post-authors").inner_text() == "By Scott Bekker and Jane Doe"
    assert page.locator(".byline").inner_text().startswith("Posted by Scott Bekker and Jane Doe on")

    for name, heading, path in [
        ("Scott Bekker", "Scott Bekker", "/authors/scott-bekker/"),
        ("Jane Doe", "Jane Doe", "/authors/jane-doe/"),
    ]:
        page.goto(f"{live_server.url}{post.url}")
        page.locator(".post-authors").get_by_role("link", name=name).click()
        assert page.url == f"{live_server.url}{path}"
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.get_by_role("link", name="Two hands").is_visible()
