"""A post going live is mailed once to each subscriber of its blog, its authors or everything,
through a real SMTP server, with the bulk-mail headers and absolute links."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageViewRestriction

from byline.blogs.models import BlogPage
from byline.mailguard.protect import find_addresses
from byline.newsletters.models import (
    Delivery,
    DeliveryStatus,
    Frequency,
    Issue,
    PostSending,
    SubscriberStatus,
)
from tests.factories import publish as publish_page

from .conftest import add_subscriber, fresh_post, html_of, links, text_of

pytestmark = pytest.mark.django_db

QUOTE_BODY = [
    (
        "paragraph",
        '<p>Partners <a href="/blogs/">read this</a> and e-mail me at boss@example.com.</p>',
    ),
    (
        "quotation",
        {
            "text": "<p>We <b>love</b> partners.</p>",
            "speaker": "Steve Ballmer",
            "source_title": "the keynote",
            "source_url": "https://example.org/keynote",
            "date": None,
            "emphasis_added": True,
        },
    ),
]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in {"href", "src"}]


def html_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


@pytest.fixture
def readers(tree):
    return {
        "blog": add_subscriber("blog@example.com", blog=tree.blog),
        "author": add_subscriber("author@example.com", author=tree.author),
        "both": add_subscriber(
            "both@example.com", blog=tree.blog, author=tree.author, everything=True
        ),
        "all": add_subscriber("all@example.com", everything=True),
        "daily": add_subscriber("daily@example.com", blog=tree.blog, frequency=Frequency.DAILY),
        "pending": add_subscriber(
            "pending@example.com", blog=tree.blog, status=SubscriberStatus.PENDING
        ),
        "left": add_subscriber(
            "left@example.com", blog=tree.blog, status=SubscriberStatus.UNSUBSCRIBED
        ),
    }


def publish(tree, capture, **fields):
    fields.setdefault("authors", [tree.author])
    with capture(execute=True):
        return fresh_post(tree.blog, title="Why Partners Like Steve Ballmer", slug="why", **fields)


def test_each_subscriber_gets_the_post_once(
    tree, readers, mailserver, django_capture_on_commit_callbacks
):
    post = publish(tree, django_capture_on_commit_callbacks, body=QUOTE_BODY, excerpt="He said so.")
    recipients = sorted(m["X-Envelope-To"] for m in mailserver.messages)
    # both@ follows the blog, the author and everything: one mail. daily@ waits for the
    # digest; pending@ never confirmed; left@ unsubscribed.
    assert recipients == [
        "all@example.com",
        "author@example.com",
        "blog@example.com",
        "both@example.com",
    ]
    issue = Issue.objects.get(page=post)
    assert issue.finished_at is not None
    statuses = dict(Delivery.objects.filter(issue=issue).values_list("subscriber__email", "status"))
    assert statuses["daily@example.com"] == DeliveryStatus.DIGEST
    assert "pending@example.com" not in statuses and "left@example.com" not in statuses

    # Edited and published again: still once.
    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Why Partners Like Steve Ballmer (updated)"
        post.save_revision().publish()
    assert len(mailserver.messages) == 4


def test_the_message(tree, readers, mailserver, django_capture_on_commit_callbacks):
    post = publish(tree, django_capture_on_commit_callbacks, body=QUOTE_BODY, excerpt="He said so.")
    [message] = mailserver.to("both@example.com")
    assert message["Subject"] == "Why Partners Like Steve Ballmer"
    # RFC 2369 / RFC 8058 / RFC 2919 headers.
    unsubscribe = re.fullmatch(
        r"<(http://testserver/newsletter/unsubscribe/[^>]+/)>", message["List-Unsubscribe"].strip()
    )
    assert unsubscribe, message["List-Unsubscribe"].strip()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == f'"Bekker\'s Blog" <blog-{tree.blog.pk}.newsletter.testserver>'
    # A plain-text part and an HTML part.
    assert message.get_content_type() == "multipart/alternative"
    text, html = text_of(message), html_of(message)
    for part in (text, html):
        assert "Why Partners Like Steve Ballmer" in part
        assert "By Scott Bekker on" in part
        assert "He said so." in part
        assert "Steve Ballmer" in part and "(emphasis added)" in part
        assert "Read it on the site" in part and "Comment" in part
        assert "boss@example.com" not in part  # addresses never go out in bulk
    assert "<blockquote" in html and "<b>love</b>" in html
    post_url = f"http://testserver{post.url}"
    assert post_url in text and f"{post_url}#comment-form" in text
    # Every link absolute; none through a redirect; no tracking image.
    every = html_links(html) + links(text)
    assert every and all(
        link.startswith(("http://testserver/", "https://example.org/")) for link in every
    )
    assert "http://testserver/blogs/" in every
    assert "<img" not in html  # no pixel (this post has no figure)
    assert unsubscribe.group(1) in every


def test_a_figure_goes_out_with_an_absolute_image(
    tree, readers, mailserver, django_capture_on_commit_callbacks
):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Ballmer", file=get_test_image_file(size=(800, 600)))
    body = [
        (
            "figure",
            {
                "image": {"image": image, "alt_text": "Ballmer on stage", "decorative": False},
                "caption": "On stage",
                "credit": "",
            },
        )
    ]
    publish(tree, django_capture_on_commit_callbacks, body=body)
    html = html_of(mailserver.to("blog@example.com")[0])
    src = re.search(r'<img src="([^"]+)" width="(\d+)" height="(\d+)" alt="Ballmer on stage"', html)
    assert src and src[1].startswith("http://testserver/media/") and src[2] == "600"


def test_a_restricted_post_is_never_sent(
    tree, readers, mailserver, django_capture_on_commit_callbacks
):
    PageViewRestriction.objects.create(page=tree.blog, restriction_type="password", password="x")
    post = publish(tree, django_capture_on_commit_callbacks)
    assert mailserver.messages == []
    assert not Issue.objects.filter(page=post).exists()


def test_a_post_under_an_unpublished_blog_is_never_sent(
    tree, readers, mailserver, django_capture_on_commit_callbacks
):
    """The blog unpublished without its posts: their addresses answer 404, so no mail may
    send a reader there."""
    tree.blog.unpublish()
    post = publish(tree, django_capture_on_commit_callbacks)
    assert post.live and mailserver.messages == []
    assert not Issue.objects.filter(page=post).exists()


def test_an_editor_can_turn_sending_off_for_one_post(
    tree, readers, mailserver, django_capture_on_commit_callbacks
):
    post = fresh_post(tree.blog, live=False)
    PostSending.objects.create(page=post, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        post.save_revision().publish()
    assert mailserver.messages == []


def test_an_old_dated_post_is_not_mailed(
    tree, readers, mailserver, django_capture_on_commit_callbacks
):
    """An import or a back-dated post is not news: only posts dated within
    BYLINE_NEWSLETTERS_MAX_POST_AGE_HOURS (48) of going live are mailed."""
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(tree.blog, date=timezone.now() - datetime.timedelta(days=3))
    assert mailserver.messages == []


def test_the_scheduler_path(tree, readers, mailserver, django_capture_on_commit_callbacks):
    """An editor schedules the post; nothing goes out then (Wagtail sends page_published for
    the scheduling too, with the page not live); `byline scheduler --once` publishes it when
    due, and then it goes out, once."""
    go_live = timezone.now() + datetime.timedelta(hours=1)
    post = fresh_post(tree.blog, live=False, date=None)
    post.go_live_at = go_live
    with django_capture_on_commit_callbacks(execute=True):
        post.save_revision().publish()
    assert mailserver.messages == [] and not Issue.objects.exists()
    from byline.blogs.models import PostPage

    # The clock reaches the go-live time.
    PostPage.objects.filter(pk=post.pk).update(
        go_live_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    past = timezone.now() - datetime.timedelta(seconds=1)
    for revision in post.revisions.filter(approved_go_live_at__isnull=False):
        revision.content["go_live_at"] = past.isoformat()
        revision.approved_go_live_at = past
        revision.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("scheduler", "--once")
    assert PostPage.objects.get(pk=post.pk).live
    assert len(mailserver.to("blog@example.com")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("scheduler", "--once")
    assert len(mailserver.to("blog@example.com")) == 1


def test_unpublished_mid_send_cancels_the_rest(
    tree, readers, mailserver, settings, django_capture_on_commit_callbacks
):
    """Batches of one: the post is taken down after the first mail; nobody else gets it."""
    from byline.newsletters import sending

    settings.BYLINE_NEWSLETTERS_BATCH_SIZE = 1
    post = fresh_post(tree.blog, live=False, authors=[tree.author])
    original = sending._send_batch

    def send_then_unpublish(*args, **kwargs):
        result = original(*args, **kwargs)
        post.refresh_from_db()
        if post.live:
            post.unpublish()
        return result

    sending._send_batch = send_then_unpublish
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post.save_revision().publish()
    finally:
        sending._send_batch = original
    assert len(mailserver.messages) == 1
    issue = Issue.objects.get(page=post)
    assert issue.cancelled_at is not None
    assert Delivery.objects.filter(issue=issue, status=DeliveryStatus.CANCELLED).count() == 4


def test_a_title_cannot_add_headers(tree, readers, mailserver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(tree.blog, title="Evil\r\nBcc: victim@example.com")
    [message] = mailserver.to("blog@example.com")
    # One line; the address is hidden, as any in a title is (content.render_post).
    assert message["Subject"] == "Evil Bcc:"
    assert message["Bcc"] is None
    assert all("victim" not in m["X-Envelope-To"] for m in mailserver.messages)


def test_no_address_the_post_page_hides_goes_out(
    tree, readers, mailserver, django_capture_on_commit_callbacks
):
    """Title, standfirst and body, in both parts, go through the site's e-mail protection
    however an address is written: an author's becomes "e-mail <name>" and their contact page,
    anyone else's is hidden; and the address encoded for the page's script stays out too."""
    body = [
        (
            "paragraph",
            "<p>Tips to tips&#64;example.org, or "
            '<a href="mailto:sbekker&#x40;example.com">write to me</a>.</p>',
        )
    ]
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(
            tree.blog,
            title="Write to tips@example.org",
            excerpt="Tips go to tips@example.org or sbekker@example.com.",
            body=body,
        )
    [message] = mailserver.to("blog@example.com")
    text, html = text_of(message), html_of(message)
    for part in (message["Subject"], text, html):
        assert find_addresses(part) == [], part
    assert "data-mailguard=" not in html
    contact = "http://testserver/authors/scott-bekker/contact/"
    assert f'href="{contact}"' in html and "e-mail Scott Bekker" in html
    assert contact in text
    assert "write to me" in html and "write to me" in text


def test_an_alias_is_not_mailed_again(
    tree, readers, mailserver, django_capture_on_commit_callbacks
):
    """A post shown in a second blog too (a Wagtail alias) is one post: mailed once, when it
    goes live, and not again when the alias is made or updated."""
    other = publish_page(tree.blogs, BlogPage(title="Other Blog", slug="other-blog"))
    add_subscriber("other@example.com", blog=other)
    post = publish(tree, django_capture_on_commit_callbacks)
    assert len(mailserver.messages) == 4
    with django_capture_on_commit_callbacks(execute=True):
        alias = post.create_alias(parent=other)
    with django_capture_on_commit_callbacks(execute=True):
        post.save_revision().publish()  # Wagtail updates the alias and says it was published
    assert alias.live and len(mailserver.messages) == 4
    assert not Issue.objects.filter(page=alias).exists()


def test_plain_text_keeps_the_spaces_around_inline_elements():
    from byline.newsletters.content import html_to_text

    html = '<p>Read <a href="https://x.example/">the report</a> and <em>then</em> decide.</p>'
    assert html_to_text(html) == "Read the report <https://x.example/> and then decide."


def test_plain_text_keeps_a_space_that_is_alone_between_inline_elements():
    from byline.newsletters.content import html_to_text

    assert html_to_text("<p><em>red</em> <strong>green</strong></p>") == "red green"
    # One space, not two, and none at the start of a paragraph.
    assert html_to_text("<p><em>red </em> <b>green</b>\n <i>blue</i></p>") == "red green blue"
    assert html_to_text("<p>one</p>\n <p> <em>two</em></p>") == "one\n\ntwo"
