"""`byline comments export EMAIL` and `byline comments erase EMAIL`: readers' data requests,
for comments and for whatever other apps keep about a reader (byline/core/datarequests.py)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from byline.comments.services import comments_erase, comments_export
from byline.core import datarequests


class Command(BaseCommand):
    help = (
        "Export or erase everything stored about one reader (comments, contact messages not "
        "yet mailed), found by e-mail address."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Print the commenter's data as JSON.")
        export.add_argument("email")
        erase = actions.add_parser(
            "erase",
            help="Delete the reader's comments (emptying those others replied to) and "
            "contact messages not yet mailed.",
        )
        erase.add_argument("email")
        erase.add_argument(
            "--dry-run", action="store_true", help="Say how many of each, change nothing."
        )

    def handle(self, *args, action: str, email: str, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"not an e-mail address: {email!r}") from error
        if action == "export":
            data = {"email": email.lower(), "comments": comments_export(email=email)}
            for holder in datarequests.holders():
                data[holder.name] = holder.export(email=email)
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        count = comments_erase(email=email, dry_run=options["dry_run"])
        verb = "would erase" if options["dry_run"] else "erased"
        self.stdout.write(f"{verb} {count} comment{'s' if count != 1 else ''} by {email.lower()}")
        for holder in datarequests.holders():
            erased = holder.erase(email=email, dry_run=options["dry_run"])
            self.stdout.write(f"{verb} {holder.describe(erased)} by {email.lower()}")
