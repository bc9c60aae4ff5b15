"""Where every imported post and page goes, and the redirects from its old addresses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.urls import Resolver404, resolve
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import ModelLogEntry, Page

from byline.core.bulk import insert_own_rows
from byline.importers.links import FEED_PARAMETERS, FEED_SUFFIXES, SITE_FEEDS, feed_of
from byline.importers.state import Place
from byline.publication.models import StandardPage

# Old addresses an editor's redirect kept named one by one in the report; the rest counted.
KEPT_SHOWN = 10

if TYPE_CHECKING:
    from byline.importers.scan import ItemInfo, ScannedFile
    from byline.importers.state import ImportState


def byline_owns(path: str) -> str | None:
    """What of Byline's own answers at `path` ("search", "feeds"…), or None if the page
    tree does: a page there could never be reached, since Django routes these first."""
    for candidate in (path, path.rstrip("/")):
        try:
            match = resolve(candidate)
        except Resolver404:
            continue
        # By name: the page tree's view is Byline's own router (core/routing.py) under
        # Wagtail's route name, not wagtail.views.serve itself.
        if match.url_name != "wagtail_serve":
            return match.app_name or match.url_name or "Byline"
    return None


def plan_addresses(state: ImportState, scanned: ScannedFile) -> None:
    """Decide every post's and page's slug and new address before any is written, so
    that links between them can be rewritten whichever comes first in the file."""
    slugs = _Slugs(state, earlier=_pages_of_earlier_runs(state, scanned))
    _place_posts(state, scanned, slugs)
    _place_pages(state, scanned, slugs)
    _place_attachments(state, scanned)
    _old_addresses(state, scanned)


def _pages_of_earlier_runs(state: ImportState, scanned: ScannedFile) -> set[int]:
    """Note the page each post and page became in an earlier run; return their ids."""
    earlier: set[int] = set()
    for info in scanned.items.values():
        if info.post_type in {"post", "page"}:
            row = state.mappings.row(info.post_type, info.key)
            if row and row.object_id:
                state.page_ids[info.key] = row.object_id
                earlier.add(row.object_id)
    return earlier


class _Slugs:
    """The slugs taken under each parent ("blog", "home", or a WordPress page id), read
    from the tree once per parent; the pages of earlier runs do not take theirs."""

    def __init__(self, state: ImportState, *, earlier: set[int]) -> None:
        self.state, self.earlier = state, earlier
        self.taken: dict[int | str, set[str]] = {}
        # The home's children that are Byline's own (the blog index at /blogs/).
        self.structural = set(
            state.target.home.get_children()
            .not_type(StandardPage)
            .exclude(pk__in=earlier)
            .values_list("slug", flat=True)
        )

    def claim(self, info: ItemInfo, parent_key: int | str) -> str:
        """The item's slug under that parent, numbered (slug-2, slug-3 …) if taken."""
        used = self._siblings(parent_key)
        owner = byline_owns(f"/{info.slug}/") if parent_key == "home" else None
        if owner is None and parent_key == "home" and info.slug in self.structural:
            owner = "the blogs"
        base = f"{info.slug[:190]}-page" if owner else info.slug
        slug, number = base, 2
        while slug in used:
            slug = f"{base[:190]}-{number}"
            number += 1
        if owner:
            self.state.report.notes.append(
                f"line {info.line}: PAGE ADDRESS CHANGED: page {info.title!r} was at "
                f"/{info.slug}/, which is Byline's own address ({owner}); the page is at "
                f"/{slug}/ instead, and links to it in imported posts point there (old links "
                f"from elsewhere reach Byline's {owner})"
            )
        elif slug != info.slug:
            self.state.report.notes.append(
                f"line {info.line}: slug {info.slug!r} was taken; {slug!r} used instead"
            )
        used.add(slug)
        return slug

    def _siblings(self, parent_key: int | str) -> set[str]:
        if parent_key not in self.taken:
            target = self.state.target
            if parent_key == "blog":
                parent = target.blog
            elif parent_key == "home":
                parent = target.home
            else:
                parent = None
                row = self.state.mappings.row("page", str(parent_key))
                if row and row.object_id:
                    parent = Page.objects.filter(pk=row.object_id).first()
            self.taken[parent_key] = (
                set(
                    parent.get_children()
                    .exclude(pk__in=self.earlier)
                    .values_list("slug", flat=True)
                )
                if parent is not None
                else set()
            )
        return self.taken[parent_key]


