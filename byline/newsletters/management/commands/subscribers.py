"""`byline subscribers import|export-csv|export|erase`: lists in and out, and readers' data
requests for one address (which `byline comments export|erase` include too)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from byline.blogs.models import Author, BlogPage
from byline.newsletters import csvimport
from byline.newsletters.models import Subscriber, SubscriberStatus, Subscription, normalize_email
from byline.newsletters.services import subscribers_erase, subscribers_export

MAX_BYTES = 200 * 2**20


class Command(BaseCommand):
    help = "Import or export newsletter subscribers; export or erase one reader's data."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        imp = actions.add_parser(
            "import",
            help="Import a CSV export (Mailchimp, Substack, Ghost, WordPress/Jetpack, or any "
            "file with an e-mail column).",
        )
        imp.add_argument("file")
        target = imp.add_mutually_exclusive_group(required=True)
        target.add_argument("--blog", help="Subscribe them to this blog (slug).")
        target.add_argument("--author", help="Subscribe them to this author (slug).")
        target.add_argument("--all", action="store_true", help="Subscribe them to everything.")
        imp.add_argument("--dry-run", action="store_true", help="Report, change nothing.")
        out = actions.add_parser("export-csv", help="Write subscribers as CSV to standard output.")
        out.add_argument("--status", choices=SubscriberStatus.values)
        for name in ("export", "erase"):
            sub = actions.add_parser(
                name,
                help="Print one reader's subscriptions as JSON."
                if name == "export"
                else "Delete one reader's subscriptions and delivery records.",
            )
            sub.add_argument("email")
            if name == "erase":
                sub.add_argument(
                    "--dry-run", action="store_true", help="Say how many, change nothing."
                )

    def handle(self, *args, action: str, **options):
        if action == "import":
            return self.import_file(options)
        if action == "export-csv":
            return self.export_csv(options.get("status"))
        email = options["email"]
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"not an e-mail address: {email!r}") from error
        if action == "export":
            data = {
                "email": normalize_email(email),
                "newsletter_subscriptions": subscribers_export(email=email),
            }
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        count = subscribers_erase(email=email, dry_run=options["dry_run"])
        verb = "would erase" if options["dry_run"] else "erased"
        noun = "subscriber record" if count == 1 else "subscriber records"
        self.stdout.write(f"{verb} {count} {noun} of {normalize_email(email)}")

    def _target(self, options) -> dict:
        if options.get("blog"):
            blog = BlogPage.objects.filter(slug=options["blog"]).first()
            if blog is None:
                raise CommandError(f"no blog with the slug {options['blog']!r}")
            return {"blog": blog}
        if options.get("author"):
            author = Author.objects.filter(slug=options["author"]).first()
            if author is None:
                raise CommandError(f"no author with the slug {options['author']!r}")
            return {"author": author}
        return {}

    def import_file(self, options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path} is larger than {MAX_BYTES // 2**20} MB")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            text = path.read_text(encoding="latin-1")
        try:
            layout, rows, problems = csvimport.read_rows(text)
        except (ValueError, csv.Error) as error:
            raise CommandError(f"{path}: {error}") from error
        target = self._target(options)
        counts = {status: 0 for status in SubscriberStatus.values}
        kept = waiting = 0
        now = timezone.now()
        with transaction.atomic():
            for row in rows:
                subscriber = Subscriber.objects.by_email(row.email).first()
                if subscriber is None:
                    subscriber = Subscriber.objects.create(
                        email=row.email,
                        status=row.status,
                        source=f"import:{layout.format}",
                        confirmed_at=now if row.status == SubscriberStatus.CONFIRMED else None,
                    )
                elif subscriber.status != row.status:
                    # What is already here wins, except that leaving always does: an import
                    # never re-subscribes someone who left, but records that they did.
                    if row.status in (SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.SUPPRESSED):
                        subscriber.status = row.status
                        subscriber.left_at = now
                        subscriber.save()
                    else:
                        kept += 1
                counts[row.status] += 1
                # The list is on only where the file says the reader confirmed it and they
                # are confirmed here too. Otherwise it is recorded, off, and waits for the
                # reader to confirm this list themselves: being confirmed for another list,
                # or confirming one later, does not turn it on.
                confirmed = (
                    row.status == SubscriberStatus.CONFIRMED
                    and subscriber.status == SubscriberStatus.CONFIRMED
                )
                subscription, _ = Subscription.objects.get_or_create(
                    subscriber=subscriber, **target, defaults={"confirmed": confirmed}
                )
                if confirmed and not subscription.confirmed:
                    subscription.confirmed = True
                    subscription.save(update_fields=["confirmed"])
                elif not subscription.confirmed and subscriber.status == SubscriberStatus.CONFIRMED:
                    waiting += 1
            if options["dry_run"]:
                transaction.set_rollback(True)
        summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        verb = "would import" if options["dry_run"] else "imported"
        self.stdout.write(
            f"{layout.format} export: {verb} {sum(counts.values())} ({summary or 'none'})"
        )
        if kept:
            self.stdout.write(f"{kept} already here kept their current status")
        if waiting:
            self.stdout.write(
                f"{waiting} confirmed here for other lists get nothing from this one until they "
                "confirm it: the file does not say they did"
            )
        for problem in problems:
            self.stderr.write(problem)

    def export_csv(self, status: str | None) -> None:
        writer = csv.writer(self.stdout)
        writer.writerow(
            ["email", "status", "frequency", "lists", "confirmed_at", "created", "source"]
        )
        subscribers = Subscriber.objects.prefetch_related(
            "subscriptions__blog", "subscriptions__author"
        )
        if status:
            subscribers = subscribers.filter(status=status)
        for subscriber in subscribers.iterator(chunk_size=2000):
            writer.writerow(
                [
                    subscriber.email,
                    subscriber.status,
                    subscriber.frequency,
                    "; ".join(
                        s.target_name if s.confirmed else f"{s.target_name} (not confirmed)"
                        for s in subscriber.subscriptions.all()
                    ),
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                    subscriber.created.isoformat(),
                    subscriber.source,
                ]
            )
        sys.stdout.flush()
