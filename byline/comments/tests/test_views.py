"""Request-level tests of reading and writing comments on a post page."""

from __future__ import annotations

import datetime
import itertools
import re

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from byline.comments.models import CommentKind, CommentStatus, ReaderComment
from byline.comments.text import render_body
from byline.core import formguard
from tests.factories import make_post

from .conftest import add_comment, form_data, submit

pytestmark = pytest.mark.django_db


def comments_section(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content).get_element_by_id("comments")


class TestReading:
    def test_approved_comments_only_oldest_first(self, client, post):
        base = timezone.now() - datetime.timedelta(days=2)
        add_comment(post, body="Second", created=base + datetime.timedelta(hours=1))
        add_comment(post, body="First", created=base)
        for status in [CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.REMOVED]:
            add_comment(post, body=f"Hidden {status}", status=status)
        section = comments_section(client.get(post.url))
        bodies = [body.text_content() for body in section.find_class("comment-body")]
        assert bodies == ["First", "Second"]
        assert section.get_element_by_id("comments-heading").text_content() == "2 comments"

    def test_thread_nests_replies_with_permalinks(self, client, post):
        top = add_comment(post, body="Top")
        reply = add_comment(post, body="Reply", parent=top)
        section = comments_section(client.get(post.url))
        item = section.get_element_by_id(f"comment-{top.pk}")
        nested = item.xpath(f"./ol[@class='comment-replies']/li[@id='comment-{reply.pk}']")
        assert len(nested) == 1
        assert item.xpath(f".//a[@class='comment-permalink' and @href='#comment-{top.pk}']")

    def test_name_links_to_website_with_nofollow_ugc(self, client, post):
        add_comment(post, name="Site Owner", website="https://owner.example/")
        add_comment(post, name="No Site")
        section = comments_section(client.get(post.url))
        links = section.xpath(".//span[@class='comment-author']/a")
        assert [(a.text, a.get("href"), a.get("rel")) for a in links] == [
            ("Site Owner", "https://owner.example/", "nofollow ugc")
        ]

    def test_exact_and_relative_date(self, client, post):
        created = timezone.now() - datetime.timedelta(days=3)
        comment = add_comment(post, created=created)
        section = comments_section(client.get(post.url))
        time = section.xpath(f".//li[@id='comment-{comment.pk}']//time")[0]
        assert time.get("datetime") == created.replace(microsecond=0).isoformat()
        assert time.text == timezone.localtime(created).strftime("%B %-d, %Y at %-I:%M ") + (
            "a.m." if created.hour < 12 else "p.m."
        )
        assert section.find_class("comment-age")[0].text_content() == "3 days ago"

    def test_email_is_never_in_the_page(self, client, post):
        add_comment(post, email="secret.reader@example.com", body="Hi")
        html = client.get(post.url).content.decode()
        assert "secret.reader" not in html

    def test_closed_post_says_so_and_has_no_form(self, client, tree):
        post = make_post(tree.blog, comments_open=False)
        add_comment(post, body="Said before closing")
        section = comments_section(client.get(post.url))
        assert "Comments are closed for this post." in section.text_content()
        assert "Said before closing" in section.text_content()
        assert not section.xpath(".//form") and not section.find_class("comment-reply")

    def test_blog_closes_comments_after_n_days(self, client, tree):
        tree.blog.close_comments_after_days = 30
        tree.blog.save_revision().publish()
        now = timezone.now()
        old = make_post(tree.blog, date=now - datetime.timedelta(days=31))
        fresh = make_post(tree.blog, date=now - datetime.timedelta(days=29))
        assert "Comments are closed" in comments_section(client.get(old.url)).text_content()
        assert comments_section(client.get(fresh.url)).xpath(".//form[@id='comment-form']")
        response = submit(client, old)
        assert response.status_code == 403
        assert not ReaderComment.objects.exists()

    def test_form_works_without_javascript_and_holds_the_shared_token(self, client, post):
        section = comments_section(client.get(post.url))
        form = section.get_element_by_id("comment-form")
        assert form.get("method") == "post"
        assert form.get("action") == f"/comments/post/{post.pk}/"
        names = {field.get("name") for field in form.xpath(".//input | .//textarea")}
        assert {"name", "email", "website", "body", "notify_replies", "parent"} <= names
        assert "csrfmiddlewaretoken" not in names  # the page is shared; see formguard
        token = form.xpath(".//input[@name='formguard_token']")[0].get("value")
        assert formguard.token_age("comments.comment", token) < 60
        trap = form.xpath(".//input[@name='phone']")[0]
        assert trap.getparent().get("hidden") is not None

    def test_listing_shows_approved_comment_counts(self, client, tree):
        busy = make_post(tree.blog, title="Busy")
        quiet = make_post(tree.blog, title="Quiet")
        for _ in range(3):
            add_comment(busy)
        add_comment(busy, status=CommentStatus.PENDING)
        add_comment(busy, kind=CommentKind.PINGBACK, body="Linked from elsewhere.")
        add_comment(quiet, status=CommentStatus.SPAM)
        add_comment(quiet, kind=CommentKind.TRACKBACK, body="Linked from elsewhere.")
        html = client.get("/blogs/bekkers-blog/").content.decode()
        assert f'<a class="comment-count" href="{busy.url}#comments">3 comments</a>' in html
        assert html.count('class="comment-count"') == 1

    @pytest.mark.parametrize("count", [0, 10, 150])
    def test_post_page_queries_do_not_grow_with_comments(self, client, post, count):
        """One query reads the whole thread: the count is the same for 0, 10 and 150 comments
        (threaded: every third comment is a reply)."""
        top = add_comment(post, body="Root")
        ReaderComment.objects.bulk_create(
            [
                ReaderComment(
                    post=post,
                    parent=top if i % 3 else None,
                    depth=1 if i % 3 else 0,
                    name=f"R{i}",
                    email=f"r{i}@example.com",
                    body=f"Comment {i}",
                    body_html=render_body(f"Comment {i}"),
                    status=CommentStatus.APPROVED,
                )
                for i in range(count)
            ]
        )
        client.get(post.url)  # warm Wagtail's site and template caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(post.url)
        assert response.content.decode().count('class="comment"') == count + 1
        type(self).counts = {**getattr(type(self), "counts", {}), count: len(queries)}
        assert len(set(type(self).counts.values())) == 1, type(self).counts