def _place_posts(state: ImportState, scanned: ScannedFile, slugs: _Slugs) -> None:
    """Posts go into the blog, at /<blog>/<yyyy>/<mm>/<slug>/ (none without a date)."""
    for info in scanned.items.values():
        if info.post_type == "post":
            place = state.places[info.key] = Place(slug=slugs.claim(info, "blog"))
            if info.date is not None:
                local = timezone.localtime(info.date)
                place.url = f"{state.target.blog_url}{local:%Y}/{local:%m}/{place.slug}/"


def _place_pages(state: ImportState, scanned: ScannedFile, slugs: _Slugs) -> None:
    """Pages go under their parent page, or at the top level if it is not in the file."""
    places = state.places
    pages = [info for info in scanned.items.values() if info.post_type == "page"]
    for info in pages:
        parent = scanned.by_wp_id.get(info.parent) if info.parent else None
        if info.parent and (parent is None or parent.post_type != "page"):
            state.report.notes.append(
                f"line {info.line}: parent page {info.parent} is not in the file; "
                "the page goes at the top level"
            )
            places[info.key] = Place(parent=0)
        else:
            places[info.key] = Place(parent=info.parent)
    for info in pages:
        place = places[info.key]
        place.slug = slugs.claim(info, place.parent or "home")
    home_url = state.target.home.get_url() or "/"
    for info in pages:
        place = places[info.key]
        chain, node, guard = [], info, 0
        while node is not None and guard < 50:
            chain.append(places[node.key].slug)
            parent_id = places[node.key].parent
            node = scanned.by_wp_id.get(parent_id) if parent_id else None
            guard += 1
        if guard >= 50:  # a parent loop: WordPress forbids it, a hand-made file may not
            place.parent = 0
            chain = [place.slug]
        place.url = home_url + "".join(f"{slug}/" for slug in reversed(chain))


def _place_attachments(state: ImportState, scanned: ScannedFile) -> None:
    """An attachment not imported as a file (media placed those) answers at the address of
    the item it belongs to."""
    places = state.places
    for info in scanned.items.values():
        if info.post_type == "attachment" and info.key not in places:
            parent = scanned.by_wp_id.get(info.parent)
            place = places.get(parent.key) if parent else None
            places[info.key] = Place(url=place.url if place else "")


def _old_addresses(state: ImportState, scanned: ScannedFile) -> None:
    links = state.links
    base = links.base_path
    # WordPress's site feeds, by path and by ?feed=: Byline's RSS, Atom, or the blog's
    # comments. (/feed/ itself is Byline's own RSS when the old site was at the root.)
    for path, kind in SITE_FEEDS.items():
        links.add(f"{base}{path}/", links.feeds[kind])
    for value, kind in FEED_PARAMETERS.items():
        links.add(f"{base}/?feed={value}", links.feeds[kind])
    for info in scanned.items.values():
        place = state.places.get(info.key)
        if place is None or not place.url or info.status not in {"publish", "inherit"}:
            continue
        links.add(info.link, place.url)
        if info.guid.startswith(("http://", "https://")):
            links.add(info.guid, place.url)
        if info.wp_id:
            name = {"page": "page_id", "attachment": "attachment_id"}.get(info.post_type, "p")
            links.add(f"{base}/?{name}={info.wp_id}", place.url)
            if name != "p":
                links.add(f"{base}/?p={info.wp_id}", place.url)


