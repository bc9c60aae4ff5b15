"""Posts and pages of an import: converted, saved with a revision, live or not as in WordPress."""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from byline.blogs.models import Author, PostPage
from byline.importers import coauthors, comments, media
from byline.importers.bulk import add_children, next_child_path
from byline.importers.convert import Converter, plain
from byline.importers.embeds import EmbedCheck
from byline.importers.ordering import parents_first
from byline.importers.scan import wp_slug
from byline.importers.terms import tag_for
from byline.importers.wxr import WPItem
from byline.publication.models import StandardPage

if TYPE_CHECKING:
    from byline.importers.scan import ItemInfo, ScannedFile
    from byline.importers.state import ImportState, Place

# New posts are written this many at a time (write_new_posts()).
NEW_POSTS_BATCH = 500

# Import mappings are written (and forgotten) this many at a time, between items.
MAPPINGS_BATCH = 500

# WordPress keeps post_password in a varchar(255), as Wagtail keeps a restriction's password.
PASSWORD_LENGTH = PageViewRestriction._meta.get_field("password").max_length


def import_items(state: ImportState, scanned: ScannedFile) -> None:
    """Pass two: every post and page, in file order, each with its comments; a page whose
    parent page comes later in the file waits for it."""
    total = len(scanned.items)
    progress = state.options.progress or (lambda done, total: None)
    waiting: dict[str, tuple[WPItem, ItemInfo]] = {}
    embed_check = EmbedCheck()
    done = 0
    for record in scanned.records():
        if not isinstance(record, WPItem):
            continue
        done += 1
        progress(done, total)
        info = scanned.info(record)
        if info is None:
            continue  # skipped in the first pass (and reported there)
        kind = info.post_type
        if kind == "attachment":
            continue
        if kind not in {"post", "page"}:
            state.report.skip(record, f"{kind} items are not imported")
            continue
        if info.status in {"trash", "auto-draft", "inherit"}:
            state.report.skip(record, f"status {info.status!r} is not imported")
            continue
        if kind == "page" and page_parent(state, scanned, info) is None:
            waiting[info.key] = (record, info)
            continue
        import_item(state, scanned, record, info, embed_check)
        if len(state.mappings.unsaved) >= MAPPINGS_BATCH:
            state.mappings.save(forget=True)
    write_new_posts(state, scanned)
    _import_waiting(state, scanned, waiting, embed_check)
    state.report.notes.extend(embed_check.summary())
    # Every tag the file declared, or a post was given on the way.
    state.report.counts["tags"] = len({tag.pk for tag in state.tags.values()})


def _import_waiting(
    state: ImportState,
    scanned: ScannedFile,
    waiting: dict[str, tuple[WPItem, ItemInfo]],
    embed_check: EmbedCheck,
) -> None:
    """The pages that came before their parent page in the file: parents first, siblings
    in file order (the addresses pass broke every parent loop). A page whose parent was not
    imported (trashed, say) goes to the top level once the others are in, and so does every
    page that waited below it."""

    def place(key: str) -> bool:
        record, info = waiting[key]
        if page_parent(state, scanned, info) is None:
            return False
        import_item(state, scanned, record, info, embed_check)
        return True

    parents = {key: scanned.by_wp_id[state.places[key].parent].key for key in waiting}
    placed = parents_first(parents, place)
    for key, (record, info) in waiting.items():
        if key not in placed:
            state.places[key].parent = 0
            import_item(state, scanned, record, info, embed_check)


def page_parent(state: ImportState, scanned: ScannedFile, info: ItemInfo) -> Page | None:
    """The page a WordPress page goes under: the home page, or its imported parent."""
    parent_id = state.places[info.key].parent
    if not parent_id:
        return state.target.home
    parent = scanned.by_wp_id.get(parent_id)
    page_id = state.page_ids.get(parent.key) if parent else None
    if page_id is None:
        return None
    return Page.objects.filter(pk=page_id).first()


def _digest(item: WPItem, info: ItemInfo, place: Place) -> str:
    """What the item was when imported: a re-run leaves an unchanged item alone.

    The password counts only when there is one, so that an item without one keeps the
    digest it had before passwords were imported, and a protected item imported back then
    (openly) is updated, restricted, on the next run."""
    fields = [item.title, item.content, item.excerpt, place.slug, str(info.date), info.status,
              sorted(item.terms), item.creator, item.meta.get("_thumbnail_id", ""),
              item.comment_status, place.parent]  # fmt: skip
    if item.post_password:
        fields.append(item.post_password)
    if item.meta.get("footnotes"):
        fields.append(item.meta["footnotes"])
    return hashlib.sha256(json.dumps(fields, default=str).encode()).hexdigest()


