"""`byline export-wordpress [FILE]`: write the site as a WordPress export (WXR 1.2)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from byline.blogs.models import BlogPage
from byline.importers.export import wordpress_export


class Command(BaseCommand):
    help = "Write posts, authors, tags and comments as a WXR file WordPress's importer reads."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="Where to write (default: stdout).")
        parser.add_argument("--blog", help="Slug of the one blog to export (default: all).")

    def handle(self, *args, **options) -> None:
        blog = None
        if options["blog"]:
            blog = BlogPage.objects.filter(slug=options["blog"]).first()
            if blog is None:
                raise CommandError(f"no blog with the slug {options['blog']!r}")
        if options["file"] is None:
            count = wordpress_export(out=sys.stdout.buffer, blog=blog)
        else:
            with options["file"].open("wb") as out:
                count = wordpress_export(out=out, blog=blog)
            self.stdout.write(f"Wrote {count} posts to {options['file']}.")
