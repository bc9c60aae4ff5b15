"""ALTCHA proof of work for sites under attack: challenges, and the check of their solutions.

The ALTCHA protocol (https://altcha.org/docs/server-integration/), in plain Python:

- The server picks a random ``salt`` and a secret number ``n`` no greater than ``maxnumber``
  and sends ``{"algorithm": "SHA-256", "challenge": sha256(salt + str(n)), "maxnumber": M,
  "salt": salt, "signature": HMAC(challenge)}``.
- The reader's browser tries 0, 1, 2, … until ``sha256(salt + str(i))`` matches, and puts
  ``base64(JSON({algorithm, challenge, number: i, salt, signature}))`` in the form.
- The server checks that it signed the challenge, that the salt's ``?expires=<unix time>`` has
  not passed, that the number hashes to the challenge, and that the solution was not used
  before (remembered in the shared cache until it expires).

The expiry needs no signature of its own: it is part of the salt, hashed into the signed
challenge, so changing it breaks the match. The salt ends with "&": otherwise digits could
move from the end of the number into the expiry ("…expires=100" + "12345" hashes like
"…expires=1001234" + "5") and a solution would outlive its hour (the ALTCHA libraries close
that hole the same way). One solution costs a browser about M/2 hashes and the server two.

It is off unless ``BYLINE_COMMENTS_PROOF_OF_WORK`` (the difficulty, M) is set or an editor
switches it on under Settings → Comments. A comment without a valid solution is never
refused for it (readers without JavaScript must still be heard): it waits for a moderator.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from urllib.parse import parse_qs

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from byline.comments.models import CommentSettings

ALGORITHM = "SHA-256"
# Long enough for a reader to write a long comment; comments.js's solver fetches a new
# challenge before this runs out on a page left open.
CHALLENGE_TTL = 3600
# Used when an editor switches it on and the setting gives no difficulty: a second or so of
# a phone's time, on average, and a bot's too, for every comment it sends.
DEFAULT_MAXNUMBER = 50_000
MAX_PAYLOAD = 2000
_HMAC_SALT = "byline.comments.proof-of-work"
_REPLAY_PREFIX = "byline:comments:pow:"


def maxnumber(editor_settings=None) -> int:
    """The difficulty in force; 0 when proof of work is off."""
    configured = settings.BYLINE_COMMENTS_PROOF_OF_WORK
    switch = editor_settings or CommentSettings.load()
    if switch.proof_of_work:
        return switch.proof_of_work_difficulty or configured or DEFAULT_MAXNUMBER
    return max(configured, 0)


def _sign(challenge: str) -> str:
    # A key of its own derived from SECRET_KEY: a signature made here is good for nothing else.
    return salted_hmac(_HMAC_SALT, challenge, algorithm="sha256").hexdigest()


def _hash(salt: str, number: int) -> str:
    return hashlib.sha256(f"{salt}{number}".encode()).hexdigest()


def create_challenge(*, maxnumber: int, now: float | None = None) -> dict:
    """A new signed challenge, as the JSON the browser's solver reads."""
    expires = int((time.time() if now is None else now) + CHALLENGE_TTL)
    salt = f"{secrets.token_hex(12)}?expires={expires}&"
    challenge = _hash(salt, secrets.randbelow(maxnumber + 1))
    return {
        "algorithm": ALGORITHM,
        "challenge": challenge,
        "maxnumber": maxnumber,
        "salt": salt,
        "signature": _sign(challenge),
    }


def verify_solution(payload: str, *, now: float | None = None) -> str:
    """Why `payload` is not a valid, fresh, first-time solution; "" when it is one.

    Never raises on what a client sent: every malformed payload is a reason, not an error.
    """
    if not payload:
        return "missing"
    if len(payload) > MAX_PAYLOAD:
        return "malformed"
    try:
        data = json.loads(base64.b64decode(payload, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return "malformed"
    if not isinstance(data, dict):
        return "malformed"
    challenge, salt, signature = data.get("challenge"), data.get("salt"), data.get("signature")
    number = data.get("number")
    # ASCII only, as every challenge made here is: compare_digest refuses other strings with
    # TypeError, and a lone surrogate cannot even be encoded to be signed.
    if not all(
        isinstance(value, str) and value.isascii() for value in (challenge, salt, signature)
    ):
        return "malformed"
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= 10**9:
        return "malformed"
    if data.get("algorithm") != ALGORITHM:
        return "wrong algorithm"
    if not hmac.compare_digest(_sign(challenge), signature):
        return "bad signature"
    expires = parse_qs(salt.partition("?")[2]).get("expires", [""])[0]
    # The salt is not signed (the challenge is): until the answer below shows it is the one
    # made here, its expiry is the client's, and a 400-digit one overflowed the float
    # arithmetic below (a 500). A real one is ten digits.
    if (
        not salt.endswith("&")
        or not expires.isascii()
        or not expires.isdigit()
        or len(expires) > 12
    ):
        return "malformed"
    remaining = min(int(expires) - (time.time() if now is None else now), CHALLENGE_TTL)
    if remaining <= 0:
        return "expired"
    if not hmac.compare_digest(_hash(salt, number), challenge):
        return "wrong answer"
    # With Redis, cache.add is one SET NX: of two requests sending the same solution at once,
    # one wins. The one-box file cache checks then writes, so two racing copies could both
    # pass; a bot gains one comment from that, not a reusable solution.
    if not cache.add(f"{_REPLAY_PREFIX}{challenge}", 1, timeout=int(remaining) + 1):
        return "replayed"
    return ""
