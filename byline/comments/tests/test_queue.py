"""The moderation queue: one-click Approve, Spam and Delete per row and in bulk, Undo, the count
in the menu and on the dashboard, and refusals for anyone who may not moderate."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from byline.comments.models import CommentStatus, ReaderComment
from byline.comments.tests.conftest import add_comment

QUEUE = "/admin/comments/queue/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db):
    return get_user_model().objects.create_superuser("desk", "desk@example.com", "pw-for-tests")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def statuses(*comments) -> list[str]:
    return [ReaderComment.objects.get(pk=comment.pk).status for comment in comments]


class TestQueuePage:
    def test_waiting_comments_with_their_post_and_context(self, moderator_client, post):
        parent = add_comment(post, name="Ann", body="The first word on this.")
        reply = add_comment(
            post, parent=parent, name="Bob", body="I <b>disagree</b>.", status="pending"
        )
        add_comment(post, body="Already out", status=CommentStatus.APPROVED)
        html = moderator_client.get(QUEUE).content.decode()
        assert "Already out" not in html
        row = html[html.index(f'id="comment-{reply.pk}"') :]
        assert "I &lt;b&gt;disagree&lt;/b&gt;." in row  # the reader's text, escaped
        assert f'<a href="{post.url}">{post.title}</a>' in row
        assert "In reply to <strong>Ann</strong>: “The first word on this.”" in row
        assert f'value="approve:{reply.pk}"' in row and f'value="delete:{reply.pk}"' in row

    def test_other_tabs(self, moderator_client, post):
        add_comment(post, body="Buy pills", status=CommentStatus.SPAM)
        assert "Buy pills" not in moderator_client.get(QUEUE).content.decode()
        assert "Buy pills" in moderator_client.get(QUEUE, {"status": "spam"}).content.decode()
        # An unknown tab is the queue, not an error.
        assert moderator_client.get(QUEUE, {"status": "<x>"}).status_code == 200

    def test_queries_do_not_grow_with_the_rows(self, moderator_client, post, tree):
        from tests.factories import make_post

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert moderator_client.get(QUEUE).status_code == 200
            return len(captured)

        add_comment(post, status="pending", parent=add_comment(post))
        queries()  # the site's root paths, cached from here on
        few = queries()
        other = make_post(tree.blog, title="Another")
        for number in range(8):
            add_comment(other if number % 2 else post, status="pending", body=f"n{number}")
        queries()  # the new post changed the content version: the frame is read again once
        assert queries() == few


class TestActions:
    def test_approve_one_in_one_click(self, moderator_client, post):
        waiting = [add_comment(post, status="pending") for _ in range(2)]
        response = moderator_client.post(QUEUE, {"act": f"approve:{waiting[0].pk}"})
        assert response.status_code == 302 and response["Location"] == QUEUE
        assert statuses(*waiting) == ["approved", "pending"]

    def test_bulk_spam_the_ticked(self, moderator_client, post):
        waiting = [add_comment(post, status="pending") for _ in range(3)]
        moderator_client.post(
            QUEUE, {"act": "spam", "comment": [waiting[0].pk, waiting[2].pk]}, follow=True
        )
        assert statuses(*waiting) == ["spam", "pending", "spam"]

    def test_delete_then_undo(self, moderator_client, post):
        waiting = add_comment(post, status="pending", name="Cy")
        spam = add_comment(post, status="spam")
        page = moderator_client.post(
            QUEUE, {"act": "delete", "comment": [waiting.pk, spam.pk]}, follow=True
        )
        assert statuses(waiting, spam) == ["removed", "removed"]
        assert "Deleted: 2 comments." in page.content.decode()
        assert 'name="undo"' in page.content.decode()
        page = moderator_client.post(QUEUE, {"undo": "1"}, follow=True)
        assert statuses(waiting, spam) == ["pending", "spam"]
        assert "put back as before" in page.content.decode()
        # Undone once only.
        assert (
            "Nothing to undo"
            in moderator_client.post(QUEUE, {"undo": "1"}, follow=True).content.decode()
        )

    def test_approving_sends_the_purge_signal(self, moderator_client, post):
        from byline.comments.signals import comments_changed

        seen = []

        def listener(sender, post, **kwargs):
            seen.append(post.pk)

        comments_changed.connect(listener)
        try:
            comment = add_comment(post, status="pending")
            moderator_client.post(QUEUE, {"act": f"approve:{comment.pk}"})
        finally:
            comments_changed.disconnect(listener)
        assert seen == [post.pk]

    @pytest.mark.parametrize(
        "data",
        [{"act": "approve"}, {"act": "approve:abc"}, {"act": "explode:1"}, {}],
        ids=["nothing ticked", "not an id", "unknown action", "no action"],
    )
    def test_bad_input_changes_nothing(self, moderator_client, post, data):
        comment = add_comment(post, status="pending")
        if data.get("act") == "explode:1":
            data = {"act": f"explode:{comment.pk}"}
        response = moderator_client.post(QUEUE, data, follow=True)
        assert response.status_code == 200
        assert statuses(comment) == ["pending"]
        assert "nothing was changed" in response.content.decode()

    def test_a_page_number_out_of_range_is_the_last_page(self, moderator_client, post):
        add_comment(post, status="pending", body="still here")
        assert "still here" in moderator_client.get(QUEUE, {"page": "999"}).content.decode()


class TestRefusals:
    def test_a_stranger_is_sent_to_sign_in(self, client, post):
        comment = add_comment(post, status="pending")
        response = client.post(QUEUE, {"act": f"approve:{comment.pk}"})
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert statuses(comment) == ["pending"]

    def test_an_editor_without_the_permission_is_refused(self, client, post):
        editor = get_user_model().objects.create_user("writer", "w@example.com", "pw")
        group = Group.objects.create(name="Writers")
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        editor.groups.add(group)
        client.force_login(editor)
        comment = add_comment(post, status="pending", body="secret queue")
        for method in (client.get, client.post):
            response = method(QUEUE, {"act": f"approve:{comment.pk}"})
            assert response.status_code in (302, 403)
            assert response.get("Location", "") != QUEUE
        assert statuses(comment) == ["pending"]
        assert "secret queue" not in client.get(QUEUE, follow=True).content.decode()
        # Nor is the queue in their menu.
        assert "/admin/comments/queue/" not in client.get("/admin/").content.decode()

    def test_a_post_without_the_csrf_token_is_refused(self, moderator, post):
        client = Client(enforce_csrf_checks=True)
        client.force_login(moderator)
        comment = add_comment(post, status="pending")
        response = client.post(QUEUE, {"act": f"approve:{comment.pk}"})
        assert response.status_code == 403
        assert statuses(comment) == ["pending"]


class TestCounts:
    def test_the_menu_and_the_dashboard_show_how_many_wait(self, moderator_client, post):
        for _ in range(3):
            add_comment(post, status="pending")
        add_comment(post, status="spam")
        html = moderator_client.get("/admin/").content.decode()
        assert '"label": "Comments (3)"' in html  # the menu's label
        assert "<strong>3</strong> comments waiting for moderation" in html
        assert "Waiting (3)" in moderator_client.get(QUEUE).content.decode()

    def test_none_waiting(self, moderator_client, post):
        html = moderator_client.get("/admin/").content.decode()
        assert "No comment is waiting for moderation." in html
        assert '"label": "Comments"' in html
