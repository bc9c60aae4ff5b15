"""Posts and pages of an import: converted, saved with a revision, live or not as in WordPress."""

from __future__ import annotations

import hashlib
import html
import json
from typing import TYPE_CHECKING

from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from byline.blogs.models import PostPage, PostPageAuthor
from byline.importers import comments, media
from byline.importers.convert import Converter
from byline.importers.scan import item_key, plain, wp_slug
from byline.importers.terms import tag_for
from byline.importers.wxr import WPItem
from byline.publication.models import StandardPage

if TYPE_CHECKING:
    from byline.importers.run import WordPressImport
    from byline.importers.scan import ItemInfo

# Import mappings are written (and forgotten) this many at a time, between items.
MAPPINGS_BATCH = 500

# WordPress keeps post_password in a varchar(255), as Wagtail keeps a restriction's password.
PASSWORD_LENGTH = PageViewRestriction._meta.get_field("password").max_length


def import_items(run: WordPressImport) -> None:
    """Pass two: every post and page, in file order; a page whose parent page comes later
    in the file waits for it."""
    total = len(run.items)
    deferred: list[WPItem] = []
    done = 0
    for record in run.records():
        if not isinstance(record, WPItem):
            continue
        done += 1
        run.progress(done, total)
        info = run.items.get(item_key(record))
        if info is None or info.line != record.line:
            continue  # skipped in the first pass (and reported there)
        kind = info.post_type
        if kind == "attachment":
            continue
        if kind not in {"post", "page"}:
            run.report.skip(record, f"{kind} items are not imported")
            continue
        if info.status in {"trash", "auto-draft", "inherit"}:
            run.report.skip(record, f"status {info.status!r} is not imported")
            continue
        if kind == "page" and info.parent and page_parent(run, info) is None:
            deferred.append(record)
            continue
        import_item(run, record, info)
        if len(run.unsaved) >= MAPPINGS_BATCH:
            run.save_mappings(forget=True)
    for _round in range(len(deferred) + 1):
        waiting = []
        for record in deferred:
            info = run.items[item_key(record)]
            if page_parent(run, info) is None:
                waiting.append(record)
            else:
                import_item(run, record, info)
        if len(waiting) == len(deferred):
            break
        deferred = waiting
    for record in deferred:
        run.items[item_key(record)].parent = 0
        import_item(run, record, run.items[item_key(record)])


def page_parent(run: WordPressImport, info: ItemInfo) -> Page | None:
    """The page a WordPress page goes under: the home page, or its imported parent."""
    if not info.parent:
        return run.home
    parent = run.by_wp_id.get(info.parent)
    if parent is None or parent.page_id is None:
        return None
    return Page.objects.filter(pk=parent.page_id).first()


def _digest(item: WPItem, info: ItemInfo) -> str:
    """What the item was when imported: a re-run leaves an unchanged item alone.

    The password counts only when there is one, so that an item without one keeps the
    digest it had before passwords were imported, and a protected item imported back then
    (openly) is updated, restricted, on the next run."""
    fields = [item.title, item.content, item.excerpt, info.slug, str(info.date), info.status,
              sorted(item.terms), item.creator, item.meta.get("_thumbnail_id", ""),
              item.comment_status, info.parent]  # fmt: skip
    if item.post_password:
        fields.append(item.post_password)
    return hashlib.sha256(json.dumps(fields, default=str).encode()).hexdigest()


def import_item(run: WordPressImport, item: WPItem, info: ItemInfo) -> None:
    """One post or page: new, updated, or left as it is if unchanged since the last run."""
    digest = _digest(item, info)
    if item.post_password:
        _report_protected(run, item, info)
    row = run.mapped.get((info.post_type, info.key))
    page = None
    if row and row.object_id:
        page = Page.objects.filter(pk=row.object_id).first()
        page = page.specific if page else None
        if page is not None and row.guid == digest:
            run.report.counts[f"{info.post_type}s unchanged"] += 1
            info.page_id = page.pk
            comments.import_comments(run, page, item)
            return
    converter = Converter(
        rewrite_url=run.links.rewrite,
        find_image=lambda key: media.find_image(run, key),
        attachment_url=lambda wp_id: media.attachment_url(run, wp_id),
        own_attachments=run.children.get(info.wp_id, []) if info.wp_id else [],
    )
    body = converter.convert(item.content, key=f"{run.source}/{info.key}")
    for note in converter.notes:
        run.report.notes.append(f"line {item.line}: {note}")
    if info.post_type == "post":
        page = _save_post(run, item, info, body, page)
    else:
        page = _save_page(run, item, info, body, page)
    info.page_id = page.pk
    _restrict(page, item.post_password[:PASSWORD_LENGTH])
    run.remember(
        info.post_type, info.key, page, guid=digest, old_url=info.link[:2000],
        sticky=item.is_sticky,
    )  # fmt: skip
    comments.import_comments(run, page, item)


