"""Pass one of an import: read the whole file once and keep what every new address needs."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from django.utils import timezone
from django.utils.text import slugify

from byline.importers.wxr import Channel, Record, WPAuthor, WPItem, WPTerm, WXRError, read_wxr

if TYPE_CHECKING:
    from byline.importers.report import ImportReport

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


@dataclass(frozen=True, slots=True)
class ItemInfo:
    """What the first pass keeps of each item: enough to know every new address."""

    key: str
    post_type: str
    status: str
    slug: str  # as WordPress has it; the one Byline gives the item is in its state.Place
    title: str
    date: datetime.datetime | None
    link: str
    guid: str
    parent: int
    wp_id: int
    line: int
    attachment_url: str = ""
    caption: str = ""  # an attachment's caption (its excerpt), as WordPress stores it


@dataclass
class ScannedFile:
    """What pass one read: the channel, the declared authors and terms, and every item the
    later passes import (an item skipped here is not in `items`, so no pass sees it)."""

    path: Path
    channel: Channel = field(default_factory=Channel)
    source: str = ""  # the site's address, lower-cased: the key of the import's mappings
    authors: dict[str, WPAuthor] = field(default_factory=dict)  # declared ones, by login
    creators: set[str] = field(default_factory=set)  # dc:creator logins, declared or not
    terms: dict[tuple[str, str], WPTerm] = field(default_factory=dict)  # (taxonomy, slug)
    items: dict[str, ItemInfo] = field(default_factory=dict)  # item_key() -> item
    by_wp_id: dict[int, ItemInfo] = field(default_factory=dict)
    attachments_of: dict[int, list[int]] = field(default_factory=dict)  # parent id -> ids
    # Categories and tags given to posts, declared in the header or not ("posts only"
    # exports declare none): (taxonomy, slug) -> name; and the slugs a published post has.
    used_terms: dict[tuple[str, str], str] = field(default_factory=dict)
    live_term_slugs: set[str] = field(default_factory=set)
    # Co-Authors Plus: its guest authors (items of type guest-author) by login, and the
    # names of its author terms ("cap-<login>") on posts or in the header, by slug.
    guest_authors: dict[str, WPAuthor] = field(default_factory=dict)
    coauthor_terms: dict[str, str] = field(default_factory=dict)
    offset: datetime.timedelta | None = None  # the site's UTC offset, read from the dates

    def records(self) -> Iterator[Record]:
        """The file's records, read again from the start (streaming)."""
        with open(self.path, "rb") as source:
            yield from read_wxr(source)

    def info(self, item: WPItem) -> ItemInfo | None:
        """What this pass kept of `item`, read again; None if it skipped the item."""
        info = self.items.get(item_key(item))
        return info if info is not None and info.line == item.line else None


def parse_wp_date(local: str, gmt: str, offset: datetime.timedelta | None) -> datetime.datetime:
    """An aware datetime from WordPress's GMT date, or its local one and the site's offset.

    Raises ValueError for a date that cannot be a real publish date."""
    for value, is_gmt in ((gmt, True), (local, False)):
        value = (value or "").strip()
        if not value or value.startswith("0000-00-00"):
            continue
        try:
            parsed = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise ValueError(f"the date {value!r} is not a real date") from None
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            raise ValueError(f"the date {value!r} is outside {EARLIEST_YEAR}–{LATEST_YEAR}")
        if is_gmt:
            return parsed.replace(tzinfo=datetime.UTC)
        if offset is not None:
            return (parsed - offset).replace(tzinfo=datetime.UTC)
        return timezone.make_aware(parsed, timezone.get_default_timezone())
    raise ValueError("the item has no date")


def item_key(item: WPItem) -> str:
    """The item's WordPress id (from its post_id, else its guid or link), else a guid hash."""
    if item.wp_id:
        return str(item.wp_id)
    for url in (item.guid, item.link):
        query = parse_qs(urlsplit(url).query)
        for name in ("p", "page_id", "attachment_id"):
            if query.get(name, [""])[0].isdigit():
                item.wp_id = int(query[name][0])
                return str(item.wp_id)
    return "guid:" + hashlib.sha1((item.guid or item.link or item.title).encode()).hexdigest()


def wp_slug(value: str, fallback: str) -> str:
    slug = slugify(unquote(value or ""), allow_unicode=True) or slugify(
        fallback, allow_unicode=True
    )
    return (slug or "untitled")[:200]


