"""Readers' comments on pages: the data, its states and the rules that hold whatever the caller."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import connection, models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.models import Page

from byline.comments.text import render_body
from byline.core.emails import normalize_email
from byline.core.links import page_absolute_url


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    APPROVED = "approved", "Approved"
    SPAM = "spam", "Spam"
    REMOVED = "removed", "Removed"


class CommentKind(models.TextChoices):
    """What WordPress calls the comment type. Readers write comments; pingbacks and trackbacks
    (another site announcing that it linked here) arrive only by import and are shown apart,
    as mentions, never counted as conversation."""

    COMMENT = "comment", "Comment"
    PINGBACK = "pingback", "Pingback"
    TRACKBACK = "trackback", "Trackback"


class ReaderCommentQuerySet(models.QuerySet):
    def approved(self) -> ReaderCommentQuerySet:
        return self.filter(status=CommentStatus.APPROVED)

    def conversation(self) -> ReaderCommentQuerySet:
        """Readers' comments, without pingbacks and trackbacks."""
        return self.filter(kind=CommentKind.COMMENT)

    def mentions(self) -> ReaderCommentQuerySet:
        """Pingbacks and trackbacks: other sites linking here."""
        return self.exclude(kind=CommentKind.COMMENT)

    def by_email(self, email: str) -> ReaderCommentQuerySet:
        return self.filter(email=normalize_email(email))


class ReaderComment(models.Model):
    """A reader's comment on a page (Wagtail's own `Comment` is the editors' review note).

    The page is most often a post, hence the field's name; standard pages ("About") take
    comments too, as they do in WordPress. Which page types do: byline.comments.pages.
    """

    post = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="reader_comments"
    )
    kind = models.CharField(max_length=9, choices=CommentKind.choices, default=CommentKind.COMMENT)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # 0 for a comment on the post, 1 for a reply to it, and so on up to the depth cap.
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    name = models.CharField(max_length=100)
    email = models.EmailField(help_text="Never shown to readers.")
    website = models.URLField(max_length=300, blank=True)
    body = models.TextField(help_text="As the reader wrote it: plain text.")
    body_html = models.TextField(editable=False, help_text="The body as shown: escaped, linked.")
    status = models.CharField(
        max_length=8, choices=CommentStatus.choices, default=CommentStatus.PENDING, db_index=True
    )
    # Why the spam checks held or refused it, for the moderator.
    moderation_note = models.CharField(max_length=255, blank=True, editable=False)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    notify_replies = models.BooleanField(
        default=False, help_text="E-mail the commenter when someone replies."
    )
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ReaderCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = "reader comment"
        indexes = [
            models.Index(fields=["post", "status", "created"], name="comments_post_status_idx"),
            models.Index(fields=["email"], name="comments_email_idx"),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The status as loaded, so a save can tell an approval from an edit (signal_handlers).
        self._loaded_status = self.__dict__.get("status") if self.pk else None

    def __str__(self) -> str:
        return f"{self.name}: {self.body[:60]}"

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        self.body_html = render_body(self.body)
        if self._state.adding and self.parent is not None:
            self.depth = self.parent.depth + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "email", "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.commented_page.url}#{self.anchor}"

    def get_full_url(self) -> str:
        """Under the base URL, as every link mailed (byline/core/links.py)."""
        return f"{page_absolute_url(self.commented_page)}#{self.anchor}"

    @property
    def commented_page(self):
        """The page as its own type: a post's address is dated, which the generic Page the
        foreign key loads does not know (use with_specific_pages for many comments)."""
        page = self.post
        return page.specific if type(page) is Page else page

    @property
    def is_mention(self) -> bool:
        return self.kind != CommentKind.COMMENT

    @property
    def body_excerpt(self) -> str:
        return self.body if len(self.body) <= 80 else self.body[:79] + "…"

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"


def with_specific_pages(comments: Iterable[ReaderComment]) -> list[ReaderComment]:
    """The comments, each with its page loaded as its own type, in one query per page type
    rather than one per comment (feeds and exports link to many)."""
    comments = list(comments)
    ids = {comment.post_id for comment in comments}
    pages = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()}
    for comment in comments:
        if comment.post_id in pages:
            comment.post = pages[comment.post_id]
    return comments


