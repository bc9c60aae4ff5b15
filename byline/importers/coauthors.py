"""Co-Authors Plus: guest authors and the ordered bylines of posts, in and out of WXR.

The plugin keeps each post's bylines as terms of its `author` taxonomy, slugged
"cap-<user_nicename>" (a WordPress user's or a guest author's), and each guest author as an
item of type `guest-author` whose post meta is the profile: "cap-display_name",
"cap-user_login", "cap-user_email", "cap-website", "cap-description", "cap-linked_account"
(the fields class-coauthors-guest-authors.php defines, stored as "cap-" + field). WordPress's
exporter writes both as it writes any custom post type and taxonomy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.text import slugify

from byline.blogs.models import Author, PostPage, PostPageAuthor, is_web_url
from byline.importers.wxr import WPAuthor, WPItem

if TYPE_CHECKING:
    from byline.importers.scan import ScannedFile
    from byline.importers.state import ImportState

TERM_PREFIX = "cap-"


def term_slug(login: str) -> str:
    """The author term of a login, as Co-Authors Plus writes it ("cap-" + its nicename)."""
    return TERM_PREFIX + (slugify(login, allow_unicode=True) or login).lower()


def import_guest_authors(state: ImportState, scanned: ScannedFile) -> None:
    """An Author per guest author (profile kept), and which Author each author term on the
    posts names: after terms.import_authors(), whose WordPress users a term may name."""
    for login, author in state.author_ids.items():
        state.coauthor_ids[term_slug(login)] = author
    for login, guest in scanned.guest_authors.items():
        linked = state.author_ids.get(guest.linked_account) if guest.linked_account else None
        if linked:  # the guest author is a WordPress user's byline: one person, one Author
            state.coauthor_ids[term_slug(login)] = linked
            continue
        author = _guest_author(state, login, guest)
        state.coauthor_ids[term_slug(login)] = author.pk
        state.links.tags[("author", login.lower())] = author.get_absolute_url()
        state.links.tags[("author", author.slug.lower())] = author.get_absolute_url()
    for slug, name in sorted(scanned.coauthor_terms.items()):
        if slug in state.coauthor_ids or not slug.startswith(TERM_PREFIX):
            continue
        login = slug.removeprefix(TERM_PREFIX)
        # A byline whose guest author or user is not in the file: made from the term's name.
        author = _guest_author(state, login, WPAuthor(login=login, display_name=name or login))
        state.coauthor_ids[slug] = author.pk
        state.report.notes.append(
            f"co-author {slug!r} is neither a user nor a guest author of the file; "
            f"created as {author.name!r}"
        )


def _guest_author(state: ImportState, login: str, guest: WPAuthor) -> Author:
    key = term_slug(login)
    slug = slugify(login, allow_unicode=True)[:255] or "author"
    author = state.mappings.object("author", key, Author)
    if author is None:
        author = Author.objects.filter(slug=slug).first() or Author(slug=slug)
        state.report.counts["guest authors created" if author.pk is None else "authors"] += 1
    author.name = (
        guest.display_name or " ".join(filter(None, [guest.first_name, guest.last_name])) or login
    )[:255]
    if guest.email and "@" in guest.email and not author.email:
        author.email = guest.email[:254]
    if guest.website and is_web_url(guest.website) and not author.website:
        author.website = guest.website[:200]
    if guest.bio and not author.bio:
        author.bio = guest.bio
    author.save()
    state.mappings.remember("author", key, author)
    return author


def post_author_ids(state: ImportState, item: WPItem) -> list[int]:
    """The post's authors in byline order: its Co-Authors Plus terms as the file lists them,
    else its dc:creator.

    The file's order is all there is to go by: Byline's export writes the byline in order;
    WordPress's exporter lists a post's terms by name (wp_get_object_terms() without an
    order), and its dc:creator, the post's WordPress author, need not be the first byline
    (a guest author without an account never is)."""
    ids: list[int] = []
    for taxonomy, slug, _name in item.terms:
        author_id = state.coauthor_ids.get(slug.lower()) if taxonomy == "author" else None
        if author_id and author_id not in ids:
            ids.append(author_id)
    if not ids and item.creator:
        author_id = state.author_ids.get(item.creator) or state.coauthor_ids.get(
            term_slug(item.creator)
        )
        ids = [author_id] if author_id else []
    return ids


def set_post_authors(state: ImportState, page: PostPage, item: WPItem) -> None:
    """Put the post's WordPress authors first in its byline, in order; authors an editor
    added in Byline since the last run stay, after them."""
    wanted = post_author_ids(state, item)
    links = list(page.post_authors.all())
    if not wanted or [link.author_id for link in links[: len(wanted)]] == wanted:
        return
    by_author = {link.author_id: link for link in links if link.author_id is not None}
    ordered = [by_author.get(pk) or PostPageAuthor(author_id=pk) for pk in wanted]
    ordered += [link for link in links if link not in ordered]
    for position, link in enumerate(ordered):
        link.sort_order = position
    page.post_authors = ordered
