"""`byline import-wordpress FILE`: move a WordPress site in from its export (WXR) file.

The module name has a hyphen so that the command reads as documented; Django finds commands
by file name (pkgutil) and imports them with importlib, which takes any name.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from byline.importers.services import WXRError, wordpress_import


class Command(BaseCommand):
    help = "Import a WordPress export (WXR 1.0–1.2): authors, tags, media, posts, pages, comments."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "file", type=Path, help="The export file (Tools › Export in WordPress)."
        )
        parser.add_argument("--blog", help="Slug of the blog to import into (created if missing).")
        parser.add_argument(
            "--media-dir", type=Path, help="The old site's wp-content/uploads folder."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check everything; save nothing."
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        media_dir = options["media_dir"]
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"{media_dir}: no such folder")
        bar = _ProgressBar(sys.stderr) if sys.stderr.isatty() else None
        try:
            with _stopped_by_sigterm():
                report = wordpress_import(
                    path=path,
                    blog_slug=options["blog"],
                    media_dir=media_dir,
                    dry_run=options["dry_run"],
                    progress=bar.update if bar else None,
                )
        except WXRError as error:
            raise CommandError(f"{path}: {error}. Nothing was changed.") from error
        except (KeyboardInterrupt, Stopped) as stop:
            # The import's transaction was rolled back and the files it stored removed on
            # the way out (importers/run.py).
            why = "stopped (SIGTERM)" if isinstance(stop, Stopped) else "interrupted"
            raise CommandError(f"{path}: the import was {why}. Nothing was changed.") from stop
        finally:
            if bar:
                bar.close()
        for line in report.lines():
            self.stdout.write(line)


class Stopped(BaseException):
    """SIGTERM (systemd, docker, `timeout`) during an import: raised where the import is, so
    that it unwinds as from Ctrl-C, rolling back and removing the media files it stored.
    Python's default for SIGTERM ends the process at once, files left behind."""


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may handle signals
        return

    def stop(signum: int, frame: object) -> None:
        raise Stopped()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _ProgressBar:
    """A one-line bar, redrawn in place, for a terminal only (logs get the report alone)."""

    WIDTH = 30

    def __init__(self, stream) -> None:
        self.stream = stream
        self.shown = -1

    def update(self, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.WIDTH * percent // 100
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\rImporting [{bar}] {percent:3d}% ({done}/{total} items)")
        self.stream.flush()

    def close(self) -> None:
        if self.shown >= 0:
            self.stream.write("\n")
            self.stream.flush()
