"""`byline restore FILE`: put a `byline backup` archive back, after verifying all of it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from byline.ops.backup import BackupError, restore_site, verify_archive


class Command(BaseCommand):
    help = (
        "Replace the database and the media with those in a `byline backup` archive. The "
        "archive is checked whole first; a site with content is only replaced with --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="An archive written by `byline backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a site that already has users, pages or media.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only verify the archive; change nothing.",
        )

    def handle(self, *args, file: Path, force: bool, check: bool, **options):
        try:
            if check:
                manifest = verify_archive(path=file)
                verb = "is a sound backup"
            else:
                manifest = restore_site(path=file, force=force)
                verb = "restored"
        except BackupError as error:
            raise CommandError(str(error)) from error
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"{file} {verb}: {manifest['engine']} database made {manifest['created']}, "
            f"{media} media files"
        )
