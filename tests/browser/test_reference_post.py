"""What a reader sees of the reference post, in a real browser."""

import pytest

from byline.demo.reference import load_reference_content

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_reader_walks_from_blogs_to_the_post_and_its_archive(live_server, page):
    load_reference_content()
    page.goto(f"{live_server.url}/blogs/")
    page.get_by_role("link", name="Bekker's Blog").click()
    page.get_by_role("link", name="Why Partners Like Steve Ballmer").click()

    assert (
        page.url == f"{live_server.url}/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/"
    )
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Why Partners Like Steve Ballmer"
    assert page.locator(".byline").inner_text() == "Posted by Scott Bekker on July 13, 2011"
    quote = page.locator("blockquote")
    assert quote.count() == 1
    assert "cheering for us" in quote.locator("b").inner_text()
    assert "Steve Ballmer" in page.locator("figure.quotation figcaption").inner_text()
    # The blog title and the archive link come before the post's title, as on the reference.
    order = page.evaluate(
        """() => [".blog-title", ".blog-archive-link", "h1", "blockquote", ".byline"]
            .map(s => document.querySelector(s).getBoundingClientRect().top)"""
    )
    assert order == sorted(order)

    page.get_by_role("link", name="Blog archive").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Blog archive"
    page.get_by_role("link", name="July 2011").click()
    assert page.get_by_role("heading", level=1).inner_text() == "July 2011"
    assert page.get_by_role("link", name="Why Partners Like Steve Ballmer").is_visible()


def test_post_is_readable_without_javascript_and_on_a_phone(live_server, browser):
    load_reference_content()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/")
    assert page.get_by_role("heading", level=1).is_visible()
    # Nothing wider than the phone's screen: no sideways scrolling to read.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    context.close()
