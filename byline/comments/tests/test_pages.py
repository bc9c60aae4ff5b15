"""Comments on standard pages, and pingbacks/trackbacks shown apart as mentions."""

from __future__ import annotations

import feedparser
import pytest
from django.core.management import call_command
from lxml import html

from byline.comments.models import CommentKind, CommentStatus, ReaderComment
from byline.pagecache.tests.conftest import StoreClient, page_store  # noqa: F401
from byline.publication.models import StandardPage
from tests.factories import publish

from .conftest import add_comment, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def about(tree):
    return publish(tree.home, StandardPage(title="About us", slug="about", comments_open=True))


def _mention(page, *, kind=CommentKind.PINGBACK, **fields) -> ReaderComment:
    values = {
        "name": "Redmond Channel Partner",
        "email": "",
        "website": "https://rcp.example/ballmer-partners/",
        "body": "[…] as Scott Bekker wrote […]",
        "kind": kind,
    }
    values.update(fields)
    return add_comment(page, **values)


# -- mentions ----------------------------------------------------------------------------


def test_mentions_are_listed_apart_and_not_counted(client, tree, post):
    add_comment(post, name="Ann", body="A real comment.")
    _mention(post)
    _mention(post, kind=CommentKind.TRACKBACK, name="Other Blog", website="")
    _mention(post, name="Held pingback", status=CommentStatus.PENDING)
    doc = html.fromstring(client.get(post.url).content)
    assert doc.get_element_by_id("comments-heading").text_content() == "1 comment"
    authors = doc.get_element_by_id("comments").find_class("comment-author")
    assert [author.text_content() for author in authors] == ["Ann"]
    mentions = doc.find_class("comment-mentions")[0].xpath(".//li")
    assert [li.text_content().split(" ", 2)[:2] for li in mentions] == [
        ["Redmond", "Channel"],
        ["Other", "Blog"],
    ]
    link = mentions[0].xpath(".//a")[0]
    assert link.get("href") == "https://rcp.example/ballmer-partners/"
    assert link.get("rel") == "nofollow ugc"
    assert "Held pingback" not in doc.text_content()
    assert "as Scott Bekker wrote" not in doc.text_content()  # the excerpt is not a comment


def test_listing_counts_and_feeds_leave_mentions_out(client, tree, post):
    _mention(post)
    listing = client.get("/blogs/bekkers-blog/").content.decode()
    assert "comment-count" not in listing
    add_comment(post, body="Counted")
    assert ">1 comment<" in client.get("/blogs/bekkers-blog/").content.decode()
    for path in (f"/comments/post/{post.pk}/feed/", "/blogs/bekkers-blog/comments/feed/"):
        feed = feedparser.parse(client.get(path).content)
        assert [e.summary for e in feed.entries] == ["<p>Counted</p>"], path


def test_readers_cannot_reply_to_a_mention(client, post, policy_none):
    mention = _mention(post)
    response = submit(client, post, parent=str(mention.pk), body="Replying to a pingback")
    assert response.status_code == 400
    assert "not on this post" in response.content.decode()
    assert client.get(f"/comments/post/{post.pk}/reply/{mention.pk}/").status_code == 404
    assert not ReaderComment.objects.filter(body="Replying to a pingback").exists()


def test_the_form_cannot_post_a_pingback(client, post, policy_none):
    """There is no kind field: whatever a client sends, a reader's post is a comment."""
    submit(client, post, kind="pingback", body="Sneaky")
    assert ReaderComment.objects.get(body="Sneaky").kind == CommentKind.COMMENT


# -- standard pages ------------------------------------------------------------------------


def test_a_standard_page_takes_comments_when_open(client, about, policy_none):
    doc = html.fromstring(client.get(about.url).content)
    form = doc.get_element_by_id("comment-form")
    assert form.get("action") == f"/comments/post/{about.pk}/"
    response = submit(client, about, body="Nice about page.")
    comment = ReaderComment.objects.get(body="Nice about page.")
    assert response.status_code == 303
    assert response["Location"] == f"{about.url}#comment-{comment.pk}"
    assert comment.status == CommentStatus.APPROVED and comment.post_id == about.pk
    page = client.get(about.url).content.decode()
    assert "Nice about page." in page and "1 comment" in page


def test_a_standard_page_follows_the_site_default_policy(client, about, settings):
    settings.BYLINE_COMMENTS_MODERATION = "all"
    response = submit(client, about, body="Waits for a moderator.")
    assert response.status_code == 303
    assert response["Location"] == f"/comments/post/{about.pk}/held/"
    assert ReaderComment.objects.get(body="Waits for a moderator.").status == CommentStatus.PENDING
    assert client.get(response["Location"]).status_code == 200


def test_a_standard_page_without_comments_shows_no_section(client, tree):
    page = publish(tree.home, StandardPage(title="Contact", slug="contact"))
    content = client.get(page.url).content.decode()
    assert 'id="comments"' not in content and "comment-form" not in content
    response = submit(client, page, body="Not wanted")
    assert response.status_code == 403
    assert "Comments are closed" in response.content.decode()
    assert not ReaderComment.objects.exists()


def test_a_closed_standard_page_still_shows_its_comments(client, about):
    add_comment(about, name="Imported", body="From WordPress days.")
    about.comments_open = False
    about.save_revision().publish()
    doc = html.fromstring(client.get(about.url).content)
    assert "From WordPress days." in doc.get_element_by_id("comments").text_content()
    assert doc.find_class("comments-closed")[0].text_content() == (
        "Comments are closed for this page."
    )
    assert not doc.xpath("//form[@id='comment-form']")


def test_standard_page_feed_and_reply_form(client, about):
    comment = add_comment(about, name="Ann", body="On the about page")
    feed = feedparser.parse(client.get(f"/comments/post/{about.pk}/feed/").content)
    assert feed.feed.title == "Comments on “About us”"
    assert [e.link for e in feed.entries] == [f"http://testserver{about.url}#comment-{comment.pk}"]
    reply = client.get(f"/comments/post/{about.pk}/reply/{comment.pk}/")
    assert reply.status_code == 200 and "Reply to Ann" in reply.content.decode()


def test_a_draft_standard_page_takes_no_comments(client, tree):
    page = StandardPage(title="Draft", slug="draft", comments_open=True, live=False)
    tree.home.add_child(instance=page)
    assert submit(client, page).status_code == 404
    assert client.get(f"/comments/post/{page.pk}/feed/").status_code == 404


def test_export_links_each_comment_to_its_page(about, post, capsys):
    add_comment(about, email="ann@example.com", body="On about")
    add_comment(post, email="ann@example.com", body="On a post")
    call_command("comments", "export", "ann@example.com")
    out = capsys.readouterr().out
    assert f"http://localhost{about.url}" in out or about.get_full_url() in out
    assert post.get_full_url() in out  # the dated address, not the page tree's


@pytest.mark.usefixtures("page_store")
def test_approving_a_comment_purges_the_standard_page(about, django_capture_on_commit_callbacks):
    reader = StoreClient()
    comment = add_comment(about, body="Waiting one", status=CommentStatus.PENDING)
    reader.get(about.url)
    assert reader.get(about.url).state == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        comment.status = CommentStatus.APPROVED
        comment.save()
    answer = reader.get(about.url)
    assert answer.state != "hit" and "Waiting one" in answer.text
