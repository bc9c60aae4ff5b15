"""A post with two authors, as a reader's browser shows it."""

import json

import pytest
from playwright.sync_api import expect

from byline.corrections.models import Correction, CorrectionKind
from tests.factories import AuthorFactory, build_site_tree, make_post

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_byline_reads_by_a_and_b_and_both_author_links_work(live_server, page):
    tree = build_site_tree()
    jane = AuthorFactory(name="Jane Doe", slug="jane-doe", role="Contributing editor")
    post = make_post(tree.blog, title="Two hands", authors=[tree.author, jane])

    page.goto(f"{live_server.url}{post.url}")
    assert page.locator(".post-authors").inner_text() == "By Scott Bekker and Jane Doe"
    assert page.locator(".byline").inner_text().startswith("Posted by Scott Bekker and Jane Doe on")

    for name, heading, path in [
        ("Scott Bekker", "Scott Bekker", "/authors/scott-bekker/"),
        ("Jane Doe", "Jane Doe", "/authors/jane-doe/"),
    ]:
        page.goto(f"{live_server.url}{post.url}")
        page.locator(".post-authors").get_by_role("link", name=name).click()
        assert page.url == f"{live_server.url}{path}"
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.get_by_role("link", name="Two hands").is_visible()


def test_a_post_by_two_authors_with_a_correction(live_server, page):
    """The correction above the body, the invitation to write to either author, and the
    JSON-LD that search engines read: two people and the correction."""
    tree = build_site_tree()
    jane = AuthorFactory(name="Jane Doe", slug="jane-doe", email="jdoe@example.com")
    post = make_post(tree.blog, title="Two hands", authors=[tree.author, jane])
    Correction.objects.create(
        post=post,
        kind=CorrectionKind.CORRECTION,
        text="An earlier version gave the wrong year for the <keynote>.",
    )

    page.goto(f"{live_server.url}{post.url}")
    note = page.locator(".post-notes-above")
    expect(note).to_contain_text("An earlier version gave the wrong year for the <keynote>.")
    assert note.locator("keynote").count() == 0  # text, not markup
    assert page.evaluate(
        "() => Boolean(document.querySelector('.post-notes-above').compareDocumentPosition("
        "document.querySelector('.post-body')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )

    # mailguard.js turns each protected address back into a mailto: link.
    invitation = page.locator(".invitation")
    expect(invitation.locator('a[href="mailto:sbekker@example.com"]')).to_have_count(1)
    expect(invitation.locator('a[href="mailto:jdoe@example.com"]')).to_have_count(1)
    expect(invitation).to_contain_text("e-mail us at")

    data = json.loads(page.locator('script[type="application/ld+json"]').first.inner_text())
    article = next(item for item in data.get("@graph", [data]) if "author" in item)
    assert [person["name"] for person in article["author"]] == ["Scott Bekker", "Jane Doe"]
    assert all(person["@type"] == "Person" and person["url"] for person in article["author"])
    assert "wrong year" in json.dumps(article["correction"])
    assert article["dateModified"] > article["datePublished"]
