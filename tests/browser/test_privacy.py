"""A reader meets a protected post in a real browser: the site's password form, a wrong
guess, the right one, then the post in full (and the same tab stays able to read it)."""

import pytest
from wagtail.models import PageViewRestriction

from byline.demo.reference import load_reference_content

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POST_URL = "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/"


def test_reader_enters_the_password_and_reads_the_post(live_server, page):
    load_reference_content()
    from byline.blogs.models import PostPage

    post = PostPage.objects.get(slug="why-partners-like-steve-ballmer")
    PageViewRestriction.objects.create(
        page=post, restriction_type=PageViewRestriction.PASSWORD, password="partners"
    )

    page.goto(f"{live_server.url}{POST_URL}")
    assert page.get_by_role("heading", level=1).inner_text() == "Password required"
    assert "cheering for us" not in page.content()
    assert "Why Partners Like Steve Ballmer" not in page.content()

    page.get_by_label("Password").fill("wrong guess")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Password required"
    assert page.get_by_role("alert").count() >= 1
    assert "cheering for us" not in page.content()

    page.get_by_label("Password").fill("partners")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}{POST_URL}")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Why Partners Like Steve Ballmer"
    assert "cheering for us" in page.locator("blockquote").inner_text()

    # The home page, listings and feeds still leave it out: they are the same for everyone.
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("link", name="Why Partners Like Steve Ballmer").count() == 0
