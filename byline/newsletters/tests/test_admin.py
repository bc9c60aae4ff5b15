"""The editors' side: the Newsletter action on a post (preview, test, switch), the overview
of lists and issues, the subscriber list."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from byline.newsletters.models import Issue, PostSending

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