def make_redirects(state: ImportState, scanned: ScannedFile) -> None:
    """A permanent redirect from every old address: items, archives and feeds. (A post's
    or page's own feed, /<post>/feed/ or /?p=ID&feed=rss2, is answered by the middleware
    from the post's redirect: eleven more rows per post would double a large import's.)"""
    links = state.links
    pages: dict[str, int] = {}
    for info in scanned.items.values():
        page_id = state.page_ids.get(info.key)
        if page_id and info.status == "publish":
            pages[state.places[info.key].url] = page_id
    archives: dict[str, str] = {}
    for (kind, slug), new_url in links.tags.items():
        for wp_kind in ["author"] if kind == "author" else ["category", "tag"]:
            archives[f"/{wp_kind}/{slug}/"] = new_url
            for suffix, feed in FEED_SUFFIXES.items():
                archives[f"/{wp_kind}/{slug}/{suffix}"] = feed_of(new_url, feed)
    blog_url = state.target.blog_url
    for info in scanned.items.values():
        if info.post_type == "post" and info.status == "publish" and info.date:
            local = timezone.localtime(info.date)
            archives[f"/{local:%Y}/"] = f"{blog_url}{local:%Y}/"
            archives[f"/{local:%Y}/{local:%m}/"] = f"{blog_url}{local:%Y}/{local:%m}/"
    rows = dict(links.paths)
    for old, new_url in archives.items():
        rows.setdefault(Redirect.normalise_path(links.base_path + old), new_url)
    state.report.counts["redirects created"] += _write_redirects(state, rows, pages)


def _write_redirects(state: ImportState, rows: dict[str, str], pages: dict[str, int]) -> int:
    """Write `rows` (old path -> new URL) as Wagtail redirects, to the page itself when the
    new URL is an imported page's; returns how many are new."""
    site = state.target.site
    old_paths = list(rows)
    existing: dict[str, int] = {}
    for start in range(0, len(old_paths), 500):
        chunk = old_paths[start : start + 500]
        existing.update(
            Redirect.objects.filter(site=site, old_path__in=chunk).values_list("old_path", "pk")
        )
    editors = editors_redirects()
    new, made, kept = [], 0, []
    for old_path, new_url in rows.items():
        if old_path.rstrip("/") == new_url.rstrip("/") or old_path in {"", "/"}:
            continue
        present = existing.get(old_path)
        done = editors.by_id.get(present) if present else editors.deleted.get(old_path)
        if done:
            kept.append(f"{old_path} ({done} by an editor)")
            continue
        values = {"is_permanent": True}
        if new_url in pages:
            values.update(redirect_page_id=pages[new_url], redirect_link="")
        else:
            values.update(redirect_page=None, redirect_link=new_url)
        if old_path in existing:
            Redirect.objects.filter(site=site, old_path=old_path).update(**values)
        else:
            new.append(Redirect(site=site, old_path=old_path, **values))
        # Two or three per item: one INSERT per row was a measurable share of a large
        # import, and all of them at once a measurable share of its memory. Wagtail
        # creates its own automatic redirects in bulk too (BatchRedirectCreator).
        if len(new) >= 500:
            insert_own_rows(Redirect, new)
            made, new = made + len(new), []
    insert_own_rows(Redirect, new)
    if kept:
        shown = ", ".join(kept[:KEPT_SHOWN]) + (
            f" and {len(kept) - KEPT_SHOWN} more" if len(kept) > KEPT_SHOWN else ""
        )
        state.report.notes.append(
            f"{len(kept)} old address(es) kept as an editor left them, not as this import "
            f"would set them: {shown}"
        )
        state.report.counts["redirects kept as edited"] += len(kept)
    return made + len(new)


@dataclass
class EditorsRedirects:
    """What editors did to redirects: by redirect id, the last thing ("made", "changed",
    "deleted"); by old path, those deleted (their rows are gone, so only the path is left)."""

    by_id: dict[int, str] = field(default_factory=dict)
    deleted: dict[str, str] = field(default_factory=dict)


def editors_redirects() -> EditorsRedirects:
    """Which redirects an editor made, changed or deleted, in Wagtail's redirects admin or its
    import of redirects (both log it, by id and old path; an import's own rows are not
    logged): an import must not undo an editor's redirect, nor bring back one they removed.
    Read in one statement: the log's label has no index, and a lookup per batch of paths
    scanned it again each time."""
    done = {"wagtail.create": "made", "wagtail.edit": "changed", "wagtail.delete": "deleted"}
    found = EditorsRedirects()
    entries = (
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Redirect), action__in=done
        )
        .order_by("timestamp", "pk")
        .values_list("object_id", "label", "action")
        .iterator(chunk_size=5000)
    )
    for object_id, label, action in entries:
        if object_id.isdigit():
            found.by_id[int(object_id)] = done[action]
        if action == "wagtail.delete":
            found.deleted[label] = "deleted"
        else:
            # Made again at a path deleted before: the row speaks for it now.
            found.deleted.pop(label, None)
    return found
