"""The editors' side: the Newsletter action on a post (preview, test, switch), the overview
of lists and issues, the subscriber list."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from byline.newsletters.models import Issue, PostSending, Subscriber, SubscriberStatus

from .conftest import add_subscriber, fresh_post, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("ed", "ed@example.com", "a long passphrase")
    client.force_login(user)
    return user


def test_preview_test_send_and_switch(
    client, tree, editor, mailserver, django_capture_on_commit_callbacks
):
    draft = fresh_post(tree.blog, title="Draft column", live=False, authors=[tree.author])
    page = client.get(f"/admin/newsletters/post/{draft.pk}/")
    assert page.status_code == 200 and b"will be e-mailed" in page.content
    preview = client.get(f"/admin/newsletters/post/{draft.pk}/preview/")
    assert preview.status_code == 200 and b"Draft column" in preview.content
    assert b"Read it on the site" in preview.content and b"<img" not in preview.content
    assert preview["X-Frame-Options"] == "SAMEORIGIN"

    assert client.post(f"/admin/newsletters/post/{draft.pk}/test/").status_code == 302
    [test] = mailserver.messages
    assert test["X-Envelope-To"] == "ed@example.com" and test["Subject"] == "[Test] Draft column"
    assert "Draft column" in text_of(test)

    client.post(f"/admin/newsletters/post/{draft.pk}/sending/", {"enabled": "0"})
    assert PostSending.objects.get(page=draft).enabled is False
    add_subscriber("ann@example.com", blog=tree.blog)
    with django_capture_on_commit_callbacks(execute=True):
        draft.save_revision().publish()
    assert len(mailserver.messages) == 1 and not Issue.objects.exists()


def test_the_page_header_offers_the_newsletter(client, tree, editor):
    post = fresh_post(tree.blog)
    response = client.get(f"/admin/pages/{post.pk}/edit/")
    assert response.status_code == 200
    assert f"/admin/newsletters/post/{post.pk}/".encode() in response.content


def test_overview_counts(client, tree, editor, mailserver, django_capture_on_commit_callbacks):
    add_subscriber("a@example.com", blog=tree.blog)
    add_subscriber("b@example.com", blog=tree.blog)
    mailserver.refuse["b@example.com"] = "550 5.1.1 No such user"
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(tree.blog, title="Mailed post")
    response = client.get("/admin/newsletters/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mailed post" in html and "Bekker&#x27;s Blog" in html
    # The issue's row: 1 sent, 1 failed.
    row = html[html.index("Mailed post") :].split("</tr>")[0]
    assert row.count("<td>1</td>") == 2
    assert client.get("/admin/newsletter_subscribers/").status_code == 200


def test_strangers_are_kept_out(client, tree):
    post = fresh_post(tree.blog)
    assert client.get("/admin/newsletters/").status_code == 302  # to the login
    assert client.get(f"/admin/newsletters/post/{post.pk}/preview/").status_code == 302
    user = get_user_model().objects.create_user("reader", "r@example.com", "a long passphrase")
    client.force_login(user)
    assert client.get("/admin/newsletters/").status_code in (302, 403)


def test_a_stopped_issue_is_shown_to_the_editor_who_sends_it_on(
    client, tree, editor, mailserver, django_capture_on_commit_callbacks
):
    add_subscriber("a@example.com", blog=tree.blog)
    add_subscriber("b@example.com", blog=tree.blog)
    mailserver.refuse_message = "554 5.7.1 Message rejected by content policy"
    with django_capture_on_commit_callbacks(execute=True):
        post = fresh_post(tree.blog, title="Refused post")
    overview = client.get("/admin/newsletters/").content.decode()
    row = overview[overview.index("Refused post") :].split("</tr>")[0]
    assert "stopped" in row
    page = client.get(f"/admin/newsletters/post/{post.pk}/").content.decode()
    assert "Stopped:" in page and "content policy" in page and "Waiting: 2" in page
    assert not Subscriber.objects.exclude(status=SubscriberStatus.CONFIRMED).exists()

    mailserver.refuse_message = None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/newsletters/post/{post.pk}/resume/")
    assert response.status_code == 302
    assert sorted(m["X-Envelope-To"] for m in mailserver.messages) == [
        "a@example.com",
        "b@example.com",
    ]
    assert "Stopped:" not in client.get(f"/admin/newsletters/post/{post.pk}/").content.decode()


def _told(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_turning_mailing_back_on_says_what_will_happen(
    client, tree, editor, mailserver, django_capture_on_commit_callbacks
):
    """Only going live mails a post, and a post is mailed once: turned back on, a draft goes
    out when it goes live, but a live post does not go out now, nor a cancelled mailing."""
    add_subscriber("ann@example.com", blog=tree.blog)
    draft = fresh_post(tree.blog, live=False)
    client.post(f"/admin/newsletters/post/{draft.pk}/sending/", {"enabled": "0"})
    back_on = client.post(
        f"/admin/newsletters/post/{draft.pk}/sending/", {"enabled": "1"}, follow=True
    )
    assert "will be e-mailed to its subscribers when it goes live" in _told(back_on)

    with django_capture_on_commit_callbacks(execute=True):
        mailed = fresh_post(tree.blog, title="Mailed")
    client.post(f"/admin/newsletters/post/{mailed.pk}/sending/", {"enabled": "0"})
    back_on = client.post(
        f"/admin/newsletters/post/{mailed.pk}/sending/", {"enabled": "1"}, follow=True
    )
    told = _told(back_on)
    assert "when it goes live" not in told and "cancelled" in told and "will not" in told
    assert "cancelled" in back_on.content.decode()

    live = fresh_post(tree.blog, live=False)
    PostSending.objects.create(page=live, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        live.save_revision().publish()
    back_on = client.post(
        f"/admin/newsletters/post/{live.pk}/sending/", {"enabled": "1"}, follow=True
    )
    told = _told(back_on)
    assert "when it goes live" not in told and "live already" in told
    assert len(mailserver.messages) == 1  # "Mailed" alone


def test_nobody_adds_a_subscriber_in_the_admin(client, tree, editor):
    """Subscribers come from their own confirmed sign-up or an import; a subscriber typed in
    here had no address (the form has none) and broke the next one with a 500."""
    index = client.get("/admin/newsletter_subscribers/")
    assert index.status_code == 200
    assert b"/admin/newsletter_subscribers/new/" not in index.content
    for _ in range(2):
        response = client.post(
            "/admin/newsletter_subscribers/new/", {"status": "confirmed", "frequency": "each"}
        )
        assert response.status_code in (302, 403)
    assert not Subscriber.objects.exists()
    subscriber = add_subscriber("ann@example.com", everything=True)
    assert client.get(f"/admin/newsletter_subscribers/copy/{subscriber.pk}/").status_code == 404
    edit = client.get(f"/admin/newsletter_subscribers/edit/{subscriber.pk}/")
    assert edit.status_code == 200
