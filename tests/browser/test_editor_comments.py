"""A moderator works through the comment queue in chromium: the count on the dashboard and in
the menu, one-click Approve, Spam and Delete on a row and on the ticked rows, Undo, and the
keyboard path."""

import pytest
from playwright.sync_api import expect

from byline.comments.models import CommentStatus, ReaderComment
from tests.browser.editors import sign_in
from tests.factories import build_site_tree, make_post

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def post():
    tree = build_site_tree()
    return make_post(tree.blog, title="Why Partners Like Steve Ballmer", slug="why")


def comment(post, name: str, body: str, **fields) -> ReaderComment:
    values = {"status": CommentStatus.PENDING, "email": f"{name.lower()}@example.com"}
    values.update(fields)
    return ReaderComment.objects.create(post=post, name=name, body=body, **values)


def status_of(comment: ReaderComment) -> str:
    return ReaderComment.objects.get(pk=comment.pk).status


def row(page, comment: ReaderComment):
    return page.locator(f"#comment-{comment.pk}")


def test_moderating_with_the_mouse(live_server, page, post):
    first = comment(post, "Ann", "The first word.", status=CommentStatus.APPROVED)
    reply = comment(post, "Bob", "I beg to differ.", parent=first)
    spam = comment(post, "Cheap", "Buy pills now")
    other = comment(post, "Dee", "Good point.")
    sign_in(page, live_server)
    expect(page.locator("#comments-waiting-content")).to_contain_text(
        "3 comments waiting for moderation"
    )
    page.get_by_role("link", name="Comments (3)").click()
    page.wait_for_url(f"{live_server.url}/admin/comments/queue/")
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()

    # Each row says what the comment answers, on which post (a working link).
    expect(row(page, reply)).to_contain_text("In reply to Ann: “The first word.”")
    expect(row(page, reply).get_by_role("link", name=post.title)).to_have_attribute(
        "href", post.url
    )

    # Approve one row: one click, no confirmation.
    row(page, reply).get_by_role("button", name="Approve comment by Bob").click()
    expect(page.locator(".messages")).to_contain_text("Approved: Bob’s comment.")
    expect(row(page, reply)).to_have_count(0)
    assert status_of(reply) == CommentStatus.APPROVED
    expect(page.get_by_role("link", name="Waiting (2)")).to_be_visible()

    # Tick two and delete them at once; then undo.
    page.get_by_label("Tick the comment by Cheap").check()
    page.get_by_label("Tick the comment by Dee").check()
    page.get_by_role("group", name="With the ticked comments").get_by_role(
        "button", name="Delete"
    ).click()
    expect(page.locator(".messages")).to_contain_text("Deleted: 2 comments.")
    assert [status_of(spam), status_of(other)] == [CommentStatus.REMOVED] * 2
    expect(page.get_by_text("No comment is waiting. Well done.")).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(".messages")).to_contain_text("2 comments put back as before")
    assert [status_of(spam), status_of(other)] == [CommentStatus.PENDING] * 2
    expect(row(page, spam)).to_be_visible()


def focused_row_id(page) -> str:
    return page.evaluate("() => document.activeElement.closest('tr')?.id || ''")


def test_moderating_with_the_keyboard(live_server, page, post):
    # Newest first: the queue lists c3, c2, c1.
    c1 = comment(post, "One", "Oldest.")
    c2 = comment(post, "Two", "Middle.")
    c3 = comment(post, "Three", "Newest.")
    for number, item in enumerate((c1, c2, c3)):
        ReaderComment.objects.filter(pk=item.pk).update(
            created=item.created.replace(year=2020 + number)
        )
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/comments/queue/")
    expect(page.get_by_text("Keyboard: j and k move")).to_be_visible()

    page.keyboard.press("j")
    assert focused_row_id(page) == f"comment-{c3.pk}"
    page.keyboard.press("j")
    assert focused_row_id(page) == f"comment-{c2.pk}"
    # The focus is visible: an outline drawn round the row.
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"

    page.keyboard.press("a")  # approves Two; the next (One) takes its place and the focus
    expect(page.locator(".messages")).to_contain_text("Approved: Two’s comment.")
    assert status_of(c2) == CommentStatus.APPROVED
    expect(page.locator(f"#comment-{c1.pk}")).to_be_focused()

    page.keyboard.press("s")  # One is spam
    expect(page.locator(".messages")).to_contain_text("Marked as spam: One’s comment.")
    assert status_of(c1) == CommentStatus.SPAM

    page.keyboard.press("k")
    assert focused_row_id(page) == f"comment-{c3.pk}"
    page.keyboard.press("d")
    expect(page.locator(".messages")).to_contain_text("Deleted: Three’s comment.")
    assert status_of(c3) == CommentStatus.REMOVED

    # Typing in the search box is typing, not moderating.
    page.goto(f"{live_server.url}/admin/comments/queue/?status=spam")
    page.get_by_role("textbox", name="Search").press_sequentially("jasd")
    assert status_of(c1) == CommentStatus.SPAM


def test_the_queue_works_without_javascript(live_server, page_without_js, post):
    page = page_without_js
    waiting = comment(post, "Eve", "Plain old forms.")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/comments/queue/")
    expect(page.get_by_text("Keyboard: j and k move")).to_be_hidden()
    row(page, waiting).get_by_role("button", name="Spam comment by Eve").click()
    page.wait_for_url(f"{live_server.url}/admin/comments/queue/")
    assert status_of(waiting) == CommentStatus.SPAM
    page.get_by_role("button", name="Undo").click()
    page.wait_for_url(f"{live_server.url}/admin/comments/queue/")
    assert status_of(waiting) == CommentStatus.PENDING
