"""Contact messages are mailed by the task worker, off the request path (django-tasks)."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django_tasks import task
from wagtail.models import Site

from byline.core.links import absolute_url
from byline.mailguard.directory import contact_path
from byline.mailguard.models import ContactMessage


@task()
def send_contact_message(*, message_id: int) -> bool:
    """Mail a reader's message to an author, then delete it.

    The task carries the message's id alone: what the reader wrote, their address and the
    author's are read here, in the worker, so none of them is kept with the task (the database
    backend keeps a task's arguments after it has run). Returns False when there is nothing to
    send: the reader had the message erased, the author is gone or has no address any more."""
    contact = ContactMessage.objects.select_related("author").filter(pk=message_id).first()
    if contact is None:
        return False
    author = contact.author
    if not author.email:
        contact.delete()
        return False
    site = Site.objects.filter(is_default_site=True).first()
    site_name = (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME
    body = render_to_string(
        "mailguard/mail/contact_message.txt",
        {
            "name": contact.name,
            "email": contact.email,
            "message": contact.message,
            "site_name": site_name,
            "contact_url": absolute_url(contact_path(author.slug)),
        },
    )
    EmailMessage(
        subject=f"[{site_name}] {contact.subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((author.name, author.email))],
        # From stays the site's own address (the reader's domain would fail SPF/DMARC); a
        # reply goes to the reader.
        reply_to=[formataddr((contact.name, contact.email))],
    ).send()
    # Sent: nothing of it stays. (Should the mail fail, the row waits, and a reader's data
    # request finds it.)
    contact.delete()
    return True
