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
from functools import cached_property, lru_cache
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from byline.comments import proof_of_work
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
    # The form's ALTCHA solution ("" when none came); None for a comment not from the form.
    proof_of_work: str | None = None

    @cached_property
    def editor_settings(self):
        """Settings → Comments in the admin, loaded once for all the checkers."""
        from byline.comments.models import CommentSettings

        return CommentSettings.load()


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
    """Blocked words (in name, website or text) and blocked addresses (e-mail, @domain, IP),
    from the settings and from the lists editors keep under Settings → Comments."""

    def check(self, submission: Submission) -> Finding | None:
        editors = submission.editor_settings
        words = {
            word.strip().lower()
            for word in [*settings.BYLINE_COMMENTS_BLOCKED_WORDS, *editors.blocked_word_list()]
            if word.strip()
        }
        text = " ".join([submission.name, submission.website, submission.body]).lower()
        single = {word for word in words if " " not in word}
        hits = (single & _words(text)) | {w for w in words - single if w in text}
        if hits:
            return Finding(Verdict.SPAM, "blocked word")
        email = submission.email.lower()
        for entry in [*settings.BYLINE_COMMENTS_BLOCKED_ADDRESSES, *editors.blocked_address_list()]:
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


class ProofOfWorkChecker:
    """With proof of work on, a comment without a valid ALTCHA solution waits for a moderator:
    held, never refused, since a reader without JavaScript cannot solve one."""

    def check(self, submission: Submission) -> Finding | None:
        if submission.proof_of_work is None or not proof_of_work.maxnumber(
            submission.editor_settings
        ):
            return None
        reason = proof_of_work.verify_solution(submission.proof_of_work)
        if reason:
            return Finding(Verdict.HOLD, f"no valid proof of work ({reason})")
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


# Always run, whatever BYLINE_COMMENTS_SPAM_CHECKERS lists: it has a switch of its own (off
# by default), and an editor who turns it on must not find it missing from a custom list.
ALWAYS = ("byline.comments.spam.ProofOfWorkChecker",)


def check_submission(submission: Submission) -> Finding:
    """The strictest finding of every configured checker (OK when none objects)."""
    paths = tuple(dict.fromkeys([*settings.BYLINE_COMMENTS_SPAM_CHECKERS, *ALWAYS]))
    findings = [
        finding for checker in _load(paths) if (finding := checker.check(submission)) is not None
    ]
    return max(findings, key=lambda f: f.verdict, default=Finding(Verdict.OK, ""))
