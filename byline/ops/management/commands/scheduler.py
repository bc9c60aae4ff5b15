"""`byline scheduler`: publishes and unpublishes what editors scheduled, on time."""

import signal
import time

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

LOCK_KEY = "byline:scheduler-lock"


class Command(BaseCommand):
    help = "Run Wagtail's publish_scheduled every BYLINE_SCHEDULER_INTERVAL seconds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Run one pass and exit (for cron or tests)."
        )

    def handle(self, *args, once: bool, **options):
        running = True

        def stop(signum, frame):
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        interval = settings.BYLINE_SCHEDULER_INTERVAL
        while running:
            if not once:
                # A long-lived process must not keep a connection the database dropped.
                close_old_connections()
            self.run_pass(interval)
            if once:
                return
            deadline = time.monotonic() + interval
            while running and time.monotonic() < deadline:
                time.sleep(0.5)

    def run_pass(self, interval: int) -> None:
        # Every app server runs a scheduler; the shared cache lets one of them do each pass.
        # publish_scheduled takes everything due up to now, so a pass after downtime
        # catches up on all that was missed.
        if not cache.add(LOCK_KEY, "1", timeout=max(interval - 1, 1)):
            return
        call_command("publish_scheduled", verbosity=0)
