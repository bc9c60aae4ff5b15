"""`byline pagecache_sweep [--every SECONDS]`: expired pages out of the file page store, and
the least recently written ones near its cap (BYLINE_PAGECACHE_MAX_MB)."""

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError

from byline.pagecache.store import FileStore, get_store
from byline.pagecache.sweep import sweep

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Remove expired pages from the page store's files, and the least recently written "
        "ones near BYLINE_PAGECACHE_MAX_MB, so that new pages can be stored. Once, or every "
        "SECONDS with --every (as `byline serve` runs it). Redis expires pages itself."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Sweep every SECONDS until stopped, saying only when something was removed.",
        )

    def handle(self, *args, every: int, **options):
        if every < 0:
            raise CommandError(f"--every must be a number of seconds, not {every}")
        store = get_store()
        if not isinstance(store, FileStore):
            self.stdout.write(
                "The page store is in Redis, which expires pages itself; its maxmemory caps "
                "it (docs/scaling.md). Nothing to sweep."
            )
            return
        if not every:
            self.stdout.write(str(sweep(store)))
            return
        running = True

        def stop(signum, frame):
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while running:
            try:
                report = sweep(store)
            except OSError:
                # A full or failing disk must not stop the sweeps for good.
                logger.exception("Could not sweep the page store")
            else:
                if report.removed:
                    self.stdout.write(str(report))
            deadline = time.monotonic() + every
            while running and time.monotonic() < deadline:
                time.sleep(0.5)
