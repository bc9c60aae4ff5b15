"""Spam checks with no outside service, behind an interface an Akismet checker can join later.

A checker looks at a :class:`Submission` and returns a :class:`Verdict` (or None: no opinion).
The strictest verdict of all checkers wins. Checkers are listed, as dotted paths, in
``BYLINE_COMMENTS_SPAM_CHECKERS``; to add one::

    class AkismetChecker:
        def check(self, submission: Submission) -> Verdict | None:
            ...  # call the service; return Verdict.SPAM, Verdict.HOLD or None

    BYLINE_COMMENTS_SPAM_CHECKERS = [*DEFAULT_CHECKERS, "myproject.spam.AkismetChecker"]
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from byline.comments.text import count_links
from byline.core.formguard import ip_hash


class Verdict(enum.IntEnum):
    """Ordered so that max() is the strictest."""

    OK = 0
    HOLD = 1  # a moderator decides
    SPAM = 2  # kept with status spam for review, never shown


@dataclass
class Submission:
    post_id: int
    name: str
    email: str
    website: str
    body: str
    ip_hash: str
    bot_signals: list[str] = field(default_factory=list)


@dataclass
class Finding:
    verdict: Verdict
    reason: str


class SpamChecker(Protocol):
    def check(self, submission: Submission) -> Finding | None: ...


class BotSignalChecker:
    """The form guard's findings: a filled honeypot or a form sent faster than a person can."""

    def check(self, submission: Submission) -> Finding | None:
        if submission.bot_signals:
            return Finding(Verdict.SPAM, "bot: " + ", ".join(submission.bot_signals))
        return None


class LinkCountChecker:
    """More than BYLINE_COMMENTS_MAX_LINKS links: a person may mean it, so hold, not spam."""

    def check(self, submission: Submission) -> Finding | None:
        links = count_links(submission.body)
        if links > settings.BYLINE_COMMENTS_MAX_LINKS:
            return Finding(Verdict.HOLD, f"{links} links")
        return None


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


class BlocklistChecker:
    """Blocked words (in name, website or text) and blocked addresses (e-mail, @domain, IP)."""

    def check(self, submission: Submission) -> Finding | None:
        words = {word.lower() for word in settings.BYLINE_COMMENTS_BLOCKED_WORDS}
        text = " ".join([submission.name, submission.website, submission.body]).lower()
        single = {word for word in words if " " not in word}
        hits = (single & _words(text)) | {w for w in words - single if w in text}
        if hits:
            return Finding(Verdict.SPAM, "blocked word")
        email = submission.email.lower()
        for entry in settings.BYLINE_COMMENTS_BLOCKED_ADDRESSES:
            entry = entry.strip().lower()
            if not entry:
                continue
            if "@" in entry:
                if email == entry or (entry.startswith("@") and email.endswith(entry)):
                    return Finding(Verdict.SPAM, "blocked e-mail address")
            elif ip_hash(entry) == submission.ip_hash:
                return Finding(Verdict.SPAM, "blocked IP address")
        return None


class DuplicateChecker:
    """The same text posted on another post, or by someone else, within a day: a spam run.

    (The same reader sending the same text to the same post twice is not spam but a double
    click; services.comment_submit answers that with the comment already stored.)
    """

    def check(self, submission: Submission) -> Finding | None:
        from byline.comments.models import ReaderComment

        since = timezone.now() - datetime.timedelta(days=1)
        if (
            ReaderComment.objects.filter(body=submission.body, created__gte=since)
            .exclude(post_id=submission.post_id, email=submission.email)
            .exists()
        ):
            return Finding(Verdict.SPAM, "duplicate text")
        return None


DEFAULT_CHECKERS = [
    "byline.comments.spam.BotSignalChecker",
    "byline.comments.spam.BlocklistChecker",
    "byline.comments.spam.LinkCountChecker",
    "byline.comments.spam.DuplicateChecker",
]


@lru_cache(maxsize=8)
def _load(paths: tuple[str, ...]) -> list[SpamChecker]:
    return [import_string(path)() for path in paths]


def check_submission(submission: Submission) -> Finding:
    """The strictest finding of every configured checker (OK when none objects)."""
    findings = [
        finding
        for checker in _load(tuple(settings.BYLINE_COMMENTS_SPAM_CHECKERS))
        if (finding := checker.check(submission)) is not None
    ]
    return max(findings, key=lambda f: f.verdict, default=Finding(Verdict.OK, ""))
