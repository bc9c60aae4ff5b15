"""A reader posts a comment and a reply in chromium, with JavaScript off and on."""

from __future__ import annotations

import pytest

from tests.factories import build_site_tree, make_post

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def post(settings):
    settings.BYLINE_COMMENTS_MODERATION = "none"
    # A person needs more than 3 s; the test's typing is instant, so the minimum is lifted here.
    settings.BYLINE_FORMGUARD_MIN_SECONDS = 0
    tree = build_site_tree()
    return make_post(tree.blog, title="Why Partners Like Steve Ballmer", slug="why")


def fill(form, *, name: str, text: str) -> None:
    form.get_by_label("Name").fill(name)
    form.get_by_label("E-mail:", exact=True).fill(f"{name.lower()}@example.com")
    form.get_by_label("Comment").fill(text)


def test_comment_and_reply_without_javascript(live_server, page_without_js, post):
    page = page_without_js
    page.goto(f"{live_server.url}{post.url}")
    fill(page.locator("#comment-form"), name="Ann", text="First!\n\nSee https://example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert "#comment-" in page.url
    comment = page.locator(".comment").first
    assert "First!" in comment.locator(".comment-body").inner_text()
    assert comment.get_by_role("link", name="https://example.com").is_visible()

    with page.expect_navigation():
        comment.get_by_role("link", name="Reply to Ann").click()
    assert "/reply/" in page.url
    fill(page.locator("#comment-form"), name="Bob", text="A reply without scripts.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    reply = page.locator(".comment .comment-replies .comment")
    assert reply.count() == 1
    assert reply.locator(".comment-body").inner_text() == "A reply without scripts."
    assert page.locator("#comments-heading").inner_text() == "2 comments"


def test_comment_and_reply_with_javascript(live_server, page, post):
    page.goto(f"{live_server.url}{post.url}")
    fill(page.locator("#comment-form"), name="Ann", text="With scripts on.")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_selector(".comment")
    assert page.locator(".comment .comment-body").inner_text() == "With scripts on."
    # The relative date is kept current by the script.
    assert page.locator(".comment-age").inner_text() in {"now", "1 second ago", "2 seconds ago"}

    post_url = page.url.split("#")[0]
    page.get_by_role("link", name="Reply to Ann").click()
    # The form moves under the comment; no page load.
    assert page.url.split("#")[0] == post_url
    form = page.locator(".comment #comment-form")
    assert form.is_visible()
    assert form.locator("[data-replying]").inner_text().startswith("Replying to Ann")
    fill(form, name="Bob", text="A reply in place.")
    form.get_by_role("button", name="Post comment").click()
    page.wait_for_selector(".comment-replies .comment")
    reply = page.locator(".comment .comment-replies .comment")
    assert reply.locator(".comment-body").inner_text() == "A reply in place."
