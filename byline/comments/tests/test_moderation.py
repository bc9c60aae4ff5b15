"""Moderation policies (all, first, none), per blog and site-wide, and the admin queue."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from byline.comments.models import CommentStatus, ReaderComment
from byline.comments.moderation import ModerationPolicy

from .conftest import add_comment, submit

pytestmark = pytest.mark.django_db


def last_status() -> str:
    return ReaderComment.objects.latest("pk").status


class TestPolicies:
    def test_first_is_the_default(self, settings):
        assert settings.BYLINE_COMMENTS_MODERATION == "first"

    def test_first_holds_until_one_comment_is_approved(self, client, post):
        submit(client, post, body="first try")
        assert last_status() == CommentStatus.PENDING
        submit(client, post, body="second try")
        assert last_status() == CommentStatus.PENDING
        ReaderComment.objects.filter(body="first try").update(status=CommentStatus.APPROVED)
        submit(client, post, body="third", email="ANN@example.com")
        assert last_status() == CommentStatus.APPROVED
        submit(client, post, body="someone new", email="new@example.com")
        assert last_status() == CommentStatus.PENDING

    def test_first_knows_a_regular_by_name_and_address_not_the_address_alone(self, client, post):
        """As WordPress: someone who knows a regular's address cannot publish at once under
        another name, nor learn from the answer that the address has commented here."""
        add_comment(post, name="Ann Reader", email="ann@example.com")
        impostor = submit(client, post, name="Impostor", body="Trust me.")
        assert last_status() == CommentStatus.PENDING
        assert impostor["Location"].endswith("/held/")
        regular = submit(client, post, name="ann  reader", body="Me again.")
        assert last_status() == CommentStatus.APPROVED
        assert "/held/" not in regular["Location"]

    def test_all_holds_everyone(self, client, post, settings):
        settings.BYLINE_COMMENTS_MODERATION = "all"
        add_comment(post, email="ann@example.com")
        submit(client, post)
        assert last_status() == CommentStatus.PENDING

    def test_none_publishes_at_once(self, client, post, policy_none):
        submit(client, post)
        assert last_status() == CommentStatus.APPROVED

    def test_blog_setting_wins_over_the_site_default(self, client, post, tree, settings):
        settings.BYLINE_COMMENTS_MODERATION = "all"
        tree.blog.comment_moderation = "none"
        tree.blog.save_revision().publish()
        submit(client, post)
        assert last_status() == CommentStatus.APPROVED

    def test_unknown_setting_falls_back_to_first(self, settings):
        settings.BYLINE_COMMENTS_MODERATION = "sometimes"
        assert ModerationPolicy.for_blog(None).name == "first"


@pytest.fixture
def moderator(db):
    return get_user_model().objects.create_superuser(
        "editor", "editor@example.com", "pw-for-tests-only"
    )


class TestModeratorMail:
    def test_held_comment_mails_moderators(self, client, post, moderator):
        submit(client, post, body="Please approve me")
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["editor@example.com"]
        assert post.title in message.subject
        assert "Please approve me" in message.body
        assert "/admin/snippets/comments/readercomment/?status=pending" in message.body
        assert "ann@example.com" not in message.body

    def test_published_or_spam_comment_does_not(self, client, post, moderator, policy_none):
        submit(client, post, body="straight through")
        submit(client, post, body="bot", phone="x")
        assert mail.outbox == []

    def test_moderators_setting(self, client, post, moderator, settings):
        settings.BYLINE_COMMENTS_MODERATORS = ["desk@example.com"]
        submit(client, post)
        assert mail.outbox[0].to == ["desk@example.com"]


class TestQueue:
    def test_queue_lists_and_filters_by_status(self, client, post, moderator):
        client.force_login(moderator)
        add_comment(post, body="waiting here", status=CommentStatus.PENDING)
        add_comment(post, body="spammy here", status=CommentStatus.SPAM)
        url = "/admin/snippets/comments/readercomment/"
        everything = client.get(url).content.decode()
        assert "waiting here" in everything and "spammy here" in everything
        pending = client.get(url, {"status": "pending"}).content.decode()
        assert "waiting here" in pending and "spammy here" not in pending

    def test_queue_is_for_editors_only(self, client, post):
        response = client.get("/admin/snippets/comments/readercomment/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

    @pytest.mark.parametrize(
        "action,status", [("approve", CommentStatus.APPROVED), ("spam", CommentStatus.SPAM)]
    )
    def test_bulk_status_actions(self, client, post, moderator, action, status):
        client.force_login(moderator)
        comments = [add_comment(post, status=CommentStatus.PENDING) for _ in range(3)]
        url = f"/admin/bulk/comments/readercomment/{action}/"
        ids = "&".join(f"id={c.pk}" for c in comments[:2])
        assert client.get(f"{url}?{ids}").status_code == 200  # the confirmation page
        response = client.post(f"{url}?{ids}")
        assert response.status_code == 302
        statuses = [ReaderComment.objects.get(pk=c.pk).status for c in comments]
        assert statuses == [status, status, CommentStatus.PENDING]

    def test_bulk_delete(self, client, post, moderator):
        client.force_login(moderator)
        comments = [add_comment(post, status=CommentStatus.SPAM) for _ in range(2)]
        ids = "&".join(f"id={c.pk}" for c in comments)
        client.post(f"/admin/bulk/comments/readercomment/delete/?{ids}")
        assert not ReaderComment.objects.exists()

    def test_approving_shows_the_comment_and_sends_the_purge_signal(self, client, post, moderator):
        from byline.comments.signals import comments_changed

        seen = []

        def listener(sender, post, **kwargs):
            seen.append(post.pk)

        comments_changed.connect(listener)
        try:
            client.force_login(moderator)
            comment = add_comment(post, body="now visible", status=CommentStatus.PENDING)
            assert seen == []
            client.post(f"/admin/bulk/comments/readercomment/approve/?id={comment.pk}")
        finally:
            comments_changed.disconnect(listener)
        assert seen == [post.pk]
        client.logout()
        assert b"now visible" in client.get(post.url).content

    def test_editor_can_close_comments_on_a_post(self, client, post, moderator):
        post.comments_open = False
        post.save_revision().publish()
        assert b"Comments are closed for this post." in client.get(post.url).content


def test_moderator_can_edit_and_approve_one_comment(client, post, moderator):
    client.force_login(moderator)
    comment = add_comment(post, body="typo teh", status=CommentStatus.PENDING)
    url = f"/admin/snippets/comments/readercomment/edit/{comment.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {"name": "Bob", "website": "", "body": "typo the", "status": "approved"},
    )
    assert response.status_code == 302, response.content[:2000]
    comment.refresh_from_db()
    assert (comment.body, comment.status, comment.body_html) == (
        "typo the",
        CommentStatus.APPROVED,
        "<p>typo the</p>",
    )
