"""Importing a WordPress export: the one entry point, `wordpress_import()`.

The work is split by pass: scan (pass one), terms (authors and tags), media, addresses
(planning and redirects), pages (posts and pages, with their comments); run.py calls them
in order, handing each the ImportState (state.py) and the scanned file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from byline.importers.report import ImportReport
from byline.importers.run import run_import
from byline.importers.scan import parse_wp_date
from byline.importers.state import ImportOptions
from byline.importers.target import ImportRefused
from byline.importers.wxr import WXRError


def wordpress_import(
    *,
    path: Path,
    blog_slug: str | None = None,
    media_dir: Path | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the WordPress export at `path` into the blog `blog_slug` (created if missing).

    All or nothing: an error anywhere leaves the database (and media storage) as it was.
    Raises WXRError for a file that cannot be imported, naming the problem and its line.
    """
    options = ImportOptions(
        path=path,
        blog_slug=blog_slug,
        media_dir=media_dir.resolve() if media_dir else None,
        dry_run=dry_run,
        progress=progress,
    )
    return run_import(options)


__all__ = [
    "ImportRefused",
    "ImportReport",
    "WXRError",
    "parse_wp_date",
    "wordpress_import",
]
