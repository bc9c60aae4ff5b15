"""Template tags for authors' addresses: the protected link, and who can be written to."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from byline.blogs.models import Author
from byline.mailguard.directory import contact_path
from byline.mailguard.protect import Contact, fresh_key, protected_element

register = template.Library()


@register.simple_tag
def protected_email(author: Author | None, label: str | None = None) -> SafeString:
    """The author's address as mailguard renders it: a link to their contact page labelled
    "e-mail <name>" (or `label`) that mailguard.js turns into a mailto: link; as it is when
    public."""
    if author is None or not author.email:
        return mark_safe("")
    if author.email_is_public:
        return format_html('<a href="mailto:{}">{}</a>', author.email, author.email)
    contact = Contact(name=author.name, path=contact_path(author.slug))
    # A fresh key each time the tag renders: cached pages keep theirs, new renders differ.
    return mark_safe(protected_element(author.email, contact, key=fresh_key(), label=label))


@register.simple_tag
def authors_with_email(authors) -> list[Author]:
    """The authors readers can write to (``{% authors_with_email page.authors as writers %}``)."""
    return [author for author in authors or () if author.email]


@register.filter
def any_protected(authors) -> bool:
    """Whether a reader without JavaScript sees one of these authors' addresses only as a link
    to their contact page (``{% if writers|any_protected %}``)."""
    return any(not author.email_is_public for author in authors)