class TestWriting:
    def test_comment_is_published_and_reader_lands_on_it(self, client, post, policy_none):
        response = submit(client, post, body="Nice post.\n\nSee https://example.com")
        comment = ReaderComment.objects.get()
        assert response.status_code == 303
        assert response["Location"] == f"{post.url}#comment-{comment.pk}"
        assert comment.status == CommentStatus.APPROVED
        assert comment.ip_hash == formguard.ip_hash("203.0.113.10")
        page = client.get(post.url).content.decode()
        assert (
            '<p>Nice post.</p><p>See <a href="https://example.com" rel="nofollow ugc noopener">'
            "https://example.com</a></p>"
        ) in page

    def test_held_comment_lands_on_a_notice(self, client, post):
        response = submit(client, post)
        assert response.status_code == 303
        assert response["Location"] == f"/comments/post/{post.pk}/held/"
        notice = client.get(response["Location"])
        assert notice.status_code == 200
        assert b"awaits moderation" in notice.content
        assert b"A thoughtful comment" not in client.get(post.url).content

    def test_get_on_the_form_address_goes_to_the_form(self, client, post):
        response = client.get(f"/comments/post/{post.pk}/")
        assert response.status_code == 302
        assert response["Location"] == f"{post.url}#comment-form"

    def test_reply_page_without_javascript(self, client, post, policy_none):
        top = add_comment(post, name="Top Writer", body="Top")
        page = client.get(f"/comments/post/{post.pk}/reply/{top.pk}/")
        assert page.status_code == 200
        form = lxml.html.fromstring(page.content).get_element_by_id("comment-form")
        assert form.xpath(".//input[@name='parent']")[0].get("value") == str(top.pk)
        assert "Reply to Top Writer" in form.text_content()
        response = submit(client, post, body="A reply", parent=str(top.pk))
        reply = ReaderComment.objects.get(body="A reply")
        assert reply.parent == top and reply.depth == 1
        assert response["Location"].endswith(f"#comment-{reply.pk}")

    def test_reply_page_for_unknown_or_held_comment_is_404(self, client, post):
        held = add_comment(post, status=CommentStatus.PENDING)
        other = add_comment(make_post(post.get_parent().specific))
        for comment_id in [held.pk, other.pk, 999999]:
            response = client.get(f"/comments/post/{post.pk}/reply/{comment_id}/")
            assert response.status_code == 404

    def test_replies_stop_nesting_at_the_depth_cap(self, client, post, policy_none, settings):
        """Cap 3: a reply to a depth-3 comment becomes its sibling (depth 3), not depth 4."""
        settings.BYLINE_COMMENTS_MAX_DEPTH = 3
        chain = [add_comment(post, body="d0")]
        for depth in range(1, 4):
            chain.append(add_comment(post, body=f"d{depth}", parent=chain[-1]))
        assert chain[-1].depth == 3
        submit(client, post, body="too deep", parent=str(chain[-1].pk))
        deep = ReaderComment.objects.get(body="too deep")
        assert deep.depth == 3 and deep.parent == chain[2]

    def test_double_submit_stores_one_comment(self, client, post, policy_none):
        first = submit(client, post, body="Once only")
        second = submit(client, post, body="Once only")
        assert ReaderComment.objects.count() == 1
        assert first["Location"] == second["Location"]


