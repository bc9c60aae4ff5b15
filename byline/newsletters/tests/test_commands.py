"""CSV import and export, and readers' data requests, as management commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from byline.comments.tests.conftest import add_comment
from byline.newsletters.models import Subscriber, SubscriberStatus, Subscription

from .conftest import add_subscriber, fresh_post, sign_up
from .test_signup import confirm_path

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def statuses() -> dict[str, str]:
    return dict(Subscriber.objects.values_list("email", "status"))


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "mailchimp.csv",
            {
                "ann@example.com": SubscriberStatus.CONFIRMED,  # CONFIRM_TIME says so
                "bob@example.com": SubscriberStatus.PENDING,  # nothing says so
                "carol@example.com": SubscriberStatus.UNSUBSCRIBED,  # UNSUB_TIME
            },
        ),
        (
            "substack.csv",
            {
                "sue@example.com": SubscriberStatus.PENDING,
                "sam@example.com": SubscriberStatus.UNSUBSCRIBED,
            },
        ),
        (
            "ghost.csv",
            {
                "gia@example.com": SubscriberStatus.CONFIRMED,
                "gus@example.com": SubscriberStatus.UNSUBSCRIBED,
            },
        ),
        (
            "jetpack.csv",
            {
                "wes@example.com": SubscriberStatus.CONFIRMED,
                "will@example.com": SubscriberStatus.PENDING,
            },
        ),
    ],
)
def test_import_detects_each_export(tree, name, expected):
    out, err = run("subscribers", "import", str(FILES / name), "--blog", tree.blog.slug)
    assert statuses() == expected
    assert Subscription.objects.filter(blog=tree.blog).count() == len(expected)
    assert name.split(".")[0].replace("jetpack", "wordpress") in out
    if name == "mailchimp.csv":
        assert "line 5: not an e-mail address" in err


def test_import_dry_run_and_never_resubscribes_who_left(tree):
    run("subscribers", "import", str(FILES / "mailchimp.csv"), "--all", "--dry-run")
    assert not Subscriber.objects.exists()
    add_subscriber("carol@example.com", everything=True)  # confirmed here, left in Mailchimp
    add_subscriber("bob@example.com", everything=True)  # confirmed here, unconfirmed there
    run("subscribers", "import", str(FILES / "mailchimp.csv"), "--all")
    assert statuses()["carol@example.com"] == SubscriberStatus.UNSUBSCRIBED
    assert statuses()["bob@example.com"] == SubscriberStatus.CONFIRMED


def test_an_unconfirmed_import_adds_no_list_to_a_confirmed_subscriber(
    tree, mailserver, django_capture_on_commit_callbacks
):
    """bob@ is confirmed here for the author; Mailchimp does not say he confirmed the blog:
    he gets nothing more, while ann@, whom the file calls confirmed, gets the blog."""
    add_subscriber("bob@example.com", author=tree.author)
    add_subscriber("ann@example.com", author=tree.author)
    out, _ = run("subscribers", "import", str(FILES / "mailchimp.csv"), "--blog", tree.blog.slug)
    assert "1 confirmed here for other lists get nothing from this one" in out
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(tree.blog)  # in the blog, not by the author
    assert [m["X-Envelope-To"] for m in mailserver.messages] == ["ann@example.com"]


def test_an_imported_list_waits_for_its_own_confirmation(
    client, tree, mailserver, django_capture_on_commit_callbacks
):
    """bob@ is imported unconfirmed for the blog, then confirms the author's column through
    the form: he gets the author, not the blog, until he confirms the blog too."""
    run("subscribers", "import", str(FILES / "mailchimp.csv"), "--blog", tree.blog.slug)
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, f"author:{tree.author.pk}", email="bob@example.com")
    client.post(confirm_path(mailserver.to("bob@example.com")[0]))
    assert statuses()["bob@example.com"] == SubscriberStatus.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(tree.blog, title="Blog only")
    assert [m["Subject"] for m in mailserver.to("bob@example.com")] == [
        "Please confirm: Scott Bekker by e-mail"
    ]
    # Asking for the blog is not "already subscribed": a confirmation mail comes.
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, f"blog:{tree.blog.pk}", email="bob@example.com")
    confirmation = mailserver.to("bob@example.com")[-1]
    assert "Bekker's Blog" in confirmation["Subject"]
    client.post(confirm_path(confirmation))
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(tree.blog, title="Now for the blog")
    assert mailserver.to("bob@example.com")[-1]["Subject"] == "Now for the blog"


def test_import_bad_files(tree, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,phone\nAnn,555\n")
    with pytest.raises(CommandError, match="no e-mail column"):
        run("subscribers", "import", str(bad), "--all")
    with pytest.raises(CommandError, match="no such file"):
        run("subscribers", "import", str(tmp_path / "missing.csv"), "--all")
    with pytest.raises(CommandError, match="no blog"):
        run("subscribers", "import", str(FILES / "ghost.csv"), "--blog", "nope")


def test_export_csv(tree):
    add_subscriber("ann@example.com", blog=tree.blog)
    add_subscriber("bob@example.com", everything=True, status=SubscriberStatus.UNSUBSCRIBED)
    out, _ = run("subscribers", "export-csv", "--status", "confirmed")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["email"], r["lists"]) for r in rows] == [("ann@example.com", "Bekker's Blog")]


def test_data_requests_by_subscribers_and_comments_commands(
    tree, mailserver, django_capture_on_commit_callbacks
):
    add_subscriber("Ann@Example.com", blog=tree.blog)
    with django_capture_on_commit_callbacks(execute=True):
        post = fresh_post(tree.blog)
    add_comment(post, email="ann@example.com")
    out, _ = run("subscribers", "export", "ann@example.com")
    [record] = json.loads(out)["newsletter_subscriptions"]
    assert record["subscriptions"][0]["to"] == "Bekker's Blog"
    assert record["posts_mailed"][0]["status"] == "sent"
    # The comments' data request includes subscriptions (core.datarequests).
    out, _ = run("comments", "export", "ann@example.com")
    assert json.loads(out)["newsletter_subscriptions"][0]["email"] == "ann@example.com"
    out, _ = run("comments", "erase", "ann@example.com")
    assert "erased 1 newsletter subscriber record by ann@example.com" in out
    assert not Subscriber.objects.exists()
    out, _ = run("subscribers", "erase", "ann@example.com")
    assert "erased 0 subscriber records" in out
    with pytest.raises(CommandError):
        run("subscribers", "erase", "not an address")


def test_lists_recorded_before_are_off_until_confirmed(tree):
    """The migration for lists imported before each list had its own confirmation: those of
    subscribers still waiting to confirm start off; a confirmed subscriber's stay on, and so
    do those of one who left or was suppressed (suppressed in error, they are reinstated
    with their lists)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "byline.newsletters.migrations.0003_imported_lists_wait_for_confirmation"
    )
    add_subscriber("bob@example.com", blog=tree.blog, status=SubscriberStatus.PENDING)
    add_subscriber("carol@example.com", blog=tree.blog, status=SubscriberStatus.UNSUBSCRIBED)
    add_subscriber("dan@example.com", blog=tree.blog, status=SubscriberStatus.SUPPRESSED)
    add_subscriber("ann@example.com", blog=tree.blog)
    migration.forwards(apps, None)
    assert dict(Subscription.objects.values_list("subscriber__email", "confirmed")) == {
        "ann@example.com": True,
        "bob@example.com": False,
        "carol@example.com": True,
        "dan@example.com": True,
    }
