"""ALTCHA proof of work: the server's check of solutions, the challenge address, and comments
without a valid solution held (never refused) while it is on."""

from __future__ import annotations

import base64
import json
import time

import pytest

from byline.comments import proof_of_work
from byline.comments.models import CommentSettings, CommentStatus, ReaderComment

from .conftest import submit

pytestmark = pytest.mark.django_db


def solve(challenge: dict) -> int | None:
    """What the reader's browser does (comments/js/altcha.js): the number behind the challenge."""
    for number in range(challenge["maxnumber"] + 1):
        if proof_of_work._hash(challenge["salt"], number) == challenge["challenge"]:
            return number
    return None


def encode_solution(challenge: dict, number: int) -> str:
    """The form field's value for a solved challenge, as the browser sends it."""
    fields = {key: challenge[key] for key in ("algorithm", "challenge", "salt", "signature")}
    return encode({**fields, "number": number})


def solved(maxnumber: int = 500, **overrides) -> tuple[dict, str]:
    challenge = proof_of_work.create_challenge(maxnumber=maxnumber)
    number = solve(challenge)
    assert number is not None
    return challenge, encode_solution({**challenge, **overrides}, number)


def encode(data) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


class TestVerification:
    def test_a_valid_solution_passes_once(self):
        _, payload = solved()
        assert proof_of_work.verify_solution(payload) == ""
        assert proof_of_work.verify_solution(payload) == "replayed"

    def test_wrong_number(self):
        challenge, _ = solved()
        number = solve(challenge)
        wrong = encode_solution(challenge, number + 1)
        assert proof_of_work.verify_solution(wrong) == "wrong answer"

    def test_a_challenge_not_signed_here(self):
        _, forged = solved(signature="0" * 64)
        assert proof_of_work.verify_solution(forged) == "bad signature"

    def test_a_challenge_made_up_by_the_client(self):
        """A bot that picks its own salt and number has no signature for them."""
        salt = f"abc?expires={int(time.time()) + 60}&"
        made_up = {"algorithm": "SHA-256", "challenge": proof_of_work._hash(salt, 1)}
        payload = encode({**made_up, "salt": salt, "number": 1, "signature": "x" * 64})
        assert proof_of_work.verify_solution(payload) == "bad signature"

    def test_expired(self):
        challenge, payload = solved()
        later = time.time() + proof_of_work.CHALLENGE_TTL + 1
        assert proof_of_work.verify_solution(payload, now=later) == "expired"

    def test_expiry_cannot_be_stretched_by_moving_digits(self):
        """salt + number is one string: "…expires=T&" + "123" must not be read as
        "…expires=T&1" + "23" (the salt must end in "&"), nor the expiry edited."""
        challenge, _ = solved(maxnumber=5000)
        number = solve(challenge)
        text = f"{challenge['salt']}{number}"
        if number >= 10:
            moved = {**challenge, "salt": text[:-1]}
            payload = encode_solution(moved, int(text[-1]))
            assert proof_of_work.verify_solution(payload) == "malformed"
        later = challenge["salt"].replace("expires=", "expires=9")
        payload = encode_solution({**challenge, "salt": later}, number)
        assert proof_of_work.verify_solution(payload) == "wrong answer"

    def test_another_algorithm(self):
        _, payload = solved(algorithm="SHA-1")
        assert proof_of_work.verify_solution(payload) == "wrong algorithm"

    def test_an_expiry_of_hundreds_of_digits_is_malformed_not_an_error(self):
        """The salt is the client's until the answer is checked: its expiry overflowed."""
        challenge = proof_of_work.create_challenge(maxnumber=10)
        challenge["salt"] = "x?expires=" + "9" * 400 + "&"
        assert proof_of_work.verify_solution(encode_solution(challenge, 1)) == "malformed"

    @pytest.mark.parametrize(
        "payload",
        [
            "not base64!",
            base64.b64encode(b"\xff\xfe").decode(),
            encode([1, 2]),
            encode({"algorithm": "SHA-256"}),
            encode({"algorithm": "SHA-256", "challenge": 1, "salt": "a", "signature": "b"}),
            encode(
                {
                    "algorithm": "SHA-256",
                    "challenge": "c",
                    "salt": "a",
                    "signature": "b",
                    "number": "7",
                }
            ),  # fmt: skip
            encode(
                {
                    "algorithm": "SHA-256",
                    "challenge": "c",
                    "salt": "a",
                    "signature": "b",
                    "number": True,
                }
            ),  # fmt: skip
            encode(
                {
                    "algorithm": "SHA-256",
                    "challenge": "c",
                    "salt": "a",
                    "signature": "b",
                    "number": -1,
                }
            ),  # fmt: skip
            "A" * 5000,
            "\x00",
            # Strings no challenge made here has: compare_digest raised TypeError on the
            # first, and the lone surrogate could not be encoded to be signed.
            encode(
                {
                    "algorithm": "SHA-256",
                    "challenge": "x",
                    "salt": "y&",
                    "signature": "\u00e9",
                    "number": 1,
                }
            ),  # fmt: skip
            encode(
                {
                    "algorithm": "SHA-256",
                    "challenge": "\ud800",
                    "salt": "y&",
                    "signature": "b",
                    "number": 1,
                }
            ),  # fmt: skip
        ],
    )
    def test_malformed_is_a_reason_not_an_error(self, payload):
        assert proof_of_work.verify_solution(payload) == "malformed"

    def test_missing(self):
        assert proof_of_work.verify_solution("") == "missing"

    def test_a_salt_without_an_expiry_is_malformed(self):
        challenge = proof_of_work.create_challenge(maxnumber=10)
        payload = encode_solution({**challenge, "salt": "abc&"}, 1)
        assert proof_of_work.verify_solution(payload) == "malformed"
        # Even signed by us (only if someone changed the code): still a reason, not a 500.
        signed = {**challenge, "salt": "abc&"}
        signed["challenge"] = proof_of_work._hash("abc&", 1)
        signed["signature"] = proof_of_work._sign(signed["challenge"])
        payload = encode_solution(signed, 1)
        assert proof_of_work.verify_solution(payload) == "malformed"


