"""Proof of work in chromium: with JavaScript the comment is solved for and published; without
it the comment still goes through, held for a moderator."""

from __future__ import annotations

import pytest

from byline.comments.models import CommentStatus, ReaderComment
from tests.factories import build_site_tree, make_post

pytestmark = pytest.mark.django_db(transaction=True)


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


def test_with_javascript_the_browser_solves_it_and_the_comment_appears(live_server, page, post):
    workers, console = [], []
    page.on("worker", lambda worker: workers.append(worker.url))
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_server.url}{post.url}")
    fill(page.locator("#comment-form"), name="Ann", text="Solved in a worker.")
    # Sent at once: the script holds the form back until the answer is found.
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_selector(".comment")
    assert page.locator(".comment .comment-body").inner_text() == "Solved in a worker."
    comment = ReaderComment.objects.get()
    assert comment.status == CommentStatus.APPROVED
    assert comment.moderation_note == ""
    # Solved off the main thread, by the self-hosted script, within the page's CSP.
    assert [url.rsplit("/", 1)[-1] for url in workers] == ["altcha.js"]
    assert not [text for text in console if "Content Security Policy" in text]


def test_without_javascript_the_comment_is_held_not_refused(live_server, page_without_js, post):
    page = page_without_js
    page.goto(f"{live_server.url}{post.url}")
    fill(page.locator("#comment-form"), name="Bob", text="No scripts here.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert "awaits moderation" in page.get_by_role("status").inner_text()
    comment = ReaderComment.objects.get()
    assert comment.status == CommentStatus.PENDING
    assert comment.moderation_note == "no valid proof of work (missing)"
