"""The editor's preview panel and the admin's own images, in chromium."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.editors import sign_in
from tests.factories import build_site_tree, make_post

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "Why Partners Like Steve Ballmer"


def test_preview_panel_shows_the_post(live_server, page):
    """The panel's frame loads the post itself: before the fix the admin kept the reader
    policy's frame-ancestors 'none' on the preview, chromium refused to frame it and the panel
    stayed blank, though the preview answered 200."""
    tree = build_site_tree()
    post = make_post(tree.blog, title=TITLE, slug="why", authors=[tree.author])
    # Chromium says "Refused to frame …" (CSP) or "Refused to display … in a frame"
    # (X-Frame-Options); a policy the preview breaks inside the frame says so too.
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Refused" in message.text or "Content Security Policy" in message.text
            else None
        ),
    )
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/pages/{post.pk}/edit/")
    page.get_by_role("button", name="Toggle preview").click()

    # The panel swaps in a new iframe once the preview has loaded in it.
    iframe = page.locator("#w-preview-iframe")
    iframe.wait_for()
    heading = page.frame_locator("#w-preview-iframe").locator("h1")
    try:
        heading.wait_for(timeout=15_000)
    except PlaywrightTimeoutError:
        pytest.fail(f"the preview panel never showed the post; chromium said {refused}")
    assert heading.inner_text() == TITLE
    assert "in_preview_panel=true" in iframe.get_attribute("src")
    assert refused == []


def test_admin_avatar_loads(live_server, page):
    """The account menu's avatar is Wagtail's own image from this site (no Gravatar: no e-mail
    hash goes to a third party), and it loads: before, a Gravatar http: address was refused
    by the admin's img-src and showed as a broken image."""
    sign_in(page, live_server)
    avatar = page.locator(".sidebar-footer .avatar img")
    avatar.wait_for()
    src = avatar.evaluate("img => img.currentSrc || img.src")
    assert src.startswith(f"{live_server.url}/static/"), src
    # A refused or missing image never gets a natural width.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=avatar.element_handle(), timeout=5_000
    )
