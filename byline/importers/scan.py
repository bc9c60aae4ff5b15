"""Pass one of an import: read the whole file once and keep what every new address needs."""

from __future__ import annotations

import datetime
import hashlib
import html
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

import nh3
from django.utils import timezone
from django.utils.text import slugify

from byline.importers.wxr import Channel, WPAuthor, WPItem, WPTerm, WXRError

if TYPE_CHECKING:
    from byline.importers.run import WordPressImport

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


class ImportRefused(WXRError):
    """The import cannot run at all (no publication to import into, and the like)."""


@dataclass
class ImportReport:
    """What an import did: counts per kind, every item it skipped with the reason, and the
    password-protected items (title and new address, never the password: reports end up
    in logs and tickets)."""

    counts: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)
    dry_run: bool = False

    def skip(self, item: WPItem | None, reason: str) -> None:
        where = f"line {item.line}, item {item.wp_id or item.guid!r}" if item else "file"
        self.counts["skipped"] += 1
        self.skipped.append(f"{where}: {reason}")

    def lines(self) -> list[str]:
        head = "Dry run: nothing was saved." if self.dry_run else "Import finished."
        out = [head]
        out += [f"  {kind}: {count}" for kind, count in sorted(self.counts.items())]
        out += [f"  password-protected {entry}" for entry in self.protected]
        out += [f"  skipped {entry}" for entry in self.skipped]
        out += [f"  note: {entry}" for entry in self.notes]
        return out


@dataclass
class ItemInfo:
    """What the first pass keeps of each item: enough to know every new address."""

    key: str
    post_type: str
    status: str
    slug: str
    title: str
    date: datetime.datetime | None
    link: str
    guid: str
    parent: int
    wp_id: int
    line: int
    attachment_url: str = ""
    new_url: str = ""
    page_id: int | None = None


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


def plain(fragment: str) -> str:
    """HTML to one line of plain text (excerpts)."""
    return " ".join(html.unescape(nh3.clean(fragment or "", tags=set())).split())


def wp_slug(value: str, fallback: str) -> str:
    slug = slugify(unquote(value or ""), allow_unicode=True) or slugify(
        fallback, allow_unicode=True
    )
    return (slug or "untitled")[:200]


def scan(run: WordPressImport) -> None:
    """Read the file once: the channel, declared authors and terms, and every item's id,
    type, status, slug and date. Items with a duplicate id or an impossible date are
    skipped here, and so in every later pass."""
    for record in run.records():
        if isinstance(record, Channel):
            run.channel = record
            site_url = record.base_blog_url or record.link
            run.source = site_url.strip().rstrip("/").lower()[:255]
        elif isinstance(record, WPAuthor):
            if record.login:
                run.wp_authors[record.login] = record
        elif isinstance(record, WPTerm):
            if record.taxonomy in {"category", "post_tag"} and (record.slug or record.name):
                slug = wp_slug(record.slug, record.name)
                run.terms[(record.taxonomy, slug)] = record
        elif isinstance(record, WPItem):
            _scan_item(run, record)
            if record.creator:
                run.creators.add(record.creator)
    run.report.counts["items read"] = len(run.items)


def _scan_item(run: WordPressImport, item: WPItem) -> None:
    key = item_key(item)
    if key in run.items:
        run.report.skip(item, f"a second item with WordPress id {key}; the first was kept")
        return
    date = None
    try:
        date = parse_wp_date(item.post_date, item.post_date_gmt, run.offset)
    except ValueError as error:
        if item.post_type in {"post", "page"} and item.status not in {"draft", "pending"}:
            run.report.skip(item, str(error))
            return
    if run.offset is None and item.post_date_gmt and item.post_date:
        try:
            gmt = datetime.datetime.strptime(item.post_date_gmt[:19], "%Y-%m-%d %H:%M:%S")
            local = datetime.datetime.strptime(item.post_date[:19], "%Y-%m-%d %H:%M:%S")
            run.offset = local - gmt
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
    )
    run.items[key] = info
    if item.wp_id:
        run.by_wp_id[item.wp_id] = info