BAD_INPUT = [
    ("empty text", {"body": ""}, "body"),
    ("blank text", {"body": "   \n  "}, "body"),
    ("overlong text", {"body": "x" * 5001}, "body"),
    ("missing e-mail", {"email": None}, "email"),
    ("invalid e-mail", {"email": "not-an-address"}, "email"),
    ("missing name", {"name": ""}, "name"),
    ("overlong name", {"name": "n" * 101}, "name"),
    ("NUL in text", {"body": "hi\x00there"}, "body"),
    ("control character in name", {"name": "Ann\x1b[31m"}, "name"),
    ("javascript: website", {"website": "javascript:alert(1)"}, "website"),
    ("parent that is not a number", {"parent": "abc"}, "parent"),
    ("parent that does not exist", {"parent": "999999"}, "parent"),
]


class TestBadInput:
    @pytest.mark.parametrize("label,fields,field", BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
    def test_form_comes_back_with_a_field_error(self, client, post, label, fields, field):
        response = submit(client, post, **fields)
        assert response.status_code == 400, label
        assert not ReaderComment.objects.exists()
        form = lxml.html.fromstring(response.content).get_element_by_id("comment-form")
        errors = (
            form.xpath(f".//p[contains(@class, 'field-{field} ')]//*[@class='field-error']")
            if field != "parent"
            else []
        )
        assert errors or field == "parent", label
        if field == "parent":
            assert "not on this post" in form.text_content()

    def test_the_page_says_error_first_and_links_each_field_to_fix(self, client, post):
        """The title starts with "Error:", one summary is announced (the fields' own messages
        are not alerts too) with a link to each field, and each error is said once."""
        response = submit(client, post, name="", website="javascript:alert(1)")
        page = lxml.html.fromstring(response.content)
        assert page.findtext(".//title").startswith("Error: Comment · ")
        alerts = page.xpath("//*[@role='alert']")
        assert len(alerts) == 1 and "form-errors-summary" in alerts[0].get("class")
        links = {link.get("href"): link.text_content() for link in alerts[0].iter("a")}
        assert set(links) == {"#id_name", "#id_website"}
        assert links["#id_website"] == "Website: Enter a valid URL."
        for target in links:
            assert page.get_element_by_id(target[1:]).get("aria-invalid") == "true"
        website = page.xpath("//p[contains(@class, 'field-website ')]//*[@class='field-error']")
        assert [error.text_content() for error in website] == ["Enter a valid URL."]
        assert "Error" not in lxml.html.fromstring(client.get(post.url).content).findtext(
            ".//title"
        )

    def test_the_form_tells_browsers_what_to_fill_in(self, client, post):
        form = lxml.html.fromstring(client.get(post.url).content).get_element_by_id("comment-form")
        fields = {field.get("name"): field.get("autocomplete") for field in form.iter("input")}
        assert (fields["name"], fields["email"], fields["website"]) == ("name", "email", "url")

    def test_the_page_without_javascript_has_an_h1_and_headings_in_order(self, client, post):
        """The form's page when a comment comes back (400) or a reply is asked for: one h1
        naming the post, then the form's h2; no level skipped."""
        top = add_comment(post, name="Top Writer")
        for response, form_heading in [
            (submit(client, post, email="nope"), "Leave a comment"),
            (client.get(f"/comments/post/{post.pk}/reply/{top.pk}/"), "Reply to Top Writer"),
        ]:
            page = lxml.html.fromstring(response.content)
            headings = [
                (int(heading.tag[1]), heading.text_content())
                for heading in page.xpath("//h1 | //h2 | //h3 | //h4 | //h5 | //h6")
            ]
            assert headings[:2] == [
                (1, "Comment on “Why Partners Like Steve Ballmer”"),
                (2, form_heading),
            ]
            levels = [level for level, _text in headings]
            assert levels.count(1) == 1
            assert all(after <= before + 1 for before, after in itertools.pairwise(levels))

    def test_the_reader_keeps_what_they_wrote(self, client, post):
        response = submit(client, post, email="nope", body="My long careful <comment>")
        form = lxml.html.fromstring(response.content).get_element_by_id("comment-form")
        assert (
            form.xpath(".//textarea[@name='body']")[0].text.strip() == "My long careful <comment>"
        )

    def test_parent_from_another_post_is_refused(self, client, post):
        elsewhere = add_comment(make_post(post.get_parent().specific))
        response = submit(client, post, parent=str(elsewhere.pk))
        assert response.status_code == 400
        assert ReaderComment.objects.count() == 1

    def test_post_that_does_not_exist_or_is_a_draft_is_404(self, client, tree):
        draft = make_post(tree.blog, live=False)
        assert submit(client, draft).status_code == 404
        response = client.post("/comments/post/999999/", form_data())
        assert response.status_code == 404
        assert not ReaderComment.objects.exists()

    @pytest.mark.parametrize("post_id", ["9223372036854775808", "99999999999999999999"])
    @pytest.mark.parametrize("route", ["", "held/", "reply/1/", "feed/"])
    def test_an_id_past_the_databases_integers_is_404(self, client, tree, post_id, route):
        """Past 2**63 - 1 a lookup of a post's id raised OverflowError: a 500."""
        url = f"/comments/post/{post_id}/{route}"
        assert client.get(url).status_code == 404
        assert client.post(url, form_data()).status_code == 404
        assert client.get(f"/comments/post/1/reply/{post_id}/").status_code == 404

    def test_closed_post_is_403(self, client, tree):
        closed = make_post(tree.blog, comments_open=False)
        response = submit(client, closed)
        assert response.status_code == 403
        assert b"Comments are closed" in response.content
        assert not ReaderComment.objects.exists()
        assert client.get(f"/comments/post/{closed.pk}/reply/1/").status_code == 404

    def test_forged_or_expired_token_asks_to_send_again(self, client, post, settings):
        settings.BYLINE_FORMGUARD_MAX_AGE = 60
        old = formguard.form_token("comments.comment", now=timezone.now().timestamp() - 61)
        for token in ["forged", old]:
            response = submit(client, post, formguard_token=token)
            assert response.status_code == 400
            assert b"send" in response.content
        assert not ReaderComment.objects.exists()

    def test_other_methods_are_refused(self, client, post):
        assert client.put(f"/comments/post/{post.pk}/").status_code == 405


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '"><script>alert(document.cookie)</script>',
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    "<iframe src=//evil.example></iframe>",
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "{{ settings.SECRET_KEY }}{% debug %}",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<<script>script>alert(1)<</script>/script>",
    "\u202e<script>alert(1)</script>",
]