def _common(page: Page, item: WPItem, info: ItemInfo, body: list[dict]) -> None:
    page.title = (html.unescape(item.title).strip() or "(untitled)")[:255]
    page.slug = info.slug
    page.body = body
    live = info.status == "publish"
    page.live = page.live if page.pk and not live else live
    if info.status == "future":
        page.go_live_at = info.date
    if live and info.date:
        page.first_published_at = page.first_published_at or info.date


def _save_post(run, item: WPItem, info: ItemInfo, body, page: PostPage | None) -> PostPage:
    new = page is None
    page = page or PostPage()
    _common(page, item, info, body)
    page.date = info.date if info.status in {"publish", "future", "private"} else None
    # WordPress shows no excerpt of a protected post (get_the_excerpt() says "There is no
    # excerpt because this is a protected post."), and listings, feeds and the meta
    # description show the excerpt to everyone.
    page.excerpt = "" if item.post_password else plain(item.excerpt)
    page.comments_open = item.comment_status == "open"
    thumb = item.meta.get("_thumbnail_id", "").strip()
    ref = run.image_by_attachment.get(int(thumb)) if thumb.isdigit() else None
    page.lead_image_id = ref.pk if ref else page.lead_image_id
    author_id = run.author_ids.get(item.creator)
    if author_id and not any(link.author_id == author_id for link in page.post_authors.all()):
        page.post_authors.add(PostPageAuthor(author_id=author_id, sort_order=0))
    tags = [
        tag_for(run, html.unescape(name or slug), wp_slug(slug, name))
        for taxonomy, slug, name in item.terms
        if taxonomy in {"category", "post_tag"} and (slug or name)
    ]
    page.tags.set(tags) if tags else page.tags.clear()
    _write(run, page, run.blog, new, info)
    return page


def _save_page(run, item: WPItem, info: ItemInfo, body, page: Page | None) -> StandardPage:
    new = page is None
    if page is not None and not isinstance(page, StandardPage):
        new, page = True, None
    page = page or StandardPage()
    _common(page, item, info, body)
    page.comments_open = item.comment_status == "open"
    _write(run, page, page_parent(run, info) or run.home, new, info)
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


def _report_protected(run: WordPressImport, item: WPItem, info: ItemInfo) -> None:
    title = html.unescape(item.title).strip() or "(untitled)"
    where = info.new_url or "(no address)"
    if info.status != "publish":
        where += f" (not public: {info.status})"
    run.report.protected.append(f'{info.post_type} "{title}" at {where}')
    if len(item.post_password) > PASSWORD_LENGTH:
        run.report.notes.append(
            f"line {item.line}: the password is longer than {PASSWORD_LENGTH} characters, "
            f"which WordPress cannot store; only its first {PASSWORD_LENGTH} were kept"
        )


def _write(run: WordPressImport, page: Page, parent: Page, new: bool, info: ItemInfo) -> None:
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
        parent.add_child(instance=page)
        run.report.counts[f"{kind}s created"] += 1
    else:
        page.save(clean=False)
        run.report.counts[f"{kind}s updated"] += 1
    revision = page.save_revision(log_action=False, clean=False, changed=not live)
    if live:
        Page.objects.filter(pk=page.pk).update(live_revision=revision)
    elif info.status == "future":
        revision.publish(log_action=False, skip_permission_checks=True)
        run.report.counts["scheduled"] += 1
    else:
        if page.live:  # was live, now a draft in WordPress
            page.unpublish(log_action=False)
        run.report.counts[f"{kind}s not public ({info.status})"] += 1
