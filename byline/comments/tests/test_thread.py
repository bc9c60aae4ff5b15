"""The order and nesting of a thread, computed once per page render."""

import datetime

import lxml.html
import pytest

from byline.comments.models import CommentStatus
from byline.comments.templatetags.comments_tags import relative_age, thread_order

from .conftest import add_comment

pytestmark = pytest.mark.django_db


def test_reading_order_nests_replies_under_their_parents(post):
    a = add_comment(post, body="a")
    b = add_comment(post, body="b")
    a1 = add_comment(post, body="a1", parent=a)
    a1x = add_comment(post, body="a1x", parent=a1)
    a2 = add_comment(post, body="a2", parent=a)
    order = thread_order([a, b, a1, a1x, a2])
    assert [(c.body, level) for c, level in order] == [
        ("a", 0),
        ("a1", 1),
        ("a1x", 2),
        ("a2", 1),
        ("b", 0),
    ]


def test_reply_to_a_hidden_comment_moves_to_the_top_level(client, post):
    gone = add_comment(post, body="gone", status=CommentStatus.REMOVED)
    add_comment(post, body="orphan", parent=gone)
    tree = lxml.html.fromstring(client.get(post.url).content)
    top = tree.xpath("//ol[@class='comment-list']/li")
    assert [li.find_class("comment-body")[0].text_content() for li in top] == ["orphan"]


def test_rendered_lists_are_balanced(client, post):
    a = add_comment(post, body="a")
    a1 = add_comment(post, body="a1", parent=a)
    add_comment(post, body="a1x", parent=a1)
    add_comment(post, body="b")
    html = client.get(post.url).content.decode()
    section = html[html.index('id="comments"') :]
    assert section.count("<ol") == section.count("</ol>") == 3
    assert section.count('<li class="comment"') == section.count("</li>") == 4
    tree = lxml.html.fromstring(html)
    deepest = tree.xpath("//li[@class='comment']/ol/li[@class='comment']/ol/li")
    assert [li.find_class("comment-body")[0].text_content() for li in deepest] == ["a1x"]
    second = tree.xpath("//ol[@class='comment-list']/li")
    assert len(second) == 2


@pytest.mark.parametrize(
    "seconds,text",
    [
        (5, "just now"),
        (60, "1 minute ago"),
        (7200, "2 hours ago"),
        (86400 * 3, "3 days ago"),
        (86400 * 400, "1 year ago"),
    ],
)
def test_relative_age(seconds, text):
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    assert relative_age(now - datetime.timedelta(seconds=seconds), now) == text


@pytest.mark.parametrize(
    "hour,minute,text",
    [
        (0, 5, "July 13, 2011 at 12:05 a.m."),
        (12, 0, "July 13, 2011 at 12:00 p.m."),
        (16, 30, "July 13, 2011 at 4:30 p.m."),
    ],
)
def test_exact_date_matches_the_date_filter(hour, minute, text):
    from django.template.defaultfilters import date

    from byline.comments.templatetags.comments_tags import exact_date

    moment = datetime.datetime(2011, 7, 13, hour, minute, tzinfo=datetime.UTC)
    assert exact_date(moment) == text == date(moment, "F j, Y \\a\\t g:i a")


def test_names_and_websites_are_escaped(client, post):
    """The list is written in Python (comment_list), not by the template's autoescape: every
    value a reader typed is escaped all the same."""
    add_comment(
        post,
        name='<b>O\'Hara</b> & "Sons"',
        website='https://example.com/?a=1&b="x"',
        body="<script>alert(1)</script>",
    )
    html = client.get(post.url).content.decode()
    section = html[html.index('id="comments"') :]
    assert "<b>O" not in section and "<script>alert" not in section
    assert "&lt;b&gt;O&#x27;Hara&lt;/b&gt; &amp; &quot;Sons&quot;" in section
    assert 'href="https://example.com/?a=1&amp;b=&quot;x&quot;"' in section
    author = lxml.html.fromstring(html).xpath("//span[@class='comment-author']/a")[0]
    assert author.text == '<b>O\'Hara</b> & "Sons"'
    assert author.get("href") == 'https://example.com/?a=1&b="x"'


def test_a_thread_runs_as_many_queries_with_300_comments_as_with_3(
    client, post, django_assert_max_num_queries
):
    """The comments, their replies and their old anchors are read in one query each,
    however many there are (bench/bad_input.py renders 1,000)."""

    def queries() -> int:
        client.get(post.url)
        with django_assert_max_num_queries(1000) as counted:
            assert client.get(post.url).status_code == 200
        return len(counted.captured_queries)

    def grow(count: int) -> None:
        for number in range(count):
            top = add_comment(post, body=f"Comment {number} at https://example.com/{number}")
            reply = add_comment(post, body="A reply", parent=top, website="https://r.example/")
            add_comment(post, body="A reply to the reply", parent=reply)

    grow(1)
    few = queries()
    grow(99)
    assert queries() == few
    assert client.get(post.url).content.decode().count('<li class="comment"') == 300