def scan(path: Path, report: ImportReport) -> ScannedFile:
    """Read the file once: the channel, declared authors and terms, and every item's id,
    type, status, slug and date. Items with a duplicate id or an impossible date are
    skipped here, and so in every later pass."""
    scanned = ScannedFile(path=path)
    for record in scanned.records():
        if isinstance(record, Channel):
            scanned.channel = record
            report.notes.extend(record.notes)
            site_url = record.base_blog_url or record.link
            scanned.source = site_url.strip().rstrip("/").lower()[:255]
        elif isinstance(record, WPAuthor):
            if record.login:
                scanned.authors[record.login] = record
        elif isinstance(record, WPTerm):
            if record.taxonomy in {"category", "post_tag"} and (record.slug or record.name):
                slug = wp_slug(record.slug, record.name)
                scanned.terms[(record.taxonomy, slug)] = record
            elif record.taxonomy == "author" and record.slug:
                scanned.coauthor_terms[record.slug.lower()] = record.name
        elif isinstance(record, WPItem):
            if record.post_type == "guest-author":
                _scan_guest_author(scanned, report, record)
                continue
            _scan_item(scanned, report, record)
            if record.creator:
                scanned.creators.add(record.creator)
    if not (scanned.items or scanned.authors or scanned.terms or scanned.guest_authors):
        # An export of nothing (no <channel>, or one without a post, page, author or term)
        # would still make the blog and the site-wide feed redirects.
        raise WXRError("the file holds no posts, pages, authors or terms: nothing to import")
    report.counts["items read"] = len(scanned.items)
    return scanned


def _scan_guest_author(scanned: ScannedFile, report: ImportReport, item: WPItem) -> None:
    """A Co-Authors Plus guest author: a byline without a WordPress account, kept as an
    item of its own type whose meta ("cap-display_name", "cap-user_email"…) is the profile
    (class-coauthors-guest-authors.php in the plugin names these fields)."""
    meta = item.meta
    login = (meta.get("cap-user_login") or item.post_name.removeprefix("cap-")).strip()
    if not login:
        report.skip(item, "a guest author without a login (cap-user_login)")
        return
    scanned.guest_authors[login] = WPAuthor(
        login=login,
        email=meta.get("cap-user_email", "").strip(),
        display_name=(meta.get("cap-display_name") or item.title).strip(),
        first_name=meta.get("cap-first_name", "").strip(),
        last_name=meta.get("cap-last_name", "").strip(),
        website=meta.get("cap-website", "").strip(),
        bio=meta.get("cap-description", "").strip(),
        linked_account=meta.get("cap-linked_account", "").strip(),
    )


def _note_terms(scanned: ScannedFile, item: WPItem) -> None:
    live = item.post_type == "post" and item.status == "publish" and not item.post_password
    for taxonomy, slug, name in item.terms:
        if taxonomy in {"category", "post_tag"} and (slug or name):
            term_slug = wp_slug(slug, name)
            scanned.used_terms.setdefault((taxonomy, term_slug), name)
            if live:
                scanned.live_term_slugs.add(term_slug)
        elif taxonomy == "author" and slug:
            scanned.coauthor_terms.setdefault(slug.lower(), name)


def _scan_item(scanned: ScannedFile, report: ImportReport, item: WPItem) -> None:
    key = item_key(item)
    if key in scanned.items:
        report.skip(item, f"a second item with WordPress id {key}; the first was kept")
        return
    date = None
    try:
        date = parse_wp_date(item.post_date, item.post_date_gmt, scanned.offset)
    except ValueError as error:
        if item.post_type in {"post", "page"} and item.status not in {"draft", "pending"}:
            report.skip(item, str(error))
            return
    if scanned.offset is None and item.post_date_gmt and item.post_date:
        try:
            gmt = datetime.datetime.strptime(item.post_date_gmt[:19], "%Y-%m-%d %H:%M:%S")
            local = datetime.datetime.strptime(item.post_date[:19], "%Y-%m-%d %H:%M:%S")
            scanned.offset = local - gmt
        except ValueError:
            pass
    info = ItemInfo(
        key=key,
        post_type=item.post_type or "post",
        status=item.status or "publish",
        slug=wp_slug(item.post_name, item.title or key),
        title=item.title,
        date=date,
        link=item.link,
        guid=item.guid,
        parent=item.post_parent,
        wp_id=item.wp_id,
        line=item.line,
        attachment_url=item.attachment_url,
        caption=item.excerpt[:2000] if item.post_type == "attachment" else "",
    )
    scanned.items[key] = info
    _note_terms(scanned, item)
    if item.wp_id:
        scanned.by_wp_id[item.wp_id] = info
    if info.post_type == "attachment" and info.parent:
        # A gallery shortcode without ids shows the attachments of the post it is in.
        scanned.attachments_of.setdefault(info.parent, []).append(info.wp_id)