def import_item(
    state: ImportState,
    scanned: ScannedFile,
    item: WPItem,
    info: ItemInfo,
    embed_check: EmbedCheck | None = None,
) -> None:
    """One post or page: new, updated, or left as it is if unchanged since the last run."""
    place = state.places[info.key]
    digest = _digest(item, info, place)
    if item.post_password:
        _report_protected(state, item, info, place)
    row = state.mappings.row(info.post_type, info.key)
    page = None
    if row and row.object_id:
        page = Page.objects.filter(pk=row.object_id).first()
        page = page.specific if page else None
        if page is not None and row.guid == digest:
            write_new_posts(state, scanned)  # what comes first in the file is written first
            state.report.counts[f"{info.post_type}s unchanged"] += 1
            state.page_ids[info.key] = page.pk
            comments.import_comments(state, scanned, page, item)
            return
    hosted_missing: list[str] = []
    converter = Converter(
        rewrite_url=lambda url: media.rewrite_url(state, url, hosted_missing),
        find_image=lambda key, exact=False: media.find_image(state, key, exact=exact),
        attachment_url=lambda wp_id: media.attachment_url(scanned, wp_id),
        own_attachments=scanned.attachments_of.get(info.wp_id, []) if info.wp_id else [],
        footnotes=item.meta.get("footnotes", ""),
    )
    body = converter.convert(item.content, key=f"{scanned.source}/{info.key}")
    if hosted_missing:
        converter.notes.append(
            f"{len(set(hosted_missing))} WordPress.com file(s) not in --media-dir, still "
            f"linked at their old address: {', '.join(sorted(set(hosted_missing))[:5])}"
        )
    if embed_check is not None:
        converter.notes.extend(embed_check.notes_for(converter.embeds))
    for note in converter.notes:
        state.report.notes.append(f"line {item.line}: {note}")
    created = page is None
    if created and info.post_type == "post" and _written_in_bulk(item, info):
        post = _fill_post(state, item, info, place, body, PostPage())
        state.new_posts.append(NewPost(post, item, info, digest))
        if len(state.new_posts) >= NEW_POSTS_BATCH:
            write_new_posts(state, scanned)
        return
    write_new_posts(state, scanned)
    if info.post_type == "post":
        page = _save_post(state, item, info, place, body, page)
    else:
        page = _save_page(state, scanned, item, info, place, body, page)
    state.page_ids[info.key] = page.pk
    if item.post_password or not created:  # a page made just now has no restriction
        _restrict(page, item.post_password[:PASSWORD_LENGTH])
    state.mappings.remember(
        info.post_type, info.key, page, guid=digest, old_url=info.link[:2000],
        sticky=item.is_sticky,
    )  # fmt: skip
    comments.import_comments(state, scanned, page, item)


def _common(page: Page, item: WPItem, info: ItemInfo, place: Place, body: list[dict]) -> None:
    # WordPress titles are HTML (Title <em>With</em> Markup, Media &amp; Text): Byline's
    # are plain text, shown escaped everywhere (<h1>, <title>, listings, feeds).
    page.title = (plain(item.title) or "(untitled)")[:255]
    page.slug = place.slug
    page.body = body
    live = info.status == "publish"
    page.live = page.live if page.pk and not live else live
    if info.status == "future":
        page.go_live_at = info.date
    if live and info.date:
        page.first_published_at = page.first_published_at or info.date


def _written_in_bulk(item: WPItem, info: ItemInfo) -> bool:
    """Whether a new post is held back and written with others (write_new_posts()): all
    but a scheduled one, which goes through Revision.publish() to be scheduled, and a
    protected one, whose restriction is written with the page."""
    return info.status != "future" and not item.post_password


@dataclass(slots=True)
class NewPost:
    """A new post held back to be written with others, and what is noted once it is."""

    page: PostPage
    item: WPItem
    info: ItemInfo
    digest: str


def write_new_posts(state: ImportState, scanned: ScannedFile) -> None:
    """Write the new posts held back so far, in file order, as _write() would write each,
    in a few statements for them all (bulk.add_children()); then their mappings and
    comments. Called before anything else is written, so the file's order holds."""
    batch, state.new_posts = state.new_posts, []
    if not batch:
        return
    pages = [new.page for new in batch]
    # PostPageAuthor.save() copies the author's name onto the credit; bulk writing does not
    # call it.
    links = [link for page in pages for link in page.post_authors.all()]
    authors = Author.objects.in_bulk({link.author_id for link in links if link.author_id})
    for link in links:
        if link.author_id in authors:
            link.author = authors[link.author_id]
            link.name = link.author.name
    children = add_children(
        state.target.blog,
        pages,
        next_path=lambda parent: next_child_path(state.last_child_step, parent),
    )
    if state.postponed is not None:
        state.postponed.index_now(PostPage, pages)
        for model, objects in children:
            state.postponed.index_now(model, objects)
    for new in batch:
        page, info = new.page, new.info
        state.report.counts["posts created"] += 1
        if not page.live:
            state.report.counts[f"posts not public ({info.status})"] += 1
        state.page_ids[info.key] = page.pk
        state.mappings.remember(
            "post", info.key, page, guid=new.digest, old_url=info.link[:2000],
            sticky=new.item.is_sticky,
        )  # fmt: skip
    comments.import_new_comments(state, scanned, [(new.page, new.item) for new in batch])


def _save_post(
    state: ImportState, item: WPItem, info: ItemInfo, place: Place, body, page: PostPage | None
) -> PostPage:
    new = page is None
    page = _fill_post(state, item, info, place, body, page or PostPage())
    _write(state, page, state.target.blog, new, info)
    return page


