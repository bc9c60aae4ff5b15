"""The post page's parts a browser shows: the credit under the headline, share links that
work with and without JavaScript, the masthead and footer, and the manifest."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.reader_site import LEAD_IMAGE_POST_URL, POST_URL, build_reader_site

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_headline_standfirst_and_credit_come_before_the_body(live_server, page):
    build_reader_site()
    page.goto(f"{live_server.url}{POST_URL}")
    header = page.locator("article .post-header")
    assert header.locator(".standfirst").inner_text().startswith("Wall Street may grumble")
    credit = header.locator(".post-credit")
    assert credit.locator(".post-authors").inner_text() == "By Scott Bekker"
    assert credit.locator("time").get_attribute("datetime").startswith("2011-07-13")
    photo = credit.locator("img")
    assert photo.get_attribute("alt") == ""  # the name beside it says who
    assert page.evaluate("() => document.querySelector('.post-credit img').naturalWidth") > 0
    tops = page.evaluate(
        """() => ["h1", ".standfirst", ".post-credit", ".post-body", ".byline"]
            .map(s => document.querySelector(s).getBoundingClientRect().top)"""
    )
    assert tops == sorted(tops)


def test_lead_image_shows_between_the_credit_and_the_body(live_server, page):
    """Issue #15: a post's lead image showed in listings and feeds, never on the post."""
    build_reader_site()
    page.goto(f"{live_server.url}{LEAD_IMAGE_POST_URL}")
    figure = page.locator("article figure.lead-image")
    image = figure.locator("img")
    assert image.get_attribute("alt") == "A bar chart of rising revenue"
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=5_000
    )
    caption = figure.locator("figcaption")
    assert caption.text_content().startswith("Partner revenue from cloud services, 2007 to 2011.")
    assert caption.locator(".credit").text_content() == "Chart: The Partner Channel"
    tops = page.evaluate(
        """() => [".post-credit", "figure.lead-image", ".post-body"]
            .map(s => document.querySelector(s).getBoundingClientRect().top)"""
    )
    assert tops == sorted(tops)


def test_share_links_without_javascript_are_plain_links(live_server, page_without_js):
    build_reader_site()
    page = page_without_js
    page.goto(f"{live_server.url}{POST_URL}")
    share = page.get_by_role("region", name="Share")
    mail = share.get_by_role("link", name="E-mail").get_attribute("href")
    assert mail.startswith("mailto:?subject=Why%20Partners%20Like%20Steve%20Ballmer&body=http")
    link = share.get_by_role("link", name="Link to this post")
    assert link.get_attribute("href").endswith(POST_URL)
    linkedin = share.get_by_role("link", name="LinkedIn").get_attribute("href")
    assert linkedin.startswith("https://www.linkedin.com/sharing/share-offsite/?url=http")
    assert share.locator("script, iframe").count() == 0


def test_copy_link_button_puts_the_address_on_the_clipboard(live_server, browser):
    build_reader_site()
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{live_server.url}{POST_URL}")
    share = page.get_by_role("region", name="Share")
    assert share.get_by_role("link", name="Link to this post").count() == 0
    share.get_by_role("button", name="Copy link").click()
    expect(share.locator("[data-copy-status]")).to_have_text("Link copied.")  # the write is async
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.endswith(POST_URL) and copied.startswith("http")
    context.close()


def test_masthead_footer_and_manifest(live_server, page):
    build_reader_site()
    page.goto(f"{live_server.url}/blogs/bekkers-blog/")
    sections = page.get_by_role("navigation", name="Sections")
    # Live, public pages under the home: the protected "Members" page is not listed.
    assert sections.get_by_role("link").all_inner_texts() == [
        "Blogs",
        "About",
        "Contact",
        "Privacy",
    ]
    assert sections.get_by_role("link", name="Blogs").get_attribute("aria-current") == "true"
    footer = page.get_by_role("contentinfo")
    for name in [
        "About",
        "Contact",
        "Privacy",
        "Corrections",
        "RSS feed",
        "Atom feed",
        "JSON Feed",
    ]:
        assert footer.get_by_role("link", name=name, exact=True).is_visible()
    assert "©" in footer.inner_text()
    # The column front's sidebar: the columnist and the feed of the column.
    columnist = page.get_by_role("complementary", name="The columnist")
    assert columnist.get_by_role("heading", name="Scott Bekker").is_visible()
    assert page.get_by_role("link", name="Follow Bekker's Blog (RSS)").get_attribute("href") == (
        "/blogs/bekkers-blog/feed/"
    )

    href = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.body())
    assert manifest["name"] == "The Partner Channel" and manifest["start_url"] == "/"
    for icon in manifest["icons"]:
        assert page.request.get(f"{live_server.url}{icon['src']}").status == 200


def test_print_keeps_the_article_and_drops_what_cannot_be_clicked(live_server, page):
    build_reader_site()
    page.goto(f"{live_server.url}{POST_URL}")
    page.emulate_media(media="print")
    for hidden in [".site-nav", ".share", ".featured", "#comment-form", ".post-neighbours"]:
        assert not page.locator(hidden).first.is_visible(), hidden
    for shown in ["h1", ".standfirst", ".post-body", ".byline", ".comment-body"]:
        assert page.locator(shown).first.is_visible(), shown
    # A link in the text shows its address on paper.
    after = page.evaluate(
        """() => getComputedStyle(
            document.querySelector('.post-body a[href^="http"]'), '::after').content"""
    )
    assert "news.microsoft.com" in after
