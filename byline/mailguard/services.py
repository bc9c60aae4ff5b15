"""Sending a reader's message to an author, and a reader's data requests for what is kept."""

from __future__ import annotations

from django.db import transaction
from django_tasks import TaskResult

from byline.blogs.models import Author
from byline.mailguard.models import ContactMessage
from byline.mailguard.tasks import send_contact_message


def contact_message_send(
    *, author: Author, name: str, email: str, subject: str, message: str
) -> TaskResult:
    """Keep the message until it is mailed and queue it for the task worker: the reader's page
    does not wait for SMTP, and the task carries the message's id, never its text or anyone's
    address. One transaction, so there is never a message without its task or the reverse."""
    with transaction.atomic():
        contact = ContactMessage.objects.create(
            author=author, name=name, email=email, subject=subject, message=message
        )
        return send_contact_message.enqueue(message_id=contact.pk)


def contact_messages_export(*, email: str) -> list[dict]:
    """The messages from this address not yet mailed (sent ones are not kept)."""
    return [
        {
            "id": contact.pk,
            "to_author": contact.author.name,
            "name": contact.name,
            "email": contact.email,
            "subject": contact.subject,
            "message": contact.message,
            "created": contact.created.isoformat(),
        }
        for contact in ContactMessage.objects.by_email(email).select_related("author")
    ]


def contact_messages_erase(*, email: str, dry_run: bool = False) -> int:
    """Delete the messages from this address not yet mailed; their tasks then send nothing."""
    messages = ContactMessage.objects.by_email(email)
    count = messages.count()
    if not dry_run:
        messages.delete()
    return count
