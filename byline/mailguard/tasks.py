"""Contact messages are mailed by the task worker, off the request path (django-tasks)."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django_tasks import task
from wagtail.models import Site

from byline.blogs.models import Author
from byline.mailguard.directory import contact_path


@task()
def send_contact_message(
    *, author_id: int, name: str, email: str, subject: str, message: str
) -> bool:
    """Mail a reader's message to an author. The author's address is read here, in the worker,
    so it never travels with the task; returns False when the author can no longer be written
    to (deleted, or the address removed since)."""
    author = Author.objects.filter(pk=author_id).exclude(email="").first()
    if author is None:
        return False
    site = Site.objects.filter(is_default_site=True).first()
    site_name = (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME
    body = render_to_string(
        "mailguard/mail/contact_message.txt",
        {
            "name": name,
            "email": email,
            "message": message,
            "site_name": site_name,
            "contact_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + contact_path(author.slug),
        },
    )
    EmailMessage(
        subject=f"[{site_name}] {subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((author.name, author.email))],
        # From stays the site's own address (the reader's domain would fail SPF/DMARC); a
        # reply goes to the reader.
        reply_to=[formataddr((name, email))],
    ).send()
    return True