class TestSwitch:
    def test_off_by_default(self, client):
        assert proof_of_work.maxnumber() == 0
        response = client.get("/comments/challenge/")
        assert response.status_code == 204
        assert response["Cache-Control"] == "no-store"

    def test_on_by_setting(self, client, settings):
        settings.BYLINE_COMMENTS_PROOF_OF_WORK = 2000
        first = client.get("/comments/challenge/")
        assert first.status_code == 200 and first["Cache-Control"] == "no-store"
        challenge = first.json()
        assert set(challenge) == {"algorithm", "challenge", "maxnumber", "salt", "signature"}
        assert challenge["maxnumber"] == 2000 and challenge["algorithm"] == "SHA-256"
        assert client.get("/comments/challenge/").json()["salt"] != challenge["salt"]

    def test_on_by_the_editors_switch(self, client, settings):
        settings.BYLINE_COMMENTS_PROOF_OF_WORK = 0
        switch = CommentSettings.load()
        switch.proof_of_work = True
        switch.proof_of_work_difficulty = 3000
        switch.save()
        assert client.get("/comments/challenge/").json()["maxnumber"] == 3000

    def test_editors_can_flip_it_in_the_admin(self, client, admin_user):
        client.force_login(admin_user)
        url = f"/admin/settings/comments/commentsettings/{CommentSettings.load().pk}/"
        assert client.get("/admin/settings/comments/commentsettings/").url == url
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "proof_of_work": "on",
                "proof_of_work_difficulty": "20000",
                "blocked_words": "",
                "blocked_addresses": "",
            },
        )
        assert response.status_code == 302
        assert proof_of_work.maxnumber() == 20000


@pytest.fixture
def pow_on(settings, policy_none):
    settings.BYLINE_COMMENTS_PROOF_OF_WORK = 500


class TestComments:
    def test_with_a_valid_solution_the_policy_decides(self, client, post, pow_on):
        _, payload = solved()
        response = submit(client, post, altcha=payload)
        comment = ReaderComment.objects.get()
        assert comment.status == CommentStatus.APPROVED and comment.moderation_note == ""
        assert response["Location"] == f"{post.url}#comment-{comment.pk}"

    @pytest.mark.parametrize(
        "payload,reason",
        [(None, "missing"), ("", "missing"), ("garbage", "malformed"), ("é\x00{}", "malformed")],
    )
    def test_without_a_valid_solution_the_comment_is_held(
        self, client, post, pow_on, payload, reason
    ):
        response = submit(client, post, altcha=payload)
        assert response.status_code == 303
        assert response["Location"] == f"/comments/post/{post.pk}/held/"
        comment = ReaderComment.objects.get()
        assert comment.status == CommentStatus.PENDING
        assert comment.moderation_note == f"no valid proof of work ({reason})"

    def test_a_replayed_solution_is_held(self, client, post, pow_on):
        _, payload = solved()
        submit(client, post, altcha=payload, body="First")
        submit(client, post, altcha=payload, body="Second", remote_addr="198.51.100.7")
        statuses = dict(ReaderComment.objects.values_list("body", "moderation_note"))
        assert statuses == {"First": "", "Second": "no valid proof of work (replayed)"}

    def test_off_means_no_check(self, client, post, policy_none):
        submit(client, post, altcha="garbage")
        assert ReaderComment.objects.get().status == CommentStatus.APPROVED

    def test_bots_are_still_spam(self, client, post, pow_on):
        _, payload = solved()
        submit(client, post, altcha=payload, phone="555 0100")
        assert ReaderComment.objects.get().status == CommentStatus.SPAM

    def test_the_form_carries_the_field_and_the_challenge_address(self, client, post):
        content = client.get(post.url).content.decode()
        assert 'data-challenge-url="/comments/challenge/"' in content
        assert 'name="altcha"' in content and "comments/js/altcha.js" in content
