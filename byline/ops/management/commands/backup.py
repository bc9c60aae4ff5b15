"""`byline backup FILE`: the database and the media in one verified archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from byline.ops.backup import BackupError, backup_site


class Command(BaseCommand):
    help = (
        "Write the database (SQLite online backup, or pg_dump for PostgreSQL) and the media "
        "directory to one .tar.gz archive, safe to run while the site serves."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive to write, e.g. site.tar.gz")

    def handle(self, *args, file: Path, **options):
        try:
            summary = backup_site(path=file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up the {summary.engine} database ({summary.database_bytes:,} bytes) and "
            f"{summary.media_files} media files ({summary.media_bytes:,} bytes) to {file}"
        )
