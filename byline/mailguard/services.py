"""Sending a reader's message to an author."""

from __future__ import annotations

from byline.blogs.models import Author
from byline.mailguard.tasks import send_contact_message


def contact_message_send(
    *, author: Author, name: str, email: str, subject: str, message: str
) -> None:
    """Queue the message for the task worker: the reader's page does not wait for SMTP."""
    send_contact_message.enqueue(
        author_id=author.pk, name=name, email=email, subject=subject, message=message
    )
