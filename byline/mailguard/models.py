"""What mailguard keeps: a reader's message to an author, only until the task worker mails it."""

from __future__ import annotations

from django.db import models


class ContactMessageQuerySet(models.QuerySet):
    def by_email(self, email: str) -> ContactMessageQuerySet:
        """The messages a reader sent from this address, however they capitalised it."""
        return self.filter(email__iexact=email.strip())


class ContactMessage(models.Model):
    """A message sent through an author's contact form and not yet mailed.

    The task that mails it is enqueued with this row's id alone and deletes the row once the
    mail has gone. django-tasks' database backend keeps every task's arguments in its result
    table for good, so a task carrying the message itself would keep what the reader wrote,
    their name and their address there long after sending."""

    author = models.ForeignKey("blogs.Author", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    subject = models.CharField(max_length=150)
    message = models.TextField(max_length=5000)
    created = models.DateTimeField(auto_now_add=True)

    objects = ContactMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        # Nothing of what the reader wrote: this shows up in logs and tracebacks.
        return f"contact message {self.pk} to author {self.author_id}"