class TestHostileMarkup:
    @pytest.mark.parametrize("payload", XSS_PAYLOADS)
    def test_payload_is_inert_text(self, client, post, policy_none, payload):
        """Posted in name and text: the page holds the characters as text and builds no element
        or attribute from them (only our <p>, <br> and <a href rel>)."""
        response = submit(client, post, name=f"X {payload}"[:100], body=f"Look: {payload}")
        assert response.status_code == 303, response.content[:500]
        section = comments_section(client.get(post.url))
        comment = section.find_class("comment")[0]
        body = comment.find_class("comment-body")[0]
        for element in body.iter():
            assert element.tag in {"div", "p", "br", "a"}, element.tag
            allowed = {"class"} if element.tag == "div" else {"href", "rel"}
            assert set(element.attrib) <= allowed
            if element.tag == "a":
                assert element.get("href").startswith("https://")
                assert element.get("rel") == "nofollow ugc noopener"
        assert not section.xpath(
            ".//script | .//img | .//svg | .//iframe | .//math | .//style | .//*[@onerror]"
            " | .//*[@onload]"
        )
        expected = re.sub(r"[\u202e]", "", payload).strip()
        assert expected in body.text_content().replace("\n", "")
        assert comment.find_class("comment-author")[0].text_content() == f"X {payload}"[:100]
        assert "{{" not in payload or "SECRET_KEY" in body.text_content()
