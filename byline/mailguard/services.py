"""Sending a reader's message to an author."""

from __future__ import annotations

from django_tasks import TaskResult

from byline.blogs.models import Author
from byline.mailguard.tasks import send_contact_message


def contact_message_send(
    *, author: Author, name: str, email: str, subject: str, message: str
) -> TaskResult:
    """Queue the message for the task worker: the reader's page does not wait for SMTP, and the
    task carries the author's id, never their address."""
    return send_contact_message.enqueue(
        author_id=author.pk, name=name, email=email, subject=subject, message=message
    )
