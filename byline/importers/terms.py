"""Authors and tags of an import: WordPress users, categories and tags."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from django.utils.text import slugify
from taggit.models import Tag

from byline.blogs.models import Author, PostPage, PostPageTag
from byline.importers.links import FEED_SUFFIXES, feed_of
from byline.importers.scan import wp_slug
from byline.importers.wxr import WPAuthor

if TYPE_CHECKING:
    from byline.importers.scan import ScannedFile
    from byline.importers.state import ImportState


# An author's import row says so (in its `guid`) when the author was Byline's before the
# import: a re-run then leaves their name alone too.
MATCHED = "matched"


def _free_slug(slug: str) -> str:
    """`slug` with the first -2, -3 … no author has."""
    number = 2
    while Author.objects.filter(slug=f"{slug[:250]}-{number}").exists():
        number += 1
    return f"{slug[:250]}-{number}"


def import_authors(state: ImportState, scanned: ScannedFile) -> None:
    """An Author per WordPress user, matched on an earlier import or on the slug."""
    authors = dict(scanned.authors)
    # A guest author named as a post's creator (Co-Authors Plus exports do) is made by
    # coauthors.import_guest_authors(), from its own profile.
    for login in sorted(scanned.creators - set(scanned.authors) - set(scanned.guest_authors)):
        # Files from some exporters (and WordPress.com) name authors only by dc:creator.
        authors[login] = WPAuthor(login=login, display_name=login)
        if scanned.authors:
            state.report.notes.append(f"author {login!r} is not declared; created from posts")
    for login, wp_author in authors.items():
        author = state.mappings.object("author", login, Author)
        # An author Byline had before any import (matched on the slug): theirs to name.
        matched = author is not None and state.mappings.row("author", login).guid == MATCHED
        slug = slugify(login, allow_unicode=True) or slugify(wp_author.display_name) or "author"
        if author is None:
            author = Author.objects.filter(slug=slug[:255]).first()
            if author is not None and author.pk in state.author_ids.values():
                # Another login of this file slugifies alike (john.smith and johnsmith):
                # another person, an author of their own.
                free = _free_slug(slug)
                state.report.notes.append(
                    f"author {login!r}: another login of this file is at /authors/{slug}/; "
                    f"this one is at /authors/{free}/"
                )
                slug, author = free, None
            if author is None:
                author = Author(slug=slug[:255])
                state.report.counts["authors created"] += 1
            else:
                matched = True
                state.report.counts["authors"] += 1
                state.report.notes.append(
                    f"author {login!r} is Byline's author {author.name!r} (/authors/{slug}/): "
                    "their posts are credited to them, and their name is kept"
                )
        if not matched:
            author.name = (
                wp_author.display_name
                or " ".join(filter(None, [wp_author.first_name, wp_author.last_name]))
                or login
            )[:255]
        if wp_author.email and "@" in wp_author.email and not author.email:
            author.email = wp_author.email[:254]
        author.save()
        state.mappings.remember("author", login, author, guid=MATCHED if matched else "")
        state.author_ids[login] = author.pk
        state.links.tags[("author", login.lower())] = author.get_absolute_url()
        state.links.tags[("author", slug.lower())] = author.get_absolute_url()
        if wp_author.author_id:
            state.links.add(f"{state.links.base_path}/?author={wp_author.author_id}",
                            author.get_absolute_url())  # fmt: skip


def tag_for(state: ImportState, name: str, slug: str) -> Tag:
    """The tag for a WordPress category or tag, made on first use."""
    # WordPress categories become tags (Byline has no categories): a category and a tag
    # with the same slug are the same tag.
    tag = state.tags.get(slug)
    if tag is None:
        # Looked up as stored: a tag's name and slug hold 100 characters, WordPress's 200,
        # and two long terms alike in their first 100 were looked up whole and made cut, the
        # second one a duplicate the database refused.
        short_name, short_slug = name[:100], slug[:100]
        if (short_name, short_slug) != (name, slug):
            state.report.notes.append(
                f"term {slug!r}: its name or slug is longer than the 100 characters a tag "
                "holds, and was cut"
            )
        tag = Tag.objects.filter(slug=short_slug).first()
        if tag is None:
            # A tag's name is unique: a term named as another tag is (two categories "News"
            # under different parents, news and news-2) becomes that tag.
            tag = Tag.objects.filter(name__iexact=short_name).first()
            if tag is not None:
                state.report.notes.append(
                    f"term {slug!r} has the name {short_name!r}, as the tag "
                    f"/tags/{tag.slug}/ has (a tag's name is unique): it is that tag"
                )
        if tag is None:
            tag = Tag.objects.create(name=short_name, slug=short_slug)
        state.tags[slug] = tag
    return tag


def import_terms(state: ImportState, scanned: ScannedFile) -> None:
    """Every category and tag, declared in the header or only given to posts (a "posts
    only" export declares none), and the new address of its old archive.

    A term no published post has gets no tag page (Byline answers /tags/<slug>/ with a 404
    when no post a reader may see has the tag): its old archive goes to the blog instead,
    which is where WordPress's empty archive page left a reader too."""
    terms: dict[tuple[str, str], tuple[str, int]] = {
        key: (term.name or key[1], term.term_id) for key, term in scanned.terms.items()
    }
    for key, name in scanned.used_terms.items():
        terms.setdefault(key, (name or key[1], 0))
    slugs = {slug for _, slug in terms}
    live = scanned.live_term_slugs | _slugs_with_published_posts(slugs)
    base = state.links.base_path
    # A term whose slug is its name's comes first: of two named alike (news and news-2),
    # the tag is made with the slug a reader would guess.
    ordered = sorted(
        terms.items(), key=lambda term: term[0][1] != wp_slug("", html.unescape(term[1][0]))
    )
    for (taxonomy, slug), (name, term_id) in ordered:
        tag = tag_for(state, html.unescape(name), slug)
        state.mappings.remember("term", f"{taxonomy}:{slug}", tag)
        url = f"/tags/{tag.slug}/" if slug in live else state.links.blog_url
        state.links.tags[("tag", slug.lower())] = url
        if taxonomy == "category" and term_id:
            state.links.add(f"{base}/?cat={term_id}", url)
        elif taxonomy == "post_tag":
            state.links.add(f"{base}/?tag={slug}", url)
    _nested_categories(state, scanned)
    empty = sorted(slug for slug in slugs if slug not in live)
    if empty:
        state.report.notes.append(
            f"{len(empty)} categories and tags have no published post, so no tag page; "
            f"their old archives lead to the blog: {', '.join(empty[:20])}"
            + (" …" if len(empty) > 20 else "")
        )


def _nested_categories(state: ImportState, scanned: ScannedFile) -> None:
    """A child category's archive is /category/<parent>/<child>/ in WordPress: that path
    (and its feeds) leads where /category/<child>/ does."""
    parents = {
        slug: wp_slug(term.parent, term.parent)
        for (taxonomy, slug), term in scanned.terms.items()
        if taxonomy == "category" and term.parent
    }
    for slug in parents:
        chain, node = [slug], slug
        while node in parents and len(chain) < 20 and parents[node] not in chain:
            node = parents[node]
            chain.append(node)
        url = state.links.tags.get(("tag", slug.lower()))
        if url is None:
            continue
        path = f"{state.links.base_path}/category/{'/'.join(reversed(chain))}/"
        state.links.add(path, url)
        for suffix, feed in FEED_SUFFIXES.items():
            state.links.add(path + suffix, feed_of(url, feed))


def _slugs_with_published_posts(slugs: set[str]) -> set[str]:
    """Of these tag slugs, those a published post of the site already has (an earlier
    import, or posts written in Byline)."""
    if not slugs:
        return set()
    published = PostPage.objects.published().values("pk")
    return set(
        PostPageTag.objects.filter(tag__slug__in=slugs, content_object__in=published)
        .values_list("tag__slug", flat=True)
        .distinct()
    )
