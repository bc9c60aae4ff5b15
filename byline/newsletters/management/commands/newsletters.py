"""`byline newsletters send|digest daily|weekly`: the worker's newsletter jobs by hand or from
cron (the task worker in `byline serve` runs them by itself)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from byline.newsletters import sending
from byline.newsletters.models import Frequency


class Command(BaseCommand):
    help = "Send what is due of every issue, or a daily or weekly digest run."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("send", help="Send what is due (queued, and retries whose time came).")
        digest = actions.add_parser("digest", help="Send the daily or weekly digests now.")
        digest.add_argument("frequency", choices=[Frequency.DAILY, Frequency.WEEKLY])

    def handle(self, *args, action: str, **options):
        if action == "digest":
            run = sending.digests_send(options["frequency"])
            state = f"; the rest again at {run.again:%Y-%m-%d %H:%M}" if run.again else ""
            noun = "digest" if run.sent == 1 else "digests"
            self.stdout.write(f"sent {run.sent} {options['frequency']} {noun}{state}")
            return
        for issue in sending.pending_issues():
            again = sending.issue_send(issue)
            state = f"again at {again:%Y-%m-%d %H:%M}" if again else "done"
            self.stdout.write(f"{issue.page.title}: {state}")
