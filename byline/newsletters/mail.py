"""The messages: a post to one subscriber, a digest, a confirmation request, each with the
headers mailbox providers require of bulk mail (RFC 2369 List-Unsubscribe, RFC 8058 one-click,
RFC 2919 List-Id). No tracking pixel and no redirected links, ever: every link in a message
is the page's own address (docs/newsletters.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from byline.newsletters import scopes, tokens
from byline.newsletters.content import RenderedPost


def _one_line(text: str) -> str:
    # Headers are one line: a title with a line break in it must not add a header.
    return " ".join(str(text).split())


def from_address() -> str:
    return settings.BYLINE_NEWSLETTERS_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL


def list_headers(
    *, email: str, scope_list: list[str], name: str, issue_id=None
) -> tuple[dict, str]:
    """The bulk-mail headers for a message to `email`, and the unsubscribe address in them."""
    unsubscribe = tokens.unsubscribe_url(email=email, scopes=scope_list, issue_id=issue_id)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        # RFC 8058: the mailbox provider POSTs "List-Unsubscribe=One-Click" to the address.
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": scopes.list_id(scope_list[0] if scope_list else scopes.ALL, name),
        "Precedence": "bulk",
    }
    return headers, unsubscribe


def post_message(
    rendered: RenderedPost, *, email: str, scope_list: list[str], list_name: str, issue_id: int
) -> EmailMultiAlternatives:
    headers, unsubscribe = list_headers(
        email=email, scope_list=scope_list, name=list_name, issue_id=issue_id
    )
    context = {
        "post": rendered,
        "list_name": list_name,
        "unsubscribe_url": unsubscribe,
        "preferences_url": tokens.manage_url(email),
        "publication": rendered.publication,
    }
    message = EmailMultiAlternatives(
        subject=_one_line(rendered.title),
        body=render_to_string("newsletters/mail/post.txt", context),
        from_email=from_address(),
        to=[email],
        headers=headers,
    )
    message.attach_alternative(render_to_string("newsletters/mail/post.html", context), "text/html")
    return message


def digest_message(
    posts: list[RenderedPost], *, email: str, scope_list: list[str], frequency_label: str
) -> EmailMultiAlternatives:
    publication = scopes.publication_name()
    headers, unsubscribe = list_headers(email=email, scope_list=scope_list, name=publication)
    context = {
        "posts": posts,
        "frequency": frequency_label,
        "unsubscribe_url": unsubscribe,
        "preferences_url": tokens.manage_url(email),
        "publication": publication,
        "list_name": publication,
    }
    count = len(posts)
    posts_noun = "new post" if count == 1 else "new posts"
    message = EmailMultiAlternatives(
        subject=_one_line(f"{publication}: your {frequency_label} digest, {count} {posts_noun}"),
        body=render_to_string("newsletters/mail/digest.txt", context),
        from_email=from_address(),
        to=[email],
        headers=headers,
    )
    message.attach_alternative(
        render_to_string("newsletters/mail/digest.html", context), "text/html"
    )
    return message


def confirmation_message(*, email: str, target: scopes.Target) -> EmailMultiAlternatives:
    context = {
        "target": target,
        "confirm_url": tokens.confirm_url(email=email, scope=target.scope),
        "hours": settings.BYLINE_NEWSLETTERS_CONFIRM_MAX_AGE // 3600,
        "publication": scopes.publication_name(),
    }
    return EmailMultiAlternatives(
        subject=_one_line(f"Please confirm: {target.name} by e-mail"),
        body=render_to_string("newsletters/mail/confirm.txt", context),
        from_email=from_address(),
        to=[email],
        # Not a list message: sent once, at the reader's request, and never again unasked.
        headers={"Auto-Submitted": "auto-replied"},
    )
