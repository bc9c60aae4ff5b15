"""Proof of work in chromium: with JavaScript the comment is solved for and published; without
it the comment still goes through, held for a moderator."""

from __future__ import annotations

import pytest

from byline.comments.models import CommentStatus, ReaderComment
from byline.core.testing import build_site_tree, make_post
from tests.browser.conftest import browser  # noqa: F401  (the shared chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab(chromium, **options):
    context = chromium.new_context(**options)
    yield context.new_page()
    context.close()


@pytest.fixture
def tab(browser):  # noqa: F811
    yield from _tab(browser)


@pytest.fixture
def tab_without_js(browser):  # noqa: F811
    yield from _tab(browser, java_script_enabled=False)


@pytest.fixture
def post(settings):
    settings.BYLINE_COMMENTS_MODERATION = "none"
    settings.BYLINE_COMMENTS_PROOF_OF_WORK = 5000
    # A person needs more than 3 s; the test's typing is instant, so the minimum is lifted here.
    settings.BYLINE_FORMGUARD_MIN_SECONDS = 0
    tree = build_site_tree()
    return make_post(tree.blog, title="Why Partners Like Steve Ballmer", slug="why")


def fill(form, *, name: str, text: str) -> None:
    form.get_by_label("Name").fill(name)
    form.get_by_label("E-mail:", exact=True).fill(f"{name.lower()}@example.com")
    form.get_by_label("Comment").fill(text)


def test_with_javascript_the_browser_solves_it_and_the_comment_appears(live_server, tab, post):
    page = tab
    page.goto(f"{live_server.url}{post.url}")
    fill(page.locator("#comment-form"), name="Ann", text="Solved in a worker.")
    # Sent at once: the script holds the form back until the answer is found.
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_selector(".comment")
    assert page.locator(".comment .comment-body").inner_text() == "Solved in a worker."
    comment = ReaderComment.objects.get()
    assert comment.status == CommentStatus.APPROVED
    assert comment.moderation_note == ""


def test_without_javascript_the_comment_is_held_not_refused(live_server, tab_without_js, post):
    page = tab_without_js
    page.goto(f"{live_server.url}{post.url}")
    fill(page.locator("#comment-form"), name="Bob", text="No scripts here.")
    page.get_by_role("button", name="Post comment").click()
    assert "awaits moderation" in page.get_by_role("status").inner_text()
    comment = ReaderComment.objects.get()
    assert comment.status == CommentStatus.PENDING
    assert comment.moderation_note == "no valid proof of work (missing)"
