"""`byline export-wordpress [FILE]`: write the site as a WordPress export (WXR 1.2)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from byline.blogs.models import BlogPage
from byline.importers.export import wordpress_export


class Command(BaseCommand):
    help = "Write posts, pages, authors, tags and comments as a WXR file for WordPress."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="Where to write (default: stdout).")
        parser.add_argument("--blog", help="Slug of the one blog to export (default: all).")
        parser.add_argument(
            "--pages",
            action="store_true",
            help="With --blog, export the standard pages too (a whole-site export always does).",
        )

    def handle(self, *args, **options) -> None:
        blog = None
        if options["blog"]:
            blog = BlogPage.objects.filter(slug=options["blog"]).first()
            if blog is None:
                raise CommandError(f"no blog with the slug {options['blog']!r}")
        pages = True if options["pages"] else None
        if options["file"] is None:
            wordpress_export(out=sys.stdout.buffer, blog=blog, pages=pages)
        else:
            with options["file"].open("wb") as out:
                count = wordpress_export(out=out, blog=blog, pages=pages)
            self.stdout.write(f"Wrote {count} posts and pages to {options['file']}.")
