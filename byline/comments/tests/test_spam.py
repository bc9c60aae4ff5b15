"""Spam defence with no outside service: every check, through the form, kept for review."""

from __future__ import annotations

import time

import pytest

from byline.comments import spam
from byline.comments.models import CommentStatus, ReaderComment
from byline.core import formguard
from tests.factories import make_post

from .conftest import add_comment, submit

pytestmark = pytest.mark.django_db


def only_comment() -> ReaderComment:
    return ReaderComment.objects.get()


class TestBots:
    def test_honeypot_is_kept_as_spam_and_answered_like_a_held_comment(
        self, client, post, policy_none
    ):
        response = submit(client, post, phone="555 0100")
        assert response.status_code == 303
        assert response["Location"] == f"/comments/post/{post.pk}/held/"
        assert only_comment().status == CommentStatus.SPAM
        assert "honeypot" in only_comment().moderation_note

    def test_form_sent_faster_than_a_person_is_spam(self, client, post, policy_none):
        submit(client, post, formguard_token=formguard.form_token("comments.comment"))
        assert only_comment().status == CommentStatus.SPAM
        assert "too_fast" in only_comment().moderation_note

    def test_slower_than_the_minimum_is_never_refused_for_time(self, client, post, policy_none):
        token = formguard.form_token("comments.comment", now=time.time() - 3.5)
        submit(client, post, formguard_token=token)
        assert only_comment().status == CommentStatus.APPROVED

    def test_cross_site_post_is_refused_and_not_stored(self, client, post):
        for headers in [
            {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
            {"Origin": "null"},
        ]:
            response = submit(client, post, headers=headers)
            assert response.status_code == 403
        assert not ReaderComment.objects.exists()

    def test_rate_limit_per_address(self, client, post, settings):
        settings.BYLINE_COMMENTS_RATE_LIMIT = "2/h"
        assert submit(client, post, body="one").status_code == 303
        assert submit(client, post, body="two").status_code == 303
        refused = submit(client, post, body="three")
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert submit(client, post, body="four", remote_addr="198.51.100.2").status_code == 303
        assert ReaderComment.objects.count() == 3

    def test_an_ipv6_64_shares_one_rate_limit(self, client, post, settings):
        """A reader picks any address of their /64 at will (RFC 8981): one address to count."""
        settings.BYLINE_COMMENTS_RATE_LIMIT = "2/h"
        assert submit(client, post, body="one", remote_addr="2001:db8:1:2::a").status_code == 303
        assert submit(client, post, body="two", remote_addr="2001:db8:1:2::b").status_code == 303
        refused = submit(client, post, body="three", remote_addr="2001:db8:1:2:ffff::c")
        assert refused.status_code == 429
        assert submit(client, post, body="four", remote_addr="2001:db8:1:3::a").status_code == 303


class TestContent:
    def test_more_than_two_links_is_held_even_without_moderation(self, client, post, policy_none):
        submit(client, post, body="http://a.example http://b.example http://c.example")
        assert only_comment().status == CommentStatus.PENDING
        assert only_comment().moderation_note == "3 links"

    def test_two_links_pass(self, client, post, policy_none):
        submit(client, post, body="http://a.example and www.b.example")
        assert only_comment().status == CommentStatus.APPROVED

    def test_link_limit_is_a_setting(self, client, post, policy_none, settings):
        settings.BYLINE_COMMENTS_MAX_LINKS = 0
        submit(client, post, body="http://a.example")
        assert only_comment().status == CommentStatus.PENDING

    def test_same_text_on_another_post_is_spam(self, client, post, policy_none):
        add_comment(make_post(post.get_parent().specific), body="Buy cheap things now")
        submit(client, post, body="Buy cheap things now")
        assert ReaderComment.objects.get(post=post).status == CommentStatus.SPAM

    def test_same_text_by_someone_else_on_the_same_post_is_spam(self, client, post, policy_none):
        add_comment(post, body="Great post", email="other@example.com")
        submit(client, post, body="Great post")
        assert ReaderComment.objects.get(email="ann@example.com").status == CommentStatus.SPAM


class TestBlocklists:
    @pytest.mark.parametrize(
        "fields",
        [{"body": "cheap CASINO bonus"}, {"name": "Casino King"}, {"body": "visit  bad phrase"}],
    )
    def test_blocked_words(self, client, post, policy_none, settings, fields):
        settings.BYLINE_COMMENTS_BLOCKED_WORDS = ["casino", "bad phrase"]
        submit(client, post, **fields)
        assert only_comment().status == CommentStatus.SPAM

    def test_blocked_word_is_a_whole_word(self, client, post, policy_none, settings):
        settings.BYLINE_COMMENTS_BLOCKED_WORDS = ["ass"]
        submit(client, post, body="A classic assessment.")
        assert only_comment().status == CommentStatus.APPROVED

    @pytest.mark.parametrize(
        "entry,fields",
        [
            ("ann@example.com", {}),
            ("@example.com", {}),
            ("203.0.113.10", {}),
        ],
    )
    def test_blocked_addresses(self, client, post, policy_none, settings, entry, fields):
        settings.BYLINE_COMMENTS_BLOCKED_ADDRESSES = [entry]
        submit(client, post, **fields)
        assert only_comment().status == CommentStatus.SPAM

    @pytest.mark.parametrize(
        ("entry", "remote_addr"),
        [("2001:db8:1:2::1", "2001:db8:1:2:abcd::9"), ("203.0.113.10", "::ffff:203.0.113.10")],
    )
    def test_a_blocked_ipv6_address_blocks_its_64(
        self, client, post, policy_none, settings, entry, remote_addr
    ):
        settings.BYLINE_COMMENTS_BLOCKED_ADDRESSES = [entry]
        submit(client, post, remote_addr=remote_addr)
        assert only_comment().status == CommentStatus.SPAM
        assert only_comment().moderation_note == "blocked IP address"

    def test_a_blocked_ipv6_address_leaves_other_64s_alone(
        self, client, post, policy_none, settings
    ):
        settings.BYLINE_COMMENTS_BLOCKED_ADDRESSES = ["2001:db8:1:2::1"]
        submit(client, post, remote_addr="2001:db8:1:3::1")
        assert only_comment().status == CommentStatus.APPROVED

    def test_unlisted_address_passes(self, client, post, policy_none, settings):
        settings.BYLINE_COMMENTS_BLOCKED_ADDRESSES = ["@spam.example", "192.0.2.1"]
        submit(client, post)
        assert only_comment().status == CommentStatus.APPROVED


class ShoutChecker:
    """A stand-in for an outside service such as Akismet: holds text in capitals."""

    def check(self, submission: spam.Submission) -> spam.Finding | None:
        if submission.body.isupper():
            return spam.Finding(spam.Verdict.HOLD, "shouting")
        return None


def test_pluggable_checker(client, post, policy_none, settings):
    settings.BYLINE_COMMENTS_SPAM_CHECKERS = [
        *spam.DEFAULT_CHECKERS,
        "byline.comments.tests.test_spam.ShoutChecker",
    ]
    submit(client, post, body="I AM RIGHT")
    submit(client, post, body="I am right")
    statuses = dict(ReaderComment.objects.values_list("body", "status"))
    assert statuses == {"I AM RIGHT": CommentStatus.PENDING, "I am right": CommentStatus.APPROVED}
    assert ReaderComment.objects.get(body="I AM RIGHT").moderation_note == "shouting"


def test_strictest_finding_wins(settings, db):
    settings.BYLINE_COMMENTS_BLOCKED_WORDS = ["casino"]
    finding = spam.check_submission(
        spam.Submission(
            post_id=1,
            name="x",
            email="x@example.com",
            website="",
            body="casino http://a.example http://b.example http://c.example",
            ip_hash="",
        )
    )
    assert finding.verdict == spam.Verdict.SPAM


class TestEditorBlocklists:
    """The lists editors keep under Settings → Comments, on top of the settings' lists."""

    @pytest.fixture
    def lists(self, db):
        from byline.comments.models import CommentSettings

        def set_lists(*, words: str = "", addresses: str = "") -> None:
            editor_settings = CommentSettings.load()
            editor_settings.blocked_words = words
            editor_settings.blocked_addresses = addresses
            editor_settings.save()

        return set_lists

    @pytest.mark.parametrize(
        "fields",
        [
            {"body": "Cheap CASINO bonus"},
            {"website": "https://pills.example"},
            {"body": "so  a b c then"},
        ],
    )
    def test_blocked_words(self, client, post, policy_none, lists, fields):
        lists(words="# spam runs of November\ncasino\n\n  PILLS  \na b c\n")
        submit(client, post, **fields)
        assert only_comment().status == CommentStatus.SPAM
        assert only_comment().moderation_note == "blocked word"

    @pytest.mark.parametrize(
        "addresses,remote_addr,note",
        [
            ("ANN@example.com", "203.0.113.10", "blocked e-mail address"),
            ("@Example.com", "203.0.113.10", "blocked e-mail address"),
            ("203.0.113.10", "203.0.113.10", "blocked IP address"),
            ("2001:0db8:0000::0001", "2001:db8::1", "blocked IP address"),
        ],
    )
    def test_blocked_addresses(
        self, client, post, policy_none, lists, addresses, remote_addr, note
    ):
        lists(addresses=f"# known offenders\n{addresses}\n")
        submit(client, post, remote_addr=remote_addr)
        assert only_comment().status == CommentStatus.SPAM
        assert only_comment().moderation_note == note

    def test_both_lists_apply(self, client, post, policy_none, settings, lists):
        settings.BYLINE_COMMENTS_BLOCKED_WORDS = ["casino"]
        lists(words="pills")
        submit(client, post, body="casino")
        submit(client, post, body="pills", remote_addr="198.51.100.2")
        submit(client, post, body="poker", remote_addr="198.51.100.3")
        statuses = dict(ReaderComment.objects.values_list("body", "status"))
        assert statuses == {
            "casino": CommentStatus.SPAM,
            "pills": CommentStatus.SPAM,
            "poker": CommentStatus.APPROVED,
        }

    def test_unlisted_passes(self, client, post, policy_none, lists):
        lists(words="casino", addresses="@spam.example\n192.0.2.1")
        submit(client, post)
        assert only_comment().status == CommentStatus.APPROVED

    def test_admin_form_rejects_what_is_not_an_address(self, client, admin_user):
        from byline.comments.models import CommentSettings

        client.force_login(admin_user)
        url = f"/admin/settings/comments/commentsettings/{CommentSettings.load().pk}/"
        data = {
            "proof_of_work_difficulty": "50000",
            "blocked_words": "casino",
            "blocked_addresses": "spam@example.com\n@spam.example\n10.0.0.0/8\nnot an address",
        }
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Not an e-mail address, @domain or IP address: 10.0.0.0/8, not an address" in (
            response.content.decode()
        )
        assert CommentSettings.load().blocked_words == ""
        data["blocked_addresses"] = "spam@example.com\n@spam.example\n192.0.2.1\n::1"
        assert client.post(url, data).status_code == 302
        assert CommentSettings.load().blocked_address_list() == [
            "spam@example.com",
            "@spam.example",
            "192.0.2.1",
            "::1",
        ]
