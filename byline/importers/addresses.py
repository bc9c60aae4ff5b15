"""Where every imported post and page goes, and the redirects from its old addresses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page

if TYPE_CHECKING:
    from byline.importers.run import WordPressImport
    from byline.importers.scan import ItemInfo

# Paths that Django routes before the page tree; a page with one of these slugs at the top
# level could never be reached.
RESERVED_TOP_SLUGS = {
    "admin", "authors", "tags", "search", "feed", "atom", "documents", "healthz", "media",
    "static", "sitemap.xml", "robots.txt", "feed.json", "blogs",
}  # fmt: skip


def plan_addresses(run: WordPressImport) -> None:
    """Decide every post's and page's slug and new address before any is written, so
    that links between them can be rewritten whichever comes first in the file."""
    taken: dict[int | str, set[str]] = {}
    mine: set[int] = set()  # pages an earlier run imported: their slugs are not "taken"
    for info in run.items.values():
        if info.post_type in {"post", "page"}:
            row = run.mapped.get((info.post_type, info.key))
            if row and row.object_id:
                info.page_id = row.object_id
                mine.add(row.object_id)

    def siblings(parent_key) -> set[str]:
        if parent_key not in taken:
            if parent_key == "blog":
                parent = run.blog
            elif parent_key == "home":
                parent = run.home
            else:
                parent = None
                row = run.mapped.get(("page", str(parent_key)))
                if row and row.object_id:
                    parent = Page.objects.filter(pk=row.object_id).first()
            taken[parent_key] = (
                set(parent.get_children().exclude(pk__in=mine).values_list("slug", flat=True))
                if parent is not None
                else set()
            )
            if parent_key == "home":
                taken[parent_key] |= RESERVED_TOP_SLUGS
        return taken[parent_key]

    def claim(info: ItemInfo, parent_key) -> None:
        used = siblings(parent_key)
        slug, number = info.slug, 2
        while slug in used:
            slug = f"{info.slug[:190]}-{number}"
            number += 1
        if slug != info.slug:
            run.report.notes.append(
                f"line {info.line}: slug {info.slug!r} was taken; {slug!r} used instead"
            )
        info.slug = slug
        used.add(slug)

    for info in run.items.values():
        if info.post_type == "post":
            claim(info, "blog")
            if info.date is not None:
                local = timezone.localtime(info.date)
                info.new_url = f"{run.blog_url}{local:%Y}/{local:%m}/{info.slug}/"
    pages = [info for info in run.items.values() if info.post_type == "page"]
    for info in pages:
        parent = run.by_wp_id.get(info.parent) if info.parent else None
        if info.parent and (parent is None or parent.post_type != "page"):
            run.report.notes.append(
                f"line {info.line}: parent page {info.parent} is not in the file; "
                "the page goes at the top level"
            )
            info.parent = 0
    for info in pages:
        claim(info, info.parent or "home")
    home_url = run.home.get_url() or "/"
    for info in pages:
        chain, node, guard = [], info, 0
        while node is not None and guard < 50:
            chain.append(node.slug)
            node = run.by_wp_id.get(node.parent) if node.parent else None
            guard += 1
        if guard >= 50:  # a parent loop: WordPress forbids it, a hand-made file may not
            info.parent = 0
            chain = [info.slug]
        info.new_url = home_url + "".join(f"{slug}/" for slug in reversed(chain))
    for info in run.items.values():
        if info.post_type == "attachment" and info.parent:
            run.children.setdefault(info.parent, []).append(info.wp_id)
        if info.post_type == "attachment" and not info.new_url:
            parent = run.by_wp_id.get(info.parent)
            info.new_url = parent.new_url if parent else ""
    _old_addresses(run)


def _old_addresses(run: WordPressImport) -> None:
    base = run.links.base_path
    for info in run.items.values():
        if not info.new_url or info.status not in {"publish", "inherit"}:
            continue
        run.links.add(info.link, info.new_url)
        if info.guid.startswith(("http://", "https://")):
            run.links.add(info.guid, info.new_url)
        if info.wp_id:
            name = {"page": "page_id", "attachment": "attachment_id"}.get(info.post_type, "p")
            run.links.add(f"{base}/?{name}={info.wp_id}", info.new_url)
            if name != "p":
                run.links.add(f"{base}/?p={info.wp_id}", info.new_url)


def make_redirects(run: WordPressImport) -> None:
    """A permanent redirect from every old address: items, archives and feeds."""
    site = run.site
    old_paths = list(run.links.paths)
    existing = set()
    for start in range(0, len(old_paths), 500):
        chunk = old_paths[start : start + 500]
        existing.update(
            Redirect.objects.filter(site=site, old_path__in=chunk).values_list(
                "old_path", flat=True
            )
        )
    pages: dict[str, int] = {}
    for info in run.items.values():
        if info.page_id and info.status == "publish":
            pages[info.new_url] = info.page_id
    new, made = [], 0
    for old_path, new_url in run.links.paths.items():
        if old_path.rstrip("/") == new_url.rstrip("/") or old_path in {"", "/"}:
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
            Redirect.objects.bulk_create(new)
            made, new = made + len(new), []
    Redirect.objects.bulk_create(new)
    made += len(new)
    archives: dict[str, str] = {}
    for (kind, slug), new_url in run.links.tags.items():
        for wp_kind in ["author"] if kind == "author" else ["category", "tag"]:
            for suffix in ("", "feed/"):
                archives[f"/{wp_kind}/{slug}/{suffix}"] = new_url + suffix
    for info in run.items.values():
        if info.post_type == "post" and info.status == "publish" and info.date:
            local = timezone.localtime(info.date)
            archives[f"/{local:%Y}/"] = f"{run.blog_url}{local:%Y}/"
            archives[f"/{local:%Y}/{local:%m}/"] = f"{run.blog_url}{local:%Y}/{local:%m}/"
    for old, target in archives.items():
        _, created = Redirect.objects.update_or_create(
            site=site,
            old_path=Redirect.normalise_path(run.links.base_path + old),
            defaults={"redirect_link": target, "redirect_page": None, "is_permanent": True},
        )
        made += created
    run.report.counts["redirects created"] += made
