"""`byline bake DIR [--changed] [--jobs N]`: write the public site as static files."""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from byline.pagecache.bake import BakeError, bake, default_jobs


class Command(BaseCommand):
    help = (
        "Write the whole public site (pages, feeds, sitemaps, static files, images) under DIR "
        "for any web server or CDN; --changed rewrites only what changed since the last bake."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--changed", action="store_true", help="Only re-render and rewrite what changed."
        )
        parser.add_argument(
            "--base-url",
            default=settings.WAGTAILADMIN_BASE_URL,
            help="The address the site is published at (default: BYLINE_BASE_URL).",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            help="Render pages in this many processes (default: the CPUs this one may use).",
        )

    def handle(self, *args, directory: Path, changed: bool, base_url: str, jobs: int, **options):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CommandError(f"--base-url must be an http(s) address, not {base_url!r}")
        if jobs < 1:
            raise CommandError(f"--jobs must be 1 or more, not {jobs}")
        host = parts.netloc.lower()
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        hostname = parts.hostname or host
        if hostname not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, hostname]
        try:
            report = bake(directory, host=host, scheme=parts.scheme, changed=changed, jobs=jobs)
        except BakeError as error:
            raise CommandError(f"The bake failed: {error}") from error
        self.stdout.write(
            f"Baked {report.pages} pages into {directory}: {report.rendered} rendered, "
            f"{report.written} written, {report.removed} removed."
        )
