"""An editor starts a post, leaves, and starts it again, in chromium: Wagtail 7.4's autosave
made a draft of the first try, and a second one as soon as it caught the second title half
typed, which then clashed on the slug ("The slug … is already in use"). Now the first draft
is offered back, nothing is autosaved on its title, and saving goes into it."""

import pytest
from playwright.sync_api import expect

from byline.blogs.models import PostPage
from tests.browser.editors import sign_in
from tests.factories import build_site_tree

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "Orphans of autosave"
# Where the editor's footer says why autosave is paused.
AUTOSAVE_NOTE = ".footer__container[aria-live]"


def new_post(page, live_server, blog) -> None:
    """Open a new post in `blog`, as an editor does: reading it for a moment, then typing."""
    page.goto(f"{live_server.url}/admin/pages/add/blogs/postpage/{blog.pk}/")
    # Wagtail's w-unsaved notes the form's first state 2 s after it loads; edits before that
    # are not seen as edits. Autosave goes about a second after an edit.
    page.wait_for_timeout(2_500)
    page.locator("#id_title").click()


def posts(blog) -> list[tuple[str, str]]:
    return [(post.draft_title, post.slug) for post in PostPage.objects.child_of(blog)]


def autosaved(page, text: str):
    """Waits, on leaving the block, for the answer to the autosave that sends `text`, taken or
    not. (Waiting on the browser, not the database: SQLite's shared in-memory test database
    refuses a read while the live server writes.)"""
    return page.expect_response(
        lambda response: (
            response.request.method == "POST" and text in (response.request.post_data or "")
        )
    )


def start_and_leave(page, live_server, blog) -> PostPage:
    """The first try: autosave makes the post at the pause in its title, and keeps it."""
    new_post(page, live_server, blog)
    page.keyboard.type("Orphans of", delay=40)
    page.wait_for_url(f"{live_server.url}/admin/pages/*/edit/")
    # The edit page the autosave opened notes its own first state 2 s after it loads: typed
    # sooner (a loaded machine is slow to get here), the rest would not count as an edit.
    page.wait_for_timeout(2_500)
    page.locator("#id_title").press("End")
    page.keyboard.type(" autosave", delay=40)
    with autosaved(page, "First go."):
        page.locator("#id_excerpt").fill("First go.")
    page.goto(f"{live_server.url}/admin/pages/{blog.pk}/")  # the editor leaves
    assert posts(blog) == [(TITLE, "orphans-of-autosave")]
    return PostPage.objects.child_of(blog).get()


def test_starting_a_post_again_reuses_its_draft(live_server, page):
    tree = build_site_tree()
    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" when edits are held
    sign_in(page, live_server)
    draft = start_and_leave(page, live_server, tree.blog)

    new_post(page, live_server, tree.blog)
    # No second draft at the pause in the title, nor once it is whole, and no clash.
    with autosaved(page, "Orphans of"):
        page.keyboard.type("Orphans of", delay=40)
    assert posts(tree.blog) == [(TITLE, "orphans-of-autosave")]
    expect(page.locator(AUTOSAVE_NOTE)).to_contain_text("autosave waits")
    page.keyboard.type(" autosave", delay=40)
    with autosaved(page, "Second go."):
        page.locator("#id_excerpt").fill("Second go.")
    assert posts(tree.blog) == [(TITLE, "orphans-of-autosave")]
    expect(page.locator(AUTOSAVE_NOTE)).to_contain_text(f"“{TITLE}” is already your draft here")
    assert "already in use" not in page.content()
    # It is offered back at the top of the form.
    offered = page.get_by_role("link", name=TITLE)
    assert offered.get_attribute("href") == f"/admin/pages/{draft.pk}/edit/"

    # Saving goes into the draft, as its newest version, and opens it.
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"{live_server.url}/admin/pages/{draft.pk}/edit/")
    assert "was already your draft here" in page.locator(".messages").inner_text()
    assert page.locator("#id_excerpt").input_value() == "Second go."
    assert posts(tree.blog) == [(TITLE, "orphans-of-autosave")]
    excerpts = [revision.as_object().excerpt for revision in draft.revisions.order_by("pk")]
    assert excerpts[-2:] == ["First go.", "Second go."]  # the first try is in its history

    # The offered link opens the draft.
    page.goto(f"{live_server.url}/admin/pages/add/blogs/postpage/{tree.blog.pk}/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{live_server.url}/admin/pages/{draft.pk}/edit/")
    assert page.locator("#id_title").input_value() == TITLE


def test_a_new_title_is_autosaved_as_before(live_server, page):
    """A title that only begins like a draft's waits; once it differs, autosave makes the post."""
    tree = build_site_tree()
    sign_in(page, live_server)
    start_and_leave(page, live_server, tree.blog)

    new_post(page, live_server, tree.blog)
    page.keyboard.type("Orphans", delay=40)
    expect(page.locator(AUTOSAVE_NOTE)).to_contain_text("autosave waits")
    assert len(posts(tree.blog)) == 1
    page.keyboard.type(" are adopted", delay=40)
    page.wait_for_url(f"{live_server.url}/admin/pages/*/edit/")
    assert sorted(posts(tree.blog)) == [
        ("Orphans are adopted", "orphans-are-adopted"),
        (TITLE, "orphans-of-autosave"),
    ]
