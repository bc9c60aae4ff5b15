"""Authors and tags of an import: WordPress users, categories and tags."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from django.utils.text import slugify
from taggit.models import Tag

from byline.blogs.models import Author
from byline.importers.wxr import WPAuthor

if TYPE_CHECKING:
    from byline.importers.scan import ScannedFile
    from byline.importers.state import ImportState


def import_authors(state: ImportState, scanned: ScannedFile) -> None:
    """An Author per WordPress user, matched on an earlier import or on the slug."""
    authors = dict(scanned.authors)
    for login in sorted(scanned.creators - set(scanned.authors)):
        # Files from some exporters (and WordPress.com) name authors only by dc:creator.
        authors[login] = WPAuthor(login=login, display_name=login)
        if scanned.authors:
            state.report.notes.append(f"author {login!r} is not declared; created from posts")
    for login, wp_author in authors.items():
        author = state.mappings.object("author", login, Author)
        slug = slugify(login, allow_unicode=True) or slugify(wp_author.display_name) or "author"
        if author is None:
            author = Author.objects.filter(slug=slug).first() or Author(slug=slug[:255])
            state.report.counts["authors created" if author.pk is None else "authors"] += 1
        author.name = (
            wp_author.display_name
            or " ".join(filter(None, [wp_author.first_name, wp_author.last_name]))
            or login
        )[:255]
        if wp_author.email and "@" in wp_author.email and not author.email:
            author.email = wp_author.email[:254]
        author.save()
        state.mappings.remember("author", login, author)
        state.author_ids[login] = author.pk
        state.links.tags[("author", login.lower())] = author.get_absolute_url()
        state.links.tags[("author", slug.lower())] = author.get_absolute_url()


def tag_for(state: ImportState, name: str, slug: str) -> Tag:
    """The tag for a WordPress category or tag, made on first use."""
    # WordPress categories become tags (Byline has no categories): a category and a tag
    # with the same slug are the same tag.
    tag = state.tags.get(slug)
    if tag is None:
        tag = (
            Tag.objects.filter(slug=slug).first()
            or Tag.objects.filter(name__iexact=name).first()
            or Tag.objects.create(name=name[:100], slug=slug[:100])
        )
        state.tags[slug] = tag
    return tag


def import_terms(state: ImportState, scanned: ScannedFile) -> None:
    """Every declared category and tag, and the address of its old archive."""
    for (taxonomy, slug), term in scanned.terms.items():
        tag = tag_for(state, html.unescape(term.name or slug), slug)
        state.mappings.remember("term", f"{taxonomy}:{slug}", tag)
        state.links.tags[("tag", slug.lower())] = f"/tags/{tag.slug}/"
