"""`byline demo`: load the reference page's content; `--posts N` adds synthetic posts."""

import secrets
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from byline.core import private_files
from byline.demo.reference import (
    align_site_address,
    featured_list_loaded,
    load_featured_list,
    load_reference_content,
    reference_loaded,
)
from byline.demo.synthetic import add_synthetic_posts


class Command(BaseCommand):
    help = (
        "Load the reference content (the publication, Bekker's Blog, Scott Bekker and his "
        "July 13, 2011 post, the Featured list) if the site is empty; with --posts N, add N "
        "synthetic posts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--posts", type=int, default=0, help="Add this many deterministic synthetic posts."
        )
        parser.add_argument("--seed", type=int, default=2011, help="Seed for synthetic posts.")

    def handle(self, *args, posts: int, seed: int, **options):
        if posts < 0:
            raise CommandError(f"--posts must be zero or more, not {posts}")
        if reference_loaded():
            self.stdout.write("Reference content already loaded.")
            # A site loaded before Featured lists existed gets the reference list now.
            if not featured_list_loaded() and load_featured_list() is not None:
                self.stdout.write(self.style.SUCCESS("Added the Featured list."))
            # PORT or BYLINE_BASE_URL changed since: the local Site record follows.
            if (site := align_site_address()) is not None:
                self.stdout.write(self.style.SUCCESS(f"The site's address is now {site.root_url}."))
        else:
            load_reference_content()
            self.stdout.write(self.style.SUCCESS("Loaded the reference content."))
            self.ensure_admin()
        if posts:
            started = time.monotonic()
            add_synthetic_posts(posts, seed=seed)
            elapsed = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(f"Added {posts} synthetic posts in {elapsed:.1f} s.")
            )

    def ensure_admin(self) -> None:
        """On a new site with no superuser, make one so that `make run` can say how to log in.
        The password is random, kept under var/ (readable by this user only) for local use."""
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser("admin", "admin@example.com", password)
        password_file = settings.VAR_DIR / "admin-password"
        # A new 0600 file even where an older one was left with a wider mode.
        private_files.write(password_file, password + "\n")
        self.stdout.write(f"Created the superuser 'admin'; its password is in {password_file}.")
