"""E-mail protection in a real browser: a mailto: link with JavaScript, the contact page without."""

import pytest

from byline.blogs.models import Author, BlogPage
from byline.demo.reference import POST_SLUG, load_reference_content
from tests.factories import AuthorFactory, make_post

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POST = f"/blogs/bekkers-blog/2011/07/{POST_SLUG}/"


def test_with_javascript_the_invitation_is_a_mailto_link(live_server, page):
    load_reference_content()
    page.goto(f"{live_server.url}{POST}")
    invitation = page.locator("p.invitation")
    assert invitation.inner_text() == "Comment below or e-mail me at sbekker@example.com."
    link = invitation.get_by_role("link", name="sbekker@example.com")
    assert link.get_attribute("href") == "mailto:sbekker@example.com"
    assert invitation.get_by_role("link", name="Comment below").get_attribute("href") == (
        "#comments"
    )


def test_without_javascript_the_invitation_links_to_the_contact_page(
    live_server, page_without_js, settings
):
    settings.BYLINE_FORMGUARD_MIN_SECONDS = 0  # the test fills the form faster than a person
    load_reference_content()
    page = page_without_js
    page.goto(f"{live_server.url}{POST}")
    invitation = page.locator("p.invitation")
    # The sentence reads as English without the address: "write to", and the author's name
    # as the link to the contact form (issue #15: it read "or e-mail me at e-mail Scott
    # Bekker.").
    assert invitation.inner_text() == "Comment below or write to Scott Bekker."
    assert "sbekker" not in page.content()
    invitation.get_by_role("link", name="Scott Bekker").click()

    assert page.url == f"{live_server.url}/authors/scott-bekker/contact/"
    page.get_by_label("Your name").fill("Ann Reader")
    page.get_by_label("Your e-mail address").fill("ann@example.net")
    page.get_by_label("Subject").fill("Ballmer")
    page.get_by_label("Message").fill("Partners do like him.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send message").click()
    assert page.url == f"{live_server.url}/authors/scott-bekker/contact/sent/"
    assert "on its way to Scott Bekker" in page.get_by_role("status").inner_text()


@pytest.mark.parametrize(
    ("javascript", "expected"),
    [
        (True, "E-mail us at sbekker@example.com or kmackie@example.com."),
        (False, "Write to Scott Bekker or Kurt Mackie."),
    ],
)
def test_invitation_of_two_authors_with_comments_closed(live_server, browser, javascript, expected):
    load_reference_content()
    mackie = AuthorFactory(name="Kurt Mackie", slug="kurt-mackie", email="kmackie@example.com")
    post = make_post(
        BlogPage.objects.get(slug="bekkers-blog"),
        slug="together",
        authors=[Author.objects.get(slug="scott-bekker"), mackie],
        comments_open=False,
    )
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}{post.url}")
        invitation = page.locator("p.invitation")
        assert invitation.inner_text() == expected
        first = invitation.get_by_role("link").first
        assert first.get_attribute("href") == (
            "mailto:sbekker@example.com" if javascript else "/authors/scott-bekker/contact/"
        )
    finally:
        context.close()


def test_addresses_in_a_post_body_decode_in_place(live_server, page):
    load_reference_content()
    post = make_post(
        BlogPage.objects.get(slug="bekkers-blog"),
        slug="write",
        body=[
            (
                "paragraph",
                '<p>Write to <a href="mailto:sbekker@example.com?subject=Hi">the editor</a>, '
                "to jörg@bücher.de or to tips&#64;example.org.</p>",
            )
        ],
    )
    page.goto(f"{live_server.url}{post.url}")
    body = page.locator(".post-body p")
    assert body.inner_text() == ("Write to the editor, to jörg@bücher.de or to tips@example.org.")
    assert body.get_by_role("link", name="the editor").get_attribute("href") == (
        "mailto:sbekker@example.com?subject=Hi"
    )
    assert body.get_by_role("link", name="jörg@bücher.de").get_attribute("href") == (
        "mailto:j%C3%B6rg@b%C3%BCcher.de"
    )
    assert body.get_by_role("link", name="tips@example.org").get_attribute("href") == (
        "mailto:tips@example.org"
    )
    assert page.locator("[data-mailguard]").count() == 0