def approved_comment_count() -> models.expressions.Combinable:
    """An annotation for post querysets: how many approved comments each post has, as one
    subquery (no GROUP BY over Wagtail's page columns, no query per post). Pingbacks and
    trackbacks are not comments and are not counted."""
    counts = (
        ReaderComment.objects.approved()
        .conversation()
        .filter(post=models.OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return models.functions.Coalesce(models.Subquery(counts), 0)


def approved_comment_counts(post_ids: Collection[int]) -> dict[int, int]:
    """What approved_comment_count gives, for many posts in one query (posts with none are
    left out)."""
    ids = list(post_ids)
    if not ids:
        return {}
    # Written out rather than built by the ORM: every listing render asks (counts change
    # without a new content version), and building the statement cost about as much as
    # running it (bench/RESULTS.md).
    field = ReaderComment._meta.get_field
    table, post, status, kind = (
        connection.ops.quote_name(name)
        for name in (
            ReaderComment._meta.db_table,
            field("post").column,
            field("status").column,
            field("kind").column,
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {post}, COUNT(*) FROM {table} WHERE {status} = %s AND {kind} = %s "  # noqa: S608 -- names from the model; every value is a parameter
            f"AND {post} IN ({', '.join(['%s'] * len(ids))}) GROUP BY {post}",
            [CommentStatus.APPROVED.value, CommentKind.COMMENT.value, *ids],
        )
        return dict(cursor.fetchall())


def _lines(text: str) -> list[str]:
    """The entries of a one-per-line list: trimmed, lower case; blank lines and lines that
    start with # (notes to fellow editors) left out."""
    entries = (line.strip().lower() for line in (text or "").splitlines())
    return [entry for entry in entries if entry and not entry.startswith("#")]


def _validate_addresses(text: str) -> None:
    bad = []
    for entry in _lines(text):
        if "@" in entry:
            local, _, domain = entry.rpartition("@")
            if "." not in domain or " " in entry:
                bad.append(entry)
            elif local:
                try:
                    validate_email(entry)
                except ValidationError:
                    bad.append(entry)
        else:
            try:
                ipaddress.ip_address(entry)
            except ValueError:
                bad.append(entry)
    if bad:
        raise ValidationError(
            "Not an e-mail address, @domain or IP address: %(entries)s",
            params={"entries": ", ".join(bad[:5])},
            code="invalid",
        )


@register_setting(icon="comment")
class CommentSettings(BaseGenericSetting):
    """Spam defences editors can change without a deploy, for every site of the install (the
    spam checkers see a comment, not the site it came through)."""

    proof_of_work = models.BooleanField(
        default=False,
        verbose_name="Ask for proof of work",
        help_text="Switch on while the site is under a spam attack: readers' browsers solve a "
        "small puzzle while they type, which costs a spammer dearly at volume. Comments "
        "without a solution (no JavaScript) are held for moderation, never refused.",
    )
    proof_of_work_difficulty = models.PositiveIntegerField(
        default=50_000,
        validators=[MinValueValidator(1_000), MaxValueValidator(10_000_000)],
        help_text="How many numbers a browser may have to try; half that on average. "
        "50,000 takes a phone about a second.",
    )
    blocked_words = models.TextField(
        blank=True,
        help_text="One word or phrase per line (# starts a note). Comments containing one are "
        "kept as spam. Adds to the BYLINE_COMMENTS_BLOCKED_WORDS setting.",
    )
    blocked_addresses = models.TextField(
        blank=True,
        validators=[_validate_addresses],
        help_text="One per line: an e-mail address (spam@example.com), a domain "
        "(@example.com) or an IP address. Comments from them are kept as spam. "
        "Adds to the BYLINE_COMMENTS_BLOCKED_ADDRESSES setting.",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("proof_of_work"), FieldPanel("proof_of_work_difficulty")],
            heading="Proof of work",
        ),
        MultiFieldPanel(
            [FieldPanel("blocked_words"), FieldPanel("blocked_addresses")], heading="Blocklists"
        ),
    ]

    class Meta:
        verbose_name = "comments"

    def blocked_word_list(self) -> list[str]:
        return _lines(self.blocked_words)

    def blocked_address_list(self) -> list[str]:
        # IP addresses in their canonical form, as the request gives them (IPv6 above all).
        return [_canonical_address(entry) for entry in _lines(self.blocked_addresses)]


def _canonical_address(entry: str) -> str:
    if "@" in entry:
        return entry
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return entry
