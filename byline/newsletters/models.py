"""Subscribers, what they subscribed to, each post's mailing and its delivery to each reader."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from byline.core.emails import normalize_email


def email_forms(email: str) -> list[str]:
    """The ways one address may be stored: normalised, with its domain as typed, in Unicode
    and in ASCII (IDNA). Mail goes out with the ASCII form (bücher.example is
    xn--bcher-kva.example on the wire), so a bounce or a request may name either."""
    email = normalize_email(email)
    local, at, domain = email.rpartition("@")
    if not at:
        return [email]
    forms = {email}
    try:
        if domain.isascii():
            forms.add(f"{local}@{domain.encode('ascii').decode('idna')}")
        else:
            forms.add(f"{local}@{domain.encode('idna').decode('ascii')}")
    except UnicodeError:
        pass  # not a name IDNA can convert: only the form given
    return sorted(forms)


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Not confirmed"  # imported from a file that did not say confirmed
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    SUPPRESSED = "suppressed", "Suppressed (bounced or complained)"


class Frequency(models.TextChoices):
    EACH_POST = "each", "Each post as it is published"
    DAILY = "daily", "A daily digest"
    WEEKLY = "weekly", "A weekly digest"


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self) -> SubscriberQuerySet:
        return self.filter(status=SubscriberStatus.CONFIRMED)

    def by_email(self, email: str) -> SubscriberQuerySet:
        return self.filter(email__in=email_forms(email))


class Subscriber(models.Model):
    """One reader's address. No subscriber is stored for a sign-up until its link is followed
    (double opt-in): the confirmation link itself carries the address and the choice (the
    address waits in a ConfirmationRequest only until that mail is sent)."""

    email = models.EmailField(max_length=254, unique=True)
    status = models.CharField(
        max_length=20, choices=SubscriberStatus.choices, default=SubscriberStatus.CONFIRMED
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.EACH_POST
    )
    source = models.CharField(max_length=40, default="form", help_text="form, or import:<format>")
    created = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=255, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        return super().save(*args, **kwargs)


class Subscription(models.Model):
    """A subscriber's column (blog), author, or, with neither, the whole publication."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    blog = models.ForeignKey(
        "blogs.BlogPage", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(
        "blogs.Author", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    # A list imported from a file that does not say the reader confirmed it waits here, off,
    # until the reader confirms that list themselves (services.subscription_confirm).
    confirmed = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(blog__isnull=True) | Q(author__isnull=True),
                name="newsletters_subscription_one_target",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "blog"],
                condition=Q(blog__isnull=False),
                name="newsletters_subscription_unique_blog",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "author"],
                condition=Q(author__isnull=False),
                name="newsletters_subscription_unique_author",
            ),
            models.UniqueConstraint(
                fields=["subscriber"],
                condition=Q(blog__isnull=True, author__isnull=True),
                name="newsletters_subscription_unique_all",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} → {self.target_name}"

    @property
    def scope(self) -> str:
        if self.blog_id:
            return f"blog:{self.blog_id}"
        if self.author_id:
            return f"author:{self.author_id}"
        return "all"

    @property
    def target_name(self) -> str:
        if self.blog_id:
            return self.blog.title
        if self.author_id:
            return self.author.name
        return "Everything we publish"


class PostSending(models.Model):
    """An editor's choice for one post: not to e-mail it. Keyed by page, so that the choice
    can be made on a draft before it goes live."""

    page = models.OneToOneField(Page, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=True, help_text="E-mail this post to its subscribers.")
    changed = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.page}: {'send' if self.enabled else 'do not send'}"


class Issue(models.Model):
    """A post's one mailing: made when the post first goes live; never twice for one post."""

    page = models.OneToOneField(Page, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    # Recipients are listed (one Delivery each) by the worker, not in the editor's request.
    listed = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # One worker at a time sends an issue; a worker that died lets go when this passes.
    lease_until = models.DateTimeField(null=True, blank=True)
    # The mail server refused the message itself (a 5xx not about one recipient): nothing
    # more goes out until an editor resumes it (admin_views.post_resume).
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return str(self.page)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    DIGEST = "digest", "Waiting for the reader's digest"
    SENDING = "sending", "Handed to the mail server"  # left so only if the worker died then
    SENT = "sent", "Sent"
    RETRY = "retry", "Temporary failure, will retry"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Delivery(models.Model):
    """One issue to one subscriber: the record that makes a resumed send skip who already
    has it. At most one per pair (the constraint), so nobody can get a post twice."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    in_digest = models.BooleanField(default=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletters_delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["issue", "status"], name="newsletters_delivery_issue"),
            models.Index(fields=["subscriber", "status"], name="newsletters_delivery_reader"),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.issue} → {self.subscriber}: {self.status}"


class DigestClock(models.Model):
    """When the next daily or weekly digest run is due, so that it is enqueued once."""

    frequency = models.CharField(max_length=10, choices=Frequency.choices, unique=True)
    next_run_at = models.DateTimeField()
    # One worker at a time sends a frequency's digests; a worker that died lets go when this
    # passes.
    lease_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.frequency} at {self.next_run_at}"


class ConfirmationRequest(models.Model):
    """A sign-up whose confirmation mail the task worker has yet to send.

    The task is enqueued with this row's id alone and deletes the row when it runs:
    django-tasks' database backend keeps every task's arguments in its result table for good,
    and the address of someone who never confirmed must not stay there."""

    email = models.EmailField(max_length=254)
    scope = models.CharField(max_length=40)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        # Not the address: this shows up in logs and tracebacks.
        return f"confirmation request {self.pk}"