def _fill_post(
    state: ImportState, item: WPItem, info: ItemInfo, place: Place, body, page: PostPage
) -> PostPage:
    """Set the post's fields, byline and tags from the item, in memory."""
    _common(page, item, info, place, body)
    page.date = info.date if info.status in {"publish", "future", "private"} else None
    # WordPress shows no excerpt of a protected post (get_the_excerpt() says "There is no
    # excerpt because this is a protected post."), and listings, feeds and the meta
    # description show the excerpt to everyone.
    page.excerpt = "" if item.post_password else plain(item.excerpt)
    page.comments_open = item.comment_status == "open"
    thumb = item.meta.get("_thumbnail_id", "").strip()
    ref = state.image_by_attachment.get(int(thumb)) if thumb.isdigit() else None
    if ref is not None:
        # The featured image's caption in WordPress is its attachment's; here the post's.
        page.lead_image_id = ref.pk
        page.lead_image_caption = page.lead_image_caption or ref.caption
    coauthors.set_post_authors(state, page, item)
    tags = [
        tag_for(state, html.unescape(name or slug), wp_slug(slug, name))
        for taxonomy, slug, name in item.terms
        if taxonomy in {"category", "post_tag"} and (slug or name)
    ]
    page.tags.set(tags) if tags else page.tags.clear()
    if info.status == "publish":
        # As _write() publishes it, for a post written in bulk.
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.first_published_at or info.date or timezone.now()
        page.last_published_at = timezone.now()
    return page


def _save_page(
    state: ImportState,
    scanned: ScannedFile,
    item: WPItem,
    info: ItemInfo,
    place: Place,
    body,
    page: Page | None,
) -> StandardPage:
    new = page is None
    if page is not None and not isinstance(page, StandardPage):
        new, page = True, None
    page = page or StandardPage()
    _common(page, item, info, place, body)
    page.comments_open = item.comment_status == "open"
    _write(state, page, page_parent(state, scanned, info) or state.target.home, new, info)
    return page


def _restrict(page: Page, password: str) -> None:
    """Give the page WordPress's post password as Wagtail's password restriction: one, with
    that password; none if the item has no password any more. Restrictions of the other
    kinds (log-in, groups) are an editor's, not WordPress's, and are left alone."""
    restrictions = list(
        PageViewRestriction.objects.filter(
            page=page, restriction_type=PageViewRestriction.PASSWORD
        ).order_by("pk")
    )
    keep = restrictions.pop(0) if restrictions and password else None
    for extra in restrictions:
        extra.delete()
    if not password:
        return
    if keep is None:
        keep = PageViewRestriction(page=page, restriction_type=PageViewRestriction.PASSWORD)
    if keep.pk is None or keep.password != password:
        keep.password = password
        keep.save()


def _report_protected(state: ImportState, item: WPItem, info: ItemInfo, place: Place) -> None:
    title = plain(item.title) or "(untitled)"
    where = place.url or "(no address)"
    if info.status != "publish":
        where += f" (not public: {info.status})"
    state.report.protected.append(f'{info.post_type} "{title}" at {where}')
    if len(item.post_password) > PASSWORD_LENGTH:
        state.report.notes.append(
            f"line {item.line}: the password is longer than {PASSWORD_LENGTH} characters, "
            f"which WordPress cannot store; only its first {PASSWORD_LENGTH} were kept"
        )


def _write(state: ImportState, page: Page, parent: Page, new: bool, info: ItemInfo) -> None:
    """Save the page and a revision of it. A published item is written live directly
    rather than through Revision.publish(), which saves the page twice more and fires
    the per-publish work (logs, signals) thousands of times over in a large import;
    scheduled items do go through publish(), which is what schedules them."""
    kind = info.post_type
    live = info.status == "publish"
    if live:
        now = timezone.now()
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.first_published_at or info.date or now
        page.last_published_at = now
    if new:
        _add_child(state, parent, page)
        state.report.counts[f"{kind}s created"] += 1
    else:
        page.save(clean=False)
        state.report.counts[f"{kind}s updated"] += 1
    revision = page.save_revision(log_action=False, clean=False, changed=not live)
    if live:
        Page.objects.filter(pk=page.pk).update(live_revision=revision)
    elif info.status == "future":
        revision.publish(log_action=False, skip_permission_checks=True)
        state.report.counts["scheduled"] += 1
    else:
        if page.live:  # was live, now a draft in WordPress
            page.unpublish(log_action=False)
        state.report.counts[f"{kind}s not public ({info.status})"] += 1


def _add_child(state: ImportState, parent: Page, page: Page) -> None:
    """parent.add_child(instance=page), numbered as bulk.next_child_path() numbers it. The
    page is still saved by Page.save(), with its validation, url_path and child relations."""
    page.path = next_child_path(state.last_child_step, parent)
    page.depth = parent.depth + 1
    page.numchild = 0
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + 1)
    parent.numchild += 1
    page._cached_parent_obj = parent
    page.save()
