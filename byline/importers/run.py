"""One run of `byline import-wordpress`: the passes, in order, in one transaction.

The file is read twice, streaming: once (scan) for every item's id and new address, once
(pages) to write the items; in between, authors, tags and media are written and every
address is planned, so that links between items can be rewritten in one go. What the passes
share travels forward in an ImportState (state.py), beside the scanned file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse

from byline.core.signals import site_changed
from byline.importers import addresses, coauthors, media, pages, terms
from byline.importers.links import LinkMap
from byline.importers.quiet import postponed_indexing
from byline.importers.report import ImportReport
from byline.importers.scan import scan
from byline.importers.state import ImportOptions, ImportState, Mappings
from byline.importers.target import prepare_target

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile


def run_import(options: ImportOptions) -> ImportReport:
    """Import the export at options.path; all or nothing (see services.wordpress_import())."""
    report = ImportReport(dry_run=options.dry_run)
    scanned = scan(options.path, report)
    stored_files: list[FieldFile] = []
    try:
        with transaction.atomic(), postponed_indexing() as postponed:
            target = prepare_target(options.blog_slug, scanned.channel, report)
            links = LinkMap.for_site(scanned.channel.link, scanned.channel.base_blog_url)
            links.blog_url = target.blog_url
            links.feeds["comments"] = reverse(
                "comments:blog-feed", kwargs={"blog": target.blog.slug}
            )
            state = ImportState(
                options=options,
                report=report,
                target=target,
                mappings=Mappings.load(scanned.source),
                links=links,
                stored_files=stored_files,
                postponed=postponed,
            )
            terms.import_authors(state, scanned)
            coauthors.import_guest_authors(state, scanned)
            terms.import_terms(state, scanned)
            media.import_media(state, scanned)
            addresses.plan_addresses(state, scanned)
            pages.import_items(state, scanned)
            addresses.make_redirects(state, scanned)
            state.mappings.save()
            if options.dry_run:
                transaction.set_rollback(True)
            else:
                postponed.finish()
                # Pages went live without Revision.publish() (see pages._write), so the page
                # store hears of the import once, purging every stored page on commit.
                site_changed.send(sender=ImportState, reason="import")
    except BaseException:
        media.remove_stored_files(stored_files)
        raise
    if options.dry_run:
        media.remove_stored_files(stored_files)
    return report
